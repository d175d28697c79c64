/*
 * traffic.h - libwfpsim's traffic sources: a capture reader (pcap / pcapng),
 * TCP stream reassembly driving a callback interface, and a seeded synthetic
 * traffic generator that drives the same interface (or writes a pcap file).
 *
 * Portable C11, hosted libc. Nothing here is Windows API: these are the
 * simulator's inputs. The classify engine consumes the ws_tcp_callbacks events.
 *
 *   ws_pcap_*  capture files: reader, packet decoder, writer
 *   ws_tcp_*   flow table + per-direction stream reassembly + events
 *   ws_gen_*   seeded generator
 *
 * Time: every timestamp handed to a callback is "virtual time" in 100 ns units
 * since the Unix epoch (1970-01-01T00:00:00Z). Nothing reads the wall clock.
 */
#ifndef WFPSIM_TRAFFIC_H
#define WFPSIM_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Capture reader                                                           */
/* ======================================================================== */

/* Status / error codes. ws_pcap_next returns 1 (a packet), 0 (end) or one of
 * the negative codes below. */
enum {
    WS_PCAP_OK = 0,
    WS_PCAP_E_ARG = -1,        /* NULL argument, bad option */
    WS_PCAP_E_IO = -2,         /* fopen / fread failed (errno in message) */
    WS_PCAP_E_NOMEM = -3,
    WS_PCAP_E_FORMAT = -4,     /* not a pcap / pcapng file, unsupported version or magic */
    WS_PCAP_E_MALFORMED = -5,  /* structurally invalid record or block */
    WS_PCAP_E_TRUNCATED = -6,  /* the file ends inside its final record / block: every record
                                  before it was valid and has been returned; the caller may
                                  accept the capture as complete up to error.offset */
    WS_PCAP_E_TOO_BIG = -7,    /* a record larger than the read buffer (see max_record) */
    WS_PCAP_E_LINKTYPE = -8    /* unsupported link type (reported at the header / IDB) */
};

typedef struct ws_pcap_error {
    int code;           /* one of WS_PCAP_E_*, WS_PCAP_OK when no error */
    uint64_t offset;    /* byte offset in the file of the problem (the first byte of the
                           offending field, or of the truncated record) */
    char message[192];  /* one line, no trailing newline */
} ws_pcap_error;

/* Link types understood (LINKTYPE_* numbers as written in the files). */
enum {
    WS_LINKTYPE_NULL = 0,        /* BSD loopback: 4-byte AF in the writer's byte order */
    WS_LINKTYPE_ETHERNET = 1,    /* with 802.1Q / 802.1ad (QinQ) tags */
    WS_LINKTYPE_RAW = 101,       /* raw IPv4 or IPv6 */
    WS_LINKTYPE_LOOP = 108,      /* OpenBSD loopback: 4-byte AF, big-endian */
    WS_LINKTYPE_LINUX_SLL = 113,
    WS_LINKTYPE_IPV4 = 228,
    WS_LINKTYPE_IPV6 = 229,
    WS_LINKTYPE_LINUX_SLL2 = 276
};

typedef enum ws_pcap_format {
    WS_PCAP_FORMAT_PCAP_US = 1,  /* classic pcap, microsecond timestamps */
    WS_PCAP_FORMAT_PCAP_NS = 2,  /* classic pcap, nanosecond timestamps */
    WS_PCAP_FORMAT_PCAPNG = 3
} ws_pcap_format;

/* How far a packet was decoded (ws_pcap_packet.decode). */
typedef enum ws_pcap_decode {
    WS_DECODE_OK = 0,         /* IP (+ TCP/UDP if present) headers complete and consistent */
    WS_DECODE_NOT_IP = 1,     /* ARP, LLDP, unknown ethertype / address family, ... */
    WS_DECODE_TRUNCATED = 2,  /* headers cut by the snapshot length */
    WS_DECODE_MALFORMED = 3   /* inconsistent headers (bad version, length fields, ...) */
} ws_pcap_decode;

