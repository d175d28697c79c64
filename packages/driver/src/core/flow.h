/*
 * flow.h - the flow table (prefix wk_flow_) and the inspector pool (wk_flow_insp_).
 *
 * One entry per WFP flow that a session's FLOW_ESTABLISHED filter matched, in a fixed
 * array sized when the driver loads (no allocation per flow); a hash index on the WFP
 * flow handle finds an entry in O(1) when a second session's filter matches the same
 * flow. A second hash index on the 5-tuple finds it in O(1) at the IP packet layers, which
 * carry no flow handle (tag.c). An entry holds the 5-tuple, process id, an interned app
 * reference, per-direction byte and segment counts, tagged/dropped packet counts, start
 * time, the mask of sessions the flow belongs to and its layer ids: sizeof(wk_flow) bytes
 * (152 on x64; see the README for the per-flow total).
 *
 * Flow context: the UINT64 handed to FwpsFlowAssociateContext0 is
 *     generation << 32 | (index + 1)
 * not a pointer. Every entry point validates it (index in range, entry live, generation
 * equal), and the generation changes when the entry is freed, so a stale or forged
 * context finds nothing instead of dereferencing freed memory.
 *
 * Inspection: the stream classifiers' state (two wk_cls_dir, 2 x 852 bytes) is not in
 * the entry. It comes from a bounded pool of inspector slots, taken at FLOW_ESTABLISHED
 * when one of the flow's sessions has INSPECT_STREAMS, and given back as soon as both
 * directions have a verdict (classified, out of budget, or ended), or the flow is
 * deleted, or no session is left. Pool empty: the flow is monitored but not inspected,
 * counted in wk_core.inspectorsExhausted.
 *
 * Locking: every function takes the core's flow lock itself (a spin lock, so they run
 * at DISPATCH_LEVEL inside) and writes events into the session rings under each
 * session's lock (flow lock -> session lock). Wakes for waiting readers are issued after
 * both are released. Callable at IRQL <= DISPATCH_LEVEL.
 */
#ifndef WK_CORE_FLOW_H
#define WK_CORE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "contract.h"

struct wk_core;

/* Entry states. */
#define WK_FLOW_FREE 0u
#define WK_FLOW_ASSOCIATING 1u /* inserted; the glue is associating the WFP context */
#define WK_FLOW_LIVE 2u        /* context associated; FLOW_ESTABLISHED was written */

/* wk_flow.flags */
#define WK_FLOW_F_IPV6 0x01u
#define WK_FLOW_F_DONE_OUT 0x02u /* outbound direction has its verdict */
#define WK_FLOW_F_DONE_IN 0x04u  /* inbound direction has its verdict */

typedef struct wk_flow {
    uint64_t flowHandle;         /* FWPS_METADATA_FIELD_FLOW_HANDLE: the key */
    uint64_t processId;
    uint64_t startTime;          /* FILETIME of FLOW_ESTABLISHED */
    uint64_t sessions;           /* bit s = session slot s */
    uint64_t bytes[2];           /* stream bytes, [WK_DIRECTION_*] */
    uint64_t packetsTagged;      /* packets tagged (tag.c) */
    uint64_t packetsDropped;     /* tagged packets dropped inside the stack (tag.c) */
    WK_FLOW_ENDPOINTS endpoints; /* 40 bytes */
    uint32_t segments[2];        /* stream indications, [WK_DIRECTION_*] */
    uint32_t generation;         /* never 0 */
    uint32_t app;                /* wk_app reference */
    uint32_t insp;               /* inspector slot + 1, 0 = not inspecting */
    uint32_t nextFree;           /* free list: index + 1 */
    uint32_t hash;               /* of flowHandle, for the index */
    uint16_t layerId;            /* FWPS layer id of FLOW_ESTABLISHED */
    uint16_t streamLayerId;      /* FWPS layer id the context is associated at */
    uint8_t state;               /* WK_FLOW_* */
    uint8_t flags;               /* WK_FLOW_F_* */
    uint8_t appProtocol[2];      /* verdicts so far, [WK_DIRECTION_*] */
    uint32_t tagSeq;             /* next per-flow packet sequence number (tag.c) */
    uint32_t tupleHash;          /* of the 5-tuple, for the tuple index */
    uint32_t reserved0;
} wk_flow;

/* The inspection state of one flow while it is inspected. */
typedef struct wk_flow_insp {
    wk_cls_dir dir[2];           /* [WK_DIRECTION_*] */
    uint32_t nextFree;           /* free list: index + 1 */
    uint32_t reserved0;
} wk_flow_insp;

/* What the FLOW_ESTABLISHED classify found. */
typedef struct wk_flow_params {
    uint64_t flowHandle;
    uint64_t processId;
    const uint8_t *appPath;      /* UTF-16LE, may end with NULs; NULL if absent */
    size_t appPathBytes;
    WK_FLOW_ENDPOINTS endpoints;
    uint16_t layerId;            /* FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4/V6 */
    uint16_t streamLayerId;      /* FWPS_LAYER_STREAM_V4/V6: where the context goes */
} wk_flow_params;

