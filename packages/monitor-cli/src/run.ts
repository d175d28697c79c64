/*
 * The commands that start a monitoring session: monitor, replay, events, flows, packets. One
 * pipeline: resolve the apps, start the session (dynamic filters for the apps), start the traffic
 * (the real machine's on Windows; on the simulator a synthetic workload or a capture), show or
 * stream what comes, and on the end of the traffic, Ctrl-C or SIGTERM stop everything and print
 * the summary.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';

import { MAX_SNAP_LEN } from '@wfpkit/ioctl-client';
import type { DecodedRecord } from '@wfpkit/ioctl-client';
import type { SimulatedApp } from '@wfpkit/simulator';
import type { FlowRecord, PacketFate } from '@wfpkit/tagging';

import type { Context } from './context';
import { CliError, EXIT_CODES } from './errors';
import { FATE_COLUMNS, flowColumns, liveScreen, recordText, summaryObject, summaryText } from './render';
import { PcapngWriter, TaggedPacketCapture, createRecordWriter, writeJsonDocument } from './output';
import type { SummaryData } from './render';
import { MonitorSession } from './session';
import { checkCaptureFile, startReplay, startSyntheticWorkload } from './workload';
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
  /** Seed of the synthetic workload. */
  readonly seed?: number;
  /** Flows per second of the synthetic workload. */
  readonly rate?: number;
}

/** The simulator's default process (every flow no --map entry claims). */
export const SIMULATOR_DEFAULT_APP = 'C:\\Windows\\System32\\wfpsim-app.exe';

