/*
 * classify.c - the classifier front end: budget, the opening matcher, verdicts, the
 * result and the FLOW_CLASSIFIED record.
 */
#include "classify_int.h"

#include <string.h>

/* The fixed openings matched in the PREFIX phase. No opening is a prefix of another,
 * so the first one matched in full is the only candidate left. TLS is recognised by its
 * first byte (0x16, a handshake record) before these, and none of them starts with it. */
typedef struct wk_cls_opening {
    const char *text;
    uint8_t length;
} wk_cls_opening;

#define WK_CLS_OPEN(s) { s, (uint8_t)(sizeof(s) - 1) }
static const wk_cls_opening wk_cls_openings[] = {
    /* 0 .. 8: HTTP/1.x request methods followed by SP; the index is the method. */
    WK_CLS_OPEN("GET "),  WK_CLS_OPEN("POST "),    WK_CLS_OPEN("PUT "),
    WK_CLS_OPEN("DELETE "), WK_CLS_OPEN("HEAD "),  WK_CLS_OPEN("OPTIONS "),
    WK_CLS_OPEN("PATCH "), WK_CLS_OPEN("CONNECT "), WK_CLS_OPEN("TRACE "),
    /* 9: an HTTP/1.x status line. */
    WK_CLS_OPEN("HTTP/1."),
    /* 10: the HTTP/2 client connection preface (RFC 9113 section 3.4), 24 bytes. */
    WK_CLS_OPEN("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    /* 11, 12: SSH identification strings (RFC 4253 section 4.2; 1.99 = 2.0 and 1.x). */
    WK_CLS_OPEN("SSH-2.0-"), WK_CLS_OPEN("SSH-1.99-"),
};
#define WK_CLS_OPENINGS ((unsigned)(sizeof wk_cls_openings / sizeof wk_cls_openings[0]))
#define WK_CLS_METHODS 9u
#define WK_CLS_OPEN_RESPONSE 9u
#define WK_CLS_OPEN_PREFACE 10u
#define WK_CLS_OPEN_SSH2 11u

const uint8_t *wk_cls_method_name(uint8_t method, uint16_t *length)
{
    if (method >= WK_CLS_METHODS) {
        *length = 0;
        return NULL;
    }
    *length = (uint16_t)(wk_cls_openings[method].length - 1u); /* without the SP */
    return (const uint8_t *)wk_cls_openings[method].text;
}

void wk_cls_init(wk_cls_dir *d, uint32_t budget)
{
    memset(d, 0, offsetof(wk_cls_dir, meta)); /* the metadata is written before read */
    if (budget == 0) {
        budget = WK_DEFAULT_INSPECT_BUDGET;
    }
    if (budget > WK_MAX_INSPECT_BUDGET) {
        budget = WK_MAX_INSPECT_BUDGET;
    }
    d->budget = budget;
    d->phase = WK_CLS_PHASE_PREFIX;
    d->proto = WK_APP_PROTOCOL_UNCLASSIFIED;
    d->method = WK_CLS_NO_METHOD;
    d->cand = (uint16_t)((1u << WK_CLS_OPENINGS) - 1u);
}

void wk_cls_append(wk_cls_dir *d, uint8_t *field, uint16_t cap, uint16_t *length,
                   const uint8_t *p, size_t count)
{
    size_t room = *length < cap ? (size_t)(cap - *length) : 0;
    size_t n = count < room ? count : room;
    if (n != 0) {
        memcpy(field + *length, p, n);
        *length = (uint16_t)(*length + n);
    }
    if (count > n) {
        d->truncated = 1;
    }
}

void wk_cls_complete(wk_cls_dir *d, uint8_t proto)
{
    d->proto = proto;
    d->phase = WK_CLS_PHASE_DONE;
}

/* Records what a step in progress gathered and ends with the protocol found so far. */
static void wk_cls_settle(wk_cls_dir *d)
{
    switch (d->phase) {
    case WK_CLS_PHASE_TLS:
        wk_cls_tls_settle(d);
        break;
    case WK_CLS_PHASE_HTTP_REQ:
    case WK_CLS_PHASE_HTTP_RESP:
        wk_cls_http_settle(d);
        break;
    case WK_CLS_PHASE_SSH:
        wk_cls_ssh_settle(d);
        break;
    default:
        break;
    }
    wk_cls_complete(d, d->proto);
}

void wk_cls_fail(wk_cls_dir *d)
{
    if (d->level == WK_CLS_LEVEL_COMMITTED) {
        wk_cls_settle(d);
    } else {
        wk_cls_complete(d, WK_APP_PROTOCOL_UNKNOWN);
    }
}

/* The budget ran out or the stream ended before a verdict. */
static void wk_cls_give_up(wk_cls_dir *d)
{
    if (d->level >= WK_CLS_LEVEL_TENTATIVE) {
        wk_cls_settle(d);
    } else {
        wk_cls_complete(d, WK_APP_PROTOCOL_UNKNOWN);
    }
}

/* An opening matched in full: hand the direction to its parser. */
static void wk_cls_enter(wk_cls_dir *d, unsigned which)
{
    if (which < WK_CLS_METHODS) {
        wk_cls_http_req_start(d, (uint8_t)which);
    } else if (which == WK_CLS_OPEN_RESPONSE) {
        wk_cls_http_resp_start(d);
    } else if (which == WK_CLS_OPEN_PREFACE) {
        wk_cls_complete(d, WK_APP_PROTOCOL_HTTP2);
    } else {
        wk_cls_ssh_start(d, (const uint8_t *)wk_cls_openings[which].text,
                         wk_cls_openings[which].length);
    }
}

/* PREFIX phase: narrows the candidate openings byte by byte. */
static size_t wk_cls_prefix_feed(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    size_t i;
    if (d->pos == 0) {
        unsigned j;
        if (p[0] == 0x16) {
            wk_cls_tls_start(d); /* consumes nothing: the TLS parser reads the record header */
            return 0;
        }
        /* Fast path: an opening whole in this call. Otherwise (or on a mismatch, to stop
         * at the same byte whatever the segmentation) the byte-wise loop decides. */
        for (j = 0; j < WK_CLS_OPENINGS; j++) {
            const wk_cls_opening *o = &wk_cls_openings[j];
            if ((uint8_t)o->text[0] == p[0] && n >= o->length &&
                memcmp(p, o->text, o->length) == 0) {
                d->cand = (uint16_t)(1u << j);
                d->pos = o->length;
                wk_cls_enter(d, j);
                return o->length;
            }
        }
    }
    for (i = 0; i < n; i++) {
        unsigned j;
        unsigned cand = d->cand;
        uint8_t pos = d->pos;
        for (j = 0; j < WK_CLS_OPENINGS; j++) {
            /* A candidate is longer than pos: a full match would have ended the phase. */
            if ((cand & (1u << j)) != 0 && (uint8_t)wk_cls_openings[j].text[pos] != p[i]) {
                cand &= ~(1u << j);
            }
        }
        d->cand = (uint16_t)cand;
        d->pos = (uint8_t)(pos + 1u);
        if (cand == 0) {
            wk_cls_complete(d, WK_APP_PROTOCOL_UNKNOWN);
            return i + 1;
        }
        for (j = 0; j < WK_CLS_OPENINGS; j++) {
            if ((cand & (1u << j)) != 0 && wk_cls_openings[j].length == d->pos) {
                wk_cls_enter(d, j);
                return i + 1;
            }
        }
    }
    return n;
}

wk_cls_status wk_cls_feed(wk_cls_dir *d, const uint8_t *data, size_t len)
{
    size_t n;
    size_t used = 0;

    if (d->phase == WK_CLS_PHASE_DONE) {
        return WK_CLS_DONE;
    }
    n = d->budget - d->seen; /* seen <= budget always */
    if (len < n) {
        n = len;
    }
    if (data == NULL) {
        n = 0;
    }
    while (used < n && d->phase != WK_CLS_PHASE_DONE) {
        uint8_t phase = d->phase;
        size_t k;
        switch (phase) {
        case WK_CLS_PHASE_PREFIX:
            k = wk_cls_prefix_feed(d, data + used, n - used);
            break;
        case WK_CLS_PHASE_TLS:
            k = wk_cls_tls_feed(d, data + used, n - used);
            break;
        case WK_CLS_PHASE_HTTP_REQ:
            k = wk_cls_http_req_feed(d, data + used, n - used);
            break;
        case WK_CLS_PHASE_HTTP_RESP:
            k = wk_cls_http_resp_feed(d, data + used, n - used);
            break;
        case WK_CLS_PHASE_SSH:
            k = wk_cls_ssh_feed(d, data + used, n - used);
            break;
        default:
            k = 0;
            break;
        }
        if (k == 0 && d->phase == phase) {
            /* No progress and no phase change: cannot happen; end rather than spin. */
            wk_cls_fail(d);
            break;
        }
        used += k;
    }
    d->seen += (uint32_t)used;
    if (d->phase != WK_CLS_PHASE_DONE && d->seen >= d->budget) {
        wk_cls_give_up(d);
    }
    return d->phase == WK_CLS_PHASE_DONE ? WK_CLS_CLASSIFIED : WK_CLS_NEED_MORE;
}

wk_cls_status wk_cls_finish(wk_cls_dir *d)
{
    if (d->phase == WK_CLS_PHASE_DONE) {
        return WK_CLS_DONE;
    }
    if (d->seen == 0) {
        wk_cls_complete(d, WK_APP_PROTOCOL_UNCLASSIFIED);
    } else {
        wk_cls_give_up(d);
    }
    return WK_CLS_CLASSIFIED;
}

int wk_cls_is_done(const wk_cls_dir *d)
{
    return d->phase == WK_CLS_PHASE_DONE;
}

uint32_t wk_cls_wanted(const wk_cls_dir *d)
{
    return d->phase == WK_CLS_PHASE_DONE ? 0u : d->budget - d->seen;
}

void wk_cls_get_result(const wk_cls_dir *d, wk_cls_result *out)
{
    memset(out, 0, sizeof *out);
    if (d->phase != WK_CLS_PHASE_DONE) {
        out->appProtocol = WK_APP_PROTOCOL_UNCLASSIFIED;
        return;
    }
    out->appProtocol = d->proto;
    out->truncated = d->truncated;
    switch (d->proto) {
    case WK_APP_PROTOCOL_TLS:
        out->tlsVersion = d->svMax != 0 ? d->svMax : d->tlsVersion;
        out->sni = d->meta.tls.sni;
        out->sniLength = d->sniLength;
        out->alpn = d->meta.tls.alpn;
        out->alpnLength = d->alpnLength;
        break;
    case WK_APP_PROTOCOL_HTTP1:
        out->httpStatus = d->httpStatus;
        out->method = wk_cls_method_name(d->method, &out->methodLength);
        out->path = d->meta.http.path;
        out->pathLength = d->pathLength;
        out->host = d->meta.http.host;
        out->hostLength = d->hostLength;
        break;
    case WK_APP_PROTOCOL_SSH:
        out->banner = d->meta.ssh.banner;
        out->bannerLength = d->bannerLength;
        break;
    default:
        out->truncated = 0;
        break;
    }
}

/* A tail member's length as written: within its maximum, 0 without bytes. */
static uint16_t wk_cls_member(const uint8_t *p, uint16_t length, uint16_t max)
{
    if (p == NULL) {
        return 0;
    }
    return length < max ? length : max;
}

typedef struct wk_cls_tail {
    const uint8_t *p;
    uint16_t length;
} wk_cls_tail;

/* The tail members in record order: sni, alpn, host, method, path, banner. */
static void wk_cls_tails(const wk_cls_result *r, wk_cls_tail t[6])
{
    t[0].p = r->sni;
    t[0].length = wk_cls_member(r->sni, r->sniLength, WK_FLOW_CLASSIFIED_SNI_MAX);
    t[1].p = r->alpn;
    t[1].length = wk_cls_member(r->alpn, r->alpnLength, WK_FLOW_CLASSIFIED_ALPN_MAX);
    t[2].p = r->host;
    t[2].length = wk_cls_member(r->host, r->hostLength, WK_FLOW_CLASSIFIED_HOST_MAX);
    t[3].p = r->method;
    t[3].length = wk_cls_member(r->method, r->methodLength, WK_FLOW_CLASSIFIED_METHOD_MAX);
    t[4].p = r->path;
    t[4].length = wk_cls_member(r->path, r->pathLength, WK_FLOW_CLASSIFIED_PATH_MAX);
    t[5].p = r->banner;
    t[5].length = wk_cls_member(r->banner, r->bannerLength, WK_FLOW_CLASSIFIED_BANNER_MAX);
}

uint32_t wk_cls_record_size(const wk_cls_result *r)
{
    wk_cls_tail t[6];
    uint32_t size = (uint32_t)sizeof(WK_FLOW_CLASSIFIED_RECORD);
    unsigned i;
    wk_cls_tails(r, t);
    for (i = 0; i < 6; i++) {
        size += t[i].length;
    }
    return WK_ALIGN_RECORD(size);
}

uint32_t wk_cls_write_record(const wk_cls_result *r, uint8_t direction, uint64_t flowId,
                             uint64_t timestamp, uint16_t extraFlags, void *dst,
                             uint32_t dstBytes)
{
    WK_FLOW_CLASSIFIED_RECORD rec;
    wk_cls_tail t[6];
    uint8_t *out = (uint8_t *)dst;
    uint32_t size = wk_cls_record_size(r);
    uint32_t off = (uint32_t)sizeof rec;
    unsigned i;

    if (dst == NULL || dstBytes < size) {
        return 0;
    }
    wk_cls_tails(r, t);
    memset(&rec, 0, sizeof rec);
    rec.header.type = (uint16_t)WK_EVENT_TYPE_FLOW_CLASSIFIED;
    rec.header.flags = (uint16_t)(extraFlags | (r->truncated ? WK_RECORD_FLAGS_TRUNCATED : 0u));
    rec.header.size = size;
    rec.header.timestamp = timestamp;
    rec.header.flowId = flowId;
    rec.appProtocol = r->appProtocol;
    rec.direction = direction;
    rec.tlsVersion = r->tlsVersion;
    rec.httpStatus = r->httpStatus;
    rec.sniLength = t[0].length;
    rec.alpnLength = t[1].length;
    rec.hostLength = t[2].length;
    rec.methodLength = t[3].length;
    rec.pathLength = t[4].length;
    rec.bannerLength = t[5].length;
    memcpy(out, &rec, sizeof rec);
    for (i = 0; i < 6; i++) {
        if (t[i].length != 0) {
            memcpy(out + off, t[i].p, t[i].length);
            off += t[i].length;
        }
    }
    memset(out + off, 0, size - off);
    return size;
}
