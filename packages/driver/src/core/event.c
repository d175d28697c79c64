/*
 * event.c - contract records written straight into session rings (see event.h).
 */
#include "event.h"

#include <string.h>

#include "core.h"

/* A session of mask that takes events now, with its lock held: reserve `bytes` in its
 * ring. Returns the record memory or NULL (not running, no ring, or dropped: the ring
 * counted it). The caller writes, then wk_event_end. */
uint8_t *wk_event_begin(wk_session *s, uint32_t bytes, uint64_t now)
{
    if (!s->inUse || s->state != WK_SESSION_STATE_RUNNING || s->ringMem == NULL) {
        return NULL;
    }
    return (uint8_t *)wk_ring_reserve(&s->ring, bytes, now);
}

/* Commits (when rec != NULL) and notes a wake for a waiting reader. Lock held. */
void wk_event_end(wk_session *s, uint32_t slot, const uint8_t *rec, uint64_t *wake)
{
    if (rec != NULL) {
        wk_ring_commit(&s->ring);
    }
    /* A drop writes a LOSS record too, so wake the reader whenever the ring has any. */
    if (s->readWaiting && !s->wakeQueued && s->ring.records != 0) {
        s->wakeQueued = 1;
        *wake |= (uint64_t)1u << slot;
    }
}

void wk_event_header(uint8_t *rec, uint16_t type, uint16_t flags, uint32_t size,
                            uint64_t now, uint64_t flowId)
{
    WK_RECORD_HEADER h;
    h.type = type;
    h.flags = flags;
    h.size = size;
    h.timestamp = now;
    h.flowId = flowId;
    memcpy(rec, &h, sizeof h);
}

static uint16_t wk_event_ip_flag(const wk_flow *f)
{
    return (f->flags & WK_FLOW_F_IPV6) != 0 ? (uint16_t)WK_RECORD_FLAGS_IPV6 : (uint16_t)0;
}

/* Writes a tail of n bytes at rec + off and zeroes the padding up to size. */
static void wk_event_tail(uint8_t *rec, uint32_t off, const uint8_t *src, uint32_t n,
                          uint32_t size)
{
    if (n != 0) {
        memcpy(rec + off, src, n);
    }
    memset(rec + off + n, 0, size - off - n);
}

void wk_event_flow_established(wk_core *core, const wk_flow *f, uint64_t mask, uint64_t now,
                               uint64_t *wake)
{
    WK_FLOW_ESTABLISHED_RECORD r;
    uint16_t pathLen;
    uint8_t trunc;
    const uint8_t *path = wk_app_path(&core->apps, f->app, &pathLen, &trunc);
    const uint32_t fixed = (uint32_t)sizeof r;
    uint32_t size = WK_ALIGN_RECORD(fixed + pathLen);
    uint32_t i;

    memset(&r, 0, sizeof r);
    r.processId = f->processId;
    r.endpoints = f->endpoints;
    r.layerId = f->layerId;
    r.appPathLength = pathLen;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql irql;
        uint8_t *rec;
        if ((mask & 1u) == 0) {
            continue;
        }
        irql = wk_plat_spin_acquire(&s->lock);
        rec = wk_event_begin(s, size, now);
        if (rec != NULL) {
            memcpy(rec, &r, sizeof r);
            wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_FLOW_ESTABLISHED,
                            (uint16_t)(wk_event_ip_flag(f) |
                                       (trunc ? WK_RECORD_FLAGS_TRUNCATED : 0u)),
                            size, now, f->flowHandle);
            wk_event_tail(rec, fixed, path, pathLen, size);
        }
        wk_event_end(s, i, rec, wake);
        wk_plat_spin_release(&s->lock, irql);
    }
}

