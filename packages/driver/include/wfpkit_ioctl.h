/*
 * wfpkit_ioctl.h - the wfpkit driver contract, version 1.0.
 *
 * GENERATED from tools/contract/src/schema.ts by `npm run contract`. Do not edit by hand:
 * a test fails when this file differs from what the schema generates.
 *
 * All integers are little-endian. Every struct is naturally aligned with no implicit padding
 * and a size that is a multiple of 8; the asserts below pin every size and offset.
 */
#ifndef WFPKIT_IOCTL_H
#define WFPKIT_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
#define WK_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define WK_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
/* C99: a negative array size stops the build when cond is false. */
#define WK_SA_CAT_(a, b) a##b
#define WK_SA_CAT(a, b) WK_SA_CAT_(a, b)
#define WK_STATIC_ASSERT(cond, msg) typedef char WK_SA_CAT(wk_static_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

#define WK_CONTRACT_VERSION_MAJOR 1u
#define WK_CONTRACT_VERSION_MINOR 0u
#define WK_CONTRACT_VERSION ((WK_CONTRACT_VERSION_MAJOR << 16) | WK_CONTRACT_VERSION_MINOR)

/* ---- Constants ---- */
#define WK_DEVICE_NAME L"\\Device\\WfpKit" /* NT name of the control device the driver creates. */
#define WK_SYMBOLIC_LINK L"\\DosDevices\\WfpKit" /* Symbolic link the driver creates for user mode. */
#define WK_DEVICE_PATH L"\\\\.\\WfpKit" /* Path user mode passes to CreateFileW to open a session. */
#define WK_DEVICE_SDDL L"D:P(A;;GA;;;SY)(A;;GA;;;BA)" /* Security descriptor of the device: SYSTEM and Administrators only. */
#define WK_RECORD_ALIGNMENT 8u /* Every record starts on a multiple of this many bytes and its size is a multiple of it. */
#define WK_MAX_SESSIONS 64u /* Most sessions (open handles) the driver serves at once; one more open fails. */
#define WK_DEFAULT_RING_BYTES 0x100000u /* Ring size of a session that never sent SET_CONFIG. */
#define WK_MIN_RING_BYTES 0x10000u /* Smallest ring SET_CONFIG accepts. */
#define WK_MAX_RING_BYTES 0x4000000u /* Largest ring SET_CONFIG accepts. */
#define WK_MIN_INSPECT_BUDGET 1u /* Smallest per-direction inspection budget SET_CONFIG accepts. */
#define WK_DEFAULT_INSPECT_BUDGET 4096u /* Bytes of each direction of a flow the stream classifiers look at, by default. */
#define WK_MAX_INSPECT_BUDGET 0x10000u /* Largest per-direction inspection budget SET_CONFIG accepts. */
#define WK_DEFAULT_SNAP_LEN 128u /* Bytes of each tagged packet or stream indication copied into its record, by default (as pktmon). */
#define WK_DEFAULT_CONFIG_FLAGS 1u /* SessionConfig.flags of a session that never sent SET_CONFIG: INSPECT_STREAMS. */
#define WK_DEFAULT_TAG_LAYERS 0u /* SessionConfig.tagLayers of a session that never sent SET_CONFIG: none. */
#define WK_MAX_SNAP_LEN 2048u /* Largest snap length SET_CONFIG accepts. */
#define WK_MAX_APP_PATH_BYTES 2048u /* Longest application path (UTF-16 bytes) a record carries; longer paths are cut and flagged TRUNCATED. */
#define WK_MAX_RECORD_BYTES 2168u /* Largest record the driver writes. */
#define WK_MIN_READ_OUTPUT 2144u /* Smallest READ_EVENTS output buffer: the result header plus one record of the largest size. */
#define WK_WAIT_FOREVER 0xFFFFFFFFu /* ReadRequest.timeoutMs value that waits until an event arrives, the session stops or the handle closes. */
#define WK_ALIGN_RECORD(n) (((n) + 7u) & ~(uint32_t)7u)

/* ---- Enumerations and flag sets ---- */
/* EventType (enum): What a record reports. */
#define WK_EVENT_TYPE_FLOW_ESTABLISHED 1u /* A flow of a monitored application reached FLOW_ESTABLISHED and got a flow context. */
#define WK_EVENT_TYPE_FLOW_CLASSIFIED 2u /* A direction of a flow was identified by the stream classifiers (protocol and metadata). */
#define WK_EVENT_TYPE_STREAM_DATA 3u /* Stream data was indicated at the STREAM layer (counts and, if enabled, the first bytes). */
#define WK_EVENT_TYPE_PACKET_TAGGED 4u /* A packet of a monitored flow was tagged at a transport or IP packet layer. */
#define WK_EVENT_TYPE_PACKET_NOTIFY 5u /* The NBL notify function reported an event for a tagged packet. */
#define WK_EVENT_TYPE_FLOW_DELETED 6u /* A monitored flow ended (flowDeleteFn ran); carries the flow's totals. */
#define WK_EVENT_TYPE_LOSS 7u /* Records were dropped before this one because the ring was full, or packets went untagged. */
#define WK_EVENT_TYPE_FLOW_INFO 8u /* A snapshot of an active flow, returned by LIST_FLOWS (never in the event ring). */
#define WK_EVENT_TYPE_PACKET_DISCARDED 9u /* A tagged packet reached a discard layer: WFP (or the stack) dropped it. */
/* RecordFlags (flags): Flags in RecordHeader.flags. */
#define WK_RECORD_FLAGS_TRUNCATED 0x1u /* A variable-length member was cut to fit the snap length or the record limit. */
#define WK_RECORD_FLAGS_IPV6 0x2u /* The flow is IPv6. */
#define WK_RECORD_FLAGS_PARTIAL 0x4u /* The classification came from an incomplete or malformed opening (budget or stream ended, or a length was inconsistent): the metadata is what could be read. */
/* Direction (enum): Direction, with the values FWP_DIRECTION uses. */
#define WK_DIRECTION_OUTBOUND 0u /* Outbound: sent by the local host, or a flow it opened. */
#define WK_DIRECTION_INBOUND 1u /* Inbound: received by the local host, or a flow a remote peer opened. */
/* AppProtocol (enum): Application protocol identified by the stream classifiers. */
#define WK_APP_PROTOCOL_UNCLASSIFIED 0u /* Not enough bytes seen yet. */
#define WK_APP_PROTOCOL_UNKNOWN 1u /* Bytes seen match no known protocol (or the budget ran out). */
#define WK_APP_PROTOCOL_TLS 2u /* TLS (a ClientHello or ServerHello was seen). */
#define WK_APP_PROTOCOL_HTTP1 3u /* HTTP/1.x request or response. */
#define WK_APP_PROTOCOL_HTTP2 4u /* HTTP/2 with prior knowledge (client connection preface). */
#define WK_APP_PROTOCOL_SSH 5u /* SSH (identification banner). */
/* NblEventType (enum): FWPS_NET_BUFFER_LIST_EVENT_TYPE0: what the NBL notify function reports for a tagged packet. */
#define WK_NBL_EVENT_TYPE_ENTERED_NETIO 0u /* The NBL entered TCP/IP (from NDIS or a WFP injection). */
#define WK_NBL_EVENT_TYPE_CLONED_BY_NETIO 1u /* The stack cloned the NBL. */
#define WK_NBL_EVENT_TYPE_CLONED_VIA_WFP_API 2u /* The NBL was cloned with FwpsAllocateCloneNetBufferList0. */
#define WK_NBL_EVENT_TYPE_DUPLICATED_BY_NETIO 3u /* The stack duplicated the NBL. */
#define WK_NBL_EVENT_TYPE_EXIT_NETIO 4u /* The NBL is about to leave TCP/IP. */
#define WK_NBL_EVENT_TYPE_CONTEXT_REMOVED 5u /* The context was removed: the NBL left the context it was tagged for, or it was removed on request. */
#define WK_NBL_EVENT_TYPE_NDIS_SEND_COMPLETE 6u /* Send over the upper NDIS 802.3 layer completed. */
#define WK_NBL_EVENT_TYPE_NDIS_RECV_COMPLETE 7u /* Receive over the upper NDIS 802.3 layer completed. */
#define WK_NBL_EVENT_TYPE_NDIS_NATIVE_SEND_COMPLETE 8u /* Send at the miniport (native) layer completed (Windows 8+). */
#define WK_NBL_EVENT_TYPE_NDIS_NATIVE_RECV_COMPLETE 9u /* Receive at the miniport (native) layer completed (Windows 8+). */
#define WK_NBL_EVENT_TYPE_NDIS_VSWITCH_INGRESS_COMPLETE 10u /* vSwitch ingress completed (Windows 8+). */
#define WK_NBL_EVENT_TYPE_NDIS_VSWITCH_EGRESS_COMPLETE 11u /* vSwitch egress completed (Windows 8+). */
#define WK_NBL_EVENT_TYPE_CLONED_BY_NDIS 12u /* NDIS cloned the NBL (Windows 8+). */
#define WK_NBL_EVENT_TYPE_REASSEMBLED_FRAGMENT 13u /* The NBL was an IP fragment that was reassembled (Windows 8.1+). */
#define WK_NBL_EVENT_TYPE_REASSEMBLY_COMPLETE 14u /* Reassembly of the fragments completed (Windows 8.1+). */
/* NotifyFlags (flags): Flags of a PACKET_NOTIFY record. */
#define WK_NOTIFY_FLAGS_NBL_NULL 0x1u /* The notify function was called with a NULL NBL (allowed for CONTEXT_REMOVED). */
#define WK_NOTIFY_FLAGS_CONTEXT_MOVED 0x2u /* The context was moved to the new NBL (retrieved with remove, associated on the clone); newContext names it. */
#define WK_NOTIFY_FLAGS_CONTEXT_COPIED 0x4u /* The context was copied to the new NBL (retrieved without remove, associated on the duplicate); newContext names it. */
#define WK_NOTIFY_FLAGS_FOLLOW_FAILED 0x8u /* Associating the context with the new NBL failed: that NBL is not followed. */
/* ConfigFlags (flags): What a session asks the driver to do (SessionConfig.flags). */
#define WK_CONFIG_FLAGS_INSPECT_STREAMS 0x1u /* Run the stream classifiers and emit FLOW_CLASSIFIED. */
#define WK_CONFIG_FLAGS_STREAM_EVENTS 0x2u /* Emit a STREAM_DATA record per indication. */
#define WK_CONFIG_FLAGS_CAPTURE_STREAM_BYTES 0x4u /* Copy up to snapLen bytes of each indication into its STREAM_DATA record. */
#define WK_CONFIG_FLAGS_TAG_PACKETS 0x8u /* Tag packets at the layers in tagLayers and emit PACKET_TAGGED / PACKET_NOTIFY. */
#define WK_CONFIG_FLAGS_CAPTURE_PACKET_BYTES 0x10u /* Copy up to snapLen bytes of each tagged packet into its PACKET_TAGGED record. */
#define WK_CONFIG_FLAGS_REPORT_DISCARDS 0x20u /* Report tagged packets seen at the transport and IP packet discard layers as PACKET_DISCARDED. */
/* TagLayer (flags): Layers at which a session tags packets (SessionConfig.tagLayers). */
#define WK_TAG_LAYER_OUTBOUND_TRANSPORT_V4 0x1u /* FWPM_LAYER_OUTBOUND_TRANSPORT_V4. */
#define WK_TAG_LAYER_OUTBOUND_TRANSPORT_V6 0x2u /* FWPM_LAYER_OUTBOUND_TRANSPORT_V6. */
#define WK_TAG_LAYER_INBOUND_TRANSPORT_V4 0x4u /* FWPM_LAYER_INBOUND_TRANSPORT_V4. */
#define WK_TAG_LAYER_INBOUND_TRANSPORT_V6 0x8u /* FWPM_LAYER_INBOUND_TRANSPORT_V6. */
#define WK_TAG_LAYER_OUTBOUND_IPPACKET_V4 0x10u /* FWPM_LAYER_OUTBOUND_IPPACKET_V4. */
#define WK_TAG_LAYER_OUTBOUND_IPPACKET_V6 0x20u /* FWPM_LAYER_OUTBOUND_IPPACKET_V6. */
#define WK_TAG_LAYER_INBOUND_IPPACKET_V4 0x40u /* FWPM_LAYER_INBOUND_IPPACKET_V4. */
#define WK_TAG_LAYER_INBOUND_IPPACKET_V6 0x80u /* FWPM_LAYER_INBOUND_IPPACKET_V6. */
/* FeatureFlags (flags): What the running driver supports (VersionInfo.features). */
#define WK_FEATURE_FLAGS_ASSOCIATE_CONTEXT1 0x1u /* Packets are tagged with FwpsNetBufferListAssociateContext1 (Windows 8+); otherwise ...Context0. */
#define WK_FEATURE_FLAGS_IPPACKET_LAYERS 0x2u /* Tagging at the IP packet layers is available. */
#define WK_FEATURE_FLAGS_SIMULATED 0x4u /* The driver runs inside libwfpsim, not in a Windows kernel. */
/* SessionState (enum): State of a session. */
#define WK_SESSION_STATE_IDLE 0u /* Open, not monitoring; SET_CONFIG is allowed. */
#define WK_SESSION_STATE_RUNNING 1u /* Monitoring: events flow into the ring. */
#define WK_SESSION_STATE_STOPPED 2u /* Stopped after running; the ring can still be drained; START runs it again. */
/* ReadFlags (flags): Flags of a READ_EVENTS result. */
#define WK_READ_FLAGS_MORE_AVAILABLE 0x1u /* More records were in the ring than fitted the buffer. */
#define WK_READ_FLAGS_SESSION_STOPPED 0x2u /* The session is not running: no more records come until START. */
#define WK_READ_FLAGS_TIMED_OUT 0x4u /* The wait ended by its timeout with no record. */
/* ListFlags (flags): Flags of a LIST_FLOWS result. */
#define WK_LIST_FLAGS_MORE 0x1u /* More flows follow: call again with nextCursor. */
/* LossReason (enum): Why a LOSS record was written. */
#define WK_LOSS_REASON_RING_FULL 1u /* Records were dropped because the session ring was full. */
#define WK_LOSS_REASON_LEDGER_FULL 2u /* Packets went untagged because the tag ledger was full. */
#define WK_LOSS_REASON_FLOW_TABLE_FULL 3u /* Flows went unmonitored because the flow table was full. */
/* FlowEndReason (enum): Why a FLOW_DELETED record was written. */
#define WK_FLOW_END_REASON_FLOW_DELETE 1u /* WFP ended the flow and called flowDeleteFn. */
#define WK_FLOW_END_REASON_UNLOAD 2u /* The driver removed the flow context while unloading. */

