/*
 * Offline replays are lossless: with the simulator's `lossless` run option the run waits while a
 * running session's ring is more than half full (the driver's ring-pressure probe), so a reader
 * on the smallest ring the driver accepts (64 KiB) gets every record however slowly it reads;
 * without it the same ring loses records when nobody reads during the run. Then the same through
 * the spawned bin: `replay --ring-size 64K` gives the answer of the default 16 MiB ring.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { defaultTransport } from '@wfpkit/ioctl-client';
import { cancelRun, runCaptureAsync, simulatorKernel } from '@wfpkit/simulator';
import type { RunStats } from '@wfpkit/simulator';
import { TaggingSession } from '@wfpkit/tagging';
import type { SessionSummary } from '@wfpkit/tagging';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeCapture } = require('../bench/make-capture.js') as { makeCapture: (file: string, minBytes: number, seed?: number) => void };

const APP = 'C:\\Program Files\\Lossless\\app.exe';
const MIN_RING = 64 * 1024;
const bin = path.resolve(__dirname, '..', 'bin', 'monitor-cli.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-cli-lossless-'));
const capture = path.join(dir, 'flows.pcap');
const kernel = simulatorKernel();

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Packets in a classic pcap (16-byte record headers). */
function pcapPackets(file: string): number {
  const b = fs.readFileSync(file);
  let n = 0;
  for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) n++;
  return n;
}

async function start(ringSize: number): Promise<TaggingSession> {
  return TaggingSession.start({ app: APP, backend: 'sim', ringSize });
}

/** Runs the capture for the session's app; `read` runs meanwhile; returns the run's stats and the session's summary. */
async function replay(session: TaggingSession, lossless: boolean, read: () => Promise<void>): Promise<{ stats: RunStats; summary: SessionSummary }> {
  const run = runCaptureAsync(capture, { apps: [{ processId: 4242, path: session.appPath }], lossless });
  const reading = read();
  const stats = await run;
  const summary = await session.stop();
  await reading;
  return { stats, summary };
}

/** Reads every flow record of the session, pausing now and then (a slow reader). */
async function slowReader(session: TaggingSession, flows: string[]): Promise<void> {
  let n = 0;
  for await (const ev of session.events({ types: [], packets: true, flows: true })) {
    if (ev.type === 'flow-record') flows.push(`${ev.flow.flowId}`);
    if (++n % 200 === 0) await tick(2);
  }
}

beforeAll(async () => {
  makeCapture(capture, 2 * 1024 * 1024, 5);
  kernel.loadDriver();
  await TaggingSession.installCallouts({ backend: 'sim' });
});

afterAll(async () => {
  await TaggingSession.removeCallouts({ backend: 'sim' });
  await defaultTransport({ backend: 'sim' }).dispose();
  kernel.unloadDriver();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('lossless offline replay (simulator back-pressure)', () => {
  it('without it, a 64 KiB ring nobody reads during the run loses records', async () => {
    const session = await start(MIN_RING);
    const { stats, summary } = await replay(session, false, () => Promise.resolve());
    expect(stats.cancelled).toBe(false);
    expect(stats.inputPackets).toBe(pcapPackets(capture));
    expect(summary.loss.ringRecordsLost).toBeGreaterThan(0);
  });

  it('with it, a slow reader on a 64 KiB ring gets every record: the same flows, fates and records as a 16 MiB ring', async () => {
    const bigFlows: string[] = [];
    const big = await start(16 * 1024 * 1024);
    const reference = await replay(big, true, () => slowReader(big, bigFlows));
    expect(reference.summary.loss.ringRecordsLost).toBe(0);

    const smallFlows: string[] = [];
    const small = await start(MIN_RING);
    const { stats, summary } = await replay(small, true, () => slowReader(small, smallFlows));
    expect(stats.inputPackets).toBe(pcapPackets(capture));
    expect(summary.loss).toEqual({ ringRecordsLost: 0, packetsUntagged: 0 });
    expect(summary.counters?.session.eventsDropped).toBe(0n);
    expect(summary.counters?.session.ringHighWater).toBeLessThanOrEqual(MIN_RING);
    expect(summary.totals.flows).toBe(stats.flows);
    expect(smallFlows).toHaveLength(stats.flows);
    expect(summary.totals.records).toBe(reference.summary.totals.records);
    expect(summary.totals.packetsTagged).toBe(reference.summary.totals.packetsTagged);
    expect(summary.totals.unknown).toBe(0);
    expect(summary.flowsByProtocol).toEqual(reference.summary.flowsByProtocol);
    expect(smallFlows.length).toBe(bigFlows.length);
  });

  it('with it, a run nobody reads waits at a half-full ring (nothing produced, nothing lost) until cancelRun ends it', async () => {
    const session = await start(MIN_RING);
    let settled = false;
    const run = runCaptureAsync(capture, { apps: [{ processId: 4242, path: session.appPath }], lossless: true }).finally(() => {
      settled = true;
    });
    let c = await session.counters();
    while (c.session.ringUsed * 2 <= MIN_RING && !settled) {
      await tick(5);
      c = await session.counters();
    }
    expect(settled).toBe(false);
    // held: a few more looks find the run where it was
    for (let i = 0; i < 10; i++) {
      await tick(10);
      const again = await session.counters();
      expect(again.session.eventsProduced).toBe(c.session.eventsProduced);
      expect(again.session.eventsDropped).toBe(0n);
    }
    expect(settled).toBe(false);
    cancelRun();
    const stats = await run;
    expect(stats.cancelled).toBe(true);
    expect(stats.inputPackets).toBeLessThan(pcapPackets(capture));
    await session.stop();
  });
});

describe('monitor-cli replay --ring-size (spawned bin)', () => {
  const env = { ...process.env, WFPKIT_BACKEND: 'sim', WFPSIM_STATE_FILE: path.join(dir, 'state.bin') };
  const summaryOf = (args: string[]): Record<string, unknown> => {
    const r = childProcess.spawnSync(process.execPath, [bin, '--format', 'jsonl', 'replay', capture, ...args], { encoding: 'utf8', env, timeout: 120_000 });
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // jsonl: the summary is one line
    return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  };

  it('answers the same on the smallest ring as on the default one, losing nothing', () => {
    const small = summaryOf(['--ring-size', '64K']);
    const big = summaryOf([]);
    expect(small['loss']).toEqual({ ringRecordsLost: 0, packetsUntagged: 0 });
    expect(small['ringHighWater']).toBeLessThanOrEqual(MIN_RING);
    for (const k of ['flows', 'flowsByProtocol', 'records', 'packetsTagged', 'verdicts', 'bytesIn', 'bytesOut']) expect(small[k]).toEqual(big[k]);
  });

  it('rejects a ring size the driver does not take, with the range', () => {
    const r = childProcess.spawnSync(process.execPath, [bin, 'replay', capture, '--ring-size', '1000'], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ring-size must be a multiple of 8 bytes from 64K to 64M/);
  });

  it('--no-tag replays flows and streams only: the same flows and SNI/Host protocols, nothing tagged', () => {
    const tagged = summaryOf([]);
    const untagged = summaryOf(['--no-tag']);
    expect(untagged['packetsTagged']).toBe(0);
    expect(untagged['flows']).toBe(tagged['flows']);
    expect(untagged['flowsByProtocol']).toEqual(tagged['flowsByProtocol']);
    expect(untagged['bytesIn']).toBe(tagged['bytesIn']);
    expect(untagged['loss']).toEqual({ ringRecordsLost: 0, packetsUntagged: 0 });
  });
});
