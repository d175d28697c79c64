/*
 * flow_test.c - unit tests of the hash index, app interning, the flow table and its
 * inspector pool, sessions (multi-session masks, close with live flows) and the records
 * the event module writes. Linked with plat_host.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static void test_hidx(void)
{
    static uint64_t slots[64];
    wk_hidx h;
    uint32_t pos, e, i, n;
    g_case = "hidx";
    CHECK_EQ(wk_hidx_slots_for(0), 8);
    CHECK_EQ(wk_hidx_slots_for(5), 16);
    CHECK_EQ(wk_hidx_slots_for(32), 64);
    wk_hidx_init(&h, slots, 64);
    /* 32 entries, all under 4 hashes that land on neighbouring slots: long runs. */
    for (i = 0; i < 32; i++) {
        wk_hidx_insert(&h, 100u + (i & 3u), i);
    }
    for (i = 0; i < 4; i++) {
        n = 0;
        for (e = wk_hidx_first(&h, 100u + i, &pos); e != 0; e = wk_hidx_next(&h, 100u + i, &pos)) {
            CHECK_EQ((e - 1u) & 3u, i);
            n++;
        }
        CHECK_EQ(n, 8);
    }
    /* Remove every other one; the rest stay reachable (backward shift). */
    for (i = 0; i < 32; i += 2) {
        CHECK(wk_hidx_remove(&h, 100u + (i & 3u), i));
        CHECK(!wk_hidx_remove(&h, 100u + (i & 3u), i));
    }
    for (i = 1; i < 32; i += 2) {
        int found = 0;
        for (e = wk_hidx_first(&h, 100u + (i & 3u), &pos); e != 0;
             e = wk_hidx_next(&h, 100u + (i & 3u), &pos)) {
            found |= e == i + 1u;
        }
        CHECK(found);
    }
    /* Wrap-around at the end of the table. */
    wk_hidx_init(&h, slots, 8);
    wk_hidx_insert(&h, 7, 0);
    wk_hidx_insert(&h, 7, 1);
    wk_hidx_insert(&h, 15, 2);
    CHECK(wk_hidx_remove(&h, 7, 0));
    n = 0;
    for (e = wk_hidx_first(&h, 15, &pos); e != 0; e = wk_hidx_next(&h, 15, &pos)) {
        n += e == 3u;
    }
    CHECK_EQ(n, 1);
}

static void test_app(void)
{
    static uint64_t mem[(4 * sizeof(wk_app_entry) + 64 * 8) / 8 + 8];
    wk_app_table t;
    uint16_t a[1100], len;
    uint8_t trunc;
    uint32_t r1, r2, r3, r4, i;
    int cut;
    const uint8_t *p;

    g_case = "app";
    CHECK(wk_app_memory_bytes(4) <= sizeof mem);
    wk_app_init(&t, mem, 4);
    for (i = 0; i < 10; i++) {
        a[i] = (uint16_t)('a' + i);
    }
    a[10] = 0;
    r1 = wk_app_intern(&t, (const uint8_t *)a, 22); /* with terminator */
    r2 = wk_app_intern(&t, (const uint8_t *)a, 20); /* without: the same path */
    CHECK(r1 != WK_APP_NONE);
    CHECK_EQ(r1, r2);
    CHECK_EQ(t.count, 1);
    CHECK_EQ(t.entries[r1 - 1].refs, 2);
    p = wk_app_path(&t, r1, &len, &trunc);
    CHECK_EQ(len, 20);
    CHECK_EQ(trunc, 0);
    CHECK(p != NULL && memcmp(p, a, 20) == 0);
    r3 = wk_app_intern(&t, (const uint8_t *)a, 18);
    CHECK(r3 != r1);
    CHECK_EQ(wk_app_intern(&t, NULL, 0), WK_APP_NONE);
    CHECK_EQ(wk_app_intern(&t, (const uint8_t *)a + 20, 2), WK_APP_NONE); /* only a NUL */
    /* Full table: refused and counted. */
    wk_app_intern(&t, (const uint8_t *)a, 16);
    wk_app_intern(&t, (const uint8_t *)a, 14);
    CHECK_EQ(t.count, 4);
    CHECK_EQ(wk_app_intern(&t, (const uint8_t *)a, 12), WK_APP_NONE);
    CHECK_EQ(t.refused, 1);
    /* Release: freed on the last reference, the slot is reused. */
    wk_app_release(&t, r1);
    CHECK_EQ(t.count, 4);
    wk_app_release(&t, r1);
    CHECK_EQ(t.count, 3);
    p = wk_app_path(&t, r1, &len, NULL);
    CHECK(p == NULL && len == 0);
    wk_app_release(&t, r1); /* stale: ignored */
    CHECK_EQ(t.count, 3);
    r4 = wk_app_intern(&t, (const uint8_t *)a, 12);
    CHECK_EQ(r4, r1);
    wk_app_release(&t, 999);
    wk_app_ref(&t, r4);
    CHECK_EQ(t.entries[r4 - 1].refs, 2);
    /* Long paths: cut at 2048 bytes, never inside a surrogate pair. */
    for (i = 0; i < 1100; i++) {
        a[i] = (uint16_t)('A' + (i % 26));
    }
    CHECK_EQ(wk_app_clip_utf16((const uint8_t *)a, 2200, 2048, &cut), 2048);
    CHECK_EQ(cut, 1);
    a[1023] = 0xD83D; /* high surrogate as the last kept unit */
    a[1024] = 0xDE00;
    CHECK_EQ(wk_app_clip_utf16((const uint8_t *)a, 2200, 2048, &cut), 2046);
    CHECK_EQ(cut, 1);
    CHECK_EQ(wk_app_clip_utf16((const uint8_t *)a, 2048, 2048, &cut), 2048);
    CHECK_EQ(cut, 0);
    CHECK_EQ(wk_app_clip_utf16((const uint8_t *)a, 7, 2048, &cut), 6); /* odd byte dropped */
    wk_app_release(&t, r2);
    wk_app_release(&t, r3);
    r1 = wk_app_intern(&t, (const uint8_t *)a, 2200);
    p = wk_app_path(&t, r1, &len, &trunc);
    CHECK_EQ(len, 2046);
    CHECK_EQ(trunc, 1);
}

