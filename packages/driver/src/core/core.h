/*
 * core.h - the driver core as one object (prefix wk_core_): flow table, app table,
 * inspector pool, sessions and driver-wide counters, set up once at driver load.
 *
 * Memory: everything is allocated by wk_core_init (wk_plat_alloc_nonpaged, PASSIVE_LEVEL)
 * from the capacities in wk_core_config; afterwards only session rings are allocated
 * (SET_CONFIG / START) and freed (close). Nothing is allocated per flow, packet or event.
 *
 * Locks and IRQL (all spin locks: held at DISPATCH_LEVEL, never across a wait):
 *   core->lock   "flow lock": flow entries, hash index, app table, inspector pool,
 *                the copy buffer, the session slot table, global counters.
 *   session->lock  that session's ring, state, config, counters.
 * Order: flow lock -> session lock. Never the other way; no other lock is taken inside
 * them, and wk_plat_session_wake is called with neither held.
 */
#ifndef WK_CORE_CORE_H
#define WK_CORE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "contract.h"
#include "flow.h"
#include "hidx.h"
#include "platform.h"
#include "session.h"
#include "status.h"
#include "tag.h"

/* Driver build version reported by GET_VERSION: major << 24 | minor << 16 | patch. */
#define WK_DRIVER_VERSION 0x00010000u

/* Defaults of wk_core_config (0 fields take these). */
#define WK_CORE_DEFAULT_FLOWS 16384u
#define WK_CORE_DEFAULT_APPS 512u
#define WK_CORE_DEFAULT_INSPECTORS 1024u
#define WK_CORE_MAX_FLOWS (1u << 22)

typedef struct wk_core_config {
    uint32_t flowCapacity;      /* flows tracked at once */
    uint32_t appCapacity;       /* distinct application paths at once */
    uint32_t inspectorCapacity; /* flows inspected at once */
    uint32_t features;          /* WK_FEATURE_FLAGS_* GET_VERSION reports */
    uint32_t ledgerCapacity;    /* tagged packets in flight at once (0: WK_TAG_DEFAULT_LEDGER) */
} wk_core_config;

typedef struct wk_core {
    wk_plat_spinlock lock;      /* the flow lock: DISPATCH_LEVEL */
    uint8_t unloading;          /* no new flows; FLOW_DELETED says UNLOAD */
    uint8_t reserved0[3];
    uint32_t features;
    /* flow table */
    wk_flow *flows;
    uint32_t flowCapacity;
    uint32_t flowsActive;
    uint32_t flowFree;          /* index + 1 */
    uint32_t inspCapacity;
    wk_hidx flowIndex;
    wk_hidx tupleIndex;         /* flows by 5-tuple (IP packet layers) */
    wk_flow_insp *insp;
    uint32_t inspFree;          /* index + 1 */
    uint32_t inspInUse;
    uint8_t *copyBuf;           /* stream bytes copied out of an indication */
    uint32_t copyBytes;
    uint32_t nextSessionId;
    wk_app_table apps;
    /* sessions */
    wk_session sessions[WK_MAX_SESSIONS];
    uint32_t sessionFlows[WK_MAX_SESSIONS]; /* flowsActive per session (flow lock) */
    uint32_t sessionsOpen;
    uint32_t reserved1;
    /* driver-wide counters (flow lock) */
    uint64_t flowsTotal;
    uint64_t classifyCalls;
    uint64_t streamBytesInspected;
    uint64_t flowsUnmonitored;
    uint64_t contextFailures;
    uint64_t inspectorsExhausted; /* flows not inspected: pool empty (GlobalCounters.flowsNotInspected) */
    uint64_t staleContexts;       /* calls with an unknown or stale flow context */
    /* packet tagging (tag.c; flow lock) */
    wk_tag_entry *ledger;
    uint32_t ledgerCapacity;
    uint32_t ledgerFree;          /* index + 1 */
    uint32_t tagsInFlight;
    uint32_t tagsStranded;        /* 1: unload gave up waiting (wk_tag_strand); 2: released since */
    uint64_t packetsTagged;
    uint64_t packetsUntagged;
    uint64_t notifyEvents;
    uint64_t tagsRetired;
    void *memory;                 /* the one allocation behind the tables */
} wk_core;

/* Allocates and sets up the core. cfg may be NULL (defaults). Returns 0, or -1 when out
 * of memory (nothing left allocated). PASSIVE_LEVEL. */
int wk_core_init(wk_core *core, const wk_core_config *cfg);

/* Frees what wk_core_init and the sessions allocated. The glue calls it last, after
 * every flow was deleted and every session closed. PASSIVE_LEVEL. */
void wk_core_free(wk_core *core);

/* Unload step 1: refuse new flows from now on; later deletes report reason UNLOAD. */
void wk_core_begin_unload(wk_core *core);

/* Fills WK_GLOBAL_COUNTERS. Takes the flow lock. */
void wk_core_global_counters(wk_core *core, WK_GLOBAL_COUNTERS *g);

/* Bytes the tables take per flow of capacity (entry + index share), and in total. */
size_t wk_core_bytes_per_flow(const wk_core *core);
size_t wk_core_memory_bytes(const wk_core_config *cfg);

#endif /* WK_CORE_CORE_H */
