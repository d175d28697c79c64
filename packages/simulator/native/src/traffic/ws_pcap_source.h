/*
 * ws_pcap_source.h - a forward-only byte source over a memory buffer or a
 * FILE, read through a bounded buffer (the file is never loaded whole).
 */
#ifndef WS_PCAP_SOURCE_H
#define WS_PCAP_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ws_src {
    const uint8_t *mem;   /* memory mode: the whole capture */
    size_t mem_len;
    FILE *f;              /* file mode */
    uint8_t *buf;         /* file mode: window [buf_off, buf_off + len) of the file */
    size_t cap, len;
    uint64_t buf_off;
    int eof;
    int io_errno;
} ws_src;

enum { WS_SRC_OK = 0, WS_SRC_SHORT = 1, WS_SRC_IO = -1, WS_SRC_TOO_BIG = -2 };

/* Make the n bytes at file offset pos available in *p. pos must not be before
 * the previous call's pos (forward only). WS_SRC_SHORT: the source ends first,
 * *avail = bytes present from pos. In file mode, skipped bytes are read and
 * discarded, so pipes work and memory stays bounded by cap. */
int ws_src_get(ws_src *s, uint64_t pos, size_t n, const uint8_t **p, size_t *avail);
size_t ws_src_limit(const ws_src *s); /* largest n ws_src_get can serve */

#endif
