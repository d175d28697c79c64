// GENERATED from tools/contract/src/schema.ts by `npm run contract`. Do not edit by hand:
// a test fails when this file differs from what the schema generates.
/* eslint-disable */

/** Contract major version: a driver of another major version is refused. */
export const CONTRACT_VERSION_MAJOR = 1;
/** Contract minor version: additions that older clients can ignore. */
export const CONTRACT_VERSION_MINOR = 0;
/** Contract version as GET_VERSION reports it: major << 16 | minor. */
export const CONTRACT_VERSION = 65536;
/** CTL_CODE device type of every wfpkit IOCTL. */
export const DEVICE_TYPE = 0x8a57;

/** NT name of the control device the driver creates. */
export const DEVICE_NAME = "\\Device\\WfpKit";
/** Symbolic link the driver creates for user mode. */
export const SYMBOLIC_LINK = "\\DosDevices\\WfpKit";
/** Path user mode passes to CreateFileW to open a session. */
export const DEVICE_PATH = "\\\\.\\WfpKit";
/** Security descriptor of the device: SYSTEM and Administrators only. */
export const DEVICE_SDDL = "D:P(A;;GA;;;SY)(A;;GA;;;BA)";
/** Every record starts on a multiple of this many bytes and its size is a multiple of it. */
export const RECORD_ALIGNMENT = 8;
/** Most sessions (open handles) the driver serves at once; one more open fails. */
export const MAX_SESSIONS = 64;
/** Ring size of a session that never sent SET_CONFIG. */
export const DEFAULT_RING_BYTES = 1048576;
/** Smallest ring SET_CONFIG accepts. */
export const MIN_RING_BYTES = 65536;
/** Largest ring SET_CONFIG accepts. */
export const MAX_RING_BYTES = 67108864;
/** Smallest per-direction inspection budget SET_CONFIG accepts. */
export const MIN_INSPECT_BUDGET = 1;
/** Bytes of each direction of a flow the stream classifiers look at, by default. */
export const DEFAULT_INSPECT_BUDGET = 4096;
/** Largest per-direction inspection budget SET_CONFIG accepts. */
export const MAX_INSPECT_BUDGET = 65536;
/** Bytes of each tagged packet or stream indication copied into its record, by default (as pktmon). */
export const DEFAULT_SNAP_LEN = 128;
/** SessionConfig.flags of a session that never sent SET_CONFIG: INSPECT_STREAMS. */
export const DEFAULT_CONFIG_FLAGS = 1;
/** SessionConfig.tagLayers of a session that never sent SET_CONFIG: none. */
export const DEFAULT_TAG_LAYERS = 0;
/** Largest snap length SET_CONFIG accepts. */
export const MAX_SNAP_LEN = 2048;
/** Longest application path (UTF-16 bytes) a record carries; longer paths are cut and flagged TRUNCATED. */
export const MAX_APP_PATH_BYTES = 2048;
/** Largest record the driver writes. */
export const MAX_RECORD_BYTES = 2168;
/** Smallest READ_EVENTS output buffer: the result header plus one record of the largest size. */
export const MIN_READ_OUTPUT = 2144;
/** ReadRequest.timeoutMs value that waits until an event arrives, the session stops or the handle closes. */
export const WAIT_FOREVER = 4294967295;

/** What a record reports. (enumeration) */
export const EventType = {
  /** A flow of a monitored application reached FLOW_ESTABLISHED and got a flow context. */
  FLOW_ESTABLISHED: 1,
  /** A direction of a flow was identified by the stream classifiers (protocol and metadata). */
  FLOW_CLASSIFIED: 2,
  /** Stream data was indicated at the STREAM layer (counts and, if enabled, the first bytes). */
  STREAM_DATA: 3,
  /** A packet of a monitored flow was tagged at a transport or IP packet layer. */
  PACKET_TAGGED: 4,
  /** The NBL notify function reported an event for a tagged packet. */
  PACKET_NOTIFY: 5,
  /** A monitored flow ended (flowDeleteFn ran); carries the flow's totals. */
  FLOW_DELETED: 6,
  /** Records were dropped before this one because the ring was full, or packets went untagged. */
  LOSS: 7,
  /** A snapshot of an active flow, returned by LIST_FLOWS (never in the event ring). */
  FLOW_INFO: 8,
  /** A tagged packet reached a discard layer: WFP (or the stack) dropped it. */
  PACKET_DISCARDED: 9,
} as const;
/** A value of {@link EventType}. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Flags in RecordHeader.flags. (flag set: combine with |) */
export const RecordFlags = {
  /** A variable-length member was cut to fit the snap length or the record limit. */
  TRUNCATED: 0x1,
  /** The flow is IPv6. */
  IPV6: 0x2,
  /** The classification came from an incomplete or malformed opening (budget or stream ended, or a length was inconsistent): the metadata is what could be read. */
  PARTIAL: 0x4,
} as const;
/** A value of {@link RecordFlags}. */
export type RecordFlags = (typeof RecordFlags)[keyof typeof RecordFlags];

/** Direction, with the values FWP_DIRECTION uses. (enumeration) */
export const Direction = {
  /** Outbound: sent by the local host, or a flow it opened. */
  OUTBOUND: 0,
  /** Inbound: received by the local host, or a flow a remote peer opened. */
  INBOUND: 1,
} as const;
/** A value of {@link Direction}. */
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Application protocol identified by the stream classifiers. (enumeration) */
export const AppProtocol = {
  /** Not enough bytes seen yet. */
  UNCLASSIFIED: 0,
  /** Bytes seen match no known protocol (or the budget ran out). */
  UNKNOWN: 1,
  /** TLS (a ClientHello or ServerHello was seen). */
  TLS: 2,
  /** HTTP/1.x request or response. */
  HTTP1: 3,
  /** HTTP/2 with prior knowledge (client connection preface). */
  HTTP2: 4,
  /** SSH (identification banner). */
  SSH: 5,
} as const;
/** A value of {@link AppProtocol}. */
export type AppProtocol = (typeof AppProtocol)[keyof typeof AppProtocol];

/** FWPS_NET_BUFFER_LIST_EVENT_TYPE0: what the NBL notify function reports for a tagged packet. (enumeration) */
export const NblEventType = {
  /** The NBL entered TCP/IP (from NDIS or a WFP injection). */
  ENTERED_NETIO: 0,
  /** The stack cloned the NBL. */
  CLONED_BY_NETIO: 1,
  /** The NBL was cloned with FwpsAllocateCloneNetBufferList0. */
  CLONED_VIA_WFP_API: 2,
  /** The stack duplicated the NBL. */
  DUPLICATED_BY_NETIO: 3,
  /** The NBL is about to leave TCP/IP. */
  EXIT_NETIO: 4,
  /** The context was removed: the NBL left the context it was tagged for, or it was removed on request. */
  CONTEXT_REMOVED: 5,
  /** Send over the upper NDIS 802.3 layer completed. */
  NDIS_SEND_COMPLETE: 6,
  /** Receive over the upper NDIS 802.3 layer completed. */
  NDIS_RECV_COMPLETE: 7,
  /** Send at the miniport (native) layer completed (Windows 8+). */
  NDIS_NATIVE_SEND_COMPLETE: 8,
  /** Receive at the miniport (native) layer completed (Windows 8+). */
  NDIS_NATIVE_RECV_COMPLETE: 9,
  /** vSwitch ingress completed (Windows 8+). */
  NDIS_VSWITCH_INGRESS_COMPLETE: 10,
  /** vSwitch egress completed (Windows 8+). */
  NDIS_VSWITCH_EGRESS_COMPLETE: 11,
  /** NDIS cloned the NBL (Windows 8+). */
  CLONED_BY_NDIS: 12,
  /** The NBL was an IP fragment that was reassembled (Windows 8.1+). */
  REASSEMBLED_FRAGMENT: 13,
  /** Reassembly of the fragments completed (Windows 8.1+). */
  REASSEMBLY_COMPLETE: 14,
} as const;
/** A value of {@link NblEventType}. */
export type NblEventType = (typeof NblEventType)[keyof typeof NblEventType];

/** Flags of a PACKET_NOTIFY record. (flag set: combine with |) */
export const NotifyFlags = {
  /** The notify function was called with a NULL NBL (allowed for CONTEXT_REMOVED). */
  NBL_NULL: 0x1,
  /** The context was moved to the new NBL (retrieved with remove, associated on the clone); newContext names it. */
  CONTEXT_MOVED: 0x2,
  /** The context was copied to the new NBL (retrieved without remove, associated on the duplicate); newContext names it. */
  CONTEXT_COPIED: 0x4,
  /** Associating the context with the new NBL failed: that NBL is not followed. */
  FOLLOW_FAILED: 0x8,
} as const;
/** A value of {@link NotifyFlags}. */
export type NotifyFlags = (typeof NotifyFlags)[keyof typeof NotifyFlags];

/** What a session asks the driver to do (SessionConfig.flags). (flag set: combine with |) */
export const ConfigFlags = {
  /** Run the stream classifiers and emit FLOW_CLASSIFIED. */
  INSPECT_STREAMS: 0x1,
  /** Emit a STREAM_DATA record per indication. */
  STREAM_EVENTS: 0x2,
  /** Copy up to snapLen bytes of each indication into its STREAM_DATA record. */
  CAPTURE_STREAM_BYTES: 0x4,
  /** Tag packets at the layers in tagLayers and emit PACKET_TAGGED / PACKET_NOTIFY. */
  TAG_PACKETS: 0x8,
  /** Copy up to snapLen bytes of each tagged packet into its PACKET_TAGGED record. */
  CAPTURE_PACKET_BYTES: 0x10,
  /** Report tagged packets seen at the transport and IP packet discard layers as PACKET_DISCARDED. */
  REPORT_DISCARDS: 0x20,
} as const;
/** A value of {@link ConfigFlags}. */
export type ConfigFlags = (typeof ConfigFlags)[keyof typeof ConfigFlags];

/** Layers at which a session tags packets (SessionConfig.tagLayers). (flag set: combine with |) */
export const TagLayer = {
  /** FWPM_LAYER_OUTBOUND_TRANSPORT_V4. */
  OUTBOUND_TRANSPORT_V4: 0x1,
  /** FWPM_LAYER_OUTBOUND_TRANSPORT_V6. */
  OUTBOUND_TRANSPORT_V6: 0x2,
  /** FWPM_LAYER_INBOUND_TRANSPORT_V4. */
  INBOUND_TRANSPORT_V4: 0x4,
  /** FWPM_LAYER_INBOUND_TRANSPORT_V6. */
  INBOUND_TRANSPORT_V6: 0x8,
  /** FWPM_LAYER_OUTBOUND_IPPACKET_V4. */
  OUTBOUND_IPPACKET_V4: 0x10,
  /** FWPM_LAYER_OUTBOUND_IPPACKET_V6. */
  OUTBOUND_IPPACKET_V6: 0x20,
  /** FWPM_LAYER_INBOUND_IPPACKET_V4. */
  INBOUND_IPPACKET_V4: 0x40,
  /** FWPM_LAYER_INBOUND_IPPACKET_V6. */
  INBOUND_IPPACKET_V6: 0x80,
} as const;
/** A value of {@link TagLayer}. */
export type TagLayer = (typeof TagLayer)[keyof typeof TagLayer];

/** What the running driver supports (VersionInfo.features). (flag set: combine with |) */
export const FeatureFlags = {
  /** Packets are tagged with FwpsNetBufferListAssociateContext1 (Windows 8+); otherwise ...Context0. */
  ASSOCIATE_CONTEXT1: 0x1,
  /** Tagging at the IP packet layers is available. */
  IPPACKET_LAYERS: 0x2,
  /** The driver runs inside libwfpsim, not in a Windows kernel. */
  SIMULATED: 0x4,
} as const;
/** A value of {@link FeatureFlags}. */
export type FeatureFlags = (typeof FeatureFlags)[keyof typeof FeatureFlags];

/** State of a session. (enumeration) */
export const SessionState = {
  /** Open, not monitoring; SET_CONFIG is allowed. */
  IDLE: 0,
  /** Monitoring: events flow into the ring. */
  RUNNING: 1,
  /** Stopped after running; the ring can still be drained; START runs it again. */
  STOPPED: 2,
} as const;
/** A value of {@link SessionState}. */
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** Flags of a READ_EVENTS result. (flag set: combine with |) */
export const ReadFlags = {
  /** More records were in the ring than fitted the buffer. */
  MORE_AVAILABLE: 0x1,
  /** The session is not running: no more records come until START. */
  SESSION_STOPPED: 0x2,
  /** The wait ended by its timeout with no record. */
  TIMED_OUT: 0x4,
} as const;
/** A value of {@link ReadFlags}. */
export type ReadFlags = (typeof ReadFlags)[keyof typeof ReadFlags];

/** Flags of a LIST_FLOWS result. (flag set: combine with |) */
export const ListFlags = {
  /** More flows follow: call again with nextCursor. */
  MORE: 0x1,
} as const;
/** A value of {@link ListFlags}. */
export type ListFlags = (typeof ListFlags)[keyof typeof ListFlags];

/** Why a LOSS record was written. (enumeration) */
export const LossReason = {
  /** Records were dropped because the session ring was full. */
  RING_FULL: 1,
  /** Packets went untagged because the tag ledger was full. */
  LEDGER_FULL: 2,
  /** Flows went unmonitored because the flow table was full. */
  FLOW_TABLE_FULL: 3,
} as const;
/** A value of {@link LossReason}. */
export type LossReason = (typeof LossReason)[keyof typeof LossReason];

/** Why a FLOW_DELETED record was written. (enumeration) */
export const FlowEndReason = {
  /** WFP ended the flow and called flowDeleteFn. */
  FLOW_DELETE: 1,
  /** The driver removed the flow context while unloading. */
  UNLOAD: 2,
} as const;
/** A value of {@link FlowEndReason}. */
export type FlowEndReason = (typeof FlowEndReason)[keyof typeof FlowEndReason];

