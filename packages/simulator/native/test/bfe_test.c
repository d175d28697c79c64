/*
 * bfe_test.c - behaviour tests of libwfpsim's base filtering engine, linked
 * against the shared library and driven through its exported API only.
 * Prints one line per failed check and exits non-zero if any failed.
 * Run by test/native.test.ts (also under AddressSanitizer: -DWFPSIM_ASAN=ON).
 *
 *   wfpsim_bfe_test                 all in-process tests
 *   wfpsim_bfe_test write <state>   adds persistent objects to <state>
 *   wfpsim_bfe_test read <state>    checks they were reloaded
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wfpsim/wfpsim_api.h"
#include "wfpsim/wfpsim_store.h"

static int g_failed, g_checks;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        g_checks++;                                                                 \
        if (!(cond)) {                                                              \
            g_failed++;                                                             \
            fprintf(stdout, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                           \
    } while (0)
#define CHECK_RC(expr, want)                                                        \
    do {                                                                            \
        uint32_t rc_ = (expr);                                                      \
        g_checks++;                                                                 \
        if (rc_ != (uint32_t)(want)) {                                              \
            g_failed++;                                                             \
            fprintf(stdout, "FAIL %s:%d: %s = 0x%08X, want 0x%08X\n", __FILE__,     \
                    __LINE__, #expr, rc_, (uint32_t)(want));                        \
        }                                                                           \
    } while (0)

static const WS_GUID L_CONNECT_V4 = { 0xc38d57d1, 0x05a7, 0x4c33, { 0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82 } };
static const WS_GUID L_STREAM_V4 = { 0x3b89653c, 0xc170, 0x49e4, { 0xb1, 0xcd, 0xe0, 0xee, 0xee, 0xe1, 0x9a, 0x3e } };
static const WS_GUID L_FLOW_V4 = { 0xaf80470a, 0x5596, 0x4c13, { 0x99, 0x92, 0x53, 0x9e, 0x6f, 0xe5, 0x79, 0x67 } };
static const WS_GUID L_CONNECT_V6 = { 0x4a72393b, 0x319f, 0x44bc, { 0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4 } };
static const WS_GUID C_REMOTE_PORT = { 0xc35a604d, 0xd22b, 0x4e1a, { 0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee, 0x67, 0x4b } };
static const WS_GUID C_REMOTE_ADDR = { 0xb235ae9a, 0x1d64, 0x49b8, { 0xa4, 0x4c, 0x5f, 0xf3, 0xd9, 0x09, 0x50, 0x45 } };
static const WS_GUID C_APP_ID = { 0xd78e1e87, 0x8644, 0x4ea5, { 0x94, 0x37, 0xd8, 0x09, 0xec, 0xef, 0xc9, 0x71 } };
static const WS_GUID C_FLAGS = { 0x632ce23b, 0x5167, 0x435c, { 0x86, 0xd7, 0xe9, 0x03, 0x68, 0x4a, 0xa8, 0x0c } };
static const WS_GUID C_DIRECTION = { 0x8784c146, 0xca97, 0x44d6, { 0x9f, 0xd1, 0x19, 0xfb, 0x18, 0x40, 0xcb, 0xf7 } };
static const WS_GUID C_PEER_NAME = { 0x9b539082, 0xeb90, 0x4186, { 0xa6, 0xcc, 0xde, 0x5b, 0x63, 0x23, 0x50, 0x16 } };
static const WS_GUID UNIVERSAL = { 0xeebecc03, 0xced4, 0x4380, { 0x81, 0x9a, 0x27, 0x34, 0x39, 0x7b, 0x2b, 0x74 } };

int ws_guid_eq_test(const WS_GUID *a, const WS_GUID *b);

static WS_WCHAR W_NAME[] = { 'w', 'f', 'p', 's', 'i', 'm', 0 };

static WS_GUID guid(uint32_t n)
{
    WS_GUID g = { n, 0x1111, 0x4222, { 0x83, 0x33, 0, 0, 0, 0, 0, (uint8_t)n } };
    return g;
}

static WS_HANDLE open_engine(int dynamic)
{
    WS_FWPM_SESSION0 s;
    memset(&s, 0, sizeof s);
    s.flags = dynamic ? WS_FWPM_SESSION_FLAG_DYNAMIC : 0;
    WS_HANDLE h = NULL;
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, &s, &h), 0);
    return h;
}

static WS_FWPM_PROVIDER0 provider(uint32_t n, uint32_t flags)
{
    WS_FWPM_PROVIDER0 p;
    memset(&p, 0, sizeof p);
    p.providerKey = guid(n);
    p.displayData.name = W_NAME;
    p.flags = flags;
    return p;
}

static WS_FWPM_SUBLAYER0 sublayer(uint32_t n, uint32_t flags, uint16_t weight)
{
    WS_FWPM_SUBLAYER0 p;
    memset(&p, 0, sizeof p);
    p.subLayerKey = guid(n);
    p.displayData.name = W_NAME;
    p.flags = flags;
    p.weight = weight;
    return p;
}

static WS_FWPM_CALLOUT0 callout(uint32_t n, const WS_GUID *layer, uint32_t flags)
{
    WS_FWPM_CALLOUT0 c;
    memset(&c, 0, sizeof c);
    c.calloutKey = guid(n);
    c.displayData.name = W_NAME;
    c.applicableLayer = *layer;
    c.flags = flags;
    return c;
}

static WS_FWPM_FILTER0 filter(uint32_t n, const WS_GUID *layer, uint32_t action)
{
    WS_FWPM_FILTER0 f;
    memset(&f, 0, sizeof f);
    f.filterKey = guid(n);
    f.displayData.name = W_NAME;
    f.layerKey = *layer;
    f.action.type = action;
    return f;
}

static WS_FWPM_FILTER_CONDITION0 port_cond(uint16_t port)
{
    WS_FWPM_FILTER_CONDITION0 c;
    memset(&c, 0, sizeof c);
    c.fieldKey = C_REMOTE_PORT;
    c.matchType = WS_FWP_MATCH_EQUAL;
    c.conditionValue.type = WS_FWP_UINT16;
    c.conditionValue.uint16 = port;
    return c;
}

static uint32_t add_filter_cond(WS_HANDLE h, uint32_t n, const WS_GUID *layer, WS_FWPM_FILTER_CONDITION0 c)
{
    WS_FWPM_FILTER0 f = filter(n, layer, WS_FWP_ACTION_BLOCK);
    f.numFilterConditions = 1;
    f.filterCondition = &c;
    return FwpmFilterAdd0(h, &f, NULL, NULL);
}

static void test_sessions(void)
{
    WS_HANDLE h = NULL;
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, NULL, NULL), WS_ERROR_INVALID_PARAMETER);
    CHECK_RC(FwpmEngineOpen0(NULL, 9, NULL, NULL, &h), WS_RPC_S_UNKNOWN_AUTHN_SERVICE);
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_DEFAULT, NULL, NULL, &h), 0);
    CHECK(h != NULL);
    CHECK(WfpsimSessionCount() == 1);
    CHECK_RC(FwpmEngineClose0(h), 0);
    CHECK_RC(FwpmEngineClose0(h), WS_ERROR_INVALID_HANDLE);
    CHECK_RC(FwpmEngineClose0(NULL), WS_ERROR_INVALID_HANDLE);
    CHECK_RC(FwpmEngineClose0((WS_HANDLE)(uintptr_t)0xdeadbeef), WS_ERROR_INVALID_HANDLE);
    WS_FWPM_PROVIDER0 p = provider(1, 0);
    CHECK_RC(FwpmProviderAdd0(h, &p, NULL), WS_ERROR_INVALID_HANDLE);
    CHECK_RC(FwpmTransactionBegin0(h, 0), WS_ERROR_INVALID_HANDLE);
    WS_FWPM_SESSION0 bad;
    memset(&bad, 0, sizeof bad);
    bad.flags = 0x8;
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, &bad, &h), WS_FWP_E_INVALID_FLAGS);
    CHECK(WfpsimSessionCount() == 0);
}

static void test_keys_and_refs(void)
{
    WS_HANDLE h = open_engine(0);
    WS_FWPM_PROVIDER0 p = provider(1, 0);
    CHECK_RC(FwpmProviderAdd0(h, NULL, NULL), WS_ERROR_INVALID_PARAMETER);
    CHECK_RC(FwpmProviderAdd0(h, &p, NULL), 0);
    CHECK_RC(FwpmProviderAdd0(h, &p, NULL), WS_FWP_E_ALREADY_EXISTS);
    WS_FWPM_PROVIDER0 noname = provider(2, 0);
    noname.displayData.name = NULL;
    CHECK_RC(FwpmProviderAdd0(h, &noname, NULL), WS_FWP_E_NULL_DISPLAY_NAME);
    WS_FWPM_PROVIDER0 badflags = provider(2, 0x100);
    CHECK_RC(FwpmProviderAdd0(h, &badflags, NULL), WS_FWP_E_INVALID_FLAGS);
    WS_GUID missing = guid(99);
    CHECK_RC(FwpmProviderDeleteByKey0(h, &missing), WS_FWP_E_PROVIDER_NOT_FOUND);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &missing), WS_FWP_E_SUBLAYER_NOT_FOUND);
    CHECK_RC(FwpmCalloutDeleteByKey0(h, &missing), WS_FWP_E_CALLOUT_NOT_FOUND);
    CHECK_RC(FwpmCalloutDeleteById0(h, 12345), WS_FWP_E_CALLOUT_NOT_FOUND);
    CHECK_RC(FwpmFilterDeleteByKey0(h, &missing), WS_FWP_E_FILTER_NOT_FOUND);
    CHECK_RC(FwpmFilterDeleteById0(h, 12345), WS_FWP_E_FILTER_NOT_FOUND);
    WS_FWPM_LAYER0 *layer = NULL;
    CHECK_RC(FwpmLayerGetByKey0(h, &missing, &layer), WS_FWP_E_LAYER_NOT_FOUND);
    CHECK_RC(FwpmProviderGetByKey0(h, &missing, NULL), WS_ERROR_INVALID_PARAMETER);

    /* sublayer referencing a missing provider, then the real one */
    WS_FWPM_SUBLAYER0 sl = sublayer(10, 0, 0x100);
    sl.providerKey = &missing;
    CHECK_RC(FwpmSubLayerAdd0(h, &sl, NULL), WS_FWP_E_PROVIDER_NOT_FOUND);
    sl.providerKey = &p.providerKey;
    CHECK_RC(FwpmSubLayerAdd0(h, &sl, NULL), 0);
    CHECK_RC(FwpmProviderDeleteByKey0(h, &p.providerKey), WS_FWP_E_IN_USE);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &UNIVERSAL), WS_FWP_E_BUILTIN_OBJECT);

    /* callouts */
    WS_FWPM_CALLOUT0 co = callout(20, &L_STREAM_V4, 0);
    uint32_t cid = 0, cid2 = 0;
    CHECK_RC(FwpmCalloutAdd0(h, &co, NULL, &cid), 0);
    CHECK(cid != 0);
    WS_FWPM_CALLOUT0 co2 = callout(21, &L_FLOW_V4, 0);
    CHECK_RC(FwpmCalloutAdd0(h, &co2, NULL, &cid2), 0);
    CHECK(cid2 > cid);
    WS_FWPM_CALLOUT0 co3 = callout(22, &missing, 0);
    CHECK_RC(FwpmCalloutAdd0(h, &co3, NULL, NULL), WS_FWP_E_LAYER_NOT_FOUND);

    /* filters: layer, sublayer, provider, callout checks */
    WS_FWPM_FILTER0 f = filter(30, &missing, WS_FWP_ACTION_BLOCK);
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_LAYER_NOT_FOUND);
    f = filter(30, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.subLayerKey = missing;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_SUBLAYER_NOT_FOUND);
    f = filter(30, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.providerKey = &missing;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_PROVIDER_NOT_FOUND);
    f = filter(30, &L_CONNECT_V4, 0x77);
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_INVALID_ACTION_TYPE);
    f = filter(30, &L_STREAM_V4, WS_FWP_ACTION_CALLOUT_INSPECTION);
    f.action.calloutKey = missing;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_CALLOUT_NOT_FOUND);
    f.action.calloutKey = co2.calloutKey; /* FLOW_ESTABLISHED callout at the STREAM layer */
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_INCOMPATIBLE_LAYER);
    f.action.calloutKey = co.calloutKey;
    f.subLayerKey = sl.subLayerKey;
    uint64_t fid = 0;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, &fid), 0);
    CHECK(fid != 0);
    CHECK_RC(FwpmCalloutDeleteByKey0(h, &co.calloutKey), WS_FWP_E_IN_USE);
    CHECK_RC(FwpmCalloutDeleteById0(h, cid), WS_FWP_E_IN_USE);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey), WS_FWP_E_IN_USE);

    /* get by key / id return the stored object with its runtime fields */
    WS_FWPM_FILTER0 *got = NULL;
    CHECK_RC(FwpmFilterGetById0(h, fid, &got), 0);
    CHECK(got && ws_guid_eq_test(&got->filterKey, &f.filterKey));
    if (got) {
        CHECK(got->filterId == fid);
        CHECK(got->effectiveWeight.type == WS_FWP_UINT64 && got->effectiveWeight.uint64 != NULL);
        CHECK(got->displayData.name != W_NAME && got->displayData.name[0] == 'w');
    }
    FwpmFreeMemory0((void **)&got);
    CHECK(got == NULL);
    WS_FWPM_CALLOUT0 *gc = NULL;
    CHECK_RC(FwpmCalloutGetById0(h, cid, &gc), 0);
    CHECK(gc && gc->calloutId == cid);
    FwpmFreeMemory0((void **)&gc);

    /* then deletes succeed in dependency order */
    CHECK_RC(FwpmFilterDeleteById0(h, fid), 0);
    CHECK_RC(FwpmFilterGetById0(h, fid, &got), WS_FWP_E_FILTER_NOT_FOUND);
    CHECK_RC(FwpmCalloutDeleteById0(h, cid), 0);
    CHECK_RC(FwpmCalloutDeleteByKey0(h, &co2.calloutKey), 0);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey), 0);
    CHECK_RC(FwpmProviderDeleteByKey0(h, &p.providerKey), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
}

