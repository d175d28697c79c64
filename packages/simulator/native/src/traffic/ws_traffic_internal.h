/*
 * ws_traffic_internal.h - helpers shared by the traffic sources (not exported).
 */
#ifndef WS_TRAFFIC_INTERNAL_H
#define WS_TRAFFIC_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "wfpsim/traffic.h"

static inline uint16_t ws_rd16be(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint16_t ws_rd16le(const uint8_t *p) { return (uint16_t)((p[1] << 8) | p[0]); }
static inline uint32_t ws_rd32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint32_t ws_rd32le(const uint8_t *p)
{
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}
static inline uint16_t ws_rd16(const uint8_t *p, int be) { return be ? ws_rd16be(p) : ws_rd16le(p); }
static inline uint32_t ws_rd32(const uint8_t *p, int be) { return be ? ws_rd32be(p) : ws_rd32le(p); }
static inline void ws_wr16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void ws_wr32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void ws_wr16le(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void ws_wr32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* a * b / c without overflow of the intermediate product (c != 0; the result
 * saturates at UINT64_MAX). */
uint64_t ws_muldiv_u64(uint64_t a, uint64_t b, uint64_t c);

/* Fill err (may be NULL) and return code. */
int ws_pcap_fail(ws_pcap_error *err, int code, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* RFC 1071 ones' complement sum helpers (generator). */
uint32_t ws_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t ws_csum_fold(uint32_t sum);

#endif
