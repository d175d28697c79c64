/*
 * test_pcap.c - the capture reader: every link type, pcap in both byte orders
 * and both resolutions, pcapng sections / interfaces / resolutions / block
 * kinds, IPv4 options and fragments, IPv6 extension headers, and exact error
 * offsets for truncated and malformed files. Captures are built byte by byte.
 */
#include "test_util.h"
#include "capture_build.h"

/* ---- frames -------------------------------------------------------------------- */

static tbuf tcp4(const char *payload)
{
    return ip4_tcp(A4, B4, 50000, 443, 1000, 2000, WS_TCP_ACK | WS_TCP_PSH, payload, strlen(payload));
}

static int read_one(const tbuf *file, ws_pcap_packet *pkt, ws_pcap_reader **keep)
{
    ws_pcap_reader *r = NULL;
    ws_pcap_error err;
    if (ws_pcap_open_memory(&r, file->p, file->len, &err) != 0) {
        fprintf(stderr, "open failed: %s\n", err.message);
        return -100;
    }
    int rc = ws_pcap_next(r, pkt, &err);
    if (rc < 0)
        fprintf(stderr, "next failed: %s\n", err.message);
    *keep = r;
    return rc;
}

static void check_tcp4(const ws_pcap_packet *p, const char *payload)
{
    CHECK_EQ(p->decode, WS_DECODE_OK);
    CHECK_EQ(p->ip_version, 4);
    CHECK_EQ(p->protocol, 6);
    CHECK(memcmp(p->src, A4, 4) == 0 && memcmp(p->dst, B4, 4) == 0);
    CHECK_EQ(p->sport, 50000);
    CHECK_EQ(p->dport, 443);
    CHECK_EQ(p->tcp_seq, 1000);
    CHECK_EQ(p->tcp_ack, 2000);
    CHECK_EQ(p->tcp_flags, WS_TCP_ACK | WS_TCP_PSH);
    CHECK_EQ(p->tcp_window, 8192);
    CHECK_EQ(p->payload_len, strlen(payload));
    CHECK(p->payload && memcmp(p->payload, payload, strlen(payload)) == 0);
    CHECK_EQ(p->ip_len, 40 + strlen(payload));
    CHECK(p->ip && p->ip[0] == 0x45);
}

/* ---- tests --------------------------------------------------------------------- */