static void test_zero_key_and_universal(void)
{
    WS_HANDLE h = open_engine(0);
    WS_FWPM_FILTER0 f = filter(0, &L_CONNECT_V4, WS_FWP_ACTION_PERMIT);
    memset(&f.filterKey, 0, sizeof f.filterKey);
    uint64_t id = 0;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, &id), 0);
    WS_FWPM_FILTER0 *got = NULL;
    CHECK_RC(FwpmFilterGetById0(h, id, &got), 0);
    if (got) {
        static const WS_GUID zero;
        CHECK(!ws_guid_eq_test(&got->filterKey, &zero));
        CHECK(ws_guid_eq_test(&got->subLayerKey, &UNIVERSAL));
    }
    FwpmFreeMemory0((void **)&got);
    CHECK_RC(FwpmEngineClose0(h), 0);
}

static void test_conditions(void)
{
    WS_HANDLE h = open_engine(1);
    WS_FWPM_FILTER_CONDITION0 c = port_cond(443);
    CHECK_RC(add_filter_cond(h, 40, &L_CONNECT_V4, c), 0);
    /* field not available at the layer: DIRECTION at ALE_AUTH_CONNECT */
    c.fieldKey = C_DIRECTION;
    c.conditionValue.type = WS_FWP_UINT32;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), WS_FWP_E_CONDITION_NOT_FOUND);
    /* wrong value type: port is FWP_UINT16 */
    c = port_cond(80);
    c.conditionValue.type = WS_FWP_UINT32;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), WS_FWP_E_TYPE_MISMATCH);
    /* invalid match type enumerator */
    c = port_cond(80);
    c.matchType = 42;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), WS_FWP_E_INVALID_ENUMERATOR);
    c = port_cond(80);
    c.conditionValue.type = 0x55;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), WS_FWP_E_INVALID_ENUMERATOR);
    /* range: match type and value must agree, low <= high */
    WS_FWP_RANGE0 r;
    memset(&r, 0, sizeof r);
    r.valueLow.type = WS_FWP_UINT16;
    r.valueLow.uint16 = 2000;
    r.valueHigh.type = WS_FWP_UINT16;
    r.valueHigh.uint16 = 1000;
    c = port_cond(0);
    c.conditionValue.type = WS_FWP_RANGE_TYPE;
    c.conditionValue.rangeValue = &r;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), WS_FWP_E_MATCH_TYPE_MISMATCH);
    c.matchType = WS_FWP_MATCH_RANGE;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), WS_FWP_E_INVALID_RANGE);
    r.valueHigh.uint16 = 3000;
    CHECK_RC(add_filter_cond(h, 41, &L_CONNECT_V4, c), 0);
    c.conditionValue.rangeValue = NULL;
    CHECK_RC(add_filter_cond(h, 42, &L_CONNECT_V4, c), WS_FWP_E_NULL_POINTER);
    c = port_cond(80);
    c.matchType = WS_FWP_MATCH_RANGE;
    CHECK_RC(add_filter_cond(h, 42, &L_CONNECT_V4, c), WS_FWP_E_MATCH_TYPE_MISMATCH);
    /* v4 address mask at a V4 layer, not at a V6 layer; masks must be contiguous */
    WS_FWP_V4_ADDR_AND_MASK am = { 0x0A000000u, 0xFF000000u };
    memset(&c, 0, sizeof c);
    c.fieldKey = C_REMOTE_ADDR;
    c.matchType = WS_FWP_MATCH_EQUAL;
    c.conditionValue.type = WS_FWP_V4_ADDR_MASK;
    c.conditionValue.v4AddrMask = &am;
    CHECK_RC(add_filter_cond(h, 42, &L_CONNECT_V4, c), 0);
    CHECK_RC(add_filter_cond(h, 43, &L_CONNECT_V6, c), WS_FWP_E_TYPE_MISMATCH);
    am.mask = 0xFF00FF00u;
    CHECK_RC(add_filter_cond(h, 43, &L_CONNECT_V4, c), WS_FWP_E_INVALID_NET_MASK);
    /* app id blob: deep-copied; FLAGS_* needs an unsigned value */
    uint8_t path[] = { 'a', 0, 'b', 0, 0, 0 };
    WS_FWP_BYTE_BLOB blob = { sizeof path, path };
    memset(&c, 0, sizeof c);
    c.fieldKey = C_APP_ID;
    c.matchType = WS_FWP_MATCH_EQUAL;
    c.conditionValue.type = WS_FWP_BYTE_BLOB_TYPE;
    c.conditionValue.byteBlob = &blob;
    CHECK_RC(add_filter_cond(h, 43, &L_CONNECT_V4, c), 0);
    c.matchType = WS_FWP_MATCH_FLAGS_ALL_SET;
    CHECK_RC(add_filter_cond(h, 44, &L_CONNECT_V4, c), WS_FWP_E_MATCH_TYPE_MISMATCH);
    c.matchType = WS_FWP_MATCH_EQUAL;
    blob.data = NULL;
    CHECK_RC(add_filter_cond(h, 44, &L_CONNECT_V4, c), WS_FWP_E_NULL_POINTER);
    blob.data = path;
    memset(&c, 0, sizeof c);
    c.fieldKey = C_FLAGS;
    c.matchType = WS_FWP_MATCH_FLAGS_NONE_SET;
    c.conditionValue.type = WS_FWP_UINT32;
    c.conditionValue.uint32 = 0x1;
    CHECK_RC(add_filter_cond(h, 44, &L_CONNECT_V4, c), 0);
    /* a unicode string field: case-insensitive match allowed only for strings */
    WS_WCHAR peer[] = { 'H', 'o', 's', 't', 0 };
    memset(&c, 0, sizeof c);
    c.fieldKey = C_PEER_NAME;
    c.matchType = WS_FWP_MATCH_EQUAL_CASE_INSENSITIVE;
    c.conditionValue.type = WS_FWP_UNICODE_STRING_TYPE;
    c.conditionValue.unicodeString = peer;
    CHECK_RC(add_filter_cond(h, 45, &L_CONNECT_V4, c), 0);
    /* null condition array */
    WS_FWPM_FILTER0 f = filter(46, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.numFilterConditions = 2;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_NULL_POINTER);

    /* stored copy is independent of the caller's memory */
    WS_GUID k43 = guid(43);
    path[0] = 'z';
    WS_FWPM_FILTER0 *got = NULL;
    CHECK_RC(FwpmFilterGetByKey0(h, &k43, &got), 0);
    if (got) {
        CHECK(got->numFilterConditions == 1);
        CHECK(got->filterCondition[0].conditionValue.byteBlob->size == sizeof path);
        CHECK(got->filterCondition[0].conditionValue.byteBlob->data[0] == 'a');
        CHECK(got->filterCondition[0].conditionValue.byteBlob->data != path);
    }
    FwpmFreeMemory0((void **)&got);
    WS_GUID k41 = guid(41);
    CHECK_RC(FwpmFilterGetByKey0(h, &k41, &got), 0);
    if (got) {
        CHECK(got->filterCondition[0].conditionValue.type == WS_FWP_RANGE_TYPE);
        CHECK(got->filterCondition[0].conditionValue.rangeValue != &r);
        CHECK(got->filterCondition[0].conditionValue.rangeValue->valueHigh.uint16 == 3000);
    }
    FwpmFreeMemory0((void **)&got);
    CHECK_RC(FwpmEngineClose0(h), 0);
}

