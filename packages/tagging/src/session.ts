/**
 * TaggingSession: a driver-backed packet-tagging session for one application. It installs the
 * session's WFP filters (dynamic, so they vanish with the process), configures and starts the
 * driver session, reads its records and turns them into typed events, packet fate records and
 * flow records, and removes everything it added when it stops.
 */
import { Engine, FwpmError, FwpmValidationError, resolveBackend } from '@wfpkit/fwpm-bindings';
import type { AppId, Backend, FilterSpec, LayerName } from '@wfpkit/fwpm-bindings';
import {
  AccessDeniedError,
  ConfigFlags,
  DEFAULT_INSPECT_BUDGET,
  DEFAULT_RING_BYTES,
  FeatureFlags,
  GUIDS,
  MAX_INSPECT_BUDGET,
  MAX_READ_BUFFER_SIZE,
  MAX_RING_BYTES,
  MAX_SNAP_LEN,
  MIN_INSPECT_BUDGET,
  MIN_READ_OUTPUT,
  MIN_RING_BYTES,
  ReadFlags,
  TagLayer,
  openWfpKitDevice,
} from '@wfpkit/ioctl-client';
import type { Counters, DecodedRecord, ScopeKey, SessionId, WfpKitDevice } from '@wfpkit/ioctl-client';

import { CalloutsNotInstalledError, InvalidOptionError, NotElevatedError, SessionStateError, UnknownAppError } from './errors';
import { TAGGING_EVENT_TYPES, toTaggingEvent } from './events';
import type { EventsOptions, SessionEvent, TaggingEvent, TaggingEventType } from './events';
import { DEFAULT_FLOW_DELETE_GRACE_MS, DEFAULT_MAX_IN_FLIGHT, PacketFateTracker } from './fate';
import type { PacketFate, PacketFateTrackerStats } from './fate';
import { FlowTracker } from './flow';
import type { FlowRecord, FlowTrackerStats } from './flow';
import { installWfpkitCallouts, missingWfpkitObjects, removeWfpkitCallouts, wfpkitCalloutsInstalled, WFPKIT_SUBLAYER_WEIGHT } from './install';
import type { InstallOptions, WfpkitCalloutName } from './install';
import { LatencySummary } from './latency';
import type { LatencyStats } from './latency';

/** A layer at which packets are tagged (each covers IPv4 and IPv6). */
export type TagLayerName = 'outbound-transport' | 'inbound-transport' | 'outbound-ippacket' | 'inbound-ippacket';

/** Options of {@link TaggingSession.start}. */
export interface TaggingSessionOptions {
  /** DOS path of the program to monitor (`C:\...\curl.exe`); `FwpmGetAppIdFromFileName0` makes its app id. */
  readonly app: string;
  /** Where packets are tagged. Default `['outbound-transport', 'inbound-transport']`. */
  readonly layers?: readonly TagLayerName[];
  /** Run the stream classifiers (TLS SNI/ALPN, HTTP Host, SSH banners) with STREAM filters. Default true. */
  readonly inspect?: boolean;
  /** Inspection budget in bytes per flow and direction (default the contract's, 4096). */
  readonly budget?: number;
  /** Size of the driver's event ring in bytes (default the contract's, 1 MiB). */
  readonly ringSize?: number;
  /** Bytes of each tagged packet copied into its PACKET_TAGGED record; 0 (the default) = none. */
  readonly snapLen?: number;
  /** Report tagged packets seen at the discard layers (PACKET_DISCARDED), so inbound drops are seen too. Default true. */
  readonly reportDiscards?: boolean;
  /** Emit a STREAM_DATA record ('stream' event) per stream indication. Default false. */
  readonly streamEvents?: boolean;
  /** `sim` (libwfpsim) or `win32` (fwpuclnt.dll and the real device). Default: `WFPKIT_BACKEND`, else by platform. */
  readonly backend?: Backend;
  /** Aborting it stops the session (like {@link TaggingSession.stop}). */
  readonly signal?: AbortSignal;
  /** Bytes asked for per READ_EVENTS (default {@link DEFAULT_TAGGING_READ_BUFFER}, 256 KiB). */
  readonly readBufferSize?: number;
  /** Most packets (and followed copies) the fate tracker keeps in flight (default {@link DEFAULT_MAX_IN_FLIGHT}). */
  readonly maxInFlight?: number;
  /** Grace period after a flow's deletion for its packets still in flight (default {@link DEFAULT_FLOW_DELETE_GRACE_MS}). */
  readonly flowDeleteGraceMs?: number;
  /**
   * Milliseconds the reader waits after a read that returned fewer than {@link SMALL_READ}
   * records, so the driver gathers a batch instead of the reader waking for every record (on
   * one CPU, reader and producer otherwise take turns record by record). Default
   * {@link DEFAULT_READ_PAUSE_MS} with a ring of at least 1 MiB, 0 with a smaller one (a
   * pause must not fill it).
   */
  readonly readPauseMs?: number;
}

/** A flow in {@link SessionSnapshot.flows}: its record so far, with its packets and in-stack latency. */
export interface LiveFlow extends FlowRecord {
  /** Packets of the flow tagged so far. */
  packetsTagged: number;
  /** Packets of the flow with verdict `dropped` so far. */
  packetsDropped: number;
  /** In-stack latency of the flow's `sent`/`delivered` packets, when there are some. */
  latency?: { p50Us: number; p99Us: number };
}

/** Totals of a session so far. */
export interface SessionTotals {
  /** Flows established. */
  flows: number;
  /** Flows whose record is not final yet (active, or ended with packets still in the stack). */
  activeFlows: number;
  /** Driver records read. */
  records: number;
  /** Packets tagged (PACKET_TAGGED records read). */
  packetsTagged: number;
  /** Fate records with verdict `sent`. */
  sent: number;
  /** Fate records with verdict `delivered`. */
  delivered: number;
  /** Fate records with verdict `dropped`. */
  dropped: number;
  /** Fate records with verdict `unknown`. */
  unknown: number;
  /** PACKET_NOTIFY records read. */
  notifyEvents: number;
}

/** What a session has lost so far. */
export interface SessionLoss {
  /** Records the driver's ring had no room for (the reader did not keep up). */
  ringRecordsLost: number;
  /** Packets the driver left untagged (its tag ledger was full). */
  packetsUntagged: number;
}

