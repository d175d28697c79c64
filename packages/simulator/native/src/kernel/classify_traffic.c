/*
 * classify_traffic.c - traffic through the stack model: the traffic module's callbacks
 * (traffic.h) drive ALE_FLOW_ESTABLISHED, STREAM, TRANSPORT and IP packet classifies, flow close
 * removes the flow's contexts, capture timestamps drive the virtual clock, and every NBL that
 * carries a packet-tagging context afterwards goes through the packet lifecycle (the event queue
 * of ws_k_lifecycle.c) in virtual time.
 *
 * Metadata supplied per layer (the WDK's "Metadata fields at each filtering layer"; values
 * modelled):
 *  - ALE_FLOW_ESTABLISHED: FLOW_HANDLE, PROCESS_ID, PROCESS_PATH (FWP_BYTE_BLOB of the UTF-16
 *    path with its terminator, the same bytes as the ALE_APP_ID value), PACKET_DIRECTION;
 *  - STREAM: FLOW_HANDLE; layerData = FWPS_STREAM_CALLOUT_IO_PACKET0;
 *  - INBOUND/OUTBOUND_TRANSPORT (+ _DISCARD): FLOW_HANDLE (TCP packets of a known flow),
 *    IP_HEADER_SIZE, TRANSPORT_HEADER_SIZE, PACKET_DIRECTION; layerData = the packet's
 *    NET_BUFFER_LIST, its data starting at the transport header (outbound) or after it (inbound);
 *  - INBOUND_IPPACKET (+ _DISCARD): IP_HEADER_SIZE, COMPARTMENT_ID (1), FRAGMENT_DATA for
 *    fragments; the NBL's data starts after the IP header;
 *  - OUTBOUND_IPPACKET (+ _DISCARD): IP_HEADER_SIZE, TRANSPORT_HEADER_SIZE, COMPARTMENT_ID,
 *    PATH_MTU (1500), FRAGMENT_DATA for fragments; the NBL's data starts at the IP header;
 *  - *_DISCARD: also DISCARD_REASON (discardMetadata: module, reason, filter id).
 * The NBL of a packet holds the whole IP packet, so a callout may retreat to the IP or transport
 * header (NdisRetreatNetBufferDataStart) and advance back.
 *
 * Order per packet: outbound TRANSPORT then IPPACKET; inbound IPPACKET then TRANSPORT (IP
 * fragments: IPPACKET only). A BLOCK at a packet layer drops the packet there: the matching
 * _DISCARD layer is classified at once (module GENERAL, reason FWPS_DISCARD_FIREWALL_POLICY,
 * the blocking filter's id) and the NBL freed (CONTEXT_REMOVED). A drop inside the stack (the
 * loss rate or a scripted frame) happens later in virtual time: OUTBOUND_IPPACKET_DISCARD
 * (module NETWORK) or INBOUND_TRANSPORT_DISCARD (module TRANSPORT), with the modelled reasons
 * WFPSIM_DISCARD_REASON_* of kernel.h.
 *
 * Not modelled: USER_ID / REMOTE_USER_ID / REMOTE_MACHINE_ID values (FWP_EMPTY), the
 * NEED_MORE_DATA / DEFER stream actions (the next indication carries only new bytes),
 * UDP flows (datagram layers), the transport classify of a reassembled packet, ICMP.
 */
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "wfpsim/traffic.h"
#include "ws_k_internal.h"

#define UNIX_TO_FILETIME 116444736000000000ULL

typedef struct run_flow {
    UINT64 flowId;
    ws_flow_tuple tuple;
    UINT32 pid;
    FWP_BYTE_BLOB path;
    UINT8 *path_bytes;
} run_flow;

typedef struct run_ctx {
    wfpsim_run_options opt;
    wfpsim_lifecycle_options lc;
    int has_lc;
    UINT64 luid;
    uint64_t now;          /* latest input timestamp (100 ns since the Unix epoch) */
    uint64_t real_start_ns;
    uint64_t fed;          /* input packets fed */
    int stop;              /* cancelled or out of time */
} run_ctx;

/* One packet the lifecycle model holds (an NBL that carries a tag context, or is to be dropped). */
typedef struct lc_pkt {
    NET_BUFFER_LIST *nbl;  /* the NBL the stack holds now (the clone after CLONED_BY_NETIO) */
    NET_BUFFER_LIST *orig; /* the original of a clone: freed after the clone */
    uint64_t frame;
    UINT64 flowId;
    uint64_t send_delay;   /* drawn at classify: EXIT_NETIO -> NDIS_SEND_COMPLETE */
    ws_flow_tuple tuple;
    UINT16 ipHeaderSize, transportHeaderSize;
    UINT16 discardLayer;
    UINT8 inbound, fragment;
    UINT8 counted;         /* NBLs of this packet counted in flight */
    UINT32 discardModule, discardReason;
    UINT64 filterId;
    UINT32 fragId, fragOffset, fragLength;
    struct lc_pkt *next;   /* fragments of one reassembly */
} lc_pkt;

/* IP fragments being reassembled (inbound). */
typedef struct reasm {
    UINT8 version, protocol;
    UINT8 src[16], dst[16];
    UINT32 id;
    UINT32 have, total;    /* payload bytes received; total once the last fragment came (else 0) */
    uint64_t last_ts;
    lc_pkt *frags;         /* held fragment NBLs (tagged ones), by arrival */
    struct reasm *next;
} reasm;

static wfpsim_run_stats g_stats;
static pthread_mutex_t g_run_mutex = PTHREAD_MUTEX_INITIALIZER; /* one run at a time */
static run_ctx *g_run;                                          /* the run in progress (g_run_mutex) */
static int g_run_active, g_cancel;                              /* atomics */
static reasm *g_reasm;
/* local addresses learned from the run's flows: the direction of an IP fragment (the traffic
 * module cannot tell it: non-first fragments carry no ports) */
#define MAX_LOCAL_ADDRS 16
static UINT8 g_local[MAX_LOCAL_ADDRS][17];
static unsigned g_nlocal;

static void learn_local(const ws_flow_tuple *t)
{
    for (unsigned i = 0; i < g_nlocal; i++)
        if (g_local[i][0] == t->ip_version && !memcmp(g_local[i] + 1, t->local_addr, 16))
            return;
    if (g_nlocal < MAX_LOCAL_ADDRS) {
        g_local[g_nlocal][0] = t->ip_version;
        memcpy(g_local[g_nlocal] + 1, t->local_addr, 16);
        g_nlocal++;
    }
}

