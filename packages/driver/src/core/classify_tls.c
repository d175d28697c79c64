/*
 * classify_tls.c - TLS ClientHello / ServerHello parser (RFC 8446 sections 4.1.2, 4.1.3,
 * 4.2; RFC 5246 for the pre-1.3 shape), resumable at any byte.
 *
 * Two layers. The record layer reads 5-byte record headers (content type handshake,
 * version 3.x, length 1 .. 2^14) and passes the record bodies on, so a handshake message
 * may be split over any number of records and segments. The handshake layer is a chain
 * of steps, each GATHER (n <= 8 bytes into hbuf), SKIP (n bytes) or COPY (n bytes into a
 * metadata field); when a step completes, tls_next() reads the field and schedules the
 * next step. Only the fields the verdict needs are gathered; the random, session id,
 * cipher suites and uninteresting extensions are skipped by length without a copy.
 *
 * Bounds: d->lim[0 .. depth) are the bytes left in the enclosing structures (handshake
 * message, extensions block, extension, list inside it). Scheduling a step of n bytes
 * takes n from every one of them and fails if any has fewer, so no step can run past a
 * length the peer announced. A length error inside one extension's body only skips the
 * rest of that extension; an error in the framing ends the parse (wk_cls_fail).
 */
#include "classify_int.h"

#include <string.h>

enum { STEP_GATHER = 1, STEP_SKIP = 2, STEP_COPY = 3 };

enum {
    T_HS_HDR = 1,  /* msg_type(1) length(3) */
    T_VERSION,     /* legacy_version(2) */
    T_RANDOM,      /* random(32), skipped */
    T_SID_LEN,     /* legacy_session_id length(1) */
    T_SID,         /* legacy_session_id, skipped */
    T_CS_LEN,      /* ClientHello: cipher_suites length(2) */
    T_CS_LIST,     /* ClientHello: cipher_suites, skipped */
    T_CS_SUITE,    /* ServerHello: cipher_suite(2) */
    T_COMP_LEN,    /* ClientHello: legacy_compression_methods length(1) */
    T_COMP_LIST,   /* ClientHello: legacy_compression_methods, skipped */
    T_COMP_METHOD, /* ServerHello: legacy_compression_method(1) */
    T_EXTS_LEN,    /* extensions length(2) */
    T_EXT_HDR,     /* extension_type(2) extension_data length(2) */
    T_EXT_SKIP,    /* the rest of an extension, skipped */
    T_SNI_LIST_LEN,/* server_name: ServerNameList length(2) */
    T_SNI_ENTRY,   /* name_type(1) HostName length(2) */
    T_SNI_NAME,    /* HostName, copied */
    T_ALPN_LEN,    /* ALPN: ProtocolNameList length(2) */
    T_ALPN_LIST,   /* ProtocolNameList, copied in wire format */
    T_SV_LEN,      /* ClientHello supported_versions: list length(1) */
    T_SV_ITEM,     /* one ProtocolVersion(2) */
    T_SV_SELECTED  /* ServerHello supported_versions: selected_version(2) */
};

#define TLS_CONTENT_HANDSHAKE 22u
#define TLS_MAX_RECORD 16384u     /* TLSPlaintext.length limit, 2^14 */
#define TLS_HS_CLIENT_HELLO 1u
#define TLS_HS_SERVER_HELLO 2u
#define TLS_HELLO_MIN 38u         /* version 2 + random 32 + sid len 1 + 2 + 1 */
#define TLS_EXT_SERVER_NAME 0u
#define TLS_EXT_ALPN 16u
#define TLS_EXT_SUPPORTED_VERSIONS 43u

/* lim[] levels */
#define L_MSG 0u
#define L_EXTS 1u
#define L_EXT 2u
#define L_LIST 3u

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* RFC 8701 GREASE values: 0x0A0A, 0x1A1A, ... 0xFAFA. */
static int is_grease(uint16_t v)
{
    return (v & 0x0F0Fu) == 0x0A0Au && (v >> 8) == (v & 0xFFu);
}

static int tls_take(wk_cls_dir *d, uint32_t n)
{
    unsigned i;
    for (i = 0; i < d->depth; i++) {
        if (n > d->lim[i]) {
            return 0;
        }
    }
    for (i = 0; i < d->depth; i++) {
        d->lim[i] -= n;
    }
    return 1;
}

static void tls_ext_bad(wk_cls_dir *d);

