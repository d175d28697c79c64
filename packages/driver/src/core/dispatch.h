/*
 * dispatch.h - the IOCTL dispatcher (prefix wk_dispatch_).
 *
 * The glue hands every IRP_MJ_DEVICE_CONTROL to wk_dispatch_ioctl with the handle's
 * session slot and the buffers it was given:
 *   METHOD_BUFFERED: in and out are both the SystemBuffer (the same memory!); the
 *     dispatcher copies the whole input before it writes any output.
 *   METHOD_OUT_DIRECT (READ_EVENTS, LIST_FLOWS): in is the SystemBuffer, out the MDL's
 *     system address (NULL if there is no MDL), outLen the MDL's byte count.
 * Neither buffer needs any alignment: fields are read and written with memcpy.
 *
 * For every IOCTL it checks, in this order: the code (unknown ->
 * INVALID_DEVICE_REQUEST), the exact input length (INFO_LENGTH_MISMATCH), the output
 * length against the contract minimum (BUFFER_TOO_SMALL), structSize
 * (REVISION_MISMATCH), the session state (INVALID_DEVICE_STATE), every field
 * (INVALID_PARAMETER). On success io->info is IoStatus.Information (bytes written).
 *
 * READ_EVENTS with an empty ring, timeoutMs != 0 and a RUNNING session returns
 * WK_STATUS_PENDING: the glue must queue the IRP (cancel-safe), arm a timer for
 * io->pendTimeoutMs (WK_WAIT_FOREVER: none), and complete it later with
 * wk_session_complete_read — or wk_session_read_cancelled if it could not queue it.
 * A second READ_EVENTS while one is pended gets DEVICE_BUSY.
 *
 * IRQL: PASSIVE_LEVEL (it allocates ring memory for SET_CONFIG / START).
 */
#ifndef WK_CORE_DISPATCH_H
#define WK_CORE_DISPATCH_H

#include <stdint.h>

#include "status.h"

struct wk_core;

typedef struct wk_dispatch_io {
    const void *in;         /* input buffer, NULL when inLen is 0 */
    void *out;              /* output buffer, NULL when outLen is 0 */
    uint32_t inLen;
    uint32_t outLen;
    uint32_t info;          /* out: bytes written to out */
    uint32_t pendTimeoutMs; /* out: with WK_STATUS_PENDING, the read's timeoutMs */
} wk_dispatch_io;

wk_status wk_dispatch_ioctl(struct wk_core *core, uint32_t slot, uint32_t code,
                            wk_dispatch_io *io);

#endif /* WK_CORE_DISPATCH_H */
