/*
 * ring.c - the session event ring. See ring.h for the layout, the LOSS record rules and
 * the counting; every function here runs under the caller's lock.
 */
#include "ring.h"

#include <string.h>

#define WK_HDR_SIZE_OFFSET ((uint32_t)offsetof(WK_RECORD_HEADER, size))

static uint32_t wk_ring_load_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void wk_ring_store_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/* Where a record of n bytes (n a multiple of 8, n > 0) would go: at head, or, when the
 * ring is not wrapped and [head, size) is too short, at 0 in front of tail. */
static int wk_ring_place(const wk_ring *r, uint32_t n, uint32_t *off, uint8_t *wraps)
{
    if (!r->wrapped) {
        if (r->size - r->head >= n) {
            *off = r->head;
            *wraps = 0;
            return 1;
        }
        if (r->records != 0 && r->tail >= n) {
            *off = 0;
            *wraps = 1;
            return 1;
        }
        return 0;
    }
    if (r->tail - r->head >= n) {
        *off = r->head;
        *wraps = 0;
        return 1;
    }
    return 0;
}

/* Whether `need` more bytes could still be placed once a record of n bytes sits at off. */
static int wk_ring_room_after(const wk_ring *r, uint32_t off, uint32_t n, uint8_t wraps,
                              uint32_t need)
{
    uint32_t newHead = off + n;
    if (!r->wrapped && !wraps) {
        /* After it: [newHead, size); in front of tail: [0, tail) (empty if ring empty). */
        return r->size - newHead >= need || (r->records != 0 && r->tail >= need);
    }
    /* Wrapped afterwards: only [newHead, tail) is free (newHead <= tail by placement). */
    return r->tail - newHead >= need;
}

/* Makes the n bytes at off the newest record. */
static void wk_ring_publish(wk_ring *r, uint32_t off, uint32_t n, uint8_t wraps)
{
    if (wraps) {
        r->wrapEnd = r->head;
        r->wrapped = 1;
    }
    r->head = off + n;
    r->used += n;
    r->records++;
    r->produced++;
    if (r->used > r->highWater) {
        r->highWater = r->used;
    }
}

/* Counts a refused event and writes or updates the open LOSS record. */
static void wk_ring_drop(wk_ring *r, uint64_t now)
{
    WK_LOSS_RECORD loss;
    uint32_t off;
    uint8_t wraps;

    r->produced++;
    r->dropped++;
    if (r->base == NULL) {
        return;
    }
    if (r->lossOpen) {
        uint8_t *rec = r->base + r->lossOff;
        uint64_t lost;
        memcpy(&lost, rec + offsetof(WK_LOSS_RECORD, lost), sizeof lost);
        lost++;
        memcpy(rec + offsetof(WK_LOSS_RECORD, lost), &lost, sizeof lost);
        memcpy(rec + offsetof(WK_LOSS_RECORD, totalLost), &r->dropped, sizeof r->dropped);
        return;
    }
    /* The headroom every admitted record left guarantees this placement; if it ever
     * failed, the drop is still counted and the next drop tries again. */
    if (!wk_ring_place(r, WK_RING_LOSS_BYTES, &off, &wraps)) {
        return;
    }
    memset(&loss, 0, sizeof loss);
    loss.header.type = (uint16_t)WK_EVENT_TYPE_LOSS;
    loss.header.size = WK_RING_LOSS_BYTES;
    loss.header.timestamp = now;
    loss.lost = 1;
    loss.totalLost = r->dropped;
    loss.reason = WK_LOSS_REASON_RING_FULL;
    memcpy(r->base + off, &loss, sizeof loss);
    wk_ring_publish(r, off, WK_RING_LOSS_BYTES, wraps);
    r->lossOpen = 1;
    r->lossOff = off;
}

int wk_ring_init(wk_ring *r, void *memory, uint32_t bytes)
{
    memset(r, 0, sizeof *r);
    if (memory == NULL || ((uintptr_t)memory & 7u) != 0 || (bytes & 7u) != 0 ||
        bytes < WK_RING_MIN_BYTES) {
        return -1;
    }
    r->base = (uint8_t *)memory;
    r->size = bytes;
    return 0;
}

