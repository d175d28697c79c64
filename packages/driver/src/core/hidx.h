/*
 * hidx.h - an open-addressing hash index from a 32-bit hash to entry numbers (prefix
 * wk_hidx_). The flow table and the app table keep their entries in fixed arrays (an
 * entry never moves, so its number can be handed out); this index finds them.
 *
 * Slots are uint64: hash << 32 | (entry + 1), 0 = empty. Linear probing; removal shifts
 * the following run back (no tombstones), so a lookup never walks more than the run it
 * hashes into. The owner sizes it with at least twice as many slots as entries (load
 * <= 1/2: expected probes < 2.5 for a miss), so insert always finds a free slot.
 * No allocation, no lock: the owner's lock covers it.
 */
#ifndef WK_CORE_HIDX_H
#define WK_CORE_HIDX_H

#include <stdint.h>

typedef struct wk_hidx {
    uint64_t *slots; /* nslots entries, owner's memory */
    uint32_t mask;   /* nslots - 1 (nslots a power of two) */
    uint32_t reserved0;
} wk_hidx;

/* Slots needed for `entries` entries: a power of two >= 2 * entries (at least 8). */
uint32_t wk_hidx_slots_for(uint32_t entries);

/* Uses memory[0 .. nslots) (nslots from wk_hidx_slots_for), which it clears. */
void wk_hidx_init(wk_hidx *h, uint64_t *memory, uint32_t nslots);

/* Walks the entries stored under `hash`: call wk_hidx_first, then wk_hidx_next with the
 * same pos until it returns 0. Returns
 * entry + 1, or 0 when there are no more. The caller compares the keys. */
uint32_t wk_hidx_first(const wk_hidx *h, uint32_t hash, uint32_t *pos);
uint32_t wk_hidx_next(const wk_hidx *h, uint32_t hash, uint32_t *pos);

/* Adds entry under hash. The owner guarantees a free slot (load <= 1/2). */
void wk_hidx_insert(wk_hidx *h, uint32_t hash, uint32_t entry);

/* Removes entry (stored under hash). Returns 1 if it was there. */
int wk_hidx_remove(wk_hidx *h, uint32_t hash, uint32_t entry);

#endif /* WK_CORE_HIDX_H */
