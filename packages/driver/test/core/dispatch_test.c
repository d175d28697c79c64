/*
 * dispatch_test.c - every IOCTL of the dispatcher with good and bad buffers: short,
 * oversized, missing, misaligned, garbage, unknown codes, wrong states; READ_EVENTS
 * pending / busy / completion / cancel; LIST_FLOWS paging; and that the driver still
 * works after all of it. Linked with plat_host.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static wk_core g_core;
static uint8_t g_in[4096];
static uint8_t g_big[1u << 17];

static const uint32_t k_codes[] = {
    IOCTL_WFPKIT_GET_VERSION, IOCTL_WFPKIT_GET_SESSION, IOCTL_WFPKIT_SET_CONFIG,
    IOCTL_WFPKIT_START,       IOCTL_WFPKIT_STOP,        IOCTL_WFPKIT_READ_EVENTS,
    IOCTL_WFPKIT_GET_COUNTERS, IOCTL_WFPKIT_LIST_FLOWS,
};
static const uint32_t k_in[] = {0, 0, 24, 0, 0, 8, 0, 16};
static const uint32_t k_min_out[] = {32, 48, 0, 0, 0, 2144, 208, 2192};

static void test_lengths(uint32_t slot)
{
    size_t i;
    uint32_t info;
    g_case = "lengths";
    for (i = 0; i < sizeof k_codes / sizeof k_codes[0]; i++) {
        /* Input one byte short / one byte long / absent with a length. */
        if (k_in[i] != 0) {
            CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], g_in, k_in[i] - 1, g_big, sizeof g_big, &info),
                     WK_STATUS_INFO_LENGTH_MISMATCH);
            CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], NULL, k_in[i], g_big, sizeof g_big, &info),
                     WK_STATUS_INFO_LENGTH_MISMATCH);
            CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], NULL, 0, g_big, sizeof g_big, &info),
                     WK_STATUS_INFO_LENGTH_MISMATCH);
        }
        CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], g_in, k_in[i] + 1, g_big, sizeof g_big, &info),
                 WK_STATUS_INFO_LENGTH_MISMATCH);
        CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], g_in, 0xFFFFFFFFu, g_big, sizeof g_big, &info),
                 WK_STATUS_INFO_LENGTH_MISMATCH);
        CHECK_EQ(info, 0);
        /* Output one byte short, absent. */
        if (k_min_out[i] != 0) {
            CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], g_in, k_in[i], g_big, k_min_out[i] - 1, &info),
                     WK_STATUS_BUFFER_TOO_SMALL);
            CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], g_in, k_in[i], NULL, k_min_out[i], &info),
                     WK_STATUS_BUFFER_TOO_SMALL);
            CHECK_EQ(h_ioctl(&g_core, slot, k_codes[i], g_in, k_in[i], NULL, 0, &info),
                     WK_STATUS_BUFFER_TOO_SMALL);
        }
    }
}

static void test_unknown_codes(uint32_t slot)
{
    uint32_t i, info;
    g_case = "unknown codes";
    CHECK_EQ(h_ioctl(&g_core, slot, 0, NULL, 0, NULL, 0, &info), WK_STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(h_ioctl(&g_core, slot, 0xFFFFFFFFu, NULL, 0, NULL, 0, &info), WK_STATUS_INVALID_DEVICE_REQUEST);
    /* Same function, other method or access: a different code, unknown. */
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_GET_VERSION | 3u, NULL, 0, g_big, 64, &info),
             WK_STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_START ^ 0x4000u, NULL, 0, NULL, 0, &info),
             WK_STATUS_INVALID_DEVICE_REQUEST);
    for (i = 0x800; i < 0x820; i++) {
        uint32_t code = WK_CTL_CODE(i, 0, 0);
        wk_status st = h_ioctl(&g_core, slot, code, NULL, 0, g_big, sizeof g_big, &info);
        CHECK(code == IOCTL_WFPKIT_GET_VERSION ? st == WK_STATUS_SUCCESS
                                               : st == WK_STATUS_INVALID_DEVICE_REQUEST);
    }
    rng_seed(99);
    for (i = 0; i < 2000; i++) {
        uint32_t code = (uint32_t)rng_next();
        size_t k, known = 0;
        for (k = 0; k < sizeof k_codes / sizeof k_codes[0]; k++) {
            known |= k_codes[k] == code;
        }
        if (!known) {
            CHECK_EQ(h_ioctl(&g_core, slot, code, g_in, rng_range(0, 64), g_big, rng_range(0, 4096), &info),
                     WK_STATUS_INVALID_DEVICE_REQUEST);
        }
    }
}

