/*
 * test_driver.c - a small WDM callout driver used only to test libwfpsim's kernel model
 * (NOT the wfpkit driver). It creates \Device\WfpsimTest with an SY/BA-only SDDL and the link
 * \DosDevices\WfpsimTest, answers the IOCTLs of test_driver.h, pends READ requests in a
 * cancel-safe queue and completes them from a timer DPC, and registers four callouts:
 *  - FLOW   (ALE_FLOW_ESTABLISHED_V4): associates a flow context for STREAM with STREAM_V4
 *  - STREAM (STREAM_V4, CONDITIONAL_ON_FLOW): copies the data, checks offsets and flags
 *  - TRANS  (OUTBOUND_TRANSPORT_V4): optionally tags the packet's NBL
 *  - TERM   (any layer, terminating): returns the action set with TD_IOCTL_SET_TERM
 *  - LIFECYCLE (test_driver.h td_lc_*): tags packets at the transport / IP packet layers (one
 *    context per packet, 1, 2, ... in tagging order), follows clones (move or copy), records every
 *    NBL notify event and every discard-layer classify, and at unload removes every context
 *    (RemoveContext0 with a NULL NBL) and waits for the removals before returning.
 */
#include <ntddk.h>
#include <wdmsec.h>
#include <ndis.h>
#include <fwpsk.h>
#include <fwpmk.h>

#include "test_driver.h"
#include "wfpsim/wfpsim_api.h"
#include "wfpsim/wfpsim_store.h"

#define TD_TAG 0x74446457u /* 'WdDt' */

typedef struct td_flow_ctx {
    UINT64 flowId;
    UINT64 bytes;
    UINT32 magic;
} td_flow_ctx;

static PDEVICE_OBJECT g_dev;
static IO_CSQ g_csq;
static LIST_ENTRY g_queue;
static KSPIN_LOCK g_queue_lock;
static KTIMER g_timer;
static KDPC g_dpc;
static UINT32 g_flow_id, g_stream_id, g_trans_id, g_term_id;
static volatile LONG g_term_action = FWP_ACTION_BLOCK;
static volatile LONG g_tagging;
static UINT64 g_tag;
static td_stats g_stats;
static KSPIN_LOCK g_stats_lock;

static const GUID k_flow = TD_GUID(1), k_stream = TD_GUID(2), k_trans = TD_GUID(3), k_term = TD_GUID(4);

UINT32 td_stream_callout_id(void);
UINT32 td_stream_callout_id(void)
{
    return g_stream_id;
}

td_stats *td_get_stats(void);
td_stats *td_get_stats(void)
{
    return &g_stats;
}

static void bump(uint64_t *c, uint64_t n)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_stats_lock, &irql);
    *c += n;
    KeReleaseSpinLock(&g_stats_lock, irql);
}

/* ---- CSQ ---- */
static VOID csq_insert(PIO_CSQ csq, PIRP irp)
{
    UNREFERENCED_PARAMETER(csq);
    InsertTailList(&g_queue, &irp->Tail.Overlay.ListEntry);
}
static VOID csq_remove(PIO_CSQ csq, PIRP irp)
{
    UNREFERENCED_PARAMETER(csq);
    RemoveEntryList(&irp->Tail.Overlay.ListEntry);
}
static PIRP csq_peek(PIO_CSQ csq, PIRP irp, PVOID peek)
{
    UNREFERENCED_PARAMETER(csq);
    PLIST_ENTRY e = irp ? irp->Tail.Overlay.ListEntry.Flink : g_queue.Flink;
    for (; e != &g_queue; e = e->Flink) {
        PIRP cand = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
        if (!peek || IoGetCurrentIrpStackLocation(cand)->FileObject == (PFILE_OBJECT)peek)
            return cand;
    }
    return NULL;
}
static VOID csq_acquire(PIO_CSQ csq, PKIRQL irql)
{
    UNREFERENCED_PARAMETER(csq);
    KeAcquireSpinLock(&g_queue_lock, irql);
}
static VOID csq_release(PIO_CSQ csq, KIRQL irql)
{
    UNREFERENCED_PARAMETER(csq);
    KeReleaseSpinLock(&g_queue_lock, irql);
}
static VOID csq_complete_canceled(PIO_CSQ csq, PIRP irp)
{
    UNREFERENCED_PARAMETER(csq);
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    bump(&g_stats.reads_cancelled, 1);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static VOID timer_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(a1);
    UNREFERENCED_PARAMETER(a2);
    PIRP irp = IoCsqRemoveNextIrp(&g_csq, NULL);
    if (!irp)
        return;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    ULONG n = 0;
    if (sl->Parameters.DeviceIoControl.OutputBufferLength >= 4) {
        UINT32 magic = TD_READ_MAGIC;
        RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, &magic, 4);
        n = 4;
    }
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = n;
    bump(&g_stats.reads_completed, 1);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* ---- callouts ---- */