/** Name of each value of every enumeration and flag set, for display and decoding. */
export const VALUE_NAMES: { readonly [set: string]: { readonly [value: number]: string } } = {
  EventType: { 1: "FLOW_ESTABLISHED", 2: "FLOW_CLASSIFIED", 3: "STREAM_DATA", 4: "PACKET_TAGGED", 5: "PACKET_NOTIFY", 6: "FLOW_DELETED", 7: "LOSS", 8: "FLOW_INFO", 9: "PACKET_DISCARDED" },
  RecordFlags: { 1: "TRUNCATED", 2: "IPV6", 4: "PARTIAL" },
  Direction: { 0: "OUTBOUND", 1: "INBOUND" },
  AppProtocol: { 0: "UNCLASSIFIED", 1: "UNKNOWN", 2: "TLS", 3: "HTTP1", 4: "HTTP2", 5: "SSH" },
  NblEventType: { 0: "ENTERED_NETIO", 1: "CLONED_BY_NETIO", 2: "CLONED_VIA_WFP_API", 3: "DUPLICATED_BY_NETIO", 4: "EXIT_NETIO", 5: "CONTEXT_REMOVED", 6: "NDIS_SEND_COMPLETE", 7: "NDIS_RECV_COMPLETE", 8: "NDIS_NATIVE_SEND_COMPLETE", 9: "NDIS_NATIVE_RECV_COMPLETE", 10: "NDIS_VSWITCH_INGRESS_COMPLETE", 11: "NDIS_VSWITCH_EGRESS_COMPLETE", 12: "CLONED_BY_NDIS", 13: "REASSEMBLED_FRAGMENT", 14: "REASSEMBLY_COMPLETE" },
  NotifyFlags: { 1: "NBL_NULL", 2: "CONTEXT_MOVED", 4: "CONTEXT_COPIED", 8: "FOLLOW_FAILED" },
  ConfigFlags: { 1: "INSPECT_STREAMS", 2: "STREAM_EVENTS", 4: "CAPTURE_STREAM_BYTES", 8: "TAG_PACKETS", 16: "CAPTURE_PACKET_BYTES", 32: "REPORT_DISCARDS" },
  TagLayer: { 1: "OUTBOUND_TRANSPORT_V4", 2: "OUTBOUND_TRANSPORT_V6", 4: "INBOUND_TRANSPORT_V4", 8: "INBOUND_TRANSPORT_V6", 16: "OUTBOUND_IPPACKET_V4", 32: "OUTBOUND_IPPACKET_V6", 64: "INBOUND_IPPACKET_V4", 128: "INBOUND_IPPACKET_V6" },
  FeatureFlags: { 1: "ASSOCIATE_CONTEXT1", 2: "IPPACKET_LAYERS", 4: "SIMULATED" },
  SessionState: { 0: "IDLE", 1: "RUNNING", 2: "STOPPED" },
  ReadFlags: { 1: "MORE_AVAILABLE", 2: "SESSION_STOPPED", 4: "TIMED_OUT" },
  ListFlags: { 1: "MORE" },
  LossReason: { 1: "RING_FULL", 2: "LEDGER_FULL", 3: "FLOW_TABLE_FULL" },
  FlowEndReason: { 1: "FLOW_DELETE", 2: "UNLOAD" },
};

/** How an IOCTL moves its buffers (METHOD_*). */
export type TransferMethod = 'BUFFERED' | 'IN_DIRECT' | 'OUT_DIRECT' | 'NEITHER';

/** Everything the contract says about one IOCTL. */
export interface IoctlDescriptor {
  /** Name without the IOCTL_WFPKIT_ prefix. */
  readonly name: string;
  /** The 32-bit control code passed to DeviceIoControl. */
  readonly code: number;
  /** CTL_CODE function number. */
  readonly function: number;
  /** CTL_CODE transfer method. */
  readonly method: TransferMethod;
  /** CTL_CODE required access. */
  readonly access: 'ANY' | 'READ' | 'WRITE' | 'READ_WRITE';
  /** 'session': acts on the handle's session; 'global': driver-wide; 'both': reports both. */
  readonly scope: 'session' | 'global' | 'both';
  /** Exact input size in bytes (0 = no input). */
  readonly inputSize: number;
  /** Input struct name, if any. */
  readonly input: string | null;
  /** Fixed output struct name, if any. */
  readonly output: string | null;
  /** Smallest output buffer accepted. */
  readonly minOutput: number;
  /** Record kinds that follow the fixed output. */
  readonly outputRecords: readonly string[];
  /** What it does. */
  readonly doc: string;
  /** Win32 errors it can fail with (see {@link CONTRACT_ERRORS}). */
  readonly errors: readonly Win32ErrorName[];
}

/** Every IOCTL of the contract, by name. */
export const IOCTLS = {
  /** Reports the contract version and limits. The client calls it first and refuses a driver of another major version. */
  GET_VERSION: { name: "GET_VERSION", code: 0x8a572000, function: 0x800, method: "BUFFERED", access: "ANY", scope: "global", inputSize: 0, input: null, output: "VersionInfo", minOutput: 32, outputRecords: [], doc: "Reports the contract version and limits. The client calls it first and refuses a driver of another major version.", errors: ["ERROR_INSUFFICIENT_BUFFER"] },
  /** Reports the handle's session: id, state, the scope key for its filters, its configuration. */
  GET_SESSION: { name: "GET_SESSION", code: 0x8a576004, function: 0x801, method: "BUFFERED", access: "READ", scope: "session", inputSize: 0, input: null, output: "SessionInfo", minOutput: 48, outputRecords: [], doc: "Reports the handle's session: id, state, the scope key for its filters, its configuration.", errors: ["ERROR_INSUFFICIENT_BUFFER"] },
  /** Configures the handle's session (budget, ring size, snap length, tag layers). Allowed only while the session is not running; resizing the ring discards its records (counted as dropped). */
  SET_CONFIG: { name: "SET_CONFIG", code: 0x8a57e008, function: 0x802, method: "BUFFERED", access: "READ_WRITE", scope: "session", inputSize: 24, input: "SessionConfig", output: null, minOutput: 0, outputRecords: [], doc: "Configures the handle's session (budget, ring size, snap length, tag layers). Allowed only while the session is not running; resizing the ring discards its records (counted as dropped).", errors: ["ERROR_BAD_LENGTH", "ERROR_REVISION_MISMATCH", "ERROR_INVALID_PARAMETER", "ERROR_BAD_COMMAND", "ERROR_NO_SYSTEM_RESOURCES"] },
  /** Starts monitoring: flows matched by the session's filters now produce events. Starting a running session is refused. */
  START: { name: "START", code: 0x8a57e00c, function: 0x803, method: "BUFFERED", access: "READ_WRITE", scope: "session", inputSize: 0, input: null, output: null, minOutput: 0, outputRecords: [], doc: "Starts monitoring: flows matched by the session's filters now produce events. Starting a running session is refused.", errors: ["ERROR_BAD_COMMAND"] },
  /** Stops monitoring; a pending READ_EVENTS completes with what the ring holds and SESSION_STOPPED. Stopping a session that is not running is refused. */
  STOP: { name: "STOP", code: 0x8a57e010, function: 0x804, method: "BUFFERED", access: "READ_WRITE", scope: "session", inputSize: 0, input: null, output: null, minOutput: 0, outputRecords: [], doc: "Stops monitoring; a pending READ_EVENTS completes with what the ring holds and SESSION_STOPPED. Stopping a session that is not running is refused.", errors: ["ERROR_BAD_COMMAND"] },
  /** Moves as many whole records as fit from the session ring into the output. When the ring is empty the request pends until a record arrives, the timeout passes, STOP, or the handle closes (cancel-safe). Only one read may pend per session. */
  READ_EVENTS: { name: "READ_EVENTS", code: 0x8a576016, function: 0x805, method: "OUT_DIRECT", access: "READ", scope: "session", inputSize: 8, input: "ReadRequest", output: "ReadResult", minOutput: 2144, outputRecords: ["FLOW_ESTABLISHED", "FLOW_CLASSIFIED", "STREAM_DATA", "PACKET_TAGGED", "PACKET_NOTIFY", "PACKET_DISCARDED", "FLOW_DELETED", "LOSS"], doc: "Moves as many whole records as fit from the session ring into the output. When the ring is empty the request pends until a record arrives, the timeout passes, STOP, or the handle closes (cancel-safe). Only one read may pend per session.", errors: ["ERROR_BAD_LENGTH", "ERROR_INSUFFICIENT_BUFFER", "ERROR_BUSY", "ERROR_OPERATION_ABORTED"] },
  /** Reports the handle's session counters and the driver-wide counters. */
  GET_COUNTERS: { name: "GET_COUNTERS", code: 0x8a576018, function: 0x806, method: "BUFFERED", access: "READ", scope: "both", inputSize: 0, input: null, output: "Counters", minOutput: 208, outputRecords: [], doc: "Reports the handle's session counters and the driver-wide counters.", errors: ["ERROR_INSUFFICIENT_BUFFER"] },
  /** Lists the session's active flows as FLOW_INFO records, a page at a time. */
  LIST_FLOWS: { name: "LIST_FLOWS", code: 0x8a57601e, function: 0x807, method: "OUT_DIRECT", access: "READ", scope: "session", inputSize: 16, input: "ListFlowsRequest", output: "ListFlowsResult", minOutput: 2192, outputRecords: ["FLOW_INFO"], doc: "Lists the session's active flows as FLOW_INFO records, a page at a time.", errors: ["ERROR_BAD_LENGTH", "ERROR_INSUFFICIENT_BUFFER", "ERROR_INVALID_PARAMETER"] },
} as const satisfies { readonly [name: string]: IoctlDescriptor };
/** Name of an IOCTL of the contract. */
export type IoctlName = keyof typeof IOCTLS;
/** Every IOCTL of the contract, by control code. */
export const IOCTL_BY_CODE: ReadonlyMap<number, IoctlDescriptor> = new Map(Object.values(IOCTLS).map((d) => [d.code, d]));

/** A completion status of the driver and the Win32 error user mode sees for it. */
export interface ContractErrorInfo {
  /** Win32 error name (what GetLastError means). */
  readonly name: string;
  /** Win32 error number. */
  readonly win32: number;
  /** NTSTATUS name the driver completes with. */
  readonly ntstatusName: string;
  /** NTSTATUS value. */
  readonly ntstatus: number;
  /** What it means for this driver. */
  readonly meaning: string;
  /** What to do about it. */
  readonly fix: string;
}

/** Every error the driver reports, with its meaning and fix. */
export const CONTRACT_ERRORS = [
  { name: "ERROR_FILE_NOT_FOUND", win32: 2, ntstatusName: "STATUS_OBJECT_NAME_NOT_FOUND", ntstatus: 0xc0000034, meaning: "The device does not exist: the wfpkit driver is not loaded.", fix: "Install and start the driver: run `monitor-cli driver install` from an elevated prompt." },
  { name: "ERROR_ACCESS_DENIED", win32: 5, ntstatusName: "STATUS_ACCESS_DENIED", ntstatus: 0xc0000022, meaning: "The device admits only SYSTEM and Administrators.", fix: "Run from an elevated prompt (Run as administrator)." },
  { name: "ERROR_INVALID_FUNCTION", win32: 1, ntstatusName: "STATUS_INVALID_DEVICE_REQUEST", ntstatus: 0xc0000010, meaning: "The driver does not know this IOCTL code.", fix: "The client and driver contracts differ: install the driver that ships with this client version." },
  { name: "ERROR_BAD_LENGTH", win32: 24, ntstatusName: "STATUS_INFO_LENGTH_MISMATCH", ntstatus: 0xc0000004, meaning: "The input buffer is not the size the IOCTL takes.", fix: "Send the request struct the contract defines, of exactly its size." },
  { name: "ERROR_INVALID_PARAMETER", win32: 87, ntstatusName: "STATUS_INVALID_PARAMETER", ntstatus: 0xc000000d, meaning: "A field of the request is out of range.", fix: "Check the request against the limits GET_VERSION reports." },
  { name: "ERROR_INSUFFICIENT_BUFFER", win32: 122, ntstatusName: "STATUS_BUFFER_TOO_SMALL", ntstatus: 0xc0000023, meaning: "The output buffer is smaller than the IOCTL needs.", fix: "Pass an output buffer of at least the minimum size the contract gives for this IOCTL." },
  { name: "ERROR_BAD_COMMAND", win32: 22, ntstatusName: "STATUS_INVALID_DEVICE_STATE", ntstatus: 0xc0000184, meaning: "The session is in the wrong state for this request (for example SET_CONFIG while running, or START twice).", fix: "Stop the session before changing its configuration; start it only once." },
  { name: "ERROR_REVISION_MISMATCH", win32: 1306, ntstatusName: "STATUS_REVISION_MISMATCH", ntstatus: 0xc0000059, meaning: "SessionConfig.structSize is not the size this driver knows.", fix: "Use the client built from the same contract version as the driver." },
  { name: "ERROR_BUSY", win32: 170, ntstatusName: "STATUS_DEVICE_BUSY", ntstatus: 0x80000011, meaning: "A READ_EVENTS request is already pending on this session.", fix: "Read events from one place per session; wait for the pending read to complete." },
  { name: "ERROR_OPERATION_ABORTED", win32: 995, ntstatusName: "STATUS_CANCELLED", ntstatus: 0xc0000120, meaning: "The pending request was cancelled (the handle closed or the I/O was cancelled).", fix: "Nothing: this is how a pending read ends when its session closes." },
  { name: "ERROR_NO_SYSTEM_RESOURCES", win32: 1450, ntstatusName: "STATUS_INSUFFICIENT_RESOURCES", ntstatus: 0xc000009a, meaning: "The driver could not allocate memory, or MAX_SESSIONS sessions are already open.", fix: "Close other monitoring sessions or ask for a smaller ring." },
] as const satisfies readonly ContractErrorInfo[];
/** Name of a Win32 error the driver reports. */
export type Win32ErrorName = (typeof CONTRACT_ERRORS)[number]['name'];
/** Every error of {@link CONTRACT_ERRORS}, by Win32 error number. */
export const CONTRACT_ERROR_BY_WIN32: ReadonlyMap<number, ContractErrorInfo> = new Map(CONTRACT_ERRORS.map((e) => [e.win32, e]));

