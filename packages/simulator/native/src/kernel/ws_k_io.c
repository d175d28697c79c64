/*
 * ws_k_io.c - the I/O manager model: the linked driver's DRIVER_OBJECT, device objects and
 * symbolic links, IRPs and their completion/cancellation, the cancel-safe queue, and the
 * kernel32 look-alikes (CreateFileW, DeviceIoControl, CloseHandle, CancelIoEx) with a handle
 * table.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ws_k_internal.h"

/* The driver linked into this library (weak: a library without a driver still links). */
extern NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) __attribute__((weak));

#define WS_K_MAX_NAME 260

typedef struct ws_k_device {
    DEVICE_OBJECT dev; /* first: DEVICE_OBJECT* == ws_k_device* */
    struct ws_k_device *next;
    WCHAR name[WS_K_MAX_NAME];
    int admin_only;        /* SDDL admits only SY/BA */
    int open_handles;      /* file objects not yet closed (IRP_MJ_CLOSE) */
    int deleted;
} ws_k_device;

typedef struct ws_k_link {
    struct ws_k_link *next;
    WCHAR name[WS_K_MAX_NAME];
    WCHAR target[WS_K_MAX_NAME];
} ws_k_link;

typedef struct ws_k_handle ws_k_handle;

typedef struct ws_k_irp {
    IRP irp;
    IO_STACK_LOCATION stack;
    MDL mdl;
    int completed;
    int pins;            /* CancelIoEx is using it: keep it allocated */
    ws_k_handle *handle;
    struct ws_k_irp *next_inflight;
    /* DeviceIoControl's request */
    void *sysbuf;        /* METHOD_BUFFERED / DIRECT input copy (freed with the IRP) */
    void *out;           /* the caller's output buffer */
    uint32_t out_len;
    uint32_t method;
    WS_OVERLAPPED *ov;   /* the caller's OVERLAPPED (NULL: none) */
    ws_k_event *ev;      /* its hEvent, referenced while the IRP lives */
    int async;           /* overlapped handle + OVERLAPPED: the caller does not wait */
    int pending_returned; /* async: dispatch returned STATUS_PENDING; completion goes to the
                            completion thread */
    struct ws_k_irp *next_done;
} ws_k_irp;

struct ws_k_handle {
    uint64_t value;
    ws_k_device *dev;
    FILE_OBJECT *fo;
    ACCESS_MASK access;
    int overlapped;      /* opened with FILE_FLAG_OVERLAPPED */
    int sync_busy;       /* synchronous file object: a request holds the file object lock */
    int closed;          /* CloseHandle done (no new I/O) */
    int refs;            /* in-flight calls + 1 for the open handle */
    ws_k_irp *inflight;  /* IRPs dispatched and not completed */
    ws_k_handle *next;
};

static pthread_mutex_t g_io = PTHREAD_MUTEX_INITIALIZER; /* devices, links, handles, IRP state */
static pthread_cond_t g_io_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t g_cancel_lock = PTHREAD_MUTEX_INITIALIZER; /* the cancel spin lock */
static DRIVER_OBJECT *g_driver;
static int g_driver_state; /* 0 none, 1 loaded, 2 unload pending */
static ws_k_device *g_devices;
static ws_k_link *g_links;
static ws_k_handle *g_handles;
static uint64_t g_next_handle = 0x1000;
static int g_elevated = 1;

/* The completion thread (the I/O manager's completion APC for overlapped requests that
 * pended): copies METHOD_BUFFERED output back, writes the OVERLAPPED, signals hEvent. */
static pthread_cond_t g_done_cond = PTHREAD_COND_INITIALIZER;
static ws_k_irp *g_done_head, *g_done_tail;
static int g_done_started;

uint64_t ws_k_handle_value_next(void)
{
    return __atomic_fetch_add(&g_next_handle, 4, __ATOMIC_SEQ_CST);
}

void WfpsimSetCallerElevated(int elevated)
{
    __atomic_store_n(&g_elevated, elevated ? 1 : 0, __ATOMIC_SEQ_CST);
}

int ws_k_caller_elevated(void)
{
    return __atomic_load_n(&g_elevated, __ATOMIC_SEQ_CST);
}

/* ---- names ------------------------------------------------------------------------------- */
static size_t wlen(PCWSTR s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static WCHAR wlower(WCHAR c)
{
    return (c >= 'A' && c <= 'Z') ? (WCHAR)(c + 32) : c;
}

static int us_copy(WCHAR *dst, const UNICODE_STRING *us)
{
    if (!us || !us->Buffer || us->Length % 2 || us->Length / 2 >= WS_K_MAX_NAME)
        return 0;
    memcpy(dst, us->Buffer, us->Length);
    dst[us->Length / 2] = 0;
    return 1;
}

static int wieq(const WCHAR *a, const WCHAR *b)
{
    for (; *a && *b; a++, b++)
        if (wlower(*a) != wlower(*b))
            return 0;
    return *a == *b;
}

static int wprefix(const WCHAR *s, const char *p, const WCHAR **rest)
{
    for (; *p; p++, s++)
        if (wlower(*s) != wlower((WCHAR)(unsigned char)*p))
            return 0;
    *rest = s;
    return 1;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (!SourceString) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        DestinationString->Buffer = NULL;
        return;
    }
    size_t n = wlen(SourceString) * 2;
    if (n > 0xFFFC)
        n = 0xFFFC;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = (USHORT)(n + 2);
    DestinationString->Buffer = (PWSTR)SourceString;
}

/* ---- SDDL ----------------------------------------------------------------------------------- */
/* modelled: only the DACL's allow ACEs are read, and only the trustee SIDs SY, BA, WD, AU, IU;
 * a device admits a non-elevated caller when some allow ACE names WD, AU or IU. Access rights
 * in the ACEs are not distinguished. */
