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

#endif