static NTSTATUS NTAPI notify_fn(FWPS_CALLOUT_NOTIFY_TYPE type, const GUID *key, FWPS_FILTER1 *filter)
{
    UNREFERENCED_PARAMETER(type);
    UNREFERENCED_PARAMETER(key);
    UNREFERENCED_PARAMETER(filter);
    return STATUS_SUCCESS;
}

static void NTAPI flow_delete_fn(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)
{
    UNREFERENCED_PARAMETER(layerId);
    UNREFERENCED_PARAMETER(calloutId);
    td_flow_ctx *c = (td_flow_ctx *)(ULONG_PTR)flowContext;
    bump(&g_stats.flow_deletes, 1);
    KIRQL irql;
    KeAcquireSpinLock(&g_stats_lock, &irql);
    g_stats.contexts_live--;
    KeReleaseSpinLock(&g_stats_lock, irql);
    if (c && c->magic == 0x46435458u) {
        c->magic = 0;
        ExFreePoolWithTag(c, TD_TAG);
    }
}

static void NTAPI flow_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                void *layerData, const void *cctx, const FWPS_FILTER1 *filter, UINT64 flowContext,
                                FWPS_CLASSIFY_OUT0 *out)
{
    UNREFERENCED_PARAMETER(layerData);
    UNREFERENCED_PARAMETER(cctx);
    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(flowContext);
    bump(&g_stats.flow_classifies, 1);
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_PROCESS_ID))
        g_stats.last_process_id = meta->processId;
    const FWP_VALUE0 *app = &in->incomingValue[FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_APP_ID].value;
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_PROCESS_PATH) && meta->processPath &&
        app->type == FWP_BYTE_BLOB_TYPE && app->byteBlob && app->byteBlob->size == meta->processPath->size &&
        meta->processPath->size >= 2 && meta->processPath->data[meta->processPath->size - 2] == 0 &&
        meta->processPath->data[meta->processPath->size - 1] == 0)
        bump(&g_stats.path_ok, 1);
    if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_FLOW_HANDLE)) {
        td_flow_ctx *c = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof *c, TD_TAG);
        if (c) {
            c->flowId = meta->flowHandle;
            c->bytes = 0;
            c->magic = 0x46435458u;
            NTSTATUS st = FwpsFlowAssociateContext0(meta->flowHandle, FWPS_LAYER_STREAM_V4, g_stream_id,
                                                    (UINT64)(ULONG_PTR)c);
            if (NT_SUCCESS(st) && st != STATUS_OBJECT_NAME_EXISTS) {
                bump(&g_stats.contexts_associated, 1);
                bump(&g_stats.contexts_live, 1);
            } else {
                ExFreePoolWithTag(c, TD_TAG);
            }
        }
    }
    out->actionType = FWP_ACTION_CONTINUE;
}

