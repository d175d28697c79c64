/*
 * lifecycle_test.c - C tests of the packet-lifecycle model (ws_k_lifecycle.c, classify_traffic.c,
 * fwps_nbl.c) with the test driver's lifecycle callouts (test_driver.c td_lc_*). Included by
 * kernel_test.c (one program; its CHECK and helpers).
 *
 * Each tagged packet's notify events are folded into a string, one letter per event, in order:
 * T tagged, C CLONED_BY_NETIO, X EXIT_NETIO, S NDIS_SEND_COMPLETE, R CONTEXT_REMOVED,
 * D a discard-layer classify of the NBL carrying it, F REASSEMBLED_FRAGMENT, A REASSEMBLY_COMPLETE,
 * P DUPLICATED_BY_NETIO (the test driver copies the context to the duplicate: context | TD_LC_COPIED).
 */
#include "wfpsim/traffic.h"

void td_lc_configure(uint32_t mode);
uint32_t td_lc_events(td_lc_event *out, uint32_t max);
int32_t td_lc_inflight(void);
int32_t td_lc_late_callbacks(void);
int32_t td_lc_null_removals(void);
extern const UINT16 td_lc_layers[TD_LC_LAYERS];

#define LC_MAXCTX 8192
#define LC_MAXEV 200000
static td_lc_event g_ev[LC_MAXEV];
static uint32_t g_nev;
static char g_seq[LC_MAXCTX][24];        /* per context (copies: index + LC_MAXCTX / 2) */
static uint16_t g_tag_layer[LC_MAXCTX];
static td_lc_event g_discard[LC_MAXCTX]; /* the last discard event per context */
static int g_time_order_ok, g_nbl_null_removals, g_checks_bad;
static uint32_t g_nctx;

static uint32_t ctx_index(uint64_t c)
{
    uint32_t i = (uint32_t)(c & ~TD_LC_COPIED);
    if (c & TD_LC_COPIED)
        i += LC_MAXCTX / 2;
    return i < LC_MAXCTX ? i : 0;
}

static void seq_add(uint64_t c, char ch)
{
    char *s = g_seq[ctx_index(c)];
    size_t n = strlen(s);
    if (n + 1 < sizeof g_seq[0]) {
        s[n] = ch;
        s[n + 1] = 0;
    }
}

static void lc_collect(void)
{
    g_nev = td_lc_events(g_ev, LC_MAXEV);
    memset(g_seq, 0, sizeof g_seq);
    memset(g_tag_layer, 0, sizeof g_tag_layer);
    memset(g_discard, 0, sizeof g_discard);
    g_time_order_ok = 1;
    g_nbl_null_removals = 0;
    g_checks_bad = 0;
    g_nctx = 0;
    for (uint32_t i = 0; i < g_nev; i++) {
        const td_lc_event *e = &g_ev[i];
        if (i && e->time < g_ev[i - 1].time)
            g_time_order_ok = 0;
        switch (e->kind) {
        case TD_LC_TAGGED:
            seq_add(e->context, 'T');
            g_tag_layer[ctx_index(e->context)] = e->layer;
            if (e->check != 1)
                g_checks_bad++;
            if (e->context > g_nctx)
                g_nctx = (uint32_t)e->context;
            break;
        case TD_LC_DISCARD:
            if (e->context) {
                seq_add(e->context, 'D');
                g_discard[ctx_index(e->context)] = *e;
            }
            break;
        case TD_LC_NOTIFY: {
            char ch = '?';
            switch (e->type) {
            case FWPS_NET_BUFFER_LIST_CLONED_BY_NETIO: ch = 'C'; break;
            case FWPS_NET_BUFFER_LIST_DUPLICATED_BY_NETIO: ch = 'P'; break;
            case FWPS_NET_BUFFER_LIST_EXIT_NETIO: ch = 'X'; break;
            case FWPS_NET_BUFFER_LIST_NDIS_SEND_COMPLETE: ch = 'S'; break;
            case FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED: ch = 'R'; break;
            case FWPS_NET_BUFFER_LIST_REASSEMBLED_FRAGMENT: ch = 'F'; break;
            case FWPS_NET_BUFFER_LIST_REASSEMBLY_COMPLETE: ch = 'A'; break;
            default: break;
            }
            if (e->type == FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED && e->nbl_null)
                g_nbl_null_removals++;
            seq_add(e->context, ch);
            break;
        }
        default:
            break;
        }
    }
}

