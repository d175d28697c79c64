/*
 * ws_k_internal.h - internals of libwfpsim's kernel model (src/kernel). Compiled against the
 * simulator's WDK headers (native/wdk) with -fshort-wchar.
 */
#ifndef WS_K_INTERNAL_H
#define WS_K_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <ntddk.h>
#include <wdmsec.h>
#include <ndis.h>
#include <fwpsk.h>

#include "wfpsim/kernel.h"

#define WS_K_STATUS_IMAGE_ALREADY_LOADED ((NTSTATUS)0xC000010EL)
#define WS_K_STATUS_NO_SUCH_DEVICE ((NTSTATUS)0xC000000EL)
#define WS_K_STATUS_FWP_CALLOUT_NOT_FOUND ((NTSTATUS)0xC0220001L)
#define WS_K_STATUS_FWP_ALREADY_EXISTS ((NTSTATUS)0xC0220009L)
#define WS_K_STATUS_FWP_NOT_FOUND ((NTSTATUS)0xC0220008L)

/* ---- base (ws_k_base.c) ---- */
void ws_k_set_irql(KIRQL irql);
_Noreturn void ws_k_bugcheck(uint32_t code, const char *what);
void ws_k_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint32_t ws_k_status_to_win32(NTSTATUS status);
void ws_k_set_last_error(uint32_t code);
void ws_k_timers_flush(void); /* waits until no DPC routine is running */
uint64_t ws_k_now_filetime(void);

/* ---- I/O (ws_k_io.c) ---- */
int ws_k_caller_elevated(void);
/* Next kernel32 handle value (files and events share one space). */
uint64_t ws_k_handle_value_next(void);

/* ---- events (ws_k_event.c) ---- */
typedef struct ws_k_event ws_k_event;
/* The event a handle names, referenced (NULL when the handle is not an open event). */
ws_k_event *ws_k_event_ref(void *handle);
void ws_k_event_signal(ws_k_event *e, int signaled);
void ws_k_event_unref(ws_k_event *e);
/* CloseHandle of an event: 1 when `handle` was an open event. */
int ws_k_event_close(void *handle);
size_t ws_k_event_count(void);

/* ---- WFP (fwps_*.c, classify*.c) ---- */
typedef struct ws_k_callout ws_k_callout;

/* Looks a registered callout up by key; pins it (in-flight count) when found. */
ws_k_callout *ws_k_callout_pin(const GUID *key);
void ws_k_callout_unpin(ws_k_callout *c);
const FWPS_CALLOUT1 *ws_k_callout_def(const ws_k_callout *c);
UINT32 ws_k_callout_id(const ws_k_callout *c);
UINT32 ws_k_callouts_registered(void);

/* Flows. A flow is created by the traffic glue (or a test) and carries contexts. */
UINT64 ws_k_flow_create(void);
/* Context of (layer, callout) on the flow, 1 if present. */
int ws_k_flow_get_context(UINT64 flowId, UINT16 layerId, UINT32 calloutId, UINT64 *ctx);
/* A classify on the flow begins / ends (end runs flowDeleteFns deferred meanwhile). */
void ws_k_flow_classify_begin(UINT64 flowId);
void ws_k_flow_classify_end(UINT64 flowId);
/* The flow ends: every context is removed (flowDeleteFn) and the flow forgotten. Returns the
 * number of flowDeleteFn calls. */
uint32_t ws_k_flow_delete(UINT64 flowId);
size_t ws_k_flow_count(void);
uint64_t ws_k_flow_delete_calls(void);

/* Classify one layer. */
typedef struct ws_k_classify_result {
    FWP_ACTION_TYPE action;   /* FWP_ACTION_PERMIT or FWP_ACTION_BLOCK */
    UINT64 filter_id;         /* the deciding filter, 0 when none matched */
    uint32_t callouts_called;
    int absorbed;
    uint32_t filters_matched;
} ws_k_classify_result;

void ws_k_classify(UINT16 layerId, const FWPS_INCOMING_VALUE0 *values, UINT32 valueCount,
                   const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData, UINT64 flowId,
                   ws_k_classify_result *result);
/* Index of an FWPM condition name (without "FWPM_CONDITION_") at a layer, or -1. */
int ws_k_field_index(UINT16 layerId, const char *conditionName);
UINT32 ws_k_field_count(UINT16 layerId);

