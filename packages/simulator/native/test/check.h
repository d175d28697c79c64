/*
 * check.h - the C tests' one-line assertion: CHECK(cond) counts a pass or prints the failed
 * condition with its place and counts a failure; a test's main ends by printing
 * "<passed> passed, <failed> failed". Included once per test program.
 */
#ifndef WFPSIM_TEST_CHECK_H
#define WFPSIM_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond)                                                                    \
            passed++;                                                                \
        else {                                                                       \
            failed++;                                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
        }                                                                            \
    } while (0)

#endif
