/*
 * tag.c - packet tagging: the ledger, contexts and packet records (see tag.h).
 */
#include "tag.h"

#include <string.h>

#include "core.h"
#include "event.h"

#define WK_TAG_IDX_MASK 0x3FFFFFull  /* 22 bits */
#define WK_TAG_SEQ_MASK 0xFFFFFull   /* 20 bits */

/* The transport and IP packet layer bits of each direction. */
#define WK_TAG_OUT_TRANSPORT (WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6)
#define WK_TAG_IN_TRANSPORT (WK_TAG_LAYER_INBOUND_TRANSPORT_V4 | WK_TAG_LAYER_INBOUND_TRANSPORT_V6)
#define WK_TAG_OUT_IPPACKET (WK_TAG_LAYER_OUTBOUND_IPPACKET_V4 | WK_TAG_LAYER_OUTBOUND_IPPACKET_V6)
#define WK_TAG_IN_IPPACKET (WK_TAG_LAYER_INBOUND_IPPACKET_V4 | WK_TAG_LAYER_INBOUND_IPPACKET_V6)

uint64_t wk_tag_make_context(uint32_t ledgerIndex, uint32_t flowIndex, uint32_t sequence)
{
    return ((uint64_t)(ledgerIndex + 1u) & WK_TAG_IDX_MASK) |
           (((uint64_t)flowIndex & WK_TAG_IDX_MASK) << 22) |
           (((uint64_t)sequence & WK_TAG_SEQ_MASK) << 44);
}

uint32_t wk_tag_context_entry(uint64_t ctx)
{
    return (uint32_t)(ctx & WK_TAG_IDX_MASK);
}

uint32_t wk_tag_context_flow(uint64_t ctx)
{
    return (uint32_t)((ctx >> 22) & WK_TAG_IDX_MASK);
}

uint32_t wk_tag_context_seq(uint64_t ctx)
{
    return (uint32_t)((ctx >> 44) & WK_TAG_SEQ_MASK);
}

size_t wk_tag_ledger_bytes(uint32_t entries)
{
    return (size_t)entries * sizeof(wk_tag_entry);
}

/* The in-flight entry ctx names, or NULL. Flow lock held. */
static wk_tag_entry *wk_tag_lookup(wk_core *core, uint64_t ctx)
{
    uint32_t e = wk_tag_context_entry(ctx);
    wk_tag_entry *t;
    if (ctx == 0 || e == 0 || e > core->ledgerCapacity) {
        return NULL;
    }
    t = &core->ledger[e - 1u];
    return t->context == ctx ? t : NULL;
}

/* The flow of an entry if it is still the flow the packet was tagged for. Flow lock held. */
static wk_flow *wk_tag_flow_of(wk_core *core, const wk_tag_entry *t)
{
    uint32_t fi = wk_tag_context_flow(t->context);
    wk_flow *f;
    if (fi >= core->flowCapacity) {
        return NULL;
    }
    f = &core->flows[fi];
    return (f->state != WK_FLOW_FREE && f->generation == t->flowGen) ? f : NULL;
}

static wk_tag_entry *wk_tag_alloc(wk_core *core, uint32_t *index)
{
    wk_tag_entry *t;
    if (core->ledgerFree == 0) {
        return NULL;
    }
    *index = core->ledgerFree - 1u;
    t = &core->ledger[*index];
    core->ledgerFree = t->nextFree;
    t->nextFree = 0;
    core->tagsInFlight++;
    return t;
}

static void wk_tag_free(wk_core *core, wk_tag_entry *t)
{
    uint32_t next = core->ledgerFree;
    memset(t, 0, sizeof *t);
    t->nextFree = next;
    core->ledgerFree = (uint32_t)(t - core->ledger) + 1u;
    core->tagsInFlight--;
}

/* ---- records ------------------------------------------------------------------------ */

static uint16_t wk_tag_ip_flag(const wk_tag_entry *t)
{
    return (t->flags & WK_TAG_F_IPV6) != 0 ? (uint16_t)WK_RECORD_FLAGS_IPV6 : (uint16_t)0;
}

