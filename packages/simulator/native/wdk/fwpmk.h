/* fwpmk.h - libwfpsim's minimal WDK-compatible fwpmk.h. The glue uses no kernel-mode
 * management (Fwpm*) call; this header exists so `#include <fwpmk.h>` compiles. */
#ifndef WFPSIM_WDK_FWPMK_H
#define WFPSIM_WDK_FWPMK_H
#include "fwpsk.h"
#endif
