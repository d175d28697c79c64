/*
 * Running traffic through libwfpsim's stack model (native/include/wfpsim/kernel.h: WfpsimRunCapture,
 * WfpsimRunSyntheticEx, WfpsimRunStats, WfpsimRunLastError, WfpsimRunCloseFlows): a pcap/pcapng
 * capture or seeded synthetic flows reach the linked driver's callouts (ALE_FLOW_ESTABLISHED, STREAM,
 * TRANSPORT classifies) as WFP would call them. Simulator only: nothing like it exists on Windows.
 *
 * koffi declarations: the structs are declared once per process (koffi's type registry is
 * process-wide; a type of the same name declared earlier is reused) and the functions once per
 * library path.
 */
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import { nativeLibraryPath } from './paths';

/**
 * Which process a flow belongs to while traffic runs. A flow whose local port equals `localPort`
 * gets this process; the entry without `localPort` (at most one) is the default for every other
 * flow.
 */
export interface SimulatedApp {
  /** Local port of the flows this app owns (the client port for flows the local host opened). */
  readonly localPort?: number;
  /** Process id the FLOW_ESTABLISHED classify reports (FWPS_METADATA_FIELD_PROCESS_ID). */
  readonly processId: number;
  /**
   * The process path in NT form, lower-case, as `FWPM_CONDITION_ALE_APP_ID` blobs hold it (e.g.
   * `\device\harddiskvolume3\windows\system32\curl.exe`, what `FwpmGetAppIdFromFileName0` makes of
   * `C:\Windows\System32\curl.exe`): filters with an ALE_APP_ID condition match it byte for byte.
   */
  readonly path: string;
}

/** Options every run takes. */
export interface RunOptions {
  /** The libwfpsim to run in (default {@link nativeLibraryPath}). */
  readonly libraryPath?: string;
  /**
   * Processes of the flows. Default: one app for every flow, process id 4242,
   * `\device\harddiskvolume3\windows\system32\wfpsim-app.exe`.
   */
  readonly apps?: readonly SimulatedApp[];
  /** Largest NET_BUFFER of a stream indication (default 1460). */
  readonly segmentSize?: number;
  /** Classify every packet at the transport layers too (default true). */
  readonly transportClassifies?: boolean;
  /**
   * Flows that end in the input stay established (flow contexts alive) until
   * {@link closeDeferredFlows}: to look at live flows (LIST_FLOWS) or unload with flows. Default false.
   */
  readonly deferFlowClose?: boolean;
  /** Leave the virtual clock at the last timestamp after the run (default: back to real time). */
  readonly keepClock?: boolean;
  /**
   * Offline runs only: back-pressure instead of loss. Before each input packet (and each flow
   * it closes) the run waits while a running session of the linked driver has its event ring
   * more than half full, so a reader that keeps reading gets every record however fast the
   * input goes. The driver reports the fill through a probe it registers with libwfpsim at load
   * (simulator only: on Windows traffic is live and a slow reader gets LOSS records). The run
   * waits as long as nobody reads: read the sessions while it runs, or {@link cancelRun} ends
   * it. Not for paced, live-like workloads. Default false.
   */
  readonly lossless?: boolean;
  /**
   * The packet-lifecycle model of tagged packets (seeded latencies, drops inside the stack).
   * Without it the defaults apply: seed 1, no loss, segmentation clones, the default medians.
   */
  readonly lifecycle?: PacketLifecycleOptions;
}

/**
 * The model of what happens to a tagged packet after its transport / IP packet classifies, in
 * virtual time. Outbound: [CLONED_BY_NETIO to a new NBL] → EXIT_NETIO → NDIS_SEND_COMPLETE →
 * CONTEXT_REMOVED; inbound: CONTEXT_REMOVED when consumed; dropped: the `*_DISCARD` layer is
 * classified, then CONTEXT_REMOVED without EXIT_NETIO; duplicated ({@link duplicateFrames}):
 * DUPLICATED_BY_NETIO to a copy that lives its own lifecycle beside the original. Every delay is
 * modelled, not measured (see the package README).
 */
export interface PacketLifecycleOptions {
  /** Seed of the latency and loss model (default 1). Same seed + input => same events and times. */
  readonly seed?: number | bigint;
  /** Probability (0..1) that a packet is dropped inside the stack (default 0). */
  readonly lossRate?: number;
  /**
   * 1-based input frame numbers (tshark's frame.number for a capture; generation order for
   * synthetic runs) of packets to drop inside the stack.
   */
  readonly dropFrames?: readonly number[];
  /**
   * 1-based input frame numbers of tagged packets the stack model duplicates: before the exit
   * (outbound) or the delivery (inbound) it raises DUPLICATED_BY_NETIO with a new NBL, a copy of
   * the packet, which then lives its own lifecycle beside the original (outbound: EXIT_NETIO →
   * NDIS_SEND_COMPLETE → CONTEXT_REMOVED; inbound: CONTEXT_REMOVED when consumed). A driver that
   * follows duplicates associates its own context with the copy. Untagged, dropped and fragment
   * frames are not duplicated.
   */
  readonly duplicateFrames?: readonly number[];
  /**
   * Outbound TCP packets whose payload is longer than {@link RunOptions.segmentSize} are cloned by
   * the stack model (CLONED_BY_NETIO) as segmentation offload would; default true.
   */
  readonly segmentationClones?: boolean;
  /**
   * Medians in microseconds of the modelled delays (log-normal, sigma 0.5): `stackUs` classify →
   * EXIT_NETIO and classify → a drop inside the stack (default 20), `sendCompleteUs` EXIT_NETIO →
   * NDIS_SEND_COMPLETE (default 50), `deliverUs` inbound classify → consumed (default 30).
   */
  readonly latency?: { readonly stackUs?: number; readonly sendCompleteUs?: number; readonly deliverUs?: number };
}

