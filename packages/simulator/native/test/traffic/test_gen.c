/*
 * test_gen.c - the seeded generator: same seed -> byte-identical pcap,
 * different seed -> different bytes; the callback run equals reading the
 * written pcap back; real-looking hellos (SNI, Host); MSS-sized segments;
 * monotonic virtual time; the app rule; FIN / RST endings.
 */
#include "test_util.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    tbuf b = {0};
    uint8_t tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        tb_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return b.p;
}

static void app_rule(void *user, ws_gen_flow_desc *d)
{
    (void)user;
    d->pid = 100 + d->index;
    if (d->proto == WS_GEN_SSH)
        snprintf(d->app, sizeof d->app, "putty.exe");
}

static ws_gen_config config(uint64_t seed)
{
    ws_gen_config c;
    memset(&c, 0, sizeof c);
    c.seed = seed;
    c.flows = 40;
    c.ipv6_percent = 40;
    c.inbound_percent = 20;
    c.rst_percent = 15;
    c.min_bytes = 100;
    c.max_bytes = 40000;
    c.app_rule = app_rule;
    return c;
}

static int contains(const uint8_t *b, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, s, k) == 0)
            return 1;
    return 0;
}

/* ---- event digest ------------------------------------------------------------------ */

typedef struct flowrec {
    const ws_gen_flow_desc *d;
    uint64_t out_bytes, in_bytes;
    uint8_t first_out[512];
    size_t first_out_len;
    int closed, reason;
} flowrec;

typedef struct digest {
    uint64_t h;
    uint64_t events, packets, opens, closes;
    const ws_gen *g;
    flowrec recs[64];
    int nrecs;
    uint32_t max_payload[2]; /* by ip version index: [0] v4, [1] v6 */
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        d->h ^= b[i];
        d->h *= 1099511628211ull;
    }
}
static void mix64(digest *d, uint64_t v) { mix(d, &v, sizeof v); }

static void d_open(void *u, ws_tcp_flow *f, const ws_flow_tuple *t, uint64_t ts)
{
    digest *d = u;
    d->events++;
    d->opens++;
    mix(d, t, sizeof *t);
    mix64(d, ts);
    if (d->nrecs < 64) {
        flowrec *r = &d->recs[d->nrecs++];
        memset(r, 0, sizeof *r);
        r->d = d->g ? ws_gen_find(d->g, t) : NULL;
        ws_tcp_flow_set_user(f, r);
    }
}
static void d_data(void *u, ws_tcp_flow *f, ws_direction dir, uint64_t off, const uint8_t *b,
                   size_t n, uint64_t ts, uint8_t flags)
{
    digest *d = u;
    d->events++;
    mix64(d, dir);
    mix64(d, off);
    mix64(d, ts);
    mix64(d, flags);
    if (n)
        mix(d, b, n);
    flowrec *r = ws_tcp_flow_get_user(f);
    if (!r)
        return;
    if (dir == WS_DIR_OUTBOUND) {
        if (n && r->out_bytes < sizeof r->first_out) {
            size_t k = n < sizeof r->first_out - r->out_bytes ? n : sizeof r->first_out - r->out_bytes;
            memcpy(r->first_out + r->out_bytes, b, k);
            r->first_out_len += k;
        }
        r->out_bytes += n;
    } else {
        r->in_bytes += n;
    }
}
static void d_packet(void *u, ws_tcp_flow *f, ws_direction dir, const uint8_t *ip, size_t n,
                     uint64_t ts, const ws_pcap_packet *info)
{
    digest *d = u;
    (void)f;
    d->events++;
    d->packets++;
    mix64(d, dir);
    mix64(d, ts);
    mix(d, ip, n);
    uint32_t *m = &d->max_payload[info->ip_version == 6];
    if (info->payload_len > *m)
        *m = info->payload_len;
}
static void d_close(void *u, ws_tcp_flow *f, ws_close_reason why, uint64_t ts)
{
    digest *d = u;
    d->events++;
    d->closes++;
    mix64(d, why);
    mix64(d, ts);
    flowrec *r = ws_tcp_flow_get_user(f);
    if (r) {
        r->closed = 1;
        r->reason = why;
    }
}

static ws_tcp_callbacks digest_cb(digest *d)
{
    ws_tcp_callbacks cb = {d, d_open, d_data, d_packet, d_close};
    return cb;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_determinism(void)
{
    const char *p1 = "test_gen_a.tmp.pcap", *p2 = "test_gen_b.tmp.pcap", *p3 = "test_gen_c.tmp.pcap";
    ws_gen_config c = config(42);
    ws_gen *g1 = ws_gen_create(&c), *g2 = ws_gen_create(&c);
    c.seed = 43;
    ws_gen *g3 = ws_gen_create(&c);
    CHECK(g1 && g2 && g3);
    CHECK_EQ(ws_gen_write_pcap(g1, p1, WS_LINKTYPE_ETHERNET), 0);
    CHECK_EQ(ws_gen_write_pcap(g2, p2, WS_LINKTYPE_ETHERNET), 0);
    CHECK_EQ(ws_gen_write_pcap(g3, p3, WS_LINKTYPE_ETHERNET), 0);
    CHECK(ws_gen_write_pcap(g1, p1, WS_LINKTYPE_ETHERNET) != 0); /* a ws_gen runs once */
    size_t n1 = 0, n2 = 0, n3 = 0;
    uint8_t *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2), *b3 = slurp(p3, &n3);
    CHECK(b1 && b2 && b3);
    CHECK(n1 > 10000);
    CHECK(n1 == n2 && b1 && b2 && memcmp(b1, b2, n1) == 0);
    CHECK(b1 && b3 && (n1 != n3 || memcmp(b1, b3, n1) != 0));
    free(b1); free(b2); free(b3);
    ws_gen_destroy(g1); ws_gen_destroy(g2); ws_gen_destroy(g3);
    remove(p2);
    remove(p3);
}

