/*
 * dispatch.c - the IOCTL dispatcher (see dispatch.h for the checks and their order).
 */
#include "dispatch.h"

#include <string.h>

#include "core.h"
#include "flow.h"
#include "session.h"

/* What the contract says about each IOCTL's buffers. */
typedef struct wk_dispatch_shape {
    uint32_t code;
    uint32_t inSize;
    uint32_t minOut;
} wk_dispatch_shape;

static const wk_dispatch_shape wk_dispatch_shapes[] = {
    {IOCTL_WFPKIT_GET_VERSION, WK_IOCTL_GET_VERSION_INPUT_SIZE, WK_IOCTL_GET_VERSION_MIN_OUTPUT},
    {IOCTL_WFPKIT_GET_SESSION, WK_IOCTL_GET_SESSION_INPUT_SIZE, WK_IOCTL_GET_SESSION_MIN_OUTPUT},
    {IOCTL_WFPKIT_SET_CONFIG, WK_IOCTL_SET_CONFIG_INPUT_SIZE, WK_IOCTL_SET_CONFIG_MIN_OUTPUT},
    {IOCTL_WFPKIT_START, WK_IOCTL_START_INPUT_SIZE, WK_IOCTL_START_MIN_OUTPUT},
    {IOCTL_WFPKIT_STOP, WK_IOCTL_STOP_INPUT_SIZE, WK_IOCTL_STOP_MIN_OUTPUT},
    {IOCTL_WFPKIT_READ_EVENTS, WK_IOCTL_READ_EVENTS_INPUT_SIZE, WK_IOCTL_READ_EVENTS_MIN_OUTPUT},
    {IOCTL_WFPKIT_GET_COUNTERS, WK_IOCTL_GET_COUNTERS_INPUT_SIZE, WK_IOCTL_GET_COUNTERS_MIN_OUTPUT},
    {IOCTL_WFPKIT_LIST_FLOWS, WK_IOCTL_LIST_FLOWS_INPUT_SIZE, WK_IOCTL_LIST_FLOWS_MIN_OUTPUT},
};

/* Every SessionConfig / flag bit the contract defines. */
#define WK_DISPATCH_CONFIG_FLAGS                                                          \
    (WK_CONFIG_FLAGS_INSPECT_STREAMS | WK_CONFIG_FLAGS_STREAM_EVENTS |                     \
     WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES | WK_CONFIG_FLAGS_TAG_PACKETS |                  \
     WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES | WK_CONFIG_FLAGS_REPORT_DISCARDS)
#define WK_DISPATCH_TAG_LAYERS 0xFFu
#define WK_DISPATCH_IPPACKET_LAYERS                                                       \
    (WK_TAG_LAYER_OUTBOUND_IPPACKET_V4 | WK_TAG_LAYER_OUTBOUND_IPPACKET_V6 |              \
     WK_TAG_LAYER_INBOUND_IPPACKET_V4 | WK_TAG_LAYER_INBOUND_IPPACKET_V6)

static wk_status wk_dispatch_get_version(wk_core *core, wk_dispatch_io *io)
{
    WK_VERSION_INFO v;
    memset(&v, 0, sizeof v);
    v.contractVersion = WK_CONTRACT_VERSION;
    v.driverVersion = WK_DRIVER_VERSION;
    v.features = core->features;
    v.maxSessions = WK_MAX_SESSIONS;
    v.minRingBytes = WK_MIN_RING_BYTES;
    v.maxRingBytes = WK_MAX_RING_BYTES;
    v.maxInspectBudget = WK_MAX_INSPECT_BUDGET;
    v.maxSnapLen = WK_MAX_SNAP_LEN;
    memcpy(io->out, &v, sizeof v);
    io->info = (uint32_t)sizeof v;
    return WK_STATUS_SUCCESS;
}

static wk_status wk_dispatch_get_session(wk_session *s, wk_dispatch_io *io)
{
    WK_SESSION_INFO info;
    wk_plat_irql irql = wk_plat_spin_acquire(&s->lock);
    memset(&info, 0, sizeof info);
    info.sessionId = s->id;
    info.state = s->state;
    info.scopeKey = s->scopeKey;
    info.config = s->config;
    wk_plat_spin_release(&s->lock, irql);
    memcpy(io->out, &info, sizeof info);
    io->info = (uint32_t)sizeof info;
    return WK_STATUS_SUCCESS;
}

