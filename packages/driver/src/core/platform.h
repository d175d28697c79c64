/*
 * platform.h - what the portable core needs from its host.
 *
 * src/core is C99 that includes no OS header. Everything it needs from the operating
 * system is declared here and implemented twice: by the Windows glue (src/win) on top
 * of ntddk.h, and by the simulator on top of the C library. Each declaration says at
 * which IRQL the core may call it; the glue must honour that.
 *
 * The classifiers and the event ring call none of these: they are pure functions of
 * their state, and the caller passes the time in. The modules that do need the OS (flow
 * table, sessions, dispatcher) reach it only through these declarations.
 */
#ifndef WK_CORE_PLATFORM_H
#define WK_CORE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Current time as a FILETIME: 100 ns units since 1601-01-01 UTC (KeQuerySystemTime in
 * the glue, virtual time in the simulator). IRQL <= DISPATCH_LEVEL. */
uint64_t wk_plat_now(void);

/* A spin lock. Big enough for a KSPIN_LOCK (a ULONG_PTR); the glue casts it. */
typedef struct wk_plat_spinlock {
    uintptr_t opaque;
} wk_plat_spinlock;

/* The IRQL a spin lock acquisition saved (KIRQL is a UCHAR). */
typedef uint8_t wk_plat_irql;

/* KeInitializeSpinLock. Any IRQL. */
void wk_plat_spin_init(wk_plat_spinlock *lock);
/* KeAcquireSpinLock: raises to DISPATCH_LEVEL and returns the previous IRQL.
 * Callable at IRQL <= DISPATCH_LEVEL. Never held across a call that may wait. */
wk_plat_irql wk_plat_spin_acquire(wk_plat_spinlock *lock);
/* KeReleaseSpinLock: releases and returns to the IRQL acquire returned. DISPATCH_LEVEL. */
void wk_plat_spin_release(wk_plat_spinlock *lock, wk_plat_irql previous);

/* Non-paged, zero-filled memory, 8-byte aligned at least (ExAllocatePool2 with
 * POOL_FLAG_NON_PAGED in the glue). Used only at setup (session open, SET_CONFIG,
 * driver load), never per packet or per event. IRQL <= DISPATCH_LEVEL; NULL when out
 * of memory. */
void *wk_plat_alloc_nonpaged(size_t bytes);
/* ExFreePool. IRQL <= DISPATCH_LEVEL. NULL is ignored. */
void wk_plat_free(void *memory);

/* A session with a waiting reader (a pended READ_EVENTS) has something for it: records
 * arrived, or the session stopped. The core calls it with NO lock held, at
 * IRQL <= DISPATCH_LEVEL, at most once per pended read until the glue completes or
 * cancels it. The glue must not complete the read inside this call: it queues the
 * completion (the Windows glue fires the session's KTIMER at once, so its KDPC completes
 * the IRP at DISPATCH_LEVEL, outside every core lock). */
void wk_plat_session_wake(uint32_t slot);

#endif /* WK_CORE_PLATFORM_H */
