/*
 * ws_gen_payload.c - real-looking application bytes for generated flows:
 * TLS 1.3 ClientHello / ServerHello (RFC 8446 wire format), HTTP/1.1
 * requests and responses, SSH-2.0 identification strings and KEXINIT
 * (RFC 4253), and opaque random payloads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_gen_internal.h"

#define TLS_REC_MAX 16384u

void ws_rng_fill(ws_rng *r, uint8_t *p, size_t n)
{
    while (n) {
        uint64_t v = ws_rng_next(r);
        for (int i = 0; i < 8 && n; i++, n--, v >>= 8)
            *p++ = (uint8_t)v;
    }
}

/* ---- growable byte buffer ------------------------------------------------- */

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
    int oom;
} buf;

static void put(buf *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        while (nc < b->len + n)
            nc *= 2;
        uint8_t *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    if (n)
        memcpy(b->p + b->len, src, n);
    b->len += n;
}
static void put8(buf *b, unsigned v) { uint8_t x = (uint8_t)v; put(b, &x, 1); }
static void put16(buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put32(buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffffu); }
static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }
static void put_rand(buf *b, ws_rng *r, size_t n)
{
    uint8_t tmp[64];
    while (n) {
        size_t k = n < sizeof tmp ? n : sizeof tmp;
        ws_rng_fill(r, tmp, k);
        put(b, tmp, k);
        n -= k;
    }
}
/* patch a big-endian length of `width` bytes at `at` to cover [at + width, len) */
static void patch_len(buf *b, size_t at, int width)
{
    if (b->oom)
        return;
    size_t v = b->len - at - (size_t)width;
    for (int i = width - 1; i >= 0; i--, v >>= 8)
        b->p[at + (size_t)i] = (uint8_t)v;
}

/* ---- message bodies --------------------------------------------------------- */

void ws_gen_body(ws_gen_msg *m, int kind, uint64_t app_bytes, uint64_t seed)
{
    m->body_kind = (uint8_t)(app_bytes ? kind : WS_BODY_NONE);
    m->body_app = app_bytes;
    m->seed = seed;
    if (kind == WS_BODY_TLS)
        m->body_len = app_bytes + 5u * ((app_bytes + TLS_REC_MAX - 1) / TLS_REC_MAX);
    else
        m->body_len = m->body_kind ? app_bytes : 0;
}

uint64_t ws_gen_msg_len(const ws_gen_msg *m) { return m->hdr_len + m->body_len; }

static uint8_t rand_byte(uint64_t seed, uint64_t off)
{
    return (uint8_t)(ws_mix64(seed ^ (off >> 3) * 0xd1b54a32d192ed03ull) >> ((off & 7u) * 8u));
}

/* The body bytes [b, b + n) of a non-TLS body: rand_byte() eight bytes per mix (the same bytes). */
static void rand_bytes(uint64_t seed, uint64_t b, uint32_t n, uint8_t *out)
{
    uint32_t i = 0;
    while (i < n) {
        uint64_t w = ws_mix64(seed ^ (b >> 3) * 0xd1b54a32d192ed03ull);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if ((b & 7u) == 0 && n - i >= 8) {
            memcpy(out + i, &w, 8); /* a whole word: its bytes are its little-endian bytes */
            i += 8;
            b += 8;
            continue;
        }
#endif
        w >>= (b & 7u) * 8u;
        uint32_t k = 8u - (uint32_t)(b & 7u);
        if (k > n - i)
            k = n - i;
        for (uint32_t j = 0; j < k; j++, w >>= 8)
            out[i + j] = (uint8_t)w;
        i += k;
        b += k;
    }
}

