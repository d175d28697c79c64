/*
 * fwps_callout.c - FwpsCalloutRegister1 / FwpsCalloutUnregisterByKey0 and flow contexts
 * (FwpsFlowAssociateContext0 / FwpsFlowRemoveContext0, flowDeleteFn).
 */
#include <stdlib.h>

#include "wfpsim/wfpsim_store.h"
#include "ws_k_internal.h"

struct ws_k_callout {
    FWPS_CALLOUT1 def;
    UINT32 id;
    int registered;
    int inflight;          /* classifyFn calls running */
    PVOID device;
    ws_k_callout *next;
};

typedef struct ws_k_flow_ctx {
    UINT16 layerId;
    UINT32 calloutId;
    UINT64 context;
    int removing;          /* remove requested during a classify: flowDeleteFn runs at its end */
    struct ws_k_flow_ctx *next;
} ws_k_flow_ctx;

typedef struct ws_k_flow {
    UINT64 id;
    int classify_depth;
    int deleting;
    ws_k_flow_ctx *ctx;
    struct ws_k_flow *next;
} ws_k_flow;

static pthread_mutex_t g_wfp = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wfp_cond = PTHREAD_COND_INITIALIZER;
static ws_k_callout *g_callouts;
static ws_k_flow *g_flows;
static UINT64 g_next_flow = 0x10000;
static uint64_t g_delete_calls;