/* ws_pcap_packet.flags */
#define WS_PKT_FRAGMENT      0x0001u /* IPv4 MF or offset != 0, or an IPv6 fragment header */
#define WS_PKT_FIRST_FRAG    0x0002u /* ... and this is the first fragment (offset 0) */
#define WS_PKT_SNAPLEN_CUT   0x0004u /* captured length < original length */
#define WS_PKT_VLAN          0x0008u /* at least one 802.1Q/802.1ad tag was removed */
#define WS_PKT_IPV4_OPTIONS  0x0010u /* IHL > 5 */
#define WS_PKT_IPV6_EXT      0x0020u /* at least one IPv6 extension header was skipped */
#define WS_PKT_PAYLOAD_CUT   0x0040u /* L4 payload shorter than the headers declare */
#define WS_PKT_CAPLEN_GT_LEN 0x0080u /* record says caplen > original length (kept as is) */

/* TCP flag bits (byte 13 of the TCP header). */
#define WS_TCP_FIN 0x01u
#define WS_TCP_SYN 0x02u
#define WS_TCP_RST 0x04u
#define WS_TCP_PSH 0x08u
#define WS_TCP_ACK 0x10u
#define WS_TCP_URG 0x20u
#define WS_TCP_ECE 0x40u
#define WS_TCP_CWR 0x80u

#define WS_IPPROTO_TCP 6
#define WS_IPPROTO_UDP 17

/* One captured packet. Every pointer points into the reader's buffer and stays
 * valid until the next ws_pcap_next / ws_pcap_close on the same reader. */
typedef struct ws_pcap_packet {
    /* record */
    uint64_t index;            /* 0-based number of the packet in the capture */
    uint64_t record_offset;    /* file offset of the record header / EPB */
    uint32_t interface_id;     /* pcapng interface (0 for pcap) */
    uint32_t linktype;
    uint64_t ts_100ns;         /* capture time, 100 ns units since the Unix epoch */
    uint64_t ts_units;         /* the same time in the capture's own units since the epoch */
    uint64_t ts_units_per_sec; /* 1000000, 1000000000, or the pcapng if_tsresol */
    uint32_t caplen;           /* bytes present in the file */
    uint32_t origlen;          /* bytes on the wire */
    const uint8_t *frame;      /* link-layer frame, caplen bytes */

    /* decode */
    ws_pcap_decode decode;
    uint32_t flags;            /* WS_PKT_* */
    uint8_t link_dir;          /* 0 unknown, 1 incoming, 2 outgoing (Linux SLL/SLL2 only) */
    uint8_t vlan_count;
    uint16_t vlan_id[2];       /* outermost first (first two tags) */

    uint8_t ip_version;        /* 4 or 6, 0 when not IP */
    uint8_t protocol;          /* final upper-layer protocol (after IPv6 extension headers) */
    uint8_t src[16], dst[16];  /* IPv4 addresses in the first 4 bytes, rest zero */
    const uint8_t *ip;         /* the whole IP packet as captured (starts at the IP header) */
    uint32_t ip_len;           /* captured bytes of it (link padding removed) */
    uint32_t ip_total_len;     /* its length per the IP header */
    uint16_t ip_header_len;    /* IPv4 IHL*4, or IPv6 40 + skipped extension headers */
    uint32_t frag_offset;      /* fragment offset in bytes */
    uint32_t frag_id;          /* IPv4 identification / IPv6 fragment identification */

    uint16_t sport, dport;     /* TCP / UDP ports (0 otherwise, or in a non-first fragment) */
    uint8_t tcp_flags;         /* WS_TCP_* */
    uint8_t tcp_header_len;
    uint16_t tcp_window;       /* raw, unscaled */
    uint32_t tcp_seq, tcp_ack;

    const uint8_t *payload;    /* L4 payload as captured */
    uint32_t payload_len;      /* captured payload bytes */
    uint32_t payload_len_orig; /* payload bytes per the IP/UDP headers (>= payload_len) */
} ws_pcap_packet;

