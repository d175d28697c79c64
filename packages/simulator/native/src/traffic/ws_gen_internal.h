/*
 * ws_gen_internal.h - generator pieces: seeded RNG, messages and their bytes.
 */
#ifndef WS_GEN_INTERNAL_H
#define WS_GEN_INTERNAL_H

#include "ws_traffic_internal.h"

/* splitmix64: a counter-based generator, so a byte at any offset can be
 * recomputed without generating what precedes it. */
static inline uint64_t ws_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct ws_rng {
    uint64_t s;
} ws_rng;

static inline uint64_t ws_rng_next(ws_rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    return ws_mix64(r->s);
}
/* uniform in [0, n) (n > 0), by rejection so it is exactly uniform */
static inline uint64_t ws_rng_below(ws_rng *r, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = ws_rng_next(r);
    while (v >= lim);
    return v % n;
}
static inline uint64_t ws_rng_range(ws_rng *r, uint64_t lo, uint64_t hi) /* [lo, hi] */
{
    return hi <= lo ? lo : lo + ws_rng_below(r, hi - lo + 1);
}
void ws_rng_fill(ws_rng *r, uint8_t *p, size_t n);

enum { WS_BODY_NONE = 0, WS_BODY_RANDOM = 1, WS_BODY_TLS = 2 };

/* One application message: explicit header bytes, then a body produced on
 * demand from (seed, offset). */
typedef struct ws_gen_msg {
    uint8_t from_client;
    uint8_t body_kind;
    uint8_t *hdr;
    uint32_t hdr_len;
    uint64_t body_app;  /* application bytes in the body */
    uint64_t body_len;  /* body bytes on the wire (TLS adds record headers) */
    uint64_t seed;
} ws_gen_msg;

#define WS_GEN_MAX_MSGS 6

uint64_t ws_gen_msg_len(const ws_gen_msg *m);
/* Copy bytes [off, off + n) of the message into out. */
void ws_gen_msg_bytes(const ws_gen_msg *m, uint64_t off, uint32_t n, uint8_t *out);
void ws_gen_body(ws_gen_msg *m, int kind, uint64_t app_bytes, uint64_t seed);

/* Build the messages of one flow into msgs (returns the count, 0 on no memory). */
int ws_gen_build_msgs(const ws_gen_flow_desc *d, uint64_t flow_seed, ws_gen_msg *msgs);
void ws_gen_free_msgs(ws_gen_msg *msgs, int n);

#endif
