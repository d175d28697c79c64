/*
 * ring_test.c - unit tests of the session event ring (src/core/ring.c).
 *
 * Data records carry a sequence number (flowId) and a payload derived from it, so a
 * consumer can check every byte of every record, and that the records between two it
 * received were reported lost by a LOSS record in between. The counter invariant
 * produced == delivered + dropped + recordsInRing is checked after every operation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ring.h"

#define HDR ((uint32_t)sizeof(WK_RECORD_HEADER))
#define LOSS ((uint32_t)sizeof(WK_LOSS_RECORD))

static uint64_t g_mem[(1u << 20) / 8u]; /* 8-byte aligned ring memory */
static uint8_t g_out[1u << 20];

static uint8_t payload_byte(uint64_t seq, uint32_t i)
{
    return (uint8_t)(seq * 31u + i * 7u + 1u);
}

/* Offers data record `seq` of `bytes` (>= HDR); 1 if the ring took it. */
static int produce(wk_ring *r, uint64_t seq, uint32_t bytes)
{
    WK_RECORD_HEADER h;
    uint8_t *p = (uint8_t *)wk_ring_reserve(r, bytes, 1000u + seq);
    uint32_t i;
    if (p == NULL) {
        return 0;
    }
    CHECK(((uintptr_t)p & 7u) == 0);
    memset(&h, 0, sizeof h);
    h.type = (uint16_t)WK_EVENT_TYPE_STREAM_DATA;
    h.size = 0; /* commit sets it */
    h.timestamp = seq;
    h.flowId = seq;
    memcpy(p, &h, sizeof h);
    for (i = HDR; i < WK_ALIGN_RECORD(bytes); i++) {
        p[i] = payload_byte(seq, i);
    }
    wk_ring_commit(r);
    return 1;
}

static void check_invariant(const wk_ring *r)
{
    WK_SESSION_COUNTERS c;
    memset(&c, 0, sizeof c);
    wk_ring_counters(r, &c);
    CHECK_EQ(c.eventsProduced, c.eventsDelivered + c.eventsDropped + c.recordsInRing);
    CHECK(c.ringUsed <= c.ringBytes);
    CHECK(c.ringHighWater >= c.ringUsed);
    CHECK(c.ringHighWater <= c.ringBytes);
    CHECK((c.recordsInRing == 0) == (c.ringUsed == 0));
}

/* What the consumer expects next. */
typedef struct consumer {
    uint64_t next;      /* sequence number of the next data record */
    uint64_t totalLost; /* sum of LOSS.lost seen */
    uint64_t records;
    uint64_t losses;
    unsigned bad;
} consumer;

/* Checks the records read into g_out. */
static void consume_check(consumer *c, const wk_ring_read_info *info)
{
    uint32_t off = 0, n;
    for (n = 0; n < info->records; n++) {
        WK_RECORD_HEADER h;
        if (info->bytes - off < HDR) {
            c->bad++;
            return;
        }
        memcpy(&h, g_out + off, sizeof h);
        if (h.size < HDR || (h.size & 7u) != 0 || h.size > info->bytes - off) {
            c->bad++;
            return;
        }
        if (h.type == WK_EVENT_TYPE_LOSS) {
            WK_LOSS_RECORD l;
            memcpy(&l, g_out + off, sizeof l);
            if (h.size != LOSS || l.reason != WK_LOSS_REASON_RING_FULL || l.lost == 0 ||
                l.header.flowId != 0 || l.reserved0 != 0) {
                c->bad++;
            }
            c->next += l.lost;
            c->totalLost += l.lost;
            if (l.totalLost != c->totalLost) {
                c->bad++;
            }
            c->losses++;
        } else {
            uint32_t i;
            if (h.type != WK_EVENT_TYPE_STREAM_DATA || h.flowId != c->next ||
                h.timestamp != c->next) {
                c->bad++;
            }
            for (i = HDR; i < h.size; i++) {
                if (g_out[off + i] != payload_byte(h.flowId, i)) {
                    c->bad++;
                    break;
                }
            }
            c->next++;
            c->records++;
        }
        off += h.size;
    }
    if (off != info->bytes) {
        c->bad++;
    }
}