/** A live view of a session ({@link TaggingSession.snapshot}). */
export interface SessionSnapshot {
  /** Active flows, then the most recently ended ones (at most {@link RECENT_FLOWS}; they have `endReason`). */
  flows: LiveFlow[];
  /** Totals so far. */
  totals: SessionTotals;
  /** Losses so far (the driver's counts when it is ahead of the LOSS records read). */
  loss: SessionLoss;
  /** The driver's ring, as of the last counters read (refreshed in the background when older than 250 ms). */
  ring: { bytes: number; used: number; highWater: number };
  /** In-stack latency of all the session's `sent`/`delivered` packets so far (absent before the first). */
  latency?: LatencyStats;
  /** Stream bytes of all the session's flows (ended and active) in each direction. */
  bytes: { out: number; in: number };
  /** Flows by application protocol (`tls`, `http1`, …; an active flow as classified so far). */
  flowsByProtocol: Record<string, number>;
}

/** Why a session stopped. */
export type StopReason = 'stop' | 'abort' | 'signal' | 'error';

/** What {@link TaggingSession.stop} resolves with. */
export interface SessionSummary {
  /** The app as given. */
  app: string;
  /** Its NT path (the app id). */
  appPath: string;
  /** The driver session. */
  sessionId: number;
  /** Why it stopped. */
  reason: StopReason;
  /** The error that stopped it (reason `error`). */
  error?: unknown;
  /** When it started. */
  startedAt: Date;
  /** When it stopped. */
  stoppedAt: Date;
  /** The driver's counters after the ring was drained (absent when the device could not be asked). */
  counters?: Counters;
  /** Totals (after every packet in flight got its fate). */
  totals: SessionTotals;
  /** Losses. */
  loss: SessionLoss;
  /** The fate tracker's counters. */
  packets: PacketFateTrackerStats;
  /** The flow tracker's counters. */
  flows: FlowTrackerStats;
  /** In-stack latency of all `sent`/`delivered` packets (absent when none had one). */
  latency?: LatencyStats;
  /** Stream bytes of all flows in each direction. */
  bytes: { out: number; in: number };
  /** Flows by application protocol. */
  flowsByProtocol: Record<string, number>;
}

/** How many ended flows {@link TaggingSession.snapshot} keeps showing. */
export const RECENT_FLOWS = 256;

/** Default bytes per READ_EVENTS of a session: 256 KiB (larger reads measured slower: they leave the CPU caches). */
export const DEFAULT_TAGGING_READ_BUFFER = 256 * 1024;

/** A read that returns fewer records than this is followed by the read pause ({@link TaggingSessionOptions.readPauseMs}). */
export const SMALL_READ = 1000;

/** Default {@link TaggingSessionOptions.readPauseMs}: 10 ms. */
export const DEFAULT_READ_PAUSE_MS = 10;

/**
 * Most items (events, fate and flow records) the stop's drain queues for an iterator before it
 * waits for the iterator to take them (about 8 MB with 128-byte snaps). A smaller ring is
 * drained without waiting, so an iterator that is not being read while `stop()` runs still gets
 * everything afterwards.
 */
export const STOP_QUEUE_LIMIT = 16_384;

/** How long one READ_EVENTS waits for records while the consumer waits. */
const POLL_MS = 250;

/** What the reader queues for the iterator. */
interface Sink {
  /** The method that made the iterator. */
  readonly kind: Consumer;
  /** Driver-record events, by record kind (undefined: every kind, null: none). */
  readonly recordKinds: ReadonlySet<string> | undefined | null;
  /** Fate records. */
  readonly packets: boolean;
  /** Flow records. */
  readonly flows: boolean;
  /** Derived items as 'packet-fate' / 'flow-record' events (events(options)) rather than bare records. */
  readonly wrap: boolean;
}

const RECORD_KIND_OF_EVENT: { readonly [t in TaggingEventType]: string } = {
  flow: 'FLOW_ESTABLISHED',
  classification: 'FLOW_CLASSIFIED',
  stream: 'STREAM_DATA',
  'packet-tagged': 'PACKET_TAGGED',
  'packet-notify': 'PACKET_NOTIFY',
  'packet-discarded': 'PACKET_DISCARDED',
  'flow-deleted': 'FLOW_DELETED',
  loss: 'LOSS',
};

function eventsSink(options: EventsOptions): Sink {
  const where = 'TaggingSession.events';
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'an object ({ types?, packets?, flows? })', options, where);
  let recordKinds: Set<string> | undefined;
  const types: unknown = options.types;
  if (types !== undefined) {
    if (!Array.isArray(types) || types.some((t) => !TAGGING_EVENT_TYPES.includes(t as TaggingEventType))) {
      throw new InvalidOptionError('types', `a list of ${TAGGING_EVENT_TYPES.map((t) => `'${t}'`).join(', ')}`, types, where);
    }
    recordKinds = new Set((types as readonly TaggingEventType[]).map((t) => RECORD_KIND_OF_EVENT[t]));
  }
  for (const k of ['packets', 'flows'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new InvalidOptionError(k, 'true or false', options[k], where);
  }
  return {
    kind: 'events',
    recordKinds: recordKinds?.size === 0 ? null : recordKinds,
    packets: options.packets === true,
    flows: options.flows === true,
    wrap: true,
  };
}

interface LayerDef {
  readonly bits: number;
  readonly direction: 'OUTBOUND' | 'INBOUND';
  readonly callouts: readonly WfpkitCalloutName[];
}

const TAG_LAYER_DEFS: { readonly [name in TagLayerName]: LayerDef } = {
  'outbound-transport': {
    bits: TagLayer.OUTBOUND_TRANSPORT_V4 | TagLayer.OUTBOUND_TRANSPORT_V6,
    direction: 'OUTBOUND',
    callouts: ['CALLOUT_OUTBOUND_TRANSPORT_V4', 'CALLOUT_OUTBOUND_TRANSPORT_V6'],
  },
  'inbound-transport': {
    bits: TagLayer.INBOUND_TRANSPORT_V4 | TagLayer.INBOUND_TRANSPORT_V6,
    direction: 'INBOUND',
    callouts: ['CALLOUT_INBOUND_TRANSPORT_V4', 'CALLOUT_INBOUND_TRANSPORT_V6'],
  },
  'outbound-ippacket': {
    bits: TagLayer.OUTBOUND_IPPACKET_V4 | TagLayer.OUTBOUND_IPPACKET_V6,
    direction: 'OUTBOUND',
    callouts: ['CALLOUT_OUTBOUND_IPPACKET_V4', 'CALLOUT_OUTBOUND_IPPACKET_V6'],
  },
  'inbound-ippacket': {
    bits: TagLayer.INBOUND_IPPACKET_V4 | TagLayer.INBOUND_IPPACKET_V6,
    direction: 'INBOUND',
    callouts: ['CALLOUT_INBOUND_IPPACKET_V4', 'CALLOUT_INBOUND_IPPACKET_V6'],
  },
};

