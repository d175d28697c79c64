/*
 * ws_k_base.c - IRQL, spin locks, dispatcher objects (KEVENT, KTIMER), DPCs on a timer
 * thread, the clock, pool with tag accounting, DbgPrintEx, bug checks and the
 * NTSTATUS -> Win32 table.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ws_k_internal.h"

/* ---- IRQL ------------------------------------------------------------------------------ */
/* modelled: IRQL is a per-thread number; raising it changes nothing but the checks below
 * (waiting with a timeout at DISPATCH_LEVEL bug-checks as on Windows). */
static _Thread_local KIRQL t_irql = PASSIVE_LEVEL;

KIRQL KeGetCurrentIrql(void)
{
    return t_irql;
}

void ws_k_set_irql(KIRQL irql)
{
    t_irql = irql;
}

_Noreturn void ws_k_bugcheck(uint32_t code, const char *what)
{
    fprintf(stderr, "*** wfpsim kernel model: STOP 0x%08X (%s)\n", code, what);
    fflush(stderr);
    abort();
}

static int g_dbgprint = -1;
static uint32_t g_violations;

void WfpsimSetDbgPrint(int enabled)
{
    __atomic_store_n(&g_dbgprint, enabled ? 1 : 0, __ATOMIC_SEQ_CST);
}

static int dbgprint_on(void)
{
    int v = __atomic_load_n(&g_dbgprint, __ATOMIC_SEQ_CST);
    if (v < 0) {
        const char *e = getenv("WFPSIM_DBGPRINT");
        v = (e && e[0] == '1') ? 1 : 0;
        __atomic_store_n(&g_dbgprint, v, __ATOMIC_SEQ_CST);
    }
    return v;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    (void)ComponentId;
    (void)Level;
    if (!dbgprint_on())
        return 0;
    va_list ap;
    va_start(ap, Format);
    vfprintf(stderr, Format, ap);
    va_end(ap);
    return 0;
}

void ws_k_violation(const char *fmt, ...)
{
    __atomic_add_fetch(&g_violations, 1, __ATOMIC_SEQ_CST);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "wfpsim kernel model: driver rule violated: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

uint32_t WfpsimKernelViolations(void)
{
    return __atomic_load_n(&g_violations, __ATOMIC_SEQ_CST);
}

/* ---- spin locks: real locks ---------------------------------------------------------------- */
VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    __atomic_store_n(SpinLock, 0, __ATOMIC_SEQ_CST);
}

static void spin_acquire(PKSPIN_LOCK lock)
{
    unsigned spins = 0;
    while (__atomic_exchange_n(lock, (ULONG_PTR)1, __ATOMIC_ACQUIRE) != 0) {
        if (++spins > 64) {
            sched_yield();
            spins = 0;
        }
    }
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    KIRQL old = t_irql;
    if (old > DISPATCH_LEVEL)
        ws_k_bugcheck(0x0A, "KeAcquireSpinLock above DISPATCH_LEVEL");
    t_irql = DISPATCH_LEVEL;
    spin_acquire(SpinLock);
    return old;
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
    t_irql = NewIrql;
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (t_irql < DISPATCH_LEVEL)
        ws_k_bugcheck(0x0A, "KeAcquireSpinLockAtDpcLevel below DISPATCH_LEVEL");
    spin_acquire(SpinLock);
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);
}

/* ---- clock -------------------------------------------------------------------------------- */
#define WS_K_UNIX_TO_FILETIME 116444736000000000ULL

static uint64_t g_virtual_time; /* FILETIME; 0 = real time */
static uint64_t g_virtual_base_it, g_virtual_base_ft;

static uint64_t mono_100ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000ULL + (uint64_t)ts.tv_nsec / 100;
}

uint64_t ws_k_now_filetime(void)
{
    uint64_t v = __atomic_load_n(&g_virtual_time, __ATOMIC_SEQ_CST);
    if (v)
        return v;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 10000000ULL + (uint64_t)ts.tv_nsec / 100 + WS_K_UNIX_TO_FILETIME;
}

void WfpsimClockSetVirtual(uint64_t filetime)
{
    if (!__atomic_load_n(&g_virtual_time, __ATOMIC_SEQ_CST)) {
        g_virtual_base_it = mono_100ns();
        g_virtual_base_ft = filetime;
    }
    __atomic_store_n(&g_virtual_time, filetime, __ATOMIC_SEQ_CST);
}