/* ---- IOCTL codes: CTL_CODE(WK_DEVICE_TYPE, function, method, access) ---- */
#define WK_DEVICE_TYPE 0x8A57u
#define WK_CTL_CODE(fn, method, access) (((uint32_t)WK_DEVICE_TYPE << 16) | ((uint32_t)(access) << 14) | ((uint32_t)(fn) << 2) | (uint32_t)(method))
/* Reports the contract version and limits. The client calls it first and refuses a driver of another major version.
 * Scope: global. In: none. Out: WK_VERSION_INFO. Errors: ERROR_INSUFFICIENT_BUFFER. */
#define IOCTL_WFPKIT_GET_VERSION 0x8A572000u /* method BUFFERED, access ANY */
WK_STATIC_ASSERT(IOCTL_WFPKIT_GET_VERSION == WK_CTL_CODE(0x800, 0, 0), "IOCTL_WFPKIT_GET_VERSION");
#define WK_IOCTL_GET_VERSION_INPUT_SIZE 0u
#define WK_IOCTL_GET_VERSION_MIN_OUTPUT 32u
/* Reports the handle's session: id, state, the scope key for its filters, its configuration.
 * Scope: session. In: none. Out: WK_SESSION_INFO. Errors: ERROR_INSUFFICIENT_BUFFER. */
#define IOCTL_WFPKIT_GET_SESSION 0x8A576004u /* method BUFFERED, access READ */
WK_STATIC_ASSERT(IOCTL_WFPKIT_GET_SESSION == WK_CTL_CODE(0x801, 0, 1), "IOCTL_WFPKIT_GET_SESSION");
#define WK_IOCTL_GET_SESSION_INPUT_SIZE 0u
#define WK_IOCTL_GET_SESSION_MIN_OUTPUT 48u
/* Configures the handle's session (budget, ring size, snap length, tag layers). Allowed only while the session is not running; resizing the ring discards its records (counted as dropped).
 * Scope: session. In: WK_SESSION_CONFIG. Out: none. Errors: ERROR_BAD_LENGTH, ERROR_REVISION_MISMATCH, ERROR_INVALID_PARAMETER, ERROR_BAD_COMMAND, ERROR_NO_SYSTEM_RESOURCES. */
#define IOCTL_WFPKIT_SET_CONFIG 0x8A57E008u /* method BUFFERED, access READ_WRITE */
WK_STATIC_ASSERT(IOCTL_WFPKIT_SET_CONFIG == WK_CTL_CODE(0x802, 0, 3), "IOCTL_WFPKIT_SET_CONFIG");
#define WK_IOCTL_SET_CONFIG_INPUT_SIZE 24u
#define WK_IOCTL_SET_CONFIG_MIN_OUTPUT 0u
/* Starts monitoring: flows matched by the session's filters now produce events. Starting a running session is refused.
 * Scope: session. In: none. Out: none. Errors: ERROR_BAD_COMMAND. */
#define IOCTL_WFPKIT_START 0x8A57E00Cu /* method BUFFERED, access READ_WRITE */
WK_STATIC_ASSERT(IOCTL_WFPKIT_START == WK_CTL_CODE(0x803, 0, 3), "IOCTL_WFPKIT_START");
#define WK_IOCTL_START_INPUT_SIZE 0u
#define WK_IOCTL_START_MIN_OUTPUT 0u
/* Stops monitoring; a pending READ_EVENTS completes with what the ring holds and SESSION_STOPPED. Stopping a session that is not running is refused.
 * Scope: session. In: none. Out: none. Errors: ERROR_BAD_COMMAND. */
#define IOCTL_WFPKIT_STOP 0x8A57E010u /* method BUFFERED, access READ_WRITE */
WK_STATIC_ASSERT(IOCTL_WFPKIT_STOP == WK_CTL_CODE(0x804, 0, 3), "IOCTL_WFPKIT_STOP");
#define WK_IOCTL_STOP_INPUT_SIZE 0u
#define WK_IOCTL_STOP_MIN_OUTPUT 0u
/* Moves as many whole records as fit from the session ring into the output. When the ring is empty the request pends until a record arrives, the timeout passes, STOP, or the handle closes (cancel-safe). Only one read may pend per session.
 * Scope: session. In: WK_READ_REQUEST. Out: WK_READ_RESULT + records (FLOW_ESTABLISHED, FLOW_CLASSIFIED, STREAM_DATA, PACKET_TAGGED, PACKET_NOTIFY, PACKET_DISCARDED, FLOW_DELETED, LOSS). Errors: ERROR_BAD_LENGTH, ERROR_INSUFFICIENT_BUFFER, ERROR_BUSY, ERROR_OPERATION_ABORTED. */
#define IOCTL_WFPKIT_READ_EVENTS 0x8A576016u /* method OUT_DIRECT, access READ */
WK_STATIC_ASSERT(IOCTL_WFPKIT_READ_EVENTS == WK_CTL_CODE(0x805, 2, 1), "IOCTL_WFPKIT_READ_EVENTS");
#define WK_IOCTL_READ_EVENTS_INPUT_SIZE 8u
#define WK_IOCTL_READ_EVENTS_MIN_OUTPUT 2144u
/* Reports the handle's session counters and the driver-wide counters.
 * Scope: both. In: none. Out: WK_COUNTERS. Errors: ERROR_INSUFFICIENT_BUFFER. */
#define IOCTL_WFPKIT_GET_COUNTERS 0x8A576018u /* method BUFFERED, access READ */
WK_STATIC_ASSERT(IOCTL_WFPKIT_GET_COUNTERS == WK_CTL_CODE(0x806, 0, 1), "IOCTL_WFPKIT_GET_COUNTERS");
#define WK_IOCTL_GET_COUNTERS_INPUT_SIZE 0u
#define WK_IOCTL_GET_COUNTERS_MIN_OUTPUT 208u
/* Lists the session's active flows as FLOW_INFO records, a page at a time.
 * Scope: session. In: WK_LIST_FLOWS_REQUEST. Out: WK_LIST_FLOWS_RESULT + records (FLOW_INFO). Errors: ERROR_BAD_LENGTH, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER. */
#define IOCTL_WFPKIT_LIST_FLOWS 0x8A57601Eu /* method OUT_DIRECT, access READ */
WK_STATIC_ASSERT(IOCTL_WFPKIT_LIST_FLOWS == WK_CTL_CODE(0x807, 2, 1), "IOCTL_WFPKIT_LIST_FLOWS");
#define WK_IOCTL_LIST_FLOWS_INPUT_SIZE 16u
#define WK_IOCTL_LIST_FLOWS_MIN_OUTPUT 2192u

