/*
 * tagging.c - packet tagging glue: the classifyFn of the transport and IP packet layers
 * (tag the NBL of a monitored flow), of their *_DISCARD layers (report tagged packets that
 * were dropped), the NBL notify functions (FN0 and FN1: record every event, follow clones
 * and duplicates), resolving FwpsNetBufferListAssociateContext1 at load, and the unload
 * sweep (remove every context, wait for the ledger to empty).
 *
 * Finding the flow (see KERNEL_SURFACE.md for the documentation this rests on): at the
 * transport layers the FLOW_HANDLE metadata is present for packets of a known flow, and
 * the core's hash index on the handle finds the entry in O(1) (no second flow context is
 * associated: that would cost an FwpsFlowAssociateContext0 per flow and layer and another
 * flowDeleteFn race at unload for no gain over the index). The IP packet layers carry no
 * flow handle: the glue reads the 5-tuple from the packet and the core's 5-tuple index
 * finds the flow in O(1).
 *
 * IRQL: classifyFn and the notify functions run at <= DISPATCH_LEVEL. Nothing here waits
 * or allocates; the Fwps* tagging functions are called with no core lock held.
 */
#include "wk_win.h"

static GUID wk_win_provider = WK_GUID_PROVIDER;

/* ---- reading the packet ------------------------------------------------------------ */

/* Copies up to n bytes of nbl's first NET_BUFFER starting `delta` bytes from its current
 * data start (delta < 0 reads the header bytes before it, which are still in the MDL chain
 * after a layer advanced past them: DataOffset says how many there are). Returns the bytes
 * copied. Walks the MDL chain from its start, so it needs no NdisRetreat/Advance. */
static size_t wk_win_nbl_read(NET_BUFFER_LIST *nbl, LONG delta, void *dst, size_t n)
{
    NET_BUFFER *nb = nbl != NULL ? NET_BUFFER_LIST_FIRST_NB(nbl) : NULL;
    MDL *mdl;
    ULONG skip, avail, done = 0;
    if (nb == NULL || n == 0) {
        return 0;
    }
    if (delta < 0 && (ULONG)(-delta) > NET_BUFFER_DATA_OFFSET(nb)) {
        return 0; /* not that much header room: nothing to read */
    }
    skip = (ULONG)((LONG)NET_BUFFER_DATA_OFFSET(nb) + delta);
    avail = NET_BUFFER_DATA_LENGTH(nb) + (delta < 0 ? (ULONG)(-delta) : 0u);
    if (delta > 0) {
        avail = (ULONG)delta < NET_BUFFER_DATA_LENGTH(nb) ? NET_BUFFER_DATA_LENGTH(nb) - (ULONG)delta : 0u;
    }
    if (n > avail) {
        n = avail;
    }
    for (mdl = NET_BUFFER_FIRST_MDL(nb); mdl != NULL && done < n; mdl = mdl->Next) {
        ULONG count = MmGetMdlByteCount(mdl);
        const UCHAR *va;
        ULONG take;
        if (skip >= count) {
            skip -= count;
            continue;
        }
        va = (const UCHAR *)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (va == NULL) {
            break;
        }
        take = count - skip;
        if (take > n - done) {
            take = (ULONG)(n - done);
        }
        RtlCopyMemory((UCHAR *)dst + done, va + skip, take);
        done += take;
        skip = 0;
    }
    return done;
}

/* Bytes of the NBL from its current data start (all NET_BUFFERs). */
static ULONG wk_win_nbl_length(NET_BUFFER_LIST *nbl)
{
    NET_BUFFER *nb;
    ULONG len = 0;
    for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb)) {
        len += NET_BUFFER_DATA_LENGTH(nb);
    }
    return len;
}

typedef struct wk_win_snap {
    NET_BUFFER_LIST *nbl;
    LONG delta;
} wk_win_snap;

static size_t wk_win_copy_snap(void *arg, void *dst, size_t n)
{
    const wk_win_snap *s = (const wk_win_snap *)arg;
    return wk_win_nbl_read(s->nbl, s->delta, dst, n);
}

/* ---- layers ---------------------------------------------------------------------- */