void WfpsimClockUseReal(void)
{
    __atomic_store_n(&g_virtual_time, 0, __ATOMIC_SEQ_CST);
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = (LONGLONG)ws_k_now_filetime();
}

ULONGLONG KeQueryInterruptTime(void)
{
    /* modelled: interrupt time is the monotonic clock; under a virtual clock it advances with
     * virtual time from the moment the virtual clock was first set (never backwards). */
    uint64_t v = __atomic_load_n(&g_virtual_time, __ATOMIC_SEQ_CST);
    if (v && v >= g_virtual_base_ft)
        return g_virtual_base_it + (v - g_virtual_base_ft);
    return mono_100ns();
}

/* ---- dispatcher objects ---------------------------------------------------------------------- */
/* One mutex + condition variable for every KEVENT/KTIMER: a set broadcasts, waiters re-check. */
static pthread_mutex_t g_disp_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_disp_cond;
static pthread_once_t g_disp_once = PTHREAD_ONCE_INIT;

static void disp_init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&g_disp_cond, &a);
    pthread_condattr_destroy(&a);
}

#define WS_K_TIMER_OBJECT 8

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    pthread_once(&g_disp_once, disp_init);
    memset(Event, 0, sizeof *Event);
    Event->Header.Type = (UCHAR)Type;
    Event->Header.Size = (UCHAR)(sizeof(KEVENT) / sizeof(LONG));
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    pthread_once(&g_disp_once, disp_init);
    pthread_mutex_lock(&g_disp_mutex);
    LONG prev = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    pthread_cond_broadcast(&g_disp_cond);
    pthread_mutex_unlock(&g_disp_mutex);
    return prev;
}

VOID KeClearEvent(PRKEVENT Event)
{
    pthread_mutex_lock(&g_disp_mutex);
    Event->Header.SignalState = 0;
    pthread_mutex_unlock(&g_disp_mutex);
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    (void)WaitReason;
    (void)WaitMode;
    (void)Alertable;
    DISPATCHER_HEADER *h = (DISPATCHER_HEADER *)Object;
    if (t_irql > APC_LEVEL && !(Timeout && Timeout->QuadPart == 0))
        ws_k_bugcheck(0x0A, "KeWaitForSingleObject with a non-zero timeout above APC_LEVEL");
    pthread_once(&g_disp_once, disp_init);
    struct timespec deadline = { 0, 0 };
    if (Timeout) {
        LONGLONG t = Timeout->QuadPart;
        uint64_t rel100 = t < 0 ? (uint64_t)(-t) : ((uint64_t)t > ws_k_now_filetime() ? (uint64_t)t - ws_k_now_filetime() : 0);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t ns = (uint64_t)now.tv_nsec + (rel100 % 10000000ULL) * 100;
        deadline.tv_sec = now.tv_sec + (time_t)(rel100 / 10000000ULL) + (time_t)(ns / 1000000000ULL);
        deadline.tv_nsec = (long)(ns % 1000000000ULL);
    }
    pthread_mutex_lock(&g_disp_mutex);
    NTSTATUS st = STATUS_SUCCESS;
    while (h->SignalState == 0) {
        if (Timeout) {
            if (Timeout->QuadPart == 0 || pthread_cond_timedwait(&g_disp_cond, &g_disp_mutex, &deadline) == ETIMEDOUT) {
                if (h->SignalState == 0) {
                    st = STATUS_TIMEOUT;
                    break;
                }
            }
        } else {
            pthread_cond_wait(&g_disp_cond, &g_disp_mutex);
        }
    }
    if (st == STATUS_SUCCESS && h->Type == SynchronizationEvent)
        h->SignalState = 0; /* auto-reset: one waiter wins */
    pthread_mutex_unlock(&g_disp_mutex);
    return st;
}

/* ---- timers and DPCs ------------------------------------------------------------------------- */
/* modelled: one timer thread runs every DPC (real Windows runs them on the CPU that queued
 * them); timers use real (monotonic) time even while the virtual clock is set. */
