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

/* ---- packet lifecycle (test_driver.c "lifecycle" section) ----------------------------------
 * Callouts TD_GUID(0x10 + i) at the sixteen layers td_lc_layers[i] (FWPS ids): i 0..3 tag at
 * OUTBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4, OUTBOUND_IPPACKET_V4, INBOUND_IPPACKET_V4 when bit
 * (1 << i) is in the tag mask; i 4..7 record the _DISCARD layers of those four; i 8..15 the same
 * for V6 (tag bit 1 << (i - 8)). */
#define TD_LC_LAYERS 16
#define TD_LC_TAGGED 1u   /* type = 0; context = the new context (1, 2, ... in tagging order) */
#define TD_LC_NOTIFY 2u   /* type = FWPS_NET_BUFFER_LIST_EVENT_TYPE0 */
#define TD_LC_DISCARD 3u  /* type = discard module, reason, filterId; context = the NBL's (0 if none) */
#define TD_LC_MODE_V1 0x100u   /* associate with ...AssociateContext1 */
#define TD_LC_MODE_COPY 0x200u /* on CLONED_BY_NETIO copy the context (new = old | TD_LC_COPIED) instead of moving it */
#define TD_LC_COPIED 0x8000000000000000ull

typedef struct td_lc_event {
    uint32_t kind;
    uint32_t type;
    uint16_t layer;
    uint16_t nbl_null;    /* NOTIFY: 1 when the NBL argument was NULL */
    uint32_t reason;      /* DISCARD: discardReason */
    uint64_t context;
    uint64_t time;        /* KeQuerySystemTime at the call (FILETIME) */
    uint64_t nbl, new_nbl;
    uint64_t filter_id;   /* DISCARD: discardMetadata.filterId */
    uint32_t check;       /* TAGGED: 1 = the header at the layer's data offset (retreated as the
                             layer needs) was the expected one, 2 = not; DISCARD: 1 = DISCARD_REASON present */
    uint32_t pad;
} td_lc_event;

/* Callout keys (test-only GUIDs). */
#define TD_GUID(n) { 0x5e57c0deu, 0x0001u, (uint16_t)(n), { 0x8a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 } }

#endif