static int is_local_addr(UINT8 version, const UINT8 a[16])
{
    for (unsigned i = 0; i < g_nlocal; i++)
        if (g_local[i][0] == version && !memcmp(g_local[i] + 1, a, 16))
            return 1;
    return 0;
}
static uint64_t g_inflight;                                     /* NBLs the lifecycle holds */
static uint64_t g_notify_start;                                 /* notify calls before the run */
static ws_pcap_error g_last_error;                              /* of the last run (g_run_mutex) */
static UINT64 *g_deferred;                                      /* WFPSIM_RUN_DEFER_FLOW_CLOSE flows */
static size_t g_ndeferred, g_deferred_cap;

static const char k_default_app[] = "\\device\\harddiskvolume3\\windows\\system32\\wfpsim-app.exe";

void WfpsimRunStats(wfpsim_run_stats *out)
{
    if (!out)
        return;
    *out = g_stats;
    if (__atomic_load_n(&g_run_active, __ATOMIC_SEQ_CST)) /* a run in progress: its counts so far */
        out->notify_calls = ws_k_nbl_notify_calls() - g_notify_start;
}

static void set_clock(uint64_t ts)
{
    WfpsimClockSetVirtual(ts + UNIX_TO_FILETIME);
}

/* Input at `ts`: lifecycle events due before it run first (each at its own time), then the
 * clock is the input's. */
static void advance(run_ctx *rc, uint64_t ts)
{
    if (ts < rc->now)
        ts = rc->now; /* virtual time never rewinds */
    rc->now = ts;
    ws_k_lc_advance(ts);
    set_clock(ts);
}

static UINT32 v4(const uint8_t a[16])
{
    return ((UINT32)a[0] << 24) | ((UINT32)a[1] << 16) | ((UINT32)a[2] << 8) | a[3];
}

static void set_u8(FWPS_INCOMING_VALUE0 *v, int i, UINT8 x) { if (i >= 0) { v[i].value.type = FWP_UINT8; v[i].value.uint8 = x; } }
static void set_u16(FWPS_INCOMING_VALUE0 *v, int i, UINT16 x) { if (i >= 0) { v[i].value.type = FWP_UINT16; v[i].value.uint16 = x; } }
static void set_u32(FWPS_INCOMING_VALUE0 *v, int i, UINT32 x) { if (i >= 0) { v[i].value.type = FWP_UINT32; v[i].value.uint32 = x; } }

static void set_addr(FWPS_INCOMING_VALUE0 *v, int i, const ws_flow_tuple *t, const uint8_t a[16], FWP_BYTE_ARRAY16 *store)
{
    if (i < 0)
        return;
    if (t->ip_version == 4) {
        set_u32(v, i, v4(a));
    } else {
        memcpy(store->byteArray16, a, 16);
        v[i].value.type = FWP_BYTE_ARRAY16_TYPE;
        v[i].value.byteArray16 = store;
    }
}

/* Fills the values common to every layer the model classifies at (by FWPM condition name). */
typedef struct values_buf {
    FWPS_INCOMING_VALUE0 v[32];
    FWP_BYTE_ARRAY16 local, remote;
    UINT64 luid;
} values_buf;

/* The indexes of the values fill_common sets, looked up by name once per layer (a name lookup
 * per classify was a tenth of a synthetic run). Layer ids are small; anything else is looked up
 * every time. */
enum { FI_LOCAL_ADDR, FI_REMOTE_ADDR, FI_LOCAL_ADDR_TYPE, FI_DEST_ADDR_TYPE, FI_LOCAL_PORT,
       FI_REMOTE_PORT, FI_PROTOCOL, FI_DIRECTION, FI_IF_TYPE, FI_TUNNEL_TYPE, FI_IF_INDEX,
       FI_SUB_IF_INDEX, FI_PROFILE, FI_FLAGS, FI_LOCAL_IF, FI_APP_ID, FI_COUNT };
static const char *const k_fi_names[FI_COUNT] = {
    "IP_LOCAL_ADDRESS", "IP_REMOTE_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_DESTINATION_ADDRESS_TYPE",
    "IP_LOCAL_PORT", "IP_REMOTE_PORT", "IP_PROTOCOL", "DIRECTION", "INTERFACE_TYPE", "TUNNEL_TYPE",
    "INTERFACE_INDEX", "SUB_INTERFACE_INDEX", "CURRENT_PROFILE_ID", "FLAGS", "IP_LOCAL_INTERFACE",
    "ALE_APP_ID"};
typedef struct field_map {
    int ready;
    UINT32 count;
    int idx[FI_COUNT];
} field_map;
#define FIELD_MAP_LAYERS 256
static field_map g_field_maps[FIELD_MAP_LAYERS];

static const field_map *fields_for(UINT16 layer, field_map *scratch)
{
    field_map *m = layer < FIELD_MAP_LAYERS ? &g_field_maps[layer] : scratch;
    if (!m->ready) {
        /* the same values every time: a second thread filling it at once writes the same bytes */
        m->count = ws_k_field_count(layer);
        for (int i = 0; i < FI_COUNT; i++)
            m->idx[i] = ws_k_field_index(layer, k_fi_names[i]);
        m->ready = 1;
    }
    return m;
}

static UINT32 fill_common(values_buf *b, UINT16 layer, const ws_flow_tuple *t, int inbound, UINT64 luid)
{
    field_map scratch = {0};
    const field_map *m = fields_for(layer, &scratch);
    const int *x = m->idx;
    memset(b->v, 0, sizeof b->v[0] * (m->count < 32 ? m->count : 32));
    set_addr(b->v, x[FI_LOCAL_ADDR], t, t->local_addr, &b->local);
    set_addr(b->v, x[FI_REMOTE_ADDR], t, t->remote_addr, &b->remote);
    set_u8(b->v, x[FI_LOCAL_ADDR_TYPE], 1);       /* NlatUnicast */
    set_u8(b->v, x[FI_DEST_ADDR_TYPE], 1); /* NlatUnicast */
    set_u16(b->v, x[FI_LOCAL_PORT], t->local_port);
    set_u16(b->v, x[FI_REMOTE_PORT], t->remote_port);
    set_u8(b->v, x[FI_PROTOCOL], t->protocol);
    set_u32(b->v, x[FI_DIRECTION], inbound ? FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND);
    set_u32(b->v, x[FI_IF_TYPE], 6); /* IF_TYPE_ETHERNET_CSMACD */
    set_u32(b->v, x[FI_TUNNEL_TYPE], 0);
    set_u32(b->v, x[FI_IF_INDEX], 1);
    set_u32(b->v, x[FI_SUB_IF_INDEX], 1);
    set_u32(b->v, x[FI_PROFILE], 1);
    int loop = (t->ip_version == 4 && t->remote_addr[0] == 127);
    set_u32(b->v, x[FI_FLAGS], loop ? FWP_CONDITION_FLAG_IS_LOOPBACK : 0);
    int li = x[FI_LOCAL_IF];
    if (li >= 0) {
        b->luid = luid;
        b->v[li].value.type = FWP_UINT64;
        b->v[li].value.uint64 = &b->luid;
    }
    return m->count;
}