/* ---- Structs ---- */
/* The common header every event record starts with. */
typedef struct WK_RECORD_HEADER {
    uint16_t type;      /* +0: Event type: what follows the header. (WK_EVENT_TYPE_*) */
    uint16_t flags;     /* +2: Record flags. (WK_RECORD_FLAGS_*) */
    uint32_t size;      /* +4: Total record size in bytes, header and tail included; a multiple of 8. The next record starts this many bytes after this one. */
    uint64_t timestamp; /* +8: When the event happened, in 100 ns units since 1601-01-01 UTC (a FILETIME). The simulator uses virtual time from the capture or generator. */
    uint64_t flowId;    /* +16: The WFP flow handle (FLOW_HANDLE metadata at FLOW_ESTABLISHED) the event belongs to; 0 when the event belongs to no flow. */
} WK_RECORD_HEADER;
WK_STATIC_ASSERT(sizeof(WK_RECORD_HEADER) == 24, "WK_RECORD_HEADER size");
WK_STATIC_ASSERT(offsetof(WK_RECORD_HEADER, type) == 0, "WK_RECORD_HEADER.type offset");
WK_STATIC_ASSERT(sizeof(((WK_RECORD_HEADER *)0)->type) == 2, "WK_RECORD_HEADER.type size");
WK_STATIC_ASSERT(offsetof(WK_RECORD_HEADER, flags) == 2, "WK_RECORD_HEADER.flags offset");
WK_STATIC_ASSERT(sizeof(((WK_RECORD_HEADER *)0)->flags) == 2, "WK_RECORD_HEADER.flags size");
WK_STATIC_ASSERT(offsetof(WK_RECORD_HEADER, size) == 4, "WK_RECORD_HEADER.size offset");
WK_STATIC_ASSERT(sizeof(((WK_RECORD_HEADER *)0)->size) == 4, "WK_RECORD_HEADER.size size");
WK_STATIC_ASSERT(offsetof(WK_RECORD_HEADER, timestamp) == 8, "WK_RECORD_HEADER.timestamp offset");
WK_STATIC_ASSERT(sizeof(((WK_RECORD_HEADER *)0)->timestamp) == 8, "WK_RECORD_HEADER.timestamp size");
WK_STATIC_ASSERT(offsetof(WK_RECORD_HEADER, flowId) == 16, "WK_RECORD_HEADER.flowId offset");
WK_STATIC_ASSERT(sizeof(((WK_RECORD_HEADER *)0)->flowId) == 8, "WK_RECORD_HEADER.flowId size");
/* A flow's 5-tuple as seen from the local host. */
typedef struct WK_FLOW_ENDPOINTS {
    uint8_t ipVersion;         /* +0: IP version: 4 or 6. */
    uint8_t ipProtocol;        /* +1: IP protocol number (6 = TCP, 17 = UDP). */
    uint8_t direction;         /* +2: Who opened the flow. (WK_DIRECTION_*) */
    uint8_t reserved0;         /* +3: Reserved: zero. */
    uint16_t localPort;        /* +4: Local port in host byte order. */
    uint16_t remotePort;       /* +6: Remote port in host byte order. */
    uint8_t localAddress[16];  /* +8: Local address in network byte order: 4 bytes for IPv4, then zeros; 16 bytes for IPv6. */
    uint8_t remoteAddress[16]; /* +24: Remote address in network byte order, laid out like localAddress. */
} WK_FLOW_ENDPOINTS;
WK_STATIC_ASSERT(sizeof(WK_FLOW_ENDPOINTS) == 40, "WK_FLOW_ENDPOINTS size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, ipVersion) == 0, "WK_FLOW_ENDPOINTS.ipVersion offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->ipVersion) == 1, "WK_FLOW_ENDPOINTS.ipVersion size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, ipProtocol) == 1, "WK_FLOW_ENDPOINTS.ipProtocol offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->ipProtocol) == 1, "WK_FLOW_ENDPOINTS.ipProtocol size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, direction) == 2, "WK_FLOW_ENDPOINTS.direction offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->direction) == 1, "WK_FLOW_ENDPOINTS.direction size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, reserved0) == 3, "WK_FLOW_ENDPOINTS.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->reserved0) == 1, "WK_FLOW_ENDPOINTS.reserved0 size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, localPort) == 4, "WK_FLOW_ENDPOINTS.localPort offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->localPort) == 2, "WK_FLOW_ENDPOINTS.localPort size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, remotePort) == 6, "WK_FLOW_ENDPOINTS.remotePort offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->remotePort) == 2, "WK_FLOW_ENDPOINTS.remotePort size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, localAddress) == 8, "WK_FLOW_ENDPOINTS.localAddress offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->localAddress) == 16, "WK_FLOW_ENDPOINTS.localAddress size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ENDPOINTS, remoteAddress) == 24, "WK_FLOW_ENDPOINTS.remoteAddress offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ENDPOINTS *)0)->remoteAddress) == 16, "WK_FLOW_ENDPOINTS.remoteAddress size");
/* Output of GET_VERSION: what the running driver is and supports. */
typedef struct WK_VERSION_INFO {
    uint32_t contractVersion;  /* +0: Contract version: major << 16 | minor. The client refuses a driver whose major differs from its own. */
    uint32_t driverVersion;    /* +4: Driver build version: major << 24 | minor << 16 | patch. */
    uint32_t features;         /* +8: Supported features. (WK_FEATURE_FLAGS_*) */
    uint32_t maxSessions;      /* +12: Most sessions served at once. */
    uint32_t minRingBytes;     /* +16: Smallest ring accepted. */
    uint32_t maxRingBytes;     /* +20: Largest ring accepted. */
    uint32_t maxInspectBudget; /* +24: Largest inspection budget accepted. */
    uint32_t maxSnapLen;       /* +28: Largest snap length accepted. */
} WK_VERSION_INFO;
WK_STATIC_ASSERT(sizeof(WK_VERSION_INFO) == 32, "WK_VERSION_INFO size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, contractVersion) == 0, "WK_VERSION_INFO.contractVersion offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->contractVersion) == 4, "WK_VERSION_INFO.contractVersion size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, driverVersion) == 4, "WK_VERSION_INFO.driverVersion offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->driverVersion) == 4, "WK_VERSION_INFO.driverVersion size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, features) == 8, "WK_VERSION_INFO.features offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->features) == 4, "WK_VERSION_INFO.features size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, maxSessions) == 12, "WK_VERSION_INFO.maxSessions offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->maxSessions) == 4, "WK_VERSION_INFO.maxSessions size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, minRingBytes) == 16, "WK_VERSION_INFO.minRingBytes offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->minRingBytes) == 4, "WK_VERSION_INFO.minRingBytes size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, maxRingBytes) == 20, "WK_VERSION_INFO.maxRingBytes offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->maxRingBytes) == 4, "WK_VERSION_INFO.maxRingBytes size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, maxInspectBudget) == 24, "WK_VERSION_INFO.maxInspectBudget offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->maxInspectBudget) == 4, "WK_VERSION_INFO.maxInspectBudget size");
WK_STATIC_ASSERT(offsetof(WK_VERSION_INFO, maxSnapLen) == 28, "WK_VERSION_INFO.maxSnapLen offset");
WK_STATIC_ASSERT(sizeof(((WK_VERSION_INFO *)0)->maxSnapLen) == 4, "WK_VERSION_INFO.maxSnapLen size");
/* Input of SET_CONFIG: how the handle's session monitors. Refused while the session runs. */
typedef struct WK_SESSION_CONFIG {
    uint32_t structSize;    /* +0: sizeof(WK_SESSION_CONFIG); a different value is refused with ERROR_REVISION_MISMATCH. */
    uint32_t flags;         /* +4: What to do. (WK_CONFIG_FLAGS_*) */
    uint32_t inspectBudget; /* +8: Bytes per flow and direction the classifiers may look at (1 .. MAX_INSPECT_BUDGET). */
    uint32_t ringBytes;     /* +12: Size of the session event ring (MIN_RING_BYTES .. MAX_RING_BYTES, multiple of 8). */
    uint32_t snapLen;       /* +16: Bytes of each packet or stream indication copied into records (0 .. MAX_SNAP_LEN). */
    uint32_t tagLayers;     /* +20: Layers to tag at when TAG_PACKETS is set. (WK_TAG_LAYER_*) */
} WK_SESSION_CONFIG;
WK_STATIC_ASSERT(sizeof(WK_SESSION_CONFIG) == 24, "WK_SESSION_CONFIG size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_CONFIG, structSize) == 0, "WK_SESSION_CONFIG.structSize offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_CONFIG *)0)->structSize) == 4, "WK_SESSION_CONFIG.structSize size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_CONFIG, flags) == 4, "WK_SESSION_CONFIG.flags offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_CONFIG *)0)->flags) == 4, "WK_SESSION_CONFIG.flags size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_CONFIG, inspectBudget) == 8, "WK_SESSION_CONFIG.inspectBudget offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_CONFIG *)0)->inspectBudget) == 4, "WK_SESSION_CONFIG.inspectBudget size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_CONFIG, ringBytes) == 12, "WK_SESSION_CONFIG.ringBytes offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_CONFIG *)0)->ringBytes) == 4, "WK_SESSION_CONFIG.ringBytes size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_CONFIG, snapLen) == 16, "WK_SESSION_CONFIG.snapLen offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_CONFIG *)0)->snapLen) == 4, "WK_SESSION_CONFIG.snapLen size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_CONFIG, tagLayers) == 20, "WK_SESSION_CONFIG.tagLayers offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_CONFIG *)0)->tagLayers) == 4, "WK_SESSION_CONFIG.tagLayers size");
/* Output of GET_SESSION: the handle's session. */
typedef struct WK_SESSION_INFO {
    uint32_t sessionId;       /* +0: Session number, unique while the driver is loaded. */
    uint32_t state;           /* +4: Session state. (WK_SESSION_STATE_*) */
    uint64_t scopeKey;        /* +8: Put this value in the rawContext of the session's FLOW_ESTABLISHED filters: flows those filters match belong to this session. */
    WK_SESSION_CONFIG config; /* +16: The configuration in force. */
    uint32_t reserved0;       /* +40: Reserved: zero. */
    uint32_t reserved1;       /* +44: Reserved: zero. */
} WK_SESSION_INFO;
WK_STATIC_ASSERT(sizeof(WK_SESSION_INFO) == 48, "WK_SESSION_INFO size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_INFO, sessionId) == 0, "WK_SESSION_INFO.sessionId offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_INFO *)0)->sessionId) == 4, "WK_SESSION_INFO.sessionId size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_INFO, state) == 4, "WK_SESSION_INFO.state offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_INFO *)0)->state) == 4, "WK_SESSION_INFO.state size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_INFO, scopeKey) == 8, "WK_SESSION_INFO.scopeKey offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_INFO *)0)->scopeKey) == 8, "WK_SESSION_INFO.scopeKey size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_INFO, config) == 16, "WK_SESSION_INFO.config offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_INFO *)0)->config) == 24, "WK_SESSION_INFO.config size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_INFO, reserved0) == 40, "WK_SESSION_INFO.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_INFO *)0)->reserved0) == 4, "WK_SESSION_INFO.reserved0 size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_INFO, reserved1) == 44, "WK_SESSION_INFO.reserved1 offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_INFO *)0)->reserved1) == 4, "WK_SESSION_INFO.reserved1 size");
/* Input of READ_EVENTS. */
typedef struct WK_READ_REQUEST {
    uint32_t timeoutMs;  /* +0: How long to wait when the ring is empty: 0 returns at once, WAIT_FOREVER waits for an event, STOP or close. */
    uint32_t maxRecords; /* +4: Most records to return; 0 = as many as fit. */
} WK_READ_REQUEST;
WK_STATIC_ASSERT(sizeof(WK_READ_REQUEST) == 8, "WK_READ_REQUEST size");
WK_STATIC_ASSERT(offsetof(WK_READ_REQUEST, timeoutMs) == 0, "WK_READ_REQUEST.timeoutMs offset");
WK_STATIC_ASSERT(sizeof(((WK_READ_REQUEST *)0)->timeoutMs) == 4, "WK_READ_REQUEST.timeoutMs size");
WK_STATIC_ASSERT(offsetof(WK_READ_REQUEST, maxRecords) == 4, "WK_READ_REQUEST.maxRecords offset");
WK_STATIC_ASSERT(sizeof(((WK_READ_REQUEST *)0)->maxRecords) == 4, "WK_READ_REQUEST.maxRecords size");
/* Start of the READ_EVENTS output; recordCount records follow, back to back. */
typedef struct WK_READ_RESULT {
    uint32_t recordCount; /* +0: Records that follow. */
    uint32_t bytesUsed;   /* +4: Bytes of the output used, this header included. */
    uint32_t flags;       /* +8: Read flags. (WK_READ_FLAGS_*) */
    uint32_t reserved0;   /* +12: Reserved: zero. */
} WK_READ_RESULT;
WK_STATIC_ASSERT(sizeof(WK_READ_RESULT) == 16, "WK_READ_RESULT size");
WK_STATIC_ASSERT(offsetof(WK_READ_RESULT, recordCount) == 0, "WK_READ_RESULT.recordCount offset");
WK_STATIC_ASSERT(sizeof(((WK_READ_RESULT *)0)->recordCount) == 4, "WK_READ_RESULT.recordCount size");
WK_STATIC_ASSERT(offsetof(WK_READ_RESULT, bytesUsed) == 4, "WK_READ_RESULT.bytesUsed offset");
WK_STATIC_ASSERT(sizeof(((WK_READ_RESULT *)0)->bytesUsed) == 4, "WK_READ_RESULT.bytesUsed size");
WK_STATIC_ASSERT(offsetof(WK_READ_RESULT, flags) == 8, "WK_READ_RESULT.flags offset");
WK_STATIC_ASSERT(sizeof(((WK_READ_RESULT *)0)->flags) == 4, "WK_READ_RESULT.flags size");
WK_STATIC_ASSERT(offsetof(WK_READ_RESULT, reserved0) == 12, "WK_READ_RESULT.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_READ_RESULT *)0)->reserved0) == 4, "WK_READ_RESULT.reserved0 size");
/* Counters of the handle's session. produced = delivered + dropped + recordsInRing always holds. */
typedef struct WK_SESSION_COUNTERS {
    uint64_t eventsProduced;  /* +0: Records the session was offered, plus the LOSS records the ring wrote. */
    uint64_t eventsDelivered; /* +8: Records returned by READ_EVENTS, LOSS records included. */
    uint64_t eventsDropped;   /* +16: Records dropped because the ring was full; equals the latest RING_FULL LossRecord.totalLost. */
    uint64_t readsCompleted;  /* +24: READ_EVENTS requests completed. */
    uint64_t flowsMatched;    /* +32: Flows that matched the session filters. */
    uint64_t packetsTagged;   /* +40: Packets tagged for this session's flows. */
    uint64_t notifyEvents;    /* +48: NBL notify events for this session's packets. */
    uint64_t packetsUntagged; /* +56: Packets of this session's flows left untagged because the ledger was full. */
    uint32_t ringBytes;       /* +64: Ring size. */
    uint32_t ringUsed;        /* +68: Bytes in the ring now. */
    uint32_t ringHighWater;   /* +72: Most bytes ever in the ring. */
    uint32_t recordsInRing;   /* +76: Records in the ring now. */
    uint32_t flowsActive;     /* +80: The session's flows now active. */
    uint32_t reserved0;       /* +84: Reserved: zero. */
} WK_SESSION_COUNTERS;
WK_STATIC_ASSERT(sizeof(WK_SESSION_COUNTERS) == 88, "WK_SESSION_COUNTERS size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, eventsProduced) == 0, "WK_SESSION_COUNTERS.eventsProduced offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->eventsProduced) == 8, "WK_SESSION_COUNTERS.eventsProduced size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, eventsDelivered) == 8, "WK_SESSION_COUNTERS.eventsDelivered offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->eventsDelivered) == 8, "WK_SESSION_COUNTERS.eventsDelivered size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, eventsDropped) == 16, "WK_SESSION_COUNTERS.eventsDropped offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->eventsDropped) == 8, "WK_SESSION_COUNTERS.eventsDropped size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, readsCompleted) == 24, "WK_SESSION_COUNTERS.readsCompleted offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->readsCompleted) == 8, "WK_SESSION_COUNTERS.readsCompleted size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, flowsMatched) == 32, "WK_SESSION_COUNTERS.flowsMatched offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->flowsMatched) == 8, "WK_SESSION_COUNTERS.flowsMatched size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, packetsTagged) == 40, "WK_SESSION_COUNTERS.packetsTagged offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->packetsTagged) == 8, "WK_SESSION_COUNTERS.packetsTagged size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, notifyEvents) == 48, "WK_SESSION_COUNTERS.notifyEvents offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->notifyEvents) == 8, "WK_SESSION_COUNTERS.notifyEvents size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, packetsUntagged) == 56, "WK_SESSION_COUNTERS.packetsUntagged offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->packetsUntagged) == 8, "WK_SESSION_COUNTERS.packetsUntagged size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, ringBytes) == 64, "WK_SESSION_COUNTERS.ringBytes offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->ringBytes) == 4, "WK_SESSION_COUNTERS.ringBytes size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, ringUsed) == 68, "WK_SESSION_COUNTERS.ringUsed offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->ringUsed) == 4, "WK_SESSION_COUNTERS.ringUsed size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, ringHighWater) == 72, "WK_SESSION_COUNTERS.ringHighWater offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->ringHighWater) == 4, "WK_SESSION_COUNTERS.ringHighWater size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, recordsInRing) == 76, "WK_SESSION_COUNTERS.recordsInRing offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->recordsInRing) == 4, "WK_SESSION_COUNTERS.recordsInRing size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, flowsActive) == 80, "WK_SESSION_COUNTERS.flowsActive offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->flowsActive) == 4, "WK_SESSION_COUNTERS.flowsActive size");
WK_STATIC_ASSERT(offsetof(WK_SESSION_COUNTERS, reserved0) == 84, "WK_SESSION_COUNTERS.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_SESSION_COUNTERS *)0)->reserved0) == 4, "WK_SESSION_COUNTERS.reserved0 size");
/* Driver-wide counters. */
typedef struct WK_GLOBAL_COUNTERS {
    uint64_t flowsTotal;           /* +0: Flow contexts ever associated. */
    uint64_t classifyCalls;        /* +8: classifyFn calls across all callouts. */
    uint64_t streamBytesInspected; /* +16: Bytes copied to the stream classifiers. */
    uint64_t packetsTagged;        /* +24: Packets tagged. */
    uint64_t packetsUntagged;      /* +32: Packets left untagged because the tag ledger was full. */
    uint64_t notifyEvents;         /* +40: NBL notify calls. */
    uint64_t tagsRetired;          /* +48: Ledger entries retired on CONTEXT_REMOVED. */
    uint64_t flowsUnmonitored;     /* +56: Flows not monitored because the flow table was full. */
    uint64_t contextFailures;      /* +64: Flow or NBL context calls that failed. */
    uint64_t flowsNotInspected;    /* +72: Flows monitored but not inspected because every inspector slot was in use. */
    uint64_t appPathsRefused;      /* +80: Application paths not stored because the app table was full (their records carry an empty path). */
    uint64_t staleContexts;        /* +88: Callout calls whose flow context named no live flow (stale or unknown). */
    uint32_t sessionsOpen;         /* +96: Sessions open now. */
    uint32_t flowsActive;          /* +100: Flows in the table now. */
    uint32_t flowTableCapacity;    /* +104: Flow table size. */
    uint32_t tagsInFlight;         /* +108: Tagged packets not yet removed. */
    uint32_t ledgerCapacity;       /* +112: Tag ledger size. */
    uint32_t reserved0;            /* +116: Reserved: zero. */
} WK_GLOBAL_COUNTERS;
WK_STATIC_ASSERT(sizeof(WK_GLOBAL_COUNTERS) == 120, "WK_GLOBAL_COUNTERS size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, flowsTotal) == 0, "WK_GLOBAL_COUNTERS.flowsTotal offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->flowsTotal) == 8, "WK_GLOBAL_COUNTERS.flowsTotal size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, classifyCalls) == 8, "WK_GLOBAL_COUNTERS.classifyCalls offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->classifyCalls) == 8, "WK_GLOBAL_COUNTERS.classifyCalls size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, streamBytesInspected) == 16, "WK_GLOBAL_COUNTERS.streamBytesInspected offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->streamBytesInspected) == 8, "WK_GLOBAL_COUNTERS.streamBytesInspected size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, packetsTagged) == 24, "WK_GLOBAL_COUNTERS.packetsTagged offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->packetsTagged) == 8, "WK_GLOBAL_COUNTERS.packetsTagged size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, packetsUntagged) == 32, "WK_GLOBAL_COUNTERS.packetsUntagged offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->packetsUntagged) == 8, "WK_GLOBAL_COUNTERS.packetsUntagged size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, notifyEvents) == 40, "WK_GLOBAL_COUNTERS.notifyEvents offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->notifyEvents) == 8, "WK_GLOBAL_COUNTERS.notifyEvents size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, tagsRetired) == 48, "WK_GLOBAL_COUNTERS.tagsRetired offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->tagsRetired) == 8, "WK_GLOBAL_COUNTERS.tagsRetired size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, flowsUnmonitored) == 56, "WK_GLOBAL_COUNTERS.flowsUnmonitored offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->flowsUnmonitored) == 8, "WK_GLOBAL_COUNTERS.flowsUnmonitored size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, contextFailures) == 64, "WK_GLOBAL_COUNTERS.contextFailures offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->contextFailures) == 8, "WK_GLOBAL_COUNTERS.contextFailures size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, flowsNotInspected) == 72, "WK_GLOBAL_COUNTERS.flowsNotInspected offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->flowsNotInspected) == 8, "WK_GLOBAL_COUNTERS.flowsNotInspected size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, appPathsRefused) == 80, "WK_GLOBAL_COUNTERS.appPathsRefused offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->appPathsRefused) == 8, "WK_GLOBAL_COUNTERS.appPathsRefused size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, staleContexts) == 88, "WK_GLOBAL_COUNTERS.staleContexts offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->staleContexts) == 8, "WK_GLOBAL_COUNTERS.staleContexts size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, sessionsOpen) == 96, "WK_GLOBAL_COUNTERS.sessionsOpen offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->sessionsOpen) == 4, "WK_GLOBAL_COUNTERS.sessionsOpen size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, flowsActive) == 100, "WK_GLOBAL_COUNTERS.flowsActive offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->flowsActive) == 4, "WK_GLOBAL_COUNTERS.flowsActive size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, flowTableCapacity) == 104, "WK_GLOBAL_COUNTERS.flowTableCapacity offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->flowTableCapacity) == 4, "WK_GLOBAL_COUNTERS.flowTableCapacity size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, tagsInFlight) == 108, "WK_GLOBAL_COUNTERS.tagsInFlight offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->tagsInFlight) == 4, "WK_GLOBAL_COUNTERS.tagsInFlight size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, ledgerCapacity) == 112, "WK_GLOBAL_COUNTERS.ledgerCapacity offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->ledgerCapacity) == 4, "WK_GLOBAL_COUNTERS.ledgerCapacity size");
WK_STATIC_ASSERT(offsetof(WK_GLOBAL_COUNTERS, reserved0) == 116, "WK_GLOBAL_COUNTERS.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_GLOBAL_COUNTERS *)0)->reserved0) == 4, "WK_GLOBAL_COUNTERS.reserved0 size");
/* Output of GET_COUNTERS: the handle's session counters, then the driver-wide ones. */
typedef struct WK_COUNTERS {
    WK_SESSION_COUNTERS session; /* +0: The handle's session. */
    WK_GLOBAL_COUNTERS global;   /* +88: The whole driver. */
} WK_COUNTERS;
WK_STATIC_ASSERT(sizeof(WK_COUNTERS) == 208, "WK_COUNTERS size");
WK_STATIC_ASSERT(offsetof(WK_COUNTERS, session) == 0, "WK_COUNTERS.session offset");
WK_STATIC_ASSERT(sizeof(((WK_COUNTERS *)0)->session) == 88, "WK_COUNTERS.session size");
WK_STATIC_ASSERT(offsetof(WK_COUNTERS, global) == 88, "WK_COUNTERS.global offset");
WK_STATIC_ASSERT(sizeof(((WK_COUNTERS *)0)->global) == 120, "WK_COUNTERS.global size");
/* Input of LIST_FLOWS. */
typedef struct WK_LIST_FLOWS_REQUEST {
    uint64_t cursor;    /* +0: 0 to start; then the nextCursor of the previous result. The cursor is a position in the flow table: flows established or deleted between two pages may be missed or listed twice. */
    uint32_t maxFlows;  /* +8: Most flows to return; 0 = as many as fit. */
    uint32_t reserved0; /* +12: Reserved: zero. */
} WK_LIST_FLOWS_REQUEST;
WK_STATIC_ASSERT(sizeof(WK_LIST_FLOWS_REQUEST) == 16, "WK_LIST_FLOWS_REQUEST size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_REQUEST, cursor) == 0, "WK_LIST_FLOWS_REQUEST.cursor offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_REQUEST *)0)->cursor) == 8, "WK_LIST_FLOWS_REQUEST.cursor size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_REQUEST, maxFlows) == 8, "WK_LIST_FLOWS_REQUEST.maxFlows offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_REQUEST *)0)->maxFlows) == 4, "WK_LIST_FLOWS_REQUEST.maxFlows size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_REQUEST, reserved0) == 12, "WK_LIST_FLOWS_REQUEST.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_REQUEST *)0)->reserved0) == 4, "WK_LIST_FLOWS_REQUEST.reserved0 size");
/* Start of the LIST_FLOWS output; flowCount FLOW_INFO records follow. */
typedef struct WK_LIST_FLOWS_RESULT {
    uint32_t flowCount;  /* +0: FLOW_INFO records that follow. */
    uint32_t flags;      /* +4: List flags. (WK_LIST_FLAGS_*) */
    uint64_t nextCursor; /* +8: Pass as cursor to get the next page. */
    uint32_t bytesUsed;  /* +16: Bytes of the output used, this header included. */
    uint32_t reserved0;  /* +20: Reserved: zero. */
} WK_LIST_FLOWS_RESULT;
WK_STATIC_ASSERT(sizeof(WK_LIST_FLOWS_RESULT) == 24, "WK_LIST_FLOWS_RESULT size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_RESULT, flowCount) == 0, "WK_LIST_FLOWS_RESULT.flowCount offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_RESULT *)0)->flowCount) == 4, "WK_LIST_FLOWS_RESULT.flowCount size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_RESULT, flags) == 4, "WK_LIST_FLOWS_RESULT.flags offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_RESULT *)0)->flags) == 4, "WK_LIST_FLOWS_RESULT.flags size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_RESULT, nextCursor) == 8, "WK_LIST_FLOWS_RESULT.nextCursor offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_RESULT *)0)->nextCursor) == 8, "WK_LIST_FLOWS_RESULT.nextCursor size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_RESULT, bytesUsed) == 16, "WK_LIST_FLOWS_RESULT.bytesUsed offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_RESULT *)0)->bytesUsed) == 4, "WK_LIST_FLOWS_RESULT.bytesUsed size");
WK_STATIC_ASSERT(offsetof(WK_LIST_FLOWS_RESULT, reserved0) == 20, "WK_LIST_FLOWS_RESULT.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_LIST_FLOWS_RESULT *)0)->reserved0) == 4, "WK_LIST_FLOWS_RESULT.reserved0 size");

/* ---- Event records: each starts with WK_RECORD_HEADER; header.size covers the tail ---- */
#define WK_RECORD_TYPE_FLOW_ESTABLISHED 1u
/* A flow of a monitored application was established and got a flow context. */
typedef struct WK_FLOW_ESTABLISHED_RECORD {
    WK_RECORD_HEADER header;     /* +0: Common header. */
    uint64_t processId;          /* +24: FWPS_METADATA_FIELD_PROCESS_ID. */
    WK_FLOW_ENDPOINTS endpoints; /* +32: The 5-tuple. */
    uint16_t layerId;            /* +72: FWPS runtime layer id the flow was established at. */
    uint16_t appPathLength;      /* +74: Bytes of appPath. */
    uint32_t reserved0;          /* +76: Reserved: zero. */
} WK_FLOW_ESTABLISHED_RECORD;
WK_STATIC_ASSERT(sizeof(WK_FLOW_ESTABLISHED_RECORD) == 80, "WK_FLOW_ESTABLISHED_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ESTABLISHED_RECORD, header) == 0, "WK_FLOW_ESTABLISHED_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ESTABLISHED_RECORD *)0)->header) == 24, "WK_FLOW_ESTABLISHED_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ESTABLISHED_RECORD, processId) == 24, "WK_FLOW_ESTABLISHED_RECORD.processId offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ESTABLISHED_RECORD *)0)->processId) == 8, "WK_FLOW_ESTABLISHED_RECORD.processId size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ESTABLISHED_RECORD, endpoints) == 32, "WK_FLOW_ESTABLISHED_RECORD.endpoints offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ESTABLISHED_RECORD *)0)->endpoints) == 40, "WK_FLOW_ESTABLISHED_RECORD.endpoints size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ESTABLISHED_RECORD, layerId) == 72, "WK_FLOW_ESTABLISHED_RECORD.layerId offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ESTABLISHED_RECORD *)0)->layerId) == 2, "WK_FLOW_ESTABLISHED_RECORD.layerId size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ESTABLISHED_RECORD, appPathLength) == 74, "WK_FLOW_ESTABLISHED_RECORD.appPathLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ESTABLISHED_RECORD *)0)->appPathLength) == 2, "WK_FLOW_ESTABLISHED_RECORD.appPathLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_ESTABLISHED_RECORD, reserved0) == 76, "WK_FLOW_ESTABLISHED_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_ESTABLISHED_RECORD *)0)->reserved0) == 4, "WK_FLOW_ESTABLISHED_RECORD.reserved0 size");
#define WK_FLOW_ESTABLISHED_RECORD_MAX_SIZE 2128u
#define WK_FLOW_ESTABLISHED_APP_PATH_MAX 2048u /* utf16le, length in appPathLength: FWPS_METADATA_FIELD_PROCESS_PATH: the NT path of the application, UTF-16, no terminator. */
/* The tail (appPath) follows the fixed part at offset 80, in that order, then zero padding to a multiple of 8.
 * Text members are cut on a character boundary when shortened (RECORD_FLAGS_TRUNCATED). */
