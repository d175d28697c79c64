/*
 * tag.h - packet tagging (prefix wk_tag_): the tag ledger, packet contexts, and the
 * PACKET_TAGGED / PACKET_NOTIFY / PACKET_DISCARDED records.
 *
 * The glue gets one tag from FwpsNetBufferListGetTagForContext0 when the driver loads and
 * tags a monitored flow's packets with a 64-bit context per packet. Every tagged packet
 * in flight has one entry in the *ledger*: a fixed array allocated with the core at load
 * (wk_core_config.ledgerCapacity, default WK_TAG_DEFAULT_LEDGER entries of
 * sizeof(wk_tag_entry) = 40 bytes on x64), with a free list. Nothing is allocated per
 * packet; a full ledger means the packet goes untagged (counted globally and per session,
 * and a LOSS(LEDGER_FULL) record goes to each session that wanted it).
 *
 * Context layout (never 0, unique among the driver's in-flight packets because the
 * ledger entry is):
 *     bits  0..21  ledger entry index + 1       (names the entry in O(1))
 *     bits 22..43  flow table entry index        (the flow the packet belongs to)
 *     bits 44..63  per-flow sequence, low 20 bits
 * An entry keeps its whole context; every entry point compares it, so a stale, forged or
 * already retired context finds nothing. The entry also keeps what the records need after
 * the flow is gone (the flow may be deleted while its packets are in flight): the sessions
 * the flow belonged to when the packet was tagged (those that tag at that layer), the flow
 * handle (record flowId), the flow entry's generation (per-flow counters are updated only
 * while it is the same flow), the full sequence, layer, direction and IP version.
 *
 * Sequence of calls (glue, IRQL <= DISPATCH_LEVEL, no allocation, no wait):
 *   classifyFn at a transport or IP packet layer:
 *     r = wk_tag_begin(core, &pkt, &ctx, &checkExisting);
 *     if (r == WK_TAG_ASSOCIATE) {
 *         [if checkExisting and FwpsNetBufferListRetrieveContext0(nbl, tag, FALSE) finds ours:
 *          wk_tag_end(core, ctx, WK_TAG_END_ALREADY, ...)]
 *         st = FwpsNetBufferListAssociateContext1/0(nbl, layer, ctx, tag, ...);
 *         wk_tag_end(core, ctx, NT_SUCCESS(st) ? WK_TAG_END_OK : WK_TAG_END_FAILED, len, copy, nbl);
 *     }
 *   NBL notify function: wk_tag_notify (clones: after moving the context; duplicates: after
 *     wk_tag_duplicate and associating its context), see below.
 *   classifyFn at a *_DISCARD layer: if RetrieveContext0(nbl, tag, FALSE) finds a context,
 *     wk_tag_discarded.
 * Locking: everything runs under the core's flow lock (ledger, flow counters, global
 * counters), records under each session lock (flow lock -> session lock). The glue calls
 * the Fwps* tagging functions with no core lock held.
 */
#ifndef WK_CORE_TAG_H
#define WK_CORE_TAG_H

#include <stddef.h>
#include <stdint.h>

#include "contract.h"
#include "flow.h"

struct wk_core;

#define WK_TAG_DEFAULT_LEDGER 16384u
#define WK_TAG_MAX_LEDGER ((1u << 22) - 1u)

/* wk_tag_entry.flags */
#define WK_TAG_F_IPV6 0x01u
#define WK_TAG_F_EXITED 0x02u   /* EXIT_NETIO seen */
#define WK_TAG_F_SENT 0x04u     /* an NDIS send complete seen */
#define WK_TAG_F_DROPPED 0x08u  /* counted as dropped already (discard layer) */
#define WK_TAG_F_COPY 0x10u     /* a duplicate's entry: not a packet of its own */
#define WK_TAG_F_PENDING 0x20u  /* reserved by wk_tag_begin, association not confirmed yet */

typedef struct wk_tag_entry {
    uint64_t context;   /* 0 = free */
    uint64_t sessions;  /* sessions to report to (bit = slot) */
    uint64_t flowId;    /* the flow handle: header.flowId of the records */
    uint32_t flowGen;   /* generation of the flow entry when tagged */
    uint32_t nextFree;  /* free list: index + 1 */
    uint32_t sequence;  /* per-flow sequence number */
    uint16_t layerId;   /* layer it was tagged at */
    uint8_t direction;  /* WK_DIRECTION_* */
    uint8_t flags;      /* WK_TAG_F_* */
} wk_tag_entry;

/* A packet at a tagging layer. */
typedef struct wk_tag_packet {
    uint64_t filterContext;     /* filter->context: a session's scope key, or 0 */
    uint64_t flowHandle;        /* FLOW_HANDLE metadata, when hasFlowHandle */
    int hasFlowHandle;
    WK_FLOW_ENDPOINTS tuple;    /* without a flow handle: the 5-tuple from the packet
                                   (ipVersion, ipProtocol, ports, addresses; local = this host) */
    uint16_t layerId;           /* FWPS_LAYER_* */
    uint8_t direction;          /* WK_DIRECTION_* */
    uint8_t reserved0;
    uint32_t tagLayer;          /* the WK_TAG_LAYER_* bit of layerId */
} wk_tag_packet;

