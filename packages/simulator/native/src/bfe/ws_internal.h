/*
 * ws_internal.h - private declarations shared by the base filtering engine
 * modules (src/bfe). Nothing here is exported from libwfpsim.
 *
 * Memory model: every stored object and every block handed to a caller is one
 * "flat" allocation: the struct first, then everything its pointers point to
 * (strings, blobs, conditions, ...), so a whole object is freed with one free()
 * and FwpmFreeMemory0 needs no type information. ws_flat.c builds such blocks.
 */
#ifndef WS_INTERNAL_H
#define WS_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "wfpsim/wfpsim_api.h"
#include "wfpsim/wfpsim_store.h"

#define WS_HIDDEN __attribute__((visibility("hidden")))

/* ---- GUIDs (ws_guid.c) ------------------------------------------------ */
int ws_guid_eq(const WS_GUID *a, const WS_GUID *b);
int ws_guid_is_zero(const WS_GUID *g);
void ws_guid_random(WS_GUID *out);

/* ---- flat blocks (ws_flat.c) ------------------------------------------ */
typedef struct ws_flat {
    uint8_t *buf;       /* NULL while measuring */
    uintptr_t virt;     /* value that offset 0 has in written pointers */
    size_t off;         /* bytes reserved so far */
    /* source side: translate and (optionally) bounds-check every pointer read */
    uintptr_t src_bias; /* added to non-NULL source pointers (0 for live memory) */
    int src_checked;
    uintptr_t src_lo, src_hi;
    int ok;             /* 0 after a bounds violation or size overflow */
} ws_flat;

enum ws_kind { WS_KIND_PROVIDER = 1, WS_KIND_SUBLAYER = 2, WS_KIND_CALLOUT = 3, WS_KIND_FILTER = 4 };

size_t ws_struct_size(int kind);
/* Reserves `kind`'s struct and its pointees, copies them from src; returns the
 * struct's offset in the block. */
size_t ws_flat_object(ws_flat *f, int kind, const void *src);
size_t ws_flat_reserve(ws_flat *f, size_t n, size_t align);
void *ws_flat_at(ws_flat *f, size_t off);
void *ws_flat_vptr(ws_flat *f, size_t off);
/* One standalone block holding a deep copy of src (NULL on OOM / bad source). */
void *ws_flat_clone(int kind, const void *src, size_t *size_out);
/* Rebuilds a block saved with virt = 0 (pointers are offsets); checks bounds. */
void *ws_flat_from_saved(int kind, const uint8_t *saved, size_t size, size_t *size_out);
/* Writes a block with pointers replaced by offsets into out (size from clone). */
int ws_flat_to_saved(int kind, const void *block, uint8_t *out, size_t size);
size_t ws_wstr_len(const WS_WCHAR *s);

/* ---- caller-owned memory (ws_mem.c) ----------------------------------- */
void *ws_mem_alloc_tracked(size_t n);   /* zeroed, registered for FwpmFreeMemory0 */
void ws_mem_track(void *p);
void ws_mem_reset(void);

/* ---- objects and the store (ws_obj_store.c) --------------------------- */
typedef struct ws_obj {
    int kind;
    uint64_t seq;          /* creation order; enumeration order */
    uint64_t owner;        /* session id for dynamic objects, 0 otherwise */
    int persistent;
    int builtin;
    void *block;           /* flat WS_FWPM_*0 */
    size_t block_size;
} ws_obj;

typedef struct ws_vec {
    void **items;
    size_t len, cap;
} ws_vec;

int ws_vec_push(ws_vec *v, void *p);
void ws_vec_remove_at(ws_vec *v, size_t i);
int ws_vec_insert_at(ws_vec *v, size_t i, void *p);
void ws_vec_free(ws_vec *v);

/* ---- store indexes (ws_index.c) ---------------------------------------- */
typedef struct ws_hslot {
    uint64_t hash;
    void *val;              /* NULL = empty slot */
} ws_hslot;

/* Open addressing, linear probing, at most half full. */
typedef struct ws_hmap {
    ws_hslot *slots;
    size_t cap, len;
} ws_hmap;