static wk_core g_core;

static void new_core(uint32_t flows, uint32_t apps, uint32_t insps)
{
    wk_core_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flowCapacity = flows;
    cfg.appCapacity = apps;
    cfg.inspectorCapacity = insps;
    CHECK_EQ(wk_core_init(&g_core, &cfg), 0);
}

/* Opens a running session with the given flags; returns its slot. */
static uint32_t open_running(uint32_t flags, uint32_t snap)
{
    uint32_t slot = 99;
    CHECK_EQ(wk_session_open(&g_core, &slot), WK_STATUS_SUCCESS);
    CHECK_EQ(h_config(&g_core, slot, flags, 4096, WK_MIN_RING_BYTES, snap), WK_STATUS_SUCCESS);
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_SUCCESS);
    return slot;
}

static void test_flow_capacity_and_stale(void)
{
    uint32_t s, i;
    uint64_t key, ctx[8], old;
    wk_flow_result r;
    WK_READ_RESULT res;
    WK_RECORD_HEADER h;
    WK_LOSS_RECORD loss;
    WK_COUNTERS k;

    g_case = "flow capacity";
    new_core(8, 4, 4);
    s = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS, 0);
    key = h_session(&g_core, s).scopeKey;
    CHECK(wk_core_bytes_per_flow(&g_core) <= 512);
    for (i = 0; i < 8; i++) {
        ctx[i] = h_flow(&g_core, key, 0x1000u + i * 0x100000000ull, (uint16_t)(5000 + i), "\\app.exe", &r);
        CHECK_EQ(r, WK_FLOW_NEW);
        CHECK(ctx[i] != 0);
    }
    CHECK_EQ(wk_flow_active(&g_core), 8);
    CHECK_EQ(g_core.apps.count, 1); /* one app, interned once */
    CHECK_EQ(g_core.apps.entries[0].refs, 8);
    /* Every flow is found again by its handle (the same flow seen twice: joined). */
    for (i = 0; i < 8; i++) {
        uint64_t again = h_flow(&g_core, key, 0x1000u + i * 0x100000000ull, 1, "\\app.exe", &r);
        CHECK_EQ(r, WK_FLOW_JOINED);
        CHECK_EQ(again, ctx[i]);
    }
    /* Full: the ninth is refused, counted, and the session gets LOSS(FLOW_TABLE_FULL). */
    h_flow(&g_core, key, 0x9999, 1, "\\app.exe", &r);
    CHECK_EQ(r, WK_FLOW_FULL);
    CHECK_EQ(g_core.flowsUnmonitored, 1);
    h_read(&g_core, s, 0, &res);
    CHECK_EQ(res.recordCount, 9);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_ESTABLISHED), 8);
    memcpy(&loss, h_record((const uint8_t *)g_outbuf, sizeof res, 8, &h), sizeof loss);
    CHECK_EQ(h.type, WK_EVENT_TYPE_LOSS);
    CHECK_EQ(loss.reason, WK_LOSS_REASON_FLOW_TABLE_FULL);
    CHECK_EQ(loss.totalLost, 1);
    /* Stale contexts: after delete, the old value finds nothing, even once the entry is
     * reused by another flow. */
    old = ctx[3];
    CHECK_EQ(wk_flow_delete(&g_core, old, 20), 7);
    CHECK_EQ(wk_flow_delete(&g_core, old, 20), -1);
    CHECK_EQ(h_stream(&g_core, old, WK_DIRECTION_OUTBOUND, "GET / HTTP/1.1\r\n", 0), -1);
    ctx[3] = h_flow(&g_core, key, 0x7777, 1, "\\other.exe", &r);
    CHECK_EQ(r, WK_FLOW_NEW);
    CHECK_EQ(ctx[3] & 0xFFFFFFFFu, old & 0xFFFFFFFFu); /* same entry ... */
    CHECK(ctx[3] != old);                           /* ... new generation */
    CHECK_EQ(wk_flow_delete(&g_core, old, 20), -1);
    CHECK_EQ(wk_flow_stream(&g_core, 0, 0, 1, 0, 0, NULL, NULL), -1);
    CHECK_EQ(wk_flow_stream(&g_core, 0xFFFFFFFFull, 0, 1, 0, 0, NULL, NULL), -1);
    CHECK_EQ(wk_flow_stream(&g_core, (ctx[0] & 0xFFFFFFFFu) | (0x55ull << 32), 0, 1, 0, 0, NULL, NULL), -1);
    CHECK_EQ(wk_flow_delete(&g_core, 9ull, 20), -1);
    CHECK_EQ(g_core.apps.count, 2);
    /* Association failure: the entry goes away silently, counted. */
    {
        wk_flow_params p = h_params(0xABCD, 1, "\\x.exe");
        uint64_t c = 0;
        CHECK_EQ(wk_flow_delete(&g_core, ctx[4], 20), 7);
        CHECK_EQ(wk_flow_establish(&g_core, key, &p, &c), WK_FLOW_NEW);
        wk_flow_associated(&g_core, c, 0);
        CHECK_EQ(wk_flow_active(&g_core), 7);
        CHECK_EQ(g_core.contextFailures, 1);
        CHECK_EQ(wk_flow_delete(&g_core, c, 20), -1);
    }
    /* Unknown scope keys and a stopped session are ignored. */
    h_flow(&g_core, 0, 0x5555, 1, "\\a", &r);
    CHECK_EQ(r, WK_FLOW_IGNORED);
    h_flow(&g_core, key ^ 0x100, 0x5555, 1, "\\a", &r);
    CHECK_EQ(r, WK_FLOW_IGNORED);
    h_flow(&g_core, key + 200, 0x5555, 1, "\\a", &r);
    CHECK_EQ(r, WK_FLOW_IGNORED);
    k = h_counters(&g_core, s);
    CHECK_EQ(k.session.flowsActive, 7);
    CHECK_EQ(k.global.flowsActive, 7);
    CHECK_EQ(k.global.flowTableCapacity, 8);
    CHECK(h_invariant(&k.session));
    /* Unload: walk the live flows, delete each: FLOW_DELETED says UNLOAD. */
    wk_core_begin_unload(&g_core);
    h_flow(&g_core, key, 0x6666, 1, "\\a", &r);
    CHECK_EQ(r, WK_FLOW_IGNORED);
    {
        uint32_t cursor = 0, n = 0;
        uint64_t handle;
        uint16_t layer;
        h_read(&g_core, s, 0, &res);
        while (wk_flow_next_live(&g_core, &cursor, &handle, &layer)) {
            CHECK_EQ(layer, 20);
            n++;
        }
        CHECK_EQ(n, 7);
        for (i = 0; i < 8; i++) {
            if (i != 4) {
                wk_flow_delete(&g_core, ctx[i], 20);
            }
        }
        CHECK_EQ(wk_flow_active(&g_core), 0);
        h_read(&g_core, s, 0, &res);
        CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_DELETED), 7);
        {
            WK_FLOW_DELETED_RECORD d;
            memcpy(&d, h_record((const uint8_t *)g_outbuf, sizeof res, 0, &h), sizeof d);
            CHECK_EQ(d.reason, WK_FLOW_END_REASON_UNLOAD);
        }
    }
    CHECK_EQ(g_core.apps.count, 0);
    CHECK_EQ(g_core.inspInUse, 0);
    wk_session_close(&g_core, s);
    wk_core_free(&g_core);
    CHECK_EQ(g_plat_live_blocks, 0);
}

