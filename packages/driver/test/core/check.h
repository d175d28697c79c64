/*
 * check.h - the assert-style harness of the core C tests: checks count passes and
 * failures, a failure prints where and why, and the program ends with the line
 * "N passed, M failed" (the Jest driver looks for it) and exits 1 if M > 0.
 */
#ifndef WK_TEST_CHECK_H
#define WK_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned long g_passed;
static unsigned long g_failed;
static const char *g_case = "";

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            g_passed++;                                                                \
        } else {                                                                       \
            g_failed++;                                                                \
            fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__,      \
                    g_case, #cond);                                                    \
        }                                                                              \
    } while (0)

#define CHECK_EQ(a, b)                                                                 \
    do {                                                                               \
        unsigned long long va_ = (unsigned long long)(a);                              \
        unsigned long long vb_ = (unsigned long long)(b);                              \
        if (va_ == vb_) {                                                              \
            g_passed++;                                                                \
        } else {                                                                       \
            g_failed++;                                                                \
            fprintf(stderr, "%s:%d: [%s] %s == %s failed: %llu != %llu\n", __FILE__,   \
                    __LINE__, g_case, #a, #b, va_, vb_);                               \
        }                                                                              \
    } while (0)

/* Bytes equal a C string (no terminator compared). */
#define CHECK_BYTES(p, len, str)                                                       \
    do {                                                                               \
        size_t ls_ = strlen(str);                                                      \
        if ((size_t)(len) == ls_ && (ls_ == 0 || memcmp((p), (str), ls_) == 0)) {      \
            g_passed++;                                                                \
        } else {                                                                       \
            g_failed++;                                                                \
            fprintf(stderr, "%s:%d: [%s] %s != \"%s\" (length %lu)\n", __FILE__,       \
                    __LINE__, g_case, #p, (str), (unsigned long)(len));                \
        }                                                                              \
    } while (0)

static int check_report(void)
{
    printf("%lu passed, %lu failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}

/* xorshift64*: a fixed seed gives the same schedule on every machine. */
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;

static void rng_seed(uint64_t seed)
{
    g_rng = seed != 0 ? seed : 1;
}

static uint64_t rng_next(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi]. */
static uint32_t rng_range(uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rng_next() % ((uint64_t)hi - lo + 1u));
}

#endif /* WK_TEST_CHECK_H */