static void NTAPI stream_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                  void *layerData, const void *cctx, const FWPS_FILTER1 *filter, UINT64 flowContext,
                                  FWPS_CLASSIFY_OUT0 *out)
{
    UNREFERENCED_PARAMETER(in);
    UNREFERENCED_PARAMETER(meta);
    UNREFERENCED_PARAMETER(cctx);
    UNREFERENCED_PARAMETER(filter);
    td_flow_ctx *c = (td_flow_ctx *)(ULONG_PTR)flowContext;
    if (!c || c->magic != 0x46435458u)
        bump(&g_stats.conditional_violations, 1);
    FWPS_STREAM_CALLOUT_IO_PACKET0 *io = layerData;
    FWPS_STREAM_DATA0 *sd = io->streamData;
    bump(&g_stats.stream_classifies, 1);
    if (sd->flags & (FWPS_STREAM_FLAG_RECEIVE_DISCONNECT | FWPS_STREAM_FLAG_SEND_DISCONNECT))
        bump(&g_stats.fin_seen, 1);
    if (sd->flags & (FWPS_STREAM_FLAG_RECEIVE_ABORT | FWPS_STREAM_FLAG_SEND_ABORT))
        bump(&g_stats.rst_seen, 1);
    if (sd->dataLength) {
        SIZE_T cap = sd->dataLength < 65536 ? sd->dataLength : 65536;
        UINT8 *buf = ExAllocatePoolWithTag(NonPagedPoolNx, cap, TD_TAG);
        if (buf) {
            SIZE_T got = 0;
            FwpsCopyStreamDataToBuffer0(sd, buf, cap, &got);
            /* compare with a walk of the NBL chain through NdisGetDataBuffer */
            SIZE_T off = 0;
            for (NET_BUFFER_LIST *nbl = sd->netBufferListChain; nbl && off < got; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
                for (NET_BUFFER *nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb && off < got; nb = NET_BUFFER_NEXT_NB(nb)) {
                    ULONG len = NET_BUFFER_DATA_LENGTH(nb);
                    UINT8 *tmp = ExAllocatePoolWithTag(NonPagedPoolNx, len ? len : 1, TD_TAG);
                    if (!tmp)
                        continue;
                    UINT8 *p = len ? NdisGetDataBuffer(nb, len, tmp, 1, 0) : tmp;
                    if (!p || (len && RtlCompareMemory(p, buf + off, len < got - off ? len : got - off) !=
                                          (len < got - off ? len : got - off)))
                        bump(&g_stats.copy_mismatch, 1);
                    off += len;
                    ExFreePoolWithTag(tmp, TD_TAG);
                }
            if (got != cap)
                bump(&g_stats.copy_mismatch, 1);
            ExFreePoolWithTag(buf, TD_TAG);
        }
        bump(&g_stats.stream_bytes, sd->dataLength);
        bump(&g_stats.stream_indications, 1);
        if (c && c->magic == 0x46435458u)
            c->bytes += sd->dataLength;
    }
    io->streamAction = FWPS_STREAM_ACTION_NONE;
    out->actionType = FWP_ACTION_CONTINUE;
}

static void NTAPI nbl_notify0(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *nnbl,
                              UINT16 layerId, UINT64 context, UINT64 tag)
{
    UNREFERENCED_PARAMETER(nbl);
    UNREFERENCED_PARAMETER(nnbl);
    UNREFERENCED_PARAMETER(layerId);
    UNREFERENCED_PARAMETER(context);
    if (ev == FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED && tag == g_tag)
        bump(&g_stats.context_removed_events, 1);
}

static void NTAPI trans_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                 void *layerData, const void *cctx, const FWPS_FILTER1 *filter, UINT64 flowContext,
                                 FWPS_CLASSIFY_OUT0 *out)
{
    UNREFERENCED_PARAMETER(meta);
    UNREFERENCED_PARAMETER(cctx);
    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(flowContext);
    bump(&g_stats.transport_classifies, 1);
    if (g_tagging && layerData) {
        NTSTATUS st = FwpsNetBufferListAssociateContext0((NET_BUFFER_LIST *)layerData, in->layerId, 0x1234, g_tag,
                                                         NULL, g_dev, nbl_notify0, 0);
        if (NT_SUCCESS(st))
            bump(&g_stats.tags_associated, 1);
    }
    out->actionType = FWP_ACTION_CONTINUE;
}

static void NTAPI term_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                void *layerData, const void *cctx, const FWPS_FILTER1 *filter, UINT64 flowContext,
                                FWPS_CLASSIFY_OUT0 *out)
{
    UNREFERENCED_PARAMETER(in);
    UNREFERENCED_PARAMETER(meta);
    UNREFERENCED_PARAMETER(layerData);
    UNREFERENCED_PARAMETER(cctx);
    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(flowContext);
    bump(&g_stats.term_classifies, 1);
    if (out->rights & FWPS_RIGHT_ACTION_WRITE || g_term_action == FWP_ACTION_BLOCK)
        out->actionType = (FWP_ACTION_TYPE)g_term_action;
}

/* ---- lifecycle: tag callouts at the transport and IP packet layers, discard callouts ------------ */
#define TD_LC_MAX 200000
const UINT16 td_lc_layers[TD_LC_LAYERS] = {
    FWPS_LAYER_OUTBOUND_TRANSPORT_V4, FWPS_LAYER_INBOUND_TRANSPORT_V4, FWPS_LAYER_OUTBOUND_IPPACKET_V4,
    FWPS_LAYER_INBOUND_IPPACKET_V4, FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD, FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD,
    FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD, FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD,
    FWPS_LAYER_OUTBOUND_TRANSPORT_V6, FWPS_LAYER_INBOUND_TRANSPORT_V6, FWPS_LAYER_OUTBOUND_IPPACKET_V6,
    FWPS_LAYER_INBOUND_IPPACKET_V6, FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD, FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD,
    FWPS_LAYER_OUTBOUND_IPPACKET_V6_DISCARD, FWPS_LAYER_INBOUND_IPPACKET_V6_DISCARD,
};
static td_lc_event *g_lc_log;
static LONG g_lc_n;
static KSPIN_LOCK g_lc_lock;
static UINT64 g_lc_tag, g_lc_seq;
static volatile LONG g_lc_mode;  /* tag mask | TD_LC_MODE_* */
static volatile LONG g_lc_inflight, g_lc_unloading;
static KEVENT g_lc_idle;
static volatile LONG g_lc_late; /* notify calls after the driver's unload returned */
static volatile LONG g_lc_loaded;
static volatile LONG g_lc_null_removed; /* CONTEXT_REMOVED with a NULL NBL (RemoveContext0(NULL)) */
static UINT32 g_lc_ids[TD_LC_LAYERS];
#define TD_LC_GUID(i) TD_GUID(0x10 + (i))

