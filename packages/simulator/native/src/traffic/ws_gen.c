/*
 * ws_gen.c - seeded synthetic traffic: flow planning, a TCP timing model in
 * virtual time, packet building, and the three outputs (sink, callbacks, pcap).
 *
 * Determinism: everything derives from cfg.seed through splitmix64; no wall
 * clock, no floating point, no hash-table iteration order. Same seed and
 * config -> byte-identical packets.
 *
 * Timing model, as seen by a capture on the local machine: a packet the local
 * side sends is captured when sent; a remote packet when it arrives. A local
 * reaction to a captured remote packet comes `local_proc` later; a remote
 * reaction to a captured local packet comes one RTT (+ remote_proc) later.
 * Data goes out in bursts of cwnd segments (10, doubling to 64) spaced by the
 * flow's serialization time; the receiver ACKs every second segment and the
 * last one of a burst; the next burst leaves when that ACK reaches the sender.
 */
#include <stdlib.h>
#include <string.h>

#include "ws_gen_internal.h"

#define MS (10000ull)          /* 100 ns units per millisecond */
#define US (10ull)
#define QMAX 256               /* queued packets of one flow (a burst + its ACKs) */

static const char *const default_names[] = {
    "www.example.com", "api.example.com", "cdn.example.net", "static.example.org",
    "login.contoso.com", "mail.contoso.com", "update.contoso.com", "telemetry.fabrikam.com",
    "img.fabrikam.com", "auth.fabrikam.com", "www.wfpkit.test", "files.wfpkit.test",
    "news.example.org", "shop.example.net", "video.example.com", "chat.contoso.com",
};

typedef struct qpkt {
    uint64_t ts;
    uint8_t from_client, flags, syn_opts, msg;
    uint32_t seq, ack;
    uint64_t off;   /* offset in message msg */
    uint32_t len;
} qpkt;

typedef struct gflow {
    ws_gen_flow_desc *d;
    uint64_t seed;
    ws_rng r;
    int stage;                 /* 0 handshake, 1 messages, 2 close, 3 done */
    ws_gen_msg msgs[WS_GEN_MAX_MSGS];
    int nmsgs, cur;
    uint64_t sent;             /* bytes of msgs[cur] queued */
    uint64_t t_next;           /* when the next step's first packet goes */
    uint32_t seq[2];           /* next sequence number: [0] server, [1] client */
    uint16_t ipid[2];
    uint32_t flowlabel[2];
    uint32_t cwnd;
    uint64_t rtt, proc_local, proc_remote, ser_per_byte_x100; /* serialization: 100ns * 100 per byte */
    qpkt q[QMAX];
    int qh, qn;                /* queue [qh, qh + qn) sorted by ts */
    uint64_t last_ts;
} gflow;

struct ws_gen {
    ws_gen_config cfg;
    ws_gen_flow_desc *flows;
    uint32_t n;
    int ran;
    int stop;
};

/* ---- planning ---------------------------------------------------------------- */

static const char *app_default(ws_gen_proto p, uint32_t *pid)
{
    switch (p) {
    case WS_GEN_TLS: case WS_GEN_HTTP2: *pid = 4120; return "msedge.exe";
    case WS_GEN_HTTP1: *pid = 7312; return "curl.exe";
    case WS_GEN_SSH: *pid = 5544; return "ssh.exe";
    default: *pid = 6128; return "updater.exe";
    }
}

static void set_addr(uint8_t a[16], int v6, int local, ws_rng *r)
{
    memset(a, 0, 16);
    if (!v6) {
        if (local) {
            a[0] = 10; a[3] = 2;                 /* 10.0.0.2 */
        } else {
            static const uint8_t nets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
            const uint8_t *n = nets[ws_rng_below(r, 3)];
            memcpy(a, n, 3);
            a[3] = (uint8_t)ws_rng_range(r, 1, 254);
        }
    } else if (local) {
        a[0] = 0xfd; a[15] = 2;                  /* fd00::2 */
    } else {
        a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8; /* 2001:db8:xxxx::yy */
        uint64_t v = ws_rng_next(r);
        a[4] = (uint8_t)v; a[5] = (uint8_t)(v >> 8);
        a[15] = (uint8_t)ws_rng_range(r, 1, 254);
    }
}