static int sddl_admin_only(PCUNICODE_STRING sddl)
{
    if (!sddl || !sddl->Buffer)
        return 0;
    size_t n = sddl->Length / 2;
    const WCHAR *s = sddl->Buffer;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '(')
            continue;
        /* (A;flags;rights;obj;inh;SID) -> the part after the fifth ';' */
        size_t j = i + 1, semis = 0;
        int allow = (j < n && s[j] == 'A' && j + 1 < n && s[j + 1] == ';');
        while (j < n && s[j] != ')') {
            if (s[j] == ';')
                semis++;
            j++;
            if (semis == 5)
                break;
        }
        if (allow && semis == 5 && j + 1 < n) {
            WCHAR a = s[j], b = s[j + 1];
            if ((a == 'W' && b == 'D') || (a == 'A' && b == 'U') || (a == 'I' && b == 'U'))
                return 0;
        }
    }
    return 1;
}

/* ---- devices and links ------------------------------------------------------------------------ */
static NTSTATUS create_device(PDRIVER_OBJECT DriverObject, ULONG ExtSize, PUNICODE_STRING DeviceName,
                              DEVICE_TYPE DeviceType, ULONG Characteristics, BOOLEAN Exclusive,
                              int admin_only, PDEVICE_OBJECT *DeviceObject)
{
    if (!DriverObject || !DeviceObject)
        return STATUS_INVALID_PARAMETER;
    *DeviceObject = NULL;
    size_t ext = (ExtSize + 15u) & ~(size_t)15u;
    ws_k_device *d = calloc(1, sizeof *d + ext);
    if (!d)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (DeviceName && !us_copy(d->name, DeviceName)) {
        free(d);
        return STATUS_OBJECT_NAME_INVALID;
    }
    pthread_mutex_lock(&g_io);
    for (ws_k_device *o = g_devices; o && DeviceName; o = o->next)
        if (o->name[0] && wieq(o->name, d->name)) {
            pthread_mutex_unlock(&g_io);
            free(d);
            return STATUS_OBJECT_NAME_COLLISION;
        }
    d->dev.Type = 3; /* IO_TYPE_DEVICE */
    d->dev.Size = (USHORT)(sizeof(DEVICE_OBJECT) + ExtSize);
    d->dev.DriverObject = DriverObject;
    d->dev.DeviceExtension = ExtSize ? (void *)(d + 1) : NULL;
    d->dev.DeviceType = DeviceType;
    d->dev.Characteristics = Characteristics;
    d->dev.Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
    d->dev.StackSize = 1;
    d->dev.NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = &d->dev;
    d->admin_only = admin_only;
    d->next = g_devices;
    g_devices = d;
    pthread_mutex_unlock(&g_io);
    *DeviceObject = &d->dev;
    return STATUS_SUCCESS;
}

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                        DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    /* modelled: a device without an SDDL gets the default security, which admits everyone. */
    return create_device(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics,
                         Exclusive, 0, DeviceObject);
}

NTSTATUS IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                              PDEVICE_OBJECT *DeviceObject)
{
    (void)DeviceClassGuid;
    if (!DefaultSDDLString || !DefaultSDDLString->Buffer)
        return STATUS_INVALID_PARAMETER;
    return create_device(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics,
                         Exclusive, sddl_admin_only(DefaultSDDLString), DeviceObject);
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    ws_k_device *d = (ws_k_device *)DeviceObject;
    pthread_mutex_lock(&g_io);
    ws_k_device **pp = &g_devices;
    while (*pp && *pp != d)
        pp = &(*pp)->next;
    if (!*pp) {
        pthread_mutex_unlock(&g_io);
        ws_k_bugcheck(0x7E, "IoDeleteDevice on an unknown device object");
    }
    PDRIVER_OBJECT drv = d->dev.DriverObject;
    PDEVICE_OBJECT *dp = &drv->DeviceObject;
    while (*dp && *dp != DeviceObject)
        dp = &(*dp)->NextDevice;
    if (*dp)
        *dp = DeviceObject->NextDevice;
    if (d->open_handles > 0) {
        /* modelled: Windows keeps the object until the last reference; the name goes now. */
        d->deleted = 1;
        d->name[0] = 0;
        pthread_mutex_unlock(&g_io);
        return;
    }
    *pp = d->next;
    pthread_mutex_unlock(&g_io);
    free(d);
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    ws_k_link *l = calloc(1, sizeof *l);
    if (!l)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (!us_copy(l->name, SymbolicLinkName) || !us_copy(l->target, DeviceName)) {
        free(l);
        return STATUS_OBJECT_NAME_INVALID;
    }
    pthread_mutex_lock(&g_io);
    for (ws_k_link *o = g_links; o; o = o->next)
        if (wieq(o->name, l->name)) {
            pthread_mutex_unlock(&g_io);
            free(l);
            return STATUS_OBJECT_NAME_COLLISION;
        }
    l->next = g_links;
    g_links = l;
    pthread_mutex_unlock(&g_io);
    return STATUS_SUCCESS;
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    WCHAR name[WS_K_MAX_NAME];
    if (!us_copy(name, SymbolicLinkName))
        return STATUS_OBJECT_NAME_INVALID;
    pthread_mutex_lock(&g_io);
    for (ws_k_link **pp = &g_links; *pp; pp = &(*pp)->next)
        if (wieq((*pp)->name, name)) {
            ws_k_link *l = *pp;
            *pp = l->next;
            pthread_mutex_unlock(&g_io);
            free(l);
            return STATUS_SUCCESS;
        }
    pthread_mutex_unlock(&g_io);
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

/* \DosDevices\X and \??\X and \GLOBAL??\X name the same link. */
static const WCHAR *link_leaf(const WCHAR *name)
{
    const WCHAR *rest;
    if (wprefix(name, "\\DosDevices\\", &rest) || wprefix(name, "\\??\\", &rest) ||
        wprefix(name, "\\GLOBAL??\\", &rest))
        return rest;
    return NULL;
}

/* g_io held. */
static ws_k_device *resolve_path(PCWSTR path)
{
    const WCHAR *leaf;
    const WCHAR *rest;
    if (wprefix(path, "\\\\.\\", &rest) || wprefix(path, "\\\\?\\", &rest))
        leaf = rest;
    else
        return NULL; /* modelled: only \\.\name device paths are resolved */
    for (ws_k_link *l = g_links; l; l = l->next) {
        const WCHAR *ll = link_leaf(l->name);
        if (ll && wieq(ll, leaf)) {
            for (ws_k_device *d = g_devices; d; d = d->next)
                if (!d->deleted && d->name[0] && wieq(d->name, l->target))
                    return d;
            return NULL;
        }
    }
    return NULL;
}

/* ---- IRPs ---------------------------------------------------------------------------------- */
static void done_enqueue_locked(ws_k_irp *w);

static ws_k_irp *irp_alloc(ws_k_handle *h, UCHAR major)
{
    ws_k_irp *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->irp.Type = 6; /* IO_TYPE_IRP */
    w->irp.Size = (USHORT)sizeof(IRP);
    w->irp.StackCount = 1;
    w->irp.CurrentLocation = 1;
    w->irp.RequestorMode = UserMode;
    w->irp.Tail.Overlay.CurrentStackLocation = &w->stack;
    w->irp.Tail.Overlay.OriginalFileObject = h->fo;
    w->irp.IoStatus.Status = STATUS_SUCCESS;
    w->stack.MajorFunction = major;
    w->stack.DeviceObject = &h->dev->dev;
    w->stack.FileObject = h->fo;
    w->handle = h;
    return w;
}

VOID IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    ws_k_irp *w = (ws_k_irp *)Irp;
    if (Irp->IoStatus.Status == STATUS_PENDING)
        ws_k_bugcheck(0x44, "IoCompleteRequest with STATUS_PENDING");
    if (Irp->CancelRoutine)
        ws_k_bugcheck(0x48, "IoCompleteRequest with a cancel routine still set (CANCEL_STATE_IN_COMPLETED_IRP)");
    pthread_mutex_lock(&g_io);
    if (w->completed) {
        pthread_mutex_unlock(&g_io);
        ws_k_bugcheck(0x44, "MULTIPLE_IRP_COMPLETE_REQUESTS");
    }
    w->completed = 1;
    if (w->async && w->pending_returned)
        done_enqueue_locked(w);
    pthread_cond_broadcast(&g_io_cond);
    pthread_mutex_unlock(&g_io);
}