const WIN32_PATH = /^[A-Za-z]:\\[^<>:"|?*\n]+$/;

/**
 * Turns an app argument into a Win32 path: a full path is kept (on Windows it must exist); on
 * Windows a bare name is looked up among running processes.
 */
export function resolveApp(app: string, backend: 'sim' | 'win32'): string {
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
export function parseMap(entries: readonly string[], backend: 'sim' | 'win32'): { port: number; app: string }[] {
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
  const mapped = parseMap(o.map ?? [], backend);
  let mainApp: string | undefined;
  if (o.app !== undefined) mainApp = resolveApp(o.app, backend);
  else if (replay !== undefined && mapped.length === 0) mainApp = SIMULATOR_DEFAULT_APP;
  else if (replay === undefined) throw new CliError(`${command} needs the app to watch: monitor-cli ${command} C:\\path\\to\\app.exe`, EXIT_CODES.USAGE);
  const apps = [...(mainApp !== undefined ? [mainApp] : []), ...mapped.map((m) => m.app)];

  const format = ctx.options.format;
  const anonymizer = ctx.anonymizer;
  const anon = (a: string): string => (anonymizer ? anonymizer.anonymizeAddress(a) : a);
  const writerOptions = anonymizer ? { anonymizer } : {};
  const recordWriter =
    command === 'events'
      ? createRecordWriter<DecodedRecord>(format, ctx.target, { ...writerOptions, columns: [{ header: 'EVENT', value: (r) => recordText(r) }], sizingRows: 1 })
      : undefined;
  const fateWriter =
    command === 'packets'
      ? createRecordWriter<PacketFate>(format, ctx.target, { ...writerOptions, columns: FATE_COLUMNS, sizingRows: 1 })
      : undefined;
  const flowWriter =
    command === 'flows'
      ? createRecordWriter<FlowRecord>(format, ctx.target, { ...writerOptions, columns: flowColumns(anon), sizingRows: 1 })
      : undefined;
  const capture =
    ctx.options.pcapng !== undefined
      ? new TaggedPacketCapture(
          PcapngWriter.toFile(ctx.options.pcapng, {
            snaplen: ctx.options.snaplen,
            ...(ctx.options.headersOnly ? { headersOnly: true } : {}),
            ...writerOptions,
          }),
          { app: apps[0] ?? 'unknown' },
        )
      : undefined;
  const onRecord =
    recordWriter || capture
      ? (r: DecodedRecord): void => {
          recordWriter?.write(r);
          if (capture && r.kind !== 'UNKNOWN') capture.record(r);
        }
      : undefined;
  const onFate =
    fateWriter || capture
      ? (p: PacketFate): void => {
          fateWriter?.write(p);
          capture?.fate(p);
        }
      : undefined;
  const onFlow = flowWriter ? (f: FlowRecord): void => flowWriter.write(f) : undefined;

  const started = Date.now();
  const session = await MonitorSession.start({
    backend,
    apps,
    snapLen: capture ? Math.min(ctx.options.snaplen || MAX_SNAP_LEN, MAX_SNAP_LEN) : 0,
    log: ctx.log,
    ...(onRecord ? { onRecord } : {}),
    ...(onFate ? { onFate } : {}),
    ...(onFlow ? { onFlow } : {}),
  });

  let endedBy = replay !== undefined ? 'end of capture' : 'end of workload';
  let workload: Workload | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const onSignal = (sig: NodeJS.Signals): void => {
    endedBy = sig === 'SIGINT' ? 'Ctrl-C' : sig;
    workload?.cancel();
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let timer: NodeJS.Timeout | undefined;
  let live: NodeJS.Timeout | undefined;
  const liveView = command === 'monitor' && ctx.dataIsTTY && format === 'text';
  const title = `monitor-cli monitor ${apps.join(', ')}  (${backend === 'sim' ? 'simulator' : 'Windows'})  Ctrl-C to stop`;
  const draw = (): void => {
    const { columns, rows } = ctx.io.size?.() ?? { columns: 80, rows: 24 };
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    ctx.io.out(`\x1b[H\x1b[J${liveScreen(`${title}  ${elapsed}s`, session.snapshot(), columns, rows, anon)}`);
  };
  let workloadStats: WorkloadStats | undefined;
  const flusher = liveView ? undefined : setInterval(() => void ctx.target.flush().catch(() => undefined), 250);
  try {
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
    if (backend === 'sim') {
      if (replay !== undefined) {
        const rules: SimulatedApp[] = mapped.map((m, i) => ({ localPort: m.port, processId: 5000 + i, path: session.appPaths[(mainApp !== undefined ? 1 : 0) + i] ?? '' }));
        if (mainApp !== undefined) rules.push({ processId: 4242, path: session.appPaths[0] ?? '' });
        workload = startReplay(replay, rules);
      } else {
        workload = startSyntheticWorkload({
          appPath: session.appPaths[0] ?? '',
          seed: o.seed ?? 1,
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
      await session.drain();
    } else {
      await stopped;
    }
  } catch (e) {
    await session.stop().catch(() => undefined);
    capture?.abort();
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    if (live) clearInterval(live);
    if (liveView) ctx.io.out('\x1b[?25h\x1b[?1049l');
    if (flusher) clearInterval(flusher);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const stop = await session.stop();
  if (session.readerError) ctx.log(`monitor-cli: reading events failed: ${session.readerError instanceof Error ? session.readerError.message : String(session.readerError)}\n`);
  const summary: SummaryData = {
    command,
    apps,
    backend,
    stop,
    endedBy,
    elapsedMs: Date.now() - started,
    ...(replay !== undefined ? { capture: replay } : {}),
    ...(workloadStats ? { workloadFlows: workloadStats.flows } : {}),
  };
  recordWriter?.end();
  fateWriter?.end();
  flowWriter?.end();
  if (capture) {
    await capture.close();
    ctx.log(`monitor-cli: wrote ${capture.writer.packets} tagged packets to ${ctx.options.pcapng ?? ''}\n`);
  }
  if (command === 'monitor' || command === 'replay') {
    if (format === 'text') ctx.data(summaryText(summary));
    else writeJsonDocument(ctx.target, summaryObject(summary));
  } else {
    ctx.log(summaryText(summary));
  }
  if (stop.filtersLeft !== 0) throw new CliError(`${stop.filtersLeft} dynamic filters of this session were still in the engine after it stopped: run monitor-cli delcallouts`, EXIT_CODES.FAILURE);
  return session.readerError ? EXIT_CODES.FAILURE : EXIT_CODES.OK;
}