typedef struct wk_win_tag_layer {
    uint32_t bit;      /* WK_TAG_LAYER_* */
    uint8_t direction; /* WK_DIRECTION_* */
    uint8_t ipPacket;  /* an IP packet layer */
    uint8_t v6;
} wk_win_tag_layer;

static int wk_win_layer(UINT16 layerId, wk_win_tag_layer *l)
{
    RtlZeroMemory(l, sizeof *l);
    switch (layerId) {
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V4: l->bit = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4; break;
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V6: l->bit = WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6; l->v6 = 1; break;
    case FWPS_LAYER_INBOUND_TRANSPORT_V4: l->bit = WK_TAG_LAYER_INBOUND_TRANSPORT_V4; break;
    case FWPS_LAYER_INBOUND_TRANSPORT_V6: l->bit = WK_TAG_LAYER_INBOUND_TRANSPORT_V6; l->v6 = 1; break;
    case FWPS_LAYER_OUTBOUND_IPPACKET_V4: l->bit = WK_TAG_LAYER_OUTBOUND_IPPACKET_V4; l->ipPacket = 1; break;
    case FWPS_LAYER_OUTBOUND_IPPACKET_V6: l->bit = WK_TAG_LAYER_OUTBOUND_IPPACKET_V6; l->ipPacket = 1; l->v6 = 1; break;
    case FWPS_LAYER_INBOUND_IPPACKET_V4: l->bit = WK_TAG_LAYER_INBOUND_IPPACKET_V4; l->ipPacket = 1; break;
    case FWPS_LAYER_INBOUND_IPPACKET_V6: l->bit = WK_TAG_LAYER_INBOUND_IPPACKET_V6; l->ipPacket = 1; l->v6 = 1; break;
    default: return 0;
    }
    l->direction = (l->bit & (WK_TAG_LAYER_INBOUND_TRANSPORT_V4 | WK_TAG_LAYER_INBOUND_TRANSPORT_V6 |
                              WK_TAG_LAYER_INBOUND_IPPACKET_V4 | WK_TAG_LAYER_INBOUND_IPPACKET_V6)) != 0
                       ? (uint8_t)WK_DIRECTION_INBOUND
                       : (uint8_t)WK_DIRECTION_OUTBOUND;
    return 1;
}

/* The 5-tuple of a packet at an IP packet layer: the IP header is at the NBL start
 * (outbound) or ipHeaderSize bytes before it (inbound, where the NBL starts at the
 * transport header); the ports follow the IP header. Returns 0 if it is not TCP/UDP. */
static int wk_win_ip_tuple(NET_BUFFER_LIST *nbl, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                           const wk_win_tag_layer *l, WK_FLOW_ENDPOINTS *ep)
{
    UCHAR ip[40];
    UCHAR ports[4];
    ULONG ihl;
    LONG ipAt, l4At;
    const UCHAR *src, *dst;
    ULONG alen = l->v6 ? 16u : 4u;
    if (!FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_IP_HEADER_SIZE)) {
        return 0;
    }
    ihl = meta->ipHeaderSize;
    ipAt = l->direction == WK_DIRECTION_INBOUND ? -(LONG)ihl : 0;
    l4At = l->direction == WK_DIRECTION_INBOUND ? 0 : (LONG)ihl;
    if (wk_win_nbl_read(nbl, ipAt, ip, l->v6 ? 40u : 20u) != (l->v6 ? 40u : 20u) ||
        wk_win_nbl_read(nbl, l4At, ports, 4) != 4) {
        return 0;
    }
    RtlZeroMemory(ep, sizeof *ep);
    ep->ipVersion = l->v6 ? 6 : 4;
    ep->ipProtocol = l->v6 ? ip[6] : ip[9];
    if (ep->ipProtocol != 6 && ep->ipProtocol != 17) {
        return 0; /* extension headers or another protocol: no port-based flow */
    }
    src = l->v6 ? ip + 8 : ip + 12;
    dst = l->v6 ? ip + 24 : ip + 16;
    if (l->direction == WK_DIRECTION_OUTBOUND) {
        RtlCopyMemory(ep->localAddress, src, alen);
        RtlCopyMemory(ep->remoteAddress, dst, alen);
        ep->localPort = (uint16_t)((ports[0] << 8) | ports[1]);
        ep->remotePort = (uint16_t)((ports[2] << 8) | ports[3]);
    } else {
        RtlCopyMemory(ep->localAddress, dst, alen);
        RtlCopyMemory(ep->remoteAddress, src, alen);
        ep->localPort = (uint16_t)((ports[2] << 8) | ports[3]);
        ep->remotePort = (uint16_t)((ports[0] << 8) | ports[1]);
    }
    return 1;
}