static pthread_mutex_t g_timer_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_timer_cond;
static pthread_cond_t g_timer_idle_cond;
static LIST_ENTRY g_timers;
static int g_timer_thread_started;
static int g_dpc_running;
static uint64_t g_timer_stop;
static pthread_t g_timer_thread;

static void *timer_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_timer_mutex);
    for (;;) {
        if (g_timer_stop)
            break;
        uint64_t now = mono_100ns();
        PKTIMER due = NULL;
        uint64_t next = UINT64_MAX;
        for (PLIST_ENTRY e = g_timers.Flink; e != &g_timers; e = e->Flink) {
            PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
            if (t->DueTime.QuadPart <= now) {
                due = t;
                break;
            }
            if (t->DueTime.QuadPart < next)
                next = t->DueTime.QuadPart;
        }
        if (!due) {
            if (next == UINT64_MAX) {
                pthread_cond_wait(&g_timer_cond, &g_timer_mutex);
            } else {
                struct timespec ts = { (time_t)(next / 10000000ULL), (long)((next % 10000000ULL) * 100) };
                pthread_cond_timedwait(&g_timer_cond, &g_timer_mutex, &ts);
            }
            continue;
        }
        RemoveEntryList(&due->TimerListEntry);
        InitializeListHead(&due->TimerListEntry);
        due->Header.Inserted = 0;
        PKDPC dpc = due->Dpc;
        if (due->Period) {
            due->DueTime.QuadPart = now + (uint64_t)due->Period * 10000ULL;
            InsertTailList(&g_timers, &due->TimerListEntry);
            due->Header.Inserted = 1;
        }
        pthread_mutex_lock(&g_disp_mutex);
        due->Header.SignalState = 1;
        pthread_cond_broadcast(&g_disp_cond);
        pthread_mutex_unlock(&g_disp_mutex);
        if (dpc && dpc->DeferredRoutine) {
            PKDEFERRED_ROUTINE fn = dpc->DeferredRoutine;
            PVOID ctx = dpc->DeferredContext, a1 = dpc->SystemArgument1, a2 = dpc->SystemArgument2;
            g_dpc_running++;
            pthread_mutex_unlock(&g_timer_mutex);
            t_irql = DISPATCH_LEVEL;
            fn(dpc, ctx, a1, a2);
            if (t_irql != DISPATCH_LEVEL)
                ws_k_bugcheck(0xC7, "DPC routine returned at a different IRQL");
            t_irql = PASSIVE_LEVEL;
            pthread_mutex_lock(&g_timer_mutex);
            g_dpc_running--;
            pthread_cond_broadcast(&g_timer_idle_cond);
        }
    }
    pthread_mutex_unlock(&g_timer_mutex);
    return NULL;
}

static void timers_start_locked(void)
{
    if (g_timer_thread_started)
        return;
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&g_timer_cond, &a);
    pthread_condattr_destroy(&a);
    pthread_cond_init(&g_timer_idle_cond, NULL);
    if (!g_timers.Flink)
        InitializeListHead(&g_timers);
    if (pthread_create(&g_timer_thread, NULL, timer_thread, NULL) != 0)
        ws_k_bugcheck(0x7E, "cannot start the timer thread");
    g_timer_thread_started = 1;
}

__attribute__((destructor)) static void timers_stop(void)
{
    pthread_mutex_lock(&g_timer_mutex);
    if (!g_timer_thread_started) {
        pthread_mutex_unlock(&g_timer_mutex);
        return;
    }
    g_timer_stop = 1;
    pthread_cond_broadcast(&g_timer_cond);
    pthread_mutex_unlock(&g_timer_mutex);
    pthread_join(g_timer_thread, NULL);
}

void ws_k_timers_flush(void)
{
    pthread_mutex_lock(&g_timer_mutex);
    while (g_timer_thread_started && g_dpc_running)
        pthread_cond_wait(&g_timer_idle_cond, &g_timer_mutex);
    pthread_mutex_unlock(&g_timer_mutex);
}