/* Contexts 1..g_nctx whose sequence is exactly `want`. */
static uint32_t count_seq(const char *want)
{
    uint32_t n = 0;
    for (uint32_t c = 1; c <= g_nctx; c++)
        if (!strcmp(g_seq[c], want))
            n++;
    return n;
}

static int is_outbound_layer(uint16_t l)
{
    return l == FWPS_LAYER_OUTBOUND_TRANSPORT_V4 || l == FWPS_LAYER_OUTBOUND_IPPACKET_V4;
}

static uint64_t g_lc_filters[TD_LC_LAYERS];
static unsigned g_nlc_filters;

/* Callouts and inspection filters at the eight lifecycle layers. */
static void lc_filters_add(WS_HANDLE e)
{
    for (int i = 0; i < TD_LC_LAYERS; i++) {
        GUID k = TD_GUID(0x10 + i);
        (void)add_callout(e, &k, td_lc_layers[i]); /* FWP_E_ALREADY_EXISTS the second time */
        g_lc_filters[g_nlc_filters] = add_filter(e, td_lc_layers[i], NULL, WS_FWP_ACTION_CALLOUT_INSPECTION, &k, 1, 0, NULL, 0);
        CHECK(g_lc_filters[g_nlc_filters] != 0);
        g_nlc_filters++;
    }
}

static void lc_filters_remove(WS_HANDLE e)
{
    for (unsigned i = 0; i < g_nlc_filters; i++)
        CHECK(FwpmFilterDeleteById0(e, g_lc_filters[i]) == 0);
    g_nlc_filters = 0;
}

static int32_t lc_synth(uint64_t seed, uint32_t flows, uint32_t inbound_percent, uint32_t segment,
                        const wfpsim_lifecycle_options *lc, wfpsim_run_stats *st)
{
    wfpsim_synthetic_options syn;
    memset(&syn, 0, sizeof syn);
    syn.struct_size = sizeof syn;
    syn.seed = seed;
    syn.flows = flows;
    syn.inbound_percent = inbound_percent;
    syn.min_bytes = 2000;
    syn.max_bytes = 6000;
    wfpsim_run_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.segment_size = segment;
    o.lifecycle = lc;
    int32_t rc = WfpsimRunSyntheticEx(&syn, &o);
    if (st)
        WfpsimRunStats(st);
    return rc;
}

static wfpsim_lifecycle_options lc_opts(uint64_t seed)
{
    wfpsim_lifecycle_options l;
    memset(&l, 0, sizeof l);
    l.struct_size = sizeof l;
    l.seed = seed;
    return l;
}

#define TAG_ALL 0xFu /* every tag layer: a packet is tagged at the first it passes */

