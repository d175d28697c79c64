/*
 * `npm run bench -w @wfpkit/e2e`: (a) events per second from the driver's ring through
 * DeviceIoControl to decoded records, 256 KiB batches versus one record per call; (b) flows
 * classified per second replaying a large capture, next to tshark on the same file, with the same
 * answers. Pinned to one core with `taskset -c 0` when it exists; medians of RUNS runs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Engine } from '@wfpkit/fwpm-bindings';
import { ConfigFlags, MAX_RING_BYTES, defaultTransport } from '@wfpkit/ioctl-client';
import { loadDriver, runCapture, runSynthetic, unloadDriver } from '@wfpkit/simulator';

import { collectFlows } from './flows';
import { writeRepeatedCapture } from './repeat-capture';
import { closeMonitorSession, openMonitorSession } from './session';
import { drainEvents, installWfpkitObjects, removeWfpkitObjects } from './wfpkit';

const RUNS = Number(process.env.WFPKIT_BENCH_RUNS ?? 5);
const CAPTURE_MB = Number(process.env.WFPKIT_BENCH_CAPTURE_MB ?? 200);
const FIXTURE = path.resolve(__dirname, '../../../packages/simulator/test/fixtures/loopback.pcap');
const APP = 'C:\\Program Files\\wfpkit-bench\\bench.exe';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Runs `fn` with the driver loaded and wfpkit's objects installed; leaves nothing behind. */
async function withDriver<T>(fn: () => Promise<T>): Promise<T> {
  loadDriver();
  const installer = Engine.open({ name: 'wfpkit bench installer' });
  try {
    await installWfpkitObjects(installer);
    try {
      return await fn();
    } finally {
      await removeWfpkitObjects(installer);
    }
  } finally {
    installer.close();
    await defaultTransport({ backend: 'sim' }).dispose();
    unloadDriver();
  }
}

// ---- (a) events per second -------------------------------------------------------------------
interface EventsResult {
  readonly records: number;
  readonly seconds: number;
}

