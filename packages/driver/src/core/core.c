/*
 * core.c - set-up, tear-down and driver-wide counters of the core (see core.h).
 */
#include "core.h"

#include <string.h>

/* The parts of the one allocation, in order; every size is a multiple of 8. */
typedef struct wk_core_layout {
    uint32_t flows, apps, insps, flowSlots, ledger;
    size_t flowBytes, indexBytes, inspBytes, appBytes, copyBytes, ledgerBytes, total;
} wk_core_layout;

static uint32_t wk_core_pick(uint32_t v, uint32_t def)
{
    return v != 0 ? v : def;
}

static size_t wk_core_round8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

static void wk_core_plan(const wk_core_config *cfg, wk_core_layout *l)
{
    l->flows = wk_core_pick(cfg != NULL ? cfg->flowCapacity : 0, WK_CORE_DEFAULT_FLOWS);
    l->apps = wk_core_pick(cfg != NULL ? cfg->appCapacity : 0, WK_CORE_DEFAULT_APPS);
    l->insps = wk_core_pick(cfg != NULL ? cfg->inspectorCapacity : 0, WK_CORE_DEFAULT_INSPECTORS);
    if (l->flows > WK_CORE_MAX_FLOWS) {
        l->flows = WK_CORE_MAX_FLOWS;
    }
    if (l->apps > l->flows) {
        l->apps = l->flows; /* a flow holds at most one app */
    }
    if (l->insps > l->flows) {
        l->insps = l->flows;
    }
    l->ledger = wk_core_pick(cfg != NULL ? cfg->ledgerCapacity : 0, WK_TAG_DEFAULT_LEDGER);
    if (l->ledger > WK_TAG_MAX_LEDGER) {
        l->ledger = WK_TAG_MAX_LEDGER;
    }
    l->flowSlots = wk_hidx_slots_for(l->flows);
    l->flowBytes = wk_core_round8((size_t)l->flows * sizeof(wk_flow));
    /* two indexes of the same size: by flow handle and by 5-tuple */
    l->indexBytes = (size_t)l->flowSlots * sizeof(uint64_t);
    l->ledgerBytes = wk_core_round8(wk_tag_ledger_bytes(l->ledger));
    l->inspBytes = wk_core_round8((size_t)l->insps * sizeof(wk_flow_insp));
    l->appBytes = wk_core_round8(wk_app_memory_bytes(l->apps));
    /* The copy buffer holds what one indication may give the classifier (the largest
     * budget) or a STREAM_DATA record (the largest snap length). */
    l->copyBytes = wk_core_round8(WK_MAX_INSPECT_BUDGET > WK_MAX_SNAP_LEN ? WK_MAX_INSPECT_BUDGET
                                                                         : WK_MAX_SNAP_LEN);
    l->total = l->flowBytes + 2u * l->indexBytes + l->inspBytes + l->appBytes + l->copyBytes +
               l->ledgerBytes;
}

size_t wk_core_memory_bytes(const wk_core_config *cfg)
{
    wk_core_layout l;
    wk_core_plan(cfg, &l);
    return l.total;
}

int wk_core_init(wk_core *core, const wk_core_config *cfg)
{
    wk_core_layout l;
    uint8_t *m;
    uint32_t i;

    memset(core, 0, sizeof *core);
    wk_core_plan(cfg, &l);
    m = (uint8_t *)wk_plat_alloc_nonpaged(l.total);
    if (m == NULL) {
        return -1;
    }
    memset(m, 0, l.total);
    core->memory = m;
    wk_plat_spin_init(&core->lock);
    core->features = cfg != NULL ? cfg->features : 0u;

    core->flows = (wk_flow *)(void *)m;
    core->flowCapacity = l.flows;
    for (i = 0; i < l.flows; i++) {
        core->flows[i].generation = 1;
        core->flows[i].nextFree = i + 2u <= l.flows ? i + 2u : 0u;
    }
    core->flowFree = 1;
    m += l.flowBytes;
    wk_hidx_init(&core->flowIndex, (uint64_t *)(void *)m, l.flowSlots);
    m += l.indexBytes;
    wk_hidx_init(&core->tupleIndex, (uint64_t *)(void *)m, l.flowSlots);
    m += l.indexBytes;

    core->insp = (wk_flow_insp *)(void *)m;
    core->inspCapacity = l.insps;
    for (i = 0; i < l.insps; i++) {
        core->insp[i].nextFree = i + 2u <= l.insps ? i + 2u : 0u;
    }
    core->inspFree = l.insps != 0 ? 1u : 0u;
    m += l.inspBytes;

    wk_app_init(&core->apps, m, l.apps);
    m += l.appBytes;

    core->copyBuf = m;
    core->copyBytes = (uint32_t)l.copyBytes;
    m += l.copyBytes;

    core->ledger = (wk_tag_entry *)(void *)m;
    core->ledgerCapacity = l.ledger;
    for (i = 0; i < l.ledger; i++) {
        core->ledger[i].nextFree = i + 2u <= l.ledger ? i + 2u : 0u;
    }
    core->ledgerFree = 1;

    for (i = 0; i < WK_MAX_SESSIONS; i++) {
        wk_plat_spin_init(&core->sessions[i].lock);
    }
    core->nextSessionId = 1;
    return 0;
}

void wk_core_free(wk_core *core)
{
    uint32_t i;
    for (i = 0; i < WK_MAX_SESSIONS; i++) {
        wk_plat_free(core->sessions[i].ringMem);
        core->sessions[i].ringMem = NULL;
    }
    wk_plat_free(core->memory);
    memset(core, 0, sizeof *core);
}

void wk_core_begin_unload(wk_core *core)
{
    wk_plat_irql irql = wk_plat_spin_acquire(&core->lock);
    core->unloading = 1;
    wk_plat_spin_release(&core->lock, irql);
}

void wk_core_global_counters(wk_core *core, WK_GLOBAL_COUNTERS *g)
{
    wk_plat_irql irql;
    memset(g, 0, sizeof *g);
    irql = wk_plat_spin_acquire(&core->lock);
    g->flowsTotal = core->flowsTotal;
    g->classifyCalls = core->classifyCalls;
    g->streamBytesInspected = core->streamBytesInspected;
    g->flowsUnmonitored = core->flowsUnmonitored;
    g->contextFailures = core->contextFailures;
    g->flowsNotInspected = core->inspectorsExhausted;
    g->appPathsRefused = core->apps.refused;
    g->staleContexts = core->staleContexts;
    g->sessionsOpen = core->sessionsOpen;
    g->flowsActive = core->flowsActive;
    g->flowTableCapacity = core->flowCapacity;
    g->packetsTagged = core->packetsTagged;
    g->packetsUntagged = core->packetsUntagged;
    g->notifyEvents = core->notifyEvents;
    g->tagsRetired = core->tagsRetired;
    g->tagsInFlight = core->tagsInFlight;
    g->ledgerCapacity = core->ledgerCapacity;
    wk_plat_spin_release(&core->lock, irql);
}

size_t wk_core_bytes_per_flow(const wk_core *core)
{
    if (core->flowCapacity == 0) {
        return 0;
    }
    return sizeof(wk_flow) + (2u * (size_t)(core->flowIndex.mask + 1u) * sizeof(uint64_t) +
                              core->flowCapacity - 1u) / core->flowCapacity;
}