void ws_gen_msg_bytes(const ws_gen_msg *m, uint64_t off, uint32_t n, uint8_t *out)
{
    if (m->body_kind != WS_BODY_TLS) {
        /* header bytes, then the body in words */
        uint32_t i = 0;
        for (; i < n && off < m->hdr_len; i++, off++)
            out[i] = m->hdr[off];
        if (i < n)
            rand_bytes(m->seed, off - m->hdr_len, n - i, out + i);
        return;
    }
    for (uint32_t i = 0; i < n; i++, off++) {
        if (off < m->hdr_len) {
            out[i] = m->hdr[off];
            continue;
        }
        uint64_t b = off - m->hdr_len;
        if (m->body_kind != WS_BODY_TLS) {
            out[i] = rand_byte(m->seed, b);
            continue;
        }
        uint64_t rec = b / (TLS_REC_MAX + 5u), in = b % (TLS_REC_MAX + 5u);
        if (in >= 5) {
            out[i] = rand_byte(m->seed, b);
            continue;
        }
        uint64_t left = m->body_app - rec * TLS_REC_MAX;
        uint32_t rlen = (uint32_t)(left < TLS_REC_MAX ? left : TLS_REC_MAX);
        static const uint8_t hdr[3] = {0x17, 0x03, 0x03}; /* application_data, TLS 1.2 legacy */
        out[i] = in < 3 ? hdr[in] : in == 3 ? (uint8_t)(rlen >> 8) : (uint8_t)rlen;
    }
}

/* ---- TLS -------------------------------------------------------------------- */

static void tls_client_hello(buf *b, ws_rng *r, const char *sni, const char *alpn,
                             uint8_t session_id[32])
{
    size_t rec = b->len;
    put8(b, 0x16); put16(b, 0x0301); put16(b, 0);            /* record: handshake */
    size_t hs = b->len;
    put8(b, 0x01); put8(b, 0); put16(b, 0);                  /* ClientHello, len24 */
    put16(b, 0x0303);                                        /* legacy_version */
    put_rand(b, r, 32);                                      /* random */
    ws_rng_fill(r, session_id, 32);
    put8(b, 32); put(b, session_id, 32);                     /* legacy_session_id */
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                                      0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
                                      0x0035};
    uint16_t grease = (uint16_t)(0x0a0a + 0x1010 * ws_rng_below(r, 16));
    put16(b, 2 * (1 + sizeof suites / sizeof suites[0]));
    put16(b, grease);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        put16(b, suites[i]);
    put8(b, 1); put8(b, 0);                                  /* compression: null */
    size_t ext = b->len;
    put16(b, 0);
    put16(b, grease); put16(b, 0);                           /* GREASE extension */
    if (sni) {                                               /* server_name */
        size_t n = strlen(sni);
        put16(b, 0x0000); put16(b, (unsigned)(n + 5));
        put16(b, (unsigned)(n + 3)); put8(b, 0); put16(b, (unsigned)n); puts_(b, sni);
    }
    put16(b, 0x0017); put16(b, 0);                           /* extended_master_secret */
    put16(b, 0xff01); put16(b, 1); put8(b, 0);               /* renegotiation_info */
    put16(b, 0x000a); put16(b, 8); put16(b, 6);              /* supported_groups */
    put16(b, 0x001d); put16(b, 0x0017); put16(b, 0x0018);
    put16(b, 0x000b); put16(b, 2); put8(b, 1); put8(b, 0);   /* ec_point_formats */
    put16(b, 0x0023); put16(b, 0);                           /* session_ticket */
    if (alpn) {                                              /* ALPN */
        put16(b, 0x0010);
        size_t el = b->len;
        put16(b, 0);
        size_t ll = b->len;
        put16(b, 0);
        const char *s = alpn;
        while (*s) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            put8(b, (unsigned)n);
            put(b, s, n);
            s += n + (e ? 1 : 0);
        }
        patch_len(b, ll, 2);
        patch_len(b, el, 2);
    }
    put16(b, 0x0005); put16(b, 5); put8(b, 1); put16(b, 0); put16(b, 0); /* status_request */
    static const uint16_t sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    put16(b, 0x000d); put16(b, 2 + 2 * 8); put16(b, 2 * 8);  /* signature_algorithms */
    for (int i = 0; i < 8; i++)
        put16(b, sigs[i]);
    put16(b, 0x0033); put16(b, 38); put16(b, 36);            /* key_share: x25519 */
    put16(b, 0x001d); put16(b, 32); put_rand(b, r, 32);
    put16(b, 0x002d); put16(b, 2); put8(b, 1); put8(b, 1);   /* psk_key_exchange_modes */
    put16(b, 0x002b); put16(b, 5); put8(b, 4);               /* supported_versions */
    put16(b, 0x0304); put16(b, 0x0303);
    patch_len(b, ext, 2);
    patch_len(b, hs + 1, 3);
    patch_len(b, rec + 3, 2);
}