static void test_version(uint32_t slot)
{
    WK_VERSION_INFO v;
    uint32_t info, off;
    g_case = "GET_VERSION";
    for (off = 0; off < 8; off++) { /* misaligned output */
        CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_GET_VERSION, NULL, 0, g_big + off, 32, &info),
                 WK_STATUS_SUCCESS);
        CHECK_EQ(info, 32);
        memcpy(&v, g_big + off, sizeof v);
        CHECK_EQ(v.contractVersion, WK_CONTRACT_VERSION);
        CHECK_EQ(v.maxSessions, WK_MAX_SESSIONS);
        CHECK_EQ(v.minRingBytes, WK_MIN_RING_BYTES);
        CHECK_EQ(v.maxRingBytes, WK_MAX_RING_BYTES);
        CHECK_EQ(v.maxInspectBudget, WK_MAX_INSPECT_BUDGET);
        CHECK_EQ(v.maxSnapLen, WK_MAX_SNAP_LEN);
        CHECK_EQ(v.features, WK_FEATURE_FLAGS_SIMULATED | WK_FEATURE_FLAGS_IPPACKET_LAYERS); /* as configured below */
    }
    /* Global: works without a session too. */
    CHECK_EQ(h_ioctl(&g_core, 200, IOCTL_WFPKIT_GET_VERSION, NULL, 0, g_big, 4096, &info),
             WK_STATUS_SUCCESS);
    CHECK_EQ(info, 32);
    /* Session IOCTLs on a slot with no session: refused, nothing written. */
    CHECK_EQ(h_ioctl(&g_core, 200, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, &info),
             WK_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(h_ioctl(&g_core, 63, IOCTL_WFPKIT_GET_SESSION, NULL, 0, g_big, 48, &info),
             WK_STATUS_INVALID_DEVICE_STATE);
}

static WK_SESSION_CONFIG good_config(void)
{
    WK_SESSION_CONFIG c;
    memset(&c, 0, sizeof c);
    c.structSize = sizeof c;
    c.flags = WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS;
    c.inspectBudget = 2048;
    c.ringBytes = WK_MIN_RING_BYTES * 2;
    c.snapLen = 64;
    c.tagLayers = 0;
    return c;
}

static wk_status set_config_at(uint32_t slot, const WK_SESSION_CONFIG *c, uint32_t misalign)
{
    memcpy(g_in + misalign, c, sizeof *c);
    return h_ioctl(&g_core, slot, IOCTL_WFPKIT_SET_CONFIG, g_in + misalign, sizeof *c, NULL, 0, NULL);
}

