/*
 * ws_k_lifecycle.c - the discrete-event queue of the packet-lifecycle model: events of tagged
 * NBLs (clone, exit, send complete, consumed, drop) kept in a binary heap by virtual time,
 * delivered in time order (ties in the order they were queued) with the virtual clock set to
 * each event's time; plus the run's seeded draws (latencies, loss) and its scripted drops and
 * duplicates.
 *
 * What happens at each event is classify_traffic.c's (the handler). The queue belongs to the
 * run in progress (classify_traffic.c serializes runs), so it needs no lock of its own, and the
 * handler is called with no lock held (it calls NBL notify functions).
 *
 * Modelled, not measured: the delays are log-normal (sigma 0.5) around medians that default to
 * 20 us (classify -> EXIT_NETIO, and classify -> a drop inside the stack), 50 us (EXIT_NETIO ->
 * NDIS_SEND_COMPLETE) and 30 us (inbound classify -> consumed). They are plausible figures for a
 * wired NIC on an idle machine, not measurements; nothing on Windows documents them.
 */
#include <stddef.h>
#include <stdlib.h>

#include "ws_k_internal.h"

_Static_assert(offsetof(wfpsim_lifecycle_options, duplicate_frames) == WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE,
               "the first version of wfpsim_lifecycle_options ends at deliver_us");

#define UNIX_TO_FILETIME 116444736000000000ULL
#define DEFAULT_STACK_US 20u
#define DEFAULT_SEND_COMPLETE_US 50u
#define DEFAULT_DELIVER_US 30u
#define SIGMA 0.5

typedef struct lc_event {
    uint64_t time;
    uint64_t seq;
    void *packet;
    ws_k_lc_kind kind;
} lc_event;

