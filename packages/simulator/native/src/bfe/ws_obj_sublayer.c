/* ws_obj_sublayer.c - FwpmSubLayer* */
#include <string.h>

#include "ws_internal.h"

uint32_t ws_sublayer_validate(const WS_FWPM_SUBLAYER0 *p, const ws_obj *self)
{
    uint32_t rc;
    if (p->flags & ~WS_FWPM_SUBLAYER_FLAG_PERSISTENT)
        return WS_FWP_E_INVALID_FLAGS;
    if ((rc = ws_check_display(&p->displayData)) || (rc = ws_check_blob_inline(&p->providerData)))
        return rc;
    if (p->providerKey) {
        ws_obj *prov = ws_store_find(WS_KIND_PROVIDER, p->providerKey);
        if (!prov)
            return WS_FWP_E_PROVIDER_NOT_FOUND;
        if ((rc = ws_check_lifetime(self, prov)))
            return rc;
    }
    return 0;
}

static uint32_t sublayer_add(ws_session *s, const WS_FWPM_SUBLAYER0 *p)
{
    uint32_t rc;
    if (!p)
        return WS_ERROR_INVALID_PARAMETER;
    if ((rc = ws_check_writable(s)))
        return rc;
    int persistent = (p->flags & WS_FWPM_SUBLAYER_FLAG_PERSISTENT) != 0;
    ws_obj like = ws_like(s, persistent);
    if ((rc = ws_sublayer_validate(p, &like)))
        return rc;
    if (persistent && s->dynamic)
        return WS_FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
    WS_FWPM_SUBLAYER0 t = *p;
    if (ws_guid_is_zero(&t.subLayerKey))
        ws_guid_random(&t.subLayerKey);
    if (ws_store_find(WS_KIND_SUBLAYER, &t.subLayerKey))
        return WS_FWP_E_ALREADY_EXISTS;
    return ws_insert_clone(s, WS_KIND_SUBLAYER, &t, persistent);
}

uint32_t FwpmSubLayerAdd0(WS_HANDLE engineHandle, const WS_FWPM_SUBLAYER0 *subLayer, void *sd)
{
    (void)sd;
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = ws_finish_change(s, sublayer_add(s, subLayer));
    ws_leave();
    return rc;
}

uint32_t FwpmSubLayerDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = key ? ws_delete_obj(s, ws_store_find(WS_KIND_SUBLAYER, key), WS_KIND_SUBLAYER)
             : WS_ERROR_INVALID_PARAMETER;
    rc = ws_finish_change(s, rc);
    ws_leave();
    return rc;
}

uint32_t FwpmSubLayerGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key, WS_FWPM_SUBLAYER0 **subLayer)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!key || !subLayer)
        rc = WS_ERROR_INVALID_PARAMETER;
    else {
        ws_obj *o = ws_store_find(WS_KIND_SUBLAYER, key);
        rc = o ? ws_get_copy(o, (void **)subLayer) : WS_FWP_E_SUBLAYER_NOT_FOUND;
    }
    ws_leave();
    return rc;
}

static int sublayer_match(const ws_obj *o, const void *tmpl)
{
    const WS_FWPM_SUBLAYER_ENUM_TEMPLATE0 *t = tmpl;
    const WS_FWPM_SUBLAYER0 *sl = o->block;
    if (!t || !t->providerKey)
        return 1;
    return sl->providerKey && ws_guid_eq(sl->providerKey, t->providerKey);
}

uint32_t FwpmSubLayerCreateEnumHandle0(WS_HANDLE engineHandle,
                                       const WS_FWPM_SUBLAYER_ENUM_TEMPLATE0 *enumTemplate,
                                       WS_HANDLE *enumHandle)
{
    return ws_enum_create(engineHandle, WS_KIND_SUBLAYER, sublayer_match, enumTemplate, enumHandle);
}

uint32_t FwpmSubLayerEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle, uint32_t numEntriesRequested,
                           WS_FWPM_SUBLAYER0 ***entries, uint32_t *numEntriesReturned)
{
    return ws_enum_next(engineHandle, enumHandle, WS_KIND_SUBLAYER, numEntriesRequested,
                        (void ***)entries, numEntriesReturned);
}

uint32_t FwpmSubLayerDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle)
{
    return ws_enum_destroy(engineHandle, enumHandle, WS_KIND_SUBLAYER);
}
