/*
 * sim_pressure.c - simulator-only glue: tells libwfpsim how full the sessions' event rings
 * are, so an offline replay run with WFPSIM_RUN_LOSSLESS can wait for the reader instead of
 * losing records (packages/simulator/native/include/wfpsim/pressure.h).
 *
 * Compiled to nothing unless WK_SIMULATED: on Windows traffic is live, the stack never waits
 * for a monitoring reader, and a slow reader gets LOSS records. The rest of the driver is the
 * same code path in both builds; this file only reads the core's state.
 *
 * The probe runs on the simulator's run thread at PASSIVE_LEVEL, outside every other driver
 * lock: it takes the flow lock (the slot table: inUse) and, inside it, each open session's
 * lock (ring, state) — the core's lock order.
 */
#include "wk_win.h"

#if defined(WK_SIMULATED) && WK_SIMULATED

#include "wfpsim/pressure.h"

/* Fill of the fullest RUNNING session ring in 1/65536ths. */
static uint32_t wk_win_sim_ring_pressure(void)
{
    wk_core *core = &g_wk.core;
    uint32_t worst = 0;
    wk_plat_irql flowIrql, sessionIrql;
    uint32_t slot, seen = 0;
    if (!g_wk.coreReady) {
        return 0;
    }
    flowIrql = wk_plat_spin_acquire(&core->lock);
    for (slot = 0; slot < WK_MAX_SESSIONS && seen < core->sessionsOpen; slot++) {
        wk_session *s = &core->sessions[slot];
        if (!s->inUse) {
            continue;
        }
        seen++;
        sessionIrql = wk_plat_spin_acquire(&s->lock);
        if (s->state == WK_SESSION_STATE_RUNNING && s->ringMem != NULL && s->ring.size != 0) {
            uint32_t fill = (uint32_t)(((uint64_t)s->ring.used << 16) / s->ring.size);
            if (fill > worst) {
                worst = fill;
            }
        }
        wk_plat_spin_release(&s->lock, sessionIrql);
    }
    wk_plat_spin_release(&core->lock, flowIrql);
    return worst;
}

void wk_win_sim_pressure_register(void)
{
    WfpsimRegisterRingPressureProbe(wk_win_sim_ring_pressure);
}

void wk_win_sim_pressure_unregister(void)
{
    WfpsimUnregisterRingPressureProbe(wk_win_sim_ring_pressure);
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int wk_win_sim_pressure_absent;

#endif