static void test_weights(void)
{
    WS_HANDLE h = open_engine(1);
    WS_FWPM_FILTER0 f = filter(50, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.weight.type = WS_FWP_UINT8;
    f.weight.uint8 = 16;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_INVALID_WEIGHT);
    f.weight.uint8 = 15;
    uint64_t id8 = 0, id64 = 0, idE = 0;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, &id8), 0);
    f = filter(51, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    uint64_t w = 0x123456789ull;
    f.weight.type = WS_FWP_UINT64;
    f.weight.uint64 = NULL;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_NULL_POINTER);
    f.weight.uint64 = &w;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, &id64), 0);
    f = filter(52, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.weight.type = WS_FWP_UINT32;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), WS_FWP_E_INVALID_WEIGHT);
    f.weight.type = WS_FWP_EMPTY;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, &idE), 0);
    CHECK(id8 < id64 && id64 < idE);
    WS_FWPM_FILTER0 *g = NULL;
    CHECK_RC(FwpmFilterGetById0(h, id8, &g), 0);
    CHECK(g && g->weight.type == WS_FWP_UINT8 && (*g->effectiveWeight.uint64 >> 60) == 15);
    FwpmFreeMemory0((void **)&g);
    CHECK_RC(FwpmFilterGetById0(h, id64, &g), 0);
    CHECK(g && *g->effectiveWeight.uint64 == w && *g->weight.uint64 == w);
    FwpmFreeMemory0((void **)&g);
    CHECK_RC(FwpmFilterGetById0(h, idE, &g), 0);
    CHECK(g && g->weight.type == WS_FWP_EMPTY && *g->effectiveWeight.uint64 < (1ull << 60));
    FwpmFreeMemory0((void **)&g);

    /* the store query API: sublayer weight, then filter weight, then id */
    ws_filter_view v[8];
    ws_engine_lock();
    size_t n = ws_store_filters_at_layer(&L_CONNECT_V4, v, 8);
    ws_engine_unlock();
    CHECK(n == 3);
    if (n == 3) {
        CHECK(v[0].filter->filterId == id8);
        CHECK(v[1].filter->filterId == id64);
        CHECK(v[2].filter->filterId == idE);
        CHECK(v[0].effective_weight >= v[1].effective_weight);
    }
    CHECK_RC(FwpmEngineClose0(h), 0);
}

