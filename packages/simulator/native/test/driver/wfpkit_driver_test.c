/*
 * wfpkit_driver_test.c - the wfpkit driver (packages/driver: src/core + src/win, the real
 * WDM/WFP glue) running inside libwfpsim, driven only through what libwfpsim exports: the
 * Fwpm* management API (as @wfpkit/fwpm-bindings calls it), the kernel32 look-alikes (as
 * @wfpkit/ioctl-client calls them) and the simulator's own Wfpsim* controls. Linked against
 * the production libwfpsim shared library. Ends with "N passed, M failed".
 *
 *   wfpkit_driver_test <loopback.pcap>
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver_test_common.h"

#define FILE_FLAG_OVERLAPPED 0x40000000u

#define ERROR_INVALID_FUNCTION 1u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_BAD_COMMAND 22u
#define ERROR_BAD_LENGTH 24u
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_BUSY 170u
#define ERROR_OPERATION_ABORTED 995u
#define ERROR_IO_PENDING 997u
#define ERROR_REVISION_MISMATCH 1306u

#define STATUS_PENDING 0x103u
#define STATUS_IMAGE_ALREADY_LOADED 0xC000010Eu
#define POOL_TAG_WFPKIT 0x6B466B57u /* "WkFk", the driver's pool tag */

/* ---- the WFP objects, as the TS side adds them ------------------------------------------ */
static const WS_GUID k_co_flow4 = WK_GUID_CALLOUT_FLOW_ESTABLISHED_V4, k_co_flow6 = WK_GUID_CALLOUT_FLOW_ESTABLISHED_V6,
                     k_co_stream4 = WK_GUID_CALLOUT_STREAM_V4, k_co_stream6 = WK_GUID_CALLOUT_STREAM_V6;

/* The persistent part (an installer's job): provider, sublayer, the four callouts. */
static int install_objects(void)
{
    const WS_GUID keys[] = { k_co_flow4, k_co_flow6, k_co_stream4, k_co_stream6 };
    const WS_GUID *const layers[] = { &k_layer_flow4, &k_layer_flow6, &k_layer_stream4, &k_layer_stream6 };
    return install_callouts(keys, layers, 4);
}

/* An application: its DOS path, the app id blob ALE_APP_ID matches and the NT path the
 * traffic runner reports as its process path. */
typedef struct app {
    WS_FWP_BYTE_BLOB *appId;
    uint16_t path[260];
} app;

static int app_init(app *a, const char *dosPath)
{
    memset(a, 0, sizeof *a);
    if (FwpmGetAppIdFromFileName0(wstr(dosPath), &a->appId) != 0 || !a->appId)
        return 0;
    size_t n = a->appId->size / 2;
    if (n >= 260)
        return 0;
    memcpy(a->path, a->appId->data, n * 2);
    a->path[n] = 0;
    return 1;
}

static void app_free(app *a)
{
    FwpmFreeMemory0((void **)&a->appId);
}

/* A dynamic engine session's filters for one wfpkit session: FLOW_ESTABLISHED_V4/V6 with
 * ALE_APP_ID = app and rawContext = scope key, and the STREAM_V4/V6 callout filters with
 * rawContext = streamContext (the scope key too, or 0 for a STREAM filter shared by all). */
static WS_HANDLE add_session_filters_ctx(const app *a, uint64_t scopeKey, uint64_t streamContext)
{
    WS_FWPM_FILTER_CONDITION0 c;
    WS_HANDLE e = begin_app_filters(&c, a->appId);
    int ok = e != NULL;
    ok = ok && add_filter(e, &k_layer_flow4, &k_co_flow4, &c, 1, scopeKey) != 0;
    ok = ok && add_filter(e, &k_layer_flow6, &k_co_flow6, &c, 1, scopeKey) != 0;
    ok = ok && add_filter(e, &k_layer_stream4, &k_co_stream4, NULL, 0, streamContext) != 0;
    ok = ok && add_filter(e, &k_layer_stream6, &k_co_stream6, NULL, 0, streamContext) != 0;
    return commit_app_filters(e, ok);
}

static WS_HANDLE add_session_filters(const app *a, uint64_t scopeKey)
{
    return add_session_filters_ctx(a, scopeKey, scopeKey);
}

/* ---- the device, through the kernel32 look-alikes (open_dev, ioctl_: driver_test_common.h) */
static int get_session(void *h, WK_SESSION_INFO *si)
{
    uint32_t n = 0;
    memset(si, 0, sizeof *si);
    return ioctl_(h, IOCTL_WFPKIT_GET_SESSION, NULL, 0, si, sizeof *si, &n) == 0 && n == sizeof *si;
}

static int get_counters(void *h, WK_COUNTERS *c)
{
    uint32_t n = 0;
    memset(c, 0, sizeof *c);
    return ioctl_(h, IOCTL_WFPKIT_GET_COUNTERS, NULL, 0, c, sizeof *c, &n) == 0 && n == sizeof *c;
}

static int counters_balance(const WK_SESSION_COUNTERS *s)
{
    return s->eventsProduced == s->eventsDelivered + s->eventsDropped + s->recordsInRing;
}

/* ---- reading and tallying records --------------------------------------------------------- */
#define MAX_FLOWS 1024
typedef struct tally {
    unsigned est, cls, data, del, loss, other, bad;
    unsigned delUnload;
    uint64_t lossTotal;   /* latest RING_FULL totalLost */
    uint64_t lossSum;     /* sum of `lost` */
    uint64_t estIds[MAX_FLOWS];
    uint64_t estPid[MAX_FLOWS];
    uint16_t estLocalPort[MAX_FLOWS];
    uint64_t delBytesOut[MAX_FLOWS], delBytesIn[MAX_FLOWS];
    unsigned nest;
    unsigned orphanDeletes; /* FLOW_DELETED without FLOW_ESTABLISHED */
    unsigned badPath;       /* FLOW_ESTABLISHED whose app path differs from expectPath */
    const uint16_t *expectPath;
    unsigned protocols[6];
    char text[16384];     /* "sni=...;host=...;" of every FLOW_CLASSIFIED */
    size_t textLen;
} tally;

