/*
 * ws_pcap_decode.c - link layer -> IPv4/IPv6 -> TCP/UDP header decoding.
 *
 * Never reads outside [frame, frame + caplen). A header that does not fit is
 * WS_DECODE_TRUNCATED when the record is cut by the snapshot length (caplen <
 * origlen) and WS_DECODE_MALFORMED otherwise. IP fragments are flagged, not
 * reassembled; ports are read from a first fragment when its bytes are there.
 */
#include <stddef.h>
#include <string.h>

#include "ws_traffic_internal.h"

#define ETH_IPV4 0x0800u
#define ETH_IPV6 0x86DDu

static void cut(ws_pcap_packet *pkt)
{
    pkt->decode = (pkt->flags & WS_PKT_SNAPLEN_CUT) ? WS_DECODE_TRUNCATED : WS_DECODE_MALFORMED;
}

static void decode_l4(ws_pcap_packet *pkt, const uint8_t *l4, uint32_t cap, uint32_t orig)
{
    int fragment = (pkt->flags & WS_PKT_FRAGMENT) != 0;
    if (pkt->protocol == WS_IPPROTO_TCP) {
        if (fragment) { /* first fragment: ports if present, nothing else */
            if (cap >= 4) {
                pkt->sport = ws_rd16be(l4);
                pkt->dport = ws_rd16be(l4 + 2);
            }
            return;
        }
        if (cap < 20) {
            if (orig < 20)
                pkt->decode = WS_DECODE_MALFORMED;
            else
                cut(pkt);
            return;
        }
        uint32_t doff = (uint32_t)(l4[12] >> 4) * 4u;
        pkt->sport = ws_rd16be(l4);
        pkt->dport = ws_rd16be(l4 + 2);
        pkt->tcp_seq = ws_rd32be(l4 + 4);
        pkt->tcp_ack = ws_rd32be(l4 + 8);
        pkt->tcp_flags = l4[13];
        pkt->tcp_window = ws_rd16be(l4 + 14);
        pkt->tcp_header_len = (uint8_t)doff;
        if (doff < 20 || doff > orig) {
            pkt->decode = WS_DECODE_MALFORMED;
            return;
        }
        if (doff > cap) {
            cut(pkt);
            return;
        }
        pkt->payload = l4 + doff;
        pkt->payload_len = cap - doff;
        pkt->payload_len_orig = orig - doff;
    } else if (pkt->protocol == WS_IPPROTO_UDP) {
        if (fragment) {
            if (cap >= 4) {
                pkt->sport = ws_rd16be(l4);
                pkt->dport = ws_rd16be(l4 + 2);
            }
            return;
        }
        if (cap < 8) {
            if (orig < 8)
                pkt->decode = WS_DECODE_MALFORMED;
            else
                cut(pkt);
            return;
        }
        uint32_t ulen = ws_rd16be(l4 + 4);
        pkt->sport = ws_rd16be(l4);
        pkt->dport = ws_rd16be(l4 + 2);
        if (ulen < 8 || ulen > orig) {
            pkt->decode = WS_DECODE_MALFORMED;
            return;
        }
        pkt->payload = l4 + 8;
        pkt->payload_len_orig = ulen - 8;
        pkt->payload_len = cap - 8 < ulen - 8 ? cap - 8 : ulen - 8;
    } else {
        pkt->payload = l4;
        pkt->payload_len = cap;
        pkt->payload_len_orig = orig;
    }
    if (pkt->payload_len < pkt->payload_len_orig)
        pkt->flags |= WS_PKT_PAYLOAD_CUT;
}

