/*
 * fwps_nbl.c - NET_BUFFER_LIST objects built by the model, FwpsCopyStreamDataToBuffer0,
 * NdisGetDataBuffer, and the packet-tagging API (FwpsNetBufferList*Context*).
 *
 * Every NBL the model builds is a ws_k_nbl: the real NET_BUFFER_LIST first, then one
 * NET_BUFFER, its MDLs, the data and the tagging contexts. The packet lifecycle (clone, exit,
 * send complete, drops: ws_k_lifecycle.c) raises events on them with ws_k_nbl_raise; freeing
 * an NBL that carries contexts raises CONTEXT_REMOVED for each. Notify functions are always
 * called without the model's lock held, so they may retrieve/associate/remove contexts.
 */
#include <stdlib.h>

#include "ws_k_internal.h"

#define WS_K_NBL_MAGIC 0x4e424c21u
/* modelled: each NET_BUFFER starts with a 40-byte "header" area before DataOffset, and its data
 * is split over two MDLs, so callers must honour DataOffset/CurrentMdlOffset and walk MDLs. */
#define WS_K_HEADROOM 40u

typedef enum ws_k_nbl_state {
    WS_K_NBL_BUILT = 0, /* made by the model: being classified, or held by the lifecycle model */
    WS_K_NBL_FREED = 1  /* given back; memory released when the last reference goes */
} ws_k_nbl_state;

/* One packet-tagging context on an NBL. `pins` counts notify calls in progress for it (the
 * model calls notify functions without its lock); a context unlinked meanwhile (a retrieve
 * that removes, inside the notify) is freed when the last pin goes. remove_requested: 1 =
 * RemoveContext0 of this NBL, 2 = RemoveContext0(NULL, tag) (CONTEXT_REMOVED with a NULL NBL). */
typedef struct ws_k_tag_ctx {
    UINT64 tag;
    UINT64 context;
    UINT16 layerId;
    UINT8 v1;
    UINT8 remove_requested;
    UINT16 pins;
    UINT16 unlinked;
    FWPS_NET_BUFFER_LIST_NOTIFY_FN0 fn0;
    FWPS_NET_BUFFER_LIST_NOTIFY_FN1 fn1;
    struct ws_k_tag_ctx *next;
} ws_k_tag_ctx;

typedef struct ws_k_nbl {
    NET_BUFFER_LIST nbl;
    NET_BUFFER nb;
    MDL mdl[2];
    uint32_t magic;
    ws_k_nbl_state state;
    uint32_t refs; /* holders other than the model's owner (the removal worker during a notify) */
    ws_k_tag_ctx *tags;
    struct ws_k_nbl *prev_live, *next_live;
    UINT8 *buf; /* headroom + data */
    SIZE_T buflen;
    SIZE_T bufcap; /* bytes allocated at buf */
    struct ws_k_nbl *next_free;
} ws_k_nbl;

static pthread_mutex_t g_nbl = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_nbl_unpinned = PTHREAD_COND_INITIALIZER;
static ws_k_nbl *g_live;
static size_t g_live_count;
static UINT64 g_next_tag = 0x7a00000000000001ULL;
static uint64_t g_notify_calls;

/* NBLs given back, with their buffers, kept for the next ones the model builds (g_nbl held):
 * a run builds and frees one or a few NBLs per frame, and a 1.5 kB buffer is past glibc's
 * per-thread cache, so malloc/free of each took a visible share of a run. Not under
 * AddressSanitizer, so that it still sees every use of an NBL after it was freed. */
#if defined(__SANITIZE_ADDRESS__)
#define WS_K_NBL_POOL_MAX 0u
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WS_K_NBL_POOL_MAX 0u
#endif
#endif
#ifndef WS_K_NBL_POOL_MAX
#define WS_K_NBL_POOL_MAX 64u
#endif
#if WS_K_NBL_POOL_MAX > 0
#define WS_K_NBL_POOL_BUF_MAX (64u * 1024u) /* larger buffers are not kept */
static ws_k_nbl *g_pool;
static unsigned g_pool_count;
#endif
/* tags of a RemoveContext0(NULL, tag) in progress: a context associated with one meanwhile (a
 * driver following a clone) is marked for removal too (g_nbl) */
