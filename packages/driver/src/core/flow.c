/*
 * flow.c - the flow table and the inspector pool (see flow.h).
 */
#include "flow.h"

#include <string.h>

#include "core.h"
#include "event.h"

/* 64-bit multiplicative hash of a flow handle, folded to 32 bits. */
static uint32_t wk_flow_hash(uint64_t handle)
{
    uint64_t x = handle * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

/* FNV-1a over the 5-tuple (not the direction: a flow's packets go both ways). */
static uint32_t wk_flow_tuple_hash(const WK_FLOW_ENDPOINTS *ep)
{
    uint32_t h = 2166136261u;
    size_t i;
    uint8_t k[4];
    k[0] = ep->ipVersion;
    k[1] = ep->ipProtocol;
    k[2] = 0;
    k[3] = 0;
    for (i = 0; i < 4; i++) {
        h = (h ^ k[i]) * 16777619u;
    }
    h = (h ^ (uint32_t)ep->localPort) * 16777619u;
    h = (h ^ (uint32_t)ep->remotePort) * 16777619u;
    for (i = 0; i < 16; i++) {
        h = (h ^ ep->localAddress[i]) * 16777619u;
        h = (h ^ ep->remoteAddress[i]) * 16777619u;
    }
    return h;
}

static int wk_flow_tuple_equal(const WK_FLOW_ENDPOINTS *a, const WK_FLOW_ENDPOINTS *b)
{
    return a->ipVersion == b->ipVersion && a->ipProtocol == b->ipProtocol &&
           a->localPort == b->localPort && a->remotePort == b->remotePort &&
           memcmp(a->localAddress, b->localAddress, 16) == 0 &&
           memcmp(a->remoteAddress, b->remoteAddress, 16) == 0;
}

static uint64_t wk_flow_ctx(const wk_core *core, const wk_flow *f)
{
    return ((uint64_t)f->generation << 32) | (uint64_t)((uint32_t)(f - core->flows) + 1u);
}

/* The entry a context names, if it is still that flow. Flow lock held. */
static wk_flow *wk_flow_from_ctx(wk_core *core, uint64_t ctx)
{
    uint32_t index = (uint32_t)(ctx & 0xFFFFFFFFu);
    uint32_t gen = (uint32_t)(ctx >> 32);
    wk_flow *f;
    if (index == 0 || index > core->flowCapacity) {
        return NULL;
    }
    f = &core->flows[index - 1u];
    if (f->state == WK_FLOW_FREE || f->generation != gen) {
        return NULL;
    }
    return f;
}

static wk_flow *wk_flow_find(wk_core *core, uint64_t handle, uint32_t hash)
{
    uint32_t pos;
    uint32_t e;
    for (e = wk_hidx_first(&core->flowIndex, hash, &pos); e != 0;
         e = wk_hidx_next(&core->flowIndex, hash, &pos)) {
        wk_flow *f = &core->flows[e - 1u];
        if (f->flowHandle == handle) {
            return f;
        }
    }
    return NULL;
}

wk_flow *wk_flow_find_handle_locked(wk_core *core, uint64_t h)
{
    return wk_flow_find(core, h, wk_flow_hash(h));
}

wk_flow *wk_flow_find_tuple_locked(wk_core *core, const WK_FLOW_ENDPOINTS *ep)
{
    uint32_t hash = wk_flow_tuple_hash(ep);
    uint32_t pos;
    uint32_t e;
    for (e = wk_hidx_first(&core->tupleIndex, hash, &pos); e != 0;
         e = wk_hidx_next(&core->tupleIndex, hash, &pos)) {
        wk_flow *f = &core->flows[e - 1u];
        if (f->state == WK_FLOW_LIVE && wk_flow_tuple_equal(&f->endpoints, ep)) {
            return f;
        }
    }
    return NULL;
}

/* Largest inspection budget among the sessions in mask that inspect; 0 if none. */
static uint32_t wk_flow_budget(const wk_core *core, uint64_t mask)
{
    uint32_t i, budget = 0;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        const wk_session *s = &core->sessions[i];
        if ((mask & 1u) != 0 && (s->config.flags & WK_CONFIG_FLAGS_INSPECT_STREAMS) != 0 &&
            s->config.inspectBudget > budget) {
            budget = s->config.inspectBudget;
        }
    }
    return budget;
}

