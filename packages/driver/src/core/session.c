/*
 * session.c - monitoring sessions (see session.h).
 */
#include "session.h"

#include <string.h>

#include "core.h"
#include "flow.h"

/* "WK" in the top bytes keeps a scope key from ever being 0 or a small number someone
 * put in rawContext for another purpose; the id (never reused) and the slot follow. */
#define WK_SESSION_KEY_TAG 0x574B000000000000ull

static void wk_session_default_config(WK_SESSION_CONFIG *c)
{
    memset(c, 0, sizeof *c);
    c->structSize = (uint32_t)sizeof(WK_SESSION_CONFIG);
    c->flags = WK_DEFAULT_CONFIG_FLAGS;
    c->inspectBudget = WK_DEFAULT_INSPECT_BUDGET;
    c->ringBytes = WK_DEFAULT_RING_BYTES;
    c->snapLen = WK_DEFAULT_SNAP_LEN;
    c->tagLayers = WK_DEFAULT_TAG_LAYERS;
}

wk_status wk_session_open(wk_core *core, uint32_t *slot)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    uint32_t i;
    for (i = 0; i < WK_MAX_SESSIONS; i++) {
        wk_session *s = &core->sessions[i];
        if (!s->inUse) {
            wk_plat_irql sirql = wk_plat_spin_acquire(&s->lock);
            wk_plat_spinlock keep = s->lock;
            memset(s, 0, sizeof *s);
            s->lock = keep;
            s->inUse = 1;
            s->id = core->nextSessionId++;
            if (core->nextSessionId > 0xFFFFFFu) {
                core->nextSessionId = 1; /* 2^24 opens: wrap (keys are id:24 | slot:8) */
            }
            s->scopeKey = WK_SESSION_KEY_TAG | ((uint64_t)s->id << 8) | i;
            s->state = (uint8_t)WK_SESSION_STATE_IDLE;
            wk_session_default_config(&s->config);
            core->sessionFlows[i] = 0;
            core->sessionsOpen++;
            wk_plat_spin_release(&s->lock, sirql);
            wk_plat_spin_release(&core->lock, irql);
            *slot = i;
            return WK_STATUS_SUCCESS;
        }
    }
    wk_plat_spin_release(&core->lock, irql);
    return WK_STATUS_INSUFFICIENT_RESOURCES;
}

void wk_session_close(wk_core *core, uint32_t slot)
{
    wk_session *s;
    wk_plat_irql irql, sirql;
    void *mem = NULL;
    if (slot >= WK_MAX_SESSIONS) {
        return;
    }
    s = &core->sessions[slot];
    irql = wk_plat_spin_acquire(&core->lock);
    if (!s->inUse) {
        wk_plat_spin_release(&core->lock, irql);
        return;
    }
    /* Off every flow first: from here no event path can reach this session. */
    wk_flow_drop_session_locked(core, slot);
    wk_tag_drop_session_locked(core, slot);
    sirql = wk_plat_spin_acquire(&s->lock);
    mem = wk_session_swap_ring_locked(s, NULL, 0);
    s->inUse = 0;
    s->state = (uint8_t)WK_SESSION_STATE_IDLE;
    s->scopeKey = 0;
    s->readWaiting = 0;
    s->wakeQueued = 0;
    wk_plat_spin_release(&s->lock, sirql);
    core->sessionsOpen--;
    wk_plat_spin_release(&core->lock, irql);
    wk_plat_free(mem);
}

int wk_session_for_scope(wk_core *core, uint64_t scopeKey)
{
    uint32_t slot = (uint32_t)(scopeKey & 0xFFu);
    if ((scopeKey & 0xFFFF000000000000ull) != WK_SESSION_KEY_TAG || slot >= WK_MAX_SESSIONS) {
        return -1;
    }
    if (!core->sessions[slot].inUse || core->sessions[slot].scopeKey != scopeKey) {
        return -1;
    }
    return (int)slot;
}

int wk_session_read_ready(wk_core *core, uint32_t slot)
{
    wk_session *s;
    wk_plat_irql irql;
    int ready;
    if (slot >= WK_MAX_SESSIONS) {
        return 1;
    }
    s = &core->sessions[slot];
    irql = wk_plat_spin_acquire(&s->lock);
    ready = !s->inUse || s->state != WK_SESSION_STATE_RUNNING || s->ring.records != 0;
    wk_plat_spin_release(&s->lock, irql);
    return ready;
}