static void tally_text(tally *t, const char *key, const uint8_t *p, uint16_t n)
{
    char tmp[600];
    size_t k = 0;
    for (uint16_t i = 0; i < n && k < sizeof tmp - 1; i++)
        tmp[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
    tmp[k] = 0;
    int w = snprintf(t->text + t->textLen, sizeof t->text - t->textLen, "%s=%s;", key, tmp);
    if (w > 0 && (size_t)w < sizeof t->text - t->textLen)
        t->textLen += (size_t)w;
}

static int est_index(const tally *t, uint64_t flowId)
{
    for (unsigned i = 0; i < t->nest; i++)
        if (t->estIds[i] == flowId)
            return (int)i;
    return -1;
}

static void tally_record(tally *t, const uint8_t *r, uint32_t size)
{
    WK_RECORD_HEADER h;
    memcpy(&h, r, sizeof h);
    switch (h.type) {
    case WK_RECORD_TYPE_FLOW_ESTABLISHED: {
        WK_FLOW_ESTABLISHED_RECORD e;
        memcpy(&e, r, sizeof e);
        t->est++;
        if (t->nest < MAX_FLOWS) {
            t->estIds[t->nest] = h.flowId;
            t->estPid[t->nest] = e.processId;
            t->estLocalPort[t->nest] = e.endpoints.localPort;
            t->nest++;
        }
        if (t->expectPath) {
            size_t n = 0;
            while (t->expectPath[n])
                n++;
            /* the record's path has no terminator */
            if (e.appPathLength != n * 2 || memcmp(r + 80, t->expectPath, n * 2) != 0)
                t->badPath++;
        }
        break;
    }
    case WK_RECORD_TYPE_FLOW_CLASSIFIED: {
        WK_FLOW_CLASSIFIED_RECORD c;
        memcpy(&c, r, sizeof c);
        t->cls++;
        if (c.appProtocol < 6)
            t->protocols[c.appProtocol]++;
        const uint8_t *p = r + sizeof c;
        if (c.sniLength)
            tally_text(t, "sni", p, c.sniLength);
        p += c.sniLength;
        if (c.alpnLength)
            tally_text(t, "alpn", p, c.alpnLength);
        p += c.alpnLength;
        if (c.hostLength)
            tally_text(t, "host", p, c.hostLength);
        p += c.hostLength;
        if (c.methodLength)
            tally_text(t, "method", p, c.methodLength);
        p += c.methodLength;
        if (c.pathLength)
            tally_text(t, "path", p, c.pathLength);
        p += c.pathLength;
        if (c.bannerLength)
            tally_text(t, "banner", p, c.bannerLength);
        if (c.httpStatus) {
            char s[8];
            snprintf(s, sizeof s, "%u", c.httpStatus);
            tally_text(t, "status", (const uint8_t *)s, (uint16_t)strlen(s));
        }
        break;
    }
    case WK_RECORD_TYPE_STREAM_DATA:
        t->data++;
        break;
    case WK_RECORD_TYPE_FLOW_DELETED: {
        WK_FLOW_DELETED_RECORD d;
        memcpy(&d, r, sizeof d);
        t->del++;
        if (d.reason == WK_FLOW_END_REASON_UNLOAD)
            t->delUnload++;
        int i = est_index(t, h.flowId);
        if (i < 0) {
            t->orphanDeletes++;
        } else {
            t->delBytesOut[i] = d.bytesOut;
            t->delBytesIn[i] = d.bytesIn;
        }
        break;
    }
    case WK_RECORD_TYPE_LOSS: {
        WK_LOSS_RECORD l;
        memcpy(&l, r, sizeof l);
        t->loss++;
        t->lossSum += l.lost;
        if (l.reason == WK_LOSS_REASON_RING_FULL)
            t->lossTotal = l.totalLost;
        break;
    }
    default:
        t->other++;
        break;
    }
    (void)size;
}

/* Checks a READ_EVENTS output and tallies its records. Returns the record count, -1 if the
 * output is inconsistent. */
static int tally_output(tally *t, const uint8_t *out, uint32_t bytes, uint32_t *flags)
{
    WK_READ_RESULT rr;
    if (bytes < sizeof rr)
        return -1;
    memcpy(&rr, out, sizeof rr);
    if (rr.bytesUsed != bytes)
        return -1;
    if (flags)
        *flags = rr.flags;
    uint32_t off = sizeof rr;
    for (uint32_t i = 0; i < rr.recordCount; i++) {
        WK_RECORD_HEADER h;
        if (off + sizeof h > bytes)
            return -1;
        memcpy(&h, out + off, sizeof h);
        if (h.size < sizeof h || h.size % 8 != 0 || off + h.size > bytes)
            return -1;
        tally_record(t, out + off, h.size);
        off += h.size;
    }
    return off == bytes ? (int)rr.recordCount : -1;
}

static uint8_t g_out[256 * 1024];

/* Reads until the ring is empty (timeout 0). Returns records read, -1 on error. */
static int drain(void *h, tally *t)
{
    int total = 0;
    for (;;) {
        WK_READ_REQUEST rq = { 0, 0 };
        uint32_t n = 0, flags = 0;
        uint32_t err = ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, g_out, sizeof g_out, &n);
        if (err != 0) {
            printf("READ_EVENTS failed: %u\n", err);
            return -1;
        }
        int c = tally_output(t, g_out, n, &flags);
        if (c < 0) {
            t->bad++;
            return -1;
        }
        total += c;
        if (c == 0)
            return total;
    }
}