/** GUIDs of wfpkit's WFP objects (provider, sublayer, callouts), lower-case, without braces. */
export const GUIDS = {
  /** FWPM provider key of wfpkit: every object wfpkit adds names it. */
  PROVIDER: "3dee5b62-09a3-4483-bbf8-2d7690ad7696",
  /** FWPM sublayer key that holds wfpkit's filters. */
  SUBLAYER: "ae88f1ea-e3fe-4341-a4a3-e9299ebaa570",
  /** Callout at FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4: associates the flow context. */
  CALLOUT_FLOW_ESTABLISHED_V4: "24cbe3cf-4561-4b49-9fb9-165f3527ae37",
  /** Callout at FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6. */
  CALLOUT_FLOW_ESTABLISHED_V6: "57ce4cac-8e6c-4069-a6ac-5869734f1810",
  /** Callout at FWPM_LAYER_STREAM_V4 (conditional on flow): stream inspection. */
  CALLOUT_STREAM_V4: "a8361653-f600-4ecf-a7ee-5cd047b1d39a",
  /** Callout at FWPM_LAYER_STREAM_V6 (conditional on flow). */
  CALLOUT_STREAM_V6: "33082a39-c5bc-4fff-b741-9baa38337c6e",
  /** Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V4: packet tagging. */
  CALLOUT_OUTBOUND_TRANSPORT_V4: "8a1c57de-8817-43d2-8354-4aee0b16b688",
  /** Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V6: packet tagging. */
  CALLOUT_OUTBOUND_TRANSPORT_V6: "7a439557-1fe7-456a-9ad3-98e7946a7db8",
  /** Callout at FWPM_LAYER_INBOUND_TRANSPORT_V4: packet tagging. */
  CALLOUT_INBOUND_TRANSPORT_V4: "c470d049-4fef-404f-bf98-8bd8dd18d5de",
  /** Callout at FWPM_LAYER_INBOUND_TRANSPORT_V6: packet tagging. */
  CALLOUT_INBOUND_TRANSPORT_V6: "62cd63f8-9fad-4ba5-92a8-c60641c64041",
  /** Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V4: packet tagging. */
  CALLOUT_OUTBOUND_IPPACKET_V4: "ac23637a-5597-489f-b0f2-aea437091c96",
  /** Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V6: packet tagging. */
  CALLOUT_OUTBOUND_IPPACKET_V6: "2d73f9e3-6164-45cc-bf53-07fea881bc85",
  /** Callout at FWPM_LAYER_INBOUND_IPPACKET_V4: packet tagging. */
  CALLOUT_INBOUND_IPPACKET_V4: "4daa7e78-1745-4233-ba29-ba550dd9d144",
  /** Callout at FWPM_LAYER_INBOUND_IPPACKET_V6: packet tagging. */
  CALLOUT_INBOUND_IPPACKET_V6: "524ad420-56b3-4162-8b20-0c3fc3874fb6",
  /** Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_OUTBOUND_TRANSPORT_V4_DISCARD: "2cbeaa8a-7264-4b33-92b7-9debe2b88fd0",
  /** Callout at FWPM_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_OUTBOUND_TRANSPORT_V6_DISCARD: "a8adbafd-388c-48c9-ace7-1e2c124c8c7e",
  /** Callout at FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_INBOUND_TRANSPORT_V4_DISCARD: "dcece1ce-5921-4a28-9901-b16977ceb58e",
  /** Callout at FWPM_LAYER_INBOUND_TRANSPORT_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_INBOUND_TRANSPORT_V6_DISCARD: "b891fa4b-0c23-4411-8418-93f72e73cbef",
  /** Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_OUTBOUND_IPPACKET_V4_DISCARD: "aae7b9dc-5220-4aa6-a998-00d84003826a",
  /** Callout at FWPM_LAYER_OUTBOUND_IPPACKET_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_OUTBOUND_IPPACKET_V6_DISCARD: "f0dbc2e4-0b98-452a-a278-8c09e00f9d4b",
  /** Callout at FWPM_LAYER_INBOUND_IPPACKET_V4_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_INBOUND_IPPACKET_V4_DISCARD: "dda2333b-2b0d-49dd-a620-f329f73319a0",
  /** Callout at FWPM_LAYER_INBOUND_IPPACKET_V6_DISCARD: reports tagged packets that were dropped (REPORT_DISCARDS). */
  CALLOUT_INBOUND_IPPACKET_V6_DISCARD: "1ae82c19-e3c8-4cd1-a139-202609be986b",
} as const;

/** Where one field sits in a struct. */
export interface FieldLayout {
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
  /** Integer type, fixed byte array, or nested struct. */
  readonly type: 'u8' | 'u16' | 'u32' | 'u64' | 'bytes' | 'struct';
  /** Name of the nested struct. */
  readonly struct?: string;
}

/** Where every field of a struct sits, and its size. */
export interface StructLayout {
  /** sizeof the struct (fixed part, for records). */
  readonly size: number;
  /** Every field, reserved ones included. */
  readonly fields: { readonly [field: string]: FieldLayout };
}

/** Byte layout of every struct and record of the contract (the C header asserts the same numbers). */
export const LAYOUTS: { readonly [struct: string]: StructLayout } = {
  RecordHeader: {
    size: 24,
    fields: {
      type: { offset: 0, size: 2, type: "u16" },
      flags: { offset: 2, size: 2, type: "u16" },
      size: { offset: 4, size: 4, type: "u32" },
      timestamp: { offset: 8, size: 8, type: "u64" },
      flowId: { offset: 16, size: 8, type: "u64" },
    },
  },
  FlowEndpoints: {
    size: 40,
    fields: {
      ipVersion: { offset: 0, size: 1, type: "u8" },
      ipProtocol: { offset: 1, size: 1, type: "u8" },
      direction: { offset: 2, size: 1, type: "u8" },
      reserved0: { offset: 3, size: 1, type: "u8" },
      localPort: { offset: 4, size: 2, type: "u16" },
      remotePort: { offset: 6, size: 2, type: "u16" },
      localAddress: { offset: 8, size: 16, type: "bytes" },
      remoteAddress: { offset: 24, size: 16, type: "bytes" },
    },
  },
  VersionInfo: {
    size: 32,
    fields: {
      contractVersion: { offset: 0, size: 4, type: "u32" },
      driverVersion: { offset: 4, size: 4, type: "u32" },
      features: { offset: 8, size: 4, type: "u32" },
      maxSessions: { offset: 12, size: 4, type: "u32" },
      minRingBytes: { offset: 16, size: 4, type: "u32" },
      maxRingBytes: { offset: 20, size: 4, type: "u32" },
      maxInspectBudget: { offset: 24, size: 4, type: "u32" },
      maxSnapLen: { offset: 28, size: 4, type: "u32" },
    },
  },
  SessionConfig: {
    size: 24,
    fields: {
      structSize: { offset: 0, size: 4, type: "u32" },
      flags: { offset: 4, size: 4, type: "u32" },
      inspectBudget: { offset: 8, size: 4, type: "u32" },
      ringBytes: { offset: 12, size: 4, type: "u32" },
      snapLen: { offset: 16, size: 4, type: "u32" },
      tagLayers: { offset: 20, size: 4, type: "u32" },
    },
  },
  SessionInfo: {
    size: 48,
    fields: {
      sessionId: { offset: 0, size: 4, type: "u32" },
      state: { offset: 4, size: 4, type: "u32" },
      scopeKey: { offset: 8, size: 8, type: "u64" },
      config: { offset: 16, size: 24, type: "struct", struct: "SessionConfig" },
      reserved0: { offset: 40, size: 4, type: "u32" },
      reserved1: { offset: 44, size: 4, type: "u32" },
    },
  },
  ReadRequest: {
    size: 8,
    fields: {
      timeoutMs: { offset: 0, size: 4, type: "u32" },
      maxRecords: { offset: 4, size: 4, type: "u32" },
    },
  },
  ReadResult: {
    size: 16,
    fields: {
      recordCount: { offset: 0, size: 4, type: "u32" },
      bytesUsed: { offset: 4, size: 4, type: "u32" },
      flags: { offset: 8, size: 4, type: "u32" },
      reserved0: { offset: 12, size: 4, type: "u32" },
    },
  },
  SessionCounters: {
    size: 88,
    fields: {
      eventsProduced: { offset: 0, size: 8, type: "u64" },
      eventsDelivered: { offset: 8, size: 8, type: "u64" },
      eventsDropped: { offset: 16, size: 8, type: "u64" },
      readsCompleted: { offset: 24, size: 8, type: "u64" },
      flowsMatched: { offset: 32, size: 8, type: "u64" },
      packetsTagged: { offset: 40, size: 8, type: "u64" },
      notifyEvents: { offset: 48, size: 8, type: "u64" },
      packetsUntagged: { offset: 56, size: 8, type: "u64" },
      ringBytes: { offset: 64, size: 4, type: "u32" },
      ringUsed: { offset: 68, size: 4, type: "u32" },
      ringHighWater: { offset: 72, size: 4, type: "u32" },
      recordsInRing: { offset: 76, size: 4, type: "u32" },
      flowsActive: { offset: 80, size: 4, type: "u32" },
      reserved0: { offset: 84, size: 4, type: "u32" },
    },
  },
  GlobalCounters: {
    size: 120,
    fields: {
      flowsTotal: { offset: 0, size: 8, type: "u64" },
      classifyCalls: { offset: 8, size: 8, type: "u64" },
      streamBytesInspected: { offset: 16, size: 8, type: "u64" },
      packetsTagged: { offset: 24, size: 8, type: "u64" },
      packetsUntagged: { offset: 32, size: 8, type: "u64" },
      notifyEvents: { offset: 40, size: 8, type: "u64" },
      tagsRetired: { offset: 48, size: 8, type: "u64" },
      flowsUnmonitored: { offset: 56, size: 8, type: "u64" },
      contextFailures: { offset: 64, size: 8, type: "u64" },
      flowsNotInspected: { offset: 72, size: 8, type: "u64" },
      appPathsRefused: { offset: 80, size: 8, type: "u64" },
      staleContexts: { offset: 88, size: 8, type: "u64" },
      sessionsOpen: { offset: 96, size: 4, type: "u32" },
      flowsActive: { offset: 100, size: 4, type: "u32" },
      flowTableCapacity: { offset: 104, size: 4, type: "u32" },
      tagsInFlight: { offset: 108, size: 4, type: "u32" },
      ledgerCapacity: { offset: 112, size: 4, type: "u32" },
      reserved0: { offset: 116, size: 4, type: "u32" },
    },
  },
  Counters: {
    size: 208,
    fields: {
      session: { offset: 0, size: 88, type: "struct", struct: "SessionCounters" },
      global: { offset: 88, size: 120, type: "struct", struct: "GlobalCounters" },
    },
  },
  ListFlowsRequest: {
    size: 16,
    fields: {
      cursor: { offset: 0, size: 8, type: "u64" },
      maxFlows: { offset: 8, size: 4, type: "u32" },
      reserved0: { offset: 12, size: 4, type: "u32" },
    },
  },
  ListFlowsResult: {
    size: 24,
    fields: {
      flowCount: { offset: 0, size: 4, type: "u32" },
      flags: { offset: 4, size: 4, type: "u32" },
      nextCursor: { offset: 8, size: 8, type: "u64" },
      bytesUsed: { offset: 16, size: 4, type: "u32" },
      reserved0: { offset: 20, size: 4, type: "u32" },
    },
  },
  FlowEstablishedRecord: {
    size: 80,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      processId: { offset: 24, size: 8, type: "u64" },
      endpoints: { offset: 32, size: 40, type: "struct", struct: "FlowEndpoints" },
      layerId: { offset: 72, size: 2, type: "u16" },
      appPathLength: { offset: 74, size: 2, type: "u16" },
      reserved0: { offset: 76, size: 4, type: "u32" },
    },
  },
  FlowClassifiedRecord: {
    size: 48,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      appProtocol: { offset: 24, size: 1, type: "u8" },
      direction: { offset: 25, size: 1, type: "u8" },
      tlsVersion: { offset: 26, size: 2, type: "u16" },
      httpStatus: { offset: 28, size: 2, type: "u16" },
      sniLength: { offset: 30, size: 2, type: "u16" },
      alpnLength: { offset: 32, size: 2, type: "u16" },
      hostLength: { offset: 34, size: 2, type: "u16" },
      methodLength: { offset: 36, size: 2, type: "u16" },
      pathLength: { offset: 38, size: 2, type: "u16" },
      bannerLength: { offset: 40, size: 2, type: "u16" },
      reserved0: { offset: 42, size: 2, type: "u16" },
      reserved1: { offset: 44, size: 4, type: "u32" },
    },
  },
  StreamDataRecord: {
    size: 48,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      streamOffset: { offset: 24, size: 8, type: "u64" },
      indicatedLength: { offset: 32, size: 4, type: "u32" },
      streamFlags: { offset: 36, size: 4, type: "u32" },
      direction: { offset: 40, size: 1, type: "u8" },
      reserved0: { offset: 41, size: 1, type: "u8" },
      dataLength: { offset: 42, size: 2, type: "u16" },
      reserved1: { offset: 44, size: 4, type: "u32" },
    },
  },
  PacketTaggedRecord: {
    size: 48,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      context: { offset: 24, size: 8, type: "u64" },
      packetLength: { offset: 32, size: 4, type: "u32" },
      sequence: { offset: 36, size: 4, type: "u32" },
      layerId: { offset: 40, size: 2, type: "u16" },
      direction: { offset: 42, size: 1, type: "u8" },
      ipVersion: { offset: 43, size: 1, type: "u8" },
      snapLength: { offset: 44, size: 2, type: "u16" },
      reserved0: { offset: 46, size: 2, type: "u16" },
    },
  },
  PacketNotifyRecord: {
    size: 48,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      context: { offset: 24, size: 8, type: "u64" },
      newContext: { offset: 32, size: 8, type: "u64" },
      eventType: { offset: 40, size: 2, type: "u16" },
      layerId: { offset: 42, size: 2, type: "u16" },
      notifyFlags: { offset: 44, size: 2, type: "u16" },
      reserved0: { offset: 46, size: 2, type: "u16" },
    },
  },
  PacketDiscardedRecord: {
    size: 56,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      context: { offset: 24, size: 8, type: "u64" },
      discardModule: { offset: 32, size: 4, type: "u32" },
      discardReason: { offset: 36, size: 4, type: "u32" },
      filterId: { offset: 40, size: 8, type: "u64" },
      layerId: { offset: 48, size: 2, type: "u16" },
      direction: { offset: 50, size: 1, type: "u8" },
      reserved0: { offset: 51, size: 1, type: "u8" },
      reserved1: { offset: 52, size: 4, type: "u32" },
    },
  },
  FlowDeletedRecord: {
    size: 80,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      startTime: { offset: 24, size: 8, type: "u64" },
      bytesOut: { offset: 32, size: 8, type: "u64" },
      bytesIn: { offset: 40, size: 8, type: "u64" },
      packetsTagged: { offset: 48, size: 8, type: "u64" },
      packetsDropped: { offset: 56, size: 8, type: "u64" },
      segmentsOut: { offset: 64, size: 4, type: "u32" },
      segmentsIn: { offset: 68, size: 4, type: "u32" },
      layerId: { offset: 72, size: 2, type: "u16" },
      reason: { offset: 74, size: 2, type: "u16" },
      reserved0: { offset: 76, size: 4, type: "u32" },
    },
  },
  LossRecord: {
    size: 48,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      lost: { offset: 24, size: 8, type: "u64" },
      totalLost: { offset: 32, size: 8, type: "u64" },
      reason: { offset: 40, size: 4, type: "u32" },
      reserved0: { offset: 44, size: 4, type: "u32" },
    },
  },
  FlowInfoRecord: {
    size: 120,
    fields: {
      header: { offset: 0, size: 24, type: "struct", struct: "RecordHeader" },
      processId: { offset: 24, size: 8, type: "u64" },
      startTime: { offset: 32, size: 8, type: "u64" },
      bytesOut: { offset: 40, size: 8, type: "u64" },
      bytesIn: { offset: 48, size: 8, type: "u64" },
      packetsTagged: { offset: 56, size: 8, type: "u64" },
      endpoints: { offset: 64, size: 40, type: "struct", struct: "FlowEndpoints" },
      segmentsOut: { offset: 104, size: 4, type: "u32" },
      segmentsIn: { offset: 108, size: 4, type: "u32" },
      appProtocol: { offset: 112, size: 1, type: "u8" },
      reserved0: { offset: 113, size: 1, type: "u8" },
      appPathLength: { offset: 114, size: 2, type: "u16" },
      reserved1: { offset: 116, size: 4, type: "u32" },
    },
  },
};