/** Default medians of {@link PacketLifecycleOptions.latency}, in microseconds (modelled, not measured). */
export const DEFAULT_LIFECYCLE_LATENCY_US = { stackUs: 20, sendCompleteUs: 50, deliverUs: 30 } as const;

/**
 * `discardMetadata.discardReason` of the drops the model makes inside the stack (a BLOCK filter
 * gives module GENERAL, reason FWPS_DISCARD_FIREWALL_POLICY = 0 and the filter's id instead).
 */
export const DISCARD_REASONS = { LOSS: 1, SCRIPTED: 2, REASSEMBLY: 3 } as const;

/** Options of {@link runCapture}. */
export interface CaptureRunOptions extends RunOptions {
  /**
   * A capture that ends inside its last record (a capture tool stopped mid-write) is replayed up to
   * the cut instead of failing with {@link CaptureError} `TRUNCATED`. Default false.
   */
  readonly acceptTruncated?: boolean;
}

/** A protocol the synthetic generator can draw flows from. */
export type SyntheticProtocol = 'tls' | 'http1' | 'http2' | 'ssh' | 'random';

/** Options of {@link runSynthetic}. */
export interface SyntheticRunOptions extends RunOptions {
  /** Seed: the same seed and options give the same flows, bytes and timestamps. */
  readonly seed: number | bigint;
  /** Number of flows. */
  readonly flows: number;
  /** Protocols drawn from, uniformly (default all): TLS with SNI/ALPN, HTTP/1.1, HTTP/2 over TLS, SSH, random bytes. */
  readonly protocols?: readonly SyntheticProtocol[];
  /** Share of IPv6 flows, 0..100 (default 0). */
  readonly ipv6Percent?: number;
  /** Share of flows the remote side opens, 0..100 (default 0). */
  readonly inboundPercent?: number;
  /** Share of flows ended by RST instead of FIN, 0..100 (default 0). */
  readonly rstPercent?: number;
  /** Smallest response in bytes (default 200; give `maxBytes` too). */
  readonly minBytes?: number;
  /** Largest response in bytes (default 20000). */
  readonly maxBytes?: number;
  /** Real-time pacing: input packets per second (default: unpaced, as fast as the model runs). */
  readonly packetsPerSecond?: number;
  /**
   * Real time the run lasts, in milliseconds: the run ends at its first packet after it (flows
   * closed normally), and the generator starts again with the next seed if its flows end first
   * — with pacing, a live workload. 0 / undefined: until the flows are generated.
   */
  readonly durationMs?: number;
}

/** What a run did (`WfpsimRunStats`). */
export interface RunStats {
  /** TCP flows seen. */
  readonly flows: number;
  /** ALE_FLOW_ESTABLISHED classifies. */
  readonly flowClassifies: number;
  /** STREAM classifies (one per indication). */
  readonly streamClassifies: number;
  /** Transport-layer classifies. */
  readonly packetClassifies: number;
  /** classifyFn calls into the driver's callouts. */
  readonly calloutCalls: number;
  /** Classifies whose final action was BLOCK. */
  readonly blocked: number;
  /** flowDeleteFn calls. */
  readonly flowDeletes: number;
  /** IP packet layer classifies. */
  readonly ipPacketClassifies: number;
  /** `*_DISCARD` layer classifies. */
  readonly discardClassifies: number;
  /** Packets dropped inside the stack, all causes (block filter, loss rate, scripted, reassembly). */
  readonly packetsDropped: number;
  /** NBL notify function calls during the run. */
  readonly notifyCalls: number;
  /** Most NBLs the lifecycle model held at once. */
  readonly maxNblsInFlight: number;
  /** CLONED_BY_NETIO events (segmentation offload). */
  readonly clones: number;
  /** DUPLICATED_BY_NETIO events ({@link PacketLifecycleOptions.duplicateFrames}). */
  readonly duplicates: number;
  /** IP fragment sets reassembled. */
  readonly reassemblies: number;
  /** Frames read from the capture or generated. */
  readonly inputPackets: number;
  /** The run ended early ({@link cancelRun}, or its `durationMs`). */
  readonly cancelled: boolean;
  /**
   * Set when the capture was cut inside its last record and {@link CaptureRunOptions.acceptTruncated}
   * replayed it anyway: the byte offset of the cut record.
   */
  readonly truncatedAt?: number;
}