static void count_result(const ws_k_classify_result *r)
{
    g_stats.callout_calls += r->callouts_called;
    if (r->action == FWP_ACTION_BLOCK)
        g_stats.blocked++;
}

static void on_flow_open(void *user, ws_tcp_flow *flow, const ws_flow_tuple *t, uint64_t ts)
{
    run_ctx *rc = user;
    advance(rc, ts);
    run_flow *f = calloc(1, sizeof *f);
    if (!f)
        return;
    f->tuple = *t;
    learn_local(t);
    f->flowId = ws_k_flow_create();
    f->pid = rc->opt.default_process_id ? rc->opt.default_process_id : 4242;
    const uint16_t *path = rc->opt.default_app_path;
    for (uint32_t i = 0; i < rc->opt.rule_count; i++)
        if (rc->opt.rules[i].local_port == t->local_port) {
            f->pid = rc->opt.rules[i].process_id;
            if (rc->opt.rules[i].app_path)
                path = rc->opt.rules[i].app_path;
            break;
        }
    size_t chars = 0;
    if (path)
        while (path[chars])
            chars++;
    else
        chars = sizeof k_default_app - 1;
    f->path_bytes = malloc((chars + 1) * 2);
    if (f->path_bytes) {
        for (size_t i = 0; i <= chars; i++) {
            uint16_t c = path ? path[i] : (uint16_t)(i < chars ? (unsigned char)k_default_app[i] : 0);
            f->path_bytes[2 * i] = (UINT8)(c & 0xFF);
            f->path_bytes[2 * i + 1] = (UINT8)(c >> 8);
        }
        f->path.size = (UINT32)((chars + 1) * 2);
        f->path.data = f->path_bytes;
    }
    ws_tcp_flow_set_user(flow, f);
    g_stats.flows++;

    UINT16 layer = t->ip_version == 4 ? FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4 : FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6;
    values_buf b;
    int inbound = !t->outbound;
    UINT32 n = fill_common(&b, layer, t, inbound, rc->luid);
    int ai = ws_k_field_index(layer, "ALE_APP_ID");
    b.v[ai].value.type = FWP_BYTE_BLOB_TYPE;
    b.v[ai].value.byteBlob = &f->path;
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    meta.currentMetadataValues = FWPS_METADATA_FIELD_FLOW_HANDLE | FWPS_METADATA_FIELD_PROCESS_ID |
                                 FWPS_METADATA_FIELD_PROCESS_PATH | FWPS_METADATA_FIELD_PACKET_DIRECTION;
    meta.flowHandle = f->flowId;
    meta.processId = f->pid;
    meta.processPath = &f->path;
    meta.packetDirection = inbound ? FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND;
    ws_k_classify_result r;
    ws_k_classify(layer, b.v, n, &meta, NULL, f->flowId, &r);
    g_stats.flow_classifies++;
    count_result(&r);
}

static void on_stream(void *user, ws_tcp_flow *flow, ws_direction dir, uint64_t offset, const uint8_t *bytes,
                      size_t len, uint64_t ts, uint8_t tcp_flags)
{
    run_ctx *rc = user;
    (void)offset;
    advance(rc, ts);
    run_flow *f = ws_tcp_flow_get_user(flow);
    if (!f)
        return;
    int inbound = dir == WS_DIR_INBOUND;
    UINT32 flags = inbound ? FWPS_STREAM_FLAG_RECEIVE : FWPS_STREAM_FLAG_SEND;
    if (len == 0 && (tcp_flags & WS_TCP_FIN))
        flags |= inbound ? FWPS_STREAM_FLAG_RECEIVE_DISCONNECT : FWPS_STREAM_FLAG_SEND_DISCONNECT;
    if (len == 0 && (tcp_flags & WS_TCP_RST))
        flags |= inbound ? FWPS_STREAM_FLAG_RECEIVE_ABORT : FWPS_STREAM_FLAG_SEND_ABORT;
    if (len && (tcp_flags & WS_TCP_PSH) && inbound)
        flags |= FWPS_STREAM_FLAG_RECEIVE_PUSH;
    NET_BUFFER_LIST *chain = ws_k_nbl_chain_build(bytes, len, rc->opt.segment_size ? rc->opt.segment_size : 1460);
    if (!chain)
        return;
    FWPS_STREAM_DATA0 sd;
    memset(&sd, 0, sizeof sd);
    sd.flags = flags;
    sd.dataLength = len;
    sd.netBufferListChain = chain;
    sd.dataOffset.netBufferList = chain;
    sd.dataOffset.netBuffer = chain->FirstNetBuffer;
    sd.dataOffset.mdl = chain->FirstNetBuffer->CurrentMdl;
    sd.dataOffset.mdlOffset = chain->FirstNetBuffer->CurrentMdlOffset;
    sd.dataOffset.streamDataOffset = 0;
    FWPS_STREAM_CALLOUT_IO_PACKET0 io;
    memset(&io, 0, sizeof io);
    io.streamData = &sd;
    io.streamAction = FWPS_STREAM_ACTION_NONE;
    UINT16 layer = f->tuple.ip_version == 4 ? FWPS_LAYER_STREAM_V4 : FWPS_LAYER_STREAM_V6;
    values_buf b;
    UINT32 n = fill_common(&b, layer, &f->tuple, inbound, rc->luid);
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    meta.currentMetadataValues = FWPS_METADATA_FIELD_FLOW_HANDLE;
    meta.flowHandle = f->flowId;
    ws_k_classify_result r;
    ws_k_classify(layer, b.v, n, &meta, &io, f->flowId, &r);
    g_stats.stream_classifies++;
    count_result(&r);
    ws_k_nbl_chain_free(chain);
}