/** A record or struct could not be decoded: the bytes are not what the contract says. */
export class RecordDecodeError extends RangeError {
  override name = 'RecordDecodeError';
  /** Stable error code. */
  readonly code = 'WFPKIT_RECORD_DECODE';
  constructor(
    /** The struct or record being decoded. */
    readonly struct: string,
    /** Byte offset of the struct in the view. */
    readonly offset: number,
    detail: string,
  ) {
    super(`cannot decode ${struct} at offset ${offset}: ${detail}`);
  }
}

/** A value could not be encoded: a field is out of range, a tail too long, or the target too small. */
export class RecordEncodeError extends RangeError {
  override name = 'RecordEncodeError';
  /** Stable error code. */
  readonly code = 'WFPKIT_RECORD_ENCODE';
  constructor(
    /** The struct, record or field being encoded. */
    readonly where: string,
    detail: string,
  ) {
    super(`cannot encode ${where}: ${detail}`);
  }
}

function need(view: DataView, offset: number, size: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > view.byteLength) {
    throw new RecordDecodeError(what, offset, `needs ${size} bytes but the view has ${Math.max(0, view.byteLength - offset)}`);
  }
}

function room(view: DataView, offset: number, size: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > view.byteLength) {
    throw new RecordEncodeError(what, `needs ${size} bytes at offset ${offset} but the view has ${Math.max(0, view.byteLength - offset)}`);
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function checkUint(value: number, bits: number, where: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) throw new RecordEncodeError(where, `must be an integer in 0..${2 ** bits - 1}, got ${value}`);
  return value;
}

function checkU64(value: bigint, where: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) throw new RecordEncodeError(where, `must be a bigint in 0..2^64-1, got ${String(value)}`);
  return value;
}

function zero(view: DataView, offset: number, length: number): void {
  new Uint8Array(view.buffer, view.byteOffset + offset, length).fill(0);
}

function readBytes(view: DataView, offset: number, length: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length).slice();
}

const utf8Decoder = new TextDecoder('utf-8');
const utf16Decoder = new TextDecoder('utf-16le');
const utf8Encoder = new TextEncoder();

function readUtf8(view: DataView, offset: number, length: number): string {
  return utf8Decoder.decode(new Uint8Array(view.buffer, view.byteOffset + offset, length));
}

function readUtf16(view: DataView, offset: number, length: number): string {
  return utf16Decoder.decode(new Uint8Array(view.buffer, view.byteOffset + offset, length));
}

function utf8Length(value: string): number {
  return utf8Encoder.encode(value).length;
}

function writeFixedBytes(view: DataView, offset: number, value: Uint8Array, size: number, where: string): void {
  if (!(value instanceof Uint8Array) || value.length > size) throw new RecordEncodeError(where, `must be a Uint8Array of at most ${size} bytes`);
  const target = new Uint8Array(view.buffer, view.byteOffset + offset, size);
  target.fill(0);
  target.set(value);
}

function writeBytes(view: DataView, offset: number, value: Uint8Array, max: number, where: string): number {
  if (!(value instanceof Uint8Array) || value.length > max) throw new RecordEncodeError(where, `must be a Uint8Array of at most ${max} bytes`);
  new Uint8Array(view.buffer, view.byteOffset + offset, value.length).set(value);
  return value.length;
}

function writeUtf8(view: DataView, offset: number, value: string, max: number, where: string): number {
  if (typeof value !== 'string') throw new RecordEncodeError(where, 'must be a string');
  const bytes = utf8Encoder.encode(value);
  if (bytes.length > max) throw new RecordEncodeError(where, `is ${bytes.length} UTF-8 bytes; at most ${max} fit`);
  new Uint8Array(view.buffer, view.byteOffset + offset, bytes.length).set(bytes);
  return bytes.length;
}

function writeUtf16(view: DataView, offset: number, value: string, max: number, where: string): number {
  if (typeof value !== 'string' || value.length * 2 > max) throw new RecordEncodeError(where, `must be a string of at most ${max / 2} UTF-16 units`);
  for (let i = 0; i < value.length; i++) view.setUint16(offset + i * 2, value.charCodeAt(i), true);
  return value.length * 2;
}

/** The common header every event record starts with. */
export interface RecordHeader {
  /** Event type: what follows the header. Values: {@link EventType}. */
  type: number;
  /** Record flags. Values: {@link RecordFlags}. */
  flags: number;
  /** Total record size in bytes, header and tail included; a multiple of 8. The next record starts this many bytes after this one. */
  size: number;
  /** When the event happened, in 100 ns units since 1601-01-01 UTC (a FILETIME). The simulator uses virtual time from the capture or generator. */
  timestamp: bigint;
  /** The WFP flow handle (FLOW_HANDLE metadata at FLOW_ESTABLISHED) the event belongs to; 0 when the event belongs to no flow. */
  flowId: bigint;
}
/** Size in bytes of the fixed part of {@link RecordHeader}. */
export const RECORD_HEADER_SIZE = 24;
/** Decodes a {@link RecordHeader} from `view` at `offset`. */
export function decodeRecordHeader(view: DataView, offset = 0): RecordHeader {
  need(view, offset, 24, "RecordHeader");
  return {
    type: view.getUint16(offset + 0, true),
    flags: view.getUint16(offset + 2, true),
    size: view.getUint32(offset + 4, true),
    timestamp: view.getBigUint64(offset + 8, true),
    flowId: view.getBigUint64(offset + 16, true),
  };
}
/** Encodes a {@link RecordHeader} into `view` at `offset` (24 bytes); reserved fields are written as zero. */
export function encodeRecordHeader(view: DataView, offset: number, value: RecordHeader): number {
  room(view, offset, 24, "RecordHeader");
  view.setUint16(offset + 0, checkUint(value.type, 16, "RecordHeader.type"), true);
  view.setUint16(offset + 2, checkUint(value.flags, 16, "RecordHeader.flags"), true);
  view.setUint32(offset + 4, checkUint(value.size, 32, "RecordHeader.size"), true);
  view.setBigUint64(offset + 8, checkU64(value.timestamp, "RecordHeader.timestamp"), true);
  view.setBigUint64(offset + 16, checkU64(value.flowId, "RecordHeader.flowId"), true);
  return 24;
}

/** A flow's 5-tuple as seen from the local host. */
export interface FlowEndpoints {
  /** IP version: 4 or 6. */
  ipVersion: number;
  /** IP protocol number (6 = TCP, 17 = UDP). */
  ipProtocol: number;
  /** Who opened the flow. Values: {@link Direction}. */
  direction: number;
  /** Local port in host byte order. */
  localPort: number;
  /** Remote port in host byte order. */
  remotePort: number;
  /** Local address in network byte order: 4 bytes for IPv4, then zeros; 16 bytes for IPv6. */
  localAddress: Uint8Array;
  /** Remote address in network byte order, laid out like localAddress. */
  remoteAddress: Uint8Array;
}
/** Size in bytes of the fixed part of {@link FlowEndpoints}. */
export const FLOW_ENDPOINTS_SIZE = 40;
/** Decodes a {@link FlowEndpoints} from `view` at `offset`. */
export function decodeFlowEndpoints(view: DataView, offset = 0): FlowEndpoints {
  need(view, offset, 40, "FlowEndpoints");
  return {
    ipVersion: view.getUint8(offset + 0),
    ipProtocol: view.getUint8(offset + 1),
    direction: view.getUint8(offset + 2),
    localPort: view.getUint16(offset + 4, true),
    remotePort: view.getUint16(offset + 6, true),
    localAddress: readBytes(view, offset + 8, 16),
    remoteAddress: readBytes(view, offset + 24, 16),
  };
}
/** Encodes a {@link FlowEndpoints} into `view` at `offset` (40 bytes); reserved fields are written as zero. */
export function encodeFlowEndpoints(view: DataView, offset: number, value: FlowEndpoints): number {
  room(view, offset, 40, "FlowEndpoints");
  view.setUint8(offset + 0, checkUint(value.ipVersion, 8, "FlowEndpoints.ipVersion"));
  view.setUint8(offset + 1, checkUint(value.ipProtocol, 8, "FlowEndpoints.ipProtocol"));
  view.setUint8(offset + 2, checkUint(value.direction, 8, "FlowEndpoints.direction"));
  zero(view, offset + 3, 1);
  view.setUint16(offset + 4, checkUint(value.localPort, 16, "FlowEndpoints.localPort"), true);
  view.setUint16(offset + 6, checkUint(value.remotePort, 16, "FlowEndpoints.remotePort"), true);
  writeFixedBytes(view, offset + 8, value.localAddress, 16, "FlowEndpoints.localAddress");
  writeFixedBytes(view, offset + 24, value.remoteAddress, 16, "FlowEndpoints.remoteAddress");
  return 40;
}

/** Output of GET_VERSION: what the running driver is and supports. */
export interface VersionInfo {
  /** Contract version: major << 16 | minor. The client refuses a driver whose major differs from its own. */
  contractVersion: number;
  /** Driver build version: major << 24 | minor << 16 | patch. */
  driverVersion: number;
  /** Supported features. Values: {@link FeatureFlags}. */
  features: number;
  /** Most sessions served at once. */
  maxSessions: number;
  /** Smallest ring accepted. */
  minRingBytes: number;
  /** Largest ring accepted. */
  maxRingBytes: number;
  /** Largest inspection budget accepted. */
  maxInspectBudget: number;
  /** Largest snap length accepted. */
  maxSnapLen: number;
}
/** Size in bytes of the fixed part of {@link VersionInfo}. */
export const VERSION_INFO_SIZE = 32;
/** Decodes a {@link VersionInfo} from `view` at `offset`. */
export function decodeVersionInfo(view: DataView, offset = 0): VersionInfo {
  need(view, offset, 32, "VersionInfo");
  return {
    contractVersion: view.getUint32(offset + 0, true),
    driverVersion: view.getUint32(offset + 4, true),
    features: view.getUint32(offset + 8, true),
    maxSessions: view.getUint32(offset + 12, true),
    minRingBytes: view.getUint32(offset + 16, true),
    maxRingBytes: view.getUint32(offset + 20, true),
    maxInspectBudget: view.getUint32(offset + 24, true),
    maxSnapLen: view.getUint32(offset + 28, true),
  };
}
/** Encodes a {@link VersionInfo} into `view` at `offset` (32 bytes); reserved fields are written as zero. */
export function encodeVersionInfo(view: DataView, offset: number, value: VersionInfo): number {
  room(view, offset, 32, "VersionInfo");
  view.setUint32(offset + 0, checkUint(value.contractVersion, 32, "VersionInfo.contractVersion"), true);
  view.setUint32(offset + 4, checkUint(value.driverVersion, 32, "VersionInfo.driverVersion"), true);
  view.setUint32(offset + 8, checkUint(value.features, 32, "VersionInfo.features"), true);
  view.setUint32(offset + 12, checkUint(value.maxSessions, 32, "VersionInfo.maxSessions"), true);
  view.setUint32(offset + 16, checkUint(value.minRingBytes, 32, "VersionInfo.minRingBytes"), true);
  view.setUint32(offset + 20, checkUint(value.maxRingBytes, 32, "VersionInfo.maxRingBytes"), true);
  view.setUint32(offset + 24, checkUint(value.maxInspectBudget, 32, "VersionInfo.maxInspectBudget"), true);
  view.setUint32(offset + 28, checkUint(value.maxSnapLen, 32, "VersionInfo.maxSnapLen"), true);
  return 32;
}