/* ---- stranded tags (unload's wait expired) ---------------------------------------- */

#if !(defined(WK_SIMULATED) && WK_SIMULATED)
/* Work item, PASSIVE_LEVEL: the last stranded tag retired. The I/O manager holds its own
 * reference on the device object while this runs, so dropping ours here cannot unload the
 * image under this code; after it returns, the device object goes, then the driver object,
 * then the image. */
static VOID NTAPI wk_win_release_stranded(PDEVICE_OBJECT device, PVOID context)
{
    wk_core_free(&g_wk.core);
    g_wk.coreReady = FALSE;
    IoFreeWorkItem((PIO_WORKITEM)context);
    ObDereferenceObject(device);
}
#endif

/* After anything that may retire a ledger entry: when unload stranded the tags and this was
 * the last one, release what was kept (exactly once: wk_tag_release_due). */
static void wk_win_tags_check_release(void)
{
    if (g_wk.tagsStranded == 0 || !wk_tag_release_due(&g_wk.core)) {
        return;
    }
#if defined(WK_SIMULATED) && WK_SIMULATED
    /* libwfpsim never unmaps the driver's code: free the core at once. */
    wk_core_free(&g_wk.core);
    g_wk.coreReady = FALSE;
#else
    if (g_wk.releaseItem != NULL) {
        IoQueueWorkItem((PIO_WORKITEM)g_wk.releaseItem, wk_win_release_stranded, DelayedWorkQueue,
                        g_wk.releaseItem);
    } /* else: no work item could be allocated: the core and the image stay until reboot */
#endif
}

/* ---- notify ------------------------------------------------------------------------ */

static NTSTATUS NTAPI wk_win_nbl_notify1(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 eventType,
                                         NET_BUFFER_LIST *netBufferList,
                                         NET_BUFFER_LIST *newNetBufferList, UINT16 layerId,
                                         UINT64 context, UINT64 contextTag);

static void NTAPI wk_win_nbl_notify0(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 eventType,
                                     NET_BUFFER_LIST *netBufferList,
                                     NET_BUFFER_LIST *newNetBufferList, UINT16 layerId,
                                     UINT64 context, UINT64 contextTag)
{
    (void)wk_win_nbl_notify1(eventType, netBufferList, newNetBufferList, layerId, context, contextTag);
}

static NTSTATUS wk_win_associate(NET_BUFFER_LIST *nbl, UINT16 layerId, UINT64 ctx)
{
    if (g_wk.associate1 != NULL) {
        return g_wk.associate1(nbl, layerId, ctx, g_wk.nblTag, &wk_win_provider, g_wk.device,
                               wk_win_nbl_notify1, 0);
    }
    return FwpsNetBufferListAssociateContext0(nbl, layerId, ctx, g_wk.nblTag, &wk_win_provider,
                                              g_wk.device, wk_win_nbl_notify0, 0);
}

