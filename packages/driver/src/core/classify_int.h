/*
 * classify_int.h - what the classifier's files share. Not for the glue.
 *
 * A direction goes through phases: PREFIX (the first bytes are matched against every
 * protocol's fixed opening at once), then one protocol parser, then DONE. The parsers
 * are resumable: all they remember between calls is in wk_cls_dir, so a call may end at
 * any byte.
 *
 * How sure a parser is (d->level) decides what an error or the end of the budget gives:
 *   NONE       nothing identified yet: the verdict is UNKNOWN;
 *   TENTATIVE  the opening matched (a TLS record and handshake header, an HTTP method
 *              and space, "HTTP/1."): if the budget runs out or the stream ends the
 *              verdict is that protocol with what was gathered, but a syntax error still
 *              gives UNKNOWN;
 *   COMMITTED  the bytes are that protocol beyond doubt (a ClientHello/ServerHello up to
 *              its extensions, a complete request line, an SSH version): a later error
 *              gives that protocol with the metadata gathered before it.
 */
#ifndef WK_CORE_CLASSIFY_INT_H
#define WK_CORE_CLASSIFY_INT_H

#include "classify.h"

enum {
    WK_CLS_PHASE_PREFIX = 0,
    WK_CLS_PHASE_TLS = 1,
    WK_CLS_PHASE_HTTP_REQ = 2,
    WK_CLS_PHASE_HTTP_RESP = 3,
    WK_CLS_PHASE_SSH = 4,
    WK_CLS_PHASE_DONE = 5
};

enum { WK_CLS_LEVEL_NONE = 0, WK_CLS_LEVEL_TENTATIVE = 1, WK_CLS_LEVEL_COMMITTED = 2 };

#define WK_CLS_NO_METHOD 0xFFu

/* The verdict is `proto`: the direction is done. */
void wk_cls_complete(wk_cls_dir *d, uint8_t proto);
/* A syntax error: COMMITTED keeps the protocol and the metadata so far, else UNKNOWN. */
void wk_cls_fail(wk_cls_dir *d);
/* The method string of an HTTP method index, and its length. */
const uint8_t *wk_cls_method_name(uint8_t method, uint16_t *length);

/* Protocol parsers. *_start sets the phase up; *_feed consumes bytes and returns how many
 * it used: all of them unless the direction reached its verdict. *_settle records the
 * metadata a step in progress has gathered, when the budget or the stream ends or an
 * error stops a committed parse. */
void wk_cls_tls_start(wk_cls_dir *d);
size_t wk_cls_tls_feed(wk_cls_dir *d, const uint8_t *p, size_t n);
void wk_cls_tls_settle(wk_cls_dir *d);

void wk_cls_http_req_start(wk_cls_dir *d, uint8_t method);
size_t wk_cls_http_req_feed(wk_cls_dir *d, const uint8_t *p, size_t n);
void wk_cls_http_resp_start(wk_cls_dir *d);
size_t wk_cls_http_resp_feed(wk_cls_dir *d, const uint8_t *p, size_t n);
void wk_cls_http_settle(wk_cls_dir *d);

void wk_cls_ssh_start(wk_cls_dir *d, const uint8_t *opening, size_t length);
size_t wk_cls_ssh_feed(wk_cls_dir *d, const uint8_t *p, size_t n);
void wk_cls_ssh_settle(wk_cls_dir *d);

/* Appends up to `count` bytes to a metadata field of `cap` bytes holding *length;
 * bytes that do not fit set d->truncated. */
void wk_cls_append(wk_cls_dir *d, uint8_t *field, uint16_t cap, uint16_t *length,
                   const uint8_t *p, size_t count);

#endif /* WK_CORE_CLASSIFY_INT_H */