/** The default tag layers. */
export const DEFAULT_TAG_LAYER_NAMES: readonly TagLayerName[] = ['outbound-transport', 'inbound-transport'];

interface Resolved {
  readonly app: string;
  readonly layers: readonly TagLayerName[];
  readonly inspect: boolean;
  readonly budget: number;
  readonly ringSize: number;
  readonly snapLen: number;
  readonly reportDiscards: boolean;
  readonly streamEvents: boolean;
  readonly backend: Backend;
  readonly readBufferSize: number;
  readonly maxInFlight: number;
  readonly flowDeleteGraceMs: number;
  readonly readPauseMs: number;
}

function intIn(option: string, value: unknown, min: number, max: number, dflt: number, extra?: (v: number) => boolean, extraText = ''): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max || (extra !== undefined && !extra(value))) {
    throw new InvalidOptionError(option, `an integer in ${min}..${max}${extraText}`, value);
  }
  return value;
}

function bool(option: string, value: unknown, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'true or false', value);
  return value;
}

function resolveOptions(options: TaggingSessionOptions): Resolved {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'an object with at least `app`', options);
  if (typeof options.app !== 'string' || options.app.trim() === '') throw new InvalidOptionError('app', 'the DOS path of a program (C:\\...\\app.exe)', options.app);
  let layers: readonly TagLayerName[] = DEFAULT_TAG_LAYER_NAMES;
  if (options.layers !== undefined) {
    const known = Object.keys(TAG_LAYER_DEFS);
    if (!Array.isArray(options.layers) || options.layers.length === 0 || options.layers.some((l) => !known.includes(l as string))) {
      throw new InvalidOptionError('layers', `a non-empty list of ${known.map((k) => `'${k}'`).join(', ')}`, options.layers);
    }
    layers = [...new Set(options.layers)];
  }
  let backend: Backend;
  if (options.backend !== undefined && options.backend !== 'sim' && options.backend !== 'win32') {
    throw new InvalidOptionError('backend', "'sim' or 'win32'", options.backend);
  }
  try {
    backend = resolveBackend(options.backend);
  } catch (e) {
    throw new InvalidOptionError('backend (WFPKIT_BACKEND)', "'sim' or 'win32'", (e as Error).message);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new InvalidOptionError('signal', 'an AbortSignal', options.signal);
  const ringSize = intIn('ringSize', options.ringSize, MIN_RING_BYTES, MAX_RING_BYTES, DEFAULT_RING_BYTES, (v) => v % 8 === 0, ', a multiple of 8');
  return {
    app: options.app,
    layers,
    inspect: bool('inspect', options.inspect, true),
    budget: intIn('budget', options.budget, MIN_INSPECT_BUDGET, MAX_INSPECT_BUDGET, DEFAULT_INSPECT_BUDGET),
    ringSize,
    snapLen: intIn('snapLen', options.snapLen, 0, MAX_SNAP_LEN, 0),
    reportDiscards: bool('reportDiscards', options.reportDiscards, true),
    streamEvents: bool('streamEvents', options.streamEvents, false),
    backend,
    readBufferSize: intIn('readBufferSize', options.readBufferSize, MIN_READ_OUTPUT, MAX_READ_BUFFER_SIZE, DEFAULT_TAGGING_READ_BUFFER),
    maxInFlight: intIn('maxInFlight', options.maxInFlight, 1, 2 ** 31, DEFAULT_MAX_IN_FLIGHT),
    flowDeleteGraceMs: intIn('flowDeleteGraceMs', options.flowDeleteGraceMs, 0, 2 ** 31, DEFAULT_FLOW_DELETE_GRACE_MS),
    readPauseMs: intIn('readPauseMs', options.readPauseMs, 0, 1000, ringSize >= 1024 * 1024 ? DEFAULT_READ_PAUSE_MS : 0),
  };
}

/** The callouts a session's filters call. */
function sessionCallouts(o: Resolved): WfpkitCalloutName[] {
  const names: WfpkitCalloutName[] = ['CALLOUT_FLOW_ESTABLISHED_V4', 'CALLOUT_FLOW_ESTABLISHED_V6'];
  if (o.inspect || o.streamEvents) names.push('CALLOUT_STREAM_V4', 'CALLOUT_STREAM_V6');
  const directions = new Set<'OUTBOUND' | 'INBOUND'>();
  for (const l of o.layers) {
    const def = TAG_LAYER_DEFS[l];
    names.push(...def.callouts);
    directions.add(def.direction);
  }
  if (o.reportDiscards) {
    for (const d of directions) {
      for (const layer of ['TRANSPORT', 'IPPACKET']) {
        for (const v of ['V4', 'V6']) names.push(`CALLOUT_${d}_${layer}_${v}_DISCARD` as WfpkitCalloutName);
      }
    }
  }
  return names;
}

function layerOfCallout(name: WfpkitCalloutName): LayerName {
  const rest = name.slice('CALLOUT_'.length);
  return (rest.startsWith('FLOW_ESTABLISHED') ? `ALE_${rest}` : rest) as LayerName;
}

/**
 * The filters of a session: FLOW_ESTABLISHED V4/V6 with the app's ALE_APP_ID, and (without
 * conditions) the stream, tag and discard layers, each calling wfpkit's callout there as an
 * inspection callout, all with the session's scope key in `rawContext`.
 */
function sessionFilters(o: Resolved, appId: AppId, scopeKey: bigint, sessionId: number): FilterSpec[] {
  return sessionCallouts(o).map((name) => {
    const layer = layerOfCallout(name);
    const spec: FilterSpec = {
      name: `wfpkit tagging session ${sessionId} ${layer}`,
      description: o.app,
      layer,
      sublayer: GUIDS.SUBLAYER,
      provider: GUIDS.PROVIDER,
      action: { callout: GUIDS[name], kind: 'inspection' },
      rawContext: scopeKey,
      ...(layer.startsWith('ALE_FLOW_ESTABLISHED')
        ? {
            conditions: [
              {
                field: 'ALE_APP_ID' as const,
                match: 'equal' as const,
                value: appId,
              },
            ],
          }
        : {}),
    };
    return spec;
  });
}

