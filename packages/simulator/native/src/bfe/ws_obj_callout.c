/* ws_obj_callout.c - FwpmCallout* (management side) and the callout runtime ids shared with
 * the kernel-side FwpsCalloutRegister model (ws_store_callout_id_reserve). */
#include <stdlib.h>
#include <string.h>

#include "ws_internal.h"

#define WS_CALLOUT_FLAGS                                                        \
    (WS_FWPM_CALLOUT_FLAG_PERSISTENT | WS_FWPM_CALLOUT_FLAG_USES_PROVIDER_CONTEXT | \
     WS_FWPM_CALLOUT_FLAG_REGISTERED)

uint32_t ws_callout_validate(const WS_FWPM_CALLOUT0 *c, const ws_obj *self)
{
    uint32_t rc;
    if (c->flags & ~WS_CALLOUT_FLAGS)
        return WS_FWP_E_INVALID_FLAGS;
    if ((rc = ws_check_display(&c->displayData)) || (rc = ws_check_blob_inline(&c->providerData)))
        return rc;
    if (c->providerKey) {
        ws_obj *prov = ws_store_find(WS_KIND_PROVIDER, c->providerKey);
        if (!prov)
            return WS_FWP_E_PROVIDER_NOT_FOUND;
        if ((rc = ws_check_lifetime(self, prov)))
            return rc;
    }
    if (!ws_layer_find(&c->applicableLayer))
        return WS_FWP_E_LAYER_NOT_FOUND;
    return 0;
}

/* ---- runtime ids ------------------------------------------------------- */
typedef struct ws_callout_rsv {
    WS_GUID key;
    uint32_t id;
} ws_callout_rsv;

static int rsv_eq(const void *val, const void *key)
{
    return ws_guid_eq(&((const ws_callout_rsv *)val)->key, key);
}

static ws_callout_rsv *rsv_find(const WS_GUID *key)
{
    return ws_hmap_find(&g_ws.callout_reserved, ws_hash_guid(key), rsv_eq, key);
}

uint32_t ws_store_callout_id_reserve(const WS_GUID *key, int hold)
{
    ws_callout_rsv *r = rsv_find(key);
    if (r)
        return r->id;
    ws_obj *o = ws_store_find(WS_KIND_CALLOUT, key);
    uint32_t id = o ? ((const WS_FWPM_CALLOUT0 *)o->block)->calloutId : g_ws.next_callout_id;
    if (hold) {
        r = malloc(sizeof *r);
        if (!r || ws_hmap_insert(&g_ws.callout_reserved, ws_hash_guid(key), r) != 0) {
            free(r);
            return 0;
        }
        r->key = *key;
        r->id = id;
    }
    if (!o)
        g_ws.next_callout_id++;
    return id;
}

void ws_store_callout_id_release(const WS_GUID *key)
{
    ws_callout_rsv *r = rsv_find(key);
    if (!r)
        return;
    ws_hmap_remove(&g_ws.callout_reserved, ws_hash_guid(key), r);
    free(r);
}

uint32_t ws_callout_loaded_id(const WS_GUID *key, uint32_t stored)
{
    ws_callout_rsv *r = rsv_find(key);
    if (r)
        return r->id;
    const ws_hmap *m = &g_ws.callout_reserved;
    for (size_t i = 0; i < m->cap; i++) /* rare: only while a state file is read */
        if (m->slots[i].val && ((const ws_callout_rsv *)m->slots[i].val)->id == stored)
            return g_ws.next_callout_id++;
    return stored;
}

void ws_callout_ids_after_reset(void)
{
    const ws_hmap *m = &g_ws.callout_reserved;
    for (size_t i = 0; i < m->cap; i++) {
        const ws_callout_rsv *r = m->slots[i].val;
        if (r && r->id >= g_ws.next_callout_id)
            g_ws.next_callout_id = r->id + 1;
    }
}