void *wk_ring_reserve(wk_ring *r, uint32_t bytes, uint64_t now)
{
    uint32_t n;
    uint32_t off;
    uint8_t wraps;

    r->resvSize = 0;
    if (r->base == NULL || bytes < (uint32_t)sizeof(WK_RECORD_HEADER) || bytes > r->size) {
        wk_ring_drop(r, now);
        return NULL;
    }
    n = WK_ALIGN_RECORD(bytes); /* bytes <= size, a multiple of 8: no overflow */
    if (!wk_ring_place(r, n, &off, &wraps) ||
        !wk_ring_room_after(r, off, n, wraps, WK_RING_LOSS_BYTES)) {
        wk_ring_drop(r, now);
        return NULL;
    }
    r->resvOff = off;
    r->resvSize = n;
    r->resvWraps = wraps;
    wk_ring_store_u32(r->base + off + WK_HDR_SIZE_OFFSET, n);
    return r->base + off;
}

void wk_ring_commit(wk_ring *r)
{
    if (r->resvSize == 0) {
        return;
    }
    wk_ring_store_u32(r->base + r->resvOff + WK_HDR_SIZE_OFFSET, r->resvSize);
    wk_ring_publish(r, r->resvOff, r->resvSize, r->resvWraps);
    r->resvSize = 0;
    /* A record now follows the LOSS record: later drops need a new one. */
    r->lossOpen = 0;
}

void wk_ring_cancel(wk_ring *r)
{
    r->resvSize = 0;
}

int wk_ring_append(wk_ring *r, const void *record, uint32_t bytes, uint64_t now)
{
    uint8_t *p = (uint8_t *)wk_ring_reserve(r, bytes, now);
    if (p == NULL) {
        return -1;
    }
    memcpy(p, record, bytes);
    if (r->resvSize > bytes) {
        memset(p + bytes, 0, r->resvSize - bytes);
    }
    wk_ring_commit(r);
    return 0;
}

/* The ring's bookkeeping disagrees with a record header: only a caller writing past its
 * reservation can cause this. Discard everything (counted as dropped, so the counter
 * invariant still holds) rather than copy garbage. */
static void wk_ring_discard_all(wk_ring *r)
{
    r->dropped += r->records;
    r->records = 0;
    r->used = 0;
    r->head = 0;
    r->tail = 0;
    r->wrapped = 0;
    r->lossOpen = 0;
}

uint32_t wk_ring_read(wk_ring *r, void *out, uint32_t outBytes, uint32_t maxRecords,
                      wk_ring_read_info *info)
{
    uint8_t *dst = (uint8_t *)out;
    uint32_t count = 0;
    uint32_t bytes = 0;

    /* Reading moves tail (and may reset head), so a reservation is void from here. */
    r->resvSize = 0;
    while (r->records != 0 && (maxRecords == 0 || count < maxRecords)) {
        uint32_t limit = r->wrapped ? r->wrapEnd : r->head;
        uint32_t size = wk_ring_load_u32(r->base + r->tail + WK_HDR_SIZE_OFFSET);
        if (size < (uint32_t)sizeof(WK_RECORD_HEADER) || (size & 7u) != 0 ||
            size > limit - r->tail || size > r->used) {
            wk_ring_discard_all(r);
            break;
        }
        if (dst == NULL || size > outBytes - bytes) {
            break;
        }
        memcpy(dst + bytes, r->base + r->tail, size);
        if (r->lossOpen && r->tail == r->lossOff) {
            r->lossOpen = 0;
        }
        r->tail += size;
        r->used -= size;
        r->records--;
        r->delivered++;
        bytes += size;
        count++;
        if (r->records == 0) {
            /* Empty: start again at 0, the whole buffer in one piece. */
            r->head = 0;
            r->tail = 0;
            r->wrapped = 0;
        } else if (r->wrapped && r->tail == r->wrapEnd) {
            r->tail = 0;
            r->wrapped = 0;
        }
    }
    if (info != NULL) {
        info->records = count;
        info->bytes = bytes;
        info->more = r->records != 0 ? 1u : 0u;
    }
    return count;
}

uint32_t wk_ring_peek_size(const wk_ring *r)
{
    if (r->records == 0) {
        return 0;
    }
    return wk_ring_load_u32(r->base + r->tail + WK_HDR_SIZE_OFFSET);
}

void wk_ring_counters(const wk_ring *r, WK_SESSION_COUNTERS *c)
{
    c->eventsProduced = r->produced;
    c->eventsDelivered = r->delivered;
    c->eventsDropped = r->dropped;
    c->ringBytes = r->size;
    c->ringUsed = r->used;
    c->ringHighWater = r->highWater;
    c->recordsInRing = r->records;
}