#define WS_K_MAX_REMOVING 8
static UINT64 g_removing[WS_K_MAX_REMOVING];
static unsigned g_nremoving;

size_t ws_k_nbl_outstanding(void)
{
    pthread_mutex_lock(&g_nbl);
    size_t n = g_live_count;
    pthread_mutex_unlock(&g_nbl);
    return n;
}

uint64_t ws_k_nbl_notify_calls(void)
{
    return __atomic_load_n(&g_notify_calls, __ATOMIC_SEQ_CST);
}

size_t ws_k_nbl_memory(SIZE_T dataBytes)
{
    return sizeof(ws_k_nbl) + WS_K_HEADROOM + dataBytes + 1;
}

static ws_k_nbl *as_sim(NET_BUFFER_LIST *nbl)
{
    ws_k_nbl *w = (ws_k_nbl *)nbl;
    return (w && w->magic == WS_K_NBL_MAGIC) ? w : NULL;
}

/* Points the NET_BUFFER's data start at byte `off` of the MDL chain (DataOffset), the data
 * running to the end of the chain. */
static void nb_set_start(NET_BUFFER *nb, ULONG off)
{
    ULONG total = 0;
    for (MDL *m = nb->MdlChain; m; m = m->Next)
        total += m->ByteCount;
    if (off > total)
        off = total;
    nb->DataOffset = off;
    nb->DataLength = total - off;
    MDL *m = nb->MdlChain;
    ULONG o = off;
    while (m && m->Next && o >= m->ByteCount) {
        o -= m->ByteCount;
        m = m->Next;
    }
    nb->CurrentMdl = m;
    nb->CurrentMdlOffset = o;
}

static ws_k_nbl *nbl_alloc(const UINT8 *data, SIZE_T len)
{
    ws_k_nbl *w = NULL;
    SIZE_T need = WS_K_HEADROOM + len + 1;
#if WS_K_NBL_POOL_MAX > 0
    pthread_mutex_lock(&g_nbl);
    w = g_pool;
    if (w) {
        g_pool = w->next_free;
        g_pool_count--;
    }
    pthread_mutex_unlock(&g_nbl);
#endif
    UINT8 *buf = NULL;
    SIZE_T cap = 0;
    if (w) {
        buf = w->buf;
        cap = w->bufcap;
        if (cap < need) {
            free(buf);
            buf = NULL;
        }
    } else if (posix_memalign((void **)&w, 16, sizeof *w) != 0) {
        return NULL;
    }
    if (!buf) {
        cap = need;
        buf = malloc(cap);
        if (!buf) {
            free(w);
            return NULL;
        }
    }
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->bufcap = cap;
    w->buflen = WS_K_HEADROOM + len;
    memset(w->buf, 0, WS_K_HEADROOM);
    if (len)
        memcpy(w->buf + WS_K_HEADROOM, data, len);
    SIZE_T first = WS_K_HEADROOM + len / 2;
    w->mdl[0].Size = (CSHORT)sizeof(MDL);
    w->mdl[0].MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
    w->mdl[0].MappedSystemVa = w->buf;
    w->mdl[0].StartVa = w->buf;
    w->mdl[0].ByteCount = (ULONG)first;
    w->mdl[0].Next = &w->mdl[1];
    w->mdl[1].Size = (CSHORT)sizeof(MDL);
    w->mdl[1].MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;
    w->mdl[1].MappedSystemVa = w->buf + first;
    w->mdl[1].StartVa = w->buf + first;
    w->mdl[1].ByteCount = (ULONG)(WS_K_HEADROOM + len - first);
    w->nb.MdlChain = &w->mdl[0];
    nb_set_start(&w->nb, WS_K_HEADROOM);
    w->nbl.FirstNetBuffer = &w->nb;
    w->magic = WS_K_NBL_MAGIC;
    w->state = WS_K_NBL_BUILT;
    pthread_mutex_lock(&g_nbl);
    w->next_live = g_live;
    if (g_live)
        g_live->prev_live = w;
    g_live = w;
    g_live_count++;
    pthread_mutex_unlock(&g_nbl);
    return w;
}

NET_BUFFER_LIST *ws_k_nbl_build(const UINT8 *data, SIZE_T len, SIZE_T segment, int copy)
{
    (void)segment;
    (void)copy;
    ws_k_nbl *w = nbl_alloc(data, len);
    return w ? &w->nbl : NULL;
}