static const char *k_http_req = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
static const char *k_http_resp = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

static void test_inspection_pool(void)
{
    uint32_t s;
    uint64_t key, a, b, c2;
    WK_READ_RESULT res;
    WK_RECORD_HEADER h;
    WK_FLOW_CLASSIFIED_RECORD fc;
    const uint8_t *rec;

    g_case = "inspector pool";
    new_core(16, 4, 2);
    s = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS, 0);
    key = h_session(&g_core, s).scopeKey;
    a = h_flow(&g_core, key, 1, 1, "\\a", NULL);
    b = h_flow(&g_core, key, 2, 2, "\\a", NULL);
    CHECK_EQ(g_core.inspInUse, 2);
    c2 = h_flow(&g_core, key, 3, 3, "\\a", NULL);
    CHECK_EQ(g_core.inspInUse, 2);
    CHECK_EQ(g_core.inspectorsExhausted, 1); /* the third flow is monitored, not inspected */
    h_read(&g_core, s, 0, &res);
    /* Flow a: both directions classified -> its inspector goes back. */
    CHECK_EQ(h_stream(&g_core, a, WK_DIRECTION_OUTBOUND, k_http_req, 0), 0);
    CHECK_EQ(g_core.inspInUse, 2);
    CHECK_EQ(h_stream(&g_core, a, WK_DIRECTION_INBOUND, k_http_resp, 0), 0);
    CHECK_EQ(g_core.inspInUse, 1);
    h_read(&g_core, s, 0, &res);
    CHECK_EQ(res.recordCount, 2);
    rec = h_record((const uint8_t *)g_outbuf, sizeof res, 0, &h);
    memcpy(&fc, rec, sizeof fc);
    CHECK_EQ(h.type, WK_EVENT_TYPE_FLOW_CLASSIFIED);
    CHECK_EQ(h.flowId, 1);
    CHECK_EQ(fc.appProtocol, WK_APP_PROTOCOL_HTTP1);
    CHECK_EQ(fc.direction, WK_DIRECTION_OUTBOUND);
    CHECK_BYTES(rec + 48, fc.hostLength, "example.com");
    rec = h_record((const uint8_t *)g_outbuf, sizeof res, 1, &h);
    memcpy(&fc, rec, sizeof fc);
    CHECK_EQ(fc.httpStatus, 200);
    CHECK_EQ(fc.direction, WK_DIRECTION_INBOUND);
    /* Flow c2 got no inspector: its bytes are counted, never classified. */
    CHECK_EQ(h_stream(&g_core, c2, WK_DIRECTION_OUTBOUND, k_http_req, 0), 0);
    h_read(&g_core, s, 0, &res);
    CHECK_EQ(res.recordCount, 0);
    /* A new flow takes the freed slot. */
    h_flow(&g_core, key, 4, 4, "\\a", NULL);
    CHECK_EQ(g_core.inspInUse, 2);
    /* Flow b: FIN outbound with a partial opening; delete gives the inbound verdict
     * only if bytes were seen (none): one FLOW_CLASSIFIED, then FLOW_DELETED. */
    CHECK_EQ(h_stream(&g_core, b, WK_DIRECTION_OUTBOUND, "SSH-2.0-Open", 1), 0);
    CHECK_EQ(wk_flow_delete(&g_core, b, 20), 3);
    CHECK_EQ(g_core.inspInUse, 1);
    h_read(&g_core, s, 0, &res);
    CHECK_EQ(res.recordCount, 3); /* FLOW_ESTABLISHED (flow 4), CLASSIFIED, DELETED */
    rec = h_record((const uint8_t *)g_outbuf, sizeof res, 1, &h);
    memcpy(&fc, rec, sizeof fc);
    CHECK_EQ(h.type, WK_EVENT_TYPE_FLOW_CLASSIFIED);
    CHECK_EQ(fc.appProtocol, WK_APP_PROTOCOL_SSH);
    {
        WK_FLOW_DELETED_RECORD d;
        memcpy(&d, h_record((const uint8_t *)g_outbuf, sizeof res, 2, &h), sizeof d);
        CHECK_EQ(h.type, WK_EVENT_TYPE_FLOW_DELETED);
        CHECK_EQ(d.bytesOut, 12);
        CHECK_EQ(d.segmentsOut, 1);
        CHECK_EQ(d.bytesIn, 0);
        CHECK_EQ(d.reason, WK_FLOW_END_REASON_FLOW_DELETE);
        CHECK_EQ(d.layerId, 20);
    }
    CHECK_EQ(g_core.streamBytesInspected, strlen(k_http_req) + strlen(k_http_resp) + 12);
    wk_session_close(&g_core, s);
    CHECK_EQ(g_core.inspInUse, 0); /* nobody left to report to: inspection stops */
    wk_core_free(&g_core);
}