static void test_link_types(void)
{
    static const uint32_t lts[] = {WS_LINKTYPE_ETHERNET, WS_LINKTYPE_RAW, WS_LINKTYPE_IPV4,
                                   WS_LINKTYPE_LINUX_SLL, WS_LINKTYPE_LINUX_SLL2,
                                   WS_LINKTYPE_NULL, WS_LINKTYPE_LOOP};
    for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++) {
        for (int be = 0; be < 2; be++) {
            tbuf ip = tcp4("hello"), fr = with_link(lts[i], &ip, 0), file = {0};
            pcap_hdr(&file, be, 0, lts[i], 65535);
            pcap_rec(&file, be, 1700000000, 123456, &fr, 0);
            ws_pcap_packet p;
            ws_pcap_reader *r;
            CHECK_EQ(read_one(&file, &p, &r), 1);
            CHECK_EQ(p.linktype, lts[i]);
            check_tcp4(&p, "hello");
            CHECK_EQ(p.ts_100ns, 17000000000000000ull + 1234560ull);
            CHECK_EQ(p.ts_units, 1700000000ull * 1000000ull + 123456ull);
            CHECK_EQ(p.ts_units_per_sec, 1000000);
            if (lts[i] == WS_LINKTYPE_LINUX_SLL || lts[i] == WS_LINKTYPE_LINUX_SLL2)
                CHECK_EQ(p.link_dir, lts[i] == WS_LINKTYPE_LINUX_SLL ? 2 : 1);
            CHECK_EQ(ws_pcap_get_format(r), WS_PCAP_FORMAT_PCAP_US);
            ws_pcap_error err;
            CHECK_EQ(ws_pcap_next(r, &p, &err), 0);
            ws_pcap_close(r);
            tb_free(&ip); tb_free(&fr); tb_free(&file);
        }
    }
    /* IPv6 over every link type that carries it (NULL with the big-endian AF too) */
    static const uint32_t lt6[] = {WS_LINKTYPE_ETHERNET, WS_LINKTYPE_RAW, WS_LINKTYPE_IPV6,
                                   WS_LINKTYPE_LINUX_SLL, WS_LINKTYPE_LINUX_SLL2,
                                   WS_LINKTYPE_NULL, WS_LINKTYPE_LOOP};
    for (size_t i = 0; i < sizeof lt6 / sizeof lt6[0]; i++) {
        tbuf ip = {0};
        tb_ip6(&ip, A6, B6, 17, 8 + 3);
        tb_be16(&ip, 5353); tb_be16(&ip, 53); tb_be16(&ip, 11); tb_be16(&ip, 0); tb_put(&ip, "abc", 3);
        tbuf fr = with_link(lt6[i], &ip, 1), file = {0};
        pcap_hdr(&file, 0, 1, lt6[i], 65535);
        pcap_rec(&file, 0, 10, 999999999, &fr, 0);
        ws_pcap_packet p;
        ws_pcap_reader *r;
        CHECK_EQ(read_one(&file, &p, &r), 1);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK_EQ(p.ip_version, 6);
        CHECK_EQ(p.protocol, 17);
        CHECK(memcmp(p.src, A6, 16) == 0 && memcmp(p.dst, B6, 16) == 0);
        CHECK_EQ(p.sport, 5353);
        CHECK_EQ(p.dport, 53);
        CHECK_EQ(p.payload_len, 3);
        CHECK_EQ(p.ts_100ns, 109999999ull);
        CHECK_EQ(p.ts_units_per_sec, 1000000000);
        ws_pcap_close(r);
        tb_free(&ip); tb_free(&fr); tb_free(&file);
    }
    { /* NULL link with a big-endian writer's AF_INET */
        tbuf ip = tcp4("x"), fr = {0}, file = {0};
        tb_be32(&fr, 2);
        tb_put(&fr, ip.p, ip.len);
        pcap_hdr(&file, 1, 0, WS_LINKTYPE_NULL, 65535);
        pcap_rec(&file, 1, 1, 2, &fr, 0);
        ws_pcap_packet p;
        ws_pcap_reader *r;
        CHECK_EQ(read_one(&file, &p, &r), 1);
        check_tcp4(&p, "x");
        ws_pcap_close(r);
        tb_free(&ip); tb_free(&fr); tb_free(&file);
    }
    { /* ARP over Ethernet: not IP; unsupported link type refused at offset 20 */
        tbuf fr = {0}, file = {0};
        tb_zero(&fr, 12); tb_be16(&fr, 0x0806); tb_zero(&fr, 28);
        pcap_hdr(&file, 0, 0, 1, 65535);
        pcap_rec(&file, 0, 1, 2, &fr, 0);
        ws_pcap_packet p;
        ws_pcap_reader *r;
        CHECK_EQ(read_one(&file, &p, &r), 1);
        CHECK_EQ(p.decode, WS_DECODE_NOT_IP);
        CHECK_EQ(p.ip_version, 0);
        ws_pcap_close(r);
        tb_free(&file);
        pcap_hdr(&file, 0, 0, 127 /* radiotap */, 65535);
        ws_pcap_error err;
        CHECK_EQ(ws_pcap_open_memory(&r, file.p, file.len, &err), WS_PCAP_E_LINKTYPE);
        CHECK_EQ(err.offset, 20);
        tb_free(&fr); tb_free(&file);
    }
}