/* Sends the IRP to the driver on the caller's thread; returns what the dispatch routine
 * returned. The IRP is on the handle's in-flight list until irp_wait / the completion thread
 * takes it off. */
static NTSTATUS irp_dispatch(ws_k_irp *w)
{
    ws_k_handle *h = w->handle;
    PDRIVER_OBJECT drv = h->dev->dev.DriverObject;
    PDRIVER_DISPATCH fn = drv->MajorFunction[w->stack.MajorFunction];
    pthread_mutex_lock(&g_io);
    w->next_inflight = h->inflight;
    h->inflight = w;
    pthread_mutex_unlock(&g_io);
    NTSTATUS ret;
    if (!fn) {
        w->irp.IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        w->irp.IoStatus.Information = 0;
        IoCompleteRequest(&w->irp, IO_NO_INCREMENT);
        ret = STATUS_INVALID_DEVICE_REQUEST;
    } else {
        ws_k_set_irql(PASSIVE_LEVEL);
        ret = fn(&h->dev->dev, &w->irp);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL)
            ws_k_bugcheck(0x4A, "dispatch routine returned at raised IRQL (IRQL_GT_ZERO_AT_SYSTEM_SERVICE)");
    }
    pthread_mutex_lock(&g_io);
    if (ret != STATUS_PENDING && !w->completed) {
        pthread_mutex_unlock(&g_io);
        ws_k_bugcheck(0xC9, "dispatch routine returned a status other than STATUS_PENDING without completing the IRP");
    }
    if (ret == STATUS_PENDING && !(w->stack.Control & SL_PENDING_RETURNED) && !w->completed)
        ws_k_violation("STATUS_PENDING returned without IoMarkIrpPending (major 0x%02x)", w->stack.MajorFunction);
    pthread_mutex_unlock(&g_io);
    return ret;
}

/* g_io held: waits until the IRP is completed and no CancelIoEx uses it, then takes it off the
 * handle's in-flight list. */
static void irp_wait_locked(ws_k_irp *w)
{
    while (!w->completed || w->pins)
        pthread_cond_wait(&g_io_cond, &g_io);
    for (ws_k_irp **pp = &w->handle->inflight; *pp; pp = &(*pp)->next_inflight)
        if (*pp == w) {
            *pp = w->next_inflight;
            break;
        }
}

/* Calls the driver and waits (the caller's thread) until the IRP is completed. */
static NTSTATUS irp_call(ws_k_irp *w)
{
    (void)irp_dispatch(w);
    pthread_mutex_lock(&g_io);
    irp_wait_locked(w);
    pthread_mutex_unlock(&g_io);
    return w->irp.IoStatus.Status;
}

/* ---- cancellation --------------------------------------------------------------------------- */
/* modelled: the cancel spin lock is a mutex; IoCancelIrp is internal (CancelIoEx, CloseHandle). */
static void cancel_irp(PIRP irp)
{
    pthread_mutex_lock(&g_cancel_lock);
    irp->Cancel = TRUE;
    PDRIVER_CANCEL routine = __atomic_exchange_n(&irp->CancelRoutine, (PDRIVER_CANCEL)NULL, __ATOMIC_SEQ_CST);
    if (routine) {
        irp->CancelIrql = PASSIVE_LEVEL;
        ws_k_set_irql(DISPATCH_LEVEL);
        /* the routine releases the cancel lock (ws_k_release_cancel_lock) */
        routine(IoGetCurrentIrpStackLocation(irp)->DeviceObject, irp);
        ws_k_set_irql(PASSIVE_LEVEL);
    } else {
        pthread_mutex_unlock(&g_cancel_lock);
    }
}

static void release_cancel_lock(KIRQL irql)
{
    pthread_mutex_unlock(&g_cancel_lock);
    ws_k_set_irql(irql);
}

/* ---- cancel-safe queue --------------------------------------------------------------------- */
static VOID csq_cancel_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    release_cancel_lock(Irp->CancelIrql);
    PIO_CSQ csq = (PIO_CSQ)Irp->Tail.Overlay.DriverContext[3];
    PIO_CSQ_IRP_CONTEXT ctx = NULL;
    if (csq && csq->Type == IO_TYPE_CSQ_IRP_CONTEXT) {
        ctx = (PIO_CSQ_IRP_CONTEXT)csq;
        csq = ctx->Csq;
    }
    KIRQL irql;
    csq->CsqAcquireLock(csq, &irql);
    csq->CsqRemoveIrp(csq, Irp);
    if (ctx)
        ctx->Irp = NULL;
    Irp->Tail.Overlay.DriverContext[3] = NULL;
    csq->CsqReleaseLock(csq, irql);
    csq->CsqCompleteCanceledIrp(csq, Irp);
}