static void test_dynamic_sessions(void)
{
    WS_HANDLE d = open_engine(1), s = open_engine(0);
    WS_FWPM_PROVIDER0 pp = provider(60, WS_FWPM_PROVIDER_FLAG_PERSISTENT);
    CHECK_RC(FwpmProviderAdd0(d, &pp, NULL), WS_FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
    WS_FWPM_SUBLAYER0 sl = sublayer(61, 0, 0x200);
    CHECK_RC(FwpmSubLayerAdd0(d, &sl, NULL), 0);
    WS_FWPM_FILTER0 f = filter(62, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.subLayerKey = sl.subLayerKey;
    CHECK_RC(FwpmFilterAdd0(d, &f, NULL, NULL), 0);
    /* another session's static filter cannot point at the dynamic sublayer */
    WS_FWPM_FILTER0 f2 = filter(63, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f2.subLayerKey = sl.subLayerKey;
    CHECK_RC(FwpmFilterAdd0(s, &f2, NULL, NULL), WS_FWP_E_LIFETIME_MISMATCH);
    WS_FWPM_SUBLAYER0 *got = NULL;
    CHECK_RC(FwpmSubLayerGetByKey0(s, &sl.subLayerKey, &got), 0);
    FwpmFreeMemory0((void **)&got);
    CHECK_RC(WfpsimAbandonSession(d), 0);
    CHECK_RC(FwpmSubLayerGetByKey0(s, &sl.subLayerKey, &got), WS_FWP_E_SUBLAYER_NOT_FOUND);
    CHECK_RC(FwpmFilterGetByKey0(s, &f.filterKey, (WS_FWPM_FILTER0 **)&got), WS_FWP_E_FILTER_NOT_FOUND);
    CHECK_RC(FwpmEngineClose0(d), WS_ERROR_INVALID_HANDLE);
    CHECK_RC(FwpmEngineClose0(s), 0);
}

static void test_transactions(void)
{
    WS_HANDLE h = open_engine(0);
    CHECK_RC(FwpmTransactionCommit0(h), WS_FWP_E_NO_TXN_IN_PROGRESS);
    CHECK_RC(FwpmTransactionAbort0(h), WS_FWP_E_NO_TXN_IN_PROGRESS);
    CHECK_RC(FwpmTransactionBegin0(h, 0x4), WS_FWP_E_INVALID_FLAGS);
    CHECK_RC(FwpmTransactionBegin0(h, 0), 0);
    CHECK_RC(FwpmTransactionBegin0(h, 0), WS_FWP_E_TXN_IN_PROGRESS);
    WS_FWPM_PROVIDER0 p = provider(70, 0);
    CHECK_RC(FwpmProviderAdd0(h, &p, NULL), 0);
    WS_FWPM_SUBLAYER0 sl = sublayer(71, 0, 7);
    sl.providerKey = &p.providerKey;
    CHECK_RC(FwpmSubLayerAdd0(h, &sl, NULL), 0);
    WS_FWPM_FILTER0 f = filter(72, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    f.subLayerKey = sl.subLayerKey;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), 0);
    WS_FWPM_FILTER0 bad = filter(73, &L_CONNECT_V4, WS_FWP_ACTION_BLOCK);
    bad.subLayerKey = guid(999);
    CHECK_RC(FwpmFilterAdd0(h, &bad, NULL, NULL), WS_FWP_E_SUBLAYER_NOT_FOUND); /* fails half way */
    /* another session waits for the transaction: timeout 0 -> FWP_E_TIMEOUT */
    WS_HANDLE other = open_engine(0);
    WS_FWPM_PROVIDER0 *gp = NULL;
    CHECK_RC(FwpmProviderGetByKey0(other, &p.providerKey, &gp), WS_FWP_E_TIMEOUT);
    CHECK_RC(FwpmTransactionAbort0(h), 0);
    CHECK_RC(FwpmProviderGetByKey0(other, &p.providerKey, &gp), WS_FWP_E_PROVIDER_NOT_FOUND);
    CHECK_RC(FwpmSubLayerGetByKey0(h, &sl.subLayerKey, (WS_FWPM_SUBLAYER0 **)&gp), WS_FWP_E_SUBLAYER_NOT_FOUND);
    CHECK_RC(FwpmFilterGetByKey0(h, &f.filterKey, (WS_FWPM_FILTER0 **)&gp), WS_FWP_E_FILTER_NOT_FOUND);

    /* commit keeps everything; abort of a delete brings the object back */
    CHECK_RC(FwpmTransactionBegin0(h, 0), 0);
    CHECK_RC(FwpmProviderAdd0(h, &p, NULL), 0);
    CHECK_RC(FwpmSubLayerAdd0(h, &sl, NULL), 0);
    CHECK_RC(FwpmTransactionCommit0(h), 0);
    CHECK_RC(FwpmProviderGetByKey0(other, &p.providerKey, &gp), 0);
    FwpmFreeMemory0((void **)&gp);
    CHECK_RC(FwpmTransactionBegin0(h, 0), 0);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey), 0);
    CHECK_RC(FwpmProviderDeleteByKey0(h, &p.providerKey), 0);
    CHECK_RC(FwpmProviderGetByKey0(h, &p.providerKey, &gp), WS_FWP_E_PROVIDER_NOT_FOUND);
    CHECK_RC(FwpmTransactionAbort0(h), 0);
    CHECK_RC(FwpmProviderGetByKey0(h, &p.providerKey, &gp), 0);
    FwpmFreeMemory0((void **)&gp);
    CHECK_RC(FwpmProviderDeleteByKey0(h, &p.providerKey), WS_FWP_E_IN_USE);

    /* read-only transactions refuse changes */
    CHECK_RC(FwpmTransactionBegin0(h, WS_FWPM_TXN_READ_ONLY), 0);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey), WS_FWP_E_INCOMPATIBLE_TXN);
    CHECK_RC(FwpmTransactionCommit0(h), 0);

    /* closing a session with an open transaction aborts it */
    CHECK_RC(FwpmTransactionBegin0(h, 0), 0);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
    CHECK_RC(FwpmSubLayerGetByKey0(other, &sl.subLayerKey, (WS_FWPM_SUBLAYER0 **)&gp), 0);
    FwpmFreeMemory0((void **)&gp);
    CHECK_RC(FwpmEngineClose0(other), 0);
}