static void tls_server_hello(buf *b, ws_rng *r, const uint8_t session_id[32], int h2)
{
    (void)h2;
    size_t rec = b->len;
    put8(b, 0x16); put16(b, 0x0303); put16(b, 0);
    size_t hs = b->len;
    put8(b, 0x02); put8(b, 0); put16(b, 0);
    put16(b, 0x0303);
    put_rand(b, r, 32);
    put8(b, 32); put(b, session_id, 32);
    put16(b, 0x1301); put8(b, 0);
    size_t ext = b->len;
    put16(b, 0);
    put16(b, 0x002b); put16(b, 2); put16(b, 0x0304);
    put16(b, 0x0033); put16(b, 36); put16(b, 0x001d); put16(b, 32); put_rand(b, r, 32);
    patch_len(b, ext, 2);
    patch_len(b, hs + 1, 3);
    patch_len(b, rec + 3, 2);
    static const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    put(b, ccs, sizeof ccs);
}

/* ---- SSH -------------------------------------------------------------------- */

static void ssh_kexinit(buf *b, ws_rng *r, int server)
{
    static const char *lists[10] = {
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ext-info-c",
        "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
        "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
        "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1",
        "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1",
        "none,zlib@openssh.com", "none,zlib@openssh.com", "", ""};
    buf pl = {0};
    put8(&pl, 20); /* SSH_MSG_KEXINIT */
    put_rand(&pl, r, 16);
    for (int i = 0; i < 10; i++) {
        const char *s = lists[i];
        if (i == 0 && server)
            s = "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256";
        put32(&pl, (uint32_t)strlen(s));
        puts_(&pl, s);
    }
    put8(&pl, 0);
    put32(&pl, 0);
    if (pl.oom) {
        b->oom = 1;
        free(pl.p);
        return;
    }
    size_t pad = 8 - (5 + pl.len) % 8;
    if (pad < 4)
        pad += 8;
    put32(b, (uint32_t)(1 + pl.len + pad));
    put8(b, (unsigned)pad);
    put(b, pl.p, pl.len);
    put_rand(b, r, pad);
    free(pl.p);
}

/* ---- per-protocol conversations ---------------------------------------------- */

static void set_hdr(ws_gen_msg *m, int from_client, buf *b)
{
    m->from_client = (uint8_t)from_client;
    m->hdr = b->p;
    m->hdr_len = (uint32_t)b->len;
    b->p = NULL;
    b->len = b->cap = 0;
}

