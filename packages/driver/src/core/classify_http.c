/*
 * classify_http.c - HTTP/1.x request and response parsers (RFC 9112), resumable at any
 * byte. The method (or "HTTP/1.") was matched by the opening matcher in classify.c.
 *
 * Request: request-target up to SP (visible ASCII, copied up to PATH_MAX), then
 * "HTTP/1.<digit>" and CR LF (a bare LF is accepted): the request line makes it
 * COMMITTED. Then header lines: a line starting with "Host:" (name case-insensitive)
 * gives the Host value (leading and trailing SP/HTAB removed) and ends the parse; other
 * lines are skipped with memchr; the empty line ends the headers without a Host.
 * Response: "HTTP/1.<digit> <3 digits>" then SP, CR or LF: the status ends the parse.
 */
#include "classify_int.h"

#include <string.h>

enum {
    H_TARGET = 1, /* request-target bytes, until SP */
    H_VERSION,    /* "HTTP/1." then a digit; pos counts */
    H_VER_END,    /* CR or LF after the version */
    H_VER_LF,     /* LF after CR */
    H_LINE,       /* start of a header line */
    H_NAME,       /* matching "host:" */
    H_SKIP_LINE,  /* rest of an uninteresting line */
    H_END_LF,     /* LF of the empty line that ends the headers */
    H_HOST_OWS,   /* spaces before the Host value */
    H_HOST_VALUE, /* the Host value, until CR or LF */
    R_MINOR,      /* response: the minor version digit */
    R_SP,         /* SP before the status */
    R_CODE,       /* three digits; pos counts, left accumulates */
    R_AFTER       /* SP, CR or LF after the status */
};

static const char wk_http_version[] = "HTTP/1.";
static const char wk_http_host[] = "host:";

static int is_digit(uint8_t b)
{
    return b >= '0' && b <= '9';
}

/* A request-target byte: visible US-ASCII (RFC 9112 section 3.2: no SP, no CTL). */
static int is_target(uint8_t b)
{
    return b > 0x20u && b < 0x7Fu;
}

void wk_cls_http_req_start(wk_cls_dir *d, uint8_t method)
{
    d->phase = WK_CLS_PHASE_HTTP_REQ;
    d->proto = WK_APP_PROTOCOL_HTTP1;
    d->level = WK_CLS_LEVEL_TENTATIVE;
    d->method = method;
    d->stage = H_TARGET;
    d->pathLength = 0;
    d->hostLength = 0;
}

/* The Host value is complete: drop trailing whitespace and finish. */
static void http_host_done(wk_cls_dir *d)
{
    while (d->hostLength != 0) {
        uint8_t c = d->meta.http.host[d->hostLength - 1u];
        if (c != ' ' && c != '\t') {
            break;
        }
        d->hostLength--;
    }
    wk_cls_complete(d, WK_APP_PROTOCOL_HTTP1);
}

