/*
 * classify_test.c - unit tests of the stream classifiers (src/core/classify*.c).
 *
 * Every protocol message here is built by hand from its specification: a ClientHello
 * shaped like a current browser's (GREASE, server_name, ALPN h2 + http/1.1,
 * supported_versions, key_share, padding), ServerHellos for TLS 1.3 and 1.2, HTTP/1.x
 * requests and responses, the HTTP/2 preface, SSH identification strings. Each is
 * checked whole, split at every byte, byte by byte, and at seeded random cut points,
 * and the answers must be identical.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "bytes.h"
#include "classify.h"

/* ---- message builders ---- */

typedef struct hello_opts {
    const char *sni;          /* server_name host_name; NULL: no server_name extension */
    size_t sniFill;           /* if not 0: a host name of this many 'a' instead of sni */
    const char *alpn[48];     /* ALPN names, NULL-terminated; alpn[0] NULL: no ALPN */
    int supportedVersions;    /* add supported_versions (GREASE, 1.3, 1.2) */
    unsigned legacyVersion;   /* legacy_version */
    int noExtensions;         /* end the hello after the compression methods */
    size_t padding;           /* bytes of the padding extension (0: none) */
} hello_opts;

static hello_opts default_hello(void)
{
    hello_opts o;
    memset(&o, 0, sizeof o);
    o.sni = "www.example.com";
    o.alpn[0] = "h2";
    o.alpn[1] = "http/1.1";
    o.supportedVersions = 1;
    o.legacyVersion = 0x0303;
    o.padding = 60;
    return o;
}

static void ext_begin(bb *x, unsigned type)
{
    bb_u16(x, type);
    bb_open(x, 2);
}

/* A ClientHello handshake message (msg_type, length, body), RFC 8446 section 4.1.2. */
static void build_client_hello(bb *x, const hello_opts *o)
{
    static const unsigned suites[] = {0x1A1A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F,
                                      0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014,
                                      0x009C, 0x009D, 0x002F, 0x0035};
    static const unsigned sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
                                       0x0806, 0x0601};
    size_t i;
    bb_u8(x, 1);
    bb_open(x, 3);
    bb_u16(x, o->legacyVersion);
    for (i = 0; i < 32; i++) {
        bb_u8(x, (unsigned)(i * 7u + 3u)); /* random */
    }
    bb_open(x, 1); /* legacy_session_id */
    for (i = 0; i < 32; i++) {
        bb_u8(x, (unsigned)(0xE0u - i));
    }
    bb_close(x);
    bb_open(x, 2);
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        bb_u16(x, suites[i]);
    }
    bb_close(x);
    bb_u8(x, 1); /* legacy_compression_methods: null */
    bb_u8(x, 0);
    if (!o->noExtensions) {
        bb_open(x, 2);
        ext_begin(x, 0x0A0A); /* GREASE, empty */
        bb_close(x);
        if (o->sni != NULL || o->sniFill != 0) {
            ext_begin(x, 0); /* server_name */
            bb_open(x, 2);   /* ServerNameList */
            bb_u8(x, 0);     /* host_name */
            bb_open(x, 2);
            if (o->sniFill != 0) {
                bb_fill(x, 'a', o->sniFill);
            } else {
                bb_str(x, o->sni);
            }
            bb_close(x);
            bb_close(x);
            bb_close(x);
        }
        ext_begin(x, 23); /* extended_master_secret */
        bb_close(x);
        ext_begin(x, 0xFF01); /* renegotiation_info */
        bb_u8(x, 0);
        bb_close(x);
        ext_begin(x, 10); /* supported_groups */
        bb_open(x, 2);
        bb_u16(x, 0x2A2A);
        bb_u16(x, 0x001D);
        bb_u16(x, 0x0017);
        bb_u16(x, 0x0018);
        bb_close(x);
        bb_close(x);
        ext_begin(x, 11); /* ec_point_formats */
        bb_u8(x, 1);
        bb_u8(x, 0);
        bb_close(x);
        ext_begin(x, 35); /* session_ticket */
        bb_close(x);
        if (o->alpn[0] != NULL) {
            ext_begin(x, 16); /* application_layer_protocol_negotiation */
            bb_open(x, 2);
            for (i = 0; o->alpn[i] != NULL; i++) {
                bb_u8(x, (unsigned)strlen(o->alpn[i]));
                bb_str(x, o->alpn[i]);
            }
            bb_close(x);
            bb_close(x);
        }
        ext_begin(x, 5); /* status_request: ocsp, no ids, no extensions */
        bb_u8(x, 1);
        bb_u16(x, 0);
        bb_u16(x, 0);
        bb_close(x);
        ext_begin(x, 13); /* signature_algorithms */
        bb_open(x, 2);
        for (i = 0; i < sizeof sigalgs / sizeof sigalgs[0]; i++) {
            bb_u16(x, sigalgs[i]);
        }
        bb_close(x);
        bb_close(x);
        ext_begin(x, 18); /* signed_certificate_timestamp */
        bb_close(x);
        ext_begin(x, 51); /* key_share: GREASE share, x25519 share */
        bb_open(x, 2);
        bb_u16(x, 0x2A2A);
        bb_u16(x, 1);
        bb_u8(x, 0);
        bb_u16(x, 0x001D);
        bb_open(x, 2);
        for (i = 0; i < 32; i++) {
            bb_u8(x, (unsigned)(0x40u + i));
        }
        bb_close(x);
        bb_close(x);
        bb_close(x);
        ext_begin(x, 45); /* psk_key_exchange_modes: psk_dhe_ke */
        bb_u8(x, 1);
        bb_u8(x, 1);
        bb_close(x);
        if (o->supportedVersions) {
            ext_begin(x, 43); /* supported_versions */
            bb_open(x, 1);
            bb_u16(x, 0x3A3A);
            bb_u16(x, 0x0304);
            bb_u16(x, 0x0303);
            bb_close(x);
            bb_close(x);
        }
        ext_begin(x, 27); /* compress_certificate: brotli */
        bb_u8(x, 2);
        bb_u16(x, 2);
        bb_close(x);
        ext_begin(x, 0x1A1A); /* GREASE, one byte */
        bb_u8(x, 0);
        bb_close(x);
        if (o->padding != 0) {
            ext_begin(x, 21); /* padding */
            bb_fill(x, 0, o->padding);
            bb_close(x);
        }
        bb_close(x);
    }
    bb_close(x);
}

