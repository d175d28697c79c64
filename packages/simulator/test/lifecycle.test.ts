// The packet-lifecycle model from TypeScript (src/traffic.ts: RunOptions.lifecycle, the new RunStats
// counters, runCaptureAsync / runSyntheticAsync, pacing, cancelRun) against the kernel-model test
// driver (native/test/kernel/test_driver.c, libwfpsim_testdrv): its lifecycle callouts tag every
// packet (context = 1, 2, ... in tagging order, which is frame order) and log every NBL notify
// event and discard-layer classify, read here with td_lc_events.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import {
  cancelRun,
  closeDeferredFlows,
  DISCARD_REASONS,
  RunInProgressError,
  runCapture,
  runCaptureAsync,
  runSynthetic,
  runSyntheticAsync,
  simulatorKernel,
  testDriverLibraryPath,
} from '../src';
import type { RunStats, SimulatorKernel } from '../src';
import { packageDir } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof Koffi;

const capture = path.join(packageDir, 'test', 'fixtures', 'loopback.pcap');
const libraryPath = (): string => testDriverLibraryPath();

// test_driver.h
const TD_LC_TAGGED = 1;
const TD_LC_NOTIFY = 2;
const TD_LC_DISCARD = 3;
const TAG_ALL = 0xf;
// FWPS_NET_BUFFER_LIST_EVENT_TYPE0
const EV = { CLONED: 1, DUPLICATED: 3, EXIT: 4, REMOVED: 5, SEND_COMPLETE: 6 } as const;
const LETTER: Record<number, string> = {
  [EV.CLONED]: 'C',
  [EV.DUPLICATED]: 'P',
  [EV.EXIT]: 'X',
  [EV.REMOVED]: 'R',
  [EV.SEND_COMPLETE]: 'S',
};
// test_driver.h TD_LC_COPIED: the test driver's context on a copy (its duplicate) is the original's | this bit
const TD_LC_COPIED = 1n << 63n;
const OUTBOUND_IPPACKET_V4_DISCARD = 5;
const INBOUND_TRANSPORT_V4_DISCARD = 13;
const OUTBOUND_IPPACKET_V6_DISCARD = 7;
const INBOUND_TRANSPORT_V6_DISCARD = 15;
const NO_LAYER = 0xffff;

interface LcEvent {
  kind: number;
  type: number;
  layer: number;
  nbl_null: number;
  reason: number;
  context: number | bigint;
  time: number | bigint;
  nbl: number | bigint;
  new_nbl: number | bigint;
  filter_id: number | bigint;
  check: number;
  pad: number;
}

type Fn = ReturnType<Koffi.LibraryHandle['func']>;
let td: { configure: Fn; events: Fn; inflight: Fn; install: Fn; uninstall: Fn; eventType: ReturnType<typeof koffi.struct> };
let kernel: SimulatorKernel;

beforeAll(() => {
  if (!existsSync(libraryPath())) {
    const r = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'build-native.js')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`native build failed:\n${r.stdout}\n${r.stderr}`);
  }
  const lib = koffi.load(libraryPath());
  let eventType: ReturnType<typeof koffi.struct>;
  try {
    eventType = koffi.type('td_lc_event') as ReturnType<typeof koffi.struct>;
  } catch {
    eventType = koffi.struct('td_lc_event', {
      kind: 'uint32_t',
      type: 'uint32_t',
      layer: 'uint16_t',
      nbl_null: 'uint16_t',
      reason: 'uint32_t',
      context: 'uint64_t',
      time: 'uint64_t',
      nbl: 'uint64_t',
      new_nbl: 'uint64_t',
      filter_id: 'uint64_t',
      check: 'uint32_t',
      pad: 'uint32_t',
    });
  }
  td = {
    configure: lib.func('td_lc_configure', 'void', ['uint32_t']),
    events: lib.func('td_lc_events', 'uint32_t', ['void *', 'uint32_t']),
    inflight: lib.func('td_lc_inflight', 'int32_t', []),
    install: lib.func('td_lc_install', 'uint64_t', ['uint32_t', 'uint32_t']),
    uninstall: lib.func('td_lc_uninstall', 'void', []),
    eventType,
  };
  kernel = simulatorKernel({ libraryPath: libraryPath() });
  kernel.loadDriver();
});

