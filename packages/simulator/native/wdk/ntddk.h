/* ntddk.h - libwfpsim's minimal WDK-compatible ntddk.h: everything the glue needs is in wdm.h. */
#ifndef WFPSIM_WDK_NTDDK_H
#define WFPSIM_WDK_NTDDK_H
#include "wdm.h"
#endif