static uint16_t server_port(ws_gen_proto p, ws_rng *r)
{
    switch (p) {
    case WS_GEN_TLS: case WS_GEN_HTTP2: return 443;
    case WS_GEN_HTTP1: return 80;
    case WS_GEN_SSH: return 22;
    default: return (uint16_t)ws_rng_range(r, 20000, 29999);
    }
}

ws_gen *ws_gen_create(const ws_gen_config *cfg)
{
    if (!cfg)
        return NULL;
    ws_gen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cfg = *cfg;
    ws_gen_config *c = &g->cfg;
    if (!c->min_bytes && !c->max_bytes) {
        c->min_bytes = 1000;
        c->max_bytes = 200000;
    }
    if (c->max_bytes < c->min_bytes)
        c->max_bytes = c->min_bytes;
    if (!c->max_request_bytes)
        c->max_request_bytes = 4000;
    if (!c->mss_v4) c->mss_v4 = 1460;
    if (!c->mss_v6) c->mss_v6 = 1440;
    if (c->mss_v4 > 1460) c->mss_v4 = 1460;
    if (c->mss_v6 > 1440) c->mss_v6 = 1440;
    if (!c->start_ts) c->start_ts = 17040672000000000ull; /* 2024-01-01T00:00:00Z */
    if (!c->mean_interarrival) c->mean_interarrival = 20 * MS;
    if (!c->names || !c->nnames) {
        c->names = default_names;
        c->nnames = sizeof default_names / sizeof default_names[0];
    }
    static const ws_gen_proto all[] = {WS_GEN_TLS, WS_GEN_HTTP1, WS_GEN_HTTP2, WS_GEN_SSH, WS_GEN_RANDOM};
    if (!c->protos || !c->nprotos) {
        c->protos = all;
        c->nprotos = WS_GEN_PROTO_COUNT;
    }
    g->n = c->flows;
    g->flows = calloc(g->n ? g->n : 1, sizeof *g->flows);
    if (!g->flows) {
        free(g);
        return NULL;
    }
    ws_rng r = {c->seed};
    uint64_t t = c->start_ts;
    uint32_t eph = (uint32_t)ws_rng_below(&r, 16384);
    for (uint32_t i = 0; i < g->n; i++) {
        ws_gen_flow_desc *d = &g->flows[i];
        d->index = i;
        d->proto = c->protos[ws_rng_below(&r, c->nprotos)];
        if ((unsigned)d->proto >= WS_GEN_PROTO_COUNT)
            d->proto = WS_GEN_RANDOM;
        int v6 = ws_rng_below(&r, 100) < c->ipv6_percent;
        int inbound = ws_rng_below(&r, 100) < c->inbound_percent;
        d->closed_by_rst = ws_rng_below(&r, 100) < c->rst_percent;
        ws_flow_tuple *tu = &d->tuple;
        tu->ip_version = v6 ? 6 : 4;
        tu->protocol = WS_IPPROTO_TCP;
        tu->outbound = (uint8_t)!inbound;
        set_addr(tu->local_addr, v6, 1, &r);
        set_addr(tu->remote_addr, v6, 0, &r);
        uint16_t sport = server_port(d->proto, &r);
        uint16_t cport = (uint16_t)(49152u + (eph + i) % 16384u);
        tu->local_port = inbound ? sport : cport;
        tu->remote_port = inbound ? cport : sport;
        if (d->proto == WS_GEN_TLS || d->proto == WS_GEN_HTTP1 || d->proto == WS_GEN_HTTP2)
            d->name = c->names[ws_rng_below(&r, c->nnames)];
        if (d->proto == WS_GEN_TLS) {
            static const char *alpns[] = {NULL, "http/1.1", "h2,http/1.1"};
            d->alpn = alpns[ws_rng_below(&r, 3)];
        } else if (d->proto == WS_GEN_HTTP2) {
            d->alpn = "h2,http/1.1";
        }
        d->response_bytes = (uint32_t)ws_rng_range(&r, c->min_bytes, c->max_bytes);
        d->request_bytes = (uint32_t)ws_rng_range(&r, 0, c->max_request_bytes);
        t += ws_rng_range(&r, 0, 2 * c->mean_interarrival);
        d->start_ts = t;
        const char *app = app_default(d->proto, &d->pid);
        strncpy(d->app, app, sizeof d->app - 1);
        if (c->app_rule)
            c->app_rule(c->app_rule_user, d);
        d->app[sizeof d->app - 1] = '\0';
    }
    return g;
}

void ws_gen_destroy(ws_gen *g)
{
    if (!g)
        return;
    free(g->flows);
    free(g);
}

