/*
 * irp.c - IRP handling: one session per open handle, IOCTLs through the core
 * dispatcher, and the pended READ_EVENTS in a cancel-safe queue completed by a DPC.
 *
 * A pended read ends in exactly one of these ways, each completing the IRP once:
 *   records arrive / STOP      core -> wk_plat_session_wake -> KeSetTimer(now) -> DPC
 *   timeout                    the timer set at pend time -> DPC (TIMED_OUT)
 *   CancelIo / thread exit     I/O manager -> CSQ -> wk_win_csq_complete_canceled
 *   handle closed              IRP_MJ_CLEANUP removes it from the CSQ, STATUS_CANCELLED
 * The DPC and cleanup take the IRP out with IoCsqRemoveNextIrp, so a race between them
 * and the cancel routine is settled by the CSQ: whoever removes it completes it.
 */
#include "wk_win.h"

#include <stddef.h>

#include "session.h"

#define WK_WIN_SESSION_OF(csqPtr) \
    ((wk_win_session *)(void *)((char *)(csqPtr) - offsetof(wk_win_session, csq)))

/* ---- cancel-safe queue of one IRP (csqLock, DISPATCH_LEVEL) ---- */

static VOID NTAPI wk_win_csq_insert(PIO_CSQ csq, PIRP irp)
{
    WK_WIN_SESSION_OF(csq)->pending = irp; /* the dispatcher allows one read at a time */
}

static VOID NTAPI wk_win_csq_remove(PIO_CSQ csq, PIRP irp)
{
    wk_win_session *s = WK_WIN_SESSION_OF(csq);
    if (s->pending == irp) {
        s->pending = NULL;
    }
}

static PIRP NTAPI wk_win_csq_peek(PIO_CSQ csq, PIRP irp, PVOID peekContext)
{
    wk_win_session *s = WK_WIN_SESSION_OF(csq);
    (void)peekContext;
    /* After `irp` there is nothing: the queue holds at most one. */
    return irp == NULL ? s->pending : NULL;
}

static VOID NTAPI wk_win_csq_acquire(PIO_CSQ csq, PKIRQL irql)
{
    KeAcquireSpinLock(&WK_WIN_SESSION_OF(csq)->csqLock, irql);
}

static VOID NTAPI wk_win_csq_release(PIO_CSQ csq, KIRQL irql)
{
    KeReleaseSpinLock(&WK_WIN_SESSION_OF(csq)->csqLock, irql);
}

/* The I/O was cancelled while queued. <= DISPATCH_LEVEL, no lock held. */
static VOID NTAPI wk_win_csq_complete_canceled(PIO_CSQ csq, PIRP irp)
{
    wk_win_session *s = WK_WIN_SESSION_OF(csq);
    wk_session_read_cancelled(&g_wk.core, s->slot);
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* The output of a METHOD_OUT_DIRECT request: the MDL's system address (NULL if none or
 * it cannot be mapped) and the usable length. <= DISPATCH_LEVEL. */
static void *wk_win_direct_out(PIRP irp, ULONG declared, ULONG *len)
{
    void *p;
    ULONG mdlBytes;
    *len = 0;
    if (irp->MdlAddress == NULL || declared == 0) {
        return NULL;
    }
    p = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
    if (p == NULL) {
        return NULL;
    }
    mdlBytes = MmGetMdlByteCount(irp->MdlAddress);
    *len = declared < mdlBytes ? declared : mdlBytes;
    return p;
}

/* Completes a pended read (the IRP was removed from the CSQ). DISPATCH_LEVEL or below;
 * no lock held. */