/* Both notify types: FN1 returns a status, which WFP ignores for these events. */
static NTSTATUS NTAPI wk_win_nbl_notify1(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 eventType,
                                         NET_BUFFER_LIST *netBufferList,
                                         NET_BUFFER_LIST *newNetBufferList, UINT16 layerId,
                                         UINT64 context, UINT64 contextTag)
{
    uint16_t flags = netBufferList == NULL ? (uint16_t)WK_NOTIFY_FLAGS_NBL_NULL : (uint16_t)0;
    uint64_t newCtx = 0;
    int retire = 0, left;
    if (contextTag != g_wk.nblTag) {
        return STATUS_SUCCESS; /* not ours */
    }
    switch (eventType) {
    case FWPS_NET_BUFFER_LIST_CLONED_BY_NETIO:
    case FWPS_NET_BUFFER_LIST_CLONED_VIA_WFP_API:
    case FWPS_NET_BUFFER_LIST_CLONED_BY_NDIS:
        if (netBufferList != NULL && newNetBufferList != NULL) {
            /* Move: take the context off the old NBL, put the same value on the clone. */
            UINT64 c = 0;
            if (NT_SUCCESS(FwpsNetBufferListRetrieveContext0(netBufferList, contextTag, TRUE, 0, &c))) {
                if (NT_SUCCESS(wk_win_associate(newNetBufferList, layerId, c))) {
                    flags |= WK_NOTIFY_FLAGS_CONTEXT_MOVED;
                    newCtx = c;
                } else {
                    flags |= WK_NOTIFY_FLAGS_FOLLOW_FAILED;
                    retire = 1; /* on neither NBL now: no CONTEXT_REMOVED will come */
                }
            } else {
                flags |= WK_NOTIFY_FLAGS_FOLLOW_FAILED;
            }
        }
        break;
    case FWPS_NET_BUFFER_LIST_DUPLICATED_BY_NETIO:
        if (netBufferList != NULL && newNetBufferList != NULL) {
            /* Copy: the original keeps its context; the duplicate gets a new entry. */
            UINT64 c = 0;
            uint64_t dup;
            if (!NT_SUCCESS(FwpsNetBufferListRetrieveContext0(netBufferList, contextTag, FALSE, 0, &c)) ||
                c != context || (dup = wk_tag_duplicate(&g_wk.core, context)) == 0) {
                flags |= WK_NOTIFY_FLAGS_FOLLOW_FAILED;
            } else if (NT_SUCCESS(wk_win_associate(newNetBufferList, layerId, dup))) {
                flags |= WK_NOTIFY_FLAGS_CONTEXT_COPIED;
                newCtx = dup;
            } else {
                wk_tag_forget(&g_wk.core, dup);
                flags |= WK_NOTIFY_FLAGS_FOLLOW_FAILED;
                wk_win_tags_check_release();
            }
        }
        break;
    default:
        break;
    }
    left = wk_tag_notify(&g_wk.core, (uint16_t)eventType, context, layerId, flags, newCtx, retire);
    if (left == 0 && g_wk.unloading) {
        KeSetEvent(&g_wk.tagsDrained, IO_NO_INCREMENT, FALSE);
        wk_win_tags_check_release();
    }
    return STATUS_SUCCESS;
}

/* ---- classify ---------------------------------------------------------------------- */

static void wk_win_tag_continue(FWPS_CLASSIFY_OUT0 *out)
{
    if (out != NULL && (out->rights & FWPS_RIGHT_ACTION_WRITE) != 0) {
        out->actionType = FWP_ACTION_CONTINUE;
    }
}