typedef int (*ws_hmap_eq)(const void *val, const void *key);
uint64_t ws_hash_u64(uint64_t x);
uint64_t ws_hash_guid(const WS_GUID *g);
int ws_hmap_reserve(ws_hmap *m, size_t extra);
void *ws_hmap_find(const ws_hmap *m, uint64_t hash, ws_hmap_eq eq, const void *key);
int ws_hmap_insert(ws_hmap *m, uint64_t hash, void *val);
int ws_hmap_remove(ws_hmap *m, uint64_t hash, const void *val); /* by identity */
void ws_hmap_free(ws_hmap *m);

/* Objects of one kind in creation order. items[i] == NULL is a tombstone
 * (seqs[i] keeps the removed object's seq); seqs is strictly increasing. */
typedef struct ws_order {
    struct ws_obj **items;
    uint64_t *seqs;
    size_t len, cap;        /* slots, tombstones included */
    size_t live;            /* non-NULL items */
} ws_order;

void ws_order_compact(ws_order *v);
void ws_order_free(ws_order *v);

enum ws_undo_op { WS_UNDO_ADDED = 1, WS_UNDO_REMOVED = 2 };
typedef struct ws_undo {
    int op;
    ws_obj *obj;
} ws_undo;

typedef struct ws_session {
    uint64_t id;
    uintptr_t handle;
    int dynamic;
    uint32_t txn_timeout_ms;
    WS_GUID key;
    int in_txn;          /* explicit transaction open */
    int txn_read_only;
    ws_undo *undo;       /* changes of the open (explicit or implicit) transaction */
    size_t undo_len, undo_cap;
} ws_session;

enum ws_handle_type { WS_H_ENGINE = 1, WS_H_ENUM = 2 };

typedef struct ws_enum {
    int kind;
    uint64_t session_id;
    WS_GUID *keys;       /* snapshot of the matching objects' keys */
    size_t count, next;
} ws_enum;

typedef struct ws_engine {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int loaded;                 /* persistent state read (or nothing to read) */
    ws_order objs[5];           /* indexed by ws_kind: creation order (ws_index.c) */
    ws_hmap by_key[5];          /* key -> ws_obj*, per kind */
    ws_hmap filter_by_id;       /* filterId -> ws_obj* */
    ws_hmap callout_by_id;      /* calloutId -> ws_obj* */
    ws_hmap callout_reserved;   /* calloutKey -> ws_callout_rsv*: ids FwpsCalloutRegister holds
                                   (kept across WfpsimReset, like the kernel's registrations) */
    ws_hmap refs[5];            /* per referenced kind: key -> count of referrers */
    uint64_t seq;
    uint64_t generation;
    uint64_t mutations;         /* bumped by every link and unlink: keys the per-layer filter caches */
    uint64_t next_session_id;
    uint32_t next_callout_id;
    uint64_t next_filter_id;
    uintptr_t next_handle;
    ws_vec handles;             /* ws_handle_entry* */
    ws_session *txn_owner;      /* session holding an explicit transaction */
    int state_path_set;         /* WfpsimSetStateFile was called */
    char *state_path;           /* explicit path (NULL = none) */
} ws_engine;

typedef struct ws_handle_entry {
    uintptr_t value;
    int type;
    void *ptr;                  /* ws_session* or ws_enum* */
} ws_handle_entry;

extern ws_engine g_ws;

/* handles */
uintptr_t ws_handle_add(int type, void *ptr);
void *ws_handle_get(uintptr_t value, int type);
void ws_handle_remove(uintptr_t value);

/* Locks the engine and resolves an engine handle, waiting (up to the session's
 * txnWaitTimeoutInMSec) while another session holds a transaction. On success
 * the engine stays locked: call ws_leave(). On failure it is unlocked. */
uint32_t ws_enter(WS_HANDLE engineHandle, ws_session **out);
void ws_leave(void);
/* For mutating calls: refuses changes inside a read-only transaction. */
uint32_t ws_check_writable(ws_session *s);
/* Ends a mutating call: commits (rc == 0, outside an explicit transaction) or
 * rolls back (rc != 0) the call's changes; returns the final code. */
uint32_t ws_finish_change(ws_session *s, uint32_t rc);

/* Every object enters and leaves the store (order, indexes, reference
 * counts) through these two; o->seq must be set before linking. */
