/*
 * kernel.h - libwfpsim's simulator-only control API for the kernel model (src/kernel):
 * loading the linked-in callout driver, the simulated caller's elevation, the clock,
 * leak and rule-violation counters, and running traffic through the stack model.
 *
 * None of these exist on Windows. The kernel32 look-alikes (CreateFileW, DeviceIoControl,
 * GetOverlappedResult, CancelIoEx, CloseHandle, GetLastError, SetLastError, CreateEventW,
 * SetEvent, ResetEvent, WaitForSingleObject) are declared at the end of this header, with
 * kernel32's x64 signatures.
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

/* The packet-lifecycle model of tagged NBLs (see ws_k_lifecycle.c and the README): latencies,
 * drops. All zero = the defaults. */
typedef struct wfpsim_lifecycle_options {
    uint32_t struct_size;       /* sizeof(wfpsim_lifecycle_options) */
    uint32_t flags;             /* WFPSIM_LC_* */
    uint64_t seed;              /* of the latency and loss draws; 0 = 1 */
    double loss_rate;           /* 0..1: probability that a packet is dropped inside the stack */
    const uint64_t *drop_frames; /* 1-based input frame numbers to drop inside the stack */
    uint32_t drop_frame_count;
    uint32_t stack_us;          /* median in microseconds: classify -> EXIT_NETIO (and drops); 0 = 20 */
    uint32_t send_complete_us;  /* median: EXIT_NETIO -> NDIS_SEND_COMPLETE; 0 = 50 */
    uint32_t deliver_us;        /* median: inbound classify -> consumed (CONTEXT_REMOVED); 0 = 30 */
    /* appended (a struct_size of WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE is accepted: these are then zero) */
    const uint64_t *duplicate_frames; /* 1-based input frame numbers of tagged packets the stack
                                         duplicates (DUPLICATED_BY_NETIO to a copy that lives its own
                                         lifecycle) */
    uint32_t duplicate_frame_count;
    uint32_t reserved;          /* 0 */
} wfpsim_lifecycle_options;

/* The size of the first version of wfpsim_lifecycle_options (up to deliver_us). */
#define WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE 48u

#define WFPSIM_LC_NO_SEGMENTATION_CLONES 0x1u

/* discardMetadata.discardReason of the drops the model makes inside the stack (modelled values:
 * the real IP/transport discard reasons are internal to tcpip.sys). A BLOCK filter gives
 * FWPS_DISCARD_MODULE_GENERAL + FWPS_DISCARD_FIREWALL_POLICY (0) and the filter's id instead. */
#define WFPSIM_DISCARD_REASON_LOSS 1u       /* the loss rate */
#define WFPSIM_DISCARD_REASON_SCRIPTED 2u   /* a frame of drop_frames */
#define WFPSIM_DISCARD_REASON_REASSEMBLY 3u /* fragments of a packet never completed */ /* outbound packets longer than segment_size are not cloned */

typedef struct wfpsim_run_options {
    uint32_t struct_size;       /* sizeof(wfpsim_run_options); the size up to `reserved` (40) is
                                   accepted too: the fields after it are then zero */
    uint32_t default_process_id; /* 0 = 4242 */
    const uint16_t *default_app_path; /* NULL = \device\harddiskvolume3\windows\system32\wfpsim-app.exe */
    const wfpsim_app_rule *rules;
    uint32_t rule_count;
    uint32_t segment_size;      /* largest NET_BUFFER in a stream indication, and the largest outbound
                                   TCP payload sent without a segmentation-offload clone; 0 = 1460 */
    uint32_t flags;             /* WFPSIM_RUN_* */
    uint32_t reserved;
    const wfpsim_lifecycle_options *lifecycle; /* NULL = defaults */
    double packets_per_second;  /* > 0: input packets are paced in real time at this rate */
    uint64_t duration_ms;       /* > 0: the run ends at its first packet after this much real time
                                   (a synthetic run restarts its generator until then) */
} wfpsim_run_options;

#define WFPSIM_RUN_NO_PACKETS 0x1u     /* skip the transport-layer classifies */
#define WFPSIM_RUN_KEEP_CLOCK 0x2u     /* leave the virtual clock set after the run */
#define WFPSIM_RUN_DEFER_FLOW_CLOSE 0x4u /* flows that end in the input stay established (their flow
                                          contexts live) until WfpsimRunCloseFlows: live flows for
                                          LIST_FLOWS or an unload with flows */
