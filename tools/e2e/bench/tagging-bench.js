// `npm run bench:tagging -w @wfpkit/e2e` (also the last part of `npm run bench -w @wfpkit/e2e`):
// packet tagging through simulator -> driver -> ring -> TaggingSession fate records, pinned to
// one core (taskset -c 0: the simulator's run thread and the JS thread share it).
//   (a) sustained tagged packets/s end to end with a consumer that keeps up (zero loss asserted),
//       per wall second and per CPU second of the process (the honest per-core figure when other
//       processes share core 0); (a2) the same with a cheap source: few long flows
//   (b) ring -> fate records alone: a pre-filled ring drained through packets()
//   (c) memory per in-flight packet (fate tracker heap, driver ledger entry, simulator model)
//   (d) the loss point: traffic at rising paced rates and as fast as the model runs, two ring
//       sizes, a consumer reading packets(): where the ring starts to drop
// Uses the built packages (dist): the npm script builds them first.
/* global __filename, setImmediate */
'use strict';
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

if (!process.env.WFPKIT_BENCH_PINNED && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0) {
  const r = spawnSync('taskset', ['-c', '0', process.execPath, '--expose-gc', __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, WFPKIT_BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

const { Direction, EventType, defaultTransport } = require('@wfpkit/ioctl-client');
const sim = require('@wfpkit/simulator');
const { PacketFateTracker, TaggingSession } = require('@wfpkit/tagging');

const RUNS = Number(process.env.WFPKIT_BENCH_RUNS ?? 3);
const FLOWS = Number(process.env.WFPKIT_BENCH_TAG_FLOWS ?? 2000);
const APP = 'C:\\Program Files\\wfpkit-bench\\bench.exe';
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Synthetic HTTP/1.1 flows with 20-60 kB responses: many data segments per flow. */
function workload(appPath, extra = {}) {
  return { seed: 5, flows: FLOWS, protocols: ['http1'], minBytes: 20000, maxBytes: 60000, apps: [{ processId: 4242, path: appPath }], ...extra };
}

async function withSession(options, fn) {
  const session = await TaggingSession.start({ app: APP, backend: 'sim', inspect: false, reportDiscards: false, ...options });
  try {
    return await fn(session);
  } finally {
    await session.stop();
  }
}

/** CPU seconds (user + system, every thread of the process: the simulator's run thread and the JS thread) since `since`. */
function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/**
 * The cheap source of (a2): few long HTTP/1.1 flows (2 MB responses), so that the generator's
 * per-flow work (handshakes, classify of new flows, FLOW_* records) is small next to the packets.
 */
const LONG_FLOWS = { flows: 48, minBytes: 2000000, maxBytes: 2000000 };

// ---- (a) end to end, consumer keeping up ----------------------------------------------------
async function endToEnd(extra = {}) {
  return withSession({ ringSize: 64 * 1024 * 1024 }, async (session) => {
    let known = 0;
    const reading = (async () => {
      for await (const f of session.packets()) if (f.verdict !== 'unknown') known++;
    })();
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const stats = await sim.runSyntheticAsync(workload(session.appPath, extra));
    const summary = await session.stop();
    await reading;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(c0);
    const c = summary.counters.session;
    if (c.eventsDropped !== 0n || summary.loss.packetsUntagged !== 0) {
      throw new Error(`loss in the end-to-end run: ${c.eventsDropped} records dropped, ${summary.loss.packetsUntagged} packets untagged`);
    }
    if (known !== summary.totals.packetsTagged) throw new Error(`${known} decided fates for ${summary.totals.packetsTagged} tagged packets`);
    return { packets: summary.totals.packetsTagged, records: Number(c.eventsDelivered), seconds, cpu, inputPackets: stats.inputPackets, maxInFlight: stats.maxNblsInFlight };
  });
}

// ---- (b) ring -> fates only ----------------------------------------------------------------
async function ringToFates() {
  return withSession({ ringSize: 64 * 1024 * 1024 }, async (session) => {
    // fill the ring first, with no reader (as many flows as fit a 64 MiB ring)
    sim.runSynthetic(workload(session.appPath, { flows: Math.min(FLOWS, 6000) }));
    const before = await session.counters();
    if (before.session.eventsDropped !== 0n) throw new Error('the ring overflowed while filling it');
    let fates = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const it = session.packets()[Symbol.asyncIterator]();
    // everything is in the ring: stop() drains it into the iterator
    const stopping = new Promise((resolve) => setImmediate(resolve)).then(() => session.stop());
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      fates++;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(c0);
    const summary = await stopping;
    return { packets: fates, records: Number(summary.counters.session.eventsDelivered), seconds, cpu };
  });
}

// ---- (c) memory per in-flight packet -----------------------------------------------------
function memoryPerPacket() {
  const N = 200000;
  global.gc?.();
  const tracker = new PacketFateTracker({ maxInFlight: N + 1 });
  const base = process.memoryUsage().heapUsed;
  const t = 133484544000000000n;
  for (let i = 0; i < N; i++) {
    tracker.push({
      kind: 'PACKET_TAGGED',
      header: { type: EventType.PACKET_TAGGED, flags: 0, size: 48, flowId: BigInt(i >> 6), timestamp: t + BigInt(i) },
      context: BigInt(i + 1) * 7919n,
      packetLength: 1460,
      sequence: i & 63,
      layerId: 16,
      direction: Direction.OUTBOUND,
      ipVersion: 4,
      snap: new Uint8Array(0),
    });
  }
  global.gc?.();
  const used = process.memoryUsage().heapUsed - base;
  if (tracker.inFlight !== N) throw new Error('the tracker lost packets');
  let model;
  try {
    model = require('koffi').load(sim.nativeLibraryPath()).func('uint32_t WfpsimLifecycleBytesPerNbl(void)')();
  } catch {
    model = undefined;
  }
  return { tsBytes: used / N, gc: typeof global.gc === 'function', model };
}

// ---- (d) loss point -------------------------------------------------------------------------
/** Synthetic traffic for 2 s, paced at `pps` input frames/s (0 = as fast as the model runs). */
async function lossAt(pps, ringSize) {
  return withSession({ ringSize }, async (session) => {
    const reading = (async () => {
      for await (const f of session.packets()) void f;
    })();
    const t0 = process.hrtime.bigint();
    const stats = await sim.runSyntheticAsync(workload(session.appPath, { flows: 1000000, durationMs: 2000, ...(pps > 0 ? { packetsPerSecond: pps } : {}) }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const summary = await session.stop();
    await reading;
    const c = summary.counters.session;
    return { achieved: stats.inputPackets / seconds, tagged: summary.totals.packetsTagged, dropped: Number(c.eventsDropped), produced: Number(c.eventsProduced), highWater: c.ringHighWater };
  });
}

async function main() {
  console.log(`command: ${process.env.WFPKIT_BENCH_PINNED ? 'taskset -c 0 ' : ''}node --expose-gc ${path.relative(process.cwd(), __filename)}   (npm run bench:tagging -w @wfpkit/e2e; ${RUNS} runs after a warm-up round, median)`);
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`);
  sim.loadDriver();
  await TaggingSession.installCallouts({ backend: 'sim' });
  try {
    const a = [];
    const a2 = [];
    const b = [];
    // one warm-up round, not counted: the first run of each pays for V8 compiling the hot paths
    await endToEnd();
    await endToEnd(LONG_FLOWS);
    await ringToFates();
    for (let i = 0; i < RUNS; i++) {
      a.push(await endToEnd());
      a2.push(await endToEnd(LONG_FLOWS));
      b.push(await ringToFates());
    }
    const perCpu = (rs) => fmt(median(rs.map((r) => r.packets / r.cpu)));
    console.log(`\n(a) end to end, synthetic HTTP/1.1 (${fmt(FLOWS)} flows, seed 5), 64 MiB ring, consumer reading packets():`);
    console.log(
      `  ${fmt(median(a.map((r) => r.packets / r.seconds)))} tagged packets/s, ${fmt(median(a.map((r) => r.records / r.seconds)))} records/s ` +
        `(median; ${fmt(a[0].packets)} packets, ${fmt(a[0].records)} records, ${fmt(a[0].inputPackets)} input frames per run; zero records lost, zero untagged; at most ${fmt(a[0].maxInFlight)} NBLs in flight in the model)`,
    );
    console.log(`  per CPU second of the process (user + system, both threads): ${perCpu(a)} tagged packets`);
    console.log(`(a2) end to end, cheap source: ${LONG_FLOWS.flows} long HTTP/1.1 flows of ${fmt(LONG_FLOWS.maxBytes)} B (seed 5), otherwise as (a):`);
    console.log(
      `  ${fmt(median(a2.map((r) => r.packets / r.seconds)))} tagged packets/s, ${fmt(median(a2.map((r) => r.records / r.seconds)))} records/s; ` +
        `${perCpu(a2)} tagged packets per CPU second (median; ${fmt(a2[0].packets)} packets, ${fmt(a2[0].records)} records per run; zero lost, zero untagged)`,
    );
    console.log('(b) ring -> fate records alone (a pre-filled 64 MiB ring drained through packets()):');
    console.log(
      `  ${fmt(median(b.map((r) => r.packets / r.seconds)))} packets/s, ${fmt(median(b.map((r) => r.records / r.seconds)))} records/s; ${perCpu(b)} packets per CPU second (median; ${fmt(b[0].packets)} packets per run)`,
    );

    const m = memoryPerPacket();
    console.log(
      `(c) memory per in-flight packet: TS fate tracker ${fmt(m.tsBytes)} B (heap growth over 200,000 packets${m.gc ? ', after gc' : ''}); ` +
        `driver ledger entry 40 B${m.model !== undefined ? `; simulator lifecycle model ${fmt(m.model)} B besides the packet's bytes` : ''}`,
    );

    console.log('(d) loss point: synthetic traffic for 2 s per step, paced (frames/s asked) or as fast as the model runs (max), consumer reading packets():');
    for (const ringSize of [64 * 1024, 1024 * 1024]) {
      for (const pps of [25000, 50000, 100000, 0]) {
        const r = await lossAt(pps, ringSize);
        console.log(
          `  ring ${fmt(ringSize / 1024)} KiB, ${pps > 0 ? `asked ${fmt(pps)}` : 'max'} frames/s -> achieved ${fmt(r.achieved)} frames/s: ` +
            `${fmt(r.tagged)} tagged, ${fmt(r.dropped)} of ${fmt(r.produced)} records dropped, ring high water ${fmt(r.highWater / 1024)} KiB`,
        );
      }
    }
  } finally {
    await TaggingSession.removeCallouts({ backend: 'sim' });
    await defaultTransport({ backend: 'sim' }).dispose();
    sim.unloadDriver();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
