/*
 * classify_fuzz.c - libFuzzer target for the stream classifiers.
 *
 * Input: byte 0 picks the budget (0: default, else n * 64 + n, so odd budgets occur);
 * then segments, each a length byte followed by that many stream bytes (the last one
 * takes what is left). The segments are fed to one classifier, each from a heap block
 * of exactly its size (so AddressSanitizer sees any read past it); their concatenation
 * is fed at once to a second one. The two verdicts and metadata must be identical, every
 * length within its maximum, and the record must be written exactly within its size.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -I../include -I../src/core \
 *        classify_fuzz.c ../src/core/classify*.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static int same(const uint8_t *a, uint16_t la, const uint8_t *b, uint16_t lb)
{
    return la == lb && (la == 0 || memcmp(a, b, la) == 0);
}

static void check_result(const wk_cls_result *r)
{
    uint32_t size = wk_cls_record_size(r);
    uint8_t *rec;
    if (r->sniLength > WK_FLOW_CLASSIFIED_SNI_MAX || r->alpnLength > WK_FLOW_CLASSIFIED_ALPN_MAX ||
        r->hostLength > WK_FLOW_CLASSIFIED_HOST_MAX ||
        r->methodLength > WK_FLOW_CLASSIFIED_METHOD_MAX ||
        r->pathLength > WK_FLOW_CLASSIFIED_PATH_MAX ||
        r->bannerLength > WK_FLOW_CLASSIFIED_BANNER_MAX || r->appProtocol > WK_APP_PROTOCOL_SSH ||
        size > WK_FLOW_CLASSIFIED_RECORD_MAX_SIZE || (size & 7u) != 0) {
        abort();
    }
    rec = (uint8_t *)malloc(size);
    if (rec == NULL || wk_cls_write_record(r, 0, 1, 2, 0, rec, size) != size) {
        abort();
    }
    free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static wk_cls_dir split, whole;
    wk_cls_result a, b;
    uint8_t *all;
    size_t off = 1, total = 0;
    uint32_t budget;

    if (size == 0) {
        return 0;
    }
    budget = data[0] == 0 ? 0u : (uint32_t)data[0] * 64u + data[0];
    all = (uint8_t *)malloc(size);
    if (all == NULL) {
        abort();
    }
    wk_cls_init(&split, budget);
    while (off < size) {
        size_t n = data[off++];
        uint8_t *seg;
        if (n > size - off) {
            n = size - off;
        }
        seg = (uint8_t *)malloc(n != 0 ? n : 1u);
        if (seg == NULL) {
            abort();
        }
        memcpy(seg, data + off, n);
        memcpy(all + total, data + off, n);
        total += n;
        off += n;
        if (wk_cls_feed(&split, n != 0 ? seg : NULL, n) != WK_CLS_NEED_MORE &&
            !wk_cls_is_done(&split)) {
            abort();
        }
        free(seg);
    }
    wk_cls_finish(&split);
    wk_cls_init(&whole, budget);
    wk_cls_feed(&whole, total != 0 ? all : NULL, total);
    wk_cls_finish(&whole);
    wk_cls_get_result(&split, &a);
    wk_cls_get_result(&whole, &b);
    if (a.appProtocol != b.appProtocol || a.truncated != b.truncated ||
        a.tlsVersion != b.tlsVersion || a.httpStatus != b.httpStatus ||
        !same(a.sni, a.sniLength, b.sni, b.sniLength) ||
        !same(a.alpn, a.alpnLength, b.alpn, b.alpnLength) ||
        !same(a.host, a.hostLength, b.host, b.hostLength) ||
        !same(a.method, a.methodLength, b.method, b.methodLength) ||
        !same(a.path, a.pathLength, b.path, b.pathLength) ||
        !same(a.banner, a.bannerLength, b.banner, b.bannerLength)) {
        abort(); /* the answer depends on segmentation */
    }
    if (split.seen > split.budget || whole.seen != split.seen) {
        abort();
    }
    check_result(&a);
    free(all);
    return 0;
}
