/*
 * ws_state_file.c - persistent objects across processes ("reboots").
 *
 * Path: WfpsimSetStateFile(path) if it was called, else env WFPSIM_STATE_FILE,
 * else none (nothing is persisted). The file is read when the engine is first
 * opened (and again after WfpsimReset) and rewritten after every committed
 * change that touches a persistent object: written to "<path>.tmp.<pid>",
 * fsync'ed, then renamed over the old file, so a reader sees the old or the
 * new state, never half of one.
 *
 * Format (little-endian, version 1):
 *   header  "WFPSIMST" | u32 version | u32 records | u64 next filter id |
 *           u32 next callout id | u32 0 | u64 payload bytes | u64 FNV-1a(payload)
 *   record  u32 kind | u32 0 | u64 size | size bytes, padded to 8
 * A record is the object's flat block with every pointer stored as an offset
 * from the block start. Records come providers, sublayers, callouts, filters,
 * so each object's references are loaded before it; every record is checked
 * (bounds, types, references) exactly like a new object on FwpmXxxAdd0.
 *
 * A missing file is an empty store. A file that fails any check makes
 * FwpmEngineOpen0 fail with ERROR_INVALID_DATA and is left untouched (no
 * engine is open, so nothing can overwrite it); nothing is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_internal.h"

#define WS_STATE_MAGIC "WFPSIMST"
#define WS_STATE_VERSION 1u
#define WS_HDR_SIZE 48u
#define WS_REC_HDR 16u
#define WS_STATE_MAX (256u * 1024u * 1024u)

const char *ws_state_path(void)
{
    if (g_ws.state_path_set)
        return g_ws.state_path;
    const char *env = getenv("WFPSIM_STATE_FILE");
    return (env && env[0]) ? env : NULL;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

static uint32_t errno_code(int e)
{
    switch (e) {
    case ENOENT: case ENOTDIR: return WS_ERROR_PATH_NOT_FOUND;
    case EACCES: case EPERM: case EROFS: return WS_ERROR_ACCESS_DENIED;
    case ENOMEM: return WS_ERROR_NOT_ENOUGH_MEMORY;
    default: return WS_ERROR_WRITE_FAULT;
    }
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

uint32_t ws_state_save(void)
{
    const char *path = ws_state_path();
    if (!path)
        return 0;
    static const int order[] = { WS_KIND_PROVIDER, WS_KIND_SUBLAYER, WS_KIND_CALLOUT, WS_KIND_FILTER };
    size_t payload = 0;
    uint32_t count = 0;
    for (int k = 0; k < 4; k++) {
        ws_order *v = &g_ws.objs[order[k]];
        for (size_t i = 0; i < v->len; i++) {
            ws_obj *o = v->items[i];
            if (o && o->persistent && !o->builtin) {
                payload += WS_REC_HDR + pad8(o->block_size);
                count++;
            }
        }
    }
    uint8_t *buf = calloc(1, WS_HDR_SIZE + payload);
    if (!buf)
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    uint8_t *p = buf + WS_HDR_SIZE;
    for (int k = 0; k < 4; k++) {
        ws_order *v = &g_ws.objs[order[k]];
        for (size_t i = 0; i < v->len; i++) {
            ws_obj *o = v->items[i];
            if (!o || !o->persistent || o->builtin)
                continue;
            put32(p, (uint32_t)o->kind);
            put64(p + 8, o->block_size);
            if (!ws_flat_to_saved(o->kind, o->block, p + WS_REC_HDR, o->block_size)) {
                free(buf);
                return WS_ERROR_INVALID_DATA;
            }
            p += WS_REC_HDR + pad8(o->block_size);
        }
    }
    memcpy(buf, WS_STATE_MAGIC, 8);
    put32(buf + 8, WS_STATE_VERSION);
    put32(buf + 12, count);
    put64(buf + 16, g_ws.next_filter_id);
    put32(buf + 24, g_ws.next_callout_id);
    put64(buf + 32, payload);
    put64(buf + 40, fnv1a(buf + WS_HDR_SIZE, payload));

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) {
        free(buf);
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    uint32_t rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = errno_code(errno);
    } else {
        if (write_all(fd, buf, WS_HDR_SIZE + payload) != 0 || fsync(fd) != 0)
            rc = errno_code(errno);
        if (close(fd) != 0 && !rc)
            rc = errno_code(errno);
        if (!rc && rename(tmp, path) != 0)
            rc = errno_code(errno);
        if (rc)
            unlink(tmp);
    }
    free(tmp);
    free(buf);
    return rc;
}

static uint32_t read_file(const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : errno_code(errno);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (uint64_t)st.st_size > WS_STATE_MAX) {
        close(fd);
        return WS_ERROR_INVALID_DATA;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return WS_ERROR_INVALID_DATA;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Checks one rebuilt object like a new one and links it into the store. */