typedef enum wk_tag_result {
    WK_TAG_SKIP = 0,      /* not a monitored flow, nobody tags here, a duplicate filter call, or unloading */
    WK_TAG_ASSOCIATE = 1, /* associate *ctx with the NBL, then call wk_tag_end */
    WK_TAG_UNTAGGED = 2   /* ledger full: counted, LOSS(LEDGER_FULL) written */
} wk_tag_result;

typedef enum wk_tag_end_how {
    WK_TAG_END_OK = 0,      /* associated: PACKET_TAGGED is written */
    WK_TAG_END_FAILED = 1,  /* the association failed: entry freed, counted (contextFailures) */
    WK_TAG_END_ALREADY = 2  /* the NBL already carries our context (tagged at an earlier layer): entry freed */
} wk_tag_end_how;

/* Copies n bytes of the packet from where its snap starts into dst; returns bytes copied. */
typedef size_t (*wk_tag_copy_fn)(void *arg, void *dst, size_t n);

/* Context helpers (exposed for tests and the glue). */
uint64_t wk_tag_make_context(uint32_t ledgerIndex, uint32_t flowIndex, uint32_t sequence);
uint32_t wk_tag_context_entry(uint64_t ctx);  /* ledger index + 1 (0 = none) */
uint32_t wk_tag_context_flow(uint64_t ctx);   /* flow table index */
uint32_t wk_tag_context_seq(uint64_t ctx);    /* low 20 bits of the sequence */

/* A packet at a tagging layer: finds its flow (flow handle -> hash index; else 5-tuple ->
 * tuple index), the sessions that tag at pkt->tagLayer, and reserves a ledger entry.
 * WFP calls the callout once per matching filter: only the call through a filter whose
 * context is 0 or the scope key of the lowest such session acts. *checkExisting says
 * the sessions also tag at the other layer of this direction (transport / IP packet),
 * so the NBL may carry our context already. */
wk_tag_result wk_tag_begin(struct wk_core *core, const wk_tag_packet *pkt, uint64_t *ctx,
                           int *checkExisting);

/* After wk_tag_begin returned WK_TAG_ASSOCIATE. OK: counts the packet (global, session,
 * flow) and writes PACKET_TAGGED (snap: copy called at most once, under the flow lock,
 * with n <= the largest snapLen of the sessions with CAPTURE_PACKET_BYTES and <= the core's
 * copy buffer). packetLength: bytes from the snap start to the end of the NBL. */
void wk_tag_end(struct wk_core *core, uint64_t ctx, wk_tag_end_how how, uint32_t packetLength,
                wk_tag_copy_fn copy, void *copyArg);

/* A duplicate of the packet of ctx: a new ledger entry (same flow, sequence, sessions) and
 * its new context, or 0 (ledger full: counted untagged with LOSS(LEDGER_FULL); or ctx stale). */
uint64_t wk_tag_duplicate(struct wk_core *core, uint64_t ctx);

/* Associating a duplicate's context failed: frees that entry without a record. */
void wk_tag_forget(struct wk_core *core, uint64_t ctx);

/* One NBL notify event for ctx: PACKET_NOTIFY (eventType, layerId, notifyFlags, newContext)
 * to the entry's sessions. CONTEXT_REMOVED retires the entry, as does `retire` (a moved
 * context that could not be associated with the clone: no CONTEXT_REMOVED will follow).
 * An outbound packet removed (CONTEXT_REMOVED) without EXIT_NETIO or a send complete, and
 * not already counted at a discard layer, counts as dropped for its flow (a duplicate's
 * entry and a clone that could not be followed do not: their fate is unknown). Returns the entries still in flight,
 * or -1 for an unknown/stale context (counted in staleContexts). */
int wk_tag_notify(struct wk_core *core, uint16_t eventType, uint64_t ctx, uint16_t layerId,
                  uint16_t notifyFlags, uint64_t newContext, int retire);

/* A tagged packet at a discard layer: PACKET_DISCARDED to the entry's sessions with
 * REPORT_DISCARDS; the flow's packetsDropped counted once. module/reason 0xFFFFFFFF when
 * the metadata is absent. Returns 0, or -1 for an unknown context. */
int wk_tag_discarded(struct wk_core *core, uint64_t ctx, uint16_t layerId, uint32_t module,
                     uint32_t reason, uint64_t filterId);

/* Unload could not wait for the ledger to empty (the glue's bounded wait expired): returns 1
 * and marks the core stranded when entries remain (the caller must then keep the core, and
 * the code of the NBL notify function, until wk_tag_release_due says the last one retired),
 * 0 when the ledger is empty (the unload may go on). Takes the flow lock. */
int wk_tag_strand(struct wk_core *core);

/* After wk_tag_strand returned 1: 1 exactly once, for the first caller that finds the ledger
 * empty (the glue then releases what it kept); 0 otherwise (not stranded, entries left, or
 * released already). Call after each wk_tag_notify / wk_tag_end / wk_tag_forget while
 * stranded. Takes the flow lock. */
int wk_tag_release_due(struct wk_core *core);

/* Entries in flight (takes the flow lock). */
uint32_t wk_tag_in_flight(struct wk_core *core);

/* Session close: the slot leaves every ledger entry. Flow lock held. */
void wk_tag_drop_session_locked(struct wk_core *core, uint32_t slot);

/* Bytes of ledger memory for `entries` entries. */
size_t wk_tag_ledger_bytes(uint32_t entries);

#endif /* WK_CORE_TAG_H */
