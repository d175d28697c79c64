/*
 * tagging_driver_test.c - packet tagging of the wfpkit driver (packages/driver) running
 * inside libwfpsim, driven only through libwfpsim's exports: the Fwpm* API adds the
 * provider, sublayer, callouts and a session's filters (FLOW_ESTABLISHED with the app id,
 * STREAM, and the OUTBOUND/INBOUND_TRANSPORT and transport discard layers with the scope
 * key as rawContext), the kernel32 look-alikes drive the device, Wfpsim* runs traffic.
 *
 * Checks, against the simulator's NBL lifecycle model (clones, exits, send completes, drops):
 * every PACKET_TAGGED has a unique context, a per-flow sequence 0,1,2..., the layer and
 * direction of the filter that saw it, and a snap that starts at the TCP header (transport
 * layers) or the IP header (IP packet layers) in both directions; at the IP packet layers the
 * flow is found by the 5-tuple; with both layers of a direction a packet is tagged once;
 * every context (and every copied one) is removed exactly once; PACKET_NOTIFY /
 * PACKET_DISCARDED name only tagged contexts; the counters agree with the records; a session
 * that does not tag sees no packet record; unloading while a paced run on another thread
 * keeps tagged NBLs in the model's queue removes every context, leaves nothing behind and
 * is followed by no notify call (run under ASan/LSan too).
 * Scripted duplicates (duplicate_frames: DUPLICATED_BY_NETIO to a copy that lives its own
 * lifecycle): the driver copies the context (PACKET_NOTIFY with CONTEXT_COPIED, a new context),
 * and the original's and the copy's contexts are each removed exactly once.
 *
 *   tagging_driver_test <loopback.pcap> [associate0]   ends with "N passed, M failed"
 *   (associate0: libwfpsim built with -DWK_SIMULATED_ASSOCIATE0=1, the ...Context0 fallback)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver_test_common.h"

/* FWPM_LAYER_* (Windows SDK fwpmu.h values) beside the flow and stream layers. */
static const WS_GUID k_layer_out4 = { 0x09e61aea, 0xd214, 0x46e2, { 0x9b, 0x21, 0xb2, 0x6b, 0x0b, 0x2f, 0x28, 0xc8 } };
static const WS_GUID k_layer_out6 = { 0xe1735bde, 0x013f, 0x4655, { 0xb3, 0x51, 0xa4, 0x9e, 0x15, 0x76, 0x2d, 0xf0 } };
static const WS_GUID k_layer_in4 = { 0x5926dfc8, 0xe3cf, 0x4426, { 0xa2, 0x83, 0xdc, 0x39, 0x3f, 0x5d, 0x0f, 0x9d } };
static const WS_GUID k_layer_in6 = { 0x634a869f, 0xfc23, 0x4b90, { 0xb0, 0xc1, 0xbf, 0x62, 0x0a, 0x36, 0xae, 0x6f } };
static const WS_GUID k_layer_out4d = { 0xc5f10551, 0xbdb0, 0x43d7, { 0xa3, 0x13, 0x50, 0xe2, 0x11, 0xf4, 0xd6, 0x8a } };
static const WS_GUID k_layer_out6d = { 0xf433df69, 0xccbd, 0x482e, { 0xb9, 0xb2, 0x57, 0x16, 0x56, 0x58, 0xc3, 0xb3 } };
static const WS_GUID k_layer_in4d = { 0xac4a9833, 0xf69d, 0x4648, { 0xb2, 0x61, 0x6d, 0xc8, 0x48, 0x35, 0xef, 0x39 } };
static const WS_GUID k_layer_in6d = { 0x2a6ff955, 0x3b2b, 0x49d2, { 0x98, 0x48, 0xad, 0x9d, 0x72, 0xdc, 0xaa, 0xb7 } };
static const WS_GUID k_layer_ipin4 = { 0xc86fd1bf, 0x21cd, 0x497e, { 0xa0, 0xbb, 0x17, 0x42, 0x5c, 0x88, 0x5c, 0x58 } };
static const WS_GUID k_layer_ipin6 = { 0xf52032cb, 0x991c, 0x46e7, { 0x97, 0x1d, 0x26, 0x01, 0x45, 0x9a, 0x91, 0xca } };
static const WS_GUID k_layer_ipout4 = { 0x1e5c9fae, 0x8a84, 0x4135, { 0xa3, 0x31, 0x95, 0x0b, 0x54, 0x22, 0x9e, 0xcd } };
static const WS_GUID k_layer_ipout6 = { 0xa3b3ab6b, 0x3564, 0x488c, { 0x91, 0x17, 0xf3, 0x4e, 0x82, 0x14, 0x27, 0x63 } };
static const WS_GUID k_layer_ipin4d = { 0xb5a230d0, 0xa8c0, 0x44f2, { 0x91, 0x6e, 0x99, 0x1b, 0x53, 0xde, 0xd1, 0xf7 } };
static const WS_GUID k_layer_ipin6d = { 0xbb24c279, 0x93b4, 0x47a2, { 0x83, 0xad, 0xae, 0x16, 0x98, 0xb5, 0x08, 0x85 } };
static const WS_GUID k_layer_ipout4d = { 0x08e4bcb5, 0xb647, 0x48f3, { 0x95, 0x3c, 0xe5, 0xdd, 0xbd, 0x03, 0x93, 0x7e } };
static const WS_GUID k_layer_ipout6d = { 0x9513d7c4, 0xa934, 0x49dc, { 0x91, 0xa7, 0x6c, 0xcb, 0x80, 0xcc, 0x02, 0xe3 } };