NTSTATUS IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                         PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                         PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                         PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    Csq->Type = IO_TYPE_CSQ;
    Csq->CsqInsertIrp = CsqInsertIrp;
    Csq->CsqRemoveIrp = CsqRemoveIrp;
    Csq->CsqPeekNextIrp = CsqPeekNextIrp;
    Csq->CsqAcquireLock = CsqAcquireLock;
    Csq->CsqReleaseLock = CsqReleaseLock;
    Csq->CsqCompleteCanceledIrp = CsqCompleteCanceledIrp;
    Csq->ReservePointer = NULL;
    return STATUS_SUCCESS;
}

VOID IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context)
{
    KIRQL irql;
    Irp->Tail.Overlay.DriverContext[3] = Context ? (PVOID)Context : (PVOID)Csq;
    if (Context) {
        Context->Type = IO_TYPE_CSQ_IRP_CONTEXT;
        Context->Irp = Irp;
        Context->Csq = Csq;
    }
    Csq->CsqAcquireLock(Csq, &irql);
    Csq->CsqInsertIrp(Csq, Irp);
    IoMarkIrpPending(Irp);
    __atomic_store_n(&Irp->CancelRoutine, csq_cancel_routine, __ATOMIC_SEQ_CST);
    if (Irp->Cancel) {
        /* cancelled before the routine was set: take it back if the canceller has not */
        if (__atomic_exchange_n(&Irp->CancelRoutine, (PDRIVER_CANCEL)NULL, __ATOMIC_SEQ_CST)) {
            Csq->CsqRemoveIrp(Csq, Irp);
            if (Context)
                Context->Irp = NULL;
            Irp->Tail.Overlay.DriverContext[3] = NULL;
            Csq->CsqReleaseLock(Csq, irql);
            Csq->CsqCompleteCanceledIrp(Csq, Irp);
            return;
        }
    }
    Csq->CsqReleaseLock(Csq, irql);
}

PIRP IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context)
{
    KIRQL irql;
    PIRP irp = NULL;
    Csq->CsqAcquireLock(Csq, &irql);
    if (Context->Irp) {
        PIRP candidate = Context->Irp;
        if (__atomic_exchange_n(&candidate->CancelRoutine, (PDRIVER_CANCEL)NULL, __ATOMIC_SEQ_CST)) {
            Csq->CsqRemoveIrp(Csq, candidate);
            Context->Irp = NULL;
            candidate->Tail.Overlay.DriverContext[3] = NULL;
            irp = candidate;
        }
        /* else: being cancelled; the cancel routine completes it */
    }
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}

PIRP IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext)
{
    KIRQL irql;
    PIRP irp = NULL;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP cur = Csq->CsqPeekNextIrp(Csq, NULL, PeekContext);
    while (cur) {
        if (__atomic_exchange_n(&cur->CancelRoutine, (PDRIVER_CANCEL)NULL, __ATOMIC_SEQ_CST)) {
            Csq->CsqRemoveIrp(Csq, cur);
            PVOID dc = cur->Tail.Overlay.DriverContext[3];
            if (dc && ((PIO_CSQ_IRP_CONTEXT)dc)->Type == IO_TYPE_CSQ_IRP_CONTEXT)
                ((PIO_CSQ_IRP_CONTEXT)dc)->Irp = NULL;
            cur->Tail.Overlay.DriverContext[3] = NULL;
            irp = cur;
            break;
        }
        cur = Csq->CsqPeekNextIrp(Csq, cur, PeekContext); /* being cancelled: skip it */
    }
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}

PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
    (void)Priority;
    if (!Mdl)
        return NULL;
    return Mdl->MappedSystemVa ? Mdl->MappedSystemVa : (PVOID)((PCHAR)Mdl->StartVa + Mdl->ByteOffset);
}

/* ---- handles ---------------------------------------------------------------------------------- */
#define WS_K_INVALID_HANDLE ((void *)(intptr_t)-1)

/* g_io held; takes a reference. */
static ws_k_handle *handle_get_locked(void *value)
{
    for (ws_k_handle *h = g_handles; h; h = h->next)
        if (h->value == (uint64_t)(uintptr_t)value && !h->closed) {
            h->refs++;
            return h;
        }
    return NULL;
}

static void driver_unload_now(void);

/* Drops a reference; the last one sends IRP_MJ_CLOSE and frees the handle. */
static void handle_put(ws_k_handle *h)
{
    pthread_mutex_lock(&g_io);
    int last = --h->refs == 0;
    pthread_mutex_unlock(&g_io);
    if (!last)
        return;
    ws_k_irp *w = irp_alloc(h, IRP_MJ_CLOSE);
    if (w) {
        (void)irp_call(w);
        free(w);
    }
    pthread_mutex_lock(&g_io);
    for (ws_k_handle **pp = &g_handles; *pp; pp = &(*pp)->next)
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    ws_k_device *d = h->dev;
    d->open_handles--;
    int free_dev = d->deleted && d->open_handles == 0;
    if (free_dev)
        for (ws_k_device **pp = &g_devices; *pp; pp = &(*pp)->next)
            if (*pp == d) {
                *pp = d->next;
                break;
            }
    int unload = g_driver_state == 2;
    for (ws_k_device *o = g_devices; o && unload; o = o->next)
        if (o->open_handles > 0)
            unload = 0;
    pthread_mutex_unlock(&g_io);
    free(h->fo);
    free(h);
    if (free_dev)
        free(d);
    if (unload)
        driver_unload_now();
}

#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_ALL 0x10000000u
#define FILE_READ_DATA 0x0001u
#define FILE_WRITE_DATA 0x0002u
#define WS_FILE_FLAG_OVERLAPPED 0x40000000u

