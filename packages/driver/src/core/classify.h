/*
 * classify.h - incremental stream classifiers, one per flow and direction.
 *
 * The glue feeds the bytes of one direction of a TCP stream in the order they are
 * indicated, in pieces of any size (an MDL at a time, a copied indication, one byte):
 * the verdict and the metadata depend only on the bytes, never on how they were split.
 * The classifier looks at no more than its budget of bytes (default
 * WK_DEFAULT_INSPECT_BUDGET, at most WK_MAX_INSPECT_BUDGET); wk_cls_wanted says how many
 * more it may use, so the glue copies no more than that out of a NET_BUFFER_LIST.
 *
 * It identifies, from the first bytes of the direction:
 *   TLS    a ClientHello (server_name host_name, ALPN list in wire format, the highest
 *          offered version: from supported_versions when present, else legacy_version)
 *          or a ServerHello (the negotiated version), across TLS records and segments;
 *   HTTP1  a request (method, request target, Host header) or a response (status code);
 *   HTTP2  the client connection preface;
 *   SSH    the identification string ("SSH-2.0-..." or "SSH-1.99-...", without CR LF);
 *   UNKNOWN anything else, or nothing identified within the budget.
 *
 * State: the classifier keeps no copy of the stream. It keeps a few bytes of the field
 * being read (a TLS record header, a length) and the parse position, and it stores the
 * metadata it extracts (SNI, ALPN, Host, request target, banner) as it passes, because
 * the bytes are gone after each call. Only one protocol's metadata is ever needed, so
 * that storage is a union sized by the largest (HTTP: Host 255 + target 512).
 * sizeof(wk_cls_dir) is the per-direction cost; a flow has two.
 *
 * Malformed input never makes it read or write outside the bytes it was given or its
 * own state: every length on the wire is checked against the enclosing one and against
 * the storage it is copied to. A malformed stream ends as UNKNOWN, or, once the bytes
 * already identified the protocol (see "committed" in classify_int.h), as that protocol
 * with the metadata gathered before the error.
 *
 * No allocation, no OS call, no global state: the functions only touch the wk_cls_dir
 * they are given; the caller serialises calls on one direction (the flow's lock).
 */
#ifndef WK_CORE_CLASSIFY_H
#define WK_CORE_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "contract.h"

/* What wk_cls_feed / wk_cls_finish report. */
typedef enum wk_cls_status {
    WK_CLS_NEED_MORE = 0, /* no verdict yet: feed more bytes */
    WK_CLS_CLASSIFIED = 1, /* this call reached the verdict: emit FLOW_CLASSIFIED now */
    WK_CLS_DONE = 2        /* the verdict was reached by an earlier call; bytes ignored */
} wk_cls_status;

/* The metadata storage: one protocol's at a time. Sizes are the contract's tail maxima. */
typedef union wk_cls_meta {
    struct {
        uint8_t sni[WK_FLOW_CLASSIFIED_SNI_MAX];
        uint8_t alpn[WK_FLOW_CLASSIFIED_ALPN_MAX];
    } tls;
    struct {
        uint8_t host[WK_FLOW_CLASSIFIED_HOST_MAX];
        uint8_t path[WK_FLOW_CLASSIFIED_PATH_MAX];
    } http;
    struct {
        uint8_t banner[WK_FLOW_CLASSIFIED_BANNER_MAX];
    } ssh;
} wk_cls_meta;

/* One direction of one flow. Treat as opaque; fields are documented in classify_int.h
 * terms. Plain data: it may be copied or zeroed and re-initialised at any time. */
