/*
 * Issue 5's "done when": a capture replayed through a TaggingSession with a scripted drop of
 * specific segments. The fate records name exactly those packets `dropped`, every other tagged
 * packet is `sent` (outbound) or `delivered` (inbound) with the model's latencies, and the
 * driver's event counters satisfy produced = delivered + dropped-by-ring.
 *
 * Which frame each fate record is: tshark lists each TCP stream's frames (direction, transport
 * header + payload length); the session's flow records give each flow's 5-tuple; the flow's
 * tagged packets, in sequence order, must line up with a run of its stream's frames (same
 * direction and length, packet after packet), which names the frame of every fate record.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { PacketFateTracker, TaggingSession } from '@wfpkit/tagging';
import type { PacketFate, SessionSummary, TaggingEvent } from '@wfpkit/tagging';
import { Direction, defaultTransport } from '@wfpkit/ioctl-client';
import { runCapture, simulatorKernel } from '@wfpkit/simulator';
import type { PacketLifecycleOptions } from '@wfpkit/simulator';

const FIXTURE = path.resolve(__dirname, '../../../packages/simulator/test/fixtures/loopback.pcap');
const CURL = 'C:\\Windows\\System32\\curl.exe';
const kernel = simulatorKernel();

interface Frame {
  readonly number: number;
  readonly stream: number;
  readonly clientPort: number;
  readonly outbound: boolean;
  readonly bytes: number;
  readonly payload: number;
}

/** Every TCP frame of the capture, per tshark (the client is the side that sent the SYN). */
function tsharkFrames(file: string): Frame[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.hdr_len', '-e', 'tcp.len', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack'], { encoding: 'utf8' });
  const rows = out.trim().split('\n').map((l) => l.split(',').map((x) => Number(x === 'True' ? 1 : x === 'False' ? 0 : x)));
  const clientOf = new Map<number, number>();
  for (const [, stream, src, , , , syn, ack] of rows) if (syn === 1 && ack === 0 && stream !== undefined && src !== undefined) clientOf.set(stream, src);
  return rows.map(([number, stream, src, , hdr, len]) => {
    const client = clientOf.get(stream ?? -1) ?? 0;
    return { number: number ?? 0, stream: stream ?? 0, clientPort: client, outbound: src === client, bytes: (hdr ?? 0) + (len ?? 0), payload: len ?? 0 };
  });
}

/** A packet's name: its flow and per-flow sequence (a context value is unique only while the packet is in flight). */
const key = (f: PacketFate): string => `${f.flowId}:${f.seq}`;

interface Replay {
  readonly fates: PacketFate[];
  readonly events: TaggingEvent[];
  readonly summary: SessionSummary;
  /** Frame number of each fate, by {@link key}. */
  readonly frameOf: Map<string, number>;
}

/**
 * Replays the capture through a session and names the frame of each fate record. `events`:
 * the session's events() are read (and folded into fates with a PacketFateTracker, as the
 * session does); `packets`: the session's own fate records, from packets().
 */
async function replay(lifecycle: PacketLifecycleOptions, read: 'events' | 'packets'): Promise<Replay> {
  const session = await TaggingSession.start({ app: CURL });
  const events: TaggingEvent[] = [];
  const fates: PacketFate[] = [];
  const reading =
    read === 'events'
      ? (async () => {
          for await (const e of session.events()) events.push(e);
        })()
      : (async () => {
          for await (const f of session.packets()) fates.push(f);
        })();
  runCapture(FIXTURE, { apps: [{ processId: 7312, path: session.appPath }], lifecycle });
  const summary = await session.stop();
  await reading;
  // after stop, the snapshot lists the session's ended flows (the last RECENT_FLOWS of them)
  const flowsSeen = session.snapshot().flows;
  if (read === 'events') {
    const tracker = new PacketFateTracker({ discardReports: true, onFate: (f) => fates.push(f) });
    for (const e of events) tracker.push(e.record);
    tracker.flush();
  }

  const frames = tsharkFrames(FIXTURE);
  const frameOf = new Map<string, number>();
  const clientPortOfFlow = new Map<bigint, number>();
  for (const f of flowsSeen) clientPortOfFlow.set(f.flowId, f.endpoints.local.port);
  const byFlow = new Map<bigint, PacketFate[]>();
  for (const f of fates) byFlow.set(f.flowId, [...(byFlow.get(f.flowId) ?? []), f]);
  for (const [flowId, list] of byFlow) {
    list.sort((a, b) => a.seq - b.seq);
    const stream = frames.filter((fr) => fr.clientPort === clientPortOfFlow.get(flowId));
    const fits = (k: number): boolean => list.every((p, i) => stream[k + i] !== undefined && stream[k + i]?.outbound === (p.direction === 'outbound') && stream[k + i]?.bytes === p.bytes);
    let k = 0;
    while (k + list.length <= stream.length && !fits(k)) k++;
    if (k + list.length > stream.length) {
      throw new Error(`flow ${flowId}: tagged packets ${JSON.stringify(list.map((p) => [p.direction, p.bytes]))} do not line up with the stream's frames ${JSON.stringify(stream.map((f) => [f.number, f.outbound, f.bytes]))}`);
    }
    list.forEach((p, i) => frameOf.set(key(p), stream[k + i]?.number ?? 0));
  }
  return { fates, events, summary, frameOf };
}

beforeAll(async () => {
  kernel.loadDriver();
  await TaggingSession.installCallouts({ backend: 'sim' });
});