typedef struct ws_pcap_reader ws_pcap_reader;

/* Default and minimum read buffer of the file reader. A record (pcap packet
 * or pcapng block that is decoded) must fit in the buffer; blocks that are
 * skipped may be any size. */
#define WS_PCAP_DEFAULT_BUFFER (1u << 20)
#define WS_PCAP_MIN_BUFFER (64u * 1024u)

/* Open a capture held in memory (not copied: keep it alive until close). */
int ws_pcap_open_memory(ws_pcap_reader **out, const void *data, size_t len, ws_pcap_error *err);
/* Open a capture file and stream it through a bounded buffer of buffer_size
 * bytes (0 = WS_PCAP_DEFAULT_BUFFER; values below WS_PCAP_MIN_BUFFER are raised). */
int ws_pcap_open_file(ws_pcap_reader **out, const char *path, size_t buffer_size,
                      ws_pcap_error *err);
/* 1 = *pkt filled, 0 = clean end of capture, < 0 = error (err filled). After an
 * error every further call returns the same error. */
int ws_pcap_next(ws_pcap_reader *r, ws_pcap_packet *pkt, ws_pcap_error *err);
void ws_pcap_close(ws_pcap_reader *r);

ws_pcap_format ws_pcap_get_format(const ws_pcap_reader *r);
/* Link type of the capture (pcap) or of the first interface (pcapng). */
uint32_t ws_pcap_get_linktype(const ws_pcap_reader *r);
/* pcapng blocks skipped so far (unknown types, OPB, NRB, ISB, ...). */
uint64_t ws_pcap_skipped_blocks(const ws_pcap_reader *r);
/* Human-readable name of an error code. */
const char *ws_pcap_strerror(int code);

/* Decode a link-layer frame into *pkt (fields of the "decode" section and
 * below; the record fields are left as they are). Used by the reader and by
 * the generator; callable directly (e.g. linktype WS_LINKTYPE_RAW on an IP
 * packet). Never reads outside [frame, frame + caplen). */
void ws_pcap_decode_frame(ws_pcap_packet *pkt, uint32_t linktype, const uint8_t *frame,
                          uint32_t caplen, uint32_t origlen);

/* ---- writer (classic pcap, little-endian, nanosecond magic) ------------- */
typedef struct ws_pcap_writer ws_pcap_writer;
/* linktype: WS_LINKTYPE_RAW (frames are IP packets) or WS_LINKTYPE_ETHERNET
 * (the writer adds a 14-byte Ethernet header with fixed locally administered
 * MAC addresses). */
int ws_pcap_writer_open(ws_pcap_writer **out, const char *path, uint32_t linktype,
                        uint32_t snaplen);
/* Write one IP packet at ts_100ns. Returns 0 or WS_PCAP_E_IO. */
int ws_pcap_writer_ip(ws_pcap_writer *w, uint64_t ts_100ns, const uint8_t *ip, uint32_t len);
int ws_pcap_writer_close(ws_pcap_writer *w);

/* ======================================================================== */
/* TCP reassembly and the event interface                                   */
/* ======================================================================== */

typedef enum ws_direction {
    WS_DIR_OUTBOUND = 0,  /* sent by the local endpoint */
    WS_DIR_INBOUND = 1    /* received by the local endpoint */
} ws_direction;

typedef enum ws_close_reason {
    WS_CLOSE_FIN = 1,           /* both directions finished with FIN, in order */
    WS_CLOSE_RST = 2,           /* a RST from either side */
    WS_CLOSE_IDLE = 3,          /* no packet for idle_timeout (virtual time) */
    WS_CLOSE_END_OF_CAPTURE = 4 /* ws_tcp_finish */
} ws_close_reason;