static void test_lifecycle_sequences(void)
{
    wfpsim_run_stats st;
    /* outbound and inbound, moved clones (segment 700 < the generated segments) */
    td_lc_configure(TAG_ALL);
    wfpsim_lifecycle_options l = lc_opts(7);
    CHECK(lc_synth(3, 8, 50, 700, &l, &st) == 0);
    lc_collect();
    CHECK(g_nctx > 50);
    CHECK(g_time_order_ok);
    CHECK(g_checks_bad == 0); /* the header at each layer's data offset (retreated) is right */
    uint32_t out = 0, in = 0, out_ok = 0, in_ok = 0, cloned = 0;
    for (uint32_t c = 1; c <= g_nctx; c++) {
        if (is_outbound_layer(g_tag_layer[c])) {
            out++;
            if (!strcmp(g_seq[c], "TXSR"))
                out_ok++;
            else if (!strcmp(g_seq[c], "TCXSR"))
                out_ok++, cloned++;
        } else {
            in++;
            in_ok += !strcmp(g_seq[c], "TR");
        }
    }
    printf("lifecycle: %u tagged (%u outbound, %u cloned, %u inbound), %u events, %llu max NBLs in flight\n", g_nctx, out,
           cloned, in, g_nev, (unsigned long long)st.max_nbls_in_flight);
    CHECK(out > 10 && out_ok == out);
    CHECK(in > 10 && in_ok == in);
    CHECK(cloned > 0 && cloned == st.clones);
    CHECK(st.packets_dropped == 0 && st.discard_classifies == 0);
    CHECK(st.ippacket_classifies == st.packet_classifies);
    CHECK(st.max_nbls_in_flight > 0);
    CHECK(st.notify_calls == (uint64_t)(g_nev - g_nctx)); /* every notify call was recorded */
    CHECK(td_lc_inflight() == 0 && ws_k_nbl_outstanding() == 0);

    /* outbound: the exit comes after the classify by the stack delay, the send completion after
     * the exit; after a move, the clone is the NBL that exits */
    int clone_followed = 1, later = 1;
    for (uint32_t i = 0; i < g_nev; i++) {
        const td_lc_event *e = &g_ev[i];
        if (e->kind != TD_LC_NOTIFY || e->type != FWPS_NET_BUFFER_LIST_CLONED_BY_NETIO)
            continue;
        for (uint32_t j = i + 1; j < g_nev; j++)
            if (g_ev[j].kind == TD_LC_NOTIFY && g_ev[j].context == e->context) {
                clone_followed &= g_ev[j].type == FWPS_NET_BUFFER_LIST_EXIT_NETIO && g_ev[j].nbl == e->new_nbl &&
                                  e->new_nbl != e->nbl;
                later &= g_ev[j].time > e->time;
                break;
            }
    }
    CHECK(clone_followed && later);

    /* the same seed and input give the same events at the same times; another seed other times */
    static td_lc_event first[LC_MAXEV];
    uint32_t nfirst = g_nev;
    memcpy(first, g_ev, nfirst * sizeof first[0]);
    td_lc_configure(TAG_ALL);
    CHECK(lc_synth(3, 8, 50, 700, &l, NULL) == 0);
    lc_collect();
    int same = g_nev == nfirst;
    for (uint32_t i = 0; same && i < g_nev; i++)
        same = g_ev[i].kind == first[i].kind && g_ev[i].type == first[i].type && g_ev[i].context == first[i].context &&
               g_ev[i].time == first[i].time;
    CHECK(same);
    td_lc_configure(TAG_ALL);
    wfpsim_lifecycle_options l2 = lc_opts(8);
    CHECK(lc_synth(3, 8, 50, 700, &l2, NULL) == 0);
    lc_collect();
    int differs = 0;
    for (uint32_t i = 0; i < g_nev && i < nfirst; i++)
        differs |= g_ev[i].time != first[i].time;
    CHECK(differs && g_nev == nfirst);

    /* no segmentation clones */
    td_lc_configure(TAG_ALL);
    wfpsim_lifecycle_options nc = lc_opts(7);
    nc.flags = WFPSIM_LC_NO_SEGMENTATION_CLONES;
    CHECK(lc_synth(3, 8, 50, 700, &nc, &st) == 0);
    lc_collect();
    CHECK(st.clones == 0 && count_seq("TCXSR") == 0 && count_seq("TXSR") > 0);

    /* a copied context (duplicate-style following): the original and the copy are both removed */
    td_lc_configure(TAG_ALL | TD_LC_MODE_COPY | TD_LC_MODE_V1);
    CHECK(lc_synth(3, 8, 0, 700, &l, &st) == 0);
    lc_collect();
    CHECK(st.clones > 0 && count_seq("TCXSR") == 0 && count_seq("TCR") == st.clones);
    uint32_t copies = 0;
    for (uint32_t c = 1; c <= g_nctx; c++)
        copies += !strcmp(g_seq[c + LC_MAXCTX / 2], "XSR");
    CHECK(copies == st.clones);
    CHECK(td_lc_inflight() == 0);

    /* scripted duplicates (frames 3, 8 and 12): DUPLICATED_BY_NETIO before the exit (outbound) or
     * the delivery (inbound), with a copy of the packet that lives its own lifecycle (outbound
     * exit, send complete, removed; inbound removed when consumed) alongside the original */
    td_lc_configure(TAG_ALL);
    wfpsim_lifecycle_options du = lc_opts(7);
    du.flags = WFPSIM_LC_NO_SEGMENTATION_CLONES;
    uint64_t dframes[3] = { 12, 3, 8 };
    du.duplicate_frames = dframes;
    du.duplicate_frame_count = 3;
    CHECK(lc_synth(3, 8, 50, 0, &du, &st) == 0);
    lc_collect();
    CHECK(st.duplicates == 3 && st.clones == 0);
    uint32_t dout = 0, din = 0;
    for (int k = 0; k < 3; k++) {
        uint64_t c = dframes[k];
        const char *copy = g_seq[c + LC_MAXCTX / 2];
        if (is_outbound_layer(g_tag_layer[c])) {
            dout++;
            CHECK(!strcmp(g_seq[c], "TPXSR") && !strcmp(copy, "XSR"));
        } else {
            din++;
            CHECK(!strcmp(g_seq[c], "TPR") && !strcmp(copy, "R"));
        }
    }
    printf("lifecycle: duplicates %u outbound, %u inbound\n", dout, din);
    CHECK(count_seq("TPXSR") + count_seq("TPR") == 3 && count_seq("TXSR") + count_seq("TR") + 3 == g_nctx);
    uint32_t dcopies = 0;
    for (uint32_t c = 1; c <= g_nctx; c++)
        dcopies += g_seq[c + LC_MAXCTX / 2][0] != 0;
    CHECK(dcopies == 3);
    CHECK(g_time_order_ok && td_lc_inflight() == 0);
    /* the first version of the options (no duplicate_frames) is accepted; a frame 0 is not */
    du.struct_size = WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE;
    td_lc_configure(TAG_ALL);
    CHECK(lc_synth(3, 8, 50, 0, &du, &st) == 0 && st.duplicates == 0);
    lc_collect();
    CHECK(count_seq("TPXSR") + count_seq("TPR") == 0);
    du.struct_size = sizeof du;
    dframes[1] = 0;
    wfpsim_run_stats dbefore, dafter;
    WfpsimRunStats(&dbefore);
    CHECK(lc_synth(3, 8, 50, 0, &du, &dafter) == WS_PCAP_E_ARG);
    du.duplicate_frames = NULL;
    CHECK(lc_synth(3, 8, 50, 0, &du, &dafter) == WS_PCAP_E_ARG);
    CHECK(memcmp(&dbefore, &dafter, sizeof dbefore) == 0);

    /* the medians move the times: a 10x larger stack delay, 10x later exits (outbound only) */
    uint64_t delay_fast = 0, delay_slow = 0;
    for (int round = 0; round < 2; round++) {
        td_lc_configure(1u); /* OUTBOUND_TRANSPORT_V4 */
        wfpsim_lifecycle_options m = lc_opts(7);
        m.stack_us = round ? 200 : 20;
        CHECK(lc_synth(3, 4, 0, 0, &m, NULL) == 0);
        lc_collect();
        static uint64_t tagged_at[LC_MAXCTX];
        uint64_t sum = 0;
        for (uint32_t i = 0; i < g_nev; i++) {
            const td_lc_event *x = &g_ev[i];
            if (x->kind == TD_LC_TAGGED)
                tagged_at[ctx_index(x->context)] = x->time;
            else if (x->kind == TD_LC_NOTIFY && x->type == FWPS_NET_BUFFER_LIST_EXIT_NETIO)
                sum += x->time - tagged_at[ctx_index(x->context)];
        }
        *(round ? &delay_slow : &delay_fast) = g_nctx ? sum / g_nctx : 0;
    }
    /* log-normal around 20 us / 200 us: the means (in 100 ns units) are near 10x apart */
    CHECK(delay_fast > 100 && delay_fast < 500);
    CHECK(delay_slow > 7 * delay_fast && delay_slow < 13 * delay_fast);
}