/* classifyFn of the transport and IP packet layers: layerData is the NBL. */
void NTAPI wk_win_classify_packet(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                  const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                  void *layerData, const void *classifyContext,
                                  const FWPS_FILTER1 *filter, UINT64 flowContext,
                                  FWPS_CLASSIFY_OUT0 *classifyOut)
{
    NET_BUFFER_LIST *nbl = (NET_BUFFER_LIST *)layerData;
    wk_win_tag_layer l;
    wk_tag_packet pkt;
    wk_win_snap snap;
    uint64_t ctx = 0;
    int checkExisting = 0;
    ULONG header = 0;
    NTSTATUS st;
    (void)classifyContext;
    (void)flowContext;
    wk_win_tag_continue(classifyOut);
    if (nbl == NULL || inFixedValues == NULL || inMetaValues == NULL || !g_wk.tagReady ||
        g_wk.unloading || !wk_win_layer(inFixedValues->layerId, &l)) {
        return;
    }
    RtlZeroMemory(&pkt, sizeof pkt);
    pkt.filterContext = filter != NULL ? filter->context : 0;
    pkt.layerId = inFixedValues->layerId;
    pkt.direction = l.direction;
    pkt.tagLayer = l.bit;
    if (!l.ipPacket) {
        if (!FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_FLOW_HANDLE)) {
            return; /* not a packet of a known flow */
        }
        pkt.hasFlowHandle = 1;
        pkt.flowHandle = inMetaValues->flowHandle;
        /* Inbound transport: the NBL starts after the transport header. */
        if (l.direction == WK_DIRECTION_INBOUND &&
            FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE)) {
            header = inMetaValues->transportHeaderSize;
        }
    } else {
        if (!wk_win_ip_tuple(nbl, inMetaValues, &l, &pkt.tuple)) {
            return;
        }
        /* Inbound IP packet: the NBL starts at the transport header. */
        if (l.direction == WK_DIRECTION_INBOUND) {
            header = inMetaValues->ipHeaderSize;
        }
    }
    if (wk_tag_begin(&g_wk.core, &pkt, &ctx, &checkExisting) != WK_TAG_ASSOCIATE) {
        return;
    }
    if (checkExisting) {
        /* Tagged at the other layer of this direction already: one context per tag and NBL. */
        UINT64 mine = 0;
        if (NT_SUCCESS(FwpsNetBufferListRetrieveContext0(nbl, g_wk.nblTag, FALSE, 0, &mine))) {
            wk_tag_end(&g_wk.core, ctx, WK_TAG_END_ALREADY, 0, NULL, NULL);
            wk_win_tags_check_release();
            return;
        }
    }
    st = wk_win_associate(nbl, inFixedValues->layerId, ctx);
    if (header != 0 && (NET_BUFFER_LIST_FIRST_NB(nbl) == NULL ||
                        header > NET_BUFFER_DATA_OFFSET(NET_BUFFER_LIST_FIRST_NB(nbl)))) {
        header = 0; /* the header bytes are not there to read */
    }
    snap.nbl = nbl;
    snap.delta = -(LONG)header;
    wk_tag_end(&g_wk.core, ctx, NT_SUCCESS(st) ? WK_TAG_END_OK : WK_TAG_END_FAILED,
               wk_win_nbl_length(nbl) + header, wk_win_copy_snap, &snap);
    wk_win_tags_check_release(); /* an entry reserved before unloading began, ended after */
}

/* classifyFn of the *_DISCARD layers: report a packet that carries our context. */
void NTAPI wk_win_classify_discard(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                   const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                   void *layerData, const void *classifyContext,
                                   const FWPS_FILTER1 *filter, UINT64 flowContext,
                                   FWPS_CLASSIFY_OUT0 *classifyOut)
{
    NET_BUFFER_LIST *nbl = (NET_BUFFER_LIST *)layerData;
    UINT64 ctx = 0;
    uint32_t module = 0xFFFFFFFFu, reason = 0xFFFFFFFFu;
    uint64_t filterId = 0;
    (void)classifyContext;
    (void)filter;
    (void)flowContext;
    wk_win_tag_continue(classifyOut);
    if (nbl == NULL || inFixedValues == NULL || !g_wk.tagReady ||
        !NT_SUCCESS(FwpsNetBufferListRetrieveContext0(nbl, g_wk.nblTag, FALSE, 0, &ctx))) {
        return;
    }
    if (inMetaValues != NULL &&
        FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_DISCARD_REASON)) {
        module = (uint32_t)inMetaValues->discardMetadata.discardModule;
        reason = inMetaValues->discardMetadata.discardReason;
        if (inMetaValues->discardMetadata.discardModule == FWPS_DISCARD_MODULE_GENERAL) {
            filterId = inMetaValues->discardMetadata.filterId;
        }
    }
    (void)wk_tag_discarded(&g_wk.core, ctx, inFixedValues->layerId, module, reason, filterId);
}

/* ---- load and unload --------------------------------------------------------------- */

#if !(defined(WK_SIMULATED) && WK_SIMULATED)
/* FwpsNetBufferListAssociateContext1 exists from Windows 8 on. A kernel driver's imports
 * are bound at load, so importing it would keep the driver from loading on Windows 7, and
 * MmGetSystemRoutineAddress resolves only ntoskrnl and HAL exports. So: find the image
 * fwpkclnt.sys is loaded at from a function this driver already imports from it
 * (...AssociateContext0; through the import thunk `jmp [rip+disp32]` the linker places in
 * our image), with RtlPcToFileHeader (an ntoskrnl export, itself resolved with
 * MmGetSystemRoutineAddress so nothing new is imported), and look the name up in that
 * image's export directory. Any inconsistency gives NULL: the driver uses ...Context0. */
