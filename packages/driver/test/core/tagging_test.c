/*
 * tagging_test.c - packet tagging in the core (src/core/tag.c): contexts, the ledger,
 * PACKET_TAGGED / PACKET_NOTIFY / PACKET_DISCARDED records, following clones and
 * duplicates, NULL NBLs, stale contexts, a full ledger, flows deleted and sessions closed
 * while packets are in flight, and the 5-tuple index of the IP packet layers.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "harness.h"
#include "tag.h"

static wk_core g_core;

#define TAG_SESSION_FLAGS                                                                    \
    (WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES |                     \
     WK_CONFIG_FLAGS_REPORT_DISCARDS)
#define TAG_LAYERS                                                                           \
    (WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_INBOUND_TRANSPORT_V4 |                \
     WK_TAG_LAYER_OUTBOUND_IPPACKET_V4)

static wk_status tag_config(uint32_t slot, uint32_t flags, uint32_t layers, uint32_t snap)
{
    WK_SESSION_CONFIG cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.structSize = sizeof cfg;
    cfg.flags = flags;
    cfg.inspectBudget = 1024;
    cfg.ringBytes = WK_MIN_RING_BYTES * 4;
    cfg.snapLen = snap;
    cfg.tagLayers = layers;
    return h_ioctl(&g_core, slot, IOCTL_WFPKIT_SET_CONFIG, &cfg, sizeof cfg, NULL, 0, NULL);
}

static wk_tag_packet out_transport(uint64_t handle)
{
    wk_tag_packet p;
    memset(&p, 0, sizeof p);
    p.flowHandle = handle;
    p.hasFlowHandle = 1;
    p.layerId = 16; /* FWPS_LAYER_OUTBOUND_TRANSPORT_V4 */
    p.direction = WK_DIRECTION_OUTBOUND;
    p.tagLayer = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4;
    return p;
}

/* Tags one packet (begin + end OK) with `len` bytes of payload text; returns its context. */
static uint64_t tag_one(const wk_tag_packet *p, const char *bytes)
{
    uint64_t ctx = 0;
    int check = 0;
    h_bytes b;
    if (wk_tag_begin(&g_core, p, &ctx, &check) != WK_TAG_ASSOCIATE) {
        return 0;
    }
    b.p = (const uint8_t *)bytes;
    b.n = strlen(bytes);
    wk_tag_end(&g_core, ctx, WK_TAG_END_OK, (uint32_t)b.n, h_copy, &b);
    return ctx;
}

/* Reads slot's records; returns the count, the read result in *res (records in g_outbuf). */
static uint32_t drain(uint32_t slot, WK_READ_RESULT *res)
{
    h_read(&g_core, slot, 0, res);
    return res->recordCount;
}

static const uint8_t *rec_at(uint32_t i, WK_RECORD_HEADER *h)
{
    return h_record((const uint8_t *)g_outbuf, sizeof(WK_READ_RESULT), i, h);
}

static WK_PACKET_NOTIFY_RECORD notify_at(uint32_t i)
{
    WK_RECORD_HEADER h;
    WK_PACKET_NOTIFY_RECORD r;
    memcpy(&r, rec_at(i, &h), sizeof r);
    return r;
}

static void test_context_encoding(void)
{
    uint64_t c = wk_tag_make_context(0, 0, 0);
    CHECK(c != 0);
    CHECK_EQ(wk_tag_context_entry(c), 1);
    c = wk_tag_make_context(WK_TAG_MAX_LEDGER - 1u, (1u << 22) - 1u, 0xABCDEF12u);
    CHECK_EQ(wk_tag_context_entry(c), WK_TAG_MAX_LEDGER);
    CHECK_EQ(wk_tag_context_flow(c), (1u << 22) - 1u);
    CHECK_EQ(wk_tag_context_seq(c), 0xABCDEF12u & 0xFFFFFu);
    CHECK(wk_tag_make_context(5, 7, 9) != wk_tag_make_context(6, 7, 9));
    CHECK(wk_tag_make_context(5, 7, 9) != wk_tag_make_context(5, 8, 9));
    CHECK(wk_tag_make_context(5, 7, 9) != wk_tag_make_context(5, 7, 10));
    CHECK_EQ(sizeof(wk_tag_entry), 40);
    CHECK_EQ(wk_tag_ledger_bytes(16384), 16384u * 40u);
}

