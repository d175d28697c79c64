/*
 * wfpsim_api.h - the functions libwfpsim exports.
 *
 * The Fwpm* functions have the exact C signatures of fwpuclnt.dll (Windows x64
 * ABI, fixed-width types), so a binding written for fwpuclnt.dll loads this
 * library unchanged. Every function returns 0 or a Win32 / FWP_E_* code.
 *
 * The Wfpsim* functions exist only in the simulator: they control the model
 * (reset, state file, simulated client death) and are never present on Windows.
 */
#ifndef WFPSIM_API_H
#define WFPSIM_API_H

#include "wfpsim_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define WS_EXPORT __declspec(dllexport)
#else
#define WS_EXPORT __attribute__((visibility("default")))
#endif

typedef void *WS_HANDLE;

/* ---- sessions and transactions ---------------------------------------- */
WS_EXPORT uint32_t FwpmEngineOpen0(const WS_WCHAR *serverName, uint32_t authnService,
                                   void *authIdentity /* SEC_WINNT_AUTH_IDENTITY_W* */,
                                   const WS_FWPM_SESSION0 *session, WS_HANDLE *engineHandle);
WS_EXPORT uint32_t FwpmEngineClose0(WS_HANDLE engineHandle);
WS_EXPORT uint32_t FwpmTransactionBegin0(WS_HANDLE engineHandle, uint32_t flags);
WS_EXPORT uint32_t FwpmTransactionCommit0(WS_HANDLE engineHandle);
WS_EXPORT uint32_t FwpmTransactionAbort0(WS_HANDLE engineHandle);

/* ---- providers --------------------------------------------------------- */
WS_EXPORT uint32_t FwpmProviderAdd0(WS_HANDLE engineHandle, const WS_FWPM_PROVIDER0 *provider,
                                    void *sd);
WS_EXPORT uint32_t FwpmProviderDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key);
WS_EXPORT uint32_t FwpmProviderGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key,
                                         WS_FWPM_PROVIDER0 **provider);
WS_EXPORT uint32_t FwpmProviderCreateEnumHandle0(WS_HANDLE engineHandle,
                                                 const WS_FWPM_PROVIDER_ENUM_TEMPLATE0 *enumTemplate,
                                                 WS_HANDLE *enumHandle);
WS_EXPORT uint32_t FwpmProviderEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle,
                                     uint32_t numEntriesRequested, WS_FWPM_PROVIDER0 ***entries,
                                     uint32_t *numEntriesReturned);
WS_EXPORT uint32_t FwpmProviderDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle);

/* ---- sublayers --------------------------------------------------------- */
WS_EXPORT uint32_t FwpmSubLayerAdd0(WS_HANDLE engineHandle, const WS_FWPM_SUBLAYER0 *subLayer,
                                    void *sd);
WS_EXPORT uint32_t FwpmSubLayerDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key);
WS_EXPORT uint32_t FwpmSubLayerGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key,
                                         WS_FWPM_SUBLAYER0 **subLayer);
WS_EXPORT uint32_t FwpmSubLayerCreateEnumHandle0(WS_HANDLE engineHandle,
                                                 const WS_FWPM_SUBLAYER_ENUM_TEMPLATE0 *enumTemplate,
                                                 WS_HANDLE *enumHandle);
WS_EXPORT uint32_t FwpmSubLayerEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle,
                                     uint32_t numEntriesRequested, WS_FWPM_SUBLAYER0 ***entries,
                                     uint32_t *numEntriesReturned);
WS_EXPORT uint32_t FwpmSubLayerDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle);

/* ---- callouts ---------------------------------------------------------- */
WS_EXPORT uint32_t FwpmCalloutAdd0(WS_HANDLE engineHandle, const WS_FWPM_CALLOUT0 *callout,
                                   void *sd, uint32_t *id);
WS_EXPORT uint32_t FwpmCalloutDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key);
WS_EXPORT uint32_t FwpmCalloutDeleteById0(WS_HANDLE engineHandle, uint32_t id);
WS_EXPORT uint32_t FwpmCalloutGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key,
                                        WS_FWPM_CALLOUT0 **callout);