void *CreateFileW(const uint16_t *lpFileName, uint32_t dwDesiredAccess, uint32_t dwShareMode,
                  void *lpSecurityAttributes, uint32_t dwCreationDisposition, uint32_t dwFlagsAndAttributes,
                  void *hTemplateFile)
{
    (void)dwShareMode;
    (void)lpSecurityAttributes;
    (void)dwCreationDisposition;
    (void)hTemplateFile;
    if (!lpFileName) {
        ws_k_set_last_error(3); /* ERROR_PATH_NOT_FOUND */
        return WS_K_INVALID_HANDLE;
    }
    pthread_mutex_lock(&g_io);
    ws_k_device *d = resolve_path(lpFileName);
    NTSTATUS refuse = STATUS_SUCCESS;
    if (!d)
        refuse = STATUS_OBJECT_NAME_NOT_FOUND;
    else if (g_driver_state == 2)
        refuse = STATUS_DELETE_PENDING;
    else if (d->dev.Flags & DO_DEVICE_INITIALIZING)
        refuse = WS_K_STATUS_NO_SUCH_DEVICE; /* modelled: opening a device still initializing */
    else if (d->admin_only && !ws_k_caller_elevated())
        refuse = STATUS_ACCESS_DENIED;
    else if ((d->dev.Flags & DO_EXCLUSIVE) && d->open_handles > 0)
        refuse = STATUS_ACCESS_DENIED;
    if (refuse != STATUS_SUCCESS) {
        pthread_mutex_unlock(&g_io);
        ws_k_set_last_error(ws_k_status_to_win32(refuse));
        return WS_K_INVALID_HANDLE;
    }
    ws_k_handle *h = calloc(1, sizeof *h);
    FILE_OBJECT *fo = calloc(1, sizeof *fo);
    if (!h || !fo) {
        pthread_mutex_unlock(&g_io);
        free(h);
        free(fo);
        ws_k_set_last_error(8); /* ERROR_NOT_ENOUGH_MEMORY */
        return WS_K_INVALID_HANDLE;
    }
    fo->Type = 5; /* IO_TYPE_FILE */
    fo->Size = (CSHORT)sizeof(FILE_OBJECT);
    fo->DeviceObject = &d->dev;
    h->access = 0;
    if (dwDesiredAccess & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA))
        h->access |= FILE_READ_DATA;
    if (dwDesiredAccess & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA))
        h->access |= FILE_WRITE_DATA;
    fo->ReadAccess = (h->access & FILE_READ_DATA) ? 1 : 0;
    fo->WriteAccess = (h->access & FILE_WRITE_DATA) ? 1 : 0;
    h->dev = d;
    h->fo = fo;
    h->refs = 1;
    h->overlapped = (dwFlagsAndAttributes & WS_FILE_FLAG_OVERLAPPED) != 0;
    if (!h->overlapped)
        fo->Flags |= FO_SYNCHRONOUS_IO;
    h->value = ws_k_handle_value_next();
    d->open_handles++;
    pthread_mutex_unlock(&g_io);

    ws_k_irp *w = irp_alloc(h, IRP_MJ_CREATE);
    NTSTATUS st = w ? irp_call(w) : STATUS_INSUFFICIENT_RESOURCES;
    free(w);
    if (!NT_SUCCESS(st)) {
        pthread_mutex_lock(&g_io);
        d->open_handles--;
        pthread_mutex_unlock(&g_io);
        free(fo);
        free(h);
        ws_k_set_last_error(ws_k_status_to_win32(st));
        return WS_K_INVALID_HANDLE;
    }
    pthread_mutex_lock(&g_io);
    h->next = g_handles;
    g_handles = h;
    pthread_mutex_unlock(&g_io);
    ws_k_set_last_error(0);
    return (void *)(uintptr_t)h->value;
}

/* ---- synchronous file objects ---------------------------------------------------------------
 * A handle opened without FILE_FLAG_OVERLAPPED is a synchronous file object (FO_SYNCHRONOUS_IO):
 * the I/O manager serializes every request on it by taking a lock in the file object before it
 * dispatches the IRP and holding it until the request is complete, including the wait for an
 * IRP the driver pended. So while one thread's READ pends on such a handle, another thread's
 * DeviceIoControl on the same handle blocks until the READ completes.
 *   - Microsoft, "Getting your driver to handle more than one I/O request at a time" (WHDC,
 *     2007): "Otherwise, the I/O Manager serializes I/O requests by synchronizing through a lock
 *     in the file object before dispatching the IRP. Even if your application uses multiple
 *     threads, only one request at a time (per file handle) will get through."
 *   - CreateFileW, FILE_FLAG_OVERLAPPED (learn.microsoft.com/windows/win32/api/fileapi/
 *     nf-fileapi-createfilew): "If this flag is not specified, then I/O operations are
 *     serialized, even if the calls to the read and write functions specify an OVERLAPPED
 *     structure."
 *   - R. Chen, The Old New Thing, 2013-08-22, "All I/O on a synchronous file handle is
 *     serialized; that's why it's called a synchronous file handle" (DeviceIoControl included).
 * CancelIoEx and CloseHandle do not take the lock (CancelIoEx is how another thread unblocks a
 * synchronous request).
 * modelled: whether Windows' close path waits for the file object lock of a synchronous handle
 * is not documented; here CloseHandle sends IRP_MJ_CLEANUP at once. A request that was waiting
 * for the lock when the handle was closed fails with ERROR_INVALID_HANDLE instead of reaching
 * the driver after IRP_MJ_CLEANUP. */
static int sync_lock(ws_k_handle *h)
{
    pthread_mutex_lock(&g_io);
    while (h->sync_busy)
        pthread_cond_wait(&g_io_cond, &g_io);
    int ok = !h->closed;
    if (ok)
        h->sync_busy = 1;
    h->fo->Busy = (ULONG)ok;
    pthread_mutex_unlock(&g_io);
    return ok;
}

static void sync_unlock(ws_k_handle *h)
{
    pthread_mutex_lock(&g_io);
    h->sync_busy = 0;
    h->fo->Busy = 0;
    pthread_cond_broadcast(&g_io_cond);
    pthread_mutex_unlock(&g_io);
}

/* ---- completion of overlapped requests --------------------------------------------------------- */
/* The request's results reach the caller: METHOD_BUFFERED output copied back (unless the status
 * is an error), the OVERLAPPED written (InternalHigh, then Internal last, so a reader that sees
 * Internal != STATUS_PENDING sees the byte count and the data), hEvent signalled. */