/* Largest snap length among the sessions in mask that capture stream bytes. */
static uint32_t wk_flow_snap(const wk_core *core, uint64_t mask)
{
    uint32_t i, snap = 0;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        const wk_session *s = &core->sessions[i];
        const uint32_t want = WK_CONFIG_FLAGS_STREAM_EVENTS | WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES;
        if ((mask & 1u) != 0 && (s->config.flags & want) == want && s->config.snapLen > snap) {
            snap = s->config.snapLen;
        }
    }
    return snap;
}

static void wk_flow_insp_take(wk_core *core, wk_flow *f, uint32_t budget)
{
    wk_flow_insp *in;
    if (budget == 0 || f->insp != 0) {
        return;
    }
    if (core->inspFree == 0) {
        core->inspectorsExhausted++;
        return;
    }
    f->insp = core->inspFree;
    in = &core->insp[f->insp - 1u];
    core->inspFree = in->nextFree;
    in->nextFree = 0;
    wk_cls_init(&in->dir[WK_DIRECTION_OUTBOUND], budget);
    wk_cls_init(&in->dir[WK_DIRECTION_INBOUND], budget);
    core->inspInUse++;
}

static void wk_flow_insp_give(wk_core *core, wk_flow *f)
{
    wk_flow_insp *in;
    if (f->insp == 0) {
        return;
    }
    in = &core->insp[f->insp - 1u];
    in->nextFree = core->inspFree;
    core->inspFree = f->insp;
    f->insp = 0;
    core->inspInUse--;
}

/* A direction got its verdict: record it, write FLOW_CLASSIFIED (unless no byte was
 * ever seen), and give the inspector back once both directions are done. */
static void wk_flow_verdict(wk_core *core, wk_flow *f, uint8_t dir, uint64_t now, uint64_t *wake)
{
    wk_cls_result r;
    wk_flow_insp *in = &core->insp[f->insp - 1u];
    wk_cls_get_result(&in->dir[dir], &r);
    f->flags |= dir == WK_DIRECTION_OUTBOUND ? WK_FLOW_F_DONE_OUT : WK_FLOW_F_DONE_IN;
    f->appProtocol[dir] = r.appProtocol;
    if (r.appProtocol != WK_APP_PROTOCOL_UNCLASSIFIED && f->state == WK_FLOW_LIVE) {
        wk_event_flow_classified(core, f, f->sessions, dir, &r, now, wake);
    }
    if ((f->flags & (WK_FLOW_F_DONE_OUT | WK_FLOW_F_DONE_IN)) ==
        (WK_FLOW_F_DONE_OUT | WK_FLOW_F_DONE_IN)) {
        wk_flow_insp_give(core, f);
    }
}

/* Ends inspection of both directions (flow deleted): verdicts from what was seen. */
static void wk_flow_finish_all(wk_core *core, wk_flow *f, uint64_t now, uint64_t *wake)
{
    uint8_t dir;
    for (dir = 0; dir < 2 && f->insp != 0; dir++) {
        wk_flow_insp *in = &core->insp[f->insp - 1u];
        if (wk_cls_finish(&in->dir[dir]) == WK_CLS_CLASSIFIED) {
            wk_flow_verdict(core, f, dir, now, wake);
        }
    }
    wk_flow_insp_give(core, f);
}

/* Adds session slot to f. Flow lock held. */
static void wk_flow_join(wk_core *core, wk_flow *f, uint32_t slot)
{
    f->sessions |= (uint64_t)1u << slot;
    core->sessionFlows[slot]++;
    core->sessions[slot].flowsMatched++; /* only written under the flow lock */
}