static void test_session_and_config(uint32_t slot)
{
    WK_SESSION_INFO si;
    WK_SESSION_CONFIG c;
    uint32_t info, off;
    g_case = "GET_SESSION / SET_CONFIG";
    si = h_session(&g_core, slot);
    CHECK_EQ(si.state, WK_SESSION_STATE_IDLE);
    CHECK(si.sessionId != 0);
    CHECK(si.scopeKey != 0);
    CHECK_EQ(si.config.structSize, 24);
    CHECK_EQ(si.config.flags, WK_DEFAULT_CONFIG_FLAGS);
    CHECK_EQ(si.config.inspectBudget, WK_DEFAULT_INSPECT_BUDGET);
    CHECK_EQ(si.config.ringBytes, WK_DEFAULT_RING_BYTES);
    CHECK_EQ(si.config.snapLen, WK_DEFAULT_SNAP_LEN);
    CHECK_EQ(si.config.tagLayers, WK_DEFAULT_TAG_LAYERS);
    CHECK_EQ(si.reserved0 | si.reserved1, 0);
    /* Output larger than needed: Information is the struct size. */
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_GET_SESSION, NULL, 0, g_big + 3, 4000, &info),
             WK_STATUS_SUCCESS);
    CHECK_EQ(info, 48);

    /* Every field out of range, each alone. */
    c = good_config(); c.structSize = 20;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_REVISION_MISMATCH);
    c = good_config(); c.structSize = 0;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_REVISION_MISMATCH);
    c = good_config(); c.flags = 0x40;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.flags = 0x80000000u;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.inspectBudget = 0;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.inspectBudget = WK_MAX_INSPECT_BUDGET + 1;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.ringBytes = WK_MIN_RING_BYTES - 8;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.ringBytes = WK_MAX_RING_BYTES + 8;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.ringBytes = WK_MIN_RING_BYTES + 4;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.snapLen = WK_MAX_SNAP_LEN + 1;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.tagLayers = 0x100;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    /* Tagging members must agree: TAG_PACKETS needs a layer, layers need TAG_PACKETS,
     * CAPTURE_PACKET_BYTES and REPORT_DISCARDS need TAG_PACKETS. */
    c = good_config(); c.flags = WK_CONFIG_FLAGS_TAG_PACKETS; c.tagLayers = 0;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.flags = WK_CONFIG_FLAGS_INSPECT_STREAMS; c.tagLayers = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.flags = WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    c = good_config(); c.flags = WK_CONFIG_FLAGS_REPORT_DISCARDS;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
    si = h_session(&g_core, slot);
    CHECK_EQ(si.config.ringBytes, WK_DEFAULT_RING_BYTES); /* nothing applied */
    {
        /* IP packet layers only when the driver reports IPPACKET_LAYERS. */
        uint32_t saved = g_core.features;
        g_core.features = WK_FEATURE_FLAGS_SIMULATED;
        c = good_config(); c.flags = WK_CONFIG_FLAGS_TAG_PACKETS; c.tagLayers = WK_TAG_LAYER_INBOUND_IPPACKET_V6;
        CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_PARAMETER);
        c.tagLayers = WK_TAG_LAYER_INBOUND_TRANSPORT_V6;
        CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_SUCCESS);
        g_core.features = saved;
        c.tagLayers = WK_TAG_LAYER_INBOUND_IPPACKET_V6;
        CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_SUCCESS);
        si = h_session(&g_core, slot);
        CHECK_EQ(si.config.tagLayers, WK_TAG_LAYER_INBOUND_IPPACKET_V6);
        c = good_config();
        CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_SUCCESS);
    }
    /* Limits themselves are accepted, from misaligned input. */
    c = good_config(); c.inspectBudget = WK_MIN_INSPECT_BUDGET; c.snapLen = 0;
    c.ringBytes = WK_MIN_RING_BYTES;
    CHECK_EQ(set_config_at(slot, &c, 1), WK_STATUS_SUCCESS);
    c = good_config(); c.inspectBudget = WK_MAX_INSPECT_BUDGET; c.snapLen = WK_MAX_SNAP_LEN;
    c.tagLayers = 0xFF; c.flags = 0x3F;
    CHECK_EQ(set_config_at(slot, &c, 3), WK_STATUS_SUCCESS);
    for (off = 0; off < 8; off++) {
        c = good_config();
        CHECK_EQ(set_config_at(slot, &c, off), WK_STATUS_SUCCESS);
    }
    si = h_session(&g_core, slot);
    CHECK_EQ(si.config.ringBytes, WK_MIN_RING_BYTES * 2);
    CHECK_EQ(si.config.inspectBudget, 2048);
    /* Out of memory for the ring: refused, config unchanged. */
    c = good_config(); c.ringBytes = WK_MIN_RING_BYTES * 4;
    g_plat_fail_alloc_after = 0;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INSUFFICIENT_RESOURCES);
    g_plat_fail_alloc_after = -1;
    CHECK_EQ(h_session(&g_core, slot).config.ringBytes, WK_MIN_RING_BYTES * 2);
}