afterAll(() => {
  td.uninstall();
  expect(kernel.unloadDriver()).toBe('unloaded');
  expect(kernel.poolOutstanding()).toBe(0);
  expect(kernel.kernelViolations()).toBe(0);
});

function eventCount(): number {
  return td.events(null, 0) as number;
}

function readEvents(): LcEvent[] {
  const n = eventCount();
  if (!n) return [];
  const buf = Buffer.alloc(n * koffi.sizeof(td.eventType));
  td.events(buf, n);
  return koffi.decode(buf, koffi.array(td.eventType, n)) as LcEvent[];
}

/** Each context's events as letters (T tagged, C cloned, X exit, S send complete, R removed, D discard). */
function sequences(events: readonly LcEvent[]): Map<number, string> {
  const seq = new Map<number, string>();
  const add = (c: number | bigint, ch: string): void => {
    seq.set(Number(c), (seq.get(Number(c)) ?? '') + ch);
  };
  for (const e of events) {
    if (e.kind === TD_LC_TAGGED) add(e.context, 'T');
    else if (e.kind === TD_LC_DISCARD && Number(e.context) !== 0) add(e.context, 'D');
    else if (e.kind === TD_LC_NOTIFY) add(e.context, LETTER[e.type] ?? '?');
  }
  return seq;
}

function install(blockA = NO_LAYER, blockB = NO_LAYER): bigint {
  td.uninstall();
  const id = BigInt(td.install(blockA, blockB) as number | bigint);
  expect(id).not.toBe(0n);
  return id;
}

