/*
 * wk_win.h - what the Windows glue files share (prefix wk_win_).
 *
 * The glue is the only code that includes OS headers, and it uses only the names listed
 * in KERNEL_SURFACE.md, so the same files compile against the WDK, MinGW-w64 (+ compat/)
 * and the simulator's headers. All state is in one global, g_wk, in the driver image's
 * non-paged data.
 *
 * IRQL of each piece:
 *   DriverEntry, Unload, IRP_MJ_CREATE/CLEANUP/CLOSE/DEVICE_CONTROL   PASSIVE_LEVEL
 *   classifyFn, flowDeleteFn, notifyFn                               <= DISPATCH_LEVEL
 *   session KDPC (read completion / timeout)                         DISPATCH_LEVEL
 *   CSQ callbacks                                                    <= DISPATCH_LEVEL
 * Locks:
 *   wk_core.lock, wk_session.lock (core, see core.h)  spin locks, DISPATCH_LEVEL
 *   wk_win_session.csqLock                            spin lock, DISPATCH_LEVEL; guards
 *                                                    `pending`; taken by the CSQ only,
 *                                                    never while a core lock is held
 *                                                    (core wakes are issued lock-free).
 */
#ifndef WK_WIN_H
#define WK_WIN_H

#include <ntddk.h>
#include <wdmsec.h>
#include <ndis.h>
#include <fwpsk.h>
#include <fwpmk.h>

#include "core.h"
#include "dispatch.h"

/* Pool tag "WkFk" (reads "kFkW" in a pool dump: tags are little-endian). */
#define WK_WIN_POOL_TAG 0x6B466B57u

/* The callouts wfpkit.sys registers, by index. */
#define WK_WIN_CO_FLOW_V4 0
#define WK_WIN_CO_FLOW_V6 1
#define WK_WIN_CO_STREAM_V4 2
#define WK_WIN_CO_STREAM_V6 3
/* Packet tagging: transport and IP packet layers, then their discard layers. */
#define WK_WIN_CO_OUT_TRANSPORT_V4 4
#define WK_WIN_CO_OUT_TRANSPORT_V6 5
#define WK_WIN_CO_IN_TRANSPORT_V4 6
#define WK_WIN_CO_IN_TRANSPORT_V6 7
#define WK_WIN_CO_OUT_IPPACKET_V4 8
#define WK_WIN_CO_OUT_IPPACKET_V6 9
#define WK_WIN_CO_IN_IPPACKET_V4 10
#define WK_WIN_CO_IN_IPPACKET_V6 11
#define WK_WIN_CO_FIRST_DISCARD 12 /* same order as 4..11, at the *_DISCARD layers */
#define WK_WIN_CO_COUNT 20

/* FwpsNetBufferListAssociateContext1, resolved at load (NULL: use ...Context0). */
typedef NTSTATUS(NTAPI *wk_win_associate1_fn)(NET_BUFFER_LIST *netBufferList, UINT16 layerId,
                                              UINT64 context, UINT64 contextTag,
                                              GUID *providerGuid, void *deviceObject,
                                              FWPS_NET_BUFFER_LIST_NOTIFY_FN1 notifyFn,
                                              UINT32 flags);

/* Per-session glue: the cancel-safe queue of the (single) pended READ_EVENTS and the
 * timer whose DPC completes it. Lives as long as the driver; a slot is reused. */
typedef struct wk_win_session {
    IO_CSQ csq;
    KSPIN_LOCK csqLock;    /* DISPATCH_LEVEL: pending */
    PIRP pending;          /* the pended READ_EVENTS, or NULL */
    KTIMER timer;          /* fires the DPC: at the read's timeout, or at once on a wake */
    KDPC dpc;
    ULONG64 deadline;      /* KeQueryInterruptTime value of the timeout; 0 = none */
    ULONG slot;
} wk_win_session;

typedef struct wk_win_globals {
    wk_core core;
    PDEVICE_OBJECT device;
    BOOLEAN symlinkCreated;
    BOOLEAN coreReady;
    volatile LONG unloading;        /* set first in Unload: no new sessions */
    UINT32 calloutIds[WK_WIN_CO_COUNT];
    BOOLEAN registered[WK_WIN_CO_COUNT];
    KEVENT flowsDrained;            /* set by flowDeleteFn when the last flow goes at unload */
    KEVENT tagsDrained;             /* set by the NBL notify function when the last tag retires at unload */
    UINT64 nblTag;                  /* FwpsNetBufferListGetTagForContext0, once per load */
    BOOLEAN tagReady;               /* nblTag valid: tagging callouts act */
    wk_win_associate1_fn associate1; /* ...AssociateContext1 when available */
    volatile LONG tagsStranded;     /* Unload's wait expired: the core (and the image) outlive it */
    void *releaseItem;              /* PIO_WORKITEM queued when the last stranded tag retires */
    wk_win_session sessions[WK_MAX_SESSIONS];
} wk_win_globals;

extern wk_win_globals g_wk;

/* irp.c */
void wk_win_sessions_init(void);
NTSTATUS NTAPI wk_win_create(PDEVICE_OBJECT device, PIRP irp);
NTSTATUS NTAPI wk_win_cleanup(PDEVICE_OBJECT device, PIRP irp);
NTSTATUS NTAPI wk_win_close(PDEVICE_OBJECT device, PIRP irp);
NTSTATUS NTAPI wk_win_device_control(PDEVICE_OBJECT device, PIRP irp);
void wk_win_sessions_stop(void);

/* callouts.c */
NTSTATUS wk_win_callouts_register(PDEVICE_OBJECT device);
void wk_win_flows_remove_all(void);
void wk_win_callouts_unregister(void);
/* tagging.c */
void NTAPI wk_win_classify_packet(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                  const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                  void *layerData, const void *classifyContext,
                                  const FWPS_FILTER1 *filter, UINT64 flowContext,
                                  FWPS_CLASSIFY_OUT0 *classifyOut);
void NTAPI wk_win_classify_discard(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                   const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                   void *layerData, const void *classifyContext,
                                   const FWPS_FILTER1 *filter, UINT64 flowContext,
                                   FWPS_CLASSIFY_OUT0 *classifyOut);
uint32_t wk_win_tagging_init(void);   /* returns the FeatureFlags tagging adds */
BOOLEAN wk_win_tags_remove_all(void); /* TRUE: every tag retired */
BOOLEAN wk_win_tags_strand(void);     /* after a FALSE above: TRUE = keep the core, do not free it */
void wk_win_tags_strand_done(void);   /* after a TRUE above, last in Unload */
/* sim_pressure.c: the simulator's ring-pressure probe for offline lossless runs (registered
 * at DriverEntry, unregistered first in Unload); nothing on Windows. */
#if defined(WK_SIMULATED) && WK_SIMULATED
void wk_win_sim_pressure_register(void);
void wk_win_sim_pressure_unregister(void);
#else
#define wk_win_sim_pressure_register() ((void)0)
#define wk_win_sim_pressure_unregister() ((void)0)
#endif

#endif /* WK_WIN_H */
