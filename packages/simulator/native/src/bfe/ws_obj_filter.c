/*
 * ws_obj_filter.c - FwpmFilter*
 *
 * Weight model (Microsoft's "Filter Weight Assignment"): FWP_UINT64 is used as
 * given; FWP_UINT8 r (0..15) becomes the top 4 bits with an automatic low 60
 * bits; FWP_EMPTY is the automatic 60-bit weight alone. The automatic weight
 * is a guess at "more specific filters weigh more": the number of conditions
 * (capped at 15) in bits 56..59, zero below. Filters of equal weight are
 * evaluated in filter id order (wfpsim_store.h).
 */
#include <string.h>

#include "ws_internal.h"

#define WS_FILTER_FLAGS                                                                      \
    (WS_FWPM_FILTER_FLAG_PERSISTENT | WS_FWPM_FILTER_FLAG_BOOTTIME |                         \
     WS_FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT | WS_FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT |     \
     WS_FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED | WS_FWPM_FILTER_FLAG_DISABLED |     \
     WS_FWPM_FILTER_FLAG_INDEXED)

uint64_t ws_filter_auto_weight(const WS_FWPM_FILTER0 *f)
{
    uint64_t n = f->numFilterConditions > 15 ? 15 : f->numFilterConditions;
    return n << 56;
}

static int is_callout_action(uint32_t t)
{
    return t == WS_FWP_ACTION_CALLOUT_TERMINATING || t == WS_FWP_ACTION_CALLOUT_INSPECTION ||
           t == WS_FWP_ACTION_CALLOUT_UNKNOWN;
}

uint32_t ws_filter_validate(const WS_FWPM_FILTER0 *f, const ws_obj *self)
{
    uint32_t rc;
    if ((f->flags & ~WS_FILTER_FLAGS) ||
        ((f->flags & WS_FWPM_FILTER_FLAG_PERSISTENT) && (f->flags & WS_FWPM_FILTER_FLAG_BOOTTIME)))
        return WS_FWP_E_INVALID_FLAGS;
    if ((rc = ws_check_display(&f->displayData)) || (rc = ws_check_blob_inline(&f->providerData)))
        return rc;
    if (f->providerKey) {
        ws_obj *prov = ws_store_find(WS_KIND_PROVIDER, f->providerKey);
        if (!prov)
            return WS_FWP_E_PROVIDER_NOT_FOUND;
        if ((rc = ws_check_lifetime(self, prov)))
            return rc;
    }
    const ws_layer_info *layer = ws_layer_find(&f->layerKey);
    if (!layer)
        return WS_FWP_E_LAYER_NOT_FOUND;
    const WS_GUID *slk = ws_guid_is_zero(&f->subLayerKey) ? &WS_FWPM_SUBLAYER_UNIVERSAL : &f->subLayerKey;
    ws_obj *sl = ws_store_find(WS_KIND_SUBLAYER, slk);
    if (!sl)
        return WS_FWP_E_SUBLAYER_NOT_FOUND;
    if ((rc = ws_check_lifetime(self, sl)))
        return rc;
    switch (f->weight.type) {
    case WS_FWP_EMPTY:
        break;
    case WS_FWP_UINT8:
        if (f->weight.uint8 > 15)
            return WS_FWP_E_INVALID_WEIGHT;
        break;
    case WS_FWP_UINT64:
        if (!f->weight.uint64)
            return WS_FWP_E_NULL_POINTER;
        break;
    default:
        return WS_FWP_E_INVALID_WEIGHT;
    }
    if ((rc = ws_check_conditions(layer, f->numFilterConditions, f->filterCondition)))
        return rc;
    if (f->flags & WS_FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT)
        return WS_FWP_E_PROVIDER_CONTEXT_NOT_FOUND; /* provider contexts are not modelled */
    uint32_t a = f->action.type;
    if (is_callout_action(a)) {
        ws_obj *co = ws_store_find(WS_KIND_CALLOUT, &f->action.calloutKey);
        if (!co)
            return WS_FWP_E_CALLOUT_NOT_FOUND;
        if (!ws_guid_eq(&((WS_FWPM_CALLOUT0 *)co->block)->applicableLayer, &f->layerKey))
            return WS_FWP_E_INCOMPATIBLE_LAYER;
        if ((rc = ws_check_lifetime(self, co)))
            return rc;
    } else if (a != WS_FWP_ACTION_BLOCK && a != WS_FWP_ACTION_PERMIT) {
        return WS_FWP_E_INVALID_ACTION_TYPE;
    }
    return 0;
}

static uint32_t filter_add(ws_session *s, const WS_FWPM_FILTER0 *f, uint64_t *id)
{
    uint32_t rc;
    if (!f)
        return WS_ERROR_INVALID_PARAMETER;
    if ((rc = ws_check_writable(s)))
        return rc;
    int persistent = (f->flags & WS_FWPM_FILTER_FLAG_PERSISTENT) != 0;
    ws_obj like = ws_like(s, persistent);
    if ((rc = ws_filter_validate(f, &like)))
        return rc;
    if (persistent && s->dynamic)
        return WS_FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
    WS_FWPM_FILTER0 t = *f;
    if (ws_guid_is_zero(&t.filterKey))
        ws_guid_random(&t.filterKey);
    if (ws_store_find(WS_KIND_FILTER, &t.filterKey))
        return WS_FWP_E_ALREADY_EXISTS;
    if (ws_guid_is_zero(&t.subLayerKey))
        t.subLayerKey = WS_FWPM_SUBLAYER_UNIVERSAL;
    uint64_t ew;
    if (t.weight.type == WS_FWP_UINT64)
        ew = *t.weight.uint64;
    else if (t.weight.type == WS_FWP_UINT8)
        ew = ((uint64_t)t.weight.uint8 << 60) | ws_filter_auto_weight(&t);
    else
        ew = ws_filter_auto_weight(&t);
    t.effectiveWeight.type = WS_FWP_UINT64;
    t.effectiveWeight.uint64 = &ew;
    t.reserved = NULL;
    t.filterId = g_ws.next_filter_id++;
    rc = ws_insert_clone(s, WS_KIND_FILTER, &t, persistent);
    if (!rc && id)
        *id = t.filterId;
    return rc;
}