static const WS_GUID k_co[] = {
    WK_GUID_CALLOUT_FLOW_ESTABLISHED_V4, WK_GUID_CALLOUT_FLOW_ESTABLISHED_V6,
    WK_GUID_CALLOUT_STREAM_V4, WK_GUID_CALLOUT_STREAM_V6,
    WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V4, WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V6,
    WK_GUID_CALLOUT_INBOUND_TRANSPORT_V4, WK_GUID_CALLOUT_INBOUND_TRANSPORT_V6,
    WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V4_DISCARD, WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V6_DISCARD,
    WK_GUID_CALLOUT_INBOUND_TRANSPORT_V4_DISCARD, WK_GUID_CALLOUT_INBOUND_TRANSPORT_V6_DISCARD,
    WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V4, WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V6,
    WK_GUID_CALLOUT_INBOUND_IPPACKET_V4, WK_GUID_CALLOUT_INBOUND_IPPACKET_V6,
    WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V4_DISCARD, WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V6_DISCARD,
    WK_GUID_CALLOUT_INBOUND_IPPACKET_V4_DISCARD, WK_GUID_CALLOUT_INBOUND_IPPACKET_V6_DISCARD,
};
static const WS_GUID *const k_co_layer[] = {
    &k_layer_flow4, &k_layer_flow6, &k_layer_stream4, &k_layer_stream6,
    &k_layer_out4, &k_layer_out6, &k_layer_in4, &k_layer_in6,
    &k_layer_out4d, &k_layer_out6d, &k_layer_in4d, &k_layer_in6d,
    &k_layer_ipout4, &k_layer_ipout6, &k_layer_ipin4, &k_layer_ipin6,
    &k_layer_ipout4d, &k_layer_ipout6d, &k_layer_ipin4d, &k_layer_ipin6d,
};
#define NCO ((int)(sizeof k_co / sizeof k_co[0]))

static int install_objects(void)
{
    return install_callouts(k_co, k_co_layer, NCO);
}

/* A dynamic session's filters: FLOW_ESTABLISHED (app id), STREAM, and the transport, IP packet
 * and their discard layers, all with rawContext = the scope key. */
static WS_HANDLE add_filters(WS_FWP_BYTE_BLOB *appId, uint64_t key)
{
    WS_FWPM_FILTER_CONDITION0 c;
    WS_HANDLE e = begin_app_filters(&c, appId);
    int ok = e != NULL;
    for (int i = 0; i < NCO && ok; i++)
        ok = add_filter(e, k_co_layer[i], &k_co[i], i < 2 ? &c : NULL, i < 2 ? 1 : 0, key) != 0;
    return commit_app_filters(e, ok);
}

static uint32_t set_config(void *h, uint32_t flags, uint32_t layers, uint32_t snap)
{
    WK_SESSION_CONFIG c = config(flags, 8u * 1024u * 1024u, snap);
    c.tagLayers = layers;
    return ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, NULL);
}

static WK_SESSION_INFO session_info(void *h)
{
    WK_SESSION_INFO si;
    memset(&si, 0, sizeof si);
    ioctl_(h, IOCTL_WFPKIT_GET_SESSION, NULL, 0, &si, sizeof si, NULL);
    return si;
}

static WK_COUNTERS counters(void *h)
{
    WK_COUNTERS c;
    memset(&c, 0, sizeof c);
    ioctl_(h, IOCTL_WFPKIT_GET_COUNTERS, NULL, 0, &c, sizeof c, NULL);
    return c;
}

/* ---- what a session read --------------------------------------------------------------- */
#define MAXP 65536
#define MAXF 64
typedef struct seen {
    unsigned tagged, notify, discarded, loss, bad, est, del;
    uint64_t ctx[MAXP];          /* tagged and copied contexts, one per packet (a value is unique
                                    among the packets in flight and may be reused after removal) */
    uint8_t removed[MAXP];       /* CONTEXT_REMOVED count per packet */
    unsigned nctx;
    unsigned unknownNotify;      /* notify/discard naming a context never tagged */
    unsigned badLayer, badSnap, badSeq, copies, moves, nblNull;
    uint64_t flowId[MAXF];
    uint16_t localPort[MAXF], remotePort[MAXF];
    uint32_t nextSeq[MAXF];
    uint64_t delTagged;
    unsigned nflow;
    unsigned outbound, inbound;
    unsigned atLayer[20];        /* PACKET_TAGGED per FWPS layer id */
    unsigned snapOk[4];          /* snaps whose header bytes were checked: [ip layer][inbound] */
} seen;