/* LOSS(LEDGER_FULL) to each session in mask, after its packetsUntagged was counted. */
static void wk_tag_loss(wk_core *core, uint64_t mask, uint64_t now, uint64_t *wake)
{
    uint32_t i;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql irql;
        if ((mask & 1u) == 0) {
            continue;
        }
        irql = wk_plat_spin_acquire(&s->lock);
        s->packetsUntagged++;
        wk_event_loss_locked(s, i, (uint16_t)WK_LOSS_REASON_LEDGER_FULL, s->packetsUntagged, now, wake);
        wk_plat_spin_release(&s->lock, irql);
    }
}

/* ---- classify ----------------------------------------------------------------------- */

/* Sessions of mask that tag at layer bit `layer`, and the union of their tagLayers. */
static uint64_t wk_tag_wanting(const wk_core *core, uint64_t mask, uint32_t layer,
                               uint32_t *layersUnion)
{
    uint64_t want = 0;
    uint32_t i;
    *layersUnion = 0;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        const wk_session *s = &core->sessions[i];
        if ((mask & 1u) != 0 && s->inUse && s->state == WK_SESSION_STATE_RUNNING &&
            (s->config.flags & WK_CONFIG_FLAGS_TAG_PACKETS) != 0 &&
            (s->config.tagLayers & layer) != 0) {
            want |= (uint64_t)1u << i;
            *layersUnion |= s->config.tagLayers;
        }
    }
    return want;
}

static uint32_t wk_tag_lowest(uint64_t mask)
{
    uint32_t i = 0;
    while (i < 64u && (mask & ((uint64_t)1u << i)) == 0) {
        i++;
    }
    return i;
}

