/*
 * bytes.h - a byte builder for hand-made protocol messages in tests: big-endian
 * integers, strings, and nested length prefixes (open a prefix of 1, 2 or 3 bytes,
 * write the body, close it and the length is filled in).
 */
#ifndef WK_TEST_BYTES_H
#define WK_TEST_BYTES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BB_CAP 70000u

typedef struct bb {
    uint8_t b[BB_CAP];
    size_t len;
    size_t mark[16];
    unsigned width[16];
    unsigned depth;
} bb;

static void bb_reset(bb *x)
{
    x->len = 0;
    x->depth = 0;
}

static void bb_u8(bb *x, unsigned v)
{
    if (x->len >= BB_CAP) {
        abort();
    }
    x->b[x->len++] = (uint8_t)v;
}

static void bb_u16(bb *x, unsigned v)
{
    bb_u8(x, v >> 8);
    bb_u8(x, v);
}

static void bb_data(bb *x, const void *p, size_t n)
{
    if (n > BB_CAP - x->len) {
        abort();
    }
    memcpy(x->b + x->len, p, n);
    x->len += n;
}

static void bb_str(bb *x, const char *s)
{
    bb_data(x, s, strlen(s));
}

static void bb_fill(bb *x, unsigned v, size_t n)
{
    while (n-- > 0) {
        bb_u8(x, v);
    }
}

/* Starts a length prefix of `width` bytes (1, 2 or 3). */
static void bb_open(bb *x, unsigned width)
{
    x->mark[x->depth] = x->len;
    x->width[x->depth] = width;
    x->depth++;
    bb_fill(x, 0, width);
}

/* Fills in the innermost open length prefix with the bytes written since. */
static void bb_close(bb *x)
{
    size_t at, n;
    unsigned w, i;
    x->depth--;
    at = x->mark[x->depth];
    w = x->width[x->depth];
    n = x->len - at - w;
    for (i = 0; i < w; i++) {
        x->b[at + i] = (uint8_t)(n >> (8u * (w - 1u - i)));
    }
}

#endif /* WK_TEST_BYTES_H */
