/*
 * core_bench.c - throughput of the driver core on one CPU: the stream classifiers and
 * the event ring. Not a test: run it with bench/run.sh (which builds it with -O2 and
 * pins it to CPU 0 with taskset when available).
 *
 * Classifiers: a seeded mix of flow directions (TLS ClientHellos of browser size and
 * shape, some split over two records; TLS ServerHello flights; HTTP/1.1 requests with
 * realistic headers, some with the Host header late behind cookies; HTTP responses;
 * SSH banners; HTTP/2 prefaces; unknown binary protocols) followed by payload, cut into
 * segments of realistic sizes (MSS 1460 or 1448, 536, small writes). Every flow direction
 * has its own classifier state, as in the driver's flow table. Each segment is fed the
 * way the glue does: at most wk_cls_wanted() bytes, nothing once the verdict is in.
 * Reported: GB/s over the bytes the classifiers examined (the honest figure), and over
 * all stream bytes offered (what the STREAM callout sees), median of the runs.
 *
 * Ring: records of the sizes the driver writes (48-byte notify / loss records, ~100-byte
 * FLOW_CLASSIFIED, 176-byte STREAM_DATA with 128 snap bytes) appended to a 1 MiB ring
 * (WK_DEFAULT_RING_BYTES) until it is full, then read out in READ_EVENTS-sized batches
 * (64 KiB). Reported: records/s in and out, median of the runs.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "ring.h"

/* ---- traffic ---- */

#define FLOWS 8192u
#define STREAM_CAP (48u * 1024u * 1024u)

static uint8_t *g_stream;  /* all flow directions back to back */
static size_t g_used;
static size_t g_flowOff[FLOWS + 1];
static uint32_t *g_segs;   /* segment lengths, all flows */
static size_t g_segOff[FLOWS + 1];
static size_t g_nsegs;
static wk_cls_dir *g_dirs;
static unsigned g_expect[6];

static uint64_t g_rng = 88172645463325252ull;
static uint32_t rnd(uint32_t lo, uint32_t hi)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return lo + (uint32_t)(g_rng % ((uint64_t)hi - lo + 1u));
}

static size_t g_marks[8];
static unsigned g_depth;
static void u8(unsigned v)
{
    if (g_used >= STREAM_CAP) {
        fprintf(stderr, "stream buffer too small\n");
        exit(1);
    }
    g_stream[g_used++] = (uint8_t)v;
}
static void u16(unsigned v) { u8(v >> 8); u8(v & 0xFFu); }
static void data(const void *p, size_t n) { size_t i; for (i = 0; i < n; i++) u8(((const uint8_t *)p)[i]); }
static void str(const char *s) { data(s, strlen(s)); }
static void fill(size_t n) { while (n-- > 0) u8(rnd(0, 255)); }
static void open_len(unsigned w) { g_marks[g_depth++] = g_used | ((size_t)w << 40); while (w-- > 0) u8(0); }
static void close_len(void)
{
    size_t m = g_marks[--g_depth];
    size_t at = m & 0xFFFFFFFFFFull, w = m >> 40, n = g_used - at - w, i;
    for (i = 0; i < w; i++) g_stream[at + i] = (uint8_t)(n >> (8u * (w - 1u - i)));
}

static const char *const k_hosts[] = {"www.example.com", "api.example.org", "cdn.static.example.net",
                                      "login.accounts.example.com", "telemetry.example.io",
                                      "a.b.c.d.e.example.co.uk"};

