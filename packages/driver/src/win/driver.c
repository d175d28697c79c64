/*
 * driver.c - DriverEntry and Unload of wfpkit.sys (WDM, non-PnP control device).
 *
 * Load (PASSIVE_LEVEL): the core and its tables (one allocation), the per-session glue,
 * the control device \Device\WfpKit with the contract's SDDL (SYSTEM and Administrators
 * only) and FILE_DEVICE_SECURE_OPEN, its symbolic link, the dispatch routines, then the
 * callouts — last, so no classify can arrive before everything it touches exists.
 *
 * Unload (PASSIVE_LEVEL), in the documented order:
 *   1. stop new work: no new sessions or flows (g_wk.unloading, wk_core_begin_unload);
 *   2. remove every flow context and wait for their flowDeleteFn (FLOW_DELETED, reason
 *      UNLOAD) — FwpsCalloutUnregisterByKey0 fails with STATUS_DEVICE_BUSY otherwise;
 *   2b. remove our packet context from every NBL (FwpsNetBufferListRemoveContext0 with a
 *      NULL NBL) and wait, bounded (10 s), until every tag ledger entry retired, so no NBL
 *      notify function can run after the image is gone. If the bound expires, the unload
 *      goes on but strands the tags (tagging.c, wk_win_tags_strand): the core stays
 *      allocated and an extra reference on the device object keeps the driver object, and
 *      so the image, in memory; the notify that retires the last tag queues a work item
 *      that frees the core and drops that reference, and the image unloads after it;
 *   3. unregister the callouts;
 *   4. delete the symbolic link and the device, stop timers, flush DPCs, free the core.
 */
#include "wk_win.h"

wk_win_globals g_wk;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registryPath);

static VOID NTAPI wk_win_unload(PDRIVER_OBJECT driver)
{
    UNICODE_STRING link;
    BOOLEAN keepCore = FALSE;
    (void)driver;
    wk_win_sim_pressure_unregister(); /* simulator only: no probe call after this */
    InterlockedIncrement(&g_wk.unloading);
    if (g_wk.coreReady) {
        wk_core_begin_unload(&g_wk.core);
        wk_win_flows_remove_all();
        if (!wk_win_tags_remove_all()) {
            keepCore = wk_win_tags_strand();
        }
    }
    wk_win_callouts_unregister();
    if (g_wk.symlinkCreated) {
        RtlInitUnicodeString(&link, WK_SYMBOLIC_LINK);
        IoDeleteSymbolicLink(&link);
        g_wk.symlinkCreated = FALSE;
    }
    if (g_wk.device != NULL) {
        IoDeleteDevice(g_wk.device);
        g_wk.device = NULL;
    }
    wk_win_sessions_stop();
    if (keepCore) {
        wk_win_tags_strand_done(); /* the core goes with the last stranded tag */
    } else if (g_wk.coreReady) {
        wk_core_free(&g_wk.core);
        g_wk.coreReady = FALSE;
    }
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registryPath)
{
    UNICODE_STRING name, link, sddl;
    wk_core_config cfg;
    NTSTATUS st;
    (void)registryPath;

    RtlZeroMemory(&g_wk, sizeof g_wk);
    KeInitializeEvent(&g_wk.flowsDrained, NotificationEvent, FALSE);
    RtlZeroMemory(&cfg, sizeof cfg);
#if defined(WK_SIMULATED) && WK_SIMULATED
    cfg.features = WK_FEATURE_FLAGS_SIMULATED;
#endif
    KeInitializeEvent(&g_wk.tagsDrained, NotificationEvent, FALSE);
    cfg.features |= wk_win_tagging_init(); /* the tag for this load; ASSOCIATE_CONTEXT1, IPPACKET_LAYERS */
    if (wk_core_init(&g_wk.core, &cfg) != 0) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    g_wk.coreReady = TRUE;
    wk_win_sessions_init();
    wk_win_sim_pressure_register(); /* simulator only: ring fill for offline lossless runs */

    RtlInitUnicodeString(&name, WK_DEVICE_NAME);
    RtlInitUnicodeString(&sddl, WK_DEVICE_SDDL);
    st = IoCreateDeviceSecure(driver, 0, &name, (DEVICE_TYPE)WK_DEVICE_TYPE,
                              FILE_DEVICE_SECURE_OPEN, FALSE, &sddl, NULL, &g_wk.device);
    if (!NT_SUCCESS(st)) {
        wk_win_unload(driver);
        return st;
    }
    RtlInitUnicodeString(&link, WK_SYMBOLIC_LINK);
    st = IoCreateSymbolicLink(&link, &name);
    if (!NT_SUCCESS(st)) {
        wk_win_unload(driver);
        return st;
    }
    g_wk.symlinkCreated = TRUE;

    driver->MajorFunction[IRP_MJ_CREATE] = wk_win_create;
    driver->MajorFunction[IRP_MJ_CLEANUP] = wk_win_cleanup;
    driver->MajorFunction[IRP_MJ_CLOSE] = wk_win_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = wk_win_device_control;
    driver->DriverUnload = wk_win_unload;

    st = wk_win_callouts_register(g_wk.device);
    if (!NT_SUCCESS(st)) {
        wk_win_unload(driver);
        return st;
    }
    g_wk.device->Flags &= ~(ULONG)DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
