/*
 * plat_host.c - src/core/platform.h for the host tests and fuzzers (see plat_host.h).
 */
#include "plat_host.h"

#include <stdlib.h>

#include "platform.h"

uint64_t g_plat_now = 132000000000000000ull; /* 2019 in FILETIME units */
int g_plat_locks_held;
unsigned long g_plat_lock_errors;
long g_plat_fail_alloc_after = -1;
long g_plat_live_blocks;
uint64_t g_plat_wakes;
unsigned long g_plat_wake_count;

uint64_t wk_plat_now(void)
{
    return g_plat_now++;
}

void wk_plat_spin_init(wk_plat_spinlock *lock)
{
    lock->opaque = 0;
}

wk_plat_irql wk_plat_spin_acquire(wk_plat_spinlock *lock)
{
    if (lock->opaque != 0) {
        g_plat_lock_errors++; /* recursive acquisition: a deadlock in the kernel */
    }
    lock->opaque = 1;
    /* The "IRQL" returned is the depth, so a release out of order is caught. */
    return (wk_plat_irql)g_plat_locks_held++;
}

void wk_plat_spin_release(wk_plat_spinlock *lock, wk_plat_irql previous)
{
    if (lock->opaque != 1 || (int)previous != g_plat_locks_held - 1) {
        g_plat_lock_errors++;
    }
    lock->opaque = 0;
    g_plat_locks_held--;
}

void *wk_plat_alloc_nonpaged(size_t bytes)
{
    void *p;
    if (g_plat_fail_alloc_after == 0) {
        return NULL;
    }
    if (g_plat_fail_alloc_after > 0) {
        g_plat_fail_alloc_after--;
    }
    p = calloc(1, bytes);
    if (p != NULL) {
        g_plat_live_blocks++;
    }
    return p;
}

void wk_plat_free(void *memory)
{
    if (memory != NULL) {
        g_plat_live_blocks--;
        free(memory);
    }
}

void wk_plat_session_wake(uint32_t slot)
{
    if (g_plat_locks_held != 0) {
        g_plat_lock_errors++; /* the glue would complete an IRP under a spin lock */
    }
    g_plat_wakes |= (uint64_t)1u << slot;
    g_plat_wake_count++;
}