wk_tag_result wk_tag_begin(wk_core *core, const wk_tag_packet *pkt, uint64_t *ctx,
                           int *checkExisting)
{
    uint64_t wake = 0;
    uint64_t now;
    wk_plat_irql irql;
    wk_flow *f;
    wk_tag_entry *t;
    uint64_t want;
    uint32_t layers, index, other;
    wk_tag_result result;

    *ctx = 0;
    *checkExisting = 0;
    if (core->ledger == NULL) {
        return WK_TAG_SKIP;
    }
    irql = wk_plat_spin_acquire(&core->lock);
    core->classifyCalls++;
    if (core->unloading) {
        wk_plat_spin_release(&core->lock, irql);
        return WK_TAG_SKIP;
    }
    f = pkt->hasFlowHandle ? wk_flow_find_handle_locked(core, pkt->flowHandle)
                           : wk_flow_find_tuple_locked(core, &pkt->tuple);
    if (f == NULL || f->state != WK_FLOW_LIVE || f->sessions == 0) {
        wk_plat_spin_release(&core->lock, irql);
        return WK_TAG_SKIP;
    }
    want = wk_tag_wanting(core, f->sessions, pkt->tagLayer, &layers);
    if (want == 0) {
        wk_plat_spin_release(&core->lock, irql);
        return WK_TAG_SKIP;
    }
    if (pkt->filterContext != 0) {
        /* One call per matching filter: act on the lowest wanting session's filter only. */
        int slot = wk_session_for_scope(core, pkt->filterContext);
        if (slot < 0 || (uint32_t)slot != wk_tag_lowest(want)) {
            wk_plat_spin_release(&core->lock, irql);
            return WK_TAG_SKIP;
        }
    }
    now = wk_plat_now();
    t = wk_tag_alloc(core, &index);
    if (t == NULL) {
        core->packetsUntagged++;
        wk_tag_loss(core, want, now, &wake);
        result = WK_TAG_UNTAGGED;
    } else {
        t->sessions = want;
        t->flowId = f->flowHandle;
        t->flowGen = f->generation;
        t->sequence = f->tagSeq++;
        t->layerId = pkt->layerId;
        t->direction = pkt->direction;
        t->flags = (uint8_t)(WK_TAG_F_PENDING |
                             ((f->flags & WK_FLOW_F_IPV6) != 0 ? WK_TAG_F_IPV6 : 0u));
        t->context = wk_tag_make_context(index, (uint32_t)(f - core->flows), t->sequence);
        *ctx = t->context;
        if ((pkt->tagLayer & (WK_TAG_OUT_TRANSPORT | WK_TAG_IN_TRANSPORT)) != 0) {
            other = pkt->direction == WK_DIRECTION_OUTBOUND ? WK_TAG_OUT_IPPACKET : WK_TAG_IN_IPPACKET;
        } else {
            other = pkt->direction == WK_DIRECTION_OUTBOUND ? WK_TAG_OUT_TRANSPORT : WK_TAG_IN_TRANSPORT;
        }
        *checkExisting = (layers & other) != 0;
        result = WK_TAG_ASSOCIATE;
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return result;
}

void wk_tag_end(wk_core *core, uint64_t ctx, wk_tag_end_how how, uint32_t packetLength,
                wk_tag_copy_fn copy, void *copyArg)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_tag_entry *t = wk_tag_lookup(core, ctx);
    WK_PACKET_TAGGED_RECORD r;
    uint32_t snapMax = 0, copied = 0, i;
    uint64_t mask;
    wk_flow *f;

    if (t == NULL || (t->flags & WK_TAG_F_PENDING) == 0) {
        /* Retired meanwhile (an unload removal raced the classify), or never ours. */
        wk_plat_spin_release(&core->lock, irql);
        return;
    }
    if (how != WK_TAG_END_OK) {
        if (how == WK_TAG_END_FAILED) {
            core->contextFailures++;
        }
        /* The sequence number reserved for this packet is given back when no later packet of
         * the flow took one meanwhile (the usual case: the packet was tagged at the other layer
         * of its direction already), so a flow's tagged packets are numbered 0, 1, 2... A
         * packet of the same flow reserving on another CPU in between leaves a gap instead. */
        f = wk_tag_flow_of(core, t);
        if (f != NULL && f->tagSeq == t->sequence + 1u) {
            f->tagSeq--;
        }
        wk_tag_free(core, t);
        wk_plat_spin_release(&core->lock, irql);
        return;
    }
    t->flags = (uint8_t)(t->flags & ~WK_TAG_F_PENDING);
    core->packetsTagged++;
    f = wk_tag_flow_of(core, t);
    if (f != NULL) {
        f->packetsTagged++;
    }
    for (mask = t->sessions, i = 0; mask != 0; i++, mask >>= 1) {
        const wk_session *s = &core->sessions[i];
        if ((mask & 1u) != 0 && (s->config.flags & WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES) != 0 &&
            s->config.snapLen > snapMax) {
            snapMax = s->config.snapLen;
        }
    }
    if (snapMax > WK_PACKET_TAGGED_SNAP_MAX) {
        snapMax = WK_PACKET_TAGGED_SNAP_MAX;
    }
    if (snapMax > core->copyBytes) {
        snapMax = core->copyBytes;
    }
    if (snapMax > packetLength) {
        snapMax = packetLength;
    }
    if (snapMax != 0 && copy != NULL) {
        size_t got = copy(copyArg, core->copyBuf, snapMax);
        copied = got < snapMax ? (uint32_t)got : snapMax;
    }
    memset(&r, 0, sizeof r);
    r.context = t->context;
    r.packetLength = packetLength;
    r.sequence = t->sequence;
    r.layerId = t->layerId;
    r.direction = t->direction;
    r.ipVersion = (t->flags & WK_TAG_F_IPV6) != 0 ? 6u : 4u;
    for (mask = t->sessions, i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql sirql;
        uint8_t *rec;
        uint32_t n = 0, size;
        uint16_t flags = wk_tag_ip_flag(t);
        if ((mask & 1u) == 0) {
            continue;
        }
        if ((s->config.flags & WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES) != 0) {
            n = s->config.snapLen < copied ? s->config.snapLen : copied;
            if (n < packetLength) {
                flags = (uint16_t)(flags | WK_RECORD_FLAGS_TRUNCATED); /* snap shorter than the packet */
            }
        }
        size = WK_ALIGN_RECORD((uint32_t)sizeof r + n);
        r.snapLength = (uint16_t)n;
        sirql = wk_plat_spin_acquire(&s->lock);
        s->packetsTagged++;
        rec = wk_event_begin(s, size, now);
        if (rec != NULL) {
            memcpy(rec, &r, sizeof r);
            wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_PACKET_TAGGED, flags, size, now, t->flowId);
            if (n != 0) {
                memcpy(rec + sizeof r, core->copyBuf, n);
            }
            memset(rec + sizeof r + n, 0, size - (uint32_t)sizeof r - n);
        }
        wk_event_end(s, i, rec, &wake);
        wk_plat_spin_release(&s->lock, sirql);
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
}

