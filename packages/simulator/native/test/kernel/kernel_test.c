/*
 * kernel_test.c - C tests of libwfpsim's kernel model, run against the test driver
 * (test_driver.c) linked into this program. Ends with "N passed, M failed".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ws_k_internal.h"
#include "wfpsim/wfpsim_api.h"
#include "wfpsim/wfpsim_store.h"
#include "test_driver.h"
#include "../check.h"

td_stats *td_get_stats(void);
UINT32 td_stream_callout_id(void);
void ws_k_tag_drain(void);

#define INVALID ((void *)(intptr_t)-1)
static const uint16_t k_path[] = u"\\\\.\\WfpsimTest";
static const uint16_t k_nope[] = u"\\\\.\\NoSuchDevice";

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void *open_dev(uint32_t access)
{
    return CreateFileW(k_path, access, 0, NULL, 3, 0, NULL);
}

typedef struct io_call {
    void *h;
    uint32_t code;
    uint8_t out[64];
    uint32_t bytes;
    int ok;
    uint32_t err;
    int done;            /* order of completion (1, 2, ...), 0 while in the call */
} io_call;

static int g_done_seq;

static void *io_thread(void *arg)
{
    io_call *c = arg;
    c->ok = DeviceIoControl(c->h, c->code, NULL, 0, c->out, sizeof c->out, &c->bytes, NULL);
    c->err = GetLastError();
    __atomic_store_n(&c->done, __atomic_add_fetch(&g_done_seq, 1, __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
    return NULL;
}

static int io_done(io_call *c)
{
    return __atomic_load_n(&c->done, __ATOMIC_SEQ_CST);
}

static uint32_t fail_with(void *h, NTSTATUS st)
{
    uint32_t v = (uint32_t)st, n = 0;
    int ok = DeviceIoControl(h, TD_IOCTL_FAIL, &v, 4, NULL, 0, &n, NULL);
    return ok ? 0 : GetLastError();
}

static void test_io(void)
{
    CHECK(WfpsimDriverLoad() == 0);
    CHECK(WfpsimDriverLoad() == 0xC000010Eu);
    CHECK(WfpsimDriverState() == 1);

    CHECK(CreateFileW(k_nope, 0xC0000000u, 0, NULL, 3, 0, NULL) == INVALID && GetLastError() == 2);
    WfpsimSetCallerElevated(0);
    CHECK(open_dev(0xC0000000u) == INVALID && GetLastError() == 5);
    WfpsimSetCallerElevated(1);
    void *h = open_dev(0xC0000000u);
    CHECK(h != INVALID);
    CHECK(td_get_stats()->creates == 1);

    /* METHOD_BUFFERED */
    uint8_t in[5] = { 1, 2, 3, 4, 5 }, out[8] = { 0 };
    uint32_t n = 0;
    CHECK(DeviceIoControl(h, TD_IOCTL_ECHO, in, 5, out, 8, &n, NULL) == 1 && n == 5);
    CHECK(out[0] == 5 && out[4] == 1 && in[0] == 1);
    CHECK(DeviceIoControl(h, TD_IOCTL_ECHO, in, 5, out, 2, &n, NULL) == 0 && GetLastError() == 122 && n == 0);
    /* METHOD_OUT_DIRECT: the driver writes straight into our buffer through the MDL */
    uint8_t seed = 10, big[300];
    CHECK(DeviceIoControl(h, TD_IOCTL_FILL_DIRECT, &seed, 1, big, sizeof big, &n, NULL) == 1 && n == sizeof big);
    CHECK(big[0] == 10 && big[299] == (uint8_t)(10 + 299));
    /* access bits of the code */
    void *ro = open_dev(0x80000000u);
    CHECK(ro != INVALID);
    CHECK(DeviceIoControl(ro, TD_IOCTL_WRITE_ONLY, NULL, 0, NULL, 0, &n, NULL) == 0 && GetLastError() == 5);
    CHECK(DeviceIoControl(h, TD_IOCTL_WRITE_ONLY, NULL, 0, NULL, 0, &n, NULL) == 1);
    CHECK(CloseHandle(ro) == 1);
    /* unknown code and NTSTATUS -> Win32 */
    CHECK(DeviceIoControl(h, TD_CTL(0x9ffu, 0u, 0u), NULL, 0, NULL, 0, &n, NULL) == 0 && GetLastError() == 1);
    CHECK(fail_with(h, STATUS_DEVICE_BUSY) == 170);
    CHECK(fail_with(h, STATUS_INVALID_DEVICE_STATE) == 22);
    CHECK(fail_with(h, STATUS_CANCELLED) == 995);
    CHECK(fail_with(h, STATUS_REVISION_MISMATCH) == 1306);
    CHECK(fail_with(h, STATUS_INFO_LENGTH_MISMATCH) == 24);
    CHECK(fail_with(h, STATUS_INSUFFICIENT_RESOURCES) == 1450);
    CHECK(fail_with(h, STATUS_INVALID_PARAMETER) == 87);
    CHECK(fail_with(h, STATUS_BUFFER_TOO_SMALL) == 122);
    CHECK(fail_with(h, STATUS_INVALID_DEVICE_REQUEST) == 1);
    /* invalid handles */
    CHECK(DeviceIoControl((void *)0xdead0, TD_IOCTL_ECHO, in, 5, out, 8, &n, NULL) == 0 && GetLastError() == 6);
    CHECK(DeviceIoControl(NULL, TD_IOCTL_ECHO, in, 5, out, 8, &n, NULL) == 0 && GetLastError() == 6);
    CHECK(DeviceIoControl(INVALID, TD_IOCTL_ECHO, in, 5, out, 8, &n, NULL) == 0 && GetLastError() == 6);
    CHECK(CancelIoEx((void *)0xdead0, NULL) == 0 && GetLastError() == 6);
    CHECK(CancelIoEx(h, NULL) == 0 && GetLastError() == 1168);

    /* a read pends and a timer DPC completes it. The handle is synchronous: every other request
     * on it waits for the read (the file object lock), so the timer is armed through another
     * handle, and a STATS on the same handle completes only after the read. */
    io_call c = { .h = h, .code = TD_IOCTL_READ };
    io_call cs = { .h = h, .code = TD_IOCTL_WRITE_ONLY };
    pthread_t t, ts;
    pthread_create(&t, NULL, io_thread, &c);
    sleep_ms(20);
    pthread_create(&ts, NULL, io_thread, &cs);
    sleep_ms(50);
    CHECK(!io_done(&c) && !io_done(&cs)); /* both still waiting: the second for the file object lock */
    void *harm = open_dev(0xC0000000u);
    uint32_t ms = 30;
    CHECK(DeviceIoControl(harm, TD_IOCTL_ARM_TIMER, &ms, 4, NULL, 0, &n, NULL) == 1);
    CHECK(CloseHandle(harm) == 1);
    pthread_join(t, NULL);
    pthread_join(ts, NULL);
    uint32_t magic = 0;
    memcpy(&magic, c.out, 4);
    CHECK(c.ok == 1 && c.bytes == 4 && magic == TD_READ_MAGIC);
    CHECK(cs.ok == 1 && cs.err == 0); /* served once the read released the lock */

    /* a pending read cancelled with CancelIoEx */
    io_call c2 = { .h = h, .code = TD_IOCTL_READ };
    pthread_create(&t, NULL, io_thread, &c2);
    int cancelled = 0;
    for (int i = 0; i < 200 && !cancelled; i++) {
        sleep_ms(5);
        cancelled = CancelIoEx(h, NULL);
    }
    pthread_join(t, NULL);
    CHECK(cancelled == 1);
    CHECK(c2.ok == 0 && c2.err == 995);

    /* closing a handle with a pending read: cleanup completes it with STATUS_CANCELLED */
    void *h2 = open_dev(0xC0000000u);
    io_call c3 = { .h = h2, .code = TD_IOCTL_READ };
    pthread_create(&t, NULL, io_thread, &c3);
    sleep_ms(30);
    uint64_t closes = td_get_stats()->closes;
    CHECK(CloseHandle(h2) == 1);
    pthread_join(t, NULL);
    CHECK(c3.ok == 0 && c3.err == 995);
    CHECK(td_get_stats()->closes == closes + 1);
    CHECK(CloseHandle(h2) == 0 && GetLastError() == 6);

    /* unload with a handle open is pending; opens are refused; the last close unloads */
    CHECK(WfpsimDriverUnload() == (uint32_t)STATUS_PENDING);
    CHECK(WfpsimDriverState() == 2);
    CHECK(open_dev(0xC0000000u) == INVALID && GetLastError() == 5);
    CHECK(CloseHandle(h) == 1);
    CHECK(WfpsimDriverState() == 0);
    CHECK(WfpsimPoolOutstanding(0) == 0);
    CHECK(CreateFileW(k_path, 0xC0000000u, 0, NULL, 3, 0, NULL) == INVALID && GetLastError() == 2);
}

/* ---- overlapped I/O ------------------------------------------------------------------------ */
#define OVL 0x40000000u /* FILE_FLAG_OVERLAPPED */
#define PENDING 0x103u

static void *open_ovl(void)
{
    return CreateFileW(k_path, 0xC0000000u, 0, NULL, 3, OVL, NULL);
}

typedef struct last_error_probe {
    uint32_t seen;
} last_error_probe;

static void *last_error_thread(void *arg)
{
    last_error_probe *p = arg;
    CHECK(CloseHandle((void *)0xbad0) == 0);
    p->seen = GetLastError();
    return NULL;
}

static void test_overlapped(void)
{
    CHECK(WfpsimDriverLoad() == 0);
    uint32_t n = 7;

    /* events */
    void *auto_ev = CreateEventW(NULL, FALSE, TRUE, NULL);
    CHECK(auto_ev != NULL && auto_ev != INVALID);
    CHECK(WaitForSingleObject(auto_ev, 0) == 0);
    CHECK(WaitForSingleObject(auto_ev, 0) == 0x102); /* auto-reset: consumed */
    CHECK(SetEvent(auto_ev) == 1 && WaitForSingleObject(auto_ev, 10) == 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(WaitForSingleObject(auto_ev, 30) == 0x102);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(waited >= 25);
    void *man_ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(SetEvent(man_ev) == 1 && WaitForSingleObject(man_ev, 0) == 0 && WaitForSingleObject(man_ev, 0) == 0);
    CHECK(ResetEvent(man_ev) == 1 && WaitForSingleObject(man_ev, 0) == 0x102);
    CHECK(CreateEventW(NULL, TRUE, FALSE, u"Global\\\\x") == NULL && GetLastError() == 50);
    CHECK(WaitForSingleObject((void *)0xbad0, 0) == 0xFFFFFFFFu && GetLastError() == 6);
    CHECK(CloseHandle(auto_ev) == 1);
    CHECK(CloseHandle(auto_ev) == 0 && GetLastError() == 6);
    CHECK(SetEvent(auto_ev) == 0 && GetLastError() == 6);

    /* GetLastError is per thread */
    SetLastError(1234);
    last_error_probe probe = { 0 };
    pthread_t lt;
    pthread_create(&lt, NULL, last_error_thread, &probe);
    pthread_join(lt, NULL);
    CHECK(probe.seen == 6 && GetLastError() == 1234);

    void *ho = open_ovl();
    CHECK(ho != INVALID);
    CHECK(WaitForSingleObject(ho, 0) == 0xFFFFFFFFu && GetLastError() == 6); /* modelled: events only */

    /* a read pends: FALSE + ERROR_IO_PENDING, Internal = STATUS_PENDING, event reset */
    WS_OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = man_ev;
    CHECK(SetEvent(man_ev) == 1);
    uint8_t rbuf[16] = { 0 };
    CHECK(DeviceIoControl(ho, TD_IOCTL_READ, NULL, 0, rbuf, sizeof rbuf, &n, &ov) == 0 && GetLastError() == 997);
    CHECK(n == 0 && ov.Internal == PENDING);
    CHECK(WaitForSingleObject(man_ev, 0) == 0x102);
    CHECK(GetOverlappedResult(ho, &ov, &n, FALSE) == 0 && GetLastError() == 996); /* ERROR_IO_INCOMPLETE */

    /* other requests on the same (overlapped) handle go through while it pends */
    WS_OVERLAPPED ov2;
    memset(&ov2, 0, sizeof ov2);
    uint8_t in[5] = { 1, 2, 3, 4, 5 }, out[8] = { 0 };
    CHECK(DeviceIoControl(ho, TD_IOCTL_ECHO, in, 5, out, 8, &n, &ov2) == 1 && n == 5 && out[0] == 5);
    CHECK(ov2.Internal == 0 && ov2.InternalHigh == 5);
    CHECK(GetOverlappedResult(ho, &ov2, &n, FALSE) == 1 && n == 5);
    CHECK(DeviceIoControl(ho, TD_IOCTL_ECHO, in, 5, out, 8, &n, NULL) == 0 && GetLastError() == 87);
    /* a request failing at once leaves the OVERLAPPED alone (Internal stays STATUS_PENDING) */
    WS_OVERLAPPED ovf;
    memset(&ovf, 0, sizeof ovf);
    ovf.hEvent = man_ev;
    uint32_t fst = (uint32_t)STATUS_INVALID_DEVICE_STATE;
    CHECK(DeviceIoControl(ho, TD_IOCTL_FAIL, &fst, 4, NULL, 0, &n, &ovf) == 0 && GetLastError() == 22);
    CHECK(ovf.Internal == PENDING && WaitForSingleObject(man_ev, 0) == 0x102);
    CHECK(DeviceIoControl(ho, TD_IOCTL_ECHO, in, 5, out, 2, &n, &ov2) == 0 && GetLastError() == 122);
    /* the timer completes the read: event signalled, result with the bytes */
    uint32_t ms = 20;
    CHECK(DeviceIoControl(ho, TD_IOCTL_ARM_TIMER, &ms, 4, NULL, 0, &n, &ov2) == 1);
    CHECK(WaitForSingleObject(man_ev, 5000) == 0);
    CHECK(ov.Internal == 0 && ov.InternalHigh == 4);
    uint32_t magic = 0;
    memcpy(&magic, rbuf, 4);
    CHECK(magic == TD_READ_MAGIC);
    n = 0;
    CHECK(GetOverlappedResult(ho, &ov, &n, TRUE) == 1 && n == 4 && GetLastError() == 0);

    /* CancelIoEx: a wrong OVERLAPPED matches nothing; the right one cancels that read only */
    WS_OVERLAPPED ova, ovb;
    memset(&ova, 0, sizeof ova);
    memset(&ovb, 0, sizeof ovb);
    void *eva = CreateEventW(NULL, TRUE, FALSE, NULL);
    ova.hEvent = eva;
    CHECK(DeviceIoControl(ho, TD_IOCTL_READ, NULL, 0, rbuf, sizeof rbuf, &n, &ova) == 0 && GetLastError() == 997);
    CHECK(DeviceIoControl(ho, TD_IOCTL_READ, NULL, 0, rbuf, sizeof rbuf, &n, &ovb) == 0 && GetLastError() == 997);
    CHECK(CancelIoEx(ho, &ov2) == 0 && GetLastError() == 1168);
    CHECK(CancelIoEx(ho, &ova) == 1);
    CHECK(GetOverlappedResult(ho, &ova, &n, TRUE) == 0 && GetLastError() == 995 && n == 0);
    CHECK(ova.Internal == (uint32_t)STATUS_CANCELLED);
    CHECK(GetOverlappedResult(ho, &ovb, &n, FALSE) == 0 && GetLastError() == 996); /* still pending */
    CHECK(CancelIoEx(ho, NULL) == 1);
    CHECK(GetOverlappedResult(ho, &ovb, &n, TRUE) == 0 && GetLastError() == 995); /* no event: waits on I/O */
    CHECK(CancelIoEx(ho, NULL) == 0 && GetLastError() == 1168);

    /* close with a read pending: cleanup cancels it, the event is set, IRP_MJ_CLOSE follows the
     * read's completion; closing the event handle while the read pends is harmless */
    uint64_t closes = td_get_stats()->closes;
    CHECK(ResetEvent(eva) == 1);
    CHECK(DeviceIoControl(ho, TD_IOCTL_READ, NULL, 0, rbuf, sizeof rbuf, &n, &ova) == 0 && GetLastError() == 997);
    CHECK(CloseHandle(ho) == 1);
    CHECK(WaitForSingleObject(eva, 5000) == 0);
    CHECK(GetOverlappedResult(ho, &ova, &n, TRUE) == 0 && GetLastError() == 995);
    for (int i = 0; i < 200 && td_get_stats()->closes == closes; i++)
        sleep_ms(2);
    CHECK(td_get_stats()->closes == closes + 1);
    CHECK(DeviceIoControl(ho, TD_IOCTL_ECHO, in, 5, out, 8, &n, &ov2) == 0 && GetLastError() == 6);
    void *ho2 = open_ovl();
    void *evc = CreateEventW(NULL, TRUE, FALSE, NULL);
    WS_OVERLAPPED ovc;
    memset(&ovc, 0, sizeof ovc);
    ovc.hEvent = evc;
    CHECK(DeviceIoControl(ho2, TD_IOCTL_READ, NULL, 0, rbuf, sizeof rbuf, &n, &ovc) == 0 && GetLastError() == 997);
    CHECK(CloseHandle(evc) == 1); /* the IRP keeps the event object */
    CHECK(DeviceIoControl(ho2, TD_IOCTL_ARM_TIMER, &ms, 4, NULL, 0, &n, &ov2) == 1);
    /* waiting on the closed event handle fails, as on Windows; without it the wait is on the I/O */
    uint32_t st = (uint32_t)__atomic_load_n(&ovc.Internal, __ATOMIC_ACQUIRE);
    CHECK(st == 0 || (GetOverlappedResult(ho2, &ovc, &n, TRUE) == 0 && GetLastError() == 6));
    ovc.hEvent = NULL;
    CHECK(GetOverlappedResult(ho2, &ovc, &n, TRUE) == 1 && n == 4);
    CHECK(CloseHandle(ho2) == 1);

    /* a synchronous handle given an OVERLAPPED still waits (and fills it in) */
    void *hs = open_dev(0xC0000000u);
    WS_OVERLAPPED ovs;
    memset(&ovs, 0, sizeof ovs);
    ovs.hEvent = man_ev;
    CHECK(ResetEvent(man_ev) == 1);
    CHECK(DeviceIoControl(hs, TD_IOCTL_ECHO, in, 5, out, 8, &n, &ovs) == 1 && n == 5);
    CHECK(ovs.Internal == 0 && ovs.InternalHigh == 5 && WaitForSingleObject(man_ev, 0) == 0);
    CHECK(CloseHandle(hs) == 1);

    CHECK(CloseHandle(eva) == 1);
    CHECK(CloseHandle(man_ev) == 1);
    for (int i = 0; i < 200 && WfpsimOpenHandles() != 0; i++)
        sleep_ms(2);
    CHECK(WfpsimOpenHandles() == 0);
    CHECK(WfpsimDriverUnload() == 0);
    CHECK(WfpsimPoolOutstanding(0) == 0);
}

/* ---- WFP ---------------------------------------------------------------------------------- */
static const GUID k_flow = TD_GUID(1), k_stream = TD_GUID(2), k_trans = TD_GUID(3), k_term = TD_GUID(4);

static const WS_GUID *layer_key(UINT16 id)
{
    return ws_layer_by_id(id)->key;
}

static uint16_t k_name[] = u"wfpsim kernel test";

static uint32_t add_callout(WS_HANDLE e, const GUID *key, UINT16 layer)
{
    WS_FWPM_CALLOUT0 c;
    memset(&c, 0, sizeof c);
    memcpy(&c.calloutKey, key, 16);
    c.displayData.name = k_name;
    c.applicableLayer = *layer_key(layer);
    uint32_t id = 0;
    return FwpmCalloutAdd0(e, &c, NULL, &id);
}

/* The runtime id the management API reports for a callout key (0: not found). */
static uint32_t mgmt_callout_id(WS_HANDLE e, const GUID *key)
{
    WS_FWPM_CALLOUT0 *c = NULL;
    if (FwpmCalloutGetByKey0(e, (const WS_GUID *)key, &c) != 0 || !c)
        return 0;
    uint32_t id = c->calloutId;
    FwpmFreeMemory0((void **)&c);
    return id;
}

static uint64_t add_filter(WS_HANDLE e, UINT16 layer, const WS_GUID *sublayer, uint32_t action, const GUID *callout,
                           uint8_t weight, uint32_t flags, WS_FWPM_FILTER_CONDITION0 *conds, uint32_t nconds)
{
    WS_FWPM_FILTER0 f;
    memset(&f, 0, sizeof f);
    f.displayData.name = k_name;
    f.layerKey = *layer_key(layer);
    if (sublayer)
        f.subLayerKey = *sublayer;
    f.action.type = action;
    if (callout)
        memcpy(&f.action.calloutKey, callout, 16);
    f.weight.type = WS_FWP_UINT8;
    f.weight.uint8 = weight;
    f.flags = flags;
    f.numFilterConditions = nconds;
    f.filterCondition = conds;
    f.rawContext = 0xC0FFEE;
    uint64_t id = 0;
    uint32_t r = FwpmFilterAdd0(e, &f, NULL, &id);
    return r == 0 ? id : 0;
}

static void add_sublayer(WS_HANDLE e, const WS_GUID *key, uint16_t weight)
{
    WS_FWPM_SUBLAYER0 s;
    memset(&s, 0, sizeof s);
    s.subLayerKey = *key;
    s.displayData.name = k_name;
    s.weight = weight;
    CHECK(FwpmSubLayerAdd0(e, &s, NULL) == 0);
}

static void classify_v4(UINT16 layer, UINT32 remote, UINT64 flow, ws_k_classify_result *r)
{
    FWPS_INCOMING_VALUE0 v[16];
    memset(v, 0, sizeof v);
    int ri = ws_k_field_index(layer, "IP_REMOTE_ADDRESS");
    v[ri].value.type = FWP_UINT32;
    v[ri].value.uint32 = remote;
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    ws_k_classify(layer, v, ws_k_field_count(layer), &meta, NULL, flow, r);
}

static NTSTATUS g_remove_status;
static UINT32 g_remover_id;
static int g_remover_deletes;
static void NTAPI remover_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                   void *ld, const void *cc, const FWPS_FILTER1 *f, UINT64 fc, FWPS_CLASSIFY_OUT0 *out)
{
    (void)meta; (void)ld; (void)cc; (void)f; (void)fc;
    g_remove_status = FwpsFlowRemoveContext0(*(UINT64 *)in->incomingValue[0].value.uint64, in->layerId, g_remover_id);
    out->actionType = FWP_ACTION_CONTINUE;
}
static NTSTATUS NTAPI remover_notify(FWPS_CALLOUT_NOTIFY_TYPE t, const GUID *k, FWPS_FILTER1 *f)
{
    (void)t; (void)k; (void)f;
    return STATUS_SUCCESS;
}
static void NTAPI remover_delete(UINT16 l, UINT32 c, UINT64 ctx)
{
    (void)l; (void)c;
    CHECK(ctx == 77);
    g_remover_deletes++;
}

static int g_removed_events;
static UINT64 g_removed_ctx;
static void NTAPI tag_notify0(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *a, NET_BUFFER_LIST *b, UINT16 l,
                              UINT64 ctx, UINT64 tag)
{
    (void)a; (void)b; (void)l; (void)tag;
    if (ev == FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED) {
        __atomic_add_fetch(&g_removed_events, 1, __ATOMIC_SEQ_CST);
        g_removed_ctx = ctx;
    }
}
static NTSTATUS NTAPI tag_notify1(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 ev, NET_BUFFER_LIST *a, NET_BUFFER_LIST *b, UINT16 l,
                                  UINT64 ctx, UINT64 tag)
{
    tag_notify0(ev, a, b, l, ctx, tag);
    return STATUS_SUCCESS;
}

static void test_wfp(void)
{
    CHECK(WfpsimDriverLoad() == 0);
    WS_HANDLE e = NULL;
    CHECK(FwpmEngineOpen0(NULL, 10, NULL, NULL, &e) == 0);
    CHECK(add_callout(e, &k_flow, FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4) == 0);
    CHECK(add_callout(e, &k_stream, FWPS_LAYER_STREAM_V4) == 0);
    CHECK(add_callout(e, &k_trans, FWPS_LAYER_OUTBOUND_TRANSPORT_V4) == 0);
    CHECK(add_callout(e, &k_term, FWPS_LAYER_INBOUND_IPPACKET_V4) == 0);
    CHECK(add_filter(e, FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, NULL, WS_FWP_ACTION_CALLOUT_INSPECTION, &k_flow, 1, 0, NULL, 0));
    CHECK(add_filter(e, FWPS_LAYER_STREAM_V4, NULL, WS_FWP_ACTION_CALLOUT_INSPECTION, &k_stream, 1, 0, NULL, 0));
    CHECK(add_filter(e, FWPS_LAYER_OUTBOUND_TRANSPORT_V4, NULL, WS_FWP_ACTION_CALLOUT_INSPECTION, &k_trans, 1, 0, NULL, 0));

    /* traffic: flows -> flow contexts, stream data, FIN/RST, flowDeleteFn at close */
    void *h = open_dev(0xC0000000u);
    uint32_t one = 1, n;
    CHECK(DeviceIoControl(h, TD_IOCTL_TAG_CONFIG, &one, 4, NULL, 0, &n, NULL) == 1);
    wfpsim_run_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.segment_size = 333;
    CHECK(WfpsimRunSynthetic(42, 6, &o) == 0);
    wfpsim_run_stats rs;
    WfpsimRunStats(&rs);
    td_stats *s = td_get_stats();
    CHECK(rs.flows == 6 && rs.flow_classifies == 6);
    CHECK(s->flow_classifies == 6 && s->contexts_associated == 6 && s->path_ok == 6);
    CHECK(s->last_process_id == 4242);
    CHECK(s->stream_indications > 6 && s->stream_bytes > 0);
    CHECK(s->fin_seen + s->rst_seen >= 6);
    CHECK(s->copy_mismatch == 0);
    CHECK(s->conditional_violations == 0);
    CHECK(s->flow_deletes == 6 && s->contexts_live == 0 && rs.flow_deletes == 6);
    CHECK(s->transport_classifies > 0 && s->tags_associated == s->transport_classifies);
    CHECK(s->context_removed_events == s->tags_associated);
    CHECK(ws_k_flow_count() == 0 && ws_k_nbl_outstanding() == 0);
    CHECK(CloseHandle(h) == 1);

    /* arbitration at INBOUND_IPPACKET_V4 */
    WS_GUID s1 = { 0x11111111, 1, 1, { 1 } }, s2 = { 0x22222222, 2, 2, { 2 } };
    add_sublayer(e, &s1, 200);
    add_sublayer(e, &s2, 100);
    WS_FWPM_FILTER_CONDITION0 cond;
    memset(&cond, 0, sizeof cond);
    memcpy(&cond.fieldKey, ws_layer_by_id(FWPS_LAYER_INBOUND_IPPACKET_V4)->fields[6].key, 16); /* IP_REMOTE_ADDRESS */
    CHECK(strcmp(ws_layer_by_id(FWPS_LAYER_INBOUND_IPPACKET_V4)->fields[6].name, "FWPM_CONDITION_IP_REMOTE_ADDRESS") == 0);
    cond.matchType = WS_FWP_MATCH_EQUAL;
    cond.conditionValue.type = WS_FWP_UINT32;
    cond.conditionValue.uint32 = 0x01020304;
    UINT16 L = FWPS_LAYER_INBOUND_IPPACKET_V4;
    ws_k_classify_result r;
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_PERMIT && r.filter_id == 0);
    uint64_t fa = add_filter(e, L, &s1, WS_FWP_ACTION_PERMIT, NULL, 5, 0, &cond, 1);
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_PERMIT && r.filter_id == fa);
    uint64_t fb = add_filter(e, L, &s2, WS_FWP_ACTION_BLOCK, NULL, 5, 0, NULL, 0);
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_BLOCK && r.filter_id == fb); /* block in a lower sublayer overrides permit */
    classify_v4(L, 0x05060708, 0, &r);
    CHECK(r.action == FWP_ACTION_BLOCK && r.filters_matched == 1);
    CHECK(FwpmFilterDeleteById0(e, fb) == 0);
    uint64_t fc = add_filter(e, L, &s2, WS_FWP_ACTION_CALLOUT_TERMINATING, &k_term, 5, 0, NULL, 0);
    h = open_dev(0xC0000000u);
    uint32_t act = WS_FWP_ACTION_PERMIT;
    CHECK(DeviceIoControl(h, TD_IOCTL_SET_TERM, &act, 4, NULL, 0, &n, NULL) == 1);
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_PERMIT && r.callouts_called == 1 && r.filter_id == fc);
    act = WS_FWP_ACTION_BLOCK;
    CHECK(DeviceIoControl(h, TD_IOCTL_SET_TERM, &act, 4, NULL, 0, &n, NULL) == 1);
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_BLOCK && r.filter_id == fc);
    uint64_t fd = add_filter(e, L, &s1, WS_FWP_ACTION_BLOCK, NULL, 15, 0, NULL, 0);
    uint64_t calls = s->term_classifies;
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_BLOCK && r.filter_id == fd && r.callouts_called == 0 && s->term_classifies == calls);
    CHECK(FwpmFilterDeleteById0(e, fd) == 0);
    CHECK(CloseHandle(h) == 1);
    /* the callout unregistered: a terminating filter pointing to it blocks */
    CHECK(FwpsCalloutUnregisterByKey0(&k_term) == 0);
    CHECK(FwpsCalloutUnregisterByKey0(&k_term) == WS_K_STATUS_FWP_CALLOUT_NOT_FOUND);
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_BLOCK && r.callouts_called == 0 && r.filter_id == fc);
    CHECK(FwpmFilterDeleteById0(e, fc) == 0);
    CHECK(add_filter(e, L, &s2, WS_FWP_ACTION_CALLOUT_TERMINATING, &k_term, 5,
                     WS_FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED, NULL, 0));
    classify_v4(L, 0x01020304, 0, &r);
    CHECK(r.action == FWP_ACTION_PERMIT);

    /* flow contexts */
    UINT64 flow = ws_k_flow_create();
    /* the driver registered before FwpmCalloutAdd0: the engine reports the kernel's id */
    UINT32 stream_id = td_stream_callout_id();
    CHECK(stream_id >= 0x100 && mgmt_callout_id(e, &k_stream) == stream_id);
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_STREAM_V4, stream_id, 0) == STATUS_SUCCESS);
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_STREAM_V4, stream_id, 0) == STATUS_OBJECT_NAME_EXISTS);
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_STREAM_V4, 0xdeadbeef, 0) == WS_K_STATUS_FWP_CALLOUT_NOT_FOUND);
    CHECK(FwpsCalloutUnregisterByKey0(&k_stream) == STATUS_DEVICE_BUSY);
    uint64_t dels = s->flow_deletes;
    CHECK(FwpsFlowRemoveContext0(flow, FWPS_LAYER_STREAM_V4, stream_id) == STATUS_SUCCESS);
    CHECK(s->flow_deletes == dels + 1);
    s->contexts_live++; /* balance the test driver's counter (context 0 was ours) */
    CHECK(FwpsFlowRemoveContext0(flow, FWPS_LAYER_STREAM_V4, stream_id) == STATUS_NOT_FOUND);

    /* a callout without flowDeleteFn may not associate; remove during classify is pending */
    GUID kr = TD_GUID(9), kn = TD_GUID(10);
    FWPS_CALLOUT1 def;
    memset(&def, 0, sizeof def);
    def.calloutKey = kn;
    def.classifyFn = remover_classify;
    def.notifyFn = remover_notify;
    UINT32 nodel_id;
    CHECK(FwpsCalloutRegister1((void *)&def, &def, &nodel_id) == 0);
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_STREAM_V4, nodel_id, 1) == STATUS_INVALID_PARAMETER);
    CHECK(FwpsCalloutRegister1((void *)&def, &def, &nodel_id) == WS_K_STATUS_FWP_ALREADY_EXISTS);
    CHECK(FwpsCalloutUnregisterByKey0(&kn) == 0);
    CHECK(add_callout(e, &kr, FWPS_LAYER_INBOUND_IPPACKET_V6) == 0);
    def.calloutKey = kr;
    def.flowDeleteFn = remover_delete;
    CHECK(FwpsCalloutRegister1((void *)&def, &def, &g_remover_id) == 0);
    CHECK(g_remover_id >= 0x100 && g_remover_id == mgmt_callout_id(e, &kr)); /* the engine's id (added first) */
    CHECK(add_filter(e, FWPS_LAYER_INBOUND_IPPACKET_V6, NULL, WS_FWP_ACTION_CALLOUT_INSPECTION, &kr, 1, 0, NULL, 0));
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_INBOUND_IPPACKET_V6, g_remover_id, 77) == 0);
    FWPS_INCOMING_VALUE0 v6[16];
    memset(v6, 0, sizeof v6);
    v6[0].value.type = FWP_UINT64;
    v6[0].value.uint64 = &flow;
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    ws_k_classify(FWPS_LAYER_INBOUND_IPPACKET_V6, v6, ws_k_field_count(FWPS_LAYER_INBOUND_IPPACKET_V6), &meta, NULL,
                  flow, &r);
    CHECK(r.callouts_called == 1 && g_remove_status == STATUS_PENDING && g_remover_deletes == 1);
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_INBOUND_IPPACKET_V6, g_remover_id, 77) == 0);
    CHECK(FwpsCalloutUnregisterByKey0(&kr) == STATUS_DEVICE_BUSY);
    CHECK(ws_k_flow_delete(flow) == 1 && g_remover_deletes == 2);
    CHECK(FwpsCalloutUnregisterByKey0(&kr) == 0);
    CHECK(FwpsFlowAssociateContext0(flow, FWPS_LAYER_STREAM_V4, stream_id, 0) == STATUS_NOT_FOUND);

    /* FwpsCopyStreamDataToBuffer0 honours dataOffset; chains split into segments */
    uint8_t data[5000], buf[6000];
    for (int i = 0; i < 5000; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    NET_BUFFER_LIST *chain = ws_k_nbl_chain_build(data, sizeof data, 700);
    int nbls = 0;
    for (NET_BUFFER_LIST *x = chain; x; x = x->Next)
        nbls++;
    CHECK(nbls == 8 && NET_BUFFER_DATA_LENGTH(chain->FirstNetBuffer) == 700 && NET_BUFFER_DATA_OFFSET(chain->FirstNetBuffer) == 40);
    FWPS_STREAM_DATA0 sd;
    memset(&sd, 0, sizeof sd);
    sd.netBufferListChain = chain;
    NET_BUFFER_LIST *second = chain->Next;
    NET_BUFFER *nb = second->FirstNetBuffer;
    sd.dataOffset.netBufferList = second;
    sd.dataOffset.netBuffer = nb;
    sd.dataOffset.mdl = nb->MdlChain->Next; /* second MDL of the second segment */
    sd.dataOffset.mdlOffset = 10;
    /* first MDL holds 40 header bytes + 350 data bytes; the second starts at data 350 */
    sd.dataLength = 5000 - 700 - 350 - 10;
    SIZE_T got = 0;
    FwpsCopyStreamDataToBuffer0(&sd, buf, sizeof buf, &got);
    CHECK(got == sd.dataLength && memcmp(buf, data + 1060, got) == 0);
    FwpsCopyStreamDataToBuffer0(&sd, buf, 5, &got);
    CHECK(got == 5 && memcmp(buf, data + 1060, 5) == 0);
    uint8_t tmp[800];
    uint8_t *p = NdisGetDataBuffer(nb, 700, tmp, 1, 0);
    CHECK(p == tmp && memcmp(p, data + 700, 700) == 0); /* spans two MDLs: copied */
    p = NdisGetDataBuffer(nb, 100, NULL, 1, 0);
    CHECK(p && memcmp(p, data + 700, 100) == 0);         /* contiguous: in place */
    CHECK(NdisGetDataBuffer(nb, 701, tmp, 1, 0) == NULL);
    ws_k_nbl_chain_free(chain);

    /* packet tagging */
    UINT64 tag = FwpsNetBufferListGetTagForContext0();
    NET_BUFFER_LIST *a = ws_k_nbl_build(data, 100, 0, 1), *b = ws_k_nbl_build(data, 60, 0, 1);
    void *dev = (void *)&def;
    CHECK(FwpsNetBufferListAssociateContext0(a, L, 5, tag, NULL, dev, NULL, 0) == STATUS_INVALID_PARAMETER);
    CHECK(FwpsNetBufferListAssociateContext0(a, L, 5, 12345, NULL, dev, tag_notify0, 0) == STATUS_INVALID_PARAMETER);
    CHECK(FwpsNetBufferListAssociateContext0(a, FWPS_LAYER_STREAM_V4, 5, tag, NULL, dev, tag_notify0, 0) == STATUS_INVALID_PARAMETER);
    CHECK(FwpsNetBufferListAssociateContext0(a, L, 5, tag, NULL, dev, tag_notify0, 0) == 0);
    CHECK(FwpsNetBufferListAssociateContext1(b, L, 6, tag, NULL, dev, tag_notify1, 0) == 0);
    UINT64 ctx = 0;
    CHECK(FwpsNetBufferListRetrieveContext0(a, tag, FALSE, 0, &ctx) == 0 && ctx == 5);
    CHECK(FwpsNetBufferListRemoveContext0(NULL, tag, 0) == 0);
    ws_k_tag_drain();
    CHECK(g_removed_events == 2);
    CHECK(FwpsNetBufferListRetrieveContext0(a, tag, FALSE, 0, &ctx) == STATUS_NOT_FOUND);
    CHECK(FwpsNetBufferListAssociateContext0(a, L, 9, tag, NULL, dev, tag_notify0, 0) == 0);
    CHECK(FwpsNetBufferListRetrieveContext0(a, tag, TRUE, 0, &ctx) == 0 && ctx == 9);
    CHECK(FwpsNetBufferListAssociateContext1(b, L, 8, tag, NULL, dev, tag_notify1, 0) == 0);
    ws_k_nbl_chain_free(a);
    ws_k_nbl_chain_free(b); /* freed with a context: CONTEXT_REMOVED at once */
    CHECK(g_removed_events == 3 && g_removed_ctx == 8);
    CHECK(ws_k_nbl_outstanding() == 0);

    CHECK(FwpmEngineClose0(e) == 0);
    CHECK(WfpsimDriverUnload() == 0);
    CHECK(WfpsimPoolOutstanding(0) == 0);
}