static void test_enum_paging(void)
{
    WS_HANDLE h = open_engine(1);
    for (uint32_t i = 0; i < 25; i++) {
        WS_FWPM_FILTER0 f = filter(100 + i, i % 2 ? &L_CONNECT_V4 : &L_STREAM_V4, WS_FWP_ACTION_BLOCK);
        CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), 0);
    }
    WS_HANDLE e = NULL;
    CHECK_RC(FwpmFilterCreateEnumHandle0(h, NULL, &e), 0);
    uint32_t total = 0, got = 0, pages = 0;
    WS_FWPM_FILTER0 **entries = NULL;
    do {
        CHECK_RC(FwpmFilterEnum0(h, e, 10, &entries, &got), 0);
        total += got;
        pages++;
        if (got)
            CHECK(entries != NULL && entries[got - 1]->displayData.name[0] == 'w');
        else
            CHECK(entries == NULL);
        FwpmFreeMemory0((void **)&entries);
    } while (got && pages < 10);
    CHECK(total == 25 && pages == 4);
    CHECK_RC(FwpmFilterEnum0(h, e, 10, NULL, &got), WS_ERROR_INVALID_PARAMETER);
    CHECK_RC(FwpmProviderEnum0(h, e, 10, (WS_FWPM_PROVIDER0 ***)&entries, &got), WS_ERROR_INVALID_HANDLE);
    CHECK_RC(FwpmFilterDestroyEnumHandle0(h, e), 0);
    CHECK_RC(FwpmFilterDestroyEnumHandle0(h, e), WS_ERROR_INVALID_HANDLE);

    WS_FWPM_FILTER_ENUM_TEMPLATE0 t;
    memset(&t, 0, sizeof t);
    t.layerKey = L_CONNECT_V4;
    t.actionMask = 0xFFFFFFFFu;
    CHECK_RC(FwpmFilterCreateEnumHandle0(h, &t, &e), 0);
    CHECK_RC(FwpmFilterEnum0(h, e, 100, &entries, &got), 0);
    CHECK(got == 12);
    FwpmFreeMemory0((void **)&entries);
    CHECK_RC(FwpmFilterDestroyEnumHandle0(h, e), 0);
    t.layerKey = guid(5);
    CHECK_RC(FwpmFilterCreateEnumHandle0(h, &t, &e), WS_FWP_E_LAYER_NOT_FOUND);

    /* sublayer enumeration includes the built-in universal sublayer */
    CHECK_RC(FwpmSubLayerCreateEnumHandle0(h, NULL, &e), 0);
    WS_FWPM_SUBLAYER0 **sls = NULL;
    CHECK_RC(FwpmSubLayerEnum0(h, e, 100, &sls, &got), 0);
    int universal = 0;
    for (uint32_t i = 0; i < got; i++)
        universal |= ws_guid_eq_test(&sls[i]->subLayerKey, &UNIVERSAL);
    CHECK(universal);
    FwpmFreeMemory0((void **)&sls);
    CHECK_RC(FwpmSubLayerDestroyEnumHandle0(h, e), 0);
    /* enum handles die with their session */
    CHECK_RC(FwpmCalloutCreateEnumHandle0(h, NULL, &e), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
    WS_HANDLE h2 = open_engine(0);
    CHECK_RC(FwpmCalloutDestroyEnumHandle0(h2, e), WS_ERROR_INVALID_HANDLE);
    CHECK_RC(FwpmEngineClose0(h2), 0);
}

