/*
 * capture_build.h - byte-by-byte builders of pcap / pcapng files and link
 * layer frames, for the traffic tests and the fuzz seed corpus.
 */
#ifndef CAPTURE_BUILD_H
#define CAPTURE_BUILD_H

#include "test_util.h"

/* ---- capture builders ------------------------------------------------------------ */

static inline void pcap_hdr(tbuf *f, int be, int ns, uint32_t linktype, uint32_t snaplen)
{
    tb_32(f, ns ? 0xa1b23c4du : 0xa1b2c3d4u, be);
    tb_16(f, 2, be); tb_16(f, 4, be);
    tb_32(f, 0, be); tb_32(f, 0, be);
    tb_32(f, snaplen, be); tb_32(f, linktype, be);
}

static inline void pcap_rec(tbuf *f, int be, uint32_t sec, uint32_t frac, const tbuf *frame, uint32_t origlen)
{
    tb_32(f, sec, be); tb_32(f, frac, be);
    tb_32(f, (uint32_t)frame->len, be); tb_32(f, origlen ? origlen : (uint32_t)frame->len, be);
    tb_put(f, frame->p, frame->len);
}

static inline void ng_block(tbuf *f, int be, uint32_t type, const tbuf *body)
{
    uint32_t len = (uint32_t)(12 + ((body->len + 3) & ~(size_t)3));
    tb_32(f, type, be); tb_32(f, len, be);
    tb_put(f, body->p, body->len);
    tb_zero(f, ((body->len + 3) & ~(size_t)3) - body->len);
    tb_32(f, len, be);
}

static inline void ng_shb(tbuf *f, int be)
{
    tbuf b = {0};
    tb_32(&b, 0x1A2B3C4Du, be); tb_16(&b, 1, be); tb_16(&b, 0, be);
    tb_32(&b, 0xffffffffu, be); tb_32(&b, 0xffffffffu, be); /* section length: unknown */
    ng_block(f, be, 0x0A0D0D0Au, &b);
    tb_free(&b);
}

/* tsresol < 0: no option; tsoffset != 0: if_tsoffset option */
static inline void ng_idb(tbuf *f, int be, uint32_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
    tbuf b = {0};
    tb_16(&b, linktype, be); tb_16(&b, 0, be); tb_32(&b, snaplen, be);
    tb_16(&b, 2, be); tb_16(&b, 3, be); tb_put(&b, "lo0", 3); tb_u8(&b, 0); /* if_name */
    if (tsresol >= 0) {
        tb_16(&b, 9, be); tb_16(&b, 1, be); tb_u8(&b, (unsigned)tsresol); tb_zero(&b, 3);
    }
    if (tsoffset) {
        uint64_t u = (uint64_t)tsoffset;
        tb_16(&b, 14, be); tb_16(&b, 8, be);
        if (be) { tb_be32(&b, (uint32_t)(u >> 32)); tb_be32(&b, (uint32_t)u); }
        else { tb_le32(&b, (uint32_t)u); tb_le32(&b, (uint32_t)(u >> 32)); }
    }
    tb_16(&b, 0, be); tb_16(&b, 0, be); /* opt_endofopt */
    ng_block(f, be, 1, &b);
    tb_free(&b);
}

static inline void ng_epb(tbuf *f, int be, uint32_t ifid, uint64_t ts, const tbuf *frame, uint32_t origlen)
{
    tbuf b = {0};
    tb_32(&b, ifid, be); tb_32(&b, (uint32_t)(ts >> 32), be); tb_32(&b, (uint32_t)ts, be);
    tb_32(&b, (uint32_t)frame->len, be); tb_32(&b, origlen ? origlen : (uint32_t)frame->len, be);
    tb_put(&b, frame->p, frame->len);
    tb_zero(&b, ((frame->len + 3) & ~(size_t)3) - frame->len);
    ng_block(f, be, 6, &b);
    tb_free(&b);
}

static inline void ng_spb(tbuf *f, int be, const tbuf *frame)
{
    tbuf b = {0};
    tb_32(&b, (uint32_t)frame->len, be);
    tb_put(&b, frame->p, frame->len);
    ng_block(f, be, 3, &b);
    tb_free(&b);
}

static inline void ng_opb(tbuf *f, int be, const tbuf *frame)
{
    tbuf b = {0};
    tb_16(&b, 0, be); tb_16(&b, 0, be); tb_32(&b, 0, be); tb_32(&b, 1, be);
    tb_32(&b, (uint32_t)frame->len, be); tb_32(&b, (uint32_t)frame->len, be);
    tb_put(&b, frame->p, frame->len);
    ng_block(f, be, 2, &b);
    tb_free(&b);
}

static inline void ng_unknown(tbuf *f, int be, uint32_t type, size_t n)
{
    tbuf b = {0};
    for (size_t i = 0; i < n; i++)
        tb_u8(&b, (unsigned)(i * 7));
    ng_block(f, be, type, &b);
    tb_free(&b);
}

/* ---- link layers ---------------------------------------------------------------- */

static inline tbuf with_link(uint32_t linktype, const tbuf *ip, int v6)
{
    tbuf f = {0};
    switch (linktype) {
    case WS_LINKTYPE_ETHERNET: {
        static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
        tb_put(&f, macs, 12); tb_be16(&f, v6 ? 0x86dd : 0x0800);
        break;
    }
    case WS_LINKTYPE_LINUX_SLL:
        tb_be16(&f, 4); tb_be16(&f, 1); tb_be16(&f, 6); tb_zero(&f, 8); tb_be16(&f, v6 ? 0x86dd : 0x0800);
        break;
    case WS_LINKTYPE_LINUX_SLL2:
        tb_be16(&f, v6 ? 0x86dd : 0x0800); tb_be16(&f, 0); tb_be32(&f, 1); tb_be16(&f, 1);
        tb_u8(&f, 0); tb_u8(&f, 6); tb_zero(&f, 8);
        break;
    case WS_LINKTYPE_NULL: /* little-endian writer (x86 BSD / macOS) */
        tb_le32(&f, v6 ? 30 : 2);
        break;
    case WS_LINKTYPE_LOOP:
        tb_be32(&f, v6 ? 24 : 2);
        break;
    default:
        break;
    }
    tb_put(&f, ip->p, ip->len);
    return f;
}

#endif