/** The capture reader's error codes (`WS_PCAP_E_*` in native/include/wfpsim/traffic.h). */
export const PCAP_ERRORS = {
  ARG: -1,
  IO: -2,
  NOMEM: -3,
  FORMAT: -4,
  MALFORMED: -5,
  TRUNCATED: -6,
  TOO_BIG: -7,
  LINKTYPE: -8,
} as const;

/** Name of a capture reader error. */
export type PcapErrorName = keyof typeof PCAP_ERRORS;

function pcapErrorName(code: number): PcapErrorName | 'UNKNOWN' {
  for (const [name, value] of Object.entries(PCAP_ERRORS)) if (value === code) return name as PcapErrorName;
  return 'UNKNOWN';
}

/**
 * A capture could not be replayed (or a synthetic run failed). `pcapCode` is the reader's
 * `WS_PCAP_E_*` code, `offset` the byte offset in the file of the problem. The message says
 * where and what, e.g. "capture is truncated at byte 11504: …".
 */
export class CaptureError extends Error {
  /** Stable error code. */
  readonly code = 'WFPSIM_CAPTURE' as const;

  constructor(
    /** The capture file (undefined for a synthetic run). */
    readonly file: string | undefined,
    /** `WS_PCAP_E_*` (negative). */
    readonly pcapCode: number,
    /** Its name. */
    readonly pcapError: PcapErrorName | 'UNKNOWN',
    /** Byte offset of the problem in the file (0 when it is not about a place in the file). */
    readonly offset: number,
    /** The reader's one-line description. */
    readonly detail: string,
  ) {
    super(CaptureError.describe(file, pcapCode, offset, detail));
    this.name = 'CaptureError';
  }

  private static describe(file: string | undefined, code: number, offset: number, detail: string): string {
    const what = detail || pcapErrorName(code).toLowerCase();
    const where = file ? ` (${file})` : '';
    switch (code) {
      case PCAP_ERRORS.TRUNCATED:
        return `capture is truncated at byte ${offset}: ${what}${where}; pass acceptTruncated: true to replay it up to the cut`;
      case PCAP_ERRORS.MALFORMED:
        return `capture is malformed at byte ${offset}: ${what}${where}`;
      case PCAP_ERRORS.FORMAT:
        return `not a pcap or pcapng capture: ${what}${where}`;
      case PCAP_ERRORS.LINKTYPE:
        return `unsupported link type at byte ${offset}: ${what}${where}`;
      case PCAP_ERRORS.TOO_BIG:
        return `capture record too big at byte ${offset}: ${what}${where}`;
      case PCAP_ERRORS.IO:
        return `cannot read the capture: ${what}${where}`;
      case PCAP_ERRORS.ARG:
        return `invalid run options: ${what}`;
      default:
        return `the run failed (${pcapErrorName(code)} ${code}): ${what}${where}`;
    }
  }
}

/**
 * A traffic run was started while another one (sync or async, in this process) is in progress.
 * Runs are serialized by the model; nothing was changed. Await the other run, or {@link cancelRun}.
 */
export class RunInProgressError extends Error {
  /** Stable error code. */
  readonly code = 'WFPSIM_RUN_IN_PROGRESS' as const;

  constructor() {
    super('another traffic run is in progress in this process (runCaptureAsync / runSyntheticAsync): await it or call cancelRun() first');
    this.name = 'RunInProgressError';
  }
}

// ---- koffi ------------------------------------------------------------------------------------
type KoffiModule = typeof Koffi;
type TypeObject = ReturnType<KoffiModule['struct']>;
type Fn = ReturnType<Koffi.LibraryHandle['func']>;

interface TrafficTypes {
  readonly runOptions: TypeObject;
  readonly lifecycle: TypeObject;
  readonly appRule: TypeObject;
  readonly stats: TypeObject;
  readonly error: TypeObject;
  readonly synthetic: TypeObject;
}

interface TrafficFunctions {
  readonly runCapture: Fn;
  readonly runSynthetic: Fn;
  readonly stats: Fn;
  readonly lastError: Fn;
  readonly closeFlows: Fn;
  readonly cancel: Fn;
  readonly active: Fn;
}

function koffiModule(): KoffiModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('koffi') as KoffiModule;
}

let typesMemo: TrafficTypes | undefined;

function declared(koffi: KoffiModule, name: string, def: Record<string, string | TypeObject>): TypeObject {
  try {
    return koffi.type(name) as TypeObject;
  } catch {
    return koffi.struct(name, def);
  }
}