/* ---- callout ids: one per key, whichever side comes first ---------------------------------- */
static UINT32 g_seen_callout_id;
static void NTAPI id_classify(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta, void *ld,
                              const void *cc, const FWPS_FILTER1 *f, UINT64 fc, FWPS_CLASSIFY_OUT0 *out)
{
    (void)in; (void)meta; (void)ld; (void)cc; (void)fc;
    g_seen_callout_id = f->action.calloutId;
    out->actionType = FWP_ACTION_CONTINUE;
}

static uint32_t add_callout_id(WS_HANDLE e, const GUID *key, UINT16 layer)
{
    WS_FWPM_CALLOUT0 c;
    memset(&c, 0, sizeof c);
    memcpy(&c.calloutKey, key, 16);
    c.displayData.name = k_name;
    c.applicableLayer = *layer_key(layer);
    uint32_t id = 0;
    return FwpmCalloutAdd0(e, &c, NULL, &id) == 0 ? id : 0;
}

/* The id the classify engine puts in filter->action.calloutId for a filter calling `key`. */
static UINT32 classified_id(WS_HANDLE e, const GUID *key)
{
    UINT16 L = FWPS_LAYER_OUTBOUND_IPPACKET_V6;
    uint64_t fid = add_filter(e, L, NULL, WS_FWP_ACTION_CALLOUT_INSPECTION, key, 1, 0, NULL, 0);
    g_seen_callout_id = 0;
    FWPS_INCOMING_VALUE0 v[16];
    memset(v, 0, sizeof v);
    FWPS_INCOMING_METADATA_VALUES0 meta;
    memset(&meta, 0, sizeof meta);
    ws_k_classify_result r;
    ws_k_classify(L, v, ws_k_field_count(L), &meta, NULL, 0, &r);
    CHECK(fid && FwpmFilterDeleteById0(e, fid) == 0);
    return g_seen_callout_id;
}

