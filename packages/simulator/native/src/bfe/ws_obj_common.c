/*
 * ws_obj_common.c - what every object kind shares: copies handed to callers,
 * insertion of a new object, deletion with the in-use check, and the
 * enumeration handles (create / page / destroy).
 *
 * Enumeration model: CreateEnumHandle takes a snapshot of the keys that match
 * the template, in creation order. Enum0 pages through that snapshot and
 * returns the objects as they are at that moment; objects deleted since the
 * snapshot are skipped, objects added since are not returned. The end is a
 * successful call that returns 0 entries and *entries == NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "ws_internal.h"

uint32_t ws_get_copy(const ws_obj *o, void **out)
{
    ws_flat m = { .ok = 1 };
    ws_flat_object(&m, o->kind, o->block);
    if (!m.ok)
        return WS_ERROR_INVALID_DATA;
    uint8_t *buf = ws_mem_alloc_tracked(m.off);
    if (!buf)
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    ws_flat w = { .buf = buf, .virt = (uintptr_t)buf, .ok = 1 };
    ws_flat_object(&w, o->kind, o->block);
    *out = buf;
    return 0;
}

/* Whether a stored object refers to target (a provider by a sublayer, callout
 * or filter; a sublayer or callout by a filter): the store keeps a count of
 * referrers per key (ws_index.c), nothing refers to filters. */
static int in_use(const ws_obj *target)
{
    if (target->kind == WS_KIND_FILTER)
        return 0;
    return ws_store_ref_count(target->kind, ws_obj_key(target)) != 0;
}

uint32_t ws_delete_obj(ws_session *s, ws_obj *o, int kind)
{
    static const uint32_t not_found[] = { 0, WS_FWP_E_PROVIDER_NOT_FOUND, WS_FWP_E_SUBLAYER_NOT_FOUND,
                                          WS_FWP_E_CALLOUT_NOT_FOUND, WS_FWP_E_FILTER_NOT_FOUND };
    uint32_t rc = ws_check_writable(s);
    if (rc)
        return rc;
    if (!o)
        return not_found[kind];
    if (o->builtin)
        return WS_FWP_E_BUILTIN_OBJECT;
    if (in_use(o))
        return WS_FWP_E_IN_USE;
    return ws_store_remove(s, o);
}

/* ---- enumeration -------------------------------------------------------- */

uint32_t ws_enum_create(WS_HANDLE engineHandle, int kind, ws_enum_match_fn match,
                        const void *tmpl, WS_HANDLE *enumHandle)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!enumHandle) {
        ws_leave();
        return WS_ERROR_INVALID_PARAMETER;
    }
    ws_enum *en = calloc(1, sizeof *en);
    ws_order *v = &g_ws.objs[kind];
    if (en && v->live)
        en->keys = malloc(v->live * sizeof(WS_GUID));
    if (!en || (v->live && !en->keys)) {
        if (en)
            free(en->keys);
        free(en);
        ws_leave();
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    en->kind = kind;
    en->session_id = s->id;
    for (size_t i = 0; i < v->len; i++) {
        ws_obj *o = v->items[i];
        if (o && (!match || match(o, tmpl)))
            en->keys[en->count++] = *ws_obj_key(o);
    }
    uintptr_t h = ws_handle_add(WS_H_ENUM, en);
    if (!h) {
        free(en->keys);
        free(en);
        ws_leave();
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    *enumHandle = (WS_HANDLE)h;
    ws_leave();
    return 0;
}

static ws_enum *lookup_enum(ws_session *s, WS_HANDLE enumHandle, int kind)
{
    ws_enum *en = ws_handle_get((uintptr_t)enumHandle, WS_H_ENUM);
    if (!en || en->kind != kind || en->session_id != s->id)
        return NULL;
    return en;
}

uint32_t ws_enum_next(WS_HANDLE engineHandle, WS_HANDLE enumHandle, int kind, uint32_t n,
                      void ***entries, uint32_t *returned)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!entries || !returned) {
        ws_leave();
        return WS_ERROR_INVALID_PARAMETER;
    }
    ws_enum *en = lookup_enum(s, enumHandle, kind);
    if (!en) {
        ws_leave();
        return WS_ERROR_INVALID_HANDLE;
    }
    *entries = NULL;
    *returned = 0;
    /* pick the next objects that still exist */
    ws_obj **pick = NULL;
    size_t np = 0;
    if (n && en->next < en->count) {
        size_t want = en->count - en->next < n ? en->count - en->next : n;
        pick = malloc(want * sizeof *pick);
        if (!pick) {
            ws_leave();
            return WS_ERROR_NOT_ENOUGH_MEMORY;
        }
        size_t cursor = en->next;
        while (np < want && cursor < en->count) {
            ws_obj *o = ws_store_find(kind, &en->keys[cursor++]);
            if (o)
                pick[np++] = o;
        }
        en->next = cursor;
    }
    if (np) {
        ws_flat m = { .ok = 1 };
        ws_flat_reserve(&m, np * sizeof(void *), 8);
        for (size_t i = 0; i < np; i++)
            ws_flat_object(&m, kind, pick[i]->block);
        uint8_t *buf = m.ok ? ws_mem_alloc_tracked(m.off) : NULL;
        if (!buf) {
            free(pick);
            ws_leave();
            return m.ok ? WS_ERROR_NOT_ENOUGH_MEMORY : WS_ERROR_INVALID_DATA;
        }
        ws_flat w = { .buf = buf, .virt = (uintptr_t)buf, .ok = 1 };
        size_t aoff = ws_flat_reserve(&w, np * sizeof(void *), 8);
        void **arr = (void **)(buf + aoff);
        for (size_t i = 0; i < np; i++) {
            size_t off = ws_flat_object(&w, kind, pick[i]->block);
            arr[i] = buf + off;
        }
        *entries = arr;
        *returned = (uint32_t)np;
    }
    free(pick);
    ws_leave();
    return 0;
}

uint32_t ws_enum_destroy(WS_HANDLE engineHandle, WS_HANDLE enumHandle, int kind)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    ws_enum *en = lookup_enum(s, enumHandle, kind);
    if (!en) {
        ws_leave();
        return WS_ERROR_INVALID_HANDLE;
    }
    ws_handle_remove((uintptr_t)enumHandle);
    free(en->keys);
    free(en);
    ws_leave();
    return 0;
}

/* Copies src into a new stored object owned by session s. */
uint32_t ws_insert_clone(ws_session *s, int kind, const void *src, int persistent)
{
    size_t size;
    void *block = ws_flat_clone(kind, src, &size);
    if (!block)
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    ws_obj *o = ws_obj_new(kind, block, size);
    if (!o) {
        free(block);
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    o->persistent = persistent;
    o->owner = s->dynamic ? s->id : 0;
    uint32_t rc = ws_store_add(s, o);
    if (rc)
        ws_obj_free(o);
    return rc;
}

/* A stand-in for the object about to be added, for ws_check_lifetime. */
ws_obj ws_like(ws_session *s, int persistent)
{
    ws_obj o;
    memset(&o, 0, sizeof o);
    o.persistent = persistent;
    o.owner = (s && s->dynamic) ? s->id : 0;
    return o;
}