static void irp_publish(ws_k_irp *w)
{
    NTSTATUS st = w->irp.IoStatus.Status;
    ULONG_PTR info = w->irp.IoStatus.Information;
    if (w->method == METHOD_BUFFERED && !NT_ERROR(st) && w->out_len && info) {
        if (info > w->out_len)
            ws_k_bugcheck(0xCB, "IoStatus.Information larger than the output buffer (METHOD_BUFFERED)");
        memcpy(w->out, w->sysbuf, info);
    }
    if (w->ov) {
        __atomic_store_n(&w->ov->InternalHigh, (uint64_t)info, __ATOMIC_RELAXED);
        __atomic_store_n(&w->ov->Internal, (uint64_t)(uint32_t)st, __ATOMIC_RELEASE);
    }
    if (w->ev)
        ws_k_event_signal(w->ev, 1);
}

static void irp_free(ws_k_irp *w)
{
    if (w->ev)
        ws_k_event_unref(w->ev);
    free(w->sysbuf);
    free(w);
}

static void *done_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_io);
    for (;;) {
        while (!g_done_head)
            pthread_cond_wait(&g_done_cond, &g_io);
        ws_k_irp *w = g_done_head;
        g_done_head = w->next_done;
        if (!g_done_head)
            g_done_tail = NULL;
        irp_wait_locked(w); /* completed; waits while a CancelIoEx still holds it */
        pthread_mutex_unlock(&g_io);
        ws_k_set_irql(PASSIVE_LEVEL);
        ws_k_handle *h = w->handle;
        irp_publish(w);
        irp_free(w);
        pthread_mutex_lock(&g_io);
        pthread_cond_broadcast(&g_io_cond); /* GetOverlappedResult without an event waits on it */
        pthread_mutex_unlock(&g_io);
        handle_put(h); /* the request's reference: may send the deferred IRP_MJ_CLOSE */
        pthread_mutex_lock(&g_io);
    }
    return NULL;
}

/* g_io held */
static int done_start_locked(void)
{
    if (g_done_started)
        return 1;
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    int ok = pthread_create(&t, &a, done_thread, NULL) == 0;
    pthread_attr_destroy(&a);
    g_done_started = ok;
    return ok;
}

/* g_io held */
static void done_enqueue_locked(ws_k_irp *w)
{
    w->next_done = NULL;
    if (g_done_tail)
        g_done_tail->next_done = w;
    else
        g_done_head = w;
    g_done_tail = w;
    pthread_cond_signal(&g_done_cond);
}

WS_BOOL DeviceIoControl(void *hDevice, uint32_t code, void *in, uint32_t inLen, void *out, uint32_t outLen,
                        uint32_t *bytesReturned, WS_OVERLAPPED *ov)
{
    pthread_mutex_lock(&g_io);
    ws_k_handle *h = handle_get_locked(hDevice);
    pthread_mutex_unlock(&g_io);
    if (!h) {
        ws_k_set_last_error(6);
        return 0;
    }
    if ((inLen && !in) || (outLen && !out)) {
        handle_put(h);
        ws_k_set_last_error(998); /* ERROR_NOACCESS */
        return 0;
    }
    if (h->overlapped && !ov) {
        /* modelled: the docs say a handle opened with FILE_FLAG_OVERLAPPED needs an OVERLAPPED
         * ("otherwise the function fails in unpredictable ways"); the model refuses the call. */
        handle_put(h);
        ws_k_set_last_error(87); /* ERROR_INVALID_PARAMETER */
        return 0;
    }
    ULONG access = (code >> 14) & 3, method = code & 3;
    if (((access & FILE_READ_ACCESS) && !(h->access & FILE_READ_DATA)) ||
        ((access & FILE_WRITE_ACCESS) && !(h->access & FILE_WRITE_DATA))) {
        handle_put(h);
        ws_k_set_last_error(5);
        return 0;
    }
    int async = h->overlapped; /* (ov != NULL here) */
    ws_k_event *ev = NULL;
    if (ov && ov->hEvent) {
        ev = ws_k_event_ref(ov->hEvent);
        if (!ev) {
            handle_put(h);
            ws_k_set_last_error(6);
            return 0;
        }
    }
    if (!async && !sync_lock(h)) {
        if (ev)
            ws_k_event_unref(ev);
        handle_put(h);
        ws_k_set_last_error(6);
        return 0;
    }
    ws_k_irp *w = irp_alloc(h, IRP_MJ_DEVICE_CONTROL);
    if (!w) {
        if (ev)
            ws_k_event_unref(ev);
        if (!async)
            sync_unlock(h);
        handle_put(h);
        ws_k_set_last_error(1450);
        return 0;
    }
    w->out = out;
    w->out_len = outLen;
    w->method = method;
    w->ov = ov;
    w->ev = ev;
    w->stack.Parameters.DeviceIoControl.IoControlCode = code;
    w->stack.Parameters.DeviceIoControl.InputBufferLength = inLen;
    w->stack.Parameters.DeviceIoControl.OutputBufferLength = outLen;
    int nomem = 0;
    if (method == METHOD_BUFFERED) {
        uint32_t n = inLen > outLen ? inLen : outLen;
        if (n) {
            w->sysbuf = calloc(1, n);
            nomem = !w->sysbuf;
            if (w->sysbuf && inLen)
                memcpy(w->sysbuf, in, inLen);
        }
        w->irp.AssociatedIrp.SystemBuffer = w->sysbuf;
    } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
        if (inLen) {
            w->sysbuf = malloc(inLen);
            nomem = !w->sysbuf;
            if (w->sysbuf)
                memcpy(w->sysbuf, in, inLen);
            w->irp.AssociatedIrp.SystemBuffer = w->sysbuf;
        }
        if (outLen) {
            /* modelled: the caller's buffer is "locked" and "mapped" as is */
            w->mdl.Size = (CSHORT)sizeof(MDL);
            w->mdl.MdlFlags = MDL_MAPPED_TO_SYSTEM_VA;
            w->mdl.StartVa = (PVOID)((uintptr_t)out & ~(uintptr_t)0xFFF);
            w->mdl.ByteOffset = (ULONG)((uintptr_t)out & 0xFFF);
            w->mdl.ByteCount = outLen;
            w->mdl.MappedSystemVa = out;
            w->irp.MdlAddress = &w->mdl;
        }
    } else {
        w->stack.Parameters.DeviceIoControl.Type3InputBuffer = in;
        w->irp.UserBuffer = out;
    }
    if (nomem) {
        irp_free(w);
        if (!async)
            sync_unlock(h);
        handle_put(h);
        ws_k_set_last_error(1450);
        return 0;
    }
    if (ov) {
        /* kernel32 marks the request pending before it is issued; the I/O manager resets the
         * event */
        __atomic_store_n(&ov->Internal, (uint64_t)(uint32_t)STATUS_PENDING, __ATOMIC_RELEASE);
        if (ev)
            ws_k_event_signal(ev, 0);
    }
    if (async) {
        pthread_mutex_lock(&g_io);
        int started = done_start_locked();
        pthread_mutex_unlock(&g_io);
        if (!started) {
            irp_free(w);
            handle_put(h);
            ws_k_set_last_error(1450);
            return 0;
        }
        w->async = 1;
    }
    NTSTATUS ret = irp_dispatch(w);
    if (async && ret == STATUS_PENDING) {
        /* The caller goes on; the completion thread publishes the result and drops the handle
         * reference once the driver completes the IRP (maybe already done). */
        pthread_mutex_lock(&g_io);
        w->pending_returned = 1;
        if (w->completed)
            done_enqueue_locked(w);
        pthread_mutex_unlock(&g_io);
        if (bytesReturned)
            *bytesReturned = 0;
        ws_k_set_last_error(997); /* ERROR_IO_PENDING */
        return 0;
    }
    /* Completed by the dispatch routine, or a synchronous handle: wait here (with the file
     * object lock held on a synchronous handle). */
    pthread_mutex_lock(&g_io);
    irp_wait_locked(w);
    pthread_mutex_unlock(&g_io);
    NTSTATUS st = w->irp.IoStatus.Status;
    ULONG_PTR info = w->irp.IoStatus.Information;
    if (NT_ERROR(st) && async) {
        /* modelled on the I/O manager: a request that fails before it pends does not touch the
         * OVERLAPPED or the event (Internal stays STATUS_PENDING) */
        w->ov = NULL;
        if (w->ev) {
            ws_k_event_unref(w->ev);
            w->ev = NULL;
        }
    }
    irp_publish(w);
    irp_free(w);
    if (!async)
        sync_unlock(h);
    handle_put(h);
    /* modelled: the byte count is reported unless the status is an error (NT_ERROR). */
    if (bytesReturned)
        *bytesReturned = NT_ERROR(st) ? 0 : (uint32_t)info;
    if (!NT_SUCCESS(st)) {
        ws_k_set_last_error(ws_k_status_to_win32(st));
        return 0;
    }
    ws_k_set_last_error(0);
    return 1;
}

