/*
 * contract.h - the one place src/core includes the generated contract header
 * (packages/driver/include/wfpkit_ioctl.h), so the include path is set in one spot.
 */
#ifndef WK_CORE_CONTRACT_H
#define WK_CORE_CONTRACT_H

#include "wfpkit_ioctl.h"

#endif /* WK_CORE_CONTRACT_H */