static void wk_flow_free_entry(wk_core *core, wk_flow *f)
{
    uint32_t i;
    uint64_t mask = f->sessions;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        if ((mask & 1u) != 0) {
            core->sessionFlows[i]--;
        }
    }
    wk_flow_insp_give(core, f);
    wk_app_release(&core->apps, f->app);
    wk_hidx_remove(&core->flowIndex, f->hash, (uint32_t)(f - core->flows));
    wk_hidx_remove(&core->tupleIndex, f->tupleHash, (uint32_t)(f - core->flows));
    {
        uint32_t gen = f->generation + 1u;
        uint32_t next = core->flowFree;
        memset(f, 0, sizeof *f);
        f->generation = gen != 0 ? gen : 1u; /* a stale context never matches again */
        f->nextFree = next;
    }
    core->flowFree = (uint32_t)(f - core->flows) + 1u;
    core->flowsActive--;
}

wk_flow_result wk_flow_establish(wk_core *core, uint64_t scopeKey, const wk_flow_params *p,
                                 uint64_t *ctx)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_flow_result result;
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    int slot;
    uint32_t hash = wk_flow_hash(p->flowHandle);
    wk_flow *f;

    *ctx = 0;
    core->classifyCalls++;
    slot = wk_session_for_scope(core, scopeKey);
    if (core->unloading || slot < 0 ||
        core->sessions[slot].state != WK_SESSION_STATE_RUNNING) {
        wk_plat_spin_release(&core->lock, irql);
        return WK_FLOW_IGNORED;
    }
    f = wk_flow_find(core, p->flowHandle, hash);
    if (f != NULL) {
        /* Another filter (this or another session's) matched the same flow. */
        uint64_t bit = (uint64_t)1u << (uint32_t)slot;
        if ((f->sessions & bit) == 0) {
            wk_flow_join(core, f, (uint32_t)slot);
            if (f->insp == 0 && (f->flags & (WK_FLOW_F_DONE_OUT | WK_FLOW_F_DONE_IN)) == 0 &&
                f->bytes[0] == 0 && f->bytes[1] == 0) {
                /* No byte flowed yet: the new session may still have it inspected. */
                wk_flow_insp_take(core, f, wk_flow_budget(core, bit));
            }
            if (f->state == WK_FLOW_LIVE) {
                wk_event_flow_established(core, f, bit, now, &wake);
            }
        }
        *ctx = wk_flow_ctx(core, f);
        result = WK_FLOW_JOINED;
    } else if (core->flowFree == 0) {
        core->flowsUnmonitored++;
        core->sessions[slot].flowsRefused++;
        wk_event_flow_table_full(core, (uint32_t)slot, now, &wake);
        result = WK_FLOW_FULL;
    } else {
        uint32_t index = core->flowFree - 1u;
        f = &core->flows[index];
        core->flowFree = f->nextFree;
        f->nextFree = 0;
        f->flowHandle = p->flowHandle;
        f->hash = hash;
        f->processId = p->processId;
        f->startTime = now;
        f->endpoints = p->endpoints;
        f->layerId = p->layerId;
        f->streamLayerId = p->streamLayerId;
        f->flags = p->endpoints.ipVersion == 6 ? WK_FLOW_F_IPV6 : 0u;
        f->app = wk_app_intern(&core->apps, p->appPath, p->appPathBytes);
        f->state = WK_FLOW_ASSOCIATING;
        wk_hidx_insert(&core->flowIndex, hash, index);
        f->tupleHash = wk_flow_tuple_hash(&p->endpoints);
        wk_hidx_insert(&core->tupleIndex, f->tupleHash, index);
        core->flowsActive++;
        wk_flow_join(core, f, (uint32_t)slot);
        wk_flow_insp_take(core, f, wk_flow_budget(core, f->sessions));
        *ctx = wk_flow_ctx(core, f);
        result = WK_FLOW_NEW;
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return result;
}