function appPathOf(appId: AppId): string {
  return Buffer.from(appId.buffer, appId.byteOffset, appId.byteLength).toString('utf16le').replace(/\0+$/, '');
}

function isAccessDenied(e: unknown): boolean {
  return e instanceof FwpmError && (e.code === 5 || e.name === 'FWP_E_ACCESS_DENIED');
}

function isMissingObject(e: unknown): boolean {
  return e instanceof FwpmError && (e.name === 'FWP_E_CALLOUT_NOT_FOUND' || e.name === 'FWP_E_PROVIDER_NOT_FOUND');
}

// ---- process-wide bookkeeping -----------------------------------------------------------------

/** Sessions running in this process, by backend and app (one session per app). */
const runningApps = new Map<string, TaggingSession | null>();
const runningSessions = new Set<TaggingSession>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let handlersInstalled = false;

/** What the process handlers may do with a session (its private stop and exit paths). */
interface SessionControl {
  stop(reason: StopReason, error?: unknown): Promise<SessionSummary>;
  exit(): void;
}
const controls = new WeakMap<TaggingSession, SessionControl>();

function control(s: TaggingSession): SessionControl {
  const c = controls.get(s);
  if (c === undefined) throw new Error('internal: a TaggingSession without its controls');
  return c;
}

function onExit(): void {
  for (const s of [...runningSessions]) control(s).exit();
}