#define WK_RECORD_TYPE_FLOW_CLASSIFIED 2u
/* A direction of a flow was identified; the metadata the classifier extracted follows. */
typedef struct WK_FLOW_CLASSIFIED_RECORD {
    WK_RECORD_HEADER header; /* +0: Common header. */
    uint8_t appProtocol;     /* +24: Protocol identified. (WK_APP_PROTOCOL_*) */
    uint8_t direction;       /* +25: Direction whose bytes identified it. (WK_DIRECTION_*) */
    uint16_t tlsVersion;     /* +26: ClientHello: the highest version offered (0x0304 = TLS 1.3; from supported_versions when present, else legacy_version). ServerHello: the selected version (supported_versions, else legacy_version). 0 if not TLS. */
    uint16_t httpStatus;     /* +28: HTTP/1.x response status; 0 if none. */
    uint16_t sniLength;      /* +30: Bytes of sni. */
    uint16_t alpnLength;     /* +32: Bytes of alpn. */
    uint16_t hostLength;     /* +34: Bytes of host. */
    uint16_t methodLength;   /* +36: Bytes of method. */
    uint16_t pathLength;     /* +38: Bytes of path. */
    uint16_t bannerLength;   /* +40: Bytes of banner. */
    uint16_t reserved0;      /* +42: Reserved: zero. */
    uint32_t reserved1;      /* +44: Reserved: zero. */
} WK_FLOW_CLASSIFIED_RECORD;
WK_STATIC_ASSERT(sizeof(WK_FLOW_CLASSIFIED_RECORD) == 48, "WK_FLOW_CLASSIFIED_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, header) == 0, "WK_FLOW_CLASSIFIED_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->header) == 24, "WK_FLOW_CLASSIFIED_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, appProtocol) == 24, "WK_FLOW_CLASSIFIED_RECORD.appProtocol offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->appProtocol) == 1, "WK_FLOW_CLASSIFIED_RECORD.appProtocol size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, direction) == 25, "WK_FLOW_CLASSIFIED_RECORD.direction offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->direction) == 1, "WK_FLOW_CLASSIFIED_RECORD.direction size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, tlsVersion) == 26, "WK_FLOW_CLASSIFIED_RECORD.tlsVersion offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->tlsVersion) == 2, "WK_FLOW_CLASSIFIED_RECORD.tlsVersion size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, httpStatus) == 28, "WK_FLOW_CLASSIFIED_RECORD.httpStatus offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->httpStatus) == 2, "WK_FLOW_CLASSIFIED_RECORD.httpStatus size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, sniLength) == 30, "WK_FLOW_CLASSIFIED_RECORD.sniLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->sniLength) == 2, "WK_FLOW_CLASSIFIED_RECORD.sniLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, alpnLength) == 32, "WK_FLOW_CLASSIFIED_RECORD.alpnLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->alpnLength) == 2, "WK_FLOW_CLASSIFIED_RECORD.alpnLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, hostLength) == 34, "WK_FLOW_CLASSIFIED_RECORD.hostLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->hostLength) == 2, "WK_FLOW_CLASSIFIED_RECORD.hostLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, methodLength) == 36, "WK_FLOW_CLASSIFIED_RECORD.methodLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->methodLength) == 2, "WK_FLOW_CLASSIFIED_RECORD.methodLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, pathLength) == 38, "WK_FLOW_CLASSIFIED_RECORD.pathLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->pathLength) == 2, "WK_FLOW_CLASSIFIED_RECORD.pathLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, bannerLength) == 40, "WK_FLOW_CLASSIFIED_RECORD.bannerLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->bannerLength) == 2, "WK_FLOW_CLASSIFIED_RECORD.bannerLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, reserved0) == 42, "WK_FLOW_CLASSIFIED_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->reserved0) == 2, "WK_FLOW_CLASSIFIED_RECORD.reserved0 size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_CLASSIFIED_RECORD, reserved1) == 44, "WK_FLOW_CLASSIFIED_RECORD.reserved1 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_CLASSIFIED_RECORD *)0)->reserved1) == 4, "WK_FLOW_CLASSIFIED_RECORD.reserved1 size");
#define WK_FLOW_CLASSIFIED_RECORD_MAX_SIZE 1600u
#define WK_FLOW_CLASSIFIED_SNI_MAX 255u /* utf8, length in sniLength: TLS server_name (host_name). */
#define WK_FLOW_CLASSIFIED_ALPN_MAX 256u /* bytes, length in alpnLength: TLS ALPN protocol list as on the wire: each name prefixed by its length byte. */
#define WK_FLOW_CLASSIFIED_HOST_MAX 255u /* utf8, length in hostLength: HTTP/1.x Host header. */
#define WK_FLOW_CLASSIFIED_METHOD_MAX 16u /* utf8, length in methodLength: HTTP/1.x request method. */
#define WK_FLOW_CLASSIFIED_PATH_MAX 512u /* utf8, length in pathLength: HTTP/1.x request target. */
#define WK_FLOW_CLASSIFIED_BANNER_MAX 255u /* utf8, length in bannerLength: SSH identification string, without CR LF. */
/* The tail (sni, alpn, host, method, path, banner) follows the fixed part at offset 48, in that order, then zero padding to a multiple of 8.
 * Text members are cut on a character boundary when shortened (RECORD_FLAGS_TRUNCATED). */