/* ---- the packet path and its lifecycle ------------------------------------------------------ */
static UINT16 transport_layer(int inbound, int v6)
{
    return inbound ? (v6 ? FWPS_LAYER_INBOUND_TRANSPORT_V6 : FWPS_LAYER_INBOUND_TRANSPORT_V4)
                   : (v6 ? FWPS_LAYER_OUTBOUND_TRANSPORT_V6 : FWPS_LAYER_OUTBOUND_TRANSPORT_V4);
}

static UINT16 ippacket_layer(int inbound, int v6)
{
    return inbound ? (v6 ? FWPS_LAYER_INBOUND_IPPACKET_V6 : FWPS_LAYER_INBOUND_IPPACKET_V4)
                   : (v6 ? FWPS_LAYER_OUTBOUND_IPPACKET_V6 : FWPS_LAYER_OUTBOUND_IPPACKET_V4);
}

static int is_ippacket(UINT16 layer)
{
    return layer <= FWPS_LAYER_OUTBOUND_IPPACKET_V6_DISCARD;
}

/* Where the NBL's data starts at a layer (bytes from the IP header). */
static SIZE_T layer_start(const lc_pkt *p, UINT16 layer)
{
    if (is_ippacket(layer))
        return p->inbound ? p->ipHeaderSize : 0;
    return (SIZE_T)p->ipHeaderSize + (p->inbound ? p->transportHeaderSize : 0);
}

static void inflight(int delta)
{
    g_inflight = (uint64_t)((int64_t)g_inflight + delta);
    if (g_inflight > g_stats.max_nbls_in_flight)
        g_stats.max_nbls_in_flight = g_inflight;
}

/* Classifies one packet layer (or its _DISCARD layer when discard is given) for p's NBL. */
static void classify_packet_layer(run_ctx *rc, UINT16 layer, lc_pkt *p, const FWPS_DISCARD_METADATA0 *discard,
                                  ws_k_classify_result *r)
{
    ws_k_nbl_set_start(p->nbl, layer_start(p, layer));
    values_buf b;
    UINT32 n = fill_common(&b, layer, &p->tuple, p->inbound, rc->luid);
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    meta.ipHeaderSize = p->ipHeaderSize;
    meta.transportHeaderSize = p->transportHeaderSize;
    UINT64 flowId = 0;
    if (is_ippacket(layer)) {
        meta.currentMetadataValues = FWPS_METADATA_FIELD_IP_HEADER_SIZE | FWPS_METADATA_FIELD_COMPARTMENT_ID;
        meta.compartmentId = 1; /* modelled: the default compartment */
        if (!p->inbound) {
            meta.currentMetadataValues |= FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE | FWPS_METADATA_FIELD_PATH_MTU;
            meta.pathMtu = 1500; /* modelled */
        }
        if (p->fragment) {
            meta.currentMetadataValues |= FWPS_METADATA_FIELD_FRAGMENT_DATA;
            meta.fragmentMetadata.fragmentIdentification = p->fragId;
            meta.fragmentMetadata.fragmentOffset = (UINT16)p->fragOffset;
            meta.fragmentMetadata.fragmentLength = p->fragLength;
        }
    } else {
        meta.currentMetadataValues = FWPS_METADATA_FIELD_IP_HEADER_SIZE | FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE |
                                     FWPS_METADATA_FIELD_PACKET_DIRECTION;
        meta.packetDirection = p->inbound ? FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND;
        if (p->flowId) {
            meta.currentMetadataValues |= FWPS_METADATA_FIELD_FLOW_HANDLE;
            meta.flowHandle = p->flowId;
            flowId = p->flowId;
        }
    }
    if (discard) {
        meta.currentMetadataValues |= FWPS_METADATA_FIELD_DISCARD_REASON;
        meta.discardMetadata = *discard;
    }
    ws_k_classify(layer, b.v, n, &meta, p->nbl, flowId, r);
    if (discard)
        g_stats.discard_classifies++;
    else if (is_ippacket(layer))
        g_stats.ippacket_classifies++;
    else
        g_stats.packet_classifies++;
    count_result(r);
}

static void pkt_free(lc_pkt *p)
{
    if (p->nbl)
        ws_k_nbl_chain_free(p->nbl);
    if (p->orig)
        ws_k_nbl_chain_free(p->orig);
    inflight(-(int)p->counted);
    free(p);
}

/* The packet is discarded at `layer`: its _DISCARD layer is classified, then the NBL freed. */
static void discard_now(run_ctx *rc, lc_pkt *p, UINT16 layer, UINT32 module, UINT32 reason, UINT64 filterId)
{
    FWPS_DISCARD_METADATA0 d;
    memset(&d, 0, sizeof d);
    d.discardModule = (FWPS_DISCARD_MODULE0)module;
    d.discardReason = reason;
    d.filterId = filterId;
    ws_k_classify_result r;
    classify_packet_layer(rc, (UINT16)(layer + 1), p, &d, &r);
    g_stats.packets_dropped++;
    pkt_free(p);
}

/* Classifies packet layer `layer` for p; a BLOCK there drops the packet (freed when a callout
 * absorbed it, else discarded at that layer's _DISCARD layer). Returns 1 when p is gone. */
static int classify_or_block(run_ctx *rc, UINT16 layer, lc_pkt *p)
{
    ws_k_classify_result r;
    classify_packet_layer(rc, layer, p, NULL, &r);
    if (r.action != FWP_ACTION_BLOCK)
        return 0;
    if (r.absorbed)
        pkt_free(p);
    else
        discard_now(rc, p, layer, FWPS_DISCARD_MODULE_GENERAL, FWPS_DISCARD_FIREWALL_POLICY, r.filter_id);
    return 1;
}

/* Holds p until an event at time t (the packet's NBL joins the in-flight set). */
static int hold(uint64_t t, ws_k_lc_kind kind, lc_pkt *p)
{
    if (ws_k_lc_schedule(t, kind, p) != 0)
        return -1;
    if (!p->counted) {
        p->counted = 1;
        inflight(1);
    }
    return 0;
}

static void reassembly_complete(reasm *r);

