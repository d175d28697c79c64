/*
 * gen_tool.c - writes a generated capture and lists the names the generator
 * put in it, one per line: "sni NAME" (TLS, HTTP/2) or "host NAME" (HTTP/1.1).
 * Used by test/traffic.test.ts to check the pcap with tshark.
 * Usage: gen_tool OUT.pcap SEED FLOWS
 */
#include <stdio.h>
#include <stdlib.h>

#include "wfpsim/traffic.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen_tool OUT.pcap SEED FLOWS\n");
        return 2;
    }
    ws_gen_config c = {0};
    c.seed = strtoull(argv[2], NULL, 10);
    c.flows = (uint32_t)strtoul(argv[3], NULL, 10);
    c.ipv6_percent = 30;
    c.inbound_percent = 10;
    c.rst_percent = 10;
    c.min_bytes = 200;
    c.max_bytes = 30000;
    ws_gen *g = ws_gen_create(&c);
    if (!g)
        return 1;
    for (uint32_t i = 0; i < ws_gen_flow_count(g); i++) {
        const ws_gen_flow_desc *d = ws_gen_flow(g, i);
        if (d->proto == WS_GEN_TLS || d->proto == WS_GEN_HTTP2)
            printf("sni %s\n", d->name);
        else if (d->proto == WS_GEN_HTTP1)
            printf("host %s\n", d->name);
    }
    int rc = ws_gen_write_pcap(g, argv[1], WS_LINKTYPE_ETHERNET);
    ws_gen_destroy(g);
    if (rc) {
        fprintf(stderr, "gen_tool: writing %s failed (%d)\n", argv[1], rc);
        return 1;
    }
    return 0;
}