static seen g_a, g_b;
static uint8_t g_out[512 * 1024];

/* The packet in flight with context c (latest first), or -1. */
static int ctx_index(const seen *s, uint64_t c)
{
    for (unsigned i = s->nctx; i-- > 0;)
        if (s->ctx[i] == c && s->removed[i] == 0)
            return (int)i;
    return -1;
}

static int flow_index(seen *s, uint64_t id)
{
    for (unsigned i = 0; i < s->nflow; i++)
        if (s->flowId[i] == id)
            return (int)i;
    return -1;
}

static void add_ctx(seen *s, uint64_t c)
{
    if (c == 0 || ctx_index(s, c) >= 0 || s->nctx >= MAXP) {
        s->bad++;
        return;
    }
    s->ctx[s->nctx++] = c;
}

/* The WK_TAG_LAYER_* bit of an FWPS layer id (transport and IP packet layers), else 0. */
static uint32_t layer_bit(uint16_t layerId)
{
    switch (layerId) {
    case 16: return WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4;
    case 18: return WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6;
    case 12: return WK_TAG_LAYER_INBOUND_TRANSPORT_V4;
    case 14: return WK_TAG_LAYER_INBOUND_TRANSPORT_V6;
    case 4: return WK_TAG_LAYER_OUTBOUND_IPPACKET_V4;
    case 6: return WK_TAG_LAYER_OUTBOUND_IPPACKET_V6;
    case 0: return WK_TAG_LAYER_INBOUND_IPPACKET_V4;
    case 2: return WK_TAG_LAYER_INBOUND_IPPACKET_V6;
    default: return 0;
    }
}

