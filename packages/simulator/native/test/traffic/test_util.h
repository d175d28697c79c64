/*
 * test_util.h - a minimal test harness and byte builders for the traffic
 * tests. Each test program ends with the line "N passed, M failed".
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfpsim/traffic.h"

static int t_pass, t_fail;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            t_pass++;                                                                  \
        } else {                                                                       \
            t_fail++;                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_EQ(a, b)                                                                         \
    do {                                                                                       \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b);       \
        if (va_ == vb_) {                                                                      \
            t_pass++;                                                                          \
        } else {                                                                               \
            t_fail++;                                                                          \
            fprintf(stderr, "%s:%d: %s == %s failed: %llu != %llu\n", __FILE__, __LINE__, #a,  \
                    #b, va_, vb_);                                                             \
        }                                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                                        \
    do {                                                                                       \
        const char *sa_ = (a), *sb_ = (b);                                                     \
        if (sa_ && sb_ && strcmp(sa_, sb_) == 0) {                                             \
            t_pass++;                                                                          \
        } else {                                                                               \
            t_fail++;                                                                          \
            fprintf(stderr, "%s:%d: strings differ:\n  got:  %s\n  want: %s\n", __FILE__,     \
                    __LINE__, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                     \
        }                                                                                      \
    } while (0)

static inline int t_summary(void)
{
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail ? 1 : 0;
}

/* ---- growable byte buffer ---------------------------------------------------- */

typedef struct tbuf {
    uint8_t *p;
    size_t len, cap;
} tbuf;

static inline void tb_put(tbuf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n)
            nc *= 2;
        b->p = realloc(b->p, nc);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->cap = nc;
    }
    if (n)
        memcpy(b->p + b->len, src, n);
    b->len += n;
}
static inline void tb_u8(tbuf *b, unsigned v) { uint8_t x = (uint8_t)v; tb_put(b, &x, 1); }
static inline void tb_be16(tbuf *b, unsigned v) { tb_u8(b, v >> 8); tb_u8(b, v); }
static inline void tb_be32(tbuf *b, uint32_t v) { tb_be16(b, v >> 16); tb_be16(b, v & 0xffff); }
static inline void tb_le16(tbuf *b, unsigned v) { tb_u8(b, v); tb_u8(b, v >> 8); }
static inline void tb_le32(tbuf *b, uint32_t v) { tb_le16(b, v & 0xffff); tb_le16(b, v >> 16); }
static inline void tb_16(tbuf *b, unsigned v, int be) { if (be) tb_be16(b, v); else tb_le16(b, v); }
static inline void tb_32(tbuf *b, uint32_t v, int be) { if (be) tb_be32(b, v); else tb_le32(b, v); }
static inline void tb_zero(tbuf *b, size_t n) { while (n--) tb_u8(b, 0); }
static inline void tb_free(tbuf *b) { free(b->p); b->p = NULL; b->len = b->cap = 0; }
static inline void tb_set_be16(tbuf *b, size_t at, unsigned v) { b->p[at] = (uint8_t)(v >> 8); b->p[at + 1] = (uint8_t)v; }

/* ---- IP packets ------------------------------------------------------------------ */

static const uint8_t A4[4] = {10, 0, 0, 2}, B4[4] = {192, 0, 2, 7};
static const uint8_t A6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};

/* TCP header (no options) + payload */
static inline void tb_tcp(tbuf *b, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
                   unsigned flags, const void *payload, size_t n)
{
    tb_be16(b, sport); tb_be16(b, dport); tb_be32(b, seq); tb_be32(b, ack);
    tb_u8(b, 5 << 4); tb_u8(b, flags); tb_be16(b, 8192); tb_be16(b, 0); tb_be16(b, 0);
    tb_put(b, payload, n);
}

/* IPv4 header with optional options (length multiple of 4) and fragment word */
static inline void tb_ip4(tbuf *b, const uint8_t src[4], const uint8_t dst[4], unsigned proto,
                   size_t l4len, size_t optlen, unsigned frag)
{
    tb_u8(b, 0x40 | (unsigned)(5 + optlen / 4)); tb_u8(b, 0);
    tb_be16(b, (unsigned)(20 + optlen + l4len)); tb_be16(b, 0x1234); tb_be16(b, frag);
    tb_u8(b, 64); tb_u8(b, proto); tb_be16(b, 0);
    tb_put(b, src, 4); tb_put(b, dst, 4);
    for (size_t i = 0; i < optlen; i++)
        tb_u8(b, i + 1 == optlen ? 0 : 1); /* NOPs, then EOL */
}

static inline void tb_ip6(tbuf *b, const uint8_t src[16], const uint8_t dst[16], unsigned nh, size_t plen)
{
    tb_be32(b, 0x60000000u); tb_be16(b, (unsigned)plen); tb_u8(b, nh); tb_u8(b, 64);
    tb_put(b, src, 16); tb_put(b, dst, 16);
}

/* A complete IPv4/TCP packet */
static inline tbuf ip4_tcp(const uint8_t src[4], const uint8_t dst[4], unsigned sport, unsigned dport,
                    uint32_t seq, uint32_t ack, unsigned flags, const void *pl, size_t n)
{
    tbuf b = {0};
    tb_ip4(&b, src, dst, 6, 20 + n, 0, 0x4000);
    tb_tcp(&b, sport, dport, seq, ack, flags, pl, n);
    return b;
}

#endif
