/*
 * Record fixtures: one hand-written sample of every kind, and a seeded generator of random
 * records for the round-trip tests. Every record's header.type and header.size are filled in
 * as the encoder writes them, so encode → decode gives back an equal value.
 */
import { EventType, encodeRecord, sizeOfRecord } from '../../src';
import type {
  ContractRecord,
  FlowClassifiedRecord,
  FlowDeletedRecord,
  FlowEndpoints,
  FlowEstablishedRecord,
  FlowInfoRecord,
  LossRecord,
  PacketDiscardedRecord,
  PacketNotifyRecord,
  PacketTaggedRecord,
  RecordHeader,
  StreamDataRecord,
} from '../../src';

/** Fills header.type and header.size the way the encoder writes them. */
export function finalize<R extends ContractRecord>(record: R): R {
  record.header.type = EventType[record.kind];
  record.header.size = sizeOfRecord(record);
  return record;
}

function header(flowId: bigint, timestamp: bigint, flags = 0): RecordHeader {
  return { type: 0, flags, size: 0, timestamp, flowId };
}

function v4(a: number, b: number, c: number, d: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set([a, b, c, d]);
  return out;
}

export const endpointsV4: FlowEndpoints = {
  ipVersion: 4,
  ipProtocol: 6,
  direction: 0,
  localPort: 51234,
  remotePort: 443,
  localAddress: v4(192, 168, 1, 20),
  remoteAddress: v4(93, 184, 216, 34),
};

export const endpointsV6: FlowEndpoints = {
  ipVersion: 6,
  ipProtocol: 6,
  direction: 1,
  localPort: 22,
  remotePort: 60001,
  localAddress: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
  remoteAddress: Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]),
};

/** An application path with Latin-1, Cyrillic, CJK and an astral (surrogate pair) character. */
export const UTF16_APP_PATH = '\\Device\\HarddiskVolume3\\Users\\Jürgen\\Программы\\客户端\\𝄞app.exe';
/** A non-ASCII SNI: 2-, 3- and 4-byte UTF-8 sequences. */
export const UTF8_SNI = 'bücher.例え.jp🙂';

export function flowEstablished(flowId = 0x1001n): FlowEstablishedRecord {
  return finalize({
    kind: 'FLOW_ESTABLISHED',
    header: header(flowId, 133_500_000_000_000_000n),
    processId: 4242n,
    endpoints: endpointsV4,
    layerId: 44,
    appPath: UTF16_APP_PATH,
  });
}

export function flowClassified(flowId = 0x1001n): FlowClassifiedRecord {
  const alpn = Uint8Array.from([2, 0x68, 0x32, 8, ...new TextEncoder().encode('http/1.1')]);
  return finalize({
    kind: 'FLOW_CLASSIFIED',
    header: header(flowId, 133_500_000_000_000_100n),
    appProtocol: 2,
    direction: 0,
    tlsVersion: 0x0304,
    httpStatus: 0,
    sni: UTF8_SNI,
    alpn,
    host: '',
    method: '',
    path: '',
    banner: '',
  });
}

export function flowClassifiedHttp(flowId = 0x1002n): FlowClassifiedRecord {
  return finalize({
    kind: 'FLOW_CLASSIFIED',
    header: header(flowId, 133_500_000_000_000_150n),
    appProtocol: 3,
    direction: 0,
    tlsVersion: 0,
    httpStatus: 200,
    sni: '',
    alpn: new Uint8Array(0),
    host: 'exämple.test',
    method: 'GET',
    path: '/søk?q=%E2%9C%93',
    banner: '',
  });
}

export function streamData(flowId = 0x1001n): StreamDataRecord {
  return finalize({
    kind: 'STREAM_DATA',
    header: header(flowId, 133_500_000_000_000_200n),
    streamOffset: 517n,
    indicatedLength: 1448,
    streamFlags: 0x2,
    direction: 1,
    data: Uint8Array.from({ length: 13 }, (_, i) => (i * 37) & 0xff),
  });
}

export function packetTagged(flowId = 0x1001n): PacketTaggedRecord {
  return finalize({
    kind: 'PACKET_TAGGED',
    header: header(flowId, 133_500_000_000_000_300n),
    context: 0xdead_beef_0000_0001n,
    packetLength: 1500,
    sequence: 7,
    layerId: 18,
    direction: 0,
    ipVersion: 4,
    snap: Uint8Array.from({ length: 60 }, (_, i) => 0x45 + i),
  });
}

