/*
 * ws_tcp.c - the flow table and the event interface (ws_tcp_*).
 *
 * EVENT ORDER GUARANTEES (for one ws_tcp):
 *  1. Packets are processed in input order; virtual time never goes back (a
 *     timestamp earlier than the latest seen is raised to it) and every event
 *     carries that effective time.
 *  2. Before a packet at time T is handled, every live flow idle since
 *     T - idle_timeout or earlier is flushed and closed (WS_CLOSE_IDLE, at its
 *     last activity + idle_timeout), oldest first.
 *  3. For a TCP packet: flow_open (if it starts a flow), then packet(flow, ...),
 *     then the stream_data it makes deliverable in stream order, then the
 *     zero-length end marker of its direction (flags WS_TCP_FIN when the
 *     direction's FIN is in order; WS_TCP_RST on a RST, also after that
 *     direction's FIN marker), then flow_close if the flow ended (FIN in both
 *     directions, or RST). After a FIN marker a direction carries no data. Every other IP packet gets
 *     exactly one packet(NULL, ...) event. Frames that are not IP get none.
 *  4. flow_open is a flow's first event and flow_close its last; the flow
 *     pointer must not be used after flow_close returns.
 *  5. Per direction, stream_data offsets increase strictly and never overlap;
 *     an offset beyond the previous end means bytes were never captured or a
 *     gap was given up (ws_tcp_flow_missed_bytes). Data is delivered with the
 *     timestamp of the packet that made it deliverable.
 *
 * POLICIES
 *  - A flow starts on a SYN, a SYN-ACK, or any segment carrying payload. Pure
 *    ACKs / FINs / RSTs of no flow are "stray" (packet with flow NULL).
 *  - Client: the SYN sender; for a SYN-ACK without SYN, its receiver; with
 *    neither (mid-stream start) the endpoint with the HIGHER port is the
 *    client and the lower port the server (ties: the first sender is client).
 *    Mid-stream, the sender's stream offset 0 is the first payload byte seen
 *    and the peer's offset 0 is the ACK number of that packet.
 *  - Local side: decided by the is_local rule; when it cannot tell the two
 *    endpoints apart the client is local (so without a rule every flow is
 *    outbound). Non-TCP packets use the same rule, then "higher port sends
 *    from the local side", then "the sender is local".
 *  - RST: accepted from either side without a sequence check; buffered
 *    out-of-order data is discarded (stats.discarded_bytes).
 *  - FIN / IDLE / END_OF_CAPTURE: buffered data is delivered first, skipping
 *    gaps (missed bytes).
 *  - IP fragments are not reassembled (packet(NULL, ...), stats.fragments).
 *  - A closed flow's record stays closed_linger long, so late ACKs and
 *    retransmitted FINs do not open a mid-stream flow; a new SYN replaces it.
 *  - The table holds at most max_flows records (live + closed). When full, the
 *    oldest closed record is dropped; with none, the packet that would open a
 *    flow is counted in stats.flow_overflow and reported with flow NULL.
 */
#include <stdlib.h>
#include <string.h>

#include "ws_tcp_internal.h"

#define DEFAULT_MAX_FLOWS 65536u
#define MAX_MAX_FLOWS (1u << 26)
#define DEFAULT_MAX_OOO (1024u * 1024u)
#define DEFAULT_IDLE (2ull * 3600ull * 10000000ull)
#define DEFAULT_LINGER (4ull * 60ull * 10000000ull)

typedef struct ws_list {
    ws_tcp_flow *head, *tail;
} ws_list;

struct ws_tcp {
    ws_tcp_config cfg;
    ws_tcp_callbacks cb;
    ws_tcp_stats stats;
    ws_tcp_flow **buckets;
    uint32_t mask;
    uint32_t count;      /* records in the table (live + closed) */
    uint32_t live;
    ws_list live_list;   /* least recently active first */
    ws_list closed_list; /* earliest closed first */
    uint64_t now;
    int has_time;
};