/* Allocates a ring of `bytes` for s unless it already has one that size. PASSIVE. */
static wk_status wk_dispatch_ensure_ring(wk_session *s, uint32_t bytes, WK_SESSION_CONFIG *cfg,
                                         int requireIdle)
{
    void *mem = NULL;
    void *old = NULL;
    wk_plat_irql irql;
    wk_status st = WK_STATUS_SUCCESS;
    int need;

    irql = wk_plat_spin_acquire(&s->lock);
    need = s->ringMem == NULL || s->ring.size != bytes;
    wk_plat_spin_release(&s->lock, irql);
    if (need) {
        mem = wk_plat_alloc_nonpaged(bytes); /* outside the lock: may take a while */
        if (mem == NULL) {
            return WK_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    irql = wk_plat_spin_acquire(&s->lock);
    if (requireIdle && s->state == WK_SESSION_STATE_RUNNING) {
        /* Only one thread dispatches for a handle at a time in practice, but a second
         * handle-sharing thread could have started it meanwhile: refuse, keep state. */
        st = WK_STATUS_INVALID_DEVICE_STATE;
        old = mem;
    } else {
        if (mem != NULL) {
            old = wk_session_swap_ring_locked(s, mem, bytes);
        }
        if (cfg != NULL) {
            s->config = *cfg;
        }
    }
    wk_plat_spin_release(&s->lock, irql);
    wk_plat_free(old);
    return st;
}

/* The tagging members: TAG_PACKETS needs at least one layer; CAPTURE_PACKET_BYTES and
 * REPORT_DISCARDS only mean something with TAG_PACKETS; layers without TAG_PACKETS would
 * be silently ignored, so they are refused too; IP packet layers need the feature. */
static int wk_dispatch_tagging_valid(const wk_core *core, const WK_SESSION_CONFIG *c)
{
    const uint32_t needTag = WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES | WK_CONFIG_FLAGS_REPORT_DISCARDS;
    if ((c->flags & WK_CONFIG_FLAGS_TAG_PACKETS) == 0) {
        return (c->flags & needTag) == 0 && c->tagLayers == 0;
    }
    if (c->tagLayers == 0) {
        return 0;
    }
    if ((c->tagLayers & WK_DISPATCH_IPPACKET_LAYERS) != 0 &&
        (core->features & WK_FEATURE_FLAGS_IPPACKET_LAYERS) == 0) {
        return 0;
    }
    return 1;
}

static wk_status wk_dispatch_set_config(wk_core *core, wk_session *s, wk_dispatch_io *io)
{
    WK_SESSION_CONFIG c;
    uint8_t state;
    wk_plat_irql irql;
    memcpy(&c, io->in, sizeof c); /* the whole input, before anything is written */
    if (c.structSize != (uint32_t)sizeof(WK_SESSION_CONFIG)) {
        return WK_STATUS_REVISION_MISMATCH;
    }
    irql = wk_plat_spin_acquire(&s->lock);
    state = s->state;
    wk_plat_spin_release(&s->lock, irql);
    if (state == WK_SESSION_STATE_RUNNING) {
        return WK_STATUS_INVALID_DEVICE_STATE;
    }
    if ((c.flags & ~(uint32_t)WK_DISPATCH_CONFIG_FLAGS) != 0 ||
        c.inspectBudget < WK_MIN_INSPECT_BUDGET || c.inspectBudget > WK_MAX_INSPECT_BUDGET ||
        c.ringBytes < WK_MIN_RING_BYTES || c.ringBytes > WK_MAX_RING_BYTES ||
        (c.ringBytes % WK_RECORD_ALIGNMENT) != 0 || c.snapLen > WK_MAX_SNAP_LEN ||
        (c.tagLayers & ~(uint32_t)WK_DISPATCH_TAG_LAYERS) != 0 ||
        !wk_dispatch_tagging_valid(core, &c)) {
        return WK_STATUS_INVALID_PARAMETER;
    }
    return wk_dispatch_ensure_ring(s, c.ringBytes, &c, 1);
}

static wk_status wk_dispatch_start(wk_core *core, wk_session *s)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&s->lock);
    uint32_t bytes = s->config.ringBytes;
    uint8_t state = s->state;
    wk_status st;
    wk_plat_spin_release(&s->lock, irql);
    (void)core;
    if (state == WK_SESSION_STATE_RUNNING) {
        return WK_STATUS_INVALID_DEVICE_STATE;
    }
    st = wk_dispatch_ensure_ring(s, bytes, NULL, 1);
    if (st != WK_STATUS_SUCCESS) {
        return st;
    }
    irql = wk_plat_spin_acquire(&s->lock);
    s->state = (uint8_t)WK_SESSION_STATE_RUNNING;
    wk_plat_spin_release(&s->lock, irql);
    return WK_STATUS_SUCCESS;
}

static wk_status wk_dispatch_stop(wk_session *s, uint32_t slot)
{
    int wake = 0;
    wk_plat_irql irql = wk_plat_spin_acquire(&s->lock);
    if (s->state != WK_SESSION_STATE_RUNNING) {
        wk_plat_spin_release(&s->lock, irql);
        return WK_STATUS_INVALID_DEVICE_STATE;
    }
    s->state = (uint8_t)WK_SESSION_STATE_STOPPED;
    if (s->readWaiting && !s->wakeQueued) {
        s->wakeQueued = 1; /* the pended read completes with SESSION_STOPPED */
        wake = 1;
    }
    wk_plat_spin_release(&s->lock, irql);
    if (wake) {
        wk_plat_session_wake(slot);
    }
    return WK_STATUS_SUCCESS;
}

