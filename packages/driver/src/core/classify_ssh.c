/*
 * classify_ssh.c - SSH identification string (RFC 4253 section 4.2):
 * "SSH-protoversion-softwareversion SP comments" CR LF. The opening matcher already saw
 * "SSH-2.0-" or "SSH-1.99-", so the parse is COMMITTED from the start. The banner is the
 * line without CR LF: printable US-ASCII and SP, at most BANNER_MAX bytes (the RFC caps
 * the line at 255 with CR LF, so a longer one is cut, flagged and ends the parse). A bare
 * LF is accepted as the end, as OpenSSH does.
 */
#include "classify_int.h"

enum { S_BANNER = 1, S_LF };

void wk_cls_ssh_start(wk_cls_dir *d, const uint8_t *opening, size_t length)
{
    d->phase = WK_CLS_PHASE_SSH;
    d->proto = WK_APP_PROTOCOL_SSH;
    d->level = WK_CLS_LEVEL_COMMITTED;
    d->stage = S_BANNER;
    d->bannerLength = 0;
    wk_cls_append(d, d->meta.ssh.banner, WK_FLOW_CLASSIFIED_BANNER_MAX, &d->bannerLength,
                  opening, length);
}

size_t wk_cls_ssh_feed(wk_cls_dir *d, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && d->phase == WK_CLS_PHASE_SSH) {
        if (d->stage == S_BANNER) {
            size_t j = i;
            size_t room = (size_t)(WK_FLOW_CLASSIFIED_BANNER_MAX - d->bannerLength);
            while (j < n && j - i < room && p[j] >= 0x20u && p[j] < 0x7Fu) {
                j++;
            }
            wk_cls_append(d, d->meta.ssh.banner, WK_FLOW_CLASSIFIED_BANNER_MAX,
                          &d->bannerLength, p + i, j - i);
            i = j;
            if (i == n) {
                break;
            }
            if (d->bannerLength == WK_FLOW_CLASSIFIED_BANNER_MAX && p[i] != '\r' &&
                p[i] != '\n') {
                /* One more banner byte than the field holds: cut, flagged, done. */
                d->truncated = 1;
                i++;
                wk_cls_complete(d, WK_APP_PROTOCOL_SSH);
                break;
            }
            if (p[i] == '\r') {
                d->stage = S_LF;
            } else if (p[i] == '\n') {
                wk_cls_complete(d, WK_APP_PROTOCOL_SSH);
            } else {
                wk_cls_fail(d); /* a control or non-ASCII byte: keep what came before */
            }
            i++;
        } else {
            if (p[i++] == '\n') {
                wk_cls_complete(d, WK_APP_PROTOCOL_SSH);
            } else {
                wk_cls_fail(d);
            }
        }
    }
    return i;
}

void wk_cls_ssh_settle(wk_cls_dir *d)
{
    if (d->stage == S_BANNER) {
        d->truncated = 1; /* the line did not end within the budget */
    }
}