static void test_multi_session(void)
{
    uint32_t s1, s2, s3, i;
    uint64_t k1, k2, k3, f1, f2;
    WK_READ_RESULT res;
    WK_RECORD_HEADER h;
    WK_COUNTERS c;
    const uint8_t *rec;

    g_case = "multi-session";
    new_core(64, 8, 8);
    s1 = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS, 0);
    s2 = open_running(WK_CONFIG_FLAGS_STREAM_EVENTS | WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES, 8);
    s3 = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS, 0);
    CHECK(s1 != s2 && s2 != s3);
    k1 = h_session(&g_core, s1).scopeKey;
    k2 = h_session(&g_core, s2).scopeKey;
    k3 = h_session(&g_core, s3).scopeKey;
    CHECK(k1 != k2 && k2 != k3 && k1 != 0);
    /* f1 matched by s1's and s2's filters (two classify calls); f2 by s2 only. */
    f1 = h_flow(&g_core, k1, 0xF1, 1111, "\\browser.exe", NULL);
    CHECK_EQ(h_flow(&g_core, k2, 0xF1, 1111, "\\browser.exe", NULL), f1);
    f2 = h_flow(&g_core, k2, 0xF2, 2222, "\\curl.exe", NULL);
    CHECK_EQ(g_core.flows[(f1 & 0xFFFFFFFFu) - 1].sessions, (1ull << s1) | (1ull << s2));
    CHECK_EQ(h_stream(&g_core, f1, WK_DIRECTION_OUTBOUND, k_http_req, 0), 0);
    CHECK_EQ(h_stream(&g_core, f2, WK_DIRECTION_OUTBOUND, "hello", 0), 0);
    /* s1: FLOW_ESTABLISHED(f1), FLOW_CLASSIFIED(f1). */
    h_read(&g_core, s1, 0, &res);
    CHECK_EQ(res.recordCount, 2);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_CLASSIFIED), 1);
    /* s2: FLOW_ESTABLISHED x2, STREAM_DATA x2 with 8 captured bytes, no CLASSIFIED. */
    h_read(&g_core, s2, 0, &res);
    CHECK_EQ(res.recordCount, 4);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_STREAM_DATA), 2);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_CLASSIFIED), 0);
    for (i = 0; i < res.recordCount; i++) {
        rec = h_record((const uint8_t *)g_outbuf, sizeof res, i, &h);
        CHECK_EQ(h.size % 8, 0);
        if (h.type == WK_EVENT_TYPE_FLOW_ESTABLISHED) {
            WK_FLOW_ESTABLISHED_RECORD e;
            memcpy(&e, rec, sizeof e);
            CHECK_EQ(e.processId, 4242);
            CHECK_EQ(e.layerId, 52);
            CHECK_EQ(e.endpoints.localPort, h.flowId == 0xF1 ? 1111 : 2222);
            CHECK_EQ(e.appPathLength, h.flowId == 0xF1 ? 24 : 18); /* no terminator */
            CHECK_EQ(rec[80], '\\');
            CHECK_EQ(h.size, WK_ALIGN_RECORD(80u + e.appPathLength));
        } else if (h.type == WK_EVENT_TYPE_STREAM_DATA) {
            WK_STREAM_DATA_RECORD d;
            memcpy(&d, rec, sizeof d);
            CHECK_EQ(d.dataLength, h.flowId == 0xF1 ? 8 : 5);
            CHECK_EQ(d.indicatedLength, h.flowId == 0xF1 ? strlen(k_http_req) : 5);
            CHECK_EQ(d.streamOffset, 0);
            CHECK_EQ(d.streamFlags, 0x10000);
            CHECK_EQ(h.flags & WK_RECORD_FLAGS_TRUNCATED, h.flowId == 0xF1 ? 1 : 0);
            CHECK(memcmp(rec + 48, h.flowId == 0xF1 ? "GET /ind" : "hello", d.dataLength) == 0);
        }
    }
    /* s3 matched nothing. */
    h_read(&g_core, s3, 0, &res);
    CHECK_EQ(res.recordCount, 0);
    /* s3 joins f1 later: it gets FLOW_ESTABLISHED now, then f1's events. */
    CHECK_EQ(h_flow(&g_core, k3, 0xF1, 1111, "\\browser.exe", NULL), f1);
    CHECK_EQ(h_stream(&g_core, f1, WK_DIRECTION_OUTBOUND, "more", 0), 0);
    h_read(&g_core, s3, 0, &res);
    CHECK_EQ(res.recordCount, 2);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_ESTABLISHED), 1);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_STREAM_DATA), 1);
    {
        WK_STREAM_DATA_RECORD d;
        memcpy(&d, h_record((const uint8_t *)g_outbuf, sizeof res, 1, &h), sizeof d);
        CHECK_EQ(d.streamOffset, strlen(k_http_req)); /* offsets continue per direction */
    }
    c = h_counters(&g_core, s2);
    CHECK_EQ(c.session.flowsActive, 2);
    CHECK_EQ(c.session.flowsMatched, 2);
    /* Close s2 with both flows live: its bits go, s1/s3 go on; f2 has nobody left. */
    h_read(&g_core, s2, 0, &res);
    wk_session_close(&g_core, s2);
    CHECK_EQ(g_core.flows[(f1 & 0xFFFFFFFFu) - 1].sessions, (1ull << s1) | (1ull << s3));
    CHECK_EQ(g_core.flows[(f2 & 0xFFFFFFFFu) - 1].sessions, 0);
    CHECK_EQ(h_stream(&g_core, f2, WK_DIRECTION_INBOUND, "x", 0), 0);
    CHECK_EQ(wk_flow_delete(&g_core, f2, 20), 1);
    CHECK_EQ(wk_flow_delete(&g_core, f1, 20), 0);
    h_read(&g_core, s1, 0, &res);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_DELETED), 1);
    h_read(&g_core, s3, 0, &res);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_DELETED), 1);
    /* A reopened slot gets a new key: the closed session's filters match nothing. */
    {
        uint32_t s4;
        wk_flow_result r;
        CHECK_EQ(wk_session_open(&g_core, &s4), WK_STATUS_SUCCESS);
        CHECK_EQ(s4, s2);
        CHECK(h_session(&g_core, s4).scopeKey != k2);
        CHECK_EQ(h_start(&g_core, s4), WK_STATUS_SUCCESS);
        h_flow(&g_core, k2, 0xF3, 1, "\\a", &r);
        CHECK_EQ(r, WK_FLOW_IGNORED);
        wk_session_close(&g_core, s4);
    }
    CHECK_EQ(g_plat_lock_errors, 0);
    CHECK_EQ(g_plat_locks_held, 0);
    wk_session_close(&g_core, s1);
    wk_session_close(&g_core, s3);
    wk_session_close(&g_core, s3); /* twice: ignored */
    CHECK_EQ(g_core.sessionsOpen, 0);
    wk_core_free(&g_core);
    CHECK_EQ(g_plat_live_blocks, 0);
}