#define WK_RECORD_TYPE_STREAM_DATA 3u
/* Stream data was indicated at a STREAM layer. */
typedef struct WK_STREAM_DATA_RECORD {
    WK_RECORD_HEADER header;  /* +0: Common header. */
    uint64_t streamOffset;    /* +24: Offset of the first indicated byte in this direction of the stream. */
    uint32_t indicatedLength; /* +32: Bytes in the indication (FWPS_STREAM_DATA0.dataLength). */
    uint32_t streamFlags;     /* +36: FWPS_STREAM_FLAG_* of the indication. */
    uint8_t direction;        /* +40: Direction of the data. (WK_DIRECTION_*) */
    uint8_t reserved0;        /* +41: Reserved: zero. */
    uint16_t dataLength;      /* +42: Bytes of data. */
    uint32_t reserved1;       /* +44: Reserved: zero. */
} WK_STREAM_DATA_RECORD;
WK_STATIC_ASSERT(sizeof(WK_STREAM_DATA_RECORD) == 48, "WK_STREAM_DATA_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, header) == 0, "WK_STREAM_DATA_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->header) == 24, "WK_STREAM_DATA_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, streamOffset) == 24, "WK_STREAM_DATA_RECORD.streamOffset offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->streamOffset) == 8, "WK_STREAM_DATA_RECORD.streamOffset size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, indicatedLength) == 32, "WK_STREAM_DATA_RECORD.indicatedLength offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->indicatedLength) == 4, "WK_STREAM_DATA_RECORD.indicatedLength size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, streamFlags) == 36, "WK_STREAM_DATA_RECORD.streamFlags offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->streamFlags) == 4, "WK_STREAM_DATA_RECORD.streamFlags size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, direction) == 40, "WK_STREAM_DATA_RECORD.direction offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->direction) == 1, "WK_STREAM_DATA_RECORD.direction size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, reserved0) == 41, "WK_STREAM_DATA_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->reserved0) == 1, "WK_STREAM_DATA_RECORD.reserved0 size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, dataLength) == 42, "WK_STREAM_DATA_RECORD.dataLength offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->dataLength) == 2, "WK_STREAM_DATA_RECORD.dataLength size");
WK_STATIC_ASSERT(offsetof(WK_STREAM_DATA_RECORD, reserved1) == 44, "WK_STREAM_DATA_RECORD.reserved1 offset");
WK_STATIC_ASSERT(sizeof(((WK_STREAM_DATA_RECORD *)0)->reserved1) == 4, "WK_STREAM_DATA_RECORD.reserved1 size");
#define WK_STREAM_DATA_RECORD_MAX_SIZE 2096u
#define WK_STREAM_DATA_DATA_MAX 2048u /* bytes, length in dataLength: The first bytes of the indication, when CAPTURE_STREAM_BYTES is set. */
/* The tail (data) follows the fixed part at offset 48, in that order, then zero padding to a multiple of 8.
 * Text members are cut on a character boundary when shortened (RECORD_FLAGS_TRUNCATED). */
