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
} ws_k_irp;

struct ws_k_handle {
    uint64_t value;
    ws_k_device *dev;
    FILE_OBJECT *fo;
    ACCESS_MASK access;
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
    pthread_cond_broadcast(&g_io_cond);
    pthread_mutex_unlock(&g_io);
}

/* Calls the driver and waits (the caller's thread) until the IRP is completed. */
static NTSTATUS irp_call(ws_k_irp *w)
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
    while (!w->completed || w->pins)
        pthread_cond_wait(&g_io_cond, &g_io);
    for (ws_k_irp **pp = &h->inflight; *pp; pp = &(*pp)->next_inflight)
        if (*pp == w) {
            *pp = w->next_inflight;
            break;
        }
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

void *CreateFileW(const uint16_t *lpFileName, uint32_t dwDesiredAccess, uint32_t dwShareMode,
                  void *lpSecurityAttributes, uint32_t dwCreationDisposition, uint32_t dwFlagsAndAttributes,
                  void *hTemplateFile)
{
    (void)dwShareMode;
    (void)lpSecurityAttributes;
    (void)dwCreationDisposition;
    (void)dwFlagsAndAttributes;
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
    h->value = g_next_handle;
    g_next_handle += 4;
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

WS_BOOL DeviceIoControl(void *hDevice, uint32_t code, void *in, uint32_t inLen, void *out, uint32_t outLen,
                        uint32_t *bytesReturned, void *lpOverlapped)
{
    if (lpOverlapped) {
        /* modelled: only synchronous handles (no FILE_FLAG_OVERLAPPED) */
        ws_k_set_last_error(87);
        return 0;
    }
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
    ULONG access = (code >> 14) & 3, method = code & 3;
    if (((access & FILE_READ_ACCESS) && !(h->access & FILE_READ_DATA)) ||
        ((access & FILE_WRITE_ACCESS) && !(h->access & FILE_WRITE_DATA))) {
        handle_put(h);
        ws_k_set_last_error(5);
        return 0;
    }
    ws_k_irp *w = irp_alloc(h, IRP_MJ_DEVICE_CONTROL);
    void *sysbuf = NULL;
    if (!w) {
        handle_put(h);
        ws_k_set_last_error(1450);
        return 0;
    }
    w->stack.Parameters.DeviceIoControl.IoControlCode = code;
    w->stack.Parameters.DeviceIoControl.InputBufferLength = inLen;
    w->stack.Parameters.DeviceIoControl.OutputBufferLength = outLen;
    if (method == METHOD_BUFFERED) {
        uint32_t n = inLen > outLen ? inLen : outLen;
        if (n) {
            sysbuf = calloc(1, n);
            if (!sysbuf) {
                free(w);
                handle_put(h);
                ws_k_set_last_error(1450);
                return 0;
            }
            if (inLen)
                memcpy(sysbuf, in, inLen);
        }
        w->irp.AssociatedIrp.SystemBuffer = sysbuf;
    } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
        if (inLen) {
            sysbuf = malloc(inLen);
            if (!sysbuf) {
                free(w);
                handle_put(h);
                ws_k_set_last_error(1450);
                return 0;
            }
            memcpy(sysbuf, in, inLen);
            w->irp.AssociatedIrp.SystemBuffer = sysbuf;
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
    NTSTATUS st = irp_call(w);
    ULONG_PTR info = w->irp.IoStatus.Information;
    if (method == METHOD_BUFFERED && !NT_ERROR(st) && outLen && info) {
        if (info > outLen)
            ws_k_bugcheck(0xCB, "IoStatus.Information larger than the output buffer (METHOD_BUFFERED)");
        memcpy(out, sysbuf, info);
    }
    free(sysbuf);
    free(w);
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

WS_BOOL CancelIoEx(void *hFile, void *lpOverlapped)
{
    (void)lpOverlapped;
    pthread_mutex_lock(&g_io);
    ws_k_handle *h = handle_get_locked(hFile);
    if (!h) {
        pthread_mutex_unlock(&g_io);
        ws_k_set_last_error(6);
        return 0;
    }
    /* Cancel each in-flight IRP once; IRPs stay allocated while in flight (the waiting
     * thread frees them only after completion, under g_io). */
    int found = 0;
    for (;;) {
        ws_k_irp *target = NULL;
        for (ws_k_irp *w = h->inflight; w; w = w->next_inflight)
            if (!w->completed && !w->irp.Cancel) {
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
    return 1;
}

WS_BOOL CloseHandle(void *hObject)
{
    pthread_mutex_lock(&g_io);
    ws_k_handle *h = handle_get_locked(hObject);
    if (h)
        h->closed = 1;
    pthread_mutex_unlock(&g_io);
    if (!h) {
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
