/*
 * ws_pcap_reader.c - classic pcap and pcapng framing.
 *
 * Formats as documented by the libpcap "pcap-savefile" man page and the IETF
 * pcapng draft (draft-ietf-opsawg-pcapng). Every length read from the file is
 * checked against the block / record it belongs to before use.
 *
 * Truncation vs. malformation: when the file ends inside a record (or the
 * record header) whose declared length is plausible, the error is
 * WS_PCAP_E_TRUNCATED at the record's first byte, so a caller can keep the
 * records before it (tcpdump killed mid-write). A declared length that cannot
 * be right (below the minimum, not a multiple of 4 in pcapng, larger than
 * WS_PCAP_MAX_RECORD, disagreeing trailer) is WS_PCAP_E_MALFORMED at the length field.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_pcap_source.h"
#include "ws_traffic_internal.h"

#define WS_PCAP_MAX_RECORD (16u * 1024u * 1024u) /* larger records are refused as malformed */
#define WS_PCAPNG_MAX_IFACES 4096u

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_OPB 0x00000002u
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1A2B3C4Du

typedef struct ws_iface {
    uint32_t linktype;
    uint32_t snaplen;
    uint64_t units_per_sec;
    int64_t ts_offset_sec;
} ws_iface;

struct ws_pcap_reader {
    ws_src src;
    ws_pcap_format format;
    int be;                 /* current byte order (pcap header / pcapng section) */
    uint64_t pos;           /* offset of the next record / block */
    uint64_t index;
    uint32_t linktype;      /* pcap, or first pcapng interface */
    uint32_t snaplen;
    uint64_t units_per_sec; /* pcap */
    ws_iface *ifaces;
    uint32_t n_ifaces, cap_ifaces;
    int seen_idb;
    uint64_t skipped;
    uint64_t last_units, last_ups, last_100ns; /* SPB has no timestamp */
    ws_pcap_error sticky;   /* once failed, always failed */
};

const char *ws_pcap_strerror(int code)
{
    switch (code) {
    case WS_PCAP_OK: return "ok";
    case WS_PCAP_E_ARG: return "invalid argument";
    case WS_PCAP_E_IO: return "I/O error";
    case WS_PCAP_E_NOMEM: return "out of memory";
    case WS_PCAP_E_FORMAT: return "not a supported capture format";
    case WS_PCAP_E_MALFORMED: return "malformed capture";
    case WS_PCAP_E_TRUNCATED: return "capture truncated inside its final record";
    case WS_PCAP_E_TOO_BIG: return "record larger than the read buffer";
    case WS_PCAP_E_LINKTYPE: return "unsupported link type";
    default: return "unknown error";
    }
}

