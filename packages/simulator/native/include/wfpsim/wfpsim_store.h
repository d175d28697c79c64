/*
 * wfpsim_store.h - the base filtering engine's object store, seen from C code
 * inside libwfpsim (the classify engine and the kernel-side Fwps* model).
 * Not exported from the shared library.
 *
 * Locking: every function here must be called between ws_engine_lock() and
 * ws_engine_unlock(). Pointers returned point into engine-owned memory and stay
 * valid only until the lock is released. The lock is the single engine mutex
 * that every Fwpm* call takes (it is not recursive: do not call Fwpm* while
 * holding it).
 *
 * Visibility: the store holds the changes of an open transaction as soon as
 * they are made (they are undone on abort). Readers that must see committed
 * state only compare ws_store_generation(), which changes on every commit, or
 * ask ws_store_txn_open().
 *
 * Typical use by a classify engine:
 *
 *   ws_engine_lock();
 *   size_t n = ws_store_filters_at_layer(&layerKey, views, cap);
 *   for (i = 0; i < min(n, cap); i++) {
 *       const WS_FWPM_FILTER0 *f = views[i].filter;    // conditions: f->filterCondition
 *       ... views[i].callout (NULL unless a callout action) ...
 *   }
 *   ws_engine_unlock();
 */
#ifndef WFPSIM_STORE_H
#define WFPSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "wfpsim_types.h"

#ifdef __cplusplus
extern "C" {
#endif

void ws_engine_lock(void);
void ws_engine_unlock(void);

/* One filter as the classify engine needs it. */
typedef struct ws_filter_view {
    const WS_FWPM_FILTER0 *filter;    /* subLayerKey is never the zero GUID here */
    const WS_FWPM_SUBLAYER0 *sublayer; /* the filter's sublayer (built-in ones included) */
    const WS_FWPM_CALLOUT0 *callout;   /* the action's callout, NULL for non-callout actions */
    uint64_t effective_weight;         /* == *filter->effectiveWeight.uint64 */
} ws_filter_view;

/*
 * Filters at a layer in evaluation order: sublayer weight descending, then
 * filter effective weight descending, then filter id ascending. Disabled
 * filters (FWPM_FILTER_FLAG_DISABLED) are left out. Fills at most `cap` views
 * and returns the total number, so a caller can size its buffer and retry.
 */
size_t ws_store_filters_at_layer(const WS_GUID *layerKey, ws_filter_view *out, size_t cap);

const WS_FWPM_CALLOUT0 *ws_store_callout_by_id(uint32_t calloutId);

/*
 * Callout runtime ids: one per callout key, whichever of FwpsCalloutRegister (kernel) and
 * FwpmCalloutAdd0 (management) comes first, as real BFE does.
 *
 * ws_store_callout_id_reserve: the runtime id of `calloutKey` — the id of the management
 * object if it exists, else the id already reserved for the key, else a new id — and, when
 * `hold` is non-zero, keeps it reserved for the key (the kernel registered the callout) until
 * ws_store_callout_id_release. FwpmCalloutAdd0 gives a new callout the reserved id, so
 * FWPM_CALLOUT0.calloutId, the id FwpsCalloutRegister returns and filter->action.calloutId
 * at classify time agree. Returns 0 only when out of memory.
 *
 * modelled: a reservation survives the management object's deletion and WfpsimReset (the
 * kernel's registrations outlive a BFE restart); without one, deleting and re-adding a callout
 * gives it a new id (ids are never reused within a boot).
 */
uint32_t ws_store_callout_id_reserve(const WS_GUID *calloutKey, int hold);
/* The kernel unregistered the callout: the key's reservation goes (a management object keeps
 * its id). */
void ws_store_callout_id_release(const WS_GUID *calloutKey);
const WS_FWPM_CALLOUT0 *ws_store_callout_by_key(const WS_GUID *calloutKey);
const WS_FWPM_FILTER0 *ws_store_filter_by_id(uint64_t filterId);

/* Layer table lookups (see ws_layers.c for the built-in layers). */
typedef struct ws_field_info {
    const WS_GUID *key;
    const char *name;       /* e.g. "FWPM_CONDITION_IP_REMOTE_PORT" */
    uint32_t field_type;    /* FWPM_FIELD_TYPE */
    uint32_t data_type;     /* FWP_DATA_TYPE of the value the engine supplies */
} ws_field_info;

typedef struct ws_layer_info {
    const WS_GUID *key;
    const char *name;       /* e.g. "FWPM_LAYER_STREAM_V4" */
    uint16_t layer_id;      /* FWPS_LAYER_* run-time id */
    uint32_t flags;         /* FWPM_LAYER_FLAG_* */
    size_t num_fields;
    const ws_field_info *fields; /* index == FWPS_FIELD_* order is NOT implied */
} ws_layer_info;

const ws_layer_info *ws_layer_find(const WS_GUID *layerKey);
const ws_layer_info *ws_layer_by_id(uint16_t layerId);
const ws_field_info *ws_layer_field(const ws_layer_info *layer, const WS_GUID *fieldKey);
size_t ws_layer_count(void);
const ws_layer_info *ws_layer_at(size_t index);

/* Built-in GUIDs other modules need. */
extern const WS_GUID WS_FWPM_SUBLAYER_UNIVERSAL;

/* Changes every time a change is committed (explicit or implicit transaction). */
uint64_t ws_store_generation(void);
/* Non-zero while some session has a transaction open. */
int ws_store_txn_open(void);

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_STORE_H */
