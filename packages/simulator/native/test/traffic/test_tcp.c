/*
 * test_tcp.c - TCP reassembly and the event interface: handshake, in-order and
 * out-of-order delivery, retransmissions and overlaps (first data wins),
 * mid-stream starts, FIN / RST / idle / end of capture, the local rule,
 * stray packets after close, sequence wrap, snaplen-cut segments, and the
 * flow and out-of-order caps.
 */
#include "test_util.h"

/* ---- event log ------------------------------------------------------------------- */

static char logbuf[1 << 16];
static size_t loglen;
static int log_packets;
static uintptr_t next_id;

static void logf_(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
#include <stdarg.h>
static void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof logbuf - loglen)
        loglen += (size_t)n;
}

static void reset_log(int packets)
{
    loglen = 0;
    logbuf[0] = '\0';
    log_packets = packets;
    next_id = 0;
}

static uintptr_t fid(const ws_tcp_flow *f) { return f ? (uintptr_t)ws_tcp_flow_get_user(f) : 0; }
static const char *dname(ws_direction d) { return d == WS_DIR_OUTBOUND ? "out" : "in"; }

static void on_open(void *u, ws_tcp_flow *f, const ws_flow_tuple *t, uint64_t ts)
{
    (void)u;
    ws_tcp_flow_set_user(f, (void *)++next_id);
    logf_("open#%lu %s%s %u.%u.%u.%u:%u-%u.%u.%u.%u:%u @%llu\n", (unsigned long)fid(f),
          t->outbound ? "outbound" : "inbound", t->mid_stream ? " mid" : "", t->local_addr[0],
          t->local_addr[1], t->local_addr[2], t->local_addr[3], t->local_port, t->remote_addr[0],
          t->remote_addr[1], t->remote_addr[2], t->remote_addr[3], t->remote_port,
          (unsigned long long)ts);
}

static void on_data(void *u, ws_tcp_flow *f, ws_direction d, uint64_t off, const uint8_t *b,
                    size_t n, uint64_t ts, uint8_t flags)
{
    (void)u;
    if (!n) {
        logf_("%s#%lu %s @%llu off=%llu\n", flags == WS_TCP_FIN ? "fin" : flags == WS_TCP_RST ? "rst" : "??",
              (unsigned long)fid(f), dname(d), (unsigned long long)ts, (unsigned long long)off);
        return;
    }
    logf_("data#%lu %s @%llu off=%llu '%.*s'\n", (unsigned long)fid(f), dname(d),
          (unsigned long long)ts, (unsigned long long)off, (int)n, (const char *)b);
}

static void on_packet(void *u, ws_tcp_flow *f, ws_direction d, const uint8_t *ip, size_t n,
                      uint64_t ts, const ws_pcap_packet *info)
{
    (void)u;
    (void)ip;
    if (log_packets)
        logf_("pkt#%lu %s @%llu len=%zu proto=%u\n", (unsigned long)fid(f), dname(d),
              (unsigned long long)ts, n, info->protocol);
}

static void on_close(void *u, ws_tcp_flow *f, ws_close_reason r, uint64_t ts)
{
    (void)u;
    static const char *names[] = {"?", "FIN", "RST", "IDLE", "END"};
    logf_("close#%lu %s @%llu\n", (unsigned long)fid(f), names[r], (unsigned long long)ts);
}

static const ws_tcp_callbacks CB = {NULL, on_open, on_data, on_packet, on_close};

/* feed an IPv4 TCP packet from A (10.0.0.2) or B (192.0.2.7) */
#define AB 1 /* A -> B */
#define BA 0 /* B -> A */
static void tcp(ws_tcp *t, uint64_t ts, int a_to_b, unsigned aport, unsigned bport, uint32_t seq,
                uint32_t ack, unsigned flags, const char *payload)
{
    size_t n = payload ? strlen(payload) : 0;
    tbuf b = a_to_b ? ip4_tcp(A4, B4, aport, bport, seq, ack, flags, payload, n)
                    : ip4_tcp(B4, A4, bport, aport, seq, ack, flags, payload, n);
    ws_pcap_packet p;
    memset(&p, 0, sizeof p);
    p.ts_100ns = ts;
    ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, b.p, (uint32_t)b.len, (uint32_t)b.len);
    ws_tcp_input(t, &p);
    tb_free(&b);
}

#define S WS_TCP_SYN
#define A WS_TCP_ACK
#define F WS_TCP_FIN
#define R WS_TCP_RST
#define P WS_TCP_PSH

/* ---- tests ------------------------------------------------------------------------- */