NET_BUFFER_LIST *ws_k_nbl_build_packet(const UINT8 *ip, SIZE_T len, SIZE_T start)
{
    ws_k_nbl *w = nbl_alloc(ip, len);
    if (!w)
        return NULL;
    nb_set_start(&w->nb, (ULONG)(WS_K_HEADROOM + (start < len ? start : len)));
    return &w->nbl;
}

void ws_k_nbl_set_start(NET_BUFFER_LIST *nbl, SIZE_T start)
{
    ws_k_nbl *w = as_sim(nbl);
    if (w)
        nb_set_start(&w->nb, (ULONG)(WS_K_HEADROOM + start));
}

NET_BUFFER_LIST *ws_k_nbl_clone(NET_BUFFER_LIST *nbl)
{
    ws_k_nbl *o = as_sim(nbl);
    if (!o)
        return NULL;
    ws_k_nbl *w = nbl_alloc(o->buf + WS_K_HEADROOM, o->buflen - WS_K_HEADROOM);
    if (!w)
        return NULL;
    nb_set_start(&w->nb, o->nb.DataOffset);
    w->nbl.ParentNetBufferList = nbl;
    return &w->nbl;
}

NET_BUFFER_LIST *ws_k_nbl_chain_build(const UINT8 *data, SIZE_T len, SIZE_T segment)
{
    if (!segment)
        segment = 1460;
    NET_BUFFER_LIST *head = NULL, **tail = &head;
    SIZE_T off = 0;
    do {
        SIZE_T n = len - off < segment ? len - off : segment;
        NET_BUFFER_LIST *nbl = ws_k_nbl_build(data ? data + off : NULL, n, segment, 1);
        if (!nbl) {
            ws_k_nbl_chain_free(head);
            return NULL;
        }
        *tail = nbl;
        tail = &nbl->Next;
        off += n;
    } while (off < len);
    return head;
}

static void notify(NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *newNbl, ws_k_tag_ctx *t, FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev)
{
    KIRQL old = KeGetCurrentIrql();
    ws_k_set_irql(DISPATCH_LEVEL); /* modelled: notify functions run at DISPATCH_LEVEL */
    __atomic_add_fetch(&g_notify_calls, 1, __ATOMIC_SEQ_CST);
    if (t->v1)
        (void)t->fn1(ev, nbl, newNbl, t->layerId, t->context, t->tag);
    else
        t->fn0(ev, nbl, newNbl, t->layerId, t->context, t->tag);
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        ws_k_bugcheck(0xC7, "NBL notify function returned at a different IRQL");
    ws_k_set_irql(old);
}

/* g_nbl held: the last pin of an unlinked context frees it */
static void unpin_locked(ws_k_tag_ctx *t)
{
    t->pins--;
    if (!t->pins) {
        if (t->unlinked)
            free(t);
        pthread_cond_broadcast(&g_nbl_unpinned);
    }
}

uint32_t ws_k_nbl_raise(NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *newNbl, FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev)
{
    ws_k_nbl *w = as_sim(nbl);
    if (!w)
        return 0;
    ws_k_tag_ctx *local[8], **pinned = local;
    size_t n = 0, cap = 8;
    pthread_mutex_lock(&g_nbl);
    for (ws_k_tag_ctx *t = w->tags; t; t = t->next)
        if (!t->remove_requested)
            n++;
    if (n > cap) {
        pinned = malloc(n * sizeof *pinned);
        if (!pinned) {
            pthread_mutex_unlock(&g_nbl);
            return 0;
        }
    }
    n = 0;
    for (ws_k_tag_ctx *t = w->tags; t; t = t->next)
        if (!t->remove_requested) {
            t->pins++;
            pinned[n++] = t;
        }
    pthread_mutex_unlock(&g_nbl);
    for (size_t i = 0; i < n; i++)
        notify(nbl, newNbl, pinned[i], ev);
    pthread_mutex_lock(&g_nbl);
    for (size_t i = 0; i < n; i++)
        unpin_locked(pinned[i]);
    pthread_mutex_unlock(&g_nbl);
    if (pinned != local)
        free(pinned);
    return (uint32_t)n;
}