/** Input of SET_CONFIG: how the handle's session monitors. Refused while the session runs. */
export interface SessionConfig {
  /** sizeof(WK_SESSION_CONFIG); a different value is refused with ERROR_REVISION_MISMATCH. */
  structSize: number;
  /** What to do. Values: {@link ConfigFlags}. */
  flags: number;
  /** Bytes per flow and direction the classifiers may look at (1 .. MAX_INSPECT_BUDGET). */
  inspectBudget: number;
  /** Size of the session event ring (MIN_RING_BYTES .. MAX_RING_BYTES, multiple of 8). */
  ringBytes: number;
  /** Bytes of each packet or stream indication copied into records (0 .. MAX_SNAP_LEN). */
  snapLen: number;
  /** Layers to tag at when TAG_PACKETS is set. Values: {@link TagLayer}. */
  tagLayers: number;
}
/** Size in bytes of the fixed part of {@link SessionConfig}. */
export const SESSION_CONFIG_SIZE = 24;
/** Decodes a {@link SessionConfig} from `view` at `offset`. */
export function decodeSessionConfig(view: DataView, offset = 0): SessionConfig {
  need(view, offset, 24, "SessionConfig");
  return {
    structSize: view.getUint32(offset + 0, true),
    flags: view.getUint32(offset + 4, true),
    inspectBudget: view.getUint32(offset + 8, true),
    ringBytes: view.getUint32(offset + 12, true),
    snapLen: view.getUint32(offset + 16, true),
    tagLayers: view.getUint32(offset + 20, true),
  };
}
/** Encodes a {@link SessionConfig} into `view` at `offset` (24 bytes); reserved fields are written as zero. */
export function encodeSessionConfig(view: DataView, offset: number, value: SessionConfig): number {
  room(view, offset, 24, "SessionConfig");
  view.setUint32(offset + 0, checkUint(value.structSize, 32, "SessionConfig.structSize"), true);
  view.setUint32(offset + 4, checkUint(value.flags, 32, "SessionConfig.flags"), true);
  view.setUint32(offset + 8, checkUint(value.inspectBudget, 32, "SessionConfig.inspectBudget"), true);
  view.setUint32(offset + 12, checkUint(value.ringBytes, 32, "SessionConfig.ringBytes"), true);
  view.setUint32(offset + 16, checkUint(value.snapLen, 32, "SessionConfig.snapLen"), true);
  view.setUint32(offset + 20, checkUint(value.tagLayers, 32, "SessionConfig.tagLayers"), true);
  return 24;
}

/** Output of GET_SESSION: the handle's session. */
export interface SessionInfo {
  /** Session number, unique while the driver is loaded. */
  sessionId: number;
  /** Session state. Values: {@link SessionState}. */
  state: number;
  /** Put this value in the rawContext of the session's FLOW_ESTABLISHED filters: flows those filters match belong to this session. */
  scopeKey: bigint;
  /** The configuration in force. */
  config: SessionConfig;
}
/** Size in bytes of the fixed part of {@link SessionInfo}. */
export const SESSION_INFO_SIZE = 48;
/** Decodes a {@link SessionInfo} from `view` at `offset`. */
export function decodeSessionInfo(view: DataView, offset = 0): SessionInfo {
  need(view, offset, 48, "SessionInfo");
  return {
    sessionId: view.getUint32(offset + 0, true),
    state: view.getUint32(offset + 4, true),
    scopeKey: view.getBigUint64(offset + 8, true),
    config: decodeSessionConfig(view, offset + 16),
  };
}
/** Encodes a {@link SessionInfo} into `view` at `offset` (48 bytes); reserved fields are written as zero. */
export function encodeSessionInfo(view: DataView, offset: number, value: SessionInfo): number {
  room(view, offset, 48, "SessionInfo");
  view.setUint32(offset + 0, checkUint(value.sessionId, 32, "SessionInfo.sessionId"), true);
  view.setUint32(offset + 4, checkUint(value.state, 32, "SessionInfo.state"), true);
  view.setBigUint64(offset + 8, checkU64(value.scopeKey, "SessionInfo.scopeKey"), true);
  encodeSessionConfig(view, offset + 16, value.config);
  zero(view, offset + 40, 4);
  zero(view, offset + 44, 4);
  return 48;
}

/** Input of READ_EVENTS. */
export interface ReadRequest {
  /** How long to wait when the ring is empty: 0 returns at once, WAIT_FOREVER waits for an event, STOP or close. */
  timeoutMs: number;
  /** Most records to return; 0 = as many as fit. */
  maxRecords: number;
}
/** Size in bytes of the fixed part of {@link ReadRequest}. */
export const READ_REQUEST_SIZE = 8;
/** Decodes a {@link ReadRequest} from `view` at `offset`. */
export function decodeReadRequest(view: DataView, offset = 0): ReadRequest {
  need(view, offset, 8, "ReadRequest");
  return {
    timeoutMs: view.getUint32(offset + 0, true),
    maxRecords: view.getUint32(offset + 4, true),
  };
}
/** Encodes a {@link ReadRequest} into `view` at `offset` (8 bytes); reserved fields are written as zero. */
export function encodeReadRequest(view: DataView, offset: number, value: ReadRequest): number {
  room(view, offset, 8, "ReadRequest");
  view.setUint32(offset + 0, checkUint(value.timeoutMs, 32, "ReadRequest.timeoutMs"), true);
  view.setUint32(offset + 4, checkUint(value.maxRecords, 32, "ReadRequest.maxRecords"), true);
  return 8;
}

/** Start of the READ_EVENTS output; recordCount records follow, back to back. */
export interface ReadResult {
  /** Records that follow. */
  recordCount: number;
  /** Bytes of the output used, this header included. */
  bytesUsed: number;
  /** Read flags. Values: {@link ReadFlags}. */
  flags: number;
}
/** Size in bytes of the fixed part of {@link ReadResult}. */
export const READ_RESULT_SIZE = 16;
/** Decodes a {@link ReadResult} from `view` at `offset`. */
export function decodeReadResult(view: DataView, offset = 0): ReadResult {
  need(view, offset, 16, "ReadResult");
  return {
    recordCount: view.getUint32(offset + 0, true),
    bytesUsed: view.getUint32(offset + 4, true),
    flags: view.getUint32(offset + 8, true),
  };
}
/** Encodes a {@link ReadResult} into `view` at `offset` (16 bytes); reserved fields are written as zero. */
export function encodeReadResult(view: DataView, offset: number, value: ReadResult): number {
  room(view, offset, 16, "ReadResult");
  view.setUint32(offset + 0, checkUint(value.recordCount, 32, "ReadResult.recordCount"), true);
  view.setUint32(offset + 4, checkUint(value.bytesUsed, 32, "ReadResult.bytesUsed"), true);
  view.setUint32(offset + 8, checkUint(value.flags, 32, "ReadResult.flags"), true);
  zero(view, offset + 12, 4);
  return 16;
}

/** Counters of the handle's session. produced = delivered + dropped + recordsInRing always holds. */
export interface SessionCounters {
  /** Records the session was offered, plus the LOSS records the ring wrote. */
  eventsProduced: bigint;
  /** Records returned by READ_EVENTS, LOSS records included. */
  eventsDelivered: bigint;
  /** Records dropped because the ring was full; equals the latest RING_FULL LossRecord.totalLost. */
  eventsDropped: bigint;
  /** READ_EVENTS requests completed. */
  readsCompleted: bigint;
  /** Flows that matched the session filters. */
  flowsMatched: bigint;
  /** Packets tagged for this session's flows. */
  packetsTagged: bigint;
  /** NBL notify events for this session's packets. */
  notifyEvents: bigint;
  /** Packets of this session's flows left untagged because the ledger was full. */
  packetsUntagged: bigint;
  /** Ring size. */
  ringBytes: number;
  /** Bytes in the ring now. */
  ringUsed: number;
  /** Most bytes ever in the ring. */
  ringHighWater: number;
  /** Records in the ring now. */
  recordsInRing: number;
  /** The session's flows now active. */
  flowsActive: number;
}
/** Size in bytes of the fixed part of {@link SessionCounters}. */
export const SESSION_COUNTERS_SIZE = 88;
/** Decodes a {@link SessionCounters} from `view` at `offset`. */
export function decodeSessionCounters(view: DataView, offset = 0): SessionCounters {
  need(view, offset, 88, "SessionCounters");
  return {
    eventsProduced: view.getBigUint64(offset + 0, true),
    eventsDelivered: view.getBigUint64(offset + 8, true),
    eventsDropped: view.getBigUint64(offset + 16, true),
    readsCompleted: view.getBigUint64(offset + 24, true),
    flowsMatched: view.getBigUint64(offset + 32, true),
    packetsTagged: view.getBigUint64(offset + 40, true),
    notifyEvents: view.getBigUint64(offset + 48, true),
    packetsUntagged: view.getBigUint64(offset + 56, true),
    ringBytes: view.getUint32(offset + 64, true),
    ringUsed: view.getUint32(offset + 68, true),
    ringHighWater: view.getUint32(offset + 72, true),
    recordsInRing: view.getUint32(offset + 76, true),
    flowsActive: view.getUint32(offset + 80, true),
  };
}
/** Encodes a {@link SessionCounters} into `view` at `offset` (88 bytes); reserved fields are written as zero. */
export function encodeSessionCounters(view: DataView, offset: number, value: SessionCounters): number {
  room(view, offset, 88, "SessionCounters");
  view.setBigUint64(offset + 0, checkU64(value.eventsProduced, "SessionCounters.eventsProduced"), true);
  view.setBigUint64(offset + 8, checkU64(value.eventsDelivered, "SessionCounters.eventsDelivered"), true);
  view.setBigUint64(offset + 16, checkU64(value.eventsDropped, "SessionCounters.eventsDropped"), true);
  view.setBigUint64(offset + 24, checkU64(value.readsCompleted, "SessionCounters.readsCompleted"), true);
  view.setBigUint64(offset + 32, checkU64(value.flowsMatched, "SessionCounters.flowsMatched"), true);
  view.setBigUint64(offset + 40, checkU64(value.packetsTagged, "SessionCounters.packetsTagged"), true);
  view.setBigUint64(offset + 48, checkU64(value.notifyEvents, "SessionCounters.notifyEvents"), true);
  view.setBigUint64(offset + 56, checkU64(value.packetsUntagged, "SessionCounters.packetsUntagged"), true);
  view.setUint32(offset + 64, checkUint(value.ringBytes, 32, "SessionCounters.ringBytes"), true);
  view.setUint32(offset + 68, checkUint(value.ringUsed, 32, "SessionCounters.ringUsed"), true);
  view.setUint32(offset + 72, checkUint(value.ringHighWater, 32, "SessionCounters.ringHighWater"), true);
  view.setUint32(offset + 76, checkUint(value.recordsInRing, 32, "SessionCounters.recordsInRing"), true);
  view.setUint32(offset + 80, checkUint(value.flowsActive, 32, "SessionCounters.flowsActive"), true);
  zero(view, offset + 84, 4);
  return 88;
}

/** Driver-wide counters. */
export interface GlobalCounters {
  /** Flow contexts ever associated. */
  flowsTotal: bigint;
  /** classifyFn calls across all callouts. */
  classifyCalls: bigint;
  /** Bytes copied to the stream classifiers. */
  streamBytesInspected: bigint;
  /** Packets tagged. */
  packetsTagged: bigint;
  /** Packets left untagged because the tag ledger was full. */
  packetsUntagged: bigint;
  /** NBL notify calls. */
  notifyEvents: bigint;
  /** Ledger entries retired on CONTEXT_REMOVED. */
  tagsRetired: bigint;
  /** Flows not monitored because the flow table was full. */
  flowsUnmonitored: bigint;
  /** Flow or NBL context calls that failed. */
  contextFailures: bigint;
  /** Flows monitored but not inspected because every inspector slot was in use. */
  flowsNotInspected: bigint;
  /** Application paths not stored because the app table was full (their records carry an empty path). */
  appPathsRefused: bigint;
  /** Callout calls whose flow context named no live flow (stale or unknown). */
  staleContexts: bigint;
  /** Sessions open now. */
  sessionsOpen: number;
  /** Flows in the table now. */
  flowsActive: number;
  /** Flow table size. */
  flowTableCapacity: number;
  /** Tagged packets not yet removed. */
  tagsInFlight: number;
  /** Tag ledger size. */
  ledgerCapacity: number;
}
/** Size in bytes of the fixed part of {@link GlobalCounters}. */
export const GLOBAL_COUNTERS_SIZE = 120;
/** Decodes a {@link GlobalCounters} from `view` at `offset`. */
export function decodeGlobalCounters(view: DataView, offset = 0): GlobalCounters {
  need(view, offset, 120, "GlobalCounters");
  return {
    flowsTotal: view.getBigUint64(offset + 0, true),
    classifyCalls: view.getBigUint64(offset + 8, true),
    streamBytesInspected: view.getBigUint64(offset + 16, true),
    packetsTagged: view.getBigUint64(offset + 24, true),
    packetsUntagged: view.getBigUint64(offset + 32, true),
    notifyEvents: view.getBigUint64(offset + 40, true),
    tagsRetired: view.getBigUint64(offset + 48, true),
    flowsUnmonitored: view.getBigUint64(offset + 56, true),
    contextFailures: view.getBigUint64(offset + 64, true),
    flowsNotInspected: view.getBigUint64(offset + 72, true),
    appPathsRefused: view.getBigUint64(offset + 80, true),
    staleContexts: view.getBigUint64(offset + 88, true),
    sessionsOpen: view.getUint32(offset + 96, true),
    flowsActive: view.getUint32(offset + 100, true),
    flowTableCapacity: view.getUint32(offset + 104, true),
    tagsInFlight: view.getUint32(offset + 108, true),
    ledgerCapacity: view.getUint32(offset + 112, true),
  };
}
/** Encodes a {@link GlobalCounters} into `view` at `offset` (120 bytes); reserved fields are written as zero. */
export function encodeGlobalCounters(view: DataView, offset: number, value: GlobalCounters): number {
  room(view, offset, 120, "GlobalCounters");
  view.setBigUint64(offset + 0, checkU64(value.flowsTotal, "GlobalCounters.flowsTotal"), true);
  view.setBigUint64(offset + 8, checkU64(value.classifyCalls, "GlobalCounters.classifyCalls"), true);
  view.setBigUint64(offset + 16, checkU64(value.streamBytesInspected, "GlobalCounters.streamBytesInspected"), true);
  view.setBigUint64(offset + 24, checkU64(value.packetsTagged, "GlobalCounters.packetsTagged"), true);
  view.setBigUint64(offset + 32, checkU64(value.packetsUntagged, "GlobalCounters.packetsUntagged"), true);
  view.setBigUint64(offset + 40, checkU64(value.notifyEvents, "GlobalCounters.notifyEvents"), true);
  view.setBigUint64(offset + 48, checkU64(value.tagsRetired, "GlobalCounters.tagsRetired"), true);
  view.setBigUint64(offset + 56, checkU64(value.flowsUnmonitored, "GlobalCounters.flowsUnmonitored"), true);
  view.setBigUint64(offset + 64, checkU64(value.contextFailures, "GlobalCounters.contextFailures"), true);
  view.setBigUint64(offset + 72, checkU64(value.flowsNotInspected, "GlobalCounters.flowsNotInspected"), true);
  view.setBigUint64(offset + 80, checkU64(value.appPathsRefused, "GlobalCounters.appPathsRefused"), true);
  view.setBigUint64(offset + 88, checkU64(value.staleContexts, "GlobalCounters.staleContexts"), true);
  view.setUint32(offset + 96, checkUint(value.sessionsOpen, 32, "GlobalCounters.sessionsOpen"), true);
  view.setUint32(offset + 100, checkUint(value.flowsActive, 32, "GlobalCounters.flowsActive"), true);
  view.setUint32(offset + 104, checkUint(value.flowTableCapacity, 32, "GlobalCounters.flowTableCapacity"), true);
  view.setUint32(offset + 108, checkUint(value.tagsInFlight, 32, "GlobalCounters.tagsInFlight"), true);
  view.setUint32(offset + 112, checkUint(value.ledgerCapacity, 32, "GlobalCounters.ledgerCapacity"), true);
  zero(view, offset + 116, 4);
  return 120;
}