static void test_vlan(void)
{
    for (int tags = 1; tags <= 2; tags++) {
        tbuf ip = tcp4("vlan"), fr = {0}, file = {0};
        tb_zero(&fr, 12);
        if (tags == 2) { tb_be16(&fr, 0x88a8); tb_be16(&fr, 0x2000 | 100); }
        tb_be16(&fr, 0x8100); tb_be16(&fr, 42);
        tb_be16(&fr, 0x0800);
        tb_put(&fr, ip.p, ip.len);
        pcap_hdr(&file, 0, 0, 1, 65535);
        pcap_rec(&file, 0, 1, 0, &fr, 0);
        ws_pcap_packet p;
        ws_pcap_reader *r;
        CHECK_EQ(read_one(&file, &p, &r), 1);
        check_tcp4(&p, "vlan");
        CHECK(p.flags & WS_PKT_VLAN);
        CHECK_EQ(p.vlan_count, tags);
        CHECK_EQ(p.vlan_id[0], tags == 2 ? 100 : 42);
        if (tags == 2)
            CHECK_EQ(p.vlan_id[1], 42);
        ws_pcap_close(r);
        tb_free(&ip); tb_free(&fr); tb_free(&file);
    }
}

static ws_pcap_packet decode_raw(const tbuf *ip, uint32_t origlen)
{
    ws_pcap_packet p;
    memset(&p, 0, sizeof p);
    ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, ip->p, (uint32_t)ip->len, origlen ? origlen : (uint32_t)ip->len);
    return p;
}

static void test_ipv4_options_fragments_padding(void)
{
    { /* options */
        tbuf ip = {0};
        tb_ip4(&ip, A4, B4, 6, 20 + 2, 8, 0);
        tb_tcp(&ip, 1, 2, 3, 4, WS_TCP_ACK, "op", 2);
        ws_pcap_packet p = decode_raw(&ip, 0);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK(p.flags & WS_PKT_IPV4_OPTIONS);
        CHECK_EQ(p.ip_header_len, 28);
        CHECK_EQ(p.payload_len, 2);
        CHECK(memcmp(p.payload, "op", 2) == 0);
        tb_free(&ip);
    }
    { /* first fragment (MF): flagged, ports read, no payload */
        tbuf ip = {0};
        tb_ip4(&ip, A4, B4, 6, 24, 0, 0x2000);
        tb_tcp(&ip, 7, 8, 0, 0, WS_TCP_ACK, "abcd", 4);
        ws_pcap_packet p = decode_raw(&ip, 0);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK_EQ(p.flags & (WS_PKT_FRAGMENT | WS_PKT_FIRST_FRAG), WS_PKT_FRAGMENT | WS_PKT_FIRST_FRAG);
        CHECK_EQ(p.sport, 7);
        CHECK(p.payload == NULL);
        tb_free(&ip);
    }
    { /* later fragment: offset 185*8, no L4 */
        tbuf ip = {0};
        tb_ip4(&ip, A4, B4, 6, 16, 0, 185);
        tb_zero(&ip, 16);
        ws_pcap_packet p = decode_raw(&ip, 0);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK_EQ(p.flags & (WS_PKT_FRAGMENT | WS_PKT_FIRST_FRAG), WS_PKT_FRAGMENT);
        CHECK_EQ(p.frag_offset, 1480);
        CHECK_EQ(p.sport, 0);
        tb_free(&ip);
    }
    { /* Ethernet padding beyond the IP total length is dropped */
        tbuf ip = tcp4(""), fr = with_link(1, &ip, 0);
        tb_zero(&fr, 6);
        ws_pcap_packet p;
        memset(&p, 0, sizeof p);
        ws_pcap_decode_frame(&p, 1, fr.p, (uint32_t)fr.len, (uint32_t)fr.len);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK_EQ(p.ip_len, 40);
        CHECK_EQ(p.payload_len, 0);
        tb_free(&ip); tb_free(&fr);
    }
    { /* snaplen cut: headers fine, payload cut */
        tbuf ip = tcp4("0123456789");
        ws_pcap_packet p;
        memset(&p, 0, sizeof p);
        ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, ip.p, 44, 50);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK(p.flags & WS_PKT_SNAPLEN_CUT);
        CHECK(p.flags & WS_PKT_PAYLOAD_CUT);
        CHECK_EQ(p.payload_len, 4);
        CHECK_EQ(p.payload_len_orig, 10);
        /* cut inside the TCP header: truncated; same bytes not cut: malformed */
        ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, ip.p, 30, 50);
        CHECK_EQ(p.decode, WS_DECODE_TRUNCATED);
        ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, ip.p, 30, 30);
        CHECK_EQ(p.decode, WS_DECODE_MALFORMED);
        /* bad IHL */
        ip.p[0] = 0x44;
        ws_pcap_decode_frame(&p, WS_LINKTYPE_RAW, ip.p, (uint32_t)ip.len, (uint32_t)ip.len);
        CHECK_EQ(p.decode, WS_DECODE_MALFORMED);
        /* IPv6 packet on LINKTYPE_IPV4 */
        ip.p[0] = 0x60;
        ws_pcap_decode_frame(&p, WS_LINKTYPE_IPV4, ip.p, (uint32_t)ip.len, (uint32_t)ip.len);
        CHECK_EQ(p.decode, WS_DECODE_MALFORMED);
        tb_free(&ip);
    }
}

