/*
 * app.c - interned application paths (see app.h).
 */
#include "app.h"

#include <string.h>

/* FNV-1a over the bytes: paths differ mostly at the end (the file name). */
static uint32_t wk_app_hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

size_t wk_app_memory_bytes(uint32_t capacity)
{
    return (size_t)capacity * sizeof(wk_app_entry) +
           (size_t)wk_hidx_slots_for(capacity) * sizeof(uint64_t);
}

void wk_app_init(wk_app_table *t, void *memory, uint32_t capacity)
{
    uint32_t i;
    memset(t, 0, sizeof *t);
    t->entries = (wk_app_entry *)memory;
    t->capacity = capacity;
    /* The index follows the entries; sizeof(wk_app_entry) is a multiple of 8. */
    wk_hidx_init(&t->index, (uint64_t *)(void *)((uint8_t *)memory +
                                                 (size_t)capacity * sizeof(wk_app_entry)),
                 wk_hidx_slots_for(capacity));
    for (i = 0; i < capacity; i++) {
        t->entries[i].refs = 0;
        t->entries[i].nextFree = i + 2u <= capacity ? i + 2u : 0u;
    }
    t->freeHead = capacity != 0 ? 1u : 0u;
}

uint32_t wk_app_clip_utf16(const uint8_t *path, size_t bytes, uint32_t limit, int *cut)
{
    /* Whole code units only: an odd last byte is half a unit and is dropped. */
    size_t n = bytes & ~(size_t)1;
    size_t keep = limit & ~(uint32_t)1;
    *cut = 0;
    if (path == NULL) {
        return 0;
    }
    while (n >= 2 && path[n - 1] == 0 && path[n - 2] == 0) {
        n -= 2; /* the terminator(s) WFP's blob includes */
    }
    if (n > keep) {
        n = keep;
        *cut = 1;
        if (n >= 2) {
            uint32_t last = (uint32_t)path[n - 2] | ((uint32_t)path[n - 1] << 8);
            if (last >= 0xD800u && last <= 0xDBFFu) {
                n -= 2; /* a high surrogate whose low half was cut off */
            }
        }
    }
    return (uint32_t)n;
}

uint32_t wk_app_intern(wk_app_table *t, const uint8_t *path, size_t bytes)
{
    int cut;
    uint32_t n = wk_app_clip_utf16(path, bytes, WK_MAX_APP_PATH_BYTES, &cut);
    uint32_t hash, pos, e, i;
    wk_app_entry *a;
    if (n == 0) {
        return WK_APP_NONE;
    }
    hash = wk_app_hash(path, n);
    for (e = wk_hidx_first(&t->index, hash, &pos); e != 0; e = wk_hidx_next(&t->index, hash, &pos)) {
        a = &t->entries[e - 1u];
        if (a->length == n && a->truncated == (uint8_t)cut && memcmp(a->path, path, n) == 0) {
            a->refs++;
            return e;
        }
    }
    if (t->freeHead == 0) {
        t->refused++;
        return WK_APP_NONE;
    }
    i = t->freeHead - 1u;
    a = &t->entries[i];
    t->freeHead = a->nextFree;
    a->nextFree = 0;
    a->hash = hash;
    a->refs = 1;
    a->length = (uint16_t)n;
    a->truncated = (uint8_t)cut;
    memcpy(a->path, path, n);
    wk_hidx_insert(&t->index, hash, i);
    t->count++;
    return i + 1u;
}

static wk_app_entry *wk_app_get(const wk_app_table *t, uint32_t ref)
{
    if (ref == WK_APP_NONE || ref > t->capacity || t->entries[ref - 1u].refs == 0) {
        return NULL;
    }
    return &t->entries[ref - 1u];
}

void wk_app_ref(wk_app_table *t, uint32_t ref)
{
    wk_app_entry *a = wk_app_get(t, ref);
    if (a != NULL) {
        a->refs++;
    }
}

void wk_app_release(wk_app_table *t, uint32_t ref)
{
    wk_app_entry *a = wk_app_get(t, ref);
    if (a == NULL) {
        return;
    }
    if (--a->refs == 0) {
        wk_hidx_remove(&t->index, a->hash, ref - 1u);
        a->length = 0;
        a->nextFree = t->freeHead;
        t->freeHead = ref;
        t->count--;
    }
}

const uint8_t *wk_app_path(const wk_app_table *t, uint32_t ref, uint16_t *length,
                           uint8_t *truncated)
{
    const wk_app_entry *a = wk_app_get(t, ref);
    if (a == NULL) {
        *length = 0;
        if (truncated != NULL) {
            *truncated = 0;
        }
        return NULL;
    }
    *length = a->length;
    if (truncated != NULL) {
        *truncated = a->truncated;
    }
    return a->path;
}
