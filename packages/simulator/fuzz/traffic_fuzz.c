/*
 * traffic_fuzz.c - libFuzzer target: the capture reader and TCP reassembly
 * from a memory buffer.
 *
 *   clang -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined \
 *     -I ../native/include ../native/src/traffic/ws_*.c traffic_fuzz.c -o traffic_fuzz
 *   ./traffic_fuzz -max_total_time=60 scratch-corpus corpus/traffic
 *
 * Besides memory errors it checks the event contract (ws_tcp.c): flow_open is
 * a flow's first event and flow_close its last, per-direction stream offsets
 * never go back or overlap, every delivered byte is readable, and an error
 * from the reader carries an offset within the input. A violation aborts.
 * Small caps (flows, out-of-order bytes, idle time) so the limits are hit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wfpsim/traffic.h"

typedef struct fflow {
    uint64_t magic;
    uint64_t next[2]; /* lowest offset the next event of a direction may have */
    int ended[2];     /* FIN or RST marker seen: no more data */
    int aborted;      /* RST marker seen: nothing more at all */
} fflow;

#define FMAGIC 0x77667066666c6f77ull

static volatile uint8_t sink;
static uint64_t open_flows;

static void touch(const uint8_t *p, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= p[i];
    sink ^= x;
}

static fflow *get(ws_tcp_flow *f)
{
    fflow *s = ws_tcp_flow_get_user(f);
    if (!s || s->magic != FMAGIC)
        abort(); /* an event for a flow that was never opened */
    return s;
}

static void on_open(void *u, ws_tcp_flow *f, const ws_flow_tuple *t, uint64_t ts)
{
    (void)u;
    (void)ts;
    if (ws_tcp_flow_get_user(f) || t->protocol != 6 || (t->ip_version != 4 && t->ip_version != 6))
        abort();
    fflow *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->magic = FMAGIC;
    ws_tcp_flow_set_user(f, s);
    open_flows++;
}

static void on_data(void *u, ws_tcp_flow *f, ws_direction d, uint64_t off, const uint8_t *b,
                    size_t n, uint64_t ts, uint8_t flags)
{
    (void)u;
    (void)ts;
    fflow *s = get(f);
    if ((unsigned)d > 1 || s->aborted || off < s->next[d])
        abort();
    if (n || flags == WS_TCP_FIN) {
        if (s->ended[d])
            abort(); /* data or a second FIN after the direction ended */
    }
    if (n) {
        if (!b)
            abort();
        touch(b, n);
        s->next[d] = off + n;
    } else {
        if (flags != WS_TCP_FIN && flags != WS_TCP_RST)
            abort();
        s->next[d] = off;
        s->ended[d] = 1;
        s->aborted = flags == WS_TCP_RST; /* may follow this direction's FIN marker */
    }
}

static void on_packet(void *u, ws_tcp_flow *f, ws_direction d, const uint8_t *ip, size_t n,
                      uint64_t ts, const ws_pcap_packet *info)
{
    (void)u;
    (void)ts;
    if (f)
        get(f);
    if ((unsigned)d > 1 || !info || (n && !ip) || n > info->caplen)
        abort();
    touch(ip, n);
    if (info->payload)
        touch(info->payload, info->payload_len);
}

static void on_close(void *u, ws_tcp_flow *f, ws_close_reason r, uint64_t ts)
{
    (void)u;
    (void)ts;
    fflow *s = get(f);
    if (r < WS_CLOSE_FIN || r > WS_CLOSE_END_OF_CAPTURE)
        abort();
    s->magic = 0;
    free(s);
    ws_tcp_flow_set_user(f, NULL);
    open_flows--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_pcap_reader *r = NULL;
    ws_pcap_error err;
    if (ws_pcap_open_memory(&r, data, size, &err) != 0) {
        if (err.offset > size || err.code >= 0)
            abort();
        return 0;
    }
    ws_tcp_config cfg = {0};
    cfg.max_flows = 16;
    cfg.max_ooo_bytes = 3000;
    cfg.idle_timeout = 10000000u; /* 1 s */
    cfg.closed_linger = 20000000u;
    ws_tcp_callbacks cb = {NULL, on_open, on_data, on_packet, on_close};
    ws_tcp *t = ws_tcp_create(&cfg, &cb);
    if (!t)
        abort();
    ws_pcap_packet pkt;
    int rc;
    while ((rc = ws_pcap_next(r, &pkt, &err)) == 1) {
        if (pkt.caplen > size || (pkt.caplen && (pkt.frame < data || pkt.frame + pkt.caplen > data + size)))
            abort();
        ws_tcp_input(t, &pkt);
    }
    if (rc < 0 && err.offset > size)
        abort();
    ws_tcp_finish(t);
    if (open_flows != 0 || ws_tcp_live_flows(t) != 0)
        abort();
    ws_tcp_destroy(t);
    ws_pcap_close(r);
    return 0;
}