/* A ServerHello (RFC 8446 section 4.1.3); tls13 adds supported_versions 0x0304. */
static void build_server_hello(bb *x, int tls13)
{
    size_t i;
    bb_u8(x, 2);
    bb_open(x, 3);
    bb_u16(x, 0x0303);
    for (i = 0; i < 32; i++) {
        bb_u8(x, (unsigned)(0x90u + i));
    }
    bb_open(x, 1);
    for (i = 0; i < 32; i++) {
        bb_u8(x, (unsigned)(0xE0u - i));
    }
    bb_close(x);
    bb_u16(x, tls13 ? 0x1301 : 0xC02F);
    bb_u8(x, 0);
    bb_open(x, 2);
    if (tls13) {
        ext_begin(x, 51);
        bb_u16(x, 0x001D);
        bb_open(x, 2);
        for (i = 0; i < 32; i++) {
            bb_u8(x, (unsigned)(0x10u + i));
        }
        bb_close(x);
        bb_close(x);
        ext_begin(x, 43);
        bb_u16(x, 0x0304);
        bb_close(x);
    } else {
        ext_begin(x, 0xFF01);
        bb_u8(x, 0);
        bb_close(x);
        ext_begin(x, 11);
        bb_u8(x, 1);
        bb_u8(x, 0);
        bb_close(x);
    }
    bb_close(x);
    bb_close(x);
}

/* Wraps handshake bytes into handshake records of at most frag bytes each. */
static void wrap_records(bb *out, const uint8_t *hs, size_t n, size_t frag, unsigned version)
{
    size_t off = 0;
    while (off < n) {
        size_t k = n - off < frag ? n - off : frag;
        bb_u8(out, 22);
        bb_u16(out, version);
        bb_u16(out, (unsigned)k);
        bb_data(out, hs + off, k);
        off += k;
    }
}

/* Two handshake records, the first holding hs[0 .. cut). */
static void wrap_two(bb *out, const uint8_t *hs, size_t n, size_t cut)
{
    bb_u8(out, 22);
    bb_u16(out, 0x0301);
    bb_u16(out, (unsigned)cut);
    bb_data(out, hs, cut);
    bb_u8(out, 22);
    bb_u16(out, 0x0303);
    bb_u16(out, (unsigned)(n - cut));
    bb_data(out, hs + cut, n - cut);
}

static bb g_hs, g_stream, g_tmp;

/* The default ClientHello in one record, in g_stream. */
static void default_client_hello_stream(void)
{
    hello_opts o = default_hello();
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
}

/* ---- running the classifier ---- */

static wk_cls_dir g_dir;
static wk_cls_dir g_dir2;

/* Feeds p in segments ending at the given cut offsets (ascending), then the rest, then
 * finishes the direction. Checks the status contract along the way. */
static void run_cuts(wk_cls_dir *d, uint32_t budget, const uint8_t *p, size_t n,
                     const size_t *cuts, size_t ncuts, wk_cls_result *r)
{
    size_t prev = 0, i;
    int classified = 0;
    wk_cls_init(d, budget);
    for (i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        /* Each segment from a heap block of exactly its size: a read past it is an
         * AddressSanitizer error, not a silent read of the next bytes. */
        uint8_t *seg = (uint8_t *)malloc(end > prev ? end - prev : 1u);
        wk_cls_status s;
        if (seg == NULL) {
            abort();
        }
        memcpy(seg, p + prev, end - prev);
        s = wk_cls_feed(d, end > prev ? seg : NULL, end - prev);
        free(seg);
        if (s == WK_CLS_CLASSIFIED) {
            CHECK(!classified); /* CLASSIFIED is reported once */
            classified = 1;
        } else if (s == WK_CLS_DONE) {
            CHECK(classified);
        } else {
            CHECK(!classified);
        }
        prev = end;
    }
    if (!classified) {
        CHECK_EQ(wk_cls_finish(d), WK_CLS_CLASSIFIED);
    }
    CHECK_EQ(wk_cls_finish(d), WK_CLS_DONE);
    CHECK_EQ(wk_cls_wanted(d), 0);
    wk_cls_get_result(d, r);
}

static void run_whole(wk_cls_dir *d, uint32_t budget, const uint8_t *p, size_t n,
                      wk_cls_result *r)
{
    run_cuts(d, budget, p, n, NULL, 0, r);
}

static int same_member(const uint8_t *a, uint16_t la, const uint8_t *b, uint16_t lb)
{
    return la == lb && (la == 0 || memcmp(a, b, la) == 0);
}