/* The IP packet is [p, p + n). Sets ip/ip_len even when the headers are bad. */
static void decode_ip(ws_pcap_packet *pkt, const uint8_t *p, uint32_t n, int want_version)
{
    int is_cut = (pkt->flags & WS_PKT_SNAPLEN_CUT) != 0;
    pkt->ip = p;
    pkt->ip_len = n;
    if (n < 1) {
        cut(pkt);
        return;
    }
    int ver = p[0] >> 4;
    if ((want_version && ver != want_version) || (ver != 4 && ver != 6)) {
        pkt->decode = WS_DECODE_MALFORMED;
        return;
    }
    pkt->ip_version = (uint8_t)ver;
    if (ver == 4) {
        if (n < 20) {
            cut(pkt);
            return;
        }
        uint32_t ihl = (uint32_t)(p[0] & 15u) * 4u, total = ws_rd16be(p + 2);
        memcpy(pkt->src, p + 12, 4);
        memcpy(pkt->dst, p + 16, 4);
        pkt->protocol = p[9];
        if (ihl < 20 || total < ihl) {
            pkt->decode = WS_DECODE_MALFORMED;
            return;
        }
        pkt->ip_total_len = total;
        pkt->ip_header_len = (uint16_t)ihl;
        if (ihl > 20)
            pkt->flags |= WS_PKT_IPV4_OPTIONS;
        if (total > n) {
            if (!is_cut) {
                pkt->decode = WS_DECODE_MALFORMED;
                return;
            }
        } else {
            pkt->ip_len = n = total; /* drop link-layer padding */
        }
        if (ihl > n) {
            cut(pkt);
            return;
        }
        uint16_t ff = ws_rd16be(p + 6);
        pkt->frag_id = ws_rd16be(p + 4);
        pkt->frag_offset = (uint32_t)(ff & 0x1fffu) * 8u;
        if ((ff & 0x2000u) || pkt->frag_offset) {
            pkt->flags |= WS_PKT_FRAGMENT;
            if (pkt->frag_offset)
                return; /* no upper-layer header in this piece */
            pkt->flags |= WS_PKT_FIRST_FRAG;
        }
        decode_l4(pkt, p + ihl, n - ihl, total - ihl);
        return;
    }
    if (n < 40) {
        cut(pkt);
        return;
    }
    uint32_t total = 40u + ws_rd16be(p + 4);
    memcpy(pkt->src, p + 8, 16);
    memcpy(pkt->dst, p + 24, 16);
    pkt->ip_total_len = total;
    if (total > n) {
        if (!is_cut) {
            pkt->decode = WS_DECODE_MALFORMED;
            return;
        }
    } else {
        pkt->ip_len = n = total;
    }
    uint8_t nh = p[6];
    uint32_t off = 40;
    for (;;) {
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51) { /* HBH, routing, dest opts, AH */
            if (off + 2 > n) {
                pkt->protocol = nh;
                if (off + 2 > total)
                    pkt->decode = WS_DECODE_MALFORMED;
                else
                    cut(pkt);
                return;
            }
            uint32_t hl = nh == 51 ? ((uint32_t)p[off + 1] + 2u) * 4u : ((uint32_t)p[off + 1] + 1u) * 8u;
            pkt->flags |= WS_PKT_IPV6_EXT;
            if (off + hl > total) {
                pkt->protocol = nh;
                pkt->decode = WS_DECODE_MALFORMED;
                return;
            }
            nh = p[off];
            off += hl;
            continue;
        }
        if (nh == 44) { /* fragment header */
            if (off + 8 > n) {
                pkt->protocol = nh;
                if (off + 8 > total)
                    pkt->decode = WS_DECODE_MALFORMED;
                else
                    cut(pkt);
                return;
            }
            pkt->flags |= WS_PKT_FRAGMENT | WS_PKT_IPV6_EXT;
            pkt->frag_offset = ws_rd16be(p + off + 2) & 0xfff8u;
            pkt->frag_id = ws_rd32be(p + off + 4);
            nh = p[off];
            off += 8;
            if (pkt->frag_offset) {
                pkt->protocol = nh;
                pkt->ip_header_len = (uint16_t)off;
                return;
            }
            pkt->flags |= WS_PKT_FIRST_FRAG;
            continue;
        }
        break;
    }
    pkt->protocol = nh;
    pkt->ip_header_len = (uint16_t)off;
    if (off > n) {
        cut(pkt);
        return;
    }
    decode_l4(pkt, p + off, n - off, total - off);
}

