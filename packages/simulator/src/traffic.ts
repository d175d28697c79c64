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
}

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

// ---- koffi ------------------------------------------------------------------------------------
type KoffiModule = typeof Koffi;
type TypeObject = ReturnType<KoffiModule['struct']>;
type Fn = ReturnType<Koffi.LibraryHandle['func']>;

interface TrafficTypes {
  readonly runOptions: TypeObject;
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
    runOptions: declared(koffi, 'wfpsim_run_options', {
      struct_size: 'uint32_t',
      default_process_id: 'uint32_t',
      default_app_path: 'void *',
      rules: 'void *',
      rule_count: 'uint32_t',
      segment_size: 'uint32_t',
      flags: 'uint32_t',
      reserved: 'uint32_t',
    }),
    stats: declared(koffi, 'wfpsim_run_stats', {
      flows: 'uint64_t',
      flow_classifies: 'uint64_t',
      stream_classifies: 'uint64_t',
      packet_classifies: 'uint64_t',
      callout_calls: 'uint64_t',
      blocked: 'uint64_t',
      flow_deletes: 'uint64_t',
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
  };
  functionsByLibrary.set(resolved, fns);
  return fns;
}

const RUN_NO_PACKETS = 0x1;
const RUN_KEEP_CLOCK = 0x2;
const RUN_DEFER_FLOW_CLOSE = 0x4;
const RUN_REJECT_TRUNCATED = 0x8;
const PROTOCOL_BITS: Record<SyntheticProtocol, number> = { tls: 0, http1: 1, http2: 2, ssh: 3, random: 4 };

function checkUint(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
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

  free(): void {
    for (const p of this.blocks) this.koffi.free(p);
    this.blocks.length = 0;
  }
}

function nativeRunOptions(options: RunOptions, extraFlags: number, scratch: Scratch): Record<string, unknown> {
  const t = trafficTypes();
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
  const rules = apps
    .filter((a) => a.localPort !== undefined)
    .map((a) => ({ local_port: a.localPort, reserved: 0, process_id: a.processId, app_path: scratch.utf16(a.path) }));
  const def = defaults[0];
  let flags = extraFlags;
  if (options.transportClassifies === false) flags |= RUN_NO_PACKETS;
  if (options.keepClock) flags |= RUN_KEEP_CLOCK;
  if (options.deferFlowClose) flags |= RUN_DEFER_FLOW_CLOSE;
  return {
    struct_size: koffiModule().sizeof(t.runOptions),
    default_process_id: def ? def.processId : 0,
    default_app_path: def ? scratch.utf16(def.path) : null,
    rules: rules.length ? scratch.rules(t.appRule, rules) : null,
    rule_count: rules.length,
    segment_size: options.segmentSize === undefined ? 0 : checkUint('segmentSize', options.segmentSize, 0xffffffff),
    flags,
    reserved: 0,
  };
}

interface NativeStats {
  flows: number | bigint;
  flow_classifies: number | bigint;
  stream_classifies: number | bigint;
  packet_classifies: number | bigint;
  callout_calls: number | bigint;
  blocked: number | bigint;
  flow_deletes: number | bigint;
}

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
  };
  return truncatedAt === undefined ? stats : { ...stats, truncatedAt };
}

function lastError(fns: TrafficFunctions): NativeError {
  const e: Partial<NativeError> = {};
  fns.lastError(e);
  return { code: e.code ?? 0, offset: e.offset ?? 0, message: e.message ?? '' };
}

/**
 * Replays a pcap or pcapng capture through the stack model: each TCP flow's FLOW_ESTABLISHED,
 * its stream data at the STREAM layer (in segments), its packets at the transport layers, and its
 * end (flowDeleteFn). Timestamps drive the virtual clock.
 *
 * @param file - path of the capture
 * @param options - processes of the flows, truncated captures, …
 * @returns the run's counters
 * @throws {@link CaptureError} with the reader's error code and byte offset when the file cannot
 *   be read, is not a capture, is malformed, or is truncated (unless `acceptTruncated`). Flows
 *   before the problem were replayed.
 * @example
 * ```ts
 * import { loadDriver, runCapture } from '@wfpkit/simulator';
 *
 * loadDriver();
 * const stats = runCapture('traffic.pcapng', {
 *   apps: [{ localPort: 51234, processId: 4120, path: '\\device\\harddiskvolume3\\apps\\browser.exe' }],
 * });
 * console.log(`${stats.flows} flows, ${stats.calloutCalls} callout calls`);
 * ```
 */
export function runCapture(file: string, options: CaptureRunOptions = {}): RunStats {
  const koffi = koffiModule();
  const fns = trafficFunctions(options.libraryPath);
  const scratch = new Scratch(koffi);
  const resolved = path.resolve(file);
  let rc: number;
  try {
    const o = nativeRunOptions(options, options.acceptTruncated ? 0 : RUN_REJECT_TRUNCATED, scratch);
    rc = fns.runCapture(resolved, o) as number;
  } finally {
    scratch.free();
  }
  const err = lastError(fns);
  if (rc !== 0) throw new CaptureError(resolved, rc, pcapErrorName(rc), Number(err.offset), err.message);
  return readStats(fns, err.code === PCAP_ERRORS.TRUNCATED ? Number(err.offset) : undefined);
}

/**
 * Runs seeded synthetic traffic through the stack model: `flows` TCP flows of the chosen
 * protocols (TLS ClientHello with SNI and ALPN, HTTP/1.1 with Host, HTTP/2 over TLS, SSH, random
 * bytes) with local addresses in 10.0.0.0/8 and fd00::/8, the same every time for the same seed.
 *
 * @param options - seed, number of flows, protocols, processes of the flows, …
 * @returns the run's counters
 * @throws RangeError for out-of-range options; {@link CaptureError} if the generator fails
 * @example
 * ```ts
 * import { loadDriver, runSynthetic } from '@wfpkit/simulator';
 *
 * loadDriver();
 * const stats = runSynthetic({ seed: 1, flows: 100, protocols: ['tls', 'http1'], ipv6Percent: 25 });
 * ```
 */
export function runSynthetic(options: SyntheticRunOptions): RunStats {
  const koffi = koffiModule();
  const t = trafficTypes();
  const fns = trafficFunctions(options.libraryPath);
  checkUint('flows', options.flows, 0xffffffff);
  const seed = BigInt(options.seed);
  if (seed < 0n || seed >= 1n << 64n) throw new RangeError(`seed must fit in 64 unsigned bits, got ${String(options.seed)}`);
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
  const scratch = new Scratch(koffi);
  let rc: number;
  try {
    rc = fns.runSynthetic(syn, nativeRunOptions(options, 0, scratch)) as number;
  } finally {
    scratch.free();
  }
  if (rc !== 0) {
    const err = lastError(fns);
    throw new CaptureError(undefined, rc, pcapErrorName(rc), Number(err.offset), err.message);
  }
  return readStats(fns);
}

/**
 * Ends the flows that runs with {@link RunOptions.deferFlowClose} kept established: each gets
 * its flowDeleteFn (if the driver still has a context on it).
 *
 * @param options - the libwfpsim to act on
 * @returns the number of flows ended
 */
export function closeDeferredFlows(options: { readonly libraryPath?: string } = {}): number {
  return trafficFunctions(options.libraryPath).closeFlows() as number;
}