/* A step would run past an enclosing length. */
static void tls_overrun(wk_cls_dir *d)
{
    if (d->depth > L_EXT) {
        tls_ext_bad(d);
    } else {
        wk_cls_fail(d);
    }
}

static void tls_gather(wk_cls_dir *d, uint8_t stage, uint8_t n)
{
    if (!tls_take(d, n)) {
        tls_overrun(d);
        return;
    }
    d->step = STEP_GATHER;
    d->stage = stage;
    d->need = n;
    d->have = 0;
}

static void tls_skip(wk_cls_dir *d, uint8_t stage, uint32_t n)
{
    if (!tls_take(d, n)) {
        tls_overrun(d);
        return;
    }
    d->step = STEP_SKIP;
    d->stage = stage;
    d->left = n;
}

static void tls_copy(wk_cls_dir *d, uint8_t stage, uint32_t n)
{
    if (!tls_take(d, n)) {
        tls_overrun(d);
        return;
    }
    d->step = STEP_COPY;
    d->stage = stage;
    d->left = n;
    d->copyLen = 0;
}

/* Skips what is left of the current extension; then the next extension header. */
static void tls_ext_rest(wk_cls_dir *d)
{
    uint32_t n = d->lim[L_EXT];
    /* lim[EXT] <= lim[EXTS] <= lim[MSG] holds (each was checked against the one outside
     * it when set, and every take lowers all of them alike), so this cannot fail; it is
     * checked anyway, without going through tls_overrun, which would call back here. */
    if (n > d->lim[L_EXTS] || n > d->lim[L_MSG]) {
        wk_cls_fail(d);
        return;
    }
    d->depth = L_EXT + 1u;
    d->lim[L_MSG] -= n;
    d->lim[L_EXTS] -= n;
    d->lim[L_EXT] = 0;
    d->step = STEP_SKIP;
    d->stage = T_EXT_SKIP;
    d->left = n;
}

/* The body of one extension is malformed: forget it, keep parsing the others. */
static void tls_ext_bad(wk_cls_dir *d)
{
    tls_ext_rest(d);
}

/* Next extension, or the end of the hello. */
static void tls_next_ext(wk_cls_dir *d)
{
    d->depth = L_EXTS + 1u;
    if (d->lim[L_EXTS] == 0) {
        wk_cls_complete(d, WK_APP_PROTOCOL_TLS);
        return;
    }
    tls_gather(d, T_EXT_HDR, 4);
}

/* Keeps the whole ProtocolName entries of the copied ALPN list. `whole` says the copy
 * ended with every byte of the list in the field. A zero-length entry, or (for a whole
 * list) entries that do not add up to the list length, make the list malformed: none. */
static void tls_alpn_finish(wk_cls_dir *d, int whole)
{
    const uint8_t *a = d->meta.tls.alpn;
    uint32_t have = d->copyLen;
    uint32_t off = 0;
    while (off < have) {
        uint32_t l = a[off];
        if (l == 0) {
            d->alpnLength = 0;
            return;
        }
        if (off + 1u + l > have) {
            break;
        }
        off += 1u + l;
    }
    if (whole && have == d->listLen) {
        d->alpnLength = (uint16_t)(off == have ? off : 0u);
        return;
    }
    d->alpnLength = (uint16_t)off;
    d->truncated = 1;
}

/* The field a COPY step fills. */
static void tls_copy_bytes(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    if (d->stage == T_SNI_NAME) {
        wk_cls_append(d, d->meta.tls.sni, WK_FLOW_CLASSIFIED_SNI_MAX, &d->copyLen, p, n);
    } else {
        /* T_ALPN_LIST. A cut list is flagged by tls_alpn_finish. */
        size_t room = WK_FLOW_CLASSIFIED_ALPN_MAX - d->copyLen;
        size_t c = n < room ? n : room;
        memcpy(d->meta.tls.alpn + d->copyLen, p, c);
        d->copyLen = (uint16_t)(d->copyLen + c);
    }
}

/* The current step completed: act on its field (h: the GATHERed bytes, in hbuf or
 * straight in the caller's data) and schedule the next step. */