static struct {
    lc_event *heap;
    size_t n, cap;
    uint64_t seq;
    uint64_t rng;
    double loss_rate;
    uint32_t medians_us[3];
    uint64_t *drops; /* sorted */
    size_t ndrops;
    uint64_t *dups; /* sorted */
    size_t ndups;
    int clones;
    ws_k_lc_handler handler;
} g_lc;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double ws_k_lc_uniform(void)
{
    return (double)(splitmix(&g_lc.rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* exp(x) for |x| <= 4 without libm: Taylor series of exp(x / 16), squared four times */
static double exp_small(double x)
{
    double y = x / 16.0, term = 1.0, sum = 1.0;
    for (int k = 1; k < 12; k++) {
        term *= y / k;
        sum += term;
    }
    for (int i = 0; i < 4; i++)
        sum *= sum;
    return sum;
}

uint64_t ws_k_lc_delay(int which)
{
    /* modelled: log-normal, exp(sigma * z) with z ~ N(0, 1) approximated by the sum of twelve
     * uniforms minus 6 (Irwin-Hall: mean 0, variance 1, bounded to +-6) */
    double z = -6.0;
    for (int i = 0; i < 12; i++)
        z += ws_k_lc_uniform();
    double us = g_lc.medians_us[which < 0 || which > 2 ? 0 : which] * exp_small(SIGMA * z);
    uint64_t t = (uint64_t)(us * 10.0 + 0.5); /* 100 ns units */
    return t ? t : 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A sorted copy of a 1-based frame list: 0, or -1 (a frame 0, NULL with a count, no memory). */
static int frame_list(const uint64_t *frames, uint32_t count, uint64_t **out, size_t *n)
{
    if (count && !frames)
        return -1;
    for (uint32_t i = 0; i < count; i++)
        if (frames[i] == 0)
            return -1; /* frame numbers are 1-based */
    if (!count)
        return 0;
    *out = malloc(count * sizeof **out);
    if (!*out)
        return -1;
    memcpy(*out, frames, count * sizeof **out);
    qsort(*out, count, sizeof **out, cmp_u64);
    *n = count;
    return 0;
}

int ws_k_lc_begin(const wfpsim_lifecycle_options *o, ws_k_lc_handler handler)
{
    ws_k_lc_end();
    wfpsim_lifecycle_options d;
    memset(&d, 0, sizeof d);
    if (o) {
        /* callers built against the first version (without duplicate_frames) are accepted */
        if (o->struct_size < WFPSIM_LIFECYCLE_OPTIONS_V1_SIZE)
            return -1;
        memcpy(&d, o, o->struct_size < sizeof d ? o->struct_size : sizeof d);
    }
    if (!(d.loss_rate >= 0.0 && d.loss_rate <= 1.0) || (d.flags & ~WFPSIM_LC_NO_SEGMENTATION_CLONES) || d.reserved)
        return -1;
    if (frame_list(d.drop_frames, d.drop_frame_count, &g_lc.drops, &g_lc.ndrops) != 0 ||
        frame_list(d.duplicate_frames, d.duplicate_frame_count, &g_lc.dups, &g_lc.ndups) != 0) {
        ws_k_lc_end();
        return -1;
    }
    g_lc.rng = (d.seed ? d.seed : 1) ^ 0x6c69666563796331ULL; /* "lifecyc1" */
    g_lc.loss_rate = d.loss_rate;
    g_lc.medians_us[0] = d.stack_us ? d.stack_us : DEFAULT_STACK_US;
    g_lc.medians_us[1] = d.send_complete_us ? d.send_complete_us : DEFAULT_SEND_COMPLETE_US;
    g_lc.medians_us[2] = d.deliver_us ? d.deliver_us : DEFAULT_DELIVER_US;
    g_lc.clones = !(d.flags & WFPSIM_LC_NO_SEGMENTATION_CLONES);
    g_lc.handler = handler;
    g_lc.seq = 0;
    return 0;
}

static int in_list(const uint64_t *list, size_t n, uint64_t frame)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (list[mid] < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && list[lo] == frame;
}

int ws_k_lc_drop_frame(uint64_t frame)
{
    return in_list(g_lc.drops, g_lc.ndrops, frame);
}

int ws_k_lc_duplicate_frame(uint64_t frame)
{
    return in_list(g_lc.dups, g_lc.ndups, frame);
}

int ws_k_lc_segmentation_clones(void)
{
    return g_lc.clones;
}

double ws_k_lc_loss_rate(void)
{
    return g_lc.loss_rate;
}

static int before(const lc_event *a, const lc_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

int ws_k_lc_schedule(uint64_t time, ws_k_lc_kind kind, void *packet)
{
    if (g_lc.n == g_lc.cap) {
        size_t cap = g_lc.cap ? 2 * g_lc.cap : 256;
        lc_event *h = realloc(g_lc.heap, cap * sizeof *h);
        if (!h)
            return -1;
        g_lc.heap = h;
        g_lc.cap = cap;
    }
    size_t i = g_lc.n++;
    lc_event e = { time, g_lc.seq++, packet, kind };
    while (i) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &g_lc.heap[p]))
            break;
        g_lc.heap[i] = g_lc.heap[p];
        i = p;
    }
    g_lc.heap[i] = e;
    return 0;
}

static lc_event pop(void)
{
    lc_event top = g_lc.heap[0], last = g_lc.heap[--g_lc.n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= g_lc.n)
            break;
        if (c + 1 < g_lc.n && before(&g_lc.heap[c + 1], &g_lc.heap[c]))
            c++;
        if (!before(&g_lc.heap[c], &last))
            break;
        g_lc.heap[i] = g_lc.heap[c];
        i = c;
    }
    if (g_lc.n)
        g_lc.heap[i] = last;
    return top;
}

static void deliver_until(uint64_t time, int all)
{
    while (g_lc.n && (all || g_lc.heap[0].time <= time)) {
        lc_event e = pop();
        WfpsimClockSetVirtual(e.time + UNIX_TO_FILETIME);
        if (g_lc.handler)
            g_lc.handler(e.kind, e.packet, e.time);
    }
}

void ws_k_lc_advance(uint64_t time)
{
    deliver_until(time, 0);
}

void ws_k_lc_flush(void)
{
    deliver_until(0, 1);
}

size_t ws_k_lc_pending(void)
{
    return g_lc.n;
}

void ws_k_lc_end(void)
{
    free(g_lc.heap);
    free(g_lc.drops);
    free(g_lc.dups);
    memset(&g_lc, 0, sizeof g_lc);
}