static void test_callout_ids(void)
{
    WS_HANDLE e = NULL;
    CHECK(FwpmEngineOpen0(NULL, 10, NULL, NULL, &e) == 0);
    UINT16 L = FWPS_LAYER_OUTBOUND_IPPACKET_V6;
    GUID ka = TD_GUID(21), kb = TD_GUID(22), kc = TD_GUID(23);
    FWPS_CALLOUT1 def;
    memset(&def, 0, sizeof def);
    def.classifyFn = id_classify;
    def.notifyFn = remover_notify;
    void *dev = (void *)&def;

    /* kernel first: FwpmCalloutAdd0 and the classify engine use the registered id */
    def.calloutKey = ka;
    UINT32 kid_a = 0;
    CHECK(FwpsCalloutRegister1(dev, &def, &kid_a) == 0 && kid_a >= 0x100);
    uint32_t mid_a = add_callout_id(e, &ka, L);
    CHECK(mid_a == kid_a && mgmt_callout_id(e, &ka) == kid_a);
    WS_FWPM_CALLOUT0 *byid = NULL;
    CHECK(FwpmCalloutGetById0(e, kid_a, &byid) == 0 && byid && memcmp(&byid->calloutKey, &ka, 16) == 0);
    FwpmFreeMemory0((void **)&byid);
    CHECK(classified_id(e, &ka) == kid_a);

    /* management first: the kernel gets the engine's id */
    uint32_t mid_b = add_callout_id(e, &kb, L);
    def.calloutKey = kb;
    UINT32 kid_b = 0;
    CHECK(mid_b >= 0x100 && mid_b != kid_a);
    CHECK(FwpsCalloutRegister1(dev, &def, &kid_b) == 0 && kid_b == mid_b);
    CHECK(classified_id(e, &kb) == mid_b);

    /* deleting and re-adding the management object while registered keeps the id */
    CHECK(FwpmCalloutDeleteByKey0(e, (const WS_GUID *)&ka) == 0);
    CHECK(mgmt_callout_id(e, &ka) == 0);
    CHECK(add_callout_id(e, &ka, L) == kid_a);
    /* a failed add (inside an aborted transaction) consumes nothing the kernel relies on */
    CHECK(FwpmTransactionBegin0(e, 0) == 0);
    CHECK(FwpmCalloutDeleteByKey0(e, (const WS_GUID *)&ka) == 0);
    CHECK(add_callout_id(e, &ka, L) == kid_a);
    CHECK(FwpmTransactionAbort0(e) == 0);
    CHECK(mgmt_callout_id(e, &ka) == kid_a);

    /* a BFE restart keeps the kernel's registrations and their ids; new keys get other ids */
    CHECK(FwpmEngineClose0(e) == 0);
    WfpsimReset();
    CHECK(FwpmEngineOpen0(NULL, 10, NULL, NULL, &e) == 0);
    CHECK(mgmt_callout_id(e, &ka) == 0);
    CHECK(add_callout_id(e, &ka, L) == kid_a);
    uint32_t mid_c = add_callout_id(e, &kc, L);
    CHECK(mid_c && mid_c != kid_a && mid_c != kid_b);
    CHECK(add_callout_id(e, &kb, L) == kid_b);
    CHECK(classified_id(e, &kc) == 0); /* not registered: the inspection filter calls nothing */

    /* unregistered: the management object keeps its id; deleted and re-added, a new one */
    CHECK(FwpsCalloutUnregisterByKey0(&ka) == 0);
    CHECK(mgmt_callout_id(e, &ka) == kid_a);
    CHECK(FwpmCalloutDeleteByKey0(e, (const WS_GUID *)&ka) == 0);
    uint32_t again = add_callout_id(e, &ka, L);
    CHECK(again && again != kid_a);
    /* registering now takes the management object's id */
    def.calloutKey = ka;
    UINT32 kid_a2 = 0;
    CHECK(FwpsCalloutRegister1(dev, &def, &kid_a2) == 0 && kid_a2 == again);
    CHECK(classified_id(e, &ka) == again);

    CHECK(FwpsCalloutUnregisterByKey0(&ka) == 0);
    CHECK(FwpsCalloutUnregisterByKey0(&kb) == 0);
    CHECK(FwpmEngineClose0(e) == 0);

    /* persistent callouts: one registered before the state file is read gets the kernel's id;
     * a stored callout whose id the kernel reserved for another key gets a fresh one */
    char state[] = "/tmp/wfpsim-ids-XXXXXX";
    int fd = mkstemp(state);
    CHECK(fd >= 0);
    close(fd);
    unlink(state);
    CHECK(WfpsimSetStateFile(state) == 0);
    CHECK(FwpmEngineOpen0(NULL, 10, NULL, NULL, &e) == 0);
    GUID kd = TD_GUID(24), ke = TD_GUID(25), kf = TD_GUID(26);
    WS_FWPM_CALLOUT0 pc;
    memset(&pc, 0, sizeof pc);
    pc.displayData.name = k_name;
    pc.applicableLayer = *layer_key(L);
    pc.flags = WS_FWPM_CALLOUT_FLAG_PERSISTENT;
    uint32_t id_d = 0, id_e = 0;
    memcpy(&pc.calloutKey, &kd, 16);
    CHECK(FwpmCalloutAdd0(e, &pc, NULL, &id_d) == 0);
    memcpy(&pc.calloutKey, &ke, 16);
    CHECK(FwpmCalloutAdd0(e, &pc, NULL, &id_e) == 0);
    CHECK(FwpmEngineClose0(e) == 0);
    WfpsimReset(); /* a BFE restart: the state file is read again on the next open */
    def.calloutKey = kf; /* takes the lowest id again: the one ke had stored, or kd's */
    UINT32 kid_f = 0, kid_d = 0;
    CHECK(FwpsCalloutRegister1(dev, &def, &kid_f) == 0);
    def.calloutKey = kd;
    CHECK(FwpsCalloutRegister1(dev, &def, &kid_d) == 0);
    CHECK(kid_f == id_d || kid_f == id_e || kid_d == id_d || kid_d == id_e); /* the collision happens */
    CHECK(FwpmEngineOpen0(NULL, 10, NULL, NULL, &e) == 0);
    uint32_t now_d = mgmt_callout_id(e, &kd), now_e = mgmt_callout_id(e, &ke);
    CHECK(now_d == kid_d);
    CHECK(now_e && now_e != kid_f && now_e != kid_d);
    CHECK(classified_id(e, &kd) == kid_d);
    CHECK(FwpmCalloutDeleteByKey0(e, (const WS_GUID *)&kd) == 0 && FwpmCalloutDeleteByKey0(e, (const WS_GUID *)&ke) == 0);
    CHECK(FwpmEngineClose0(e) == 0);
    CHECK(FwpsCalloutUnregisterByKey0(&kd) == 0 && FwpsCalloutUnregisterByKey0(&kf) == 0);
    CHECK(WfpsimSetStateFile(NULL) == 0);
    unlink(state);
    WfpsimReset();
}

