/*
 * ws_bfe_engine.c - the engine: one mutex, the handle table, sessions and
 * transactions.
 *
 * Handles: values handed out are opaque numbers from a counter that never
 * repeats; they are looked up in a table and never dereferenced, so a closed,
 * foreign or made-up handle yields ERROR_INVALID_HANDLE instead of a crash.
 *
 * Transactions (isolation model): a transaction opened with
 * FwpmTransactionBegin0 holds the engine exclusively, like the BFE's
 * engine-wide writer lock. While it is open, every call from another session
 * (reads included) waits up to that session's txnWaitTimeoutInMSec
 * (0 = do not wait, INFINITE = forever) and then fails with FWP_E_TIMEOUT. So a
 * session never sees another session's uncommitted changes: serializable.
 * A change made outside an explicit transaction is its own transaction and is
 * committed (and persisted) before the call returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws_internal.h"

ws_engine g_ws = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .cv = PTHREAD_COND_INITIALIZER,
    .next_session_id = 1,
    .next_callout_id = 0x100,
    .next_filter_id = 0x10000,
    .next_handle = 0x5EED0000,
};

void ws_engine_lock(void)
{
    pthread_mutex_lock(&g_ws.mu);
}

void ws_engine_unlock(void)
{
    pthread_mutex_unlock(&g_ws.mu);
}

uintptr_t ws_handle_add(int type, void *ptr)
{
    ws_handle_entry *e = malloc(sizeof *e);
    if (!e)
        return 0;
    g_ws.next_handle += 0x10;
    e->value = g_ws.next_handle;
    e->type = type;
    e->ptr = ptr;
    if (ws_vec_push(&g_ws.handles, e) != 0) {
        free(e);
        return 0;
    }
    return e->value;
}

void *ws_handle_get(uintptr_t value, int type)
{
    for (size_t i = 0; i < g_ws.handles.len; i++) {
        ws_handle_entry *e = g_ws.handles.items[i];
        if (e->value == value)
            return e->type == type ? e->ptr : NULL;
    }
    return NULL;
}

void ws_handle_remove(uintptr_t value)
{
    for (size_t i = 0; i < g_ws.handles.len; i++) {
        ws_handle_entry *e = g_ws.handles.items[i];
        if (e->value == value) {
            free(e);
            ws_vec_remove_at(&g_ws.handles, i);
            return;
        }
    }
}

static void free_enum(ws_enum *en)
{
    free(en->keys);
    free(en);
}

/* Drops the enum handles a session created. */
static void drop_session_enums(uint64_t session_id)
{
    for (size_t i = g_ws.handles.len; i-- > 0;) {
        ws_handle_entry *e = g_ws.handles.items[i];
        if (e->type == WS_H_ENUM && ((ws_enum *)e->ptr)->session_id == session_id) {
            free_enum(e->ptr);
            free(e);
            ws_vec_remove_at(&g_ws.handles, i);
        }
    }
}