int ws_pcap_fail(ws_pcap_error *err, int code, uint64_t offset, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        err->offset = offset;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

uint64_t ws_muldiv_u64(uint64_t a, uint64_t b, uint64_t c)
{
    if (c == 0)
        return UINT64_MAX;
    uint64_t q = a / c, r = a % c;
    /* a*b/c = q*b + r*b/c */
    uint64_t hi_part;
    if (q != 0 && b > UINT64_MAX / q)
        return UINT64_MAX;
    hi_part = q * b;
    uint64_t lo_part;
    if (r == 0 || b <= UINT64_MAX / r) {
        lo_part = (r * b) / c;
    } else {
        /* 128-bit product r*b by 32-bit limbs, then shift-subtract division. */
        uint64_t r_lo = r & 0xffffffffu, r_hi = r >> 32, b_lo = b & 0xffffffffu, b_hi = b >> 32;
        uint64_t ll = r_lo * b_lo, lh = r_lo * b_hi, hl = r_hi * b_lo, hh = r_hi * b_hi;
        uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
        uint64_t plo = (ll & 0xffffffffu) | (mid << 32);
        uint64_t phi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
        uint64_t quo = 0, rem = 0;
        for (int i = 127; i >= 0; i--) {
            uint64_t bit = i >= 64 ? (phi >> (i - 64)) & 1u : (plo >> i) & 1u;
            int carry = (rem >> 63) != 0;
            rem = (rem << 1) | bit;
            quo <<= 1;
            if (carry || rem >= c) {
                rem -= c;
                quo |= 1u;
            }
        }
        lo_part = quo; /* r < c, so r*b/c < b fits */
    }
    if (hi_part > UINT64_MAX - lo_part)
        return UINT64_MAX;
    return hi_part + lo_part;
}

static int supported_linktype(uint32_t lt)
{
    switch (lt) {
    case WS_LINKTYPE_NULL: case WS_LINKTYPE_ETHERNET: case WS_LINKTYPE_RAW:
    case WS_LINKTYPE_LOOP: case WS_LINKTYPE_LINUX_SLL: case WS_LINKTYPE_IPV4:
    case WS_LINKTYPE_IPV6: case WS_LINKTYPE_LINUX_SLL2:
        return 1;
    default:
        return 0;
    }
}

static int fail(ws_pcap_reader *r, ws_pcap_error *err, int code, uint64_t off, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static int fail(ws_pcap_reader *r, ws_pcap_error *err, int code, uint64_t off, const char *fmt, ...)
{
    ws_pcap_error *e = &r->sticky;
    e->code = code;
    e->offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    if (err)
        *err = *e;
    return code;
}

/* ws_src_get with error mapping: returns 0, 1 (short: *avail set) or a code. */
static int get(ws_pcap_reader *r, ws_pcap_error *err, uint64_t pos, size_t n,
               const uint8_t **p, size_t *avail, uint64_t rec_start)
{
    int rc = ws_src_get(&r->src, pos, n, p, avail);
    if (rc == WS_SRC_OK)
        return 0;
    if (rc == WS_SRC_SHORT)
        return 1;
    if (rc == WS_SRC_TOO_BIG)
        return fail(r, err, WS_PCAP_E_TOO_BIG, rec_start,
                    "record of %zu bytes at offset %llu exceeds the %zu-byte read buffer", n,
                    (unsigned long long)rec_start, ws_src_limit(&r->src));
    return fail(r, err, WS_PCAP_E_IO, pos, "read failed at offset %llu: %s",
                (unsigned long long)pos, strerror(r->src.io_errno));
}

static void set_ts(ws_pcap_packet *pkt, uint64_t units, uint64_t ups)
{
    pkt->ts_units = units;
    pkt->ts_units_per_sec = ups;
    pkt->ts_100ns = ups == 10000000u ? units : ws_muldiv_u64(units, 10000000u, ups);
}

/* ---- classic pcap -------------------------------------------------------- */

static int open_pcap(ws_pcap_reader *r, ws_pcap_error *err, uint32_t magic_le)
{
    switch (magic_le) {
    case 0xa1b2c3d4u: r->be = 0; r->format = WS_PCAP_FORMAT_PCAP_US; break;
    case 0xd4c3b2a1u: r->be = 1; r->format = WS_PCAP_FORMAT_PCAP_US; break;
    case 0xa1b23c4du: r->be = 0; r->format = WS_PCAP_FORMAT_PCAP_NS; break;
    default:          r->be = 1; r->format = WS_PCAP_FORMAT_PCAP_NS; break;
    }
    r->units_per_sec = r->format == WS_PCAP_FORMAT_PCAP_NS ? 1000000000u : 1000000u;
    const uint8_t *h = NULL;
    size_t avail;
    int rc = get(r, err, 0, 24, &h, &avail, 0);
    if (rc == 1)
        return fail(r, err, WS_PCAP_E_MALFORMED, avail,
                    "pcap file header truncated: %zu of 24 bytes", avail);
    if (rc)
        return rc;
    uint16_t major = ws_rd16(h + 4, r->be);
    if (major != 2)
        return fail(r, err, WS_PCAP_E_FORMAT, 4, "unsupported pcap version %u.%u", major,
                    ws_rd16(h + 6, r->be));
    r->snaplen = ws_rd32(h + 16, r->be);
    r->linktype = ws_rd32(h + 20, r->be) & 0xffffu; /* upper bits: FCS information */
    if (!supported_linktype(r->linktype))
        return fail(r, err, WS_PCAP_E_LINKTYPE, 20, "unsupported link type %u", r->linktype);
    r->pos = 24;
    return 0;
}

static int next_pcap(ws_pcap_reader *r, ws_pcap_packet *pkt, ws_pcap_error *err)
{
    const uint8_t *h = NULL;
    size_t avail;
    uint64_t at = r->pos;
    int rc = get(r, err, at, 16, &h, &avail, at);
    if (rc == 1) {
        if (avail == 0)
            return 0;
        return fail(r, err, WS_PCAP_E_TRUNCATED, at,
                    "record header at offset %llu truncated: %zu of 16 bytes",
                    (unsigned long long)at, avail);
    }
    if (rc)
        return rc;
    uint32_t sec = ws_rd32(h, r->be), frac = ws_rd32(h + 4, r->be);
    uint32_t caplen = ws_rd32(h + 8, r->be), origlen = ws_rd32(h + 12, r->be);
    if (caplen > WS_PCAP_MAX_RECORD)
        return fail(r, err, WS_PCAP_E_MALFORMED, at + 8,
                    "record at offset %llu: captured length %u is implausible",
                    (unsigned long long)at, caplen);
    const uint8_t *data = NULL;
    rc = get(r, err, at + 16, caplen, &data, &avail, at);
    if (rc == 1)
        return fail(r, err, WS_PCAP_E_TRUNCATED, at,
                    "record at offset %llu declares %u bytes, the file ends after %zu",
                    (unsigned long long)at, caplen, avail);
    if (rc)
        return rc;
    memset(pkt, 0, sizeof *pkt);
    pkt->index = r->index++;
    pkt->record_offset = at;
    pkt->linktype = r->linktype;
    set_ts(pkt, (uint64_t)sec * r->units_per_sec + frac, r->units_per_sec);
    r->pos = at + 16 + caplen;
    ws_pcap_decode_frame(pkt, r->linktype, data, caplen, origlen);
    return 1;
}

/* ---- pcapng -------------------------------------------------------------- */

static int read_shb(ws_pcap_reader *r, ws_pcap_error *err, uint64_t at)
{
    const uint8_t *h = NULL;
    size_t avail;
    int rc = get(r, err, at, 12, &h, &avail, at);
    if (rc == 1)
        return fail(r, err, at == 0 ? WS_PCAP_E_MALFORMED : WS_PCAP_E_TRUNCATED, at,
                    "section header block at offset %llu truncated", (unsigned long long)at);
    if (rc)
        return rc;
    uint32_t bom = ws_rd32le(h + 8);
    if (bom == PCAPNG_BOM)
        r->be = 0;
    else if (bom == 0x4D3C2B1Au)
        r->be = 1;
    else
        return fail(r, err, WS_PCAP_E_MALFORMED, at + 8,
                    "section header at offset %llu: bad byte-order magic 0x%08x",
                    (unsigned long long)at, bom);
    uint32_t len = ws_rd32(h + 4, r->be);
    if (len < 28 || len % 4 || len > WS_PCAP_MAX_RECORD)
        return fail(r, err, WS_PCAP_E_MALFORMED, at + 4,
                    "section header at offset %llu: bad block length %u", (unsigned long long)at,
                    len);
    rc = get(r, err, at, len, &h, &avail, at);
    if (rc == 1)
        return fail(r, err, at == 0 ? WS_PCAP_E_MALFORMED : WS_PCAP_E_TRUNCATED, at,
                    "section header block at offset %llu declares %u bytes, the file ends after %zu",
                    (unsigned long long)at, len, avail);
    if (rc)
        return rc;
    uint16_t major = ws_rd16(h + 12, r->be);
    if (major != 1)
        return fail(r, err, WS_PCAP_E_FORMAT, at + 12, "unsupported pcapng version %u.%u", major,
                    ws_rd16(h + 14, r->be));
    if (ws_rd32(h + len - 4, r->be) != len)
        return fail(r, err, WS_PCAP_E_MALFORMED, at + len - 4,
                    "block at offset %llu: trailing length differs from %u",
                    (unsigned long long)at, len);
    r->n_ifaces = 0; /* interface ids are per section */
    r->pos = at + len;
    return 0;
}

static int read_idb(ws_pcap_reader *r, ws_pcap_error *err, uint64_t at, const uint8_t *b,
                    uint32_t len)
{
    if (len < 20)
        return fail(r, err, WS_PCAP_E_MALFORMED, at + 4,
                    "interface description block at offset %llu: length %u < 20",
                    (unsigned long long)at, len);
    if (r->n_ifaces >= WS_PCAPNG_MAX_IFACES)
        return fail(r, err, WS_PCAP_E_MALFORMED, at, "more than %u interfaces in one section",
                    WS_PCAPNG_MAX_IFACES);
    ws_iface ifc = {ws_rd16(b + 8, r->be), ws_rd32(b + 12, r->be), 1000000u, 0};
    if (!supported_linktype(ifc.linktype))
        return fail(r, err, WS_PCAP_E_LINKTYPE, at + 8,
                    "interface %u (block at offset %llu): unsupported link type %u", r->n_ifaces,
                    (unsigned long long)at, ifc.linktype);
    uint32_t off = 16, end = len - 4;
    while (off + 4 <= end) {
        uint16_t code = ws_rd16(b + off, r->be), olen = ws_rd16(b + off + 2, r->be);
        uint32_t padded = ((uint32_t)olen + 3u) & ~3u;
        if (code == 0)
            break;
        if (padded > end - off - 4)
            return fail(r, err, WS_PCAP_E_MALFORMED, at + off + 2,
                        "option %u at offset %llu overruns its block", code,
                        (unsigned long long)(at + off));
        const uint8_t *v = b + off + 4;
        if (code == 9) { /* if_tsresol */
            if (olen != 1)
                return fail(r, err, WS_PCAP_E_MALFORMED, at + off + 2,
                            "if_tsresol option length %u != 1", olen);
            uint8_t e = v[0] & 0x7f;
            uint64_t ups = 1;
            if (v[0] & 0x80) {
                if (e > 63)
                    return fail(r, err, WS_PCAP_E_MALFORMED, at + off + 4,
                                "if_tsresol 2^-%u is not supported", e);
                ups = (uint64_t)1 << e;
            } else {
                if (e > 19)
                    return fail(r, err, WS_PCAP_E_MALFORMED, at + off + 4,
                                "if_tsresol 10^-%u is not supported", e);
                for (uint8_t i = 0; i < e; i++)
                    ups *= 10u;
            }
            ifc.units_per_sec = ups;
        } else if (code == 14) { /* if_tsoffset, seconds */
            if (olen != 8)
                return fail(r, err, WS_PCAP_E_MALFORMED, at + off + 2,
                            "if_tsoffset option length %u != 8", olen);
            uint64_t hi = ws_rd32(v, r->be), lo = ws_rd32(v + 4, r->be);
            uint64_t u = r->be ? (hi << 32 | lo) : (lo << 32 | hi);
            ifc.ts_offset_sec = (int64_t)u;
        }
        off += 4 + padded;
    }
    if (r->n_ifaces == r->cap_ifaces) {
        uint32_t nc = r->cap_ifaces ? r->cap_ifaces * 2 : 4;
        ws_iface *ni = realloc(r->ifaces, nc * sizeof *ni);
        if (!ni)
            return fail(r, err, WS_PCAP_E_NOMEM, at, "out of memory");
        r->ifaces = ni;
        r->cap_ifaces = nc;
    }
    r->ifaces[r->n_ifaces++] = ifc;
    if (!r->seen_idb) {
        r->seen_idb = 1;
        r->linktype = ifc.linktype;
    }
    return 0;
}

static void ng_ts(ws_pcap_reader *r, ws_pcap_packet *pkt, const ws_iface *ifc, uint64_t units)
{
    uint64_t ups = ifc->units_per_sec;
    if (ifc->ts_offset_sec) {
        int64_t s = ifc->ts_offset_sec;
        uint64_t mag = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
        uint64_t add = mag > UINT64_MAX / ups ? UINT64_MAX : mag * ups;
        if (s > 0)
            units = units > UINT64_MAX - add ? UINT64_MAX : units + add;
        else
            units = units > add ? units - add : 0;
    }
    set_ts(pkt, units, ups);
    r->last_units = units;
    r->last_ups = ups;
    r->last_100ns = pkt->ts_100ns;
}

/* only_idbs: read the interface blocks that follow the section header at open
   (so the link type is known before the first packet) and stop at anything else. */
static int next_pcapng(ws_pcap_reader *r, ws_pcap_packet *pkt, ws_pcap_error *err, int only_idbs)
{
    for (;;) {
        const uint8_t *h = NULL;
        size_t avail;
        uint64_t at = r->pos;
        int rc = get(r, err, at, 8, &h, &avail, at);
        if (rc == 1) {
            if (avail == 0)
                return 0;
            return fail(r, err, WS_PCAP_E_TRUNCATED, at,
                        "block header at offset %llu truncated: %zu of 8 bytes",
                        (unsigned long long)at, avail);
        }
        if (rc)
            return rc;
        uint32_t type = ws_rd32(h, r->be);
        if (only_idbs && type != PCAPNG_IDB)
            return 0;
        if (type == PCAPNG_SHB) {
            if ((rc = read_shb(r, err, at)) != 0)
                return rc;
            continue;
        }
        uint32_t len = ws_rd32(h + 4, r->be);
        if (len < 12 || len % 4)
            return fail(r, err, WS_PCAP_E_MALFORMED, at + 4,
                        "block at offset %llu: bad block length %u", (unsigned long long)at, len);
        int decode = type == PCAPNG_IDB || type == PCAPNG_EPB || type == PCAPNG_SPB;
        if (!decode) { /* skip by length: only the trailer is read */
            const uint8_t *t = NULL;
            rc = get(r, err, at + len - 4, 4, &t, &avail, at);
            if (rc == 1)
                return fail(r, err, WS_PCAP_E_TRUNCATED, at,
                            "block at offset %llu declares %u bytes, the file ends first",
                            (unsigned long long)at, len);
            if (rc)
                return rc;
            if (ws_rd32(t, r->be) != len)
                return fail(r, err, WS_PCAP_E_MALFORMED, at + len - 4,
                            "block at offset %llu: trailing length differs from %u",
                            (unsigned long long)at, len);
            r->skipped++;
            r->pos = at + len;
            continue;
        }
        if (len > WS_PCAP_MAX_RECORD)
            return fail(r, err, WS_PCAP_E_MALFORMED, at + 4,
                        "block at offset %llu: length %u is implausible", (unsigned long long)at,
                        len);
        const uint8_t *b = NULL;
        rc = get(r, err, at, len, &b, &avail, at);
        if (rc == 1)
            return fail(r, err, WS_PCAP_E_TRUNCATED, at,
                        "block at offset %llu declares %u bytes, the file ends after %zu",
                        (unsigned long long)at, len, avail);
        if (rc)
            return rc;
        if (ws_rd32(b + len - 4, r->be) != len)
            return fail(r, err, WS_PCAP_E_MALFORMED, at + len - 4,
                        "block at offset %llu: trailing length differs from %u",
                        (unsigned long long)at, len);
        r->pos = at + len;
        if (type == PCAPNG_IDB) {
            if ((rc = read_idb(r, err, at, b, len)) != 0)
                return rc;
            continue;
        }
        const uint8_t *data;
        uint32_t caplen, origlen, ifid;
        uint64_t units = 0;
        int has_ts = 1;
        if (type == PCAPNG_EPB) {
            if (len < 32)
                return fail(r, err, WS_PCAP_E_MALFORMED, at + 4,
                            "enhanced packet block at offset %llu: length %u < 32",
                            (unsigned long long)at, len);
            ifid = ws_rd32(b + 8, r->be);
            units = (uint64_t)ws_rd32(b + 12, r->be) << 32 | ws_rd32(b + 16, r->be);
            caplen = ws_rd32(b + 20, r->be);
            origlen = ws_rd32(b + 24, r->be);
            if (caplen > len - 32)
                return fail(r, err, WS_PCAP_E_MALFORMED, at + 20,
                            "enhanced packet block at offset %llu: captured length %u exceeds the block",
                            (unsigned long long)at, caplen);
            data = b + 28;
        } else { /* SPB: interface 0, no timestamp, caplen from the block and snaplen */
            if (len < 16)
                return fail(r, err, WS_PCAP_E_MALFORMED, at + 4,
                            "simple packet block at offset %llu: length %u < 16",
                            (unsigned long long)at, len);
            ifid = 0;
            has_ts = 0;
            origlen = ws_rd32(b + 8, r->be);
            caplen = len - 16;
            if (origlen < caplen)
                caplen = origlen;
            data = b + 12;
        }
        if (ifid >= r->n_ifaces)
            return fail(r, err, WS_PCAP_E_MALFORMED, type == PCAPNG_EPB ? at + 8 : at,
                        "packet block at offset %llu refers to interface %u of %u",
                        (unsigned long long)at, ifid, r->n_ifaces);
        const ws_iface *ifc = &r->ifaces[ifid];
        if (!has_ts && ifc->snaplen && caplen > ifc->snaplen)
            caplen = ifc->snaplen;
        memset(pkt, 0, sizeof *pkt);
        pkt->index = r->index++;
        pkt->record_offset = at;
        pkt->interface_id = ifid;
        pkt->linktype = ifc->linktype;
        if (has_ts) {
            ng_ts(r, pkt, ifc, units);
        } else { /* documented: an SPB reuses the previous packet's time */
            pkt->ts_units = r->last_units;
            pkt->ts_units_per_sec = r->last_ups ? r->last_ups : ifc->units_per_sec;
            pkt->ts_100ns = r->last_100ns;
        }
        ws_pcap_decode_frame(pkt, ifc->linktype, data, caplen, origlen);
        return 1;
    }
}

/* ---- open / next / close ------------------------------------------------- */

static int open_common(ws_pcap_reader *r, ws_pcap_error *err)
{
    const uint8_t *h = NULL;
    size_t avail;
    int rc = get(r, err, 0, 4, &h, &avail, 0);
    if (rc == 1 && avail == 0)
        return fail(r, err, WS_PCAP_E_FORMAT, 0, "empty file");
    if (rc == 1)
        return fail(r, err, WS_PCAP_E_FORMAT, 0, "file too short for a capture header (%zu bytes)",
                    avail);
    if (rc)
        return rc;
    uint32_t m = ws_rd32le(h);
    if (m == 0xa1b2c3d4u || m == 0xd4c3b2a1u || m == 0xa1b23c4du || m == 0x4d3cb2a1u)
        return open_pcap(r, err, m);
    if (m == PCAPNG_SHB) {
        r->format = WS_PCAP_FORMAT_PCAPNG;
        r->linktype = 0;
        int rc2 = read_shb(r, err, 0);
        if (rc2 == 0)
            rc2 = next_pcapng(r, NULL, err, 1);
        return rc2 < 0 ? rc2 : 0;
    }
    return fail(r, err, WS_PCAP_E_FORMAT, 0, "unknown magic 0x%08x: not pcap or pcapng", m);
}

static int finish_open(ws_pcap_reader **out, ws_pcap_reader *r, ws_pcap_error *err)
{
    int rc = open_common(r, err);
    if (rc) {
        ws_pcap_close(r);
        return rc;
    }
    if (err)
        memset(err, 0, sizeof *err);
    *out = r;
    return 0;
}

int ws_pcap_open_memory(ws_pcap_reader **out, const void *data, size_t len, ws_pcap_error *err)
{
    if (!out || (!data && len))
        return ws_pcap_fail(err, WS_PCAP_E_ARG, 0, "invalid argument");
    *out = NULL;
    ws_pcap_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ws_pcap_fail(err, WS_PCAP_E_NOMEM, 0, "out of memory");
    r->src.mem = data;
    r->src.mem_len = len;
    return finish_open(out, r, err);
}

int ws_pcap_open_file(ws_pcap_reader **out, const char *path, size_t buffer_size,
                      ws_pcap_error *err)
{
    if (!out || !path)
        return ws_pcap_fail(err, WS_PCAP_E_ARG, 0, "invalid argument");
    *out = NULL;
    if (buffer_size == 0)
        buffer_size = WS_PCAP_DEFAULT_BUFFER;
    if (buffer_size < WS_PCAP_MIN_BUFFER)
        buffer_size = WS_PCAP_MIN_BUFFER;
    ws_pcap_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ws_pcap_fail(err, WS_PCAP_E_NOMEM, 0, "out of memory");
    r->src.buf = malloc(buffer_size);
    if (!r->src.buf) {
        free(r);
        return ws_pcap_fail(err, WS_PCAP_E_NOMEM, 0, "out of memory");
    }
    r->src.cap = buffer_size;
    r->src.f = fopen(path, "rb");
    if (!r->src.f) {
        int e = errno;
        free(r->src.buf);
        free(r);
        return ws_pcap_fail(err, WS_PCAP_E_IO, 0, "cannot open %s: %s", path, strerror(e));
    }
    return finish_open(out, r, err);
}

int ws_pcap_next(ws_pcap_reader *r, ws_pcap_packet *pkt, ws_pcap_error *err)
{
    if (!r || !pkt)
        return ws_pcap_fail(err, WS_PCAP_E_ARG, 0, "invalid argument");
    if (r->sticky.code) {
        if (err)
            *err = r->sticky;
        return r->sticky.code;
    }
    int rc = r->format == WS_PCAP_FORMAT_PCAPNG ? next_pcapng(r, pkt, err, 0) : next_pcap(r, pkt, err);
    if (rc >= 0 && err)
        memset(err, 0, sizeof *err);
    return rc;
}

void ws_pcap_close(ws_pcap_reader *r)
{
    if (!r)
        return;
    if (r->src.f)
        fclose(r->src.f);
    free(r->src.buf);
    free(r->ifaces);
    free(r);
}

ws_pcap_format ws_pcap_get_format(const ws_pcap_reader *r) { return r->format; }
uint32_t ws_pcap_get_linktype(const ws_pcap_reader *r) { return r->linktype; }
uint64_t ws_pcap_skipped_blocks(const ws_pcap_reader *r) { return r->skipped; }