static int guid_eq(const GUID *a, const GUID *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* g_wfp held */
static ws_k_callout *callout_by_id(UINT32 id)
{
    for (ws_k_callout *c = g_callouts; c; c = c->next)
        if (c->registered && c->id == id)
            return c;
    return NULL;
}

NTSTATUS NTAPI FwpsCalloutRegister1(void *deviceObject, const FWPS_CALLOUT1 *callout, UINT32 *calloutId)
{
    if (!deviceObject || !callout || !callout->classifyFn || !callout->notifyFn)
        return STATUS_INVALID_PARAMETER; /* modelled: classifyFn and notifyFn are required */
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        ws_k_bugcheck(0x0A, "FwpsCalloutRegister1 above PASSIVE_LEVEL");
    pthread_mutex_lock(&g_wfp);
    for (ws_k_callout *c = g_callouts; c; c = c->next)
        if (c->registered && guid_eq(&c->def.calloutKey, &callout->calloutKey)) {
            pthread_mutex_unlock(&g_wfp);
            return WS_K_STATUS_FWP_ALREADY_EXISTS;
        }
    ws_k_callout *c = calloc(1, sizeof *c);
    if (!c) {
        pthread_mutex_unlock(&g_wfp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* One runtime id per key, shared with the engine whichever side comes first: the store
     * reserves it for the key while the callout is registered. Lock order: g_wfp, then the
     * engine (classify takes the engine lock alone). */
    ws_engine_lock();
    UINT32 id = ws_store_callout_id_reserve((const WS_GUID *)&callout->calloutKey, 1);
    ws_engine_unlock();
    if (!id) {
        pthread_mutex_unlock(&g_wfp);
        free(c);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    c->def = *callout;
    c->id = id;
    c->registered = 1;
    c->device = deviceObject;
    c->next = g_callouts;
    g_callouts = c;
    pthread_mutex_unlock(&g_wfp);
    if (calloutId)
        *calloutId = c->id;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI FwpsCalloutUnregisterByKey0(const GUID *calloutKey)
{
    if (!calloutKey)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&g_wfp);
    ws_k_callout *c = g_callouts;
    while (c && !(c->registered && guid_eq(&c->def.calloutKey, calloutKey)))
        c = c->next;
    if (!c) {
        pthread_mutex_unlock(&g_wfp);
        return WS_K_STATUS_FWP_CALLOUT_NOT_FOUND;
    }
    for (ws_k_flow *f = g_flows; f; f = f->next)
        for (ws_k_flow_ctx *x = f->ctx; x; x = x->next)
            if (x->calloutId == c->id) {
                pthread_mutex_unlock(&g_wfp);
                return STATUS_DEVICE_BUSY;
            }
    c->registered = 0;
    ws_engine_lock();
    ws_store_callout_id_release((const WS_GUID *)calloutKey);
    ws_engine_unlock();
    /* modelled: unregistering waits for classifyFn calls already running in the callout */
    while (c->inflight)
        pthread_cond_wait(&g_wfp_cond, &g_wfp);
    for (ws_k_callout **pp = &g_callouts; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    pthread_mutex_unlock(&g_wfp);
    free(c);
    return STATUS_SUCCESS;
}

ws_k_callout *ws_k_callout_pin(const GUID *key)
{
    pthread_mutex_lock(&g_wfp);
    ws_k_callout *c = g_callouts;
    while (c && !(c->registered && guid_eq(&c->def.calloutKey, key)))
        c = c->next;
    if (c)
        c->inflight++;
    pthread_mutex_unlock(&g_wfp);
    return c;
}

void ws_k_callout_unpin(ws_k_callout *c)
{
    pthread_mutex_lock(&g_wfp);
    if (--c->inflight == 0)
        pthread_cond_broadcast(&g_wfp_cond);
    pthread_mutex_unlock(&g_wfp);
}

const FWPS_CALLOUT1 *ws_k_callout_def(const ws_k_callout *c)
{
    return &c->def;
}

UINT32 ws_k_callout_id(const ws_k_callout *c)
{
    return c->id;
}

UINT32 ws_k_callouts_registered(void)
{
    UINT32 n = 0;
    pthread_mutex_lock(&g_wfp);
    for (ws_k_callout *c = g_callouts; c; c = c->next)
        n += c->registered ? 1 : 0;
    pthread_mutex_unlock(&g_wfp);
    return n;
}

/* ---- flows ------------------------------------------------------------------------------------ */
/* g_wfp held */
static ws_k_flow *flow_find(UINT64 id)
{
    for (ws_k_flow *f = g_flows; f; f = f->next)
        if (f->id == id)
            return f;
    return NULL;
}

UINT64 ws_k_flow_create(void)
{
    ws_k_flow *f = calloc(1, sizeof *f);
    if (!f)
        return 0;
    pthread_mutex_lock(&g_wfp);
    f->id = g_next_flow;
    g_next_flow += 0x10; /* modelled: flow handles are opaque; these are simply unique */
    f->next = g_flows;
    g_flows = f;
    pthread_mutex_unlock(&g_wfp);
    return f->id;
}

size_t ws_k_flow_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&g_wfp);
    for (ws_k_flow *f = g_flows; f; f = f->next)
        n++;
    pthread_mutex_unlock(&g_wfp);
    return n;
}

uint64_t ws_k_flow_delete_calls(void)
{
    return __atomic_load_n(&g_delete_calls, __ATOMIC_SEQ_CST);
}

int ws_k_flow_get_context(UINT64 flowId, UINT16 layerId, UINT32 calloutId, UINT64 *ctx)
{
    int found = 0;
    pthread_mutex_lock(&g_wfp);
    ws_k_flow *f = flow_find(flowId);
    for (ws_k_flow_ctx *x = f ? f->ctx : NULL; x; x = x->next)
        if (x->layerId == layerId && x->calloutId == calloutId && !x->removing) {
            *ctx = x->context;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&g_wfp);
    return found;
}

/* Calls flowDeleteFn for a detached context (no lock held). */
static void run_delete(ws_k_flow_ctx *x)
{
    FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 fn = NULL;
    pthread_mutex_lock(&g_wfp);
    ws_k_callout *c = NULL;
    for (ws_k_callout *k = g_callouts; k; k = k->next)
        if (k->id == x->calloutId)
            c = k;
    if (c) {
        fn = c->def.flowDeleteFn;
        c->inflight++;
    }
    pthread_mutex_unlock(&g_wfp);
    if (fn) {
        KIRQL old = KeGetCurrentIrql();
        ws_k_set_irql(DISPATCH_LEVEL); /* modelled: flowDeleteFn runs at DISPATCH_LEVEL */
        fn(x->layerId, x->calloutId, x->context);
        ws_k_set_irql(old);
        __atomic_add_fetch(&g_delete_calls, 1, __ATOMIC_SEQ_CST);
        ws_k_callout_unpin(c);
    }
    free(x);
}

NTSTATUS NTAPI FwpsFlowAssociateContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId, UINT64 flowContext)
{
    pthread_mutex_lock(&g_wfp);
    ws_k_callout *c = callout_by_id(calloutId);
    if (!c) {
        pthread_mutex_unlock(&g_wfp);
        return WS_K_STATUS_FWP_CALLOUT_NOT_FOUND; /* modelled */
    }
    if (!c->def.flowDeleteFn) {
        pthread_mutex_unlock(&g_wfp);
        return STATUS_INVALID_PARAMETER;
    }
    ws_k_flow *f = flow_find(flowId);
    if (!f || f->deleting) {
        pthread_mutex_unlock(&g_wfp);
        return STATUS_NOT_FOUND; /* modelled: an unknown or ending flow */
    }
    for (ws_k_flow_ctx *x = f->ctx; x; x = x->next)
        if (x->layerId == layerId && x->calloutId == calloutId) {
            pthread_mutex_unlock(&g_wfp);
            return STATUS_OBJECT_NAME_EXISTS;
        }
    ws_k_flow_ctx *x = calloc(1, sizeof *x);
    if (!x) {
        pthread_mutex_unlock(&g_wfp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    x->layerId = layerId;
    x->calloutId = calloutId;
    x->context = flowContext;
    x->next = f->ctx;
    f->ctx = x;
    pthread_mutex_unlock(&g_wfp);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI FwpsFlowRemoveContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId)
{
    pthread_mutex_lock(&g_wfp);
    ws_k_flow *f = flow_find(flowId);
    ws_k_flow_ctx **pp = f ? &f->ctx : NULL;
    while (pp && *pp && !((*pp)->layerId == layerId && (*pp)->calloutId == calloutId))
        pp = &(*pp)->next;
    if (!pp || !*pp || (*pp)->removing) {
        pthread_mutex_unlock(&g_wfp);
        return STATUS_NOT_FOUND; /* modelled */
    }
    if (f->classify_depth > 0) {
        (*pp)->removing = 1;
        pthread_mutex_unlock(&g_wfp);
        return STATUS_PENDING;
    }
    ws_k_flow_ctx *x = *pp;
    *pp = x->next;
    pthread_mutex_unlock(&g_wfp);
    run_delete(x);
    return STATUS_SUCCESS;
}

void ws_k_flow_classify_begin(UINT64 flowId)
{
    pthread_mutex_lock(&g_wfp);
    ws_k_flow *f = flow_find(flowId);
    if (f)
        f->classify_depth++;
    pthread_mutex_unlock(&g_wfp);
}

/* Detaches the contexts to delete: all of them (all=1) or those marked removing. g_wfp held. */
static ws_k_flow_ctx *detach(ws_k_flow *f, int all)
{
    ws_k_flow_ctx *out = NULL;
    ws_k_flow_ctx **pp = &f->ctx;
    while (*pp) {
        ws_k_flow_ctx *x = *pp;
        if (all || x->removing) {
            *pp = x->next;
            x->next = out;
            out = x;
        } else {
            pp = &x->next;
        }
    }
    return out;
}

static uint32_t run_list(ws_k_flow_ctx *list)
{
    uint32_t n = 0;
    while (list) {
        ws_k_flow_ctx *next = list->next;
        run_delete(list);
        n++;
        list = next;
    }
    return n;
}

static void flow_free_locked(ws_k_flow *f)
{
    for (ws_k_flow **pp = &g_flows; *pp; pp = &(*pp)->next)
        if (*pp == f) {
            *pp = f->next;
            break;
        }
    free(f);
}

void ws_k_flow_classify_end(UINT64 flowId)
{
    pthread_mutex_lock(&g_wfp);
    ws_k_flow *f = flow_find(flowId);
    ws_k_flow_ctx *list = NULL;
    int free_it = 0;
    if (f && --f->classify_depth == 0) {
        list = detach(f, f->deleting);
        free_it = f->deleting;
        if (free_it)
            flow_free_locked(f);
    }
    pthread_mutex_unlock(&g_wfp);
    run_list(list);
}

uint32_t ws_k_flow_delete(UINT64 flowId)
{
    pthread_mutex_lock(&g_wfp);
    ws_k_flow *f = flow_find(flowId);
    if (!f) {
        pthread_mutex_unlock(&g_wfp);
        return 0;
    }
    if (f->classify_depth > 0) {
        /* a classify on another thread: the last classify_end deletes */
        f->deleting = 1;
        pthread_mutex_unlock(&g_wfp);
        return 0;
    }
    ws_k_flow_ctx *list = detach(f, 1);
    flow_free_locked(f);
    pthread_mutex_unlock(&g_wfp);
    return run_list(list);
}