static int wait_for_txn(ws_session *s)
{
    if (!g_ws.txn_owner || g_ws.txn_owner == s)
        return 0;
    if (s->txn_timeout_ms == 0)
        return -1;
    if (s->txn_timeout_ms == WS_INFINITE) {
        while (g_ws.txn_owner && g_ws.txn_owner != s)
            pthread_cond_wait(&g_ws.cv, &g_ws.mu);
        return 0;
    }
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += s->txn_timeout_ms / 1000;
    dl.tv_nsec += (long)(s->txn_timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    while (g_ws.txn_owner && g_ws.txn_owner != s) {
        if (pthread_cond_timedwait(&g_ws.cv, &g_ws.mu, &dl) == ETIMEDOUT)
            return (g_ws.txn_owner && g_ws.txn_owner != s) ? -1 : 0;
    }
    return 0;
}

uint32_t ws_enter(WS_HANDLE engineHandle, ws_session **out)
{
    pthread_mutex_lock(&g_ws.mu);
    ws_session *s = ws_handle_get((uintptr_t)engineHandle, WS_H_ENGINE);
    if (!s) {
        pthread_mutex_unlock(&g_ws.mu);
        return WS_ERROR_INVALID_HANDLE;
    }
    uint64_t id = s->id;
    uintptr_t h = s->handle;
    if (wait_for_txn(s) != 0) {
        pthread_mutex_unlock(&g_ws.mu);
        return WS_FWP_E_TIMEOUT;
    }
    /* the session may have been closed by another thread while we waited */
    s = ws_handle_get(h, WS_H_ENGINE);
    if (!s || s->id != id) {
        pthread_mutex_unlock(&g_ws.mu);
        return WS_ERROR_INVALID_HANDLE;
    }
    *out = s;
    return 0;
}

void ws_leave(void)
{
    pthread_mutex_unlock(&g_ws.mu);
}

uint32_t ws_check_writable(ws_session *s)
{
    return (s->in_txn && s->txn_read_only) ? WS_FWP_E_INCOMPATIBLE_TXN : 0;
}

uint32_t ws_finish_change(ws_session *s, uint32_t rc)
{
    if (s->in_txn) {
        /* inside an explicit transaction a failed call undoes only its own
         * changes; ws_obj_* functions validate fully before they change the
         * store, so there is nothing to undo here */
        return rc;
    }
    if (rc) {
        ws_session_rollback(s);
        return rc;
    }
    return ws_session_commit(s);
}

/* ---- open / close ----------------------------------------------------- */

uint32_t FwpmEngineOpen0(const WS_WCHAR *serverName, uint32_t authnService, void *authIdentity,
                         const WS_FWPM_SESSION0 *session, WS_HANDLE *engineHandle)
{
    (void)authIdentity;
    if (!engineHandle)
        return WS_ERROR_INVALID_PARAMETER;
    if (serverName && serverName[0])
        return WS_ERROR_NOT_SUPPORTED; /* remote engines are not modelled */
    if (authnService != WS_RPC_C_AUTHN_WINNT && authnService != WS_RPC_C_AUTHN_DEFAULT)
        return WS_RPC_S_UNKNOWN_AUTHN_SERVICE;
    if (session && (session->flags & ~(WS_FWPM_SESSION_FLAG_DYNAMIC | WS_FWPM_SESSION_FLAG_RESERVED)))
        return WS_FWP_E_INVALID_FLAGS;

    pthread_mutex_lock(&g_ws.mu);
    uint32_t rc = 0;
    if (!g_ws.loaded) {
        ws_store_init_builtins();
        rc = ws_state_load();
        if (rc) {
            ws_store_drop_all();
            pthread_mutex_unlock(&g_ws.mu);
            return rc;
        }
        g_ws.loaded = 1;
    }
    ws_session *s = calloc(1, sizeof *s);
    if (!s) {
        pthread_mutex_unlock(&g_ws.mu);
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    s->id = g_ws.next_session_id++;
    s->dynamic = session && (session->flags & WS_FWPM_SESSION_FLAG_DYNAMIC);
    s->txn_timeout_ms = session ? session->txnWaitTimeoutInMSec : 0;
    if (session && !ws_guid_is_zero(&session->sessionKey))
        s->key = session->sessionKey;
    else
        ws_guid_random(&s->key);
    s->handle = ws_handle_add(WS_H_ENGINE, s);
    if (!s->handle) {
        free(s);
        pthread_mutex_unlock(&g_ws.mu);
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    *engineHandle = (WS_HANDLE)s->handle;
    pthread_mutex_unlock(&g_ws.mu);
    return 0;
}

/* Ends a session (lock held): aborts its transaction, deletes its dynamic
 * objects, drops its enum handles and its engine handle. */
static void end_session(ws_session *s)
{
    if (s->in_txn || s->undo_len)
        ws_session_rollback(s);
    if (g_ws.txn_owner == s) {
        g_ws.txn_owner = NULL;
        pthread_cond_broadcast(&g_ws.cv);
    }
    ws_session_drop_dynamic(s);
    drop_session_enums(s->id);
    ws_handle_remove(s->handle);
    ws_session_free_undo(s);
    free(s);
}

static uint32_t close_handle(WS_HANDLE engineHandle)
{
    pthread_mutex_lock(&g_ws.mu);
    ws_session *s = ws_handle_get((uintptr_t)engineHandle, WS_H_ENGINE);
    if (!s) {
        pthread_mutex_unlock(&g_ws.mu);
        return WS_ERROR_INVALID_HANDLE;
    }
    end_session(s);
    pthread_mutex_unlock(&g_ws.mu);
    return 0;
}

uint32_t FwpmEngineClose0(WS_HANDLE engineHandle)
{
    return close_handle(engineHandle);
}

uint32_t WfpsimAbandonSession(WS_HANDLE engineHandle)
{
    return close_handle(engineHandle);
}

uint32_t WfpsimSessionCount(void)
{
    pthread_mutex_lock(&g_ws.mu);
    uint32_t n = 0;
    for (size_t i = 0; i < g_ws.handles.len; i++)
        if (((ws_handle_entry *)g_ws.handles.items[i])->type == WS_H_ENGINE)
            n++;
    pthread_mutex_unlock(&g_ws.mu);
    return n;
}

/* ---- transactions ------------------------------------------------------ */

uint32_t FwpmTransactionBegin0(WS_HANDLE engineHandle, uint32_t flags)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (flags & ~WS_FWPM_TXN_READ_ONLY)
        rc = WS_FWP_E_INVALID_FLAGS;
    else if (s->in_txn)
        rc = WS_FWP_E_TXN_IN_PROGRESS;
    else {
        s->in_txn = 1;
        s->txn_read_only = (flags & WS_FWPM_TXN_READ_ONLY) != 0;
        g_ws.txn_owner = s;
    }
    ws_leave();
    return rc;
}

static void end_txn(ws_session *s)
{
    s->in_txn = 0;
    s->txn_read_only = 0;
    if (g_ws.txn_owner == s) {
        g_ws.txn_owner = NULL;
        pthread_cond_broadcast(&g_ws.cv);
    }
}

uint32_t FwpmTransactionCommit0(WS_HANDLE engineHandle)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!s->in_txn) {
        ws_leave();
        return WS_FWP_E_NO_TXN_IN_PROGRESS;
    }
    rc = ws_session_commit(s); /* on a persistence failure it rolls back */
    end_txn(s);
    ws_leave();
    return rc;
}