static void lc_event(ws_k_lc_kind kind, void *packet, uint64_t t)
{
    run_ctx *rc = g_run;
    if (kind == WS_K_LC_REASSEMBLE) {
        reassembly_complete(packet);
        return;
    }
    lc_pkt *p = packet;
    switch (kind) {
    case WS_K_LC_CLONE: {
        NET_BUFFER_LIST *clone = ws_k_nbl_clone(p->nbl);
        if (!clone)
            return; /* out of memory: the original goes on alone */
        p->counted++;
        inflight(1);
        g_stats.clones++;
        ws_k_nbl_raise(p->nbl, clone, FWPS_NET_BUFFER_LIST_CLONED_BY_NETIO);
        p->orig = p->nbl;
        p->nbl = clone;
        return;
    }
    case WS_K_LC_DUPLICATE: {
        /* modelled: the stack copies the packet (a new NBL with its own data, no parent) and
         * raises DUPLICATED_BY_NETIO; the copy then lives its own lifecycle, outbound exit and
         * send completion, inbound delivery, alongside the original */
        NET_BUFFER_LIST *copy = ws_k_nbl_clone(p->nbl);
        if (!copy)
            return; /* out of memory: no duplicate */
        copy->ParentNetBufferList = NULL;
        lc_pkt *d = calloc(1, sizeof *d);
        if (!d) {
            ws_k_nbl_chain_free(copy);
            return;
        }
        *d = *p;
        d->nbl = copy;
        d->orig = NULL;
        d->counted = 0;
        d->next = NULL;
        g_stats.duplicates++;
        ws_k_nbl_raise(p->nbl, copy, FWPS_NET_BUFFER_LIST_DUPLICATED_BY_NETIO);
        int rc2;
        if (d->inbound) {
            rc2 = hold(t + ws_k_lc_delay(2), WS_K_LC_CONSUMED, d);
        } else {
            d->send_delay = ws_k_lc_delay(1);
            rc2 = hold(t + ws_k_lc_delay(0), WS_K_LC_EXIT, d);
        }
        if (rc2 != 0)
            pkt_free(d);
        return;
    }
    case WS_K_LC_EXIT:
        ws_k_nbl_raise(p->nbl, NULL, FWPS_NET_BUFFER_LIST_EXIT_NETIO);
        if (ws_k_lc_schedule(t + p->send_delay, WS_K_LC_SEND_COMPLETE, p) != 0)
            pkt_free(p);
        return;
    case WS_K_LC_SEND_COMPLETE:
        ws_k_nbl_raise(p->nbl, NULL, FWPS_NET_BUFFER_LIST_NDIS_SEND_COMPLETE);
        pkt_free(p); /* the send is complete: the stack frees the NBL (CONTEXT_REMOVED) */
        return;
    case WS_K_LC_CONSUMED:
        pkt_free(p); /* delivered to the socket: CONTEXT_REMOVED */
        return;
    case WS_K_LC_DROP:
        discard_now(rc, p, p->discardLayer, p->discardModule, p->discardReason, 0);
        return;
    default:
        pkt_free(p);
        return;
    }
}

/* IPv6: the M flag of the fragment header (walks the extension headers); IPv4: MF. */
static int more_fragments(const uint8_t *ip, size_t len, int v6)
{
    if (!v6)
        return len >= 8 && (ip[6] & 0x20) != 0;
    if (len < 40)
        return 0;
    uint8_t nh = ip[6];
    size_t off = 40;
    while (off + 8 <= len) {
        if (nh == 44)
            return (ip[off + 3] & 1) != 0;
        if (nh != 0 && nh != 43 && nh != 60)
            return 0;
        nh = ip[off];
        off += 8u + 8u * ip[off + 1];
    }
    return 0;
}

static reasm *reasm_find(const ws_pcap_packet *info, int create)
{
    for (reasm *r = g_reasm; r; r = r->next)
        if (r->version == info->ip_version && r->protocol == info->protocol && r->id == info->frag_id &&
            !memcmp(r->src, info->src, 16) && !memcmp(r->dst, info->dst, 16))
            return r;
    if (!create)
        return NULL;
    reasm *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->version = info->ip_version;
    r->protocol = info->protocol;
    r->id = info->frag_id;
    memcpy(r->src, info->src, 16);
    memcpy(r->dst, info->dst, 16);
    r->next = g_reasm;
    g_reasm = r;
    return r;
}

static void reasm_unlink(reasm *r)
{
    for (reasm **pp = &g_reasm; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            return;
        }
}

/* modelled: when a fragment set is complete, every held fragment NBL gets REASSEMBLED_FRAGMENT
 * (newNetBufferList = the reassembled packet), then REASSEMBLY_COMPLETE, then the fragments
 * are freed (CONTEXT_REMOVED); the reassembled NBL is consumed and freed after them. */
static void reassembly_complete(reasm *r)
{
    size_t total = r->total;
    UINT8 *buf = malloc(total ? total : 1);
    if (buf)
        memset(buf, 0, total ? total : 1);
    NET_BUFFER_LIST *whole = ws_k_nbl_build_packet(buf, total, 0);
    free(buf);
    for (lc_pkt *f = r->frags; f; f = f->next)
        ws_k_nbl_raise(f->nbl, whole, FWPS_NET_BUFFER_LIST_REASSEMBLED_FRAGMENT);
    for (lc_pkt *f = r->frags; f; f = f->next)
        ws_k_nbl_raise(f->nbl, whole, FWPS_NET_BUFFER_LIST_REASSEMBLY_COMPLETE);
    while (r->frags) {
        lc_pkt *f = r->frags;
        r->frags = f->next;
        pkt_free(f);
    }
    if (whole)
        ws_k_nbl_chain_free(whole);
    g_stats.reassemblies++;
    free(r);
}

/* End of input: fragments whose set never completed are dropped (reassembly timeout). */
static void reassembly_expire(run_ctx *rc)
{
    while (g_reasm) {
        reasm *r = g_reasm;
        g_reasm = r->next;
        while (r->frags) {
            lc_pkt *f = r->frags;
            r->frags = f->next;
            discard_now(rc, f, f->discardLayer, FWPS_DISCARD_MODULE_NETWORK, WFPSIM_DISCARD_REASON_REASSEMBLY, 0);
        }
        free(r);
    }
}