#define WK_RECORD_TYPE_PACKET_TAGGED 4u
/* A packet of a monitored flow was tagged. */
typedef struct WK_PACKET_TAGGED_RECORD {
    WK_RECORD_HEADER header; /* +0: Common header. */
    uint64_t context;        /* +24: The 64-bit context associated with the NBL: names this packet in later PACKET_NOTIFY records. */
    uint32_t packetLength;   /* +32: Bytes in the packet (all NET_BUFFERs of the NBL). */
    uint32_t sequence;       /* +36: Per-flow sequence number of the tagged packet. */
    uint16_t layerId;        /* +40: FWPS runtime layer id where the packet was tagged. */
    uint8_t direction;       /* +42: Direction of the packet. (WK_DIRECTION_*) */
    uint8_t ipVersion;       /* +43: 4 or 6. */
    uint16_t snapLength;     /* +44: Bytes of snap. */
    uint16_t reserved0;      /* +46: Reserved: zero. */
} WK_PACKET_TAGGED_RECORD;
WK_STATIC_ASSERT(sizeof(WK_PACKET_TAGGED_RECORD) == 48, "WK_PACKET_TAGGED_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, header) == 0, "WK_PACKET_TAGGED_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->header) == 24, "WK_PACKET_TAGGED_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, context) == 24, "WK_PACKET_TAGGED_RECORD.context offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->context) == 8, "WK_PACKET_TAGGED_RECORD.context size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, packetLength) == 32, "WK_PACKET_TAGGED_RECORD.packetLength offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->packetLength) == 4, "WK_PACKET_TAGGED_RECORD.packetLength size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, sequence) == 36, "WK_PACKET_TAGGED_RECORD.sequence offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->sequence) == 4, "WK_PACKET_TAGGED_RECORD.sequence size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, layerId) == 40, "WK_PACKET_TAGGED_RECORD.layerId offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->layerId) == 2, "WK_PACKET_TAGGED_RECORD.layerId size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, direction) == 42, "WK_PACKET_TAGGED_RECORD.direction offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->direction) == 1, "WK_PACKET_TAGGED_RECORD.direction size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, ipVersion) == 43, "WK_PACKET_TAGGED_RECORD.ipVersion offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->ipVersion) == 1, "WK_PACKET_TAGGED_RECORD.ipVersion size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, snapLength) == 44, "WK_PACKET_TAGGED_RECORD.snapLength offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->snapLength) == 2, "WK_PACKET_TAGGED_RECORD.snapLength size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_TAGGED_RECORD, reserved0) == 46, "WK_PACKET_TAGGED_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_TAGGED_RECORD *)0)->reserved0) == 2, "WK_PACKET_TAGGED_RECORD.reserved0 size");
#define WK_PACKET_TAGGED_RECORD_MAX_SIZE 2096u
#define WK_PACKET_TAGGED_SNAP_MAX 2048u /* bytes, length in snapLength: The first bytes of the packet at the layer it was tagged, when CAPTURE_PACKET_BYTES is set. */
/* The tail (snap) follows the fixed part at offset 48, in that order, then zero padding to a multiple of 8.
 * Text members are cut on a character boundary when shortened (RECORD_FLAGS_TRUNCATED). */
