/*
 * Traffic for a session on the simulator: a seeded synthetic workload of the monitored app, paced
 * in real time so the live view has something to show, or a capture replayed as fast as it goes.
 * Both run on the simulator's worker thread (runSyntheticAsync / runCaptureAsync), so the JS
 * thread reads the driver's events meanwhile; cancelRun ends them at their next packet.
 */
import * as fs from 'node:fs';

import { cancelRun, runCaptureAsync, runSyntheticAsync } from '@wfpkit/simulator';
import type { PacketLifecycleOptions, RunStats, SimulatedApp } from '@wfpkit/simulator';

import { CliError, EXIT_CODES } from './errors';

/** A running workload. */
export interface Workload {
  /** Resolves when the workload ended (cancelled, its duration over, or its input all used). */
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
  /** Packets the stack model dropped. */
  packetsDropped: number;
  /** The run was cancelled before the end of its input. */
  cancelled: boolean;
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
  /** The simulator's packet lifecycle model (latencies, drops). */
  readonly lifecycle?: PacketLifecycleOptions;
}

const stats = (s: RunStats): WorkloadStats => ({ flows: s.flows, packets: s.packetClassifies, packetsDropped: s.packetsDropped, cancelled: s.cancelled });

/** Packets per flow of the synthetic mix, roughly (for pacing by flows per second). */
const PACKETS_PER_FLOW = 25;

/**
 * Starts a seeded synthetic workload of one app: TLS, HTTP/1.1, HTTP/2 and SSH flows, a quarter
 * of them IPv6, paced in real time.
 */
export function startSyntheticWorkload(options: SyntheticWorkloadOptions): Workload {
  const rate = options.flowsPerSecond ?? 4;
  const done = runSyntheticAsync({
    apps: [{ processId: 4242, path: options.appPath }],
    protocols: ['tls', 'http1', 'http2', 'ssh'],
    ipv6Percent: 25,
    minBytes: 500,
    maxBytes: 60_000,
    seed: options.seed,
    flows: 1_000_000,
    packetsPerSecond: Math.max(1, Math.round(rate * PACKETS_PER_FLOW)),
    ...(options.durationMs ? { durationMs: options.durationMs } : {}),
    ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
  }).then(stats);
  return { done, cancel: () => cancelRun() };
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

/** Options of {@link startReplay}. */
export interface ReplayOptions {
  /** The simulator's packet lifecycle model (latencies, drops). */
  readonly lifecycle?: PacketLifecycleOptions;
  /**
   * Classify packets at the transport and IP packet layers (default true). false: only the
   * flow and stream layers run (FLOW_ESTABLISHED, stream inspection, flow end), so nothing is
   * tagged.
   */
  readonly packets?: boolean;
}

/**
 * Replays a capture through the simulator as fast as it goes: each flow belongs to the first
 * app whose `localPort` it has, else to the app without a port. The replay is lossless: the
 * simulator waits while a session's ring is more than half full (its `lossless` run option,
 * an offline facility), so the answer does not depend on how fast the reader keeps up; the
 * sessions must be read while it runs.
 */
export function startReplay(file: string, apps: readonly SimulatedApp[], options: ReplayOptions = {}): Workload {
  const done = runCaptureAsync(file, {
    apps,
    lossless: true,
    ...(options.packets === false ? { transportClassifies: false } : {}),
    ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
  }).then(stats);
  return { done, cancel: () => cancelRun() };
}

let positionFd: { file: string; fd: string } | undefined;

/**
 * How far this process has read a file, in bytes: the offset of the descriptor that has it open
 * (Linux /proc/self/fdinfo; the simulator reads a capture through one descriptor from start to
 * end). `undefined` when that cannot be told (not Linux, or the file is not open).
 *
 * @param file - the capture being replayed
 */
export function captureReadPosition(file: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    if (positionFd === undefined || positionFd.file !== file) {
      const target = fs.realpathSync(file);
      const fd = fs.readdirSync('/proc/self/fd').find((n) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${n}`) === target;
        } catch {
          return false;
        }
      });
      if (fd === undefined) return undefined;
      positionFd = { file, fd };
    }
    const m = /^pos:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${positionFd.fd}`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    positionFd = undefined;
    return undefined;
  }
}