static void lc_record(const td_lc_event *e)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_lc_lock, &irql);
    if (g_lc_log && g_lc_n < TD_LC_MAX)
        g_lc_log[g_lc_n++] = *e;
    KeReleaseSpinLock(&g_lc_lock, irql);
}

static UINT64 lc_now(void)
{
    LARGE_INTEGER t;
    KeQuerySystemTime(&t);
    return (UINT64)t.QuadPart;
}

static void lc_notify_common(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *nnbl,
                             UINT16 layerId, UINT64 context, UINT64 tag);

static void NTAPI lc_notify0(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *nnbl,
                             UINT16 layerId, UINT64 context, UINT64 tag)
{
    lc_notify_common(ev, nbl, nnbl, layerId, context, tag);
}

static NTSTATUS NTAPI lc_notify1(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *nnbl,
                                 UINT16 layerId, UINT64 context, UINT64 tag)
{
    lc_notify_common(ev, nbl, nnbl, layerId, context, tag);
    return STATUS_SUCCESS;
}

static NTSTATUS lc_associate(NET_BUFFER_LIST *nbl, UINT16 layerId, UINT64 context)
{
    if (g_lc_mode & TD_LC_MODE_V1)
        return FwpsNetBufferListAssociateContext1(nbl, layerId, context, g_lc_tag, NULL, g_dev, lc_notify1, 0);
    return FwpsNetBufferListAssociateContext0(nbl, layerId, context, g_lc_tag, NULL, g_dev, lc_notify0, 0);
}

static void lc_notify_common(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *nbl, NET_BUFFER_LIST *nnbl,
                             UINT16 layerId, UINT64 context, UINT64 tag)
{
    if (!g_lc_loaded) {
        InterlockedIncrement(&g_lc_late);
        return;
    }
    if (tag != g_lc_tag)
        return;
    td_lc_event e;
    RtlZeroMemory(&e, sizeof e);
    e.kind = TD_LC_NOTIFY;
    e.type = (uint32_t)ev;
    e.layer = layerId;
    e.nbl_null = nbl == NULL;
    e.context = context;
    e.time = lc_now();
    e.nbl = (uint64_t)(uintptr_t)nbl;
    e.new_nbl = (uint64_t)(uintptr_t)nnbl;
    lc_record(&e);
    if ((ev == FWPS_NET_BUFFER_LIST_CLONED_BY_NETIO || ev == FWPS_NET_BUFFER_LIST_DUPLICATED_BY_NETIO) && nbl && nnbl) {
        UINT64 c = 0;
        /* a duplicate is always followed by a copy: the original NBL lives on with its context */
        if ((g_lc_mode & TD_LC_MODE_COPY) || ev == FWPS_NET_BUFFER_LIST_DUPLICATED_BY_NETIO) {
            if (NT_SUCCESS(FwpsNetBufferListRetrieveContext0(nbl, tag, FALSE, 0, &c)) &&
                NT_SUCCESS(lc_associate(nnbl, layerId, c | TD_LC_COPIED)))
                InterlockedIncrement(&g_lc_inflight);
        } else if (NT_SUCCESS(FwpsNetBufferListRetrieveContext0(nbl, tag, TRUE, 0, &c))) {
            if (!NT_SUCCESS(lc_associate(nnbl, layerId, c)) && InterlockedDecrement(&g_lc_inflight) == 0 &&
                g_lc_unloading)
                KeSetEvent(&g_lc_idle, 0, FALSE);
        }
    }
    if (ev == FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED && !nbl)
        InterlockedIncrement(&g_lc_null_removed);
    if (ev == FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED && InterlockedDecrement(&g_lc_inflight) == 0 && g_lc_unloading)
        KeSetEvent(&g_lc_idle, 0, FALSE);
}