typedef struct wk_cls_dir {
    uint32_t budget;    /* bytes this direction may examine */
    uint32_t seen;      /* bytes examined so far */
    uint32_t left;      /* SKIP/COPY: bytes left in the current step */
    uint32_t lim[4];    /* TLS: bytes left in the handshake message, extensions block,
                           current extension, list inside it (lim[0 .. depth)) */
    uint16_t recLeft;   /* TLS: handshake bytes left in the current record */
    uint16_t extType;   /* TLS: type of the extension being read */
    uint16_t tlsVersion;/* TLS: legacy_version, or the ServerHello's selected version */
    uint16_t svMax;     /* TLS: highest non-GREASE supported_versions entry offered */
    uint16_t httpStatus;
    uint16_t copyLen;   /* bytes copied so far into the field the COPY step fills */
    uint16_t sniLength;
    uint16_t alpnLength;
    uint16_t hostLength;
    uint16_t pathLength;
    uint16_t bannerLength;
    uint16_t cand;      /* prefix matcher: patterns still possible */
    uint8_t phase;      /* WK_CLS_PHASE_* */
    uint8_t proto;      /* WK_APP_PROTOCOL_* the bytes point to, or the verdict */
    uint8_t level;      /* WK_CLS_LEVEL_*: how sure proto is */
    uint8_t truncated;  /* a metadata member was cut */
    uint8_t pos;        /* prefix matcher / fixed-string matcher position */
    uint8_t method;     /* HTTP method index, WK_CLS_NO_METHOD if none */
    uint8_t step;       /* TLS: WK_CLS_STEP_* */
    uint8_t stage;      /* parser-specific: which field the step reads */
    uint8_t need;       /* GATHER: bytes wanted in hbuf */
    uint8_t have;       /* GATHER: bytes in hbuf */
    uint8_t rhave;      /* TLS: bytes of the record header in rhdr */
    uint8_t depth;      /* TLS: lim[] entries in force */
    uint8_t hsType;     /* TLS: 1 ClientHello, 2 ServerHello */
    uint8_t reserved0;
    uint16_t listLen;   /* TLS: length of the ALPN list being copied */
    uint8_t hbuf[8];    /* the field being gathered */
    uint8_t rhdr[8];    /* TLS: the record header being gathered (5 bytes used) */
    wk_cls_meta meta;
} wk_cls_dir;

/* The verdict and metadata, mapping 1:1 onto WK_FLOW_CLASSIFIED_RECORD and its tail.
 * The pointers point into the wk_cls_dir (or to constant strings) and stay valid until
 * the next call that changes it. A pointer whose length is 0 may be NULL. */
typedef struct wk_cls_result {
    uint8_t appProtocol;  /* WK_APP_PROTOCOL_* */
    uint8_t truncated;    /* 1: a member was cut: set WK_RECORD_FLAGS_TRUNCATED */
    uint16_t tlsVersion;
    uint16_t httpStatus;
    uint16_t sniLength;
    uint16_t alpnLength;
    uint16_t hostLength;
    uint16_t methodLength;
    uint16_t pathLength;
    uint16_t bannerLength;
    const uint8_t *sni;
    const uint8_t *alpn;
    const uint8_t *host;
    const uint8_t *method;
    const uint8_t *path;
    const uint8_t *banner;
} wk_cls_result;

/* Starts a direction. budget 0 means WK_DEFAULT_INSPECT_BUDGET; larger than
 * WK_MAX_INSPECT_BUDGET is cut to it. */
void wk_cls_init(wk_cls_dir *d, uint32_t budget);

/* Examines the next len bytes of the direction (data may be NULL when len is 0).
 * Bytes past the budget or after the verdict are ignored. */
wk_cls_status wk_cls_feed(wk_cls_dir *d, const uint8_t *data, size_t len);

/* The direction ended (FIN, RST, flow deleted) or the caller gives up: reach a verdict
 * with what was seen. Returns WK_CLS_CLASSIFIED, or WK_CLS_DONE if it already had one.
 * With no byte seen at all the verdict is WK_APP_PROTOCOL_UNCLASSIFIED. */
wk_cls_status wk_cls_finish(wk_cls_dir *d);

/* Whether a verdict was reached. */
int wk_cls_is_done(const wk_cls_dir *d);

/* How many more bytes the classifier may examine: 0 once it has a verdict. The glue
 * copies at most this many bytes of an indication. */
uint32_t wk_cls_wanted(const wk_cls_dir *d);

/* The verdict and metadata so far (appProtocol is UNCLASSIFIED before the verdict). */
void wk_cls_get_result(const wk_cls_dir *d, wk_cls_result *out);

/* Size of the FLOW_CLASSIFIED record for r: 48 + the tail, rounded up to 8
 * (at most WK_FLOW_CLASSIFIED_RECORD_MAX_SIZE). */
uint32_t wk_cls_record_size(const wk_cls_result *r);

/* Writes the FLOW_CLASSIFIED record for r to dst: header (type, flags with TRUNCATED and
 * extraFlags such as WK_RECORD_FLAGS_IPV6, size, timestamp, flowId), fields, tail and
 * zero padding. Returns the bytes written, or 0 when dstBytes is too small. */
uint32_t wk_cls_write_record(const wk_cls_result *r, uint8_t direction, uint64_t flowId,
                             uint64_t timestamp, uint16_t extraFlags, void *dst,
                             uint32_t dstBytes);

#endif /* WK_CORE_CLASSIFY_H */