static void on_packet(void *user, ws_tcp_flow *flow, ws_direction dir, const uint8_t *ip, size_t len, uint64_t ts,
                      const ws_pcap_packet *info)
{
    run_ctx *rc = user;
    advance(rc, ts);
    if (rc->opt.flags & WFPSIM_RUN_NO_PACKETS)
        return;
    if (!info || info->decode != WS_DECODE_OK)
        return;
    int fragment = (info->flags & WS_PKT_FRAGMENT) != 0;
    if (!fragment && info->protocol != WS_IPPROTO_TCP && info->protocol != WS_IPPROTO_UDP)
        return;
    run_flow *f = flow ? ws_tcp_flow_get_user(flow) : NULL;
    if (fragment) {
        /* modelled: a fragment to an address of the run's flows is inbound, from one outbound */
        int to_local = is_local_addr(info->ip_version, info->dst), from_local = is_local_addr(info->ip_version, info->src);
        if (to_local != from_local)
            dir = to_local ? WS_DIR_INBOUND : WS_DIR_OUTBOUND;
    }
    int inbound = dir == WS_DIR_INBOUND, v6 = info->ip_version == 6;
    UINT32 th = 0;
    if (!fragment || (info->flags & WS_PKT_FIRST_FRAG))
        th = info->protocol == WS_IPPROTO_TCP ? info->tcp_header_len : info->protocol == WS_IPPROTO_UDP ? 8 : 0;
    if (info->ip_header_len + (SIZE_T)th > len)
        return;
    lc_pkt *p = calloc(1, sizeof *p);
    if (!p)
        return;
    p->frame = info->index + 1;
    p->inbound = (UINT8)inbound;
    p->fragment = (UINT8)fragment;
    p->ipHeaderSize = info->ip_header_len;
    p->transportHeaderSize = (UINT16)th;
    p->flowId = (f && !fragment) ? f->flowId : 0;
    p->fragId = info->frag_id;
    p->fragOffset = info->frag_offset;
    p->fragLength = (UINT32)(len - info->ip_header_len);
    ws_flow_tuple *t = &p->tuple;
    t->ip_version = info->ip_version;
    t->protocol = info->protocol;
    memcpy(t->local_addr, inbound ? info->dst : info->src, 16);
    memcpy(t->remote_addr, inbound ? info->src : info->dst, 16);
    t->local_port = inbound ? info->dport : info->sport;
    t->remote_port = inbound ? info->sport : info->dport;
    p->nbl = ws_k_nbl_build_packet(ip, len, 0);
    if (!p->nbl) {
        free(p);
        return;
    }
    UINT16 tl = transport_layer(inbound, v6), il = ippacket_layer(inbound, v6);
    /* the layers in stack order; a BLOCK at one drops the packet there */
    if (inbound) {
        if (classify_or_block(rc, il, p))
            return;
        if (fragment) {
            reasm *ra = reasm_find(info, 1);
            if (!ra) {
                pkt_free(p);
                return;
            }
            UINT32 payload = (UINT32)(len - info->ip_header_len);
            ra->have += payload;
            ra->last_ts = ts;
            if (!more_fragments(ip, len, v6))
                ra->total = info->frag_offset + payload;
            if (ws_k_nbl_tagged(p->nbl)) {
                p->discardLayer = il;
                p->counted = 1;
                inflight(1);
                p->next = ra->frags;
                ra->frags = p;
            } else {
                pkt_free(p);
            }
            if (ra->total && ra->have >= ra->total) {
                reasm_unlink(ra);
                if (ws_k_lc_schedule(ts + ws_k_lc_delay(0), WS_K_LC_REASSEMBLE, ra) != 0)
                    reassembly_complete(ra);
            }
            return;
        }
    }
    if (!fragment) {
        if (classify_or_block(rc, tl, p))
            return;
    }
    if (!inbound) {
        if (classify_or_block(rc, il, p))
            return;
    }
    /* drops inside the stack, after the classifies: scripted frames, then the loss draw */
    UINT32 reason = 0;
    if (!fragment && ws_k_lc_drop_frame(p->frame))
        reason = WFPSIM_DISCARD_REASON_SCRIPTED;
    else if (!fragment && ws_k_lc_loss_rate() > 0 && ws_k_lc_uniform() < ws_k_lc_loss_rate())
        reason = WFPSIM_DISCARD_REASON_LOSS;
    if (reason) {
        /* modelled: outbound packets are lost in the network module after OUTBOUND_IPPACKET,
         * inbound ones in the transport module after INBOUND_TRANSPORT */
        p->discardLayer = inbound ? tl : il;
        p->discardModule = inbound ? FWPS_DISCARD_MODULE_TRANSPORT : FWPS_DISCARD_MODULE_NETWORK;
        p->discardReason = reason;
        if (hold(ts + ws_k_lc_delay(0), WS_K_LC_DROP, p) != 0)
            discard_now(rc, p, p->discardLayer, p->discardModule, reason, 0);
        return;
    }
    if (!ws_k_nbl_tagged(p->nbl)) {
        pkt_free(p); /* untagged: leaves the stack right after the classifies */
        return;
    }
    int duplicate = !fragment && ws_k_lc_duplicate_frame(p->frame);
    if (inbound) {
        uint64_t deliver = ws_k_lc_delay(2);
        if (hold(ts + deliver, WS_K_LC_CONSUMED, p) != 0) {
            pkt_free(p);
            return;
        }
        if (duplicate)
            (void)ws_k_lc_schedule(ts + deliver / 2, WS_K_LC_DUPLICATE, p); /* before it is consumed */
        return;
    }
    uint64_t stack = ws_k_lc_delay(0);
    if (stack < 2)
        stack = 2; /* the clone comes strictly before the exit */
    p->send_delay = ws_k_lc_delay(1);
    SIZE_T payload = len - info->ip_header_len - th;
    SIZE_T seg = rc->opt.segment_size ? rc->opt.segment_size : 1460;
    if (hold(ts + stack, WS_K_LC_EXIT, p) != 0) {
        pkt_free(p);
        return;
    }
    if (ws_k_lc_segmentation_clones() && info->protocol == WS_IPPROTO_TCP && !fragment && payload > seg)
        (void)ws_k_lc_schedule(ts + stack / 2, WS_K_LC_CLONE, p); /* modelled: LSO clones half-way */
    if (duplicate)
        (void)ws_k_lc_schedule(ts + stack / 2, WS_K_LC_DUPLICATE, p); /* before the exit (after a clone) */
}

static void on_flow_close(void *user, ws_tcp_flow *flow, ws_close_reason reason, uint64_t ts)
{
    (void)reason;
    run_ctx *rc = user;
    advance(rc, ts);
    run_flow *f = ws_tcp_flow_get_user(flow);
    if (!f)
        return;
    if (rc->opt.flags & WFPSIM_RUN_DEFER_FLOW_CLOSE) {
        if (g_ndeferred == g_deferred_cap) {
            size_t cap = g_deferred_cap ? 2 * g_deferred_cap : 64;
            UINT64 *p = realloc(g_deferred, cap * sizeof *p);
            if (p) {
                g_deferred = p;
                g_deferred_cap = cap;
            }
        }
        if (g_ndeferred < g_deferred_cap) {
            g_deferred[g_ndeferred++] = f->flowId;
            f->flowId = 0;
        }
    }
    if (f->flowId && (rc->opt.flags & WFPSIM_RUN_LOSSLESS))
        ws_k_pressure_wait(&g_cancel); /* the flows the end of the input closes come at once */
    if (f->flowId)
        g_stats.flow_deletes += ws_k_flow_delete(f->flowId);
    free(f->path_bytes);
    free(f);
    ws_tcp_flow_set_user(flow, NULL);
}