void wk_flow_associated(wk_core *core, uint64_t ctx, int ok)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_flow *f = wk_flow_from_ctx(core, ctx);
    if (f != NULL && f->state == WK_FLOW_ASSOCIATING) {
        if (ok) {
            f->state = WK_FLOW_LIVE;
            core->flowsTotal++;
            wk_event_flow_established(core, f, f->sessions, now, &wake);
        } else {
            core->contextFailures++;
            wk_flow_free_entry(core, f);
        }
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
}

int wk_flow_stream(wk_core *core, uint64_t ctx, uint8_t direction, uint64_t indicated,
                   uint32_t streamFlags, int ended, wk_flow_copy_fn copy, void *copyArg)
{
    return wk_flow_stream_filtered(core, ctx, 0, direction, indicated, streamFlags, ended, copy,
                                   copyArg);
}

/* Whether the session of filterContext is the first of the flow's sessions. Flow lock held. */
static int wk_flow_stream_leader(wk_core *core, const wk_flow *f, uint64_t filterContext)
{
    int slot;
    uint32_t first;
    if (filterContext == 0) {
        return 1;
    }
    slot = wk_session_for_scope(core, filterContext);
    if (slot < 0 || f->sessions == 0) {
        return 0;
    }
    for (first = 0; first < 64u && (f->sessions & ((uint64_t)1 << first)) == 0; first++) {
    }
    return (uint32_t)slot == first;
}

int wk_flow_stream_filtered(wk_core *core, uint64_t ctx, uint64_t filterContext,
                            uint8_t direction, uint64_t indicated, uint32_t streamFlags,
                            int ended, wk_flow_copy_fn copy, void *copyArg)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_flow *f = wk_flow_from_ctx(core, ctx);
    uint8_t dir = direction == WK_DIRECTION_INBOUND ? WK_DIRECTION_INBOUND : WK_DIRECTION_OUTBOUND;
    uint8_t doneBit = dir == WK_DIRECTION_OUTBOUND ? WK_FLOW_F_DONE_OUT : WK_FLOW_F_DONE_IN;
    uint64_t offset;
    uint32_t want = 0, snap, n, copied = 0;

    core->classifyCalls++;
    if (f == NULL) {
        core->staleContexts++;
        wk_plat_spin_release(&core->lock, irql);
        return -1;
    }
    if (!wk_flow_stream_leader(core, f, filterContext)) {
        wk_plat_spin_release(&core->lock, irql);
        return 1; /* another session's filter counts this indication */
    }
    offset = f->bytes[dir];
    f->bytes[dir] += indicated;
    f->segments[dir]++;
    if (f->sessions == 0 || f->state != WK_FLOW_LIVE) {
        wk_plat_spin_release(&core->lock, irql);
        return 0;
    }
    if (f->insp != 0 && (f->flags & doneBit) == 0) {
        want = wk_cls_wanted(&core->insp[f->insp - 1u].dir[dir]);
    }
    snap = wk_flow_snap(core, f->sessions);
    n = want > snap ? want : snap;
    if (n > core->copyBytes) {
        n = core->copyBytes;
    }
    if ((uint64_t)n > indicated) {
        n = (uint32_t)indicated;
    }
    if (n != 0 && copy != NULL) {
        size_t got = copy(copyArg, core->copyBuf, n);
        copied = got < n ? (uint32_t)got : n;
    }
    if (want != 0 && copied != 0) {
        uint32_t feed = copied < want ? copied : want;
        core->streamBytesInspected += feed;
        if (wk_cls_feed(&core->insp[f->insp - 1u].dir[dir], core->copyBuf, feed) ==
            WK_CLS_CLASSIFIED) {
            wk_flow_verdict(core, f, dir, now, &wake);
        }
    }
    wk_event_stream_data(core, f, f->sessions, dir, offset, indicated, streamFlags,
                         core->copyBuf, copied, now, &wake);
    if (ended && f->insp != 0 && (f->flags & doneBit) == 0 &&
        wk_cls_finish(&core->insp[f->insp - 1u].dir[dir]) == WK_CLS_CLASSIFIED) {
        wk_flow_verdict(core, f, dir, now, &wake);
    }
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return 0;
}