static void test_basic_fin(void)
{
    reset_log(1);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    tcp(t, 10, AB, 50000, 443, 100, 0, S, NULL);
    tcp(t, 20, BA, 50000, 443, 900, 101, S | A, NULL);
    tcp(t, 30, AB, 50000, 443, 101, 901, A, NULL);
    tcp(t, 40, AB, 50000, 443, 101, 901, A | P, "hello");
    tcp(t, 50, BA, 50000, 443, 901, 106, A | P, "world!");
    tcp(t, 60, AB, 50000, 443, 106, 907, F | A, NULL);
    tcp(t, 70, BA, 50000, 443, 907, 107, F | A, NULL);
    tcp(t, 80, AB, 50000, 443, 107, 908, A, NULL); /* trailing ACK: stray, no new flow */
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:50000-192.0.2.7:443 @10\n"
              "pkt#1 out @10 len=40 proto=6\n"
              "pkt#1 in @20 len=40 proto=6\n"
              "pkt#1 out @30 len=40 proto=6\n"
              "pkt#1 out @40 len=45 proto=6\n"
              "data#1 out @40 off=0 'hello'\n"
              "pkt#1 in @50 len=46 proto=6\n"
              "data#1 in @50 off=0 'world!'\n"
              "pkt#1 out @60 len=40 proto=6\n"
              "fin#1 out @60 off=5\n"
              "pkt#1 in @70 len=40 proto=6\n"
              "fin#1 in @70 off=6\n"
              "close#1 FIN @70\n"
              "pkt#0 out @80 len=40 proto=6\n");
    const ws_tcp_stats *s = ws_tcp_get_stats(t);
    CHECK_EQ(s->flows_opened, 1);
    CHECK_EQ(s->flows_closed[WS_CLOSE_FIN], 1);
    CHECK_EQ(s->stray_packets, 1);
    CHECK_EQ(s->delivered_bytes, 11);
    CHECK_EQ(ws_tcp_live_flows(t), 0);
    ws_tcp_destroy(t);
}

static void test_ooo_retransmit_overlap(void)
{
    reset_log(0);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    tcp(t, 1, AB, 50001, 80, 0, 0, S, NULL);
    tcp(t, 2, AB, 50001, 80, 1 + 10, 0, A, "KLMNO");        /* [10,15) early */
    tcp(t, 3, AB, 50001, 80, 1 + 20, 0, A, "UVWXY");        /* [20,25) early */
    tcp(t, 4, AB, 50001, 80, 1 + 5, 0, A, "fghijklmnopqrstu"); /* [5,21): fills 15..20, overlaps */
    tcp(t, 5, AB, 50001, 80, 1, 0, A, "abcde");             /* [0,5): releases everything */
    tcp(t, 6, AB, 50001, 80, 1, 0, A, "ABCDEFG");           /* retransmission over delivered [0,7) */
    tcp(t, 7, AB, 50001, 80, 1 + 23, 0, A, "yz+");          /* [23,26): overlap with delivered, 1 new */
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:50001-192.0.2.7:80 @1\n"
              "data#1 out @5 off=0 'abcde'\n"
              "data#1 out @5 off=5 'fghij'\n"
              "data#1 out @5 off=10 'KLMNO'\n"
              "data#1 out @5 off=15 'pqrst'\n"
              "data#1 out @5 off=20 'UVWXY'\n"
              "data#1 out @7 off=25 '+'\n"
              "close#1 END @7\n");
    const ws_tcp_stats *s = ws_tcp_get_stats(t);
    CHECK_EQ(s->ooo_segments, 3);
    CHECK_EQ(s->duplicate_bytes, 5 + 1 + 7 + 2); /* KLMNO and U overlapped, ABCDEFG, yz */
    CHECK_EQ(s->delivered_bytes, 26);
    CHECK_EQ(s->missed_bytes, 0);
    ws_tcp_destroy(t);
}

static void test_mid_stream(void)
{
    reset_log(0);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    /* first packet from the server (lower port): the client (higher port) is local */
    tcp(t, 100, BA, 51000, 443, 5000, 7000, A, "resp");
    tcp(t, 110, AB, 51000, 443, 7000, 5004, A, "req");
    tcp(t, 120, BA, 51000, 443, 5004, 7003, A, "more");
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "open#1 outbound mid 10.0.0.2:51000-192.0.2.7:443 @100\n"
              "data#1 in @100 off=0 'resp'\n"
              "data#1 out @110 off=0 'req'\n"
              "data#1 in @120 off=4 'more'\n"
              "close#1 END @120\n");
    CHECK_EQ(ws_tcp_get_stats(t)->flows_mid_stream, 1);
    /* a pure ACK of no flow opens nothing */
    reset_log(1);
    tcp(t, 130, AB, 51001, 443, 1, 1, A, NULL);
    CHECK_STR(logbuf, "pkt#0 out @130 len=40 proto=6\n");
    ws_tcp_destroy(t);
}