static int begin(run_ctx *rc, const wfpsim_run_options *o, ws_tcp_callbacks *cb)
{
    memset(rc, 0, sizeof *rc);
    if (o) {
        /* callers built against the first version of the struct (40 bytes) are accepted */
        if (o->struct_size < offsetof(wfpsim_run_options, lifecycle))
            return -1;
        memcpy(&rc->opt, o, o->struct_size < sizeof rc->opt ? o->struct_size : sizeof rc->opt);
        rc->opt.struct_size = sizeof rc->opt;
    }
    if (!(rc->opt.packets_per_second >= 0.0) || rc->opt.packets_per_second > 1e12)
        return -1;
    if (rc->opt.lifecycle) {
        /* callers built against the first version (without duplicate_frames) are accepted */
        const wfpsim_lifecycle_options *in = rc->opt.lifecycle;
        if (in->struct_size < WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE)
            return -1;
        memcpy(&rc->lc, in, in->struct_size < sizeof rc->lc ? in->struct_size : sizeof rc->lc);
        rc->lc.struct_size = sizeof rc->lc;
        rc->has_lc = 1;
        const wfpsim_lifecycle_options *l = &rc->lc;
        if (!(l->loss_rate >= 0.0 && l->loss_rate <= 1.0) || (l->drop_frame_count && !l->drop_frames) ||
            (l->duplicate_frame_count && !l->duplicate_frames) || (l->flags & ~WFPSIM_LC_NO_SEGMENTATION_CLONES) ||
            l->reserved)
            return -1;
        for (uint32_t i = 0; i < l->drop_frame_count; i++)
            if (!l->drop_frames[i])
                return -1;
        for (uint32_t i = 0; i < l->duplicate_frame_count; i++)
            if (!l->duplicate_frames[i])
                return -1;
    }
    rc->luid = 0x0006000000000001ULL; /* modelled: one Ethernet interface */
    cb->user = rc;
    cb->flow_open = on_flow_open;
    cb->stream_data = on_stream;
    cb->packet = on_packet;
    cb->flow_close = on_flow_close;
    return 0;
}

static uint64_t real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Takes the run: 0, or WFPSIM_RUN_E_BUSY while another run is in progress. Starts the lifecycle
 * queue (options were checked by begin). */
static int32_t run_enter(run_ctx *rc)
{
    if (pthread_mutex_trylock(&g_run_mutex) != 0)
        return WFPSIM_RUN_E_BUSY;
    memset(&g_last_error, 0, sizeof g_last_error);
    memset(&g_stats, 0, sizeof g_stats);
    g_inflight = 0;
    g_nlocal = 0;
    if (ws_k_lc_begin(rc->has_lc ? &rc->lc : NULL, lc_event) != 0) {
        pthread_mutex_unlock(&g_run_mutex);
        return WS_PCAP_E_ARG;
    }
    g_run = rc;
    __atomic_store_n(&g_cancel, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&g_run_active, 1, __ATOMIC_SEQ_CST);
    rc->real_start_ns = real_ns();
    g_notify_start = ws_k_nbl_notify_calls();
    return 0;
}

/* End of input: fragments never completed are dropped, every pending event delivered. */
static void run_leave(run_ctx *rc)
{
    reassembly_expire(rc);
    ws_k_lc_flush();
    ws_k_lc_end();
    g_stats.notify_calls = ws_k_nbl_notify_calls() - g_notify_start;
    g_stats.input_packets = rc->fed;
    g_stats.cancelled = (uint64_t)rc->stop;
    if (!(rc->opt.flags & WFPSIM_RUN_KEEP_CLOCK))
        WfpsimClockUseReal();
    g_run = NULL;
    __atomic_store_n(&g_run_active, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&g_run_mutex);
}

/* Before each input packet: cancel, back-pressure (WFPSIM_RUN_LOSSLESS), duration and pacing.
 * 1 = stop the run here. */
static int gate(run_ctx *rc)
{
    if (rc->stop)
        return 1;
    if (__atomic_load_n(&g_cancel, __ATOMIC_SEQ_CST)) {
        rc->stop = 1;
        return 1;
    }
    if ((rc->opt.flags & WFPSIM_RUN_LOSSLESS) && ws_k_pressure_wait(&g_cancel)) {
        rc->stop = 1; /* cancelled while waiting for the reader */
        return 1;
    }
    uint64_t now = 0;
    if (rc->opt.duration_ms) {
        now = real_ns();
        if (now - rc->real_start_ns >= rc->opt.duration_ms * 1000000ull) {
            rc->stop = 1;
            return 1;
        }
    }
    if (rc->opt.packets_per_second > 0) {
        uint64_t due = rc->real_start_ns + (uint64_t)((double)rc->fed * 1e9 / rc->opt.packets_per_second);
        if (!now)
            now = real_ns();
        while (now < due) {
            uint64_t wait = due - now;
            if (wait > 50000000ull)
                wait = 50000000ull; /* wake up for a cancel at least every 50 ms */
            struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };
            nanosleep(&ts, NULL);
            if (__atomic_load_n(&g_cancel, __ATOMIC_SEQ_CST)) {
                rc->stop = 1;
                return 1;
            }
            now = real_ns();
        }
    }
    rc->fed++;
    return 0;
}

int WfpsimRunCancel(void)
{
    if (!__atomic_load_n(&g_run_active, __ATOMIC_SEQ_CST))
        return 0;
    __atomic_store_n(&g_cancel, 1, __ATOMIC_SEQ_CST);
    return 1;
}

int WfpsimRunActive(void)
{
    return __atomic_load_n(&g_run_active, __ATOMIC_SEQ_CST);
}

uint32_t WfpsimLifecycleBytesPerNbl(void)
{
    /* the packet record + its heap slots (EXIT then SEND_COMPLETE, one at a time) + the NBL
     * object; the packet's bytes come on top */
    return (uint32_t)(sizeof(lc_pkt) + 32 + ws_k_nbl_memory(0));
}

