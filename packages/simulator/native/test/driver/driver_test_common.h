/*
 * driver_test_common.h - what the C tests of the wfpkit driver inside libwfpsim
 * (wfpkit_driver_test.c, tagging_driver_test.c) share: the CHECK harness, the device name,
 * the WFP objects an installer adds (provider, sublayer, callouts), callout filters in a
 * dynamic engine session, and the device's IOCTLs through the kernel32 look-alikes. Each
 * test program is one translation unit that includes this header once.
 */
#ifndef WFPSIM_DRIVER_TEST_COMMON_H
#define WFPSIM_DRIVER_TEST_COMMON_H

#include <stdint.h>
#include <string.h>

#include "wfpkit_ioctl.h"
#include "wfpsim/kernel.h"
#include "wfpsim/wfpsim_api.h"
#include "../check.h"

#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define OPEN_EXISTING 3u
#define INVALID ((void *)(intptr_t)-1)
#define ERROR_INVALID_PARAMETER 87u
#define STATUS_SUCCESS 0u

static const uint16_t k_device[] = u"\\\\.\\WfpKit";
/* The capture the tests replay (argv[1] overrides it). */
static const char *g_pcap = "loopback.pcap";

static const WS_GUID k_provider = WK_GUID_PROVIDER, k_sublayer = WK_GUID_SUBLAYER;
/* FWPM_LAYER_* and FWPM_CONDITION_ALE_APP_ID (Windows SDK fwpmu.h values). */
static const WS_GUID k_layer_flow4 = { 0xaf80470a, 0x5596, 0x4c13, { 0x99, 0x92, 0x53, 0x9e, 0x6f, 0xe5, 0x79, 0x67 } };
static const WS_GUID k_layer_flow6 = { 0x7021d2b3, 0xdfa4, 0x406e, { 0xaf, 0xeb, 0x6a, 0xfa, 0xf7, 0xe7, 0x0e, 0xfd } };
static const WS_GUID k_layer_stream4 = { 0x3b89653c, 0xc170, 0x49e4, { 0xb1, 0xcd, 0xe0, 0xee, 0xee, 0xe1, 0x9a, 0x3e } };
static const WS_GUID k_layer_stream6 = { 0x47c9137a, 0x7ec4, 0x46b3, { 0xb6, 0xe4, 0x48, 0xe9, 0x26, 0xb1, 0xed, 0xa4 } };
static const WS_GUID k_cond_app_id = { 0xd78e1e87, 0x8644, 0x4ea5, { 0x94, 0x37, 0xd8, 0x09, 0xec, 0xef, 0xc9, 0x71 } };

/* An ASCII string as a NUL-terminated UTF-16 one (eight rotating buffers of 127 characters). */
static inline WS_WCHAR *wstr(const char *s)
{
    static WS_WCHAR buf[8][128];
    static int next;
    WS_WCHAR *w = buf[next++ % 8];
    size_t i;
    for (i = 0; s[i] && i < 127; i++)
        w[i] = (WS_WCHAR)(unsigned char)s[i];
    w[i] = 0;
    return w;
}

/* Adds a persistent wfpkit callout at a layer; its id, or 0 when the engine refused it. */
static inline uint32_t add_callout(WS_HANDLE e, const WS_GUID *key, const WS_GUID *layer)
{
    WS_FWPM_CALLOUT0 c;
    uint32_t id = 0;
    memset(&c, 0, sizeof c);
    c.calloutKey = *key;
    c.displayData.name = wstr("wfpkit callout");
    c.flags = WS_FWPM_CALLOUT_FLAG_PERSISTENT;
    c.providerKey = (WS_GUID *)&k_provider;
    c.applicableLayer = *layer;
    return FwpmCalloutAdd0(e, &c, NULL, &id) == 0 ? id : 0;
}

/* The persistent part (an installer's job): the provider, the sublayer and the n callouts
 * keys[i] at layers[i]. 1 when all were added. */
