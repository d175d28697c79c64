/*
 * pressure.h - back-pressure for offline runs (simulator only; nothing like it exists on
 * Windows, where traffic is live and cannot wait for a reader).
 *
 * A run with WFPSIM_RUN_LOSSLESS (kernel.h) waits, before each input packet and before each
 * flow it closes, while the linked driver reports that one of its running sessions' event
 * rings is more than half full. The driver tells the fill through a probe it registers at
 * DriverEntry and unregisters at unload (the wfpkit driver does so from
 * packages/driver/src/win/sim_pressure.c, compiled only with WK_SIMULATED). Without a probe
 * (no driver, or one that registers none) a lossless run does not wait.
 *
 * The probe runs on the run's thread, outside every lock of the stack model, at PASSIVE_LEVEL
 * (it may take the driver's spin locks). It returns the fill of the fullest running session
 * ring in 1/65536ths (0 = empty or no running session, 65536 = full).
 */
#ifndef WFPSIM_PRESSURE_H
#define WFPSIM_PRESSURE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef WS_EXPORT
#if defined(_WIN32)
#define WS_EXPORT __declspec(dllexport)
#else
#define WS_EXPORT __attribute__((visibility("default")))
#endif
#endif

/* Fill of the fullest running session ring, 0 .. 65536. */
typedef uint32_t (*wfpsim_ring_pressure_fn)(void);

/* A run waits while the probe reports more than this (half full). */
#define WFPSIM_RING_PRESSURE_LIMIT 32768u

/* Registers the driver's probe (replacing any other). */
WS_EXPORT void WfpsimRegisterRingPressureProbe(wfpsim_ring_pressure_fn probe);
/* Removes the probe if it is the registered one. When this returns, no call of it is in
 * progress and none starts (the driver may free what the probe reads). */
WS_EXPORT void WfpsimUnregisterRingPressureProbe(wfpsim_ring_pressure_fn probe);
/* The registered probe's answer now (0 without a probe): for tests and tools. */
WS_EXPORT uint32_t WfpsimRingPressure(void);

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_PRESSURE_H */