static void test_states(uint32_t slot)
{
    WK_SESSION_CONFIG c = good_config();
    WK_READ_RESULT res;
    g_case = "states";
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL), WK_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_SUCCESS);
    CHECK_EQ(h_session(&g_core, slot).state, WK_SESSION_STATE_RUNNING);
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_INVALID_DEVICE_STATE);
    /* structSize is checked before the state. */
    c.structSize = 1;
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_REVISION_MISMATCH);
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL), WK_STATUS_SUCCESS);
    CHECK_EQ(h_session(&g_core, slot).state, WK_SESSION_STATE_STOPPED);
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL), WK_STATUS_INVALID_DEVICE_STATE);
    h_read(&g_core, slot, 0, &res);
    CHECK_EQ(res.flags, WK_READ_FLAGS_SESSION_STOPPED);
    CHECK_EQ(res.recordCount, 0);
    CHECK_EQ(res.bytesUsed, 16);
    c = good_config();
    CHECK_EQ(set_config_at(slot, &c, 0), WK_STATUS_SUCCESS); /* allowed when stopped */
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_SUCCESS);
}

static void test_read(uint32_t slot)
{
    WK_READ_REQUEST rq;
    WK_READ_RESULT res;
    WK_COUNTERS k;
    wk_dispatch_io io;
    uint64_t key = h_session(&g_core, slot).scopeKey, f;
    uint32_t bytes, i, off, left;
    g_case = "READ_EVENTS";
    /* Empty, timeout 0: returns at once with nothing. */
    rq.timeoutMs = 0;
    rq.maxRecords = 0;
    memcpy(g_in + 5, &rq, sizeof rq);
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, g_in + 5, 8, g_big + 1, 2144, &bytes),
             WK_STATUS_SUCCESS);
    CHECK_EQ(bytes, 16);
    memcpy(&res, g_big + 1, sizeof res);
    CHECK_EQ(res.recordCount, 0);
    CHECK_EQ(res.flags, 0);
    /* Empty, timeout: pends; a second read is busy. */
    rq.timeoutMs = WK_WAIT_FOREVER;
    memset(&io, 0, sizeof io);
    io.in = &rq;
    io.inLen = 8;
    io.out = g_big;
    io.outLen = 2144;
    CHECK_EQ(wk_dispatch_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_PENDING);
    CHECK_EQ(io.pendTimeoutMs, WK_WAIT_FOREVER);
    CHECK_EQ(wk_dispatch_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_DEVICE_BUSY);
    /* Timer fires with nothing: TIMED_OUT. */
    CHECK_EQ(wk_session_complete_read(&g_core, slot, g_big + 7, 2144, 1, &bytes), WK_STATUS_SUCCESS);
    memcpy(&res, g_big + 7, sizeof res);
    CHECK_EQ(res.flags, WK_READ_FLAGS_TIMED_OUT);
    CHECK_EQ(bytes, 16);
    /* Cancelled: the next read may pend again. */
    CHECK_EQ(wk_dispatch_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_PENDING);
    wk_session_read_cancelled(&g_core, slot);
    CHECK_EQ(wk_dispatch_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_PENDING);
    /* STOP wakes it: completes with SESSION_STOPPED. */
    g_plat_wakes = 0;
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL), WK_STATUS_SUCCESS);
    CHECK_EQ(g_plat_wakes, 1ull << slot);
    CHECK(wk_session_read_ready(&g_core, slot));
    CHECK_EQ(wk_session_complete_read(&g_core, slot, g_big, 2144, 0, &bytes), WK_STATUS_SUCCESS);
    memcpy(&res, g_big, sizeof res);
    CHECK_EQ(res.flags, WK_READ_FLAGS_SESSION_STOPPED);
    /* Stopped and empty with a timeout: does not pend. */
    CHECK_EQ(wk_dispatch_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_SUCCESS);
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_SUCCESS);
    /* 20 flows -> 20 records; maxRecords and small buffers give whole records only. */
    for (i = 0; i < 20; i++) {
        f = h_flow(&g_core, key, 1000 + i, (uint16_t)i, "\\some\\long\\path\\to\\an\\app.exe", NULL);
        CHECK(f != 0);
    }
    rq.timeoutMs = 0;
    rq.maxRecords = 3;
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &rq, 8, g_big, sizeof g_big, &bytes),
             WK_STATUS_SUCCESS);
    memcpy(&res, g_big, sizeof res);
    CHECK_EQ(res.recordCount, 3);
    CHECK_EQ(res.flags, WK_READ_FLAGS_MORE_AVAILABLE);
    CHECK_EQ(res.bytesUsed, bytes);
    CHECK_EQ(bytes, 16 + 3 * WK_ALIGN_RECORD(80 + 58));
    rq.maxRecords = 0;
    left = 17;
    for (off = 0; off < 3; off++) {
        uint32_t fit = (2144 - 16) / WK_ALIGN_RECORD(80 + 58);
        CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &rq, 8, g_big + off, 2144 + off, &bytes),
                 WK_STATUS_SUCCESS);
        memcpy(&res, g_big + off, sizeof res);
        CHECK_EQ(res.recordCount, left < fit ? left : fit);
        CHECK_EQ(res.flags, left > fit ? WK_READ_FLAGS_MORE_AVAILABLE : 0u);
        left -= res.recordCount;
        CHECK(bytes <= 2144 + off);
    }
    k = h_counters(&g_core, slot);
    CHECK(h_invariant(&k.session));
    CHECK_EQ(k.session.eventsProduced, 20);
    CHECK_EQ(k.session.flowsActive, 20);
    CHECK_EQ(k.session.flowsMatched, 20);
    CHECK(k.session.readsCompleted >= 8);
    CHECK_EQ(k.global.sessionsOpen, 2);
    CHECK_EQ(k.global.flowsTotal, 20);
    /* A pended read completed by the event path. */
    while (h_read(&g_core, slot, 0, &res) > 16) {
    }
    rq.timeoutMs = 50;
    CHECK_EQ(wk_dispatch_ioctl(&g_core, slot, IOCTL_WFPKIT_READ_EVENTS, &io), WK_STATUS_PENDING);
    g_plat_wakes = 0;
    CHECK_EQ(wk_flow_delete(&g_core, f, 20), 19);
    CHECK_EQ(g_plat_wakes, 1ull << slot);
    CHECK_EQ(wk_session_complete_read(&g_core, slot, g_big, 2144, 0, &bytes), WK_STATUS_SUCCESS);
    memcpy(&res, g_big, sizeof res);
    CHECK_EQ(res.recordCount, 1);
    CHECK_EQ(res.flags, 0);
}