/* What wk_flow_establish did. */
typedef enum wk_flow_result {
    WK_FLOW_IGNORED = 0, /* unknown scope key, session not running, or unloading */
    WK_FLOW_NEW = 1,     /* new entry: associate *ctx with FwpsFlowAssociateContext0,
                            then call wk_flow_associated */
    WK_FLOW_JOINED = 2,  /* the flow already had an entry: the session was added */
    WK_FLOW_FULL = 3     /* no room: counted, LOSS(FLOW_TABLE_FULL) to the session */
} wk_flow_result;

/* Copies the first n bytes of the current stream indication to dst; returns the bytes
 * copied (<= n). The glue wraps FwpsCopyStreamDataToBuffer0. */
typedef size_t (*wk_flow_copy_fn)(void *arg, void *dst, size_t n);

/* FLOW_ESTABLISHED classify, once per matching filter: scopeKey is filter->context. */
wk_flow_result wk_flow_establish(struct wk_core *core, uint64_t scopeKey,
                                 const wk_flow_params *p, uint64_t *ctx);

/* After WK_FLOW_NEW: ok = the association succeeded. Success makes the flow live and
 * writes FLOW_ESTABLISHED to its sessions; failure removes the entry silently (counted
 * in contextFailures). */
void wk_flow_associated(struct wk_core *core, uint64_t ctx, int ok);

/* A STREAM classify for the flow of ctx: direction WK_DIRECTION_*, the indication's
 * length and FWPS_STREAM_FLAG_* value, `ended` when it carries FIN or RST for that
 * direction. Counts, feeds the classifiers at most wk_cls_wanted bytes, and writes
 * FLOW_CLASSIFIED / STREAM_DATA. copy is called at most once, with n <= the larger of
 * the bytes the classifier wants and the largest snap length, under the flow lock
 * (DISPATCH_LEVEL). Returns 0, or -1 for an unknown/stale context. */
int wk_flow_stream(struct wk_core *core, uint64_t ctx, uint8_t direction, uint64_t indicated,
                   uint32_t streamFlags, int ended, wk_flow_copy_fn copy, void *copyArg);

/* wk_flow_stream for a STREAM classify that came through a filter whose context (rawContext)
 * is filterContext. WFP calls the callout once per matching STREAM filter, and each session
 * adds its own STREAM filters, so one indication arrives once per session: exactly one of
 * those calls may count it. filterContext 0 (one STREAM filter shared by every session) is
 * always acted on; a scope key only when its session is the flow's first session (lowest
 * slot among the flow's sessions); any other key (a closed session's, a session the flow
 * does not belong to) is ignored (returns 1). Sessions use one scheme or the other, never
 * both. */
int wk_flow_stream_filtered(struct wk_core *core, uint64_t ctx, uint64_t filterContext,
                            uint8_t direction, uint64_t indicated, uint32_t streamFlags,
                            int ended, wk_flow_copy_fn copy, void *copyArg);

/* flowDeleteFn: gives verdicts to directions still inspected, writes FLOW_DELETED with
 * the totals (reason UNLOAD once wk_core_begin_unload was called), frees the entry.
 * Returns the number of flows still in the table, or -1 for an unknown context. */
int wk_flow_delete(struct wk_core *core, uint64_t ctx, uint16_t layerId);

/* Unload: the next live flow from *cursor (start at 0) to remove the context of.
 * Returns 1 with its handle and stream layer id, 0 when there are no more. */
int wk_flow_next_live(struct wk_core *core, uint32_t *cursor, uint64_t *flowHandle,
                      uint16_t *streamLayerId);

/* The live flow whose 5-tuple (ipVersion, ipProtocol, ports, addresses) equals ep, and
 * the flow whose handle is h. NULL if none. Flow lock held. */
wk_flow *wk_flow_find_tuple_locked(struct wk_core *core, const WK_FLOW_ENDPOINTS *ep);
wk_flow *wk_flow_find_handle_locked(struct wk_core *core, uint64_t h);

/* Flows in the table now. */
uint32_t wk_flow_active(struct wk_core *core);

/* Helpers for the session and dispatch modules; caller holds the flow lock. */
void wk_flow_drop_session_locked(struct wk_core *core, uint32_t slot);
/* LIST_FLOWS page: FLOW_INFO records of slot's live flows from entry index `cursor`,
 * at most maxFlows (0 = as many as fit) into out. Returns the count; *bytesUsed, the
 * cursor to continue from, and whether more flows follow. */
uint32_t wk_flow_list_locked(struct wk_core *core, uint32_t slot, uint64_t cursor,
                             uint32_t maxFlows, uint8_t *out, uint32_t outBytes,
                             uint32_t *bytesUsed, uint64_t *nextCursor, int *more);

#endif /* WK_CORE_FLOW_H */
