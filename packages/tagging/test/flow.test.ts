import { AppProtocol, FlowEndReason, LossReason, NblEventType as E, RecordFlags } from '@wfpkit/ioctl-client';
import type { ContractRecord } from '@wfpkit/ioctl-client';
import type { FlowRecord } from '../src';
import { FlowTracker, PacketFateTracker } from '../src';
import { T0, classified, established, flowDeleted, loss, notify, streamData, tagged } from './records';

const alpn = (...names: string[]): Uint8Array => {
  const out: number[] = [];
  for (const n of names) out.push(n.length, ...new TextEncoder().encode(n));
  return new Uint8Array(out);
};

function run(records: ContractRecord[], maxFlows?: number): { flows: FlowRecord[]; tracker: FlowTracker } {
  const flows: FlowRecord[] = [];
  const tracker = new FlowTracker({ onFlow: (f) => flows.push(f), ...(maxFlows === undefined ? {} : { maxFlows }) });
  const fates = new PacketFateTracker({ onFate: (f) => tracker.pushFate(f), flowDeleteGraceMs: 0 });
  for (const r of records) {
    fates.push(r);
    tracker.push(r);
  }
  return { flows, tracker };
}

describe('FlowTracker', () => {
  it('builds a TLS flow record from both directions and emits it at FLOW_DELETED', () => {
    const { flows, tracker } = run([
      established(5n, T0, { pid: 1234n, path: '\\device\\harddiskvolume3\\app.exe' }),
      classified(5n, T0 + 10n, { appProtocol: AppProtocol.TLS, sni: 'example.com', alpn: alpn('h2', 'http/1.1'), tlsVersion: 0x0304 }),
      classified(5n, T0 + 20n, { appProtocol: AppProtocol.TLS, inbound: true, alpn: alpn('h2'), tlsVersion: 0x0304 }),
      streamData(5n, T0 + 30n, 517),
      streamData(5n, T0 + 40n, 4000, true),
      streamData(5n, T0 + 50n, 80),
      tagged({ context: 1n, at: T0 + 30n, flowId: 5n }),
      tagged({ context: 2n, at: T0 + 31n, flowId: 5n }),
      tagged({ context: 3n, at: T0 + 41n, flowId: 5n, inbound: true }),
      notify(1n, E.EXIT_NETIO, T0 + 32n),
      notify(1n, E.CONTEXT_REMOVED, T0 + 33n),
      notify(2n, E.CONTEXT_REMOVED, T0 + 34n),
      notify(3n, E.CONTEXT_REMOVED, T0 + 44n),
      flowDeleted(5n, T0 + 25_000_000n, { bytesOut: 597n, bytesIn: 4000n, segmentsOut: 2, segmentsIn: 1, packetsTagged: 3n, packetsDropped: 1n }),
    ]);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toEqual({
      flowId: 5n,
      app: { processId: 1234, path: '\\device\\harddiskvolume3\\app.exe' },
      endpoints: {
        ipVersion: 4,
        protocol: 'tcp',
        ipProtocol: 6,
        local: { address: '192.168.1.10', port: 50000 },
        remote: { address: '93.184.216.34', port: 443 },
        direction: 'outbound',
      },
      layerId: 44,
      appProtocol: 'tls',
      tls: { sni: 'example.com', alpn: ['h2', 'http/1.1'], alpnMalformed: false, version: 0x0304, versionName: 'TLS 1.3', selectedAlpn: 'h2', selectedVersion: 0x0304 },
      bytes: { out: 597, in: 4000 },
      segments: { out: 2, in: 1 },
      packets: { tagged: 3, sent: 1, delivered: 1, dropped: 1, unknown: 0 },
      startedAt: new Date('2023-12-31T00:00:00.000Z'),
      startTime: T0,
      endedAt: new Date('2023-12-31T00:00:02.500Z'),
      endTime: T0 + 25_000_000n,
      durationMs: 2500,
      endReason: 'deleted',
      driverTotals: { bytesOut: 597, bytesIn: 4000, segmentsOut: 2, segmentsIn: 1, packetsTagged: 3, packetsDropped: 1 },
      lossAffected: false,
      truncated: false,
    });
    expect(tracker.stats()).toMatchObject({ started: 1, ended: 1, active: 0 });
  });

  it('records a malformed ALPN list without failing', () => {
    const { tracker } = run([established(5n, T0), classified(5n, T0 + 1n, { appProtocol: AppProtocol.TLS, sni: 'a.test', alpn: new Uint8Array([2, 0x68, 0x32, 9, 0x68]) })]);
    expect(tracker.snapshot()[0]?.tls).toEqual({ sni: 'a.test', alpn: ['h2'], alpnMalformed: true });
  });

  it('merges HTTP/1.x request and response', () => {
    const { tracker } = run([
      established(6n, T0, { remotePort: 80 }),
      classified(6n, T0 + 1n, { appProtocol: AppProtocol.UNKNOWN }),
      classified(6n, T0 + 2n, { appProtocol: AppProtocol.HTTP1, host: 'example.com', method: 'GET', path: '/index.html' }),
      classified(6n, T0 + 3n, { appProtocol: AppProtocol.HTTP1, inbound: true, httpStatus: 301 }),
    ]);
    const f = tracker.snapshot()[0];
    expect(f?.appProtocol).toBe('http1');
    expect(f?.http).toEqual({ host: 'example.com', method: 'GET', path: '/index.html', status: 301 });
  });

  it('files SSH banners by who opened the flow (an inbound flow: the peer is the client)', () => {
    const { tracker } = run([
      established(7n, T0, { inbound: true, localPort: 22, remotePort: 50123 }),
      classified(7n, T0 + 1n, { appProtocol: AppProtocol.SSH, banner: 'SSH-2.0-OpenSSH_9.6' }), // outbound = server side here
      classified(7n, T0 + 2n, { appProtocol: AppProtocol.SSH, inbound: true, banner: 'SSH-2.0-PuTTY_Release_0.80' }),
    ]);
    const f = tracker.snapshot()[0];
    expect(f?.endpoints.direction).toBe('inbound');
    expect(f?.appProtocol).toBe('ssh');
    expect(f?.ssh).toEqual({ clientBanner: 'SSH-2.0-PuTTY_Release_0.80', serverBanner: 'SSH-2.0-OpenSSH_9.6' });
  });

  it('keeps the first specific protocol', () => {
    const { tracker } = run([established(8n, T0), classified(8n, T0 + 1n, { appProtocol: AppProtocol.HTTP2 }), classified(8n, T0 + 2n, { appProtocol: AppProtocol.UNKNOWN, inbound: true })]);
    expect(tracker.snapshot()[0]?.appProtocol).toBe('http2');
  });

  it('formats IPv6 endpoints per RFC 5952 and names UDP', () => {
    const local = new Uint8Array(16);
    local.set([0xfe, 0x80], 0);
    local.set([0x12, 0x34], 14);
    const remote = new Uint8Array(16);
    remote.set([0x20, 0x01, 0x0d, 0xb8], 0);
    remote[15] = 1;
    const { tracker } = run([established(9n, T0, { ipVersion: 6, protocol: 17, local, remote, remotePort: 53, flags: RecordFlags.IPV6 })]);
    expect(tracker.snapshot()[0]?.endpoints).toMatchObject({ ipVersion: 6, protocol: 'udp', local: { address: 'fe80::1234' }, remote: { address: '2001:db8::1', port: 53 } });
  });

  it('snapshot() returns copies of the active flows', () => {
    const { tracker } = run([established(1n, T0), established(2n, T0 + 1n), streamData(1n, T0 + 2n, 10)]);
    const snap = tracker.snapshot();
    expect(snap.map((f) => f.flowId)).toEqual([1n, 2n]);
    const first = snap[0];
    if (first === undefined) throw new Error('no flow');
    first.bytes.out = 999;
    first.startedAt.setTime(0);
    expect(tracker.snapshot()[0]?.bytes.out).toBe(10);
    expect(tracker.snapshot()[0]?.startedAt.getTime()).not.toBe(0);
    expect(tracker.snapshot()[0]?.endedAt).toBeUndefined();
  });

  it('counts records for unknown flows and fates for ended ones, and marks unload, loss and truncation', () => {
    const { flows, tracker } = run([
      streamData(42n, T0, 10),
      flowDeleted(42n, T0 + 1n),
      established(3n, T0 + 2n, { flags: RecordFlags.TRUNCATED }),
      loss(T0 + 3n, 5n),
      loss(T0 + 3n, 2n, LossReason.FLOW_TABLE_FULL),
      flowDeleted(3n, T0 + 4n, { reason: FlowEndReason.UNLOAD }),
    ]);
    expect(flows[0]).toMatchObject({ flowId: 3n, endReason: 'unload', lossAffected: true, truncated: true, durationMs: 0.0002 });
    tracker.pushFate({ ...fateStub(), flowId: 3n });
    expect(tracker.stats()).toMatchObject({ unknownFlowRecords: 2, unknownFlowFates: 1, unmonitoredFlows: 2 });
  });

  it('bounds active flows, supersedes a reused flow id and flushes', () => {
    const { flows, tracker } = run([established(1n, T0), established(2n, T0 + 1n), established(3n, T0 + 2n), established(3n, T0 + 3n)], 2);
    expect(flows.map((f) => [f.flowId, f.endReason])).toEqual([
      [1n, 'evicted'],
      [3n, 'superseded'],
    ]);
    expect(flows[1]?.durationMs).toBe(0.0001);
    tracker.flush();
    expect(flows.map((f) => [f.flowId, f.endReason])).toEqual([
      [1n, 'evicted'],
      [3n, 'superseded'],
      [2n, 'flushed'],
      [3n, 'flushed'],
    ]);
    expect(tracker.stats()).toMatchObject({ evicted: 1, active: 0, started: 4, ended: 4 });
    expect(() => new FlowTracker({ maxFlows: 0 })).toThrow(RangeError);
  });
});

function fateStub(): Parameters<FlowTracker['pushFate']>[0] {
  return {
    flowId: 0n,
    context: 1n,
    seq: 0,
    direction: 'outbound',
    ipVersion: 4,
    bytes: 1,
    layerId: 1,
    taggedAt: T0,
    endedAt: T0,
    clones: 0,
    duplicates: 0,
    branches: 1,
    branchVerdicts: { sent: 0, delivered: 0, dropped: 0, unknown: 1 },
    unfollowedCopies: 0,
    events: 0,
    verdict: 'unknown',
    reason: 'flushed',
    lossAffected: false,
  };
}