WS_BOOL GetOverlappedResult(void *hFile, WS_OVERLAPPED *ov, uint32_t *bytes, WS_BOOL bWait)
{
    (void)hFile; /* modelled: like kernel32, only the OVERLAPPED (and its event) is consulted */
    if (!ov) {
        ws_k_set_last_error(998); /* ERROR_NOACCESS: Windows would fault */
        return 0;
    }
    if ((uint32_t)__atomic_load_n(&ov->Internal, __ATOMIC_ACQUIRE) == (uint32_t)STATUS_PENDING) {
        if (!bWait) {
            ws_k_set_last_error(996); /* ERROR_IO_INCOMPLETE */
            return 0;
        }
        if (ov->hEvent && WaitForSingleObject(ov->hEvent, 0xFFFFFFFFu) != 0)
            return 0; /* WaitForSingleObject set the error (e.g. a closed event handle) */
        /* no event (Windows waits on the file handle), or the event was signalled by someone
         * else: wait for the completion itself */
        pthread_mutex_lock(&g_io);
        while ((uint32_t)__atomic_load_n(&ov->Internal, __ATOMIC_ACQUIRE) == (uint32_t)STATUS_PENDING)
            pthread_cond_wait(&g_io_cond, &g_io);
        pthread_mutex_unlock(&g_io);
    }
    NTSTATUS st = (NTSTATUS)(uint32_t)__atomic_load_n(&ov->Internal, __ATOMIC_ACQUIRE);
    if (bytes)
        *bytes = (uint32_t)__atomic_load_n(&ov->InternalHigh, __ATOMIC_RELAXED);
    if (!NT_SUCCESS(st)) {
        ws_k_set_last_error(ws_k_status_to_win32(st));
        return 0;
    }
    ws_k_set_last_error(0);
    return 1;
}

WS_BOOL CancelIoEx(void *hFile, WS_OVERLAPPED *lpOverlapped)
{
    pthread_mutex_lock(&g_io);
    ws_k_handle *h = handle_get_locked(hFile);
    if (!h) {
        pthread_mutex_unlock(&g_io);
        ws_k_set_last_error(6);
        return 0;
    }
    /* Cancel each in-flight IRP once (all of the handle's, or the one issued with
     * lpOverlapped); IRPs stay allocated while in flight (their owner frees them only after
     * completion and pins == 0, under g_io). CancelIoEx does not wait for the cancelled
     * requests to complete. */
    int found = 0;
    for (;;) {
        ws_k_irp *target = NULL;
        for (ws_k_irp *w = h->inflight; w; w = w->next_inflight)
            if (!w->completed && !w->irp.Cancel && w->stack.MajorFunction == IRP_MJ_DEVICE_CONTROL &&
                (!lpOverlapped || w->ov == lpOverlapped)) {
                target = w;
                break;
            }
        if (!target)
            break;
        found = 1;
        target->irp.Cancel = TRUE; /* marks it as visited */
        target->pins++;
        pthread_mutex_unlock(&g_io);
        cancel_irp(&target->irp);
        pthread_mutex_lock(&g_io);
        target->pins--;
        pthread_cond_broadcast(&g_io_cond);
    }
    pthread_mutex_unlock(&g_io);
    handle_put(h);
    if (!found) {
        ws_k_set_last_error(1168); /* ERROR_NOT_FOUND */
        return 0;
    }
    ws_k_set_last_error(0);
    return 1;
}

