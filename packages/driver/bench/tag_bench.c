/*
 * tag_bench.c - cost of tagging one packet through the core: wk_tag_begin (flow found by
 * its handle, ledger entry taken) + wk_tag_end (PACKET_TAGGED with a 64-byte snap) + the
 * notify events of a sent packet (EXIT_NETIO, NDIS_SEND_COMPLETE, CONTEXT_REMOVED: three
 * PACKET_NOTIFY records, the entry retired) + reading the records out of the ring, as the
 * READ_EVENTS dispatch does. No Fwps* call is in the figure (those are WFP's cost).
 *
 * Its platform.h: an uncontended test-and-set spin lock (an atomic exchange, as
 * KeAcquireSpinLock does on one CPU), a counter for the clock, calloc.
 *
 *   tag_bench [runs] [packets]    (median of `runs`, default 5; packets per run default 2M)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c99 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "dispatch.h"

static uint64_t g_clock = 130000000000000000ull;

uint64_t wk_plat_now(void)
{
    return g_clock++;
}

void wk_plat_spin_init(wk_plat_spinlock *lock)
{
    lock->opaque = 0;
}

wk_plat_irql wk_plat_spin_acquire(wk_plat_spinlock *lock)
{
    while (__atomic_exchange_n(&lock->opaque, (uintptr_t)1, __ATOMIC_ACQUIRE) != 0) {
    }
    return 0;
}

void wk_plat_spin_release(wk_plat_spinlock *lock, wk_plat_irql previous)
{
    (void)previous;
    __atomic_store_n(&lock->opaque, (uintptr_t)0, __ATOMIC_RELEASE);
}

void *wk_plat_alloc_nonpaged(size_t bytes)
{
    return calloc(1, bytes);
}

void wk_plat_free(void *memory)
{
    free(memory);
}

void wk_plat_session_wake(uint32_t slot)
{
    (void)slot;
}

static uint8_t g_packet[1500];
static uint8_t g_read[256 * 1024];

static size_t copy_packet(void *arg, void *dst, size_t n)
{
    (void)arg;
    memcpy(dst, g_packet, n);
    return n;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 5u;
    unsigned packets = argc > 2 ? (unsigned)atoi(argv[2]) : 2000000u;
    double ns[64];
    wk_core core;
    wk_core_config cfg;
    WK_SESSION_CONFIG sc;
    wk_dispatch_io io;
    wk_flow_params fp;
    wk_tag_packet pkt;
    uint32_t slot;
    uint64_t fctx = 0, records = 0;
    unsigned r, i;
    int k;

    if (runs == 0 || runs > 64 || packets == 0) {
        fprintf(stderr, "usage: tag_bench [runs 1..64] [packets]\n");
        return 2;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.features = WK_FEATURE_FLAGS_IPPACKET_LAYERS;
    if (wk_core_init(&core, &cfg) != 0 || wk_session_open(&core, &slot) != WK_STATUS_SUCCESS) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(&sc, 0, sizeof sc);
    sc.structSize = sizeof sc;
    sc.flags = WK_CONFIG_FLAGS_TAG_PACKETS | WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES;
    sc.inspectBudget = WK_DEFAULT_INSPECT_BUDGET;
    sc.ringBytes = 4u * 1024u * 1024u;
    sc.snapLen = 64;
    sc.tagLayers = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 | WK_TAG_LAYER_INBOUND_TRANSPORT_V4;
    memset(&io, 0, sizeof io);
    io.in = &sc;
    io.inLen = sizeof sc;
    if (wk_dispatch_ioctl(&core, slot, IOCTL_WFPKIT_SET_CONFIG, &io) != WK_STATUS_SUCCESS) {
        fprintf(stderr, "SET_CONFIG failed\n");
        return 1;
    }
    memset(&io, 0, sizeof io);
    (void)wk_dispatch_ioctl(&core, slot, IOCTL_WFPKIT_START, &io);
    memset(&fp, 0, sizeof fp);
    fp.flowHandle = 77;
    fp.endpoints.ipVersion = 4;
    fp.endpoints.ipProtocol = 6;
    fp.endpoints.localPort = 40000;
    fp.endpoints.remotePort = 443;
    fp.layerId = 52;
    fp.streamLayerId = 20;
    {
        WK_SESSION_INFO si;
        memset(&io, 0, sizeof io);
        io.out = &si;
        io.outLen = sizeof si;
        (void)wk_dispatch_ioctl(&core, slot, IOCTL_WFPKIT_GET_SESSION, &io);
        if (wk_flow_establish(&core, si.scopeKey, &fp, &fctx) != WK_FLOW_NEW) {
            fprintf(stderr, "flow not entered\n");
            return 1;
        }
        wk_flow_associated(&core, fctx, 1);
    }
    for (i = 0; i < sizeof g_packet; i++) {
        g_packet[i] = (uint8_t)(i * 7u);
    }
    memset(&pkt, 0, sizeof pkt);
    pkt.flowHandle = 77;
    pkt.hasFlowHandle = 1;
    pkt.layerId = 16;
    pkt.direction = WK_DIRECTION_OUTBOUND;
    pkt.tagLayer = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4;

    printf("command:");
    for (k = 0; k < argc; k++) {
        printf(" %s", argv[k]);
    }
    printf("\n");
    for (r = 0; r < runs; r++) {
        double t0 = now_ns();
        for (i = 0; i < packets; i++) {
            uint64_t ctx;
            int check;
            if (wk_tag_begin(&core, &pkt, &ctx, &check) != WK_TAG_ASSOCIATE) {
                fprintf(stderr, "not tagged\n");
                return 1;
            }
            wk_tag_end(&core, ctx, WK_TAG_END_OK, 1400, copy_packet, NULL);
            (void)wk_tag_notify(&core, WK_NBL_EVENT_TYPE_EXIT_NETIO, ctx, 16, 0, 0, 0);
            (void)wk_tag_notify(&core, WK_NBL_EVENT_TYPE_NDIS_SEND_COMPLETE, ctx, 16, 0, 0, 0);
            (void)wk_tag_notify(&core, WK_NBL_EVENT_TYPE_CONTEXT_REMOVED, ctx, 16, 0, 0, 0);
            if ((i & 1023u) == 1023u) {
                /* the reader keeps up: READ_EVENTS as the dispatcher serves it */
                WK_READ_REQUEST rq = {0, 0};
                WK_READ_RESULT res;
                memset(&io, 0, sizeof io);
                io.in = &rq;
                io.inLen = sizeof rq;
                io.out = g_read;
                io.outLen = sizeof g_read;
                (void)wk_dispatch_ioctl(&core, slot, IOCTL_WFPKIT_READ_EVENTS, &io);
                memcpy(&res, g_read, sizeof res);
                records += res.recordCount;
            }
        }
        ns[r] = (now_ns() - t0) / (double)packets;
    }
    {
        WK_COUNTERS c;
        memset(&io, 0, sizeof io);
        io.out = &c;
        io.outLen = sizeof c;
        (void)wk_dispatch_ioctl(&core, slot, IOCTL_WFPKIT_GET_COUNTERS, &io);
        if (c.session.eventsDropped != 0 || c.global.tagsInFlight != 0) {
            fprintf(stderr, "records dropped (%llu) or tags left (%u)\n",
                    (unsigned long long)c.session.eventsDropped, (unsigned)c.global.tagsInFlight);
            return 1;
        }
        printf("packets: %u per run x %u runs; records read %llu (4 per packet: PACKET_TAGGED with a 64-byte snap, 3 PACKET_NOTIFY); ledger %u entries x %u bytes\n",
               packets, runs, (unsigned long long)records, (unsigned)c.global.ledgerCapacity,
               (unsigned)sizeof(wk_tag_entry));
    }
    qsort(ns, runs, sizeof ns[0], cmp_double);
    printf("tagging cost, median of %u runs: %.1f ns per tagged packet (classify + ledger + 3 notifies + ring + read)\n",
           runs, ns[runs / 2]);
    wk_session_close(&core, slot);
    wk_core_free(&core);
    return 0;
}