static void test_tag_and_notify(uint32_t slot, uint64_t key)
{
    WK_READ_RESULT res;
    WK_RECORD_HEADER h;
    WK_PACKET_TAGGED_RECORD t;
    WK_PACKET_NOTIFY_RECORD n;
    WK_COUNTERS k;
    wk_tag_packet p = out_transport(100);
    uint64_t ctx, ctx2;
    const uint8_t *rec;

    (void)h_flow(&g_core, key, 100, 40000, "\\device\\x\\app.exe", NULL);
    drain(slot, &res); /* FLOW_ESTABLISHED */
    ctx = tag_one(&p, "0123456789abcdefXYZ");
    CHECK(ctx != 0);
    CHECK_EQ(wk_tag_context_seq(ctx), 0);
    CHECK_EQ(drain(slot, &res), 1);
    rec = rec_at(0, &h);
    CHECK_EQ(h.type, WK_EVENT_TYPE_PACKET_TAGGED);
    CHECK_EQ(h.flowId, 100);
    CHECK(h.flags & WK_RECORD_FLAGS_TRUNCATED);
    CHECK_EQ(h.size, WK_ALIGN_RECORD(sizeof t + 16));
    memcpy(&t, rec, sizeof t);
    CHECK_EQ(t.context, ctx);
    CHECK_EQ(t.packetLength, 19);
    CHECK_EQ(t.sequence, 0);
    CHECK_EQ(t.layerId, 16);
    CHECK_EQ(t.direction, WK_DIRECTION_OUTBOUND);
    CHECK_EQ(t.ipVersion, 4);
    CHECK_EQ(t.snapLength, 16);
    CHECK_BYTES(rec + sizeof t, 16, "0123456789abcdef");
    k = h_counters(&g_core, slot);
    CHECK_EQ(k.global.packetsTagged, 1);
    CHECK_EQ(k.global.tagsInFlight, 1);
    CHECK_EQ(k.global.ledgerCapacity, 4);
    CHECK_EQ(k.session.packetsTagged, 1);

    /* Sent: EXIT_NETIO, send complete, removed. */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_NDIS_SEND_COMPLETE, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
    CHECK_EQ(drain(slot, &res), 3);
    n = notify_at(0);
    CHECK_EQ(n.eventType, WK_NBL_EVENT_TYPE_EXIT_NETIO);
    CHECK_EQ(n.context, ctx);
    CHECK_EQ(n.newContext, 0);
    CHECK_EQ(n.layerId, 16);
    n = notify_at(2);
    CHECK_EQ(n.eventType, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED);
    rec_at(2, &h);
    CHECK_EQ(h.type, WK_EVENT_TYPE_PACKET_NOTIFY);
    CHECK_EQ(h.flowId, 100);
    k = h_counters(&g_core, slot);
    CHECK_EQ(k.global.tagsRetired, 1);
    CHECK_EQ(k.global.tagsInFlight, 0);
    CHECK_EQ(k.global.notifyEvents, 3);
    CHECK_EQ(k.session.notifyEvents, 3);

    /* A retired (stale) context finds nothing and writes nothing. */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), -1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, 0x123456789ull, 16, 0, 0, 0), -1);
    CHECK_EQ(wk_tag_discarded(&g_core, ctx, 17, 0, 0, 0), -1);
    CHECK_EQ(drain(slot, &res), 0);
    k = h_counters(&g_core, slot);
    CHECK_EQ(k.global.staleContexts, 3);

    /* The next packet of the flow has sequence 1; the ledger entry is reused with a new context. */
    ctx2 = tag_one(&p, "abc");
    CHECK(ctx2 != 0 && ctx2 != ctx);
    CHECK_EQ(wk_tag_context_seq(ctx2), 1);
    CHECK_EQ(wk_tag_context_entry(ctx2), wk_tag_context_entry(ctx));
    drain(slot, &res);
    memcpy(&t, rec_at(0, &h), sizeof t);
    CHECK_EQ(t.snapLength, 3);
    CHECK_EQ(h.flags & WK_RECORD_FLAGS_TRUNCATED, 0);
    /* Removed without leaving: dropped (counted on the flow, seen in FLOW_DELETED below). */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx2, 16,
                           WK_NOTIFY_FLAGS_NBL_NULL, 0, 0), 0);
    drain(slot, &res);
    n = notify_at(0);
    CHECK_EQ(n.notifyFlags, WK_NOTIFY_FLAGS_NBL_NULL);
}