static int same_result(const wk_cls_result *a, const wk_cls_result *b)
{
    return a->appProtocol == b->appProtocol && a->truncated == b->truncated &&
           a->tlsVersion == b->tlsVersion && a->httpStatus == b->httpStatus &&
           same_member(a->sni, a->sniLength, b->sni, b->sniLength) &&
           same_member(a->alpn, a->alpnLength, b->alpn, b->alpnLength) &&
           same_member(a->host, a->hostLength, b->host, b->hostLength) &&
           same_member(a->method, a->methodLength, b->method, b->methodLength) &&
           same_member(a->path, a->pathLength, b->path, b->pathLength) &&
           same_member(a->banner, a->bannerLength, b->banner, b->bannerLength);
}

/* The answer for p must not depend on segmentation: every two-way split, byte by byte,
 * and `randomRuns` seeded random segmentations. Returns the number of disagreements. */
static unsigned split_invariance(const uint8_t *p, size_t n, uint32_t budget,
                                 unsigned randomRuns, uint64_t seed)
{
    static size_t cuts[BB_CAP];
    wk_cls_result whole, other;
    unsigned bad = 0;
    size_t i, k;
    unsigned run;

    run_whole(&g_dir, budget, p, n, &whole);
    for (i = 1; i < n; i++) {
        run_cuts(&g_dir2, budget, p, n, &i, 1, &other);
        bad += !same_result(&whole, &other);
    }
    for (i = 1; i < n; i++) {
        cuts[i - 1] = i;
    }
    run_cuts(&g_dir2, budget, p, n, cuts, n > 0 ? n - 1 : 0, &other);
    bad += !same_result(&whole, &other);
    rng_seed(seed);
    for (run = 0; run < randomRuns; run++) {
        size_t at = 0;
        k = 0;
        for (;;) {
            /* mostly small segments, sometimes large ones, as MDL chains come */
            uint32_t step = (rng_next() & 3u) == 0 ? rng_range(1, 1500) : rng_range(1, 40);
            at += step;
            if (at >= n) {
                break;
            }
            cuts[k++] = at;
        }
        run_cuts(&g_dir2, budget, p, n, cuts, k, &other);
        bad += !same_result(&whole, &other);
    }
    return bad;
}

static void classify_str(const char *s, uint32_t budget, wk_cls_result *r)
{
    run_whole(&g_dir, budget, (const uint8_t *)s, strlen(s), r);
}

/* ---- TLS ---- */

static const char k_alpn_wire[] = "\x02h2\x08http/1.1";

static void test_client_hello(void)
{
    wk_cls_result r;
    g_case = "client hello";
    default_client_hello_stream();
    CHECK(g_stream.len > 300);
    printf("ClientHello: %lu bytes\n", (unsigned long)g_stream.len);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0304);
    CHECK_BYTES(r.sni, r.sniLength, "www.example.com");
    CHECK_BYTES(r.alpn, r.alpnLength, k_alpn_wire);
    CHECK_EQ(r.truncated, 0);
    CHECK_EQ(r.httpStatus, 0);
    CHECK_EQ(r.hostLength + r.methodLength + r.pathLength + r.bannerLength, 0);
    /* It stops at the end of the hello: the verdict came before any finish(). */
    wk_cls_init(&g_dir, 0);
    CHECK_EQ(wk_cls_feed(&g_dir, g_stream.b, g_stream.len), WK_CLS_CLASSIFIED);
    CHECK_EQ(wk_cls_feed(&g_dir, g_stream.b, 10), WK_CLS_DONE);
    CHECK(wk_cls_is_done(&g_dir));
    CHECK_EQ(g_dir.seen, g_stream.len);
}

static void test_client_hello_splits(void)
{
    g_case = "client hello splits";
    default_client_hello_stream();
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, 0, 3000, 0xC0FFEEu), 0);
}

static void test_client_hello_records(void)
{
    wk_cls_result whole, r;
    size_t cut;
    unsigned bad = 0;
    static const size_t frags[] = {1, 2, 3, 5, 7, 64, 100, 333};
    size_t i;
    g_case = "client hello across records";
    default_client_hello_stream();
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &whole);
    /* The handshake message split into two records at every offset. */
    for (cut = 1; cut < g_hs.len; cut++) {
        bb_reset(&g_tmp);
        wrap_two(&g_tmp, g_hs.b, g_hs.len, cut);
        run_whole(&g_dir2, 0, g_tmp.b, g_tmp.len, &r);
        bad += !same_result(&whole, &r);
    }
    CHECK_EQ(bad, 0);
    /* Many small records, and those byte by byte too. */
    for (i = 0; i < sizeof frags / sizeof frags[0]; i++) {
        bb_reset(&g_tmp);
        wrap_records(&g_tmp, g_hs.b, g_hs.len, frags[i], 0x0303);
        run_whole(&g_dir2, WK_MAX_INSPECT_BUDGET, g_tmp.b, g_tmp.len, &r);
        CHECK(same_result(&whole, &r));
        if (frags[i] >= 5) {
            CHECK_EQ(split_invariance(g_tmp.b, g_tmp.len, WK_MAX_INSPECT_BUDGET, 50,
                                      (uint64_t)frags[i]), 0);
        }
    }
}

static void test_client_hello_variants(void)
{
    wk_cls_result r;
    hello_opts o;

    g_case = "client hello without supported_versions";
    o = default_hello();
    o.supportedVersions = 0;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0303);
    CHECK_BYTES(r.sni, r.sniLength, "www.example.com");

    g_case = "client hello TLS 1.0, no extensions";
    o = default_hello();
    o.noExtensions = 1;
    o.legacyVersion = 0x0301;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, 0, 100, 7), 0);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0301);
    CHECK_EQ(r.sniLength + r.alpnLength, 0);

    g_case = "client hello, no SNI, no ALPN";
    o = default_hello();
    o.sni = NULL;
    o.alpn[0] = NULL;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0304);
    CHECK_EQ(r.sniLength + r.alpnLength, 0);
    CHECK_EQ(r.truncated, 0);

    g_case = "client hello, one ALPN name";
    o = default_hello();
    o.alpn[0] = "http/1.1";
    o.alpn[1] = NULL;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_BYTES(r.alpn, r.alpnLength, "\x08http/1.1");
}