/* The header expected at the layer's data offset, retreated as a driver does it. */
static uint32_t lc_check(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                         NET_BUFFER_LIST *nbl)
{
    NET_BUFFER *nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    ULONG back = 0;
    UINT16 want = 0;
    int ipver = 0;
    /* the V6 layers' field enums have the V4 positions */
    switch (in->layerId) {
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V4:
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V6:
        want = in->incomingValue[FWPS_FIELD_OUTBOUND_TRANSPORT_V4_IP_LOCAL_PORT].value.uint16;
        break;
    case FWPS_LAYER_INBOUND_TRANSPORT_V4:
    case FWPS_LAYER_INBOUND_TRANSPORT_V6:
        back = meta->transportHeaderSize;
        want = in->incomingValue[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_PORT].value.uint16;
        break;
    case FWPS_LAYER_OUTBOUND_IPPACKET_V4:
    case FWPS_LAYER_OUTBOUND_IPPACKET_V6:
        ipver = in->layerId == FWPS_LAYER_OUTBOUND_IPPACKET_V4 ? 4 : 6;
        break;
    case FWPS_LAYER_INBOUND_IPPACKET_V4:
    case FWPS_LAYER_INBOUND_IPPACKET_V6:
        back = meta->ipHeaderSize;
        ipver = in->layerId == FWPS_LAYER_INBOUND_IPPACKET_V4 ? 4 : 6;
        break;
    default:
        return 0;
    }
    if (back && NdisRetreatNetBufferDataStart(nb, back, 0, NULL) != NDIS_STATUS_SUCCESS)
        return 2;
    UINT8 tmp[2];
    UINT8 *p = NdisGetDataBuffer(nb, 2, tmp, 1, 0);
    uint32_t ok = 2;
    if (p && ipver)
        ok = (p[0] >> 4) == ipver ? 1 : 2;
    else if (p)
        ok = (UINT16)((p[0] << 8) | p[1]) == want ? 1 : 2;
    if (back)
        NdisAdvanceNetBufferDataStart(nb, back, FALSE, NULL);
    return ok;
}

static void NTAPI lc_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                              void *layerData, const void *cctx, const FWPS_FILTER1 *filter, UINT64 flowContext,
                              FWPS_CLASSIFY_OUT0 *out)
{
    UNREFERENCED_PARAMETER(cctx);
    UNREFERENCED_PARAMETER(filter);
    UNREFERENCED_PARAMETER(flowContext);
    out->actionType = FWP_ACTION_CONTINUE;
    NET_BUFFER_LIST *nbl = layerData;
    if (!nbl || !g_lc_tag)
        return;
    int slot = -1;
    for (int i = 0; i < TD_LC_LAYERS; i++)
        if (td_lc_layers[i] == in->layerId)
            slot = i;
    td_lc_event e;
    RtlZeroMemory(&e, sizeof e);
    e.layer = in->layerId;
    e.time = lc_now();
    e.nbl = (uint64_t)(uintptr_t)nbl;
    if (slot & 4) {
        e.kind = TD_LC_DISCARD;
        e.type = (uint32_t)meta->discardMetadata.discardModule;
        e.reason = meta->discardMetadata.discardReason;
        e.filter_id = meta->discardMetadata.filterId;
        e.check = FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_DISCARD_REASON) ? 1 : 0;
        UINT64 c = 0;
        if (NT_SUCCESS(FwpsNetBufferListRetrieveContext0(nbl, g_lc_tag, FALSE, 0, &c)))
            e.context = c;
        lc_record(&e);
        return;
    }
    if (slot < 0 || !(g_lc_mode & (1 << (slot & 3))) || g_lc_unloading)
        return;
    UINT64 c = 0;
    if (NT_SUCCESS(FwpsNetBufferListRetrieveContext0(nbl, g_lc_tag, FALSE, 0, &c)))
        return; /* tagged at an earlier layer already */
    e.kind = TD_LC_TAGGED;
    e.context = ++g_lc_seq;
    e.check = lc_check(in, meta, nbl);
    InterlockedIncrement(&g_lc_inflight);
    if (!NT_SUCCESS(lc_associate(nbl, in->layerId, e.context))) {
        InterlockedDecrement(&g_lc_inflight);
        return;
    }
    lc_record(&e);
}