/* A ClientHello in one or two records, shaped like a current browser's. */
static void client_hello(void)
{
    size_t start, hsStart, hsLen, i, nsuites = rnd(8, 18);
    uint8_t hs[2048];
    start = g_used;
    u8(1);
    open_len(3);
    u16(0x0303);
    fill(32);
    u8(32);
    fill(32);
    open_len(2);
    for (i = 0; i < nsuites; i++) u16(0x1301 + (unsigned)i);
    close_len();
    u8(1); u8(0);
    open_len(2);
    u16(0x0A0A); u16(0);
    u16(0); open_len(2); open_len(2); u8(0); open_len(2);
    str(k_hosts[rnd(0, 5)]); close_len(); close_len(); close_len();
    u16(23); u16(0);
    u16(0xFF01); u16(1); u8(0);
    u16(10); u16(10); u16(8); u16(0x2A2A); u16(0x001D); u16(0x0017); u16(0x0018);
    u16(11); u16(2); u8(1); u8(0);
    u16(35); u16(0);
    u16(16); open_len(2); open_len(2); u8(2); str("h2"); u8(8); str("http/1.1"); close_len(); close_len();
    u16(5); u16(5); u8(1); u16(0); u16(0);
    u16(13); u16(18); u16(16); for (i = 0; i < 8; i++) u16(0x0401 + (unsigned)i);
    u16(18); u16(0);
    u16(51); open_len(2); open_len(2); u16(0x001D); u16(32); fill(32);
    if (rnd(0, 3) == 0) { u16(0x11EC); u16(1216); fill(1216); } /* hybrid PQ key share */
    close_len(); close_len();
    u16(45); u16(2); u8(1); u8(1);
    u16(43); u16(7); u8(6); u16(0x3A3A); u16(0x0304); u16(0x0303);
    u16(27); u16(3); u8(2); u16(2);
    u16(0x1A1A); u16(1); u8(0);
    if (rnd(0, 1)) { u16(21); open_len(2); i = rnd(20, 200); while (i-- > 0) u8(0); close_len(); }
    close_len();
    close_len();
    /* Wrap in records: move the handshake out, write record headers around it. */
    hsLen = g_used - start;
    if (hsLen > sizeof hs) { fprintf(stderr, "hello too big\n"); exit(1); }
    memcpy(hs, g_stream + start, hsLen);
    g_used = start;
    hsStart = hsLen > 600 && rnd(0, 1) ? rnd(100, (uint32_t)hsLen - 1) : hsLen;
    u8(22); u16(0x0301); u16((unsigned)hsStart); data(hs, hsStart);
    if (hsStart < hsLen) { u8(22); u16(0x0301); u16((unsigned)(hsLen - hsStart)); data(hs + hsStart, hsLen - hsStart); }
    g_expect[WK_APP_PROTOCOL_TLS]++;
}

static void server_hello(void)
{
    u8(22); u16(0x0303); open_len(2);
    u8(2); open_len(3); u16(0x0303); fill(32); u8(32); fill(32); u16(0x1301); u8(0);
    open_len(2); u16(51); u16(36); u16(0x001D); u16(32); fill(32); u16(43); u16(2); u16(0x0304); close_len();
    close_len(); close_len();
    u8(20); u16(0x0303); u16(1); u8(1);
    g_expect[WK_APP_PROTOCOL_TLS]++;
}

static void http_request(void)
{
    static const char *const methods[] = {"GET", "GET", "GET", "POST", "PUT", "HEAD", "OPTIONS"};
    char line[256];
    unsigned i, cookies = rnd(0, 3) == 0 ? rnd(1, 6) : 0;
    sprintf(line, "%s /v%u/items/%u?session=%08x&lang=en HTTP/1.1\r\n", methods[rnd(0, 6)], rnd(1, 3),
            rnd(1, 99999), rnd(0, 0x7FFFFFFF));
    str(line);
    if (cookies == 0) { str("Host: "); str(k_hosts[rnd(0, 5)]); str("\r\n"); }
    str("User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\r\n");
    str("Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n");
    str("Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n");
    for (i = 0; i < cookies; i++) {
        str("Cookie: ");
        { unsigned k = rnd(40, 400); while (k-- > 0) u8(rnd('a', 'z')); }
        str("\r\n");
    }
    if (cookies != 0) { str("Host: "); str(k_hosts[rnd(0, 5)]); str("\r\n"); }
    str("\r\n");
    g_expect[WK_APP_PROTOCOL_HTTP1]++;
}

static void http_response(void)
{
    static const char *const status[] = {"200 OK", "204 No Content", "301 Moved Permanently", "404 Not Found"};
    str("HTTP/1.1 "); str(status[rnd(0, 3)]);
    str("\r\nContent-Type: text/html; charset=utf-8\r\nServer: bench\r\nContent-Length: 1024\r\n\r\n");
    g_expect[WK_APP_PROTOCOL_HTTP1]++;
}

