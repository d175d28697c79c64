/*
 * dispatch_fuzz.c - libFuzzer target for the IOCTL dispatcher against a live core.
 *
 * The input is a sequence of operations, each a byte (op) then operands taken from the
 * following bytes: open/close sessions, IOCTLs (a contract code or a random one, random
 * input and output lengths and offsets, input bytes from the fuzzer), flows established
 * by sessions' scope keys (association succeeding or failing), stream indications with
 * fuzzer bytes, flow deletes, pended reads completed (timed out or not) or cancelled.
 * After every operation: no lock held, no lock misuse, every open session's counters
 * satisfy produced == delivered + dropped + recordsInRing, the flow count is within
 * capacity. At the end everything is torn down and no block may be left allocated.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -I../include -I../src/core \
 *        -I../test/core dispatch_fuzz.c ../test/core/plat_host.c ../src/core/[a-z]*.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "dispatch.h"
#include "plat_host.h"

#define NSESS 4
#define NFLOWS 16

typedef struct fz {
    const uint8_t *p;
    size_t n;
} fz;

static uint8_t fz_u8(fz *f)
{
    uint8_t v = 0;
    if (f->n != 0) {
        v = *f->p++;
        f->n--;
    }
    return v;
}

static uint32_t fz_u16(fz *f)
{
    uint32_t lo = fz_u8(f);
    return lo | ((uint32_t)fz_u8(f) << 8);
}

static const uint32_t k_codes[] = {
    IOCTL_WFPKIT_GET_VERSION, IOCTL_WFPKIT_GET_SESSION, IOCTL_WFPKIT_SET_CONFIG,
    IOCTL_WFPKIT_START,       IOCTL_WFPKIT_STOP,        IOCTL_WFPKIT_READ_EVENTS,
    IOCTL_WFPKIT_GET_COUNTERS, IOCTL_WFPKIT_LIST_FLOWS,
};
static const uint32_t k_in[] = {0, 0, 24, 0, 0, 8, 0, 16};

static uint8_t g_inb[64];
static uint8_t g_outb[8192 + 8];
static uint8_t g_data[4096];

typedef struct bytes {
    const uint8_t *p;
    size_t n;
} bytes;

static size_t copy_fn(void *arg, void *dst, size_t n)
{
    const bytes *b = (const bytes *)arg;
    size_t k = n < b->n ? n : b->n;
    memcpy(dst, b->p, k);
    return k;
}

static void check(wk_core *c, const int *open, const uint32_t *slots)
{
    int i;
    if (g_plat_locks_held != 0 || g_plat_lock_errors != 0 || c->flowsActive > c->flowCapacity ||
        c->inspInUse > c->inspCapacity || c->apps.count > c->apps.capacity) {
        abort();
    }
    for (i = 0; i < NSESS; i++) {
        if (open[i]) {
            const wk_session *s = &c->sessions[slots[i]];
            if (s->ring.produced != s->ring.delivered + s->ring.dropped + s->ring.records) {
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static wk_core core;
    wk_core_config cfg;
    fz f;
    int open[NSESS] = {0, 0, 0, 0};
    int pending[NSESS] = {0, 0, 0, 0};
    uint32_t slots[NSESS] = {0, 0, 0, 0};
    uint64_t ctx[NFLOWS];
    uint64_t tctx[8]; /* tagged packets in flight */
    int i, steps = 0;

    f.p = data;
    f.n = size;
    memset(ctx, 0, sizeof ctx);
    memset(tctx, 0, sizeof tctx);
    memset(&cfg, 0, sizeof cfg);
    cfg.ledgerCapacity = 4; /* smaller than tctx: the ledger fills */
    cfg.flowCapacity = 8; /* smaller than NFLOWS: the table fills */
    cfg.appCapacity = 3;
    cfg.inspectorCapacity = 2;
    g_plat_lock_errors = 0;
    g_plat_fail_alloc_after = -1;
    if (wk_core_init(&core, &cfg) != 0) {
        abort();
    }
    while (f.n != 0 && steps++ < 400) {
        uint8_t op = fz_u8(&f);
        int s = (op >> 4) & (NSESS - 1);
        switch (op & 7u) {
        case 0: /* open */
            if (!open[s]) {
                if (fz_u8(&f) == 0xFF) {
                    g_plat_fail_alloc_after = 0;
                }
                open[s] = wk_session_open(&core, &slots[s]) == WK_STATUS_SUCCESS;
                pending[s] = 0;
                g_plat_fail_alloc_after = -1;
            }
            break;
        case 1: /* close (cleanup cancels the pended read first, as the glue does) */
            if (open[s]) {
                if (pending[s]) {
                    wk_session_read_cancelled(&core, slots[s]);
                }
                wk_session_close(&core, slots[s]);
                open[s] = 0;
                pending[s] = 0;
            }
            break;
        case 2: { /* IOCTL */
            uint8_t sel = fz_u8(&f);
            uint32_t code = (sel & 0x80u) != 0 ? (fz_u16(&f) | (fz_u16(&f) << 16)) : k_codes[sel & 7u];
            uint32_t inLen = (sel & 0x40u) != 0 ? fz_u8(&f) % sizeof g_inb : k_in[sel & 7u];
            uint32_t outLen = fz_u16(&f) % (sizeof g_outb - 8);
            uint32_t off = fz_u8(&f) & 7u;
            uint32_t k;
            wk_dispatch_io io;
            wk_status st;
            if (!open[s] && code != IOCTL_WFPKIT_GET_VERSION) {
                break;
            }
            for (k = 0; k < inLen; k++) {
                g_inb[k] = fz_u8(&f);
            }
            if ((sel & 0x20u) != 0 && outLen < 4096) {
                outLen += 2144; /* usually big enough for reads and lists */
            }
            if ((sel & 0x10u) != 0 && code == IOCTL_WFPKIT_SET_CONFIG && inLen >= 24) {
                /* A mostly valid config, so sessions actually run with varied flags. */
                WK_SESSION_CONFIG c;
                memset(&c, 0, sizeof c);
                c.structSize = 24;
                c.flags = g_inb[4] & 0x3Fu;
                c.inspectBudget = 1u + ((uint32_t)g_inb[8] << 4);
                c.ringBytes = WK_MIN_RING_BYTES;
                c.snapLen = (uint32_t)g_inb[16] << 3;
                /* Tag layers too, so the tagging validation (layers vs TAG_PACKETS, IP packet
                 * layers vs the feature) is reached both ways. */
                c.tagLayers = (g_inb[5] & 0x80u) != 0 ? (uint32_t)g_inb[20] : 0u;
                memcpy(g_inb, &c, sizeof c);
            }
            memset(&io, 0, sizeof io);
            io.in = inLen != 0 ? g_inb : NULL;
            io.inLen = inLen;
            io.out = outLen != 0 ? g_outb + off : NULL;
            io.outLen = outLen;
            st = wk_dispatch_ioctl(&core, open[s] ? slots[s] : 200u, code, &io);
            if (io.info > outLen) {
                abort();
            }
            if (st == WK_STATUS_PENDING) {
                if (pending[s]) {
                    abort(); /* a second read must be DEVICE_BUSY */
                }
                pending[s] = 1;
            }
            break;
        }
        case 3: { /* FLOW_ESTABLISHED classify with session s's key */
            uint8_t h = fz_u8(&f) % NFLOWS;
            uint8_t ok = fz_u8(&f);
            wk_flow_params p;
            uint64_t c = 0;
            uint16_t path[8] = {'\\', 'a', 'p', 'p', 0, 0, 0, 0};
            memset(&p, 0, sizeof p);
            path[1] = (uint16_t)('a' + (h % 5)); /* 5 apps into a table of 3 */
            p.flowHandle = 0x1000u + h;
            p.appPath = (const uint8_t *)path;
            p.appPathBytes = (ok & 0x0Fu);
            p.endpoints.ipVersion = (ok & 0x10u) ? 6 : 4;
            p.layerId = 52;
            p.streamLayerId = 20;
            if (!open[s]) {
                break;
            }
            switch (wk_flow_establish(&core, core.sessions[slots[s]].scopeKey, &p, &c)) {
            case WK_FLOW_NEW:
                if (ctx[h] != 0) {
                    abort(); /* the same handle twice in the table */
                }
                wk_flow_associated(&core, c, (ok & 0x80u) == 0);
                ctx[h] = (ok & 0x80u) == 0 ? c : 0;
                break;
            case WK_FLOW_JOINED:
                if (c != ctx[h]) {
                    abort();
                }
                break;
            default:
                break;
            }
            break;
        }
        case 4: { /* STREAM classify */
            uint8_t h = fz_u8(&f) % NFLOWS;
            uint8_t flags = fz_u8(&f);
            uint32_t len = fz_u16(&f) % sizeof g_data;
            bytes b;
            uint32_t k;
            for (k = 0; k < len && f.n != 0; k++) {
                g_data[k] = fz_u8(&f);
            }
            b.p = g_data;
            b.n = k;
            /* indicated may exceed what the copy gives (a short copy). */
            if (wk_flow_stream(&core, ctx[h] != 0 ? ctx[h] : (uint64_t)flags << 32 | h, flags & 1u,
                               (uint64_t)len + (flags & 0x10u ? 100000u : 0u), flags, (flags & 2u) != 0,
                               copy_fn, &b) != 0 && ctx[h] != 0) {
                abort();
            }
            break;
        }
        case 5: { /* flowDeleteFn */
            uint8_t h = fz_u8(&f) % NFLOWS;
            if (ctx[h] != 0) {
                if (wk_flow_delete(&core, ctx[h], 20) < 0) {
                    abort();
                }
                if (wk_flow_delete(&core, ctx[h], 20) != -1) {
                    abort(); /* stale now */
                }
                ctx[h] = 0;
            }
            break;
        }
        case 6: /* the DPC completes the pended read, or the I/O is cancelled */
            if (open[s] && pending[s]) {
                uint8_t how = fz_u8(&f);
                uint32_t got = 0;
                if (how & 1u) {
                    wk_session_read_cancelled(&core, slots[s]);
                } else if (wk_session_complete_read(&core, slots[s], g_outb + (how >> 5), 2144,
                                                    (how & 2u) != 0, &got) != WK_STATUS_SUCCESS ||
                           got > 2144) {
                    abort();
                }
                pending[s] = 0;
            }
            break;
        default:
            if ((op & 8u) != 0) { /* packet tagging: classify, notify, discard, duplicate */
                uint8_t a = fz_u8(&f), b = fz_u8(&f);
                uint8_t t = b & 7u;
                if ((a & 3u) == 0) {
                    wk_tag_packet pk;
                    uint64_t c = 0;
                    int chk = 0;
                    memset(&pk, 0, sizeof pk);
                    pk.hasFlowHandle = (a & 4u) == 0;
                    pk.flowHandle = 0x1000u + (b % NFLOWS);
                    pk.tuple.ipVersion = 4;
                    pk.direction = (a >> 3) & 1u;
                    pk.layerId = pk.direction ? 12 : 16;
                    pk.tagLayer = 1u << ((a >> 4) & 7u);
                    pk.filterContext = (a & 0x80u) && open[s] ? core.sessions[slots[s]].scopeKey : 0;
                    if (wk_tag_begin(&core, &pk, &c, &chk) == WK_TAG_ASSOCIATE) {
                        wk_tag_end_how how = (b & 0x30u) == 0x30u ? WK_TAG_END_FAILED
                                             : (b & 0x30u) == 0x20u ? WK_TAG_END_ALREADY
                                                                     : WK_TAG_END_OK;
                        bytes bb;
                        bb.p = g_data;
                        bb.n = b;
                        wk_tag_end(&core, c, how, b, copy_fn, &bb);
                        if (how == WK_TAG_END_OK) {
                            if (tctx[t] != 0) {
                                (void)wk_tag_notify(&core, 5, tctx[t], 16, 0, 0, 0);
                            }
                            tctx[t] = c;
                        }
                    }
                } else if ((a & 3u) == 1u) {
                    uint16_t ev = (uint16_t)(a >> 3) % 15u;
                    int r = wk_tag_notify(&core, ev, tctx[t] != 0 ? tctx[t] : ((uint64_t)a << 40 | b),
                                          16, (uint16_t)(a >> 4), 0, (a & 0x80u) != 0);
                    if (tctx[t] != 0 && r < 0) {
                        abort(); /* a live context must be found */
                    }
                    if (ev == 5 || (a & 0x80u) != 0) {
                        tctx[t] = 0;
                    }
                } else if ((a & 3u) == 2u) {
                    (void)wk_tag_discarded(&core, tctx[t] != 0 ? tctx[t] : b, 17, a, b, a);
                } else if (tctx[t] != 0) {
                    uint64_t d = wk_tag_duplicate(&core, tctx[t]);
                    uint8_t u = (uint8_t)((t + 1u) & 7u);
                    if (d != 0) {
                        if (tctx[u] != 0) {
                            (void)wk_tag_notify(&core, 5, tctx[u], 16, 0, 0, 0);
                        }
                        tctx[u] = d;
                    }
                }
                if (core.tagsInFlight > core.ledgerCapacity) {
                    abort();
                }
            } else { /* time passes */
                g_plat_now += fz_u8(&f);
            }
            break;
        }
        check(&core, open, slots);
    }
    /* Unload order: stop new flows, remove every tag (CONTEXT_REMOVED), delete every flow,
     * close sessions, free. */
    wk_core_begin_unload(&core);
    {
        /* as if the glue's bounded wait had expired: stranded iff tags remain, and the
         * removal of the last one (whichever) makes release due exactly once */
        int stranded = wk_tag_strand(&core), releases = 0;
        if (stranded != (wk_tag_in_flight(&core) != 0)) {
            abort();
        }
        for (i = 0; i < 8; i++) {
            if (tctx[i] != 0 && wk_tag_notify(&core, 5, tctx[i], 16, 1, 0, 0) < 0) {
                abort();
            }
            releases += wk_tag_release_due(&core);
        }
        if (wk_tag_in_flight(&core) != 0 || releases != stranded || wk_tag_release_due(&core) != 0) {
            abort();
        }
    }
    for (i = 0; i < NFLOWS; i++) {
        if (ctx[i] != 0) {
            wk_flow_delete(&core, ctx[i], 20);
        }
    }
    if (wk_flow_active(&core) != 0 || core.inspInUse != 0 || core.apps.count != 0) {
        abort();
    }
    for (i = 0; i < NSESS; i++) {
        if (open[i]) {
            wk_session_close(&core, slots[i]);
        }
    }
    wk_core_free(&core);
    if (g_plat_live_blocks != 0 || g_plat_lock_errors != 0) {
        abort();
    }
    return 0;
}
