/*
 * ws_obj_store.c - the object store: per-kind lists of flat objects, the undo
 * log that makes every change transactional, session clean-up, the lifetime
 * rule, and the read-only query API of wfpsim_store.h.
 *
 * Every change goes through ws_store_add / ws_store_remove, which apply it at
 * once and append an undo record to the session; commit forgets the records
 * (and frees removed objects), rollback replays them backwards.
 */
#include <stdlib.h>
#include <string.h>

#include "ws_internal.h"

const WS_GUID *ws_obj_key(const ws_obj *o)
{
    return (const WS_GUID *)o->block; /* every FWPM_*0 struct starts with its key */
}

ws_obj *ws_obj_new(int kind, void *block, size_t size)
{
    ws_obj *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->kind = kind;
    o->block = block;
    o->block_size = size;
    return o;
}

void ws_obj_free(ws_obj *o)
{
    if (!o)
        return;
    free(o->block);
    free(o);
}

static int undo_reserve(ws_session *s)
{
    if (s->undo_len < s->undo_cap)
        return 0;
    size_t cap = s->undo_cap ? s->undo_cap * 2 : 16;
    ws_undo *n = realloc(s->undo, cap * sizeof *n);
    if (!n)
        return -1;
    s->undo = n;
    s->undo_cap = cap;
    return 0;
}

uint32_t ws_store_add(ws_session *s, ws_obj *o)
{
    if (undo_reserve(s) != 0)
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    uint64_t seq = ++g_ws.seq;
    o->seq = seq;
    uint32_t rc = ws_store_link(o);
    if (rc)
        return rc;
    s->undo[s->undo_len++] = (ws_undo){ WS_UNDO_ADDED, o };
    return 0;
}

uint32_t ws_store_remove(ws_session *s, ws_obj *o)
{
    if (undo_reserve(s) != 0)
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    if (ws_store_unlink(o) != 0)
        return WS_FWP_E_NOT_FOUND;
    s->undo[s->undo_len++] = (ws_undo){ WS_UNDO_REMOVED, o };
    return 0;
}

/* Puts an object back where its creation order says it belongs. */
static void reinsert(ws_obj *o)
{
    if (ws_store_link(o) != 0)
        ws_obj_free(o); /* out of memory while undoing: the object is lost */
}

uint32_t ws_session_rollback(ws_session *s)
{
    for (size_t k = s->undo_len; k-- > 0;) {
        ws_undo *u = &s->undo[k];
        if (u->op == WS_UNDO_ADDED) {
            ws_store_unlink(u->obj);
            ws_obj_free(u->obj);
        } else {
            reinsert(u->obj);
        }
    }
    s->undo_len = 0;
    ws_store_compact();
    return 0;
}

uint32_t ws_session_commit(ws_session *s)
{
    int persist = 0;
    for (size_t k = 0; k < s->undo_len; k++)
        if (s->undo[k].obj->persistent)
            persist = 1;
    if (persist && ws_state_path()) {
        uint32_t rc = ws_state_save();
        if (rc) {
            ws_session_rollback(s);
            return rc;
        }
    }
    for (size_t k = 0; k < s->undo_len; k++)
        if (s->undo[k].op == WS_UNDO_REMOVED)
            ws_obj_free(s->undo[k].obj);
    if (s->undo_len)
        g_ws.generation++;
    s->undo_len = 0;
    ws_store_compact();
    return 0;
}

void ws_session_free_undo(ws_session *s)
{
    free(s->undo);
    s->undo = NULL;
    s->undo_len = s->undo_cap = 0;
}

void ws_session_drop_dynamic(ws_session *s)
{
    static const int order[] = { WS_KIND_FILTER, WS_KIND_CALLOUT, WS_KIND_SUBLAYER, WS_KIND_PROVIDER };
    int changed = 0;
    for (size_t k = 0; k < 4; k++) {
        ws_order *v = &g_ws.objs[order[k]];
        for (size_t i = v->len; i-- > 0;) {
            ws_obj *o = v->items[i];
            if (o && o->owner == s->id) {
                ws_store_unlink(o);
                ws_obj_free(o);
                changed = 1;
            }
        }
    }
    if (changed)
        g_ws.generation++;
    ws_store_compact();
}

void ws_store_drop_all(void)
{
    for (int k = 0; k < 5; k++) {
        ws_order *v = &g_ws.objs[k];
        for (size_t i = 0; i < v->len; i++)
            ws_obj_free(v->items[i]); /* NULL for tombstones */
    }
    ws_store_index_free();
}

void ws_store_init_builtins(void)
{
    static const char name[] = "FWPM_SUBLAYER_UNIVERSAL";
    WS_WCHAR wname[sizeof name];
    for (size_t i = 0; i < sizeof name; i++)
        wname[i] = (WS_WCHAR)name[i];
    WS_FWPM_SUBLAYER0 sl;
    memset(&sl, 0, sizeof sl);
    sl.subLayerKey = WS_FWPM_SUBLAYER_UNIVERSAL;
    sl.displayData.name = wname;
    sl.weight = 0; /* guess: the universal sublayer's weight is not documented */
    if (ws_store_find(WS_KIND_SUBLAYER, &sl.subLayerKey))
        return;
    size_t size;
    void *block = ws_flat_clone(WS_KIND_SUBLAYER, &sl, &size);
    ws_obj *o = block ? ws_obj_new(WS_KIND_SUBLAYER, block, size) : NULL;
    if (!o) {
        free(block);
        return;
    }
    o->builtin = 1;
    o->seq = ++g_ws.seq;
    if (ws_store_link(o) != 0)
        ws_obj_free(o);
}