static void test_ring_full_and_wake(void)
{
    uint32_t s, i, bytes;
    uint64_t key, f;
    WK_COUNTERS c;
    WK_READ_RESULT res;

    g_case = "ring full, wake";
    new_core(16, 4, 4);
    s = open_running(WK_CONFIG_FLAGS_STREAM_EVENTS | WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES, 2048);
    key = h_session(&g_core, s).scopeKey;
    f = h_flow(&g_core, key, 77, 1, "\\a", NULL);
    {
        static char big[3000];
        memset(big, 'z', sizeof big - 1);
        for (i = 0; i < 100; i++) { /* 100 x 2096-byte records into a 64 KiB ring */
            h_stream(&g_core, f, WK_DIRECTION_INBOUND, big, 0);
        }
    }
    c = h_counters(&g_core, s);
    CHECK(c.session.eventsDropped > 0);
    CHECK(h_invariant(&c.session));
    CHECK_EQ(c.session.eventsProduced, 101 + 1); /* + the LOSS record */
    bytes = 0;
    while ((bytes = h_read(&g_core, s, 0, &res)) > 16) {
        CHECK(res.recordCount > 0);
    }
    CHECK_EQ(res.flags & WK_READ_FLAGS_MORE_AVAILABLE, 0);
    c = h_counters(&g_core, s);
    CHECK(h_invariant(&c.session));
    CHECK_EQ(c.session.recordsInRing, 0);
    /* A pended read is woken once, with no lock held, when an event arrives. */
    {
        WK_READ_REQUEST rq = {1000, 0};
        wk_dispatch_io io;
        memset(&io, 0, sizeof io);
        io.in = &rq;
        io.inLen = sizeof rq;
        io.out = g_outbuf;
        io.outLen = WK_MIN_READ_OUTPUT;
        g_plat_wakes = 0;
        CHECK_EQ(wk_dispatch_ioctl(&g_core, s, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_PENDING);
        CHECK_EQ(io.pendTimeoutMs, 1000);
        CHECK(!wk_session_read_ready(&g_core, s));
        h_stream(&g_core, f, WK_DIRECTION_INBOUND, "a", 0);
        h_stream(&g_core, f, WK_DIRECTION_INBOUND, "b", 0);
        CHECK_EQ(g_plat_wakes, 1ull << s);
        CHECK_EQ(g_plat_wake_count, 1);
        CHECK(wk_session_read_ready(&g_core, s));
        CHECK_EQ(wk_session_complete_read(&g_core, s, g_outbuf, WK_MIN_READ_OUTPUT, 0, &bytes),
                 WK_STATUS_SUCCESS);
        memcpy(&res, g_outbuf, sizeof res);
        CHECK_EQ(res.recordCount, 2);
        CHECK_EQ(bytes, res.bytesUsed);
        CHECK_EQ(g_plat_lock_errors, 0);
    }
    wk_flow_delete(&g_core, f, 20);
    wk_session_close(&g_core, s);
    wk_core_free(&g_core);
}

static void test_init_failure(void)
{
    wk_core c;
    g_case = "init failure";
    g_plat_fail_alloc_after = 0;
    CHECK_EQ(wk_core_init(&c, NULL), -1);
    g_plat_fail_alloc_after = -1;
    CHECK_EQ(g_plat_live_blocks, 0);
    CHECK_EQ(wk_core_init(&c, NULL), 0);
    CHECK_EQ(c.flowCapacity, WK_CORE_DEFAULT_FLOWS);
    printf("bytes per flow: %lu (wk_flow %lu + index share); inspector %lu; app entry %lu; "
           "core total %lu for %u flows\n",
           (unsigned long)wk_core_bytes_per_flow(&c), (unsigned long)sizeof(wk_flow),
           (unsigned long)sizeof(wk_flow_insp), (unsigned long)sizeof(wk_app_entry),
           (unsigned long)wk_core_memory_bytes(NULL), c.flowCapacity);
    CHECK(wk_core_bytes_per_flow(&c) <= 512);
    wk_core_free(&c);
}

/* Random establish / stream / delete against a model of which handles are live. */
static void test_churn(void)
{
    uint64_t ctx[64];
    uint32_t s, i, live = 0;
    uint64_t key;
    WK_READ_RESULT res;
    g_case = "churn";
    new_core(32, 8, 4);
    s = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS, 0);
    key = h_session(&g_core, s).scopeKey;
    memset(ctx, 0, sizeof ctx);
    rng_seed(7);
    for (i = 0; i < 20000; i++) {
        uint32_t h = rng_range(0, 63);
        uint32_t op = rng_range(0, 2);
        if (op == 0 && ctx[h] == 0) {
            wk_flow_result r;
            char app[8] = "\\a0.exe";
            app[2] = (char)('0' + (h % 10));
            ctx[h] = h_flow(&g_core, key, 0x100000000ull * h + 5, 1, app, &r);
            if (r == WK_FLOW_NEW) {
                live++;
            } else {
                CHECK_EQ(r, WK_FLOW_FULL);
                CHECK_EQ(live, 32);
                ctx[h] = 0;
            }
        } else if (op == 1 && ctx[h] != 0) {
            CHECK_EQ(h_stream(&g_core, ctx[h], (uint8_t)(h & 1u), "GET / HTTP/1.0\r\n\r\n", 0), 0);
        } else if (op == 2 && ctx[h] != 0) {
            live--;
            CHECK_EQ(wk_flow_delete(&g_core, ctx[h], 20), (int)live);
            ctx[h] = 0;
        }
        if ((i & 63u) == 0) {
            h_read(&g_core, s, 0, &res);
        }
    }
    CHECK_EQ(wk_flow_active(&g_core), live);
    CHECK(g_core.apps.count <= 10);
    for (i = 0; i < 64; i++) {
        if (ctx[i] != 0) {
            wk_flow_delete(&g_core, ctx[i], 20);
        }
    }
    CHECK_EQ(g_core.apps.count, 0);
    CHECK_EQ(g_core.inspInUse, 0);
    wk_session_close(&g_core, s);
    wk_core_free(&g_core);
}