static inline int install_callouts(const WS_GUID *keys, const WS_GUID *const *layers, int n)
{
    WS_HANDLE e = NULL;
    WS_FWPM_SESSION0 s;
    memset(&s, 0, sizeof s);
    if (FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, &s, &e) != 0)
        return 0;
    WS_FWPM_PROVIDER0 p;
    memset(&p, 0, sizeof p);
    p.providerKey = k_provider;
    p.displayData.name = wstr("wfpkit");
    p.flags = WS_FWPM_PROVIDER_FLAG_PERSISTENT;
    int ok = FwpmProviderAdd0(e, &p, NULL) == 0;
    WS_FWPM_SUBLAYER0 sl;
    memset(&sl, 0, sizeof sl);
    sl.subLayerKey = k_sublayer;
    sl.displayData.name = wstr("wfpkit sublayer");
    sl.flags = WS_FWPM_SUBLAYER_FLAG_PERSISTENT;
    sl.providerKey = (WS_GUID *)&k_provider;
    sl.weight = 0x7000;
    ok = ok && FwpmSubLayerAdd0(e, &sl, NULL) == 0;
    for (int i = 0; i < n && ok; i++)
        ok = add_callout(e, &keys[i], layers[i]) != 0;
    FwpmEngineClose0(e);
    return ok;
}

/* Adds a callout filter in the wfpkit sublayer; its id, or 0 when the engine refused it. */
static inline uint64_t add_filter(WS_HANDLE e, const WS_GUID *layer, const WS_GUID *callout, WS_FWPM_FILTER_CONDITION0 *cond,
                                  uint32_t ncond, uint64_t rawContext)
{
    WS_FWPM_FILTER0 f;
    uint64_t id = 0;
    memset(&f, 0, sizeof f);
    f.displayData.name = wstr("wfpkit filter");
    f.providerKey = (WS_GUID *)&k_provider;
    f.layerKey = *layer;
    f.subLayerKey = k_sublayer;
    f.weight.type = WS_FWP_EMPTY;
    f.numFilterConditions = ncond;
    f.filterCondition = cond;
    f.action.type = WS_FWP_ACTION_CALLOUT_INSPECTION;
    f.action.calloutKey = *callout;
    f.rawContext = rawContext;
    return FwpmFilterAdd0(e, &f, NULL, &id) == 0 ? id : 0;
}

/* Opens a dynamic engine session (its filters go when it closes), begins a transaction and
 * fills *c with the condition ALE_APP_ID = appId. NULL when the engine refused. */
static inline WS_HANDLE begin_app_filters(WS_FWPM_FILTER_CONDITION0 *c, WS_FWP_BYTE_BLOB *appId)
{
    WS_HANDLE e = NULL;
    WS_FWPM_SESSION0 s;
    memset(&s, 0, sizeof s);
    s.flags = WS_FWPM_SESSION_FLAG_DYNAMIC;
    if (FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, &s, &e) != 0)
        return NULL;
    memset(c, 0, sizeof *c);
    c->fieldKey = k_cond_app_id;
    c->matchType = WS_FWP_MATCH_EQUAL;
    c->conditionValue.type = WS_FWP_BYTE_BLOB_TYPE;
    c->conditionValue.byteBlob = appId;
    if (FwpmTransactionBegin0(e, 0) != 0) {
        FwpmEngineClose0(e);
        return NULL;
    }
    return e;
}

/* Commits what begin_app_filters began when ok: the session, or NULL (closed) on failure. */
static inline WS_HANDLE commit_app_filters(WS_HANDLE e, int ok)
{
    if (e == NULL)
        return NULL;
    if (ok && FwpmTransactionCommit0(e) == 0)
        return e;
    FwpmEngineClose0(e);
    return NULL;
}

/* ---- the device, through the kernel32 look-alikes ---------------------------------------- */
static inline void *open_dev(uint32_t flags)
{
    return CreateFileW(k_device, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, flags, NULL);
}

/* DeviceIoControl, synchronous: 0 or the Win32 error; *bytes (0xDEAD when the call does not
 * set it) the bytes returned. */
static inline uint32_t ioctl_(void *h, uint32_t code, const void *in, uint32_t inLen, void *out, uint32_t outLen,
                              uint32_t *bytes)
{
    uint32_t n = 0xDEAD;
    int ok = DeviceIoControl(h, code, (void *)in, inLen, out, outLen, &n, NULL);
    if (bytes)
        *bytes = n;
    return ok ? 0 : GetLastError();
}

/* A SET_CONFIG request with the default inspect budget. */
static inline WK_SESSION_CONFIG config(uint32_t flags, uint32_t ringBytes, uint32_t snapLen)
{
    WK_SESSION_CONFIG c;
    memset(&c, 0, sizeof c);
    c.structSize = sizeof c;
    c.flags = flags;
    c.inspectBudget = WK_DEFAULT_INSPECT_BUDGET;
    c.ringBytes = ringBytes;
    c.snapLen = snapLen;
    return c;
}

#endif
