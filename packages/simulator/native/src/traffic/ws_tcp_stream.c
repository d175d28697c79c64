/*
 * ws_tcp_stream.c - per-direction TCP reassembly.
 *
 * Overlap policy: FIRST DATA WINS. A byte is delivered from the first segment
 * that carried it: bytes already delivered are never re-sent, and a buffered
 * out-of-order byte is not replaced by a later retransmission that disagrees.
 * (Windows' TCP keeps the first copy it queued; libwfpsim follows that for
 * the stream layer. Overlapping bytes are counted in stats.duplicate_bytes.)
 *
 * Memory: what a direction buffers (captured bytes plus a fixed cost per
 * buffered piece, so pieces standing for uncaptured bytes count too) is capped
 * by max_ooo. When a segment takes the buffer over the cap, the oldest gaps
 * are given up until it is back under: the stream jumps to the first buffered
 * piece (the jump is counted in missed_bytes and seen by the consumer as an
 * offset that skips ahead) and buffered data drains. stats.ooo_overflow counts
 * such events. So a direction never holds more than max_ooo plus one segment.
 */
#include <stdlib.h>
#include <string.h>

#include "ws_tcp_internal.h"

#define WS_SEG_COST(s) ((uint64_t)sizeof(ws_seg) + ((s)->missing ? 0u : (s)->len))

void ws_stream_start(ws_dir_state *d, uint32_t seq)
{
    d->started = 1;
    d->next_seq = seq;
    d->next_off = 0;
}

static void advance(ws_dir_state *d, uint64_t n)
{
    d->next_off += n;
    d->next_seq += (uint32_t)n;
}

static void emit(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir, const uint8_t *p,
                 uint32_t len, uint8_t flags)
{
    ws_dir_state *d = &f->dir[dir];
    if (len) {
        c->stats->delivered_bytes += len;
        if (c->cb->stream_data)
            c->cb->stream_data(c->cb->user, f, dir, d->next_off, p, len, c->ts,
                               (uint8_t)(flags & ~(WS_TCP_SYN | WS_TCP_FIN)));
    }
    advance(d, len);
}

static void miss(ws_stream_ctx *c, ws_dir_state *d, uint64_t n)
{
    d->missed += n;
    c->stats->missed_bytes += n;
    advance(d, n);
}

static void drain(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir)
{
    ws_dir_state *d = &f->dir[dir];
    while (d->ooo && d->ooo->off <= d->next_off) {
        ws_seg *s = d->ooo;
        d->ooo = s->next;
        d->ooo_bytes -= WS_SEG_COST(s);
        /* invariant: pieces never start before next_off (insertion trims) */
        if (s->missing)
            miss(c, d, s->len);
        else
            emit(c, f, dir, s->data, s->len, s->flags);
        free(s);
    }
}

static void skip_gap(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir)
{
    ws_dir_state *d = &f->dir[dir];
    if (d->ooo && d->ooo->off > d->next_off)
        miss(c, d, d->ooo->off - d->next_off);
    drain(c, f, dir);
}

/* Insert [off, off + len) (data or missing) into the sorted list, keeping
 * only the parts not already covered (first data wins). 0 or -1 (no memory). */
static int insert_range(ws_stream_ctx *c, ws_dir_state *d, uint64_t off, uint32_t len,
                        const uint8_t *data, uint8_t flags)
{
    ws_seg **pp = &d->ooo;
    uint64_t end = off + len;
    while (off < end) {
        while (*pp && (*pp)->off + (*pp)->len <= off)
            pp = &(*pp)->next;
        uint64_t piece_end = end;
        if (*pp && (*pp)->off <= off) { /* covered by an existing piece */
            uint64_t cov_end = (*pp)->off + (*pp)->len;
            uint64_t dup = (cov_end < end ? cov_end : end) - off;
            c->stats->duplicate_bytes += dup;
            if (data)
                data += dup;
            off += dup;
            continue;
        }
        if (*pp && (*pp)->off < piece_end)
            piece_end = (*pp)->off;
        uint32_t n = (uint32_t)(piece_end - off);
        ws_seg *s = malloc(sizeof *s + (data ? n : 0));
        if (!s)
            return -1;
        s->off = off;
        s->len = n;
        s->missing = data == NULL;
        s->flags = flags;
        if (data) {
            memcpy(s->data, data, n);
            data += n;
        }
        d->ooo_bytes += WS_SEG_COST(s);
        s->next = *pp;
        *pp = s;
        pp = &s->next;
        off = piece_end;
    }
    return 0;
}