VOID KeInitializeTimer(PKTIMER Timer)
{
    pthread_once(&g_disp_once, disp_init);
    memset(Timer, 0, sizeof *Timer);
    Timer->Header.Type = WS_K_TIMER_OBJECT;
    InitializeListHead(&Timer->Header.WaitListHead);
    InitializeListHead(&Timer->TimerListEntry);
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    memset(Dpc, 0, sizeof *Dpc);
    Dpc->Type = 19; /* DpcObject */
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    pthread_mutex_lock(&g_timer_mutex);
    timers_start_locked();
    BOOLEAN was = Timer->Header.Inserted ? TRUE : FALSE;
    if (was)
        RemoveEntryList(&Timer->TimerListEntry);
    uint64_t rel;
    if (DueTime.QuadPart < 0) {
        rel = (uint64_t)(-DueTime.QuadPart);
    } else {
        uint64_t now = ws_k_now_filetime();
        rel = (uint64_t)DueTime.QuadPart > now ? (uint64_t)DueTime.QuadPart - now : 0;
    }
    Timer->DueTime.QuadPart = mono_100ns() + rel;
    Timer->Dpc = Dpc;
    Timer->Period = 0;
    Timer->Header.Inserted = 1;
    pthread_mutex_lock(&g_disp_mutex);
    Timer->Header.SignalState = 0;
    pthread_mutex_unlock(&g_disp_mutex);
    InsertTailList(&g_timers, &Timer->TimerListEntry);
    pthread_cond_broadcast(&g_timer_cond);
    pthread_mutex_unlock(&g_timer_mutex);
    return was;
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    pthread_mutex_lock(&g_timer_mutex);
    BOOLEAN was = Timer->Header.Inserted ? TRUE : FALSE;
    if (was) {
        RemoveEntryList(&Timer->TimerListEntry);
        InitializeListHead(&Timer->TimerListEntry);
        Timer->Header.Inserted = 0;
    }
    pthread_mutex_unlock(&g_timer_mutex);
    return was;
}

/* ---- pool ------------------------------------------------------------------------------------ */
typedef struct ws_k_pool_header {
    uint64_t magic;
    uint32_t tag;
    uint32_t pool_type;
    uint64_t size;
    uint64_t pad;
} ws_k_pool_header;
#define WS_K_POOL_MAGIC 0x57534b504f4f4c21ULL
#define WS_K_POOL_FREED 0x4652454544504f4fULL

typedef struct ws_k_tag_count {
    uint32_t tag;
    int64_t count;
} ws_k_tag_count;

static pthread_mutex_t g_pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static int64_t g_pool_total;
static ws_k_tag_count g_tags[256];
static size_t g_ntags;

static void pool_account(uint32_t tag, int64_t delta)
{
    pthread_mutex_lock(&g_pool_mutex);
    g_pool_total += delta;
    size_t i;
    for (i = 0; i < g_ntags && g_tags[i].tag != tag; i++)
        ;
    if (i == g_ntags && g_ntags < sizeof g_tags / sizeof g_tags[0])
        g_tags[g_ntags++].tag = tag;
    if (i < g_ntags)
        g_tags[i].count += delta;
    pthread_mutex_unlock(&g_pool_mutex);
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    if (t_irql > DISPATCH_LEVEL)
        ws_k_bugcheck(0xC2, "pool allocation above DISPATCH_LEVEL");
    if (PoolType == PagedPool && t_irql > APC_LEVEL)
        ws_k_bugcheck(0xC2, "paged pool allocation at DISPATCH_LEVEL");
    if (Tag == 0)
        ws_k_bugcheck(0xC2, "pool tag 0");
    if (NumberOfBytes > ((SIZE_T)1 << 40))
        return NULL;
    ws_k_pool_header *h = malloc(sizeof *h + (NumberOfBytes ? NumberOfBytes : 1));
    if (!h)
        return NULL;
    h->magic = WS_K_POOL_MAGIC;
    h->tag = Tag;
    h->pool_type = (uint32_t)PoolType;
    h->size = NumberOfBytes;
    pool_account(Tag, 1);
    return h + 1;
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    if (!P)
        ws_k_bugcheck(0xC2, "ExFreePoolWithTag(NULL)");
    ws_k_pool_header *h = (ws_k_pool_header *)P - 1;
    if (h->magic == WS_K_POOL_FREED)
        ws_k_bugcheck(0xC2, "pool block freed twice");
    if (h->magic != WS_K_POOL_MAGIC)
        ws_k_bugcheck(0xC2, "ExFreePoolWithTag on memory not from ExAllocatePoolWithTag");
    if (Tag != 0 && Tag != h->tag)
        ws_k_bugcheck(0xC2, "ExFreePoolWithTag tag mismatch (BAD_POOL_CALLER 0x0A)");
    h->magic = WS_K_POOL_FREED;
    pool_account(h->tag, -1);
    free(h);
}