static uint32_t callout_add(ws_session *s, const WS_FWPM_CALLOUT0 *c, uint32_t *id)
{
    uint32_t rc;
    if (!c)
        return WS_ERROR_INVALID_PARAMETER;
    if ((rc = ws_check_writable(s)))
        return rc;
    int persistent = (c->flags & WS_FWPM_CALLOUT_FLAG_PERSISTENT) != 0;
    ws_obj like = ws_like(s, persistent);
    if ((rc = ws_callout_validate(c, &like)))
        return rc;
    if (persistent && s->dynamic)
        return WS_FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
    WS_FWPM_CALLOUT0 t = *c;
    if (ws_guid_is_zero(&t.calloutKey))
        ws_guid_random(&t.calloutKey);
    if (ws_store_find(WS_KIND_CALLOUT, &t.calloutKey))
        return WS_FWP_E_ALREADY_EXISTS;
    t.flags &= ~WS_FWPM_CALLOUT_FLAG_REGISTERED; /* set by the engine, not the caller */
    t.calloutId = ws_store_callout_id_reserve(&t.calloutKey, 0); /* the kernel's id if it registered first */
    rc = ws_insert_clone(s, WS_KIND_CALLOUT, &t, persistent);
    if (!rc && id)
        *id = t.calloutId;
    return rc;
}

uint32_t FwpmCalloutAdd0(WS_HANDLE engineHandle, const WS_FWPM_CALLOUT0 *callout, void *sd, uint32_t *id)
{
    (void)sd;
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = ws_finish_change(s, callout_add(s, callout, id));
    ws_leave();
    return rc;
}

uint32_t FwpmCalloutDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = key ? ws_delete_obj(s, ws_store_find(WS_KIND_CALLOUT, key), WS_KIND_CALLOUT)
             : WS_ERROR_INVALID_PARAMETER;
    rc = ws_finish_change(s, rc);
    ws_leave();
    return rc;
}

uint32_t FwpmCalloutDeleteById0(WS_HANDLE engineHandle, uint32_t id)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = ws_finish_change(s, ws_delete_obj(s, ws_store_find_callout_id(id), WS_KIND_CALLOUT));
    ws_leave();
    return rc;
}

static uint32_t callout_get(WS_HANDLE engineHandle, const WS_GUID *key, int by_id, uint32_t id,
                            WS_FWPM_CALLOUT0 **callout)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if ((!by_id && !key) || !callout)
        rc = WS_ERROR_INVALID_PARAMETER;
    else {
        ws_obj *o = by_id ? ws_store_find_callout_id(id) : ws_store_find(WS_KIND_CALLOUT, key);
        rc = o ? ws_get_copy(o, (void **)callout) : WS_FWP_E_CALLOUT_NOT_FOUND;
    }
    ws_leave();
    return rc;
}

uint32_t FwpmCalloutGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key, WS_FWPM_CALLOUT0 **callout)
{
    return callout_get(engineHandle, key, 0, 0, callout);
}

uint32_t FwpmCalloutGetById0(WS_HANDLE engineHandle, uint32_t id, WS_FWPM_CALLOUT0 **callout)
{
    return callout_get(engineHandle, NULL, 1, id, callout);
}

static int callout_match(const ws_obj *o, const void *tmpl)
{
    const WS_FWPM_CALLOUT_ENUM_TEMPLATE0 *t = tmpl;
    const WS_FWPM_CALLOUT0 *c = o->block;
    if (!t)
        return 1;
    if (t->providerKey && !(c->providerKey && ws_guid_eq(c->providerKey, t->providerKey)))
        return 0;
    if (!ws_guid_is_zero(&t->layerKey) && !ws_guid_eq(&t->layerKey, &c->applicableLayer))
        return 0;
    return 1;
}

uint32_t FwpmCalloutCreateEnumHandle0(WS_HANDLE engineHandle,
                                      const WS_FWPM_CALLOUT_ENUM_TEMPLATE0 *enumTemplate,
                                      WS_HANDLE *enumHandle)
{
    return ws_enum_create(engineHandle, WS_KIND_CALLOUT, callout_match, enumTemplate, enumHandle);
}

uint32_t FwpmCalloutEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle, uint32_t numEntriesRequested,
                          WS_FWPM_CALLOUT0 ***entries, uint32_t *numEntriesReturned)
{
    return ws_enum_next(engineHandle, enumHandle, WS_KIND_CALLOUT, numEntriesRequested,
                        (void ***)entries, numEntriesReturned);
}

uint32_t FwpmCalloutDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle)
{
    return ws_enum_destroy(engineHandle, enumHandle, WS_KIND_CALLOUT);
}
