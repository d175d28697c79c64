/*
 * ws_mem.c - blocks handed to callers and FwpmFreeMemory0.
 *
 * Every block returned by a Get/Enum/GetAppId call is registered here, so
 * FwpmFreeMemory0 frees only pointers the library handed out: an unknown or
 * already freed pointer is ignored instead of corrupting the heap (Windows would
 * crash; a simulator used by tests should not). It has its own mutex because it
 * is called without the engine lock.
 */
#include <pthread.h>
#include <stdlib.h>

#include "ws_internal.h"

static pthread_mutex_t g_mem_mu = PTHREAD_MUTEX_INITIALIZER;
static ws_vec g_mem;

int ws_vec_push(ws_vec *v, void *p)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void **n = realloc(v->items, cap * sizeof *n);
        if (!n)
            return -1;
        v->items = n;
        v->cap = cap;
    }
    v->items[v->len++] = p;
    return 0;
}

int ws_vec_insert_at(ws_vec *v, size_t i, void *p)
{
    if (ws_vec_push(v, p) != 0)
        return -1;
    for (size_t j = v->len - 1; j > i; j--)
        v->items[j] = v->items[j - 1];
    v->items[i] = p;
    return 0;
}

void ws_vec_remove_at(ws_vec *v, size_t i)
{
    for (size_t j = i + 1; j < v->len; j++)
        v->items[j - 1] = v->items[j];
    v->len--;
}

void ws_vec_free(ws_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

void ws_mem_track(void *p)
{
    pthread_mutex_lock(&g_mem_mu);
    if (ws_vec_push(&g_mem, p) != 0) {
        /* cannot track: the caller still gets valid memory, it simply leaks */
    }
    pthread_mutex_unlock(&g_mem_mu);
}

void *ws_mem_alloc_tracked(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p)
        ws_mem_track(p);
    return p;
}

void FwpmFreeMemory0(void **p)
{
    if (!p || !*p)
        return;
    void *block = *p;
    int found = 0;
    pthread_mutex_lock(&g_mem_mu);
    for (size_t i = g_mem.len; i-- > 0;) {
        if (g_mem.items[i] == block) {
            g_mem.items[i] = g_mem.items[g_mem.len - 1];
            g_mem.len--;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&g_mem_mu);
    if (found)
        free(block);
    *p = NULL;
}

uint32_t WfpsimOutstandingAllocations(void)
{
    pthread_mutex_lock(&g_mem_mu);
    uint32_t n = (uint32_t)g_mem.len;
    pthread_mutex_unlock(&g_mem_mu);
    return n;
}

/* Blocks already given to callers stay valid across WfpsimReset(): nothing to do. */
void ws_mem_reset(void)
{
}