WS_EXPORT uint32_t FwpmCalloutGetById0(WS_HANDLE engineHandle, uint32_t id,
                                       WS_FWPM_CALLOUT0 **callout);
WS_EXPORT uint32_t FwpmCalloutCreateEnumHandle0(WS_HANDLE engineHandle,
                                                const WS_FWPM_CALLOUT_ENUM_TEMPLATE0 *enumTemplate,
                                                WS_HANDLE *enumHandle);
WS_EXPORT uint32_t FwpmCalloutEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle,
                                    uint32_t numEntriesRequested, WS_FWPM_CALLOUT0 ***entries,
                                    uint32_t *numEntriesReturned);
WS_EXPORT uint32_t FwpmCalloutDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle);

/* ---- filters ----------------------------------------------------------- */
WS_EXPORT uint32_t FwpmFilterAdd0(WS_HANDLE engineHandle, const WS_FWPM_FILTER0 *filter, void *sd,
                                  uint64_t *id);
WS_EXPORT uint32_t FwpmFilterDeleteByKey0(WS_HANDLE engineHandle, const WS_GUID *key);
WS_EXPORT uint32_t FwpmFilterDeleteById0(WS_HANDLE engineHandle, uint64_t id);
WS_EXPORT uint32_t FwpmFilterGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key,
                                       WS_FWPM_FILTER0 **filter);
WS_EXPORT uint32_t FwpmFilterGetById0(WS_HANDLE engineHandle, uint64_t id,
                                      WS_FWPM_FILTER0 **filter);
WS_EXPORT uint32_t FwpmFilterCreateEnumHandle0(WS_HANDLE engineHandle,
                                               const WS_FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate,
                                               WS_HANDLE *enumHandle);
WS_EXPORT uint32_t FwpmFilterEnum0(WS_HANDLE engineHandle, WS_HANDLE enumHandle,
                                   uint32_t numEntriesRequested, WS_FWPM_FILTER0 ***entries,
                                   uint32_t *numEntriesReturned);
WS_EXPORT uint32_t FwpmFilterDestroyEnumHandle0(WS_HANDLE engineHandle, WS_HANDLE enumHandle);

/* ---- layers, memory, app ids ------------------------------------------- */
WS_EXPORT uint32_t FwpmLayerGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key,
                                      WS_FWPM_LAYER0 **layer);
WS_EXPORT void FwpmFreeMemory0(void **p);
WS_EXPORT uint32_t FwpmGetAppIdFromFileName0(const WS_WCHAR *fileName, WS_FWP_BYTE_BLOB **appId);

/* ---- simulator-only control ------------------------------------------- */

/* Drops every session, handle, transaction and object held in memory, as a
 * restart of the BFE service would. The state file is not touched: the next
 * FwpmEngineOpen0 reloads the persistent objects from it. */
WS_EXPORT void WfpsimReset(void);

/* Chooses the state file (NULL = persist nothing, even if WFPSIM_STATE_FILE is
 * set). Without a call, the path comes from env WFPSIM_STATE_FILE, read when the
 * engine first loads. Resets the engine like WfpsimReset(); refused with
 * ERROR_BUSY while a session is open. */
WS_EXPORT uint32_t WfpsimSetStateFile(const char *path);

/* Models the death of the client process that owns engineHandle: its open
 * transaction is aborted and its dynamic objects are deleted, and the handle
 * becomes invalid. Same result as FwpmEngineClose0, kept apart so tests say
 * what they mean. */
WS_EXPORT uint32_t WfpsimAbandonSession(WS_HANDLE engineHandle);

/* Number of blocks handed out by Get/Enum/GetAppId and not yet given back to
 * FwpmFreeMemory0 (leak checks in binding tests). */
WS_EXPORT uint32_t WfpsimOutstandingAllocations(void);

/* Number of live engine sessions. */
WS_EXPORT uint32_t WfpsimSessionCount(void);

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_API_H */