function trafficTypes(): TrafficTypes {
  if (typesMemo) return typesMemo;
  const koffi = koffiModule();
  typesMemo = {
    appRule: declared(koffi, 'wfpsim_app_rule', {
      local_port: 'uint16_t',
      reserved: 'uint16_t',
      process_id: 'uint32_t',
      app_path: 'void *',
    }),
    lifecycle: declared(koffi, 'wfpsim_lifecycle_options_v2', {
      struct_size: 'uint32_t',
      flags: 'uint32_t',
      seed: 'uint64_t',
      loss_rate: 'double',
      drop_frames: 'void *',
      drop_frame_count: 'uint32_t',
      stack_us: 'uint32_t',
      send_complete_us: 'uint32_t',
      deliver_us: 'uint32_t',
      duplicate_frames: 'void *',
      duplicate_frame_count: 'uint32_t',
      reserved: 'uint32_t',
    }),
    runOptions: declared(koffi, 'wfpsim_run_options_v2', {
      struct_size: 'uint32_t',
      default_process_id: 'uint32_t',
      default_app_path: 'void *',
      rules: 'void *',
      rule_count: 'uint32_t',
      segment_size: 'uint32_t',
      flags: 'uint32_t',
      reserved: 'uint32_t',
      lifecycle: 'void *',
      packets_per_second: 'double',
      duration_ms: 'uint64_t',
    }),
    stats: declared(koffi, 'wfpsim_run_stats_v3', {
      flows: 'uint64_t',
      flow_classifies: 'uint64_t',
      stream_classifies: 'uint64_t',
      packet_classifies: 'uint64_t',
      callout_calls: 'uint64_t',
      blocked: 'uint64_t',
      flow_deletes: 'uint64_t',
      ippacket_classifies: 'uint64_t',
      discard_classifies: 'uint64_t',
      packets_dropped: 'uint64_t',
      notify_calls: 'uint64_t',
      max_nbls_in_flight: 'uint64_t',
      clones: 'uint64_t',
      reassemblies: 'uint64_t',
      input_packets: 'uint64_t',
      cancelled: 'uint64_t',
      duplicates: 'uint64_t',
    }),
    error: declared(koffi, 'wfpsim_run_error', {
      code: 'int32_t',
      reserved: 'uint32_t',
      offset: 'uint64_t',
      message: koffi.array('char', 192, 'String'),
    }),
    synthetic: declared(koffi, 'wfpsim_synthetic_options', {
      struct_size: 'uint32_t',
      flows: 'uint32_t',
      seed: 'uint64_t',
      protocols: 'uint32_t',
      ipv6_percent: 'uint32_t',
      inbound_percent: 'uint32_t',
      rst_percent: 'uint32_t',
      min_bytes: 'uint32_t',
      max_bytes: 'uint32_t',
    }),
  };
  return typesMemo;
}

const functionsByLibrary = new Map<string, TrafficFunctions>();

function trafficFunctions(libraryPath: string | undefined): TrafficFunctions {
  const resolved = path.resolve(libraryPath ?? nativeLibraryPath());
  const known = functionsByLibrary.get(resolved);
  if (known) return known;
  const koffi = koffiModule();
  const t = trafficTypes();
  const lib = koffi.load(resolved);
  const fns: TrafficFunctions = {
    runCapture: lib.func('WfpsimRunCapture', 'int32_t', ['const char *', koffi.pointer(t.runOptions)]),
    runSynthetic: lib.func('WfpsimRunSyntheticEx', 'int32_t', [koffi.pointer(t.synthetic), koffi.pointer(t.runOptions)]),
    stats: lib.func('WfpsimRunStats', 'void', [koffi.out(koffi.pointer(t.stats))]),
    lastError: lib.func('WfpsimRunLastError', 'void', [koffi.out(koffi.pointer(t.error))]),
    closeFlows: lib.func('WfpsimRunCloseFlows', 'uint32_t', []),
    cancel: lib.func('WfpsimRunCancel', 'int', []),
    active: lib.func('WfpsimRunActive', 'int', []),
  };
  functionsByLibrary.set(resolved, fns);
  return fns;
}

const RUN_NO_PACKETS = 0x1;
const RUN_KEEP_CLOCK = 0x2;
const RUN_DEFER_FLOW_CLOSE = 0x4;
const RUN_REJECT_TRUNCATED = 0x8;
const RUN_LOSSLESS = 0x10;
const RUN_E_BUSY = -9;
const LC_NO_SEGMENTATION_CLONES = 0x1;
const PROTOCOL_BITS: Record<SyntheticProtocol, number> = { tls: 0, http1: 1, http2: 2, ssh: 3, random: 4 };

