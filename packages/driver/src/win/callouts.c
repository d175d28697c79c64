/*
 * callouts.c - the WFP callouts: FLOW_ESTABLISHED_V4/V6 (find the session by
 * filter->context, enter the flow in the table, associate the flow context with the
 * STREAM callout) and STREAM_V4/V6 (conditional on flow: count and inspect at most what
 * the classifier still wants), their flowDeleteFn, registration and the unload sweep.
 * The tagging callouts (transport, IP packet and their discard layers) are in tagging.c.
 *
 * classifyFn and flowDeleteFn run at IRQL <= DISPATCH_LEVEL; everything they call takes
 * only spin locks. No allocation here: the flow table, the classifier state and the copy
 * buffer were allocated at load.
 */
#include "wk_win.h"

static const GUID wk_win_keys[WK_WIN_CO_COUNT] = {
    WK_GUID_CALLOUT_FLOW_ESTABLISHED_V4,
    WK_GUID_CALLOUT_FLOW_ESTABLISHED_V6,
    WK_GUID_CALLOUT_STREAM_V4,
    WK_GUID_CALLOUT_STREAM_V6,
    WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V4,
    WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V6,
    WK_GUID_CALLOUT_INBOUND_TRANSPORT_V4,
    WK_GUID_CALLOUT_INBOUND_TRANSPORT_V6,
    WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V4,
    WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V6,
    WK_GUID_CALLOUT_INBOUND_IPPACKET_V4,
    WK_GUID_CALLOUT_INBOUND_IPPACKET_V6,
    WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V4_DISCARD,
    WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V6_DISCARD,
    WK_GUID_CALLOUT_INBOUND_TRANSPORT_V4_DISCARD,
    WK_GUID_CALLOUT_INBOUND_TRANSPORT_V6_DISCARD,
    WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V4_DISCARD,
    WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V6_DISCARD,
    WK_GUID_CALLOUT_INBOUND_IPPACKET_V4_DISCARD,
    WK_GUID_CALLOUT_INBOUND_IPPACKET_V6_DISCARD,
};

/* An inspection callout never decides: CONTINUE, and only if it may write the action. */
static void wk_win_continue(FWPS_CLASSIFY_OUT0 *out)
{
    if (out != NULL && (out->rights & FWPS_RIGHT_ACTION_WRITE) != 0) {
        out->actionType = FWP_ACTION_CONTINUE;
    }
}

/* A field of the classify values, if present and of the expected type. */
static const FWP_VALUE0 *wk_win_field(const FWPS_INCOMING_VALUES0 *in, UINT32 index,
                                      FWP_DATA_TYPE type)
{
    if (in == NULL || in->incomingValue == NULL || index >= in->valueCount ||
        in->incomingValue[index].value.type != type) {
        return NULL;
    }
    return &in->incomingValue[index].value;
}

/* The 5-tuple from FLOW_ESTABLISHED_V4/V6 values (same field order in both). */
static void wk_win_endpoints(const FWPS_INCOMING_VALUES0 *in, int v6, WK_FLOW_ENDPOINTS *ep)
{
    const FWP_VALUE0 *v;
    RtlZeroMemory(ep, sizeof *ep);
    ep->ipVersion = v6 ? 6 : 4;
    if ((v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_PROTOCOL, FWP_UINT8)) != NULL) {
        ep->ipProtocol = v->uint8;
    }
    if ((v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_DIRECTION, FWP_UINT32)) != NULL) {
        ep->direction = v->uint32 == FWP_DIRECTION_INBOUND ? WK_DIRECTION_INBOUND : WK_DIRECTION_OUTBOUND;
    }
    if ((v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT, FWP_UINT16)) != NULL) {
        ep->localPort = v->uint16;
    }
    if ((v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT, FWP_UINT16)) != NULL) {
        ep->remotePort = v->uint16;
    }
    if (v6) {
        v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS, FWP_BYTE_ARRAY16_TYPE);
        if (v != NULL && v->byteArray16 != NULL) {
            RtlCopyMemory(ep->localAddress, v->byteArray16->byteArray16, 16);
        }
        v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_ADDRESS, FWP_BYTE_ARRAY16_TYPE);
        if (v != NULL && v->byteArray16 != NULL) {
            RtlCopyMemory(ep->remoteAddress, v->byteArray16->byteArray16, 16);
        }
    } else {
        /* WFP gives IPv4 addresses as host-order UINT32; records hold network order. */
        UINT32 a;
        if ((v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS, FWP_UINT32)) != NULL) {
            a = v->uint32;
            ep->localAddress[0] = (UINT8)(a >> 24);
            ep->localAddress[1] = (UINT8)(a >> 16);
            ep->localAddress[2] = (UINT8)(a >> 8);
            ep->localAddress[3] = (UINT8)a;
        }
        if ((v = wk_win_field(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS, FWP_UINT32)) != NULL) {
            a = v->uint32;
            ep->remoteAddress[0] = (UINT8)(a >> 24);
            ep->remoteAddress[1] = (UINT8)(a >> 16);
            ep->remoteAddress[2] = (UINT8)(a >> 8);
            ep->remoteAddress[3] = (UINT8)a;
        }
    }
}