uint32_t ws_gen_flow_count(const ws_gen *g) { return g->n; }
const ws_gen_flow_desc *ws_gen_flow(const ws_gen *g, uint32_t i) { return i < g->n ? &g->flows[i] : NULL; }

const ws_gen_flow_desc *ws_gen_find(const ws_gen *g, const ws_flow_tuple *t)
{
    for (uint32_t i = 0; i < g->n; i++) {
        const ws_flow_tuple *u = &g->flows[i].tuple;
        if (u->ip_version != t->ip_version)
            continue;
        if (!memcmp(u->local_addr, t->local_addr, 16) && !memcmp(u->remote_addr, t->remote_addr, 16) &&
            u->local_port == t->local_port && u->remote_port == t->remote_port)
            return &g->flows[i];
        if (!memcmp(u->local_addr, t->remote_addr, 16) && !memcmp(u->remote_addr, t->local_addr, 16) &&
            u->local_port == t->remote_port && u->remote_port == t->local_port)
            return &g->flows[i];
    }
    return NULL;
}

int ws_gen_is_local(void *user, uint8_t ip_version, const uint8_t addr[16], uint16_t port)
{
    (void)user;
    (void)port;
    if (ip_version == 4)
        return addr[0] == 10;
    return addr[0] == 0xfd;
}

/* ---- timing and queueing --------------------------------------------------------- */

static int client_local(const gflow *f) { return f->d->tuple.outbound; }
static int side_local(const gflow *f, int client) { return client ? client_local(f) : !client_local(f); }

/* capture time of the other side's reaction to a packet `sender_client` sent, captured at t */
static uint64_t react(const gflow *f, uint64_t t, int sender_client)
{
    return side_local(f, sender_client) ? t + f->rtt + f->proc_remote : t + f->proc_local;
}

static void enqueue(gflow *f, uint64_t ts, int from_client, uint8_t flags, uint32_t len, int msg,
                    uint64_t off, int syn_opts)
{
    if (f->qn >= QMAX)
        return; /* cannot happen: bursts are bounded below QMAX */
    if (ts < f->last_ts)
        ts = f->last_ts;
    qpkt p = {ts, (uint8_t)from_client, flags, (uint8_t)syn_opts, (uint8_t)msg,
              f->seq[from_client], f->seq[!from_client], off, len};
    f->seq[from_client] += len + ((flags & (WS_TCP_SYN | WS_TCP_FIN)) ? 1u : 0u);
    /* stable insertion by ts */
    int i = f->qn;
    while (i > 0 && f->q[(f->qh + i - 1) % QMAX].ts > ts) {
        f->q[(f->qh + i) % QMAX] = f->q[(f->qh + i - 1) % QMAX];
        i--;
    }
    f->q[(f->qh + i) % QMAX] = p;
    f->qn++;
}

static uint64_t ser_time(const gflow *f, uint32_t bytes)
{
    return (bytes * f->ser_per_byte_x100) / 100u + 1u;
}

static int gflow_start(ws_gen *g, gflow *f)
{
    f->r.s = f->seed;
    f->nmsgs = ws_gen_build_msgs(f->d, f->seed, f->msgs);
    if (!f->nmsgs)
        return -1;
    f->seq[0] = (uint32_t)ws_rng_next(&f->r);
    f->seq[1] = (uint32_t)ws_rng_next(&f->r);
    f->ipid[0] = (uint16_t)ws_rng_next(&f->r);
    f->ipid[1] = (uint16_t)ws_rng_next(&f->r);
    f->flowlabel[0] = (uint32_t)ws_rng_next(&f->r) & 0xfffffu;
    f->flowlabel[1] = (uint32_t)ws_rng_next(&f->r) & 0xfffffu;
    f->rtt = ws_rng_range(&f->r, 2 * MS, 120 * MS);
    f->proc_local = ws_rng_range(&f->r, 20 * US, 200 * US);
    f->proc_remote = ws_rng_range(&f->r, 50 * US, 2 * MS);
    /* 10..1000 Mbit/s: 100 ns units per byte, times 100 = 8000 / Mbps */
    f->ser_per_byte_x100 = 8000u / ws_rng_range(&f->r, 10, 1000);
    f->cwnd = 10;
    f->t_next = f->d->start_ts;
    f->last_ts = f->d->start_ts;
    (void)g;
    return 0;
}