static void see_record(seen *s, const uint8_t *r, uint32_t layersWanted)
{
    WK_RECORD_HEADER h;
    memcpy(&h, r, sizeof h);
    switch (h.type) {
    case WK_EVENT_TYPE_FLOW_ESTABLISHED: {
        WK_FLOW_ESTABLISHED_RECORD e;
        memcpy(&e, r, sizeof e);
        s->est++;
        if (s->nflow < MAXF) {
            s->flowId[s->nflow] = h.flowId;
            s->localPort[s->nflow] = e.endpoints.localPort;
            s->remotePort[s->nflow] = e.endpoints.remotePort;
            s->nextSeq[s->nflow] = 0;
            s->nflow++;
        }
        break;
    }
    case WK_EVENT_TYPE_FLOW_DELETED: {
        WK_FLOW_DELETED_RECORD d;
        memcpy(&d, r, sizeof d);
        s->del++;
        s->delTagged += d.packetsTagged;
        break;
    }
    case WK_EVENT_TYPE_PACKET_TAGGED: {
        WK_PACKET_TAGGED_RECORD t;
        memcpy(&t, r, sizeof t);
        s->tagged++;
        add_ctx(s, t.context);
        uint32_t bit = layer_bit(t.layerId);
        int outbound = (bit & (WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6 |
                               WK_TAG_LAYER_OUTBOUND_IPPACKET_V4 | WK_TAG_LAYER_OUTBOUND_IPPACKET_V6)) != 0;
        int v6 = t.layerId == 18 || t.layerId == 14 || t.layerId == 6 || t.layerId == 2;
        int ipLayer = t.layerId <= 7;
        if ((bit & layersWanted) == 0 || t.direction != (outbound ? WK_DIRECTION_OUTBOUND : WK_DIRECTION_INBOUND) ||
            t.ipVersion != (v6 ? 6 : 4) || t.packetLength == 0)
            s->badLayer++;
        if (t.layerId < 20)
            s->atLayer[t.layerId]++;
        outbound ? s->outbound++ : s->inbound++;
        int f = flow_index(s, h.flowId);
        if (f < 0 || t.sequence != s->nextSeq[f])
            s->badSeq++;
        else
            s->nextSeq[f]++;
        if (t.snapLength > 64 || h.size != WK_ALIGN_RECORD(sizeof t + t.snapLength) ||
            t.snapLength > t.packetLength)
            s->badSnap++;
        /* Where the snap starts: at the transport layers the TCP header (source and
         * destination port of the flow, in the packet's direction); at the IP packet layers
         * the IP header (version nibble, protocol TCP, total length = packetLength, then the
         * same ports after it). Inbound the driver reads the header bytes before the NBL's
         * data start (the layer advanced past them), outbound the NBL starts there. */
        if (f >= 0 && t.snapLength >= 4) {
            const uint8_t *b = r + sizeof t;
            uint32_t at = 0;
            int ok = 1;
            if (ipLayer) {
                if (!v6) {
                    at = (uint32_t)(b[0] & 15u) * 4u;
                    ok = (b[0] >> 4) == 4 && at >= 20 && t.snapLength >= at + 4 && b[9] == 6 &&
                         (uint32_t)((b[2] << 8) | b[3]) == t.packetLength;
                } else {
                    at = 40;
                    ok = (b[0] >> 4) == 6 && t.snapLength >= 44 && b[6] == 6 &&
                         (uint32_t)((b[4] << 8) | b[5]) + 40u == t.packetLength;
                }
            }
            if (ok) {
                uint16_t sp = (uint16_t)((b[at] << 8) | b[at + 1]), dp = (uint16_t)((b[at + 2] << 8) | b[at + 3]);
                ok = outbound ? (sp == s->localPort[f] && dp == s->remotePort[f])
                              : (sp == s->remotePort[f] && dp == s->localPort[f]);
            }
            if (ok)
                s->snapOk[ipLayer * 2 + !outbound]++;
            else
                s->badSnap++;
        }
        break;
    }
    case WK_EVENT_TYPE_PACKET_NOTIFY: {
        WK_PACKET_NOTIFY_RECORD n;
        memcpy(&n, r, sizeof n);
        s->notify++;
        int i = ctx_index(s, n.context);
        if (i < 0) {
            s->unknownNotify++;
            break;
        }
        if (n.notifyFlags & WK_NOTIFY_FLAGS_NBL_NULL)
            s->nblNull++;
        if (n.notifyFlags & WK_NOTIFY_FLAGS_CONTEXT_MOVED) {
            s->moves++;
            if (n.newContext != n.context)
                s->bad++;
        }
        if (n.notifyFlags & WK_NOTIFY_FLAGS_CONTEXT_COPIED) {
            s->copies++;
            if (n.newContext == n.context)
                s->bad++;
            add_ctx(s, n.newContext);
        }
        if (n.eventType == WK_NBL_EVENT_TYPE_CONTEXT_REMOVED ||
            (n.notifyFlags & WK_NOTIFY_FLAGS_FOLLOW_FAILED && !(n.notifyFlags & WK_NOTIFY_FLAGS_CONTEXT_COPIED) &&
             (n.eventType == WK_NBL_EVENT_TYPE_CLONED_BY_NETIO || n.eventType == WK_NBL_EVENT_TYPE_CLONED_VIA_WFP_API ||
              n.eventType == WK_NBL_EVENT_TYPE_CLONED_BY_NDIS)))
            s->removed[i]++;
        break;
    }
    case WK_EVENT_TYPE_PACKET_DISCARDED: {
        WK_PACKET_DISCARDED_RECORD d;
        memcpy(&d, r, sizeof d);
        s->discarded++;
        if (ctx_index(s, d.context) < 0)
            s->unknownNotify++;
        if (d.layerId != 13 && d.layerId != 15 && d.layerId != 17 && d.layerId != 19 && d.layerId != 1 &&
            d.layerId != 3 && d.layerId != 5 && d.layerId != 7)
            s->badLayer++;
        break;
    }
    case WK_EVENT_TYPE_LOSS:
        s->loss++;
        break;
    default:
        break;
    }
}

static void drain(void *h, seen *s, uint32_t layersWanted)
{
    for (;;) {
        WK_READ_REQUEST rq = { 0, 0 };
        WK_READ_RESULT rr;
        uint32_t n = 0;
        if (ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, g_out, sizeof g_out, &n) != 0 || n < sizeof rr) {
            s->bad++;
            return;
        }
        memcpy(&rr, g_out, sizeof rr);
        uint32_t off = sizeof rr;
        for (uint32_t i = 0; i < rr.recordCount; i++) {
            WK_RECORD_HEADER hd;
            memcpy(&hd, g_out + off, sizeof hd);
            see_record(s, g_out + off, layersWanted);
            off += hd.size;
        }
        if (rr.recordCount == 0)
            return;
    }
}

static int add_app(WS_FWP_BYTE_BLOB **appId, uint16_t *path, const char *dos)
{
    if (FwpmGetAppIdFromFileName0(wstr(dos), appId) != 0 || !*appId || (*appId)->size / 2 >= 260)
        return 0;
    memcpy(path, (*appId)->data, (*appId)->size);
    path[(*appId)->size / 2] = 0;
    return 1;
}

static int all_removed_once(const seen *s)
{
    unsigned once = 0;
    for (unsigned i = 0; i < s->nctx; i++)
        once += s->removed[i] == 1;
    return once == s->nctx;
}

/* A paced synthetic run on its own thread (the traffic keeps coming while the driver unloads). */
typedef struct paced_run {
    wfpsim_run_options o;
    wfpsim_lifecycle_options lc;
    wfpsim_synthetic_options syn;
    int32_t result;
} paced_run;

static void *paced_thread(void *arg)
{
    paced_run *p = arg;
    p->result = WfpsimRunSyntheticEx(&p->syn, &p->o);
    return NULL;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
    nanosleep(&ts, NULL);
}