/* Test controls (exported from libwfpsim_testdrv for the koffi tests too). */
#define TD_EXPORT __attribute__((visibility("default")))
TD_EXPORT void td_lc_configure(uint32_t mode);
TD_EXPORT void td_lc_configure(uint32_t mode)
{
    if (!g_lc_tag)
        g_lc_tag = FwpsNetBufferListGetTagForContext0();
    KIRQL irql;
    KeAcquireSpinLock(&g_lc_lock, &irql);
    if (!g_lc_log)
        g_lc_log = ExAllocatePoolWithTag(NonPagedPoolNx, TD_LC_MAX * sizeof(td_lc_event), TD_TAG);
    g_lc_n = 0;
    g_lc_seq = 0;
    g_lc_null_removed = 0;
    KeReleaseSpinLock(&g_lc_lock, irql);
    InterlockedExchange(&g_lc_mode, (LONG)mode);
}
TD_EXPORT uint32_t td_lc_events(td_lc_event *out, uint32_t max);
TD_EXPORT uint32_t td_lc_events(td_lc_event *out, uint32_t max)
{
    KIRQL irql;
    KeAcquireSpinLock(&g_lc_lock, &irql);
    uint32_t n = (uint32_t)g_lc_n;
    if (out)
        for (uint32_t i = 0; i < n && i < max; i++)
            out[i] = g_lc_log[i];
    KeReleaseSpinLock(&g_lc_lock, irql);
    return n;
}
TD_EXPORT int32_t td_lc_inflight(void);
TD_EXPORT int32_t td_lc_inflight(void)
{
    return g_lc_inflight;
}
TD_EXPORT int32_t td_lc_late_callbacks(void);
TD_EXPORT int32_t td_lc_late_callbacks(void)
{
    return g_lc_late;
}
TD_EXPORT int32_t td_lc_null_removals(void);
TD_EXPORT int32_t td_lc_null_removals(void)
{
    return g_lc_null_removed;
}
TD_EXPORT uint32_t td_lc_callout_id(uint32_t i);
TD_EXPORT uint32_t td_lc_callout_id(uint32_t i)
{
    return i < TD_LC_LAYERS ? g_lc_ids[i] : 0;
}

/* For the koffi tests: a dynamic engine session with the eight lifecycle callouts' filters, and a
 * BLOCK filter at each FWPS layer id given in blockLayers (0xFFFF = none). Returns the id of the
 * last block filter (or 1 without one), 0 on failure. td_lc_uninstall closes the session. */
static WS_HANDLE g_lc_engine;
TD_EXPORT uint64_t td_lc_install(uint32_t blockLayerA, uint32_t blockLayerB);
TD_EXPORT uint64_t td_lc_install(uint32_t blockLayerA, uint32_t blockLayerB)
{
    static uint16_t name[] = u"wfpsim lifecycle test";
    WS_FWPM_SESSION0 session;
    RtlZeroMemory(&session, sizeof session);
    session.flags = WS_FWPM_SESSION_FLAG_DYNAMIC;
    if (g_lc_engine || FwpmEngineOpen0(NULL, 10, NULL, &session, &g_lc_engine) != 0)
        return 0;
    uint64_t last = 1;
    for (int i = 0; i < TD_LC_LAYERS; i++) {
        GUID k = TD_LC_GUID(i);
        WS_FWPM_CALLOUT0 c;
        RtlZeroMemory(&c, sizeof c);
        RtlCopyMemory(&c.calloutKey, &k, sizeof k);
        c.displayData.name = name;
        c.applicableLayer = *ws_layer_by_id(td_lc_layers[i])->key;
        uint32_t cid = 0;
        (void)FwpmCalloutAdd0(g_lc_engine, &c, NULL, &cid);
        WS_FWPM_FILTER0 f;
        RtlZeroMemory(&f, sizeof f);
        f.displayData.name = name;
        f.layerKey = c.applicableLayer;
        f.action.type = WS_FWP_ACTION_CALLOUT_INSPECTION;
        RtlCopyMemory(&f.action.calloutKey, &k, sizeof k);
        uint64_t fid = 0;
        if (FwpmFilterAdd0(g_lc_engine, &f, NULL, &fid) != 0)
            return 0;
    }
    uint32_t blocks[2] = { blockLayerA, blockLayerB };
    for (int i = 0; i < 2; i++) {
        if (blocks[i] == 0xFFFF)
            continue;
        const ws_layer_info *li = ws_layer_by_id((uint16_t)blocks[i]);
        if (!li)
            return 0;
        WS_FWPM_FILTER0 f;
        RtlZeroMemory(&f, sizeof f);
        f.displayData.name = name;
        f.layerKey = *li->key;
        f.action.type = WS_FWP_ACTION_BLOCK;
        if (FwpmFilterAdd0(g_lc_engine, &f, NULL, &last) != 0)
            return 0;
    }
    return last;
}
TD_EXPORT void td_lc_uninstall(void);
TD_EXPORT void td_lc_uninstall(void)
{
    if (g_lc_engine)
        FwpmEngineClose0(g_lc_engine);
    g_lc_engine = NULL;
}