/** Output of GET_COUNTERS: the handle's session counters, then the driver-wide ones. */
export interface Counters {
  /** The handle's session. */
  session: SessionCounters;
  /** The whole driver. */
  global: GlobalCounters;
}
/** Size in bytes of the fixed part of {@link Counters}. */
export const COUNTERS_SIZE = 208;
/** Decodes a {@link Counters} from `view` at `offset`. */
export function decodeCounters(view: DataView, offset = 0): Counters {
  need(view, offset, 208, "Counters");
  return {
    session: decodeSessionCounters(view, offset + 0),
    global: decodeGlobalCounters(view, offset + 88),
  };
}
/** Encodes a {@link Counters} into `view` at `offset` (208 bytes); reserved fields are written as zero. */
export function encodeCounters(view: DataView, offset: number, value: Counters): number {
  room(view, offset, 208, "Counters");
  encodeSessionCounters(view, offset + 0, value.session);
  encodeGlobalCounters(view, offset + 88, value.global);
  return 208;
}

/** Input of LIST_FLOWS. */
export interface ListFlowsRequest {
  /** 0 to start; then the nextCursor of the previous result. The cursor is a position in the flow table: flows established or deleted between two pages may be missed or listed twice. */
  cursor: bigint;
  /** Most flows to return; 0 = as many as fit. */
  maxFlows: number;
}
/** Size in bytes of the fixed part of {@link ListFlowsRequest}. */
export const LIST_FLOWS_REQUEST_SIZE = 16;
/** Decodes a {@link ListFlowsRequest} from `view` at `offset`. */
export function decodeListFlowsRequest(view: DataView, offset = 0): ListFlowsRequest {
  need(view, offset, 16, "ListFlowsRequest");
  return {
    cursor: view.getBigUint64(offset + 0, true),
    maxFlows: view.getUint32(offset + 8, true),
  };
}
/** Encodes a {@link ListFlowsRequest} into `view` at `offset` (16 bytes); reserved fields are written as zero. */
export function encodeListFlowsRequest(view: DataView, offset: number, value: ListFlowsRequest): number {
  room(view, offset, 16, "ListFlowsRequest");
  view.setBigUint64(offset + 0, checkU64(value.cursor, "ListFlowsRequest.cursor"), true);
  view.setUint32(offset + 8, checkUint(value.maxFlows, 32, "ListFlowsRequest.maxFlows"), true);
  zero(view, offset + 12, 4);
  return 16;
}

/** Start of the LIST_FLOWS output; flowCount FLOW_INFO records follow. */
export interface ListFlowsResult {
  /** FLOW_INFO records that follow. */
  flowCount: number;
  /** List flags. Values: {@link ListFlags}. */
  flags: number;
  /** Pass as cursor to get the next page. */
  nextCursor: bigint;
  /** Bytes of the output used, this header included. */
  bytesUsed: number;
}
/** Size in bytes of the fixed part of {@link ListFlowsResult}. */
export const LIST_FLOWS_RESULT_SIZE = 24;
/** Decodes a {@link ListFlowsResult} from `view` at `offset`. */
export function decodeListFlowsResult(view: DataView, offset = 0): ListFlowsResult {
  need(view, offset, 24, "ListFlowsResult");
  return {
    flowCount: view.getUint32(offset + 0, true),
    flags: view.getUint32(offset + 4, true),
    nextCursor: view.getBigUint64(offset + 8, true),
    bytesUsed: view.getUint32(offset + 16, true),
  };
}
/** Encodes a {@link ListFlowsResult} into `view` at `offset` (24 bytes); reserved fields are written as zero. */
export function encodeListFlowsResult(view: DataView, offset: number, value: ListFlowsResult): number {
  room(view, offset, 24, "ListFlowsResult");
  view.setUint32(offset + 0, checkUint(value.flowCount, 32, "ListFlowsResult.flowCount"), true);
  view.setUint32(offset + 4, checkUint(value.flags, 32, "ListFlowsResult.flags"), true);
  view.setBigUint64(offset + 8, checkU64(value.nextCursor, "ListFlowsResult.nextCursor"), true);
  view.setUint32(offset + 16, checkUint(value.bytesUsed, 32, "ListFlowsResult.bytesUsed"), true);
  zero(view, offset + 20, 4);
  return 24;
}

/** A flow of a monitored application was established and got a flow context. */
export interface FlowEstablishedRecord {
  /** Record kind (header.type as a name). */
  kind: "FLOW_ESTABLISHED";
  /** Common header. */
  header: RecordHeader;
  /** FWPS_METADATA_FIELD_PROCESS_ID. */
  processId: bigint;
  /** The 5-tuple. */
  endpoints: FlowEndpoints;
  /** FWPS runtime layer id the flow was established at. */
  layerId: number;
  /** FWPS_METADATA_FIELD_PROCESS_PATH: the NT path of the application, UTF-16, no terminator. (at most 2048 bytes of utf16le) */
  appPath: string;
}
/** Size in bytes of the fixed part of {@link FlowEstablishedRecord}. */
export const FLOW_ESTABLISHED_RECORD_SIZE = 80;
/** Decodes a {@link FlowEstablishedRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodeFlowEstablishedRecord(view: DataView, offset = 0): FlowEstablishedRecord {
  need(view, offset, 80, "FlowEstablishedRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 80 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("FlowEstablishedRecord", offset, `header.size ${size} is not a multiple of 8 between 80 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 80;
  const appPathLength = view.getUint16(offset + 74, true);
  if (appPathLength > 2048 || appPathLength % 2 !== 0 || tail + appPathLength > offset + size) throw new RecordDecodeError("FlowEstablishedRecord", offset, `appPath length ${appPathLength} does not fit the record`);
  const appPath = readUtf16(view, tail, appPathLength);
  tail += appPathLength;
  return {
    kind: "FLOW_ESTABLISHED",
    header: decodeRecordHeader(view, offset + 0),
    processId: view.getBigUint64(offset + 24, true),
    endpoints: decodeFlowEndpoints(view, offset + 32),
    layerId: view.getUint16(offset + 72, true),
    appPath,
  };
}
/** Size in bytes of the encoded {@link FlowEstablishedRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfFlowEstablishedRecord(value: FlowEstablishedRecord): number {
  return align8(80 + value.appPath.length * 2);
}
/** Encodes a {@link FlowEstablishedRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodeFlowEstablishedRecord(view: DataView, offset: number, value: FlowEstablishedRecord): number {
  room(view, offset, sizeOfFlowEstablishedRecord(value), "FlowEstablishedRecord");
  const size = sizeOfFlowEstablishedRecord(value);
  let tail = offset + 80;
  const appPathLength = writeUtf16(view, tail, value.appPath, 2048, "FlowEstablishedRecord.appPath");
  view.setUint16(offset + 74, appPathLength, true);
  tail += appPathLength;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.processId, "FlowEstablishedRecord.processId"), true);
  encodeFlowEndpoints(view, offset + 32, value.endpoints);
  view.setUint16(offset + 72, checkUint(value.layerId, 16, "FlowEstablishedRecord.layerId"), true);
  zero(view, offset + 76, 4);
  view.setUint16(offset + 0, 1, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** A direction of a flow was identified; the metadata the classifier extracted follows. */
export interface FlowClassifiedRecord {
  /** Record kind (header.type as a name). */
  kind: "FLOW_CLASSIFIED";
  /** Common header. */
  header: RecordHeader;
  /** Protocol identified. Values: {@link AppProtocol}. */
  appProtocol: number;
  /** Direction whose bytes identified it. Values: {@link Direction}. */
  direction: number;
  /** ClientHello: the highest version offered (0x0304 = TLS 1.3; from supported_versions when present, else legacy_version). ServerHello: the selected version (supported_versions, else legacy_version). 0 if not TLS. */
  tlsVersion: number;
  /** HTTP/1.x response status; 0 if none. */
  httpStatus: number;
  /** TLS server_name (host_name). (at most 255 bytes of utf8) */
  sni: string;
  /** TLS ALPN protocol list as on the wire: each name prefixed by its length byte. (at most 256 bytes) */
  alpn: Uint8Array;
  /** HTTP/1.x Host header. (at most 255 bytes of utf8) */
  host: string;
  /** HTTP/1.x request method. (at most 16 bytes of utf8) */
  method: string;
  /** HTTP/1.x request target. (at most 512 bytes of utf8) */
  path: string;
  /** SSH identification string, without CR LF. (at most 255 bytes of utf8) */
  banner: string;
}
/** Size in bytes of the fixed part of {@link FlowClassifiedRecord}. */
export const FLOW_CLASSIFIED_RECORD_SIZE = 48;
/** Decodes a {@link FlowClassifiedRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodeFlowClassifiedRecord(view: DataView, offset = 0): FlowClassifiedRecord {
  need(view, offset, 48, "FlowClassifiedRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 48 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("FlowClassifiedRecord", offset, `header.size ${size} is not a multiple of 8 between 48 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 48;
  const sniLength = view.getUint16(offset + 30, true);
  if (sniLength > 255 || tail + sniLength > offset + size) throw new RecordDecodeError("FlowClassifiedRecord", offset, `sni length ${sniLength} does not fit the record`);
  const sni = readUtf8(view, tail, sniLength);
  tail += sniLength;
  const alpnLength = view.getUint16(offset + 32, true);
  if (alpnLength > 256 || tail + alpnLength > offset + size) throw new RecordDecodeError("FlowClassifiedRecord", offset, `alpn length ${alpnLength} does not fit the record`);
  const alpn = readBytes(view, tail, alpnLength);
  tail += alpnLength;
  const hostLength = view.getUint16(offset + 34, true);
  if (hostLength > 255 || tail + hostLength > offset + size) throw new RecordDecodeError("FlowClassifiedRecord", offset, `host length ${hostLength} does not fit the record`);
  const host = readUtf8(view, tail, hostLength);
  tail += hostLength;
  const methodLength = view.getUint16(offset + 36, true);
  if (methodLength > 16 || tail + methodLength > offset + size) throw new RecordDecodeError("FlowClassifiedRecord", offset, `method length ${methodLength} does not fit the record`);
  const method = readUtf8(view, tail, methodLength);
  tail += methodLength;
  const pathLength = view.getUint16(offset + 38, true);
  if (pathLength > 512 || tail + pathLength > offset + size) throw new RecordDecodeError("FlowClassifiedRecord", offset, `path length ${pathLength} does not fit the record`);
  const path = readUtf8(view, tail, pathLength);
  tail += pathLength;
  const bannerLength = view.getUint16(offset + 40, true);
  if (bannerLength > 255 || tail + bannerLength > offset + size) throw new RecordDecodeError("FlowClassifiedRecord", offset, `banner length ${bannerLength} does not fit the record`);
  const banner = readUtf8(view, tail, bannerLength);
  tail += bannerLength;
  return {
    kind: "FLOW_CLASSIFIED",
    header: decodeRecordHeader(view, offset + 0),
    appProtocol: view.getUint8(offset + 24),
    direction: view.getUint8(offset + 25),
    tlsVersion: view.getUint16(offset + 26, true),
    httpStatus: view.getUint16(offset + 28, true),
    sni,
    alpn,
    host,
    method,
    path,
    banner,
  };
}
/** Size in bytes of the encoded {@link FlowClassifiedRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfFlowClassifiedRecord(value: FlowClassifiedRecord): number {
  return align8(48 + utf8Length(value.sni) + value.alpn.length + utf8Length(value.host) + utf8Length(value.method) + utf8Length(value.path) + utf8Length(value.banner));
}
/** Encodes a {@link FlowClassifiedRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodeFlowClassifiedRecord(view: DataView, offset: number, value: FlowClassifiedRecord): number {
  room(view, offset, sizeOfFlowClassifiedRecord(value), "FlowClassifiedRecord");
  const size = sizeOfFlowClassifiedRecord(value);
  let tail = offset + 48;
  const sniLength = writeUtf8(view, tail, value.sni, 255, "FlowClassifiedRecord.sni");
  view.setUint16(offset + 30, sniLength, true);
  tail += sniLength;
  const alpnLength = writeBytes(view, tail, value.alpn, 256, "FlowClassifiedRecord.alpn");
  view.setUint16(offset + 32, alpnLength, true);
  tail += alpnLength;
  const hostLength = writeUtf8(view, tail, value.host, 255, "FlowClassifiedRecord.host");
  view.setUint16(offset + 34, hostLength, true);
  tail += hostLength;
  const methodLength = writeUtf8(view, tail, value.method, 16, "FlowClassifiedRecord.method");
  view.setUint16(offset + 36, methodLength, true);
  tail += methodLength;
  const pathLength = writeUtf8(view, tail, value.path, 512, "FlowClassifiedRecord.path");
  view.setUint16(offset + 38, pathLength, true);
  tail += pathLength;
  const bannerLength = writeUtf8(view, tail, value.banner, 255, "FlowClassifiedRecord.banner");
  view.setUint16(offset + 40, bannerLength, true);
  tail += bannerLength;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setUint8(offset + 24, checkUint(value.appProtocol, 8, "FlowClassifiedRecord.appProtocol"));
  view.setUint8(offset + 25, checkUint(value.direction, 8, "FlowClassifiedRecord.direction"));
  view.setUint16(offset + 26, checkUint(value.tlsVersion, 16, "FlowClassifiedRecord.tlsVersion"), true);
  view.setUint16(offset + 28, checkUint(value.httpStatus, 16, "FlowClassifiedRecord.httpStatus"), true);
  zero(view, offset + 42, 2);
  zero(view, offset + 44, 4);
  view.setUint16(offset + 0, 2, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** Stream data was indicated at a STREAM layer. */