static void test_clone_duplicate(uint32_t slot)
{
    WK_READ_RESULT res;
    WK_PACKET_NOTIFY_RECORD n;
    WK_COUNTERS k;
    wk_tag_packet p = out_transport(100);
    uint64_t ctx, dup;

    /* Clone: the context moves and keeps its value. */
    ctx = tag_one(&p, "clone me");
    drain(slot, &res);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CLONED_BY_NETIO, ctx, 16,
                           WK_NOTIFY_FLAGS_CONTEXT_MOVED, ctx, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
    CHECK_EQ(drain(slot, &res), 3);
    n = notify_at(0);
    CHECK_EQ(n.eventType, WK_NBL_EVENT_TYPE_CLONED_BY_NETIO);
    CHECK_EQ(n.notifyFlags, WK_NOTIFY_FLAGS_CONTEXT_MOVED);
    CHECK_EQ(n.newContext, ctx);

    /* A clone that could not be followed: the moved context is gone, the entry retires. */
    ctx = tag_one(&p, "lost clone");
    drain(slot, &res);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CLONED_BY_NETIO, ctx, 16,
                           WK_NOTIFY_FLAGS_FOLLOW_FAILED, 0, 1), 0);
    CHECK_EQ(drain(slot, &res), 1);
    n = notify_at(0);
    CHECK_EQ(n.notifyFlags, WK_NOTIFY_FLAGS_FOLLOW_FAILED);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), -1);

    /* Duplicate: a new entry and a new context, same flow and sequence. */
    ctx = tag_one(&p, "dup me");
    drain(slot, &res);
    dup = wk_tag_duplicate(&g_core, ctx);
    CHECK(dup != 0 && dup != ctx);
    CHECK_EQ(wk_tag_context_seq(dup), wk_tag_context_seq(ctx));
    CHECK_EQ(wk_tag_context_flow(dup), wk_tag_context_flow(ctx));
    CHECK_EQ(wk_tag_in_flight(&g_core), 2);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_DUPLICATED_BY_NETIO, ctx, 16,
                           WK_NOTIFY_FLAGS_CONTEXT_COPIED, dup, 0), 2);
    drain(slot, &res);
    n = notify_at(0);
    CHECK_EQ(n.notifyFlags, WK_NOTIFY_FLAGS_CONTEXT_COPIED);
    CHECK_EQ(n.newContext, dup);
    CHECK_EQ(n.context, ctx);
    /* Each retires on its own CONTEXT_REMOVED; the copy's removal without exit is no drop. */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, dup, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
    CHECK_EQ(drain(slot, &res), 3);
    n = notify_at(0);
    CHECK_EQ(n.context, dup);

    /* A duplicate whose association failed is forgotten without a record. */
    ctx = tag_one(&p, "x");
    dup = wk_tag_duplicate(&g_core, ctx);
    CHECK(dup != 0);
    wk_tag_forget(&g_core, dup);
    CHECK_EQ(wk_tag_in_flight(&g_core), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, dup, 16, 0, 0, 0), -1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
    drain(slot, &res);
    k = h_counters(&g_core, slot);
    CHECK_EQ(k.global.tagsInFlight, 0);
}