/*
 * Lifetime rule (a model of FWP_E_LIFETIME_MISMATCH): rank built-in and
 * persistent objects 3, ordinary (static) objects 2, dynamic-session objects 1.
 * An object may reference a target of higher rank, or of equal rank when both
 * are static/persistent or both belong to the same dynamic session. This keeps
 * the store consistent when a dynamic session ends (nothing outside it can
 * point at its objects) and when the engine restarts (persistent objects point
 * only at persistent objects).
 */
static int rank(const ws_obj *o)
{
    if (o->builtin || o->persistent)
        return 3;
    return o->owner ? 1 : 2;
}

uint32_t ws_check_lifetime(const ws_obj *referrer, const ws_obj *target)
{
    int a = rank(referrer), b = rank(target);
    if (b > a)
        return 0;
    if (b == a && (a != 1 || referrer->owner == target->owner))
        return 0;
    return WS_FWP_E_LIFETIME_MISMATCH;
}

/* ---- query API (wfpsim_store.h) --------------------------------------- */

uint64_t ws_store_generation(void)
{
    return g_ws.generation;
}

int ws_store_txn_open(void)
{
    return g_ws.txn_owner != NULL;
}

const WS_FWPM_CALLOUT0 *ws_store_callout_by_id(uint32_t id)
{
    ws_obj *o = ws_store_find_callout_id(id);
    return o ? o->block : NULL;
}

const WS_FWPM_CALLOUT0 *ws_store_callout_by_key(const WS_GUID *key)
{
    ws_obj *o = key ? ws_store_find(WS_KIND_CALLOUT, key) : NULL;
    return o ? o->block : NULL;
}

const WS_FWPM_FILTER0 *ws_store_filter_by_id(uint64_t id)
{
    ws_obj *o = ws_store_find_filter_id(id);
    return o ? o->block : NULL;
}

static int view_cmp(const void *pa, const void *pb)
{
    const ws_filter_view *a = pa, *b = pb;
    if (a->sublayer->weight != b->sublayer->weight)
        return a->sublayer->weight > b->sublayer->weight ? -1 : 1;
    if (a->effective_weight != b->effective_weight)
        return a->effective_weight > b->effective_weight ? -1 : 1;
    if (a->filter->filterId != b->filter->filterId)
        return a->filter->filterId < b->filter->filterId ? -1 : 1;
    return 0;
}

/*
 * The sorted filters of a layer, kept per layer until the store changes (every link and unlink
 * bumps g_ws.mutations; filter, sublayer and callout blocks never change while linked): a
 * classify asks for them twice, and scanning every filter of the store, sorting the matches and
 * allocating for each classify was a tenth of a simulator run. Used under the engine lock only.
 */
typedef struct layer_filters {
    WS_GUID layer;
    uint64_t stamp;           /* g_ws.mutations + 1 when filled; 0: unused slot */
    size_t n;
    ws_filter_view *views;
} layer_filters;
#define LAYER_CACHE_SLOTS 32
static layer_filters g_layer_cache[LAYER_CACHE_SLOTS];
static size_t g_layer_cache_next; /* round robin when every slot is taken */

static size_t filters_at_layer_uncached(const WS_GUID *layerKey, ws_filter_view **views)
{
    ws_order *v = &g_ws.objs[WS_KIND_FILTER];
    ws_filter_view *tmp = v->live ? malloc(v->live * sizeof *tmp) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < v->len && tmp; i++) {
        if (!v->items[i])
            continue;
        const WS_FWPM_FILTER0 *f = v->items[i]->block;
        if (!ws_guid_eq(&f->layerKey, layerKey) || (f->flags & WS_FWPM_FILTER_FLAG_DISABLED))
            continue;
        ws_obj *sl = ws_store_find(WS_KIND_SUBLAYER, &f->subLayerKey);
        if (!sl)
            continue; /* cannot happen: references are checked on add and delete */
        ws_filter_view *w = &tmp[n++];
        w->filter = f;
        w->sublayer = sl->block;
        w->callout = (f->action.type & WS_FWP_ACTION_FLAG_CALLOUT)
                         ? ws_store_callout_by_key(&f->action.calloutKey)
                         : NULL;
        w->effective_weight = f->effectiveWeight.uint64 ? *f->effectiveWeight.uint64 : 0;
    }
    if (n > 1)
        qsort(tmp, n, sizeof *tmp, view_cmp);
    *views = tmp;
    return n;
}

size_t ws_store_filters_at_layer(const WS_GUID *layerKey, ws_filter_view *out, size_t cap)
{
    uint64_t stamp = g_ws.mutations + 1;
    layer_filters *c = NULL;
    for (size_t i = 0; i < LAYER_CACHE_SLOTS; i++) {
        layer_filters *s = &g_layer_cache[i];
        if (s->stamp != 0 && ws_guid_eq(&s->layer, layerKey)) {
            c = s;
            break;
        }
    }
    if (!c || c->stamp != stamp) {
        ws_filter_view *views = NULL;
        size_t n = filters_at_layer_uncached(layerKey, &views);
        if (!views && g_ws.objs[WS_KIND_FILTER].live)
            return 0; /* out of memory: as before, no filters (and nothing kept) */
        if (!c) {
            for (size_t i = 0; i < LAYER_CACHE_SLOTS && !c; i++)
                if (g_layer_cache[i].stamp == 0)
                    c = &g_layer_cache[i];
            if (!c)
                c = &g_layer_cache[g_layer_cache_next++ % LAYER_CACHE_SLOTS];
        }
        free(c->views);
        c->layer = *layerKey;
        c->stamp = stamp;
        c->n = n;
        c->views = views;
    }
    for (size_t i = 0; i < c->n && i < cap; i++)
        out[i] = c->views[i];
    return c->n;
}
