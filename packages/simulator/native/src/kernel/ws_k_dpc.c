/*
 * ws_k_dpc.c - KeFlushQueuedDpcs: returns once every DPC queued before the call has run.
 *
 * modelled: every DPC of the model runs on the one timer thread (ws_k_base.c) when its KTIMER
 * expires, so "queued" means "running now"; the call waits until no DPC routine is running. A
 * timer that expired but whose DPC the timer thread has not picked up yet is not waited for (a
 * driver cancels its timers before flushing, as unload code does). Windows requires
 * PASSIVE_LEVEL (the call waits): anything higher bug-checks here.
 */
#include "ws_k_internal.h"

VOID KeFlushQueuedDpcs(void)
{
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        ws_k_bugcheck(0x0A, "KeFlushQueuedDpcs above PASSIVE_LEVEL");
    ws_k_timers_flush();
}
