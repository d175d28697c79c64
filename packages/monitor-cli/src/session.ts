/*
 * One monitoring session of the CLI: the wfpkit device session, the dynamic filters that scope
 * it to the apps, a reader that feeds every record to the packet-fate and flow trackers, and a
 * snapshot of the live aggregates for the live view. Stopping is idempotent and always leaves
 * nothing behind: the reader's pending read completes, the driver session stops, the ring is
 * drained, the dynamic filters go with their engine session, and an enumeration checks it.
 *
 * This is the CLI's own composition of @wfpkit/fwpm-bindings, @wfpkit/ioctl-client and the
 * trackers of @wfpkit/tagging, with the shape of tagging's TaggingSession (snapshot, counters,
 * stop) so the CLI can move onto that class when it lands.
 */
import { Engine } from '@wfpkit/fwpm-bindings';
import type { FilterId } from '@wfpkit/fwpm-bindings';
import { ConfigFlags, ReadFlags, openWfpKitDevice } from '@wfpkit/ioctl-client';
import type { ContractRecord, Counters, DecodedRecord, WfpKitDevice } from '@wfpkit/ioctl-client';
import { FlowTracker, LatencySummary, PacketFateTracker } from '@wfpkit/tagging';
import type { FlowRecord, PacketFate } from '@wfpkit/tagging';

import type { BackendName } from './backend';
import { CliError, EXIT_CODES } from './errors';
import { addSessionFilters, ensureSessionCallouts, sessionFilterName, wfpkitObjects } from './wfp';

/** A flow as the live view shows it: its record so far and its in-stack latency. */
export interface LiveFlow {
  /** The flow record (final when `ended`). */
  readonly record: FlowRecord;
  /** True once the flow ended. */
  readonly ended: boolean;
  /** Median in-stack latency of its tagged packets (µs). */
  readonly p50Us: number | undefined;
  /** 99th percentile in-stack latency (µs). */
  readonly p99Us: number | undefined;
}

/** Aggregates of a session, as of now. */
export interface SessionSnapshot {
  /** The flows, most recently started first (active and recently ended). */
  readonly flows: readonly LiveFlow[];
  /** Totals since the session started. */
  readonly totals: {
    readonly flows: number;
    readonly activeFlows: number;
    readonly records: number;
    readonly bytesOut: number;
    readonly bytesIn: number;
    readonly packetsTagged: number;
    readonly sent: number;
    readonly delivered: number;
    readonly dropped: number;
    readonly unknown: number;
    readonly notifyEvents: number;
    readonly p50Us: number | undefined;
    readonly p99Us: number | undefined;
  };
  /** What was lost: ring records (RING_FULL) and packets left untagged. */
  readonly loss: { readonly ringRecordsLost: number; readonly packetsUntagged: number; readonly flowsUnmonitored: number };
  /** The driver ring as last polled. */
  readonly ring: { readonly bytes: number; readonly used: number; readonly highWater: number };
}

/** What {@link MonitorSession.stop} found. */
export interface StopSummary {
  /** The final snapshot. */
  readonly snapshot: SessionSnapshot;
  /** Filters of this session still in the engine after the stop (0 unless something is wrong). */
  readonly filtersLeft: number;
  /** Dynamic filters the session had added. */
  readonly filtersAdded: number;
  /** The driver's counters read just before the session stopped. */
  readonly counters: Counters | undefined;
}

/** Options of {@link MonitorSession.start}. */
export interface MonitorSessionOptions {
  /** The backend. */
  readonly backend: BackendName;
  /** Win32 paths of the apps (`C:\…\app.exe`). */
  readonly apps: readonly string[];
  /** Ring bytes (default 16 MiB). */
  readonly ringBytes?: number;
  /** Bytes of each packet kept (PACKET_TAGGED snap). */
  readonly snapLen?: number;
  /** Every record read, in ring order. */
  readonly onRecord?: (record: DecodedRecord) => void;
  /** Every packet fate record. */
  readonly onFate?: (fate: PacketFate) => void;
  /** Every final flow record. */
  readonly onFlow?: (flow: FlowRecord) => void;
  /** Messages for stderr. */
  readonly log?: (line: string) => void;
}

const ENDED_KEPT = 200;
/** Default ring: 16 MiB, so a replay at full speed between two reads loses nothing. */
const DEFAULT_RING_BYTES = 16 * 1024 * 1024;
const READ_TIMEOUT_MS = 100;
const COUNTERS_EVERY_MS = 250;