static int start_session(void *h, uint32_t flags, uint32_t ringBytes, uint32_t snapLen)
{
    WK_SESSION_CONFIG c = config(flags, ringBytes, snapLen);
    return ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, NULL) == 0 &&
           ioctl_(h, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0;
}

static wfpsim_run_options run_opts(const app *defaultApp, const wfpsim_app_rule *rules, uint32_t nrules, uint32_t flags)
{
    wfpsim_run_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.default_process_id = 4242;
    o.default_app_path = defaultApp ? defaultApp->path : NULL;
    o.rules = rules;
    o.rule_count = nrules;
    o.flags = flags;
    return o;
}

static tally g_t; /* large: not on the stack */

/* Stream bytes (out + in) of each loopback.pcap flow by client port, from a one-session run. */
static uint64_t g_base_bytes[3];
static const uint16_t k_ports[3] = { 39126, 34070, 35200 };

static void note_base_bytes(const tally *t)
{
    for (unsigned i = 0; i < t->nest; i++)
        for (unsigned k = 0; k < 3; k++)
            if (t->estLocalPort[i] == k_ports[k])
                g_base_bytes[k] = t->delBytesOut[i] + t->delBytesIn[i];
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- tests --------------------------------------------------------------------------------- */
static app g_appA, g_appB, g_appC;

static void test_load(void)
{
    CHECK(WfpsimDriverState() == 0);
    CHECK(WfpsimDriverLoad() == STATUS_SUCCESS);
    CHECK(WfpsimDriverState() == 1);
    CHECK(WfpsimDriverLoad() == STATUS_IMAGE_ALREADY_LOADED);
    CHECK(WfpsimPoolOutstanding(POOL_TAG_WFPKIT) > 0); /* the core's tables */
    CHECK(install_objects());
    CHECK(app_init(&g_appA, "C:\\Program Files\\Browser\\browser.exe"));
    CHECK(app_init(&g_appB, "C:\\tools\\curl.exe"));
    CHECK(app_init(&g_appC, "D:\\bulk\\bulk.exe"));
}

static void test_version_and_config(void)
{
    void *h = open_dev(0);
    CHECK(h != INVALID);
    WK_VERSION_INFO v;
    uint32_t n = 0;
    memset(&v, 0, sizeof v);
    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_VERSION, NULL, 0, &v, sizeof v, &n) == 0);
    CHECK(n == sizeof v);
    CHECK(v.contractVersion == WK_CONTRACT_VERSION);
    CHECK((v.features & WK_FEATURE_FLAGS_SIMULATED) != 0);
    CHECK(v.maxSessions == WK_MAX_SESSIONS);
    CHECK(v.minRingBytes == WK_MIN_RING_BYTES && v.maxRingBytes == WK_MAX_RING_BYTES);

    WK_SESSION_INFO si;
    CHECK(get_session(h, &si));
    CHECK(si.scopeKey != 0);
    CHECK(si.state == WK_SESSION_STATE_IDLE);
    CHECK(si.config.ringBytes == WK_DEFAULT_RING_BYTES);
    CHECK(si.config.flags == WK_DEFAULT_CONFIG_FLAGS);

    WK_SESSION_CONFIG c = config(WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS, 128 * 1024, 64);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, NULL) == 0);
    CHECK(get_session(h, &si) && si.config.ringBytes == 128 * 1024 && si.config.snapLen == 64);
    CHECK(ioctl_(h, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(get_session(h, &si) && si.state == WK_SESSION_STATE_RUNNING);
    CHECK(ioctl_(h, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL) == 0);
    CHECK(get_session(h, &si) && si.state == WK_SESSION_STATE_STOPPED);

    /* Two handles, two sessions, two scope keys. */
    void *h2 = open_dev(0);
    WK_SESSION_INFO s2;
    CHECK(h2 != INVALID && get_session(h2, &s2));
    CHECK(s2.scopeKey != si.scopeKey && s2.sessionId != si.sessionId);
    CHECK(CloseHandle(h2));
    CHECK(CloseHandle(h));
}

/* The committed real capture, one session for the app every flow belongs to. */
static void test_capture(void)
{
    void *h = open_dev(0);
    WK_SESSION_INFO si;
    CHECK(h != INVALID && get_session(h, &si));
    WS_HANDLE eng = add_session_filters(&g_appA, si.scopeKey);
    CHECK(eng != NULL);
    CHECK(start_session(h, WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS |
                               WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES, WK_DEFAULT_RING_BYTES, 64));
    wfpsim_run_options o = run_opts(&g_appA, NULL, 0, 0);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    wfpsim_run_stats st;
    WfpsimRunStats(&st);
    CHECK(st.flows == 3);
    CHECK(st.flow_deletes == 3);
    CHECK(st.callout_calls > 3);

    tally *t = &g_t;
    memset(t, 0, sizeof *t);
    t->expectPath = g_appA.path;
    CHECK(drain(h, t) > 0);
    CHECK(t->bad == 0);
    CHECK(t->est == 3);
    CHECK(t->del == 3);
    CHECK(t->orphanDeletes == 0);
    CHECK(t->badPath == 0);
    CHECK(t->data > 6);
    CHECK(t->loss == 0);
    for (unsigned i = 0; i < t->nest; i++) {
        CHECK(t->estPid[i] == 4242);
        CHECK(t->delBytesOut[i] > 0 && t->delBytesIn[i] > 0);
    }
    note_base_bytes(t);
    CHECK(g_base_bytes[0] && g_base_bytes[1] && g_base_bytes[2]);
    if (!strstr(t->text, "sni=fixture.wfpkit.test;"))
        printf("classified: %s\n", t->text);
    CHECK(strstr(t->text, "sni=fixture.wfpkit.test;") != NULL);
    CHECK(strstr(t->text, "alpn=.http/1.1;") != NULL);
    CHECK(strstr(t->text, "host=wfpkit.test:18080;") != NULL);
    CHECK(strstr(t->text, "host=v6.wfpkit.test;") != NULL);
    CHECK(strstr(t->text, "method=GET;") != NULL);
    CHECK(strstr(t->text, "path=/index.html;") != NULL);
    CHECK(t->protocols[WK_APP_PROTOCOL_TLS] >= 1);
    CHECK(t->protocols[WK_APP_PROTOCOL_HTTP1] >= 2);

    WK_COUNTERS c;
    CHECK(get_counters(h, &c));
    CHECK(counters_balance(&c.session));
    CHECK(c.session.recordsInRing == 0);
    CHECK(c.session.eventsDropped == 0);
    CHECK(c.session.flowsMatched == 3);
    CHECK(c.session.flowsActive == 0);
    CHECK(c.global.flowsActive == 0);
    CHECK(c.global.flowsTotal >= 3);

    /* The same capture for an app no filter names: nothing. */
    o = run_opts(&g_appB, NULL, 0, 0);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    memset(t, 0, sizeof *t);
    CHECK(drain(h, t) == 0);
    CHECK(FwpmEngineClose0(eng) == 0);
    /* Filters gone with their dynamic session: nothing either. */
    o = run_opts(&g_appA, NULL, 0, 0);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    CHECK(drain(h, t) == 0);
    CHECK(CloseHandle(h));
}

static void test_synthetic(void)
{
    void *h = open_dev(0);
    WK_SESSION_INFO si;
    CHECK(h != INVALID && get_session(h, &si));
    WS_HANDLE eng = add_session_filters_ctx(&g_appA, si.scopeKey, 0); /* one shared STREAM filter */
    CHECK(eng != NULL);
    CHECK(start_session(h, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0));
    wfpsim_run_options o = run_opts(&g_appA, NULL, 0, 0);
    CHECK(WfpsimRunSynthetic(7, 60, &o) == 0);
    wfpsim_run_stats st;
    WfpsimRunStats(&st);
    tally *t = &g_t;
    memset(t, 0, sizeof *t);
    CHECK(drain(h, t) > 0);
    CHECK(t->bad == 0);
    CHECK(st.flows == 60);
    CHECK(t->est == 60);
    CHECK(t->del == 60);
    CHECK(t->orphanDeletes == 0);
    CHECK(t->protocols[WK_APP_PROTOCOL_TLS] > 0);
    CHECK(t->protocols[WK_APP_PROTOCOL_HTTP1] > 0);
    CHECK(t->protocols[WK_APP_PROTOCOL_SSH] > 0);
    CHECK(strstr(t->text, "sni=") != NULL && strstr(t->text, "host=") != NULL);
    CHECK(strstr(t->text, "alpn=.h2") != NULL);
    CHECK(strstr(t->text, "banner=SSH-2.0") != NULL);

    /* WfpsimRunSyntheticEx: only SSH, all IPv6. */
    wfpsim_synthetic_options syn;
    memset(&syn, 0, sizeof syn);
    syn.struct_size = sizeof syn;
    syn.seed = 9;
    syn.flows = 5;
    syn.protocols = 1u << 3; /* WS_GEN_SSH */
    syn.ipv6_percent = 100;
    CHECK(WfpsimRunSyntheticEx(&syn, &o) == 0);
    memset(t, 0, sizeof *t);
    CHECK(drain(h, t) > 0);
    CHECK(t->est == 5 && t->protocols[WK_APP_PROTOCOL_SSH] == 10); /* both directions */
    CHECK(t->protocols[WK_APP_PROTOCOL_TLS] == 0);
    syn.protocols = 1u << 9;
    CHECK(WfpsimRunSyntheticEx(&syn, &o) < 0);

    WK_COUNTERS c;
    CHECK(get_counters(h, &c) && counters_balance(&c.session) && c.session.eventsDropped == 0);
    CHECK(FwpmEngineClose0(eng) == 0);
    CHECK(CloseHandle(h));
}

/* ---- pended reads ---- */
typedef struct reader {
    void *h;
    uint32_t timeoutMs;
    uint32_t err;
    uint32_t bytes;
    int done;
    uint8_t out[64 * 1024];
} reader;

static void *reader_thread(void *arg)
{
    reader *r = arg;
    WK_READ_REQUEST rq = { r->timeoutMs, 0 };
    r->err = ioctl_(r->h, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, r->out, sizeof r->out, &r->bytes);
    __atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static int reader_done(reader *r)
{
    return __atomic_load_n(&r->done, __ATOMIC_SEQ_CST);
}

static reader g_reader;

static void test_pended_reads(void)
{
    void *h = open_dev(0);
    WK_SESSION_INFO si;
    CHECK(h != INVALID && get_session(h, &si));
    WS_HANDLE eng = add_session_filters(&g_appA, si.scopeKey);
    CHECK(eng != NULL);
    CHECK(start_session(h, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0));
    wfpsim_run_options o = run_opts(&g_appA, NULL, 0, 0);
    tally *t = &g_t;
    uint32_t flags = 0;

    /* 1. completed by new events */
    reader *r = &g_reader;
    memset(r, 0, sizeof *r);
    r->h = h;
    r->timeoutMs = WK_WAIT_FOREVER;
    pthread_t th;
    CHECK(pthread_create(&th, NULL, reader_thread, r) == 0);
    sleep_ms(100);
    CHECK(!reader_done(r));
    CHECK(WfpsimRunSynthetic(3, 2, &o) == 0);
    pthread_join(th, NULL);
    CHECK(r->err == 0);
    memset(t, 0, sizeof *t);
    CHECK(tally_output(t, r->out, r->bytes, &flags) > 0);
    CHECK(t->est >= 1);
    CHECK(drain(h, t) >= 0);
    CHECK(t->est == 2 && t->del == 2);

    /* 2. completed by its timeout: no record, TIMED_OUT */
    memset(r, 0, sizeof *r);
    r->h = h;
    r->timeoutMs = 150;
    uint64_t t0 = now_ms();
    reader_thread(r);
    uint64_t waited = now_ms() - t0;
    CHECK(r->err == 0);
    memset(t, 0, sizeof *t);
    CHECK(tally_output(t, r->out, r->bytes, &flags) == 0);
    CHECK((flags & WK_READ_FLAGS_TIMED_OUT) != 0);
    CHECK(waited >= 120 && waited < 5000);

    /* 3. completed by STOP (overlapped handle: STOP is issued while the read pends) */
    void *ho = open_dev(FILE_FLAG_OVERLAPPED);
    WK_SESSION_INFO so;
    CHECK(ho != INVALID && get_session(ho, &so) == 0); /* an overlapped handle needs an OVERLAPPED */
    WS_OVERLAPPED ov, ov2;
    memset(&ov, 0, sizeof ov);
    memset(&ov2, 0, sizeof ov2);
    ov.hEvent = CreateEventW(NULL, 1, 0, NULL);
    ov2.hEvent = CreateEventW(NULL, 1, 0, NULL);
    uint32_t n = 0;
    CHECK(DeviceIoControl(ho, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, &n, &ov2));
    WK_READ_REQUEST rq = { WK_WAIT_FOREVER, 0 };
    CHECK(!DeviceIoControl(ho, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, r->out, sizeof r->out, &n, &ov));
    CHECK(GetLastError() == ERROR_IO_PENDING);
    sleep_ms(30);
    CHECK(!GetOverlappedResult(ho, &ov, &n, 0));
    /* a second read while one pends: ERROR_BUSY */
    WK_READ_REQUEST rq0 = { 0, 0 };
    CHECK(!DeviceIoControl(ho, IOCTL_WFPKIT_READ_EVENTS, &rq0, sizeof rq0, g_out, sizeof g_out, &n, &ov2));
    CHECK(GetLastError() == ERROR_BUSY);
    CHECK(DeviceIoControl(ho, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, &n, &ov2));
    CHECK(GetOverlappedResult(ho, &ov, &n, 1));
    memset(t, 0, sizeof *t);
    CHECK(tally_output(t, r->out, n, &flags) == 0);
    CHECK((flags & WK_READ_FLAGS_SESSION_STOPPED) != 0);

    /* 4. cancelled with CancelIoEx: 995, then the session reads again */
    CHECK(DeviceIoControl(ho, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, &n, &ov2));
    CHECK(!DeviceIoControl(ho, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, r->out, sizeof r->out, &n, &ov));
    CHECK(GetLastError() == ERROR_IO_PENDING);
    CHECK(CancelIoEx(ho, &ov));
    CHECK(!GetOverlappedResult(ho, &ov, &n, 1));
    CHECK(GetLastError() == ERROR_OPERATION_ABORTED);
    rq.timeoutMs = 50;
    CHECK(!DeviceIoControl(ho, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, r->out, sizeof r->out, &n, &ov));
    CHECK(GetLastError() == ERROR_IO_PENDING);
    CHECK(GetOverlappedResult(ho, &ov, &n, 1));
    CHECK(tally_output(t, r->out, n, &flags) == 0 && (flags & WK_READ_FLAGS_TIMED_OUT));
    CHECK(CloseHandle(ho));
    CHECK(CloseHandle(ov.hEvent) && CloseHandle(ov2.hEvent));

    /* 5. completed by CloseHandle: 995 */
    memset(r, 0, sizeof *r);
    r->h = h;
    r->timeoutMs = WK_WAIT_FOREVER;
    CHECK(pthread_create(&th, NULL, reader_thread, r) == 0);
    sleep_ms(100);
    CHECK(!reader_done(r));
    CHECK(CloseHandle(h));
    pthread_join(th, NULL);
    CHECK(r->err == ERROR_OPERATION_ABORTED);
    CHECK(FwpmEngineClose0(eng) == 0);
}

/* Two sessions, two apps: each sees only its own flows, with the right process. */
static void test_two_sessions(void)
{
    void *ha = open_dev(0), *hb = open_dev(0);
    WK_SESSION_INFO sa, sb;
    CHECK(ha != INVALID && hb != INVALID && get_session(ha, &sa) && get_session(hb, &sb));
    WS_HANDLE ea = add_session_filters(&g_appA, sa.scopeKey), eb = add_session_filters(&g_appB, sb.scopeKey);
    CHECK(ea != NULL && eb != NULL);
    CHECK(start_session(ha, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0));
    CHECK(start_session(hb, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0));
    /* loopback.pcap: clients 39126 (HTTP v4), 34070 (HTTP v6), 35200 (TLS). */
    wfpsim_app_rule rules[3] = {
        { 39126, 0, 1001, g_appA.path },
        { 34070, 0, 2002, g_appB.path },
        { 35200, 0, 1001, g_appA.path },
    };
    wfpsim_run_options o = run_opts(&g_appC, rules, 3, 0);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    tally *t = &g_t;
    memset(t, 0, sizeof *t);
    t->expectPath = g_appA.path;
    CHECK(drain(ha, t) > 0);
    CHECK(t->est == 2 && t->del == 2 && t->badPath == 0 && t->orphanDeletes == 0);
    CHECK(t->estPid[0] == 1001 && t->estPid[1] == 1001);
    CHECK(strstr(t->text, "sni=fixture.wfpkit.test;") != NULL);
    CHECK(strstr(t->text, "host=wfpkit.test:18080;") != NULL);
    CHECK(strstr(t->text, "v6.wfpkit.test") == NULL);
    uint64_t bytesA = g_base_bytes[0] + g_base_bytes[2], bytesA1 = 0;
    for (unsigned i = 0; i < t->nest; i++)
        bytesA1 += t->delBytesOut[i] + t->delBytesIn[i];
    CHECK(bytesA1 == bytesA); /* both sessions have STREAM filters: counted once */
    memset(t, 0, sizeof *t);
    t->expectPath = g_appB.path;
    CHECK(drain(hb, t) > 0);
    CHECK(t->est == 1 && t->del == 1 && t->badPath == 0);
    CHECK(t->estPid[0] == 2002 && t->estLocalPort[0] == 34070);
    CHECK(strstr(t->text, "host=v6.wfpkit.test;") != NULL);
    CHECK(strstr(t->text, "fixture") == NULL);

    /* A flow two sessions' filters match belongs to both, and is counted once: both sessions
     * on the same app, each with its own STREAM filters. */
    WS_HANDLE eb2 = add_session_filters(&g_appA, sb.scopeKey);
    CHECK(eb2 != NULL);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    memset(t, 0, sizeof *t);
    CHECK(drain(ha, t) > 0);
    CHECK(t->est == 2);
    uint64_t bytesA2 = 0;
    for (unsigned i = 0; i < t->nest; i++)
        bytesA2 += t->delBytesOut[i] + t->delBytesIn[i];
    CHECK(bytesA2 == bytesA); /* not doubled by the second session's STREAM filters */
    if (bytesA2 != bytesA)
        printf("  stream bytes with one session's filters %llu, with two %llu\n", (unsigned long long)bytesA,
               (unsigned long long)bytesA2);
    memset(t, 0, sizeof *t);
    CHECK(drain(hb, t) > 0);
    CHECK(t->est == 3); /* its app-B flow plus the two app-A flows */
    WK_COUNTERS c;
    CHECK(get_counters(ha, &c) && counters_balance(&c.session));
    CHECK(get_counters(hb, &c) && counters_balance(&c.session));

    CHECK(FwpmEngineClose0(eb2) == 0);
    CHECK(FwpmEngineClose0(ea) == 0 && FwpmEngineClose0(eb) == 0);
    CHECK(CloseHandle(ha) && CloseHandle(hb));
}

/* A tiny ring overflows: LOSS records, counted drops, the balance holds. */
static void test_ring_overflow(void)
{
    void *h = open_dev(0);
    WK_SESSION_INFO si;
    CHECK(h != INVALID && get_session(h, &si));
    WS_HANDLE eng = add_session_filters(&g_appC, si.scopeKey);
    CHECK(eng != NULL);
    CHECK(start_session(h, WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS |
                               WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES, WK_MIN_RING_BYTES, WK_MAX_SNAP_LEN));
    wfpsim_run_options o = run_opts(&g_appC, NULL, 0, 0);
    CHECK(WfpsimRunSynthetic(11, 80, &o) == 0);
    WK_COUNTERS c;
    CHECK(get_counters(h, &c));
    CHECK(c.session.eventsDropped > 0);
    CHECK(counters_balance(&c.session));
    CHECK(c.session.ringHighWater <= WK_MIN_RING_BYTES);
    uint64_t dropped = c.session.eventsDropped;
    tally *t = &g_t;
    memset(t, 0, sizeof *t);
    CHECK(drain(h, t) > 0);
    CHECK(t->bad == 0);
    CHECK(t->loss >= 1);
    CHECK(t->lossTotal == dropped);
    CHECK(t->lossSum == dropped);
    CHECK(get_counters(h, &c));
    CHECK(counters_balance(&c.session) && c.session.recordsInRing == 0);
    CHECK(c.session.eventsDropped == dropped);
    CHECK(c.session.eventsDelivered + c.session.eventsDropped == c.session.eventsProduced);
    CHECK(FwpmEngineClose0(eng) == 0);
    CHECK(CloseHandle(h));
}

static void test_bad_buffers(void)
{
    void *h = open_dev(0);
    CHECK(h != INVALID);
    uint8_t buf[4096];
    uint32_t n;
    WK_VERSION_INFO v;
    WK_SESSION_CONFIG c = config(WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0);
    WK_READ_REQUEST rq = { 0, 0 };
    WK_LIST_FLOWS_REQUEST lr;
    memset(&lr, 0, sizeof lr);
    memset(buf, 0, sizeof buf);

    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_VERSION, NULL, 0, &v, 4, &n) == ERROR_INSUFFICIENT_BUFFER);
    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_VERSION, buf, 8, &v, sizeof v, &n) == ERROR_BAD_LENGTH);
    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_VERSION, NULL, 0, buf, sizeof buf, &n) == 0 && n == sizeof v);
    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_SESSION, NULL, 0, buf, WK_IOCTL_GET_SESSION_MIN_OUTPUT - 1, &n) ==
          ERROR_INSUFFICIENT_BUFFER);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c - 1, NULL, 0, &n) == ERROR_BAD_LENGTH);
    memcpy(buf, &c, sizeof c);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, buf, sizeof c + 8, NULL, 0, &n) == ERROR_BAD_LENGTH);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, NULL, 0, NULL, 0, &n) == ERROR_BAD_LENGTH);
    c.structSize = 20;
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, &n) == ERROR_REVISION_MISMATCH);
    c = config(WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_MIN_RING_BYTES - 8, 0);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, &n) == ERROR_INVALID_PARAMETER);
    c = config(WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_MAX_RING_BYTES + 8, 0);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, &n) == ERROR_INVALID_PARAMETER);
    c = config(WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, WK_MAX_SNAP_LEN + 1);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, &n) == ERROR_INVALID_PARAMETER);
    c = config(0x80000000u, WK_DEFAULT_RING_BYTES, 0);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, &n) == ERROR_INVALID_PARAMETER);
    CHECK(ioctl_(h, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, &n) == ERROR_BAD_COMMAND); /* not running */
    CHECK(ioctl_(h, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, &n) == 0);
    CHECK(ioctl_(h, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, &n) == ERROR_BAD_COMMAND);
    c = config(WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0);
    CHECK(ioctl_(h, IOCTL_WFPKIT_SET_CONFIG, &c, sizeof c, NULL, 0, &n) == ERROR_BAD_COMMAND); /* running */
    CHECK(ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, &rq, 4, g_out, sizeof g_out, &n) == ERROR_BAD_LENGTH);
    memset(buf, 0, sizeof buf);
    CHECK(ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, buf, sizeof rq + 8, g_out, sizeof g_out, &n) == ERROR_BAD_LENGTH);
    CHECK(ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, g_out, WK_MIN_READ_OUTPUT - 1, &n) ==
          ERROR_INSUFFICIENT_BUFFER);
    CHECK(ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, NULL, 0, &n) == ERROR_INSUFFICIENT_BUFFER);
    CHECK(ioctl_(h, IOCTL_WFPKIT_LIST_FLOWS, &lr, sizeof lr - 1, g_out, sizeof g_out, &n) == ERROR_BAD_LENGTH);
    CHECK(ioctl_(h, IOCTL_WFPKIT_LIST_FLOWS, &lr, sizeof lr, g_out, WK_IOCTL_LIST_FLOWS_MIN_OUTPUT - 1, &n) ==
          ERROR_INSUFFICIENT_BUFFER);
    lr.reserved0 = 1;
    CHECK(ioctl_(h, IOCTL_WFPKIT_LIST_FLOWS, &lr, sizeof lr, g_out, sizeof g_out, &n) == ERROR_INVALID_PARAMETER);
    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_COUNTERS, NULL, 0, buf, 16, &n) == ERROR_INSUFFICIENT_BUFFER);
    /* unknown codes, other methods, another device type */
    CHECK(ioctl_(h, WK_CTL_CODE(0x8FF, 0, 0), NULL, 0, buf, sizeof buf, &n) == ERROR_INVALID_FUNCTION);
    CHECK(ioctl_(h, WK_CTL_CODE(0x800, 3, 0), NULL, 0, buf, sizeof buf, &n) == ERROR_INVALID_FUNCTION);
    CHECK(ioctl_(h, WK_CTL_CODE(0x805, 1, 1), &rq, sizeof rq, g_out, sizeof g_out, &n) == ERROR_INVALID_FUNCTION);
    CHECK(ioctl_(h, 0x00220000u, NULL, 0, buf, sizeof buf, &n) == ERROR_INVALID_FUNCTION);
    /* a handle opened without write access may not configure (the I/O manager checks) */
    void *ro = CreateFileW(k_device, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(ro != INVALID);
    CHECK(ioctl_(ro, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, &n) == ERROR_ACCESS_DENIED);
    CHECK(ioctl_(ro, IOCTL_WFPKIT_GET_VERSION, NULL, 0, &v, sizeof v, &n) == 0);
    CHECK(CloseHandle(ro));
    /* still working */
    CHECK(ioctl_(h, IOCTL_WFPKIT_GET_VERSION, NULL, 0, &v, sizeof v, &n) == 0 && v.contractVersion == WK_CONTRACT_VERSION);
    CHECK(ioctl_(h, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, g_out, sizeof g_out, &n) == 0);
    WK_COUNTERS cc;
    CHECK(get_counters(h, &cc) && counters_balance(&cc.session));
    CHECK(CloseHandle(h));

    /* 64 sessions, not 65 */
    static void *hs[WK_MAX_SESSIONS + 1];
    unsigned opened = 0;
    for (unsigned i = 0; i < WK_MAX_SESSIONS; i++) {
        hs[i] = open_dev(0);
        opened += hs[i] != INVALID;
    }
    CHECK(opened == WK_MAX_SESSIONS);
    hs[WK_MAX_SESSIONS] = open_dev(0);
    CHECK(hs[WK_MAX_SESSIONS] == INVALID);
    for (unsigned i = 0; i < WK_MAX_SESSIONS; i++)
        if (hs[i] != INVALID)
            CloseHandle(hs[i]);
    h = open_dev(0);
    CHECK(h != INVALID);
    CHECK(CloseHandle(h));
}

