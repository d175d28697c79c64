/*
 * ws_tcp_internal.h - the flow record and per-direction reassembly state
 * shared by ws_tcp.c (flow table, events) and ws_tcp_stream.c (reassembly).
 */
#ifndef WS_TCP_INTERNAL_H
#define WS_TCP_INTERNAL_H

#include "ws_traffic_internal.h"

/* A buffered piece of a direction's sequence space. `missing` pieces stand
 * for bytes that exist on the wire but were not captured (snapshot length). */
typedef struct ws_seg {
    struct ws_seg *next;
    uint64_t off;
    uint32_t len;
    uint8_t missing;
    uint8_t flags;
    uint8_t data[];
} ws_seg;

typedef struct ws_dir_state {
    uint8_t started;      /* next_seq / next_off are meaningful */
    uint8_t fin_seen, finished;
    uint32_t next_seq;    /* sequence number of the next byte to deliver */
    uint64_t next_off;    /* its stream offset */
    uint64_t fin_off;     /* stream offset the FIN occupies */
    ws_seg *ooo;          /* sorted by off, disjoint, all >= next_off */
    uint64_t ooo_bytes;   /* captured bytes held in ooo */
    uint64_t missed;
} ws_dir_state;

struct ws_tcp_flow {
    struct ws_tcp_flow *hnext;         /* hash chain */
    struct ws_tcp_flow *prev, *next;   /* live list (by last activity) or closed list */
    uint32_t hash;
    uint8_t key[38];                   /* version, lower endpoint, higher endpoint */
    uint8_t closed;                    /* record kept only to absorb stray packets */
    uint64_t last_ts;                  /* live: last activity; closed: close time */
    ws_flow_tuple tuple;
    ws_dir_state dir[2];
    void *user;
};

/* What ws_tcp_stream.c needs to emit events. */
typedef struct ws_stream_ctx {
    const ws_tcp_callbacks *cb;
    ws_tcp_stats *stats;
    uint64_t max_ooo;
    uint64_t ts;
} ws_stream_ctx;

/* Start a direction so that sequence number `seq` is stream offset 0. */
void ws_stream_start(ws_dir_state *d, uint32_t seq);
/* Segment data at sequence number `seq`: `cap` captured bytes followed by
 * `orig - cap` bytes that were not captured. */
void ws_stream_data(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir, uint32_t seq,
                    const uint8_t *data, uint32_t cap, uint32_t orig, uint8_t flags);
/* Record a FIN at sequence number `seq` (after the segment's data); buffered
 * bytes beyond it are dropped (stats.discarded_bytes), as are later ones. */
void ws_stream_fin(ws_stream_ctx *c, ws_dir_state *d, uint32_t seq);
/* Emit the zero-length FIN marker if the FIN is now in order. Returns 1 once finished. */
int ws_stream_check_fin(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir);
/* Deliver everything buffered, skipping gaps (counted as missed). */
void ws_stream_flush(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir);
/* Drop everything buffered (counted as discarded). */
void ws_stream_discard(ws_stream_ctx *c, ws_dir_state *d);

#endif