static void test_ledger_full_and_discards(uint32_t slot)
{
    WK_READ_RESULT res;
    WK_RECORD_HEADER h;
    WK_LOSS_RECORD loss;
    WK_PACKET_DISCARDED_RECORD d;
    WK_COUNTERS k;
    wk_tag_packet p = out_transport(100);
    uint64_t ctx[4], extra = 0, dup;
    int check = 0, i;

    for (i = 0; i < 4; i++) {
        ctx[i] = tag_one(&p, "fill");
        CHECK(ctx[i] != 0);
    }
    drain(slot, &res);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &extra, &check), WK_TAG_UNTAGGED);
    CHECK_EQ(extra, 0);
    CHECK_EQ(drain(slot, &res), 1);
    memcpy(&loss, rec_at(0, &h), sizeof loss);
    CHECK_EQ(h.type, WK_EVENT_TYPE_LOSS);
    CHECK_EQ(loss.reason, WK_LOSS_REASON_LEDGER_FULL);
    CHECK_EQ(loss.lost, 1);
    CHECK_EQ(loss.totalLost, 1);
    /* A duplicate cannot be followed either: untagged, counted. */
    dup = wk_tag_duplicate(&g_core, ctx[0]);
    CHECK_EQ(dup, 0);
    CHECK_EQ(drain(slot, &res), 1);
    memcpy(&loss, rec_at(0, &h), sizeof loss);
    CHECK_EQ(loss.totalLost, 2);
    k = h_counters(&g_core, slot);
    CHECK_EQ(k.global.packetsUntagged, 2);
    CHECK_EQ(k.session.packetsUntagged, 2);
    CHECK_EQ(k.global.tagsInFlight, 4);

    /* Discard layer: PACKET_DISCARDED with the metadata, drop counted once. */
    CHECK_EQ(wk_tag_discarded(&g_core, ctx[0], 17, 2u, 5, 777), 0);
    CHECK_EQ(drain(slot, &res), 1);
    memcpy(&d, rec_at(0, &h), sizeof d);
    CHECK_EQ(h.type, WK_EVENT_TYPE_PACKET_DISCARDED);
    CHECK_EQ(h.size, sizeof d);
    CHECK_EQ(d.context, ctx[0]);
    CHECK_EQ(d.discardModule, 2u);
    CHECK_EQ(d.discardReason, 5);
    CHECK_EQ(d.filterId, 777);
    CHECK_EQ(d.layerId, 17);
    CHECK_EQ(d.direction, WK_DIRECTION_OUTBOUND);
    for (i = 0; i < 4; i++) {
        if (i == 1) {
            CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx[i], 16, 0, 0, 0), 4 - i);
        }
        CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx[i], 16, 0, 0, 0), 3 - i);
    }
    drain(slot, &res);
    /* Room again. */
    ctx[0] = tag_one(&p, "room");
    CHECK(ctx[0] != 0);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx[0], 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx[0], 16, 0, 0, 0), 0);
    drain(slot, &res);
}