static void test_lifecycle_drops(WS_HANDLE e)
{
    wfpsim_run_stats st;
    /* scripted drops: frames 5 and 9 (every synthetic frame is tagged, in order: context = frame) */
    td_lc_configure(TAG_ALL);
    wfpsim_lifecycle_options l = lc_opts(7);
    uint64_t frames[2] = { 9, 5 };
    l.drop_frames = frames;
    l.drop_frame_count = 2;
    CHECK(lc_synth(3, 4, 50, 0, &l, &st) == 0);
    lc_collect();
    CHECK(st.packets_dropped == 2 && st.discard_classifies == 2);
    CHECK(!strcmp(g_seq[5], "TDR") && !strcmp(g_seq[9], "TDR"));
    CHECK(count_seq("TDR") == 2);
    CHECK(count_seq("TXSR") + count_seq("TR") + 2 == g_nctx);
    for (int k = 0; k < 2; k++) {
        const td_lc_event *d = &g_discard[frames[k]];
        int outb = is_outbound_layer(g_tag_layer[frames[k]]);
        CHECK(d->layer == (outb ? FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD : FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD));
        CHECK(d->type == (outb ? FWPS_DISCARD_MODULE_NETWORK : FWPS_DISCARD_MODULE_TRANSPORT));
        CHECK(d->reason == WFPSIM_DISCARD_REASON_SCRIPTED && d->filter_id == 0 && d->check == 1);
    }
    CHECK(td_lc_inflight() == 0);

    /* a block filter at OUTBOUND_IPPACKET_V4 drops what OUTBOUND_TRANSPORT_V4 tagged */
    td_lc_configure(1u); /* OUTBOUND_TRANSPORT_V4 */
    uint64_t fb = add_filter(e, FWPS_LAYER_OUTBOUND_IPPACKET_V4, NULL, WS_FWP_ACTION_BLOCK, NULL, 2, 0, NULL, 0);
    CHECK(fb != 0);
    l = lc_opts(7);
    CHECK(lc_synth(3, 4, 0, 0, &l, &st) == 0);
    lc_collect();
    CHECK(g_nctx > 10 && count_seq("TDR") == g_nctx && st.packets_dropped >= g_nctx);
    CHECK(g_discard[1].layer == FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD && g_discard[1].type == FWPS_DISCARD_MODULE_GENERAL &&
          g_discard[1].reason == FWPS_DISCARD_FIREWALL_POLICY && g_discard[1].filter_id == fb);
    CHECK(FwpmFilterDeleteById0(e, fb) == 0);
    /* ... and one at INBOUND_TRANSPORT_V4 what INBOUND_IPPACKET_V4 tagged */
    td_lc_configure(8u); /* INBOUND_IPPACKET_V4 */
    fb = add_filter(e, FWPS_LAYER_INBOUND_TRANSPORT_V4, NULL, WS_FWP_ACTION_BLOCK, NULL, 2, 0, NULL, 0);
    CHECK(lc_synth(3, 4, 100, 0, &l, &st) == 0);
    lc_collect();
    CHECK(g_nctx > 10 && count_seq("TDR") == g_nctx);
    CHECK(g_tag_layer[1] == FWPS_LAYER_INBOUND_IPPACKET_V4 && g_discard[1].layer == FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD &&
          g_discard[1].filter_id == fb);
    CHECK(FwpmFilterDeleteById0(e, fb) == 0);

    /* loss rate: about that share dropped, reproducibly; 1.0 drops all */
    td_lc_configure(TAG_ALL);
    l = lc_opts(11);
    l.loss_rate = 0.25;
    CHECK(lc_synth(5, 10, 50, 0, &l, &st) == 0);
    lc_collect();
    uint32_t lost = count_seq("TDR");
    printf("lifecycle: loss 0.25 dropped %u of %u\n", lost, g_nctx);
    CHECK(lost == st.packets_dropped && lost > g_nctx / 8 && lost < g_nctx / 2);
    CHECK(g_discard[0].reason == 0); /* (context 0 unused) */
    int reason_ok = 1;
    for (uint32_t c = 1; c <= g_nctx; c++)
        if (g_seq[c][1] == 'D')
            reason_ok &= g_discard[c].reason == WFPSIM_DISCARD_REASON_LOSS;
    CHECK(reason_ok);
    td_lc_configure(TAG_ALL);
    CHECK(lc_synth(5, 10, 50, 0, &l, &st) == 0);
    lc_collect();
    CHECK(count_seq("TDR") == lost);
    td_lc_configure(TAG_ALL);
    l.loss_rate = 1.0;
    CHECK(lc_synth(5, 10, 50, 0, &l, &st) == 0);
    lc_collect();
    CHECK(count_seq("TDR") == g_nctx && count_seq("TXSR") == 0);

    /* bad options change nothing */
    wfpsim_run_stats before, after;
    WfpsimRunStats(&before);
    l.loss_rate = 1.5;
    CHECK(lc_synth(5, 10, 50, 0, &l, &after) == WS_PCAP_E_ARG);
    CHECK(memcmp(&before, &after, sizeof before) == 0);
    l.loss_rate = 0;
    uint64_t zero = 0;
    l.drop_frames = &zero;
    l.drop_frame_count = 1;
    CHECK(lc_synth(5, 10, 50, 0, &l, &after) == WS_PCAP_E_ARG);
    l.drop_frames = NULL;
    CHECK(lc_synth(5, 10, 50, 0, &l, &after) == WS_PCAP_E_ARG);
    l.drop_frame_count = 0;
    l.struct_size = 8;
    CHECK(lc_synth(5, 10, 50, 0, &l, &after) == WS_PCAP_E_ARG);
    CHECK(memcmp(&before, &after, sizeof before) == 0);
}