/* ---- notify ------------------------------------------------------------------------- */

uint64_t wk_tag_duplicate(wk_core *core, uint64_t ctx)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_tag_entry *t = wk_tag_lookup(core, ctx);
    wk_tag_entry *d;
    uint32_t index;
    uint64_t out = 0;
    if (t == NULL) {
        core->staleContexts++;
    } else if ((d = wk_tag_alloc(core, &index)) == NULL) {
        core->packetsUntagged++;
        wk_tag_loss(core, t->sessions, now, &wake);
    } else {
        uint32_t next = d->nextFree;
        *d = *t;
        d->nextFree = next;
        d->flags = (uint8_t)((t->flags & WK_TAG_F_IPV6) | WK_TAG_F_COPY);
        d->context = wk_tag_make_context(index, wk_tag_context_flow(t->context), t->sequence);
        out = d->context;
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return out;
}

void wk_tag_forget(wk_core *core, uint64_t ctx)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_tag_entry *t = wk_tag_lookup(core, ctx);
    if (t != NULL) {
        wk_tag_free(core, t);
    }
    wk_plat_spin_release(&core->lock, irql);
}

/* The entry leaves the ledger: an outbound original never seen leaving was dropped. */
static void wk_tag_retire(wk_core *core, wk_tag_entry *t)
{
    if (t->direction == WK_DIRECTION_OUTBOUND &&
        (t->flags & (WK_TAG_F_EXITED | WK_TAG_F_SENT | WK_TAG_F_DROPPED | WK_TAG_F_COPY |
                     WK_TAG_F_PENDING)) == 0) {
        wk_flow *f = wk_tag_flow_of(core, t);
        if (f != NULL) {
            f->packetsDropped++;
        }
    }
    core->tagsRetired++;
    wk_tag_free(core, t);
}

int wk_tag_notify(wk_core *core, uint16_t eventType, uint64_t ctx, uint16_t layerId,
                  uint16_t notifyFlags, uint64_t newContext, int retire)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_tag_entry *t = wk_tag_lookup(core, ctx);
    WK_PACKET_NOTIFY_RECORD r;
    const uint32_t size = (uint32_t)sizeof r;
    uint64_t mask;
    uint32_t i;
    int left;

    if (t == NULL) {
        core->staleContexts++;
        wk_plat_spin_release(&core->lock, irql);
        return -1;
    }
    core->notifyEvents++;
    memset(&r, 0, sizeof r);
    r.context = ctx;
    r.newContext = newContext;
    r.eventType = eventType;
    r.layerId = layerId;
    r.notifyFlags = notifyFlags;
    for (mask = t->sessions, i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql sirql;
        uint8_t *rec;
        if ((mask & 1u) == 0) {
            continue;
        }
        sirql = wk_plat_spin_acquire(&s->lock);
        s->notifyEvents++;
        rec = wk_event_begin(s, size, now);
        if (rec != NULL) {
            memcpy(rec, &r, sizeof r);
            wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_PACKET_NOTIFY, wk_tag_ip_flag(t), size, now,
                          t->flowId);
        }
        wk_event_end(s, i, rec, &wake);
        wk_plat_spin_release(&s->lock, sirql);
    }
    switch (eventType) {
    case WK_NBL_EVENT_TYPE_EXIT_NETIO:
        t->flags |= WK_TAG_F_EXITED;
        break;
    case WK_NBL_EVENT_TYPE_NDIS_SEND_COMPLETE:
    case WK_NBL_EVENT_TYPE_NDIS_NATIVE_SEND_COMPLETE:
    case WK_NBL_EVENT_TYPE_NDIS_VSWITCH_EGRESS_COMPLETE:
        t->flags |= WK_TAG_F_SENT;
        break;
    default:
        break;
    }
    if (eventType == WK_NBL_EVENT_TYPE_CONTEXT_REMOVED || retire) {
        t->flags = (uint8_t)(t->flags & ~WK_TAG_F_PENDING);
        if (eventType != WK_NBL_EVENT_TYPE_CONTEXT_REMOVED) {
            /* A clone we could not follow: its fate is unknown, not a drop. */
            t->flags |= WK_TAG_F_COPY;
        }
        wk_tag_retire(core, t);
    }
    left = (int)core->tagsInFlight;
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return left;
}