#define IP_LAYERS (WK_TAG_LAYER_OUTBOUND_IPPACKET_V4 | WK_TAG_LAYER_OUTBOUND_IPPACKET_V6 | \
                   WK_TAG_LAYER_INBOUND_IPPACKET_V4 | WK_TAG_LAYER_INBOUND_IPPACKET_V6)

int main(int argc, char **argv)
{
    /* argv[2] == "associate0": libwfpsim was built with -DWK_SIMULATED_ASSOCIATE0=1, so the
     * driver tags with FwpsNetBufferListAssociateContext0 and FN0 notify functions. */
    int associate0 = argc > 2 && strcmp(argv[2], "associate0") == 0;
    if (argc > 1)
        g_pcap = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);

    CHECK(WfpsimDriverLoad() == STATUS_SUCCESS);
    CHECK(install_objects());
    WS_FWP_BYTE_BLOB *appA = NULL, *appB = NULL;
    static uint16_t pathA[260], pathB[260];
    CHECK(add_app(&appA, pathA, "C:\\Program Files\\Browser\\browser.exe"));
    CHECK(add_app(&appB, pathB, "C:\\tools\\curl.exe"));

    void *ha = open_dev(0), *hb = open_dev(0);
    CHECK(ha != INVALID && hb != INVALID);

    /* GET_VERSION: tagging with ...AssociateContext1 and the IP packet layers. */
    WK_VERSION_INFO v;
    memset(&v, 0, sizeof v);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_GET_VERSION, NULL, 0, &v, sizeof v, NULL) == 0);
    CHECK(((v.features & WK_FEATURE_FLAGS_ASSOCIATE_CONTEXT1) != 0) == !associate0);
    CHECK((v.features & WK_FEATURE_FLAGS_IPPACKET_LAYERS) != 0);
    CHECK((v.features & WK_FEATURE_FLAGS_SIMULATED) != 0);

    /* SET_CONFIG refuses inconsistent tagging members and applies nothing. */
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS, 0, 0) == ERROR_INVALID_PARAMETER);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_TAG_LAYER_INBOUND_TRANSPORT_V4, 0) == ERROR_INVALID_PARAMETER);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_REPORT_DISCARDS, 0, 0) == ERROR_INVALID_PARAMETER);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS, 0x100, 0) == ERROR_INVALID_PARAMETER);
    CHECK(session_info(ha).config.tagLayers == WK_DEFAULT_TAG_LAYERS);

    /* Session A tags every transport layer with a 64-byte snap and reports discards; session
     * B watches the same app (same flows) without tagging. */
    const uint32_t layersA = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6 |
                             WK_TAG_LAYER_INBOUND_TRANSPORT_V4 | WK_TAG_LAYER_INBOUND_TRANSPORT_V6;
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES |
                             WK_CONFIG_FLAGS_REPORT_DISCARDS, layersA, 64) == 0);
    CHECK(session_info(ha).config.tagLayers == layersA);
    CHECK(set_config(hb, WK_CONFIG_FLAGS_INSPECT_STREAMS, 0, 0) == 0);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(ioctl_(hb, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    WS_HANDLE ea = add_filters(appA, session_info(ha).scopeKey);
    WS_HANDLE eb = add_filters(appA, session_info(hb).scopeKey);
    CHECK(ea != NULL && eb != NULL);

    wfpsim_run_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.default_process_id = 4242;
    o.default_app_path = pathA;
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    wfpsim_run_stats st;
    WfpsimRunStats(&st);
    CHECK(st.flows == 3 && st.flow_deletes == 3);
    CHECK(st.packet_classifies > 10);

    drain(ha, &g_a, layersA);
    drain(hb, &g_b, 0);
    seen *a = &g_a;
    printf("capture run: %u tagged (%u out, %u in), %u notify (%u moved, %u copied), %u discarded\n", a->tagged,
           a->outbound, a->inbound, a->notify, a->moves, a->copies, a->discarded);
    CHECK(a->bad == 0);
    CHECK(a->est == 3 && a->del == 3);
    CHECK(a->tagged > 10);
    CHECK(a->outbound > 0 && a->inbound > 0);
    CHECK(a->badLayer == 0);
    CHECK(a->badSeq == 0);
    CHECK(a->badSnap == 0);
    CHECK(a->unknownNotify == 0);
    CHECK(a->loss == 0);
    CHECK(a->notify >= a->tagged); /* at least each CONTEXT_REMOVED */
    CHECK(a->delTagged == a->tagged);
    CHECK(a->nblNull == 0); /* the model always passes the NBL */
    CHECK(all_removed_once(a)); /* every context (and every copy) removed exactly once */
    CHECK(a->nctx == a->tagged + a->copies);
    /* Snaps start at the TCP header in both directions (inbound: before the NBL's data). */
    printf("capture run snaps checked: %u outbound, %u inbound\n", a->snapOk[0], a->snapOk[1]);
    CHECK(a->snapOk[0] == a->outbound && a->snapOk[1] == a->inbound);
    const unsigned transportTagged = a->tagged;

    WK_COUNTERS k = counters(ha);
    CHECK(k.global.packetsTagged == a->tagged);
    CHECK(k.session.packetsTagged == a->tagged);
    CHECK(k.global.notifyEvents == a->notify);
    CHECK(k.session.notifyEvents == a->notify);
    CHECK(k.global.tagsInFlight == 0);
    CHECK(k.global.tagsRetired == a->nctx);
    CHECK(k.global.packetsUntagged == 0);
    CHECK(k.global.ledgerCapacity > 0);
    CHECK(k.global.staleContexts == 0);

    /* Session B (same flows, no TAG_PACKETS): flows, no packet records. */
    CHECK(g_b.est == 3 && g_b.tagged == 0 && g_b.notify == 0 && g_b.discarded == 0);
    CHECK(counters(hb).session.packetsTagged == 0);

    /* The IP packet layers only: no flow handle there, the driver finds the flow by the
     * 5-tuple it reads from the packet. Same packets, records of the IP layers, per-flow
     * sequences, snaps starting at the IP header in both directions (inbound the NBL starts
     * after the IP header: the driver reads ipHeaderSize bytes before it). */
    CHECK(ioctl_(ha, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES |
                             WK_CONFIG_FLAGS_REPORT_DISCARDS, IP_LAYERS, 64) == 0);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    memset(&g_a, 0, sizeof g_a);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    drain(ha, &g_a, IP_LAYERS);
    printf("IP packet layers: %u tagged (%u out, %u in), snaps checked %u out, %u in\n", a->tagged, a->outbound,
           a->inbound, a->snapOk[2], a->snapOk[3]);
    CHECK(a->bad == 0 && a->badLayer == 0 && a->badSeq == 0 && a->badSnap == 0 && a->unknownNotify == 0);
    CHECK(a->est == 3 && a->del == 3);
    CHECK(a->tagged == transportTagged);
    CHECK(a->atLayer[4] + a->atLayer[6] == a->outbound && a->atLayer[0] + a->atLayer[2] == a->inbound);
    CHECK(a->outbound > 0 && a->inbound > 0);
    CHECK(a->snapOk[2] == a->outbound && a->snapOk[3] == a->inbound);
    CHECK(a->delTagged == a->tagged);
    CHECK(all_removed_once(a));
    CHECK(counters(ha).global.tagsInFlight == 0);

    /* Both the transport and the IP packet layers: a packet is tagged once, at the first of
     * them in stack order (outbound: OUTBOUND_TRANSPORT; inbound: INBOUND_IPPACKET); the
     * second finds the driver's context on the NBL already. */
    CHECK(ioctl_(ha, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES, layersA | IP_LAYERS,
                     64) == 0);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    memset(&g_a, 0, sizeof g_a);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    drain(ha, &g_a, layersA | IP_LAYERS);
    printf("transport + IP packet layers: %u tagged (%u at OUTBOUND_TRANSPORT, %u at INBOUND_IPPACKET)\n",
           a->tagged, a->atLayer[16] + a->atLayer[18], a->atLayer[0] + a->atLayer[2]);
    printf("  bad %u badLayer %u badSeq %u badSnap %u unknown %u\n", a->bad, a->badLayer, a->badSeq, a->badSnap, a->unknownNotify);
    CHECK(a->bad == 0 && a->badLayer == 0 && a->badSeq == 0 && a->badSnap == 0 && a->unknownNotify == 0);
    CHECK(a->tagged == transportTagged);
    CHECK(a->atLayer[16] + a->atLayer[18] == a->outbound && a->atLayer[0] + a->atLayer[2] == a->inbound);
    CHECK(a->outbound > 0 && a->inbound > 0);
    CHECK(all_removed_once(a));
    CHECK(counters(ha).global.tagsInFlight == 0);

    /* Outbound only: a second run tags no inbound packet. */
    CHECK(ioctl_(ha, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS, WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 |
                                                      WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6, 0) == 0);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    memset(&g_a, 0, sizeof g_a);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    drain(ha, &g_a, WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6);
    CHECK(a->tagged > 0 && a->inbound == 0 && a->badLayer == 0 && a->badSeq == 0 && a->bad == 0);
    CHECK(a->unknownNotify == 0);

    /* Small segments: the stack model clones outbound packets longer than segment_size
     * (CLONED_BY_NETIO): the driver moves the context to the clone, same value; every
     * packet is still removed exactly once. */
    memset(&g_a, 0, sizeof g_a);
    o.segment_size = 64;
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    o.segment_size = 0;
    drain(ha, &g_a, WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6);
    printf("segmented run: %u tagged, %u notify (%u moved, %u copied)\n", a->tagged, a->notify, a->moves, a->copies);
    CHECK(a->tagged > 0 && a->bad == 0 && a->unknownNotify == 0 && a->badSeq == 0);
    CHECK(a->moves > 0);
    CHECK(all_removed_once(a));
    CHECK(counters(ha).global.tagsInFlight == 0);

    /* Scripted drops (the lifecycle model drops frames 4..12 inside the stack): the dropped
     * tagged packets are seen at the transport discard layers (PACKET_DISCARDED with the
     * discard metadata) and removed without EXIT_NETIO; FLOW_DELETED counts them. */
    CHECK(ioctl_(ha, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_REPORT_DISCARDS, layersA, 0) == 0);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    {
        static const uint64_t drops[] = { 4, 5, 6, 7, 8, 9, 10, 11, 12 };
        wfpsim_lifecycle_options lc;
        memset(&lc, 0, sizeof lc);
        lc.struct_size = sizeof lc;
        lc.drop_frames = drops;
        lc.drop_frame_count = 9;
        memset(&g_a, 0, sizeof g_a);
        o.lifecycle = &lc;
        CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
        o.lifecycle = NULL;
        drain(ha, &g_a, layersA);
        printf("drop run: %u tagged, %u discarded, %u notify\n", a->tagged, a->discarded, a->notify);
        CHECK(a->tagged > 0 && a->bad == 0 && a->unknownNotify == 0 && a->badLayer == 0);
        CHECK(a->discarded > 0);
        CHECK(counters(ha).global.tagsInFlight == 0);
    }

    /* Scripted duplicates (frames 4..12, both directions): the model raises DUPLICATED_BY_NETIO
     * with a copy of each tagged one; the driver retrieves its context without removing it and
     * associates a new one on the copy (CONTEXT_COPIED, newContext != context). The copy lives
     * its own lifecycle: each context, original and copy, is removed exactly once, and the
     * driver's counters retire one ledger entry per tag and per copy. */
    {
        static const uint64_t dups[] = { 12, 4, 5, 6, 7, 8, 9, 10, 11 };
        wfpsim_lifecycle_options lc;
        memset(&lc, 0, sizeof lc);
        lc.struct_size = sizeof lc;
        lc.duplicate_frames = dups;
        lc.duplicate_frame_count = 9;
        WK_COUNTERS k0 = counters(ha);
        memset(&g_a, 0, sizeof g_a);
        o.lifecycle = &lc;
        CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
        o.lifecycle = NULL;
        wfpsim_run_stats ds;
        WfpsimRunStats(&ds);
        drain(ha, &g_a, layersA);
        WK_COUNTERS k1 = counters(ha);
        printf("duplicate run: %u tagged, %llu duplicated, %u copied, %u notify, %u contexts\n", a->tagged,
               (unsigned long long)ds.duplicates, a->copies, a->notify, a->nctx);
        CHECK(a->tagged > 0 && a->bad == 0 && a->unknownNotify == 0 && a->badLayer == 0 && a->badSeq == 0);
        CHECK(ds.duplicates > 0 && ds.duplicates <= 9);
        CHECK(a->copies == ds.duplicates); /* only session A tags: one copy per duplicate */
        CHECK(a->nctx == a->tagged + a->copies);
        CHECK(all_removed_once(a));
        CHECK(k1.global.packetsTagged - k0.global.packetsTagged == a->tagged);
        CHECK(k1.global.tagsRetired - k0.global.tagsRetired == (uint64_t)a->tagged + a->copies);
        CHECK(k1.global.tagsInFlight == 0);
        CHECK(k1.global.contextFailures == k0.global.contextFailures);
        /* the first version of the options (no duplicate_frames) is still accepted */
        lc.struct_size = WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE;
        memset(&g_a, 0, sizeof g_a);
        o.lifecycle = &lc;
        CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
        o.lifecycle = NULL;
        WfpsimRunStats(&ds);
        drain(ha, &g_a, layersA);
        CHECK(ds.duplicates == 0 && a->copies == 0 && a->tagged > 0 && all_removed_once(a));
        /* a frame 0 (frames are 1-based) is refused */
        static const uint64_t zero = 0;
        lc.struct_size = sizeof lc;
        lc.duplicate_frames = &zero;
        lc.duplicate_frame_count = 1;
        o.lifecycle = &lc;
        CHECK(WfpsimRunCapture(g_pcap, &o) != 0);
        o.lifecycle = NULL;
    }

    /* Unload with tags really in flight: flows open (a capture run with deferred close), and
     * a paced synthetic run on another thread whose tagged NBLs wait in the lifecycle model's
     * queue (modelled latencies of 100 s of virtual time: nothing leaves the stack during
     * the test). The driver removes every context (FwpsNetBufferListRemoveContext0(NULL):
     * CONTEXT_REMOVED with a NULL NBL for each), waits for its ledger to empty, then
     * unregisters; the run goes on without calling it. Nothing leaks (the core, ledger
     * included, is freed only once the ledger is empty), no notify comes after the unload. */
    CHECK(ioctl_(ha, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(set_config(ha, WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES, layersA | IP_LAYERS,
                     64) == 0);
    CHECK(ioctl_(ha, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    memset(&g_a, 0, sizeof g_a);
    o.flags = WFPSIM_RUN_DEFER_FLOW_CLOSE;
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    o.flags = 0;
    drain(ha, &g_a, layersA | IP_LAYERS);
    CHECK(a->tagged > 0);
    {
        static paced_run pr;
        memset(&pr, 0, sizeof pr);
        pr.o = o;
        pr.o.packets_per_second = 2000;
        pr.o.duration_ms = 120000; /* a bound only: the test cancels the run */
        pr.lc.struct_size = sizeof pr.lc;
        pr.lc.seed = 5;
        pr.lc.stack_us = pr.lc.send_complete_us = pr.lc.deliver_us = 100000000u;
        pr.o.lifecycle = &pr.lc;
        pr.syn.struct_size = sizeof pr.syn;
        pr.syn.flows = 400;
        pr.syn.seed = 11;
        pr.syn.ipv6_percent = 30;
        pr.syn.inbound_percent = 50;
        pthread_t th;
        CHECK(pthread_create(&th, NULL, paced_thread, &pr) == 0);
        WK_COUNTERS k1;
        memset(&k1, 0, sizeof k1);
        /* wait (bounded: 60 s) until at least 64 tagged packets sit in the stack model */
        for (unsigned i = 0; i < 60000; i++) {
            k1 = counters(ha);
            if (k1.global.tagsInFlight >= 64)
                break;
            sleep_ms(1);
        }
        wfpsim_run_stats mid;
        WfpsimRunStats(&mid);
        printf("paced run: %llu tagged packets in flight at unload (%llu transport classifies so far)\n",
               (unsigned long long)k1.global.tagsInFlight, (unsigned long long)mid.packet_classifies);
        CHECK(k1.global.tagsInFlight >= 64);
        CHECK(WfpsimRunActive() == 1);
        CHECK(CloseHandle(ha));
        CHECK(CloseHandle(hb));
        WfpsimRunStats(&mid);
        uint64_t notifyBefore = mid.notify_calls;
        CHECK(WfpsimDriverUnload() == STATUS_SUCCESS);
        CHECK(WfpsimDriverState() == 0);
        WfpsimRunStats(&mid);
        uint64_t notifyAfter = mid.notify_calls;
        uint64_t calloutsAfter = mid.callout_calls, classifiesAfter = mid.packet_classifies + mid.ippacket_classifies;
        printf("unload: %llu notify calls while unloading\n", (unsigned long long)(notifyAfter - notifyBefore));
        /* every context in flight got its CONTEXT_REMOVED (NULL NBL) before the unload returned */
        CHECK(notifyAfter - notifyBefore >= k1.global.tagsInFlight);
        CHECK(WfpsimRunActive() == 1); /* the traffic went on during the unload */
        /* wait (bounded: 60 s) until more packets reached the filters of the unregistered callouts */
        for (unsigned i = 0; i < 60000; i++) {
            WfpsimRunStats(&mid);
            if (mid.packet_classifies + mid.ippacket_classifies >= classifiesAfter + 20)
                break;
            sleep_ms(1);
        }
        CHECK(WfpsimRunCancel() == 1);
        CHECK(pthread_join(th, NULL) == 0);
        CHECK(pr.result == 0);
        WfpsimRunStats(&st);
        /* run end: every NBL the model held leaves the stack (exit, send complete, consumed):
         * none carries the driver's context any more, so no notify function runs */
        CHECK(st.notify_calls == notifyAfter);
        CHECK(st.cancelled == 1);
        /* packets kept reaching the filters after the unload; no classifyFn of the driver ran */
        printf("after unload: %llu more packet classifies, %llu callout calls\n",
               (unsigned long long)(st.packet_classifies + st.ippacket_classifies - classifiesAfter),
               (unsigned long long)(st.callout_calls - calloutsAfter));
        CHECK(st.packet_classifies + st.ippacket_classifies > classifiesAfter);
        /* (a classify whose classifyFn calls ran before the unregistration returned is counted
         * when it ends: at most one classify, one call per session's filter = 2) */
        CHECK(st.callout_calls - calloutsAfter <= 2);
    }
    CHECK(WfpsimRunCloseFlows() == 3);
    CHECK(WfpsimPoolOutstanding(0) == 0);
    CHECK(WfpsimKernelViolations() == 0);
    o.flags = 0;
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0); /* the filters still point at the callouts */
    WfpsimRunStats(&st);
    CHECK(st.callout_calls == 0);
    CHECK(WfpsimKernelViolations() == 0);
    CHECK(FwpmEngineClose0(ea) == 0);
    CHECK(FwpmEngineClose0(eb) == 0);
    FwpmFreeMemory0((void **)&appA);
    FwpmFreeMemory0((void **)&appB);
    CHECK(WfpsimOutstandingAllocations() == 0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