static void test_list(uint32_t slot)
{
    WK_LIST_FLOWS_REQUEST rq;
    WK_LIST_FLOWS_RESULT res;
    WK_RECORD_HEADER h;
    WK_FLOW_INFO_RECORD fi;
    uint32_t bytes, total = 0, pages = 0, i;
    g_case = "LIST_FLOWS";
    memset(&rq, 0, sizeof rq);
    rq.reserved0 = 1;
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_LIST_FLOWS, &rq, 16, g_big, 4096, &bytes),
             WK_STATUS_INVALID_PARAMETER);
    rq.reserved0 = 0;
    rq.cursor = 0xFFFFFFFFFFull;
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_LIST_FLOWS, &rq, 16, g_big, 4096, &bytes),
             WK_STATUS_INVALID_PARAMETER);
    /* Page by 4 with misaligned buffers until no MORE. */
    rq.cursor = 0;
    rq.maxFlows = 4;
    do {
        memcpy(g_in + 3, &rq, sizeof rq);
        CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_LIST_FLOWS, g_in + 3, 16, g_big + 5, 2192, &bytes),
                 WK_STATUS_SUCCESS);
        memcpy(&res, g_big + 5, sizeof res);
        CHECK_EQ(res.bytesUsed, bytes);
        CHECK(res.flowCount <= 4);
        for (i = 0; i < res.flowCount; i++) {
            const uint8_t *rec = h_record(g_big + 5, sizeof res, i, &h);
            memcpy(&fi, rec, sizeof fi);
            CHECK_EQ(h.type, WK_EVENT_TYPE_FLOW_INFO);
            CHECK_EQ(fi.appPathLength, 58);
            CHECK_EQ(fi.processId, 4242);
            CHECK_EQ(fi.endpoints.ipVersion, 4);
            CHECK(h.flowId >= 1000 && h.flowId < 1019);
        }
        total += res.flowCount;
        rq.cursor = res.nextCursor;
        pages++;
    } while ((res.flags & WK_LIST_FLAGS_MORE) != 0 && pages < 100);
    CHECK_EQ(total, 19);
    CHECK_EQ(pages, 5);
    /* maxFlows 0 with the minimum buffer: as many as fit (2192 - 24) / 184. */
    rq.cursor = 0;
    rq.maxFlows = 0;
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_LIST_FLOWS, &rq, 16, g_big, 2192, &bytes), WK_STATUS_SUCCESS);
    memcpy(&res, g_big, sizeof res);
    CHECK_EQ(res.flowCount, (2192 - 24) / WK_ALIGN_RECORD(120 + 58));
    CHECK_EQ(res.flags, WK_LIST_FLAGS_MORE);
    /* Everything in one go. */
    CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_LIST_FLOWS, &rq, 16, g_big, sizeof g_big, &bytes), WK_STATUS_SUCCESS);
    memcpy(&res, g_big, sizeof res);
    CHECK_EQ(res.flowCount, 19);
    CHECK_EQ(res.flags, 0);
    CHECK_EQ(res.bytesUsed, 24 + 19 * WK_ALIGN_RECORD(120 + 58));
}