/* Live flows: LIST_FLOWS paging; then DriverUnload with those flows, an open handle and a
 * pended read: no leak, no rule violated, no callback afterwards. */
static void test_list_flows_and_unload(void)
{
    void *h = open_dev(0);
    WK_SESSION_INFO si;
    CHECK(h != INVALID && get_session(h, &si));
    WS_HANDLE eng = add_session_filters(&g_appA, si.scopeKey);
    CHECK(eng != NULL);
    CHECK(start_session(h, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0));
    wfpsim_run_options o = run_opts(&g_appA, NULL, 0, WFPSIM_RUN_DEFER_FLOW_CLOSE);
    CHECK(WfpsimRunSynthetic(21, 30, &o) == 0);
    WK_COUNTERS c;
    CHECK(get_counters(h, &c));
    CHECK(c.session.flowsActive == 30 && c.global.flowsActive == 30);

    uint64_t seen[64];
    unsigned nseen = 0, pages = 0, dup = 0;
    WK_LIST_FLOWS_REQUEST lr;
    memset(&lr, 0, sizeof lr);
    lr.maxFlows = 7;
    for (;;) {
        uint32_t n = 0;
        uint32_t err = ioctl_(h, IOCTL_WFPKIT_LIST_FLOWS, &lr, sizeof lr, g_out, sizeof g_out, &n);
        CHECK(err == 0);
        if (err)
            break;
        WK_LIST_FLOWS_RESULT res;
        memcpy(&res, g_out, sizeof res);
        CHECK(res.bytesUsed == n);
        CHECK(res.flowCount <= 7);
        uint32_t off = sizeof res;
        for (uint32_t i = 0; i < res.flowCount; i++) {
            WK_FLOW_INFO_RECORD fi;
            memcpy(&fi, g_out + off, sizeof fi);
            CHECK(fi.header.type == WK_RECORD_TYPE_FLOW_INFO);
            CHECK(fi.processId == 4242);
            for (unsigned k = 0; k < nseen; k++)
                dup += seen[k] == fi.header.flowId;
            if (nseen < 64)
                seen[nseen++] = fi.header.flowId;
            off += fi.header.size;
        }
        pages++;
        if (!(res.flags & WK_LIST_FLAGS_MORE) || pages > 20)
            break;
        lr.cursor = res.nextCursor;
    }
    CHECK(nseen == 30 && dup == 0);
    CHECK(pages == 5);

    tally *t = &g_t;
    memset(t, 0, sizeof *t);
    CHECK(drain(h, t) > 0);
    CHECK(t->est == 30 && t->del == 0);

    /* a read pends when the unload is requested */
    reader *r = &g_reader;
    memset(r, 0, sizeof *r);
    r->h = h;
    r->timeoutMs = WK_WAIT_FOREVER;
    pthread_t th;
    CHECK(pthread_create(&th, NULL, reader_thread, r) == 0);
    sleep_ms(50);
    CHECK(WfpsimDriverUnload() == STATUS_PENDING); /* a handle is open */
    CHECK(WfpsimDriverState() == 2);
    CHECK(open_dev(0) == INVALID && GetLastError() == ERROR_ACCESS_DENIED);
    CHECK(CloseHandle(h)); /* the last handle: DriverUnload runs */
    pthread_join(th, NULL);
    CHECK(r->err == ERROR_OPERATION_ABORTED);
    CHECK(WfpsimDriverState() == 0);
    CHECK(WfpsimPoolOutstanding(0) == 0);
    CHECK(WfpsimKernelViolations() == 0);

    /* no callback after unload: the flows end, the filters still point at the callouts */
    CHECK(WfpsimRunCloseFlows() == 30);
    wfpsim_run_stats st;
    o = run_opts(&g_appA, NULL, 0, 0);
    CHECK(WfpsimRunSynthetic(5, 4, &o) == 0);
    WfpsimRunStats(&st);
    CHECK(st.flows == 4 && st.callout_calls == 0 && st.flow_deletes == 0);
    CHECK(FwpmEngineClose0(eng) == 0);
    CHECK(WfpsimKernelViolations() == 0);
}