#define WK_RECORD_TYPE_PACKET_NOTIFY 5u
/* The NBL notify function reported an event for a tagged packet. */
typedef struct WK_PACKET_NOTIFY_RECORD {
    WK_RECORD_HEADER header; /* +0: Common header. */
    uint64_t context;        /* +24: Context of the NBL the event is about. */
    uint64_t newContext;     /* +32: For clone and duplicate events: the context now on the new NBL; 0 otherwise. */
    uint16_t eventType;      /* +40: FWPS_NET_BUFFER_LIST_EVENT_TYPE0 value. (WK_NBL_EVENT_TYPE_*) */
    uint16_t layerId;        /* +42: Layer id the notify function was given. */
    uint16_t notifyFlags;    /* +44: Notify flags. (WK_NOTIFY_FLAGS_*) */
    uint16_t reserved0;      /* +46: Reserved: zero. */
} WK_PACKET_NOTIFY_RECORD;
WK_STATIC_ASSERT(sizeof(WK_PACKET_NOTIFY_RECORD) == 48, "WK_PACKET_NOTIFY_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, header) == 0, "WK_PACKET_NOTIFY_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->header) == 24, "WK_PACKET_NOTIFY_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, context) == 24, "WK_PACKET_NOTIFY_RECORD.context offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->context) == 8, "WK_PACKET_NOTIFY_RECORD.context size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, newContext) == 32, "WK_PACKET_NOTIFY_RECORD.newContext offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->newContext) == 8, "WK_PACKET_NOTIFY_RECORD.newContext size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, eventType) == 40, "WK_PACKET_NOTIFY_RECORD.eventType offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->eventType) == 2, "WK_PACKET_NOTIFY_RECORD.eventType size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, layerId) == 42, "WK_PACKET_NOTIFY_RECORD.layerId offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->layerId) == 2, "WK_PACKET_NOTIFY_RECORD.layerId size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, notifyFlags) == 44, "WK_PACKET_NOTIFY_RECORD.notifyFlags offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->notifyFlags) == 2, "WK_PACKET_NOTIFY_RECORD.notifyFlags size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_NOTIFY_RECORD, reserved0) == 46, "WK_PACKET_NOTIFY_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_NOTIFY_RECORD *)0)->reserved0) == 2, "WK_PACKET_NOTIFY_RECORD.reserved0 size");
#define WK_PACKET_NOTIFY_RECORD_MAX_SIZE 48u
#define WK_RECORD_TYPE_PACKET_DISCARDED 9u
/* A tagged packet was seen at a discard layer (the callout found its context with FwpsNetBufferListRetrieveContext0). Its CONTEXT_REMOVED notify still follows. */
typedef struct WK_PACKET_DISCARDED_RECORD {
    WK_RECORD_HEADER header; /* +0: Common header. */
    uint64_t context;        /* +24: Context of the discarded NBL: the packet of the PACKET_TAGGED record with this context. */
    uint32_t discardModule;  /* +32: FWPS_DISCARD_MODULE0 of the discard metadata (0 network, 1 transport, 2 general), or 0xFFFFFFFF when absent. */
    uint32_t discardReason;  /* +36: Discard reason code of the discard metadata, or 0xFFFFFFFF when absent. */
    uint64_t filterId;       /* +40: Filter that discarded the packet when the reason names one (FWPS_DISCARD_MODULE_GENERAL + filter), else 0. */
    uint16_t layerId;        /* +48: FWPS runtime layer id of the discard layer. */
    uint8_t direction;       /* +50: Direction of the packet. (WK_DIRECTION_*) */
    uint8_t reserved0;       /* +51: Reserved: zero. */
    uint32_t reserved1;      /* +52: Reserved: zero. */
} WK_PACKET_DISCARDED_RECORD;
WK_STATIC_ASSERT(sizeof(WK_PACKET_DISCARDED_RECORD) == 56, "WK_PACKET_DISCARDED_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, header) == 0, "WK_PACKET_DISCARDED_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->header) == 24, "WK_PACKET_DISCARDED_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, context) == 24, "WK_PACKET_DISCARDED_RECORD.context offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->context) == 8, "WK_PACKET_DISCARDED_RECORD.context size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, discardModule) == 32, "WK_PACKET_DISCARDED_RECORD.discardModule offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->discardModule) == 4, "WK_PACKET_DISCARDED_RECORD.discardModule size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, discardReason) == 36, "WK_PACKET_DISCARDED_RECORD.discardReason offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->discardReason) == 4, "WK_PACKET_DISCARDED_RECORD.discardReason size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, filterId) == 40, "WK_PACKET_DISCARDED_RECORD.filterId offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->filterId) == 8, "WK_PACKET_DISCARDED_RECORD.filterId size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, layerId) == 48, "WK_PACKET_DISCARDED_RECORD.layerId offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->layerId) == 2, "WK_PACKET_DISCARDED_RECORD.layerId size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, direction) == 50, "WK_PACKET_DISCARDED_RECORD.direction offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->direction) == 1, "WK_PACKET_DISCARDED_RECORD.direction size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, reserved0) == 51, "WK_PACKET_DISCARDED_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->reserved0) == 1, "WK_PACKET_DISCARDED_RECORD.reserved0 size");
WK_STATIC_ASSERT(offsetof(WK_PACKET_DISCARDED_RECORD, reserved1) == 52, "WK_PACKET_DISCARDED_RECORD.reserved1 offset");
WK_STATIC_ASSERT(sizeof(((WK_PACKET_DISCARDED_RECORD *)0)->reserved1) == 4, "WK_PACKET_DISCARDED_RECORD.reserved1 size");
#define WK_PACKET_DISCARDED_RECORD_MAX_SIZE 56u
#define WK_RECORD_TYPE_FLOW_DELETED 6u
/* A monitored flow ended; its totals. */
typedef struct WK_FLOW_DELETED_RECORD {
    WK_RECORD_HEADER header; /* +0: Common header. */
    uint64_t startTime;      /* +24: When the flow was established (same clock as header.timestamp). */
    uint64_t bytesOut;       /* +32: Stream bytes sent. */
    uint64_t bytesIn;        /* +40: Stream bytes received. */
    uint64_t packetsTagged;  /* +48: Packets of the flow tagged. */
    uint64_t packetsDropped; /* +56: Outbound tagged packets removed without ever leaving the stack, plus tagged packets reported at a discard layer. */
    uint32_t segmentsOut;    /* +64: Stream indications sent. */
    uint32_t segmentsIn;     /* +68: Stream indications received. */
    uint16_t layerId;        /* +72: Layer id given to flowDeleteFn. */
    uint16_t reason;         /* +74: Why the flow ended. (WK_FLOW_END_REASON_*) */
    uint32_t reserved0;      /* +76: Reserved: zero. */
} WK_FLOW_DELETED_RECORD;
WK_STATIC_ASSERT(sizeof(WK_FLOW_DELETED_RECORD) == 80, "WK_FLOW_DELETED_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, header) == 0, "WK_FLOW_DELETED_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->header) == 24, "WK_FLOW_DELETED_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, startTime) == 24, "WK_FLOW_DELETED_RECORD.startTime offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->startTime) == 8, "WK_FLOW_DELETED_RECORD.startTime size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, bytesOut) == 32, "WK_FLOW_DELETED_RECORD.bytesOut offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->bytesOut) == 8, "WK_FLOW_DELETED_RECORD.bytesOut size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, bytesIn) == 40, "WK_FLOW_DELETED_RECORD.bytesIn offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->bytesIn) == 8, "WK_FLOW_DELETED_RECORD.bytesIn size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, packetsTagged) == 48, "WK_FLOW_DELETED_RECORD.packetsTagged offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->packetsTagged) == 8, "WK_FLOW_DELETED_RECORD.packetsTagged size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, packetsDropped) == 56, "WK_FLOW_DELETED_RECORD.packetsDropped offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->packetsDropped) == 8, "WK_FLOW_DELETED_RECORD.packetsDropped size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, segmentsOut) == 64, "WK_FLOW_DELETED_RECORD.segmentsOut offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->segmentsOut) == 4, "WK_FLOW_DELETED_RECORD.segmentsOut size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, segmentsIn) == 68, "WK_FLOW_DELETED_RECORD.segmentsIn offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->segmentsIn) == 4, "WK_FLOW_DELETED_RECORD.segmentsIn size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, layerId) == 72, "WK_FLOW_DELETED_RECORD.layerId offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->layerId) == 2, "WK_FLOW_DELETED_RECORD.layerId size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, reason) == 74, "WK_FLOW_DELETED_RECORD.reason offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->reason) == 2, "WK_FLOW_DELETED_RECORD.reason size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_DELETED_RECORD, reserved0) == 76, "WK_FLOW_DELETED_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_DELETED_RECORD *)0)->reserved0) == 4, "WK_FLOW_DELETED_RECORD.reserved0 size");
#define WK_FLOW_DELETED_RECORD_MAX_SIZE 80u
#define WK_RECORD_TYPE_LOSS 7u
/* Events were lost before this record. header.timestamp is when the first loss it counts happened; a LOSS record still in the ring is updated in place by later drops. */
typedef struct WK_LOSS_RECORD {
    WK_RECORD_HEADER header; /* +0: Common header. */
    uint64_t lost;           /* +24: Events lost since the previous LOSS record of the same reason. */
    uint64_t totalLost;      /* +32: Events lost by this session for this reason since it opened. */
    uint32_t reason;         /* +40: What was lost. (WK_LOSS_REASON_*) */
    uint32_t reserved0;      /* +44: Reserved: zero. */
} WK_LOSS_RECORD;
WK_STATIC_ASSERT(sizeof(WK_LOSS_RECORD) == 48, "WK_LOSS_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_LOSS_RECORD, header) == 0, "WK_LOSS_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_LOSS_RECORD *)0)->header) == 24, "WK_LOSS_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_LOSS_RECORD, lost) == 24, "WK_LOSS_RECORD.lost offset");
WK_STATIC_ASSERT(sizeof(((WK_LOSS_RECORD *)0)->lost) == 8, "WK_LOSS_RECORD.lost size");
WK_STATIC_ASSERT(offsetof(WK_LOSS_RECORD, totalLost) == 32, "WK_LOSS_RECORD.totalLost offset");
WK_STATIC_ASSERT(sizeof(((WK_LOSS_RECORD *)0)->totalLost) == 8, "WK_LOSS_RECORD.totalLost size");
WK_STATIC_ASSERT(offsetof(WK_LOSS_RECORD, reason) == 40, "WK_LOSS_RECORD.reason offset");
WK_STATIC_ASSERT(sizeof(((WK_LOSS_RECORD *)0)->reason) == 4, "WK_LOSS_RECORD.reason size");
WK_STATIC_ASSERT(offsetof(WK_LOSS_RECORD, reserved0) == 44, "WK_LOSS_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_LOSS_RECORD *)0)->reserved0) == 4, "WK_LOSS_RECORD.reserved0 size");
#define WK_LOSS_RECORD_MAX_SIZE 48u
#define WK_RECORD_TYPE_FLOW_INFO 8u
/* A snapshot of an active flow of the session (LIST_FLOWS output). */
typedef struct WK_FLOW_INFO_RECORD {
    WK_RECORD_HEADER header;     /* +0: Common header; timestamp is when the snapshot was taken. */
    uint64_t processId;          /* +24: Process id from FLOW_ESTABLISHED. */
    uint64_t startTime;          /* +32: When the flow was established. */
    uint64_t bytesOut;           /* +40: Stream bytes sent so far. */
    uint64_t bytesIn;            /* +48: Stream bytes received so far. */
    uint64_t packetsTagged;      /* +56: Packets tagged so far. */
    WK_FLOW_ENDPOINTS endpoints; /* +64: The 5-tuple. */
    uint32_t segmentsOut;        /* +104: Stream indications sent so far. */
    uint32_t segmentsIn;         /* +108: Stream indications received so far. */
    uint8_t appProtocol;         /* +112: Protocol identified so far. (WK_APP_PROTOCOL_*) */
    uint8_t reserved0;           /* +113: Reserved: zero. */
    uint16_t appPathLength;      /* +114: Bytes of appPath. */
    uint32_t reserved1;          /* +116: Reserved: zero. */
} WK_FLOW_INFO_RECORD;
WK_STATIC_ASSERT(sizeof(WK_FLOW_INFO_RECORD) == 120, "WK_FLOW_INFO_RECORD size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, header) == 0, "WK_FLOW_INFO_RECORD.header offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->header) == 24, "WK_FLOW_INFO_RECORD.header size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, processId) == 24, "WK_FLOW_INFO_RECORD.processId offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->processId) == 8, "WK_FLOW_INFO_RECORD.processId size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, startTime) == 32, "WK_FLOW_INFO_RECORD.startTime offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->startTime) == 8, "WK_FLOW_INFO_RECORD.startTime size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, bytesOut) == 40, "WK_FLOW_INFO_RECORD.bytesOut offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->bytesOut) == 8, "WK_FLOW_INFO_RECORD.bytesOut size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, bytesIn) == 48, "WK_FLOW_INFO_RECORD.bytesIn offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->bytesIn) == 8, "WK_FLOW_INFO_RECORD.bytesIn size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, packetsTagged) == 56, "WK_FLOW_INFO_RECORD.packetsTagged offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->packetsTagged) == 8, "WK_FLOW_INFO_RECORD.packetsTagged size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, endpoints) == 64, "WK_FLOW_INFO_RECORD.endpoints offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->endpoints) == 40, "WK_FLOW_INFO_RECORD.endpoints size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, segmentsOut) == 104, "WK_FLOW_INFO_RECORD.segmentsOut offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->segmentsOut) == 4, "WK_FLOW_INFO_RECORD.segmentsOut size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, segmentsIn) == 108, "WK_FLOW_INFO_RECORD.segmentsIn offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->segmentsIn) == 4, "WK_FLOW_INFO_RECORD.segmentsIn size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, appProtocol) == 112, "WK_FLOW_INFO_RECORD.appProtocol offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->appProtocol) == 1, "WK_FLOW_INFO_RECORD.appProtocol size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, reserved0) == 113, "WK_FLOW_INFO_RECORD.reserved0 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->reserved0) == 1, "WK_FLOW_INFO_RECORD.reserved0 size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, appPathLength) == 114, "WK_FLOW_INFO_RECORD.appPathLength offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->appPathLength) == 2, "WK_FLOW_INFO_RECORD.appPathLength size");
WK_STATIC_ASSERT(offsetof(WK_FLOW_INFO_RECORD, reserved1) == 116, "WK_FLOW_INFO_RECORD.reserved1 offset");
WK_STATIC_ASSERT(sizeof(((WK_FLOW_INFO_RECORD *)0)->reserved1) == 4, "WK_FLOW_INFO_RECORD.reserved1 size");
#define WK_FLOW_INFO_RECORD_MAX_SIZE 2168u
#define WK_FLOW_INFO_APP_PATH_MAX 2048u /* utf16le, length in appPathLength: NT path of the application, UTF-16. */
/* The tail (appPath) follows the fixed part at offset 120, in that order, then zero padding to a multiple of 8.
 * Text members are cut on a character boundary when shortened (RECORD_FLAGS_TRUNCATED). */

