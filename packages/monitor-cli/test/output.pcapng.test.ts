import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { LAYERS } from '@wfpkit/fwpm-bindings';
import type { FlowEstablishedRecord, PacketNotifyRecord, PacketTaggedRecord } from '@wfpkit/ioctl-client';
import { Direction, EventType, NblEventType } from '@wfpkit/ioctl-client';
import type { PacketFate } from '@wfpkit/tagging';
import { PacketFateTracker } from '@wfpkit/tagging';
import { CryptoPan, OutputError, PcapngWriter, TaggedPacketCapture, buildIpPacket, snapStartsAtIpHeader } from '../src/output';

/** 2023-12-31T00:00:00Z as a FILETIME. */
const T0 = 133_484_544_000_000_000n;
const APP = '\\device\\harddiskvolume3\\tools\\curl.exe';

const tsharkPresent = childProcess.spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
if (!tsharkPresent && process.env.CI !== undefined) throw new Error('tshark is missing: run scripts/setup.sh (apt-get install tshark)');
const withTshark = tsharkPresent ? it : it.skip;

function tshark(file: string, fields: string[], extra: string[] = []): string[][] {
  const r = childProcess.spawnSync('tshark', ['-r', file, '-T', 'fields', ...extra, ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

function checksum(data: Uint8Array, initial = 0): number {
  let s = initial;
  for (let i = 0; i < data.length; i += 2) s += ((data[i] ?? 0) << 8) | (data[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** A TCP segment (header + payload) with a correct checksum for the given addresses. */
function tcpSegment(src: Uint8Array, dst: Uint8Array, sport: number, dport: number, payload: string, seq = 1000): Uint8Array {
  const body = Buffer.from(payload, 'latin1');
  const seg = new Uint8Array(20 + body.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, seq);
  v.setUint32(8, 1);
  seg[12] = 5 << 4;
  seg[13] = 0x18; // PSH ACK
  v.setUint16(14, 65535);
  seg.set(body, 20);
  const pseudo = new Uint8Array(2 * src.length + 4 + (src.length === 16 ? 4 : 0));
  pseudo.set(src, 0);
  pseudo.set(dst, src.length);
  const pv = new DataView(pseudo.buffer);
  if (src.length === 4) {
    pv.setUint16(8, 6);
    pv.setUint16(10, seg.length);
  } else {
    pv.setUint32(32, seg.length);
    pv.setUint32(36, 6);
  }
  const sumPseudo = ~checksum(pseudo) & 0xffff;
  v.setUint16(16, checksum(seg.length % 2 === 0 ? seg : Uint8Array.from([...seg, 0]), sumPseudo));
  return seg;
}

function ipv4Packet(src: Uint8Array, dst: Uint8Array, segment: Uint8Array): Uint8Array {
  const p = new Uint8Array(20 + segment.length);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, p.length);
  p[8] = 64;
  p[9] = 6;
  p.set(src, 12);
  p.set(dst, 16);
  v.setUint16(10, checksum(p.subarray(0, 20)));
  p.set(segment, 20);
  return p;
}

const v4 = (...b: number[]): Uint8Array => {
  const a = new Uint8Array(16);
  a.set(b);
  return a;
};
const v6 = (last: number): Uint8Array => {
  const a = new Uint8Array(16);
  a.set([0x20, 0x01, 0x0d, 0xb8]);
  a[15] = last;
  return a;
};

function established(flowId: bigint, ipVersion: number, local: Uint8Array, remote: Uint8Array, localPort: number, remotePort: number): FlowEstablishedRecord {
  return {
    kind: 'FLOW_ESTABLISHED',
    header: { type: EventType.FLOW_ESTABLISHED, flags: 0, size: 80, timestamp: T0, flowId },
    processId: 4242n,
    endpoints: { ipVersion, ipProtocol: 6, direction: Direction.OUTBOUND, localPort, remotePort, localAddress: local, remoteAddress: remote },
    layerId: LAYERS.ALE_FLOW_ESTABLISHED_V4.runtimeId,
    appPath: APP,
  };
}

function tagged(flowId: bigint, seq: number, at: bigint, layerId: number, inbound: boolean, ipVersion: number, snap: Uint8Array, packetLength = snap.length): PacketTaggedRecord {
  return {
    kind: 'PACKET_TAGGED',
    header: { type: EventType.PACKET_TAGGED, flags: 0, size: 48, timestamp: at, flowId },
    context: (flowId << 20n) | BigInt(seq + 1),
    packetLength,
    sequence: seq,
    layerId,
    direction: inbound ? Direction.INBOUND : Direction.OUTBOUND,
    ipVersion,
    snap,
  };
}

function notify(t: PacketTaggedRecord, eventType: number, at: bigint): PacketNotifyRecord {
  return {
    kind: 'PACKET_NOTIFY',
    header: { type: EventType.PACKET_NOTIFY, flags: 0, size: 48, timestamp: at, flowId: t.header.flowId },
    context: t.context,
    newContext: 0n,
    eventType,
    layerId: t.layerId,
    notifyFlags: 0,
  };
}

const LOCAL4 = v4(10, 0, 0, 7);
const REMOTE4 = v4(93, 184, 216, 34);
const LOCAL6 = v6(7);
const REMOTE6 = v6(0x34);
const OUT_T4 = LAYERS.OUTBOUND_TRANSPORT_V4.runtimeId;
const IN_T4 = LAYERS.INBOUND_TRANSPORT_V4.runtimeId;
const OUT_IP4 = LAYERS.OUTBOUND_IPPACKET_V4.runtimeId;
const OUT_T6 = LAYERS.OUTBOUND_TRANSPORT_V6.runtimeId;

/** A session's records for: an outbound request (sent), an inbound response (delivered), an outbound packet at the IP packet layer that is dropped, and an IPv6 request. */
function sessionRecords(): (FlowEstablishedRecord | PacketTaggedRecord | PacketNotifyRecord)[] {
  const request = tcpSegment(LOCAL4.subarray(0, 4), REMOTE4.subarray(0, 4), 50123, 80, 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
  const response = tcpSegment(REMOTE4.subarray(0, 4), LOCAL4.subarray(0, 4), 80, 50123, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const ipPacket = ipv4Packet(LOCAL4.subarray(0, 4), REMOTE4.subarray(0, 4), tcpSegment(LOCAL4.subarray(0, 4), REMOTE4.subarray(0, 4), 50123, 80, 'x'.repeat(300), 2000));
  const request6 = tcpSegment(LOCAL6, REMOTE6, 50200, 443, '\x16\x03\x01hello');
  const a = tagged(1n, 0, T0 + 10n, OUT_T4, false, 4, request);
  const b = tagged(1n, 1, T0 + 20n, IN_T4, true, 4, response);
  const c = tagged(1n, 2, T0 + 30n, OUT_IP4, false, 4, ipPacket);
  const d = tagged(2n, 0, T0 + 40n, OUT_T6, false, 6, request6);
  return [
    established(1n, 4, LOCAL4, REMOTE4, 50123, 80),
    established(2n, 6, LOCAL6, REMOTE6, 50200, 443),
    a,
    b,
    c,
    d,
    notify(a, NblEventType.EXIT_NETIO, T0 + 110n),
    notify(a, NblEventType.CONTEXT_REMOVED, T0 + 120n),
    notify(b, NblEventType.CONTEXT_REMOVED, T0 + 130n),
    notify(c, NblEventType.CONTEXT_REMOVED, T0 + 140n),
    notify(d, NblEventType.EXIT_NETIO, T0 + 150n),
    notify(d, NblEventType.CONTEXT_REMOVED, T0 + 160n),
  ];
}

async function capture(file: string, options: ConstructorParameters<typeof PcapngWriter>[1] = {}): Promise<PacketFate[]> {
  const cap = new TaggedPacketCapture(PcapngWriter.toFile(file, options), { app: 'fallback' });
  const fates: PacketFate[] = [];
  const tracker = new PacketFateTracker({
    onFate: (f) => {
      fates.push(f);
      cap.fate(f);
    },
  });
  for (const r of sessionRecords()) {
    cap.record(r);
    tracker.push(r);
  }
  await cap.close();
  return fates;
}

describe('pcapng writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-pcapng-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('tells IP-packet-layer snaps from transport-layer snaps by the runtime layer id', () => {
    expect(snapStartsAtIpHeader(LAYERS.INBOUND_IPPACKET_V6.runtimeId)).toBe(true);
    expect(snapStartsAtIpHeader(LAYERS.OUTBOUND_IPPACKET_V4.runtimeId)).toBe(true);
    expect(snapStartsAtIpHeader(LAYERS.OUTBOUND_TRANSPORT_V4.runtimeId)).toBe(false);
    expect(snapStartsAtIpHeader(LAYERS.INBOUND_TRANSPORT_V6.runtimeId)).toBe(false);
  });

  withTshark('writes packets tshark reads back with their addresses, ports, lengths and fate comments', async () => {
    const file = path.join(dir, 'out.pcapng');
    const fates = await capture(file, { snaplen: 0 });
    expect(fates.map((f) => f.verdict)).toEqual(['sent', 'delivered', 'dropped', 'sent']);
    const rows = tshark(file, ['frame.number', 'ip.src', 'ipv6.src', 'tcp.srcport', 'tcp.dstport', 'frame.comment', 'frame.len', 'http.request.method', 'http.response.code']);
    expect(rows).toEqual([
      ['1', '10.0.0.7', '', '50123', '80', `app=${APP} fate=sent dir=outbound flow=1 seq=0 latency_us=10`, String(20 + 20 + 37), 'GET', ''],
      ['2', '93.184.216.34', '', '80', '50123', `app=${APP} fate=delivered dir=inbound flow=1 seq=1 latency_us=11`, String(20 + 20 + 38), '', '200'],
      ['3', '10.0.0.7', '', '50123', '80', `app=${APP} fate=dropped dir=outbound flow=1 seq=2 latency_us=11`, String(20 + 20 + 300), '', ''],
      ['4', '', '2001:db8::7', '50200', '443', `app=${APP} fate=sent dir=outbound flow=2 seq=0 latency_us=11`, String(40 + 20 + 8), '', ''],
    ]);
    // Timestamps keep FILETIME precision (if_tsresol = 10^-7 s); direction is in epb_flags.
    const times = tshark(file, ['frame.time_epoch', 'frame.packet_flags_direction']);
    expect(times.map((r) => r[0])).toEqual(['1703980800.000001000', '1703980800.000002000', '1703980800.000003000', '1703980800.000004000']);
    expect(times.map((r) => r[1])).toEqual(['0x00000002', '0x00000001', '0x00000002', '0x00000002']);
    // The synthesized headers and the TCP checksums are right.
    const sums = tshark(file, ['ip.checksum.status', 'tcp.checksum.status'], ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE']);
    expect(sums).toEqual([
      ['1', '1'],
      ['1', '1'],
      ['1', '1'],
      ['', '1'],
    ]);
  });

  withTshark('cuts packets at the snap length, and after the TCP header with headersOnly', async () => {
    const cut = path.join(dir, 'cut.pcapng');
    await capture(cut, { snaplen: 64 });
    expect(tshark(cut, ['frame.cap_len', 'frame.len'])).toEqual([
      ['64', '77'],
      ['64', '78'],
      ['64', '340'],
      ['64', '68'],
    ]);
    const headers = path.join(dir, 'headers.pcapng');
    await capture(headers, { headersOnly: true, snaplen: 1500 });
    expect(tshark(headers, ['frame.cap_len', 'tcp.srcport', 'frame.comment']).map((r) => [r[0], r[1], r[2]?.split(' ')[1]])).toEqual([
      ['40', '50123', 'fate=sent'],
      ['40', '80', 'fate=delivered'],
      ['40', '50123', 'fate=dropped'],
      ['60', '50200', 'fate=sent'],
    ]);
  });

  withTshark('anonymises the addresses in the packet bytes with Crypto-PAn and keeps the checksums valid', async () => {
    const pan = CryptoPan.fromOption('a test passphrase');
    const file = path.join(dir, 'anon.pcapng');
    await capture(file, { snaplen: 0, anonymizer: pan });
    const rows = tshark(file, ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.checksum.status', 'tcp.checksum.status'], ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE']);
    const l4 = pan.anonymizeAddress('10.0.0.7');
    const r4 = pan.anonymizeAddress('93.184.216.34');
    const l6 = pan.anonymizeAddress('2001:db8::7');
    const r6 = pan.anonymizeAddress('2001:db8::34');
    expect(l4).not.toBe('10.0.0.7');
    expect(rows).toEqual([
      [l4, r4, '', '', '1', '1'],
      [r4, l4, '', '', '1', '1'],
      [l4, r4, '', '', '1', '1'],
      ['', '', l6, r6, '', '1'],
    ]);
    const text = fs.readFileSync(file);
    expect(text.includes(Buffer.from([10, 0, 0, 7]))).toBe(false);
    expect(text.includes(Buffer.from([93, 184, 216, 34]))).toBe(false);
  });

  it('writes a packet whose fate never came as fate=pending when the capture closes', async () => {
    const file = path.join(dir, 'pending.pcapng');
    const cap = new TaggedPacketCapture(PcapngWriter.toFile(file, { snaplen: 0 }));
    const recs = sessionRecords();
    for (const r of recs.slice(0, 3)) cap.record(r as FlowEstablishedRecord | PacketTaggedRecord);
    await cap.close();
    expect(cap.writtenPending).toBe(1);
    expect(cap.writer.packets).toBe(1);
    if (tsharkPresent) expect(tshark(file, ['frame.comment'])).toEqual([[`app=${APP} fate=pending dir=outbound flow=1 seq=0`]]);
  });

  it('writes packets in the order they were tagged when their fates end in another order, and as pending when the hold is full', async () => {
    const recs = sessionRecords();
    const notifies = recs.filter((r): r is PacketNotifyRecord => r.kind === 'PACKET_NOTIFY');
    const others = recs.filter((r) => r.kind !== 'PACKET_NOTIFY');
    // The inbound packet (seq 1) and the dropped one (seq 2) end before the first request (seq 0).
    const reordered = [...others, ...notifies.slice(2, 4), ...notifies.slice(0, 2), ...notifies.slice(4)];
    const run = async (file: string, maxPending?: number): Promise<{ order: string[]; fates: string[] }> => {
      const cap = new TaggedPacketCapture(PcapngWriter.toFile(file, { snaplen: 0 }), maxPending !== undefined ? { maxPending } : {});
      const fates: string[] = [];
      const tracker = new PacketFateTracker({
        onFate: (f) => {
          fates.push(`${f.flowId}:${f.seq}`);
          cap.fate(f);
        },
      });
      for (const r of reordered) {
        cap.record(r);
        tracker.push(r);
      }
      await cap.close();
      return { order: tsharkPresent ? tshark(file, ['frame.comment']).map((c) => / flow=(\d+) seq=(\d+)/.exec(c[0] ?? '')?.slice(1).join(':') ?? '') : [], fates };
    };
    const inOrder = await run(path.join(dir, 'order.pcapng'));
    expect(inOrder.fates).toEqual(['1:1', '1:2', '1:0', '2:0']);
    if (tsharkPresent) expect(inOrder.order).toEqual(['1:0', '1:1', '1:2', '2:0']);
    const file = path.join(dir, 'full.pcapng');
    const cap = new TaggedPacketCapture(PcapngWriter.toFile(file, { snaplen: 0 }), { maxPending: 2 });
    for (const r of others) cap.record(r);
    expect(cap.writer.packets).toBe(2); // 4 tagged, 2 held: the 2 oldest went out as pending
    await cap.close();
    expect(cap.writtenPending).toBe(4);
    if (tsharkPresent) expect(tshark(file, ['tcp.srcport', 'frame.comment']).map((r) => [r[0], r[1]?.split(' ')[1]])).toEqual([
      ['50123', 'fate=pending'],
      ['80', 'fate=pending'],
      ['50123', 'fate=pending'],
      ['50200', 'fate=pending'],
    ]);
  });

  it('needs the flow endpoints for a transport-layer snap', () => {
    const seg = tcpSegment(LOCAL4.subarray(0, 4), REMOTE4.subarray(0, 4), 1, 2, '');
    expect(() => buildIpPacket({ timestamp: T0, layerId: OUT_T4, ipVersion: 4, direction: 'outbound', packetLength: 20, snap: seg })).toThrow(/needs its flow endpoints/);
  });

  it('refuses a bad snap length, a missing directory and a directory, leaving nothing behind', () => {
    expect(() => PcapngWriter.toFile(path.join(dir, 'x.pcapng'), { snaplen: -1 })).toThrow(/--snaplen must be an integer from 0 to 65535/);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(() => PcapngWriter.toFile(path.join(dir, 'nope', 'x.pcapng'))).toThrow(OutputError);
    expect(() => PcapngWriter.toFile(path.join(dir, 'nope', 'x.pcapng'))).toThrow(/directory .*nope does not exist/);
    expect(() => PcapngWriter.toFile(dir)).toThrow(/is a directory/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('gives a clear error and leaves no file when a write fails mid-file (file size limit, as a full disk)', () => {
    // The output target every file output (pcapng, --output) goes through, compiled on its own
    // and run in a child whose RLIMIT_FSIZE is 2048 bytes: Node ignores SIGXFSZ, so the write
    // past the limit fails with EFBIG as one on a full disk fails with ENOSPC.
    const js = ts.transpileModule(fs.readFileSync(path.join(__dirname, '..', 'src', 'output', 'sink.ts'), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    fs.writeFileSync(path.join(dir, 'sink.js'), js);
    fs.writeFileSync(
      path.join(dir, 'child.js'),
      `const { openOutput } = require('./sink.js');
       const out = openOutput({ file: process.argv[2] });
       out.write(Buffer.alloc(3000, 1));
       out.write(Buffer.alloc(3000, 2));
       out.close().then(() => console.log('closed'), (e) => { console.log(e.message); process.exit(3); });`,
    );
    const out = path.join(dir, 'out', 'full.pcapng');
    fs.mkdirSync(path.dirname(out));
    const r = childProcess.spawnSync('prlimit', ['--fsize=2048', process.execPath, path.join(dir, 'child.js'), out], { encoding: 'utf8' });
    expect(r.stdout.trim()).toMatch(/^writing .*full\.pcapng failed after 2048 bytes: EFBIG: file too large \(free disk space or choose another path; nothing was left behind\)$/);
    expect(r.status).toBe(3);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  it('gives a clear error and leaves no file when the file cannot be put in place', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    const writer = PcapngWriter.toFile(path.join(sub, 'gone.pcapng'));
    fs.rmSync(sub, { recursive: true });
    await expect(writer.close()).rejects.toThrow(/finishing .*gone\.pcapng failed: ENOENT: no such file or directory \(/);
  });
});