static int rule_b_local(void *u, uint8_t v, const uint8_t addr[16], uint16_t port)
{
    (void)u;
    (void)port;
    return v == 4 && addr[0] == 192;
}

static void test_local_rule_and_rst(void)
{
    reset_log(0);
    ws_tcp_config cfg = {0};
    cfg.is_local = rule_b_local;
    ws_tcp *t = ws_tcp_create(&cfg, &CB);
    tcp(t, 1, AB, 50002, 22, 10, 0, S, NULL);
    tcp(t, 2, BA, 50002, 22, 90, 11, S | A, NULL);
    tcp(t, 3, AB, 50002, 22, 11, 91, A, "SSH-2.0-x\r\n");
    tcp(t, 4, AB, 50002, 22, 11 + 20, 91, A, "later"); /* out of order, discarded by RST */
    tcp(t, 5, BA, 50002, 22, 91, 22, R | A, NULL);
    tcp(t, 6, AB, 50002, 22, 22, 91, A, "zzz");         /* after close: stray, no flow */
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "open#1 inbound 192.0.2.7:22-10.0.0.2:50002 @1\n"
              "data#1 in @3 off=0 'SSH-2.0-x\r\n'\n"
              "rst#1 out @5 off=0\n"
              "close#1 RST @5\n");
    const ws_tcp_stats *s = ws_tcp_get_stats(t);
    CHECK_EQ(s->discarded_bytes, 5);
    CHECK_EQ(s->stray_packets, 1);
    CHECK_EQ(s->flows_closed[WS_CLOSE_RST], 1);
    /* port reuse: a new SYN replaces the closed record */
    reset_log(0);
    tcp(t, 7, AB, 50002, 22, 5000, 0, S, NULL);
    ws_tcp_finish(t);
    CHECK_STR(logbuf, "open#1 inbound 192.0.2.7:22-10.0.0.2:50002 @7\nclose#1 END @7\n");
    ws_tcp_destroy(t);
}

static void test_idle_and_half_close(void)
{
    reset_log(0);
    ws_tcp_config cfg = {0};
    cfg.idle_timeout = 1000;
    ws_tcp *t = ws_tcp_create(&cfg, &CB);
    tcp(t, 0, AB, 50003, 80, 0, 0, S, NULL);
    tcp(t, 100, AB, 50003, 80, 1, 0, A | F, "bye");   /* client half-closes */
    tcp(t, 200, AB, 50004, 80, 0, 0, S, NULL);        /* second flow */
    tcp(t, 700, AB, 50004, 80, 1, 0, A, "x");
    tcp(t, 1150, AB, 50004, 80, 2, 0, A, "y");        /* flow 1 idle since 100: closed at 1100 */
    tcp(t, 1100, AB, 50004, 80, 3, 0, A, "z");        /* time going back is clamped to 1150 */
    ws_tcp_advance(t, 5000);                          /* flow 2 idle since 1150: closed at 2150 */
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:50003-192.0.2.7:80 @0\n"
              "data#1 out @100 off=0 'bye'\n"
              "fin#1 out @100 off=3\n"
              "open#2 outbound 10.0.0.2:50004-192.0.2.7:80 @200\n"
              "data#2 out @700 off=0 'x'\n"
              "close#1 IDLE @1100\n"
              "data#2 out @1150 off=1 'y'\n"
              "data#2 out @1150 off=2 'z'\n"
              "close#2 IDLE @2150\n");
    CHECK_EQ(ws_tcp_get_stats(t)->flows_closed[WS_CLOSE_IDLE], 2);
    ws_tcp_destroy(t);
}

static void test_fin_out_of_order_and_wrap(void)
{
    reset_log(0);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    uint32_t isn = 0xfffffffcu; /* data crosses 2^32 */
    tcp(t, 1, AB, 50005, 443, isn, 0, S, NULL);
    tcp(t, 2, BA, 50005, 443, 0x7fffffffu, isn + 1, S | A, NULL);
    tcp(t, 3, AB, 50005, 443, isn + 1 + 4, 0, A | F, "4567");  /* data + FIN before the gap fills */
    tcp(t, 4, AB, 50005, 443, isn + 1, 0, A, "0123");
    tcp(t, 5, BA, 50005, 443, 0x80000000u, isn + 10, A | F, NULL);
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:50005-192.0.2.7:443 @1\n"
              "data#1 out @4 off=0 '0123'\n"
              "data#1 out @4 off=4 '4567'\n"
              "fin#1 out @4 off=8\n"
              "fin#1 in @5 off=0\n"
              "close#1 FIN @5\n");
    ws_tcp_destroy(t);
}

