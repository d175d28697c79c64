/*
 * ws_index.c - the store's indexes, so that no per-call operation costs time
 * proportional to the number of stored objects:
 *
 *   - per kind, objects in creation order (ws_order): a vector sorted by seq
 *     where a removed object leaves a tombstone (NULL item, its seq kept), so
 *     removal is O(log n) and putting an object back on rollback finds its old
 *     slot again; tombstones are squeezed out once no change is pending;
 *   - per kind, key -> object; filter id -> filter; callout id -> callout
 *     (ws_hmap, open addressing with linear probing and backward-shift
 *     deletion, at most half full);
 *   - per referenced kind (provider, sublayer, callout), key -> number of
 *     stored objects that refer to that key, which answers "in use?" for a
 *     delete without scanning.
 *
 * Every object enters and leaves the store through ws_store_link() and
 * ws_store_unlink(), which keep all of these in step.
 */
#include <stdlib.h>
#include <string.h>

#include "ws_internal.h"

/* ---- hashing ------------------------------------------------------------ */

uint64_t ws_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

uint64_t ws_hash_guid(const WS_GUID *g)
{
    uint64_t a, b;
    memcpy(&a, g, 8);
    memcpy(&b, (const uint8_t *)g + 8, 8);
    return ws_hash_u64(a ^ ws_hash_u64(b + 0x9E3779B97F4A7C15ull));
}

/* ---- open-addressing map ------------------------------------------------ */

static int hmap_grow(ws_hmap *m, size_t cap)
{
    ws_hslot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        ws_hslot *s = &m->slots[i];
        if (!s->val)
            continue;
        size_t j = (size_t)s->hash & (cap - 1);
        while (slots[j].val)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int ws_hmap_reserve(ws_hmap *m, size_t extra)
{
    size_t need = m->len + extra;
    if (need * 2 <= m->cap)
        return 0;
    size_t cap = m->cap ? m->cap : 16;
    while (need * 2 > cap)
        cap *= 2;
    return hmap_grow(m, cap);
}

void *ws_hmap_find(const ws_hmap *m, uint64_t hash, ws_hmap_eq eq, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const ws_hslot *s = &m->slots[i];
        if (!s->val)
            return NULL;
        if (s->hash == hash && eq(s->val, key))
            return s->val;
    }
}

int ws_hmap_insert(ws_hmap *m, uint64_t hash, void *val)
{
    if (ws_hmap_reserve(m, 1) != 0)
        return -1;
    size_t mask = m->cap - 1;
    size_t i = (size_t)hash & mask;
    while (m->slots[i].val)
        i = (i + 1) & mask;
    m->slots[i].hash = hash;
    m->slots[i].val = val;
    m->len++;
    return 0;
}