/* Random garbage of random lengths at every IOCTL, in every state: never a crash, only
 * the statuses the contract lists, and the counters stay consistent. */
static void test_garbage(uint32_t slot)
{
    uint32_t i, info;
    g_case = "garbage";
    rng_seed(1234);
    for (i = 0; i < 20000; i++) {
        uint32_t code = k_codes[rng_range(0, 7)];
        uint32_t inLen = rng_range(0, 3) == 0 ? rng_range(0, 40) : k_in[rng_range(0, 7)];
        uint32_t outLen = rng_range(0, 2) == 0 ? rng_range(0, 3000) : (uint32_t)sizeof g_big - 8;
        uint32_t k;
        wk_status st;
        for (k = 0; k < inLen; k++) {
            g_in[k + 1] = (uint8_t)rng_next();
        }
        if (code == IOCTL_WFPKIT_SET_CONFIG && rng_range(0, 1)) {
            WK_SESSION_CONFIG c = good_config();
            c.flags = (uint32_t)rng_range(0, 0x7F);
            memcpy(g_in + 1, &c, sizeof c);
        }
        if (code == IOCTL_WFPKIT_READ_EVENTS && inLen == 8) {
            g_in[1] = 0; /* timeout 0 mostly: a pended read is handled below */
            g_in[2] = g_in[3] = g_in[4] = (uint8_t)(rng_range(0, 9) == 0 ? 1 : 0);
        }
        st = h_ioctl(&g_core, slot, code, g_in + 1, inLen, g_big + (i & 7u), outLen, &info);
        CHECK(st == WK_STATUS_SUCCESS || st == WK_STATUS_PENDING || st == WK_STATUS_INFO_LENGTH_MISMATCH ||
              st == WK_STATUS_BUFFER_TOO_SMALL || st == WK_STATUS_INVALID_PARAMETER ||
              st == WK_STATUS_REVISION_MISMATCH || st == WK_STATUS_INVALID_DEVICE_STATE ||
              st == WK_STATUS_DEVICE_BUSY || st == WK_STATUS_INSUFFICIENT_RESOURCES);
        CHECK(info <= outLen);
        if (st == WK_STATUS_PENDING) {
            if (rng_range(0, 1)) {
                wk_session_read_cancelled(&g_core, slot);
            } else {
                CHECK_EQ(wk_session_complete_read(&g_core, slot, g_big, 2144, 1, &info), WK_STATUS_SUCCESS);
            }
        }
    }
    {
        WK_COUNTERS k = h_counters(&g_core, slot);
        CHECK(h_invariant(&k.session));
    }
}

