/*
 * ring.h - a session's bounded event ring of variable-size contract records.
 *
 * Memory: one caller-provided buffer of ringBytes (8-byte aligned, a multiple of 8),
 * set up once with wk_ring_init; nothing is allocated afterwards.
 *
 * Layout: records are stored contiguously, each starting on an 8-byte boundary with
 * header.size bytes (a multiple of 8). A record never straddles the end of the buffer:
 * when it does not fit between the write position and the end, it goes at offset 0 and
 * the end of the older data is remembered in wrapEnd (contiguous reservation; no skip
 * marker is written, so every byte the consumer copies is a contract record). The bytes
 * between wrapEnd and the end of the buffer are unused until the consumer passes them.
 *
 *   not wrapped:  [ free | tail ... records ... head | free ]
 *   wrapped:      [ records ... head | free | tail ... records ... wrapEnd | unused ]
 *
 * Loss records (LOSS, reason RING_FULL): every normal record is admitted only if, once
 * it is placed, a WK_LOSS_RECORD (48 bytes) could still be placed. That headroom means a
 * drop can always write its LOSS record at once, in the ring, at the position where the
 * dropped event would have gone. While that LOSS record is "open" (no record has been
 * committed after it and the consumer has not copied it yet), further drops update its
 * `lost` and `totalLost` in place instead of writing another. It closes when a record is
 * committed after it (so it precedes the next successful append, and `lost` counts the
 * events lost between the two records around it) or when the consumer copies it (the
 * copy frees 48 bytes, so the next drop can open a new one). So a consumer that drains
 * the ring always learns of every loss, even when nothing is appended afterwards.
 *
 * Counting (WK_SESSION_COUNTERS): a LOSS record the ring writes is an event like any
 * other: it counts in eventsProduced when written, in recordsInRing while it is in the
 * ring and in eventsDelivered once copied out; it is never dropped (the headroom). A
 * refused reservation counts in eventsProduced and eventsDropped. So
 *     eventsProduced == eventsDelivered + eventsDropped + recordsInRing
 * holds exactly after every call, and eventsDropped equals the last totalLost.
 * ringUsed is the bytes of the records in the ring (not the unused end gap).
 *
 * Concurrency: one producer and one consumer, both under one lock the caller holds
 * (in the Windows glue, the session's spin lock, acquired at IRQL <= DISPATCH_LEVEL
 * and so held at DISPATCH_LEVEL). The ring itself takes no lock and calls nothing.
 * A reservation must be committed or cancelled before the lock is released; the open
 * LOSS record is updated in place, so the consumer must copy under the same lock.
 */
#ifndef WK_CORE_RING_H
#define WK_CORE_RING_H

#include <stddef.h>
#include <stdint.h>

#include "contract.h"

/* Smallest ring wk_ring_init accepts (the contract's MIN_RING_BYTES is larger; this is
 * what the ring itself needs: a record and the LOSS headroom). */
#define WK_RING_MIN_BYTES 128u
/* Bytes kept free for a LOSS record. */
#define WK_RING_LOSS_BYTES ((uint32_t)sizeof(WK_LOSS_RECORD))

typedef struct wk_ring {
    uint8_t *base;      /* the caller's buffer */
    uint32_t size;      /* bytes of base: a multiple of 8 */
    uint32_t head;      /* offset where the next record goes: 0 .. size */
    uint32_t tail;      /* offset of the oldest record */
    uint32_t wrapEnd;   /* when wrapped: the older records are [tail, wrapEnd) */
    uint32_t used;      /* bytes of records in the ring (ringUsed) */
    uint32_t records;   /* records in the ring (recordsInRing) */
    uint32_t highWater; /* most bytes of records ever in the ring */
    uint32_t lossOff;   /* offset of the open LOSS record, when lossOpen */
    uint32_t resvOff;   /* the pending reservation, when resvSize != 0 */
    uint32_t resvSize;
    uint8_t wrapped;    /* records also occupy [0, head), after [tail, wrapEnd) */
    uint8_t lossOpen;   /* a LOSS record at lossOff may still be updated in place */
    uint8_t resvWraps;  /* the pending reservation starts the wrapped part at 0 */
    uint8_t reserved0;
    uint64_t produced;  /* eventsProduced */
    uint64_t delivered; /* eventsDelivered */
    uint64_t dropped;   /* eventsDropped */
} wk_ring;

/* What wk_ring_read returned. */
typedef struct wk_ring_read_info {
    uint32_t records; /* whole records copied */
    uint32_t bytes;   /* bytes copied (the records back to back) */
    uint32_t more;    /* 1 when records remain in the ring (READ_FLAGS_MORE_AVAILABLE) */
} wk_ring_read_info;

/* Sets up the ring over memory[0 .. bytes). memory must be 8-byte aligned, bytes a
 * multiple of 8 and >= WK_RING_MIN_BYTES. Returns 0, or -1 (ring left unusable: every
 * reservation then fails and counts as dropped). */
int wk_ring_init(wk_ring *ring, void *memory, uint32_t bytes);

/* Reserves a record of `bytes` (rounded up to 8; at least sizeof(WK_RECORD_HEADER)).
 * Returns where to write it, 8-byte aligned, or NULL when it does not fit: then the
 * event is counted as dropped and the open LOSS record is written or updated, stamped
 * with `now`. The caller writes the whole record and calls wk_ring_commit, which sets
 * header.size. A reservation not committed is forgotten at the next reserve. */
void *wk_ring_reserve(wk_ring *ring, uint32_t bytes, uint64_t now);
/* Publishes the pending reservation. No-op without one. */
void wk_ring_commit(wk_ring *ring);
/* Forgets the pending reservation without counting anything. */
void wk_ring_cancel(wk_ring *ring);
/* reserve + copy + commit. record's header.size is overwritten with the rounded size in
 * the ring copy; bytes past `bytes` up to the rounded size are zeroed. Returns 0 or -1
 * (dropped). */
int wk_ring_append(wk_ring *ring, const void *record, uint32_t bytes, uint64_t now);

/* Copies whole records, oldest first, to out[0 .. outBytes), at most maxRecords of them
 * (0 = no limit), and removes them from the ring. A record larger than what is left of
 * out stops the copy (and if it is the first, nothing is copied and info->more is 1).
 * Returns info->records. */
uint32_t wk_ring_read(wk_ring *ring, void *out, uint32_t outBytes, uint32_t maxRecords,
                      wk_ring_read_info *info);

/* Size of the oldest record, 0 when the ring is empty. */
uint32_t wk_ring_peek_size(const wk_ring *ring);

/* Fills the ring's fields of WK_SESSION_COUNTERS: eventsProduced, eventsDelivered,
 * eventsDropped, ringBytes, ringUsed, ringHighWater, recordsInRing. Others untouched. */
void wk_ring_counters(const wk_ring *ring, WK_SESSION_COUNTERS *counters);

#endif /* WK_CORE_RING_H */
