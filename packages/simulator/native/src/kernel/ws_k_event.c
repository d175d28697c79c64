/*
 * ws_k_event.c - kernel32 event objects for overlapped I/O: CreateEventW, SetEvent, ResetEvent,
 * WaitForSingleObject, and the event side of CloseHandle. Events share the handle value space of
 * the file handles in ws_k_io.c (ws_k_handle_value_next).
 *
 * An event object lives while its handle is open or an overlapped IRP refers to it (the I/O
 * manager references the event when the request is issued), so closing the handle while a
 * request is pending is harmless, as on Windows.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "ws_k_internal.h"

struct ws_k_event {
    uint64_t value;
    int manual_reset;
    int signaled;
    int closed;          /* CloseHandle done: the handle value no longer names it */
    int refs;            /* the open handle + pending IRPs */
    struct ws_k_event *next;
};

static pthread_mutex_t g_ev = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_ev_cond; /* CLOCK_MONOTONIC, made once */
static pthread_once_t g_ev_once = PTHREAD_ONCE_INIT;
static ws_k_event *g_events;

static void ev_init(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&g_ev_cond, &a);
    pthread_condattr_destroy(&a);
}

/* g_ev held */
static ws_k_event *ev_find(void *handle)
{
    for (ws_k_event *e = g_events; e; e = e->next)
        if (!e->closed && e->value == (uint64_t)(uintptr_t)handle)
            return e;
    return NULL;
}

/* g_ev held */
static void ev_unref_locked(ws_k_event *e)
{
    if (--e->refs > 0)
        return;
    for (ws_k_event **pp = &g_events; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    free(e);
}

void *CreateEventW(void *lpEventAttributes, WS_BOOL bManualReset, WS_BOOL bInitialState, const uint16_t *lpName)
{
    (void)lpEventAttributes;
    pthread_once(&g_ev_once, ev_init);
    if (lpName) {
        /* modelled: named (shared) events are not supported */
        ws_k_set_last_error(50); /* ERROR_NOT_SUPPORTED */
        return NULL;
    }
    ws_k_event *e = calloc(1, sizeof *e);
    if (!e) {
        ws_k_set_last_error(8); /* ERROR_NOT_ENOUGH_MEMORY */
        return NULL;               /* CreateEventW fails with NULL, not INVALID_HANDLE_VALUE */
    }
    e->manual_reset = bManualReset != 0;
    e->signaled = bInitialState != 0;
    e->refs = 1;
    e->value = ws_k_handle_value_next();
    pthread_mutex_lock(&g_ev);
    e->next = g_events;
    g_events = e;
    pthread_mutex_unlock(&g_ev);
    ws_k_set_last_error(0);
    return (void *)(uintptr_t)e->value;
}

static WS_BOOL ev_set_state(void *hEvent, int signaled)
{
    pthread_once(&g_ev_once, ev_init);
    pthread_mutex_lock(&g_ev);
    ws_k_event *e = ev_find(hEvent);
    if (!e) {
        pthread_mutex_unlock(&g_ev);
        ws_k_set_last_error(6); /* ERROR_INVALID_HANDLE */
        return 0;
    }
    e->signaled = signaled;
    if (signaled)
        pthread_cond_broadcast(&g_ev_cond);
    pthread_mutex_unlock(&g_ev);
    return 1;
}

WS_BOOL SetEvent(void *hEvent)
{
    return ev_set_state(hEvent, 1);
}

WS_BOOL ResetEvent(void *hEvent)
{
    return ev_set_state(hEvent, 0);
}

#define WS_WAIT_OBJECT_0 0x00000000u
#define WS_WAIT_TIMEOUT 0x00000102u
#define WS_WAIT_FAILED 0xFFFFFFFFu
#define WS_INFINITE 0xFFFFFFFFu

uint32_t WaitForSingleObject(void *hHandle, uint32_t dwMilliseconds)
{
    pthread_once(&g_ev_once, ev_init);
    pthread_mutex_lock(&g_ev);
    ws_k_event *e = ev_find(hHandle);
    if (!e) {
        pthread_mutex_unlock(&g_ev);
        /* modelled: only event handles can be waited on (not file, thread or process handles) */
        ws_k_set_last_error(6);
        return WS_WAIT_FAILED;
    }
    e->refs++; /* CloseHandle during the wait must not free it under us */
    struct timespec deadline;
    if (dwMilliseconds != WS_INFINITE) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += dwMilliseconds / 1000;
        deadline.tv_nsec += (long)(dwMilliseconds % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    uint32_t result = WS_WAIT_OBJECT_0;
    while (!e->signaled) {
        if (dwMilliseconds == 0) {
            result = WS_WAIT_TIMEOUT;
            break;
        }
        if (dwMilliseconds == WS_INFINITE) {
            pthread_cond_wait(&g_ev_cond, &g_ev);
        } else if (pthread_cond_timedwait(&g_ev_cond, &g_ev, &deadline) == ETIMEDOUT && !e->signaled) {
            result = WS_WAIT_TIMEOUT;
            break;
        }
    }
    if (result == WS_WAIT_OBJECT_0 && !e->manual_reset)
        e->signaled = 0; /* an auto-reset event releases one waiter */
    ev_unref_locked(e);
    pthread_mutex_unlock(&g_ev);
    return result;
}

int ws_k_event_close(void *handle)
{
    pthread_once(&g_ev_once, ev_init);
    pthread_mutex_lock(&g_ev);
    ws_k_event *e = ev_find(handle);
    if (e) {
        e->closed = 1;
        ev_unref_locked(e);
    }
    pthread_mutex_unlock(&g_ev);
    return e != NULL;
}

ws_k_event *ws_k_event_ref(void *handle)
{
    pthread_once(&g_ev_once, ev_init);
    pthread_mutex_lock(&g_ev);
    ws_k_event *e = ev_find(handle);
    if (e)
        e->refs++;
    pthread_mutex_unlock(&g_ev);
    return e;
}

void ws_k_event_signal(ws_k_event *e, int signaled)
{
    pthread_mutex_lock(&g_ev);
    e->signaled = signaled;
    if (signaled)
        pthread_cond_broadcast(&g_ev_cond);
    pthread_mutex_unlock(&g_ev);
}

void ws_k_event_unref(ws_k_event *e)
{
    pthread_mutex_lock(&g_ev);
    ev_unref_locked(e);
    pthread_mutex_unlock(&g_ev);
}

size_t ws_k_event_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&g_ev);
    for (ws_k_event *e = g_events; e; e = e->next)
        n++;
    pthread_mutex_unlock(&g_ev);
    return n;
}