static void test_still_works(uint32_t slot)
{
    WK_READ_RESULT res;
    uint64_t key, f;
    g_case = "still works";
    if (h_session(&g_core, slot).state == WK_SESSION_STATE_RUNNING) {
        CHECK_EQ(h_ioctl(&g_core, slot, IOCTL_WFPKIT_STOP, NULL, 0, NULL, 0, NULL), WK_STATUS_SUCCESS);
    }
    CHECK_EQ(h_config(&g_core, slot, WK_CONFIG_FLAGS_INSPECT_STREAMS, 4096, WK_MIN_RING_BYTES, 0),
             WK_STATUS_SUCCESS);
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_SUCCESS);
    while (h_read(&g_core, slot, 0, &res) > 16) {
    }
    key = h_session(&g_core, slot).scopeKey;
    f = h_flow(&g_core, key, 0xBEEF, 1, "\\ok.exe", NULL);
    CHECK(f != 0);
    CHECK_EQ(h_stream(&g_core, f, WK_DIRECTION_OUTBOUND, "SSH-2.0-x\r\n", 0), 0);
    h_read(&g_core, slot, 0, &res);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_ESTABLISHED), 1);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_FLOW_CLASSIFIED), 1);
}

static void test_sessions_limit(void)
{
    uint32_t slots[WK_MAX_SESSIONS], i, extra;
    g_case = "MAX_SESSIONS";
    i = 0;
    while (wk_session_open(&g_core, &slots[i]) == WK_STATUS_SUCCESS) {
        i++;
    }
    CHECK_EQ(g_core.sessionsOpen, WK_MAX_SESSIONS);
    CHECK_EQ(wk_session_open(&g_core, &extra), WK_STATUS_INSUFFICIENT_RESOURCES);
    wk_session_close(&g_core, slots[0]);
    CHECK_EQ(wk_session_open(&g_core, &extra), WK_STATUS_SUCCESS);
    CHECK_EQ(extra, slots[0]);
    slots[0] = extra;
    while (i > 0) {
        wk_session_close(&g_core, slots[--i]);
    }
}

int main(void)
{
    wk_core_config cfg;
    uint32_t slot, other;
    memset(&cfg, 0, sizeof cfg);
    cfg.flowCapacity = 64;
    cfg.features = WK_FEATURE_FLAGS_SIMULATED | WK_FEATURE_FLAGS_IPPACKET_LAYERS;
    CHECK_EQ(wk_core_init(&g_core, &cfg), 0);
    CHECK_EQ(wk_session_open(&g_core, &other), WK_STATUS_SUCCESS);
    CHECK_EQ(wk_session_open(&g_core, &slot), WK_STATUS_SUCCESS);
    test_lengths(slot);
    test_unknown_codes(slot);
    test_version(slot);
    test_session_and_config(slot);
    test_states(slot);
    test_read(slot);
    test_list(slot);
    /* The other session saw none of it. */
    {
        WK_COUNTERS k = h_counters(&g_core, other);
        g_case = "isolation";
        CHECK_EQ(k.session.eventsProduced, 0);
        CHECK_EQ(k.session.flowsActive, 0);
        CHECK_EQ(k.global.flowsActive, 19);
    }
    test_garbage(slot);
    test_still_works(slot);
    wk_session_close(&g_core, other);
    test_sessions_limit();
    wk_session_close(&g_core, slot);
    CHECK_EQ(g_plat_lock_errors, 0);
    wk_core_free(&g_core);
    CHECK_EQ(g_plat_live_blocks, 0);
    return check_report();
}
