// TaggingSession against the simulator: what it installs and removes, its errors, its reader
// (flows, loss, abort), two sessions side by side, and an abrupt end of its engine session.
import * as path from 'node:path';

import { Engine } from '@wfpkit/fwpm-bindings';
import type { Pointer } from '@wfpkit/fwpm-bindings';
import { DriverNotLoadedError, FeatureFlags, GUIDS, NblEventType, NotifyFlags, defaultTransport } from '@wfpkit/ioctl-client';
import { runCapture, runSynthetic, simulatorKernel } from '@wfpkit/simulator';

import { CalloutsNotInstalledError, InvalidOptionError, NotElevatedError, SessionStateError, TaggingSession, UnknownAppError, WFPKIT_CALLOUTS, wfpkitObjects } from '../src';
import type { FlowRecord, PacketFate, SessionEvent, TaggingEvent } from '../src';

const FIXTURE = path.resolve(__dirname, '../../simulator/test/fixtures/loopback.pcap');
const CURL = 'C:\\Windows\\System32\\curl.exe';
const OPENSSL = 'C:\\Program Files\\OpenSSL\\bin\\openssl.exe';
const kernel = simulatorKernel();

async function objectCounts(): Promise<{
  providers: number;
  sublayers: number;
  callouts: number;
  filters: number;
}> {
  const engine = Engine.open({ name: 'tagging test observer' });
  try {
    const o = await wfpkitObjects(engine);
    return {
      providers: o.providers.length,
      sublayers: o.sublayers.length,
      callouts: o.callouts.length,
      filters: o.filters.length,
    };
  } finally {
    engine.close();
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function signalListeners(): number[] {
  return [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'), process.listenerCount('exit')];
}

beforeAll(() => {
  kernel.loadDriver();
});

afterAll(async () => {
  await TaggingSession.removeCallouts();
  await defaultTransport({ backend: 'sim' }).dispose();
  kernel.unloadDriver();
  expect({
    pool: kernel.poolOutstanding(),
    handles: kernel.openHandles(),
    violations: kernel.kernelViolations(),
  }).toEqual({ pool: 0, handles: 0, violations: 0 });
});

describe('installCallouts / removeCallouts', () => {
  test('install adds provider, sublayer and every callout once; remove leaves zero wfpkit objects; both idempotent', async () => {
    expect(await TaggingSession.calloutsInstalled()).toBe(false);
    expect(await TaggingSession.installCallouts()).toEqual({
      added: 2 + WFPKIT_CALLOUTS.length,
    });
    expect(await TaggingSession.calloutsInstalled()).toBe(true);
    expect(await objectCounts()).toEqual({
      providers: 1,
      sublayers: 1,
      callouts: WFPKIT_CALLOUTS.length,
      filters: 0,
    });
    expect(await TaggingSession.installCallouts()).toEqual({ added: 0 });

    // a running session's filters are wfpkit objects too: removal takes them out first
    const s = await TaggingSession.start({ app: CURL });
    expect((await objectCounts()).filters).toBeGreaterThan(0);
    expect(await TaggingSession.removeCallouts()).toEqual({
      removed: 2 + WFPKIT_CALLOUTS.length + 16,
    });
    expect(await objectCounts()).toEqual({
      providers: 0,
      sublayers: 0,
      callouts: 0,
      filters: 0,
    });
    expect(await TaggingSession.removeCallouts()).toEqual({ removed: 0 });
    expect(await TaggingSession.calloutsInstalled()).toBe(false);
    await s.stop();
  });

  test('a missing callout is named and installCallouts adds just that one', async () => {
    await TaggingSession.installCallouts();
    const engine = Engine.open({ name: 'tagging test' });
    await engine.deleteCallout(GUIDS.CALLOUT_INBOUND_TRANSPORT_V6);
    engine.close();
    expect(await TaggingSession.calloutsInstalled()).toBe(false);
    const err = await TaggingSession.start({ app: CURL }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalloutsNotInstalledError);
    expect((err as CalloutsNotInstalledError).missing).toEqual(['CALLOUT_INBOUND_TRANSPORT_V6']);
    // the fix names the CLI command that exists and the SDK call
    expect((err as CalloutsNotInstalledError).fix).toContain('`monitor-cli addcallouts`');
    expect((err as CalloutsNotInstalledError).fix).toContain('TaggingSession.installCallouts()');
    expect(await TaggingSession.installCallouts()).toEqual({ added: 1 });
  });
});

describe('start', () => {
  beforeAll(async () => {
    await TaggingSession.installCallouts();
  });

  test('adds the session filters in the wfpkit sublayer, configures and starts the driver; stop removes them and the process handlers', async () => {
    const before = signalListeners();
    const s = await TaggingSession.start({ app: CURL });
    expect(s.appPath).toBe('\\device\\harddiskvolume3\\windows\\system32\\curl.exe');
    expect(signalListeners()).toEqual(before.map((n) => n + 1));
    const engine = Engine.open({ name: 'tagging test' });
    const { filters } = await wfpkitObjects(engine);
    engine.close();
    const byLayer = new Map<string, number>();
    for (const f of filters) byLayer.set(f.layer, (byLayer.get(f.layer) ?? 0) + 1);
    // FLOW_ESTABLISHED + STREAM (v4, v6), the two default tag layers (v4, v6), and the
    // transport and IP packet discard layers of both directions (v4, v6): 16 filters.
    expect(filters).toHaveLength(16);
    expect(byLayer.size).toBe(16);
    for (const f of filters) {
      expect(f.sublayer).toBe(GUIDS.SUBLAYER);
      expect(f.provider).toBe(GUIDS.PROVIDER);
      expect(WFPKIT_CALLOUTS.some((c) => c.key === f.action.callout)).toBe(true);
    }
    const established = filters.filter((f) => f.action.callout === GUIDS.CALLOUT_FLOW_ESTABLISHED_V4 || f.action.callout === GUIDS.CALLOUT_FLOW_ESTABLISHED_V6);
    expect(established).toHaveLength(2);
    for (const f of established) expect(f.conditions).toHaveLength(1);
    const c = await s.counters();
    expect(c.global.sessionsOpen).toBeGreaterThanOrEqual(1);

    const summary = await s.stop();
    expect(summary.reason).toBe('stop');
    expect(await s.stop()).toBe(summary);
    expect((await objectCounts()).filters).toBe(0);
    expect(signalListeners()).toEqual(before);
  });

  test('layers and options choose the filters and the configuration', async () => {
    const s = await TaggingSession.start({
      app: CURL,
      layers: ['outbound-transport'],
      inspect: false,
      reportDiscards: false,
    });
    const engine = Engine.open({ name: 'tagging test' });
    const { filters } = await wfpkitObjects(engine);
    engine.close();
    expect(filters.map((f) => f.action.callout).sort()).toEqual(
      [GUIDS.CALLOUT_FLOW_ESTABLISHED_V4, GUIDS.CALLOUT_FLOW_ESTABLISHED_V6, GUIDS.CALLOUT_OUTBOUND_TRANSPORT_V4, GUIDS.CALLOUT_OUTBOUND_TRANSPORT_V6].sort(),
    );
    await s.stop();
  });

  test('IP packet layers need a driver that reports IPPACKET_LAYERS', async () => {
    const s = await TaggingSession.start({
      app: CURL,
      layers: ['outbound-transport'],
    });
    const { features } = await (s as unknown as { device: { version(): Promise<{ features: number }> } }).device.version();
    await s.stop();
    const attempt = TaggingSession.start({
      app: CURL,
      layers: ['outbound-ippacket'],
    });
    if ((features & FeatureFlags.IPPACKET_LAYERS) !== 0) {
      await (await attempt).stop();
    } else {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as Error).message).toMatch(/IP packet layers/);
    }
    expect((await objectCounts()).filters).toBe(0);
  });

  test('bad options: a clear error and nothing changed', async () => {
    const bad: unknown[] = [
      { app: '' },
      { app: CURL, layers: ['sideways'] },
      { app: CURL, layers: [] },
      { app: CURL, ringSize: 1000 },
      { app: CURL, budget: 0 },
      { app: CURL, snapLen: -1 },
      { app: CURL, backend: 'dos' },
      { app: CURL, readPauseMs: -1 },
      { app: CURL, inspect: 'yes' },
    ];
    for (const options of bad) {
      const err = await TaggingSession.start(options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).fix).toMatch(/^pass /);
    }
    expect((await objectCounts()).filters).toBe(0);
  });

  test('unknown app path', async () => {
    const handles = kernel.openHandles();
    const err = await TaggingSession.start({ app: 'curl.exe' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownAppError);
    expect((err as Error).message).toMatch(/full DOS path/);
    expect((await objectCounts()).filters).toBe(0);
    expect(kernel.openHandles()).toBe(handles);
  });

  test('start twice for the same app is refused; another app is fine; use after stop is refused', async () => {
    const a = await TaggingSession.start({ app: CURL });
    const err = await TaggingSession.start({ app: CURL.toUpperCase() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionStateError);
    expect((err as SessionStateError).fix).toMatch(/stop it/);
    const b = await TaggingSession.start({ app: OPENSSL });
    expect(b.sessionId).not.toBe(a.sessionId);
    await a.stop();
    await b.stop();
    expect(() => a.events()).toThrow(SessionStateError);
    await expect(a.counters()).rejects.toThrow(SessionStateError);
    const again = await TaggingSession.start({ app: CURL });
    await again.stop();
  });

  test('one reader per session', async () => {
    const s = await TaggingSession.start({ app: CURL });
    s.packets();
    expect(() => s.flows()).toThrow(/already being read/);
    await s.stop();
  });

  test('not elevated', async () => {
    kernel.setCallerElevated(false);
    try {
      const err = await TaggingSession.start({ app: CURL }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotElevatedError);
      expect((err as NotElevatedError).fix).toMatch(/elevated prompt/);
    } finally {
      kernel.setCallerElevated(true);
    }
    expect((await objectCounts()).filters).toBe(0);
  });

  test('driver not loaded', async () => {
    kernel.unloadDriver();
    try {
      const err = await TaggingSession.start({ app: CURL }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DriverNotLoadedError);
      expect((err as Error).message).toMatch(/driver install/);
    } finally {
      kernel.loadDriver();
    }
    expect((await objectCounts()).filters).toBe(0);
  });
});

describe('reading', () => {
  beforeAll(async () => {
    await TaggingSession.installCallouts();
  });

  test('two sessions for two apps side by side each get only their own flows', async () => {
    const curl = await TaggingSession.start({ app: CURL });
    const openssl = await TaggingSession.start({ app: OPENSSL });
    const curlFlows = collect(curl.flows());
    const opensslEvents = collect(openssl.events());
    // the TLS flow (server port 18443, client port 35200) is openssl's, the rest curl's
    runCapture(FIXTURE, {
      apps: [
        { processId: 7312, path: curl.appPath },
        { localPort: 35200, processId: 9001, path: openssl.appPath },
      ],
    });
    const [curlSummary, opensslSummary] = await Promise.all([curl.stop(), openssl.stop()]);
    const flows: FlowRecord[] = await curlFlows;
    expect(flows.map((f) => [f.endpoints.remote.port, f.app.path, f.http?.host]).sort()).toEqual([
      [18080, curl.appPath, 'wfpkit.test:18080'],
      [18081, curl.appPath, 'v6.wfpkit.test'],
    ]);
    // each flow record waited for its last packets' fates: every tagged packet is counted once
    for (const f of flows) {
      expect(f.packets.tagged).toBeGreaterThan(0);
      expect(f.packets.sent + f.packets.delivered + f.packets.dropped + f.packets.unknown).toBe(f.packets.tagged);
    }
    const events: TaggingEvent[] = await opensslEvents;
    const established = events.filter((e) => e.type === 'flow');
    expect(established).toHaveLength(1);
    // its packets, and only its own, were tagged and followed
    const ownFlow = established[0]?.record.header.flowId;
    const packetRecords = events.filter((e) => e.type === 'packet-tagged' || e.type === 'packet-notify');
    expect(packetRecords.length).toBeGreaterThan(0);
    expect(new Set(packetRecords.map((e) => e.record.header.flowId))).toEqual(new Set([ownFlow]));
    expect(opensslSummary.totals.packetsTagged).toBe(events.filter((e) => e.type === 'packet-tagged').length);
    const classified = events.flatMap((e) => (e.type === 'classification' ? [e.record.sni] : []));
    expect(classified).toContain('fixture.wfpkit.test');
    expect(events.some((e) => e.type === 'flow-deleted')).toBe(true);
    expect(curlSummary.totals.flows).toBe(2);
    expect(opensslSummary.totals.flows).toBe(1);
    expect(curlSummary.counters?.session.eventsDropped).toBe(0n);
    expect(curlSummary.counters?.session.eventsDelivered).toBe(curlSummary.counters?.session.eventsProduced);
  });

  test('a consumer that stops reading: the ring overflows, the loss is counted, the session survives and says so', async () => {
    const s = await TaggingSession.start({
      app: CURL,
      ringSize: 65536,
      streamEvents: true,
    });
    const apps = [{ processId: 7312, path: s.appPath }];
    runSynthetic({ seed: 3, flows: 400, protocols: ['tls', 'http1'], apps });
    const full = await s.counters();
    expect(full.session.eventsDropped).toBeGreaterThan(0n);
    // the live view shows the loss before its LOSS record is read
    expect(s.snapshot().loss.ringRecordsLost).toBe(Number(full.session.eventsDropped));
    const it = s.events()[Symbol.asyncIterator]();
    const seen: TaggingEvent[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done === true) throw new Error('ended early');
      seen.push(r.value);
      if (r.value.type === 'loss') break;
    }
    const loss = seen[seen.length - 1];
    expect(loss?.type === 'loss' && loss.reason).toBe('ring-full');
    expect(loss?.type === 'loss' && loss.totalLost).toBe(Number(full.session.eventsDropped));
    // still running: new traffic comes through
    expect(s.running).toBe(true);
    runCapture(FIXTURE, { apps });
    const after = s.snapshot().loss.ringRecordsLost;
    expect(after).toBe(Number(full.session.eventsDropped));
    const summary = await s.stop();
    for (;;) {
      const r = await it.next();
      if (r.done === true) break;
      seen.push(r.value);
    }
    const c = summary.counters;
    if (c === undefined) throw new Error('no counters');
    expect(c.session.eventsProduced).toBe(c.session.eventsDelivered + c.session.eventsDropped + BigInt(c.session.recordsInRing));
    expect(c.session.recordsInRing).toBe(0);
    expect(BigInt(seen.length)).toBe(c.session.eventsDelivered);
    expect(summary.loss.ringRecordsLost).toBe(Number(c.session.eventsDropped));
  });

  test('an AbortSignal stops the session and ends the iteration', async () => {
    const ac = new AbortController();
    const s = await TaggingSession.start({ app: CURL, signal: ac.signal });
    const it = collect(s.packets());
    ac.abort();
    expect(await it).toEqual([]);
    expect(s.running).toBe(false);
    expect((await s.stop()).reason).toBe('abort');
    expect((await objectCounts()).filters).toBe(0);
  });

  test('an error while reading stops the session, removes its filters, and the iterator throws it', async () => {
    const s = await TaggingSession.start({ app: CURL });
    const before = signalListeners();
    // the device handle goes away under the session (as when the driver is torn down)
    await (s as unknown as { device: { close(): Promise<void> } }).device.close();
    const err = await collect(s.packets()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/closed/);
    const summary = await s.stop();
    expect(summary.reason).toBe('error');
    expect(summary.error).toBe(err);
    expect(s.running).toBe(false);
    expect((await objectCounts()).filters).toBe(0);
    expect(signalListeners()).toEqual(before.map((n) => n - 1));
  });

  test('the engine session ends abruptly: its dynamic filters vanish with it, and stop still cleans up', async () => {
    const s = await TaggingSession.start({ app: CURL });
    expect((await objectCounts()).filters).toBe(16);
    const engine = (s as unknown as { engine: Engine }).engine;
    const handle = (engine as unknown as { handle: Pointer }).handle;
    // what the death of the process does to its engine session: closed, with no cleanup by us
    expect(engine.raw.FwpmEngineClose0(handle)).toBe(0);
    expect((await objectCounts()).filters).toBe(0);
    // flows of the app are no longer monitored
    runCapture(FIXTURE, { apps: [{ processId: 7312, path: s.appPath }] });
    const summary = await s.stop();
    expect(summary.totals.flows).toBe(0);
    expect(summary.counters?.session.flowsMatched).toBe(0n);
  });
});

describe('one reader for record events, fates and flow records', () => {
  beforeAll(async () => {
    await TaggingSession.installCallouts();
  });

  // curl's two HTTP flows of the fixture, frames 4 (outbound) and 6 (inbound) dropped in the stack
  const lifecycle = { seed: 1, dropFrames: [4, 6] };
  const replayFixture = (appPath: string): void => {
    runCapture(FIXTURE, {
      apps: [
        { processId: 7312, path: appPath },
        {
          localPort: 35200,
          processId: 9001,
          path: '\\device\\harddiskvolume3\\program files\\openssl\\bin\\openssl.exe',
        },
      ],
      lifecycle,
    });
  };

  test('events({ types, packets, flows }) yields the asked record events and the same fates and flows packets() and flows() yield, in causal order', async () => {
    const s = await TaggingSession.start({ app: CURL, snapLen: 64 });
    const reading = collect(s.events({ types: ['flow', 'packet-tagged'], packets: true, flows: true }));
    replayFixture(s.appPath);
    const summary = await s.stop();
    const items: SessionEvent[] = await reading;
    const snap = s.snapshot();

    expect(new Set(items.map((e) => e.type))).toEqual(new Set(['flow', 'packet-tagged', 'packet-fate', 'flow-record']));
    const tagged = items.flatMap((e) => (e.type === 'packet-tagged' ? [e.record] : []));
    const fates = items.flatMap((e) => (e.type === 'packet-fate' ? [e.fate] : []));
    const flows = items.flatMap((e) => (e.type === 'flow-record' ? [e] : []));
    expect(tagged).toHaveLength(22);
    expect(tagged.every((r) => r.snap.length > 0 && r.snap.length <= 64)).toBe(true);
    expect(fates).toHaveLength(summary.totals.packetsTagged);
    expect(fates.filter((f) => f.verdict === 'dropped')).toHaveLength(2);
    expect(flows).toHaveLength(2);
    expect(summary.totals.records).toBeGreaterThan(items.length - fates.length - flows.length);

    // causal order: a packet's PACKET_TAGGED before its fate; a flow's FLOW_ESTABLISHED before
    // its packets, and its flow record after all its packets' fates
    const index = (pred: (e: SessionEvent) => boolean): number => items.findIndex(pred);
    for (const f of fates) {
      const taggedAt = index((e) => e.type === 'packet-tagged' && e.record.header.flowId === f.flowId && e.record.context === f.context);
      const fateAt = index((e) => e.type === 'packet-fate' && e.fate === f);
      expect(taggedAt).toBeGreaterThanOrEqual(0);
      expect(taggedAt).toBeLessThan(fateAt);
    }
    for (const fl of flows) {
      const id = fl.flow.flowId;
      const established = index((e) => e.type === 'flow' && e.record.header.flowId === id);
      const firstTagged = index((e) => e.type === 'packet-tagged' && e.record.header.flowId === id);
      const lastFate = items.reduce((last, e, i) => (e.type === 'packet-fate' && e.fate.flowId === id ? i : last), -1);
      expect(established).toBeLessThan(firstTagged);
      expect(lastFate).toBeLessThan(items.indexOf(fl));
      // the flow record carries its packets' latency and adds up to its tagged packets
      expect(fl.latency?.p50Us).toBeGreaterThan(0);
      expect(fl.latency?.p99Us).toBeGreaterThanOrEqual(fl.latency?.p50Us ?? Infinity);
      const p = fl.flow.packets;
      expect(p.sent + p.delivered + p.dropped + p.unknown).toBe(p.tagged);
      expect(p.tagged).toBe(fates.filter((f) => f.flowId === id).length);
    }

    // the same fates and flow records as the dedicated readers give for the same seeded run
    const s2 = await TaggingSession.start({ app: CURL });
    const onlyFates = collect(s2.packets());
    replayFixture(s2.appPath);
    await s2.stop();
    const strip = (f: PacketFate): unknown => ({
      ...f,
      flowId: undefined,
      context: undefined,
    });
    expect((await onlyFates).map(strip)).toEqual(fates.map(strip));
    const s3 = await TaggingSession.start({ app: CURL });
    const onlyFlows = collect(s3.flows());
    replayFixture(s3.appPath);
    await s3.stop();
    const key = (f: FlowRecord): unknown => [f.endpoints, f.appProtocol, f.http?.host, f.bytes, f.packets];
    expect((await onlyFlows).map(key)).toEqual(flows.map((f) => key(f.flow)));

    // the snapshot and the summary know the overall latency, bytes and protocols
    expect(summary.latency?.count).toBe(fates.filter((f) => f.verdict !== 'dropped' && f.inStackLatency !== undefined).length);
    expect(summary.latency?.p50Us).toBeGreaterThan(0);
    expect(snap.latency).toEqual(summary.latency);
    const sum = (d: 'out' | 'in'): number => flows.reduce((n, f) => n + f.flow.bytes[d], 0);
    expect(summary.bytes).toEqual({ out: sum('out'), in: sum('in') });
    expect(summary.bytes.out).toBeGreaterThan(0);
    expect(snap.bytes).toEqual(summary.bytes);
    expect(summary.flowsByProtocol).toEqual({ http1: 2 });
    expect(summary.totals.activeFlows).toBe(0);
  });

  test('a packet the stack duplicates (DUPLICATED_BY_NETIO) is followed on both copies: its fate counts the copy and both verdicts', async () => {
    // the same replay, frames 4 (outbound) and 6 (inbound) duplicated instead of dropped: the
    // driver copies its context to each duplicate (CONTEXT_COPIED) and both copies live on
    const run = async (duplicateFrames: number[]): Promise<{ fates: PacketFate[]; records: TaggingEvent[] }> => {
      const s = await TaggingSession.start({ app: CURL });
      const reading = collect(s.events({ types: ['packet-tagged', 'packet-notify'], packets: true }));
      runCapture(FIXTURE, { apps: [{ processId: 7312, path: s.appPath }], lifecycle: { seed: 1, duplicateFrames } });
      await s.stop();
      const items = await reading;
      return {
        fates: items.flatMap((e) => (e.type === 'packet-fate' ? [e.fate] : [])),
        records: items.flatMap((e) => (e.type === 'packet-fate' || e.type === 'flow-record' ? [] : [e])),
      };
    };
    const base = await run([]);
    const dup = await run([4, 6]);
    expect(dup.fates).toHaveLength(base.fates.length);
    expect(base.fates.every((f) => f.duplicates === 0 && f.branches === 1)).toBe(true);
    const duplicated = dup.fates.filter((f) => f.duplicates > 0);
    expect(duplicated.map((f) => f.direction).sort()).toEqual(['inbound', 'outbound']);
    for (const f of duplicated) {
      const same = base.fates.find((b) => b.seq === f.seq && b.direction === f.direction && b.layerId === f.layerId);
      expect(same).toBeDefined();
      expect(f.duplicates).toBe(1);
      expect(f.clones).toBe(same?.clones);
      expect(f.branches).toBe(2); // the original and its followed copy
      expect(f.unfollowedCopies).toBe(0);
      // each copy ends on its own: outbound both sent (exit, send complete, removed), inbound both delivered
      const verdict = f.direction === 'outbound' ? 'sent' : 'delivered';
      expect(f.verdict).toBe(verdict);
      expect(f.branchVerdicts).toEqual({ sent: 0, delivered: 0, dropped: 0, unknown: 0, [verdict]: 2 });
      expect(same?.branchVerdicts).toEqual({ sent: 0, delivered: 0, dropped: 0, unknown: 0, [verdict]: 1 });
    }
    // every other packet's fate is the one it had without duplicates
    const rest = dup.fates.filter((f) => f.duplicates === 0);
    expect(rest).toHaveLength(base.fates.length - 2);
    expect(rest.every((f) => f.branches === 1 && f.unfollowedCopies === 0)).toBe(true);
    // (flow ids differ between runs: compare per-flow sequence, direction, clones and verdict)
    const key = (f: PacketFate): string => `${f.seq}/${f.direction}/${f.layerId}/${f.clones}/${f.verdict}`;
    expect(dup.fates.map(key).sort()).toEqual(base.fates.map(key).sort());
    // the PACKET_NOTIFY records: one DUPLICATED_BY_NETIO with CONTEXT_COPIED per duplicate, to a new context
    const copiedNotify = dup.records.flatMap((e) =>
      e.type === 'packet-notify' && e.record.eventType === NblEventType.DUPLICATED_BY_NETIO ? [e.record] : [],
    );
    expect(copiedNotify).toHaveLength(2);
    for (const n of copiedNotify) {
      expect(n.notifyFlags & NotifyFlags.CONTEXT_COPIED).toBe(NotifyFlags.CONTEXT_COPIED);
      expect(n.newContext).not.toBe(n.context);
      expect(n.newContext).not.toBe(0n);
    }
  });

  test('types: [] yields only the derived events; the live snapshot counts active flows, their bytes and protocols', async () => {
    const s = await TaggingSession.start({ app: CURL, streamEvents: true });
    const it = s.events({ types: [], flows: true })[Symbol.asyncIterator]();
    replayFixture(s.appPath);
    const first = await it.next();
    expect(first.done !== true && first.value.type).toBe('flow-record');
    await s.stop();
    const rest: SessionEvent[] = [];
    for (let r = await it.next(); r.done !== true; r = await it.next()) rest.push(r.value);
    expect(rest.map((e) => e.type)).toEqual(['flow-record']);

    // a flow still open: the snapshot counts it as active, with its bytes so far
    const live = await TaggingSession.start({ app: CURL, streamEvents: true });
    const events = live.events()[Symbol.asyncIterator]();
    runSynthetic({
      seed: 5,
      flows: 1,
      protocols: ['http1'],
      apps: [{ processId: 7312, path: live.appPath }],
    });
    let established = 0;
    while (established === 0) {
      const r = await events.next();
      if (r.done === true) throw new Error('ended early');
      if (r.value.type === 'flow') established++;
    }
    const snap = live.snapshot();
    expect(snap.totals.flows).toBe(1);
    expect(snap.totals.records).toBeGreaterThan(0);
    await events.return?.();
    const summary = await live.stop();
    expect(summary.totals.activeFlows).toBe(0);
    expect(summary.flowsByProtocol).toEqual({ http1: 1 });
    expect(summary.bytes.out + summary.bytes.in).toBeGreaterThan(0);
  });

  test('bad events() options are refused before the reader is taken', async () => {
    const s = await TaggingSession.start({ app: CURL });
    expect(() => s.events({ types: ['packet' as 'packet-tagged'] })).toThrow(InvalidOptionError);
    expect(() => s.events({ types: ['packet' as 'packet-tagged'] })).toThrow(/TaggingSession\.events: types must be a list of 'flow'/);
    expect(() => s.events({ packets: 'yes' as unknown as boolean })).toThrow(/packets must be true or false/);
    // the reader is still free
    const fates = collect(s.packets());
    await s.stop();
    expect(await fates).toEqual([]);
  });
});
