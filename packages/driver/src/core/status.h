/*
 * status.h - the NTSTATUS values the core returns (prefix WK_STATUS_).
 *
 * The core includes no OS header, so it carries the numbers itself; they are the values
 * of ntstatus.h, and the contract (wfpkit_ioctl.h, end) says what user mode sees for
 * each. The glue returns them unchanged as NTSTATUS; WK_STATUS_PENDING is the one
 * value the glue acts on: "queue this READ_EVENTS IRP".
 */
#ifndef WK_CORE_STATUS_H
#define WK_CORE_STATUS_H

#include <stdint.h>

typedef uint32_t wk_status;

#define WK_STATUS_SUCCESS 0x00000000u
#define WK_STATUS_PENDING 0x00000103u
#define WK_STATUS_DEVICE_BUSY 0x80000011u
#define WK_STATUS_INFO_LENGTH_MISMATCH 0xC0000004u
#define WK_STATUS_INVALID_PARAMETER 0xC000000Du
#define WK_STATUS_INVALID_DEVICE_REQUEST 0xC0000010u
#define WK_STATUS_BUFFER_TOO_SMALL 0xC0000023u
#define WK_STATUS_REVISION_MISMATCH 0xC0000059u
#define WK_STATUS_INSUFFICIENT_RESOURCES 0xC000009Au
#define WK_STATUS_CANCELLED 0xC0000120u
#define WK_STATUS_INVALID_DEVICE_STATE 0xC0000184u

#endif /* WK_CORE_STATUS_H */
