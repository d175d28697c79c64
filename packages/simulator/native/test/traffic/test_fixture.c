/*
 * test_fixture.c - a real loopback capture (test/fixtures/loopback.pcap and
 * its pcapng conversion, see test/fixtures/README.md) read through the reader
 * and the reassembler. Usage: test_fixture FIXTURE_DIR
 */
#include "test_util.h"

typedef struct seen {
    uint64_t h, events;
    int opens, fin_closes, v6_flows;
    tbuf client[8];
    int n;
} seen;

static void mixb(seen *s, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        s->h = (s->h ^ b[i]) * 1099511628211ull;
}

static void on_open(void *u, ws_tcp_flow *f, const ws_flow_tuple *t, uint64_t ts)
{
    seen *s = u;
    s->events++;
    s->opens++;
    s->v6_flows += t->ip_version == 6;
    mixb(s, t, sizeof *t);
    mixb(s, &ts, sizeof ts);
    ws_tcp_flow_set_user(f, s->n < 8 ? &s->client[s->n++] : NULL);
}
static void on_data(void *u, ws_tcp_flow *f, ws_direction d, uint64_t off, const uint8_t *b,
                    size_t n, uint64_t ts, uint8_t flags)
{
    seen *s = u;
    s->events++;
    mixb(s, &d, sizeof d);
    mixb(s, &off, sizeof off);
    mixb(s, &ts, sizeof ts);
    mixb(s, &flags, 1);
    if (n)
        mixb(s, b, n);
    tbuf *c = ws_tcp_flow_get_user(f);
    if (c && d == WS_DIR_OUTBOUND && n)
        tb_put(c, b, n);
}
static void on_packet(void *u, ws_tcp_flow *f, ws_direction d, const uint8_t *ip, size_t n,
                      uint64_t ts, const ws_pcap_packet *info)
{
    seen *s = u;
    (void)f;
    (void)info;
    s->events++;
    mixb(s, &d, sizeof d);
    mixb(s, &ts, sizeof ts);
    mixb(s, ip, n);
}
static void on_close(void *u, ws_tcp_flow *f, ws_close_reason r, uint64_t ts)
{
    seen *s = u;
    (void)f;
    s->events++;
    s->fin_closes += r == WS_CLOSE_FIN;
    mixb(s, &r, sizeof r);
    mixb(s, &ts, sizeof ts);
}

static int contains(const tbuf *b, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= b->len; i++)
        if (memcmp(b->p + i, s, k) == 0)
            return 1;
    return 0;
}

static void run(const char *path, seen *s, ws_pcap_format want)
{
    memset(s, 0, sizeof *s);
    s->h = 1469598103934665603ull;
    ws_tcp_callbacks cb = {s, on_open, on_data, on_packet, on_close};
    ws_tcp *t = ws_tcp_create(NULL, &cb);
    ws_pcap_reader *r = NULL;
    ws_pcap_error err;
    int rc = ws_pcap_open_file(&r, path, 0, &err);
    CHECK_EQ(rc, 0);
    if (rc) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        ws_tcp_destroy(t);
        return;
    }
    CHECK_EQ(ws_pcap_get_format(r), want);
    CHECK_EQ(ws_pcap_get_linktype(r), WS_LINKTYPE_ETHERNET);
    CHECK_EQ(ws_tcp_run_capture(t, r, 0, &err), 0);
    const ws_tcp_stats *st = ws_tcp_get_stats(t);
    CHECK_EQ(st->packets, 44);
    CHECK_EQ(st->tcp_packets, 44);
    CHECK_EQ(st->missed_bytes, 0);
    CHECK_EQ(st->flows_mid_stream, 0);
    ws_pcap_close(r);
    ws_tcp_destroy(t);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_fixture FIXTURE_DIR\n");
        return 2;
    }
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/loopback.pcap", argv[1]);
    snprintf(p2, sizeof p2, "%s/loopback.pcapng", argv[1]);
    seen a, b;
    run(p1, &a, WS_PCAP_FORMAT_PCAP_US);
    run(p2, &b, WS_PCAP_FORMAT_PCAPNG);
    CHECK_EQ(a.opens, 3);
    CHECK_EQ(a.fin_closes, 3);
    CHECK_EQ(a.v6_flows, 1);
    CHECK_EQ(a.events, b.events);
    CHECK_EQ(a.h, b.h); /* pcap and pcapng of the same packets: identical events */
    int host4 = 0, host6 = 0, sni = 0;
    for (int i = 0; i < a.n; i++) {
        host4 |= contains(&a.client[i], "\r\nHost: wfpkit.test:18080\r\n");
        host6 |= contains(&a.client[i], "\r\nHost: v6.wfpkit.test\r\n");
        if (a.client[i].len > 5 && a.client[i].p[0] == 0x16)
            sni |= contains(&a.client[i], "fixture.wfpkit.test");
    }
    CHECK(host4);
    CHECK(host6);
    CHECK(sni);
    for (int i = 0; i < 8; i++) {
        tb_free(&a.client[i]);
        tb_free(&b.client[i]);
    }
    return t_summary();
}