int ws_k_nbl_tagged(NET_BUFFER_LIST *nbl)
{
    ws_k_nbl *w = as_sim(nbl);
    if (!w)
        return 0;
    pthread_mutex_lock(&g_nbl);
    int any = w->tags != NULL;
    pthread_mutex_unlock(&g_nbl);
    return any;
}

static void nbl_release_locked(ws_k_nbl *w)
{
    if (w->refs || w->state != WS_K_NBL_FREED)
        return;
    w->magic = 0;
#if WS_K_NBL_POOL_MAX > 0
    if (g_pool_count < WS_K_NBL_POOL_MAX && w->bufcap <= WS_K_NBL_POOL_BUF_MAX) {
        w->next_free = g_pool;
        g_pool = w;
        g_pool_count++;
        return;
    }
#endif
    free(w->buf);
    free(w);
}

void ws_k_nbl_chain_free(NET_BUFFER_LIST *chain)
{
    while (chain) {
        NET_BUFFER_LIST *next = chain->Next;
        ws_k_nbl *w = as_sim(chain);
        if (!w || w->state != WS_K_NBL_BUILT)
            ws_k_bugcheck(0x7E, "freeing an NBL the model did not build (or freed already)");
        /* the stack is done with the NBL: every context still on it is removed (the remove
         * worker unlinks the contexts it handles before notifying, so none is pinned here) */
        pthread_mutex_lock(&g_nbl);
        ws_k_tag_ctx *tags = w->tags;
        w->tags = NULL;
        for (ws_k_tag_ctx *t = tags; t; t = t->next)
            t->pins++;
        pthread_mutex_unlock(&g_nbl);
        while (tags) {
            ws_k_tag_ctx *n = tags->next;
            notify(chain, NULL, tags, FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED);
            pthread_mutex_lock(&g_nbl);
            tags->unlinked = 1;
            unpin_locked(tags);
            pthread_mutex_unlock(&g_nbl);
            tags = n;
        }
        pthread_mutex_lock(&g_nbl);
        if (w->prev_live)
            w->prev_live->next_live = w->next_live;
        else
            g_live = w->next_live;
        if (w->next_live)
            w->next_live->prev_live = w->prev_live;
        g_live_count--;
        w->state = WS_K_NBL_FREED;
        nbl_release_locked(w);
        pthread_mutex_unlock(&g_nbl);
        chain = next;
    }
}

/* NDIS: move a NET_BUFFER's data start back over bytes already in its MDL chain (the model
 * never allocates: asking for more than DataOffset fails). */
NDIS_STATUS NdisRetreatNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, ULONG DataBackFill,
                                          NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler)
{
    (void)DataBackFill;
    (void)AllocateMdlHandler;
    if (!NetBuffer || DataOffsetDelta > NetBuffer->DataOffset)
        return NDIS_STATUS_RESOURCES; /* modelled: no backfill allocation */
    nb_set_start(NetBuffer, NetBuffer->DataOffset - DataOffsetDelta);
    return NDIS_STATUS_SUCCESS;
}

void NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, BOOLEAN FreeMdl,
                                   NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler)
{
    (void)FreeMdl;
    (void)FreeMdlHandler;
    if (!NetBuffer)
        return;
    if (DataOffsetDelta > NetBuffer->DataLength)
        ws_k_bugcheck(0xD1, "NdisAdvanceNetBufferDataStart past the end of the data");
    nb_set_start(NetBuffer, NetBuffer->DataOffset + DataOffsetDelta);
}