export function packetNotify(flowId = 0x1001n): PacketNotifyRecord {
  return finalize({
    kind: 'PACKET_NOTIFY',
    header: header(flowId, 133_500_000_000_000_400n),
    context: 0xdead_beef_0000_0001n,
    newContext: 0xdead_beef_0000_0002n,
    eventType: 1,
    layerId: 18,
    notifyFlags: 0x2,
  });
}

export function packetDiscarded(flowId = 0x1001n): PacketDiscardedRecord {
  return finalize({
    kind: 'PACKET_DISCARDED',
    header: header(flowId, 133_500_000_000_000_450n),
    context: 0xdead_beef_0000_0002n,
    discardModule: 2,
    discardReason: 1,
    filterId: 0x1_0042n,
    layerId: 15,
    direction: 1,
  });
}

export function flowDeleted(flowId = 0x1001n): FlowDeletedRecord {
  return finalize({
    kind: 'FLOW_DELETED',
    header: header(flowId, 133_500_000_000_001_000n),
    startTime: 133_500_000_000_000_000n,
    bytesOut: 5_000n,
    bytesIn: 1_000_000n,
    packetsTagged: 900n,
    packetsDropped: 1n,
    segmentsOut: 10,
    segmentsIn: 700,
    layerId: 44,
    reason: 1,
  });
}

export function loss(): LossRecord {
  return finalize({
    kind: 'LOSS',
    header: header(0n, 133_500_000_000_000_500n),
    lost: 12n,
    totalLost: 40n,
    reason: 1,
  });
}

export function flowInfo(flowId: bigint, appPath = UTF16_APP_PATH): FlowInfoRecord {
  return finalize({
    kind: 'FLOW_INFO',
    header: header(flowId, 133_500_000_000_002_000n, 0x2),
    processId: 4242n,
    startTime: 133_500_000_000_000_000n,
    bytesOut: 100n,
    bytesIn: 2_000n,
    packetsTagged: 3n,
    endpoints: endpointsV6,
    segmentsOut: 2,
    segmentsIn: 4,
    appProtocol: 5,
    appPath,
  });
}

/** One record of every kind READ_EVENTS returns, in a plausible order. */
export function everyEventKind(): ContractRecord[] {
  return [flowEstablished(), flowClassified(), flowClassifiedHttp(), streamData(), packetTagged(), packetNotify(), packetDiscarded(), loss(), flowDeleted()];
}

/** Encodes records back to back starting at `offset` of a fresh buffer of `offset + their size`. */
export function encodeRecords(records: readonly ContractRecord[], offset: number): { bytes: Uint8Array; view: DataView; end: number } {
  const total = records.reduce((n, r) => n + sizeOfRecord(r), 0);
  const out = new Uint8Array(offset + total);
  const view = new DataView(out.buffer);
  let at = offset;
  for (const record of records) at += encodeRecord(view, at, record);
  return { bytes: out, view, end: at };
}

// --- seeded random records -------------------------------------------------------------

/** mulberry32: a small seeded PRNG, enough for reproducible test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = prng(seed);
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.#next() * n);
  }
  uint(bits: 8 | 16 | 32): number {
    return bits === 32 ? this.below(2 ** 16) * 2 ** 16 + this.below(2 ** 16) : this.below(2 ** bits);
  }
  u64(): bigint {
    // Include the extremes now and then.
    const pick = this.below(10);
    if (pick === 0) return 0n;
    if (pick === 1) return 0xffff_ffff_ffff_ffffn;
    return (BigInt(this.uint(32)) << 32n) | BigInt(this.uint(32));
  }
  bytes(max: number): Uint8Array {
    const length = this.below(10) === 0 ? max : this.below(max + 1);
    return Uint8Array.from({ length }, () => this.below(256));
  }
  fixed(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.below(256));
  }
  /** A string of at most `maxBytes` bytes in `encoding`, mixing 1- to 4-byte UTF-8 characters. */
  text(maxBytes: number, encoding: 'utf8' | 'utf16le'): string {
    const pool = ['a', 'Z', '0', '.', '/', '\\', ' ', 'é', 'ß', 'Ж', 'ש', '例', '客', '€', '🙂', '𝄞'];
    const budget = this.below(10) === 0 ? maxBytes : this.below(maxBytes + 1);
    const smallest = encoding === 'utf8' ? 1 : 2;
    let out = '';
    let used = 0;
    for (;;) {
      const ch = pool[this.below(pool.length)]!;
      const size = encoding === 'utf8' ? Buffer.byteLength(ch, 'utf8') : ch.length * 2;
      if (used + size > budget) {
        if (used + smallest > budget) break;
        continue;
      }
      out += ch;
      used += size;
    }
    return out;
  }
  endpoints(): FlowEndpoints {
    return {
      ipVersion: this.below(2) === 0 ? 4 : 6,
      ipProtocol: this.uint(8),
      direction: this.below(2),
      localPort: this.uint(16),
      remotePort: this.uint(16),
      localAddress: this.fixed(16),
      remoteAddress: this.fixed(16),
    };
  }
  header(): RecordHeader {
    return { type: 0, flags: this.uint(16), size: 0, timestamp: this.u64(), flowId: this.u64() };
  }
}