/* NBLs built by the model (fwps_nbl.c). */
NET_BUFFER_LIST *ws_k_nbl_build(const UINT8 *data, SIZE_T len, SIZE_T segment, int copy);
/* Builds a chain: one NBL per segment of at most `segment` bytes. */
NET_BUFFER_LIST *ws_k_nbl_chain_build(const UINT8 *data, SIZE_T len, SIZE_T segment);
/* Frees an NBL chain; NBLs carrying packet-tagging contexts raise CONTEXT_REMOVED first. */
void ws_k_nbl_chain_free(NET_BUFFER_LIST *chain);
size_t ws_k_nbl_outstanding(void);
/* One NBL holding a whole IP packet (len bytes at ip), its data starting at byte `start` of it. */
NET_BUFFER_LIST *ws_k_nbl_build_packet(const UINT8 *ip, SIZE_T len, SIZE_T start);
/* Moves the data start of a ws_k_nbl_build_packet NBL to byte `start` of the IP packet. */
void ws_k_nbl_set_start(NET_BUFFER_LIST *nbl, SIZE_T start);
/* A copy of the NBL (ParentNetBufferList = nbl), without contexts. */
NET_BUFFER_LIST *ws_k_nbl_clone(NET_BUFFER_LIST *nbl);
/* Raises `ev` on every context of nbl (none removed), without the model's lock held. Returns
 * the number of notify calls. */
uint32_t ws_k_nbl_raise(NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *newNbl, FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev);
/* 1 when the NBL carries at least one packet-tagging context. */
int ws_k_nbl_tagged(NET_BUFFER_LIST *nbl);
/* Notify function calls so far (all NBLs, all causes). */
uint64_t ws_k_nbl_notify_calls(void);
/* Bytes one model NBL takes for dataBytes of packet. */
size_t ws_k_nbl_memory(SIZE_T dataBytes);

/* ---- the packet-lifecycle event queue (ws_k_lifecycle.c) ---- */
typedef enum ws_k_lc_kind {
    WS_K_LC_CLONE = 1,         /* outbound: CLONED_BY_NETIO to a new NBL (segmentation offload) */
    WS_K_LC_EXIT = 2,          /* outbound: EXIT_NETIO */
    WS_K_LC_SEND_COMPLETE = 3, /* outbound: NDIS_SEND_COMPLETE, then the NBL is freed (CONTEXT_REMOVED) */
    WS_K_LC_CONSUMED = 4,      /* inbound: delivered, the NBL is freed (CONTEXT_REMOVED) */
    WS_K_LC_DROP = 5,          /* dropped inside the stack: *_DISCARD classify, then freed */
    WS_K_LC_REASSEMBLE = 6,    /* inbound IP fragments: reassembly complete */
    WS_K_LC_DUPLICATE = 7      /* a duplicate_frames packet: DUPLICATED_BY_NETIO to a copy */
} ws_k_lc_kind;

/* Events run in virtual-time order (times: 100 ns units since the Unix epoch, as traffic.h);
 * the handler runs with the virtual clock at the event's time and no lock held. */
typedef void (*ws_k_lc_handler)(ws_k_lc_kind kind, void *packet, uint64_t time);
/* Starts a run's queue and seeded draws. Returns 0, or -1 for bad options. */
int ws_k_lc_begin(const wfpsim_lifecycle_options *options, ws_k_lc_handler handler);
/* Queues an event. Returns 0, or -1 when out of memory. */
int ws_k_lc_schedule(uint64_t time, ws_k_lc_kind kind, void *packet);
/* Delivers every event due at or before `time`. */
void ws_k_lc_advance(uint64_t time);
/* Delivers every pending event, in order. */
void ws_k_lc_flush(void);
/* Frees the run's queue (after a flush). */
void ws_k_lc_end(void);
size_t ws_k_lc_pending(void);
/* Seeded draws: uniform in [0, 1); a modelled delay (log-normal around the median of `which`:
 * 0 stack, 1 send complete, 2 deliver) in 100 ns units, at least 1. */
double ws_k_lc_uniform(void);
uint64_t ws_k_lc_delay(int which);
/* 1 when frame (1-based) is in the scripted drop list. */
int ws_k_lc_drop_frame(uint64_t frame);
int ws_k_lc_duplicate_frame(uint64_t frame);
int ws_k_lc_segmentation_clones(void);
double ws_k_lc_loss_rate(void);

/* WFPSIM_RUN_LOSSLESS (ws_k_pressure.c): waits while the driver's probe reports a session ring
 * more than half full. 1 when *cancel was set meanwhile. */
int ws_k_pressure_wait(const int *cancel);

#endif