/* ---- reading data ----------------------------------------------------------------------------- */
void NTAPI FwpsCopyStreamDataToBuffer0(const FWPS_STREAM_DATA0 *streamData, PVOID buffer, SIZE_T bytesToCopy,
                                       SIZE_T *bytesCopied)
{
    SIZE_T want = bytesToCopy < streamData->dataLength ? bytesToCopy : streamData->dataLength;
    SIZE_T done = 0;
    NET_BUFFER_LIST *nbl = streamData->dataOffset.netBufferList;
    NET_BUFFER *nb = streamData->dataOffset.netBuffer;
    MDL *mdl = streamData->dataOffset.mdl;
    SIZE_T moff = streamData->dataOffset.mdlOffset;
    /* bytes of nb's data before the starting point */
    SIZE_T skipped = 0;
    if (nb) {
        MDL *m = nb->CurrentMdl;
        SIZE_T o = nb->CurrentMdlOffset;
        while (m && m != mdl) {
            skipped += m->ByteCount - o;
            m = m->Next;
            o = 0;
        }
        skipped += moff > o ? moff - o : 0;
    }
    while (done < want && nb) {
        SIZE_T left_in_nb = nb->DataLength > skipped ? nb->DataLength - skipped : 0;
        while (done < want && left_in_nb && mdl) {
            SIZE_T avail = mdl->ByteCount > moff ? mdl->ByteCount - moff : 0;
            SIZE_T n = avail;
            if (n > left_in_nb)
                n = left_in_nb;
            if (n > want - done)
                n = want - done;
            memcpy((UINT8 *)buffer + done, (UINT8 *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) + moff, n);
            done += n;
            left_in_nb -= n;
            moff += n;
            if (moff >= mdl->ByteCount) {
                mdl = mdl->Next;
                moff = 0;
            }
        }
        nb = nb->Next;
        if (!nb && nbl) {
            nbl = nbl->Next;
            nb = nbl ? nbl->FirstNetBuffer : NULL;
        }
        if (nb) {
            mdl = nb->CurrentMdl;
            moff = nb->CurrentMdlOffset;
        }
        skipped = 0;
    }
    if (bytesCopied)
        *bytesCopied = done;
}

PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple,
                        UINT AlignOffset)
{
    if (!NetBuffer || BytesNeeded == 0 || BytesNeeded > NetBuffer->DataLength)
        return NULL;
    PMDL m = NetBuffer->CurrentMdl;
    SIZE_T off = NetBuffer->CurrentMdlOffset;
    if (m && m->ByteCount >= off + BytesNeeded) {
        UINT8 *p = (UINT8 *)MmGetSystemAddressForMdlSafe(m, NormalPagePriority) + off;
        if (AlignMultiple <= 1 || ((uintptr_t)p - AlignOffset) % AlignMultiple == 0)
            return p;
    }
    if (!Storage)
        return NULL;
    SIZE_T done = 0;
    while (m && done < BytesNeeded) {
        SIZE_T n = m->ByteCount - off;
        if (n > BytesNeeded - done)
            n = BytesNeeded - done;
        memcpy((UINT8 *)Storage + done, (UINT8 *)MmGetSystemAddressForMdlSafe(m, NormalPagePriority) + off, n);
        done += n;
        m = m->Next;
        off = 0;
    }
    return done == BytesNeeded ? Storage : NULL;
}

/* ---- packet tagging -------------------------------------------------------------------------- */
UINT64 NTAPI FwpsNetBufferListGetTagForContext0(void)
{
    return __atomic_fetch_add(&g_next_tag, 1, __ATOMIC_SEQ_CST);
}

static int tag_issued(UINT64 tag)
{
    return tag >= 0x7a00000000000001ULL && tag < __atomic_load_n(&g_next_tag, __ATOMIC_SEQ_CST);
}

static void remove_worker_kick(void);