/* A flow as seen from the local machine. */
typedef struct ws_flow_tuple {
    uint8_t ip_version;        /* 4 or 6 */
    uint8_t protocol;          /* WS_IPPROTO_TCP */
    uint8_t outbound;          /* 1: the local endpoint opened the connection (client) */
    uint8_t mid_stream;        /* 1: no SYN was seen, the client was guessed (see ws_tcp) */
    uint8_t local_addr[16], remote_addr[16]; /* IPv4 in the first 4 bytes */
    uint16_t local_port, remote_port;
} ws_flow_tuple;

typedef struct ws_tcp_flow ws_tcp_flow;

/* Data event flags: the TCP flags of the segment that carried the bytes, with
 * SYN and FIN removed; for the zero-length end markers exactly WS_TCP_FIN or
 * WS_TCP_RST (see the event order below). */
typedef struct ws_tcp_callbacks {
    void *user;
    /* A new flow. tuple is valid during the call only (also via ws_tcp_flow_tuple). */
    void (*flow_open)(void *user, ws_tcp_flow *flow, const ws_flow_tuple *tuple, uint64_t ts);
    /* In-order stream bytes of one direction starting at stream offset `offset`
     * (0 = first byte after the SYN, or the first byte seen mid-stream). */
    void (*stream_data)(void *user, ws_tcp_flow *flow, ws_direction dir, uint64_t offset,
                        const uint8_t *bytes, size_t len, uint64_t ts, uint8_t tcp_flags);
    /* Every IP packet, in capture order: flow is NULL for non-TCP packets, for
     * IP fragments, for TCP packets of no (or an already closed) flow and when
     * the flow table is full. dir is the direction per the local rule. */
    void (*packet)(void *user, ws_tcp_flow *flow, ws_direction dir, const uint8_t *ip,
                   size_t len, uint64_t ts, const ws_pcap_packet *info);
    /* The last event of a flow; the flow pointer is invalid after it returns. */
    void (*flow_close)(void *user, ws_tcp_flow *flow, ws_close_reason reason, uint64_t ts);
} ws_tcp_callbacks;

/* The local rule: 1 = (addr, port) is on this machine, 0 = it is remote,
 * -1 = no opinion. With no rule, or when the rule cannot separate the two
 * endpoints, the client (SYN sender) is taken as local. */
typedef int (*ws_tcp_is_local_fn)(void *user, uint8_t ip_version, const uint8_t addr[16],
                                  uint16_t port);

typedef struct ws_tcp_config {
    uint32_t max_flows;          /* live + closed-flow records; 0 = 65536 */
    uint32_t max_ooo_bytes;      /* buffered out-of-order bytes per direction; 0 = 1 MiB */
    uint64_t idle_timeout;       /* 100 ns units; 0 = 2 hours (Windows' TCP keep-alive time) */
    uint64_t closed_linger;      /* how long a closed flow's record absorbs stray packets
                                    (trailing ACKs) before it is forgotten; 0 = 4 minutes */
    ws_tcp_is_local_fn is_local; /* NULL = the SYN sender is local */
    void *is_local_user;
} ws_tcp_config;

typedef struct ws_tcp_stats {
    uint64_t packets;            /* ws_tcp_input calls */
    uint64_t non_ip;             /* frames that were not IP (no packet event) */
    uint64_t bad_ip;             /* truncated / malformed IP (packet event, flow NULL) */
    uint64_t fragments;          /* IP fragments (packet event, flow NULL, not reassembled) */
    uint64_t tcp_packets, udp_packets, other_packets;
    uint64_t flows_opened;
    uint64_t flows_closed[5];    /* indexed by ws_close_reason */
    uint64_t flows_mid_stream;
    uint64_t flow_overflow;      /* packets that would have opened a flow with the table full */
    uint64_t stray_packets;      /* TCP packets of no flow (e.g. after close, lone RST / ACK) */
    uint64_t delivered_bytes;
    uint64_t duplicate_bytes;    /* retransmitted / overlapping bytes dropped (first data wins) */
    uint64_t ooo_segments;       /* segments that had to be buffered */
    uint64_t ooo_overflow;       /* times a direction's out-of-order buffer was over its cap */
    uint64_t missed_bytes;       /* sequence space skipped: never captured / gap given up */
    uint64_t discarded_bytes;    /* buffered bytes thrown away by a RST */
} ws_tcp_stats;

