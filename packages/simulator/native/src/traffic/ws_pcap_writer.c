/*
 * ws_pcap_writer.c - classic pcap writer (nanosecond magic, little-endian),
 * plus the Internet checksum used by the generator.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ws_traffic_internal.h"

struct ws_pcap_writer {
    FILE *f;
    uint32_t linktype, snaplen;
    int failed;
};

uint32_t ws_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < len)
        sum += (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return sum;
}

uint16_t ws_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

int ws_pcap_writer_open(ws_pcap_writer **out, const char *path, uint32_t linktype,
                        uint32_t snaplen)
{
    if (!out || !path || (linktype != WS_LINKTYPE_RAW && linktype != WS_LINKTYPE_ETHERNET))
        return WS_PCAP_E_ARG;
    *out = NULL;
    ws_pcap_writer *w = calloc(1, sizeof *w);
    if (!w)
        return WS_PCAP_E_NOMEM;
    w->f = fopen(path, "wb");
    if (!w->f) {
        free(w);
        return WS_PCAP_E_IO;
    }
    w->linktype = linktype;
    w->snaplen = snaplen ? snaplen : 262144u;
    uint8_t h[24];
    ws_wr32le(h, 0xa1b23c4du);
    ws_wr16le(h + 4, 2);
    ws_wr16le(h + 6, 4);
    ws_wr32le(h + 8, 0);
    ws_wr32le(h + 12, 0);
    ws_wr32le(h + 16, w->snaplen);
    ws_wr32le(h + 20, linktype);
    if (fwrite(h, 1, sizeof h, w->f) != sizeof h)
        w->failed = 1;
    *out = w;
    return w->failed ? WS_PCAP_E_IO : 0;
}

int ws_pcap_writer_ip(ws_pcap_writer *w, uint64_t ts_100ns, const uint8_t *ip, uint32_t len)
{
    if (!w || (!ip && len))
        return WS_PCAP_E_ARG;
    uint8_t eth[14] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00};
    uint32_t link = 0;
    if (w->linktype == WS_LINKTYPE_ETHERNET) {
        link = 14;
        if (len && (ip[0] >> 4) == 6) {
            eth[12] = 0x86;
            eth[13] = 0xdd;
        }
    }
    uint32_t orig = len + link, cap = orig < w->snaplen ? orig : w->snaplen;
    uint8_t h[16];
    ws_wr32le(h, (uint32_t)(ts_100ns / 10000000u));
    ws_wr32le(h + 4, (uint32_t)(ts_100ns % 10000000u) * 100u);
    ws_wr32le(h + 8, cap);
    ws_wr32le(h + 12, orig);
    int ok = fwrite(h, 1, 16, w->f) == 16;
    if (link)
        ok = ok && fwrite(eth, 1, cap < link ? cap : link, w->f) == (cap < link ? cap : link);
    if (cap > link)
        ok = ok && fwrite(ip, 1, cap - link, w->f) == cap - link;
    if (!ok)
        w->failed = 1;
    return w->failed ? WS_PCAP_E_IO : 0;
}

int ws_pcap_writer_close(ws_pcap_writer *w)
{
    if (!w)
        return 0;
    int rc = w->failed ? WS_PCAP_E_IO : 0;
    if (fclose(w->f) != 0)
        rc = WS_PCAP_E_IO;
    free(w);
    return rc;
}