static void test_init(void)
{
    wk_ring r;
    WK_SESSION_COUNTERS c;
    g_case = "init";
    CHECK_EQ(wk_ring_init(&r, NULL, 4096), -1);
    CHECK_EQ(wk_ring_init(&r, (uint8_t *)g_mem + 4, 4096), -1); /* misaligned */
    CHECK_EQ(wk_ring_init(&r, g_mem, 4100), -1);                /* not a multiple of 8 */
    CHECK_EQ(wk_ring_init(&r, g_mem, WK_RING_MIN_BYTES - 8u), -1);
    /* A ring that failed init refuses everything, counted. */
    CHECK(wk_ring_reserve(&r, 64, 0) == NULL);
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, NULL), 0);
    wk_ring_counters(&r, &c);
    CHECK_EQ(c.eventsProduced, 1);
    CHECK_EQ(c.eventsDropped, 1);
    check_invariant(&r);
    CHECK_EQ(wk_ring_init(&r, g_mem, WK_RING_MIN_BYTES), 0);
    CHECK_EQ(wk_ring_peek_size(&r), 0);
}

static void test_basic(void)
{
    wk_ring r;
    wk_ring_read_info info;
    consumer c;
    WK_SESSION_COUNTERS k;
    uint64_t seq;
    g_case = "basic";
    memset(&c, 0, sizeof c);
    CHECK_EQ(wk_ring_init(&r, g_mem, 4096), 0);
    for (seq = 0; seq < 10; seq++) {
        CHECK(produce(&r, seq, HDR + (uint32_t)seq * 5u));
        check_invariant(&r);
    }
    CHECK_EQ(wk_ring_peek_size(&r), HDR);
    wk_ring_counters(&r, &k);
    CHECK_EQ(k.recordsInRing, 10);
    CHECK_EQ(k.ringBytes, 4096);
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 10);
    CHECK_EQ(info.more, 0);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(c.next, 10);
    CHECK_EQ(info.bytes, k.ringUsed);
    wk_ring_counters(&r, &k);
    CHECK_EQ(k.eventsDelivered, 10);
    CHECK_EQ(k.ringUsed, 0);
    CHECK(k.ringHighWater > 0);
    check_invariant(&r);

    g_case = "reserve sizes";
    CHECK(wk_ring_reserve(&r, HDR - 1u, 0) == NULL); /* smaller than a header: refused */
    CHECK(wk_ring_reserve(&r, 4097, 0) == NULL);     /* larger than the ring */
    CHECK(wk_ring_reserve(&r, 0xFFFFFFFFu, 0) == NULL);
    wk_ring_counters(&r, &k);
    CHECK_EQ(k.eventsDropped, 3);
    check_invariant(&r);
    /* the drops wrote one LOSS record, lost 3 */
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 1);
    c.next = 10;
    consume_check(&c, &info);
    CHECK_EQ(c.losses, 1);
    CHECK_EQ(c.totalLost, 3);
    CHECK_EQ(c.bad, 0);

    g_case = "cancel and rounding";
    CHECK(wk_ring_reserve(&r, 100, 0) != NULL);
    wk_ring_cancel(&r);
    wk_ring_commit(&r); /* nothing to commit */
    wk_ring_counters(&r, &k);
    CHECK_EQ(k.recordsInRing, 0);
    {
        uint8_t rec[30];
        WK_RECORD_HEADER h;
        memset(rec, 0xAB, sizeof rec);
        memset(&h, 0, sizeof h);
        h.type = 3;
        h.size = 999; /* overwritten */
        memcpy(rec, &h, sizeof h);
        CHECK_EQ(wk_ring_append(&r, rec, sizeof rec, 5), 0);
        CHECK_EQ(wk_ring_peek_size(&r), 32);
        CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 1);
        memcpy(&h, g_out, sizeof h);
        CHECK_EQ(h.size, 32);
        CHECK_EQ(g_out[29], 0xAB);
        CHECK_EQ(g_out[30], 0);
        CHECK_EQ(g_out[31], 0);
    }
    check_invariant(&r);
}