typedef PVOID(NTAPI *wk_win_pc_to_header_fn)(PVOID pc, PVOID *base);

static ULONG wk_win_u32(const UCHAR *p)
{
    return (ULONG)p[0] | ((ULONG)p[1] << 8) | ((ULONG)p[2] << 16) | ((ULONG)p[3] << 24);
}

static wk_win_associate1_fn wk_win_resolve_associate1(void)
{
    UNICODE_STRING name;
    wk_win_pc_to_header_fn pcToHeader;
    const UCHAR *fn = (const UCHAR *)(ULONG_PTR)&FwpsNetBufferListAssociateContext0;
    const UCHAR *base = NULL;
    ULONG nt, expRva, expSize, count, names, funcs, ords, i;
    static const char wanted[] = "FwpsNetBufferListAssociateContext1";

    RtlInitUnicodeString(&name, L"RtlPcToFileHeader");
    pcToHeader = (wk_win_pc_to_header_fn)(ULONG_PTR)MmGetSystemRoutineAddress(&name);
    if (pcToHeader == NULL) {
        return NULL;
    }
    if (fn[0] == 0xFF && fn[1] == 0x25) { /* import thunk: jmp qword ptr [rip + disp32] */
        LONG disp = (LONG)wk_win_u32(fn + 2);
        fn = *(const UCHAR *const *)(fn + 6 + disp);
    }
    if (pcToHeader((PVOID)(ULONG_PTR)fn, (PVOID *)&base) == NULL || base == NULL ||
        base[0] != 'M' || base[1] != 'Z') {
        return NULL;
    }
    nt = wk_win_u32(base + 0x3C);
    if (wk_win_u32(base + nt) != 0x00004550u /* "PE\0\0" */ ||
        (base[nt + 24] | (base[nt + 25] << 8)) != 0x20B /* PE32+ */) {
        return NULL;
    }
    expRva = wk_win_u32(base + nt + 24 + 112);  /* DataDirectory[EXPORT] */
    expSize = wk_win_u32(base + nt + 24 + 116);
    if (expRva == 0 || expSize == 0) {
        return NULL;
    }
    count = wk_win_u32(base + expRva + 24); /* NumberOfNames */
    funcs = wk_win_u32(base + expRva + 28);
    names = wk_win_u32(base + expRva + 32);
    ords = wk_win_u32(base + expRva + 36);
    for (i = 0; i < count; i++) {
        const char *s = (const char *)(base + wk_win_u32(base + names + 4u * i));
        ULONG k = 0, rva;
        USHORT ord;
        while (wanted[k] != 0 && s[k] == wanted[k]) {
            k++;
        }
        if (wanted[k] != 0 || s[k] != 0) {
            continue;
        }
        ord = (USHORT)(base[ords + 2u * i] | (base[ords + 2u * i + 1u] << 8));
        rva = wk_win_u32(base + funcs + 4u * ord);
        if (rva == 0 || (rva >= expRva && rva < expRva + expSize)) {
            return NULL; /* absent, or a forwarder */
        }
        return (wk_win_associate1_fn)(ULONG_PTR)(base + rva);
    }
    return NULL;
}
#endif

/* PASSIVE_LEVEL, DriverEntry, before the core: one tag for this load, the Associate
 * variant. Returns the FeatureFlags to report. */
uint32_t wk_win_tagging_init(void)
{
    uint32_t features = WK_FEATURE_FLAGS_IPPACKET_LAYERS;
    KeInitializeEvent(&g_wk.tagsDrained, NotificationEvent, FALSE);
    g_wk.nblTag = FwpsNetBufferListGetTagForContext0();
#if defined(WK_SIMULATED) && WK_SIMULATED
    /* libwfpsim implements both; WK_SIMULATED_ASSOCIATE0=1 exercises the fallback. */
#if defined(WK_SIMULATED_ASSOCIATE0) && WK_SIMULATED_ASSOCIATE0
    g_wk.associate1 = NULL;
#else
    g_wk.associate1 = FwpsNetBufferListAssociateContext1;
#endif
#else
    g_wk.associate1 = wk_win_resolve_associate1();
#endif
    if (g_wk.associate1 != NULL) {
        features |= WK_FEATURE_FLAGS_ASSOCIATE_CONTEXT1;
    }
    g_wk.tagReady = TRUE;
    return features;
}