uint32_t wk_session_read_locked(wk_session *s, uint8_t *out, uint32_t outBytes,
                                uint32_t maxRecords, uint32_t extraFlags)
{
    WK_READ_RESULT res;
    wk_ring_read_info info;
    const uint32_t hdr = (uint32_t)sizeof(WK_READ_RESULT);
    memset(&res, 0, sizeof res);
    memset(&info, 0, sizeof info);
    if (s->ringMem != NULL && outBytes > hdr) {
        wk_ring_read(&s->ring, out + hdr, outBytes - hdr, maxRecords, &info);
    }
    res.recordCount = info.records;
    res.bytesUsed = hdr + info.bytes;
    res.flags = extraFlags;
    if (info.more) {
        res.flags |= WK_READ_FLAGS_MORE_AVAILABLE;
    }
    if (s->state != WK_SESSION_STATE_RUNNING) {
        res.flags |= WK_READ_FLAGS_SESSION_STOPPED;
    }
    if (info.records != 0) {
        res.flags &= ~WK_READ_FLAGS_TIMED_OUT;
    }
    memcpy(out, &res, sizeof res);
    s->readsCompleted++;
    return res.bytesUsed;
}

wk_status wk_session_complete_read(wk_core *core, uint32_t slot, void *out, uint32_t outBytes,
                                   int timedOut, uint32_t *bytes)
{
    wk_session *s;
    wk_plat_irql irql;
    wk_status st = WK_STATUS_SUCCESS;
    *bytes = 0;
    if (slot >= WK_MAX_SESSIONS) {
        return WK_STATUS_CANCELLED;
    }
    s = &core->sessions[slot];
    irql = wk_plat_spin_acquire(&s->lock);
    if (!s->inUse) {
        st = WK_STATUS_CANCELLED;
    } else if (out == NULL || outBytes < WK_MIN_READ_OUTPUT) {
        st = WK_STATUS_BUFFER_TOO_SMALL; /* the dispatcher checked; belt and braces */
    } else {
        *bytes = wk_session_read_locked(s, (uint8_t *)out, outBytes, s->pendMaxRecords,
                                        timedOut ? WK_READ_FLAGS_TIMED_OUT : 0u);
    }
    s->readWaiting = 0;
    s->wakeQueued = 0;
    wk_plat_spin_release(&s->lock, irql);
    return st;
}

void wk_session_read_cancelled(wk_core *core, uint32_t slot)
{
    wk_session *s;
    wk_plat_irql irql;
    if (slot >= WK_MAX_SESSIONS) {
        return;
    }
    s = &core->sessions[slot];
    irql = wk_plat_spin_acquire(&s->lock);
    s->readWaiting = 0;
    s->wakeQueued = 0;
    wk_plat_spin_release(&s->lock, irql);
}

void wk_session_wake(uint64_t mask)
{
    uint32_t i;
    for (i = 0; mask != 0 && i < WK_MAX_SESSIONS; i++, mask >>= 1) {
        if ((mask & 1u) != 0) {
            wk_plat_session_wake(i);
        }
    }
}

void wk_session_counters_locked(const wk_session *s, WK_SESSION_COUNTERS *c)
{
    memset(c, 0, sizeof *c);
    wk_ring_counters(&s->ring, c);
    if (s->ringMem == NULL) {
        c->ringBytes = 0;
        c->ringUsed = 0;
        c->recordsInRing = 0;
    }
    c->readsCompleted = s->readsCompleted;
    c->flowsMatched = s->flowsMatched;
    c->packetsTagged = s->packetsTagged;
    c->notifyEvents = s->notifyEvents;
    c->packetsUntagged = s->packetsUntagged;
}

void *wk_session_swap_ring_locked(wk_session *s, void *newMem, uint32_t bytes)
{
    void *old = s->ringMem;
    uint64_t produced = s->ring.produced;
    uint64_t delivered = s->ring.delivered;
    /* Records still in the old ring are discarded: counted as dropped, so produced ==
     * delivered + dropped + recordsInRing still holds. */
    uint64_t dropped = s->ring.dropped + (old != NULL ? s->ring.records : 0u);
    memset(&s->ring, 0, sizeof s->ring);
    s->ringMem = NULL;
    if (newMem != NULL) {
        if (wk_ring_init(&s->ring, newMem, bytes) == 0) {
            s->ringMem = newMem;
        } else {
            /* Not reached with sizes the dispatcher validated (>= MIN_RING_BYTES, a
             * multiple of 8); non-paged pool may be freed at DISPATCH_LEVEL. */
            wk_plat_free(newMem);
        }
    }
    s->ring.produced = produced;
    s->ring.delivered = delivered;
    s->ring.dropped = dropped;
    return old;
}