static void test_layers_and_appid(void)
{
    WS_HANDLE h = open_engine(0);
    WS_FWPM_LAYER0 *l = NULL;
    CHECK_RC(FwpmLayerGetByKey0(h, &L_STREAM_V4, &l), 0);
    if (l) {
        CHECK(l->layerId == 20);
        CHECK(l->numFields == 7);
        CHECK(ws_guid_eq_test(&l->defaultSubLayerKey, &UNIVERSAL));
        int has_port = 0;
        for (uint32_t i = 0; i < l->numFields; i++)
            if (ws_guid_eq_test(l->field[i].fieldKey, &C_REMOTE_PORT))
                has_port = l->field[i].dataType == WS_FWP_UINT16;
        CHECK(has_port);
    }
    FwpmFreeMemory0((void **)&l);
    CHECK_RC(FwpmEngineClose0(h), 0);

    static const char *in = "C:\\Program Files\\App\\Tool.EXE";
    static const char *want = "\\device\\harddiskvolume3\\program files\\app\\tool.exe";
    WS_WCHAR w[64];
    size_t n = strlen(in);
    for (size_t i = 0; i <= n; i++)
        w[i] = (WS_WCHAR)in[i];
    WS_FWP_BYTE_BLOB *blob = NULL;
    CHECK_RC(FwpmGetAppIdFromFileName0(w, &blob), 0);
    if (blob) {
        size_t wn = strlen(want);
        CHECK(blob->size == (wn + 1) * 2);
        int same = 1;
        const WS_WCHAR *d = (const WS_WCHAR *)blob->data;
        for (size_t i = 0; i <= wn; i++)
            same &= d[i] == (WS_WCHAR)want[i];
        CHECK(same);
    }
    FwpmFreeMemory0((void **)&blob);
    WS_WCHAR rel[] = { 'a', '.', 'e', 'x', 'e', 0 };
    CHECK_RC(FwpmGetAppIdFromFileName0(rel, &blob), WS_ERROR_INVALID_NAME);
    CHECK_RC(FwpmGetAppIdFromFileName0(NULL, &blob), WS_ERROR_INVALID_PARAMETER);
    CHECK_RC(FwpmGetAppIdFromFileName0(w, NULL), WS_ERROR_INVALID_PARAMETER);
}