static void test_layers_tuples_filters(uint32_t slot, uint64_t key, uint32_t slot2, uint64_t key2)
{
    WK_READ_RESULT res;
    wk_tag_packet p;
    wk_flow_params fp = h_params(100, 40000, "x");
    uint64_t ctx = 0;
    int check = 0;

    /* IP packet layer: no flow handle, found by 5-tuple. */
    memset(&p, 0, sizeof p);
    p.tuple = fp.endpoints;
    p.tuple.direction = WK_DIRECTION_INBOUND; /* not part of the key */
    p.layerId = 4; /* FWPS_LAYER_OUTBOUND_IPPACKET_V4 */
    p.direction = WK_DIRECTION_OUTBOUND;
    p.tagLayer = WK_TAG_LAYER_OUTBOUND_IPPACKET_V4;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_ASSOCIATE);
    CHECK(ctx != 0);
    CHECK_EQ(check, 1); /* the session tags at OUTBOUND_TRANSPORT too */
    wk_tag_end(&g_core, ctx, WK_TAG_END_ALREADY, 60, NULL, NULL);
    CHECK_EQ(wk_tag_in_flight(&g_core), 0);
    CHECK_EQ(drain(slot, &res), 0);
    p.tuple.remotePort = 444;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_SKIP);
    p.tuple.remotePort = 443;
    p.tuple.remoteAddress[3] = 9;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_SKIP);
    p.tuple.remoteAddress[3] = 0;
    /* A layer the session does not tag at. */
    p.layerId = 0;
    p.direction = WK_DIRECTION_INBOUND;
    p.tagLayer = WK_TAG_LAYER_INBOUND_IPPACKET_V4;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_SKIP);
    /* Unknown flow handle. */
    p = out_transport(999);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_SKIP);
    /* Associate failed: freed, counted. */
    p = out_transport(100);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_ASSOCIATE);
    CHECK_EQ(check, 1); /* it tags at OUTBOUND_IPPACKET too */
    wk_tag_end(&g_core, ctx, WK_TAG_END_FAILED, 10, NULL, NULL);
    CHECK_EQ(wk_tag_in_flight(&g_core), 0);
    CHECK_EQ(h_counters(&g_core, slot).global.contextFailures, 1);
    CHECK_EQ(drain(slot, &res), 0);

    /* Second session on the same flow: one call per filter, only the lowest slot's acts;
     * the records go to both. */
    CHECK_EQ(tag_config(slot2, TAG_SESSION_FLAGS, WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4, 0), WK_STATUS_SUCCESS);
    CHECK_EQ(h_start(&g_core, slot2), WK_STATUS_SUCCESS);
    (void)h_flow(&g_core, key2, 100, 40000, "x", NULL); /* joins */
    drain(slot2, &res);
    p.filterContext = slot < slot2 ? key2 : key;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_SKIP);
    p.filterContext = slot < slot2 ? key : key2;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &check), WK_TAG_ASSOCIATE);
    wk_tag_end(&g_core, ctx, WK_TAG_END_OK, 5, NULL, NULL);
    CHECK_EQ(drain(slot, &res), 1);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_PACKET_TAGGED), 1);
    CHECK_EQ(drain(slot2, &res), 1);
    CHECK_EQ(h_count_type(&res, WK_EVENT_TYPE_PACKET_TAGGED), 1);
    /* slot2 has no CAPTURE_PACKET_BYTES snap (snapLen 0): no bytes. */
    {
        WK_RECORD_HEADER h;
        WK_PACKET_TAGGED_RECORD t;
        memcpy(&t, rec_at(0, &h), sizeof t);
        CHECK_EQ(t.snapLength, 0);
        CHECK_EQ(h.size, sizeof t);
    }
    /* Discards go only to sessions with REPORT_DISCARDS: both here. Then the second session
     * closes with the packet in flight: later events reach only the first. */
    wk_session_close(&g_core, slot2);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(drain(slot, &res), 1);
    {
        uint32_t reopened;
        CHECK_EQ(wk_session_open(&g_core, &reopened), WK_STATUS_SUCCESS);
        CHECK_EQ(reopened, slot2);
        CHECK_EQ(tag_config(reopened, TAG_SESSION_FLAGS, WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4, 0), WK_STATUS_SUCCESS);
        CHECK_EQ(h_start(&g_core, reopened), WK_STATUS_SUCCESS);
        CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
        CHECK_EQ(drain(reopened, &res), 0); /* not the old session's packet */
        CHECK_EQ(drain(slot, &res), 1);
        wk_session_close(&g_core, reopened);
    }
}

static void test_flow_deleted_in_flight(uint32_t slot, uint64_t key)
{
    WK_READ_RESULT res;
    WK_RECORD_HEADER h;
    WK_FLOW_DELETED_RECORD del;
    wk_tag_packet p = out_transport(100);
    uint64_t fctx = h_flow(&g_core, key, 100, 40000, "x", NULL);
    uint64_t ctx = tag_one(&p, "late");
    uint32_t i;
    int found = 0;
    CHECK(ctx != 0);
    drain(slot, &res);
    CHECK(wk_flow_delete(&g_core, fctx, 20) >= 0);
    drain(slot, &res);
    for (i = 0; i < res.recordCount; i++) {
        const uint8_t *r = rec_at(i, &h);
        if (h.type == WK_EVENT_TYPE_FLOW_DELETED) {
            memcpy(&del, r, sizeof del);
            found = 1;
        }
    }
    CHECK(found);
    /* tagged so far on flow 100: 2 (notify test) + 4 (clone, lost clone, dup, x) + 5 (ledger
     * test) + 1 (second session) + 1 (this one); dropped: removed without exit in the notify
     * test (1), the discarded one (1), the two ledger packets removed without exit (2). The
     * lost clone and the duplicate are not drops. */
    CHECK_EQ(del.packetsTagged, 13);
    CHECK_EQ(del.packetsDropped, 4);
    /* The packet outlives its flow: its notify still reaches the session, nothing else breaks. */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
    CHECK_EQ(drain(slot, &res), 1);
    rec_at(0, &h);
    CHECK_EQ(h.type, WK_EVENT_TYPE_PACKET_NOTIFY);
    CHECK_EQ(h.flowId, 100);
    /* A new flow in the same table slot does not get the old packet's counts. */
    fctx = h_flow(&g_core, key, 101, 40001, "x", NULL);
    p = out_transport(101);
    ctx = tag_one(&p, "new");
    CHECK_EQ(wk_tag_context_seq(ctx), 0);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0), 1);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0), 0);
    /* Unloading: nothing new is tagged. */
    wk_core_begin_unload(&g_core);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &ctx, &found), WK_TAG_SKIP);
    CHECK(wk_flow_delete(&g_core, fctx, 20) >= 0);
    drain(slot, &res);
}