static void flow(unsigned f)
{
    uint32_t kind = rnd(0, 99);
    size_t seg;
    g_flowOff[f] = g_used;
    if (kind < 40) client_hello();
    else if (kind < 55) server_hello();
    else if (kind < 80) http_request();
    else if (kind < 90) http_response();
    else if (kind < 94) { str("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n"); g_expect[WK_APP_PROTOCOL_SSH]++; }
    else if (kind < 97) { str("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); g_expect[WK_APP_PROTOCOL_HTTP2]++; }
    else { u8(rnd(0x80, 0xFF)); g_expect[WK_APP_PROTOCOL_UNKNOWN]++; }
    fill(rnd(0, 8000)); /* payload after the opening */
    g_flowOff[f + 1] = g_used;
    /* Segments: one writer per flow, MSS-sized or small. */
    g_segOff[f] = g_nsegs;
    {
        uint32_t pick = rnd(0, 9);
        size_t mss = pick < 5 ? 1460 : pick < 7 ? 1448 : pick < 9 ? 536 : 100;
        size_t off = g_flowOff[f];
        while (off < g_flowOff[f + 1]) {
            seg = g_flowOff[f + 1] - off < mss ? g_flowOff[f + 1] - off : mss;
            g_segs[g_nsegs++] = (uint32_t)seg;
            off += seg;
        }
    }
    g_segOff[f + 1] = g_nsegs;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One pass over every flow; returns bytes examined. */
static uint64_t classify_pass(unsigned *counts)
{
    uint64_t examined = 0;
    unsigned f;
    for (f = 0; f < FLOWS; f++) {
        wk_cls_dir *d = &g_dirs[f];
        const uint8_t *p = g_stream + g_flowOff[f];
        size_t s;
        wk_cls_init(d, 0);
        for (s = g_segOff[f]; s < g_segOff[f + 1]; s++) {
            uint32_t want = wk_cls_wanted(d);
            uint32_t n = g_segs[s] < want ? g_segs[s] : want;
            if (n == 0) {
                break; /* verdict in: the glue stops copying */
            }
            examined += n;
            wk_cls_feed(d, p, n);
            p += g_segs[s];
        }
        wk_cls_finish(d);
        counts[d->proto]++;
    }
    return examined;
}

#define RING_RECORDS_PER_RUN 4000000u

static double g_ringIn, g_ringOut;

static void ring_pass(uint64_t *mem, uint8_t *out)
{
    static const uint32_t sizes[] = {48, 48, 48, 104, 176, 176, 80, 48};
    wk_ring r;
    wk_ring_read_info info;
    uint32_t produced = 0, consumed = 0, i = 0;
    double tin = 0, tout = 0, t0;
    wk_ring_init(&r, mem, WK_DEFAULT_RING_BYTES);
    while (produced < RING_RECORDS_PER_RUN) {
        t0 = now_sec();
        for (;;) {
            uint32_t n = sizes[i & 7u];
            uint8_t *p = (uint8_t *)wk_ring_reserve(&r, n, i);
            if (p == NULL) {
                break;
            }
            memset(p, 0, 24); /* the header a producer writes */
            p[0] = 3;
            memcpy(p + 16, &i, sizeof i);
            wk_ring_commit(&r);
            i++;
            produced++;
        }
        tin += now_sec() - t0;
        t0 = now_sec();
        while (wk_ring_read(&r, out, 65536, 0, &info) != 0) {
            consumed += info.records;
        }
        tout += now_sec() - t0;
    }
    if (consumed + 1u < produced) {
        fprintf(stderr, "ring lost records\n");
        exit(1);
    }
    g_ringIn = produced / tin;
    g_ringOut = consumed / tout;
}

int main(int argc, char **argv)
{
    unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 11u;
    double *gbps, *gbpsAll, *rin, *rout;
    uint64_t examined = 0, offered;
    unsigned counts[6], f, run, i;
    uint64_t *ringMem;
    uint8_t *out;

    if (runs == 0 || runs > 1000) {
        runs = 11;
    }
    printf("command:");
    for (i = 0; i < (unsigned)argc; i++) {
        printf(" %s", argv[i]);
    }
#ifdef WK_BENCH_CFLAGS
    printf("\nbuilt with: %s (%s)\n", WK_BENCH_CFLAGS, __VERSION__);
#else
    printf("\nbuilt with: (%s)\n", __VERSION__);
#endif
    g_stream = (uint8_t *)malloc(STREAM_CAP);
    g_segs = (uint32_t *)malloc(sizeof(uint32_t) * STREAM_CAP / 64u);
    g_dirs = (wk_cls_dir *)malloc(sizeof(wk_cls_dir) * FLOWS);
    gbps = (double *)malloc(sizeof(double) * runs * 4u);
    ringMem = (uint64_t *)malloc(WK_DEFAULT_RING_BYTES);
    out = (uint8_t *)malloc(65536);
    if (!g_stream || !g_segs || !g_dirs || !gbps || !ringMem || !out) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    gbpsAll = gbps + runs;
    rin = gbps + 2u * runs;
    rout = gbps + 3u * runs;
    for (f = 0; f < FLOWS; f++) {
        flow(f);
    }
    offered = g_used;

    memset(counts, 0, sizeof counts);
    examined = classify_pass(counts); /* warm-up, and the verdicts must match the mix */
    for (i = 0; i < 6; i++) {
        if (counts[i] != g_expect[i]) {
            fprintf(stderr, "protocol %u: %u classified, %u generated\n", i, counts[i], g_expect[i]);
            return 1;
        }
    }
    printf("classifier: %u flow directions (%lu bytes of state each), %.1f MB offered, "
           "%.2f MB examined (%.0f bytes per flow), %lu segments\n",
           FLOWS, (unsigned long)sizeof(wk_cls_dir), offered / 1e6, examined / 1e6,
           (double)examined / FLOWS, (unsigned long)g_nsegs);
    printf("  mix: TLS %u, HTTP/1 %u, HTTP/2 %u, SSH %u, unknown %u\n", counts[WK_APP_PROTOCOL_TLS],
           counts[WK_APP_PROTOCOL_HTTP1], counts[WK_APP_PROTOCOL_HTTP2], counts[WK_APP_PROTOCOL_SSH],
           counts[WK_APP_PROTOCOL_UNKNOWN]);
    for (run = 0; run < runs; run++) {
        const unsigned reps = 20;
        unsigned k;
        double t0 = now_sec(), dt;
        for (k = 0; k < reps; k++) {
            classify_pass(counts);
        }
        dt = now_sec() - t0;
        gbps[run] = (double)examined * reps / dt / 1e9;
        gbpsAll[run] = (double)offered * reps / dt / 1e9;
    }
    for (run = 0; run < runs; run++) {
        ring_pass(ringMem, out);
        rin[run] = g_ringIn;
        rout[run] = g_ringOut;
    }
    qsort(gbps, runs, sizeof *gbps, cmp_double);
    qsort(gbpsAll, runs, sizeof *gbpsAll, cmp_double);
    qsort(rin, runs, sizeof *rin, cmp_double);
    qsort(rout, runs, sizeof *rout, cmp_double);
    printf("classifier throughput, median of %u runs: %.2f GB/s of examined bytes "
           "(min %.2f, max %.2f); %.1f GB/s of offered stream bytes; %.1f M flow directions/s\n",
           runs, gbps[runs / 2], gbps[0], gbps[runs - 1], gbpsAll[runs / 2],
           gbps[runs / 2] * 1e9 / ((double)examined / FLOWS) / 1e6);
    printf("ring (%u bytes, records of 48..176 bytes), median of %u runs: %.1f M records/s in, "
           "%.1f M records/s out\n",
           (unsigned)WK_DEFAULT_RING_BYTES, runs, rin[runs / 2] / 1e6, rout[runs / 2] / 1e6);
    free(out);
    free(ringMem);
    free(gbps);
    free(g_dirs);
    free(g_segs);
    free(g_stream);
    return 0;
}