function onSignal(signal: NodeJS.Signals): void {
  const all = [...runningSessions];
  void Promise.allSettled(all.map((s) => control(s).stop('signal'))).then(() => {
    // The session's handler replaced the default action (exit); when no other listener is left
    // to decide what the signal does, raise it again so the process ends as it would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function track(s: TaggingSession): void {
  runningSessions.add(s);
  if (!handlersInstalled) {
    handlersInstalled = true;
    process.on('exit', onExit);
    for (const sig of SIGNALS) process.on(sig, onSignal);
  }
}

function untrack(s: TaggingSession): void {
  runningSessions.delete(s);
  if (runningSessions.size === 0 && handlersInstalled) {
    handlersInstalled = false;
    process.off('exit', onExit);
    for (const sig of SIGNALS) process.off(sig, onSignal);
  }
}

type Consumer = 'events' | 'packets' | 'flows';
type Item = SessionEvent | PacketFate | FlowRecord;

/**
 * A packet-tagging session for one application: the driver tags its flows' packets, and the
 * session turns what the driver reports into typed events ({@link TaggingSession.events}),
 * packet fate records ({@link TaggingSession.packets}) and flow records
 * ({@link TaggingSession.flows}). Works the same against the simulator and on Windows.
 *
 * One reader per session: only one of `events()`, `packets()`, `flows()` may be iterated. A
 * consumer that needs several of them at once (the captured bytes of each packet, its fate and
 * each flow record) asks one iterator for all: `events({ types, packets: true, flows: true })`
 * yields the driver-record events it asks for and the derived `packet-fate` and `flow-record`
 * events. Whatever is iterated, the reader feeds the fate and flow trackers, so
 * {@link TaggingSession.snapshot} is current. The reader reads from the driver only while the
 * consumer asks for more: a consumer that stops reading lets the driver's ring overflow (the
 * driver counts what it drops and the consumer gets a `loss` event when it reads again).
 *
 * @example
 * ```ts
 * import { TaggingSession } from '@wfpkit/tagging';
 *
 * await TaggingSession.installCallouts(); // once, elevated
 * const session = await TaggingSession.start({ app: 'C:\\Windows\\System32\\curl.exe' });
 * setTimeout(() => void session.stop(), 10_000);
 * for await (const fate of session.packets()) {
 *   console.log(fate.direction, fate.verdict, fate.inStackLatencyUs);
 * }
 * ```
 */
export class TaggingSession {
  /** The app as given to {@link TaggingSession.start}. */
  readonly app: string;
  /** Its NT path, what `ALE_APP_ID` matches (`\device\harddiskvolume3\...`). */
  readonly appPath: string;
  /** The driver session's number. */
  readonly sessionId: SessionId;
  /** The driver session's scope key (the `rawContext` of the session's filters). */
  readonly scopeKey: ScopeKey;
  /** The backend the session runs on. */
  readonly backend: Backend;
  /** The tag layers. */
  readonly layers: readonly TagLayerName[];

  private readonly engine: Engine;
  private readonly device: WfpKitDevice;
  private readonly registryKey: string;
  private readonly readBufferSize: number;
  private readonly readPauseMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly startedAt = new Date();
  private readonly fates: PacketFateTracker;
  private readonly flowTracker: FlowTracker;
  private readonly latency = new LatencySummary();
  /** The last ended flows, with their latency when they ended (LiveFlow objects are made by snapshot()). */
  /** Ended flows whose packets are still in flight: their record waits for those fates. */
  private readonly parked = new Map<bigint, FlowRecord>();
  private readonly recent: {
    flow: FlowRecord;
    latency: { p50Us: number; p99Us: number } | undefined;
  }[] = [];
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private consumer: Consumer | undefined;
  /** What the reader collects for the consumer (undefined once it let go). */
  private sink: Sink | undefined;
  /** Driver records read. */
  private recordsRead = 0;
  /** Stream bytes and protocols of the flows whose record is final. */
  private endedBytesOut = 0;
  private endedBytesIn = 0;
  private readonly endedByProtocol = new Map<string, number>();
  /** Wakes the iterator waiting for the stop's drain (items queued, or the end). */
  private wakeConsumer: (() => void) | undefined;
  /** Wakes the stop's drain waiting for the iterator to take what is queued. */
  private caughtUp: (() => void) | undefined;
  private out: Item[] = [];
  private outHead = 0;
  private readChain: Promise<unknown> = Promise.resolve();
  private drained = false;
  private ended = false;
  private failure: { error: unknown; reported: boolean } | undefined;
  private stopPromise: Promise<SessionSummary> | undefined;
  private lastCounters: Counters | undefined;
  private countersAt = 0;
  private countersPending = false;
  private readonly onAbort = (): void => void this.stopWith('abort');

  private constructor(o: Resolved, engine: Engine, device: WfpKitDevice, appPath: string, sessionId: SessionId, scopeKey: ScopeKey, registryKey: string, signal: AbortSignal | undefined) {
    this.app = o.app;
    this.appPath = appPath;
    this.sessionId = sessionId;
    this.scopeKey = scopeKey;
    this.backend = o.backend;
    this.layers = o.layers;
    this.engine = engine;
    this.device = device;
    this.registryKey = registryKey;
    this.readBufferSize = o.readBufferSize;
    this.readPauseMs = o.readPauseMs;
    this.signal = signal;
    this.flowTracker = new FlowTracker({ onFlow: (f) => this.onFlow(f) });
    this.fates = new PacketFateTracker({
      maxInFlight: o.maxInFlight,
      flowDeleteGraceMs: o.flowDeleteGraceMs,
      discardReports: o.reportDiscards,
      onFate: (fate) => this.onFate(fate),
    });
    controls.set(this, {
      stop: (reason, error) => this.stopWith(reason, error),
      exit: () => this.exitNow(),
    });
  }

  /**
   * Starts a session for one application: opens the device and its driver session; in a
   * dynamic engine session and one transaction adds wfpkit's sublayer if it is absent and the
   * session's filters (FLOW_ESTABLISHED V4/V6 with the app's `ALE_APP_ID`, STREAM, the tag
   * layers and the discard layers, each calling wfpkit's callout with the session's scope key
   * in `rawContext`); configures (TAG_PACKETS, REPORT_DISCARDS, tag layers, budget, ring,
   * snap length) and starts the driver session. On any failure whatever was added is removed.
   *
   * While it runs, `SIGINT`/`SIGTERM` and process exit stop it (the handlers are removed when
   * the last session stops).
   *
   * @throws {@link InvalidOptionError} for a bad option, before anything is changed.
   * @throws {@link SessionStateError} when a session for the same app runs in this process.
   * @throws `DriverNotLoadedError` (from `@wfpkit/ioctl-client`) when the driver is not loaded.
   * @throws {@link NotElevatedError} when the caller is not an administrator.
   * @throws {@link UnknownAppError} when `app` is not the path of a program.
   * @throws {@link CalloutsNotInstalledError} when {@link TaggingSession.installCallouts} was not run.
   * @example
   * ```ts
   * const session = await TaggingSession.start({
   *   app: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
   *   layers: ['outbound-transport', 'inbound-transport'],
   *   ringSize: 8 * 1024 * 1024,
   * });
   * ```
   */
  static async start(options: TaggingSessionOptions): Promise<TaggingSession> {
    const o = resolveOptions(options);
    options.signal?.throwIfAborted();
    const registryKey = `${o.backend}\0${o.app.toLowerCase()}`;
    if (runningApps.has(registryKey)) {
      throw new SessionStateError(`a tagging session for ${o.app} is already running in this process`, 'stop it (session.stop()) before starting another one for the same app, or keep using it');
    }
    runningApps.set(registryKey, null);
    let device: WfpKitDevice | undefined;
    let engine: Engine | undefined;
    try {
      try {
        device = await openWfpKitDevice({
          backend: o.backend,
          bufferSize: o.readBufferSize,
        });
      } catch (e) {
        if (e instanceof AccessDeniedError) throw new NotElevatedError('opening the wfpkit device', { cause: e });
        throw e;
      }
      const ipLayers = o.layers.filter((l) => l.endsWith('-ippacket'));
      if (ipLayers.length > 0 && (device.versionInfo.features & FeatureFlags.IPPACKET_LAYERS) === 0) {
        throw new InvalidOptionError('layers', "transport layers only ('outbound-transport', 'inbound-transport'): this driver does not tag at the IP packet layers (no FeatureFlags.IPPACKET_LAYERS)", o.layers);
      }
      const info = await device.session();
      engine = Engine.open({
        dynamic: true,
        backend: o.backend,
        name: `wfpkit tagging session ${info.sessionId}`,
        description: o.app,
      });
      let appId: AppId;
      try {
        appId = engine.appIdFromFileName(o.app);
      } catch (e) {
        if (e instanceof FwpmValidationError) throw new UnknownAppError(o.app, e.message, { cause: e });
        if (e instanceof FwpmError && (e.code === 2 || e.code === 3 || e.code === 123 || e.code === 161)) throw new UnknownAppError(o.app, e.name, { cause: e });
        throw e;
      }
      const missing = await missingWfpkitObjects(engine, sessionCallouts(o));
      if (missing.length > 0) throw new CalloutsNotInstalledError(missing);
      const specs = sessionFilters(o, appId, info.scopeKey, info.sessionId);
      const e2 = engine;
      try {
        await e2.transaction(async (tx) => {
          try {
            await tx.getSublayer(GUIDS.SUBLAYER);
          } catch (e) {
            if (!(e instanceof FwpmError && e.name === 'FWP_E_SUBLAYER_NOT_FOUND')) throw e;
            await tx.addSublayer({
              key: GUIDS.SUBLAYER,
              name: 'wfpkit',
              weight: WFPKIT_SUBLAYER_WEIGHT,
              provider: GUIDS.PROVIDER,
            });
          }
          for (const spec of specs) await tx.addFilter(spec);
        });
      } catch (e) {
        if (isAccessDenied(e))
          throw new NotElevatedError('adding the session filters', {
            cause: e,
          });
        if (isMissingObject(e))
          throw new CalloutsNotInstalledError([(e as FwpmError).name], {
            cause: e,
          });
        throw e;
      }
      let flags = ConfigFlags.TAG_PACKETS;
      if (o.inspect) flags |= ConfigFlags.INSPECT_STREAMS;
      if (o.streamEvents) flags |= ConfigFlags.STREAM_EVENTS;
      if (o.reportDiscards) flags |= ConfigFlags.REPORT_DISCARDS;
      if (o.snapLen > 0) flags |= ConfigFlags.CAPTURE_PACKET_BYTES;
      await device.configure({
        flags,
        inspectBudget: o.budget,
        ringBytes: o.ringSize,
        snapLen: o.snapLen,
        tagLayers: o.layers.reduce((bits, l) => bits | TAG_LAYER_DEFS[l].bits, 0),
      });
      await device.start();
      const session = new TaggingSession(o, engine, device, appPathOf(appId), info.sessionId, info.scopeKey, registryKey, options.signal);
      runningApps.set(registryKey, session);
      track(session);
      if (options.signal !== undefined) {
        options.signal.addEventListener('abort', session.onAbort, {
          once: true,
        });
        if (options.signal.aborted) void session.stopWith('abort');
      }
      return session;
    } catch (e) {
      runningApps.delete(registryKey);
      try {
        engine?.close();
      } catch {
        // the dynamic session is gone either way
      }
      if (device !== undefined) await device.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Adds wfpkit's provider, sublayer and all its callouts (persistent) in one transaction;
   * idempotent. Needs an administrator.
   *
   * @returns how many objects were added (0 when all were there)
   * @example
   * ```ts
   * const { added } = await TaggingSession.installCallouts();
   * ```
   */
  static installCallouts(options: InstallOptions = {}): Promise<{ added: number }> {
    return installWfpkitCallouts(options);
  }

  /**
   * Deletes every wfpkit object from the engine (all sessions' filters, the callouts, the
   * sublayer, the provider) in one transaction; idempotent.
   *
   * @returns how many objects were deleted
   * @example
   * ```ts
   * await TaggingSession.removeCallouts();
   * ```
   */
  static removeCallouts(options: InstallOptions = {}): Promise<{ removed: number }> {
    return removeWfpkitCallouts(options);
  }

  /**
   * Whether wfpkit's provider and all its callouts are installed.
   *
   * @example
   * ```ts
   * if (!(await TaggingSession.calloutsInstalled())) await TaggingSession.installCallouts();
   * ```
   */
  static calloutsInstalled(options: InstallOptions = {}): Promise<boolean> {
    return wfpkitCalloutsInstalled(options);
  }

  /** True until the session has stopped (or started stopping). */
  get running(): boolean {
    return this.state === 'running';
  }

  /**
   * Every record of the session as a typed event (`flow`, `classification`, `stream`,
   * `packet-tagged`, `packet-notify`, `packet-discarded`, `flow-deleted`, `loss`). Ends after
   * the session stops and its ring is drained; throws the error that stopped it, if any.
   *
   * @throws {@link SessionStateError} when the session is stopped or another iterator was taken.
   * @example
   * ```ts
   * for await (const ev of session.events()) if (ev.type === 'loss') console.warn(`${ev.lost} lost (${ev.reason})`);
   * ```
   */
  events(): AsyncIterable<TaggingEvent>;
  /**
   * One reader for what the consumer asks for: the record events of `options.types` (default
   * all), and with `packets: true` / `flows: true` also a {@link PacketFateEvent} per fate
   * record and a {@link FlowRecordEvent} per flow record (the same records `packets()` and
   * `flows()` yield; a flow record event carries its packets' in-stack latency). The session's
   * own trackers make them: the consumer needs none of its own. A record's event comes before
   * the fate it completes, a flow's last fate before its flow record. Ends after the session
   * stops and its ring is drained; throws the error that stopped it, if any.
   *
   * @param options - Which events to yield.
   * @throws {@link SessionStateError} when the session is stopped or another iterator was taken.
   * @throws {@link InvalidOptionError} for a bad option (nothing is taken then).
   * @example
   * ```ts
   * for await (const ev of session.events({ types: ['flow', 'packet-tagged'], packets: true, flows: true })) {
   *   switch (ev.type) {
   *     case 'packet-tagged': // ev.record.snap: the packet's first snapLen bytes
   *       break;
   *     case 'packet-fate': // ev.fate.verdict: 'sent' | 'delivered' | 'dropped' | 'unknown'
   *       break;
   *     case 'flow-record': // ev.flow: the final flow record, ev.latency: its p50/p99
   *       break;
   *   }
   * }
   * ```
   */
  events(options: EventsOptions): AsyncIterable<SessionEvent>;
  events(options?: EventsOptions): AsyncIterable<SessionEvent> {
    const sink: Sink =
      options === undefined
        ? {
            kind: 'events',
            recordKinds: undefined,
            packets: false,
            flows: false,
            wrap: false,
          }
        : eventsSink(options);
    return this.iterate<SessionEvent>(sink);
  }

  /**
   * One {@link PacketFate} per tagged packet, when its fate is final (see
   * {@link PacketFateTracker}). At stop, packets still in flight end as `unknown` (`flushed`).
   *
   * @throws {@link SessionStateError} when the session is stopped or another iterator was taken.
   */
  packets(): AsyncIterable<PacketFate> {
    return this.iterate<PacketFate>({
      kind: 'packets',
      recordKinds: null,
      packets: true,
      flows: false,
      wrap: false,
    });
  }

  /**
   * One {@link FlowRecord} per flow, when it ends (at stop, active flows end as `flushed`).
   *
   * @throws {@link SessionStateError} when the session is stopped or another iterator was taken.
   */
  flows(): AsyncIterable<FlowRecord> {
    return this.iterate<FlowRecord>({
      kind: 'flows',
      recordKinds: null,
      packets: false,
      flows: true,
      wrap: false,
    });
  }

  /**
   * The driver's session and global counters (GET_COUNTERS).
   *
   * @throws {@link SessionStateError} after stop (the summary has the final counters).
   */
  async counters(): Promise<Counters> {
    if (this.state !== 'running') throw new SessionStateError('counters(): the session is stopped', 'read the final counters from the summary stop() resolved with');
    const c = await this.device.counters();
    this.lastCounters = c;
    this.countersAt = Date.now();
    return c;
  }

  /**
   * A live view: active and recently ended flows with their packets and latency, totals,
   * losses, the ring's fill, and the session's overall in-stack latency, stream bytes and flows
   * by protocol. Cheap enough to call from a display timer.
   *
   * @example
   * ```ts
   * const { totals, latency, bytes } = session.snapshot();
   * console.log(`${totals.packetsTagged} tagged, p99 ${latency?.p99Us ?? '-'} µs, ${bytes.out} B out`);
   * ```
   */
  snapshot(): SessionSnapshot {
    if (this.state === 'running' && !this.countersPending && Date.now() - this.countersAt > 250) {
      this.countersPending = true;
      this.device
        .counters()
        .then((c) => {
          this.lastCounters = c;
          this.countersAt = Date.now();
        })
        .catch(() => undefined)
        .finally(() => {
          this.countersPending = false;
        });
    }
    const active = this.flowTracker.snapshot();
    const flows: LiveFlow[] = active.map((f) => this.live(f));
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const r = this.recent[i];
      if (r === undefined) continue;
      const flow: LiveFlow = {
        ...r.flow,
        packetsTagged: r.flow.packets.tagged,
        packetsDropped: r.flow.packets.dropped,
      };
      if (r.latency !== undefined) flow.latency = r.latency;
      flows.push(flow);
    }
    const s = this.lastCounters?.session;
    const snap: SessionSnapshot = {
      flows,
      totals: this.totals(),
      loss: this.loss(),
      ring: {
        bytes: s?.ringBytes ?? 0,
        used: s?.ringUsed ?? 0,
        highWater: s?.ringHighWater ?? 0,
      },
      ...this.traffic([...active, ...this.parked.values()]),
    };
    const latency = this.latency.overall();
    if (latency !== undefined) snap.latency = latency;
    return snap;
  }

  /** Bytes and protocols of the ended flows plus the given unfinished ones. */
  private traffic(unfinished: readonly FlowRecord[]): {
    bytes: { out: number; in: number };
    flowsByProtocol: Record<string, number>;
  } {
    const bytes = { out: this.endedBytesOut, in: this.endedBytesIn };
    const byProtocol = new Map(this.endedByProtocol);
    for (const f of unfinished) {
      bytes.out += f.bytes.out;
      bytes.in += f.bytes.in;
      byProtocol.set(f.appProtocol, (byProtocol.get(f.appProtocol) ?? 0) + 1);
    }
    return { bytes, flowsByProtocol: Object.fromEntries(byProtocol) };
  }

  /**
   * Stops the session: removes its filters (closes the dynamic engine session), stops the
   * driver session, drains its ring into the trackers one read buffer at a time, ends packets
   * still in flight (`unknown`, `flushed`) and active flows, and closes the device. Idempotent:
   * later calls resolve with the same summary.
   *
   * Memory stays bounded whatever the ring holds: with an open iterator, the drain queues at
   * most {@link STOP_QUEUE_LIMIT} items (plus one read buffer's) for it, then waits until the
   * iterator took them; the iterator still gets every record. With a ring that holds more
   * than that, keep iterating while `stop()` runs (call it from elsewhere, or without `await`
   * inside the loop: the loop then ends by itself), or leave the loop (`break`) before
   * awaiting `stop()`: awaiting `stop()` inside the loop's body would wait for a consumer that
   * is waiting for it.
   *
   * @example
   * ```ts
   * const reading = (async () => {
   *   for await (const fate of session.packets()) console.log(fate.verdict);
   * })();
   * // … later (a timer, a signal, the end of the traffic):
   * const summary = await session.stop();
   * await reading; // ended after the last drained record
   * console.log(summary.totals, summary.latency?.p99Us);
   * ```
   */
  stop(): Promise<SessionSummary> {
    return this.stopWith('stop');
  }

  /** Same as {@link TaggingSession.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Stops with a reason (signal handlers, abort, errors). */
  private stopWith(reason: StopReason, error?: unknown): Promise<SessionSummary> {
    this.stopPromise ??= this.doStop(reason, error);
    return this.stopPromise;
  }

  /** Process exit: only synchronous work is possible; the dynamic filters go with the engine session. */
  private exitNow(): void {
    try {
      this.engine.close();
    } catch {
      // already gone
    }
    untrack(this);
  }

  private totals(): SessionTotals {
    const p = this.fates.stats();
    const f = this.flowTracker.stats();
    return {
      flows: f.started,
      activeFlows: f.active + this.parked.size,
      records: this.recordsRead,
      packetsTagged: p.tagged,
      sent: p.verdicts.sent,
      delivered: p.verdicts.delivered,
      dropped: p.verdicts.dropped,
      unknown: p.verdicts.unknown,
      notifyEvents: p.notifies,
    };
  }

  /** From the LOSS records read, or the driver's counters when they are ahead (records not read yet). */
  private loss(): SessionLoss {
    const p = this.fates.stats();
    const c = this.lastCounters?.session;
    return {
      ringRecordsLost: Math.max(p.lostRecords, Number(c?.eventsDropped ?? 0n)),
      packetsUntagged: Math.max(p.untaggedPackets, Number(c?.packetsUntagged ?? 0n)),
    };
  }

  private live(f: FlowRecord): LiveFlow {
    const l = this.latency.flow(f.flowId);
    const flow: LiveFlow = {
      ...f,
      packetsTagged: f.packets.tagged,
      packetsDropped: f.packets.dropped,
    };
    if (l !== undefined) flow.latency = { p50Us: l.p50Us, p99Us: l.p99Us };
    return flow;
  }

  private onFate(fate: PacketFate): void {
    this.latency.add(fate);
    // the fate before the flow record it may complete
    if (this.sink?.packets === true) this.out.push(this.sink.wrap ? { type: 'packet-fate', fate } : fate);
    const parked = this.parked.size > 0 ? this.parked.get(fate.flowId) : undefined;
    if (parked === undefined) {
      this.flowTracker.pushFate(fate);
    } else {
      parked.packets[fate.verdict]++;
      if (this.fates.inFlightOf(fate.flowId) === 0) {
        this.parked.delete(fate.flowId);
        this.flowEnded(parked);
      }
    }
  }

  /** A flow record is final at FLOW_DELETED, but its last packets may still be in the stack: it waits for their fates. */
  private onFlow(f: FlowRecord): void {
    if (this.fates.inFlightOf(f.flowId) > 0) {
      const older = this.parked.get(f.flowId);
      if (older !== undefined) this.flowEnded(older); // a reused flow id: the older record ends now
      this.parked.set(f.flowId, f);
      return;
    }
    this.flowEnded(f);
  }

  private flowEnded(f: FlowRecord): void {
    const l = this.latency.flow(f.flowId);
    const latency = l === undefined ? undefined : { p50Us: l.p50Us, p99Us: l.p99Us };
    this.recent.push({ flow: f, latency });
    if (this.recent.length > RECENT_FLOWS) this.recent.shift();
    this.latency.removeFlow(f.flowId);
    this.endedBytesOut += f.bytes.out;
    this.endedBytesIn += f.bytes.in;
    this.endedByProtocol.set(f.appProtocol, (this.endedByProtocol.get(f.appProtocol) ?? 0) + 1);
    const sink = this.sink;
    if (sink?.flows === true) {
      if (!sink.wrap) this.out.push(f);
      else this.out.push(latency === undefined ? { type: 'flow-record', flow: f } : { type: 'flow-record', flow: f, latency });
    }
  }

  /** A batch of records: each one's event (when the iterator wants it) before what it completes in the trackers. */
  private process(records: readonly DecodedRecord[]): void {
    const kinds = this.sink?.recordKinds;
    for (const r of records) {
      if (r.kind === 'UNKNOWN') continue;
      this.recordsRead++;
      if (kinds !== null && this.sink !== undefined && (kinds === undefined || kinds.has(r.kind))) {
        const ev = toTaggingEvent(r);
        if (ev !== undefined) this.out.push(ev);
      }
      this.fates.push(r);
      this.flowTracker.push(r);
    }
  }

  /** One READ_EVENTS, serialised behind any other; its records go through the trackers. Resolves with how many it read. */
  private read(timeoutMs: number): Promise<number> {
    const p = this.readChain.then(async () => {
      if (this.drained) return 0;
      const batch = await this.device.readEvents({
        timeoutMs,
        bufferSize: this.readBufferSize,
      });
      this.process(batch.records);
      if ((batch.flags & ReadFlags.SESSION_STOPPED) !== 0 && batch.records.length === 0 && (batch.flags & ReadFlags.MORE_AVAILABLE) === 0) {
        this.drained = true;
      }
      return batch.records.length;
    });
    this.readChain = p.catch(() => undefined);
    return p;
  }

  private iterate<T extends Item>(sink: Sink): AsyncIterable<T> {
    const kind = sink.kind;
    if (this.state !== 'running') throw new SessionStateError(`${kind}(): the session is stopped`, 'start a new session with TaggingSession.start()');
    if (this.consumer !== undefined) {
      throw new SessionStateError(
        `${kind}(): this session's ${this.consumer}() is already being read`,
        'read one iterator per session: events({ types, packets: true, flows: true }) yields record events, fate records and flow records together; take live totals from snapshot()',
      );
    }
    this.consumer = kind;
    this.sink = sink;
    let done = false;
    /** The iterator lets go: nothing more is queued for it, and a waiting drain goes on. */
    const release = (): void => {
      done = true;
      this.sink = undefined;
      this.out = [];
      this.outHead = 0;
      this.notifyCaughtUp();
    };
    const next = async (): Promise<IteratorResult<T, undefined>> => {
      for (;;) {
        if (done) return { value: undefined, done: true };
        if (this.outHead < this.out.length) {
          const value = this.out[this.outHead++] as T;
          if (this.outHead === this.out.length) {
            this.out = [];
            this.outHead = 0;
            this.notifyCaughtUp();
          }
          return { value, done: false };
        }
        if (this.failure !== undefined && !this.failure.reported) {
          this.failure.reported = true;
          release();
          throw this.failure.error;
        }
        if (this.ended) {
          release();
          return { value: undefined, done: true };
        }
        if (this.state === 'running') {
          try {
            const n = await this.read(POLL_MS);
            // A small batch: let the driver gather more before the next read (see readPauseMs).
            if (n > 0 && n < SMALL_READ && this.readPauseMs > 0 && this.state === 'running') {
              await new Promise<void>((resolve) => setTimeout(resolve, this.readPauseMs));
            }
          } catch (e) {
            if (this.state === 'running') {
              this.failure = { error: e, reported: false };
              void this.stopWith('error', e);
            }
          }
        } else {
          // stopping: the stop's drain queues a batch at a time and wakes us
          await new Promise<void>((resolve) => {
            this.wakeConsumer = resolve;
          });
        }
      }
    };
    const iterator: AsyncIterator<T, undefined> = {
      next,
      return: async (): Promise<IteratorResult<T, undefined>> => {
        release();
        return { value: undefined, done: true };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  /** The iterator took everything queued (or let go): the stop's drain may read the next batch. */
  private notifyCaughtUp(): void {
    const resolve = this.caughtUp;
    this.caughtUp = undefined;
    resolve?.();
  }

  /** Something changed for an iterator waiting on the stop's drain (items queued, failure, end). */
  private notifyConsumer(): void {
    const resolve = this.wakeConsumer;
    this.wakeConsumer = undefined;
    resolve?.();
  }

  /** Resolves at once while fewer than {@link STOP_QUEUE_LIMIT} items are queued (or there is no iterator), else when the iterator took them all. */
  private consumerCaughtUp(): Promise<void> {
    if (this.sink === undefined || this.out.length - this.outHead < STOP_QUEUE_LIMIT) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.caughtUp = resolve;
    });
  }

  private async doStop(reason: StopReason, error: unknown): Promise<SessionSummary> {
    this.state = 'stopping';
    this.signal?.removeEventListener('abort', this.onAbort);
    // 1. The filters: they live in the dynamic engine session; closing it deletes them. After an
    //    abrupt end of that session (the handle is invalid) they are gone already.
    try {
      this.engine.close();
    } catch {
      // already gone
    }
    // 2. The driver session: STOP completes a pending read with what the ring holds.
    await this.device.stop().catch(() => undefined);
    // 3. Drain the ring into the trackers, one read buffer at a time. With an iterator, the
    //    next batch is read only while less than STOP_QUEUE_LIMIT items wait for it: what is
    //    queued for it stays bounded, whatever the ring holds.
    try {
      while (!this.drained) {
        await this.consumerCaughtUp();
        await this.read(0);
        this.notifyConsumer();
      }
    } catch (e) {
      if (this.failure === undefined && reason !== 'error') this.failure = { error: e, reported: false };
    }
    let counters: Counters | undefined;
    try {
      counters = await this.device.counters();
      this.lastCounters = counters;
    } catch {
      counters = undefined;
    }
    // 4. Every tagged packet gets its fate, every flow its record.
    this.fates.flush();
    this.flowTracker.flush();
    for (const f of this.parked.values()) this.flowEnded(f);
    this.parked.clear();
    this.ended = true;
    this.notifyConsumer();
    await this.device.close().catch(() => undefined);
    this.state = 'stopped';
    runningApps.delete(this.registryKey);
    untrack(this);
    const summary: SessionSummary = {
      app: this.app,
      appPath: this.appPath,
      sessionId: this.sessionId,
      reason,
      startedAt: this.startedAt,
      stoppedAt: new Date(),
      totals: this.totals(),
      loss: this.loss(),
      packets: this.fates.stats(),
      flows: this.flowTracker.stats(),
      ...this.traffic([]),
    };
    const latency = this.latency.overall();
    if (latency !== undefined) summary.latency = latency;
    if (counters !== undefined) summary.counters = counters;
    if (error !== undefined) summary.error = error;
    return summary;
  }
}