typedef struct ws_tcp ws_tcp;

/* cfg may be NULL (all defaults). Returns NULL on allocation failure. */
ws_tcp *ws_tcp_create(const ws_tcp_config *cfg, const ws_tcp_callbacks *cb);
/* Feed one decoded packet (from ws_pcap_next or ws_pcap_decode_frame).
 * Timestamps must not go backwards; an earlier one is treated as equal to the
 * latest seen (virtual time never rewinds). */
void ws_tcp_input(ws_tcp *t, const ws_pcap_packet *pkt);
/* Advance virtual time without a packet: closes flows idle at `ts`. */
void ws_tcp_advance(ws_tcp *t, uint64_t ts);
/* End of input: every live flow is flushed and closed with
 * WS_CLOSE_END_OF_CAPTURE at the latest timestamp seen, oldest activity first. */
void ws_tcp_finish(ws_tcp *t);
void ws_tcp_destroy(ws_tcp *t);   /* frees without events */
const ws_tcp_stats *ws_tcp_get_stats(const ws_tcp *t);
uint32_t ws_tcp_live_flows(const ws_tcp *t);

const ws_flow_tuple *ws_tcp_flow_tuple(const ws_tcp_flow *f);
void *ws_tcp_flow_get_user(const ws_tcp_flow *f);
void ws_tcp_flow_set_user(ws_tcp_flow *f, void *user);
/* Bytes of that direction's sequence space that were never delivered. */
uint64_t ws_tcp_flow_missed_bytes(const ws_tcp_flow *f, ws_direction dir);

/* Read a whole capture into t: ws_pcap_next + ws_tcp_input for every packet,
 * then ws_tcp_finish. If accept_truncated is set, a truncated final record
 * ends the capture normally (err still describes it). Returns 0 or the
 * reader's error code. */
int ws_tcp_run_capture(ws_tcp *t, ws_pcap_reader *r, int accept_truncated, ws_pcap_error *err);

/* ======================================================================== */
/* Seeded synthetic generator                                               */
/* ======================================================================== */

typedef enum ws_gen_proto {
    WS_GEN_TLS = 0,    /* TLS 1.3 ClientHello with SNI (+ ALPN list), port 443 */
    WS_GEN_HTTP1 = 1,  /* HTTP/1.1 request with Host, port 80 */
    WS_GEN_HTTP2 = 2,  /* HTTP/2 as browsers use it: TLS with ALPN "h2" first, port 443 */
    WS_GEN_SSH = 3,    /* SSH-2.0 banners and KEXINIT, port 22 */
    WS_GEN_RANDOM = 4, /* unrecognisable bytes to a high port */
    WS_GEN_PROTO_COUNT = 5
} ws_gen_proto;

/* What the generator decided for one flow. */
typedef struct ws_gen_flow_desc {
    uint32_t index;
    ws_gen_proto proto;
    ws_flow_tuple tuple;       /* local view; outbound = 1 unless an inbound flow */
    const char *name;          /* SNI / Host (NULL for SSH and random); points into
                                  cfg.names (keep it alive) or a built-in list */
    const char *alpn;          /* comma-separated ALPN list offered, or NULL */
    uint32_t pid;              /* process id from the app rule */
    char app[64];              /* application name from the app rule */
    uint32_t request_bytes;    /* client -> server application bytes (after the hello) */
    uint32_t response_bytes;   /* server -> client application bytes */
    uint64_t start_ts;         /* SYN time */
    uint8_t closed_by_rst;
} ws_gen_flow_desc;

