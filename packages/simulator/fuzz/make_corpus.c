/*
 * make_corpus.c - writes the seed corpus of traffic_fuzz into a directory.
 *
 *   cc -std=c11 -I ../native/include -I ../native/test/traffic \
 *      ../native/src/traffic/ws_*.c make_corpus.c -o make_corpus
 *   ./make_corpus corpus/traffic
 *
 * Seeds: two small generated captures (Ethernet / raw IPv6), a big-endian
 * nanosecond pcap with QinQ, IPv4 options and fragments, UDP, out-of-order and
 * overlapping TCP and a RST, its truncated form, and a two-section pcapng
 * (big-endian SLL2 with 2^-20 resolution, IPv6 extension headers, SPB, OPB,
 * an unknown block; then little-endian NULL/LOOP interfaces).
 * The committed corpus also holds test/fixtures/loopback.pcap(ng).
 */
#include "capture_build.h"

static void save(const char *dir, const char *name, const tbuf *b)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, b->len, f) != b->len) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static void generated(const char *dir, const char *name, uint64_t seed, int v6, uint32_t linktype)
{
    ws_gen_config c = {0};
    c.seed = seed;
    c.flows = 3;
    c.ipv6_percent = v6 ? 100 : 20;
    c.rst_percent = 30;
    c.inbound_percent = 30;
    c.min_bytes = 50;
    c.max_bytes = 2500;
    c.max_request_bytes = 300;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ws_gen *g = ws_gen_create(&c);
    if (!g || ws_gen_write_pcap(g, path, linktype) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    ws_gen_destroy(g);
}

static tbuf tcp_seg(uint32_t seq, unsigned flags, const char *pl)
{
    return ip4_tcp(A4, B4, 50000, 80, seq, 1, flags, pl, pl ? strlen(pl) : 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    generated(dir, "gen_eth.pcap", 1, 0, WS_LINKTYPE_ETHERNET);
    generated(dir, "gen_raw6.pcap", 2, 1, WS_LINKTYPE_RAW);

    /* big-endian ns pcap, Ethernet with QinQ, assorted IPv4 */
    tbuf f = {0};
    pcap_hdr(&f, 1, 1, WS_LINKTYPE_ETHERNET, 65535);
    const struct { uint32_t seq; unsigned flags; const char *pl; } segs[] = {
        {100, WS_TCP_SYN, NULL}, {101 + 6, WS_TCP_ACK, "world"}, {101, WS_TCP_ACK, "hello "},
        {101 + 3, WS_TCP_ACK, "LOxxxxxx"}, {101 + 11, WS_TCP_ACK | WS_TCP_FIN, "!"},
        {200, WS_TCP_RST, NULL}};
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++) {
        tbuf ip = tcp_seg(segs[i].seq, segs[i].flags, segs[i].pl), fr = {0};
        tb_zero(&fr, 12);
        tb_be16(&fr, 0x88a8); tb_be16(&fr, 7);
        tb_be16(&fr, 0x8100); tb_be16(&fr, 42);
        tb_be16(&fr, 0x0800);
        tb_put(&fr, ip.p, ip.len);
        pcap_rec(&f, 1, 1700000000, (uint32_t)i * 1000u, &fr, 0);
        tb_free(&ip); tb_free(&fr);
    }
    { /* IPv4 options + fragments + UDP on plain Ethernet */
        tbuf ip = {0};
        tb_ip4(&ip, A4, B4, 6, 24, 8, 0x2000);
        tb_tcp(&ip, 50001, 443, 1, 0, WS_TCP_ACK, "frag", 4);
        tbuf fr = with_link(WS_LINKTYPE_ETHERNET, &ip, 0);
        pcap_rec(&f, 1, 1700000001, 0, &fr, 0);
        tb_free(&ip); tb_free(&fr);
        tb_ip4(&ip, A4, B4, 17, 8 + 4, 0, 0);
        tb_be16(&ip, 5353); tb_be16(&ip, 53); tb_be16(&ip, 12); tb_be16(&ip, 0); tb_put(&ip, "dns?", 4);
        fr = with_link(WS_LINKTYPE_ETHERNET, &ip, 0);
        pcap_rec(&f, 1, 1700000002, 0, &fr, 100);
        tb_free(&ip); tb_free(&fr);
    }
    save(dir, "be_ns_qinq.pcap", &f);
    f.len -= 7;
    save(dir, "be_ns_truncated.pcap", &f);
    tb_free(&f);

    /* pcapng: BE section with SLL2, then LE section with NULL and LOOP */
    ng_shb(&f, 1);
    ng_idb(&f, 1, WS_LINKTYPE_LINUX_SLL2, 0, 0x80 | 20, 0);
    ng_unknown(&f, 1, 0x00000BAD, 10);
    {
        tbuf ip = {0};
        tb_ip6(&ip, A6, B6, 0, 8 + 24 + 8 + 20 + 5);
        tb_u8(&ip, 43); tb_u8(&ip, 0); tb_zero(&ip, 6);
        tb_u8(&ip, 44); tb_u8(&ip, 2); tb_zero(&ip, 22);
        tb_u8(&ip, 6); tb_u8(&ip, 0); tb_be16(&ip, 1); tb_be32(&ip, 99);
        tb_tcp(&ip, 40000, 443, 7, 0, WS_TCP_SYN, "early", 5);
        tbuf fr = with_link(WS_LINKTYPE_LINUX_SLL2, &ip, 1);
        ng_epb(&f, 1, 0, (uint64_t)1700000000 << 20, &fr, 0);
        ng_spb(&f, 1, &fr);
        ng_opb(&f, 1, &fr);
        tb_free(&ip); tb_free(&fr);
    }
    ng_shb(&f, 0);
    ng_idb(&f, 0, WS_LINKTYPE_NULL, 0, 9, 0);
    ng_idb(&f, 0, WS_LINKTYPE_LOOP, 96, -1, -5);
    for (uint32_t i = 0; i < 3; i++) {
        tbuf ip = tcp_seg(500 + i * 3, i ? WS_TCP_ACK : WS_TCP_SYN, i ? "abc" : NULL);
        tbuf fr = with_link(i == 2 ? WS_LINKTYPE_LOOP : WS_LINKTYPE_NULL, &ip, 0);
        ng_epb(&f, 0, i == 2, 1700000000000000000ull + i, &fr, 0);
        tb_free(&ip); tb_free(&fr);
    }
    save(dir, "two_sections.pcapng", &f);
    tb_free(&f);
    return 0;
}