uint32_t FwpmTransactionAbort0(WS_HANDLE engineHandle)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!s->in_txn) {
        ws_leave();
        return WS_FWP_E_NO_TXN_IN_PROGRESS;
    }
    ws_session_rollback(s);
    end_txn(s);
    ws_leave();
    return 0;
}

/* ---- simulator control ------------------------------------------------- */

static void reset_locked(void)
{
    while (g_ws.handles.len) {
        ws_handle_entry *e = g_ws.handles.items[g_ws.handles.len - 1];
        if (e->type == WS_H_ENGINE) {
            ws_session *s = e->ptr;
            /* a restart loses in-flight work: undo without persisting */
            ws_session_rollback(s);
            ws_handle_remove(s->handle);
            ws_session_free_undo(s);
            free(s);
        } else {
            free_enum(e->ptr);
            free(e);
            ws_vec_remove_at(&g_ws.handles, g_ws.handles.len - 1);
        }
    }
    ws_vec_free(&g_ws.handles);
    g_ws.txn_owner = NULL;
    pthread_cond_broadcast(&g_ws.cv);
    ws_store_drop_all();
    g_ws.loaded = 0;
    g_ws.next_callout_id = 0x100;
    ws_callout_ids_after_reset();
    g_ws.next_filter_id = 0x10000;
    g_ws.generation++;
}

void WfpsimReset(void)
{
    pthread_mutex_lock(&g_ws.mu);
    reset_locked();
    pthread_mutex_unlock(&g_ws.mu);
}

uint32_t WfpsimSetStateFile(const char *path)
{
    char *copy = NULL;
    if (path) {
        copy = strdup(path);
        if (!copy)
            return WS_ERROR_NOT_ENOUGH_MEMORY;
    }
    pthread_mutex_lock(&g_ws.mu);
    for (size_t i = 0; i < g_ws.handles.len; i++) {
        if (((ws_handle_entry *)g_ws.handles.items[i])->type == WS_H_ENGINE) {
            pthread_mutex_unlock(&g_ws.mu);
            free(copy);
            return WS_ERROR_BUSY;
        }
    }
    reset_locked();
    free(g_ws.state_path);
    g_ws.state_path = copy;
    g_ws.state_path_set = 1;
    pthread_mutex_unlock(&g_ws.mu);
    return 0;
}
