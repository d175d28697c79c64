/*
 * ws_k_pressure.c - back-pressure of offline runs (WFPSIM_RUN_LOSSLESS; see
 * include/wfpsim/pressure.h). Simulator only: on Windows traffic is live and the stack never
 * waits for a monitoring reader, so a slow reader loses records (LOSS records say how many).
 *
 * The probe is called under g_probe_mutex, so unregistering (driver unload) waits for a call
 * in progress and no call starts afterwards. The wait polls: it sleeps 20 us, doubling up to
 * 1 ms, between probes, and gives up when the run is cancelled.
 */
#include <time.h>

#include "wfpsim/pressure.h"
#include "ws_k_internal.h"

static pthread_mutex_t g_probe_mutex = PTHREAD_MUTEX_INITIALIZER;
static wfpsim_ring_pressure_fn g_probe; /* g_probe_mutex */

void WfpsimRegisterRingPressureProbe(wfpsim_ring_pressure_fn probe)
{
    pthread_mutex_lock(&g_probe_mutex);
    g_probe = probe;
    pthread_mutex_unlock(&g_probe_mutex);
}

void WfpsimUnregisterRingPressureProbe(wfpsim_ring_pressure_fn probe)
{
    pthread_mutex_lock(&g_probe_mutex);
    if (g_probe == probe)
        g_probe = NULL;
    pthread_mutex_unlock(&g_probe_mutex);
}

uint32_t WfpsimRingPressure(void)
{
    pthread_mutex_lock(&g_probe_mutex);
    uint32_t fill = g_probe ? g_probe() : 0;
    pthread_mutex_unlock(&g_probe_mutex);
    return fill;
}

int ws_k_pressure_wait(const int *cancel)
{
    long sleep_ns = 20000;
    while (WfpsimRingPressure() > WFPSIM_RING_PRESSURE_LIMIT) {
        if (cancel && __atomic_load_n(cancel, __ATOMIC_SEQ_CST))
            return 1;
        struct timespec ts = { 0, sleep_ns };
        nanosleep(&ts, NULL);
        if (sleep_ns < 1000000)
            sleep_ns *= 2;
    }
    return 0;
}