void ws_stream_data(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir, uint32_t seq,
                    const uint8_t *data, uint32_t cap, uint32_t orig, uint8_t flags)
{
    ws_dir_state *d = &f->dir[dir];
    if (!d->started)
        ws_stream_start(d, seq);
    if (cap > orig)
        cap = orig;
    int64_t rel = (int32_t)(seq - d->next_seq);
    int64_t soff = (int64_t)d->next_off + rel; /* may be < 0: before the stream start */
    if (d->fin_seen) { /* nothing exists past the FIN: drop what claims to */
        int64_t room = (int64_t)d->fin_off - soff;
        if (room <= 0) {
            c->stats->discarded_bytes += cap;
            return;
        }
        if ((int64_t)orig > room) {
            uint32_t keep = (uint32_t)room;
            if (cap > keep) {
                c->stats->discarded_bytes += cap - keep;
                cap = keep;
            }
            orig = keep;
        }
    }
    uint32_t missing = orig - cap;
    int buffered_counted = 0;
    for (;;) {
        /* trim what lies before next_off (already delivered or skipped) */
        if (soff < (int64_t)d->next_off) {
            uint64_t t = (uint64_t)((int64_t)d->next_off - soff);
            uint64_t total = (uint64_t)cap + missing;
            if (t >= total) {
                c->stats->duplicate_bytes += total;
                return;
            }
            c->stats->duplicate_bytes += t;
            if (t <= cap) {
                data += t;
                cap -= (uint32_t)t;
            } else {
                missing -= (uint32_t)(t - cap);
                data += cap;
                cap = 0;
            }
            soff = (int64_t)d->next_off;
        }
        if (cap == 0 && missing == 0)
            return;
        uint64_t off = (uint64_t)soff;
        if (off == d->next_off && !d->ooo) { /* fast path: in order, nothing buffered */
            emit(c, f, dir, data, cap, flags);
            if (missing)
                miss(c, d, missing);
            return;
        }
        if (off > d->next_off && !buffered_counted) {
            c->stats->ooo_segments++;
            buffered_counted = 1;
        }
        int rc = 0;
        if (cap)
            rc = insert_range(c, d, off, cap, data, flags);
        if (rc == 0 && missing)
            rc = insert_range(c, d, off + cap, missing, NULL, flags);
        if (rc != 0) { /* out of memory: give up the gaps, deliver this one in order */
            c->stats->ooo_overflow++;
            while (d->ooo)
                skip_gap(c, f, dir);
            if (off > d->next_off)
                miss(c, d, off - d->next_off);
            continue; /* trims what was inserted and delivered, sends the rest */
        }
        drain(c, f, dir);
        if (d->ooo_bytes > c->max_ooo) { /* over the cap: give up the oldest gaps */
            c->stats->ooo_overflow++;
            while (d->ooo && d->ooo_bytes > c->max_ooo)
                skip_gap(c, f, dir);
        }
        return;
    }
}

void ws_stream_fin(ws_stream_ctx *c, ws_dir_state *d, uint32_t seq)
{
    if (!d->started)
        ws_stream_start(d, seq);
    if (d->fin_seen)
        return; /* first FIN wins */
    int64_t rel = (int32_t)(seq - d->next_seq);
    int64_t off = (int64_t)d->next_off + rel;
    d->fin_seen = 1;
    d->fin_off = off < (int64_t)d->next_off ? d->next_off : (uint64_t)off;
    /* buffered bytes beyond the FIN cannot be stream data: drop them */
    ws_seg **pp = &d->ooo;
    while (*pp) {
        ws_seg *sg = *pp;
        if (sg->off >= d->fin_off) {
            *pp = sg->next;
            d->ooo_bytes -= WS_SEG_COST(sg);
            if (!sg->missing)
                c->stats->discarded_bytes += sg->len;
            free(sg);
            continue;
        }
        if (sg->off + sg->len > d->fin_off) {
            uint32_t keep = (uint32_t)(d->fin_off - sg->off);
            d->ooo_bytes -= WS_SEG_COST(sg);
            if (!sg->missing)
                c->stats->discarded_bytes += sg->len - keep;
            sg->len = keep; /* the allocation stays; only the length shrinks */
            d->ooo_bytes += WS_SEG_COST(sg);
        }
        pp = &sg->next;
    }
}

int ws_stream_check_fin(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir)
{
    ws_dir_state *d = &f->dir[dir];
    if (d->finished)
        return 1;
    if (!d->fin_seen || d->next_off < d->fin_off)
        return 0;
    d->finished = 1;
    if (c->cb->stream_data)
        c->cb->stream_data(c->cb->user, f, dir, d->next_off, NULL, 0, c->ts, WS_TCP_FIN);
    return 1;
}

void ws_stream_flush(ws_stream_ctx *c, ws_tcp_flow *f, ws_direction dir)
{
    if (f->dir[dir].finished) { /* anything still buffered lies past the FIN */
        ws_stream_discard(c, &f->dir[dir]);
        return;
    }
    while (f->dir[dir].ooo)
        skip_gap(c, f, dir);
    ws_dir_state *d = &f->dir[dir];
    if (d->fin_seen && !d->finished && d->next_off < d->fin_off)
        miss(c, d, d->fin_off - d->next_off);
    ws_stream_check_fin(c, f, dir);
}

void ws_stream_discard(ws_stream_ctx *c, ws_dir_state *d)
{
    while (d->ooo) {
        ws_seg *s = d->ooo;
        d->ooo = s->next;
        if (!s->missing)
            c->stats->discarded_bytes += s->len;
        free(s);
    }
    d->ooo_bytes = 0;
}