int64_t WfpsimPoolOutstanding(uint32_t tag)
{
    int64_t n = 0;
    pthread_mutex_lock(&g_pool_mutex);
    if (tag == 0) {
        n = g_pool_total;
    } else {
        for (size_t i = 0; i < g_ntags; i++)
            if (g_tags[i].tag == tag)
                n = g_tags[i].count;
    }
    pthread_mutex_unlock(&g_pool_mutex);
    return n;
}

/* ---- NTSTATUS -> Win32 (RtlNtStatusToDosError values) ----------------------------------------- */
static const struct { NTSTATUS st; uint32_t win32; } g_status_map[] = {
    { STATUS_SUCCESS, 0 },
    { STATUS_TIMEOUT, 1460 },                 /* ERROR_TIMEOUT */
    { STATUS_PENDING, 997 },                  /* ERROR_IO_PENDING */
    { STATUS_OBJECT_NAME_EXISTS, 183 },       /* ERROR_ALREADY_EXISTS */
    { STATUS_BUFFER_OVERFLOW, 234 },          /* ERROR_MORE_DATA */
    { STATUS_DEVICE_BUSY, 170 },              /* ERROR_BUSY */
    { STATUS_UNSUCCESSFUL, 31 },              /* ERROR_GEN_FAILURE */
    { STATUS_NOT_IMPLEMENTED, 1 },            /* ERROR_INVALID_FUNCTION */
    { STATUS_INFO_LENGTH_MISMATCH, 24 },      /* ERROR_BAD_LENGTH */
    { STATUS_INVALID_HANDLE, 6 },             /* ERROR_INVALID_HANDLE */
    { STATUS_INVALID_PARAMETER, 87 },         /* ERROR_INVALID_PARAMETER */
    { WS_K_STATUS_NO_SUCH_DEVICE, 2 },        /* ERROR_FILE_NOT_FOUND */
    { STATUS_INVALID_DEVICE_REQUEST, 1 },     /* ERROR_INVALID_FUNCTION */
    { STATUS_ACCESS_DENIED, 5 },              /* ERROR_ACCESS_DENIED */
    { STATUS_BUFFER_TOO_SMALL, 122 },         /* ERROR_INSUFFICIENT_BUFFER */
    { STATUS_OBJECT_NAME_INVALID, 123 },      /* ERROR_INVALID_NAME */
    { STATUS_OBJECT_NAME_NOT_FOUND, 2 },      /* ERROR_FILE_NOT_FOUND */
    { STATUS_OBJECT_NAME_COLLISION, 183 },    /* ERROR_ALREADY_EXISTS */
    { STATUS_DELETE_PENDING, 5 },             /* ERROR_ACCESS_DENIED */
    { STATUS_REVISION_MISMATCH, 1306 },       /* ERROR_REVISION_MISMATCH */
    { STATUS_INSUFFICIENT_RESOURCES, 1450 },  /* ERROR_NO_SYSTEM_RESOURCES */
    { STATUS_CANCELLED, 995 },                /* ERROR_OPERATION_ABORTED */
    { STATUS_INVALID_DEVICE_STATE, 22 },      /* ERROR_BAD_COMMAND */
    { STATUS_NOT_FOUND, 1168 },               /* ERROR_NOT_FOUND */
};

uint32_t ws_k_status_to_win32(NTSTATUS status)
{
    for (size_t i = 0; i < sizeof g_status_map / sizeof g_status_map[0]; i++)
        if (g_status_map[i].st == status)
            return g_status_map[i].win32;
    return 317; /* ERROR_MR_MID_NOT_FOUND: what RtlNtStatusToDosError gives for unknown codes */
}

/* ---- GetLastError ------------------------------------------------------------------------------ */
static _Thread_local uint32_t t_last_error;

void ws_k_set_last_error(uint32_t code)
{
    t_last_error = code;
}

uint32_t GetLastError(void)
{
    return t_last_error;
}

void SetLastError(uint32_t dwErrCode)
{
    t_last_error = dwErrCode;
}
