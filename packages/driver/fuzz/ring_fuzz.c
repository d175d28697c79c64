/*
 * ring_fuzz.c - libFuzzer target for the event ring.
 *
 * Input: two bytes pick the ring size (WK_RING_MIN_BYTES .. 16 KiB, multiple of 8); then
 * operations of two bytes, op and arg. op with the top bit set reserves a record whose
 * size comes from op's low bits and arg (sometimes not a multiple of 8, sometimes too
 * small or too large), then commits or (arg bit 4) cancels it; otherwise it reads with
 * an output buffer of (op << 7) + (arg & 0x7F) bytes and maxRecords arg >> 6. Records carry a
 * sequence number and a payload derived from it; the consumer checks every byte, that
 * LOSS records account exactly for the sequence numbers it never saw, and the counter
 * invariant after every operation. Any violation aborts.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -I../include -I../src/core \
 *        ring_fuzz.c ../src/core/ring.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define HDR ((uint32_t)sizeof(WK_RECORD_HEADER))

static uint64_t g_mem[16384 / 8];

static uint8_t pay(uint64_t seq, uint32_t i)
{
    return (uint8_t)(seq * 131u + i);
}

typedef struct model {
    uint64_t next;      /* next data sequence number the consumer expects */
    uint64_t totalLost; /* LOSS.lost summed */
} model;

static void check_counters(const wk_ring *r)
{
    WK_SESSION_COUNTERS c;
    memset(&c, 0, sizeof c);
    wk_ring_counters(r, &c);
    if (c.eventsProduced != c.eventsDelivered + c.eventsDropped + c.recordsInRing ||
        c.ringUsed > c.ringBytes || c.ringHighWater < c.ringUsed ||
        (c.recordsInRing == 0) != (c.ringUsed == 0)) {
        abort();
    }
}

static void check_output(model *m, const uint8_t *out, const wk_ring_read_info *info)
{
    uint32_t off = 0, n;
    for (n = 0; n < info->records; n++) {
        WK_RECORD_HEADER h;
        if (info->bytes - off < HDR) {
            abort();
        }
        memcpy(&h, out + off, sizeof h);
        if (h.size < HDR || (h.size & 7u) != 0 || h.size > info->bytes - off) {
            abort();
        }
        if (h.type == WK_EVENT_TYPE_LOSS) {
            WK_LOSS_RECORD l;
            if (h.size != sizeof l) {
                abort();
            }
            memcpy(&l, out + off, sizeof l);
            m->next += l.lost;
            m->totalLost += l.lost;
            if (l.lost == 0 || l.totalLost != m->totalLost || l.reason != WK_LOSS_REASON_RING_FULL) {
                abort();
            }
        } else {
            uint32_t i;
            if (h.flowId != m->next) {
                abort();
            }
            for (i = HDR; i < h.size; i++) {
                if (out[off + i] != pay(h.flowId, i)) {
                    abort();
                }
            }
            m->next++;
        }
        off += h.size;
    }
    if (off != info->bytes) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wk_ring r;
    model m;
    uint8_t *out;
    wk_ring_read_info info;
    uint64_t seq = 0;
    uint32_t bytes;
    size_t i = 2;

    if (size < 2) {
        return 0;
    }
    bytes = WK_RING_MIN_BYTES + ((((uint32_t)data[0] << 8) | data[1]) % 2033u) * 8u;
    if (wk_ring_init(&r, g_mem, bytes) != 0) {
        abort();
    }
    memset(&m, 0, sizeof m);
    out = (uint8_t *)malloc(16384);
    if (out == NULL) {
        abort();
    }
    while (i < size) {
        uint8_t op = data[i++];
        uint8_t arg = i < size ? data[i++] : 0;
        if (op & 0x80u) {
            /* record of 24 .. 24 + 8 * 1023 bytes, not always a multiple of 8 */
            uint32_t n = HDR + ((((uint32_t)op & 0x7Fu) << 3) | (arg & 7u)) * 8u - (arg >> 5);
            uint8_t *p = (uint8_t *)wk_ring_reserve(&r, n, seq);
            if (p != NULL) {
                WK_RECORD_HEADER h;
                uint32_t k;
                if (((uintptr_t)p & 7u) != 0 || p < (uint8_t *)g_mem ||
                    p + WK_ALIGN_RECORD(n) > (uint8_t *)g_mem + bytes) {
                    abort();
                }
                memset(&h, 0, sizeof h);
                h.type = (uint16_t)WK_EVENT_TYPE_STREAM_DATA;
                h.flowId = seq;
                memcpy(p, &h, sizeof h);
                for (k = HDR; k < WK_ALIGN_RECORD(n); k++) {
                    p[k] = pay(seq, k);
                }
                if ((arg & 0x10u) != 0) {
                    wk_ring_cancel(&r); /* cancelled: not an event, never seen */
                } else {
                    wk_ring_commit(&r);
                    seq++;
                }
            } else {
                seq++; /* dropped: a LOSS record must account for it */
            }
        } else {
            /* output 0 .. 16 KiB in steps of 128 + a remainder, maxRecords 0 .. 3 */
            uint32_t outBytes = ((uint32_t)op << 7) + (arg & 0x7Fu);
            uint32_t maxRecords = arg >> 6;
            uint8_t *o = (uint8_t *)malloc(outBytes != 0 ? outBytes : 1u);
            if (o == NULL) {
                abort();
            }
            wk_ring_read(&r, o, outBytes, maxRecords, &info);
            if (info.bytes > outBytes || (maxRecords != 0 && info.records > maxRecords)) {
                abort();
            }
            check_output(&m, o, &info);
            free(o);
        }
        check_counters(&r);
    }
    while (wk_ring_read(&r, out, 16384, 0, &info) != 0) {
        check_output(&m, out, &info);
    }
    if (m.next != seq || r.records != 0 || r.dropped != m.totalLost) {
        abort();
    }
    check_counters(&r);
    free(out);
    return 0;
}
