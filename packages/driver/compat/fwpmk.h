/*
 * fwpmk.h (compat) - the kernel-mode management API header. The glue uses nothing from
 * it (filters are added from user mode by @wfpkit/fwpm-bindings); it exists so the glue
 * includes the same headers in the WDK, MinGW and simulator builds.
 */
#ifndef WK_COMPAT_FWPMK_H
#define WK_COMPAT_FWPMK_H
#include "fwpsk.h"
#endif
