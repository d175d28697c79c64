/* ws_obj_provider.c - FwpmProvider* */
#include <string.h>

#include "ws_internal.h"

uint32_t ws_provider_validate(const WS_FWPM_PROVIDER0 *p)
{
    uint32_t rc;
    if (p->flags & ~(WS_FWPM_PROVIDER_FLAG_PERSISTENT | WS_FWPM_PROVIDER_FLAG_DISABLED))
        return WS_FWP_E_INVALID_FLAGS;
    if ((rc = ws_check_display(&p->displayData)) || (rc = ws_check_blob_inline(&p->providerData)))
        return rc;
    return 0;
}

static uint32_t provider_add(ws_session *s, const WS_FWPM_PROVIDER0 *p)
{
    uint32_t rc;
    if (!p)
        return WS_ERROR_INVALID_PARAMETER;
    if ((rc = ws_check_writable(s)) || (rc = ws_provider_validate(p)))
        return rc;
    int persistent = (p->flags & WS_FWPM_PROVIDER_FLAG_PERSISTENT) != 0;
    if (persistent && s->dynamic)
        return WS_FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
    WS_FWPM_PROVIDER0 t = *p;
    if (ws_guid_is_zero(&t.providerKey))
        ws_guid_random(&t.providerKey);
    if (ws_store_find(WS_KIND_PROVIDER, &t.providerKey))
        return WS_FWP_E_ALREADY_EXISTS;
    return ws_insert_clone(s, WS_KIND_PROVIDER, &t, persistent);
}

uint32_t FwpmProviderAdd0(WS_HANDLE engineHandle, const WS_FWPM_PROVIDER0 *provider, void *sd)
{
    (void)sd; /* security descriptors are not modelled */
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = ws_finish_change(s, provider_add(s, provider));
    ws_leave();
    return rc;
}

uint32_t FwpmProviderDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    rc = key ? ws_delete_obj(s, ws_store_find(WS_KIND_PROVIDER, key), WS_KIND_PROVIDER)
             : WS_ERROR_INVALID_PARAMETER;
    rc = ws_finish_change(s, rc);
    ws_leave();
    return rc;
}

uint32_t FwpmProviderGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key, WS_FWPM_PROVIDER0 **provider)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!key || !provider)
        rc = WS_ERROR_INVALID_PARAMETER;
    else {
        ws_obj *o = ws_store_find(WS_KIND_PROVIDER, key);
        rc = o ? ws_get_copy(o, (void **)provider) : WS_FWP_E_PROVIDER_NOT_FOUND;
    }
    ws_leave();
    return rc;
}

uint32_t FwpmProviderCreateEnumHandle0(WS_HANDLE engineHandle,
                                       const WS_FWPM_PROVIDER_ENUM_TEMPLATE0 *enumTemplate,
                                       WS_HANDLE *enumHandle)
{
    (void)enumTemplate; /* reserved: every provider matches */
    return ws_enum_create(engineHandle, WS_KIND_PROVIDER, NULL, NULL, enumHandle);
}

uint32_t FwpmProviderEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle, uint32_t numEntriesRequested,
                           WS_FWPM_PROVIDER0 ***entries, uint32_t *numEntriesReturned)
{
    return ws_enum_next(engineHandle, enumHandle, WS_KIND_PROVIDER, numEntriesRequested,
                        (void ***)entries, numEntriesReturned);
}

uint32_t FwpmProviderDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle)
{
    return ws_enum_destroy(engineHandle, enumHandle, WS_KIND_PROVIDER);
}
