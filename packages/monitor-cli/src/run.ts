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
import { CalloutsNotInstalledError, LatencySummary, TaggingSession, wfpkitObjects } from '@wfpkit/tagging';
import type { EventsOptions, LatencyStats, PacketFate, SessionEvent, SessionSnapshot, SessionSummary, TaggingEvent } from '@wfpkit/tagging';

import type { BackendName } from './backend';
import type { Context } from './context';
import { CliError, EXIT_CODES } from './errors';
import { FATE_COLUMNS, eventText, flowColumns, liveScreen, summaryObject, summaryText } from './render';
import type { FlowOutput, LiveTotals, SummaryData } from './render';
import { PcapngWriter, ProgressBar, TaggedPacketCapture, createRecordWriter, toJsonLine, writeJsonDocument } from './output';
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
  /** Bytes of each session's event ring (default {@link DEFAULT_RING_BYTES}). */
  readonly ringSize?: number;
  /** false (`--no-tag`): a replay classifies no packets, only flows and streams (nothing tagged). */
  readonly tag?: boolean;
}

/** The simulator's default process (every flow no --map entry claims). */
export const SIMULATOR_DEFAULT_APP = 'C:\\Windows\\System32\\wfpsim-app.exe';

/**
 * Default ring of each session: 16 MiB, so live traffic between two reads loses nothing (a
 * replay is lossless with any ring: the simulator waits for the reader).
 */
