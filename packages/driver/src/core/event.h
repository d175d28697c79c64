/*
 * event.h - contract records written straight into session rings (prefix wk_event_).
 *
 * Each function builds one record kind for every session in a mask that wants it and
 * is RUNNING: under that session's lock it reserves the record's bytes in the ring,
 * writes them in place (fixed part, tail, zero padding) and commits — no staging buffer,
 * no allocation. A session whose ring is full gets the drop counted and its LOSS record
 * updated by the ring. If a session has a pended read that was not yet woken, its bit
 * is added to *wake; the caller calls wk_session_wake(*wake) once it holds no lock.
 *
 * The caller holds the core's flow lock (the flow entry is stable); these take each
 * session's lock in turn (flow lock -> session lock). DISPATCH_LEVEL.
 */
#ifndef WK_CORE_EVENT_H
#define WK_CORE_EVENT_H

#include <stdint.h>

#include "classify.h"
#include "flow.h"

struct wk_core;
struct wk_session;

/* The steps every record writer takes, shared with the tagging records (tag.c). With the
 * session's lock held: wk_event_begin reserves `bytes` in its ring (NULL when the session
 * is not RUNNING, has no ring, or the ring counted a drop); the caller writes the record,
 * starting with wk_event_header; wk_event_end commits it (rec != NULL) and adds the slot's
 * bit to *wake when a pended read is waiting for a record. */
uint8_t *wk_event_begin(struct wk_session *s, uint32_t bytes, uint64_t now);
void wk_event_end(struct wk_session *s, uint32_t slot, const uint8_t *rec, uint64_t *wake);
void wk_event_header(uint8_t *rec, uint16_t type, uint16_t flags, uint32_t size, uint64_t now,
                     uint64_t flowId);

/* FLOW_ESTABLISHED: 80 bytes + the app path (cut on a character boundary, TRUNCATED). */
void wk_event_flow_established(struct wk_core *core, const wk_flow *f, uint64_t mask,
                               uint64_t now, uint64_t *wake);

/* FLOW_CLASSIFIED for direction dir (sessions with INSPECT_STREAMS), through
 * wk_cls_write_record. */
void wk_event_flow_classified(struct wk_core *core, const wk_flow *f, uint64_t mask,
                              uint8_t dir, const wk_cls_result *r, uint64_t now,
                              uint64_t *wake);

/* STREAM_DATA (sessions with STREAM_EVENTS); with CAPTURE_STREAM_BYTES the first
 * min(snapLen, copied) bytes of data, TRUNCATED when fewer than indicated. */
void wk_event_stream_data(struct wk_core *core, const wk_flow *f, uint64_t mask, uint8_t dir,
                          uint64_t streamOffset, uint64_t indicated, uint32_t streamFlags,
                          const uint8_t *data, uint32_t copied, uint64_t now, uint64_t *wake);

/* FLOW_DELETED with the flow's totals. */
void wk_event_flow_deleted(struct wk_core *core, const wk_flow *f, uint64_t mask,
                           uint16_t layerId, uint16_t reason, uint64_t now, uint64_t *wake);

/* A LOSS record (lost 1, totalLost, reason) for session s in slot `slot`; its lock held. */
void wk_event_loss_locked(struct wk_session *s, uint32_t slot, uint16_t reason,
                          uint64_t totalLost, uint64_t now, uint64_t *wake);

/* LOSS(FLOW_TABLE_FULL) for one session: lost 1, totalLost = the session's count. */
void wk_event_flow_table_full(struct wk_core *core, uint32_t slot, uint64_t now,
                              uint64_t *wake);

/* FLOW_INFO snapshot of f into dst (LIST_FLOWS; not a ring). Returns the bytes written,
 * 0 when dstBytes is too small. dst needs no alignment. */
uint32_t wk_event_flow_info(struct wk_core *core, const wk_flow *f, uint64_t now, uint8_t *dst,
                            uint32_t dstBytes);

/* Size of f's FLOW_INFO / FLOW_ESTABLISHED record. */
uint32_t wk_event_flow_info_size(struct wk_core *core, const wk_flow *f);

#endif /* WK_CORE_EVENT_H */