/* Loaded again (the persistent callouts are still there): works, and unloads clean with no
 * handle open while flows are live. */
static void test_reload(void)
{
    CHECK(WfpsimDriverLoad() == STATUS_SUCCESS);
    void *h = open_dev(0);
    WK_SESSION_INFO si;
    CHECK(h != INVALID && get_session(h, &si));
    WS_HANDLE eng = add_session_filters(&g_appB, si.scopeKey);
    CHECK(eng != NULL);
    CHECK(start_session(h, WK_CONFIG_FLAGS_INSPECT_STREAMS, WK_DEFAULT_RING_BYTES, 0));
    wfpsim_run_options o = run_opts(&g_appB, NULL, 0, WFPSIM_RUN_DEFER_FLOW_CLOSE);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    tally *t = &g_t;
    memset(t, 0, sizeof *t);
    CHECK(drain(h, t) > 0);
    CHECK(t->est == 3 && t->del == 0);
    CHECK(strstr(t->text, "sni=fixture.wfpkit.test;") != NULL);
    CHECK(CloseHandle(h));
    CHECK(WfpsimDriverUnload() == STATUS_SUCCESS);
    CHECK(WfpsimDriverState() == 0);
    CHECK(WfpsimRunCloseFlows() == 3);
    CHECK(WfpsimPoolOutstanding(0) == 0);
    CHECK(WfpsimKernelViolations() == 0);
    CHECK(FwpmEngineClose0(eng) == 0);
    CHECK(WfpsimOpenHandles() == 0);
}

static void test_capture_errors(void)
{
    wfpsim_run_error e;
    wfpsim_run_options o = run_opts(NULL, NULL, 0, 0);
    CHECK(WfpsimRunCapture("/nonexistent/x.pcap", &o) == -2); /* WS_PCAP_E_IO */
    WfpsimRunLastError(&e);
    CHECK(e.code == -2 && e.message[0] != 0);
    CHECK(WfpsimRunCapture(g_pcap, &o) == 0);
    WfpsimRunLastError(&e);
    CHECK(e.code == 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        g_pcap = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);
    test_load();
    test_version_and_config();
    test_capture();
    test_synthetic();
    test_pended_reads();
    test_two_sessions();
    test_ring_overflow();
    test_bad_buffers();
    test_list_flows_and_unload();
    test_reload();
    test_capture_errors();
    app_free(&g_appA);
    app_free(&g_appB);
    app_free(&g_appC);
    CHECK(WfpsimOutstandingAllocations() == 0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