/** Fills a 64 MiB ring with STREAM_DATA records (synthetic flows), then reads `limit` of them. */
async function eventsRun(mode: 'batched' | 'single', limit: number): Promise<EventsResult> {
  return withDriver(async () => {
    const s = await openMonitorSession({
      apps: [APP],
      config: { flags: ConfigFlags.INSPECT_STREAMS | ConfigFlags.STREAM_EVENTS, ringBytes: MAX_RING_BYTES, snapLen: 0 },
    });
    try {
      runSynthetic({ seed: 7, flows: 6000, protocols: ['tls', 'http1'], minBytes: 150000, maxBytes: 250000, apps: [{ processId: 1, path: s.appPaths[0] ?? '' }], transportClassifies: false });
      const c = await s.device.counters();
      if (c.session.eventsDropped !== 0n) throw new Error(`the ring dropped ${c.session.eventsDropped} records: use fewer flows`);
      let records = 0;
      const t0 = process.hrtime.bigint();
      if (mode === 'batched') {
        for (;;) {
          const b = await s.device.readEvents({ timeoutMs: 0, bufferSize: 256 * 1024 });
          records += b.records.length;
          if (b.records.length === 0 || records >= limit) break;
        }
      } else {
        while (records < limit) {
          const b = await s.device.readEvents({ timeoutMs: 0, maxRecords: 1, bufferSize: 4096 });
          if (b.records.length === 0) break;
          records += b.records.length;
        }
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return { records, seconds };
    } finally {
      await closeMonitorSession(s);
    }
  });
}

// ---- (b) flows classified per second, next to tshark -----------------------------------------
interface ClassifyResult {
  readonly seconds: number;
  /** Wall time of the whole process (start-up, driver load, replay, reads, teardown). */
  readonly processSeconds: number;
  readonly maxRssKiB: number;
  /** Flows with an SNI or a Host. */
  readonly classified: number;
  /** The answers: "sni\tX" / "host\tY" lines, sorted. */
  readonly answers: string[];
}

/** Our side, in this (fresh) process: replay + read + decode + fold into flows. */
async function classifyChild(file: string): Promise<void> {
  const result = await withDriver(async () => {
    const s = await openMonitorSession({ apps: [APP], config: { flags: ConfigFlags.INSPECT_STREAMS, ringBytes: MAX_RING_BYTES } });
    try {
      const t0 = process.hrtime.bigint();
      runCapture(file, { apps: [{ processId: 1, path: s.appPaths[0] ?? '' }], transportClassifies: false });
      const collected = collectFlows(await drainEvents(s.device));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = await s.device.counters();
      if (c.session.eventsDropped !== 0n || collected.losses) throw new Error(`the ring dropped ${c.session.eventsDropped} records`);
      const answers: string[] = [];
      let classified = 0;
      for (const f of collected.flows.values()) {
        if (f.sni.length + f.host.length > 0) classified++;
        for (const v of f.sni) answers.push(`sni\t${v}`);
        for (const v of f.host) answers.push(`host\t${v}`);
      }
      return { seconds, classified, answers: answers.sort() };
    } finally {
      await closeMonitorSession(s);
    }
  });
  const out: ClassifyResult = { ...result, processSeconds: 0, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(out));
}

function classifyOurs(file: string): ClassifyResult {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [__filename, '--classify-child', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const processSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`our classify run failed: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as ClassifyResult), processSeconds };
}

/**
 * The tshark side. `-d` names what the source capture's server ports speak: 18081 is no port tshark
 * knows, and with a client port that some dissector claims (e.g. 20000, DNP 3) it would not try HTTP.
 */
const TSHARK_ARGS = (file: string): string[] => [
  '-r', file, '-d', 'tcp.port==18080,http', '-d', 'tcp.port==18081,http', '-d', 'tcp.port==18443,tls',
  '-T', 'fields', '-e', 'tls.handshake.extensions_server_name', '-e', 'http.host',
];

function classifyTshark(file: string): ClassifyResult {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'tshark', ...TSHARK_ARGS(file)], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const rssLine = r.stderr.trim().split('\n').pop() ?? '';
  const answers: string[] = [];
  let classified = 0;
  for (const line of r.stdout.split('\n')) {
    const [sni, host] = line.split('\t');
    if (!sni && !host) continue;
    classified++;
    for (const v of (sni ?? '').split(',')) if (v) answers.push(`sni\t${v}`);
    for (const v of (host ?? '').split(',')) if (v) answers.push(`host\t${v}`);
  }
  return { seconds, processSeconds: seconds, maxRssKiB: Number(rssLine), classified, answers: answers.sort() };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--classify-child') {
    await classifyChild(process.argv[3] ?? '');
    return;
  }
  // One core: re-run under taskset when it exists and we are not pinned yet.
  if (!process.env.WFPKIT_BENCH_PINNED && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0) {
    const r = spawnSync('taskset', ['-c', '0', process.execPath, __filename, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, WFPKIT_BENCH_PINNED: '1' } });
    process.exit(r.status ?? 1);
  }
  const pinned = process.env.WFPKIT_BENCH_PINNED ? 'taskset -c 0 ' : '';
  console.log(`command: ${pinned}node ${path.relative(process.cwd(), __filename)}   (npm run bench -w @wfpkit/e2e; ${RUNS} runs, median)`);
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

  // (a)
  const batched: EventsResult[] = [];
  const single: EventsResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    batched.push(await eventsRun('batched', Infinity));
    single.push(await eventsRun('single', 100000));
  }
  const rate = (rs: EventsResult[]): number => median(rs.map((r) => r.records / r.seconds));
  console.log('\n(a) events from the ring to decoded records (STREAM_DATA, 64 MiB ring, synthetic TLS/HTTP flows)');
  console.log(`  batched, 256 KiB reads : ${fmt(rate(batched))} events/s (median; ${fmt(median(batched.map((r) => r.records)))} records per run)`);
  console.log(`  one record per call    : ${fmt(rate(single))} events/s (median; ${fmt(median(single.map((r) => r.records)))} records per run)`);

  // (b)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-bench-'));
  try {
    const cap = writeRepeatedCapture(FIXTURE, path.join(dir, 'large.pcap'), CAPTURE_MB * 1e6);
    console.log(`\n(b) flows classified, ${path.basename(FIXTURE)} repeated ${fmt(cap.repetitions)} times: ${fmt(cap.bytes / 1e6, 1)} MB, ${fmt(cap.packets)} packets`);
    const ours: ClassifyResult[] = [];
    const theirs: ClassifyResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(classifyOurs(cap.file));
      theirs.push(classifyTshark(cap.file));
    }
    const a = ours[0];
    const b = theirs[0];
    if (!a || !b) throw new Error('no runs');
    const same = a.answers.length === b.answers.length && a.answers.every((v, i) => v === b.answers[i]);
    console.log(`  answers identical: ${same} (${fmt(a.answers.length)} SNI/Host values from ${fmt(a.classified)} flows; tshark: ${fmt(b.answers.length)} values)`);
    if (!same) {
      const diff = a.answers.findIndex((v, i) => v !== b.answers[i]);
      throw new Error(`the answers differ at sorted position ${diff}: wfpkit "${a.answers[diff] ?? ''}", tshark "${b.answers[diff] ?? ''}"`);
    }
    const ws = median(ours.map((r) => r.seconds));
    const wp = median(ours.map((r) => r.processSeconds));
    const ts = median(theirs.map((r) => r.seconds));
    console.log(`  wfpkit (replay in the simulator + driver + device reads + decode): ${fmt(ws, 2)} s wall (${fmt(wp, 2)} s for the whole process), ${fmt(a.classified / ws)} flows/s, peak RSS ${fmt(median(ours.map((r) => r.maxRssKiB)) / 1024)} MiB`);
    console.log(`  tshark ${TSHARK_ARGS('FILE').join(' ')}: ${fmt(ts, 2)} s wall, ${fmt(b.classified / ts)} flows/s, peak RSS ${fmt(median(theirs.map((r) => r.maxRssKiB)) / 1024)} MiB`);
    console.log(`  speed-up: ${fmt(ts / ws, 1)}x (whole process: ${fmt(ts / wp, 1)}x)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