#define WFPSIM_RUN_REJECT_TRUNCATED 0x8u /* a capture that ends inside its last record fails with
                                          WS_PCAP_E_TRUNCATED (default: replayed up to the cut) */
#define WFPSIM_RUN_LOSSLESS 0x10u      /* offline runs: before each input packet (and each flow closed),
                                          wait while a running session ring of the driver is more than
                                          half full (wfpsim/pressure.h); simulator only */

typedef struct wfpsim_run_stats {
    uint64_t flows;
    uint64_t flow_classifies;   /* ALE_FLOW_ESTABLISHED classifies */
    uint64_t stream_classifies; /* STREAM classifies (one per indication) */
    uint64_t packet_classifies; /* transport-layer classifies */
    uint64_t callout_calls;     /* classifyFn calls */
    uint64_t blocked;           /* classifies whose final action was BLOCK */
    uint64_t flow_deletes;      /* flowDeleteFn calls */
    /* the packet lifecycle (appended; WfpsimRunStats fills the whole struct) */
    uint64_t ippacket_classifies; /* IP packet layer classifies */
    uint64_t discard_classifies;  /* *_DISCARD layer classifies */
    uint64_t packets_dropped;     /* dropped inside the stack: block filter, loss, scripted, reassembly */
    uint64_t notify_calls;        /* NBL notify function calls during the run */
    uint64_t max_nbls_in_flight;  /* most NBLs the lifecycle model held at once */
    uint64_t clones;              /* CLONED_BY_NETIO (segmentation offload) */
    uint64_t reassemblies;        /* fragment sets reassembled */
    uint64_t input_packets;       /* frames read from the capture / generated */
    uint64_t cancelled;           /* 1 when the run ended early (WfpsimRunCancel, duration) */
    uint64_t duplicates;          /* DUPLICATED_BY_NETIO (duplicate_frames) */
} wfpsim_run_stats;

/* A WfpsimRun* call while another run is in progress (in another thread) returns this at once
 * (nothing changes). */
#define WFPSIM_RUN_E_BUSY (-9)

/* Replays a pcap/pcapng capture: flow_open -> ALE_FLOW_ESTABLISHED_V4/V6, stream data ->
 * STREAM_V4/V6, packets -> INBOUND/OUTBOUND_TRANSPORT_V4/V6, flow close -> the flow's
 * contexts removed (flowDeleteFn). Returns 0, or a negative ws_pcap error code. */
WS_EXPORT int32_t WfpsimRunCapture(const char *path, const wfpsim_run_options *options);
/* The same with the seeded generator (traffic.h ws_gen) producing `flows` flows. */
WS_EXPORT int32_t WfpsimRunSynthetic(uint64_t seed, uint32_t flows, const wfpsim_run_options *options);
/* Ends the run in progress (another thread's) at its next input packet: flows are closed
 * normally and pending lifecycle events delivered. Returns 1 if a run was in progress. */
WS_EXPORT int WfpsimRunCancel(void);
/* 1 while a WfpsimRun* call is in progress. */
WS_EXPORT int WfpsimRunActive(void);
/* Bytes the lifecycle model holds per in-flight NBL besides the packet's own bytes. */
WS_EXPORT uint32_t WfpsimLifecycleBytesPerNbl(void);

/* Counters of the last run (zeroed when a run starts). */
WS_EXPORT void WfpsimRunStats(wfpsim_run_stats *out);

/* What went wrong in the last run: code 0 = nothing, else a WS_PCAP_E_* code (traffic.h) with the
 * byte offset in the capture and a one-line message. A truncated capture replayed anyway (no
 * WFPSIM_RUN_REJECT_TRUNCATED) returned 0 but still reports WS_PCAP_E_TRUNCATED here. */
typedef struct wfpsim_run_error {
    int32_t code;
    uint32_t reserved;
    uint64_t offset;
    char message[192];
} wfpsim_run_error;
WS_EXPORT void WfpsimRunLastError(wfpsim_run_error *out);

/* Ends the flows WFPSIM_RUN_DEFER_FLOW_CLOSE kept established (flowDeleteFn of each context).
 * Returns the number of flows ended. */
WS_EXPORT uint32_t WfpsimRunCloseFlows(void);

