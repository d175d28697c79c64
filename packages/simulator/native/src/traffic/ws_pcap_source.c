/*
 * ws_pcap_source.c - bounded, forward-only reads of a capture (see the header).
 */
#include "ws_pcap_source.h"

#include <errno.h>
#include <string.h>

size_t ws_src_limit(const ws_src *s) { return s->f ? s->cap : SIZE_MAX; }

static int get_mem(const ws_src *s, uint64_t pos, size_t n, const uint8_t **p, size_t *avail)
{
    if (pos >= s->mem_len) {
        *avail = 0;
        return n == 0 ? WS_SRC_OK : WS_SRC_SHORT;
    }
    size_t left = s->mem_len - (size_t)pos;
    *p = s->mem + pos;
    if (left < n) {
        *avail = left;
        return WS_SRC_SHORT;
    }
    *avail = n;
    return WS_SRC_OK;
}

int ws_src_get(ws_src *s, uint64_t pos, size_t n, const uint8_t **p, size_t *avail)
{
    *avail = 0;
    if (!s->f)
        return get_mem(s, pos, n, p, avail);
    if (n > s->cap)
        return WS_SRC_TOO_BIG;
    if (pos < s->buf_off)
        return WS_SRC_IO; /* forward only: a caller bug, reported as an I/O failure */
    uint64_t end = s->buf_off + s->len;
    if (pos + n <= end) {
        *p = s->buf + (pos - s->buf_off);
        *avail = n;
        return WS_SRC_OK;
    }
    /* Drop what lies before pos. */
    if (pos >= end) {
        s->buf_off = end;
        s->len = 0;
        while (s->buf_off < pos && !s->eof) { /* discard-read up to pos */
            uint64_t want64 = pos - s->buf_off;
            size_t want = want64 < s->cap ? (size_t)want64 : s->cap;
            size_t got = fread(s->buf, 1, want, s->f);
            s->buf_off += got;
            if (got < want) {
                if (ferror(s->f)) {
                    s->io_errno = errno;
                    return WS_SRC_IO;
                }
                s->eof = 1;
            }
        }
        if (s->buf_off < pos)
            return WS_SRC_SHORT; /* *avail = 0 */
    } else {
        size_t drop = (size_t)(pos - s->buf_off);
        memmove(s->buf, s->buf + drop, s->len - drop);
        s->len -= drop;
        s->buf_off = pos;
    }
    while (s->len < n && !s->eof) {
        size_t want = s->cap - s->len;
        size_t got = fread(s->buf + s->len, 1, want, s->f);
        s->len += got;
        if (got < want) {
            if (ferror(s->f)) {
                s->io_errno = errno;
                return WS_SRC_IO;
            }
            s->eof = 1;
        }
    }
    *p = s->buf;
    if (s->len < n) {
        *avail = s->len;
        return WS_SRC_SHORT;
    }
    *avail = n;
    return WS_SRC_OK;
}