/* Unload, PASSIVE_LEVEL, after wk_core_begin_unload (nothing new is tagged) and before the
 * callouts are unregistered: remove our context from every NBL that carries it and wait,
 * bounded (100 rounds of at most 100 ms: 10 s), until every ledger entry retired (each
 * removal raises CONTEXT_REMOVED, which retires the entry). A classify that reserved an
 * entry before unloading began may still associate it, so the removal repeats while
 * entries remain. Returns TRUE when the ledger is empty. */
BOOLEAN wk_win_tags_remove_all(void)
{
    ULONG round;
    if (!g_wk.tagReady) {
        return TRUE;
    }
    for (round = 0; round < 100 && wk_tag_in_flight(&g_wk.core) != 0; round++) {
        LARGE_INTEGER wait;
        KeClearEvent(&g_wk.tagsDrained);
        (void)FwpsNetBufferListRemoveContext0(NULL, g_wk.nblTag, 0);
        if (wk_tag_in_flight(&g_wk.core) == 0) {
            break;
        }
        wait.QuadPart = -100 * 10000; /* 100 ms, relative */
        (void)KeWaitForSingleObject(&g_wk.tagsDrained, Executive, KernelMode, FALSE, &wait);
    }
    return wk_tag_in_flight(&g_wk.core) == 0 ? TRUE : FALSE;
}

/* Unload, PASSIVE_LEVEL, when wk_win_tags_remove_all gave up with tags still in flight.
 * DriverUnload cannot fail, and once it returns the I/O manager deletes the driver object
 * and unmaps the image as soon as nothing references it: a notify for one of these tags
 * would then jump into freed code. So the tags are stranded instead: the core (ledger,
 * sessions' bookkeeping) is not freed, and a reference on the device object (which holds
 * the driver object, which holds the image) keeps the code in memory after DriverUnload
 * returns and the device is deleted. The notify that retires the last stranded tag queues
 * a work item (allocated here, so nothing is allocated at DISPATCH_LEVEL); the work item
 * frees the core and drops the reference; the I/O manager's own reference on the device
 * object for the work item keeps the image until the routine has returned. Returns TRUE
 * when the core must be kept (FALSE: the ledger emptied meanwhile); then the unload calls
 * wk_win_tags_strand_done as its last step. Until then no release happens (a release while
 * the unload still runs would free the core under it). */
BOOLEAN wk_win_tags_strand(void)
{
#if !(defined(WK_SIMULATED) && WK_SIMULATED)
    PDEVICE_OBJECT device = g_wk.device;
    if (device == NULL) {
        return FALSE; /* DriverEntry failed before the device: no tag was ever associated */
    }
    ObReferenceObject(device);
    g_wk.releaseItem = IoAllocateWorkItem(device);
#endif
    if (!wk_tag_strand(&g_wk.core)) {
        /* The last removal came in between: nothing is stranded. */
#if !(defined(WK_SIMULATED) && WK_SIMULATED)
        if (g_wk.releaseItem != NULL) {
            IoFreeWorkItem((PIO_WORKITEM)g_wk.releaseItem);
            g_wk.releaseItem = NULL;
        }
        ObDereferenceObject(device);
#endif
        return FALSE;
    }
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, 0 /* DPFLTR_ERROR_LEVEL */,
               "wfpkit: %u tagged packets still in flight after 10 s: the driver stays in memory "
               "until they leave the stack\n",
               (unsigned)wk_tag_in_flight(&g_wk.core));
    return TRUE;
}

/* The last step of an unload that stranded tags: from now on the notify that retires the
 * last one releases the core and the image; it may have retired already. */
void wk_win_tags_strand_done(void)
{
    InterlockedExchange(&g_wk.tagsStranded, 1);
    wk_win_tags_check_release();
}
