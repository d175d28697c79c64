/*
 * harness.h - helpers shared by the core tests that drive a live wk_core: IOCTLs from
 * byte buffers, flows from a few parameters, and a walk over returned records.
 */
#ifndef WK_TEST_HARNESS_H
#define WK_TEST_HARNESS_H

#include <stdint.h>
#include <string.h>

#include "core.h"
#include "dispatch.h"
#include "plat_host.h"

/* Output buffers big enough for any call here, 8-aligned, with slack for misaligning. */
static uint64_t g_outbuf[(1u << 16) / 8u];

static wk_status h_ioctl(wk_core *c, uint32_t slot, uint32_t code, const void *in, uint32_t inLen,
                         void *out, uint32_t outLen, uint32_t *info)
{
    wk_dispatch_io io;
    wk_status st;
    memset(&io, 0, sizeof io);
    io.in = in;
    io.inLen = inLen;
    io.out = out;
    io.outLen = outLen;
    st = wk_dispatch_ioctl(c, slot, code, &io);
    if (info != NULL) {
        *info = io.info;
    }
    return st;
}

static WK_SESSION_INFO h_session(wk_core *c, uint32_t slot)
{
    WK_SESSION_INFO si;
    memset(&si, 0, sizeof si);
    h_ioctl(c, slot, IOCTL_WFPKIT_GET_SESSION, NULL, 0, g_outbuf, sizeof si, NULL);
    memcpy(&si, g_outbuf, sizeof si);
    return si;
}

static wk_status h_config(wk_core *c, uint32_t slot, uint32_t flags, uint32_t budget,
                          uint32_t ringBytes, uint32_t snap)
{
    WK_SESSION_CONFIG cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.structSize = sizeof cfg;
    cfg.flags = flags;
    cfg.inspectBudget = budget;
    cfg.ringBytes = ringBytes;
    cfg.snapLen = snap;
    return h_ioctl(c, slot, IOCTL_WFPKIT_SET_CONFIG, &cfg, sizeof cfg, NULL, 0, NULL);
}

static wk_status h_start(wk_core *c, uint32_t slot)
{
    return h_ioctl(c, slot, IOCTL_WFPKIT_START, NULL, 0, NULL, 0, NULL);
}

static WK_COUNTERS h_counters(wk_core *c, uint32_t slot)
{
    WK_COUNTERS k;
    memset(&k, 0, sizeof k);
    h_ioctl(c, slot, IOCTL_WFPKIT_GET_COUNTERS, NULL, 0, g_outbuf, sizeof k, NULL);
    memcpy(&k, g_outbuf, sizeof k);
    return k;
}

/* Reads with timeout 0 into g_outbuf; returns bytesUsed. */
static uint32_t h_read(wk_core *c, uint32_t slot, uint32_t maxRecords, WK_READ_RESULT *res)
{
    WK_READ_REQUEST rq;
    uint32_t info = 0;
    rq.timeoutMs = 0;
    rq.maxRecords = maxRecords;
    h_ioctl(c, slot, IOCTL_WFPKIT_READ_EVENTS, &rq, sizeof rq, g_outbuf, sizeof g_outbuf, &info);
    memcpy(res, g_outbuf, sizeof *res);
    return info;
}

/* The i-th record header after a READ_RESULT / LIST_FLOWS_RESULT of hdrBytes in buf. */
static const uint8_t *h_record(const uint8_t *buf, uint32_t hdrBytes, uint32_t index,
                               WK_RECORD_HEADER *h)
{
    uint32_t off = hdrBytes, i;
    for (i = 0;; i++) {
        memcpy(h, buf + off, sizeof *h);
        if (i == index) {
            return buf + off;
        }
        off += h->size;
    }
}

/* Counts records of `type` in the last read (g_outbuf). */
static uint32_t h_count_type(const WK_READ_RESULT *res, uint16_t type)
{
    uint32_t i, n = 0;
    for (i = 0; i < res->recordCount; i++) {
        WK_RECORD_HEADER h;
        h_record((const uint8_t *)g_outbuf, sizeof(WK_READ_RESULT), i, &h);
        n += h.type == type;
    }
    return n;
}

static uint16_t g_path16[2048];

/* A flow's parameters: IPv4 TCP 10.0.0.1:port -> 93.184.216.34:443 of app `path`. */
static wk_flow_params h_params(uint64_t handle, uint16_t port, const char *path)
{
    wk_flow_params p;
    size_t i, n = strlen(path);
    memset(&p, 0, sizeof p);
    p.flowHandle = handle;
    p.processId = 4242;
    for (i = 0; i < n && i < 2047; i++) {
        g_path16[i] = (uint16_t)(unsigned char)path[i];
    }
    g_path16[i] = 0; /* WFP's blob includes the terminator */
    p.appPath = (const uint8_t *)g_path16;
    p.appPathBytes = (i + 1) * 2;
    p.endpoints.ipVersion = 4;
    p.endpoints.ipProtocol = 6;
    p.endpoints.direction = WK_DIRECTION_OUTBOUND;
    p.endpoints.localPort = port;
    p.endpoints.remotePort = 443;
    p.endpoints.localAddress[0] = 10;
    p.endpoints.localAddress[3] = 1;
    p.endpoints.remoteAddress[0] = 93;
    p.layerId = 52;
    p.streamLayerId = 20;
    return p;
}

/* Establish + associate (ok) for one session's key. Returns the context (0 if none). */
static uint64_t h_flow(wk_core *c, uint64_t key, uint64_t handle, uint16_t port,
                       const char *path, wk_flow_result *res)
{
    wk_flow_params p = h_params(handle, port, path);
    uint64_t ctx = 0;
    wk_flow_result r = wk_flow_establish(c, key, &p, &ctx);
    if (r == WK_FLOW_NEW) {
        wk_flow_associated(c, ctx, 1);
    }
    if (res != NULL) {
        *res = r;
    }
    return ctx;
}

typedef struct h_bytes {
    const uint8_t *p;
    size_t n;
} h_bytes;

static size_t h_copy(void *arg, void *dst, size_t n)
{
    const h_bytes *b = (const h_bytes *)arg;
    size_t k = n < b->n ? n : b->n;
    memcpy(dst, b->p, k);
    return k;
}

static int h_stream(wk_core *c, uint64_t ctx, uint8_t dir, const char *text, int ended)
{
    h_bytes b;
    b.p = (const uint8_t *)text;
    b.n = strlen(text);
    return wk_flow_stream(c, ctx, dir, b.n, dir == WK_DIRECTION_OUTBOUND ? 0x10000u : 0x1u, ended,
                          h_copy, &b);
}

static int h_invariant(const WK_SESSION_COUNTERS *s)
{
    return s->eventsProduced == s->eventsDelivered + s->eventsDropped + s->recordsInRing;
}

#endif /* WK_TEST_HARNESS_H */