/* ---- lists and hashing --------------------------------------------------- */

static void list_remove(ws_list *l, ws_tcp_flow *f)
{
    if (f->prev) f->prev->next = f->next; else l->head = f->next;
    if (f->next) f->next->prev = f->prev; else l->tail = f->prev;
    f->prev = f->next = NULL;
}

static void list_append(ws_list *l, ws_tcp_flow *f)
{
    f->next = NULL;
    f->prev = l->tail;
    if (l->tail) l->tail->next = f; else l->head = f;
    l->tail = f;
}

static uint32_t hash_key(const uint8_t *k, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a, then a final avalanche */
    for (size_t i = 0; i < n; i++) {
        h ^= k[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

/* key = version, then the lower (addr,port) endpoint, then the higher one */
static void make_key(uint8_t key[38], uint8_t ver, const uint8_t *a, uint16_t pa,
                     const uint8_t *b, uint16_t pb, int *a_is_first)
{
    uint8_t ea[18], eb[18];
    memcpy(ea, a, 16);
    ea[16] = (uint8_t)(pa >> 8); ea[17] = (uint8_t)pa;
    memcpy(eb, b, 16);
    eb[16] = (uint8_t)(pb >> 8); eb[17] = (uint8_t)pb;
    int first = memcmp(ea, eb, 18) <= 0;
    key[0] = ver;
    key[1] = WS_IPPROTO_TCP;
    memcpy(key + 2, first ? ea : eb, 18);
    memcpy(key + 20, first ? eb : ea, 18);
    if (a_is_first)
        *a_is_first = first;
}

static ws_tcp_flow *lookup(ws_tcp *t, const uint8_t key[38], uint32_t h)
{
    for (ws_tcp_flow *f = t->buckets[h & t->mask]; f; f = f->hnext)
        if (f->hash == h && memcmp(f->key, key, 38) == 0)
            return f;
    return NULL;
}

static void unlink_hash(ws_tcp *t, ws_tcp_flow *f)
{
    ws_tcp_flow **pp = &t->buckets[f->hash & t->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
}

static void free_record(ws_tcp *t, ws_tcp_flow *f)
{
    unlink_hash(t, f);
    list_remove(f->closed ? &t->closed_list : &t->live_list, f);
    if (!f->closed)
        t->live--;
    t->count--;
    ws_stream_ctx c = {&t->cb, &t->stats, 0, t->now};
    ws_stream_discard(&c, &f->dir[0]);
    ws_stream_discard(&c, &f->dir[1]);
    free(f);
}

/* ---- configuration ------------------------------------------------------- */

ws_tcp *ws_tcp_create(const ws_tcp_config *cfg, const ws_tcp_callbacks *cb)
{
    ws_tcp *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (cfg)
        t->cfg = *cfg;
    if (cb)
        t->cb = *cb;
    if (!t->cfg.max_flows)
        t->cfg.max_flows = DEFAULT_MAX_FLOWS;
    if (t->cfg.max_flows > MAX_MAX_FLOWS)
        t->cfg.max_flows = MAX_MAX_FLOWS;
    if (!t->cfg.max_ooo_bytes)
        t->cfg.max_ooo_bytes = DEFAULT_MAX_OOO;
    if (!t->cfg.idle_timeout)
        t->cfg.idle_timeout = DEFAULT_IDLE;
    if (!t->cfg.closed_linger)
        t->cfg.closed_linger = DEFAULT_LINGER;
    uint32_t nb = 16;
    while (nb < t->cfg.max_flows)
        nb <<= 1;
    t->buckets = calloc(nb, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->mask = nb - 1;
    return t;
}

void ws_tcp_destroy(ws_tcp *t)
{
    if (!t)
        return;
    while (t->live_list.head)
        free_record(t, t->live_list.head);
    while (t->closed_list.head)
        free_record(t, t->closed_list.head);
    free(t->buckets);
    free(t);
}

const ws_tcp_stats *ws_tcp_get_stats(const ws_tcp *t) { return &t->stats; }
uint32_t ws_tcp_live_flows(const ws_tcp *t) { return t->live; }
const ws_flow_tuple *ws_tcp_flow_tuple(const ws_tcp_flow *f) { return &f->tuple; }
void *ws_tcp_flow_get_user(const ws_tcp_flow *f) { return f->user; }
void ws_tcp_flow_set_user(ws_tcp_flow *f, void *user) { f->user = user; }
uint64_t ws_tcp_flow_missed_bytes(const ws_tcp_flow *f, ws_direction dir)
{
    return f->dir[dir == WS_DIR_INBOUND].missed;
}

/* ---- local rule ---------------------------------------------------------- */

static int rule(const ws_tcp *t, uint8_t ver, const uint8_t *addr, uint16_t port)
{
    if (!t->cfg.is_local)
        return -1;
    int r = t->cfg.is_local(t->cfg.is_local_user, ver, addr, port);
    return r == 0 || r == 1 ? r : -1;
}

/* 1 if endpoint a is local rather than b, by the rule; -1 if it cannot tell */
static int a_is_local(const ws_tcp *t, uint8_t ver, const uint8_t *a, uint16_t pa,
                      const uint8_t *b, uint16_t pb)
{
    int la = rule(t, ver, a, pa), lb = rule(t, ver, b, pb);
    if (la == 1 && lb != 1) return 1;
    if (lb == 1 && la != 1) return 0;
    if (la == 0 && lb != 0) return 0;
    if (lb == 0 && la != 0) return 1;
    return -1;
}

static ws_direction packet_dir(const ws_tcp *t, const ws_pcap_packet *p)
{
    int r = a_is_local(t, p->ip_version, p->src, p->sport, p->dst, p->dport);
    if (r < 0) /* the sender is the client (local) unless it has the lower port */
        r = !(p->sport || p->dport) || p->sport >= p->dport;
    return r ? WS_DIR_OUTBOUND : WS_DIR_INBOUND;
}

/* ---- events -------------------------------------------------------------- */

static void emit_packet(ws_tcp *t, ws_tcp_flow *f, ws_direction dir, const ws_pcap_packet *p)
{
    if (t->cb.packet)
        t->cb.packet(t->cb.user, f, dir, p->ip, p->ip_len, t->now, p);
}

static void close_flow(ws_tcp *t, ws_tcp_flow *f, ws_close_reason why, uint64_t ts)
{
    ws_stream_ctx c = {&t->cb, &t->stats, t->cfg.max_ooo_bytes, ts};
    if (why == WS_CLOSE_RST) {
        ws_stream_discard(&c, &f->dir[0]);
        ws_stream_discard(&c, &f->dir[1]);
    } else if (why != WS_CLOSE_FIN) {
        ws_stream_flush(&c, f, WS_DIR_OUTBOUND);
        ws_stream_flush(&c, f, WS_DIR_INBOUND);
    }
    t->stats.flows_closed[why]++;
    if (t->cb.flow_close)
        t->cb.flow_close(t->cb.user, f, why, ts);
    list_remove(&t->live_list, f);
    t->live--;
    f->closed = 1;
    f->last_ts = ts;
    list_append(&t->closed_list, f);
}

static void expire(ws_tcp *t, uint64_t now)
{
    while (t->live_list.head && now - t->live_list.head->last_ts >= t->cfg.idle_timeout) {
        ws_tcp_flow *f = t->live_list.head;
        close_flow(t, f, WS_CLOSE_IDLE, f->last_ts + t->cfg.idle_timeout);
    }
    while (t->closed_list.head && now - t->closed_list.head->last_ts >= t->cfg.closed_linger)
        free_record(t, t->closed_list.head);
}

static void set_time(ws_tcp *t, uint64_t ts)
{
    if (!t->has_time || ts > t->now)
        t->now = ts;
    t->has_time = 1;
    expire(t, t->now);
}

void ws_tcp_advance(ws_tcp *t, uint64_t ts) { set_time(t, ts); }

static ws_tcp_flow *open_flow(ws_tcp *t, const ws_pcap_packet *p, const uint8_t key[38],
                              uint32_t h)
{
    if (t->count >= t->cfg.max_flows) {
        if (!t->closed_list.head) {
            t->stats.flow_overflow++;
            return NULL;
        }
        free_record(t, t->closed_list.head);
    }
    ws_tcp_flow *f = calloc(1, sizeof *f);
    if (!f) {
        t->stats.flow_overflow++;
        return NULL;
    }
    uint8_t fl = p->tcp_flags;
    int src_is_client, mid = 0;
    if ((fl & WS_TCP_SYN) && !(fl & WS_TCP_ACK))
        src_is_client = 1;
    else if (fl & WS_TCP_SYN)
        src_is_client = 0;
    else {
        mid = 1;
        src_is_client = p->sport >= p->dport;
    }
    const uint8_t *ca = src_is_client ? p->src : p->dst, *sa = src_is_client ? p->dst : p->src;
    uint16_t cp = src_is_client ? p->sport : p->dport, sp = src_is_client ? p->dport : p->sport;
    int client_local = a_is_local(t, p->ip_version, ca, cp, sa, sp);
    if (client_local < 0)
        client_local = 1;
    ws_flow_tuple *tu = &f->tuple;
    tu->ip_version = p->ip_version;
    tu->protocol = WS_IPPROTO_TCP;
    tu->outbound = (uint8_t)client_local;
    tu->mid_stream = (uint8_t)mid;
    memcpy(tu->local_addr, client_local ? ca : sa, 16);
    memcpy(tu->remote_addr, client_local ? sa : ca, 16);
    tu->local_port = client_local ? cp : sp;
    tu->remote_port = client_local ? sp : cp;
    memcpy(f->key, key, 38);
    f->hash = h;
    f->hnext = t->buckets[h & t->mask];
    t->buckets[h & t->mask] = f;
    f->last_ts = t->now;
    list_append(&t->live_list, f);
    t->count++;
    t->live++;
    t->stats.flows_opened++;
    if (mid)
        t->stats.flows_mid_stream++;
    if (t->cb.flow_open)
        t->cb.flow_open(t->cb.user, f, tu, t->now);
    return f;
}

/* OUTBOUND when the packet's source is the flow's local endpoint. (A
   connection from a socket to itself has both ends equal: all outbound.) */
static ws_direction flow_dir(const ws_tcp_flow *f, const ws_pcap_packet *p)
{
    int src_local = memcmp(p->src, f->tuple.local_addr, 16) == 0 && p->sport == f->tuple.local_port;
    return src_local ? WS_DIR_OUTBOUND : WS_DIR_INBOUND;
}

static void tcp_input(ws_tcp *t, const ws_pcap_packet *p)
{
    uint8_t key[38];
    make_key(key, p->ip_version, p->src, p->sport, p->dst, p->dport, NULL);
    uint32_t h = hash_key(key, sizeof key);
    ws_tcp_flow *f = lookup(t, key, h);
    uint8_t fl = p->tcp_flags;
    int new_syn = (fl & WS_TCP_SYN) && !(fl & (WS_TCP_ACK | WS_TCP_RST));
    if (f && f->closed) {
        if (!new_syn) {
            t->stats.stray_packets++;
            emit_packet(t, NULL, flow_dir(f, p), p);
            return;
        }
        free_record(t, f); /* port reuse: a new connection */
        f = NULL;
    }
    if (!f) {
        int opens = !(fl & WS_TCP_RST) && ((fl & WS_TCP_SYN) || p->payload_len_orig > 0);
        if (opens)
            f = open_flow(t, p, key, h);
        if (!f) {
            if (!opens)
                t->stats.stray_packets++;
            emit_packet(t, NULL, packet_dir(t, p), p);
            return;
        }
        /* initial sequence state */
        ws_direction d0 = flow_dir(f, p);
        ws_dir_state *snd = &f->dir[d0], *rcv = &f->dir[!d0];
        if (fl & WS_TCP_SYN) {
            ws_stream_start(snd, p->tcp_seq + 1u);
            if (fl & WS_TCP_ACK)
                ws_stream_start(rcv, p->tcp_ack);
        } else {
            ws_stream_start(snd, p->tcp_seq);
            if (fl & WS_TCP_ACK)
                ws_stream_start(rcv, p->tcp_ack);
        }
    } else {
        list_remove(&t->live_list, f);
        list_append(&t->live_list, f);
        f->last_ts = t->now;
    }
    ws_direction dir = flow_dir(f, p);
    emit_packet(t, f, dir, p);
    ws_stream_ctx c = {&t->cb, &t->stats, t->cfg.max_ooo_bytes, t->now};
    ws_dir_state *d = &f->dir[dir];
    if (fl & WS_TCP_RST) {
        if (t->cb.stream_data)
            t->cb.stream_data(t->cb.user, f, dir, d->next_off, NULL, 0, t->now, WS_TCP_RST);
        close_flow(t, f, WS_CLOSE_RST, t->now);
        return;
    }
    uint32_t seq = p->tcp_seq;
    if (fl & WS_TCP_SYN) {
        if (!d->started)
            ws_stream_start(d, seq + 1u);
        seq += 1u;
    }
    if (d->finished) {
        /* data or a FIN after the direction ended: retransmissions, dropped */
        t->stats.duplicate_bytes += p->payload_len_orig;
    } else {
        if (p->payload_len_orig)
            ws_stream_data(&c, f, dir, seq, p->payload, p->payload_len, p->payload_len_orig, fl);
        if (fl & WS_TCP_FIN)
            ws_stream_fin(&c, d, seq + p->payload_len_orig);
        ws_stream_check_fin(&c, f, dir);
    }
    if (f->dir[0].finished && f->dir[1].finished)
        close_flow(t, f, WS_CLOSE_FIN, t->now);
}

void ws_tcp_input(ws_tcp *t, const ws_pcap_packet *p)
{
    if (!t || !p)
        return;
    t->stats.packets++;
    set_time(t, p->ts_100ns);
    if (p->ip_version == 0 || p->decode == WS_DECODE_NOT_IP) {
        t->stats.non_ip++;
        return;
    }
    if (p->decode != WS_DECODE_OK) {
        t->stats.bad_ip++;
        emit_packet(t, NULL, packet_dir(t, p), p);
        return;
    }
    if (p->flags & WS_PKT_FRAGMENT) {
        t->stats.fragments++;
        emit_packet(t, NULL, packet_dir(t, p), p);
        return;
    }
    if (p->protocol == WS_IPPROTO_TCP) {
        t->stats.tcp_packets++;
        tcp_input(t, p);
        return;
    }
    if (p->protocol == WS_IPPROTO_UDP)
        t->stats.udp_packets++;
    else
        t->stats.other_packets++;
    emit_packet(t, NULL, packet_dir(t, p), p);
}

void ws_tcp_finish(ws_tcp *t)
{
    if (!t)
        return;
    while (t->live_list.head)
        close_flow(t, t->live_list.head, WS_CLOSE_END_OF_CAPTURE, t->now);
}

int ws_tcp_run_capture(ws_tcp *t, ws_pcap_reader *r, int accept_truncated, ws_pcap_error *err)
{
    ws_pcap_packet pkt;
    int rc;
    while ((rc = ws_pcap_next(r, &pkt, err)) == 1)
        ws_tcp_input(t, &pkt);
    if (rc == WS_PCAP_E_TRUNCATED && accept_truncated)
        rc = 0;
    ws_tcp_finish(t);
    return rc;
}
