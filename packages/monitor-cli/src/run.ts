/*
 * The commands that start monitoring sessions: monitor, replay, events, flows, packets. One
 * pipeline: resolve the apps, start one @wfpkit/tagging TaggingSession per app (dynamic filters,
 * driver session with packet tagging), start the traffic (the real machine's on Windows; on the
 * simulator a synthetic workload or a capture), read every session's events and write what the
 * command shows, and on the end of the traffic, Ctrl-C or SIGTERM stop the sessions and print the
 * summary.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';

import { Engine } from '@wfpkit/fwpm-bindings';
import type { PacketLifecycleOptions } from '@wfpkit/simulator';
import { CalloutsNotInstalledError, FlowTracker, LatencySummary, PacketFateTracker, TaggingSession, wfpkitObjects } from '@wfpkit/tagging';
import type { PacketFate, SessionSnapshot, SessionSummary, TaggingEvent } from '@wfpkit/tagging';

import type { BackendName } from './backend';
import type { Context } from './context';
import { CliError, EXIT_CODES } from './errors';
import { FATE_COLUMNS, eventText, flowColumns, liveScreen, summaryObject, summaryText } from './render';
import type { FlowOutput, LiveTotals, SummaryData } from './render';
import { PcapngWriter, ProgressBar, TaggedPacketCapture, createRecordWriter, writeJsonDocument } from './output';
import { captureReadPosition, checkCaptureFile, startReplay, startSyntheticWorkload } from './workload';
import type { Workload, WorkloadStats } from './workload';

/** Which records a session command writes. */
export type SessionCommand = 'monitor' | 'replay' | 'events' | 'flows' | 'packets';

/** Options of the session commands. */
export interface SessionCommandOptions {
  /** The app (Win32 path or, on Windows, a running process name). */
  readonly app?: string;
  /** Capture to replay through the simulator. */
  readonly replay?: string;
  /** PORT=APP entries. */
  readonly map?: readonly string[];
  /** Stop after this many seconds. */
  readonly duration?: number;
  /** Seed of the synthetic workload and of the simulator's packet lifecycle model. */
  readonly seed?: number;
  /** Flows per second of the synthetic workload. */
  readonly rate?: number;
  /** Probability that the simulator drops a tagged packet inside the stack. */
  readonly dropRate?: number;
}

/** The simulator's default process (every flow no --map entry claims). */
export const SIMULATOR_DEFAULT_APP = 'C:\\Windows\\System32\\wfpsim-app.exe';

/** Ring of each session: 16 MiB, so a replay at full speed between two reads loses nothing. */
const RING_BYTES = 16 * 1024 * 1024;
/** With --headers-only the driver copies at most a TCP header with options (60 bytes) per packet. */
const HEADERS_SNAP = 60;
/** Most flows whose in-stack latency is kept at once (as many as the flow tracker keeps active). */
const MAX_FLOW_LATENCIES = 65_536;
/** Events read between two turns of the event loop. */
const YIELD_EVERY = 2048;

