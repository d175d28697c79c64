/*
 * ws_flat.c - deep copies into single-allocation ("flat") blocks.
 *
 * Every copy runs twice with the same code: once measuring (buf == NULL) and
 * once writing. Source pointers go through src_ptr(), which adds src_bias and,
 * for data read back from a state file, checks that the pointee lies inside the
 * record and is aligned; any violation clears f->ok. Destination pointers are
 * written as virt + offset: virt = the block's address for live blocks, 0 for
 * state-file records (pointers become offsets).
 */
#include <stdlib.h>
#include <string.h>

#include "ws_internal.h"

size_t ws_flat_reserve(ws_flat *f, size_t n, size_t align)
{
    size_t off = (f->off + (align - 1)) & ~(align - 1);
    if (off < f->off || off + n < off) {
        f->ok = 0;
        return 0;
    }
    f->off = off + n;
    return off;
}

void *ws_flat_at(ws_flat *f, size_t off)
{
    return f->buf ? f->buf + off : NULL;
}

void *ws_flat_vptr(ws_flat *f, size_t off)
{
    return (void *)(f->virt + off);
}

static const void *src_ptr(ws_flat *f, const void *p, size_t n, size_t align)
{
    if (!p || !f->ok)
        return NULL;
    uintptr_t a = (uintptr_t)p + f->src_bias;
    if (f->src_checked) {
        if (a < f->src_lo || a > f->src_hi || n > f->src_hi - a || (a % align) != 0) {
            f->ok = 0;
            return NULL;
        }
    }
    return (const void *)a;
}