uint32_t FwpmFilterAdd0(WS_HANDLE engineHandle, const WS_FWPM_FILTER0 *filter, void *sd, uint64_t *id)
{
    (void)sd;
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = ws_finish_change(s, filter_add(s, filter, id));
    ws_leave();
    return rc;
}

uint32_t FwpmFilterDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = key ? ws_delete_obj(s, ws_store_find(WS_KIND_FILTER, key), WS_KIND_FILTER)
             : WS_ERROR_INVALID_PARAMETER;
    rc = ws_finish_change(s, rc);
    ws_leave();
    return rc;
}

uint32_t FwpmFilterDeleteById0(WS_HANDLE engineHandle, uint64_t id)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = ws_finish_change(s, ws_delete_obj(s, ws_store_find_filter_id(id), WS_KIND_FILTER));
    ws_leave();
    return rc;
}

static uint32_t filter_get(WS_HANDLE engineHandle, const WS_GUID *key, int by_id, uint64_t id,
                           WS_FWPM_FILTER0 **filter)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if ((!by_id && !key) || !filter)
        rc = WS_ERROR_INVALID_PARAMETER;
    else {
        ws_obj *o = by_id ? ws_store_find_filter_id(id) : ws_store_find(WS_KIND_FILTER, key);
        rc = o ? ws_get_copy(o, (void **)filter) : WS_FWP_E_FILTER_NOT_FOUND;
    }
    ws_leave();
    return rc;
}

uint32_t FwpmFilterGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key, WS_FWPM_FILTER0 **filter)
{
    return filter_get(engineHandle, key, 0, 0, filter);
}

uint32_t FwpmFilterGetById0(WS_HANDLE engineHandle, uint64_t id, WS_FWPM_FILTER0 **filter)
{
    return filter_get(engineHandle, NULL, 1, id, filter);
}

/*
 * Template model: layerKey (zero = any layer), providerKey, calloutKey and
 * actionMask (filter kept when action.type & actionMask != 0) as documented.
 * Conditions: a filter matches when it has a condition equal to each template
 * condition (same field, match type and value); FULLY_CONTAINED and
 * OVERLAPPING are treated alike (a simplification). providerContextTemplate
 * and flags are ignored.
 */
static int filter_match(const ws_obj *o, const void *tmpl)
{
    const WS_FWPM_FILTER_ENUM_TEMPLATE0 *t = tmpl;
    const WS_FWPM_FILTER0 *f = o->block;
    if (!t)
        return 1;
    if (!ws_guid_is_zero(&t->layerKey) && !ws_guid_eq(&t->layerKey, &f->layerKey))
        return 0;
    if (t->providerKey && !(f->providerKey && ws_guid_eq(f->providerKey, t->providerKey)))
        return 0;
    if (!(f->action.type & t->actionMask))
        return 0;
    if (t->calloutKey && !(is_callout_action(f->action.type) &&
                           ws_guid_eq(&f->action.calloutKey, t->calloutKey)))
        return 0;
    for (uint32_t i = 0; i < t->numFilterConditions; i++) {
        int found = 0;
        for (uint32_t j = 0; j < f->numFilterConditions && !found; j++)
            found = ws_condition_equal(&t->filterCondition[i], &f->filterCondition[j]);
        if (!found)
            return 0;
    }
    return 1;
}

uint32_t FwpmFilterCreateEnumHandle0(WS_HANDLE engineHandle,
                                     const WS_FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate,
                                     WS_HANDLE *enumHandle)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    const WS_FWPM_FILTER_ENUM_TEMPLATE0 *t = enumTemplate;
    if (t) {
        const ws_layer_info *layer = ws_layer_find(&t->layerKey);
        if (!ws_guid_is_zero(&t->layerKey) && !layer)
            rc = WS_FWP_E_LAYER_NOT_FOUND;
        else if (t->enumType > WS_FWP_FILTER_ENUM_OVERLAPPING)
            rc = WS_FWP_E_INVALID_ENUMERATOR;
        else if (t->numFilterConditions && !t->filterCondition)
            rc = WS_FWP_E_NULL_POINTER;
        else if (t->numFilterConditions && layer)
            rc = ws_check_conditions(layer, t->numFilterConditions, t->filterCondition);
    }
    ws_leave();
    if (rc)
        return rc;
    return ws_enum_create(engineHandle, WS_KIND_FILTER, filter_match, enumTemplate, enumHandle);
}

uint32_t FwpmFilterEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle, uint32_t numEntriesRequested,
                         WS_FWPM_FILTER0 ***entries, uint32_t *numEntriesReturned)
{
    return ws_enum_next(engineHandle, enumHandle, WS_KIND_FILTER, numEntriesRequested,
                        (void ***)entries, numEntriesReturned);
}

uint32_t FwpmFilterDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle)
{
    return ws_enum_destroy(engineHandle, enumHandle, WS_KIND_FILTER);
}
