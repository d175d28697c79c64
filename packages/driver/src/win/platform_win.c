/*
 * platform_win.c - src/core/platform.h on top of ntddk.h.
 */
#include "wk_win.h"

#include "platform.h"

/* KSPIN_LOCK is a ULONG_PTR, wk_plat_spinlock holds one. */
typedef char wk_win_lock_fits[sizeof(wk_plat_spinlock) >= sizeof(KSPIN_LOCK) ? 1 : -1];

uint64_t wk_plat_now(void)
{
    LARGE_INTEGER t;
    KeQuerySystemTime(&t); /* any IRQL */
    return (uint64_t)t.QuadPart;
}

void wk_plat_spin_init(wk_plat_spinlock *lock)
{
    KeInitializeSpinLock((PKSPIN_LOCK)(void *)&lock->opaque);
}

/* Raises to DISPATCH_LEVEL; callers are at <= DISPATCH_LEVEL. */
wk_plat_irql wk_plat_spin_acquire(wk_plat_spinlock *lock)
{
    KIRQL old;
    KeAcquireSpinLock((PKSPIN_LOCK)(void *)&lock->opaque, &old);
    return (wk_plat_irql)old;
}

void wk_plat_spin_release(wk_plat_spinlock *lock, wk_plat_irql previous)
{
    KeReleaseSpinLock((PKSPIN_LOCK)(void *)&lock->opaque, (KIRQL)previous);
}

/* Non-paged, no-execute, zeroed. <= DISPATCH_LEVEL. */
void *wk_plat_alloc_nonpaged(size_t bytes)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, (SIZE_T)bytes, WK_WIN_POOL_TAG);
    if (p != NULL) {
        RtlZeroMemory(p, bytes);
    }
    return p;
}

void wk_plat_free(void *memory)
{
    if (memory != NULL) {
        ExFreePoolWithTag(memory, WK_WIN_POOL_TAG);
    }
}

/* Called with no core lock held, <= DISPATCH_LEVEL: (re)sets the session's timer to fire
 * at once, so its DPC completes the pended read at DISPATCH_LEVEL outside every lock.
 * KeSetTimer replaces a pending timeout; the DPC re-arms it if the read is not ready. */
void wk_plat_session_wake(uint32_t slot)
{
    LARGE_INTEGER due;
    if (slot >= WK_MAX_SESSIONS) {
        return;
    }
    due.QuadPart = -1; /* relative: 100 ns from now */
    KeSetTimer(&g_wk.sessions[slot].timer, due, &g_wk.sessions[slot].dpc);
}