describe('the packet lifecycle of tagged packets (capture)', () => {
  beforeAll(() => install());

  it('gives outbound [clone ->] exit -> send complete -> removed, inbound removed, in virtual-time order', () => {
    td.configure(TAG_ALL);
    const stats = runCapture(capture, { libraryPath: libraryPath(), segmentSize: 200, lifecycle: { seed: 3 } });
    const events = readEvents();
    const seq = sequences(events);
    expect(seq.size).toBe(44); // every frame of loopback.pcap is a TCP packet, tagged once
    const kinds = new Set(seq.values());
    for (const s of kinds) expect(['TXSR', 'TCXSR', 'TR']).toContain(s);
    expect([...seq.values()].filter((s) => s === 'TCXSR')).toHaveLength(stats.clones);
    expect(stats.clones).toBeGreaterThan(0);
    expect(stats.packetsDropped).toBe(0);
    expect(stats.ipPacketClassifies).toBe(44);
    expect(stats.inputPackets).toBe(44);
    expect(stats.cancelled).toBe(false);
    expect(stats.notifyCalls).toBe(events.filter((e) => e.kind === TD_LC_NOTIFY).length);
    expect(stats.maxNblsInFlight).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) expect(BigInt(events[i]!.time) >= BigInt(events[i - 1]!.time)).toBe(true);
    expect(events.filter((e) => e.kind === TD_LC_TAGGED).every((e) => e.check === 1)).toBe(true);
    expect(td.inflight()).toBe(0);
  });

  it('is reproducible: the same seed gives the same events and times, another seed other times', () => {
    const run = (seed: number): LcEvent[] => {
      td.configure(TAG_ALL);
      runCapture(capture, { libraryPath: libraryPath(), lifecycle: { seed } });
      return readEvents();
    };
    const strip = (es: LcEvent[]): string[] => es.map((e) => `${e.kind}/${e.type}/${e.context}/${e.time}`);
    const a = run(11);
    expect(strip(run(11))).toEqual(strip(a));
    const c = run(12);
    expect(c).toHaveLength(a.length);
    expect(strip(c)).not.toEqual(strip(a));
  });

  it('drops the scripted frames inside the stack: discard classify, removed without exit', () => {
    td.configure(TAG_ALL);
    const stats = runCapture(capture, { libraryPath: libraryPath(), lifecycle: { seed: 3, dropFrames: [5, 20] } });
    const events = readEvents();
    const seq = sequences(events);
    expect(stats.packetsDropped).toBe(2);
    expect(seq.get(5)).toBe('TDR');
    expect(seq.get(20)).toBe('TDR');
    expect([...seq.entries()].filter(([, s]) => s.includes('D')).map(([c]) => c)).toEqual([5, 20]);
    const discards = events.filter((e) => e.kind === TD_LC_DISCARD);
    expect(discards).toHaveLength(2);
    for (const d of discards) {
      expect([OUTBOUND_IPPACKET_V4_DISCARD, INBOUND_TRANSPORT_V4_DISCARD, OUTBOUND_IPPACKET_V6_DISCARD, INBOUND_TRANSPORT_V6_DISCARD]).toContain(d.layer);
      expect(d.reason).toBe(DISCARD_REASONS.SCRIPTED);
      expect(d.check).toBe(1); // FWPS_METADATA_FIELD_DISCARD_REASON present
    }
  });

  it('duplicates the scripted frames: DUPLICATED_BY_NETIO with a copy that lives its own lifecycle', () => {
    td.configure(TAG_ALL);
    const stats = runCapture(capture, {
      libraryPath: libraryPath(),
      lifecycle: { seed: 3, duplicateFrames: [20, 5], segmentationClones: false },
    });
    const events = readEvents();
    expect(stats.duplicates).toBe(2);
    expect(stats.clones).toBe(0);
    // the originals (contexts = frame numbers) and the copies (the test driver's copied contexts)
    const originals = sequences(events.filter((e) => BigInt(e.context) < TD_LC_COPIED));
    const copies = new Map<bigint, string>();
    for (const e of events) {
      const c = BigInt(e.context);
      if (c < TD_LC_COPIED) continue;
      expect(e.kind).toBe(TD_LC_NOTIFY);
      copies.set(c - TD_LC_COPIED, (copies.get(c - TD_LC_COPIED) ?? '') + (LETTER[e.type] ?? '?'));
    }
    expect([...originals.entries()].filter(([, q]) => q.includes('P')).map(([c]) => c)).toEqual([5, 20]);
    expect([...copies.keys()].sort((a, b) => Number(a - b))).toEqual([5n, 20n]);
    for (const c of [5, 20]) {
      // outbound: duplicated before the exit, the copy exits and completes on its own; inbound:
      // duplicated before the delivery, the copy is consumed (removed) on its own
      expect([['TPXSR', 'XSR'], ['TPR', 'R']]).toContainEqual([originals.get(c), copies.get(BigInt(c))]);
      const dup = events.find((e) => e.kind === TD_LC_NOTIFY && e.type === EV.DUPLICATED && Number(e.context) === c);
      expect(dup).toBeDefined();
      expect(BigInt(dup?.new_nbl ?? 0)).not.toBe(0n);
      expect(BigInt(dup?.new_nbl ?? 0)).not.toBe(BigInt(dup?.nbl ?? 0));
    }
    // every other packet: no duplicate
    expect([...originals.values()].filter((q) => q === 'TXSR' || q === 'TR')).toHaveLength(originals.size - 2);
    expect(td.inflight()).toBe(0);
  });

  it('drops what a BLOCK filter at a later layer stops (OUTBOUND_IPPACKET after OUTBOUND_TRANSPORT)', () => {
    const OUTBOUND_IPPACKET_V4 = 4;
    const OUTBOUND_IPPACKET_V6 = 6;
    const fid = install(OUTBOUND_IPPACKET_V4, OUTBOUND_IPPACKET_V6); // the V6 filter's id
    try {
      td.configure(0x1); // tag at OUTBOUND_TRANSPORT_V4/V6 only
      const stats = runCapture(capture, { libraryPath: libraryPath(), lifecycle: {} });
      const events = readEvents();
      const seq = [...sequences(events).values()];
      expect(seq.length).toBeGreaterThan(5);
      expect(seq.every((s) => s === 'TDR')).toBe(true);
      const d = events.filter((e) => e.kind === TD_LC_DISCARD && Number(e.context) !== 0);
      expect(d).toHaveLength(seq.length);
      expect(d.some((e) => e.layer === OUTBOUND_IPPACKET_V4_DISCARD)).toBe(true);
      expect(d.some((e) => e.layer === OUTBOUND_IPPACKET_V6_DISCARD)).toBe(true);
      for (const e of d) {
        // at OUTBOUND_IPPACKET_V4/V6_DISCARD, module GENERAL, FWPS_DISCARD_FIREWALL_POLICY, the blocking filter
        expect([e.type, e.reason]).toEqual([2, 0]);
        if (e.layer === OUTBOUND_IPPACKET_V6_DISCARD) expect(BigInt(e.filter_id)).toBe(fid);
        else expect([OUTBOUND_IPPACKET_V4_DISCARD, BigInt(e.filter_id) > 0n && BigInt(e.filter_id) < fid]).toEqual([e.layer, true]);
      }
      expect(stats.packetsDropped).toBeGreaterThanOrEqual(seq.length);
    } finally {
      install();
    }
  });

  it('drops about lossRate of the packets, the same ones for the same seed', () => {
    const run = (): number[] => {
      td.configure(TAG_ALL);
      runCapture(capture, { libraryPath: libraryPath(), lifecycle: { seed: 4, lossRate: 0.5 } });
      return [...sequences(readEvents()).entries()].filter(([, s]) => s === 'TDR').map(([c]) => c);
    };
    const a = run();
    expect(a.length).toBeGreaterThan(8);
    expect(a.length).toBeLessThan(36);
    expect(run()).toEqual(a);
  });

  it('refuses bad lifecycle and pacing options with a clear error, changing nothing', () => {
    td.configure(TAG_ALL);
    runCapture(capture, { libraryPath: libraryPath() });
    const before = eventCount();
    const o = { libraryPath: libraryPath() };
    expect(() => runCapture(capture, { ...o, lifecycle: { lossRate: 1.5 } })).toThrow(/lossRate must be a probability from 0 to 1/);
    expect(() => runCapture(capture, { ...o, lifecycle: { lossRate: -0.1 } })).toThrow(RangeError);
    expect(() => runCapture(capture, { ...o, lifecycle: { lossRate: Number.NaN } })).toThrow(RangeError);
    expect(() => runCapture(capture, { ...o, lifecycle: { dropFrames: [0] } })).toThrow(/dropFrames\[0\] must be a 1-based frame number/);
    expect(() => runCapture(capture, { ...o, lifecycle: { dropFrames: [3, 1.5] } })).toThrow(/dropFrames\[1\]/);
    expect(() => runCapture(capture, { ...o, lifecycle: { dropFrames: [-2] } })).toThrow(RangeError);
    expect(() => runCapture(capture, { ...o, lifecycle: { duplicateFrames: [0] } })).toThrow(/duplicateFrames\[0\] must be a 1-based frame number/);
    expect(() => runCapture(capture, { ...o, lifecycle: { duplicateFrames: [4, 2.5] } })).toThrow(RangeError);
    expect(() => runCapture(capture, { ...o, lifecycle: { duplicateFrames: 7 as unknown as number[] } })).toThrow(
      /duplicateFrames must be an array of 1-based frame numbers/,
    );
    expect(() => runCapture(capture, { ...o, lifecycle: { duplicateFrames: 7 as unknown as number[] } })).toThrow(TypeError);
    expect(() => runCapture(capture, { ...o, lifecycle: { seed: -1 } })).toThrow(/seed/);
    expect(() => runCapture(capture, { ...o, lifecycle: { latency: { stackUs: 0 } } })).toThrow(/stackUs must be a positive integer/);
    expect(() => runSynthetic({ ...o, seed: 1, flows: 1, packetsPerSecond: 100 })).toThrow(/runSyntheticAsync/);
    expect(() => runSynthetic({ ...o, seed: 1, flows: 1, durationMs: 1.5 })).toThrow(/durationMs/);
    expect(eventCount()).toBe(before);
  });
});