/* Queue the next group of packets. */
static void gflow_step(ws_gen *g, gflow *f)
{
    uint32_t seg_max = f->d->tuple.ip_version == 6 ? g->cfg.mss_v6 : g->cfg.mss_v4;
    if (f->stage == 0) { /* three-way handshake */
        uint64_t t0 = f->t_next;
        enqueue(f, t0, 1, WS_TCP_SYN, 0, 0, 0, 1);
        uint64_t t1 = react(f, t0, 1);
        enqueue(f, t1, 0, WS_TCP_SYN | WS_TCP_ACK, 0, 0, 0, 1);
        uint64_t t2 = react(f, t1, 0);
        enqueue(f, t2, 1, WS_TCP_ACK, 0, 0, 0, 0);
        f->t_next = t2 + f->proc_local / 4 + 1;
        f->stage = 1;
        f->cur = 0;
        f->sent = 0;
        return;
    }
    if (f->stage == 1) {
        ws_gen_msg *m = &f->msgs[f->cur];
        int s = m->from_client;
        uint64_t total = ws_gen_msg_len(m);
        uint64_t t = f->t_next, t_last = t, t_ack = t;
        uint32_t k = 0;
        int next_is_peer = f->cur + 1 < f->nmsgs && f->msgs[f->cur + 1].from_client != s;
        while (k < f->cwnd && f->sent < total) {
            uint32_t len = (uint32_t)(total - f->sent < seg_max ? total - f->sent : seg_max);
            int last = f->sent + len == total;
            enqueue(f, t, s, (uint8_t)(WS_TCP_ACK | (last ? WS_TCP_PSH : 0)), len, f->cur, f->sent, 0);
            f->sent += len;
            t_last = t;
            k++;
            int burst_end = k == f->cwnd || last;
            if ((k % 2 == 0 || burst_end) && !(last && next_is_peer)) {
                t_ack = react(f, t, s);
                enqueue(f, t_ack, !s, WS_TCP_ACK, 0, 0, 0, 0);
            }
            t += ser_time(f, len + 40);
        }
        if (f->sent < total) { /* next burst when the ACK is back */
            f->t_next = react(f, t_ack, !s);
            if (f->cwnd < 64)
                f->cwnd *= 2;
            return;
        }
        f->cur++;
        f->sent = 0;
        if (f->cur < f->nmsgs) {
            f->t_next = f->msgs[f->cur].from_client != s ? react(f, t_last, s) : t;
            return;
        }
        f->stage = 2;
        int closer = f->d->closed_by_rst ? !(f->d->index & 1) : 1;
        f->t_next = closer != s ? react(f, t_last, s) : t;
        return;
    }
    if (f->stage == 2) {
        int closer = f->d->closed_by_rst ? !(f->d->index & 1) : 1;
        uint64_t t = f->t_next;
        if (f->d->closed_by_rst) {
            enqueue(f, t, closer, WS_TCP_RST | WS_TCP_ACK, 0, 0, 0, 0);
        } else {
            enqueue(f, t, closer, WS_TCP_FIN | WS_TCP_ACK, 0, 0, 0, 0);
            uint64_t t1 = react(f, t, closer);
            enqueue(f, t1, !closer, WS_TCP_FIN | WS_TCP_ACK, 0, 0, 0, 0);
            enqueue(f, react(f, t1, !closer), closer, WS_TCP_ACK, 0, 0, 0, 0);
        }
        f->stage = 3;
    }
}

/* ---- packet building ----------------------------------------------------------------- */

/* ws_csum_add over a segment, eight bytes per step: the same result (a 32-bit big-endian word
 * is two 16-bit words modulo 0xffff, and the end-around folds below give the one value in
 * 1..0xffff, or 0 when everything added was zero, as ws_csum_add's do). */
static uint32_t csum_add_fast(uint32_t sum, const uint8_t *p, size_t len)
{
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        acc += (v >> 32) + (v & 0xffffffffu);
    }
    for (; i + 1 < len; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < len)
        acc += (uint32_t)p[i] << 8;
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
    return (uint32_t)acc;
}