static wk_status wk_dispatch_read(wk_session *s, wk_dispatch_io *io)
{
    WK_READ_REQUEST rq;
    wk_plat_irql irql;
    wk_status st = WK_STATUS_SUCCESS;
    memcpy(&rq, io->in, sizeof rq);
    irql = wk_plat_spin_acquire(&s->lock);
    if (s->readWaiting) {
        st = WK_STATUS_DEVICE_BUSY; /* only one read may pend per session */
    } else if (s->ring.records == 0 && rq.timeoutMs != 0 &&
               s->state == WK_SESSION_STATE_RUNNING) {
        s->readWaiting = 1;
        s->wakeQueued = 0;
        s->pendMaxRecords = rq.maxRecords;
        io->pendTimeoutMs = rq.timeoutMs;
        st = WK_STATUS_PENDING;
    } else {
        io->info = wk_session_read_locked(s, (uint8_t *)io->out, io->outLen, rq.maxRecords, 0);
    }
    wk_plat_spin_release(&s->lock, irql);
    return st;
}

static wk_status wk_dispatch_counters(wk_core *core, wk_session *s, uint32_t slot,
                                      wk_dispatch_io *io)
{
    WK_COUNTERS c;
    wk_plat_irql irql, sirql;
    memset(&c, 0, sizeof c);
    wk_core_global_counters(core, &c.global);
    irql = wk_plat_spin_acquire(&core->lock); /* flow lock -> session lock */
    sirql = wk_plat_spin_acquire(&s->lock);
    wk_session_counters_locked(s, &c.session);
    c.session.flowsActive = core->sessionFlows[slot];
    wk_plat_spin_release(&s->lock, sirql);
    wk_plat_spin_release(&core->lock, irql);
    memcpy(io->out, &c, sizeof c);
    io->info = (uint32_t)sizeof c;
    return WK_STATUS_SUCCESS;
}

static wk_status wk_dispatch_list(wk_core *core, uint32_t slot, wk_dispatch_io *io)
{
    WK_LIST_FLOWS_REQUEST rq;
    WK_LIST_FLOWS_RESULT res;
    const uint32_t hdr = (uint32_t)sizeof res;
    uint32_t used = 0;
    uint64_t next = 0;
    int more = 0;
    wk_plat_irql irql;
    memcpy(&rq, io->in, sizeof rq);
    if (rq.reserved0 != 0 || rq.cursor > core->flowCapacity) {
        return WK_STATUS_INVALID_PARAMETER;
    }
    memset(&res, 0, sizeof res);
    irql = wk_plat_spin_acquire(&core->lock);
    res.flowCount = wk_flow_list_locked(core, slot, rq.cursor, rq.maxFlows,
                                        (uint8_t *)io->out + hdr, io->outLen - hdr, &used,
                                        &next, &more);
    wk_plat_spin_release(&core->lock, irql);
    res.flags = more ? WK_LIST_FLAGS_MORE : 0u;
    res.nextCursor = next;
    res.bytesUsed = hdr + used;
    memcpy(io->out, &res, sizeof res);
    io->info = res.bytesUsed;
    return WK_STATUS_SUCCESS;
}

wk_status wk_dispatch_ioctl(wk_core *core, uint32_t slot, uint32_t code, wk_dispatch_io *io)
{
    const wk_dispatch_shape *shape = NULL;
    wk_session *s;
    size_t i;

    io->info = 0;
    io->pendTimeoutMs = 0;
    for (i = 0; i < sizeof wk_dispatch_shapes / sizeof wk_dispatch_shapes[0]; i++) {
        if (wk_dispatch_shapes[i].code == code) {
            shape = &wk_dispatch_shapes[i];
            break;
        }
    }
    if (shape == NULL) {
        return WK_STATUS_INVALID_DEVICE_REQUEST;
    }
    if (io->inLen != shape->inSize || (shape->inSize != 0 && io->in == NULL)) {
        return WK_STATUS_INFO_LENGTH_MISMATCH;
    }
    if (io->outLen < shape->minOut || (shape->minOut != 0 && io->out == NULL)) {
        return WK_STATUS_BUFFER_TOO_SMALL;
    }
    if (code == IOCTL_WFPKIT_GET_VERSION) {
        return wk_dispatch_get_version(core, io); /* global: needs no session */
    }
    if (slot >= WK_MAX_SESSIONS || !core->sessions[slot].inUse) {
        return WK_STATUS_INVALID_DEVICE_STATE; /* glue bug: a handle without a session */
    }
    s = &core->sessions[slot];
    switch (code) {
    case IOCTL_WFPKIT_GET_SESSION:
        return wk_dispatch_get_session(s, io);
    case IOCTL_WFPKIT_SET_CONFIG:
        return wk_dispatch_set_config(core, s, io);
    case IOCTL_WFPKIT_START:
        return wk_dispatch_start(core, s);
    case IOCTL_WFPKIT_STOP:
        return wk_dispatch_stop(s, slot);
    case IOCTL_WFPKIT_READ_EVENTS:
        return wk_dispatch_read(s, io);
    case IOCTL_WFPKIT_GET_COUNTERS:
        return wk_dispatch_counters(core, s, slot, io);
    case IOCTL_WFPKIT_LIST_FLOWS:
        return wk_dispatch_list(core, slot, io);
    default:
        return WK_STATUS_INVALID_DEVICE_REQUEST;
    }
}