static NTSTATUS associate(NET_BUFFER_LIST *nbl, UINT16 layerId, UINT64 context, UINT64 tag, void *deviceObject,
                          FWPS_NET_BUFFER_LIST_NOTIFY_FN0 fn0, FWPS_NET_BUFFER_LIST_NOTIFY_FN1 fn1, UINT32 flags)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        ws_k_bugcheck(0x0A, "FwpsNetBufferListAssociateContext above DISPATCH_LEVEL");
    ws_k_nbl *w = as_sim(nbl);
    /* modelled: a NULL notify function, a tag not from GetTagForContext0, non-zero flags, a
     * NULL device object or an NBL the model does not know give STATUS_INVALID_PARAMETER */
    if (!w || w->state != WS_K_NBL_BUILT || (!fn0 && !fn1) || !tag_issued(tag) || flags != 0 || !deviceObject)
        return STATUS_INVALID_PARAMETER;
    if (layerId == FWPS_LAYER_STREAM_V4 || layerId == FWPS_LAYER_STREAM_V6)
        return STATUS_INVALID_PARAMETER; /* tagging is not available at stream layers */
    ws_k_tag_ctx *t = calloc(1, sizeof *t);
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->tag = tag;
    t->context = context;
    t->layerId = layerId;
    t->fn0 = fn0;
    t->fn1 = fn1;
    t->v1 = fn1 != NULL;
    int kick = 0;
    pthread_mutex_lock(&g_nbl);
    for (ws_k_tag_ctx *o = w->tags; o; o = o->next)
        if (o->tag == tag) {
            pthread_mutex_unlock(&g_nbl);
            free(t);
            return STATUS_OBJECT_NAME_EXISTS; /* modelled: one context per tag per NBL */
        }
    for (unsigned i = 0; i < g_nremoving; i++)
        if (g_removing[i] == tag) {
            /* modelled: associated while RemoveContext0(NULL, tag) is in progress (a driver
             * moving a context to a clone): removed with the others */
            t->remove_requested = 2;
            kick = 1;
        }
    t->next = w->tags;
    w->tags = t;
    pthread_mutex_unlock(&g_nbl);
    if (kick)
        remove_worker_kick();
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI FwpsNetBufferListAssociateContext0(NET_BUFFER_LIST *netBufferList, UINT16 layerId, UINT64 context,
                                                  UINT64 contextTag, GUID *providerGuid, void *deviceObject,
                                                  FWPS_NET_BUFFER_LIST_NOTIFY_FN0 notifyFn, UINT32 flags)
{
    (void)providerGuid;
    if (!notifyFn)
        return STATUS_INVALID_PARAMETER;
    return associate(netBufferList, layerId, context, contextTag, deviceObject, notifyFn, NULL, flags);
}

NTSTATUS NTAPI FwpsNetBufferListAssociateContext1(NET_BUFFER_LIST *netBufferList, UINT16 layerId, UINT64 context,
                                                  UINT64 contextTag, GUID *providerGuid, void *deviceObject,
                                                  FWPS_NET_BUFFER_LIST_NOTIFY_FN1 notifyFn, UINT32 flags)
{
    (void)providerGuid;
    if (!notifyFn)
        return STATUS_INVALID_PARAMETER;
    return associate(netBufferList, layerId, context, contextTag, deviceObject, NULL, notifyFn, flags);
}

NTSTATUS NTAPI FwpsNetBufferListRetrieveContext0(NET_BUFFER_LIST *netBufferList, UINT64 contextTag,
                                                 BOOLEAN removeContext, UINT32 flags, UINT64 *context)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        ws_k_bugcheck(0x0A, "FwpsNetBufferListRetrieveContext0 above DISPATCH_LEVEL");
    ws_k_nbl *w = as_sim(netBufferList);
    if (!w || !context || flags != 0)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&g_nbl);
    for (ws_k_tag_ctx **pp = &w->tags; *pp; pp = &(*pp)->next)
        if ((*pp)->tag == contextTag && !(*pp)->remove_requested) {
            ws_k_tag_ctx *t = *pp;
            *context = t->context;
            if (removeContext) {
                /* modelled: a retrieve that removes raises no CONTEXT_REMOVED (the caller moves it);
                 * a context being notified right now is freed when that notify returns */
                *pp = t->next;
                t->unlinked = 1;
                if (!t->pins)
                    free(t);
            }
            pthread_mutex_unlock(&g_nbl);
            return STATUS_SUCCESS;
        }
    pthread_mutex_unlock(&g_nbl);
    return STATUS_NOT_FOUND; /* modelled */
}

/* Asynchronous removal: a worker thread raises CONTEXT_REMOVED (NULL NBL for the NULL form). */
static pthread_mutex_t g_rm_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_rm_cond = PTHREAD_COND_INITIALIZER;
static int g_rm_started, g_rm_stop, g_rm_pending, g_rm_busy;
static pthread_t g_rm_thread;