static void test_ipv6_ext(void)
{
    { /* HBH (8) -> routing (24) -> dest opts (16) -> TCP */
        tbuf ip = {0};
        size_t plen = 8 + 24 + 16 + 20 + 3;
        tb_ip6(&ip, A6, B6, 0, plen);
        tb_u8(&ip, 43); tb_u8(&ip, 0); tb_zero(&ip, 6);
        tb_u8(&ip, 60); tb_u8(&ip, 2); tb_zero(&ip, 22);
        tb_u8(&ip, 6); tb_u8(&ip, 1); tb_zero(&ip, 14);
        tb_tcp(&ip, 40000, 80, 5, 6, WS_TCP_ACK, "GET", 3);
        ws_pcap_packet p = decode_raw(&ip, 0);
        CHECK_EQ(p.decode, WS_DECODE_OK);
        CHECK_EQ(p.protocol, 6);
        CHECK(p.flags & WS_PKT_IPV6_EXT);
        CHECK(!(p.flags & WS_PKT_FRAGMENT));
        CHECK_EQ(p.ip_header_len, 40 + 48);
        CHECK_EQ(p.sport, 40000);
        CHECK_EQ(p.payload_len, 3);
        CHECK(memcmp(p.payload, "GET", 3) == 0);
        /* an extension header running past the payload length is malformed */
        ip.p[40 + 8 + 1] = 200;
        p = decode_raw(&ip, 0);
        CHECK_EQ(p.decode, WS_DECODE_MALFORMED);
        tb_free(&ip);
    }
    { /* fragment header: first fragment and a later one */
        for (int later = 0; later < 2; later++) {
            tbuf ip = {0};
            tb_ip6(&ip, A6, B6, 44, 8 + 20);
            tb_u8(&ip, 6); tb_u8(&ip, 0); tb_be16(&ip, later ? (100 << 3) : 1); tb_be32(&ip, 0xabcdef);
            tb_tcp(&ip, 1234, 443, 0, 0, WS_TCP_ACK, NULL, 0);
            ws_pcap_packet p = decode_raw(&ip, 0);
            CHECK_EQ(p.decode, WS_DECODE_OK);
            CHECK(p.flags & WS_PKT_FRAGMENT);
            CHECK_EQ(!!(p.flags & WS_PKT_FIRST_FRAG), !later);
            CHECK_EQ(p.frag_id, 0xabcdef);
            CHECK_EQ(p.frag_offset, later ? 800 : 0);
            CHECK_EQ(p.sport, later ? 0 : 1234);
            tb_free(&ip);
        }
    }
}