size_t wk_cls_http_req_feed(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && d->phase == WK_CLS_PHASE_HTTP_REQ) {
        uint8_t b = p[i];
        switch (d->stage) {
        case H_TARGET: {
            size_t j = i;
            while (j < n && is_target(p[j])) {
                j++;
            }
            wk_cls_append(d, d->meta.http.path, WK_FLOW_CLASSIFIED_PATH_MAX, &d->pathLength,
                          p + i, j - i);
            i = j;
            if (i == n) {
                break;
            }
            if (p[i] != ' ' || d->pathLength == 0) {
                wk_cls_fail(d);
                break;
            }
            i++;
            d->stage = H_VERSION;
            d->pos = 0;
            break;
        }
        case H_VERSION:
            i++;
            if (d->pos < sizeof wk_http_version - 1u) {
                if (b != (uint8_t)wk_http_version[d->pos]) {
                    wk_cls_fail(d);
                    break;
                }
                d->pos++;
            } else if (is_digit(b)) {
                d->stage = H_VER_END;
            } else {
                wk_cls_fail(d);
            }
            break;
        case H_VER_END:
        case H_VER_LF:
            i++;
            if (b == '\r' && d->stage == H_VER_END) {
                d->stage = H_VER_LF;
            } else if (b == '\n') {
                d->level = WK_CLS_LEVEL_COMMITTED;
                d->stage = H_LINE;
            } else {
                wk_cls_fail(d);
            }
            break;
        case H_LINE:
            if (n - i >= sizeof wk_http_host - 1u && b != '\r' && b != '\n') {
                /* Fast path: the name is here; the same decision as H_NAME byte by byte. */
                if ((b | 0x20u) == 'h' && (p[i + 1] | 0x20u) == 'o' && (p[i + 2] | 0x20u) == 's' &&
                    (p[i + 3] | 0x20u) == 't' && p[i + 4] == ':') {
                    i += sizeof wk_http_host - 1u;
                    d->stage = H_HOST_OWS;
                } else {
                    d->stage = H_SKIP_LINE; /* finds the same LF H_NAME would stop at */
                }
                break;
            }
            if (b == '\r') {
                i++;
                d->stage = H_END_LF;
            } else if (b == '\n') {
                i++;
                wk_cls_complete(d, WK_APP_PROTOCOL_HTTP1);
            } else {
                d->stage = H_NAME;
                d->pos = 0;
            }
            break;
        case H_NAME:
            i++;
            /* b | 0x20 folds only letters here: the pattern is lower-case letters and ':' */
            if ((d->pos < 4u ? (uint8_t)(b | 0x20u) : b) == (uint8_t)wk_http_host[d->pos]) {
                d->pos++;
                if (d->pos == sizeof wk_http_host - 1u) {
                    d->stage = H_HOST_OWS;
                }
            } else {
                d->stage = b == '\n' ? H_LINE : H_SKIP_LINE;
            }
            break;
        case H_SKIP_LINE: {
            const uint8_t *lf = (const uint8_t *)memchr(p + i, '\n', n - i);
            if (lf == NULL) {
                i = n;
            } else {
                i = (size_t)(lf - p) + 1u;
                d->stage = H_LINE;
            }
            break;
        }
        case H_END_LF:
            i++;
            if (b == '\n') {
                wk_cls_complete(d, WK_APP_PROTOCOL_HTTP1);
            } else {
                wk_cls_fail(d);
            }
            break;
        case H_HOST_OWS:
            if (b == ' ' || b == '\t') {
                i++;
            } else {
                d->stage = H_HOST_VALUE;
            }
            break;
        case H_HOST_VALUE: {
            size_t j = i;
            while (j < n && p[j] != '\r' && p[j] != '\n') {
                j++;
            }
            wk_cls_append(d, d->meta.http.host, WK_FLOW_CLASSIFIED_HOST_MAX, &d->hostLength,
                          p + i, j - i);
            i = j;
            if (i < n) {
                i++;
                http_host_done(d);
            }
            break;
        }
        default:
            wk_cls_fail(d);
            break;
        }
    }
    return i;
}

void wk_cls_http_resp_start(wk_cls_dir *d)
{
    d->phase = WK_CLS_PHASE_HTTP_RESP;
    d->proto = WK_APP_PROTOCOL_HTTP1;
    d->level = WK_CLS_LEVEL_TENTATIVE;
    d->stage = R_MINOR;
    d->httpStatus = 0;
}

size_t wk_cls_http_resp_feed(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && d->phase == WK_CLS_PHASE_HTTP_RESP) {
        uint8_t b = p[i++];
        switch (d->stage) {
        case R_MINOR:
            if (!is_digit(b)) {
                wk_cls_fail(d);
                break;
            }
            d->stage = R_SP;
            break;
        case R_SP:
            if (b != ' ') {
                wk_cls_fail(d);
                break;
            }
            d->stage = R_CODE;
            d->pos = 0;
            d->left = 0;
            break;
        case R_CODE:
            if (!is_digit(b)) {
                wk_cls_fail(d);
                break;
            }
            d->left = d->left * 10u + (uint32_t)(b - '0');
            if (++d->pos == 3u) {
                if (d->left < 100u || d->left > 599u) {
                    wk_cls_fail(d);
                    break;
                }
                d->stage = R_AFTER;
            }
            break;
        case R_AFTER:
            if (b != ' ' && b != '\r' && b != '\n') {
                wk_cls_fail(d);
                break;
            }
            d->httpStatus = (uint16_t)d->left;
            wk_cls_complete(d, WK_APP_PROTOCOL_HTTP1);
            break;
        default:
            wk_cls_fail(d);
            break;
        }
    }
    return i;
}

void wk_cls_http_settle(wk_cls_dir *d)
{
    if (d->phase == WK_CLS_PHASE_HTTP_REQ) {
        if (d->stage == H_TARGET && d->pathLength != 0) {
            d->truncated = 1; /* the request-target did not end within the budget */
        } else if (d->stage == H_HOST_VALUE) {
            d->truncated = 1;
            while (d->hostLength != 0 && (d->meta.http.host[d->hostLength - 1u] == ' ' ||
                                          d->meta.http.host[d->hostLength - 1u] == '\t')) {
                d->hostLength--;
            }
        }
    }
    /* A response without its complete status reports status 0 (httpStatus is set only
     * when the status ended). */
}