/* classifyFn of FLOW_ESTABLISHED_V4/V6. Called once per matching filter; <= DISPATCH. */
static void NTAPI wk_win_classify_flow(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                       const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                       void *layerData, const void *classifyContext,
                                       const FWPS_FILTER1 *filter, UINT64 flowContext,
                                       FWPS_CLASSIFY_OUT0 *classifyOut)
{
    wk_flow_params p;
    UINT64 ctx = 0;
    int v6;
    (void)layerData;
    (void)classifyContext;
    (void)flowContext;
    wk_win_continue(classifyOut);
    if (inFixedValues == NULL || inMetaValues == NULL || filter == NULL || g_wk.unloading ||
        !FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_FLOW_HANDLE)) {
        return;
    }
    v6 = inFixedValues->layerId == FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6;
    RtlZeroMemory(&p, sizeof p);
    p.flowHandle = inMetaValues->flowHandle;
    if (FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_PROCESS_ID)) {
        p.processId = inMetaValues->processId;
    }
    if (FWPS_IS_METADATA_FIELD_PRESENT(inMetaValues, FWPS_METADATA_FIELD_PROCESS_PATH) &&
        inMetaValues->processPath != NULL && inMetaValues->processPath->data != NULL) {
        p.appPath = inMetaValues->processPath->data;
        p.appPathBytes = inMetaValues->processPath->size; /* the core clips and cuts */
    }
    wk_win_endpoints(inFixedValues, v6, &p.endpoints);
    p.layerId = inFixedValues->layerId;
    p.streamLayerId = v6 ? FWPS_LAYER_STREAM_V6 : FWPS_LAYER_STREAM_V4;
    if (wk_flow_establish(&g_wk.core, filter->context, &p, &ctx) == WK_FLOW_NEW) {
        /* So the CONDITIONAL_ON_FLOW stream callout is called for this flow, and its
         * flowDeleteFn tells us when the flow ends. The value is index + generation. */
        NTSTATUS st = FwpsFlowAssociateContext0(p.flowHandle, p.streamLayerId,
                                                g_wk.calloutIds[v6 ? WK_WIN_CO_STREAM_V6
                                                                   : WK_WIN_CO_STREAM_V4],
                                                ctx);
        wk_flow_associated(&g_wk.core, ctx, NT_SUCCESS(st));
    }
}

/* FwpsCopyStreamDataToBuffer0 for the core: copies the first n bytes (n <= dataLength,
 * n <= the core's copy buffer) of the indication. */
static size_t wk_win_copy_stream(void *arg, void *dst, size_t n)
{
    const FWPS_STREAM_DATA0 *sd = (const FWPS_STREAM_DATA0 *)arg;
    SIZE_T copied = 0;
    if (n > sd->dataLength) {
        n = sd->dataLength;
    }
    if (n != 0) {
        FwpsCopyStreamDataToBuffer0(sd, dst, n, &copied);
    }
    return copied;
}

/* classifyFn of STREAM_V4/V6 (conditional on flow): <= DISPATCH_LEVEL. */
static void NTAPI wk_win_classify_stream(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                         const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                         void *layerData, const void *classifyContext,
                                         const FWPS_FILTER1 *filter, UINT64 flowContext,
                                         FWPS_CLASSIFY_OUT0 *classifyOut)
{
    FWPS_STREAM_CALLOUT_IO_PACKET0 *io = (FWPS_STREAM_CALLOUT_IO_PACKET0 *)layerData;
    const FWPS_STREAM_DATA0 *sd;
    UINT32 flags;
    uint8_t dir;
    int ended;
    (void)inFixedValues;
    (void)inMetaValues;
    (void)classifyContext;
    wk_win_continue(classifyOut);
    if (io == NULL) {
        return;
    }
    /* Inspect only: never hold, defer or drop data. */
    io->streamAction = FWPS_STREAM_ACTION_NONE;
    io->countBytesRequired = 0;
    io->countBytesEnforced = 0;
    sd = io->streamData;
    if (sd == NULL) {
        return;
    }
    flags = sd->flags;
    if ((flags & FWPS_STREAM_FLAG_SEND) != 0) {
        dir = WK_DIRECTION_OUTBOUND;
        ended = (flags & (FWPS_STREAM_FLAG_SEND_DISCONNECT | FWPS_STREAM_FLAG_SEND_ABORT)) != 0;
    } else {
        dir = WK_DIRECTION_INBOUND;
        ended = (flags & (FWPS_STREAM_FLAG_RECEIVE_DISCONNECT | FWPS_STREAM_FLAG_RECEIVE_ABORT)) != 0;
    }
    /* Called once per matching STREAM filter: the core acts on one of them per indication
     * (the filter of the flow's first session, or a shared filter with context 0). */
    (void)wk_flow_stream_filtered(&g_wk.core, flowContext, filter != NULL ? filter->context : 0, dir,
                                  (uint64_t)sd->dataLength, flags, ended, wk_win_copy_stream,
                                  (void *)(ULONG_PTR)sd);
}

