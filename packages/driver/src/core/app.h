/*
 * app.h - interned application paths (prefix wk_app_).
 *
 * FLOW_ESTABLISHED carries the process path (NT path, UTF-16, up to
 * WK_MAX_APP_PATH_BYTES in a record). Many flows share few applications, so a flow keeps
 * a 4-byte reference into this table instead of a copy: one entry per distinct path,
 * reference counted, found through a hash index (O(1)). Capacity is fixed when the
 * driver loads; nothing is allocated afterwards. When the table is full a flow gets
 * WK_APP_NONE (its records carry an empty path) and `refused` counts it.
 *
 * Paths are stored as given minus trailing UTF-16 NULs (WFP's blob counts the
 * terminator), cut to WK_MAX_APP_PATH_BYTES on a character boundary (never between the
 * two halves of a surrogate pair, never an odd byte); `truncated` says it was cut.
 *
 * Not thread safe: the caller holds the core's flow lock (DISPATCH_LEVEL).
 */
#ifndef WK_CORE_APP_H
#define WK_CORE_APP_H

#include <stddef.h>
#include <stdint.h>

#include "contract.h"
#include "hidx.h"

/* A reference handed to flows: entry index + 1; 0 = no path. */
#define WK_APP_NONE 0u

typedef struct wk_app_entry {
    uint32_t hash;
    uint32_t refs;      /* 0 = free (then nextFree links it) */
    uint32_t nextFree;  /* free list: index + 1, 0 = end */
    uint16_t length;    /* bytes of path (even) */
    uint8_t truncated;  /* the path was longer and was cut */
    uint8_t reserved0;
    uint8_t path[WK_MAX_APP_PATH_BYTES];
} wk_app_entry;

typedef struct wk_app_table {
    wk_app_entry *entries; /* capacity entries */
    wk_hidx index;
    uint32_t capacity;
    uint32_t count;        /* entries in use */
    uint32_t freeHead;     /* index + 1, 0 = none */
    uint32_t reserved0;
    uint64_t refused;      /* interns refused because the table was full */
} wk_app_table;

/* Bytes of memory wk_app_init needs for `capacity` entries (entries + index). */
size_t wk_app_memory_bytes(uint32_t capacity);

/* Sets the table up over memory (8-byte aligned, wk_app_memory_bytes(capacity) bytes). */
void wk_app_init(wk_app_table *t, void *memory, uint32_t capacity);

/* How many bytes of a UTF-16LE path of `bytes` bytes are kept (trailing NULs dropped,
 * cut to `limit` on a character boundary); *cut says whether anything but NULs was
 * dropped. Used for the app table and for every record tail that carries a path. */
uint32_t wk_app_clip_utf16(const uint8_t *path, size_t bytes, uint32_t limit, int *cut);

/* Returns a reference to the entry for this path (adding it, refs 1; or refs + 1), or
 * WK_APP_NONE when the path is empty or the table is full (counted in refused). */
uint32_t wk_app_intern(wk_app_table *t, const uint8_t *path, size_t bytes);

/* Adds a reference to an existing entry. WK_APP_NONE is ignored. */
void wk_app_ref(wk_app_table *t, uint32_t ref);

/* Drops a reference; the entry is freed when the last one goes. WK_APP_NONE ignored. */
void wk_app_release(wk_app_table *t, uint32_t ref);

/* The path of a reference (NULL, length 0 for WK_APP_NONE or a stale reference). */
const uint8_t *wk_app_path(const wk_app_table *t, uint32_t ref, uint16_t *length,
                           uint8_t *truncated);

#endif /* WK_CORE_APP_H */