afterAll(async () => {
  await TaggingSession.removeCallouts({ backend: 'sim' });
  await defaultTransport({ backend: 'sim' }).dispose();
  expect(kernel.unloadDriver()).toBe('unloaded');
  expect({ pool: kernel.poolOutstanding(), handles: kernel.openHandles(), violations: kernel.kernelViolations() }).toEqual({ pool: 0, handles: 0, violations: 0 });
});

test('loopback.pcap with a scripted drop of four segments (three outbound, one inbound): exactly those are dropped, the rest sent/delivered with model latencies, produced = delivered + dropped', async () => {
  const frames = tsharkFrames(FIXTURE);
  // The scripted drops: the first data segment of each of the three streams from the client
  // (outbound: the HTTP GETs and the TLS ClientHello), and the first one of the first stream
  // from the server (inbound: the HTTP response).
  const firstData = (stream: number, outbound: boolean): number => {
    const f = frames.find((x) => x.stream === stream && x.outbound === outbound && x.payload > 0);
    if (f === undefined) throw new Error(`no data frame in stream ${stream}`);
    return f.number;
  };
  const drop = [firstData(0, true), firstData(0, false), firstData(1, true), firstData(2, true)].sort((a, b) => a - b);
  expect(drop).toEqual([4, 6, 17, 30]);

  const run = await replay({ seed: 7, dropFrames: drop }, 'events');
  const { fates, summary, frameOf } = run;
  expect(fates.length).toBeGreaterThan(30);
  expect(fates.length).toBe(summary.totals.packetsTagged);
  // every tagged packet got exactly one fate, each one a distinct frame
  expect(new Set(fates.map((f) => frameOf.get(key(f)))).size).toBe(fates.length);

  const dropped = fates.filter((f) => f.verdict === 'dropped').map((f) => frameOf.get(key(f))).sort((a, b) => (a ?? 0) - (b ?? 0));
  expect(dropped).toEqual(drop);
  for (const f of fates) {
    const frame = frameOf.get(key(f)) ?? 0;
    if (drop.includes(frame)) {
      expect({ frame, exitedAt: f.exitedAt, discarded: f.discardedAt !== undefined }).toEqual({ frame, exitedAt: undefined, discarded: true });
      continue;
    }
    expect({ frame, verdict: f.verdict }).toEqual({ frame, verdict: f.direction === 'outbound' ? 'sent' : 'delivered' });
    expect(f.removedAt).toBeDefined();
    expect((f.removedAt ?? 0n) > f.taggedAt).toBe(true);
    if (f.direction === 'outbound') {
      expect(f.exitedAt).toBeDefined();
      expect((f.exitedAt ?? 0n) > f.taggedAt).toBe(true);
      expect((f.removedAt ?? 0n) >= (f.exitedAt ?? 0n)).toBe(true);
    }
    expect(f.inStackLatencyUs).toBeGreaterThan(0);
  }

  // The event counters: nothing lost, every record produced was delivered.
  const c = summary.counters;
  if (c === undefined) throw new Error('no counters in the summary');
  expect(c.session.eventsDropped).toBe(0n);
  expect(c.session.recordsInRing).toBe(0);
  expect(c.session.eventsProduced).toBe(c.session.eventsDelivered + c.session.eventsDropped);
  expect(BigInt(run.events.length)).toBe(c.session.eventsDelivered);
  expect(BigInt(summary.totals.packetsTagged)).toBe(c.session.packetsTagged);
  expect(BigInt(summary.totals.notifyEvents)).toBe(c.session.notifyEvents);
  expect(summary.totals.dropped).toBe(drop.length);
  expect(summary.loss).toEqual({ ringRecordsLost: 0, packetsUntagged: 0 });
  // the driver's per-flow totals agree
  const flowDrops = run.events.flatMap((e) => (e.type === 'flow-deleted' ? [Number(e.record.packetsDropped)] : []));
  expect(flowDrops.reduce((a, b) => a + b, 0)).toBe(drop.length);
  expect(run.events.filter((e) => e.type === 'packet-discarded').map((e) => (e.type === 'packet-discarded' ? e.record.direction : -1)).sort()).toEqual(
    drop.map((n) => (frames.find((f) => f.number === n)?.outbound === true ? Direction.OUTBOUND : Direction.INBOUND)).sort(),
  );
});

test('the latencies are the model\'s: the same seed gives the same times, longer modelled delays give longer latencies', async () => {
  const lat = (r: Replay, dir: 'outbound' | 'inbound'): number[] =>
    r.fates
      .filter((f) => f.direction === dir && f.verdict !== 'dropped')
      .sort((a, b) => (r.frameOf.get(key(a)) ?? 0) - (r.frameOf.get(key(b)) ?? 0))
      .map((f) => f.inStackLatencyUs ?? -1);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
  const a = await replay({ seed: 11 }, 'packets');
  const b = await replay({ seed: 11 }, 'packets');
  expect(lat(a, 'outbound')).toEqual(lat(b, 'outbound'));
  expect(lat(a, 'inbound')).toEqual(lat(b, 'inbound'));
  const slow = await replay({ seed: 11, latency: { stackUs: 2000, deliverUs: 3000 } }, 'packets');
  expect(median(lat(slow, 'outbound'))).toBeGreaterThan(10 * median(lat(a, 'outbound')));
  expect(median(lat(slow, 'inbound'))).toBeGreaterThan(10 * median(lat(a, 'inbound')));
  expect(slow.fates.every((f) => f.verdict === 'sent' || f.verdict === 'delivered')).toBe(true);
});