void wk_event_flow_classified(wk_core *core, const wk_flow *f, uint64_t mask, uint8_t dir,
                              const wk_cls_result *r, uint64_t now, uint64_t *wake)
{
    uint32_t size = wk_cls_record_size(r);
    uint32_t i;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql irql;
        uint8_t *rec;
        if ((mask & 1u) == 0 || (s->config.flags & WK_CONFIG_FLAGS_INSPECT_STREAMS) == 0) {
            continue;
        }
        irql = wk_plat_spin_acquire(&s->lock);
        rec = wk_event_begin(s, size, now);
        if (rec != NULL && wk_cls_write_record(r, dir, f->flowHandle, now, wk_event_ip_flag(f),
                                               rec, size) == 0) {
            wk_ring_cancel(&s->ring); /* not reached: size is the record's own size */
            rec = NULL;
        }
        wk_event_end(s, i, rec, wake);
        wk_plat_spin_release(&s->lock, irql);
    }
}

void wk_event_stream_data(wk_core *core, const wk_flow *f, uint64_t mask, uint8_t dir,
                          uint64_t streamOffset, uint64_t indicated, uint32_t streamFlags,
                          const uint8_t *data, uint32_t copied, uint64_t now, uint64_t *wake)
{
    WK_STREAM_DATA_RECORD r;
    const uint32_t fixed = (uint32_t)sizeof r;
    uint32_t i;
    memset(&r, 0, sizeof r);
    r.streamOffset = streamOffset;
    r.indicatedLength = indicated > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)indicated;
    r.streamFlags = streamFlags;
    r.direction = dir;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql irql;
        uint8_t *rec;
        uint32_t n = 0, size;
        uint16_t flags = wk_event_ip_flag(f);
        if ((mask & 1u) == 0 || (s->config.flags & WK_CONFIG_FLAGS_STREAM_EVENTS) == 0) {
            continue;
        }
        if ((s->config.flags & WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES) != 0) {
            n = s->config.snapLen < copied ? s->config.snapLen : copied;
            if (n > WK_STREAM_DATA_DATA_MAX) {
                n = WK_STREAM_DATA_DATA_MAX;
            }
            if ((uint64_t)n < indicated) {
                flags = (uint16_t)(flags | WK_RECORD_FLAGS_TRUNCATED);
            }
        }
        size = WK_ALIGN_RECORD(fixed + n);
        r.dataLength = (uint16_t)n;
        irql = wk_plat_spin_acquire(&s->lock);
        rec = wk_event_begin(s, size, now);
        if (rec != NULL) {
            memcpy(rec, &r, sizeof r);
            wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_STREAM_DATA, flags, size, now,
                            f->flowHandle);
            wk_event_tail(rec, fixed, data, n, size);
        }
        wk_event_end(s, i, rec, wake);
        wk_plat_spin_release(&s->lock, irql);
    }
}

void wk_event_flow_deleted(wk_core *core, const wk_flow *f, uint64_t mask, uint16_t layerId,
                           uint16_t reason, uint64_t now, uint64_t *wake)
{
    WK_FLOW_DELETED_RECORD r;
    const uint32_t size = (uint32_t)sizeof r;
    uint32_t i;
    memset(&r, 0, sizeof r);
    r.startTime = f->startTime;
    r.bytesOut = f->bytes[WK_DIRECTION_OUTBOUND];
    r.bytesIn = f->bytes[WK_DIRECTION_INBOUND];
    r.packetsTagged = f->packetsTagged;
    r.packetsDropped = f->packetsDropped;
    r.segmentsOut = f->segments[WK_DIRECTION_OUTBOUND];
    r.segmentsIn = f->segments[WK_DIRECTION_INBOUND];
    r.layerId = layerId;
    r.reason = reason;
    for (i = 0; mask != 0; i++, mask >>= 1) {
        wk_session *s = &core->sessions[i];
        wk_plat_irql irql;
        uint8_t *rec;
        if ((mask & 1u) == 0) {
            continue;
        }
        irql = wk_plat_spin_acquire(&s->lock);
        rec = wk_event_begin(s, size, now);
        if (rec != NULL) {
            memcpy(rec, &r, sizeof r);
            wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_FLOW_DELETED, wk_event_ip_flag(f), size,
                            now, f->flowHandle);
        }
        wk_event_end(s, i, rec, wake);
        wk_plat_spin_release(&s->lock, irql);
    }
}