export interface StreamDataRecord {
  /** Record kind (header.type as a name). */
  kind: "STREAM_DATA";
  /** Common header. */
  header: RecordHeader;
  /** Offset of the first indicated byte in this direction of the stream. */
  streamOffset: bigint;
  /** Bytes in the indication (FWPS_STREAM_DATA0.dataLength). */
  indicatedLength: number;
  /** FWPS_STREAM_FLAG_* of the indication. */
  streamFlags: number;
  /** Direction of the data. Values: {@link Direction}. */
  direction: number;
  /** The first bytes of the indication, when CAPTURE_STREAM_BYTES is set. (at most 2048 bytes) */
  data: Uint8Array;
}
/** Size in bytes of the fixed part of {@link StreamDataRecord}. */
export const STREAM_DATA_RECORD_SIZE = 48;
/** Decodes a {@link StreamDataRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodeStreamDataRecord(view: DataView, offset = 0): StreamDataRecord {
  need(view, offset, 48, "StreamDataRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 48 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("StreamDataRecord", offset, `header.size ${size} is not a multiple of 8 between 48 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 48;
  const dataLength = view.getUint16(offset + 42, true);
  if (dataLength > 2048 || tail + dataLength > offset + size) throw new RecordDecodeError("StreamDataRecord", offset, `data length ${dataLength} does not fit the record`);
  const data = readBytes(view, tail, dataLength);
  tail += dataLength;
  return {
    kind: "STREAM_DATA",
    header: decodeRecordHeader(view, offset + 0),
    streamOffset: view.getBigUint64(offset + 24, true),
    indicatedLength: view.getUint32(offset + 32, true),
    streamFlags: view.getUint32(offset + 36, true),
    direction: view.getUint8(offset + 40),
    data,
  };
}
/** Size in bytes of the encoded {@link StreamDataRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfStreamDataRecord(value: StreamDataRecord): number {
  return align8(48 + value.data.length);
}
/** Encodes a {@link StreamDataRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodeStreamDataRecord(view: DataView, offset: number, value: StreamDataRecord): number {
  room(view, offset, sizeOfStreamDataRecord(value), "StreamDataRecord");
  const size = sizeOfStreamDataRecord(value);
  let tail = offset + 48;
  const dataLength = writeBytes(view, tail, value.data, 2048, "StreamDataRecord.data");
  view.setUint16(offset + 42, dataLength, true);
  tail += dataLength;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.streamOffset, "StreamDataRecord.streamOffset"), true);
  view.setUint32(offset + 32, checkUint(value.indicatedLength, 32, "StreamDataRecord.indicatedLength"), true);
  view.setUint32(offset + 36, checkUint(value.streamFlags, 32, "StreamDataRecord.streamFlags"), true);
  view.setUint8(offset + 40, checkUint(value.direction, 8, "StreamDataRecord.direction"));
  zero(view, offset + 41, 1);
  zero(view, offset + 44, 4);
  view.setUint16(offset + 0, 3, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** A packet of a monitored flow was tagged. */
export interface PacketTaggedRecord {
  /** Record kind (header.type as a name). */
  kind: "PACKET_TAGGED";
  /** Common header. */
  header: RecordHeader;
  /** The 64-bit context associated with the NBL: names this packet in later PACKET_NOTIFY records. */
  context: bigint;
  /** Bytes in the packet (all NET_BUFFERs of the NBL). */
  packetLength: number;
  /** Per-flow sequence number of the tagged packet. */
  sequence: number;
  /** FWPS runtime layer id where the packet was tagged. */
  layerId: number;
  /** Direction of the packet. Values: {@link Direction}. */
  direction: number;
  /** 4 or 6. */
  ipVersion: number;
  /** The first bytes of the packet at the layer it was tagged, when CAPTURE_PACKET_BYTES is set. (at most 2048 bytes) */
  snap: Uint8Array;
}
/** Size in bytes of the fixed part of {@link PacketTaggedRecord}. */
export const PACKET_TAGGED_RECORD_SIZE = 48;
/** Decodes a {@link PacketTaggedRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodePacketTaggedRecord(view: DataView, offset = 0): PacketTaggedRecord {
  need(view, offset, 48, "PacketTaggedRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 48 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("PacketTaggedRecord", offset, `header.size ${size} is not a multiple of 8 between 48 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 48;
  const snapLength = view.getUint16(offset + 44, true);
  if (snapLength > 2048 || tail + snapLength > offset + size) throw new RecordDecodeError("PacketTaggedRecord", offset, `snap length ${snapLength} does not fit the record`);
  const snap = readBytes(view, tail, snapLength);
  tail += snapLength;
  return {
    kind: "PACKET_TAGGED",
    header: decodeRecordHeader(view, offset + 0),
    context: view.getBigUint64(offset + 24, true),
    packetLength: view.getUint32(offset + 32, true),
    sequence: view.getUint32(offset + 36, true),
    layerId: view.getUint16(offset + 40, true),
    direction: view.getUint8(offset + 42),
    ipVersion: view.getUint8(offset + 43),
    snap,
  };
}
/** Size in bytes of the encoded {@link PacketTaggedRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfPacketTaggedRecord(value: PacketTaggedRecord): number {
  return align8(48 + value.snap.length);
}
/** Encodes a {@link PacketTaggedRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodePacketTaggedRecord(view: DataView, offset: number, value: PacketTaggedRecord): number {
  room(view, offset, sizeOfPacketTaggedRecord(value), "PacketTaggedRecord");
  const size = sizeOfPacketTaggedRecord(value);
  let tail = offset + 48;
  const snapLength = writeBytes(view, tail, value.snap, 2048, "PacketTaggedRecord.snap");
  view.setUint16(offset + 44, snapLength, true);
  tail += snapLength;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.context, "PacketTaggedRecord.context"), true);
  view.setUint32(offset + 32, checkUint(value.packetLength, 32, "PacketTaggedRecord.packetLength"), true);
  view.setUint32(offset + 36, checkUint(value.sequence, 32, "PacketTaggedRecord.sequence"), true);
  view.setUint16(offset + 40, checkUint(value.layerId, 16, "PacketTaggedRecord.layerId"), true);
  view.setUint8(offset + 42, checkUint(value.direction, 8, "PacketTaggedRecord.direction"));
  view.setUint8(offset + 43, checkUint(value.ipVersion, 8, "PacketTaggedRecord.ipVersion"));
  zero(view, offset + 46, 2);
  view.setUint16(offset + 0, 4, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** The NBL notify function reported an event for a tagged packet. */
export interface PacketNotifyRecord {
  /** Record kind (header.type as a name). */
  kind: "PACKET_NOTIFY";
  /** Common header. */
  header: RecordHeader;
  /** Context of the NBL the event is about. */
  context: bigint;
  /** For clone and duplicate events: the context now on the new NBL; 0 otherwise. */
  newContext: bigint;
  /** FWPS_NET_BUFFER_LIST_EVENT_TYPE0 value. Values: {@link NblEventType}. */
  eventType: number;
  /** Layer id the notify function was given. */
  layerId: number;
  /** Notify flags. Values: {@link NotifyFlags}. */
  notifyFlags: number;
}
/** Size in bytes of the fixed part of {@link PacketNotifyRecord}. */
export const PACKET_NOTIFY_RECORD_SIZE = 48;
/** Decodes a {@link PacketNotifyRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodePacketNotifyRecord(view: DataView, offset = 0): PacketNotifyRecord {
  need(view, offset, 48, "PacketNotifyRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 48 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("PacketNotifyRecord", offset, `header.size ${size} is not a multiple of 8 between 48 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 48;
  return {
    kind: "PACKET_NOTIFY",
    header: decodeRecordHeader(view, offset + 0),
    context: view.getBigUint64(offset + 24, true),
    newContext: view.getBigUint64(offset + 32, true),
    eventType: view.getUint16(offset + 40, true),
    layerId: view.getUint16(offset + 42, true),
    notifyFlags: view.getUint16(offset + 44, true),
  };
}
/** Size in bytes of the encoded {@link PacketNotifyRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfPacketNotifyRecord(value: PacketNotifyRecord): number {
  return align8(48);
}
/** Encodes a {@link PacketNotifyRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodePacketNotifyRecord(view: DataView, offset: number, value: PacketNotifyRecord): number {
  room(view, offset, sizeOfPacketNotifyRecord(value), "PacketNotifyRecord");
  const size = sizeOfPacketNotifyRecord(value);
  let tail = offset + 48;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.context, "PacketNotifyRecord.context"), true);
  view.setBigUint64(offset + 32, checkU64(value.newContext, "PacketNotifyRecord.newContext"), true);
  view.setUint16(offset + 40, checkUint(value.eventType, 16, "PacketNotifyRecord.eventType"), true);
  view.setUint16(offset + 42, checkUint(value.layerId, 16, "PacketNotifyRecord.layerId"), true);
  view.setUint16(offset + 44, checkUint(value.notifyFlags, 16, "PacketNotifyRecord.notifyFlags"), true);
  zero(view, offset + 46, 2);
  view.setUint16(offset + 0, 5, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** A tagged packet was seen at a discard layer (the callout found its context with FwpsNetBufferListRetrieveContext0). Its CONTEXT_REMOVED notify still follows. */
export interface PacketDiscardedRecord {
  /** Record kind (header.type as a name). */
  kind: "PACKET_DISCARDED";
  /** Common header. */
  header: RecordHeader;
  /** Context of the discarded NBL: the packet of the PACKET_TAGGED record with this context. */
  context: bigint;
  /** FWPS_DISCARD_MODULE0 of the discard metadata (0 network, 1 transport, 2 general), or 0xFFFFFFFF when absent. */
  discardModule: number;
  /** Discard reason code of the discard metadata, or 0xFFFFFFFF when absent. */
  discardReason: number;
  /** Filter that discarded the packet when the reason names one (FWPS_DISCARD_MODULE_GENERAL + filter), else 0. */
  filterId: bigint;
  /** FWPS runtime layer id of the discard layer. */
  layerId: number;
  /** Direction of the packet. Values: {@link Direction}. */
  direction: number;
}
/** Size in bytes of the fixed part of {@link PacketDiscardedRecord}. */
export const PACKET_DISCARDED_RECORD_SIZE = 56;
/** Decodes a {@link PacketDiscardedRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodePacketDiscardedRecord(view: DataView, offset = 0): PacketDiscardedRecord {
  need(view, offset, 56, "PacketDiscardedRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 56 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("PacketDiscardedRecord", offset, `header.size ${size} is not a multiple of 8 between 56 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 56;
  return {
    kind: "PACKET_DISCARDED",
    header: decodeRecordHeader(view, offset + 0),
    context: view.getBigUint64(offset + 24, true),
    discardModule: view.getUint32(offset + 32, true),
    discardReason: view.getUint32(offset + 36, true),
    filterId: view.getBigUint64(offset + 40, true),
    layerId: view.getUint16(offset + 48, true),
    direction: view.getUint8(offset + 50),
  };
}
/** Size in bytes of the encoded {@link PacketDiscardedRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfPacketDiscardedRecord(value: PacketDiscardedRecord): number {
  return align8(56);
}
/** Encodes a {@link PacketDiscardedRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodePacketDiscardedRecord(view: DataView, offset: number, value: PacketDiscardedRecord): number {
  room(view, offset, sizeOfPacketDiscardedRecord(value), "PacketDiscardedRecord");
  const size = sizeOfPacketDiscardedRecord(value);
  let tail = offset + 56;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.context, "PacketDiscardedRecord.context"), true);
  view.setUint32(offset + 32, checkUint(value.discardModule, 32, "PacketDiscardedRecord.discardModule"), true);
  view.setUint32(offset + 36, checkUint(value.discardReason, 32, "PacketDiscardedRecord.discardReason"), true);
  view.setBigUint64(offset + 40, checkU64(value.filterId, "PacketDiscardedRecord.filterId"), true);
  view.setUint16(offset + 48, checkUint(value.layerId, 16, "PacketDiscardedRecord.layerId"), true);
  view.setUint8(offset + 50, checkUint(value.direction, 8, "PacketDiscardedRecord.direction"));
  zero(view, offset + 51, 1);
  zero(view, offset + 52, 4);
  view.setUint16(offset + 0, 9, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** A monitored flow ended; its totals. */