WS_BOOL CloseHandle(void *hObject)
{
    pthread_mutex_lock(&g_io);
    ws_k_handle *h = handle_get_locked(hObject);
    if (h)
        h->closed = 1;
    pthread_cond_broadcast(&g_io_cond); /* requests waiting for the file object lock fail */
    pthread_mutex_unlock(&g_io);
    if (!h) {
        if (ws_k_event_close(hObject)) {
            ws_k_set_last_error(0);
            return 1;
        }
        ws_k_set_last_error(6);
        return 0;
    }
    /* IRP_MJ_CLEANUP: the driver completes the handle's pending IRPs (STATUS_CANCELLED). */
    ws_k_irp *w = irp_alloc(h, IRP_MJ_CLEANUP);
    if (w) {
        (void)irp_call(w);
        free(w);
    }
    /* modelled: IRP_MJ_CLOSE follows when the last IRP of the file object has completed
     * (the in-flight DeviceIoControl calls hold references), as Windows' deferred close. */
    handle_put(h); /* the call's reference */
    handle_put(h); /* the handle's own reference */
    ws_k_set_last_error(0);
    return 1;
}

uint32_t WfpsimOpenHandles(void)
{
    uint32_t n = 0;
    pthread_mutex_lock(&g_io);
    for (ws_k_handle *h = g_handles; h; h = h->next)
        n++;
    pthread_mutex_unlock(&g_io);
    return n + (uint32_t)ws_k_event_count();
}

/* ---- the driver ------------------------------------------------------------------------------- */
static void driver_unload_now(void)
{
    PDRIVER_OBJECT drv;
    pthread_mutex_lock(&g_io);
    drv = g_driver;
    pthread_mutex_unlock(&g_io);
    if (!drv)
        return;
    if (drv->DriverUnload) {
        ws_k_set_irql(PASSIVE_LEVEL);
        drv->DriverUnload(drv);
    }
    ws_k_timers_flush(); /* modelled: as if the driver had called KeFlushQueuedDpcs */
    pthread_mutex_lock(&g_io);
    for (ws_k_device *d = g_devices; d; d = d->next)
        if (d->dev.DriverObject == drv && !d->deleted)
            ws_k_violation("device object left after DriverUnload");
    for (ws_k_link *l = g_links; l; l = l->next)
        ws_k_violation("symbolic link left after DriverUnload");
    g_driver = NULL;
    g_driver_state = 0;
    pthread_mutex_unlock(&g_io);
    if (ws_k_callouts_registered())
        ws_k_violation("%u callout(s) still registered after DriverUnload (Windows would crash on the next classify)",
                       ws_k_callouts_registered());
    if (WfpsimPoolOutstanding(0) > 0)
        ws_k_violation("%lld pool block(s) not freed at unload", (long long)WfpsimPoolOutstanding(0));
    free(drv->DriverName.Buffer);
    free(drv);
}

uint32_t WfpsimDriverLoad(void)
{
    if (!DriverEntry)
        return (uint32_t)STATUS_NOT_FOUND;
    pthread_mutex_lock(&g_io);
    if (g_driver) {
        pthread_mutex_unlock(&g_io);
        return (uint32_t)WS_K_STATUS_IMAGE_ALREADY_LOADED;
    }
    DRIVER_OBJECT *drv = calloc(1, sizeof *drv);
    if (!drv) {
        pthread_mutex_unlock(&g_io);
        return (uint32_t)STATUS_INSUFFICIENT_RESOURCES;
    }
    drv->Type = 4; /* IO_TYPE_DRIVER */
    drv->Size = (CSHORT)sizeof(DRIVER_OBJECT);
    g_driver = drv;
    g_driver_state = 1;
    pthread_mutex_unlock(&g_io);

    static const char dn[] = "\\Driver\\wfpkit";
    static const char rp[] = "\\REGISTRY\\MACHINE\\SYSTEM\\CurrentControlSet\\Services\\wfpkit";
    WCHAR *name = calloc(sizeof dn, sizeof(WCHAR));
    WCHAR regbuf[sizeof rp];
    for (size_t i = 0; i < sizeof rp; i++)
        regbuf[i] = (WCHAR)rp[i];
    if (name)
        for (size_t i = 0; i < sizeof dn; i++)
            name[i] = (WCHAR)dn[i];
    RtlInitUnicodeString(&drv->DriverName, name);
    UNICODE_STRING reg;
    RtlInitUnicodeString(&reg, regbuf);
    drv->DriverInit = DriverEntry;
    ws_k_set_irql(PASSIVE_LEVEL);
    NTSTATUS st = DriverEntry(drv, &reg);
    pthread_mutex_lock(&g_io);
    if (NT_SUCCESS(st)) {
        /* the I/O manager clears DO_DEVICE_INITIALIZING on devices created in DriverEntry */
        for (PDEVICE_OBJECT d = drv->DeviceObject; d; d = d->NextDevice)
            d->Flags &= ~(ULONG)DO_DEVICE_INITIALIZING;
        pthread_mutex_unlock(&g_io);
        return (uint32_t)st;
    }
    g_driver = NULL;
    g_driver_state = 0;
    int left = drv->DeviceObject != NULL;
    pthread_mutex_unlock(&g_io);
    if (left)
        ws_k_violation("DriverEntry failed (0x%08x) and left device objects behind", (unsigned)st);
    free(name);
    free(drv);
    return (uint32_t)st;
}

uint32_t WfpsimDriverUnload(void)
{
    pthread_mutex_lock(&g_io);
    if (!g_driver || g_driver_state == 2) {
        int pending = g_driver_state == 2;
        pthread_mutex_unlock(&g_io);
        return pending ? (uint32_t)STATUS_PENDING : (uint32_t)STATUS_NOT_FOUND;
    }
    int open = 0;
    for (ws_k_device *d = g_devices; d; d = d->next)
        open += d->open_handles;
    if (open) {
        g_driver_state = 2;
        pthread_mutex_unlock(&g_io);
        return (uint32_t)STATUS_PENDING;
    }
    g_driver_state = 2;
    pthread_mutex_unlock(&g_io);
    driver_unload_now();
    return (uint32_t)STATUS_SUCCESS;
}

int WfpsimDriverState(void)
{
    pthread_mutex_lock(&g_io);
    int s = g_driver_state;
    pthread_mutex_unlock(&g_io);
    return s;
}