/* Maps a flow to its process: may change pid and app, which are pre-set per
 * protocol (TLS / HTTP/2: msedge.exe 4120, HTTP/1.1: curl.exe 7312, SSH:
 * ssh.exe 5544, random: updater.exe 6128). Called once per flow, in order,
 * from ws_gen_create. */
typedef void (*ws_gen_app_rule_fn)(void *user, ws_gen_flow_desc *flow);

typedef struct ws_gen_config {
    uint64_t seed;
    uint32_t flows;                  /* N */
    const ws_gen_proto *protos;      /* protocols drawn from (uniformly, seeded); NULL = all */
    uint32_t nprotos;
    uint32_t min_bytes, max_bytes;   /* response size range; 0,0 = 1000..200000 */
    uint32_t max_request_bytes;      /* client data after the hello; 0 = 4000 */
    uint32_t ipv6_percent;           /* 0..100 */
    uint32_t inbound_percent;        /* 0..100: flows the remote side opens */
    uint32_t rst_percent;            /* 0..100: flows ended by RST instead of FIN */
    uint16_t mss_v4, mss_v6;         /* 0 = 1460 / 1440 */
    uint64_t start_ts;               /* 100 ns since epoch; 0 = 2024-01-01T00:00:00Z */
    uint64_t mean_interarrival;      /* between flow starts, 100 ns; 0 = 20 ms */
    const char *const *names;        /* SNI / Host names; NULL = built-in list */
    uint32_t nnames;
    ws_gen_app_rule_fn app_rule;     /* NULL = default mapping */
    void *app_rule_user;
} ws_gen_config;

typedef struct ws_gen ws_gen;

/* Plans the flows (cheap: per-flow bytes are produced lazily while running;
 * only flows under way hold state, so N can be large). */
ws_gen *ws_gen_create(const ws_gen_config *cfg);
void ws_gen_destroy(ws_gen *g);
uint32_t ws_gen_flow_count(const ws_gen *g);
const ws_gen_flow_desc *ws_gen_flow(const ws_gen *g, uint32_t i);
/* The flow whose local/remote endpoints match (either orientation), or NULL. */
const ws_gen_flow_desc *ws_gen_find(const ws_gen *g, const ws_flow_tuple *tuple);
/* A ws_tcp_is_local_fn for generated traffic (user = the ws_gen). Local
 * addresses are 10.0.0.0/8 and fd00::/8; remote ones come from the
 * documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32. */
int ws_gen_is_local(void *user, uint8_t ip_version, const uint8_t addr[16], uint16_t port);

/* Packet sink: called for every generated IP packet in timestamp order. */
typedef void (*ws_gen_packet_fn)(void *user, uint64_t ts, const uint8_t *ip, uint32_t len);
/* Produce all packets. Returns 0, or -1 on allocation failure. A ws_gen runs once. */
int ws_gen_run(ws_gen *g, ws_gen_packet_fn sink, void *user);
/* Makes a ws_gen_run in progress return after the current packet (callable from its sink). */
void ws_gen_stop(ws_gen *g);
/* Drive callbacks directly: every packet is decoded and fed to a ws_tcp built
 * from cfg (its is_local defaults to ws_gen_is_local) - the same events a
 * pcap written by ws_gen_write_pcap and read back would produce. */
int ws_gen_run_callbacks(ws_gen *g, const ws_tcp_config *cfg, const ws_tcp_callbacks *cb);
/* Write every packet to a pcap file (WS_LINKTYPE_RAW or WS_LINKTYPE_ETHERNET). */
int ws_gen_write_pcap(ws_gen *g, const char *path, uint32_t linktype);

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_TRAFFIC_H */