static void test_data_beyond_fin_and_rst_after_fin(void)
{
    reset_log(0);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    tcp(t, 1, AB, 50008, 80, 0, 0, S, NULL);
    tcp(t, 2, AB, 50008, 80, 1 + 5, 0, A, "xyz");      /* buffered, but lies past the FIN */
    tcp(t, 3, AB, 50008, 80, 1, 0, A | F, "abc");      /* data [0,3) + FIN at 3 */
    tcp(t, 4, AB, 50008, 80, 1 + 3, 0, A, "late");     /* after the FIN: dropped */
    tcp(t, 5, AB, 50008, 80, 4, 0, R, NULL);           /* abort after the FIN */
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:50008-192.0.2.7:80 @1\n"
              "data#1 out @3 off=0 'abc'\n"
              "fin#1 out @3 off=3\n"
              "rst#1 out @5 off=3\n"
              "close#1 RST @5\n");
    CHECK_EQ(ws_tcp_get_stats(t)->discarded_bytes, 3);
    CHECK_EQ(ws_tcp_get_stats(t)->duplicate_bytes, 4);
    ws_tcp_destroy(t);
}

static void test_snaplen_cut(void)
{
    reset_log(0);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    tcp(t, 1, AB, 50006, 80, 0, 0, S, NULL);
    tbuf b = ip4_tcp(A4, B4, 50006, 80, 1, 0, A, "abcdefghij", 10);
    ws_pcap_packet p;
    memset(&p, 0, sizeof p);
    p.ts_100ns = 2;
    ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, b.p, 44, 50); /* 4 of 10 payload bytes captured */
    ws_tcp_input(t, &p);
    tb_free(&b);
    tcp(t, 3, AB, 50006, 80, 11, 0, A, "KL");
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:50006-192.0.2.7:80 @1\n"
              "data#1 out @2 off=0 'abcd'\n"
              "data#1 out @3 off=10 'KL'\n"
              "close#1 END @3\n");
    CHECK_EQ(ws_tcp_get_stats(t)->missed_bytes, 6);
    ws_tcp_destroy(t);
}

static void test_non_tcp_and_fragments(void)
{
    reset_log(1);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    tbuf u = {0};
    tb_ip4(&u, A4, B4, 17, 8 + 2, 0, 0);
    tb_be16(&u, 53000); tb_be16(&u, 53); tb_be16(&u, 10); tb_be16(&u, 0); tb_put(&u, "hi", 2);
    ws_pcap_packet p;
    memset(&p, 0, sizeof p);
    p.ts_100ns = 9;
    ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, u.p, (uint32_t)u.len, (uint32_t)u.len);
    ws_tcp_input(t, &p);
    /* the reply: direction from the port heuristic (lower port = server side) */
    tbuf v = {0};
    tb_ip4(&v, B4, A4, 17, 8, 0, 0);
    tb_be16(&v, 53); tb_be16(&v, 53000); tb_be16(&v, 8); tb_be16(&v, 0);
    ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, v.p, (uint32_t)v.len, (uint32_t)v.len);
    ws_tcp_input(t, &p);
    /* a TCP fragment: reported, not reassembled */
    tbuf fr = {0};
    tb_ip4(&fr, A4, B4, 6, 24, 0, 0x2000);
    tb_tcp(&fr, 50007, 443, 0, 0, A, "abcd", 4);
    ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, fr.p, (uint32_t)fr.len, (uint32_t)fr.len);
    ws_tcp_input(t, &p);
    /* ARP: nothing */
    uint8_t arp[42] = {0};
    arp[12] = 0x08; arp[13] = 0x06;
    ws_pcap_decode_frame(&p, WS_LINKTYPE_ETHERNET, arp, 42, 42);
    ws_tcp_input(t, &p);
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "pkt#0 out @9 len=30 proto=17\n"
              "pkt#0 in @9 len=28 proto=17\n"
              "pkt#0 out @9 len=44 proto=6\n");
    const ws_tcp_stats *s = ws_tcp_get_stats(t);
    CHECK_EQ(s->udp_packets, 2);
    CHECK_EQ(s->fragments, 1);
    CHECK_EQ(s->non_ip, 1);
    CHECK_EQ(s->flows_opened, 0);
    ws_tcp_destroy(t);
    tb_free(&u); tb_free(&v); tb_free(&fr);
}