int wk_tag_discarded(wk_core *core, uint64_t ctx, uint16_t layerId, uint32_t module,
                     uint32_t reason, uint64_t filterId)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_tag_entry *t = wk_tag_lookup(core, ctx);
    WK_PACKET_DISCARDED_RECORD r;
    const uint32_t size = (uint32_t)sizeof r;
    uint64_t mask;
    uint32_t i;

    if (t == NULL) {
        core->staleContexts++;
        wk_plat_spin_release(&core->lock, irql);
        return -1;
    }
    if ((t->flags & (WK_TAG_F_DROPPED | WK_TAG_F_COPY)) == 0) {
        wk_flow *f = wk_tag_flow_of(core, t);
        if (f != NULL) {
            f->packetsDropped++;
        }
    }
    t->flags |= WK_TAG_F_DROPPED;
    memset(&r, 0, sizeof r);
    r.context = ctx;
    r.discardModule = module;
    r.discardReason = reason;
    r.filterId = filterId;
    r.layerId = layerId;
    r.direction = t->direction;
    for (mask = t->sessions, i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql sirql;
        uint8_t *rec;
        if ((mask & 1u) == 0 || (s->config.flags & WK_CONFIG_FLAGS_REPORT_DISCARDS) == 0) {
            continue;
        }
        sirql = wk_plat_spin_acquire(&s->lock);
        rec = wk_event_begin(s, size, now);
        if (rec != NULL) {
            memcpy(rec, &r, sizeof r);
            wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_PACKET_DISCARDED, wk_tag_ip_flag(t), size, now,
                          t->flowId);
        }
        wk_event_end(s, i, rec, &wake);
        wk_plat_spin_release(&s->lock, sirql);
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return 0;
}

int wk_tag_strand(wk_core *core)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    int stranded = core->tagsInFlight != 0;
    if (stranded) {
        core->tagsStranded = 1;
    }
    wk_plat_spin_release(&core->lock, irql);
    return stranded;
}

int wk_tag_release_due(wk_core *core)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    int due = core->tagsStranded == 1 && core->tagsInFlight == 0;
    if (due) {
        core->tagsStranded = 2;
    }
    wk_plat_spin_release(&core->lock, irql);
    return due;
}

uint32_t wk_tag_in_flight(wk_core *core)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    uint32_t n = core->tagsInFlight;
    wk_plat_spin_release(&core->lock, irql);
    return n;
}

void wk_tag_drop_session_locked(wk_core *core, uint32_t slot)
{
    uint64_t bit = (uint64_t)1u << slot;
    uint32_t i;
    if (core->tagsInFlight == 0) {
        return;
    }
    for (i = 0; i < core->ledgerCapacity; i++) {
        core->ledger[i].sessions &= ~bit; /* a later session in this slot is someone else */
    }
}