static void *remove_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_rm_mutex);
    while (!g_rm_stop) {
        if (!g_rm_pending) {
            pthread_cond_wait(&g_rm_cond, &g_rm_mutex);
            continue;
        }
        g_rm_pending = 0;
        g_rm_busy = 1;
        pthread_mutex_unlock(&g_rm_mutex);
        for (;;) {
            ws_k_nbl *found = NULL;
            ws_k_tag_ctx *t = NULL;
            int waiting = 0;
            pthread_mutex_lock(&g_nbl);
            for (ws_k_nbl *w = g_live; w && !found; w = w->next_live)
                for (ws_k_tag_ctx **pp = &w->tags; *pp; pp = &(*pp)->next)
                    if ((*pp)->remove_requested) {
                        if ((*pp)->pins) {
                            waiting = 1; /* a lifecycle notify for it is running: after it */
                            continue;
                        }
                        t = *pp;
                        *pp = t->next;
                        t->unlinked = 1;
                        found = w;
                        w->refs++; /* the NBL stays valid during the notification */
                        break;
                    }
            if (!found) {
                if (waiting) {
                    pthread_cond_wait(&g_nbl_unpinned, &g_nbl);
                    pthread_mutex_unlock(&g_nbl);
                    continue;
                }
                g_nremoving = 0; /* every NULL-form removal is done */
                pthread_mutex_unlock(&g_nbl);
                break;
            }
            pthread_mutex_unlock(&g_nbl);
            notify(t->remove_requested == 2 ? NULL : &found->nbl, NULL, t, FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED);
            free(t);
            pthread_mutex_lock(&g_nbl);
            found->refs--;
            nbl_release_locked(found);
            pthread_mutex_unlock(&g_nbl);
        }
        pthread_mutex_lock(&g_rm_mutex);
        g_rm_busy = 0;
        pthread_cond_broadcast(&g_rm_cond);
    }
    pthread_mutex_unlock(&g_rm_mutex);
    return NULL;
}

__attribute__((destructor)) static void remove_worker_stop(void)
{
    pthread_mutex_lock(&g_rm_mutex);
    if (!g_rm_started) {
        pthread_mutex_unlock(&g_rm_mutex);
        return;
    }
    g_rm_stop = 1;
    pthread_cond_broadcast(&g_rm_cond);
    pthread_mutex_unlock(&g_rm_mutex);
    pthread_join(g_rm_thread, NULL);
}

static void remove_worker_kick(void)
{
    pthread_mutex_lock(&g_rm_mutex);
    if (!g_rm_started) {
        if (pthread_create(&g_rm_thread, NULL, remove_worker, NULL) != 0)
            ws_k_bugcheck(0x7E, "cannot start the context-removal worker");
        g_rm_started = 1;
    }
    g_rm_pending = 1;
    pthread_cond_broadcast(&g_rm_cond);
    pthread_mutex_unlock(&g_rm_mutex);
}

NTSTATUS NTAPI FwpsNetBufferListRemoveContext0(NET_BUFFER_LIST *netBufferList, UINT64 contextTag, UINT32 flags)
{
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        ws_k_bugcheck(0x0A, "FwpsNetBufferListRemoveContext0 above DISPATCH_LEVEL");
    if (flags != 0 || !tag_issued(contextTag))
        return STATUS_INVALID_PARAMETER;
    ws_k_nbl *one = NULL;
    if (netBufferList && !(one = as_sim(netBufferList)))
        return STATUS_INVALID_PARAMETER;
    int marked = 0;
    pthread_mutex_lock(&g_nbl);
    if (!one) {
        unsigned i = 0;
        while (i < g_nremoving && g_removing[i] != contextTag)
            i++;
        if (i == g_nremoving && g_nremoving < WS_K_MAX_REMOVING)
            g_removing[g_nremoving++] = contextTag;
    }
    for (ws_k_nbl *w = one ? one : g_live; w; w = one ? NULL : w->next_live)
        for (ws_k_tag_ctx *t = w->tags; t; t = t->next)
            if (t->tag == contextTag && !t->remove_requested) {
                t->remove_requested = one ? 1 : 2;
                marked++;
            }
    pthread_mutex_unlock(&g_nbl);
    if (one && !marked)
        return STATUS_NOT_FOUND; /* modelled */
    remove_worker_kick(); /* also clears the NULL-form bookkeeping when nothing was marked */
    return STATUS_SUCCESS;
}

/* Test hook: waits until the removal worker has nothing left to do. */
void ws_k_tag_drain(void);
void ws_k_tag_drain(void)
{
    pthread_mutex_lock(&g_rm_mutex);
    while (g_rm_started && (g_rm_pending || g_rm_busy))
        pthread_cond_wait(&g_rm_cond, &g_rm_mutex);
    pthread_mutex_unlock(&g_rm_mutex);
}