static uint32_t build_packet(const ws_gen *g, gflow *f, const qpkt *p, uint8_t *out)
{
    (void)g;
    const ws_flow_tuple *tu = &f->d->tuple;
    int v6 = tu->ip_version == 6;
    int from_local = side_local(f, p->from_client);
    const uint8_t *src = from_local ? tu->local_addr : tu->remote_addr;
    const uint8_t *dst = from_local ? tu->remote_addr : tu->local_addr;
    uint16_t sport = from_local ? tu->local_port : tu->remote_port;
    uint16_t dport = from_local ? tu->remote_port : tu->local_port;
    uint32_t iph = v6 ? 40u : 20u, tcph = p->syn_opts ? 32u : 20u;
    uint8_t *tcp = out + iph;
    memset(tcp, 0, tcph);
    ws_wr16be(tcp, sport);
    ws_wr16be(tcp + 2, dport);
    ws_wr32be(tcp + 4, p->seq);
    ws_wr32be(tcp + 8, (p->flags & WS_TCP_ACK) ? p->ack : 0);
    tcp[12] = (uint8_t)((tcph / 4) << 4);
    tcp[13] = p->flags;
    ws_wr16be(tcp + 14, p->syn_opts ? 64240 : (p->from_client ? 1026 : 501)); /* scaled windows */
    if (p->syn_opts) {
        uint16_t m = (uint16_t)(v6 ? g->cfg.mss_v6 : g->cfg.mss_v4);
        uint8_t opts[12] = {2, 4, (uint8_t)(m >> 8), (uint8_t)m, 1, 3, 3, 8, 1, 1, 4, 2};
        memcpy(tcp + 20, opts, sizeof opts);
    }
    if (p->len)
        ws_gen_msg_bytes(&f->msgs[p->msg], p->off, p->len, tcp + tcph);
    uint32_t l4 = tcph + p->len, total = iph + l4;
    /* pseudo-header checksum */
    uint32_t sum = 0;
    uint8_t ph[8];
    sum = ws_csum_add(sum, src, v6 ? 16 : 4);
    sum = ws_csum_add(sum, dst, v6 ? 16 : 4);
    ws_wr32be(ph, l4);
    ph[4] = ph[5] = ph[6] = 0;
    ph[7] = WS_IPPROTO_TCP;
    sum = ws_csum_add(sum, ph, 8);
    sum = csum_add_fast(sum, tcp, l4);
    ws_wr16be(tcp + 16, ws_csum_fold(sum));
    int side = p->from_client;
    if (!v6) {
        memset(out, 0, 20);
        out[0] = 0x45;
        ws_wr16be(out + 2, (uint16_t)total);
        ws_wr16be(out + 4, f->ipid[side]++);
        out[6] = 0x40; /* DF */
        out[8] = from_local ? 128 : 52;
        out[9] = WS_IPPROTO_TCP;
        memcpy(out + 12, src, 4);
        memcpy(out + 16, dst, 4);
        ws_wr16be(out + 10, ws_csum_fold(ws_csum_add(0, out, 20)));
    } else {
        ws_wr32be(out, 0x60000000u | f->flowlabel[side]);
        ws_wr16be(out + 4, (uint16_t)l4);
        out[6] = WS_IPPROTO_TCP;
        out[7] = from_local ? 128 : 52;
        memcpy(out + 8, src, 16);
        memcpy(out + 24, dst, 16);
    }
    return total;
}

/* ---- the run loop: a min-heap of flows keyed by (next packet ts, index) ---------------- */

typedef struct heap {
    gflow **a;
    uint32_t n;
} heap;

