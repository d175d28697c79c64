/*
 * hidx.c - open-addressing hash index (see hidx.h).
 */
#include "hidx.h"

#include <string.h>

#define WK_HIDX_ENTRY(s) ((uint32_t)((s) & 0xFFFFFFFFu))
#define WK_HIDX_HASH(s) ((uint32_t)((s) >> 32))

uint32_t wk_hidx_slots_for(uint32_t entries)
{
    uint32_t n = 8;
    while (n < entries * 2u && n < 0x80000000u) {
        n <<= 1;
    }
    return n;
}

void wk_hidx_init(wk_hidx *h, uint64_t *memory, uint32_t nslots)
{
    h->slots = memory;
    h->mask = nslots - 1u;
    h->reserved0 = 0;
    memset(memory, 0, (size_t)nslots * sizeof(uint64_t));
}

/* Scans from *pos for an occupied slot with this hash; stops at the first empty one. */
static uint32_t wk_hidx_scan(const wk_hidx *h, uint32_t hash, uint32_t *pos)
{
    uint32_t i = *pos;
    for (;;) {
        uint64_t s = h->slots[i];
        if (s == 0) {
            *pos = i;
            return 0;
        }
        if (WK_HIDX_HASH(s) == hash) {
            *pos = i;
            return WK_HIDX_ENTRY(s);
        }
        i = (i + 1u) & h->mask;
    }
}

uint32_t wk_hidx_first(const wk_hidx *h, uint32_t hash, uint32_t *pos)
{
    *pos = hash & h->mask;
    return wk_hidx_scan(h, hash, pos);
}

uint32_t wk_hidx_next(const wk_hidx *h, uint32_t hash, uint32_t *pos)
{
    *pos = (*pos + 1u) & h->mask;
    return wk_hidx_scan(h, hash, pos);
}

void wk_hidx_insert(wk_hidx *h, uint32_t hash, uint32_t entry)
{
    uint32_t i = hash & h->mask;
    while (h->slots[i] != 0) {
        i = (i + 1u) & h->mask;
    }
    h->slots[i] = ((uint64_t)hash << 32) | (uint64_t)(entry + 1u);
}

int wk_hidx_remove(wk_hidx *h, uint32_t hash, uint32_t entry)
{
    uint32_t pos;
    uint32_t e = wk_hidx_first(h, hash, &pos);
    uint32_t hole, j;
    while (e != 0 && e != entry + 1u) {
        e = wk_hidx_next(h, hash, &pos);
    }
    if (e == 0) {
        return 0;
    }
    /* Backward shift: move each later member of the run whose home is not in
     * (hole, j] cyclically into the hole, so every entry stays reachable from home. */
    hole = pos;
    j = pos;
    for (;;) {
        uint32_t home;
        j = (j + 1u) & h->mask;
        if (h->slots[j] == 0) {
            break;
        }
        home = WK_HIDX_HASH(h->slots[j]) & h->mask;
        if (((j - home) & h->mask) >= ((j - hole) & h->mask)) {
            h->slots[hole] = h->slots[j];
            hole = j;
        }
    }
    h->slots[hole] = 0;
    return 1;
}