/* Unload: every context removed (CONTEXT_REMOVED, NULL NBL) and waited for before returning. */
static void lc_unload(void)
{
    if (g_lc_tag) {
        InterlockedExchange(&g_lc_unloading, 1);
        KeClearEvent(&g_lc_idle);
        if (g_lc_inflight > 0) {
            FwpsNetBufferListRemoveContext0(NULL, g_lc_tag, 0);
            while (g_lc_inflight > 0) {
                LARGE_INTEGER timeout;
                timeout.QuadPart = -10000LL * 100; /* 100 ms, then look again */
                KeWaitForSingleObject(&g_lc_idle, Executive, KernelMode, FALSE, &timeout);
            }
        }
    }
    for (int i = 0; i < TD_LC_LAYERS; i++) {
        GUID k = TD_LC_GUID(i);
        FwpsCalloutUnregisterByKey0(&k);
    }
    if (g_lc_log)
        ExFreePoolWithTag(g_lc_log, TD_TAG);
    g_lc_log = NULL;
    g_lc_tag = 0;
    InterlockedExchange(&g_lc_unloading, 0);
    InterlockedExchange(&g_lc_loaded, 0);
}

static NTSTATUS register_callout(const GUID *key, UINT32 flags, FWPS_CALLOUT_CLASSIFY_FN1 fn, UINT32 *id)
{
    FWPS_CALLOUT1 c;
    RtlZeroMemory(&c, sizeof c);
    c.calloutKey = *key;
    c.flags = flags;
    c.classifyFn = fn;
    c.notifyFn = notify_fn;
    c.flowDeleteFn = flow_delete_fn;
    return FwpsCalloutRegister1(g_dev, &c, id);
}

/* ---- dispatch ---- */
static NTSTATUS complete(PIRP irp, NTSTATUS st, ULONG_PTR info)
{
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
}