static void test_server_hello(void)
{
    wk_cls_result r;
    g_case = "server hello TLS 1.3";
    bb_reset(&g_hs);
    build_server_hello(&g_hs, 1);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0303);
    /* a ChangeCipherSpec record follows, as in a real 1.3 server flight */
    bb_data(&g_stream, "\x14\x03\x03\x00\x01\x01", 6);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0304);
    CHECK_EQ(r.sniLength + r.alpnLength, 0);
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, 0, 200, 11), 0);

    g_case = "server hello TLS 1.2";
    bb_reset(&g_hs);
    build_server_hello(&g_hs, 0);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0303);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0303);
}

static void test_tls_truncation(void)
{
    wk_cls_result r;
    hello_opts o;
    size_t i;
    static char names[48][16];

    g_case = "SNI longer than the field";
    o = default_hello();
    o.sniFill = 300;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.sniLength, WK_FLOW_CLASSIFIED_SNI_MAX);
    CHECK_EQ(r.truncated, 1);
    CHECK(r.sni[0] == 'a' && r.sni[254] == 'a');
    CHECK_BYTES(r.alpn, r.alpnLength, k_alpn_wire); /* parsing went on after the cut */
    CHECK_EQ(r.tlsVersion, 0x0304);
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, 0, 100, 3), 0);

    g_case = "ALPN list longer than the field";
    o = default_hello();
    for (i = 0; i < 40; i++) {
        sprintf(names[i], "proto-%04u", (unsigned)i); /* 10 bytes: 11 on the wire */
        o.alpn[i] = names[i];
    }
    o.alpn[40] = NULL;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.alpnLength, 23u * 11u); /* whole entries only: 253 of 256 */
    CHECK_EQ(r.truncated, 1);
    CHECK(r.alpn[0] == 10 && memcmp(r.alpn + 1, "proto-0000", 10) == 0);
    CHECK(r.alpn[22 * 11] == 10 && memcmp(r.alpn + 22 * 11 + 1, "proto-0022", 10) == 0);
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, 0, 100, 4), 0);
}

/* Finds the first extension of `type` in a one-record ClientHello stream; returns the
 * offset of its type field, 0 if none. */
static size_t find_ext(const bb *s, unsigned type)
{
    /* record 5 + hs 4 + version 2 + random 32 */
    size_t off = 5 + 4 + 2 + 32;
    size_t end;
    off += 1u + s->b[off];
    off += 2u + (((size_t)s->b[off] << 8) | s->b[off + 1]);
    off += 1u + s->b[off];
    end = off + 2u + (((size_t)s->b[off] << 8) | s->b[off + 1]);
    off += 2;
    while (off + 4 <= end) {
        unsigned t = ((unsigned)s->b[off] << 8) | s->b[off + 1];
        size_t l = ((size_t)s->b[off + 2] << 8) | s->b[off + 3];
        if (t == type) {
            return off;
        }
        off += 4 + l;
    }
    return 0;
}