/* ---- GUIDs (initialisers for a GUID: { Data1, Data2, Data3, { Data4 } }) ---- */
/* 3dee5b62-09a3-4483-bbf8-2d7690ad7696: FWPM provider key of wfpkit: every object wfpkit adds names it. */
#define WK_GUID_PROVIDER { 0x3dee5b62, 0x09a3, 0x4483, { 0xbb, 0xf8, 0x2d, 0x76, 0x90, 0xad, 0x76, 0x96 } }
/* ae88f1ea-e3fe-4341-a4a3-e9299ebaa570: FWPM sublayer key that holds wfpkit's filters. */
#define WK_GUID_SUBLAYER { 0xae88f1ea, 0xe3fe, 0x4341, { 0xa4, 0xa3, 0xe9, 0x29, 0x9e, 0xba, 0xa5, 0x70 } }
/* 24cbe3cf-4561-4b49-9fb9-165f3527ae37: Callout at FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4: associates the flow context. */
#define WK_GUID_CALLOUT_FLOW_ESTABLISHED_V4 { 0x24cbe3cf, 0x4561, 0x4b49, { 0x9f, 0xb9, 0x16, 0x5f, 0x35, 0x27, 0xae, 0x37 } }
/* 57ce4cac-8e6c-4069-a6ac-5869734f1810: Callout at FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6. */
#define WK_GUID_CALLOUT_FLOW_ESTABLISHED_V6 { 0x57ce4cac, 0x8e6c, 0x4069, { 0xa6, 0xac, 0x58, 0x69, 0x73, 0x4f, 0x18, 0x10 } }
/* a8361653-f600-4ecf-a7ee-5cd047b1d39a: Callout at FWPM_LAYER_STREAM_V4 (conditional on flow): stream inspection. */
#define WK_GUID_CALLOUT_STREAM_V4 { 0xa8361653, 0xf600, 0x4ecf, { 0xa7, 0xee, 0x5c, 0xd0, 0x47, 0xb1, 0xd3, 0x9a } }
/* 33082a39-c5bc-4fff-b741-9baa38337c6e: Callout at FWPM_LAYER_STREAM_V6 (conditional on flow). */
#define WK_GUID_CALLOUT_STREAM_V6 { 0x33082a39, 0xc5bc, 0x4fff, { 0xb7, 0x41, 0x9b, 0xaa, 0x38, 0x33, 0x7c, 0x6e } }
/* 8a1c57de-8817-43d2-8354-4aee0b16b688: Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V4: packet tagging. */
#define WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V4 { 0x8a1c57de, 0x8817, 0x43d2, { 0x83, 0x54, 0x4a, 0xee, 0x0b, 0x16, 0xb6, 0x88 } }
/* 7a439557-1fe7-456a-9ad3-98e7946a7db8: Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V6: packet tagging. */
#define WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V6 { 0x7a439557, 0x1fe7, 0x456a, { 0x9a, 0xd3, 0x98, 0xe7, 0x94, 0x6a, 0x7d, 0xb8 } }
/* c470d049-4fef-404f-bf98-8bd8dd18d5de: Callout at FWPM_LAYER_INBOUND_TRANSPORT_V4: packet tagging. */
#define WK_GUID_CALLOUT_INBOUND_TRANSPORT_V4 { 0xc470d049, 0x4fef, 0x404f, { 0xbf, 0x98, 0x8b, 0xd8, 0xdd, 0x18, 0xd5, 0xde } }
/* 62cd63f8-9fad-4ba5-92a8-c60641c64041: Callout at FWPM_LAYER_INBOUND_TRANSPORT_V6: packet tagging. */
#define WK_GUID_CALLOUT_INBOUND_TRANSPORT_V6 { 0x62cd63f8, 0x9fad, 0x4ba5, { 0x92, 0xa8, 0xc6, 0x06, 0x41, 0xc6, 0x40, 0x41 } }
/* ac23637a-5597-489f-b0f2-aea437091c96: Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V4: packet tagging. */
#define WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V4 { 0xac23637a, 0x5597, 0x489f, { 0xb0, 0xf2, 0xae, 0xa4, 0x37, 0x09, 0x1c, 0x96 } }
/* 2d73f9e3-6164-45cc-bf53-07fea881bc85: Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V6: packet tagging. */
#define WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V6 { 0x2d73f9e3, 0x6164, 0x45cc, { 0xbf, 0x53, 0x07, 0xfe, 0xa8, 0x81, 0xbc, 0x85 } }
/* 4daa7e78-1745-4233-ba29-ba550dd9d144: Callout at FWPM_LAYER_INBOUND_IPPACKET_V4: packet tagging. */
#define WK_GUID_CALLOUT_INBOUND_IPPACKET_V4 { 0x4daa7e78, 0x1745, 0x4233, { 0xba, 0x29, 0xba, 0x55, 0x0d, 0xd9, 0xd1, 0x44 } }
/* 524ad420-56b3-4162-8b20-0c3fc3874fb6: Callout at FWPM_LAYER_INBOUND_IPPACKET_V6: packet tagging. */
#define WK_GUID_CALLOUT_INBOUND_IPPACKET_V6 { 0x524ad420, 0x56b3, 0x4162, { 0x8b, 0x20, 0x0c, 0x3f, 0xc3, 0x87, 0x4f, 0xb6 } }
/* 2cbeaa8a-7264-4b33-92b7-9debe2b88fd0: Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V4_DISCARD { 0x2cbeaa8a, 0x7264, 0x4b33, { 0x92, 0xb7, 0x9d, 0xeb, 0xe2, 0xb8, 0x8f, 0xd0 } }
/* a8adbafd-388c-48c9-ace7-1e2c124c8c7e: Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_OUTBOUND_TRANSPORT_V6_DISCARD { 0xa8adbafd, 0x388c, 0x48c9, { 0xac, 0xe7, 0x1e, 0x2c, 0x12, 0x4c, 0x8c, 0x7e } }
/* dcece1ce-5921-4a28-9901-b16977ceb58e: Callout at FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_INBOUND_TRANSPORT_V4_DISCARD { 0xdcece1ce, 0x5921, 0x4a28, { 0x99, 0x01, 0xb1, 0x69, 0x77, 0xce, 0xb5, 0x8e } }
/* b891fa4b-0c23-4411-8418-93f72e73cbef: Callout at FWPM_LAYER_INBOUND_TRANSPORT_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_INBOUND_TRANSPORT_V6_DISCARD { 0xb891fa4b, 0x0c23, 0x4411, { 0x84, 0x18, 0x93, 0xf7, 0x2e, 0x73, 0xcb, 0xef } }
/* aae7b9dc-5220-4aa6-a998-00d84003826a: Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V4_DISCARD { 0xaae7b9dc, 0x5220, 0x4aa6, { 0xa9, 0x98, 0x00, 0xd8, 0x40, 0x03, 0x82, 0x6a } }
/* f0dbc2e4-0b98-452a-a278-8c09e00f9d4b: Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_OUTBOUND_IPPACKET_V6_DISCARD { 0xf0dbc2e4, 0x0b98, 0x452a, { 0xa2, 0x78, 0x8c, 0x09, 0xe0, 0x0f, 0x9d, 0x4b } }
/* dda2333b-2b0d-49dd-a620-f329f73319a0: Callout at FWPM_LAYER_INBOUND_IPPACKET_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_INBOUND_IPPACKET_V4_DISCARD { 0xdda2333b, 0x2b0d, 0x49dd, { 0xa6, 0x20, 0xf3, 0x29, 0xf7, 0x33, 0x19, 0xa0 } }
/* 1ae82c19-e3c8-4cd1-a139-202609be986b: Callout at FWPM_LAYER_INBOUND_IPPACKET_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
#define WK_GUID_CALLOUT_INBOUND_IPPACKET_V6_DISCARD { 0x1ae82c19, 0xe3c8, 0x4cd1, { 0xa1, 0x39, 0x20, 0x26, 0x09, 0xbe, 0x98, 0x6b } }

/* ---- Completion statuses and what user mode sees (GetLastError) ----
 * STATUS_OBJECT_NAME_NOT_FOUND (0xC0000034) -> ERROR_FILE_NOT_FOUND (2): The device does not exist: the wfpkit driver is not loaded.
 * STATUS_ACCESS_DENIED (0xC0000022) -> ERROR_ACCESS_DENIED (5): The device admits only SYSTEM and Administrators.
 * STATUS_INVALID_DEVICE_REQUEST (0xC0000010) -> ERROR_INVALID_FUNCTION (1): The driver does not know this IOCTL code.
 * STATUS_INFO_LENGTH_MISMATCH (0xC0000004) -> ERROR_BAD_LENGTH (24): The input buffer is not the size the IOCTL takes.
 * STATUS_INVALID_PARAMETER (0xC000000D) -> ERROR_INVALID_PARAMETER (87): A field of the request is out of range.
 * STATUS_BUFFER_TOO_SMALL (0xC0000023) -> ERROR_INSUFFICIENT_BUFFER (122): The output buffer is smaller than the IOCTL needs.
 * STATUS_INVALID_DEVICE_STATE (0xC0000184) -> ERROR_BAD_COMMAND (22): The session is in the wrong state for this request (for example SET_CONFIG while running, or START twice).
 * STATUS_REVISION_MISMATCH (0xC0000059) -> ERROR_REVISION_MISMATCH (1306): SessionConfig.structSize is not the size this driver knows.
 * STATUS_DEVICE_BUSY (0x80000011) -> ERROR_BUSY (170): A READ_EVENTS request is already pending on this session.
 * STATUS_CANCELLED (0xC0000120) -> ERROR_OPERATION_ABORTED (995): The pending request was cancelled (the handle closed or the I/O was cancelled).
 * STATUS_INSUFFICIENT_RESOURCES (0xC000009A) -> ERROR_NO_SYSTEM_RESOURCES (1450): The driver could not allocate memory, or MAX_SESSIONS sessions are already open.
 */

#endif /* WFPKIT_IOCTL_H */
