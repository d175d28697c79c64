/*
 * classify_traffic.c - traffic through the stack model: the traffic module's callbacks
 * (traffic.h) drive ALE_FLOW_ESTABLISHED, STREAM and TRANSPORT classifies, flow close removes
 * the flow's contexts, and capture timestamps drive the virtual clock.
 *
 * Metadata supplied per layer (modelled where the docs give no per-layer list):
 *  - ALE_FLOW_ESTABLISHED: FLOW_HANDLE, PROCESS_ID, PROCESS_PATH (FWP_BYTE_BLOB of the UTF-16
 *    path with its terminator, the same bytes as the ALE_APP_ID value), PACKET_DIRECTION;
 *  - STREAM: FLOW_HANDLE; layerData = FWPS_STREAM_CALLOUT_IO_PACKET0;
 *  - INBOUND/OUTBOUND_TRANSPORT: FLOW_HANDLE (TCP packets of a known flow), IP_HEADER_SIZE,
 *    TRANSPORT_HEADER_SIZE, PACKET_DIRECTION; layerData = the packet's NET_BUFFER_LIST, its data
 *    starting at the transport header (outbound) or after it (inbound).
 * Not modelled: USER_ID / REMOTE_USER_ID / REMOTE_MACHINE_ID values (FWP_EMPTY), the
 * NEED_MORE_DATA / DEFER stream actions (the next indication carries only new bytes),
 * UDP flows (datagram layers), IP packet layers.
 */
#include <stdlib.h>

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
    UINT64 luid;
} run_ctx;

static wfpsim_run_stats g_stats;
static pthread_mutex_t g_run_mutex = PTHREAD_MUTEX_INITIALIZER; /* one run at a time */
static ws_pcap_error g_last_error;                              /* of the last run (g_run_mutex) */
static UINT64 *g_deferred;                                      /* WFPSIM_RUN_DEFER_FLOW_CLOSE flows */
static size_t g_ndeferred, g_deferred_cap;

static const char k_default_app[] = "\\device\\harddiskvolume3\\windows\\system32\\wfpsim-app.exe";

void WfpsimRunStats(wfpsim_run_stats *out)
{
    if (out)
        *out = g_stats;
}