static void test_free_memory(void)
{
    FwpmFreeMemory0(NULL);
    void *p = NULL;
    FwpmFreeMemory0(&p);
    int local = 5;
    p = &local; /* never handed out: ignored, and the pointer is cleared */
    FwpmFreeMemory0(&p);
    CHECK(p == NULL);
    CHECK(WfpsimOutstandingAllocations() == 0);
}

static int persist_write(const char *path)
{
    CHECK_RC(WfpsimSetStateFile(path), 0);
    WS_HANDLE h = open_engine(0);
    WS_FWPM_PROVIDER0 p = provider(80, WS_FWPM_PROVIDER_FLAG_PERSISTENT);
    CHECK_RC(FwpmProviderAdd0(h, &p, NULL), 0);
    WS_FWPM_SUBLAYER0 sl = sublayer(81, WS_FWPM_SUBLAYER_FLAG_PERSISTENT, 9);
    sl.providerKey = &p.providerKey;
    CHECK_RC(FwpmSubLayerAdd0(h, &sl, NULL), 0);
    WS_FWPM_CALLOUT0 co = callout(82, &L_STREAM_V4, WS_FWPM_CALLOUT_FLAG_PERSISTENT);
    CHECK_RC(FwpmCalloutAdd0(h, &co, NULL, NULL), 0);
    WS_FWPM_FILTER0 f = filter(83, &L_STREAM_V4, WS_FWP_ACTION_CALLOUT_INSPECTION);
    f.flags = WS_FWPM_FILTER_FLAG_PERSISTENT;
    f.subLayerKey = sl.subLayerKey;
    f.action.calloutKey = co.calloutKey;
    WS_FWPM_FILTER_CONDITION0 c = port_cond(8080);
    f.numFilterConditions = 1;
    f.filterCondition = &c;
    CHECK_RC(FwpmFilterAdd0(h, &f, NULL, NULL), 0);
    /* a persistent filter cannot use a non-persistent sublayer */
    WS_FWPM_SUBLAYER0 tmp = sublayer(84, 0, 1);
    CHECK_RC(FwpmSubLayerAdd0(h, &tmp, NULL), 0);
    WS_FWPM_FILTER0 f2 = filter(85, &L_STREAM_V4, WS_FWP_ACTION_BLOCK);
    f2.flags = WS_FWPM_FILTER_FLAG_PERSISTENT;
    f2.subLayerKey = tmp.subLayerKey;
    CHECK_RC(FwpmFilterAdd0(h, &f2, NULL, NULL), WS_FWP_E_LIFETIME_MISMATCH);
    /* a non-persistent filter is not written */
    WS_FWPM_FILTER0 f3 = filter(86, &L_STREAM_V4, WS_FWP_ACTION_BLOCK);
    CHECK_RC(FwpmFilterAdd0(h, &f3, NULL, NULL), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
    return g_failed ? 1 : 0;
}

static int persist_read(const char *path)
{
    CHECK_RC(WfpsimSetStateFile(path), 0);
    WS_HANDLE h = open_engine(0);
    WS_GUID k83 = guid(83), k86 = guid(86), k81 = guid(81), k82 = guid(82), k84 = guid(84);
    WS_FWPM_FILTER0 *f = NULL;
    CHECK_RC(FwpmFilterGetByKey0(h, &k83, &f), 0);
    if (f) {
        CHECK(f->numFilterConditions == 1 && f->filterCondition[0].conditionValue.uint16 == 8080);
        CHECK(ws_guid_eq_test(&f->subLayerKey, &k81));
        CHECK(ws_guid_eq_test(&f->action.calloutKey, &k82));
        CHECK(f->filterId >= 0x10000);
    }
    FwpmFreeMemory0((void **)&f);
    CHECK_RC(FwpmFilterGetByKey0(h, &k86, &f), WS_FWP_E_FILTER_NOT_FOUND);
    CHECK_RC(FwpmSubLayerGetByKey0(h, &k84, (WS_FWPM_SUBLAYER0 **)&f), WS_FWP_E_SUBLAYER_NOT_FOUND);
    /* references are live again: the sublayer is in use */
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &k81), WS_FWP_E_IN_USE);
    CHECK_RC(FwpmFilterDeleteByKey0(h, &k83), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
    /* the delete was persisted too */
    WfpsimReset();
    h = open_engine(0);
    CHECK_RC(FwpmFilterGetByKey0(h, &k83, &f), WS_FWP_E_FILTER_NOT_FOUND);
    CHECK_RC(FwpmSubLayerDeleteByKey0(h, &k81), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
    return g_failed ? 1 : 0;
}

static void test_corrupt_state(void)
{
    char path[] = "/tmp/wfpsim_corruptXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    unlink(path); /* an existing empty file would itself be a truncated state file */
    CHECK(persist_write(path) == 0);
    FILE *fp = fopen(path, "r+b");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    /* flip one payload byte: checksum mismatch */
    fseek(fp, size - 20, SEEK_SET);
    int ch = fgetc(fp);
    fseek(fp, size - 20, SEEK_SET);
    fputc(ch ^ 0x5A, fp);
    fclose(fp);
    CHECK_RC(WfpsimSetStateFile(path), 0);
    WS_HANDLE h = NULL;
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, NULL, &h), WS_ERROR_INVALID_DATA);
    CHECK(WfpsimSessionCount() == 0);
    /* still refused, file untouched */
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, NULL, &h), WS_ERROR_INVALID_DATA);
    fp = fopen(path, "rb");
    if (fp) {
        fseek(fp, 0, SEEK_END);
        CHECK(ftell(fp) == size);
        fclose(fp);
    }
    /* truncated */
    CHECK(truncate(path, size / 2) == 0);
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, NULL, &h), WS_ERROR_INVALID_DATA);
    CHECK(truncate(path, 3) == 0);
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, NULL, &h), WS_ERROR_INVALID_DATA);
    unlink(path);
    /* missing file = empty store */
    CHECK_RC(FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, NULL, &h), 0);
    CHECK_RC(FwpmEngineClose0(h), 0);
    CHECK_RC(WfpsimSetStateFile(NULL), 0);
}