const WIN32_PATH = /^[A-Za-z]:\\[^<>:"|?*\n]+$/;

/**
 * Turns an app argument into a Win32 path: a full path is kept (on Windows it must exist); on
 * Windows a bare name is looked up among running processes.
 */
export function resolveApp(app: string, backend: BackendName): string {
  if (WIN32_PATH.test(app)) {
    if (backend === 'win32' && !fs.existsSync(app)) {
      throw new CliError(`unknown app "${app}": no such file; give the full path of the program, e.g. C:\\Program Files\\App\\app.exe`, EXIT_CODES.USAGE);
    }
    return app;
  }
  if (backend === 'win32' && /^[\w .-]+$/.test(app)) {
    const name = app.replace(/\.exe$/i, '');
    const r = childProcess.spawnSync('powershell.exe', ['-NoProfile', '-Command', `(Get-Process -Name '${name}' -ErrorAction SilentlyContinue | Select-Object -First 1).Path`], {
      encoding: 'utf8',
    });
    const found = (r.stdout ?? '').trim();
    if (r.status === 0 && WIN32_PATH.test(found)) return found;
    throw new CliError(`unknown app "${app}": no running process has that name; start it first or give the full path of the program`, EXIT_CODES.USAGE);
  }
  throw new CliError(
    backend === 'sim'
      ? `unknown app "${app}": the simulator has no running processes to look it up; give a full Windows path, e.g. C:\\Program Files\\Example\\app.exe`
      : `unknown app "${app}": give the full path of the program (C:\\…\\app.exe) or the name of a running process`,
    EXIT_CODES.USAGE,
  );
}

/** Parses --map PORT=APP entries (comma-separated, repeatable). */
export function parseMap(entries: readonly string[], backend: BackendName): { port: number; app: string }[] {
  const out: { port: number; app: string }[] = [];
  for (const entry of entries.flatMap((e) => e.split(',')).filter((e) => e.length > 0)) {
    const m = /^(\d+)=(.+)$/.exec(entry);
    const port = m ? Number(m[1]) : NaN;
    if (!m || !(port >= 1 && port <= 65535)) {
      throw new CliError(`bad --map entry "${entry}": write LOCALPORT=APP, e.g. --map 51234=C:\\apps\\browser.exe`, EXIT_CODES.USAGE);
    }
    out.push({ port, app: resolveApp(m[2] ?? '', backend) });
  }
  return out;
}

/** A session's filter names start with this (TaggingSession names them so). */
const filterPrefix = (sessionId: number): string => `wfpkit tagging session ${sessionId} `;

/** Counts the filters of the given driver sessions that are in the engine now. */
async function countSessionFilters(backend: BackendName, sessionIds: readonly number[]): Promise<number> {
  const engine = Engine.open({ backend, name: 'monitor-cli check' });
  try {
    const prefixes = sessionIds.map(filterPrefix);
    return (await wfpkitObjects(engine)).filters.filter((f) => prefixes.some((p) => f.name.startsWith(p))).length;
  } finally {
    engine.close();
  }
}

/**
 * Starts a TaggingSession (`streamEvents`: STREAM_DATA records, so active flows show their bytes
 * before they end); on the simulator it installs wfpkit's callouts first when they are missing. */
async function startSession(ctx: Context, app: string, snapLen: number, streamEvents: boolean): Promise<TaggingSession> {
  const backend = ctx.backend.backend;
  const start = (): Promise<TaggingSession> => TaggingSession.start({ app, backend, snapLen, ringSize: RING_BYTES, streamEvents });
  try {
    return await start();
  } catch (e) {
    if (!(e instanceof CalloutsNotInstalledError)) throw e;
    if (backend !== 'sim') {
      throw new CliError(`wfpkit's callouts are not installed (missing ${e.missing.join(', ')}): run monitor-cli addcallouts from an elevated prompt, once`, EXIT_CODES.FAILURE);
    }
    const { added } = await TaggingSession.installCallouts({ backend });
    ctx.log(`monitor-cli: installed wfpkit's callouts in the simulator (${added} objects, persistent; monitor-cli delcallouts removes them)\n`);
    return start();
  }
}

/**
 * One app's session and what the CLI derives from its events: the fate and flow records (for
 * the outputs and the pcapng), overall latency, bytes and protocols.
 */
class AppSession {
  records = 0;
  bytesOut = 0;
  bytesIn = 0;
  readonly byProtocol: Record<string, number> = {};
  readonly fates: PacketFateTracker;
  readonly flows: FlowTracker;
  failure: unknown;

  constructor(
    readonly app: string,
    readonly session: TaggingSession,
    latency: LatencySummary,
    sinks: { fate?: (f: PacketFate) => void; flow?: (f: FlowOutput) => void },
  ) {
    this.flows = new FlowTracker({
      onFlow: (f) => {
        this.bytesOut += f.bytes.out;
        this.bytesIn += f.bytes.in;
        this.byProtocol[f.appProtocol] = (this.byProtocol[f.appProtocol] ?? 0) + 1;
        if (sinks.flow) {
          const l = latency.flow(f.flowId);
          sinks.flow(l ? { ...f, latency: { p50Us: l.p50Us, p99Us: l.p99Us } } : f);
        }
        latency.removeFlow(f.flowId);
      },
    });
    this.fates = new PacketFateTracker({
      discardReports: true,
      onFate: (f) => {
        latency.add(f);
        this.flows.pushFate(f);
        sinks.fate?.(f);
      },
    });
  }

  /** Reads the session's events until it stopped and its ring is drained. */
  async consume(onEvent: (app: string, ev: TaggingEvent) => void): Promise<void> {
    try {
      for await (const ev of this.session.events()) {
        // Reading a full ring is all microtasks: let timers (live view, progress) run now and then.
        if (++this.records % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        onEvent(this.app, ev);
        this.fates.push(ev.record);
        this.flows.push(ev.record);
      }
    } catch (e) {
      this.failure = e;
    }
    this.fates.flush();
    this.flows.flush();
  }

  /** Bytes of the flows so far (ended and active). */
  bytes(): { out: number; in: number } {
    let out = this.bytesOut;
    let inb = this.bytesIn;
    for (const f of this.flows.snapshot()) {
      out += f.bytes.out;
      inb += f.bytes.in;
    }
    return { out, in: inb };
  }
}

/** True when the driver rings of all sessions are empty (or cannot be asked). */
async function ringsEmpty(sessions: readonly AppSession[]): Promise<boolean> {
  const counters = await Promise.all(sessions.map((s) => s.session.counters().catch(() => undefined)));
  return counters.every((c) => c === undefined || c.session.recordsInRing === 0);
}

/** The live totals of all sessions (for the live view). */
function liveTotals(apps: readonly AppSession[], snaps: readonly SessionSnapshot[], latency: LatencySummary): LiveTotals {
  const sum = (f: (s: SessionSnapshot) => number): number => snaps.reduce((n, s) => n + f(s), 0);
  const overall = latency.overall();
  let bytesOut = 0;
  let bytesIn = 0;
  let active = 0;
  for (const a of apps) {
    const b = a.bytes();
    bytesOut += b.out;
    bytesIn += b.in;
    active += a.flows.stats().active;
  }
  return {
    flows: sum((s) => s.totals.flows),
    activeFlows: active,
    bytesOut,
    bytesIn,
    records: apps.reduce((n, a) => n + a.records, 0),
    packetsTagged: sum((s) => s.totals.packetsTagged),
    dropped: sum((s) => s.totals.dropped),
    p50Us: overall?.p50Us,
    p99Us: overall?.p99Us,
    ringRecordsLost: sum((s) => s.loss.ringRecordsLost),
    packetsUntagged: sum((s) => s.loss.packetsUntagged),
    ringBytes: sum((s) => s.ring.bytes),
    ringUsed: sum((s) => s.ring.used),
    ringHighWater: sum((s) => s.ring.highWater),
  };
}

/**
 * Runs a session command to its end and writes its output.
 *
 * @returns the exit code
 */
export async function runSessionCommand(ctx: Context, command: SessionCommand, o: SessionCommandOptions): Promise<number> {
  const backend = ctx.backend.backend;
  const replay = o.replay;
  if (replay !== undefined) {
    if (backend !== 'sim') throw new CliError('replaying a capture runs it through the simulator: add --sim', EXIT_CODES.USAGE);
    checkCaptureFile(replay);
  }
  if (o.map?.length && replay === undefined) throw new CliError('--map assigns the flows of a capture to apps: give --replay FILE (or use the replay command)', EXIT_CODES.USAGE);
  if (o.dropRate !== undefined && backend !== 'sim') throw new CliError('--drop-rate sets the simulator\'s packet model: add --sim', EXIT_CODES.USAGE);
  const mapped = parseMap(o.map ?? [], backend);
  let mainApp: string | undefined;
  if (o.app !== undefined) mainApp = resolveApp(o.app, backend);
  else if (replay !== undefined && mapped.length === 0) mainApp = SIMULATOR_DEFAULT_APP;
  else if (replay === undefined) throw new CliError(`${command} needs the app to watch: monitor-cli ${command} C:\\path\\to\\app.exe`, EXIT_CODES.USAGE);
  const apps = [...(mainApp !== undefined ? [mainApp] : []), ...mapped.map((m) => m.app)];
  const seen = new Set<string>();
  for (const a of apps) {
    if (seen.has(a.toLowerCase())) throw new CliError(`app "${a}" is given twice: give each app once (--map PORT=APP,PORT2=OTHER)`, EXIT_CODES.USAGE);
    seen.add(a.toLowerCase());
  }

  const format = ctx.options.format;
  const anonymizer = ctx.anonymizer;
  const anon = (a: string): string => (anonymizer ? anonymizer.anonymizeAddress(a) : a);
  const writerOptions = anonymizer ? { anonymizer } : {};
  const eventWriter =
    command === 'events'
      ? createRecordWriter<TaggingEvent>(format, ctx.target, { ...writerOptions, columns: [{ header: 'EVENT', value: (e) => eventText(e) }], sizingRows: 1 })
      : undefined;
  const fateWriter = command === 'packets' ? createRecordWriter<PacketFate>(format, ctx.target, { ...writerOptions, columns: FATE_COLUMNS, sizingRows: 1 }) : undefined;
  const flowWriter = command === 'flows' ? createRecordWriter<FlowOutput>(format, ctx.target, { ...writerOptions, columns: flowColumns(anon), sizingRows: 1 }) : undefined;
  const headersOnly = ctx.options.headersOnly === true;
  const capture =
    ctx.options.pcapng !== undefined
      ? new TaggedPacketCapture(
          PcapngWriter.toFile(ctx.options.pcapng, { snaplen: ctx.options.snaplen, ...(headersOnly ? { headersOnly: true } : {}), ...writerOptions }),
          { app: apps[0] ?? 'unknown' },
        )
      : undefined;
  // The driver copies the bytes the capture keeps (none without --pcapng).
  const snapLen = capture ? Math.min(ctx.options.snaplen, headersOnly ? HEADERS_SNAP : Infinity, 2048) : 0;

  // overall, and per flow until the flow's record is written (flows end: bounded by the active flows)
  const latency = new LatencySummary({ maxFlows: MAX_FLOW_LATENCIES });
  const onEvent = (app: string, ev: TaggingEvent): void => {
    eventWriter?.write(ev);
    if (capture) {
      const r = ev.record;
      if (r.kind === 'FLOW_ESTABLISHED') capture.flow(r.header.flowId, r.endpoints, app);
      else if (r.kind === 'PACKET_TAGGED') capture.tagged(r);
    }
  };
  const sinks = {
    ...(fateWriter || capture
      ? {
          fate: (p: PacketFate): void => {
            fateWriter?.write(p);
            capture?.fate(p);
          },
        }
      : {}),
    ...(flowWriter ? { flow: (f: FlowOutput): void => flowWriter.write(f) } : {}),
  };

  let endedBy = replay !== undefined ? 'end of capture' : backend === 'sim' ? 'end of workload' : 'end';
  let workload: Workload | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  let signalled = false;
  // Installed before any session starts, so a signal always gets the summary (TaggingSession's
  // own handlers stop its sessions; with this listener present they do not re-raise the signal).
  const onSignal = (sig: NodeJS.Signals): void => {
    // a second signal while the first one's cleanup runs: give up waiting (the dynamic filters
    // still go with the process's engine sessions)
    if (signalled) process.exit(sig === 'SIGINT' ? 130 : 143);
    endedBy = sig === 'SIGINT' ? 'Ctrl-C' : sig;
    signalled = true;
    workload?.cancel();
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = Date.now();
  const sessions: AppSession[] = [];
  let timer: NodeJS.Timeout | undefined;
  let live: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  const liveView = command === 'monitor' && ctx.dataIsTTY && format === 'text';
  const flusher = liveView ? undefined : setInterval(() => void ctx.target.flush().catch(() => undefined), 250);
  let workloadStats: WorkloadStats | undefined;
  let summaries: SessionSummary[] = [];
  let consumers: Promise<void>[] = [];
  let filtersAdded = 0;
  let progress: ProgressBar | undefined;
  try {
    for (const app of apps) {
      if (signalled) break;
      const s = await startSession(ctx, app, snapLen, liveView);
      sessions.push(new AppSession(app, s, latency, sinks));
    }
    filtersAdded = await countSessionFilters(backend, sessions.map((s) => s.session.sessionId));
    consumers = sessions.map((s) => s.consume(onEvent));
    const title = `monitor-cli monitor ${apps.join(', ')}  (${backend === 'sim' ? 'simulator' : 'Windows'})  Ctrl-C to stop`;
    const draw = (): void => {
      const { columns, rows } = ctx.io.size?.() ?? { columns: 80, rows: 24 };
      const snaps = sessions.map((s) => s.session.snapshot());
      const elapsed = ((Date.now() - started) / 1000).toFixed(0);
      ctx.io.out(`\x1b[H\x1b[J${liveScreen(`${title}  ${elapsed}s`, snaps.flatMap((s) => s.flows), liveTotals(sessions, snaps, latency), columns, rows, anon)}`);
    };
    if (liveView) {
      ctx.io.out('\x1b[?1049h\x1b[?25l');
      draw();
      live = setInterval(draw, 250);
    }
    if (o.duration !== undefined) {
      timer = setTimeout(() => {
        endedBy = `--duration ${o.duration}`;
        workload?.cancel();
        wake();
      }, o.duration * 1000);
    }
    if (signalled) {
      // a signal came while the sessions started: nothing to run
    } else if (backend === 'sim') {
      const lifecycle: PacketLifecycleOptions = { seed: o.seed ?? 1, ...(o.dropRate !== undefined ? { lossRate: o.dropRate } : {}) };
      if (replay !== undefined) {
        const rules = sessions.map((s, i) => {
          const m = mainApp !== undefined ? (i === 0 ? undefined : mapped[i - 1]) : mapped[i];
          return { ...(m ? { localPort: m.port } : {}), processId: 4242 + i, path: s.session.appPath };
        });
        // the app without a port takes every flow the others do not: it goes last
        rules.sort((a, b) => Number(a.localPort === undefined) - Number(b.localPort === undefined));
        workload = startReplay(replay, rules, lifecycle);
        if (command === 'replay' && ctx.io.errIsTTY === true) {
          const size = fs.statSync(replay).size;
          const bar = new ProgressBar({ total: size, unit: 'bytes', label: 'replay', stream: process.stderr });
          progress = bar;
          const records = (): string => `${sessions.reduce((n, s) => n + s.records, 0)} events`;
          // Bytes of the capture the simulator has read (it closes the file at the end: keep the most seen).
          let read = 0;
          progressTimer = setInterval(() => {
            read = Math.max(read, captureReadPosition(replay) ?? 0);
            bar.update(read, records());
          }, 100);
        }
      } else {
        workload = startSyntheticWorkload({
          appPath: sessions[0]?.session.appPath ?? '',
          seed: o.seed ?? 1,
          lifecycle,
          ...(o.rate !== undefined ? { flowsPerSecond: o.rate } : {}),
          ...(o.duration !== undefined ? { durationMs: o.duration * 1000 } : {}),
        });
      }
      const w = workload;
      await Promise.race([
        w.done.then((s) => {
          workloadStats = s;
        }),
        stopped,
      ]);
      if (workloadStats === undefined) workloadStats = await w.done;
      // Read what the ring still holds before stopping: stop() drains it in one go, holding every
      // record of a full ring in memory at once.
      while (!signalled && !(await ringsEmpty(sessions))) await new Promise((resolve) => setTimeout(resolve, 20));
    } else {
      await stopped;
    }
  } catch (e) {
    await Promise.allSettled(sessions.map((s) => s.session.stop()));
    await Promise.allSettled(consumers);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    capture?.abort();
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    if (progressTimer) clearInterval(progressTimer);
    progress?.finish();
    if (live) clearInterval(live);
    if (liveView) ctx.io.out('\x1b[?25h\x1b[?1049l');
    if (flusher) clearInterval(flusher);
  }
  try {
    summaries = await Promise.all(sessions.map((s) => s.session.stop()));
    await Promise.all(consumers);
  } finally {
    // Only now: while a listener of ours is there, TaggingSession's signal handler stops its
    // sessions and does not raise the signal again (which would end the process before the summary).
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const filtersLeft = await countSessionFilters(backend, sessions.map((s) => s.session.sessionId));
  const failure = sessions.find((s) => s.failure !== undefined)?.failure ?? summaries.find((s) => s.error !== undefined)?.error;
  if (failure !== undefined) ctx.log(`monitor-cli: reading events failed: ${failure instanceof Error ? failure.message : String(failure)}\n`);
  eventWriter?.end();
  fateWriter?.end();
  flowWriter?.end();
  if (capture) {
    await capture.close();
    ctx.log(`monitor-cli: wrote ${capture.writer.packets} tagged packets to ${ctx.options.pcapng ?? ''}\n`);
  }
  const overall = latency.overall();
  const byProtocol: Record<string, number> = {};
  for (const s of sessions) for (const [k, v] of Object.entries(s.byProtocol)) byProtocol[k] = (byProtocol[k] ?? 0) + v;
  const sum = (f: (s: SessionSummary) => number): number => summaries.reduce((n, s) => n + f(s), 0);
  const summary: SummaryData = {
    command,
    apps,
    backend,
    endedBy,
    elapsedMs: Date.now() - started,
    ...(replay !== undefined ? { capture: replay } : {}),
    ...(workloadStats ? { workloadFlows: workloadStats.flows } : {}),
    flows: sum((s) => s.totals.flows),
    flowsByProtocol: byProtocol,
    bytesOut: sessions.reduce((n, s) => n + s.bytesOut, 0),
    bytesIn: sessions.reduce((n, s) => n + s.bytesIn, 0),
    records: sessions.reduce((n, s) => n + s.records, 0),
    packetsTagged: sum((s) => s.totals.packetsTagged),
    verdicts: { sent: sum((s) => s.totals.sent), delivered: sum((s) => s.totals.delivered), dropped: sum((s) => s.totals.dropped), unknown: sum((s) => s.totals.unknown) },
    notifyEvents: sum((s) => s.totals.notifyEvents),
    latencyUs: { p50: overall?.p50Us, p99: overall?.p99Us },
    loss: { ringRecordsLost: sum((s) => s.loss.ringRecordsLost), packetsUntagged: sum((s) => s.loss.packetsUntagged) },
    ringHighWater: sum((s) => s.counters?.session.ringHighWater ?? 0),
    filtersAdded,
    filtersLeft,
  };
  if (command === 'monitor' || command === 'replay') {
    if (format === 'text') ctx.data(summaryText(summary));
    else writeJsonDocument(ctx.target, summaryObject(summary));
  } else {
    ctx.log(summaryText(summary));
  }
  if (filtersLeft !== 0) throw new CliError(`${filtersLeft} dynamic filters of this run were still in the engine after it stopped: run monitor-cli delcallouts`, EXIT_CODES.FAILURE);
  return failure !== undefined ? EXIT_CODES.FAILURE : EXIT_CODES.OK;
}