static void test_pcapng(void)
{
    for (int be = 0; be < 2; be++) {
        tbuf file = {0}, ip = tcp4("ng"), eth = with_link(1, &ip, 0);
        ng_shb(&file, be);
        ng_idb(&file, be, WS_LINKTYPE_ETHERNET, 65535, -1, 0);     /* if 0: default 10^-6 */
        ng_idb(&file, be, WS_LINKTYPE_RAW, 0, 9, 0);                 /* if 1: 10^-9 */
        ng_idb(&file, be, WS_LINKTYPE_RAW, 0, 0x80 | 10, 100);       /* if 2: 2^-10, +100 s */
        ng_unknown(&file, be, 0x0BAD, 37);                           /* unknown: skipped */
        ng_epb(&file, be, 0, 1700000000123456ull, &eth, 0);
        ng_epb(&file, be, 1, 1700000000123456789ull, &ip, 0);
        ng_opb(&file, be, &eth);                                     /* obsolete: skipped */
        ng_epb(&file, be, 2, 1024ull * 5 + 512, &ip, 0);
        ng_spb(&file, be, &eth);
        /* a second section, other byte order, one interface with 10^-3 */
        ng_shb(&file, !be);
        ng_idb(&file, !be, WS_LINKTYPE_IPV4, 0, 3, 0);
        ng_epb(&file, !be, 0, 42, &ip, 0);
        ws_pcap_reader *r;
        ws_pcap_error err;
        CHECK_EQ(ws_pcap_open_memory(&r, file.p, file.len, &err), 0);
        CHECK_EQ(ws_pcap_get_format(r), WS_PCAP_FORMAT_PCAPNG);
        ws_pcap_packet p;
        CHECK_EQ(ws_pcap_next(r, &p, &err), 1);
        CHECK_EQ(ws_pcap_get_linktype(r), WS_LINKTYPE_ETHERNET);
        check_tcp4(&p, "ng");
        CHECK_EQ(p.interface_id, 0);
        CHECK_EQ(p.ts_units_per_sec, 1000000);
        CHECK_EQ(p.ts_100ns, 17000000001234560ull);
        CHECK_EQ(ws_pcap_next(r, &p, &err), 1);
        check_tcp4(&p, "ng");
        CHECK_EQ(p.interface_id, 1);
        CHECK_EQ(p.ts_units_per_sec, 1000000000);
        CHECK_EQ(p.ts_units, 1700000000123456789ull);
        CHECK_EQ(p.ts_100ns, 17000000001234567ull);
        CHECK_EQ(ws_pcap_next(r, &p, &err), 1);
        CHECK_EQ(p.interface_id, 2);
        CHECK_EQ(p.ts_units_per_sec, 1024);
        CHECK_EQ(p.ts_units, 1024ull * 105 + 512);  /* if_tsoffset 100 s applied */
        CHECK_EQ(p.ts_100ns, 1050000000ull + 5000000ull);
        CHECK_EQ(ws_pcap_next(r, &p, &err), 1);     /* SPB: interface 0, previous time */
        check_tcp4(&p, "ng");
        CHECK_EQ(p.ts_100ns, 1055000000ull);
        CHECK_EQ(ws_pcap_next(r, &p, &err), 1);     /* second section */
        check_tcp4(&p, "ng");
        CHECK_EQ(p.linktype, WS_LINKTYPE_IPV4);
        CHECK_EQ(p.ts_units_per_sec, 1000);
        CHECK_EQ(p.ts_100ns, 420000ull);
        CHECK_EQ(p.index, 4);
        CHECK_EQ(ws_pcap_next(r, &p, &err), 0);
        CHECK_EQ(ws_pcap_skipped_blocks(r), 2);
        ws_pcap_close(r);
        tb_free(&file); tb_free(&ip); tb_free(&eth);
    }
}

static void expect_error(const tbuf *file, int good_records, int code, uint64_t offset)
{
    ws_pcap_reader *r = NULL;
    ws_pcap_error err;
    memset(&err, 0, sizeof err);
    int rc = ws_pcap_open_memory(&r, file->p, file->len, &err);
    int n = 0;
    if (rc == 0) {
        ws_pcap_packet p;
        while ((rc = ws_pcap_next(r, &p, &err)) == 1)
            n++;
        /* the error is sticky */
        ws_pcap_error again;
        CHECK_EQ(ws_pcap_next(r, &p, &again), rc);
        CHECK_EQ(again.offset, err.offset);
    }
    CHECK_EQ(n, good_records);
    CHECK_EQ(rc, code);
    CHECK_EQ(err.code, code);
    CHECK_EQ(err.offset, offset);
    CHECK(err.message[0] != '\0');
    ws_pcap_close(r);
}