static uint32_t accept_record(ws_obj *o)
{
    ws_obj like;
    memset(&like, 0, sizeof like);
    like.persistent = 1;
    uint32_t rc;
    switch (o->kind) {
    case WS_KIND_PROVIDER: {
        const WS_FWPM_PROVIDER0 *p = o->block;
        if (!(p->flags & WS_FWPM_PROVIDER_FLAG_PERSISTENT))
            return WS_ERROR_INVALID_DATA;
        rc = ws_provider_validate(p);
        break;
    }
    case WS_KIND_SUBLAYER: {
        const WS_FWPM_SUBLAYER0 *p = o->block;
        if (!(p->flags & WS_FWPM_SUBLAYER_FLAG_PERSISTENT))
            return WS_ERROR_INVALID_DATA;
        rc = ws_sublayer_validate(p, &like);
        break;
    }
    case WS_KIND_CALLOUT: {
        WS_FWPM_CALLOUT0 *c = o->block;
        if (!(c->flags & WS_FWPM_CALLOUT_FLAG_PERSISTENT))
            return WS_ERROR_INVALID_DATA;
        /* a callout the kernel registered before the file was read keeps the kernel's id */
        c->calloutId = ws_callout_loaded_id(&c->calloutKey, c->calloutId);
        if (ws_store_find_callout_id(c->calloutId))
            return WS_ERROR_INVALID_DATA;
        rc = ws_callout_validate(c, &like);
        if (!rc && c->calloutId >= g_ws.next_callout_id)
            g_ws.next_callout_id = c->calloutId + 1;
        break;
    }
    case WS_KIND_FILTER: {
        const WS_FWPM_FILTER0 *f = o->block;
        if (!(f->flags & WS_FWPM_FILTER_FLAG_PERSISTENT) || !f->filterId ||
            ws_store_find_filter_id(f->filterId) || ws_guid_is_zero(&f->subLayerKey) ||
            f->effectiveWeight.type != WS_FWP_UINT64 || !f->effectiveWeight.uint64)
            return WS_ERROR_INVALID_DATA;
        rc = ws_filter_validate(f, &like);
        if (!rc && f->filterId >= g_ws.next_filter_id)
            g_ws.next_filter_id = f->filterId + 1;
        break;
    }
    default:
        return WS_ERROR_INVALID_DATA;
    }
    if (rc)
        return WS_ERROR_INVALID_DATA;
    if (ws_guid_is_zero(ws_obj_key(o)) || ws_store_find(o->kind, ws_obj_key(o)))
        return WS_ERROR_INVALID_DATA;
    o->persistent = 1;
    o->seq = ++g_ws.seq;
    return ws_store_link(o) == 0 ? 0 : WS_ERROR_NOT_ENOUGH_MEMORY;
}

uint32_t ws_state_load(void)
{
    const char *path = ws_state_path();
    if (!path)
        return 0;
    uint8_t *buf;
    size_t len;
    uint32_t rc = read_file(path, &buf, &len);
    if (rc || !buf)
        return rc;
    rc = WS_ERROR_INVALID_DATA;
    if (len < WS_HDR_SIZE || memcmp(buf, WS_STATE_MAGIC, 8) != 0 || get32(buf + 8) != WS_STATE_VERSION)
        goto out;
    uint32_t count = get32(buf + 12);
    uint64_t payload = get64(buf + 32);
    if (payload != len - WS_HDR_SIZE || fnv1a(buf + WS_HDR_SIZE, (size_t)payload) != get64(buf + 40))
        goto out;
    uint64_t nf = get64(buf + 16);
    uint32_t nc = get32(buf + 24);
    if (nf > g_ws.next_filter_id)
        g_ws.next_filter_id = nf;
    if (nc > g_ws.next_callout_id)
        g_ws.next_callout_id = nc;
    size_t off = WS_HDR_SIZE;
    int last_kind = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (len - off < WS_REC_HDR)
            goto out;
        uint32_t kind = get32(buf + off);
        uint64_t size = get64(buf + off + 8);
        off += WS_REC_HDR;
        if (kind < WS_KIND_PROVIDER || kind > WS_KIND_FILTER || (int)kind < last_kind ||
            size > len - off || pad8((size_t)size) > len - off)
            goto out;
        last_kind = (int)kind;
        /* an aligned private copy: offsets inside are checked against its bounds */
        uint8_t *rec = malloc(size ? (size_t)size : 1);
        if (!rec) {
            rc = WS_ERROR_NOT_ENOUGH_MEMORY;
            goto out;
        }
        memcpy(rec, buf + off, (size_t)size);
        size_t bsize = 0;
        void *block = ws_flat_from_saved((int)kind, rec, (size_t)size, &bsize);
        free(rec);
        ws_obj *o = block ? ws_obj_new((int)kind, block, bsize) : NULL;
        if (!o) {
            free(block);
            goto out;
        }
        uint32_t arc = accept_record(o);
        if (arc) {
            ws_obj_free(o);
            rc = arc == WS_ERROR_NOT_ENOUGH_MEMORY ? arc : WS_ERROR_INVALID_DATA;
            goto out;
        }
        off += pad8((size_t)size);
    }
    rc = off == len ? 0 : WS_ERROR_INVALID_DATA;
out:
    free(buf);
    return rc;
}