int wk_flow_delete(wk_core *core, uint64_t ctx, uint16_t layerId)
{
    uint64_t wake = 0;
    uint64_t now = wk_plat_now();
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    wk_flow *f = wk_flow_from_ctx(core, ctx);
    int left;
    if (f == NULL) {
        core->staleContexts++;
        wk_plat_spin_release(&core->lock, irql);
        return -1;
    }
    if (f->state == WK_FLOW_LIVE) {
        wk_flow_finish_all(core, f, now, &wake);
        wk_event_flow_deleted(core, f, f->sessions, layerId,
                              core->unloading ? (uint16_t)WK_FLOW_END_REASON_UNLOAD
                                              : (uint16_t)WK_FLOW_END_REASON_FLOW_DELETE,
                              now, &wake);
    }
    wk_flow_free_entry(core, f);
    left = (int)core->flowsActive;
    wk_plat_spin_release(&core->lock, irql);
    wk_session_wake(wake);
    return left;
}

int wk_flow_next_live(wk_core *core, uint32_t *cursor, uint64_t *flowHandle,
                      uint16_t *streamLayerId)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    uint32_t i;
    for (i = *cursor; i < core->flowCapacity; i++) {
        const wk_flow *f = &core->flows[i];
        if (f->state == WK_FLOW_LIVE) {
            *flowHandle = f->flowHandle;
            *streamLayerId = f->streamLayerId;
            *cursor = i + 1u;
            wk_plat_spin_release(&core->lock, irql);
            return 1;
        }
    }
    *cursor = core->flowCapacity;
    wk_plat_spin_release(&core->lock, irql);
    return 0;
}

uint32_t wk_flow_active(wk_core *core)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    uint32_t n = core->flowsActive;
    wk_plat_spin_release(&core->lock, irql);
    return n;
}

void wk_flow_drop_session_locked(wk_core *core, uint32_t slot)
{
    uint64_t bit = (uint64_t)1u << slot;
    uint32_t i;
    if (core->sessionFlows[slot] == 0) {
        return;
    }
    for (i = 0; i < core->flowCapacity; i++) {
        wk_flow *f = &core->flows[i];
        if (f->state != WK_FLOW_FREE && (f->sessions & bit) != 0) {
            f->sessions &= ~bit;
            if (f->sessions == 0) {
                wk_flow_insp_give(core, f); /* nobody left to report to */
            }
        }
    }
    core->sessionFlows[slot] = 0;
}

uint32_t wk_flow_list_locked(wk_core *core, uint32_t slot, uint64_t cursor, uint32_t maxFlows,
                             uint8_t *out, uint32_t outBytes, uint32_t *bytesUsed,
                             uint64_t *nextCursor, int *more)
{
    uint64_t bit = (uint64_t)1u << slot;
    uint64_t now = wk_plat_now();
    uint32_t i, count = 0, used = 0;
    *more = 0;
    for (i = (uint32_t)cursor; i < core->flowCapacity; i++) {
        const wk_flow *f = &core->flows[i];
        uint32_t n;
        if (f->state != WK_FLOW_LIVE || (f->sessions & bit) == 0) {
            continue;
        }
        if (maxFlows != 0 && count == maxFlows) {
            *more = 1;
            break;
        }
        n = wk_event_flow_info(core, f, now, out + used, outBytes - used);
        if (n == 0) {
            *more = 1;
            break;
        }
        used += n;
        count++;
    }
    *nextCursor = i;
    *bytesUsed = used;
    return count;
}