export const DEFAULT_RING_BYTES = 16 * 1024 * 1024;
/** With --headers-only the driver copies at most a TCP header with options (60 bytes) per packet. */
const HEADERS_SNAP = 60;
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
 * before they end); on the simulator it installs wfpkit's callouts first when they are missing
 * (on Windows, CalloutsNotInstalledError's own fix names `monitor-cli addcallouts`). */
async function startSession(ctx: Context, app: string, snapLen: number, streamEvents: boolean, ringSize: number): Promise<TaggingSession> {
  const backend = ctx.backend.backend;
  const start = (): Promise<TaggingSession> =>
    TaggingSession.start({
      app,
      backend,
      snapLen,
      ringSize,
      streamEvents,
    });
  try {
    return await start();
  } catch (e) {
    if (!(e instanceof CalloutsNotInstalledError) || backend !== 'sim') throw e;
    const { added } = await TaggingSession.installCallouts({ backend });
    ctx.log(`monitor-cli: installed wfpkit's callouts in the simulator (${added} objects, persistent; monitor-cli delcallouts removes them)\n`);
    return start();
  }
}

/** One app's session and the reader of its events (record events, fates and flow records from one iterator). */
class AppSession {
  failure: unknown;

  constructor(readonly app: string, readonly session: TaggingSession) {}

  /** Reads the session's events until it stopped and its ring is drained. */
  async consume(options: EventsOptions, onEvent: (app: string, ev: SessionEvent) => void): Promise<void> {
    let n = 0;
    try {
      for await (const ev of this.session.events(options)) {
        // Reading a full ring is all microtasks: let timers (live view, progress) run now and then.
        if (++n % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        onEvent(this.app, ev);
      }
    } catch (e) {
      this.failure = e;
    }
  }
}

/**
 * In-stack latency over all sessions: a session's own when there is one; with several apps, the
 * distribution the CLI keeps over all their fates (percentiles of different sessions do not add up).
 */
function overallLatency(perSession: readonly (LatencyStats | undefined)[], combined: LatencySummary | undefined): LatencyStats | undefined {
  return combined ? combined.overall() : perSession[0];
}

/** The live totals of all sessions (for the live view). */
function liveTotals(snaps: readonly SessionSnapshot[], latency: LatencyStats | undefined): LiveTotals {
  const sum = (f: (s: SessionSnapshot) => number): number => snaps.reduce((n, s) => n + f(s), 0);
  return {
    flows: sum((s) => s.totals.flows),
    activeFlows: sum((s) => s.totals.activeFlows),
    bytesOut: sum((s) => s.bytes.out),
    bytesIn: sum((s) => s.bytes.in),
    records: sum((s) => s.totals.records),
    packetsTagged: sum((s) => s.totals.packetsTagged),
    dropped: sum((s) => s.totals.dropped),
    p50Us: latency?.p50Us,
    p99Us: latency?.p99Us,
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
  if (o.dropRate !== undefined && backend !== 'sim') throw new CliError("--drop-rate sets the simulator's packet model: add --sim", EXIT_CODES.USAGE);
  if (o.tag === false && replay === undefined) throw new CliError('--no-tag replays a capture without packet tagging: give --replay FILE (or use the replay command)', EXIT_CODES.USAGE);
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
      ? createRecordWriter<TaggingEvent>(format, ctx.target, {
          ...writerOptions,
          columns: [{ header: 'EVENT', value: (e) => eventText(e) }],
          sizingRows: 1,
        })
      : undefined;
  const fateWriter =
    command === 'packets'
      ? createRecordWriter<PacketFate>(format, ctx.target, {
          ...writerOptions,
          columns: FATE_COLUMNS,
          sizingRows: 1,
        })
      : undefined;
  const flowWriter =
    command === 'flows'
      ? createRecordWriter<FlowOutput>(format, ctx.target, {
          ...writerOptions,
          columns: flowColumns(anon),
          sizingRows: 1,
        })
      : undefined;
  const headersOnly = ctx.options.headersOnly === true;
  const capture =
    ctx.options.pcapng !== undefined
      ? new TaggedPacketCapture(
          PcapngWriter.toFile(ctx.options.pcapng, {
            snaplen: ctx.options.snaplen,
            ...(headersOnly ? { headersOnly: true } : {}),
            ...writerOptions,
          }),
          { app: apps[0] ?? 'unknown' },
        )
      : undefined;
  // The driver copies the bytes the capture keeps (none without --pcapng).
  const snapLen = capture ? Math.min(ctx.options.snaplen, headersOnly ? HEADERS_SNAP : Infinity, 2048) : 0;

  // With several apps, the overall latency is kept over all their fates (a session knows its own).
  const combined = apps.length > 1 ? new LatencySummary({ maxFlows: 0 }) : undefined;
  // What each session's one reader yields: the record events the command writes (the capture
  // needs FLOW_ESTABLISHED and PACKET_TAGGED), and the fate and flow records it writes.
  const readOptions: EventsOptions = {
    types: command === 'events' ? undefined : capture ? ['flow', 'packet-tagged'] : [],
    packets: fateWriter !== undefined || capture !== undefined || combined !== undefined,
    flows: flowWriter !== undefined,
  };
  const onEvent = (app: string, ev: SessionEvent): void => {
    switch (ev.type) {
      case 'packet-fate':
        fateWriter?.write(ev.fate);
        capture?.fate(ev.fate);
        combined?.add(ev.fate);
        return;
      case 'flow-record':
        flowWriter?.write(ev.latency ? { ...ev.flow, latency: ev.latency } : ev.flow);
        return;
      default:
        eventWriter?.write(ev);
        if (capture) {
          const r = ev.record;
          if (r.kind === 'FLOW_ESTABLISHED') capture.flow(r.header.flowId, r.endpoints, app);
          else if (r.kind === 'PACKET_TAGGED') capture.tagged(r);
        }
    }
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
  // Draws the bar's final state once the replay has read the whole capture (the timer may
  // not have fired at all when the replay is quick or the event loop was busy reading).
  let progressDone: (() => void) | undefined;
  try {
    for (const app of apps) {
      if (signalled) break;
      const s = await startSession(ctx, app, snapLen, liveView, o.ringSize ?? DEFAULT_RING_BYTES);
      sessions.push(new AppSession(app, s));
    }
    filtersAdded = await countSessionFilters(
      backend,
      sessions.map((s) => s.session.sessionId),
    );
    consumers = sessions.map((s) => s.consume(readOptions, onEvent));
    const title = `monitor-cli monitor ${apps.join(', ')}  (${backend === 'sim' ? 'simulator' : 'Windows'})  Ctrl-C to stop`;
    const draw = (): void => {
      const { columns, rows } = ctx.io.size?.() ?? { columns: 80, rows: 24 };
      const snaps = sessions.map((s) => s.session.snapshot());
      const elapsed = ((Date.now() - started) / 1000).toFixed(0);
      const latency = overallLatency(
        snaps.map((s) => s.latency),
        combined,
      );
      ctx.io.out(
        `\x1b[H\x1b[J${liveScreen(
          `${title}  ${elapsed}s`,
          snaps.flatMap((s) => s.flows),
          liveTotals(snaps, latency),
          columns,
          rows,
          anon,
        )}`,
      );
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
      const lifecycle: PacketLifecycleOptions = {
        seed: o.seed ?? 1,
        ...(o.dropRate !== undefined ? { lossRate: o.dropRate } : {}),
      };
      if (replay !== undefined) {
        const rules = sessions.map((s, i) => {
          const m = mainApp !== undefined ? (i === 0 ? undefined : mapped[i - 1]) : mapped[i];
          return {
            ...(m ? { localPort: m.port } : {}),
            processId: 4242 + i,
            path: s.session.appPath,
          };
        });
        // the app without a port takes every flow the others do not: it goes last
        rules.sort((a, b) => Number(a.localPort === undefined) - Number(b.localPort === undefined));
        workload = startReplay(replay, rules, { lifecycle, packets: o.tag !== false });
        if (command === 'replay' && ctx.io.errIsTTY === true) {
          const size = fs.statSync(replay).size;
          const bar = new ProgressBar({
            total: size,
            unit: 'bytes',
            label: 'replay',
            stream: process.stderr,
          });
          progress = bar;
          const records = (): string => `${sessions.reduce((n, s) => n + s.session.snapshot().totals.records, 0)} events`;
          // Bytes of the capture the simulator has read (it closes the file at the end: keep the most seen).
          let read = 0;
          progressTimer = setInterval(() => {
            read = Math.max(read, captureReadPosition(replay) ?? 0);
            bar.update(read, records());
          }, 100);
          progressDone = () => bar.update(size, records(), true);
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
      if (!workloadStats.cancelled) progressDone?.();
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
  const filtersLeft = await countSessionFilters(
    backend,
    sessions.map((s) => s.session.sessionId),
  );
  const failure = sessions.find((s) => s.failure !== undefined)?.failure ?? summaries.find((s) => s.error !== undefined)?.error;
  if (failure !== undefined) ctx.log(`monitor-cli: reading events failed: ${failure instanceof Error ? failure.message : String(failure)}\n`);
  eventWriter?.end();
  fateWriter?.end();
  flowWriter?.end();
  if (capture) {
    await capture.close();
    ctx.log(`monitor-cli: wrote ${capture.writer.packets} tagged packets to ${ctx.options.pcapng ?? ''}\n`);
  }
  const overall = overallLatency(
    summaries.map((s) => s.latency),
    combined,
  );
  const byProtocol: Record<string, number> = {};
  for (const s of summaries) for (const [k, v] of Object.entries(s.flowsByProtocol)) byProtocol[k] = (byProtocol[k] ?? 0) + v;
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
    bytesOut: sum((s) => s.bytes.out),
    bytesIn: sum((s) => s.bytes.in),
    records: sum((s) => s.totals.records),
    packetsTagged: sum((s) => s.totals.packetsTagged),
    verdicts: {
      sent: sum((s) => s.totals.sent),
      delivered: sum((s) => s.totals.delivered),
      dropped: sum((s) => s.totals.dropped),
      unknown: sum((s) => s.totals.unknown),
    },
    notifyEvents: sum((s) => s.totals.notifyEvents),
    latencyUs: { p50: overall?.p50Us, p99: overall?.p99Us },
    loss: {
      ringRecordsLost: sum((s) => s.loss.ringRecordsLost),
      packetsUntagged: sum((s) => s.loss.packetsUntagged),
    },
    ringHighWater: sum((s) => s.counters?.session.ringHighWater ?? 0),
    filtersAdded,
    filtersLeft,
  };
  if (command === 'monitor' || command === 'replay') {
    if (format === 'text') ctx.data(summaryText(summary));
    else if (format === 'jsonl') ctx.data(`${toJsonLine(summaryObject(summary))}\n`);
    else writeJsonDocument(ctx.target, summaryObject(summary));
  } else {
    ctx.log(summaryText(summary));
  }
  if (filtersLeft !== 0) throw new CliError(`${filtersLeft} dynamic filters of this run were still in the engine after it stopped: run monitor-cli delcallouts`, EXIT_CODES.FAILURE);
  return failure !== undefined ? EXIT_CODES.FAILURE : EXIT_CODES.OK;
}