static void dispatch_ethertype(ws_pcap_packet *pkt, const uint8_t *f, uint32_t caplen,
                               uint32_t off, uint16_t etype)
{
    while (etype == 0x8100u || etype == 0x88a8u || etype == 0x9100u) {
        if (off + 4 > caplen) {
            cut(pkt);
            return;
        }
        if (pkt->vlan_count < 2)
            pkt->vlan_id[pkt->vlan_count] = ws_rd16be(f + off) & 0x0fffu;
        if (pkt->vlan_count < 255)
            pkt->vlan_count++;
        pkt->flags |= WS_PKT_VLAN;
        etype = ws_rd16be(f + off + 2);
        off += 4;
    }
    if (etype == ETH_IPV4)
        decode_ip(pkt, f + off, caplen - off, 4);
    else if (etype == ETH_IPV6)
        decode_ip(pkt, f + off, caplen - off, 6);
    else
        pkt->decode = WS_DECODE_NOT_IP;
}

static void decode_af(ws_pcap_packet *pkt, const uint8_t *f, uint32_t caplen, uint32_t af)
{
    switch (af) {
    case 2: /* AF_INET everywhere */
        decode_ip(pkt, f + 4, caplen - 4, 4);
        break;
    case 10: case 23: case 24: case 28: case 30: /* AF_INET6: Linux, Windows, *BSD, FreeBSD, Darwin */
        decode_ip(pkt, f + 4, caplen - 4, 6);
        break;
    default:
        pkt->decode = WS_DECODE_NOT_IP;
    }
}

void ws_pcap_decode_frame(ws_pcap_packet *pkt, uint32_t linktype, const uint8_t *frame,
                          uint32_t caplen, uint32_t origlen)
{
    memset((uint8_t *)pkt + offsetof(ws_pcap_packet, decode), 0,
           sizeof *pkt - offsetof(ws_pcap_packet, decode));
    pkt->frame = frame;
    pkt->caplen = caplen;
    pkt->origlen = origlen;
    if (caplen < origlen)
        pkt->flags |= WS_PKT_SNAPLEN_CUT;
    else if (caplen > origlen)
        pkt->flags |= WS_PKT_CAPLEN_GT_LEN;
    if (!frame && caplen) {
        pkt->decode = WS_DECODE_MALFORMED;
        return;
    }
    switch (linktype) {
    case WS_LINKTYPE_ETHERNET:
        if (caplen < 14) {
            cut(pkt);
            return;
        }
        dispatch_ethertype(pkt, frame, caplen, 14, ws_rd16be(frame + 12));
        return;
    case WS_LINKTYPE_LINUX_SLL:
        if (caplen < 16) {
            cut(pkt);
            return;
        }
        pkt->link_dir = ws_rd16be(frame) == 4 ? 2 : ws_rd16be(frame) <= 3 ? 1 : 0;
        dispatch_ethertype(pkt, frame, caplen, 16, ws_rd16be(frame + 14));
        return;
    case WS_LINKTYPE_LINUX_SLL2:
        if (caplen < 20) {
            cut(pkt);
            return;
        }
        pkt->link_dir = frame[10] == 4 ? 2 : frame[10] <= 3 ? 1 : 0;
        dispatch_ethertype(pkt, frame, caplen, 20, ws_rd16be(frame));
        return;
    case WS_LINKTYPE_NULL: {
        if (caplen < 4) {
            cut(pkt);
            return;
        }
        /* written in the capturing host's byte order: a value with only the
           upper half set is the other order */
        uint32_t af = ws_rd32le(frame);
        if ((af & 0xffffu) == 0)
            af = ws_rd32be(frame);
        decode_af(pkt, frame, caplen, af);
        return;
    }
    case WS_LINKTYPE_LOOP:
        if (caplen < 4) {
            cut(pkt);
            return;
        }
        decode_af(pkt, frame, caplen, ws_rd32be(frame));
        return;
    case WS_LINKTYPE_RAW:
        decode_ip(pkt, frame, caplen, 0);
        return;
    case WS_LINKTYPE_IPV4:
        decode_ip(pkt, frame, caplen, 4);
        return;
    case WS_LINKTYPE_IPV6:
        decode_ip(pkt, frame, caplen, 6);
        return;
    default:
        pkt->decode = WS_DECODE_NOT_IP;
        return;
    }
}