static void tls_next(wk_cls_dir *d, const uint8_t *h)
{
    uint32_t v;

    switch (d->stage) {
    case T_HS_HDR:
        v = ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
        if ((h[0] != TLS_HS_CLIENT_HELLO && h[0] != TLS_HS_SERVER_HELLO) || v < TLS_HELLO_MIN) {
            wk_cls_fail(d);
            return;
        }
        d->hsType = h[0];
        d->depth = 1;
        d->lim[L_MSG] = v;
        d->level = WK_CLS_LEVEL_TENTATIVE;
        tls_gather(d, T_VERSION, 2);
        return;
    case T_VERSION:
        v = be16(h);
        if ((v >> 8) != 3u) {
            wk_cls_fail(d);
            return;
        }
        d->tlsVersion = (uint16_t)v;
        tls_skip(d, T_RANDOM, 32);
        return;
    case T_RANDOM:
        tls_gather(d, T_SID_LEN, 1);
        return;
    case T_SID_LEN:
        if (h[0] > 32u) {
            wk_cls_fail(d);
            return;
        }
        tls_skip(d, T_SID, h[0]);
        return;
    case T_SID:
        if (d->hsType == TLS_HS_CLIENT_HELLO) {
            tls_gather(d, T_CS_LEN, 2);
        } else {
            tls_gather(d, T_CS_SUITE, 2);
        }
        return;
    case T_CS_LEN:
        v = be16(h);
        if (v < 2u || (v & 1u) != 0) {
            wk_cls_fail(d);
            return;
        }
        tls_skip(d, T_CS_LIST, v);
        return;
    case T_CS_LIST:
        tls_gather(d, T_COMP_LEN, 1);
        return;
    case T_CS_SUITE:
        tls_gather(d, T_COMP_METHOD, 1);
        return;
    case T_COMP_LEN:
        if (h[0] == 0) {
            wk_cls_fail(d);
            return;
        }
        tls_skip(d, T_COMP_LIST, h[0]);
        return;
    case T_COMP_LIST:
    case T_COMP_METHOD:
        /* The fixed part parsed: a hello beyond doubt. Extensions are optional. */
        d->level = WK_CLS_LEVEL_COMMITTED;
        if (d->lim[L_MSG] == 0) {
            wk_cls_complete(d, WK_APP_PROTOCOL_TLS);
            return;
        }
        tls_gather(d, T_EXTS_LEN, 2);
        return;
    case T_EXTS_LEN:
        v = be16(h);
        if (v != d->lim[L_MSG]) {
            wk_cls_fail(d);
            return;
        }
        d->lim[L_EXTS] = v;
        tls_next_ext(d);
        return;
    case T_EXT_HDR:
        v = be16(h + 2);
        if (v > d->lim[L_EXTS]) {
            wk_cls_fail(d);
            return;
        }
        d->extType = be16(h);
        d->depth = L_EXT + 1u;
        d->lim[L_EXT] = v;
        if (d->hsType == TLS_HS_CLIENT_HELLO) {
            if (d->extType == TLS_EXT_SERVER_NAME && d->sniLength == 0) {
                tls_gather(d, T_SNI_LIST_LEN, 2);
                return;
            }
            if (d->extType == TLS_EXT_ALPN && d->alpnLength == 0) {
                tls_gather(d, T_ALPN_LEN, 2);
                return;
            }
            if (d->extType == TLS_EXT_SUPPORTED_VERSIONS) {
                tls_gather(d, T_SV_LEN, 1);
                return;
            }
        } else if (d->extType == TLS_EXT_SUPPORTED_VERSIONS) {
            tls_gather(d, T_SV_SELECTED, 2);
            return;
        }
        tls_ext_rest(d);
        return;
    case T_EXT_SKIP:
        tls_next_ext(d);
        return;
    case T_SNI_LIST_LEN:
        v = be16(h);
        if (v < 3u || v > d->lim[L_EXT]) {
            tls_ext_bad(d);
            return;
        }
        d->depth = L_LIST + 1u;
        d->lim[L_LIST] = v;
        tls_gather(d, T_SNI_ENTRY, 3);
        return;
    case T_SNI_ENTRY:
        v = be16(h + 1);
        if (h[0] != 0 || v == 0) { /* only host_name(0); an empty name is malformed */
            tls_ext_bad(d);
            return;
        }
        tls_copy(d, T_SNI_NAME, v);
        return;
    case T_SNI_NAME:
        d->sniLength = d->copyLen; /* cut to the field (and flagged) by wk_cls_append */
        tls_ext_rest(d);
        return;
    case T_ALPN_LEN:
        v = be16(h);
        if (v < 2u || v != d->lim[L_EXT]) {
            tls_ext_bad(d);
            return;
        }
        d->listLen = (uint16_t)v;
        tls_copy(d, T_ALPN_LIST, v);
        return;
    case T_ALPN_LIST:
        tls_alpn_finish(d, 1);
        tls_ext_rest(d);
        return;
    case T_SV_LEN:
        if (h[0] < 2u || (h[0] & 1u) != 0 || h[0] > d->lim[L_EXT]) {
            tls_ext_bad(d);
            return;
        }
        d->depth = L_LIST + 1u;
        d->lim[L_LIST] = h[0];
        tls_gather(d, T_SV_ITEM, 2);
        return;
    case T_SV_ITEM:
        v = be16(h);
        if (!is_grease((uint16_t)v) && (v >> 8) == 3u && v > d->svMax) {
            d->svMax = (uint16_t)v;
        }
        if (d->lim[L_LIST] != 0) {
            tls_gather(d, T_SV_ITEM, 2);
        } else {
            tls_ext_rest(d);
        }
        return;
    case T_SV_SELECTED:
        v = be16(h);
        if ((v >> 8) == 3u && d->lim[L_EXT] == 0) {
            d->tlsVersion = (uint16_t)v;
        }
        tls_ext_rest(d);
        return;
    default:
        wk_cls_fail(d);
        return;
    }
}