/** The NT path an app id holds (FwpmGetAppIdFromFileName0's UTF-16 blob, NUL-terminated). */
function appIdPath(appId: Uint8Array): string {
  return Buffer.from(appId.buffer, appId.byteOffset, appId.byteLength).toString('utf16le').replace(/\0+$/, '');
}

/** A started monitoring session. */
export class MonitorSession {
  readonly #device: WfpKitDevice;
  readonly #engine: Engine;
  readonly #filterIds: readonly FilterId[];
  readonly #options: MonitorSessionOptions;
  readonly #fates: PacketFateTracker;
  readonly #flows: FlowTracker;
  readonly #latency = new LatencySummary();
  readonly #ended: FlowRecord[] = [];
  #records = 0;
  #notifies = 0;
  #stopping = false;
  #reader: Promise<void> | undefined;
  #readerError: unknown;
  #counters: Counters | undefined;
  #countersAt = 0;
  #stopped: Promise<StopSummary> | undefined;
  #endedTotals = { flows: 0, bytesOut: 0, bytesIn: 0 };

  /** Session number in the driver. */
  readonly sessionId: number;
  /** NT paths of the apps, as ALE_APP_ID holds them (what a simulated workload must assign). */
  readonly appPaths: readonly string[];

  private constructor(device: WfpKitDevice, engine: Engine, sessionId: number, filterIds: readonly FilterId[], appPaths: readonly string[], options: MonitorSessionOptions) {
    this.#device = device;
    this.#engine = engine;
    this.sessionId = sessionId;
    this.#filterIds = filterIds;
    this.appPaths = appPaths;
    this.#options = options;
    this.#flows = new FlowTracker({
      onFlow: (f) => {
        this.#ended.push(f);
        if (this.#ended.length > ENDED_KEPT) this.#ended.shift();
        this.#endedTotals.flows++;
        this.#endedTotals.bytesOut += f.bytes.out;
        this.#endedTotals.bytesIn += f.bytes.in;
        options.onFlow?.(f);
      },
    });
    this.#fates = new PacketFateTracker({
      onFate: (fate) => {
        this.#latency.add(fate);
        this.#flows.pushFate(fate);
        options.onFate?.(fate);
      },
    });
  }

  /**
   * Opens the device, adds the dynamic filters for the apps (and the callout records for this
   * session when `addcallouts` has not installed them), configures and starts the driver
   * session, and starts reading.
   */
  static async start(options: MonitorSessionOptions): Promise<MonitorSession> {
    const device = await openWfpKitDevice({ backend: options.backend });
    let engine: Engine | undefined;
    try {
      const { sessionId: id, scopeKey } = await device.session();
      engine = Engine.open({ backend: options.backend, dynamic: true, name: `monitor-cli session ${id}` });
      if (await ensureSessionCallouts(engine)) {
        options.log?.('monitor-cli: the wfpkit callouts are not installed (monitor-cli addcallouts); added for this session only\n');
      }
      const appIds = options.apps.map((a) => {
        try {
          return engine!.appIdFromFileName(a);
        } catch (e) {
          throw new CliError(`unknown app "${a}": ${e instanceof Error ? e.message : String(e)}; give the full path of the program, e.g. C:\\Program Files\\App\\app.exe`, EXIT_CODES.USAGE);
        }
      });
      const filterIds = await addSessionFilters(engine, { scopeKey, appIds, sessionId: id });
      await device.configure({
        flags: ConfigFlags.INSPECT_STREAMS,
        ringBytes: options.ringBytes ?? DEFAULT_RING_BYTES,
        snapLen: options.snapLen ?? 0,
      });
      await device.start();
      const s = new MonitorSession(device, engine, id, filterIds, appIds.map(appIdPath), options);
      s.#reader = s.#read();
      return s;
    } catch (e) {
      engine?.close();
      await device.close();
      throw e;
    }
  }

  #take(records: readonly DecodedRecord[]): void {
    for (const r of records) {
      this.#records++;
      this.#options.onRecord?.(r);
      if (r.kind === 'UNKNOWN') continue;
      const record: ContractRecord = r;
      if (record.kind === 'PACKET_NOTIFY') this.#notifies++;
      this.#fates.push(record);
      this.#flows.push(record);
    }
  }

  async #pollCounters(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#countersAt < COUNTERS_EVERY_MS) return;
    this.#countersAt = now;
    this.#counters = await this.#device.counters();
  }

  async #read(): Promise<void> {
    try {
      while (!this.#stopping) {
        const batch = await this.#device.readEvents({ timeoutMs: READ_TIMEOUT_MS });
        this.#take(batch.records);
        await this.#pollCounters(false);
      }
    } catch (e) {
      this.#readerError = e;
    }
  }

  /** Waits until every record the driver has now was read (for replays: call after the run). */
  async drain(): Promise<void> {
    if (this.#stopping) return;
    for (;;) {
      const batch = await this.#device.readEvents({ timeoutMs: 0 });
      this.#take(batch.records);
      if (batch.records.length === 0 && (batch.flags & ReadFlags.MORE_AVAILABLE) === 0) break;
    }
    await this.#pollCounters(true);
  }

  /** The reader's failure, if it failed (the session then shows no more events). */
  get readerError(): unknown {
    return this.#readerError;
  }

  /** The live aggregates now (never waits). */
  snapshot(): SessionSnapshot {
    const active = this.#flows.snapshot();
    const stats = this.#fates.stats();
    const live = (record: FlowRecord, ended: boolean): LiveFlow => {
      const l = this.#latency.flow(record.flowId);
      return { record, ended, p50Us: l?.p50Us, p99Us: l?.p99Us };
    };
    const flows = [...active.map((f) => live(f, false)), ...[...this.#ended].reverse().map((f) => live(f, true))].sort(
      (a, b) => Number(b.record.startTime - a.record.startTime),
    );
    const overall = this.#latency.overall();
    const c = this.#counters;
    let bytesOut = this.#endedTotals.bytesOut;
    let bytesIn = this.#endedTotals.bytesIn;
    for (const f of active) {
      bytesOut += f.bytes.out;
      bytesIn += f.bytes.in;
    }
    return {
      flows,
      totals: {
        flows: this.#endedTotals.flows + active.length,
        activeFlows: active.length,
        records: this.#records,
        bytesOut,
        bytesIn,
        packetsTagged: stats.tagged,
        sent: stats.verdicts.sent,
        delivered: stats.verdicts.delivered,
        dropped: stats.verdicts.dropped,
        unknown: stats.verdicts.unknown,
        notifyEvents: this.#notifies,
        p50Us: overall?.p50Us,
        p99Us: overall?.p99Us,
      },
      loss: {
        ringRecordsLost: c ? Number(c.session.eventsDropped) : stats.lostRecords,
        packetsUntagged: c ? Number(c.session.packetsUntagged) : stats.untaggedPackets,
        flowsUnmonitored: stats.unmonitoredFlows,
      },
      ring: { bytes: c?.session.ringBytes ?? 0, used: c?.session.ringUsed ?? 0, highWater: c?.session.ringHighWater ?? 0 },
    };
  }

  /**
   * Ends the session (idempotent): the pending read completes, the driver session stops, the
   * ring is drained into the trackers (flows still open are flushed), the dynamic filters go
   * with their engine session, and a new engine session checks that none is left.
   */
  stop(): Promise<StopSummary> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<StopSummary> {
    this.#stopping = true;
    await this.#reader;
    let counters: Counters | undefined;
    try {
      counters = await this.#device.counters();
      this.#counters = counters;
      await this.#device.stop();
      for (;;) {
        const batch = await this.#device.readEvents({ timeoutMs: 0 });
        this.#take(batch.records);
        if (batch.records.length === 0 && (batch.flags & ReadFlags.MORE_AVAILABLE) === 0) break;
      }
    } catch (e) {
      this.#readerError ??= e;
    }
    this.#fates.flush();
    this.#flows.flush();
    this.#engine.close();
    await this.#device.close();
    const check = Engine.open({ backend: this.#options.backend, name: 'monitor-cli check' });
    let filtersLeft = 0;
    try {
      const prefix = sessionFilterName(this.sessionId);
      filtersLeft = (await wfpkitObjects(check)).filters.filter((f) => f.name.startsWith(`${prefix} `)).length;
    } finally {
      check.close();
    }
    return { snapshot: this.snapshot(), filtersLeft, filtersAdded: this.#filterIds.length, counters };
  }
}
