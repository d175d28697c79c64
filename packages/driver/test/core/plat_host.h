/*
 * plat_host.h - the test implementation of src/core/platform.h: a settable clock, spin
 * locks that catch recursion, waits under a lock and releases out of order, calloc with
 * failure injection and a count of live blocks, and a record of session wakes.
 */
#ifndef WK_TEST_PLAT_HOST_H
#define WK_TEST_PLAT_HOST_H

#include <stddef.h>
#include <stdint.h>

extern uint64_t g_plat_now;          /* wk_plat_now returns it, then adds 1 */
extern int g_plat_locks_held;        /* spin locks held now */
extern unsigned long g_plat_lock_errors; /* recursion, bad release, wake under a lock */
extern long g_plat_fail_alloc_after; /* >= 0: that many allocations succeed, then fail */
extern long g_plat_live_blocks;      /* allocations not freed */
extern uint64_t g_plat_wakes;        /* mask of slots woken since last cleared */
extern unsigned long g_plat_wake_count;

#endif /* WK_TEST_PLAT_HOST_H */