/* The synthetic generator with more of its knobs (traffic.h ws_gen_config). */
typedef struct wfpsim_synthetic_options {
    uint32_t struct_size;       /* sizeof(wfpsim_synthetic_options) */
    uint32_t flows;
    uint64_t seed;
    uint32_t protocols;         /* bit (1 << ws_gen_proto) per protocol drawn from; 0 = all */
    uint32_t ipv6_percent;      /* 0..100 */
    uint32_t inbound_percent;   /* 0..100 */
    uint32_t rst_percent;       /* 0..100 */
    uint32_t min_bytes;         /* response size range; 0, 0 = 200 .. 20000 */
    uint32_t max_bytes;
} wfpsim_synthetic_options;
WS_EXPORT int32_t WfpsimRunSyntheticEx(const wfpsim_synthetic_options *synthetic,
                                       const wfpsim_run_options *options);

/* Open kernel32 handles of the model: device handles not yet closed (IRP_MJ_CLOSE pending
 * counts as open) plus event objects alive. For leak checks in tests. */
WS_EXPORT uint32_t WfpsimOpenHandles(void);

/* ---- kernel32 look-alikes (same names and x64 signatures as kernel32.dll) -------------- */
typedef int32_t WS_BOOL;

/* OVERLAPPED, Windows x64 layout (32 bytes). Internal receives the request's NTSTATUS
 * (STATUS_PENDING = 0x103 while it is in progress), InternalHigh the byte count. */
typedef struct WS_OVERLAPPED {
    uint64_t Internal;       /* ULONG_PTR */
    uint64_t InternalHigh;   /* ULONG_PTR */
    union {
        struct {
            uint32_t Offset;
            uint32_t OffsetHigh;
        } s;
        void *Pointer;
    } u;
    void *hEvent;            /* HANDLE */
} WS_OVERLAPPED;
#ifndef __cplusplus
_Static_assert(sizeof(WS_OVERLAPPED) == 32, "OVERLAPPED is 32 bytes on x64");
_Static_assert(__builtin_offsetof(WS_OVERLAPPED, InternalHigh) == 8, "OVERLAPPED.InternalHigh");
_Static_assert(__builtin_offsetof(WS_OVERLAPPED, u) == 16, "OVERLAPPED.Offset / Pointer");
_Static_assert(__builtin_offsetof(WS_OVERLAPPED, hEvent) == 24, "OVERLAPPED.hEvent");
#endif

/* dwFlagsAndAttributes: FILE_FLAG_OVERLAPPED (0x40000000) opens an asynchronous file object;
 * without it the handle is synchronous and every request on it is serialized (see ws_k_io.c). */
WS_EXPORT void *CreateFileW(const uint16_t *lpFileName, uint32_t dwDesiredAccess, uint32_t dwShareMode,
                            void *lpSecurityAttributes, uint32_t dwCreationDisposition,
                            uint32_t dwFlagsAndAttributes, void *hTemplateFile);
/* On an overlapped handle lpOverlapped is required: FALSE + ERROR_IO_PENDING (997) when the IRP
 * pends, else the result at once. On a synchronous handle the call waits. */
WS_EXPORT WS_BOOL DeviceIoControl(void *hDevice, uint32_t dwIoControlCode, void *lpInBuffer,
                                  uint32_t nInBufferSize, void *lpOutBuffer, uint32_t nOutBufferSize,
                                  uint32_t *lpBytesReturned, WS_OVERLAPPED *lpOverlapped);
WS_EXPORT WS_BOOL GetOverlappedResult(void *hFile, WS_OVERLAPPED *lpOverlapped,
                                      uint32_t *lpNumberOfBytesTransferred, WS_BOOL bWait);
WS_EXPORT WS_BOOL CloseHandle(void *hObject);
WS_EXPORT uint32_t GetLastError(void);
WS_EXPORT void SetLastError(uint32_t dwErrCode);
/* lpOverlapped NULL: every request of the handle; else the request issued with it. */
WS_EXPORT WS_BOOL CancelIoEx(void *hFile, WS_OVERLAPPED *lpOverlapped);
/* Unnamed events only (lpName must be NULL); lpEventAttributes is ignored. */
WS_EXPORT void *CreateEventW(void *lpEventAttributes, WS_BOOL bManualReset, WS_BOOL bInitialState,
                             const uint16_t *lpName);
WS_EXPORT WS_BOOL SetEvent(void *hEvent);
WS_EXPORT WS_BOOL ResetEvent(void *hEvent);
/* Event handles only: WAIT_OBJECT_0 (0), WAIT_TIMEOUT (0x102), WAIT_FAILED (0xFFFFFFFF);
 * dwMilliseconds 0xFFFFFFFF = INFINITE. */
WS_EXPORT uint32_t WaitForSingleObject(void *hHandle, uint32_t dwMilliseconds);

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_KERNEL_H */