static void wk_win_complete_read(wk_win_session *s, PIRP irp, int timedOut)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    ULONG outLen;
    void *out = wk_win_direct_out(irp, sp->Parameters.DeviceIoControl.OutputBufferLength, &outLen);
    uint32_t bytes = 0;
    NTSTATUS st;
    if (out == NULL) {
        wk_session_read_cancelled(&g_wk.core, s->slot);
        st = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        st = (NTSTATUS)wk_session_complete_read(&g_wk.core, s->slot, out, outLen, timedOut, &bytes);
    }
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = NT_SUCCESS(st) ? bytes : 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* The session timer's DPC (DISPATCH_LEVEL): a wake or the timeout. */
static VOID NTAPI wk_win_session_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    wk_win_session *s = (wk_win_session *)context;
    int ready, timedOut;
    PIRP irp;
    (void)dpc;
    (void)arg1;
    (void)arg2;
    ready = wk_session_read_ready(&g_wk.core, s->slot);
    timedOut = !ready && s->deadline != 0 && KeQueryInterruptTime() >= s->deadline;
    if (!ready && !timedOut) {
        if (s->deadline != 0) {
            /* A wake replaced the timeout, or nothing is ready yet: wait the rest. */
            LARGE_INTEGER due;
            due.QuadPart = -(LONGLONG)(s->deadline - KeQueryInterruptTime());
            KeSetTimer(&s->timer, due, &s->dpc);
        }
        return;
    }
    irp = IoCsqRemoveNextIrp(&s->csq, NULL);
    if (irp != NULL) {
        wk_win_complete_read(s, irp, timedOut);
    }
}

void wk_win_sessions_init(void)
{
    ULONG i;
    for (i = 0; i < WK_MAX_SESSIONS; i++) {
        wk_win_session *s = &g_wk.sessions[i];
        s->slot = i;
        s->pending = NULL;
        s->deadline = 0;
        KeInitializeSpinLock(&s->csqLock);
        KeInitializeTimer(&s->timer);
        KeInitializeDpc(&s->dpc, wk_win_session_dpc, s);
        IoCsqInitialize(&s->csq, wk_win_csq_insert, wk_win_csq_remove, wk_win_csq_peek,
                        wk_win_csq_acquire, wk_win_csq_release, wk_win_csq_complete_canceled);
    }
}

/* Unload: no handle is open any more (the I/O manager unloads only then); make sure no
 * timer or DPC of ours can still run once the image is gone. PASSIVE_LEVEL. */
void wk_win_sessions_stop(void)
{
    ULONG i;
    for (i = 0; i < WK_MAX_SESSIONS; i++) {
        KeCancelTimer(&g_wk.sessions[i].timer);
    }
    KeFlushQueuedDpcs();
}

static NTSTATUS wk_win_finish(PIRP irp, NTSTATUS st, ULONG_PTR info)
{
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
}

/* The session slot of a handle: FsContext holds slot + 1 (0 = none). */
static int wk_win_slot_of(PIRP irp, uint32_t *slot)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    ULONG_PTR v;
    if (sp->FileObject == NULL) {
        return 0;
    }
    v = (ULONG_PTR)sp->FileObject->FsContext;
    if (v == 0 || v > WK_MAX_SESSIONS) {
        return 0;
    }
    *slot = (uint32_t)(v - 1u);
    return 1;
}

/* IRP_MJ_CREATE, PASSIVE_LEVEL: a new session for the new handle. */
NTSTATUS NTAPI wk_win_create(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    uint32_t slot;
    wk_status st;
    (void)device;
    if (g_wk.unloading || sp->FileObject == NULL) {
        return wk_win_finish(irp, STATUS_INVALID_DEVICE_STATE, 0);
    }
    st = wk_session_open(&g_wk.core, &slot); /* INSUFFICIENT_RESOURCES above MAX_SESSIONS */
    if (st != WK_STATUS_SUCCESS) {
        return wk_win_finish(irp, (NTSTATUS)st, 0);
    }
    sp->FileObject->FsContext = (PVOID)(ULONG_PTR)(slot + 1u);
    return wk_win_finish(irp, STATUS_SUCCESS, 0);
}

/* IRP_MJ_CLEANUP, PASSIVE_LEVEL: the last user handle closed: end the pended read. */
NTSTATUS NTAPI wk_win_cleanup(PDEVICE_OBJECT device, PIRP irp)
{
    uint32_t slot;
    (void)device;
    if (wk_win_slot_of(irp, &slot)) {
        wk_win_session *s = &g_wk.sessions[slot];
        PIRP pending = IoCsqRemoveNextIrp(&s->csq, NULL);
        KeCancelTimer(&s->timer);
        if (pending != NULL) {
            wk_session_read_cancelled(&g_wk.core, slot);
            pending->IoStatus.Status = STATUS_CANCELLED;
            pending->IoStatus.Information = 0;
            IoCompleteRequest(pending, IO_NO_INCREMENT);
        }
    }
    return wk_win_finish(irp, STATUS_SUCCESS, 0);
}