static void set_clock(uint64_t ts)
{
    WfpsimClockSetVirtual(ts + UNIX_TO_FILETIME);
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

static UINT32 fill_common(values_buf *b, UINT16 layer, const ws_flow_tuple *t, int inbound, UINT64 luid)
{
    UINT32 n = ws_k_field_count(layer);
    memset(b->v, 0, sizeof b->v);
    set_addr(b->v, ws_k_field_index(layer, "IP_LOCAL_ADDRESS"), t, t->local_addr, &b->local);
    set_addr(b->v, ws_k_field_index(layer, "IP_REMOTE_ADDRESS"), t, t->remote_addr, &b->remote);
    set_u8(b->v, ws_k_field_index(layer, "IP_LOCAL_ADDRESS_TYPE"), 1);       /* NlatUnicast */
    set_u8(b->v, ws_k_field_index(layer, "IP_DESTINATION_ADDRESS_TYPE"), 1); /* NlatUnicast */
    set_u16(b->v, ws_k_field_index(layer, "IP_LOCAL_PORT"), t->local_port);
    set_u16(b->v, ws_k_field_index(layer, "IP_REMOTE_PORT"), t->remote_port);
    set_u8(b->v, ws_k_field_index(layer, "IP_PROTOCOL"), t->protocol);
    set_u32(b->v, ws_k_field_index(layer, "DIRECTION"), inbound ? FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND);
    set_u32(b->v, ws_k_field_index(layer, "INTERFACE_TYPE"), 6); /* IF_TYPE_ETHERNET_CSMACD */
    set_u32(b->v, ws_k_field_index(layer, "TUNNEL_TYPE"), 0);
    set_u32(b->v, ws_k_field_index(layer, "INTERFACE_INDEX"), 1);
    set_u32(b->v, ws_k_field_index(layer, "SUB_INTERFACE_INDEX"), 1);
    set_u32(b->v, ws_k_field_index(layer, "CURRENT_PROFILE_ID"), 1);
    int loop = (t->ip_version == 4 && t->remote_addr[0] == 127);
    set_u32(b->v, ws_k_field_index(layer, "FLAGS"), loop ? FWP_CONDITION_FLAG_IS_LOOPBACK : 0);
    int li = ws_k_field_index(layer, "IP_LOCAL_INTERFACE");
    if (li >= 0) {
        b->luid = luid;
        b->v[li].value.type = FWP_UINT64;
        b->v[li].value.uint64 = &b->luid;
    }
    return n;
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
    set_clock(ts);
    run_flow *f = calloc(1, sizeof *f);
    if (!f)
        return;
    f->tuple = *t;
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
    set_clock(ts);
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

static void on_packet(void *user, ws_tcp_flow *flow, ws_direction dir, const uint8_t *ip, size_t len, uint64_t ts,
                      const ws_pcap_packet *info)
{
    run_ctx *rc = user;
    set_clock(ts);
    if (rc->opt.flags & WFPSIM_RUN_NO_PACKETS)
        return;
    if (!info || info->decode != WS_DECODE_OK || (info->protocol != WS_IPPROTO_TCP && info->protocol != WS_IPPROTO_UDP))
        return;
    if (info->flags & WS_PKT_FRAGMENT)
        return;
    run_flow *f = flow ? ws_tcp_flow_get_user(flow) : NULL;
    int inbound = dir == WS_DIR_INBOUND;
    ws_flow_tuple t;
    memset(&t, 0, sizeof t);
    t.ip_version = info->ip_version;
    t.protocol = info->protocol;
    memcpy(t.local_addr, inbound ? info->dst : info->src, 16);
    memcpy(t.remote_addr, inbound ? info->src : info->dst, 16);
    t.local_port = inbound ? info->dport : info->sport;
    t.remote_port = inbound ? info->sport : info->dport;
    UINT16 layer = inbound ? (t.ip_version == 4 ? FWPS_LAYER_INBOUND_TRANSPORT_V4 : FWPS_LAYER_INBOUND_TRANSPORT_V6)
                           : (t.ip_version == 4 ? FWPS_LAYER_OUTBOUND_TRANSPORT_V4 : FWPS_LAYER_OUTBOUND_TRANSPORT_V6);
    UINT32 th = info->protocol == WS_IPPROTO_TCP ? info->tcp_header_len : 8;
    size_t start = info->ip_header_len + (inbound ? th : 0);
    if (start > len)
        return;
    NET_BUFFER_LIST *nbl = ws_k_nbl_chain_build(ip + start, len - start, len - start + 1);
    if (!nbl)
        return;
    values_buf b;
    UINT32 n = fill_common(&b, layer, &t, inbound, rc->luid);
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    meta.currentMetadataValues = FWPS_METADATA_FIELD_IP_HEADER_SIZE | FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE |
                                 FWPS_METADATA_FIELD_PACKET_DIRECTION;
    meta.ipHeaderSize = info->ip_header_len;
    meta.transportHeaderSize = th;
    meta.packetDirection = inbound ? FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND;
    if (f) {
        meta.currentMetadataValues |= FWPS_METADATA_FIELD_FLOW_HANDLE;
        meta.flowHandle = f->flowId;
    }
    ws_k_classify_result r;
    ws_k_classify(layer, b.v, n, &meta, nbl, f ? f->flowId : 0, &r);
    g_stats.packet_classifies++;
    count_result(&r);
    ws_k_nbl_chain_free(nbl); /* modelled: the packet leaves the stack right after the classify */
}

static void on_flow_close(void *user, ws_tcp_flow *flow, ws_close_reason reason, uint64_t ts)
{
    (void)reason;
    set_clock(ts);
    run_flow *f = ws_tcp_flow_get_user(flow);
    if (!f)
        return;
    run_ctx *rc = user;
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
        if (o->struct_size < sizeof *o)
            return -1;
        rc->opt = *o;
    }
    rc->luid = 0x0006000000000001ULL; /* modelled: one Ethernet interface */
    memset(&g_stats, 0, sizeof g_stats);
    memset(&g_last_error, 0, sizeof g_last_error);
    cb->user = rc;
    cb->flow_open = on_flow_open;
    cb->stream_data = on_stream;
    cb->packet = on_packet;
    cb->flow_close = on_flow_close;
    return 0;
}

int32_t WfpsimRunCapture(const char *path, const wfpsim_run_options *options)
{
    run_ctx rc;
    ws_tcp_callbacks cb;
    if (!path || begin(&rc, options, &cb) != 0)
        return WS_PCAP_E_ARG;
    pthread_mutex_lock(&g_run_mutex);
    memset(&g_last_error, 0, sizeof g_last_error);
    ws_pcap_error err;
    memset(&err, 0, sizeof err);
    ws_pcap_reader *r = NULL;
    int rcode = ws_pcap_open_file(&r, path, 0, &err);
    if (rcode == WS_PCAP_OK) {
        ws_tcp *t = ws_tcp_create(NULL, &cb);
        if (!t) {
            rcode = WS_PCAP_E_NOMEM;
        } else {
            rcode = ws_tcp_run_capture(t, r, !(rc.opt.flags & WFPSIM_RUN_REJECT_TRUNCATED), &err);
            ws_tcp_destroy(t);
        }
        ws_pcap_close(r);
    }
    if (err.code != WS_PCAP_OK)
        g_last_error = err;
    if (!(rc.opt.flags & WFPSIM_RUN_KEEP_CLOCK))
        WfpsimClockUseReal();
    pthread_mutex_unlock(&g_run_mutex);
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
    pthread_mutex_lock(&g_run_mutex);
    memset(&g_last_error, 0, sizeof g_last_error);
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
    ws_gen *g = ws_gen_create(&cfg);
    int32_t res = WS_PCAP_E_NOMEM;
    if (g) {
        res = ws_gen_run_callbacks(g, NULL, &cb) == 0 ? 0 : WS_PCAP_E_NOMEM;
        ws_gen_destroy(g);
    }
    if (!(rc.opt.flags & WFPSIM_RUN_KEEP_CLOCK))
        WfpsimClockUseReal();
    pthread_mutex_unlock(&g_run_mutex);
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