/** A random record of `kind`, every field drawn from `r`. */
export function randomRecord(kind: ContractRecord['kind'], r: Random): ContractRecord {
  switch (kind) {
    case 'FLOW_ESTABLISHED':
      return finalize({ kind, header: r.header(), processId: r.u64(), endpoints: r.endpoints(), layerId: r.uint(16), appPath: r.text(2048, 'utf16le') });
    case 'FLOW_CLASSIFIED':
      return finalize({
        kind,
        header: r.header(),
        appProtocol: r.uint(8),
        direction: r.uint(8),
        tlsVersion: r.uint(16),
        httpStatus: r.uint(16),
        sni: r.text(255, 'utf8'),
        alpn: r.bytes(256),
        host: r.text(255, 'utf8'),
        method: r.text(16, 'utf8'),
        path: r.text(512, 'utf8'),
        banner: r.text(255, 'utf8'),
      });
    case 'STREAM_DATA':
      return finalize({ kind, header: r.header(), streamOffset: r.u64(), indicatedLength: r.uint(32), streamFlags: r.uint(32), direction: r.uint(8), data: r.bytes(2048) });
    case 'PACKET_TAGGED':
      return finalize({
        kind,
        header: r.header(),
        context: r.u64(),
        packetLength: r.uint(32),
        sequence: r.uint(32),
        layerId: r.uint(16),
        direction: r.uint(8),
        ipVersion: r.uint(8),
        snap: r.bytes(2048),
      });
    case 'PACKET_NOTIFY':
      return finalize({ kind, header: r.header(), context: r.u64(), newContext: r.u64(), eventType: r.uint(16), layerId: r.uint(16), notifyFlags: r.uint(16) });
    case 'PACKET_DISCARDED':
      return finalize({ kind, header: r.header(), context: r.u64(), discardModule: r.uint(32), discardReason: r.uint(32), filterId: r.u64(), layerId: r.uint(16), direction: r.uint(8) });
    case 'FLOW_DELETED':
      return finalize({
        kind,
        header: r.header(),
        startTime: r.u64(),
        bytesOut: r.u64(),
        bytesIn: r.u64(),
        packetsTagged: r.u64(),
        packetsDropped: r.u64(),
        segmentsOut: r.uint(32),
        segmentsIn: r.uint(32),
        layerId: r.uint(16),
        reason: r.uint(16),
      });
    case 'LOSS':
      return finalize({ kind, header: r.header(), lost: r.u64(), totalLost: r.u64(), reason: r.uint(32) });
    case 'FLOW_INFO':
      return finalize({
        kind,
        header: r.header(),
        processId: r.u64(),
        startTime: r.u64(),
        bytesOut: r.u64(),
        bytesIn: r.u64(),
        packetsTagged: r.u64(),
        endpoints: r.endpoints(),
        segmentsOut: r.uint(32),
        segmentsIn: r.uint(32),
        appProtocol: r.uint(8),
        appPath: r.text(2048, 'utf16le'),
      });
  }
}

/** Every record kind of the contract. */
export const ALL_KINDS: readonly ContractRecord['kind'][] = Object.keys(EventType) as ContractRecord['kind'][];