describe('async runs, pacing and cancel', () => {
  beforeAll(() => install());

  it('runs on a worker thread while the JS thread reads the driver events; other runs are refused meanwhile', async () => {
    td.configure(TAG_ALL);
    const run = runSyntheticAsync({ libraryPath: libraryPath(), seed: 2, flows: 6, packetsPerSecond: 1500, lifecycle: { seed: 2 } });
    let settled = false;
    void run.then(() => (settled = true), () => (settled = true));
    const seen: number[] = [];
    while (seen.length < 3) {
      await new Promise((r) => setTimeout(r, 20));
      const n = eventCount();
      if (!settled && n > (seen.at(-1) ?? 0)) seen.push(n);
      if (settled) break;
    }
    expect(seen.length).toBe(3); // the log grew three times while the run was still going
    expect(() => runSynthetic({ libraryPath: libraryPath(), seed: 1, flows: 1 })).toThrow(RunInProgressError);
    expect(() => closeDeferredFlows({ libraryPath: libraryPath() })).toThrow(RunInProgressError);
    await expect(runCaptureAsync(capture, { libraryPath: libraryPath() })).rejects.toThrow(RunInProgressError);
    const stats: RunStats = await run;
    expect(stats.cancelled).toBe(false);
    expect(stats.flows).toBe(6);
    expect(eventCount()).toBeGreaterThan(seen[2]!);
    expect(td.inflight()).toBe(0);
    // the async capture gives what the sync one gives
    td.configure(TAG_ALL);
    const asyncStats = await runCaptureAsync(capture, { libraryPath: libraryPath(), lifecycle: { seed: 5 } });
    const asyncEvents = readEvents().map((e) => `${e.kind}/${e.type}/${e.context}/${e.time}`);
    td.configure(TAG_ALL);
    const syncStats = runCapture(capture, { libraryPath: libraryPath(), lifecycle: { seed: 5 } });
    expect(readEvents().map((e) => `${e.kind}/${e.type}/${e.context}/${e.time}`)).toEqual(asyncEvents);
    expect(syncStats).toEqual(asyncStats);
  });

  it('cancelRun ends a live workload at its next packet, flows closed and every tag removed', async () => {
    td.configure(TAG_ALL);
    const run = runSyntheticAsync({
      libraryPath: libraryPath(),
      seed: 3,
      flows: 5000,
      packetsPerSecond: 2000,
      durationMs: 600_000,
    });
    while (eventCount() < 30) await new Promise((r) => setTimeout(r, 10));
    cancelRun({ libraryPath: libraryPath() });
    const stats = await run;
    expect(stats.cancelled).toBe(true);
    expect(stats.flows).toBeLessThan(5000);
    expect(td.inflight()).toBe(0);
    const seq = [...sequences(readEvents()).values()];
    expect(seq.every((s) => s.endsWith('R'))).toBe(true);
    cancelRun({ libraryPath: libraryPath() }); // nothing to cancel: no effect
  });

  it('with durationMs the generator starts again until the time is up', async () => {
    td.configure(0);
    const plain = runSynthetic({ libraryPath: libraryPath(), seed: 4, flows: 2 });
    const live = await runSyntheticAsync({ libraryPath: libraryPath(), seed: 4, flows: 2, durationMs: 200 });
    expect(live.cancelled).toBe(true);
    expect(live.inputPackets).toBeGreaterThan(plain.inputPackets);
    expect(live.flows).toBeGreaterThan(plain.flows);
    await expect(runSyntheticAsync({ libraryPath: libraryPath(), seed: 4, flows: 2, packetsPerSecond: -5 })).rejects.toThrow(
      /packetsPerSecond must be a positive number/,
    );
  });
});