static void test_callbacks_equal_pcap(void)
{
    const char *path = "test_gen_a.tmp.pcap"; /* written by test_determinism with seed 42 */
    ws_gen_config c = config(42);
    ws_gen *g = ws_gen_create(&c);
    digest direct;
    memset(&direct, 0, sizeof direct);
    direct.h = 1469598103934665603ull;
    direct.g = g;
    ws_tcp_callbacks cb = digest_cb(&direct);
    CHECK_EQ(ws_gen_run_callbacks(g, NULL, &cb), 0);
    CHECK_EQ(direct.opens, c.flows);
    CHECK_EQ(direct.closes, c.flows);

    digest replay;
    memset(&replay, 0, sizeof replay);
    replay.h = 1469598103934665603ull;
    cb = digest_cb(&replay);
    ws_tcp_config tc = {0};
    tc.is_local = ws_gen_is_local;
    ws_tcp *t = ws_tcp_create(&tc, &cb);
    ws_pcap_reader *r;
    ws_pcap_error err;
    CHECK_EQ(ws_pcap_open_file(&r, path, 0, &err), 0);
    CHECK_EQ(ws_tcp_run_capture(t, r, 0, &err), 0);
    CHECK_EQ(replay.events, direct.events);
    CHECK_EQ(replay.h, direct.h);
    const ws_tcp_stats *s = ws_tcp_get_stats(t);
    CHECK_EQ(s->missed_bytes, 0);
    CHECK_EQ(s->duplicate_bytes, 0);
    CHECK_EQ(s->ooo_segments, 0);
    CHECK_EQ(s->flows_mid_stream, 0);
    ws_tcp_destroy(t);
    ws_pcap_close(r);
    remove(path);

    /* per flow: direction, ending, hello bytes, app rule */
    CHECK_EQ(direct.max_payload[0], 1460);
    CHECK_EQ(direct.max_payload[1], 1440);
    int rst = 0, tls = 0, http = 0, inbound = 0;
    for (int i = 0; i < direct.nrecs; i++) {
        flowrec *fr = &direct.recs[i];
        CHECK(fr->d != NULL);
        if (!fr->d)
            continue;
        const ws_gen_flow_desc *d = fr->d;
        CHECK_EQ(d->pid, 100 + d->index);
        CHECK(fr->closed);
        CHECK_EQ(fr->reason, d->closed_by_rst ? WS_CLOSE_RST : WS_CLOSE_FIN);
        rst += d->closed_by_rst;
        inbound += !d->tuple.outbound;
        /* the client's bytes: outbound for outbound flows, inbound otherwise */
        if (!d->tuple.outbound)
            continue;
        const uint8_t *b = fr->first_out;
        if (d->proto == WS_GEN_TLS || d->proto == WS_GEN_HTTP2) {
            tls++;
            CHECK(fr->first_out_len > 100 && b[0] == 0x16 && b[1] == 3 && b[5] == 1);
            CHECK(contains(b, fr->first_out_len, d->name));
            if (d->proto == WS_GEN_HTTP2)
                CHECK(strcmp(d->alpn, "h2,http/1.1") == 0);
        } else if (d->proto == WS_GEN_HTTP1) {
            http++;
            char host[128];
            snprintf(host, sizeof host, "\r\nHost: %s\r\n", d->name);
            CHECK(contains(b, fr->first_out_len, host));
        } else if (d->proto == WS_GEN_SSH) {
            CHECK(memcmp(b, "SSH-2.0-", 8) == 0);
            CHECK_STR(d->app, "putty.exe");
        }
    }
    CHECK(rst > 0);
    CHECK(tls > 0);
    CHECK(http > 0);
    CHECK(inbound > 0);
    ws_gen_destroy(g);
}

typedef struct order_ctx {
    uint64_t last, n;
    int monotonic;
} order_ctx;

static void order_sink(void *u, uint64_t ts, const uint8_t *ip, uint32_t len)
{
    order_ctx *o = u;
    (void)ip;
    (void)len;
    if (ts < o->last)
        o->monotonic = 0;
    o->last = ts;
    o->n++;
}

static void test_time_and_protocol_choice(void)
{
    static const ws_gen_proto only_ssh[] = {WS_GEN_SSH};
    static const char *const names[] = {"only.example"};
    ws_gen_config c = config(7);
    c.protos = only_ssh;
    c.nprotos = 1;
    c.names = names;
    c.nnames = 1;
    c.flows = 10;
    ws_gen *g = ws_gen_create(&c);
    for (uint32_t i = 0; i < ws_gen_flow_count(g); i++) {
        CHECK_EQ(ws_gen_flow(g, i)->proto, WS_GEN_SSH);
        CHECK(ws_gen_flow(g, i)->name == NULL);
        if (i)
            CHECK(ws_gen_flow(g, i)->start_ts >= ws_gen_flow(g, i - 1)->start_ts);
    }
    CHECK(ws_gen_flow(g, 10) == NULL);
    order_ctx o = {0, 0, 1};
    CHECK_EQ(ws_gen_run(g, order_sink, &o), 0);
    CHECK(o.monotonic);
    CHECK(o.n > 10 * 10);
    ws_gen_destroy(g);
}

int main(void)
{
    test_determinism();
    test_callbacks_equal_pcap();
    test_time_and_protocol_choice();
    return t_summary();
}
