/*
 * session.h - monitoring sessions, one per open handle (prefix wk_session_).
 *
 * Up to WK_MAX_SESSIONS sessions live in a fixed array of slots inside wk_core; a slot
 * is never freed, only its ring memory is. Each session has:
 *   - a configuration (contract defaults until SET_CONFIG),
 *   - a state: IDLE (open, never started) -> RUNNING (START) -> STOPPED (STOP) ->
 *     RUNNING (START) ...; SET_CONFIG only while not RUNNING,
 *   - an event ring whose memory is allocated at SET_CONFIG or the first START (never
 *     per event) and freed at close; resizing discards the records, counted as dropped,
 *   - counters (WK_SESSION_COUNTERS; produced = delivered + dropped + recordsInRing),
 *   - a scope key: user mode puts it in the rawContext of the session's FLOW_ESTABLISHED
 *     filters; classify reads filter->context and finds the session with
 *     wk_session_for_scope. The key embeds the slot and a session id that is never
 *     reused while the driver is loaded, so a filter left by a closed session matches
 *     no later session in the same slot.
 *
 * Locks (see core.h for the order): the slot table (inUse, id, scopeKey) changes only
 * under the core's flow lock AND the session lock; the ring, state, config and counters
 * under the session lock. Both are spin locks taken at IRQL <= DISPATCH_LEVEL.
 */
#ifndef WK_CORE_SESSION_H
#define WK_CORE_SESSION_H

#include <stdint.h>

#include "contract.h"
#include "platform.h"
#include "ring.h"
#include "status.h"

struct wk_core;

typedef struct wk_session {
    wk_plat_spinlock lock;   /* DISPATCH_LEVEL: everything below */
    uint32_t id;             /* unique while the driver is loaded */
    uint8_t inUse;           /* slot holds an open session */
    uint8_t state;           /* WK_SESSION_STATE_* */
    uint8_t readWaiting;     /* a READ_EVENTS is pended (glue holds the IRP) */
    uint8_t wakeQueued;      /* wk_plat_session_wake was called for that read */
    uint64_t scopeKey;
    WK_SESSION_CONFIG config;
    uint32_t pendMaxRecords; /* maxRecords of the pended read */
    void *ringMem;           /* ring memory (config.ringBytes), NULL until allocated */
    wk_ring ring;
    uint64_t readsCompleted;
    uint64_t flowsMatched;
    uint64_t packetsTagged;
    uint64_t notifyEvents;
    uint64_t packetsUntagged;
    uint64_t flowsRefused;   /* flows of this session the flow table had no room for */
} wk_session;

/* Opens a session in a free slot: IDLE, default config, no ring yet.
 * WK_STATUS_INSUFFICIENT_RESOURCES when WK_MAX_SESSIONS are open. PASSIVE_LEVEL. */
wk_status wk_session_open(struct wk_core *core, uint32_t *slot);

/* Closes a session: removes its bit from every flow (their other sessions go on; a flow
 * left with no session stops being inspected), frees its ring. The glue has already
 * completed or cancelled its pended read (IRP_MJ_CLEANUP). PASSIVE_LEVEL. */
void wk_session_close(struct wk_core *core, uint32_t slot);

/* The session slot whose scope key this is, or -1. Caller holds the flow lock. */
int wk_session_for_scope(struct wk_core *core, uint64_t scopeKey);

/* Whether a pended read should complete now: records are waiting, the session is not
 * running, or it is closed. Any IRQL <= DISPATCH_LEVEL (takes the session lock). */
int wk_session_read_ready(struct wk_core *core, uint32_t slot);

/* Completes the pended read: writes WK_READ_RESULT and the records to out (outBytes >=
 * WK_MIN_READ_OUTPUT; alignment free), TIMED_OUT when timedOut and no record was
 * copied. *bytes is what to report as IoStatus.Information. <= DISPATCH_LEVEL. */
wk_status wk_session_complete_read(struct wk_core *core, uint32_t slot, void *out,
                                   uint32_t outBytes, int timedOut, uint32_t *bytes);

/* The pended read was cancelled (cancel routine, cleanup) or could not be queued. */
void wk_session_read_cancelled(struct wk_core *core, uint32_t slot);

/* Calls wk_plat_session_wake for each slot in mask. No lock may be held. */
void wk_session_wake(uint64_t mask);

/* Reads up to maxRecords whole records into out + sizeof(WK_READ_RESULT) and writes the
 * WK_READ_RESULT in front. Caller holds the session lock. Returns bytes used. */
uint32_t wk_session_read_locked(wk_session *s, uint8_t *out, uint32_t outBytes,
                                uint32_t maxRecords, uint32_t extraFlags);

/* Fills WK_SESSION_COUNTERS (flowsActive excepted: the flow table knows it). Caller
 * holds the session lock. */
void wk_session_counters_locked(const wk_session *s, WK_SESSION_COUNTERS *c);

/* Replaces the ring with newMem of bytes (or frees it when newMem is NULL), carrying
 * the counters over and counting the records it held as dropped. Returns the old
 * memory for the caller to free after releasing the lock. Session lock held. */
void *wk_session_swap_ring_locked(wk_session *s, void *newMem, uint32_t bytes);

#endif /* WK_CORE_SESSION_H */