static void test_errors(void)
{
    tbuf ip = tcp4("payload"); /* 47 bytes */
    { /* pcap: final record body cut */
        tbuf f = {0};
        pcap_hdr(&f, 0, 0, WS_LINKTYPE_RAW, 65535);
        pcap_rec(&f, 0, 1, 0, &ip, 0);
        pcap_rec(&f, 0, 2, 0, &ip, 0);
        size_t second = 24 + 16 + ip.len;
        f.len -= 5;
        expect_error(&f, 1, WS_PCAP_E_TRUNCATED, second);
        /* ... and cut inside the record header */
        f.len = second + 9;
        expect_error(&f, 1, WS_PCAP_E_TRUNCATED, second);
        /* the capture up to the cut reads with ws_tcp_run_capture(accept_truncated) */
        ws_pcap_reader *r;
        ws_pcap_error err;
        CHECK_EQ(ws_pcap_open_memory(&r, f.p, f.len, &err), 0);
        ws_tcp *t = ws_tcp_create(NULL, NULL);
        CHECK_EQ(ws_tcp_run_capture(t, r, 1, &err), 0);
        CHECK_EQ(err.code, WS_PCAP_E_TRUNCATED);
        CHECK_EQ(ws_tcp_get_stats(t)->packets, 1);
        ws_tcp_destroy(t);
        ws_pcap_close(r);
        /* implausible caplen: malformed at the caplen field */
        f.len = second;
        pcap_rec(&f, 0, 2, 0, &ip, 0);
        f.p[second + 11] = 0x7f; /* LE caplen high byte */
        expect_error(&f, 1, WS_PCAP_E_MALFORMED, second + 8);
        tb_free(&f);
    }
    { /* pcap big-endian header cut, bad magic, bad version, empty */
        tbuf f = {0};
        pcap_hdr(&f, 1, 1, WS_LINKTYPE_RAW, 65535);
        f.len = 10;
        expect_error(&f, 0, WS_PCAP_E_MALFORMED, 10);
        f.len = 24;
        f.p[5] = 3; /* BE major 3 */
        expect_error(&f, 0, WS_PCAP_E_FORMAT, 4);
        f.p[0] = 'G';
        expect_error(&f, 0, WS_PCAP_E_FORMAT, 0);
        f.len = 0;
        expect_error(&f, 0, WS_PCAP_E_FORMAT, 0);
        tb_free(&f);
    }
    for (int be = 0; be < 2; be++) { /* pcapng */
        tbuf f = {0};
        ng_shb(&f, be);
        ng_idb(&f, be, WS_LINKTYPE_RAW, 0, -1, 0);
        size_t epb1 = f.len;
        ng_epb(&f, be, 0, 1, &ip, 0);
        size_t epb2 = f.len;
        ng_epb(&f, be, 0, 2, &ip, 0);
        size_t full = f.len;
        /* truncated final EPB */
        f.len = full - 3;
        expect_error(&f, 1, WS_PCAP_E_TRUNCATED, epb2);
        f.len = epb2 + 6; /* inside the block header */
        expect_error(&f, 1, WS_PCAP_E_TRUNCATED, epb2);
        f.len = full;
        /* block length not a multiple of 4 */
        uint8_t save = f.p[epb2 + (be ? 7 : 4)];
        f.p[epb2 + (be ? 7 : 4)] ^= 1;
        expect_error(&f, 1, WS_PCAP_E_MALFORMED, epb2 + 4);
        f.p[epb2 + (be ? 7 : 4)] = save;
        /* trailing length disagrees */
        f.p[full - (be ? 1 : 4)] ^= 4;
        expect_error(&f, 1, WS_PCAP_E_MALFORMED, full - 4);
        f.p[full - (be ? 1 : 4)] ^= 4;
        /* interface id out of range */
        f.p[epb1 + 8 + (be ? 3 : 0)] = 3;
        expect_error(&f, 0, WS_PCAP_E_MALFORMED, epb1 + 8);
        f.p[epb1 + 8 + (be ? 3 : 0)] = 0;
        /* captured length larger than the block */
        f.p[epb2 + 20 + (be ? 2 : 1)] = 1;
        expect_error(&f, 1, WS_PCAP_E_MALFORMED, epb2 + 20);
        f.p[epb2 + 20 + (be ? 2 : 1)] = 0;
        /* bad byte-order magic in a second section header */
        size_t shb2 = f.len;
        ng_shb(&f, be);
        f.p[shb2 + 8] ^= 0xff;
        expect_error(&f, 2, WS_PCAP_E_MALFORMED, shb2 + 8);
        f.len = shb2;
        /* an unknown block skipped by length, but cut: truncated */
        size_t unk = f.len;
        ng_unknown(&f, be, 0x40000BAD, 100);
        f.len -= 1;
        expect_error(&f, 2, WS_PCAP_E_TRUNCATED, unk);
        /* IDB option running past its block */
        tb_free(&f);
        ng_shb(&f, be);
        size_t idb = f.len;
        ng_idb(&f, be, WS_LINKTYPE_RAW, 0, 6, 0);
        /* options start at idb + 16: if_name (code 2, len 3) then if_tsresol at idb + 24 */
        f.p[idb + 24 + 2 + (be ? 1 : 0)] = 0x40;
        expect_error(&f, 0, WS_PCAP_E_MALFORMED, idb + 26);
        tb_free(&f);
    }
    tb_free(&ip);
}

