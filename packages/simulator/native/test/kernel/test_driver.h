/* test_driver.h - the kernel-model test driver's contract (IOCTLs, GUIDs, counters). */
#ifndef WFPSIM_TEST_DRIVER_H
#define WFPSIM_TEST_DRIVER_H

#include <stdint.h>

#define TD_DEVICE_TYPE 0x22u /* FILE_DEVICE_UNKNOWN */
#define TD_CTL(fn, method, access) ((TD_DEVICE_TYPE << 16) | ((access) << 14) | ((fn) << 2) | (method))
#define TD_IOCTL_ECHO TD_CTL(0x800u, 0u, 0u)          /* METHOD_BUFFERED: out = reversed in */
#define TD_IOCTL_FILL_DIRECT TD_CTL(0x801u, 2u, 0u)   /* METHOD_OUT_DIRECT: out[i] = in[0] + i */
#define TD_IOCTL_READ TD_CTL(0x802u, 0u, 1u)          /* pends until a timer DPC or cancel */
#define TD_IOCTL_ARM_TIMER TD_CTL(0x803u, 0u, 0u)     /* in: uint32 ms; completes one READ then */
#define TD_IOCTL_STATS TD_CTL(0x804u, 0u, 0u)         /* out: td_stats */
#define TD_IOCTL_WRITE_ONLY TD_CTL(0x805u, 0u, 2u)    /* needs FILE_WRITE_ACCESS */
#define TD_IOCTL_SET_TERM TD_CTL(0x806u, 0u, 0u)      /* in: uint32 action the terminating callout returns */
#define TD_IOCTL_FAIL TD_CTL(0x807u, 0u, 0u)          /* in: uint32 NTSTATUS to fail with */
#define TD_IOCTL_TAG_CONFIG TD_CTL(0x808u, 0u, 0u)    /* in: uint32 1 = tag packets at OUTBOUND_TRANSPORT */

#define TD_READ_MAGIC 0x52454144u

typedef struct td_stats {
    uint64_t creates, cleanups, closes;
    uint64_t flow_classifies, stream_classifies, transport_classifies, term_classifies;
    uint64_t contexts_associated, flow_deletes, stream_bytes, stream_indications;
    uint64_t fin_seen, rst_seen, last_process_id, path_ok, reads_completed, reads_cancelled;
    uint64_t tags_associated, context_removed_events, copy_mismatch, conditional_violations;
    uint64_t contexts_live;
} td_stats;

/* Callout keys (test-only GUIDs). */
#define TD_GUID(n) { 0x5e57c0deu, 0x0001u, (uint16_t)(n), { 0x8a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 } }

#endif