int ws_hmap_remove(ws_hmap *m, uint64_t hash, const void *val)
{
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1;
    size_t i = (size_t)hash & mask;
    for (;; i = (i + 1) & mask) {
        if (!m->slots[i].val)
            return -1;
        if (m->slots[i].val == val)
            break;
    }
    /* backward-shift deletion: move later members of the probe run into the hole */
    size_t hole = i;
    for (size_t j = (hole + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
        size_t home = (size_t)m->slots[j].hash & mask;
        /* slot j may move to the hole unless its home lies cyclically in (hole, j] */
        int stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].val = NULL;
    m->slots[hole].hash = 0;
    m->len--;
    return 0;
}

void ws_hmap_free(ws_hmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}

/* ---- creation-order vectors --------------------------------------------- */

static int order_reserve(ws_order *v, size_t extra)
{
    if (v->len + extra <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap : 16;
    while (cap < v->len + extra)
        cap *= 2;
    ws_obj **items = realloc(v->items, cap * sizeof *items);
    if (!items)
        return -1;
    v->items = items;
    uint64_t *seqs = realloc(v->seqs, cap * sizeof *seqs);
    if (!seqs)
        return -1;
    v->seqs = seqs;
    v->cap = cap;
    return 0;
}

/* First slot whose seq is >= seq. */
static size_t order_lower_bound(const ws_order *v, uint64_t seq)
{
    size_t lo = 0, hi = v->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->seqs[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void ws_order_compact(ws_order *v)
{
    size_t w = 0;
    for (size_t i = 0; i < v->len; i++) {
        if (v->items[i]) {
            v->items[w] = v->items[i];
            v->seqs[w] = v->seqs[i];
            w++;
        }
    }
    v->len = w;
}

void ws_order_free(ws_order *v)
{
    free(v->items);
    free(v->seqs);
    memset(v, 0, sizeof *v);
}

/* ---- references -------------------------------------------------------- */

typedef struct ws_ref {
    WS_GUID key;
    size_t count;
} ws_ref;

static int ref_eq(const void *val, const void *key)
{
    return ws_guid_eq(&((const ws_ref *)val)->key, key);
}

static int key_eq(const void *val, const void *key)
{
    return ws_guid_eq(ws_obj_key(val), key);
}

static int filter_id_eq(const void *val, const void *key)
{
    return ((const WS_FWPM_FILTER0 *)((const ws_obj *)val)->block)->filterId == *(const uint64_t *)key;
}

static int callout_id_eq(const void *val, const void *key)
{
    return ((const WS_FWPM_CALLOUT0 *)((const ws_obj *)val)->block)->calloutId == *(const uint32_t *)key;
}

/* The (kind, key) pairs an object refers to; returns how many (at most 3). */
static size_t refs_of(const ws_obj *o, int kinds[3], const WS_GUID *keys[3])
{
    size_t n = 0;
    switch (o->kind) {
    case WS_KIND_SUBLAYER: {
        const WS_FWPM_SUBLAYER0 *s = o->block;
        if (s->providerKey) {
            kinds[n] = WS_KIND_PROVIDER;
            keys[n++] = s->providerKey;
        }
        break;
    }
    case WS_KIND_CALLOUT: {
        const WS_FWPM_CALLOUT0 *c = o->block;
        if (c->providerKey) {
            kinds[n] = WS_KIND_PROVIDER;
            keys[n++] = c->providerKey;
        }
        break;
    }
    case WS_KIND_FILTER: {
        const WS_FWPM_FILTER0 *f = o->block;
        if (f->providerKey) {
            kinds[n] = WS_KIND_PROVIDER;
            keys[n++] = f->providerKey;
        }
        kinds[n] = WS_KIND_SUBLAYER;
        keys[n++] = &f->subLayerKey;
        if (f->action.type & WS_FWP_ACTION_FLAG_CALLOUT) {
            kinds[n] = WS_KIND_CALLOUT;
            keys[n++] = &f->action.calloutKey;
        }
        break;
    }
    default:
        break;
    }
    return n;
}

static ws_ref *ref_find(int kind, const WS_GUID *key, uint64_t h)
{
    return ws_hmap_find(&g_ws.refs[kind], h, ref_eq, key);
}

size_t ws_store_ref_count(int kind, const WS_GUID *key)
{
    ws_ref *r = ref_find(kind, key, ws_hash_guid(key));
    return r ? r->count : 0;
}

/* ---- lookups ------------------------------------------------------------ */

ws_obj *ws_store_find(int kind, const WS_GUID *key)
{
    return ws_hmap_find(&g_ws.by_key[kind], ws_hash_guid(key), key_eq, key);
}

ws_obj *ws_store_find_callout_id(uint32_t id)
{
    return ws_hmap_find(&g_ws.callout_by_id, ws_hash_u64(id), callout_id_eq, &id);
}

ws_obj *ws_store_find_filter_id(uint64_t id)
{
    return ws_hmap_find(&g_ws.filter_by_id, ws_hash_u64(id), filter_id_eq, &id);
}

static ws_hmap *id_map(const ws_obj *o, uint64_t *h)
{
    if (o->kind == WS_KIND_FILTER) {
        *h = ws_hash_u64(((const WS_FWPM_FILTER0 *)o->block)->filterId);
        return &g_ws.filter_by_id;
    }
    if (o->kind == WS_KIND_CALLOUT) {
        *h = ws_hash_u64(((const WS_FWPM_CALLOUT0 *)o->block)->calloutId);
        return &g_ws.callout_by_id;
    }
    return NULL;
}

/* ---- link / unlink ------------------------------------------------------ */

uint32_t ws_store_link(ws_obj *o)
{
    ws_order *v = &g_ws.objs[o->kind];
    uint64_t hid = 0;
    ws_hmap *ids = id_map(o, &hid);
    int kinds[3];
    const WS_GUID *keys[3];
    size_t nref = refs_of(o, kinds, keys);
    ws_ref *refs[3] = { NULL, NULL, NULL };

    /* allocate everything first, so that nothing below can fail half-way */
    if (order_reserve(v, 1) != 0 || ws_hmap_reserve(&g_ws.by_key[o->kind], 1) != 0 ||
        (ids && ws_hmap_reserve(ids, 1) != 0))
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    for (size_t i = 0; i < nref; i++) {
        uint64_t h = ws_hash_guid(keys[i]);
        refs[i] = ref_find(kinds[i], keys[i], h);
        if (refs[i])
            continue;
        ws_ref *r = calloc(1, sizeof *r);
        if (!r || ws_hmap_insert(&g_ws.refs[kinds[i]], h, r) != 0) {
            free(r);
            return WS_ERROR_NOT_ENOUGH_MEMORY; /* refs added so far stay, at count 0 */
        }
        r->key = *keys[i];
        refs[i] = r;
    }

    /* creation order: appended, or put back into its old slot (rollback) */
    size_t pos = (v->len == 0 || v->seqs[v->len - 1] < o->seq) ? v->len : order_lower_bound(v, o->seq);
    if (pos < v->len && v->seqs[pos] == o->seq) {
        if (v->items[pos])
            return WS_ERROR_INVALID_DATA; /* a second object with this seq: cannot happen */
        v->items[pos] = o;
    } else {
        memmove(v->items + pos + 1, v->items + pos, (v->len - pos) * sizeof *v->items);
        memmove(v->seqs + pos + 1, v->seqs + pos, (v->len - pos) * sizeof *v->seqs);
        v->items[pos] = o;
        v->seqs[pos] = o->seq;
        v->len++;
    }
    v->live++;
    g_ws.mutations++;
    ws_hmap_insert(&g_ws.by_key[o->kind], ws_hash_guid(ws_obj_key(o)), o); /* reserved */
    if (ids)
        ws_hmap_insert(ids, hid, o);
    for (size_t i = 0; i < nref; i++)
        refs[i]->count++;
    return 0;
}

int ws_store_unlink(ws_obj *o)
{
    ws_order *v = &g_ws.objs[o->kind];
    size_t pos = order_lower_bound(v, o->seq);
    if (pos >= v->len || v->items[pos] != o)
        return -1;
    v->items[pos] = NULL;
    v->live--;
    g_ws.mutations++;
    ws_hmap_remove(&g_ws.by_key[o->kind], ws_hash_guid(ws_obj_key(o)), o);
    uint64_t hid = 0;
    ws_hmap *ids = id_map(o, &hid);
    if (ids)
        ws_hmap_remove(ids, hid, o);
    int kinds[3];
    const WS_GUID *keys[3];
    size_t nref = refs_of(o, kinds, keys);
    for (size_t i = 0; i < nref; i++) {
        uint64_t h = ws_hash_guid(keys[i]);
        ws_ref *r = ref_find(kinds[i], keys[i], h);
        if (r && r->count && --r->count == 0) {
            ws_hmap_remove(&g_ws.refs[kinds[i]], h, r);
            free(r);
        }
    }
    return 0;
}

/* Squeezes tombstones out once they are at least half of a vector. Called
 * when no change is pending, so rollback still finds tombstones to refill. */
void ws_store_compact(void)
{
    for (int k = 0; k < 5; k++) {
        ws_order *v = &g_ws.objs[k];
        size_t dead = v->len - v->live;
        if (dead >= 64 && dead * 2 >= v->len)
            ws_order_compact(v);
    }
}

void ws_store_index_free(void)
{
    g_ws.mutations++;
    for (int k = 0; k < 5; k++) {
        ws_order_free(&g_ws.objs[k]);
        ws_hmap_free(&g_ws.by_key[k]);
        ws_hmap *r = &g_ws.refs[k];
        for (size_t i = 0; i < r->cap; i++)
            free(r->slots[i].val);
        ws_hmap_free(r);
    }
    ws_hmap_free(&g_ws.filter_by_id);
    ws_hmap_free(&g_ws.callout_by_id);
}