/* A capture (raw IP) with a TCP flow 10.0.0.1:40000 -> 10.0.0.2:80 and inbound UDP fragments
 * 10.0.0.2 -> 10.0.0.1: id 77 in three fragments (out of order), id 78 only its first. */
static void put_ipv4(uint8_t *p, uint16_t total, uint16_t id, uint16_t frag, uint8_t proto, uint32_t src, uint32_t dst)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    p[2] = (uint8_t)(total >> 8);
    p[3] = (uint8_t)total;
    p[4] = (uint8_t)(id >> 8);
    p[5] = (uint8_t)id;
    p[6] = (uint8_t)(frag >> 8);
    p[7] = (uint8_t)frag;
    p[8] = 64;
    p[9] = proto;
    for (int i = 0; i < 4; i++) {
        p[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        p[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
}

static int write_fragment_capture(const char *path)
{
    ws_pcap_writer *w = NULL;
    if (ws_pcap_writer_open(&w, path, WS_LINKTYPE_RAW, 0) != 0)
        return -1;
    uint8_t p[128];
    const uint32_t A = 0x0A000001, B = 0x0A000002;
    uint64_t t = 17000000000000000ull;
    /* SYN, SYN-ACK, ACK */
    static const uint8_t flags[3] = { 0x02, 0x12, 0x10 };
    for (int i = 0; i < 3; i++) {
        int fromA = i != 1;
        put_ipv4(p, 40, (uint16_t)(100 + i), 0, 6, fromA ? A : B, fromA ? B : A);
        uint8_t *tcp = p + 20;
        memset(tcp, 0, 20);
        uint16_t sp = fromA ? 40000 : 80, dp = fromA ? 80 : 40000;
        tcp[0] = (uint8_t)(sp >> 8); tcp[1] = (uint8_t)sp; tcp[2] = (uint8_t)(dp >> 8); tcp[3] = (uint8_t)dp;
        tcp[7] = fromA ? (i == 0 ? 1 : 2) : 1; /* seq */
        tcp[11] = i == 0 ? 0 : 2;              /* ack */
        tcp[12] = 0x50;
        tcp[13] = flags[i];
        tcp[15] = 0xff;
        ws_pcap_writer_ip(w, t += 1000, p, 40);
    }
    /* id 77: UDP header + 40 bytes of payload in fragments of 24, 24 (MF) and ... at 48 the last */
    put_ipv4(p, 20 + 24, 77, 0x2000 | 3, 17, B, A); /* offset 24 (3 x 8), MF */
    ws_pcap_writer_ip(w, t += 1000, p, 44);
    put_ipv4(p, 20 + 24, 77, 0x2000 | 0, 17, B, A); /* first, MF: UDP header */
    p[20] = 0x1f; p[21] = 0x90; p[22] = 0x9c; p[23] = 0x40; p[24] = 0; p[25] = 56;
    ws_pcap_writer_ip(w, t += 1000, p, 44);
    put_ipv4(p, 20 + 8, 77, 6, 17, B, A);          /* offset 48, last */
    ws_pcap_writer_ip(w, t += 1000, p, 28);
    put_ipv4(p, 20 + 16, 78, 0x2000, 17, B, A);     /* id 78: first only, never completed */
    ws_pcap_writer_ip(w, t += 1000, p, 36);
    return ws_pcap_writer_close(w);
}

static void test_lifecycle_fragments(void)
{
    char path[] = "/tmp/wfpsim-frag-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(write_fragment_capture(path) == 0);
    td_lc_configure(8u); /* INBOUND_IPPACKET_V4 */
    wfpsim_lifecycle_options l = lc_opts(3);
    wfpsim_run_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.lifecycle = &l;
    CHECK(WfpsimRunCapture(path, &o) == 0);
    wfpsim_run_stats st;
    WfpsimRunStats(&st);
    lc_collect();
    unlink(path);
    /* the SYN-ACK and three fragments of 77 and one of 78 are tagged (inbound IP packets) */
    CHECK(g_nctx == 5);
    CHECK(count_seq("TR") == 1);   /* the SYN-ACK: consumed */
    CHECK(count_seq("TFAR") == 3); /* the fragments of 77 */
    CHECK(count_seq("TDR") == 1);  /* 78: dropped at the end (reassembly timeout) */
    CHECK(st.reassemblies == 1 && st.packets_dropped == 1);
    uint32_t frag78 = 0;
    for (uint32_t c = 1; c <= g_nctx; c++)
        if (!strcmp(g_seq[c], "TDR"))
            frag78 = c;
    CHECK(frag78 && g_discard[frag78].layer == FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD &&
          g_discard[frag78].reason == WFPSIM_DISCARD_REASON_REASSEMBLY);
    /* every REASSEMBLED_FRAGMENT names the same reassembled NBL, not the fragment */
    uint64_t whole = 0;
    int same_whole = 1;
    for (uint32_t i = 0; i < g_nev; i++)
        if (g_ev[i].kind == TD_LC_NOTIFY && g_ev[i].type == FWPS_NET_BUFFER_LIST_REASSEMBLED_FRAGMENT) {
            if (!whole)
                whole = g_ev[i].new_nbl;
            same_whole &= g_ev[i].new_nbl == whole && g_ev[i].nbl != whole;
        }
    CHECK(whole && same_whole);
    CHECK(g_checks_bad == 0 && td_lc_inflight() == 0);
}

/* Unload while the queue holds tagged NBLs: a paced run in another thread, long delays. */
typedef struct lc_bg {
    int32_t rc;
    wfpsim_run_stats st;
} lc_bg;

static void *lc_bg_run(void *arg)
{
    lc_bg *b = arg;
    wfpsim_synthetic_options syn;
    memset(&syn, 0, sizeof syn);
    syn.struct_size = sizeof syn;
    syn.seed = 9;
    syn.flows = 50;
    wfpsim_lifecycle_options l = lc_opts(5);
    l.send_complete_us = 60000000; /* a minute of virtual time: completions stay queued */
    l.deliver_us = 60000000;
    wfpsim_run_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.lifecycle = &l;
    o.packets_per_second = 2000;
    b->rc = WfpsimRunSyntheticEx(&syn, &o);
    WfpsimRunStats(&b->st);
    return NULL;
}

static void test_lifecycle_unload(WS_HANDLE e)
{
    td_lc_configure(TAG_ALL | TD_LC_MODE_V1);
    lc_bg b;
    memset(&b, 0, sizeof b);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, lc_bg_run, &b) == 0);
    for (int i = 0; i < 200 && td_lc_inflight() < 40; i++)
        sleep_ms(10);
    CHECK(td_lc_inflight() >= 40);
    CHECK(WfpsimRunActive() == 1);
    /* a second run meanwhile is refused at once and changes nothing */
    wfpsim_run_options o2;
    memset(&o2, 0, sizeof o2);
    o2.struct_size = sizeof o2;
    CHECK(WfpsimRunSynthetic(1, 1, &o2) == WFPSIM_RUN_E_BUSY);
    lc_filters_remove(e);
    CHECK(FwpmEngineClose0(e) == 0);
    /* the driver removes every context (NULL NBL) and waits for the removals */
    uint32_t n_before = td_lc_events(NULL, 0);
    CHECK(WfpsimDriverUnload() == 0);
    CHECK(td_lc_late_callbacks() == 0);
    CHECK(td_lc_inflight() == 0);
    CHECK(td_lc_null_removals() > 0); /* the queued NBLs' contexts went with a NULL NBL */
    (void)n_before;
    sleep_ms(50); /* the run goes on after the unload: its queued NBLs have no contexts left */
    CHECK(WfpsimRunCancel() == 1);
    pthread_join(th, NULL);
    CHECK(b.rc == 0 && b.st.cancelled == 1 && b.st.input_packets > 40);
    CHECK(td_lc_late_callbacks() == 0); /* no callback after the unload returned */
    CHECK(ws_k_nbl_outstanding() == 0);
    CHECK(WfpsimRunCancel() == 0); /* nothing to cancel */
    CHECK(WfpsimPoolOutstanding(0) == 0);
}

static void test_lifecycle(void)
{
    CHECK(WfpsimDriverLoad() == 0);
    WS_HANDLE e = NULL;
    CHECK(FwpmEngineOpen0(NULL, 10, NULL, NULL, &e) == 0);
    lc_filters_add(e);
    test_lifecycle_sequences();
    test_lifecycle_drops(e);
    test_lifecycle_fragments();
    test_lifecycle_unload(e);
    CHECK(WfpsimLifecycleBytesPerNbl() > 0 && WfpsimLifecycleBytesPerNbl() < 2048);
    printf("lifecycle: %u bytes per in-flight NBL besides the packet\n", WfpsimLifecycleBytesPerNbl());
}