static NTSTATUS dispatch_create_close(PDEVICE_OBJECT dev, PIRP irp)
{
    UNREFERENCED_PARAMETER(dev);
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    if (sl->MajorFunction == IRP_MJ_CREATE)
        bump(&g_stats.creates, 1);
    else if (sl->MajorFunction == IRP_MJ_CLOSE)
        bump(&g_stats.closes, 1);
    return complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS dispatch_cleanup(PDEVICE_OBJECT dev, PIRP irp)
{
    UNREFERENCED_PARAMETER(dev);
    PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(irp)->FileObject;
    PIRP pending;
    while ((pending = IoCsqRemoveNextIrp(&g_csq, fo)) != NULL) {
        bump(&g_stats.reads_cancelled, 1);
        complete(pending, STATUS_CANCELLED, 0);
    }
    bump(&g_stats.cleanups, 1);
    return complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS dispatch_ioctl(PDEVICE_OBJECT dev, PIRP irp)
{
    UNREFERENCED_PARAMETER(dev);
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
    ULONG code = sl->Parameters.DeviceIoControl.IoControlCode;
    ULONG inLen = sl->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLen = sl->Parameters.DeviceIoControl.OutputBufferLength;
    UINT8 *buf = irp->AssociatedIrp.SystemBuffer;
    UINT32 arg = 0;
    if (inLen >= 4 && buf)
        RtlCopyMemory(&arg, buf, 4);
    switch (code) {
    case TD_IOCTL_ECHO: {
        if (outLen < inLen)
            return complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
        for (ULONG i = 0; i < inLen / 2; i++) {
            UINT8 t = buf[i];
            buf[i] = buf[inLen - 1 - i];
            buf[inLen - 1 - i] = t;
        }
        return complete(irp, STATUS_SUCCESS, inLen);
    }
    case TD_IOCTL_FILL_DIRECT: {
        if (!irp->MdlAddress || inLen < 1)
            return complete(irp, STATUS_INVALID_PARAMETER, 0);
        UINT8 *o = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
        ULONG n = MmGetMdlByteCount(irp->MdlAddress);
        for (ULONG i = 0; i < n; i++)
            o[i] = (UINT8)(buf[0] + i);
        return complete(irp, STATUS_SUCCESS, n);
    }
    case TD_IOCTL_READ:
        IoCsqInsertIrp(&g_csq, irp, NULL);
        return STATUS_PENDING;
    case TD_IOCTL_ARM_TIMER: {
        LARGE_INTEGER due;
        due.QuadPart = -(LONGLONG)arg * 10000;
        KeSetTimer(&g_timer, due, &g_dpc);
        return complete(irp, STATUS_SUCCESS, 0);
    }
    case TD_IOCTL_STATS:
        if (outLen < sizeof(td_stats))
            return complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
        RtlCopyMemory(buf, &g_stats, sizeof(td_stats));
        return complete(irp, STATUS_SUCCESS, sizeof(td_stats));
    case TD_IOCTL_WRITE_ONLY:
        return complete(irp, STATUS_SUCCESS, 0);
    case TD_IOCTL_SET_TERM:
        InterlockedExchangeAdd64((LONG64 volatile *)&g_stats.creates, 0);
        InterlockedCompareExchange(&g_term_action, (LONG)arg, g_term_action);
        return complete(irp, STATUS_SUCCESS, 0);
    case TD_IOCTL_FAIL:
        return complete(irp, (NTSTATUS)arg, 0);
    case TD_IOCTL_TAG_CONFIG:
        if (!g_tag)
            g_tag = FwpsNetBufferListGetTagForContext0();
        InterlockedCompareExchange(&g_tagging, (LONG)arg, g_tagging);
        return complete(irp, STATUS_SUCCESS, 0);
    default:
        return complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static VOID driver_unload(PDRIVER_OBJECT drv)
{
    UNREFERENCED_PARAMETER(drv);
    UNICODE_STRING link;
    KeCancelTimer(&g_timer);
    FwpsCalloutUnregisterByKey0(&k_flow);
    FwpsCalloutUnregisterByKey0(&k_stream);
    FwpsCalloutUnregisterByKey0(&k_trans);
    FwpsCalloutUnregisterByKey0(&k_term);
    lc_unload();
    RtlInitUnicodeString(&link, L"\\DosDevices\\WfpsimTest");
    IoDeleteSymbolicLink(&link);
    IoDeleteDevice(g_dev);
    g_dev = NULL;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING reg);
NTSTATUS DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING reg)
{
    UNREFERENCED_PARAMETER(reg);
    UNICODE_STRING name, link, sddl;
    RtlZeroMemory(&g_stats, sizeof g_stats);
    RtlInitUnicodeString(&name, L"\\Device\\WfpsimTest");
    RtlInitUnicodeString(&link, L"\\DosDevices\\WfpsimTest");
    RtlInitUnicodeString(&sddl, L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
    NTSTATUS st = IoCreateDeviceSecure(drv, 0, &name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &sddl,
                                       NULL, &g_dev);
    if (!NT_SUCCESS(st))
        return st;
    st = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(st)) {
        IoDeleteDevice(g_dev);
        return st;
    }
    KeInitializeSpinLock(&g_queue_lock);
    KeInitializeSpinLock(&g_stats_lock);
    InitializeListHead(&g_queue);
    IoCsqInitialize(&g_csq, csq_insert, csq_remove, csq_peek, csq_acquire, csq_release, csq_complete_canceled);
    KeInitializeTimer(&g_timer);
    KeInitializeDpc(&g_dpc, timer_dpc, NULL);
    drv->MajorFunction[IRP_MJ_CREATE] = dispatch_create_close;
    drv->MajorFunction[IRP_MJ_CLOSE] = dispatch_create_close;
    drv->MajorFunction[IRP_MJ_CLEANUP] = dispatch_cleanup;
    drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_ioctl;
    drv->DriverUnload = driver_unload;
    g_dev->Flags |= DO_BUFFERED_IO;
    if (!NT_SUCCESS(st = register_callout(&k_flow, 0, flow_classify, &g_flow_id)) ||
        !NT_SUCCESS(st = register_callout(&k_stream, FWPS_CALLOUT_FLAG_CONDITIONAL_ON_FLOW, stream_classify, &g_stream_id)) ||
        !NT_SUCCESS(st = register_callout(&k_trans, 0, trans_classify, &g_trans_id)) ||
        !NT_SUCCESS(st = register_callout(&k_term, 0, term_classify, &g_term_id))) {
        driver_unload(drv);
        return st;
    }
    KeInitializeSpinLock(&g_lc_lock);
    KeInitializeEvent(&g_lc_idle, NotificationEvent, FALSE);
    g_lc_inflight = 0;
    for (int i = 0; i < TD_LC_LAYERS; i++) {
        GUID k = TD_LC_GUID(i);
        if (!NT_SUCCESS(st = register_callout(&k, 0, lc_classify, &g_lc_ids[i]))) {
            driver_unload(drv);
            return st;
        }
    }
    InterlockedExchange(&g_lc_loaded, 1);
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "wfpsim test driver loaded\n");
    return STATUS_SUCCESS;
}
