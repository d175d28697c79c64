/*
 * kernel.h - libwfpsim's simulator-only control API for the kernel model (src/kernel):
 * loading the linked-in callout driver, the simulated caller's elevation, the clock,
 * leak and rule-violation counters, and running traffic through the stack model.
 *
 * None of these exist on Windows. The kernel32 look-alikes (CreateFileW, DeviceIoControl,
 * CloseHandle, GetLastError, CancelIoEx) are declared in kernel32_sim.h.
 */
#ifndef WFPSIM_KERNEL_H
#define WFPSIM_KERNEL_H

#include <stdint.h>

#include "wfpsim_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the driver ---------------------------------------------------------------------- */
/* Calls the linked driver's DriverEntry with a fresh DRIVER_OBJECT. Returns its NTSTATUS
 * (as uint32_t), STATUS_NOT_FOUND (0xC0000225) when no driver is linked into this library,
 * STATUS_IMAGE_ALREADY_LOADED (0xC000010E) when it is loaded already. */
WS_EXPORT uint32_t WfpsimDriverLoad(void);
/* Stops the driver the way the service control manager does: with no handle open to its
 * devices DriverUnload runs now (STATUS_SUCCESS); with handles open the unload is pending
 * (STATUS_PENDING): new CreateFileW calls fail with ERROR_ACCESS_DENIED (STATUS_DELETE_PENDING)
 * and DriverUnload runs when the last handle's IRP_MJ_CLOSE is done. STATUS_NOT_FOUND when no
 * driver is loaded. */
WS_EXPORT uint32_t WfpsimDriverUnload(void);
/* 0 = not loaded, 1 = loaded, 2 = unload pending. */
WS_EXPORT int WfpsimDriverState(void);

/* ---- the simulated caller ------------------------------------------------------------ */
/* Whether the simulated user-mode caller runs elevated (member of BUILTIN\Administrators).
 * Default 1. A device created with an SDDL admitting only SY/BA refuses a non-elevated
 * CreateFileW with ERROR_ACCESS_DENIED. */
WS_EXPORT void WfpsimSetCallerElevated(int elevated);

/* ---- accounting ----------------------------------------------------------------------- */
/* Pool blocks allocated with ExAllocatePoolWithTag and not yet freed (all tags, or one tag
 * when tag != 0). */
WS_EXPORT int64_t WfpsimPoolOutstanding(uint32_t tag);
/* Driver-rule violations the model detected and survived (each also printed with DbgPrint
 * to stderr): devices/symbolic links/callouts left at unload, pool leaked at unload, ... */
WS_EXPORT uint32_t WfpsimKernelViolations(void);
/* DbgPrintEx output: 0 = dropped (default unless env WFPSIM_DBGPRINT=1), 1 = stderr. */
WS_EXPORT void WfpsimSetDbgPrint(int enabled);

/* ---- the clock ------------------------------------------------------------------------ */
/* KeQuerySystemTime returns real time unless a virtual clock is set (traffic replay sets it
 * from capture timestamps). Values are FILETIME units (100 ns since 1601-01-01). */
WS_EXPORT void WfpsimClockSetVirtual(uint64_t filetime);
WS_EXPORT void WfpsimClockUseReal(void);

/* ---- traffic through the stack model -------------------------------------------------- */
typedef struct wfpsim_app_rule {
    uint16_t local_port;        /* flows whose local port equals this ... */
    uint16_t reserved;
    uint32_t process_id;        /* ... get this process id ... */
    const uint16_t *app_path;   /* ... and this process path (UTF-16, NUL-terminated, NT form
                                   e.g. \device\harddiskvolume3\app.exe) */
} wfpsim_app_rule;

typedef struct wfpsim_run_options {
    uint32_t struct_size;       /* sizeof(wfpsim_run_options) */
    uint32_t default_process_id; /* 0 = 4242 */
    const uint16_t *default_app_path; /* NULL = \device\harddiskvolume3\windows\system32\wfpsim-app.exe */
    const wfpsim_app_rule *rules;
    uint32_t rule_count;
    uint32_t segment_size;      /* largest NET_BUFFER in a stream indication; 0 = 1460 */
    uint32_t flags;             /* WFPSIM_RUN_* */
    uint32_t reserved;
} wfpsim_run_options;

#define WFPSIM_RUN_NO_PACKETS 0x1u     /* skip the transport-layer classifies */
#define WFPSIM_RUN_KEEP_CLOCK 0x2u     /* leave the virtual clock set after the run */

typedef struct wfpsim_run_stats {
    uint64_t flows;
    uint64_t flow_classifies;   /* ALE_FLOW_ESTABLISHED classifies */
    uint64_t stream_classifies; /* STREAM classifies (one per indication) */
    uint64_t packet_classifies; /* transport-layer classifies */
    uint64_t callout_calls;     /* classifyFn calls */
    uint64_t blocked;           /* classifies whose final action was BLOCK */
    uint64_t flow_deletes;      /* flowDeleteFn calls */
} wfpsim_run_stats;

/* Replays a pcap/pcapng capture: flow_open -> ALE_FLOW_ESTABLISHED_V4/V6, stream data ->
 * STREAM_V4/V6, packets -> INBOUND/OUTBOUND_TRANSPORT_V4/V6, flow close -> the flow's
 * contexts removed (flowDeleteFn). Returns 0, or a negative ws_pcap error code. */
WS_EXPORT int32_t WfpsimRunCapture(const char *path, const wfpsim_run_options *options);
/* The same with the seeded generator (traffic.h ws_gen) producing `flows` flows. */
WS_EXPORT int32_t WfpsimRunSynthetic(uint64_t seed, uint32_t flows, const wfpsim_run_options *options);
/* Counters of the last run (zeroed when a run starts). */
WS_EXPORT void WfpsimRunStats(wfpsim_run_stats *out);

/* ---- kernel32 look-alikes (same names and x64 signatures as kernel32.dll) -------------- */
typedef int32_t WS_BOOL;
WS_EXPORT void *CreateFileW(const uint16_t *lpFileName, uint32_t dwDesiredAccess, uint32_t dwShareMode,
                            void *lpSecurityAttributes, uint32_t dwCreationDisposition,
                            uint32_t dwFlagsAndAttributes, void *hTemplateFile);
WS_EXPORT WS_BOOL DeviceIoControl(void *hDevice, uint32_t dwIoControlCode, void *lpInBuffer,
                                  uint32_t nInBufferSize, void *lpOutBuffer, uint32_t nOutBufferSize,
                                  uint32_t *lpBytesReturned, void *lpOverlapped);
WS_EXPORT WS_BOOL CloseHandle(void *hObject);
WS_EXPORT uint32_t GetLastError(void);
WS_EXPORT void SetLastError(uint32_t dwErrCode);
WS_EXPORT WS_BOOL CancelIoEx(void *hFile, void *lpOverlapped);

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_KERNEL_H */