function checkUint(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

function checkSeed(name: string, value: number | bigint): bigint {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${String(value)}`);
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new TypeError(`${name} must be a number or a bigint`);
  const seed = BigInt(value);
  if (seed < 0n || seed >= 1n << 64n) throw new RangeError(`${name} must fit in 64 unsigned bits, got ${String(value)}`);
  return seed;
}

/** Native memory the options point to, freed after the call. */
class Scratch {
  private readonly blocks: unknown[] = [];
  constructor(private readonly koffi: KoffiModule) {}

  utf16(text: string): unknown {
    const codes = Array.from({ length: text.length + 1 }, (_, i) => (i < text.length ? text.charCodeAt(i) : 0));
    const p = this.koffi.alloc('uint16_t', codes.length);
    this.blocks.push(p);
    this.koffi.encode(p, this.koffi.array('uint16_t', codes.length), codes);
    return p;
  }

  rules(type: TypeObject, rules: readonly object[]): unknown {
    const p = this.koffi.alloc(type, rules.length);
    this.blocks.push(p);
    this.koffi.encode(p, this.koffi.array(type, rules.length), rules);
    return p;
  }

  u64s(values: readonly bigint[]): unknown {
    const p = this.koffi.alloc('uint64_t', values.length);
    this.blocks.push(p);
    this.koffi.encode(p, this.koffi.array('uint64_t', values.length), values);
    return p;
  }

  struct(type: TypeObject, value: object): unknown {
    const p = this.koffi.alloc(type, 1);
    this.blocks.push(p);
    this.koffi.encode(p, type, value);
    return p;
  }

  free(): void {
    for (const p of this.blocks) this.koffi.free(p);
    this.blocks.length = 0;
  }
}

/** The lifecycle options checked and converted (no native memory yet). */
interface CheckedLifecycle {
  readonly flags: number;
  readonly seed: bigint;
  readonly lossRate: number;
  readonly dropFrames: readonly bigint[];
  readonly duplicateFrames: readonly bigint[];
  readonly stackUs: number;
  readonly sendCompleteUs: number;
  readonly deliverUs: number;
}

function checkLatency(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw new RangeError(`lifecycle.latency.${name} must be a positive integer number of microseconds (at most ${0xffffffff}), got ${String(value)}`);
  }
  return value;
}

function checkFrames(name: string, value: readonly number[] | undefined): bigint[] {
  const frames: unknown = value ?? [];
  if (!Array.isArray(frames)) throw new TypeError(`lifecycle.${name} must be an array of 1-based frame numbers`);
  return frames.map((f: unknown, i: number) => {
    if (typeof f !== 'number' || !Number.isSafeInteger(f) || f < 1) {
      throw new RangeError(`lifecycle.${name}[${i}] must be a 1-based frame number (a positive integer), got ${String(f)}`);
    }
    return BigInt(f);
  });
}

function checkLifecycle(o: PacketLifecycleOptions | undefined): CheckedLifecycle | undefined {
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null) throw new TypeError('lifecycle must be an object (PacketLifecycleOptions)');
  const seed = checkSeed('lifecycle.seed', o.seed ?? 1);
  const lossRate = o.lossRate ?? 0;
  if (typeof lossRate !== 'number' || !Number.isFinite(lossRate) || lossRate < 0 || lossRate > 1) {
    throw new RangeError(`lifecycle.lossRate must be a probability from 0 to 1, got ${String(lossRate)}`);
  }
  const dropFrames = checkFrames('dropFrames', o.dropFrames);
  const duplicateFrames = checkFrames('duplicateFrames', o.duplicateFrames);
  if (o.segmentationClones !== undefined && typeof o.segmentationClones !== 'boolean') {
    throw new TypeError('lifecycle.segmentationClones must be a boolean');
  }
  const lat = o.latency ?? {};
  return {
    flags: o.segmentationClones === false ? LC_NO_SEGMENTATION_CLONES : 0,
    seed,
    lossRate,
    dropFrames,
    duplicateFrames,
    stackUs: checkLatency('stackUs', lat.stackUs),
    sendCompleteUs: checkLatency('sendCompleteUs', lat.sendCompleteUs),
    deliverUs: checkLatency('deliverUs', lat.deliverUs),
  };
}

/** Pacing of a synthetic run, checked. */
interface Pacing {
  readonly packetsPerSecond: number;
  readonly durationMs: number;
}

function checkPacing(o: { readonly packetsPerSecond?: number; readonly durationMs?: number }): Pacing {
  const pps = o.packetsPerSecond ?? 0;
  if (o.packetsPerSecond !== undefined && (typeof pps !== 'number' || !Number.isFinite(pps) || pps <= 0)) {
    throw new RangeError(`packetsPerSecond must be a positive number, got ${String(pps)}`);
  }
  const durationMs = o.durationMs ?? 0;
  if (!Number.isSafeInteger(durationMs) || durationMs < 0) {
    throw new RangeError(`durationMs must be a non-negative integer number of milliseconds, got ${String(durationMs)}`);
  }
  return { packetsPerSecond: pps, durationMs };
}

/** Checks every run option (throws before anything native is touched). */
function checkRunOptions(options: RunOptions): { lifecycle?: CheckedLifecycle } {
  const apps = options.apps ?? [];
  const defaults = apps.filter((a) => a.localPort === undefined);
  if (defaults.length > 1) throw new TypeError('apps: at most one app may omit localPort (the default app)');
  for (const a of apps) {
    if (a.localPort !== undefined) checkUint('apps[].localPort', a.localPort, 0xffff);
    checkUint('apps[].processId', a.processId, 0xffffffff);
    if (!a.path.startsWith('\\')) {
      throw new TypeError(
        `apps[].path must be an NT path such as \\device\\harddiskvolume3\\app.exe (as FwpmGetAppIdFromFileName0 returns), got "${a.path}"`,
      );
    }
  }
  if (options.segmentSize !== undefined) checkUint('segmentSize', options.segmentSize, 0xffffffff);
  if (options.lossless !== undefined && typeof options.lossless !== 'boolean') throw new TypeError('lossless must be a boolean');
  return { lifecycle: checkLifecycle(options.lifecycle) };
}

function nativeRunOptions(
  options: RunOptions,
  extraFlags: number,
  scratch: Scratch,
  lifecycle: CheckedLifecycle | undefined,
  pacing: Pacing = { packetsPerSecond: 0, durationMs: 0 },
): Record<string, unknown> {
  const t = trafficTypes();
  const koffi = koffiModule();
  const apps = options.apps ?? [];
  const rules = apps
    .filter((a) => a.localPort !== undefined)
    .map((a) => ({ local_port: a.localPort, reserved: 0, process_id: a.processId, app_path: scratch.utf16(a.path) }));
  const def = apps.find((a) => a.localPort === undefined);
  let flags = extraFlags;
  if (options.transportClassifies === false) flags |= RUN_NO_PACKETS;
  if (options.keepClock) flags |= RUN_KEEP_CLOCK;
  if (options.deferFlowClose) flags |= RUN_DEFER_FLOW_CLOSE;
  if (options.lossless === true) flags |= RUN_LOSSLESS;
  const lc = lifecycle
    ? scratch.struct(t.lifecycle, {
        struct_size: koffi.sizeof(t.lifecycle),
        flags: lifecycle.flags,
        seed: lifecycle.seed,
        loss_rate: lifecycle.lossRate,
        drop_frames: lifecycle.dropFrames.length ? scratch.u64s(lifecycle.dropFrames) : null,
        drop_frame_count: lifecycle.dropFrames.length,
        stack_us: lifecycle.stackUs,
        send_complete_us: lifecycle.sendCompleteUs,
        deliver_us: lifecycle.deliverUs,
        duplicate_frames: lifecycle.duplicateFrames.length ? scratch.u64s(lifecycle.duplicateFrames) : null,
        duplicate_frame_count: lifecycle.duplicateFrames.length,
        reserved: 0,
      })
    : null;
  return {
    struct_size: koffi.sizeof(t.runOptions),
    default_process_id: def ? def.processId : 0,
    default_app_path: def ? scratch.utf16(def.path) : null,
    rules: rules.length ? scratch.rules(t.appRule, rules) : null,
    rule_count: rules.length,
    segment_size: options.segmentSize ?? 0,
    flags,
    reserved: 0,
    lifecycle: lc,
    packets_per_second: pacing.packetsPerSecond,
    duration_ms: pacing.durationMs,
  };
}

type NativeStats = Record<
  | 'flows'
  | 'flow_classifies'
  | 'stream_classifies'
  | 'packet_classifies'
  | 'callout_calls'
  | 'blocked'
  | 'flow_deletes'
  | 'ippacket_classifies'
  | 'discard_classifies'
  | 'packets_dropped'
  | 'notify_calls'
  | 'max_nbls_in_flight'
  | 'clones'
  | 'reassemblies'
  | 'input_packets'
  | 'cancelled'
  | 'duplicates',
  number | bigint
>;

interface NativeError {
  code: number;
  offset: number | bigint;
  message: string;
}

function readStats(fns: TrafficFunctions, truncatedAt?: number): RunStats {
  const s: Partial<NativeStats> = {};
  fns.stats(s);
  const n = (v: number | bigint | undefined): number => Number(v ?? 0);
  const stats: RunStats = {
    flows: n(s.flows),
    flowClassifies: n(s.flow_classifies),
    streamClassifies: n(s.stream_classifies),
    packetClassifies: n(s.packet_classifies),
    calloutCalls: n(s.callout_calls),
    blocked: n(s.blocked),
    flowDeletes: n(s.flow_deletes),
    ipPacketClassifies: n(s.ippacket_classifies),
    discardClassifies: n(s.discard_classifies),
    packetsDropped: n(s.packets_dropped),
    notifyCalls: n(s.notify_calls),
    maxNblsInFlight: n(s.max_nbls_in_flight),
    clones: n(s.clones),
    duplicates: n(s.duplicates),
    reassemblies: n(s.reassemblies),
    inputPackets: n(s.input_packets),
    cancelled: n(s.cancelled) !== 0,
  };
  return truncatedAt === undefined ? stats : { ...stats, truncatedAt };
}

function lastError(fns: TrafficFunctions): NativeError {
  const e: Partial<NativeError> = {};
  fns.lastError(e);
  return { code: e.code ?? 0, offset: e.offset ?? 0, message: e.message ?? '' };
}

/** One run call prepared: its native arguments and how to read its result. */
interface PreparedRun {
  readonly fns: TrafficFunctions;
  readonly fn: Fn;
  readonly args: unknown[];
  readonly scratch: Scratch;
  finish(rc: number): RunStats;
}

let asyncRuns = 0;

function assertIdle(fns: TrafficFunctions): void {
  if (asyncRuns > 0 || (fns.active() as number) !== 0) throw new RunInProgressError();
}

function prepareCapture(file: string, options: CaptureRunOptions): PreparedRun {
  const koffi = koffiModule();
  const checked = checkRunOptions(options);
  const fns = trafficFunctions(options.libraryPath);
  assertIdle(fns);
  const scratch = new Scratch(koffi);
  const resolved = path.resolve(file);
  let o: Record<string, unknown>;
  try {
    o = nativeRunOptions(options, options.acceptTruncated ? 0 : RUN_REJECT_TRUNCATED, scratch, checked.lifecycle);
  } catch (e) {
    scratch.free();
    throw e;
  }
  return {
    fns,
    fn: fns.runCapture,
    args: [resolved, o],
    scratch,
    finish(rc: number): RunStats {
      if (rc === RUN_E_BUSY) throw new RunInProgressError();
      const err = lastError(fns);
      if (rc !== 0) throw new CaptureError(resolved, rc, pcapErrorName(rc), Number(err.offset), err.message);
      return readStats(fns, err.code === PCAP_ERRORS.TRUNCATED ? Number(err.offset) : undefined);
    },
  };
}

function prepareSynthetic(options: SyntheticRunOptions, allowPacing: boolean): PreparedRun {
  const koffi = koffiModule();
  const t = trafficTypes();
  checkUint('flows', options.flows, 0xffffffff);
  const seed = checkSeed('seed', options.seed);
  let protocols = 0;
  for (const p of options.protocols ?? []) {
    const bit = PROTOCOL_BITS[p] as number | undefined;
    if (bit === undefined) throw new RangeError(`unknown protocol "${String(p)}": use ${Object.keys(PROTOCOL_BITS).join(', ')}`);
    protocols |= 1 << bit;
  }
  const minBytes = checkUint('minBytes', options.minBytes ?? 0, 0xffffffff);
  const maxBytes = checkUint('maxBytes', options.maxBytes ?? 0, 0xffffffff);
  if (maxBytes !== 0 && minBytes > maxBytes) throw new RangeError(`minBytes (${minBytes}) must not exceed maxBytes (${maxBytes})`);
  if (maxBytes === 0 && minBytes !== 0) throw new RangeError('give maxBytes together with minBytes');
  const syn = {
    struct_size: koffi.sizeof(t.synthetic),
    flows: options.flows,
    seed,
    protocols,
    ipv6_percent: checkUint('ipv6Percent', options.ipv6Percent ?? 0, 100),
    inbound_percent: checkUint('inboundPercent', options.inboundPercent ?? 0, 100),
    rst_percent: checkUint('rstPercent', options.rstPercent ?? 0, 100),
    min_bytes: minBytes,
    max_bytes: maxBytes,
  };
  const pacing = checkPacing(options);
  if (!allowPacing && pacing.packetsPerSecond > 0) {
    throw new TypeError('packetsPerSecond paces a run in real time: use runSyntheticAsync so the calling thread is not blocked');
  }
  const checked = checkRunOptions(options);
  const fns = trafficFunctions(options.libraryPath);
  assertIdle(fns);
  const scratch = new Scratch(koffi);
  let o: Record<string, unknown>;
  try {
    o = nativeRunOptions(options, 0, scratch, checked.lifecycle, pacing);
  } catch (e) {
    scratch.free();
    throw e;
  }
  return {
    fns,
    fn: fns.runSynthetic,
    args: [syn, o],
    scratch,
    finish(rc: number): RunStats {
      if (rc === RUN_E_BUSY) throw new RunInProgressError();
      if (rc !== 0) {
        const err = lastError(fns);
        throw new CaptureError(undefined, rc, pcapErrorName(rc), Number(err.offset), err.message);
      }
      return readStats(fns);
    },
  };
}

function runNow(run: PreparedRun): RunStats {
  let rc: number;
  try {
    rc = run.fn(...run.args) as number;
  } finally {
    run.scratch.free();
  }
  return run.finish(rc);
}

function runOnWorker(run: PreparedRun): Promise<RunStats> {
  asyncRuns++;
  return new Promise<RunStats>((resolve, reject) => {
    const done = (err: unknown, rc: unknown): void => {
      asyncRuns--;
      run.scratch.free();
      if (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      try {
        resolve(run.finish(rc as number));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    try {
      (run.fn.async as (...a: unknown[]) => void)(...run.args, done);
    } catch (e) {
      asyncRuns--;
      run.scratch.free();
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

/**
 * Replays a pcap or pcapng capture through the stack model: each TCP flow's FLOW_ESTABLISHED,
 * its stream data at the STREAM layer (in segments), its packets at the transport and IP packet
 * layers, the lifecycle of tagged packets (see {@link PacketLifecycleOptions}), and its end
 * (flowDeleteFn). Timestamps drive the virtual clock.
 *
 * @param file - path of the capture
 * @param options - processes of the flows, truncated captures, the lifecycle model, …
 * @returns the run's counters
 * @throws {@link CaptureError} with the reader's error code and byte offset when the file cannot
 *   be read, is not a capture, is malformed, or is truncated (unless `acceptTruncated`). Flows
 *   before the problem were replayed. RangeError / TypeError for bad options and
 *   {@link RunInProgressError} while another run is in progress (nothing runs then).
 * @example
 * ```ts
 * import { loadDriver, runCapture } from '@wfpkit/simulator';
 *
 * loadDriver();
 * const stats = runCapture('traffic.pcapng', {
 *   apps: [{ localPort: 51234, processId: 4120, path: '\\device\\harddiskvolume3\\apps\\browser.exe' }],
 *   lifecycle: { seed: 7, dropFrames: [12, 40] },
 * });
 * console.log(`${stats.flows} flows, ${stats.packetsDropped} dropped in the stack`);
 * ```
 */
export function runCapture(file: string, options: CaptureRunOptions = {}): RunStats {
  return runNow(prepareCapture(file, options));
}

/**
 * {@link runCapture} on a worker thread (a koffi async call): the promise resolves with the run's
 * counters when it ends, and the JS thread stays free meanwhile (e.g. to read the driver's
 * events). {@link cancelRun} ends it early.
 *
 * @param file - path of the capture
 * @param options - as {@link runCapture}
 * @returns the run's counters
 * @throws (rejects with) the errors of {@link runCapture}; bad options and
 *   {@link RunInProgressError} reject before anything runs
 */
export async function runCaptureAsync(file: string, options: CaptureRunOptions = {}): Promise<RunStats> {
  await Promise.resolve();
  return runOnWorker(prepareCapture(file, options));
}

/**
 * Runs seeded synthetic traffic through the stack model: `flows` TCP flows of the chosen
 * protocols (TLS ClientHello with SNI and ALPN, HTTP/1.1 with Host, HTTP/2 over TLS, SSH, random
 * bytes) with local addresses in 10.0.0.0/8 and fd00::/8, the same every time for the same seed.
 *
 * @param options - seed, number of flows, protocols, processes of the flows, the lifecycle model, …
 * @returns the run's counters
 * @throws RangeError / TypeError for bad options (`packetsPerSecond` needs
 *   {@link runSyntheticAsync}); {@link RunInProgressError} while another run is in progress;
 *   {@link CaptureError} if the generator fails
 * @example
 * ```ts
 * import { loadDriver, runSynthetic } from '@wfpkit/simulator';
 *
 * loadDriver();
 * const stats = runSynthetic({ seed: 1, flows: 100, protocols: ['tls', 'http1'], ipv6Percent: 25 });
 * ```
 */
export function runSynthetic(options: SyntheticRunOptions): RunStats {
  return runNow(prepareSynthetic(options, false));
}

/**
 * {@link runSynthetic} on a worker thread (a koffi async call), with optional real-time pacing
 * (`packetsPerSecond`) and a real-time length (`durationMs`): a live workload a test can read
 * driver events from while it runs. {@link cancelRun} ends it at its next packet.
 *
 * @param options - as {@link runSynthetic}, plus pacing
 * @returns the run's counters (`cancelled` when it ended early)
 * @throws (rejects with) the errors of {@link runSynthetic}
 * @example
 * ```ts
 * import { cancelRun, runSyntheticAsync } from '@wfpkit/simulator';
 *
 * const run = runSyntheticAsync({ seed: 1, flows: 10, packetsPerSecond: 2000, durationMs: 60_000 });
 * setTimeout(() => cancelRun(), 500);
 * const stats = await run; // stats.cancelled === true
 * ```
 */
export async function runSyntheticAsync(options: SyntheticRunOptions): Promise<RunStats> {
  await Promise.resolve();
  return runOnWorker(prepareSynthetic(options, true));
}

/**
 * Ends the traffic run in progress (started by {@link runCaptureAsync} / {@link runSyntheticAsync})
 * at its next input packet: its flows are closed normally, pending lifecycle events delivered, and
 * its promise resolves with `cancelled: true`. Does nothing when no run is in progress.
 *
 * @param options - the libwfpsim to act on
 */
export function cancelRun(options: { readonly libraryPath?: string } = {}): void {
  trafficFunctions(options.libraryPath).cancel();
}

/**
 * Ends the flows that runs with {@link RunOptions.deferFlowClose} kept established: each gets
 * its flowDeleteFn (if the driver still has a context on it).
 *
 * @param options - the libwfpsim to act on
 * @returns the number of flows ended
 * @throws {@link RunInProgressError} while a run is in progress (its flows are still being replayed)
 */
export function closeDeferredFlows(options: { readonly libraryPath?: string } = {}): number {
  const fns = trafficFunctions(options.libraryPath);
  assertIdle(fns);
  return fns.closeFlows() as number;
}