void wk_cls_tls_start(wk_cls_dir *d)
{
    d->phase = WK_CLS_PHASE_TLS;
    d->proto = WK_APP_PROTOCOL_TLS;
    d->level = WK_CLS_LEVEL_NONE; /* until a handshake header makes sense */
    d->recLeft = 0;
    d->rhave = 0;
    d->depth = 0;
    d->step = STEP_GATHER;
    d->stage = T_HS_HDR;
    d->need = 4;
    d->have = 0;
}

/* Runs handshake steps over n bytes of record bodies; returns the bytes used. */
static size_t tls_handshake(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    size_t used = 0;
    while (d->phase == WK_CLS_PHASE_TLS) {
        size_t k;
        if (d->step != STEP_GATHER && d->left == 0) {
            tls_next(d, d->hbuf); /* an empty SKIP/COPY completes without a byte */
            continue;
        }
        if (used == n) {
            break;
        }
        if (d->step == STEP_GATHER) {
            if (d->have == 0 && n - used >= d->need) {
                /* The whole field is here: read it in place. */
                used += d->need;
                tls_next(d, p + used - d->need);
                continue;
            }
            /* The field straddles calls: collect it in hbuf (need <= 8). */
            while (d->have < d->need && used < n) {
                d->hbuf[d->have++] = p[used++];
            }
            if (d->have == d->need) {
                tls_next(d, d->hbuf);
            }
            continue;
        }
        k = d->left < n - used ? d->left : n - used;
        if (d->step == STEP_COPY) {
            tls_copy_bytes(d, p + used, k);
        }
        d->left -= (uint32_t)k;
        used += k;
    }
    return used;
}

size_t wk_cls_tls_feed(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    size_t used = 0;
    while (used < n && d->phase == WK_CLS_PHASE_TLS) {
        size_t k;
        if (d->recLeft == 0) {
            const uint8_t *h;
            uint32_t len;
            if (d->rhave == 0 && n - used >= 5) {
                h = p + used; /* the whole record header is here */
                used += 5;
            } else {
                d->rhdr[d->rhave++] = p[used++];
                if (d->rhave < 5) {
                    continue;
                }
                d->rhave = 0;
                h = d->rhdr;
            }
            len = ((uint32_t)h[3] << 8) | h[4];
            if (h[0] != TLS_CONTENT_HANDSHAKE || h[1] != 3u || h[2] > 4u || len == 0 ||
                len > TLS_MAX_RECORD) {
                wk_cls_fail(d);
                break;
            }
            d->recLeft = (uint16_t)len;
            continue;
        }
        k = n - used < d->recLeft ? n - used : d->recLeft;
        k = tls_handshake(d, p + used, k);
        d->recLeft = (uint16_t)(d->recLeft - k);
        used += k;
    }
    return used;
}

void wk_cls_tls_settle(wk_cls_dir *d)
{
    if (d->step != STEP_COPY) {
        return;
    }
    if (d->stage == T_SNI_NAME) {
        d->sniLength = d->copyLen;
        d->truncated = 1;
    } else if (d->stage == T_ALPN_LIST) {
        tls_alpn_finish(d, 0);
    }
}