/* flowDeleteFn of the STREAM callouts: the flow ended, or its context was removed at
 * unload. <= DISPATCH_LEVEL. */
static void NTAPI wk_win_flow_delete(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)
{
    int left;
    (void)calloutId;
    left = wk_flow_delete(&g_wk.core, flowContext, layerId);
    if (g_wk.unloading && left == 0) {
        KeSetEvent(&g_wk.flowsDrained, IO_NO_INCREMENT, FALSE);
    }
}

static NTSTATUS NTAPI wk_win_notify(FWPS_CALLOUT_NOTIFY_TYPE type, const GUID *filterKey,
                                    FWPS_FILTER1 *filter)
{
    (void)type;
    (void)filterKey;
    (void)filter;
    return STATUS_SUCCESS; /* filters may be added and deleted freely */
}

/* PASSIVE_LEVEL, from DriverEntry. */
NTSTATUS wk_win_callouts_register(PDEVICE_OBJECT device)
{
    ULONG i;
    for (i = 0; i < WK_WIN_CO_COUNT; i++) {
        FWPS_CALLOUT1 c;
        NTSTATUS st;
        int stream = i == WK_WIN_CO_STREAM_V4 || i == WK_WIN_CO_STREAM_V6;
        RtlZeroMemory(&c, sizeof c);
        c.calloutKey = wk_win_keys[i];
        c.flags = stream ? FWPS_CALLOUT_FLAG_CONDITIONAL_ON_FLOW : 0u;
        c.classifyFn = stream                          ? wk_win_classify_stream
                       : i >= WK_WIN_CO_FIRST_DISCARD    ? wk_win_classify_discard
                       : i >= WK_WIN_CO_OUT_TRANSPORT_V4 ? wk_win_classify_packet
                                                         : wk_win_classify_flow;
        c.notifyFn = wk_win_notify;
        c.flowDeleteFn = stream ? wk_win_flow_delete : NULL;
        st = FwpsCalloutRegister1(device, &c, &g_wk.calloutIds[i]);
        if (!NT_SUCCESS(st)) {
            DbgPrintEx(DPFLTR_IHVNETWORK_ID, 0 /* DPFLTR_ERROR_LEVEL */,
                       "wfpkit: FwpsCalloutRegister1 #%u failed 0x%08x\n", (unsigned)i, (unsigned)st);
            return st;
        }
        g_wk.registered[i] = TRUE;
    }
    return STATUS_SUCCESS;
}

/* Unload step 2, PASSIVE_LEVEL: remove every flow context and wait until every
 * flowDeleteFn ran. Remove returns STATUS_SUCCESS when flowDeleteFn already ran, and
 * STATUS_PENDING when a classify is in progress (flowDeleteFn runs when it ends). A flow
 * whose association was in flight when unloading began becomes live afterwards, so the
 * sweep repeats until the table is empty. */
void wk_win_flows_remove_all(void)
{
    ULONG round;
    for (round = 0; round < 100 && wk_flow_active(&g_wk.core) != 0; round++) {
        uint32_t cursor = 0;
        uint64_t handle;
        uint16_t layer;
        LARGE_INTEGER wait;
        KeClearEvent(&g_wk.flowsDrained);
        while (wk_flow_next_live(&g_wk.core, &cursor, &handle, &layer)) {
            UINT32 id = g_wk.calloutIds[layer == FWPS_LAYER_STREAM_V6 ? WK_WIN_CO_STREAM_V6
                                                                     : WK_WIN_CO_STREAM_V4];
            (void)FwpsFlowRemoveContext0(handle, layer, id);
        }
        if (wk_flow_active(&g_wk.core) == 0) {
            break;
        }
        wait.QuadPart = -100 * 10000; /* 100 ms, relative */
        (void)KeWaitForSingleObject(&g_wk.flowsDrained, Executive, KernelMode, FALSE, &wait);
    }
}

/* Unload step 3, PASSIVE_LEVEL. STATUS_DEVICE_BUSY means a context or a classify is
 * still there: retry for a while rather than unload under WFP's feet. */
void wk_win_callouts_unregister(void)
{
    ULONG i, tries;
    for (i = 0; i < WK_WIN_CO_COUNT; i++) {
        if (!g_wk.registered[i]) {
            continue;
        }
        for (tries = 0; tries < 50; tries++) {
            NTSTATUS st = FwpsCalloutUnregisterByKey0(&wk_win_keys[i]);
            LARGE_INTEGER wait;
            if (st != STATUS_DEVICE_BUSY) {
                break;
            }
            wait.QuadPart = -20 * 10000; /* 20 ms */
            KeClearEvent(&g_wk.flowsDrained);
            (void)KeWaitForSingleObject(&g_wk.flowsDrained, Executive, KernelMode, FALSE, &wait);
        }
        g_wk.registered[i] = FALSE;
    }
}
