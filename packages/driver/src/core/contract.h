/*
 * contract.h - the one place src/core includes the generated contract header.
 *
 * wfpkit_ioctl.h pins its layout with _Static_assert, a C11 keyword. Under -std=c99
 * -pedantic, clang (always) and GCC (with -ffreestanding) report it, and -Werror makes
 * that an error. The asserts are wanted, so only that diagnostic is silenced, only
 * around the include.
 */
#ifndef WK_CORE_CONTRACT_H
#define WK_CORE_CONTRACT_H

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc11-extensions"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#endif
#include "wfpkit_ioctl.h"
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif /* WK_CORE_CONTRACT_H */