/* IRP_MJ_CLOSE, PASSIVE_LEVEL: the file object goes away: free the session. */
NTSTATUS NTAPI wk_win_close(PDEVICE_OBJECT device, PIRP irp)
{
    uint32_t slot;
    (void)device;
    if (wk_win_slot_of(irp, &slot)) {
        wk_session_close(&g_wk.core, slot);
        IoGetCurrentIrpStackLocation(irp)->FileObject->FsContext = NULL;
    }
    return wk_win_finish(irp, STATUS_SUCCESS, 0);
}

/* Queues a READ_EVENTS the dispatcher said must wait, and arms its timeout. */
static NTSTATUS wk_win_pend_read(uint32_t slot, PIRP irp, uint32_t timeoutMs)
{
    wk_win_session *s = &g_wk.sessions[slot];
    LARGE_INTEGER due;
    due.QuadPart = 0;
    IoMarkIrpPending(irp);
    if (timeoutMs != WK_WAIT_FOREVER) {
        s->deadline = KeQueryInterruptTime() + (ULONG64)timeoutMs * 10000u;
        if (s->deadline == 0) {
            s->deadline = 1;
        }
        due.QuadPart = -(LONGLONG)timeoutMs * 10000; /* relative, 100 ns units */
    } else {
        s->deadline = 0;
    }
    IoCsqInsertIrp(&s->csq, irp, NULL);
    /* Records may have arrived (or STOP happened) between the dispatcher's decision and
     * the insert: their wake found no IRP. Fire the DPC now if so; else arm the timeout. */
    if (wk_session_read_ready(&g_wk.core, slot)) {
        due.QuadPart = -1;
        KeSetTimer(&s->timer, due, &s->dpc);
    } else if (s->deadline != 0) {
        KeSetTimer(&s->timer, due, &s->dpc);
    }
    return STATUS_PENDING;
}

/* IRP_MJ_DEVICE_CONTROL, PASSIVE_LEVEL. Buffers by method: BUFFERED in/out share the
 * SystemBuffer; OUT_DIRECT has input in the SystemBuffer and output in the MDL. Every
 * length check and field check is the core dispatcher's (dispatch.h). */
NTSTATUS NTAPI wk_win_device_control(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
    ULONG inLen = sp->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLen = sp->Parameters.DeviceIoControl.OutputBufferLength;
    uint32_t slot = WK_MAX_SESSIONS; /* GET_VERSION works without one */
    wk_dispatch_io io;
    wk_status st;
    (void)device;

    (void)wk_win_slot_of(irp, &slot);
    RtlZeroMemory(&io, sizeof io);
    io.inLen = inLen;
    switch (code & 3u) {
    case 0: /* METHOD_BUFFERED */
        io.in = inLen != 0 ? irp->AssociatedIrp.SystemBuffer : NULL;
        io.out = outLen != 0 ? irp->AssociatedIrp.SystemBuffer : NULL;
        io.outLen = outLen;
        break;
    case 2: { /* METHOD_OUT_DIRECT */
        ULONG mapped;
        io.in = inLen != 0 ? irp->AssociatedIrp.SystemBuffer : NULL;
        io.out = wk_win_direct_out(irp, outLen, &mapped);
        if (io.out == NULL && outLen != 0 && irp->MdlAddress != NULL) {
            return wk_win_finish(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        io.outLen = io.out != NULL ? mapped : 0;
        break;
    }
    default: /* IN_DIRECT / NEITHER: no wfpkit IOCTL uses them; never touch the buffers */
        io.in = NULL;
        io.out = NULL;
        io.outLen = 0;
        io.inLen = 0;
        break;
    }
    st = wk_dispatch_ioctl(&g_wk.core, slot, code, &io);
    if (st == WK_STATUS_PENDING) {
        return wk_win_pend_read(slot, irp, io.pendTimeoutMs);
    }
    return wk_win_finish(irp, (NTSTATUS)st, NT_SUCCESS((NTSTATUS)st) ? io.info : 0);
}