/* A packet tagged at the other layer of its direction already gives its sequence number
 * back: a flow's tagged packets stay numbered 0, 1, 2... */
static void test_sequence_given_back(uint32_t slot, uint64_t key)
{
    WK_READ_RESULT res;
    wk_tag_packet p = out_transport(300);
    uint64_t c1, c2, c3;
    int check = 0;
    g_core.unloading = 0; /* test_flow_deleted_in_flight ended with an unload begun: undo it */
    (void)h_flow(&g_core, key, 300, 40300, "\\device\\x\\app.exe", NULL);
    drain(slot, &res);
    c1 = tag_one(&p, "a");
    CHECK_EQ(wk_tag_context_seq(c1), 0);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &c2, &check), WK_TAG_ASSOCIATE);
    CHECK_EQ(wk_tag_context_seq(c2), 1);
    wk_tag_end(&g_core, c2, WK_TAG_END_ALREADY, 0, NULL, NULL);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &c2, &check), WK_TAG_ASSOCIATE);
    CHECK_EQ(wk_tag_context_seq(c2), 1); /* given back */
    wk_tag_end(&g_core, c2, WK_TAG_END_FAILED, 0, NULL, NULL);
    c2 = tag_one(&p, "b");
    CHECK_EQ(wk_tag_context_seq(c2), 1);
    /* Another packet of the flow reserved meanwhile: the number is not given back (a gap). */
    CHECK_EQ(wk_tag_begin(&g_core, &p, &c3, &check), WK_TAG_ASSOCIATE);
    CHECK_EQ(wk_tag_begin(&g_core, &p, &c1, &check), WK_TAG_ASSOCIATE);
    CHECK_EQ(wk_tag_context_seq(c1), 3);
    wk_tag_end(&g_core, c3, WK_TAG_END_ALREADY, 0, NULL, NULL);
    wk_tag_end(&g_core, c1, WK_TAG_END_ALREADY, 0, NULL, NULL);
    c3 = tag_one(&p, "c");
    CHECK_EQ(wk_tag_context_seq(c3), 3);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, c2, 16, 0, 0, 0), 2);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, c3, 16, 0, 0, 0), 1);
    drain(slot, &res);
}

/* Unload whose bounded wait expired with packets still in flight: the core is stranded
 * (kept), and exactly one caller learns when the last entry retired, whichever way it left
 * (notify, a classify's end, a forgotten duplicate). */