static void test_file_streaming(void)
{
    /* > 3 buffers of records plus a skipped block four times the buffer size:
       read through the minimum (64 KiB) buffer. */
    const char *path = "test_pcap_stream.tmp";
    tbuf f = {0};
    ng_shb(&f, 0);
    ng_idb(&f, 0, WS_LINKTYPE_RAW, 0, 9, 0);
    tbuf ip = tcp4("streamed payload .................................................");
    uint32_t n = 0;
    while (f.len < 3 * WS_PCAP_MIN_BUFFER) {
        ng_epb(&f, 0, 0, 1000u + n, &ip, 0);
        n++;
    }
    ng_unknown(&f, 0, 0x0BAD, 4 * WS_PCAP_MIN_BUFFER);
    ng_epb(&f, 0, 0, 1000u + n, &ip, 0);
    n++;
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    CHECK_EQ(fwrite(f.p, 1, f.len, fp), f.len);
    fclose(fp);
    ws_pcap_reader *r;
    ws_pcap_error err;
    CHECK_EQ(ws_pcap_open_file(&r, path, 1, &err), 0);
    ws_pcap_packet p;
    uint32_t got = 0, ok = 1;
    int rc;
    while ((rc = ws_pcap_next(r, &p, &err)) == 1) {
        ok &= p.ts_units == 1000u + got && p.payload_len == ip.len - 40;
        got++;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(got, n);
    CHECK(ok);
    CHECK_EQ(ws_pcap_skipped_blocks(r), 1);
    ws_pcap_close(r);
    /* a packet block larger than the buffer is refused, with its offset */
    size_t big_at = f.len;
    tbuf big = {0};
    tb_zero(&big, 2 * WS_PCAP_MIN_BUFFER);
    ng_epb(&f, 0, 0, 1, &big, 0);
    fp = fopen(path, "wb");
    if (fp) {
        fwrite(f.p, 1, f.len, fp);
        fclose(fp);
    }
    CHECK_EQ(ws_pcap_open_file(&r, path, 1, &err), 0);
    got = 0;
    while ((rc = ws_pcap_next(r, &p, &err)) == 1)
        got++;
    CHECK_EQ(got, n);
    CHECK_EQ(rc, WS_PCAP_E_TOO_BIG);
    CHECK_EQ(err.offset, big_at);
    ws_pcap_close(r);
    /* missing file */
    CHECK_EQ(ws_pcap_open_file(&r, "no/such/file.pcap", 0, &err), WS_PCAP_E_IO);
    remove(path);
    tb_free(&f); tb_free(&ip); tb_free(&big);
}

int main(void)
{
    test_link_types();
    test_vlan();
    test_ipv4_options_fragments_padding();
    test_ipv6_ext();
    test_pcapng();
    test_errors();
    test_file_streaming();
    return t_summary();
}