int32_t WfpsimRunCapture(const char *path, const wfpsim_run_options *options)
{
    run_ctx rc;
    ws_tcp_callbacks cb;
    if (!path || begin(&rc, options, &cb) != 0)
        return WS_PCAP_E_ARG;
    int32_t busy = run_enter(&rc);
    if (busy)
        return busy;
    ws_pcap_error err;
    memset(&err, 0, sizeof err);
    ws_pcap_reader *r = NULL;
    int rcode = ws_pcap_open_file(&r, path, 0, &err);
    if (rcode == WS_PCAP_OK) {
        ws_tcp *t = ws_tcp_create(NULL, &cb);
        if (!t) {
            rcode = WS_PCAP_E_NOMEM;
        } else {
            ws_pcap_packet pkt;
            while ((rcode = ws_pcap_next(r, &pkt, &err)) == 1) {
                if (gate(&rc)) {
                    rcode = 0;
                    break;
                }
                ws_tcp_input(t, &pkt);
            }
            if (rcode == WS_PCAP_E_TRUNCATED && !(rc.opt.flags & WFPSIM_RUN_REJECT_TRUNCATED))
                rcode = 0;
            ws_tcp_finish(t);
            ws_tcp_destroy(t);
        }
        ws_pcap_close(r);
    }
    if (err.code != WS_PCAP_OK)
        g_last_error = err;
    run_leave(&rc);
    return rcode;
}

int32_t WfpsimRunSynthetic(uint64_t seed, uint32_t flows, const wfpsim_run_options *options)
{
    wfpsim_synthetic_options syn;
    memset(&syn, 0, sizeof syn);
    syn.struct_size = sizeof syn;
    syn.seed = seed;
    syn.flows = flows;
    return WfpsimRunSyntheticEx(&syn, options);
}

typedef struct syn_feed {
    run_ctx *rc;
    ws_tcp *t;
    ws_gen *g;
} syn_feed;

static void syn_sink(void *user, uint64_t ts, const uint8_t *ip, uint32_t len)
{
    syn_feed *sf = user;
    if (gate(sf->rc)) {
        ws_gen_stop(sf->g);
        return;
    }
    ws_pcap_packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.ts_100ns = ts;
    pkt.ts_units = ts * 100u;
    pkt.ts_units_per_sec = 1000000000u;
    pkt.linktype = WS_LINKTYPE_RAW;
    ws_pcap_decode_frame(&pkt, WS_LINKTYPE_RAW, ip, len, len);
    pkt.index = sf->rc->fed - 1; /* generation order, 0-based */
    ws_tcp_input(sf->t, &pkt);
}

int32_t WfpsimRunSyntheticEx(const wfpsim_synthetic_options *syn, const wfpsim_run_options *options)
{
    run_ctx rc;
    ws_tcp_callbacks cb;
    if (!syn || syn->struct_size < sizeof *syn || syn->ipv6_percent > 100 || syn->inbound_percent > 100 ||
        syn->rst_percent > 100 || syn->min_bytes > syn->max_bytes || begin(&rc, options, &cb) != 0)
        return WS_PCAP_E_ARG;
    ws_gen_proto protos[WS_GEN_PROTO_COUNT];
    uint32_t nprotos = 0;
    for (uint32_t p = 0; p < WS_GEN_PROTO_COUNT; p++)
        if (syn->protocols & (1u << p))
            protos[nprotos++] = (ws_gen_proto)p;
    if (syn->protocols >> WS_GEN_PROTO_COUNT)
        return WS_PCAP_E_ARG;
    int32_t busy = run_enter(&rc);
    if (busy)
        return busy;
    ws_gen_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.seed = syn->seed;
    cfg.flows = syn->flows;
    cfg.protos = nprotos ? protos : NULL;
    cfg.nprotos = nprotos;
    cfg.ipv6_percent = syn->ipv6_percent;
    cfg.inbound_percent = syn->inbound_percent;
    cfg.rst_percent = syn->rst_percent;
    cfg.min_bytes = syn->max_bytes ? syn->min_bytes : 200;
    cfg.max_bytes = syn->max_bytes ? syn->max_bytes : 20000;
    ws_tcp_config tc;
    memset(&tc, 0, sizeof tc);
    tc.is_local = ws_gen_is_local; /* every generation uses the same address plan */
    int32_t res = 0;
    ws_gen *first = ws_gen_create(&cfg);
    tc.is_local_user = first;
    ws_tcp *t = first ? ws_tcp_create(&tc, &cb) : NULL;
    if (!t)
        res = WS_PCAP_E_NOMEM;
    /* with a duration, the generator starts again (next seed, later start) until the time is up */
    for (uint64_t round = 0; t && !res && !rc.stop; round++) {
        ws_gen *g = first;
        if (round) {
            cfg.seed = syn->seed + round;
            cfg.start_ts = rc.now + 10000000ull; /* one second after the last packet */
            g = ws_gen_create(&cfg);
        }
        if (!g) {
            res = WS_PCAP_E_NOMEM;
            break;
        }
        syn_feed sf = { &rc, t, g };
        if (ws_gen_run(g, syn_sink, &sf) != 0)
            res = WS_PCAP_E_NOMEM;
        if (g != first)
            ws_gen_destroy(g);
        if (!rc.opt.duration_ms || !syn->flows)
            break;
    }
    if (t) {
        ws_tcp_finish(t);
        ws_tcp_destroy(t);
    }
    if (first)
        ws_gen_destroy(first);
    run_leave(&rc);
    return res;
}

void WfpsimRunLastError(wfpsim_run_error *out)
{
    if (!out)
        return;
    pthread_mutex_lock(&g_run_mutex);
    memset(out, 0, sizeof *out);
    out->code = g_last_error.code;
    out->offset = g_last_error.offset;
    memcpy(out->message, g_last_error.message, sizeof out->message);
    out->message[sizeof out->message - 1] = 0;
    pthread_mutex_unlock(&g_run_mutex);
}

uint32_t WfpsimRunCloseFlows(void)
{
    pthread_mutex_lock(&g_run_mutex);
    uint32_t n = 0;
    for (size_t i = 0; i < g_ndeferred; i++) {
        ws_k_flow_delete(g_deferred[i]);
        n++;
    }
    free(g_deferred);
    g_deferred = NULL;
    g_ndeferred = g_deferred_cap = 0;
    pthread_mutex_unlock(&g_run_mutex);
    return n;
}