static void test_strand(uint32_t slot)
{
    WK_READ_RESULT res;
    wk_tag_packet p = out_transport(300);
    uint64_t a, old = 0, pending, dup, none;
    int check = 0;
    uint32_t i;
    drain(slot, &res);
    /* In flight: the first packet tagged by test_sequence_given_back (never removed). */
    CHECK_EQ(wk_tag_in_flight(&g_core), 1);
    for (i = 0; i < g_core.ledgerCapacity; i++) {
        if (g_core.ledger[i].context != 0) {
            old = g_core.ledger[i].context;
        }
    }
    CHECK(old != 0);
    CHECK_EQ(wk_tag_release_due(&g_core), 0); /* not stranded */
    a = tag_one(&p, "a");
    CHECK_EQ(wk_tag_begin(&g_core, &p, &pending, &check), WK_TAG_ASSOCIATE);
    dup = wk_tag_duplicate(&g_core, a);
    CHECK(a != 0 && dup != 0);
    wk_core_begin_unload(&g_core);
    CHECK_EQ(wk_tag_in_flight(&g_core), 4);
    CHECK_EQ(wk_tag_strand(&g_core), 1);
    CHECK_EQ(g_core.tagsStranded, 1);
    CHECK_EQ(wk_tag_release_due(&g_core), 0);
    /* Unloading: nothing new is tagged. */
    CHECK_EQ(wk_tag_begin(&g_core, &p, &none, &check), WK_TAG_SKIP);
    /* The late removals (CONTEXT_REMOVED with a NULL NBL) retire the entries one by one. */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, a, 16, WK_NOTIFY_FLAGS_NBL_NULL, 0, 0), 3);
    CHECK_EQ(wk_tag_release_due(&g_core), 0);
    wk_tag_forget(&g_core, dup);
    CHECK_EQ(wk_tag_release_due(&g_core), 0);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, old, 16, WK_NOTIFY_FLAGS_NBL_NULL, 0, 0), 1);
    CHECK_EQ(wk_tag_release_due(&g_core), 0);
    /* A classify that reserved before the unload began ends after it: still in flight. */
    wk_tag_end(&g_core, pending, WK_TAG_END_OK, 10, NULL, NULL);
    CHECK_EQ(wk_tag_in_flight(&g_core), 1);
    CHECK_EQ(wk_tag_release_due(&g_core), 0);
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, pending, 16, WK_NOTIFY_FLAGS_NBL_NULL, 0, 0), 0);
    CHECK_EQ(wk_tag_release_due(&g_core), 1);
    CHECK_EQ(wk_tag_release_due(&g_core), 0); /* exactly once */
    CHECK_EQ(g_core.tagsStranded, 2);
    /* Nothing left to notify: a late call finds nothing. */
    CHECK_EQ(wk_tag_notify(&g_core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, pending, 16, 0, 0, 0), -1);
    /* A ledger empty at unload is not stranded. */
    g_core.tagsStranded = 0;
    CHECK_EQ(wk_tag_strand(&g_core), 0);
    CHECK_EQ(wk_tag_release_due(&g_core), 0);
    /* The last entry leaving through a classify's end (association failed) releases too. */
    g_core.unloading = 0;
    CHECK_EQ(wk_tag_begin(&g_core, &p, &pending, &check), WK_TAG_ASSOCIATE);
    g_core.unloading = 1;
    CHECK_EQ(wk_tag_strand(&g_core), 1);
    wk_tag_end(&g_core, pending, WK_TAG_END_FAILED, 0, NULL, NULL);
    CHECK_EQ(wk_tag_release_due(&g_core), 1);
    drain(slot, &res);
}

int main(void)
{
    wk_core_config cfg;
    uint32_t slot, slot2;
    uint64_t key, key2;
    memset(&cfg, 0, sizeof cfg);
    cfg.flowCapacity = 64;
    cfg.ledgerCapacity = 4;
    cfg.features = WK_FEATURE_FLAGS_IPPACKET_LAYERS;
    test_context_encoding();
    CHECK_EQ(wk_core_init(&g_core, &cfg), 0);
    CHECK_EQ(wk_session_open(&g_core, &slot), WK_STATUS_SUCCESS);
    CHECK_EQ(wk_session_open(&g_core, &slot2), WK_STATUS_SUCCESS);
    key = h_session(&g_core, slot).scopeKey;
    key2 = h_session(&g_core, slot2).scopeKey;
    CHECK_EQ(tag_config(slot, TAG_SESSION_FLAGS, TAG_LAYERS, 16), WK_STATUS_SUCCESS);
    CHECK_EQ(h_start(&g_core, slot), WK_STATUS_SUCCESS);
    test_tag_and_notify(slot, key);
    test_clone_duplicate(slot);
    test_ledger_full_and_discards(slot);
    test_layers_tuples_filters(slot, key, slot2, key2);
    test_flow_deleted_in_flight(slot, key);
    test_sequence_given_back(slot, key);
    test_strand(slot);
    wk_session_close(&g_core, slot);
    wk_core_free(&g_core);
    (void)h_stream;
    (void)h_invariant;
    (void)h_config;
    (void)rng_seed;
    (void)rng_range;
    return check_report();
}