static void test_clock(void)
{
    LARGE_INTEGER t;
    WfpsimClockSetVirtual(133000000000000000ULL);
    KeQuerySystemTime(&t);
    CHECK(t.QuadPart == 133000000000000000LL);
    WfpsimClockUseReal();
    KeQuerySystemTime(&t);
    CHECK(t.QuadPart > 133000000000000000LL);
    UINT32 *pa = ExAllocatePoolWithTag(NonPagedPoolNx, 16, 0x74736554u);
    CHECK(pa && WfpsimPoolOutstanding(0x74736554u) == 1);
    ExFreePoolWithTag(pa, 0x74736554u);
    CHECK(WfpsimPoolOutstanding(0x74736554u) == 0);
    KEVENT ev;
    KeInitializeEvent(&ev, SynchronizationEvent, FALSE);
    LARGE_INTEGER to = { .QuadPart = -10000 * 20 };
    CHECK(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &to) == STATUS_TIMEOUT);
    KeSetEvent(&ev, 0, FALSE);
    CHECK(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &to) == STATUS_SUCCESS);
    CHECK(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &to) == STATUS_TIMEOUT); /* auto-reset */
}

#include "lifecycle_test.c"

int main(void)
{
    test_clock();
    test_io();
    test_overlapped();
    test_wfp();
    test_callout_ids();
    test_lifecycle();
    CHECK(WfpsimKernelViolations() == 0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