static uint64_t key_ts(const gflow *f) { return f->qn ? f->q[f->qh].ts : f->t_next; }
static int less(const gflow *x, const gflow *y)
{
    uint64_t a = key_ts(x), b = key_ts(y);
    return a < b || (a == b && x->d->index < y->d->index);
}
static void sift_down(heap *h, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && less(h->a[l], h->a[m])) m = l;
        if (r < h->n && less(h->a[r], h->a[m])) m = r;
        if (m == i) return;
        gflow *t = h->a[i]; h->a[i] = h->a[m]; h->a[m] = t;
        i = m;
    }
}
static void sift_up(heap *h, uint32_t i)
{
    while (i && less(h->a[i], h->a[(i - 1) / 2])) {
        gflow *t = h->a[i]; h->a[i] = h->a[(i - 1) / 2]; h->a[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

int ws_gen_run(ws_gen *g, ws_gen_packet_fn sink, void *user)
{
    if (!g || g->ran)
        return -1;
    g->ran = 1;
    /* Flows are started lazily in start order (start_ts is non-decreasing by index),
       so only flows already under way hold state. */
    heap h = {calloc(g->n ? g->n : 1, sizeof(gflow *)), 0};
    if (!h.a)
        return -1;
    uint8_t pkt[40 + 32 + 1500];
    uint32_t next_start = 0;
    int rc = 0;
    ws_rng seeds = {g->cfg.seed ^ 0x6a09e667f3bcc909ull};
    for (;;) {
        if (__atomic_load_n(&g->stop, __ATOMIC_SEQ_CST))
            break;
        /* admit flows whose SYN is due before the heap's earliest packet */
        while (next_start < g->n && (!h.n || g->flows[next_start].start_ts <= key_ts(h.a[0]))) {
            gflow *f = calloc(1, sizeof *f);
            if (!f) { rc = -1; goto out; }
            f->d = &g->flows[next_start++];
            f->seed = ws_mix64(ws_rng_next(&seeds) ^ f->d->index);
            if (gflow_start(g, f)) { free(f); rc = -1; goto out; }
            gflow_step(g, f);
            h.a[h.n++] = f;
            sift_up(&h, h.n - 1);
        }
        if (!h.n)
            break;
        gflow *f = h.a[0];
        qpkt p = f->q[f->qh];
        f->qh = (f->qh + 1) % QMAX;
        f->qn--;
        f->last_ts = p.ts;
        uint32_t len = build_packet(g, f, &p, pkt);
        if (sink)
            sink(user, p.ts, pkt, len);
        while (!f->qn && f->stage < 3) {
            if (f->t_next < f->last_ts)
                f->t_next = f->last_ts;
            gflow_step(g, f);
        }
        if (!f->qn) { /* done */
            ws_gen_free_msgs(f->msgs, f->nmsgs);
            free(f);
            h.a[0] = h.a[--h.n];
        }
        if (h.n)
            sift_down(&h, 0);
    }
out:
    for (uint32_t i = 0; i < h.n; i++) {
        ws_gen_free_msgs(h.a[i]->msgs, h.a[i]->nmsgs);
        free(h.a[i]);
    }
    free(h.a);
    return rc;
}

void ws_gen_stop(ws_gen *g)
{
    if (g)
        __atomic_store_n(&g->stop, 1, __ATOMIC_SEQ_CST);
}

/* ---- outputs ---------------------------------------------------------------------------- */

typedef struct cb_ctx {
    ws_tcp *t;
    uint64_t index;
} cb_ctx;

static void feed_tcp(void *user, uint64_t ts, const uint8_t *ip, uint32_t len)
{
    cb_ctx *c = user;
    ws_pcap_packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.ts_100ns = ts;
    pkt.ts_units = ts * 100u;
    pkt.ts_units_per_sec = 1000000000u; /* what the pcap writer stores */
    pkt.linktype = WS_LINKTYPE_RAW;
    ws_pcap_decode_frame(&pkt, WS_LINKTYPE_RAW, ip, len, len);
    pkt.index = c->index++;
    ws_tcp_input(c->t, &pkt);
}

int ws_gen_run_callbacks(ws_gen *g, const ws_tcp_config *cfg, const ws_tcp_callbacks *cb)
{
    ws_tcp_config c = {0};
    if (cfg)
        c = *cfg;
    if (!c.is_local) {
        c.is_local = ws_gen_is_local;
        c.is_local_user = g;
    }
    cb_ctx ctx = {ws_tcp_create(&c, cb), 0};
    if (!ctx.t)
        return -1;
    int rc = ws_gen_run(g, feed_tcp, &ctx);
    ws_tcp_finish(ctx.t);
    ws_tcp_destroy(ctx.t);
    return rc;
}

typedef struct pcap_ctx {
    ws_pcap_writer *w;
    int rc;
} pcap_ctx;

static void write_pcap(void *user, uint64_t ts, const uint8_t *ip, uint32_t len)
{
    pcap_ctx *c = user;
    if (!c->rc)
        c->rc = ws_pcap_writer_ip(c->w, ts, ip, len);
}

int ws_gen_write_pcap(ws_gen *g, const char *path, uint32_t linktype)
{
    if (!g || g->ran)
        return WS_PCAP_E_ARG;
    pcap_ctx c = {NULL, 0};
    int rc = ws_pcap_writer_open(&c.w, path, linktype, 0);
    if (rc)
        return rc;
    rc = ws_gen_run(g, write_pcap, &c);
    int rc2 = ws_pcap_writer_close(c.w);
    return rc ? WS_PCAP_E_NOMEM : c.rc ? c.rc : rc2;
}