void wk_event_loss_locked(wk_session *s, uint32_t slot, uint16_t reason, uint64_t totalLost,
                          uint64_t now, uint64_t *wake)
{
    WK_LOSS_RECORD r;
    uint8_t *rec = wk_event_begin(s, (uint32_t)sizeof r, now);
    if (rec != NULL) {
        memset(&r, 0, sizeof r);
        r.lost = 1;
        r.totalLost = totalLost;
        r.reason = reason;
        memcpy(rec, &r, sizeof r);
        wk_event_header(rec, (uint16_t)WK_EVENT_TYPE_LOSS, 0, (uint32_t)sizeof r, now, 0);
    }
    wk_event_end(s, slot, rec, wake);
}

void wk_event_flow_table_full(wk_core *core, uint32_t slot, uint64_t now, uint64_t *wake)
{
    wk_session *s = &core->sessions[slot];
    wk_plat_irql irql = wk_plat_spin_acquire(&s->lock);
    wk_event_loss_locked(s, slot, (uint16_t)WK_LOSS_REASON_FLOW_TABLE_FULL, s->flowsRefused, now, wake);
    wk_plat_spin_release(&s->lock, irql);
}

uint32_t wk_event_flow_info_size(wk_core *core, const wk_flow *f)
{
    uint16_t pathLen;
    (void)wk_app_path(&core->apps, f->app, &pathLen, NULL);
    return WK_ALIGN_RECORD((uint32_t)sizeof(WK_FLOW_INFO_RECORD) + pathLen);
}

uint32_t wk_event_flow_info(wk_core *core, const wk_flow *f, uint64_t now, uint8_t *dst,
                            uint32_t dstBytes)
{
    WK_FLOW_INFO_RECORD r;
    uint16_t pathLen;
    uint8_t trunc;
    const uint8_t *path = wk_app_path(&core->apps, f->app, &pathLen, &trunc);
    const uint32_t fixed = (uint32_t)sizeof r;
    uint32_t size = WK_ALIGN_RECORD(fixed + pathLen);
    if (dst == NULL || dstBytes < size) {
        return 0;
    }
    memset(&r, 0, sizeof r);
    r.processId = f->processId;
    r.startTime = f->startTime;
    r.bytesOut = f->bytes[WK_DIRECTION_OUTBOUND];
    r.bytesIn = f->bytes[WK_DIRECTION_INBOUND];
    r.packetsTagged = f->packetsTagged;
    r.endpoints = f->endpoints;
    r.segmentsOut = f->segments[WK_DIRECTION_OUTBOUND];
    r.segmentsIn = f->segments[WK_DIRECTION_INBOUND];
    /* The protocol identified so far: the outbound verdict unless it is not a real one. */
    r.appProtocol = f->appProtocol[WK_DIRECTION_OUTBOUND];
    if (r.appProtocol <= WK_APP_PROTOCOL_UNKNOWN &&
        f->appProtocol[WK_DIRECTION_INBOUND] > r.appProtocol) {
        r.appProtocol = f->appProtocol[WK_DIRECTION_INBOUND];
    }
    r.appPathLength = pathLen;
    memcpy(dst, &r, sizeof r);
    wk_event_header(dst, (uint16_t)WK_EVENT_TYPE_FLOW_INFO,
                    (uint16_t)(wk_event_ip_flag(f) | (trunc ? WK_RECORD_FLAGS_TRUNCATED : 0u)),
                    size, now, f->flowHandle);
    wk_event_tail(dst, fixed, path, pathLen, size);
    return size;
}
