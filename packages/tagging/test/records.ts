// Test helpers: contract record objects, as decodeRecord returns them.
import type {
  FlowClassifiedRecord,
  FlowDeletedRecord,
  FlowEstablishedRecord,
  LossRecord,
  PacketNotifyRecord,
  PacketTaggedRecord,
  RecordHeader,
  StreamDataRecord,
} from '@wfpkit/ioctl-client';
import { AppProtocol, Direction, EventType, FlowEndReason, LossReason } from '@wfpkit/ioctl-client';

/** 2023-12-31T00:00:00Z */
export const T0 = 133_484_544_000_000_000n;

function header(type: number, size: number, timestamp: bigint, flowId: bigint, flags = 0): RecordHeader {
  return { type, flags, size, timestamp, flowId };
}

export function tagged(o: { context: bigint; at: bigint; flowId?: bigint; seq?: number; inbound?: boolean; bytes?: number; layerId?: number; ipVersion?: number }): PacketTaggedRecord {
  return {
    kind: 'PACKET_TAGGED',
    header: header(EventType.PACKET_TAGGED, 48, o.at, o.flowId ?? 1n),
    context: o.context,
    packetLength: o.bytes ?? 1500,
    sequence: o.seq ?? 0,
    layerId: o.layerId ?? 20,
    direction: o.inbound === true ? Direction.INBOUND : Direction.OUTBOUND,
    ipVersion: o.ipVersion ?? 4,
    snap: new Uint8Array(0),
  };
}

export function notify(context: bigint, eventType: number, at: bigint, o: { flags?: number; newContext?: bigint; flowId?: bigint; layerId?: number } = {}): PacketNotifyRecord {
  return {
    kind: 'PACKET_NOTIFY',
    header: header(EventType.PACKET_NOTIFY, 48, at, o.flowId ?? 1n),
    context,
    newContext: o.newContext ?? 0n,
    eventType,
    layerId: o.layerId ?? 20,
    notifyFlags: o.flags ?? 0,
  };
}

export function flowDeleted(flowId: bigint, at: bigint, o: Partial<Omit<FlowDeletedRecord, 'kind' | 'header'>> = {}): FlowDeletedRecord {
  return {
    kind: 'FLOW_DELETED',
    header: header(EventType.FLOW_DELETED, 80, at, flowId),
    startTime: o.startTime ?? T0,
    bytesOut: o.bytesOut ?? 0n,
    bytesIn: o.bytesIn ?? 0n,
    packetsTagged: o.packetsTagged ?? 0n,
    packetsDropped: o.packetsDropped ?? 0n,
    segmentsOut: o.segmentsOut ?? 0,
    segmentsIn: o.segmentsIn ?? 0,
    layerId: o.layerId ?? 0,
    reason: o.reason ?? FlowEndReason.FLOW_DELETE,
  };
}

export function loss(at: bigint, lost: bigint, reason: number = LossReason.RING_FULL): LossRecord {
  return { kind: 'LOSS', header: header(EventType.LOSS, 48, at, 0n), lost, totalLost: lost, reason };
}

export function addr4(a: number, b: number, c: number, d: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set([a, b, c, d]);
  return out;
}

export function established(flowId: bigint, at: bigint, o: { inbound?: boolean; ipVersion?: number; local?: Uint8Array; remote?: Uint8Array; localPort?: number; remotePort?: number; path?: string; pid?: bigint; protocol?: number; flags?: number } = {}): FlowEstablishedRecord {
  return {
    kind: 'FLOW_ESTABLISHED',
    header: header(EventType.FLOW_ESTABLISHED, 80, at, flowId, o.flags ?? 0),
    processId: o.pid ?? 4242n,
    endpoints: {
      ipVersion: o.ipVersion ?? 4,
      ipProtocol: o.protocol ?? 6,
      direction: o.inbound === true ? Direction.INBOUND : Direction.OUTBOUND,
      localPort: o.localPort ?? 50000,
      remotePort: o.remotePort ?? 443,
      localAddress: o.local ?? addr4(192, 168, 1, 10),
      remoteAddress: o.remote ?? addr4(93, 184, 216, 34),
    },
    layerId: 44,
    appPath: o.path ?? '\\device\\harddiskvolume3\\program files\\app\\app.exe',
  };
}

export function classified(flowId: bigint, at: bigint, o: Partial<Omit<FlowClassifiedRecord, 'kind' | 'header'>> & { inbound?: boolean } = {}): FlowClassifiedRecord {
  return {
    kind: 'FLOW_CLASSIFIED',
    header: header(EventType.FLOW_CLASSIFIED, 48, at, flowId),
    appProtocol: o.appProtocol ?? AppProtocol.TLS,
    direction: o.inbound === true ? Direction.INBOUND : Direction.OUTBOUND,
    tlsVersion: o.tlsVersion ?? 0,
    httpStatus: o.httpStatus ?? 0,
    sni: o.sni ?? '',
    alpn: o.alpn ?? new Uint8Array(0),
    host: o.host ?? '',
    method: o.method ?? '',
    path: o.path ?? '',
    banner: o.banner ?? '',
  };
}

export function streamData(flowId: bigint, at: bigint, length: number, inbound = false): StreamDataRecord {
  return {
    kind: 'STREAM_DATA',
    header: header(EventType.STREAM_DATA, 48, at, flowId),
    streamOffset: 0n,
    indicatedLength: length,
    streamFlags: 0,
    direction: inbound ? Direction.INBOUND : Direction.OUTBOUND,
    data: new Uint8Array(0),
  };
}