/* Several client threads at once (koffi may call from worker threads): each
 * opens a session with an infinite transaction wait, runs transactions that
 * add and delete its own filters, and closes. The engine must end empty. */
static void *thread_body(void *arg)
{
    uint32_t base = (uint32_t)(uintptr_t)arg;
    int bad = 0;
    WS_FWPM_SESSION0 ses;
    memset(&ses, 0, sizeof ses);
    ses.flags = WS_FWPM_SESSION_FLAG_DYNAMIC;
    ses.txnWaitTimeoutInMSec = WS_INFINITE;
    WS_HANDLE h = NULL;
    if (FwpmEngineOpen0(NULL, WS_RPC_C_AUTHN_WINNT, NULL, &ses, &h) != 0)
        return (void *)1;
    for (uint32_t i = 0; i < 100; i++) {
        WS_FWPM_FILTER0 f = filter(base + i, &L_CONNECT_V4, WS_FWP_ACTION_PERMIT);
        bad |= FwpmTransactionBegin0(h, 0) != 0;
        bad |= FwpmFilterAdd0(h, &f, NULL, NULL) != 0;
        bad |= FwpmTransactionCommit0(h) != 0;
        if (i % 2)
            bad |= FwpmFilterDeleteByKey0(h, &f.filterKey) != 0;
    }
    bad |= FwpmEngineClose0(h) != 0;
    return (void *)(uintptr_t)bad;
}

static void test_threads(void)
{
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, thread_body, (void *)(0x10000 + i * 0x1000)) == 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(t[i], &r);
        CHECK(r == NULL);
    }
    WS_HANDLE h = open_engine(0);
    WS_HANDLE e = NULL;
    uint32_t got = 1;
    WS_FWPM_FILTER0 **entries = NULL;
    CHECK_RC(FwpmFilterCreateEnumHandle0(h, NULL, &e), 0);
    CHECK_RC(FwpmFilterEnum0(h, e, 1000, &entries, &got), 0);
    CHECK(got == 0); /* dynamic filters left with their sessions */
    FwpmFreeMemory0((void **)&entries);
    CHECK_RC(FwpmEngineClose0(h), 0);
    CHECK(WfpsimSessionCount() == 0);
}

int ws_guid_eq_test(const WS_GUID *a, const WS_GUID *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "write") == 0)
        return persist_write(argv[2]);
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return persist_read(argv[2]);
    CHECK_RC(WfpsimSetStateFile(NULL), 0);
    test_sessions();
    WfpsimReset();
    test_keys_and_refs();
    WfpsimReset();
    test_zero_key_and_universal();
    WfpsimReset();
    test_conditions();
    WfpsimReset();
    test_weights();
    WfpsimReset();
    test_dynamic_sessions();
    WfpsimReset();
    test_transactions();
    WfpsimReset();
    test_enum_paging();
    WfpsimReset();
    test_layers_and_appid();
    WfpsimReset();
    test_corrupt_state();
    WfpsimReset();
    test_threads();
    WfpsimReset();
    test_free_memory();
    printf("%d checks, %d failed\n", g_checks, g_failed);
    return g_failed ? 1 : 0;
}