uint32_t ws_store_link(ws_obj *o);
int ws_store_unlink(ws_obj *o);
/* Drops tombstones when no change is pending (after commit / rollback). */
void ws_store_compact(void);
void ws_store_index_free(void);
/* Number of stored objects that refer to the `kind` object with this key. */
size_t ws_store_ref_count(int kind, const WS_GUID *key);
ws_obj *ws_store_find(int kind, const WS_GUID *key);
ws_obj *ws_store_find_callout_id(uint32_t id);
ws_obj *ws_store_find_filter_id(uint64_t id);
const WS_GUID *ws_obj_key(const ws_obj *o);
uint32_t ws_store_add(ws_session *s, ws_obj *o);      /* records undo */
uint32_t ws_store_remove(ws_session *s, ws_obj *o);   /* records undo */
void ws_obj_free(ws_obj *o);
ws_obj *ws_obj_new(int kind, void *block, size_t size);
void ws_store_drop_all(void);
void ws_store_init_builtins(void);
/* Lifetime rule: an object may reference only objects that live at least as long. */
uint32_t ws_check_lifetime(const ws_obj *referrer_like, const ws_obj *target);
void ws_session_free_undo(ws_session *s);
uint32_t ws_session_rollback(ws_session *s);
uint32_t ws_session_commit(ws_session *s);
void ws_session_drop_dynamic(ws_session *s);

/* ---- validation (ws_cond.c) ------------------------------------------- */
uint32_t ws_check_display(const WS_FWPM_DISPLAY_DATA0 *d);
uint32_t ws_check_blob_inline(const WS_FWP_BYTE_BLOB *b);
uint32_t ws_check_conditions(const ws_layer_info *layer, uint32_t n,
                             const WS_FWPM_FILTER_CONDITION0 *conds);
int ws_condition_equal(const WS_FWPM_FILTER_CONDITION0 *a, const WS_FWPM_FILTER_CONDITION0 *b);

/* ---- per-kind validation and reference checks (ws_obj_*.c) ------------ */
uint32_t ws_provider_validate(const WS_FWPM_PROVIDER0 *p);
uint32_t ws_sublayer_validate(const WS_FWPM_SUBLAYER0 *p, const ws_obj *self_like);
uint32_t ws_callout_validate(const WS_FWPM_CALLOUT0 *c, const ws_obj *self_like);
/* The id a callout read from the state file gets: the id reserved for its key if the kernel
 * holds one, a fresh id if its stored id is reserved for another key, else the stored id. */
uint32_t ws_callout_loaded_id(const WS_GUID *key, uint32_t stored);
/* After WfpsimReset: the next id is above every reserved one. */
void ws_callout_ids_after_reset(void);
uint32_t ws_filter_validate(const WS_FWPM_FILTER0 *f, const ws_obj *self_like);
uint64_t ws_filter_auto_weight(const WS_FWPM_FILTER0 *f);

/* ---- enumeration (ws_obj_enum.c) -------------------------------------- */
typedef int (*ws_enum_match_fn)(const ws_obj *o, const void *tmpl);
uint32_t ws_enum_create(WS_HANDLE engineHandle, int kind, ws_enum_match_fn match,
                        const void *tmpl, WS_HANDLE *enumHandle);
uint32_t ws_enum_next(WS_HANDLE engineHandle, WS_HANDLE enumHandle, int kind, uint32_t n,
                      void ***entries, uint32_t *returned);
uint32_t ws_enum_destroy(WS_HANDLE engineHandle, WS_HANDLE enumHandle, int kind);
uint32_t ws_get_copy(const ws_obj *o, void **out);
uint32_t ws_delete_obj(ws_session *s, ws_obj *o, int kind);
uint32_t ws_insert_clone(ws_session *s, int kind, const void *src, int persistent);
ws_obj ws_like(ws_session *s, int persistent);

/* ---- state file (ws_state_file.c) ------------------------------------- */
const char *ws_state_path(void);
uint32_t ws_state_load(void);   /* called with the lock held on first open */
uint32_t ws_state_save(void);   /* writes every persistent object atomically */

#endif /* WS_INTERNAL_H */