static void test_exact_fit(void)
{
    wk_ring r;
    wk_ring_read_info info;
    consumer c;
    WK_SESSION_COUNTERS k;
    const uint32_t size = 256;
    g_case = "exact fit";
    memset(&c, 0, sizeof c);
    CHECK_EQ(wk_ring_init(&r, g_mem, size), 0);
    /* The largest record a ring takes leaves exactly the LOSS headroom. */
    CHECK(!produce(&r, 0, size - LOSS + 8u));
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 1); /* the LOSS record */
    consume_check(&c, &info);
    CHECK(produce(&r, 1, size - LOSS));
    check_invariant(&r);
    /* Full but for the headroom: the next one is dropped and its LOSS record fills the
     * ring to the last byte. */
    CHECK(!produce(&r, 2, HDR));
    wk_ring_counters(&r, &k);
    CHECK_EQ(k.ringUsed, size);
    CHECK_EQ(k.ringHighWater, size);
    CHECK_EQ(k.recordsInRing, 2);
    CHECK(!produce(&r, 3, HDR)); /* updates the LOSS record in place */
    wk_ring_counters(&r, &k);
    CHECK_EQ(k.recordsInRing, 2);
    CHECK_EQ(k.eventsDropped, 3);
    check_invariant(&r);
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 2);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(c.next, 4);
    CHECK_EQ(c.totalLost, 3);

    g_case = "exact fit at the end of the buffer";
    /* 3 records of 64 from 0, the first consumed: [64, 192) used, [192, 256) and
     * [0, 64) free. A 64-byte record ends exactly at the end of the buffer (the headroom
     * is [0, 64)); the next one would wrap and leave 40 < 48 bytes: dropped, and its
     * LOSS record wraps to 0. */
    CHECK_EQ(wk_ring_init(&r, g_mem, size), 0);
    memset(&c, 0, sizeof c);
    CHECK(produce(&r, 0, 64));
    CHECK(produce(&r, 1, 64));
    CHECK(produce(&r, 2, 64));
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 1, &info), 1);
    consume_check(&c, &info);
    CHECK(produce(&r, 3, 64));
    CHECK_EQ(r.head, size);
    CHECK_EQ(r.wrapped, 0);
    CHECK(!produce(&r, 4, 24));
    CHECK_EQ(r.wrapped, 1);
    CHECK_EQ(r.head, LOSS);
    check_invariant(&r);
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 4);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(c.next, 5);
    CHECK_EQ(c.losses, 1);
    CHECK_EQ(r.wrapped, 0);
    CHECK_EQ(r.head, 0); /* empty: back to the start */
    CHECK(produce(&r, 5, size - LOSS));
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 1);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
}

static void test_wrap(void)
{
    wk_ring r;
    wk_ring_read_info info;
    consumer c;
    uint64_t seq = 0;
    unsigned round;
    g_case = "wrap-around";
    memset(&c, 0, sizeof c);
    CHECK_EQ(wk_ring_init(&r, g_mem, 1024), 0);
    /* Records of 136 bytes never divide 1024: every lap wraps with an unused gap. */
    for (round = 0; round < 200; round++) {
        while (produce(&r, seq, 136)) {
            seq++;
            check_invariant(&r);
        }
        /* read everything but leave the ring mid-buffer half the time */
        if (round % 2 == 0) {
            CHECK_EQ(wk_ring_read(&r, g_out, 3u * 136u + 48u, 0, &info), info.records);
        } else {
            CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), info.records);
        }
        consume_check(&c, &info);
        seq++; /* the one that was refused */
        check_invariant(&r);
    }
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), info.records);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(c.next, seq);
    CHECK(c.losses > 0);
}

static void test_loss_sequence(void)
{
    wk_ring r;
    wk_ring_read_info info;
    consumer c;
    WK_LOSS_RECORD l;
    uint64_t seq = 0;
    int i;
    g_case = "full, drops, loss record";
    memset(&c, 0, sizeof c);
    CHECK_EQ(wk_ring_init(&r, g_mem, 1024), 0);
    while (produce(&r, seq, 200)) {
        seq++;
    }
    seq++;
    for (i = 0; i < 4; i++) {
        CHECK(!produce(&r, seq++, 200));
    }
    check_invariant(&r);
    /* The LOSS record is the newest record: 5 lost so far. */
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 5);
    memcpy(&l, g_out + info.bytes - LOSS, sizeof l);
    CHECK_EQ(l.header.type, WK_EVENT_TYPE_LOSS);
    CHECK_EQ(l.lost, 5);
    CHECK_EQ(l.totalLost, 5);
    CHECK_EQ(l.header.timestamp, 1000u + 4u); /* the first drop's time */
    consume_check(&c, &info);
    /* After the LOSS record was read, a new drop writes a new one. */
    while (produce(&r, seq, 200)) {
        seq++;
    }
    seq++;
    CHECK(!produce(&r, seq++, 200));
    /* Free one record: the next append succeeds and follows the LOSS record. */
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 1, &info), 1);
    consume_check(&c, &info);
    CHECK(produce(&r, seq++, 24));
    CHECK(!produce(&r, seq++, 800)); /* a drop after a record: a second LOSS record */
    check_invariant(&r);
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), info.records);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(c.next, seq);
    CHECK_EQ(c.losses, 3);
    CHECK_EQ(c.totalLost, 5 + 2 + 1);
}

