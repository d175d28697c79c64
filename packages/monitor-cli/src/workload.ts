/*
 * Traffic for a session on the simulator: a seeded synthetic workload of the monitored app, paced
 * in real time so the live view has something to show, or a capture replayed as fast as it goes.
 * Uses the simulator's asynchronous runs (a worker thread, cancelRun) when the installed
 * @wfpkit/simulator has them; otherwise it runs small synchronous slices between reads.
 */
import * as fs from 'node:fs';

import * as simulator from '@wfpkit/simulator';
import type { CaptureRunOptions, RunStats, SimulatedApp, SyntheticRunOptions } from '@wfpkit/simulator';

import { CliError, EXIT_CODES } from './errors';

/** The asynchronous run API (runSyntheticAsync, runCaptureAsync, cancelRun), where the simulator has it. */
interface AsyncRuns {
  runSyntheticAsync?: (options: SyntheticRunOptions & { packetsPerSecond?: number; durationMs?: number }) => Promise<RunStats>;
  runCaptureAsync?: (file: string, options?: CaptureRunOptions) => Promise<RunStats>;
  cancelRun?: () => void;
}

const asyncRuns = simulator as unknown as AsyncRuns;

/** A running workload. */
export interface Workload {
  /** Resolves when the workload ended (cancelled, its duration over, or its flows all generated). */
  readonly done: Promise<WorkloadStats>;
  /** Ends it at its next packet; flows close normally. */
  cancel(): void;
}

/** What a workload ran. */
export interface WorkloadStats {
  /** TCP flows generated or replayed. */
  flows: number;
  /** Transport-layer classifies (packets). */
  packets: number;
}

/** Options of {@link startSyntheticWorkload}. */
export interface SyntheticWorkloadOptions {
  /** NT path of the app the flows belong to. */
  readonly appPath: string;
  /** Seed (same seed, same flows). */
  readonly seed: number;
  /** Flows per second (default 4). */
  readonly flowsPerSecond?: number;
  /** End after this long (default: until cancelled). */
  readonly durationMs?: number;
}

const SLICE_MS = 250;

/**
 * Starts a seeded synthetic workload of one app: TLS, HTTP/1.1, HTTP/2 and SSH flows, a quarter
 * of them IPv6, paced in real time.
 */
export function startSyntheticWorkload(options: SyntheticWorkloadOptions): Workload {
  const apps: SimulatedApp[] = [{ processId: 4242, path: options.appPath }];
  const rate = options.flowsPerSecond ?? 4;
  const base = { apps, protocols: ['tls', 'http1', 'http2', 'ssh'] as const, ipv6Percent: 25, minBytes: 500, maxBytes: 60_000 };
  const stats: WorkloadStats = { flows: 0, packets: 0 };
  const add = (s: RunStats): void => {
    stats.flows += s.flows;
    stats.packets += s.packetClassifies;
  };
  if (asyncRuns.runSyntheticAsync && asyncRuns.cancelRun) {
    const cancelRun = asyncRuns.cancelRun;
    const done = asyncRuns
      .runSyntheticAsync({
        ...base,
        seed: options.seed,
        flows: 1_000_000,
        packetsPerSecond: Math.max(1, Math.round(rate * 25)),
        ...(options.durationMs ? { durationMs: options.durationMs } : {}),
      })
      .then((s) => {
        add(s);
        return stats;
      });
    return { done, cancel: () => cancelRun() };
  }
  let cancelled = false;
  let slice = 0;
  let carry = 0;
  let wake: (() => void) | undefined;
  const started = Date.now();
  const done = (async (): Promise<WorkloadStats> => {
    while (!cancelled && !(options.durationMs !== undefined && Date.now() - started >= options.durationMs)) {
      carry += (rate * SLICE_MS) / 1000;
      const flows = Math.floor(carry);
      carry -= flows;
      if (flows > 0) add(simulator.runSynthetic({ ...base, seed: options.seed * 1_000_003 + slice, flows }));
      slice++;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, SLICE_MS);
      });
    }
    return stats;
  })();
  return {
    done,
    cancel: () => {
      cancelled = true;
      wake?.();
    },
  };
}

/** Checks that a capture file exists and is a file (usage error otherwise). */
export function checkCaptureFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new CliError(`capture file "${file}" does not exist: give the path of a pcap or pcapng file`, EXIT_CODES.USAGE);
  }
  if (!st.isFile()) throw new CliError(`"${file}" is not a file: give the path of a pcap or pcapng file`, EXIT_CODES.USAGE);
}

/**
 * Replays a capture through the simulator as fast as it goes: flows whose local port is in
 * `ports` belong to that app, every other flow to `defaultApp`.
 */
export function startReplay(file: string, apps: readonly SimulatedApp[]): Workload {
  const add = (s: RunStats): WorkloadStats => ({ flows: s.flows, packets: s.packetClassifies });
  if (asyncRuns.runCaptureAsync && asyncRuns.cancelRun) {
    const cancelRun = asyncRuns.cancelRun;
    return { done: asyncRuns.runCaptureAsync(file, { apps }).then(add), cancel: () => cancelRun() };
  }
  // Synchronous replay: started on the next turn so the caller can set up its handlers first.
  const done = new Promise<WorkloadStats>((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(add(simulator.runCapture(file, { apps })));
      } catch (e) {
        reject(e);
      }
    });
  });
  return { done, cancel: () => undefined };
}