/* One STREAM indication reaches the callout once per matching STREAM filter (each session
 * adds its own): wk_flow_stream_filtered acts on the flow's first session's filter only, or on
 * a shared filter (context 0); other sessions' keys and stale keys are ignored. */
static void test_stream_filters(void)
{
    uint32_t s1, s2, s3;
    uint64_t k1, k2, k3, f;
    h_bytes b;
    WK_SESSION_INFO si;

    g_case = "stream-filters";
    new_core(16, 4, 4);
    s1 = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS, 0);
    s2 = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS, 0);
    s3 = open_running(WK_CONFIG_FLAGS_INSPECT_STREAMS, 0);
    k1 = h_session(&g_core, s1).scopeKey;
    k2 = h_session(&g_core, s2).scopeKey;
    k3 = h_session(&g_core, s3).scopeKey;
    f = h_flow(&g_core, k2, 0xA1, 1000, "\\a.exe", NULL);
    CHECK_EQ(h_flow(&g_core, k1, 0xA1, 1000, "\\a.exe", NULL), f);
    b.p = (const uint8_t *)"abcd";
    b.n = 4;
    /* s1 (lowest slot) leads; s2's filter is ignored; s3 is not a session of the flow. */
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, k2, WK_DIRECTION_OUTBOUND, 4, 0x10000u, 0, h_copy, &b), 1);
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, k1, WK_DIRECTION_OUTBOUND, 4, 0x10000u, 0, h_copy, &b), 0);
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, k3, WK_DIRECTION_OUTBOUND, 4, 0x10000u, 0, h_copy, &b), 1);
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, 0x1234567800000001ull, WK_DIRECTION_OUTBOUND, 4, 0x10000u, 0,
                                     h_copy, &b), 1);
    CHECK_EQ(g_core.flows[(f & 0xFFFFFFFFu) - 1].bytes[WK_DIRECTION_OUTBOUND], 4);
    /* a shared filter always counts */
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, 0, WK_DIRECTION_INBOUND, 4, 0x1u, 0, h_copy, &b), 0);
    CHECK_EQ(g_core.flows[(f & 0xFFFFFFFFu) - 1].bytes[WK_DIRECTION_INBOUND], 4);
    /* s1 closes: s2 leads now */
    wk_session_close(&g_core, s1);
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, k1, WK_DIRECTION_OUTBOUND, 4, 0x10000u, 0, h_copy, &b), 1);
    CHECK_EQ(wk_flow_stream_filtered(&g_core, f, k2, WK_DIRECTION_OUTBOUND, 4, 0x10000u, 0, h_copy, &b), 0);
    CHECK_EQ(g_core.flows[(f & 0xFFFFFFFFu) - 1].bytes[WK_DIRECTION_OUTBOUND], 8);
    /* stale context: -1 whatever the filter */
    CHECK_EQ(wk_flow_stream_filtered(&g_core, 0x55ull << 32 | 9u, k2, 0, 1, 0, 0, NULL, NULL), -1);
    si = h_session(&g_core, s2);
    CHECK_EQ(si.state, WK_SESSION_STATE_RUNNING);
    CHECK_EQ(g_plat_lock_errors, 0);
    CHECK_EQ(g_plat_locks_held, 0);
    CHECK_EQ(wk_flow_delete(&g_core, f, 20), 0);
    wk_session_close(&g_core, s2);
    wk_session_close(&g_core, s3);
    wk_core_free(&g_core);
    CHECK_EQ(g_plat_live_blocks, 0);
}

int main(void)
{
    test_churn();
    test_hidx();
    test_app();
    test_flow_capacity_and_stale();
    test_inspection_pool();
    test_multi_session();
    test_stream_filters();
    test_ring_full_and_wake();
    test_init_failure();
    return check_report();
}