int ws_gen_build_msgs(const ws_gen_flow_desc *d, uint64_t flow_seed, ws_gen_msg *msgs)
{
    ws_rng r = {flow_seed ^ 0x5bd1e995u};
    buf b = {0};
    int n = 0, oom = 0;
    memset(msgs, 0, sizeof *msgs * WS_GEN_MAX_MSGS);
    switch (d->proto) {
    case WS_GEN_TLS:
    case WS_GEN_HTTP2: {
        uint8_t sid[32];
        tls_client_hello(&b, &r, d->name, d->alpn, sid);
        oom |= b.oom;
        set_hdr(&msgs[n++], 1, &b);
        tls_server_hello(&b, &r, sid, d->proto == WS_GEN_HTTP2);
        oom |= b.oom;
        set_hdr(&msgs[n], 0, &b);
        /* EncryptedExtensions, Certificate, CertificateVerify, Finished */
        ws_gen_body(&msgs[n], WS_BODY_TLS, ws_rng_range(&r, 2000, 4500), ws_rng_next(&r));
        n++;
        static const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
        put(&b, ccs, sizeof ccs);
        oom |= b.oom;
        set_hdr(&msgs[n], 1, &b);
        ws_gen_body(&msgs[n], WS_BODY_TLS, 53u + d->request_bytes, ws_rng_next(&r)); /* Finished + request */
        n++;
        msgs[n].from_client = 0;
        ws_gen_body(&msgs[n], WS_BODY_TLS, d->response_bytes, ws_rng_next(&r));
        n++;
        break;
    }
    case WS_GEN_HTTP1: {
        static const char *paths[] = {"/", "/index.html", "/static/app.js", "/images/logo.png",
                                      "/api/v1/items", "/downloads/update.bin"};
        const char *path = paths[ws_rng_below(&r, sizeof paths / sizeof paths[0])];
        puts_(&b, d->request_bytes ? "POST " : "GET ");
        puts_(&b, path);
        puts_(&b, " HTTP/1.1\r\nHost: ");
        puts_(&b, d->name ? d->name : "localhost");
        puts_(&b, "\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n");
        if (d->request_bytes) {
            char cl[96];
            snprintf(cl, sizeof cl, "Content-Type: application/octet-stream\r\nContent-Length: %u\r\n",
                     d->request_bytes);
            puts_(&b, cl);
        }
        puts_(&b, "\r\n");
        oom |= b.oom;
        set_hdr(&msgs[n], 1, &b);
        ws_gen_body(&msgs[n], WS_BODY_RANDOM, d->request_bytes, ws_rng_next(&r));
        n++;
        char hdr[160];
        snprintf(hdr, sizeof hdr,
                 "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\n"
                 "Content-Length: %u\r\n\r\n",
                 d->response_bytes);
        puts_(&b, hdr);
        oom |= b.oom;
        set_hdr(&msgs[n], 0, &b);
        ws_gen_body(&msgs[n], WS_BODY_RANDOM, d->response_bytes, ws_rng_next(&r));
        n++;
        break;
    }
    case WS_GEN_SSH: {
        static const char *cl[] = {"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n",
                                   "SSH-2.0-OpenSSH_for_Windows_9.5\r\n", "SSH-2.0-PuTTY_Release_0.81\r\n"};
        static const char *sv[] = {"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n",
                                   "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"};
        puts_(&b, cl[ws_rng_below(&r, 3)]);
        set_hdr(&msgs[n++], 1, &b);
        puts_(&b, sv[ws_rng_below(&r, 2)]);
        set_hdr(&msgs[n++], 0, &b);
        ssh_kexinit(&b, &r, 0);
        oom |= b.oom;
        set_hdr(&msgs[n++], 1, &b);
        ssh_kexinit(&b, &r, 1);
        oom |= b.oom;
        set_hdr(&msgs[n++], 0, &b);
        msgs[n].from_client = 1;
        ws_gen_body(&msgs[n], WS_BODY_RANDOM, d->request_bytes ? d->request_bytes : 48, ws_rng_next(&r));
        n++;
        msgs[n].from_client = 0;
        ws_gen_body(&msgs[n], WS_BODY_RANDOM, d->response_bytes, ws_rng_next(&r));
        n++;
        break;
    }
    default:
        msgs[n].from_client = 1;
        ws_gen_body(&msgs[n], WS_BODY_RANDOM, d->request_bytes ? d->request_bytes : 32, ws_rng_next(&r));
        n++;
        msgs[n].from_client = 0;
        ws_gen_body(&msgs[n], WS_BODY_RANDOM, d->response_bytes, ws_rng_next(&r));
        n++;
        break;
    }
    oom |= b.oom;
    free(b.p);
    if (oom) {
        ws_gen_free_msgs(msgs, WS_GEN_MAX_MSGS);
        return 0;
    }
    return n;
}

void ws_gen_free_msgs(ws_gen_msg *msgs, int n)
{
    for (int i = 0; i < n; i++) {
        free(msgs[i].hdr);
        msgs[i].hdr = NULL;
    }
}
