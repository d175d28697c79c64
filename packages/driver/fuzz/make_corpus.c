/*
 * make_corpus.c - writes the seed corpora of the fuzz targets (fuzz/corpus/classify and
 * fuzz/corpus/ring). The inputs are built here from the protocol specifications; run it
 * from packages/driver/fuzz after changing an input format:
 *   cc -std=c99 -o /tmp/make_corpus make_corpus.c && /tmp/make_corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char buf[8192];
static size_t len;
static size_t marks[8];
static unsigned depth;

static void u8(unsigned v) { buf[len++] = (unsigned char)v; }
static void u16(unsigned v) { u8(v >> 8); u8(v & 0xFF); }
static void str(const char *s) { memcpy(buf + len, s, strlen(s)); len += strlen(s); }
static void fill(unsigned v, size_t n) { while (n-- > 0) u8(v); }
static void open_len(unsigned width) { marks[depth++] = len | ((size_t)width << 24); fill(0, width); }
static void close_len(void)
{
    size_t m = marks[--depth];
    size_t at = m & 0xFFFFFF, w = m >> 24, n = len - at - w, i;
    for (i = 0; i < w; i++) buf[at + i] = (unsigned char)(n >> (8 * (w - 1 - i)));
}

/* A handshake record holding a ClientHello with SNI, ALPN h2/http1.1, supported_versions. */
static void client_hello(const char *sni)
{
    u8(22); u16(0x0301); open_len(2);
    u8(1); open_len(3);
    u16(0x0303); fill(0x42, 32);
    u8(32); fill(0x17, 32);
    u16(6); u16(0x1301); u16(0x1302); u16(0xC02F);
    u8(1); u8(0);
    open_len(2);
    u16(0); open_len(2); open_len(2); u8(0); open_len(2); str(sni); close_len(); close_len(); close_len();
    u16(16); open_len(2); open_len(2); u8(2); str("h2"); u8(8); str("http/1.1"); close_len(); close_len();
    u16(43); open_len(2); open_len(1); u16(0x7A7A); u16(0x0304); u16(0x0303); close_len(); close_len();
    u16(51); open_len(2); open_len(2); u16(0x001D); open_len(2); fill(0x33, 32); close_len(); close_len(); close_len();
    close_len();
    close_len();
    close_len();
}

static void server_hello(void)
{
    u8(22); u16(0x0303); open_len(2);
    u8(2); open_len(3);
    u16(0x0303); fill(0x55, 32); u8(0); u16(0x1301); u8(0);
    open_len(2); u16(43); u16(2); u16(0x0304); close_len();
    close_len();
    close_len();
}

/* Writes budget byte + the stream cut into segments of `seg` bytes. */
static void write_classify(const char *name, unsigned budget, const unsigned char *s, size_t n, size_t seg)
{
    char path[256];
    FILE *f;
    size_t off = 0;
    snprintf(path, sizeof path, "corpus/classify/%s", name);
    f = fopen(path, "wb");
    if (f == NULL) { perror(path); exit(1); }
    fputc((int)budget, f);
    while (off < n) {
        size_t k = n - off < seg ? n - off : seg;
        fputc((int)k, f);
        fwrite(s + off, 1, k, f);
        off += k;
    }
    fclose(f);
}

static void write_raw(const char *name, const unsigned char *s, size_t n)
{
    char path[256];
    FILE *f;
    snprintf(path, sizeof path, "corpus/ring/%s", name);
    f = fopen(path, "wb");
    if (f == NULL) { perror(path); exit(1); }
    fwrite(s, 1, n, f);
    fclose(f);
}

static void text(const char *name, unsigned budget, const char *s, size_t seg)
{
    write_classify(name, budget, (const unsigned char *)s, strlen(s), seg);
}

int main(void)
{
    unsigned char ops[512];
    size_t n, i;

    len = 0; client_hello("www.example.com");
    write_classify("tls-client-hello", 0, buf, len, 255);
    write_classify("tls-client-hello-small-segments", 0, buf, len, 7);
    write_classify("tls-client-hello-small-budget", 1, buf, len, 40);
    len = 0; server_hello();
    write_classify("tls-server-hello", 0, buf, len, 13);
    text("http-get", 0, "GET /index.html?x=1 HTTP/1.1\r\nUser-Agent: fuzz\r\nHost: example.org\r\n\r\n", 9);
    text("http-post-no-host", 0, "POST /api HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}", 255);
    text("http-connect", 0, "CONNECT example.org:443 HTTP/1.1\nhost: example.org:443\n\n", 3);
    text("http-response", 0, "HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n\r\n", 5);
    text("http2-preface", 0, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x01", 11);
    text("ssh-banner", 0, "SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n", 6);
    text("ssh-1.99", 2, "SSH-1.99-Cisco-1.25\n", 255);
    text("unknown", 0, "220 mail.example ESMTP ready\r\n", 255);

    /* ring: size, then (op, arg) pairs */
    n = 0; ops[n++] = 0; ops[n++] = 16;            /* 256-byte ring */
    for (i = 0; i < 12; i++) { ops[n++] = 0x84; ops[n++] = 0x03; } /* fill, then drop */
    ops[n++] = 0x02; ops[n++] = 0x41;              /* read 1 record */
    for (i = 0; i < 4; i++) { ops[n++] = 0x82; ops[n++] = 0x01; }
    ops[n++] = 0x7F; ops[n++] = 0x00;              /* read everything */
    write_raw("fill-drop-drain", ops, n);
    n = 0; ops[n++] = 0; ops[n++] = 100;           /* 928-byte ring */
    for (i = 0; i < 60; i++) {
        ops[n++] = (unsigned char)(0x80 | (i % 9)); ops[n++] = (unsigned char)(i * 37);
        if (i % 3 == 2) { ops[n++] = 0x03; ops[n++] = 0x80; } /* read 2 */
    }
    write_raw("wrap", ops, n);
    n = 0; ops[n++] = 7; ops[n++] = 0xF0;          /* large ring */
    for (i = 0; i < 40; i++) { ops[n++] = 0xFF; ops[n++] = (unsigned char)(0x17 + i); }
    ops[n++] = 0x00; ops[n++] = 0x10;              /* output too small */
    ops[n++] = 0x7F; ops[n++] = 0x7F;
    write_raw("large-records", ops, n);
    return 0;
}