export interface FlowDeletedRecord {
  /** Record kind (header.type as a name). */
  kind: "FLOW_DELETED";
  /** Common header. */
  header: RecordHeader;
  /** When the flow was established (same clock as header.timestamp). */
  startTime: bigint;
  /** Stream bytes sent. */
  bytesOut: bigint;
  /** Stream bytes received. */
  bytesIn: bigint;
  /** Packets of the flow tagged. */
  packetsTagged: bigint;
  /** Outbound tagged packets removed without ever leaving the stack, plus tagged packets reported at a discard layer. */
  packetsDropped: bigint;
  /** Stream indications sent. */
  segmentsOut: number;
  /** Stream indications received. */
  segmentsIn: number;
  /** Layer id given to flowDeleteFn. */
  layerId: number;
  /** Why the flow ended. Values: {@link FlowEndReason}. */
  reason: number;
}
/** Size in bytes of the fixed part of {@link FlowDeletedRecord}. */
export const FLOW_DELETED_RECORD_SIZE = 80;
/** Decodes a {@link FlowDeletedRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodeFlowDeletedRecord(view: DataView, offset = 0): FlowDeletedRecord {
  need(view, offset, 80, "FlowDeletedRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 80 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("FlowDeletedRecord", offset, `header.size ${size} is not a multiple of 8 between 80 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 80;
  return {
    kind: "FLOW_DELETED",
    header: decodeRecordHeader(view, offset + 0),
    startTime: view.getBigUint64(offset + 24, true),
    bytesOut: view.getBigUint64(offset + 32, true),
    bytesIn: view.getBigUint64(offset + 40, true),
    packetsTagged: view.getBigUint64(offset + 48, true),
    packetsDropped: view.getBigUint64(offset + 56, true),
    segmentsOut: view.getUint32(offset + 64, true),
    segmentsIn: view.getUint32(offset + 68, true),
    layerId: view.getUint16(offset + 72, true),
    reason: view.getUint16(offset + 74, true),
  };
}
/** Size in bytes of the encoded {@link FlowDeletedRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfFlowDeletedRecord(value: FlowDeletedRecord): number {
  return align8(80);
}
/** Encodes a {@link FlowDeletedRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodeFlowDeletedRecord(view: DataView, offset: number, value: FlowDeletedRecord): number {
  room(view, offset, sizeOfFlowDeletedRecord(value), "FlowDeletedRecord");
  const size = sizeOfFlowDeletedRecord(value);
  let tail = offset + 80;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.startTime, "FlowDeletedRecord.startTime"), true);
  view.setBigUint64(offset + 32, checkU64(value.bytesOut, "FlowDeletedRecord.bytesOut"), true);
  view.setBigUint64(offset + 40, checkU64(value.bytesIn, "FlowDeletedRecord.bytesIn"), true);
  view.setBigUint64(offset + 48, checkU64(value.packetsTagged, "FlowDeletedRecord.packetsTagged"), true);
  view.setBigUint64(offset + 56, checkU64(value.packetsDropped, "FlowDeletedRecord.packetsDropped"), true);
  view.setUint32(offset + 64, checkUint(value.segmentsOut, 32, "FlowDeletedRecord.segmentsOut"), true);
  view.setUint32(offset + 68, checkUint(value.segmentsIn, 32, "FlowDeletedRecord.segmentsIn"), true);
  view.setUint16(offset + 72, checkUint(value.layerId, 16, "FlowDeletedRecord.layerId"), true);
  view.setUint16(offset + 74, checkUint(value.reason, 16, "FlowDeletedRecord.reason"), true);
  zero(view, offset + 76, 4);
  view.setUint16(offset + 0, 6, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** Events were lost before this record. header.timestamp is when the first loss it counts happened; a LOSS record still in the ring is updated in place by later drops. */
export interface LossRecord {
  /** Record kind (header.type as a name). */
  kind: "LOSS";
  /** Common header. */
  header: RecordHeader;
  /** Events lost since the previous LOSS record of the same reason. */
  lost: bigint;
  /** Events lost by this session for this reason since it opened. */
  totalLost: bigint;
  /** What was lost. Values: {@link LossReason}. */
  reason: number;
}
/** Size in bytes of the fixed part of {@link LossRecord}. */
export const LOSS_RECORD_SIZE = 48;
/** Decodes a {@link LossRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodeLossRecord(view: DataView, offset = 0): LossRecord {
  need(view, offset, 48, "LossRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 48 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("LossRecord", offset, `header.size ${size} is not a multiple of 8 between 48 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 48;
  return {
    kind: "LOSS",
    header: decodeRecordHeader(view, offset + 0),
    lost: view.getBigUint64(offset + 24, true),
    totalLost: view.getBigUint64(offset + 32, true),
    reason: view.getUint32(offset + 40, true),
  };
}
/** Size in bytes of the encoded {@link LossRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfLossRecord(value: LossRecord): number {
  return align8(48);
}
/** Encodes a {@link LossRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodeLossRecord(view: DataView, offset: number, value: LossRecord): number {
  room(view, offset, sizeOfLossRecord(value), "LossRecord");
  const size = sizeOfLossRecord(value);
  let tail = offset + 48;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.lost, "LossRecord.lost"), true);
  view.setBigUint64(offset + 32, checkU64(value.totalLost, "LossRecord.totalLost"), true);
  view.setUint32(offset + 40, checkUint(value.reason, 32, "LossRecord.reason"), true);
  zero(view, offset + 44, 4);
  view.setUint16(offset + 0, 7, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** A snapshot of an active flow of the session (LIST_FLOWS output). */
export interface FlowInfoRecord {
  /** Record kind (header.type as a name). */
  kind: "FLOW_INFO";
  /** Common header; timestamp is when the snapshot was taken. */
  header: RecordHeader;
  /** Process id from FLOW_ESTABLISHED. */
  processId: bigint;
  /** When the flow was established. */
  startTime: bigint;
  /** Stream bytes sent so far. */
  bytesOut: bigint;
  /** Stream bytes received so far. */
  bytesIn: bigint;
  /** Packets tagged so far. */
  packetsTagged: bigint;
  /** The 5-tuple. */
  endpoints: FlowEndpoints;
  /** Stream indications sent so far. */
  segmentsOut: number;
  /** Stream indications received so far. */
  segmentsIn: number;
  /** Protocol identified so far. Values: {@link AppProtocol}. */
  appProtocol: number;
  /** NT path of the application, UTF-16. (at most 2048 bytes of utf16le) */
  appPath: string;
}
/** Size in bytes of the fixed part of {@link FlowInfoRecord}. */
export const FLOW_INFO_RECORD_SIZE = 120;
/** Decodes a {@link FlowInfoRecord} from `view` at `offset`; checks the header size and every tail length against the record and the view. */
export function decodeFlowInfoRecord(view: DataView, offset = 0): FlowInfoRecord {
  need(view, offset, 120, "FlowInfoRecord");
  const size = view.getUint32(offset + 4, true);
  if (size < 120 || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError("FlowInfoRecord", offset, `header.size ${size} is not a multiple of 8 between 120 and the ${view.byteLength - offset} bytes left`);
  let tail = offset + 120;
  const appPathLength = view.getUint16(offset + 114, true);
  if (appPathLength > 2048 || appPathLength % 2 !== 0 || tail + appPathLength > offset + size) throw new RecordDecodeError("FlowInfoRecord", offset, `appPath length ${appPathLength} does not fit the record`);
  const appPath = readUtf16(view, tail, appPathLength);
  tail += appPathLength;
  return {
    kind: "FLOW_INFO",
    header: decodeRecordHeader(view, offset + 0),
    processId: view.getBigUint64(offset + 24, true),
    startTime: view.getBigUint64(offset + 32, true),
    bytesOut: view.getBigUint64(offset + 40, true),
    bytesIn: view.getBigUint64(offset + 48, true),
    packetsTagged: view.getBigUint64(offset + 56, true),
    endpoints: decodeFlowEndpoints(view, offset + 64),
    segmentsOut: view.getUint32(offset + 104, true),
    segmentsIn: view.getUint32(offset + 108, true),
    appProtocol: view.getUint8(offset + 112),
    appPath,
  };
}
/** Size in bytes of the encoded {@link FlowInfoRecord} `value` (fixed part, tail, padding to 8). */
export function sizeOfFlowInfoRecord(value: FlowInfoRecord): number {
  return align8(120 + value.appPath.length * 2);
}
/** Encodes a {@link FlowInfoRecord} into `view` at `offset` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused. */
export function encodeFlowInfoRecord(view: DataView, offset: number, value: FlowInfoRecord): number {
  room(view, offset, sizeOfFlowInfoRecord(value), "FlowInfoRecord");
  const size = sizeOfFlowInfoRecord(value);
  let tail = offset + 120;
  const appPathLength = writeUtf16(view, tail, value.appPath, 2048, "FlowInfoRecord.appPath");
  view.setUint16(offset + 114, appPathLength, true);
  tail += appPathLength;
  zero(view, tail, offset + size - tail);
  encodeRecordHeader(view, offset + 0, value.header);
  view.setBigUint64(offset + 24, checkU64(value.processId, "FlowInfoRecord.processId"), true);
  view.setBigUint64(offset + 32, checkU64(value.startTime, "FlowInfoRecord.startTime"), true);
  view.setBigUint64(offset + 40, checkU64(value.bytesOut, "FlowInfoRecord.bytesOut"), true);
  view.setBigUint64(offset + 48, checkU64(value.bytesIn, "FlowInfoRecord.bytesIn"), true);
  view.setBigUint64(offset + 56, checkU64(value.packetsTagged, "FlowInfoRecord.packetsTagged"), true);
  encodeFlowEndpoints(view, offset + 64, value.endpoints);
  view.setUint32(offset + 104, checkUint(value.segmentsOut, 32, "FlowInfoRecord.segmentsOut"), true);
  view.setUint32(offset + 108, checkUint(value.segmentsIn, 32, "FlowInfoRecord.segmentsIn"), true);
  view.setUint8(offset + 112, checkUint(value.appProtocol, 8, "FlowInfoRecord.appProtocol"));
  zero(view, offset + 113, 1);
  zero(view, offset + 116, 4);
  view.setUint16(offset + 0, 8, true);
  view.setUint32(offset + 4, size, true);
  return size;
}

/** Any record of the contract, discriminated by `kind`. */
export type ContractRecord = FlowEstablishedRecord | FlowClassifiedRecord | StreamDataRecord | PacketTaggedRecord | PacketNotifyRecord | PacketDiscardedRecord | FlowDeletedRecord | LossRecord | FlowInfoRecord;
/** A record whose type this client does not know (a newer driver of the same major version); skip it by header.size. */
export interface UnknownRecord {
  /** Always "UNKNOWN". */
  kind: "UNKNOWN";
  /** The record header. */
  header: RecordHeader;
}
/** Largest encoded size of each record kind. */
export const MAX_RECORD_SIZE = { FLOW_ESTABLISHED: 2128, FLOW_CLASSIFIED: 1600, STREAM_DATA: 2096, PACKET_TAGGED: 2096, PACKET_NOTIFY: 48, PACKET_DISCARDED: 56, FLOW_DELETED: 80, LOSS: 48, FLOW_INFO: 2168 } as const;
/** Decodes the record at `offset`, whatever its type. Read `header.size` bytes further for the next one. */
export function decodeRecord(view: DataView, offset = 0): ContractRecord | UnknownRecord {
  const header = decodeRecordHeader(view, offset);
  switch (header.type) {
    case 1: return decodeFlowEstablishedRecord(view, offset);
    case 2: return decodeFlowClassifiedRecord(view, offset);
    case 3: return decodeStreamDataRecord(view, offset);
    case 4: return decodePacketTaggedRecord(view, offset);
    case 5: return decodePacketNotifyRecord(view, offset);
    case 9: return decodePacketDiscardedRecord(view, offset);
    case 6: return decodeFlowDeletedRecord(view, offset);
    case 7: return decodeLossRecord(view, offset);
    case 8: return decodeFlowInfoRecord(view, offset);
    default:
      if (header.size < RECORD_HEADER_SIZE || header.size % 8 !== 0 || offset + header.size > view.byteLength) throw new RecordDecodeError("RecordHeader", offset, `header.size ${header.size} is not a valid record size`);
      return { kind: "UNKNOWN", header };
  }
}
/** Encoded size of any record. */
export function sizeOfRecord(value: ContractRecord): number {
  switch (value.kind) {
    case "FLOW_ESTABLISHED": return sizeOfFlowEstablishedRecord(value);
    case "FLOW_CLASSIFIED": return sizeOfFlowClassifiedRecord(value);
    case "STREAM_DATA": return sizeOfStreamDataRecord(value);
    case "PACKET_TAGGED": return sizeOfPacketTaggedRecord(value);
    case "PACKET_NOTIFY": return sizeOfPacketNotifyRecord(value);
    case "PACKET_DISCARDED": return sizeOfPacketDiscardedRecord(value);
    case "FLOW_DELETED": return sizeOfFlowDeletedRecord(value);
    case "LOSS": return sizeOfLossRecord(value);
    case "FLOW_INFO": return sizeOfFlowInfoRecord(value);
  }
}
/** Encodes any record into `view` at `offset`; returns the bytes written. */
export function encodeRecord(view: DataView, offset: number, value: ContractRecord): number {
  switch (value.kind) {
    case "FLOW_ESTABLISHED": return encodeFlowEstablishedRecord(view, offset, value);
    case "FLOW_CLASSIFIED": return encodeFlowClassifiedRecord(view, offset, value);
    case "STREAM_DATA": return encodeStreamDataRecord(view, offset, value);
    case "PACKET_TAGGED": return encodePacketTaggedRecord(view, offset, value);
    case "PACKET_NOTIFY": return encodePacketNotifyRecord(view, offset, value);
    case "PACKET_DISCARDED": return encodePacketDiscardedRecord(view, offset, value);
    case "FLOW_DELETED": return encodeFlowDeletedRecord(view, offset, value);
    case "LOSS": return encodeLossRecord(view, offset, value);
    case "FLOW_INFO": return encodeFlowInfoRecord(view, offset, value);
  }
}