static void test_tls_malformed(void)
{
    wk_cls_result r;
    hello_opts o;
    size_t at;

    g_case = "extension length overruns the block";
    default_client_hello_stream();
    at = find_ext(&g_stream, 10); /* supported_groups: after SNI, before ALPN */
    CHECK(at != 0);
    g_stream.b[at + 2] = 0x7F; /* length 0x7Fxx */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS); /* committed: partial metadata */
    CHECK_BYTES(r.sni, r.sniLength, "www.example.com");
    CHECK_EQ(r.alpnLength, 0);
    CHECK_EQ(r.tlsVersion, 0x0303); /* supported_versions never reached */
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, 0, 50, 5), 0);

    g_case = "zero-length SNI";
    o = default_hello();
    o.sni = "";
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.sniLength, 0);
    CHECK_BYTES(r.alpn, r.alpnLength, k_alpn_wire);
    CHECK_EQ(r.tlsVersion, 0x0304);

    g_case = "SNI list length overruns the extension";
    default_client_hello_stream();
    at = find_ext(&g_stream, 0);
    CHECK(at != 0);
    g_stream.b[at + 4] = 0x01; /* ServerNameList length 0x01xx > extension */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.sniLength, 0);
    CHECK_BYTES(r.alpn, r.alpnLength, k_alpn_wire);
    CHECK_EQ(r.tlsVersion, 0x0304);

    g_case = "host name length overruns the list";
    default_client_hello_stream();
    at = find_ext(&g_stream, 0);
    g_stream.b[at + 7] = 0x40; /* HostName length 0x40xx */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.sniLength, 0);
    CHECK_BYTES(r.alpn, r.alpnLength, k_alpn_wire);

    g_case = "ALPN with an empty name";
    default_client_hello_stream();
    at = find_ext(&g_stream, 16);
    CHECK(at != 0);
    g_stream.b[at + 6] = 0; /* first ProtocolName length 0 */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.alpnLength, 0);
    CHECK_BYTES(r.sni, r.sniLength, "www.example.com");

    g_case = "ALPN names not adding up to the list";
    default_client_hello_stream();
    at = find_ext(&g_stream, 16);
    g_stream.b[at + 6] = 3; /* "h2" claims 3 bytes */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.alpnLength, 0);

    g_case = "supported_versions with an odd length";
    default_client_hello_stream();
    at = find_ext(&g_stream, 43);
    CHECK(at != 0);
    g_stream.b[at + 4] = 5;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(r.tlsVersion, 0x0303); /* ignored: legacy_version */

    g_case = "huge record length";
    default_client_hello_stream();
    g_stream.b[3] = 0xFF;
    g_stream.b[4] = 0xFF;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "zero record length";
    default_client_hello_stream();
    g_stream.b[3] = 0;
    g_stream.b[4] = 0;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "record version not 3.x";
    default_client_hello_stream();
    g_stream.b[1] = 2;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "handshake type not a hello";
    default_client_hello_stream();
    g_stream.b[5] = 11; /* Certificate */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "hello shorter than its fixed part";
    default_client_hello_stream();
    g_stream.b[6] = 0;
    g_stream.b[7] = 0;
    g_stream.b[8] = 20;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "session id longer than 32";
    default_client_hello_stream();
    g_stream.b[5 + 4 + 2 + 32] = 33;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "hello length overruns everything";
    default_client_hello_stream();
    g_stream.b[6] = 0xFF; /* 16 MB hello: extensions block no longer matches */
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS); /* the fixed part parsed; no metadata */
    CHECK_EQ(r.sniLength + r.alpnLength, 0);

    g_case = "second record is not a handshake record";
    bb_reset(&g_hs);
    o = default_hello();
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_two(&g_stream, g_hs.b, g_hs.len, 20); /* cut inside the random */
    g_stream.b[5 + 20] = 23;
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    at = find_ext(&g_stream, 0); /* not valid here: use a cut inside the ALPN instead */
    bb_reset(&g_tmp);
    default_client_hello_stream();
    at = find_ext(&g_stream, 16) - 5 + 9; /* handshake offset just after "h2" */
    wrap_two(&g_tmp, g_hs.b, g_hs.len, at);
    g_tmp.b[5 + at] = 21; /* an alert record in the middle of the hello */
    run_whole(&g_dir, 0, g_tmp.b, g_tmp.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_BYTES(r.sni, r.sniLength, "www.example.com");
    CHECK_EQ(r.alpnLength, 3); /* "h2" was complete, "http/1.1" was not */
    CHECK_EQ(r.truncated, 1);

    g_case = "not a handshake record";
    classify_str("\x17\x03\x03\x00\x20 application data", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("\x16", 0, &r); /* one byte then the stream ends */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
}

/* Random damage to a real hello must never crash nor depend on segmentation. */
static void test_tls_mutations(void)
{
    unsigned run, bad = 0;
    wk_cls_result a, b;
    static size_t cuts[64];
    g_case = "mutated hellos";
    rng_seed(0xBADC0DEu);
    for (run = 0; run < 3000; run++) {
        unsigned m, nmut = rng_range(1, 4);
        size_t k = 0, at = 0;
        uint64_t saved;
        default_client_hello_stream();
        saved = g_rng;
        rng_seed(saved);
        for (m = 0; m < nmut; m++) {
            size_t pos = rng_range(0, (uint32_t)g_stream.len - 1);
            g_stream.b[pos] = (uint8_t)rng_next();
        }
        if (run % 5 == 0) {
            g_stream.len = rng_range(1, (uint32_t)g_stream.len); /* cut short too */
        }
        run_whole(&g_dir, 0, g_stream.b, g_stream.len, &a);
        CHECK(a.appProtocol == WK_APP_PROTOCOL_TLS || a.appProtocol == WK_APP_PROTOCOL_UNKNOWN);
        CHECK(a.sniLength <= WK_FLOW_CLASSIFIED_SNI_MAX);
        CHECK(a.alpnLength <= WK_FLOW_CLASSIFIED_ALPN_MAX);
        while (k < 63) {
            at += rng_range(1, 64);
            if (at >= g_stream.len) {
                break;
            }
            cuts[k++] = at;
        }
        run_cuts(&g_dir2, 0, g_stream.b, g_stream.len, cuts, k, &b);
        bad += !same_result(&a, &b);
    }
    CHECK_EQ(bad, 0);
}

static void test_budget(void)
{
    wk_cls_result r;
    hello_opts o;
    size_t at;

    g_case = "budget defaults and limits";
    wk_cls_init(&g_dir, 0);
    CHECK_EQ(wk_cls_wanted(&g_dir), WK_DEFAULT_INSPECT_BUDGET);
    wk_cls_init(&g_dir, 1u << 24);
    CHECK_EQ(wk_cls_wanted(&g_dir), WK_MAX_INSPECT_BUDGET);
    wk_cls_init(&g_dir, 100);
    CHECK_EQ(wk_cls_wanted(&g_dir), 100);
    CHECK_EQ(wk_cls_feed(&g_dir, (const uint8_t *)"GET /", 5), WK_CLS_NEED_MORE);
    CHECK_EQ(wk_cls_wanted(&g_dir), 95);
    CHECK_EQ(wk_cls_feed(&g_dir, NULL, 0), WK_CLS_NEED_MORE);

    g_case = "budget ends in the fixed part of a hello";
    default_client_hello_stream();
    run_whole(&g_dir, 60, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS); /* tentative: valid record + hello headers */
    CHECK_EQ(r.tlsVersion, 0x0303);
    CHECK_EQ(r.sniLength, 0);
    wk_cls_init(&g_dir, 60);
    CHECK_EQ(wk_cls_feed(&g_dir, g_stream.b, g_stream.len), WK_CLS_CLASSIFIED);
    CHECK_EQ(g_dir.seen, 60);

    g_case = "budget ends inside the SNI";
    at = find_ext(&g_stream, 0);
    run_whole(&g_dir, (uint32_t)(at + 9 + 4), g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_BYTES(r.sni, r.sniLength, "www.");
    CHECK_EQ(r.truncated, 1);
    CHECK_EQ(split_invariance(g_stream.b, g_stream.len, (uint32_t)(at + 13), 50, 9), 0);

    g_case = "budget ends inside the ALPN list";
    at = find_ext(&g_stream, 16);
    run_whole(&g_dir, (uint32_t)(at + 6 + 5), g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_BYTES(r.alpn, r.alpnLength, "\x02h2");
    CHECK_EQ(r.truncated, 1);

    g_case = "hello larger than the budget";
    o = default_hello();
    o.padding = 6000;
    bb_reset(&g_hs);
    build_client_hello(&g_hs, &o);
    bb_reset(&g_stream);
    wrap_records(&g_stream, g_hs.b, g_hs.len, 16384, 0x0301);
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_BYTES(r.sni, r.sniLength, "www.example.com");
    CHECK_BYTES(r.alpn, r.alpnLength, k_alpn_wire);
    CHECK_EQ(r.tlsVersion, 0x0304); /* supported_versions comes before the padding */
    CHECK_EQ(r.truncated, 0);

    g_case = "budget ends before an opening is complete";
    classify_str("GET / HTTP/1.1\r\n", 3, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 23, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);

    g_case = "budget ends in the headers";
    classify_str("GET /a HTTP/1.1\r\nUser-Agent: test\r\nAccept: */*\r\nHost: late.example\r\n\r\n",
                 40, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_BYTES(r.method, r.methodLength, "GET");
    CHECK_BYTES(r.path, r.pathLength, "/a");
    CHECK_EQ(r.hostLength, 0);
    CHECK_EQ(r.truncated, 0);

    g_case = "budget ends in the request target";
    classify_str("GET /abcdefghijklmnop HTTP/1.1\r\n", 10, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_BYTES(r.path, r.pathLength, "/abcde");
    CHECK_EQ(r.truncated, 1);

    g_case = "budget ends in the banner";
    classify_str("SSH-2.0-OpenSSH_9.6\r\n", 12, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_SSH);
    CHECK_BYTES(r.banner, r.bannerLength, "SSH-2.0-Open");
    CHECK_EQ(r.truncated, 1);

    g_case = "budget of one byte";
    classify_str("\x16\x03\x01", 1, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
}

/* ---- HTTP/1.x ---- */

static void test_http_requests(void)
{
    static const char *methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD",
                                    "OPTIONS", "PATCH", "CONNECT", "TRACE"};
    char req[512];
    wk_cls_result r;
    size_t i;

    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        g_case = methods[i];
        sprintf(req, "%s /index.html?q=1&r=%%20 HTTP/1.1\r\nUser-Agent: wk-test/1.0\r\n"
                     "Accept: */*\r\nhOsT: \t example.org:8080 \t\r\nX-After: 1\r\n\r\nbody",
                methods[i]);
        classify_str(req, 0, &r);
        CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
        CHECK_BYTES(r.method, r.methodLength, methods[i]);
        CHECK_BYTES(r.path, r.pathLength, "/index.html?q=1&r=%20");
        CHECK_BYTES(r.host, r.hostLength, "example.org:8080");
        CHECK_EQ(r.httpStatus, 0);
        CHECK_EQ(r.tlsVersion, 0);
        CHECK_EQ(r.truncated, 0);
        CHECK_EQ(split_invariance((const uint8_t *)req, strlen(req), 0, 100, i + 1), 0);
    }

    g_case = "CONNECT authority form";
    classify_str("CONNECT proxy.example:443 HTTP/1.1\r\nHost: proxy.example:443\r\n\r\n", 0, &r);
    CHECK_BYTES(r.path, r.pathLength, "proxy.example:443");
    CHECK_BYTES(r.host, r.hostLength, "proxy.example:443");

    g_case = "HTTP/1.0 without Host";
    classify_str("GET / HTTP/1.0\r\nAccept: text/html\r\n\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_BYTES(r.path, r.pathLength, "/");
    CHECK_EQ(r.hostLength, 0);
    CHECK_EQ(r.truncated, 0);

    g_case = "bare LF line ends";
    classify_str("GET /x HTTP/1.1\nX-Hostile: no\nHostname: no\nHost: lf.example\n\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_BYTES(r.host, r.hostLength, "lf.example");

    g_case = "header lines shorter than a Host name";
    {
        static const char shortLines[] =
            "GET /s HTTP/1.1\r\nA:1\r\nHo\r\nH\nhost\r\nHOST:\tshort.example\r\n\r\n";
        classify_str(shortLines, 0, &r);
        CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
        CHECK_BYTES(r.host, r.hostLength, "short.example");
        CHECK_EQ(split_invariance((const uint8_t *)shortLines, strlen(shortLines), 0, 200, 55), 0);
    }

    g_case = "empty Host";
    classify_str("GET / HTTP/1.1\r\nHost:\r\n\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_EQ(r.hostLength, 0);

    g_case = "request target longer than the field";
    {
        static char big[2048];
        size_t n;
        strcpy(big, "GET /");
        n = strlen(big);
        memset(big + n, 'p', 700);
        strcpy(big + n + 700, " HTTP/1.1\r\nHost: ");
        n = strlen(big);
        memset(big + n, 'h', 300);
        strcpy(big + n + 300, "\r\n\r\n");
        classify_str(big, 0, &r);
        CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
        CHECK_EQ(r.pathLength, WK_FLOW_CLASSIFIED_PATH_MAX);
        CHECK(r.path[0] == '/' && r.path[511] == 'p');
        CHECK_EQ(r.hostLength, WK_FLOW_CLASSIFIED_HOST_MAX);
        CHECK_EQ(r.truncated, 1);
        CHECK_EQ(split_invariance((const uint8_t *)big, strlen(big), 0, 100, 77), 0);
    }

    g_case = "malformed requests";
    classify_str("GET  / HTTP/1.1\r\n\r\n", 0, &r); /* empty target */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("GET / HTTP/2.0\r\n\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("GET /\x01 HTTP/1.1\r\n\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("GET / HTTP/1.1\rX", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("GETX / HTTP/1.1\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("get / HTTP/1.1\r\n", 0, &r); /* methods are case-sensitive */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("GET / HTTP/1.1\r\nHost: a\r\n", 0, &r); /* complete at the Host line */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    classify_str("GET / HTTP/1.1\r\n\rX", 0, &r); /* committed: HTTP1 anyway */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
}

static void test_http_responses(void)
{
    wk_cls_result r;
    static const char ok[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    g_case = "HTTP response";
    classify_str(ok, 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_EQ(r.httpStatus, 404);
    CHECK_EQ(r.methodLength + r.pathLength + r.hostLength, 0);
    CHECK_EQ(split_invariance((const uint8_t *)ok, strlen(ok), 0, 100, 21), 0);
    classify_str("HTTP/1.0 200\r\n", 0, &r);
    CHECK_EQ(r.httpStatus, 200);
    classify_str("HTTP/1.1 101 Switching Protocols\r\n", 0, &r);
    CHECK_EQ(r.httpStatus, 101);
    g_case = "malformed responses";
    classify_str("HTTP/1.1 99 Low\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("HTTP/1.1 600 High\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("HTTP/1.1 2000\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("HTTP/1.x 200 OK\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("HTTP/1.1 20", 0, &r); /* ends early: HTTP1 without a status */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_EQ(r.httpStatus, 0);
}

/* ---- HTTP/2, SSH, unknown ---- */

static void test_http2(void)
{
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00";
    wk_cls_result r;
    g_case = "HTTP/2 preface";
    run_whole(&g_dir, 0, (const uint8_t *)preface, sizeof preface - 1, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP2);
    CHECK_EQ(r.truncated, 0);
    CHECK_EQ(g_dir.seen, 24);
    CHECK_EQ(split_invariance((const uint8_t *)preface, sizeof preface - 1, 0, 100, 31), 0);
    classify_str("PRI * HTTP/2.0\r\n\r\nSM\r\n\rX", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    classify_str("PRI * HTTP/2.0\r\n", 0, &r); /* stream ends inside it */
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
}

static void test_ssh(void)
{
    static const char s[] = "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n\x00\x00\x05\xdc";
    wk_cls_result r;
    g_case = "SSH banner";
    classify_str(s, 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_SSH);
    CHECK_BYTES(r.banner, r.bannerLength, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5");
    CHECK_EQ(r.truncated, 0);
    CHECK_EQ(split_invariance((const uint8_t *)s, strlen(s), 0, 100, 41), 0);
    classify_str("SSH-1.99-Cisco-1.25\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_SSH);
    CHECK_BYTES(r.banner, r.bannerLength, "SSH-1.99-Cisco-1.25");
    g_case = "SSH banner too long";
    {
        static char big[600];
        strcpy(big, "SSH-2.0-");
        memset(big + 8, 'v', 400);
        strcpy(big + 408, "\r\n");
        classify_str(big, 0, &r);
        CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_SSH);
        CHECK_EQ(r.bannerLength, WK_FLOW_CLASSIFIED_BANNER_MAX);
        CHECK_EQ(r.truncated, 1);
        CHECK_EQ(split_invariance((const uint8_t *)big, strlen(big), 0, 100, 42), 0);
        /* exactly the field: not truncated */
        big[255] = '\r';
        big[256] = '\n';
        big[257] = 0;
        classify_str(big, 0, &r);
        CHECK_EQ(r.bannerLength, 255);
        CHECK_EQ(r.truncated, 0);
    }
    g_case = "malformed SSH";
    classify_str("SSH-2.0-x\rY", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_SSH); /* committed: what came before */
    CHECK_BYTES(r.banner, r.bannerLength, "SSH-2.0-x");
    classify_str("SSH-2.0-a\x01\r\n", 0, &r);
    CHECK_BYTES(r.banner, r.bannerLength, "SSH-2.0-a");
    classify_str("SSH-3.0-x\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
}

static void test_unknown(void)
{
    wk_cls_result r;
    static const uint8_t zeros[16] = {0};
    g_case = "unknown";
    classify_str("HELLO\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    run_whole(&g_dir, 0, zeros, sizeof zeros, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    CHECK_EQ(g_dir.seen, 1); /* decided at the first byte */
    classify_str("220 smtp.example ESMTP\r\n", 0, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNKNOWN);
    CHECK_EQ(r.truncated, 0);

    g_case = "finish";
    wk_cls_init(&g_dir, 0);
    CHECK_EQ(wk_cls_finish(&g_dir), WK_CLS_CLASSIFIED);
    wk_cls_get_result(&g_dir, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNCLASSIFIED); /* nothing seen */
    wk_cls_init(&g_dir, 0);
    CHECK_EQ(wk_cls_feed(&g_dir, (const uint8_t *)"POST /up", 8), WK_CLS_NEED_MORE);
    wk_cls_get_result(&g_dir, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_UNCLASSIFIED); /* no verdict yet */
    CHECK_EQ(wk_cls_finish(&g_dir), WK_CLS_CLASSIFIED);
    wk_cls_get_result(&g_dir, &r);
    CHECK_EQ(r.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_BYTES(r.method, r.methodLength, "POST");
    CHECK_BYTES(r.path, r.pathLength, "/up");
    CHECK_EQ(r.truncated, 1);
    CHECK_EQ(wk_cls_feed(&g_dir, (const uint8_t *)" HTTP", 5), WK_CLS_DONE);
}

/* ---- the record ---- */

static void test_record(void)
{
    wk_cls_result r;
    static uint8_t buf[WK_FLOW_CLASSIFIED_RECORD_MAX_SIZE + 16];
    WK_FLOW_CLASSIFIED_RECORD rec;
    uint32_t size, i;

    g_case = "TLS record";
    default_client_hello_stream();
    run_whole(&g_dir, 0, g_stream.b, g_stream.len, &r);
    size = wk_cls_record_size(&r);
    CHECK_EQ(size, WK_ALIGN_RECORD(48u + 15u + 12u));
    memset(buf, 0xCC, sizeof buf);
    CHECK_EQ(wk_cls_write_record(&r, WK_DIRECTION_OUTBOUND, 0x1122334455667788ull, 1234567,
                                 WK_RECORD_FLAGS_IPV6, buf, size - 1), 0);
    CHECK_EQ(buf[0], 0xCC);
    CHECK_EQ(wk_cls_write_record(&r, WK_DIRECTION_OUTBOUND, 0x1122334455667788ull, 1234567,
                                 WK_RECORD_FLAGS_IPV6, buf, sizeof buf), size);
    memcpy(&rec, buf, sizeof rec);
    CHECK_EQ(rec.header.type, WK_EVENT_TYPE_FLOW_CLASSIFIED);
    CHECK_EQ(rec.header.flags, WK_RECORD_FLAGS_IPV6);
    CHECK_EQ(rec.header.size, size);
    CHECK_EQ(rec.header.timestamp, 1234567);
    CHECK_EQ(rec.header.flowId, 0x1122334455667788ull);
    CHECK_EQ(rec.appProtocol, WK_APP_PROTOCOL_TLS);
    CHECK_EQ(rec.direction, WK_DIRECTION_OUTBOUND);
    CHECK_EQ(rec.tlsVersion, 0x0304);
    CHECK_EQ(rec.sniLength, 15);
    CHECK_EQ(rec.alpnLength, 12);
    CHECK_EQ(rec.hostLength + rec.methodLength + rec.pathLength + rec.bannerLength, 0);
    CHECK_EQ(rec.reserved0 + rec.reserved1, 0);
    CHECK(memcmp(buf + 48, "www.example.com", 15) == 0);
    CHECK(memcmp(buf + 48 + 15, k_alpn_wire, 12) == 0);
    for (i = 48 + 27; i < size; i++) {
        CHECK_EQ(buf[i], 0); /* padding */
    }
    CHECK_EQ(buf[size], 0xCC); /* nothing past the record */

    g_case = "HTTP record: tail order host, method, path";
    classify_str("DELETE /item/7 HTTP/1.1\r\nHost: api.example\r\n\r\n", 0, &r);
    size = wk_cls_write_record(&r, WK_DIRECTION_INBOUND, 9, 10, 0, buf, sizeof buf);
    CHECK_EQ(size, WK_ALIGN_RECORD(48u + 11u + 6u + 7u));
    memcpy(&rec, buf, sizeof rec);
    CHECK_EQ(rec.header.flags, 0);
    CHECK_EQ(rec.direction, WK_DIRECTION_INBOUND);
    CHECK_EQ(rec.hostLength, 11);
    CHECK_EQ(rec.methodLength, 6);
    CHECK_EQ(rec.pathLength, 7);
    CHECK(memcmp(buf + 48, "api.exampleDELETE/item/7", 24) == 0);

    g_case = "truncated record";
    classify_str("SSH-2.0-OpenSSH", 0, &r);
    size = wk_cls_write_record(&r, 0, 1, 2, 0, buf, sizeof buf);
    memcpy(&rec, buf, sizeof rec);
    CHECK_EQ(rec.header.flags, WK_RECORD_FLAGS_TRUNCATED);
    CHECK_EQ(rec.bannerLength, 15);

    g_case = "largest record";
    memset(&r, 0, sizeof r);
    r.sni = r.alpn = r.host = r.method = r.path = r.banner = buf; /* any bytes */
    r.sniLength = r.alpnLength = r.hostLength = r.methodLength = r.pathLength =
        r.bannerLength = 0xFFFF; /* clamped to each member's maximum */
    CHECK_EQ(wk_cls_record_size(&r), WK_FLOW_CLASSIFIED_RECORD_MAX_SIZE);
    r.sni = NULL; /* a member without bytes is empty whatever its length */
    CHECK_EQ(wk_cls_record_size(&r), WK_ALIGN_RECORD(WK_FLOW_CLASSIFIED_RECORD_MAX_SIZE - 7u - 255u));
}

int main(void)
{
    printf("sizeof(wk_cls_dir) = %lu bytes per direction, %lu per flow\n",
           (unsigned long)sizeof(wk_cls_dir), (unsigned long)(2 * sizeof(wk_cls_dir)));
    test_client_hello();
    test_client_hello_splits();
    test_client_hello_records();
    test_client_hello_variants();
    test_server_hello();
    test_tls_truncation();
    test_tls_malformed();
    test_tls_mutations();
    test_budget();
    test_http_requests();
    test_http_responses();
    test_http2();
    test_ssh();
    test_unknown();
    test_record();
    return check_report();
}