static void test_flow_cap(void)
{
    reset_log(0);
    ws_tcp_config cfg = {0};
    cfg.max_flows = 2;
    ws_tcp *t = ws_tcp_create(&cfg, &CB);
    tcp(t, 1, AB, 40001, 80, 0, 0, S, NULL);
    tcp(t, 2, AB, 40002, 80, 0, 0, S, NULL);
    tcp(t, 3, AB, 40003, 80, 0, 0, S, NULL);          /* table full: overflow */
    CHECK_EQ(ws_tcp_get_stats(t)->flow_overflow, 1);
    CHECK_EQ(ws_tcp_live_flows(t), 2);
    tcp(t, 4, AB, 40001, 80, 1, 0, R, NULL);          /* flow 1 closes, record kept */
    tcp(t, 5, AB, 40003, 80, 0, 0, S, NULL);          /* evicts the closed record */
    CHECK_EQ(ws_tcp_get_stats(t)->flow_overflow, 1);
    CHECK_EQ(ws_tcp_live_flows(t), 2);
    tcp(t, 6, AB, 40004, 80, 0, 0, S, NULL);          /* full again */
    CHECK_EQ(ws_tcp_get_stats(t)->flow_overflow, 2);
    ws_tcp_finish(t);
    CHECK_EQ(ws_tcp_get_stats(t)->flows_opened, 3);
    ws_tcp_destroy(t);
}

static void test_ooo_cap(void)
{
    reset_log(0);
    ws_tcp_config cfg = {0};
    cfg.max_ooo_bytes = 200; /* a few buffered pieces */
    ws_tcp *t = ws_tcp_create(&cfg, &CB);
    char chunk[64];
    tcp(t, 1, AB, 40010, 80, 0, 0, S, NULL);
    /* byte 0..9 never arrive; 6 chunks of 50 bytes buffer behind the gap */
    for (int i = 0; i < 6; i++) {
        memset(chunk, 'a' + i, 50);
        chunk[50] = '\0';
        tcp(t, 2 + (uint64_t)i, AB, 40010, 80, 1 + 10 + 50u * (uint32_t)i, 0, A, chunk);
    }
    const ws_tcp_stats *s = ws_tcp_get_stats(t);
    CHECK(s->ooo_overflow >= 1);
    CHECK_EQ(s->missed_bytes, 10);
    CHECK_EQ(s->delivered_bytes, 300);
    /* the stream offsets skip the gap: first data at offset 10 */
    CHECK(strstr(logbuf, "data#1 out @") && strstr(logbuf, "off=10 'aaaa"));
    ws_tcp_finish(t);
    ws_tcp_destroy(t);
    /* a second gap at close: flushed at END_OF_CAPTURE, missed counted */
    reset_log(0);
    t = ws_tcp_create(NULL, &CB);
    tcp(t, 1, AB, 40011, 80, 0, 0, S, NULL);
    tcp(t, 2, AB, 40011, 80, 1 + 3, 0, A, "late");
    ws_tcp_finish(t);
    CHECK_STR(logbuf,
              "open#1 outbound 10.0.0.2:40011-192.0.2.7:80 @1\n"
              "data#1 out @2 off=3 'late'\n"
              "close#1 END @2\n");
    CHECK_EQ(ws_tcp_get_stats(t)->missed_bytes, 3);
    ws_tcp_destroy(t);
}

static void test_ipv6_flow(void)
{
    reset_log(0);
    ws_tcp *t = ws_tcp_create(NULL, &CB);
    for (int i = 0; i < 2; i++) {
        tbuf b = {0};
        const char *pl = i ? "six" : "";
        tb_ip6(&b, A6, B6, 6, 20 + strlen(pl));
        tb_tcp(&b, 60000, 443, (uint32_t)i, 0, i ? A : S, pl, strlen(pl));
        ws_pcap_packet p;
        memset(&p, 0, sizeof p);
        p.ts_100ns = 5;
        ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, b.p, (uint32_t)b.len, (uint32_t)b.len);
        ws_tcp_input(t, &p);
        tb_free(&b);
    }
    ws_tcp_finish(t);
    CHECK(strstr(logbuf, "data#1 out @5 off=0 'six'") != NULL);
    ws_tcp_destroy(t);
}

int main(void)
{
    test_basic_fin();
    test_ooo_retransmit_overlap();
    test_mid_stream();
    test_local_rule_and_rst();
    test_idle_and_half_close();
    test_fin_out_of_order_and_wrap();
    test_data_beyond_fin_and_rst_after_fin();
    test_snaplen_cut();
    test_non_tcp_and_fragments();
    test_flow_cap();
    test_ooo_cap();
    test_ipv6_flow();
    return t_summary();
}