size_t ws_wstr_len(const WS_WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static WS_WCHAR *flat_wstr(ws_flat *f, const WS_WCHAR *s)
{
    const uint8_t *r = src_ptr(f, s, 2, 2);
    if (!r)
        return NULL;
    size_t len = 0;
    for (;;) {
        if (f->src_checked && (uintptr_t)(r + 2 * len) + 2 > f->src_hi) {
            f->ok = 0;
            return NULL;
        }
        uint16_t c;
        memcpy(&c, r + 2 * len, 2);
        if (!c)
            break;
        len++;
    }
    size_t off = ws_flat_reserve(f, (len + 1) * 2, 2);
    void *d = ws_flat_at(f, off);
    if (d && f->ok)
        memcpy(d, r, (len + 1) * 2);
    return ws_flat_vptr(f, off);
}

static void *flat_bytes(ws_flat *f, const void *p, size_t n, size_t align)
{
    if (!p || n == 0)
        return NULL;
    const void *r = src_ptr(f, p, n, align);
    if (!r)
        return NULL;
    size_t off = ws_flat_reserve(f, n, align);
    void *d = ws_flat_at(f, off);
    if (d && f->ok)
        memcpy(d, r, n);
    return ws_flat_vptr(f, off);
}

/* An inline FWP_BYTE_BLOB (src is a real address): copies the data. */
static void flat_blob_inline(ws_flat *f, const WS_FWP_BYTE_BLOB *src, WS_FWP_BYTE_BLOB *out)
{
    out->size = src->size;
    out->data = flat_bytes(f, src->data, src->size, 1);
    if (!out->data)
        out->size = 0;
}

static WS_FWP_BYTE_BLOB *flat_blob_ptr(ws_flat *f, const WS_FWP_BYTE_BLOB *p)
{
    const WS_FWP_BYTE_BLOB *r = src_ptr(f, p, sizeof *p, 8);
    if (!r)
        return NULL;
    size_t off = ws_flat_reserve(f, sizeof(WS_FWP_BYTE_BLOB), 8);
    WS_FWP_BYTE_BLOB b;
    flat_blob_inline(f, r, &b);
    void *d = ws_flat_at(f, off);
    if (d && f->ok)
        memcpy(d, &b, sizeof b);
    return ws_flat_vptr(f, off);
}

static WS_GUID *flat_guid_ptr(ws_flat *f, const WS_GUID *g)
{
    return flat_bytes(f, g, sizeof(WS_GUID), 4);
}

/* SID: revision byte, sub-authority count byte, 6-byte authority, 4 bytes per sub-authority. */
static void *flat_sid(ws_flat *f, const void *sid)
{
    const uint8_t *h = src_ptr(f, sid, 8, 1);
    if (!h)
        return NULL;
    size_t count = h[1];
    if (count > 15) {
        f->ok = 0;
        return NULL;
    }
    return flat_bytes(f, sid, 8 + 4 * count, 1);
}

/* FWP_VALUE0 and FWP_CONDITION_VALUE0 share one layout (type + one pointer-wide
 * union); src and dst are real addresses, dst NULL while measuring. */
static void flat_value(ws_flat *f, const void *src, void *dst, int depth)
{
    WS_FWP_CONDITION_VALUE0 v, o;
    memcpy(&v, src, sizeof v);
    memset(&o, 0, sizeof o);
    o.type = v.type;
    switch (v.type) {
    case WS_FWP_UINT8: case WS_FWP_UINT16: case WS_FWP_UINT32:
    case WS_FWP_INT8: case WS_FWP_INT16: case WS_FWP_INT32: case WS_FWP_FLOAT:
        memcpy(&o, &v, sizeof v);
        break;
    case WS_FWP_UINT64: case WS_FWP_INT64: case WS_FWP_DOUBLE:
        o.uint64 = flat_bytes(f, v.uint64, 8, 8);
        break;
    case WS_FWP_BYTE_ARRAY16_TYPE:
        o.byteArray16 = flat_bytes(f, v.byteArray16, 16, 1);
        break;
    case WS_FWP_BYTE_ARRAY6_TYPE:
        o.byteArray6 = flat_bytes(f, v.byteArray6, 6, 1);
        break;
    case WS_FWP_BYTE_BLOB_TYPE: case WS_FWP_SECURITY_DESCRIPTOR_TYPE:
    case WS_FWP_TOKEN_ACCESS_INFORMATION_TYPE:
        o.byteBlob = flat_blob_ptr(f, v.byteBlob);
        break;
    case WS_FWP_SID:
        o.sid = flat_sid(f, v.sid);
        break;
    case WS_FWP_UNICODE_STRING_TYPE:
        o.unicodeString = flat_wstr(f, v.unicodeString);
        break;
    case WS_FWP_V4_ADDR_MASK:
        o.v4AddrMask = flat_bytes(f, v.v4AddrMask, sizeof(WS_FWP_V4_ADDR_AND_MASK), 4);
        break;
    case WS_FWP_V6_ADDR_MASK:
        o.v6AddrMask = flat_bytes(f, v.v6AddrMask, sizeof(WS_FWP_V6_ADDR_AND_MASK), 1);
        break;
    case WS_FWP_RANGE_TYPE: {
        if (depth > 0) { /* a range inside a range: only reachable from a corrupt record */
            f->ok = 0;
            break;
        }
        const WS_FWP_RANGE0 *r = src_ptr(f, v.rangeValue, sizeof(WS_FWP_RANGE0), 8);
        if (!r)
            break;
        size_t off = ws_flat_reserve(f, sizeof(WS_FWP_RANGE0), 8);
        WS_FWP_RANGE0 *d = ws_flat_at(f, off);
        flat_value(f, &r->valueLow, d ? &d->valueLow : NULL, depth + 1);
        flat_value(f, &r->valueHigh, d ? &d->valueHigh : NULL, depth + 1);
        o.rangeValue = ws_flat_vptr(f, off);
        break;
    }
    default: /* FWP_EMPTY; token information is refused before any copy */
        break;
    }
    if (dst && f->ok)
        memcpy(dst, &o, sizeof o);
}

static void flat_display(ws_flat *f, const WS_FWPM_DISPLAY_DATA0 *src, WS_FWPM_DISPLAY_DATA0 *out)
{
    out->name = flat_wstr(f, src->name);
    out->description = flat_wstr(f, src->description);
}

size_t ws_struct_size(int kind)
{
    switch (kind) {
    case WS_KIND_PROVIDER: return sizeof(WS_FWPM_PROVIDER0);
    case WS_KIND_SUBLAYER: return sizeof(WS_FWPM_SUBLAYER0);
    case WS_KIND_CALLOUT: return sizeof(WS_FWPM_CALLOUT0);
    case WS_KIND_FILTER: return sizeof(WS_FWPM_FILTER0);
    default: return 0;
    }
}

size_t ws_flat_object(ws_flat *f, int kind, const void *src)
{
    size_t sz = ws_struct_size(kind);
    size_t off = ws_flat_reserve(f, sz, 8);
    void *d = ws_flat_at(f, off);
    switch (kind) {
    case WS_KIND_PROVIDER: {
        WS_FWPM_PROVIDER0 t;
        memcpy(&t, src, sizeof t);
        const WS_FWPM_PROVIDER0 *s = src;
        flat_display(f, &s->displayData, &t.displayData);
        flat_blob_inline(f, &s->providerData, &t.providerData);
        t.serviceName = flat_wstr(f, s->serviceName);
        if (d && f->ok)
            memcpy(d, &t, sizeof t);
        break;
    }
    case WS_KIND_SUBLAYER: {
        WS_FWPM_SUBLAYER0 t;
        memcpy(&t, src, sizeof t);
        const WS_FWPM_SUBLAYER0 *s = src;
        flat_display(f, &s->displayData, &t.displayData);
        t.providerKey = flat_guid_ptr(f, s->providerKey);
        flat_blob_inline(f, &s->providerData, &t.providerData);
        if (d && f->ok)
            memcpy(d, &t, sizeof t);
        break;
    }
    case WS_KIND_CALLOUT: {
        WS_FWPM_CALLOUT0 t;
        memcpy(&t, src, sizeof t);
        const WS_FWPM_CALLOUT0 *s = src;
        flat_display(f, &s->displayData, &t.displayData);
        t.providerKey = flat_guid_ptr(f, s->providerKey);
        flat_blob_inline(f, &s->providerData, &t.providerData);
        if (d && f->ok)
            memcpy(d, &t, sizeof t);
        break;
    }
    case WS_KIND_FILTER: {
        WS_FWPM_FILTER0 t;
        memcpy(&t, src, sizeof t);
        const WS_FWPM_FILTER0 *s = src;
        flat_display(f, &s->displayData, &t.displayData);
        t.providerKey = flat_guid_ptr(f, s->providerKey);
        flat_blob_inline(f, &s->providerData, &t.providerData);
        flat_value(f, &s->weight, &t.weight, 0);
        t.filterCondition = NULL;
        if (s->numFilterConditions) {
            size_t csz = sizeof(WS_FWPM_FILTER_CONDITION0);
            size_t n = s->numFilterConditions;
            if (n > SIZE_MAX / csz) {
                f->ok = 0;
                break;
            }
            const WS_FWPM_FILTER_CONDITION0 *sc = src_ptr(f, s->filterCondition, n * csz, 8);
            if (!sc)
                break;
            size_t aoff = ws_flat_reserve(f, n * csz, 8);
            WS_FWPM_FILTER_CONDITION0 *dc = ws_flat_at(f, aoff);
            for (size_t i = 0; i < n && f->ok; i++) {
                if (dc) {
                    dc[i].fieldKey = sc[i].fieldKey;
                    dc[i].matchType = sc[i].matchType;
                }
                flat_value(f, &sc[i].conditionValue, dc ? &dc[i].conditionValue : NULL, 0);
            }
            t.filterCondition = ws_flat_vptr(f, aoff);
        }
        t.reserved = NULL;
        flat_value(f, &s->effectiveWeight, &t.effectiveWeight, 0);
        if (d && f->ok)
            memcpy(d, &t, sizeof t);
        break;
    }
    default:
        f->ok = 0;
    }
    return off;
}

void *ws_flat_clone(int kind, const void *src, size_t *size_out)
{
    ws_flat m = { .ok = 1 };
    ws_flat_object(&m, kind, src);
    if (!m.ok)
        return NULL;
    uint8_t *buf = calloc(1, m.off ? m.off : 1);
    if (!buf)
        return NULL;
    ws_flat w = { .buf = buf, .virt = (uintptr_t)buf, .ok = 1 };
    ws_flat_object(&w, kind, src);
    if (!w.ok || w.off != m.off) {
        free(buf);
        return NULL;
    }
    if (size_out)
        *size_out = m.off;
    return buf;
}

void *ws_flat_from_saved(int kind, const uint8_t *saved, size_t size, size_t *size_out)
{
    if (size < ws_struct_size(kind) || ((uintptr_t)saved % 8) != 0)
        return NULL;
    uintptr_t base = (uintptr_t)saved;
    ws_flat m = { .ok = 1, .src_bias = base, .src_checked = 1, .src_lo = base, .src_hi = base + size };
    ws_flat_object(&m, kind, saved);
    if (!m.ok)
        return NULL;
    uint8_t *buf = calloc(1, m.off);
    if (!buf)
        return NULL;
    ws_flat w = { .buf = buf, .virt = (uintptr_t)buf, .ok = 1, .src_bias = base, .src_checked = 1,
                  .src_lo = base, .src_hi = base + size };
    ws_flat_object(&w, kind, saved);
    if (!w.ok || w.off != m.off) {
        free(buf);
        return NULL;
    }
    *size_out = m.off;
    return buf;
}

int ws_flat_to_saved(int kind, const void *block, uint8_t *out, size_t size)
{
    ws_flat w = { .buf = out, .virt = 0, .ok = 1 };
    ws_flat_object(&w, kind, block);
    return w.ok && w.off == size;
}