static void test_read_limits(void)
{
    wk_ring r;
    wk_ring_read_info info;
    consumer c;
    uint64_t seq;
    g_case = "maxRecords";
    memset(&c, 0, sizeof c);
    CHECK_EQ(wk_ring_init(&r, g_mem, 8192), 0);
    for (seq = 0; seq < 7; seq++) {
        CHECK(produce(&r, seq, 64 + (uint32_t)seq * 8u));
    }
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 2, &info), 2);
    CHECK_EQ(info.more, 1);
    consume_check(&c, &info);
    check_invariant(&r);

    g_case = "output smaller than the next record";
    CHECK_EQ(wk_ring_peek_size(&r), 80);
    CHECK_EQ(wk_ring_read(&r, g_out, 79, 0, &info), 0);
    CHECK_EQ(info.more, 1);
    CHECK_EQ(info.bytes, 0);
    CHECK_EQ(wk_ring_read(&r, NULL, 0, 0, &info), 0);
    CHECK_EQ(info.more, 1);
    CHECK_EQ(wk_ring_read(&r, g_out, 80 + 88 + 95, 0, &info), 2); /* third does not fit */
    CHECK_EQ(info.bytes, 80 + 88);
    CHECK_EQ(info.more, 1);
    consume_check(&c, &info);
    CHECK_EQ(wk_ring_read(&r, g_out, sizeof g_out, 0, &info), 3);
    CHECK_EQ(info.more, 0);
    consume_check(&c, &info);
    CHECK_EQ(c.bad, 0);
    CHECK_EQ(c.next, 7);
    check_invariant(&r);
}

/* Seeded random interleaving of producer and consumer on rings of several sizes. */
static void test_random_schedule(void)
{
    static const uint32_t sizes[] = {128, 256, 1000, 4096, 65536};
    unsigned s;
    g_case = "random schedule";
    rng_seed(20240611u);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        wk_ring r;
        wk_ring_read_info info;
        consumer c;
        uint64_t seq = 0;
        unsigned step;
        memset(&c, 0, sizeof c);
        CHECK_EQ(wk_ring_init(&r, g_mem, sizes[s]), 0);
        for (step = 0; step < 60000; step++) {
            uint32_t op = rng_range(0, 99);
            /* Phases of fast producer and fast consumer, so the ring fills and drains. */
            uint32_t produceBias = (step / 2000u) % 2u == 0 ? 70u : 35u;
            if (op < produceBias) {
                uint32_t bytes = rng_range(0, 49) == 0 ? rng_range(HDR, sizes[s])
                                                       : rng_range(HDR, 300);
                produce(&r, seq, bytes);
                seq++;
            } else {
                uint32_t pick = rng_range(0, 9);
                uint32_t outBytes = pick < 3   ? rng_range(0, 400)
                                    : pick < 9 ? rng_range(0, 5000)
                                               : (uint32_t)sizeof g_out;
                uint32_t maxRecords = rng_range(0, 4);
                wk_ring_read(&r, g_out, outBytes, maxRecords, &info);
                if (maxRecords != 0) {
                    CHECK(info.records <= maxRecords);
                }
                CHECK(info.bytes <= outBytes);
                consume_check(&c, &info);
            }
            check_invariant(&r);
            if (c.bad != 0) {
                break;
            }
        }
        while (wk_ring_read(&r, g_out, sizeof g_out, 0, &info) != 0) {
            consume_check(&c, &info);
        }
        CHECK_EQ(c.bad, 0);
        CHECK_EQ(c.next, seq); /* every event delivered or reported lost */
        CHECK_EQ(r.dropped, c.totalLost);
        CHECK_EQ(r.records, 0);
        check_invariant(&r);
        printf("ring %6u bytes: %llu records, %llu lost in %llu LOSS records\n",
               (unsigned)sizes[s], (unsigned long long)c.records,
               (unsigned long long)c.totalLost, (unsigned long long)c.losses);
    }
}

int main(void)
{
    test_init();
    test_basic();
    test_exact_fit();
    test_wrap();
    test_loss_sequence();
    test_read_limits();
    test_random_schedule();
    return check_report();
}
