/**
 * pcapng writer for tagged packets (`--pcapng FILE`): one Section Header Block, one
 * Interface Description Block (LINKTYPE_RAW: each packet starts at its IPv4 or IPv6 header;
 * if_tsresol 10^-7 s, so FILETIME ticks keep their 100 ns precision), and one Enhanced
 * Packet Block per tagged packet with its direction (epb_flags) and a comment carrying the
 * application and the packet's fate (opt_comment), readable by Wireshark and tshark.
 *
 * The driver's snap starts at the transport header at the transport layers and at the IP
 * header at the IP packet layers (told apart by the PACKET_TAGGED layer id). For a
 * transport-layer snap the writer puts a minimal IPv4/IPv6 header in front, built from the
 * flow's 5-tuple and the packet length, so Wireshark decodes the TCP/UDP header after it.
 */
import { LAYERS } from '@wfpkit/fwpm-bindings';
import type { ContractRecord, PacketTaggedRecord } from '@wfpkit/ioctl-client';
import { Direction, EventType } from '@wfpkit/ioctl-client';
import type { FlowEndpointsInfo, PacketFate } from '@wfpkit/tagging';
import { FILETIME_UNIX_EPOCH, ticksToMicroseconds } from '@wfpkit/tagging';
import type { AddressAnonymizer } from './cryptopan';
import { addressToBytes } from './cryptopan';
import type { OutputTarget } from './sink';
import { openOutput } from './sink';

/** LINKTYPE_RAW: the packet starts at an IPv4 or IPv6 header (the version nibble tells which). */
export const LINKTYPE_RAW = 101;

/** Default `--snaplen`: bytes of each packet kept (as pktmon's default). */
export const DEFAULT_SNAPLEN = 128;

/** Runtime ids (FWPS_BUILTIN_LAYERS) of the layers whose packets start at the IP header. */
const IP_PACKET_LAYER_IDS: ReadonlySet<number> = new Set(
  [
    LAYERS.INBOUND_IPPACKET_V4,
    LAYERS.INBOUND_IPPACKET_V4_DISCARD,
    LAYERS.INBOUND_IPPACKET_V6,
    LAYERS.INBOUND_IPPACKET_V6_DISCARD,
    LAYERS.OUTBOUND_IPPACKET_V4,
    LAYERS.OUTBOUND_IPPACKET_V4_DISCARD,
    LAYERS.OUTBOUND_IPPACKET_V6,
    LAYERS.OUTBOUND_IPPACKET_V6_DISCARD,
  ].flatMap((l) => ('runtimeId' in l && typeof l.runtimeId === 'number' ? [l.runtimeId] : [])),
);

/**
 * True when a PACKET_TAGGED snap taken at runtime layer `layerId` starts at the IP header
 * (the IP packet layers); false when it starts at the transport header (the transport layers).
 *
 * @param layerId - `PacketTaggedRecord.layerId` (an FWPS_BUILTIN_LAYERS value).
 * @example
 * ```ts
 * import { LAYERS } from '@wfpkit/fwpm-bindings';
 * import { snapStartsAtIpHeader } from 'monitor-cli';
 * snapStartsAtIpHeader(LAYERS.OUTBOUND_IPPACKET_V4.runtimeId); // true
 * snapStartsAtIpHeader(LAYERS.OUTBOUND_TRANSPORT_V4.runtimeId); // false
 * ```
 */
export function snapStartsAtIpHeader(layerId: number): boolean {
  return IP_PACKET_LAYER_IDS.has(layerId);
}

/** A flow's addresses for the synthesized IP header: the contract's `FlowEndpoints` fits as is. */
export interface PacketEndpoints {
  /** IP protocol number (6 TCP, 17 UDP). */
  ipProtocol: number;
  /** This host's address, network order (IPv4 in the first 4 bytes). */
  localAddress: Uint8Array;
  /** The peer's address, network order. */
  remoteAddress: Uint8Array;
}

/**
 * Converts a tagging FlowRecord's endpoints (address text) to {@link PacketEndpoints}.
 *
 * @param info - `FlowRecord.endpoints`.
 */
export function packetEndpointsOf(info: FlowEndpointsInfo): PacketEndpoints {
  return { ipProtocol: info.ipProtocol, localAddress: addressToBytes(info.local.address), remoteAddress: addressToBytes(info.remote.address) };
}

/** One tagged packet to write. */
export interface PcapngPacket {
  /** FILETIME when it was tagged (the PACKET_TAGGED header timestamp). */
  timestamp: bigint;
  /** Runtime layer id where it was tagged. */
  layerId: number;
  /** 4 or 6. */
  ipVersion: number;
  /** Direction. */
  direction: 'outbound' | 'inbound';
  /** Bytes from the snap's start to the end of the packet. */
  packetLength: number;
  /** The captured first bytes (PACKET_TAGGED snap). */
  snap: Uint8Array;
  /** The flow's addresses; required when the snap starts at the transport header. */
  endpoints?: PacketEndpoints;
  /** Comment (app and fate) for the packet. */
  comment?: string;
}

/** Options of the pcapng writer and of {@link buildIpPacket}. */
export interface PcapngOptions {
  /** Most bytes kept of each packet, synthesized IP header included (default {@link DEFAULT_SNAPLEN}; 0 = no limit but the snap). */
  snaplen?: number;
  /** Keep no payload: cut each packet after its TCP/UDP header (after the IP header for other protocols). */
  headersOnly?: boolean;
  /** Anonymise the IP addresses in the packet bytes (checksums are fixed up). */
  anonymizer?: AddressAnonymizer;
}

/** A packet ready for a LINKTYPE_RAW block. */
export interface BuiltPacket {
  /** Bytes to write (captured length = `data.length`). */
  data: Uint8Array;
  /** Length of the whole packet on the wire, from the IP header on. */
  originalLength: number;
}

/** One's-complement sum of 16-bit big-endian words. */
function sum16(data: Uint8Array, start: number, end: number, initial = 0): number {
  let s = initial;
  let i = start;
  for (; i + 1 < end; i += 2) s += ((data[i] ?? 0) << 8) | (data[i + 1] ?? 0);
  if (i < end) s += (data[i] ?? 0) << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * Updates a checksum stored at `at` for `oldBytes` replaced by `newBytes` (RFC 1624:
 * HC' = ~(~HC + ~m + m')). Works on a truncated packet: the payload is not needed.
 */
function adjustChecksum(data: Uint8Array, at: number, oldBytes: Uint8Array, newBytes: Uint8Array, zeroMeansNone: boolean): void {
  if (at + 2 > data.length) return;
  const hc = ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
  if (zeroMeansNone && hc === 0) return;
  let s = ~hc & 0xffff;
  for (let i = 0; i + 1 < oldBytes.length; i += 2) {
    s += ~(((oldBytes[i] ?? 0) << 8) | (oldBytes[i + 1] ?? 0)) & 0xffff;
    s += ((newBytes[i] ?? 0) << 8) | (newBytes[i + 1] ?? 0);
  }
  let c = ~fold(s) & 0xffff;
  if (zeroMeansNone && c === 0) c = 0xffff;
  data[at] = c >> 8;
  data[at + 1] = c & 0xff;
}

function transportChecksumOffset(protocol: number): number | undefined {
  if (protocol === 6) return 16;
  if (protocol === 17) return 6;
  if (protocol === 58) return 2;
  return undefined;
}

function transportHeaderLength(protocol: number, data: Uint8Array, at: number): number {
  if (protocol === 6) {
    const off = data[at + 12];
    return off === undefined ? 20 : Math.max(20, (off >> 4) * 4);
  }
  if (protocol === 17) return 8;
  if (protocol === 1 || protocol === 58) return 8;
  return 0;
}

/** IPv6 extension headers walked to find the transport header. */
const IPV6_EXTENSIONS = new Set([0, 43, 60]);

/** Parses an IP header at the start of `data`: its length, protocol and address offsets. */
function parseIpHeader(data: Uint8Array): { version: number; headerLength: number; protocol: number; addrAt: number; addrLen: number } | undefined {
  const version = (data[0] ?? 0) >> 4;
  if (version === 4 && data.length >= 20) return { version, headerLength: ((data[0] ?? 0) & 0x0f) * 4, protocol: data[9] ?? 0, addrAt: 12, addrLen: 4 };
  if (version === 6 && data.length >= 40) {
    let next = data[6] ?? 0;
    let at = 40;
    while (IPV6_EXTENSIONS.has(next) && at + 8 <= data.length) {
      const n = data[at] ?? 0;
      at += ((data[at + 1] ?? 0) + 1) * 8;
      next = n;
    }
    if (next === 44 && at + 8 <= data.length) {
      next = data[at] ?? 0;
      at += 8;
    }
    return { version, headerLength: at, protocol: next, addrAt: 8, addrLen: 16 };
  }
  return undefined;
}

/**
 * Builds the LINKTYPE_RAW bytes of one tagged packet: the snap as is (IP packet layers) or
 * behind a synthesized IPv4/IPv6 header (transport layers; source and destination from the
 * flow's 5-tuple and the direction; IPv4 total length / IPv6 payload length from
 * `packetLength`; TTL/hop limit 128; IPv4 DF set and a correct header checksum). With an
 * anonymizer, both addresses are replaced and the IPv4 header checksum and the TCP/UDP/ICMPv6
 * checksum are updated incrementally (RFC 1624), which stays right on truncated packets.
 * Then the packet is cut after its transport header (`headersOnly`) and at `snaplen`.
 *
 * @param packet - The tagged packet.
 * @param options - snaplen, headersOnly, anonymizer.
 * @throws TypeError when a transport-layer packet has no endpoints, or its IP version is not 4 or 6.
 */
export function buildIpPacket(packet: PcapngPacket, options: PcapngOptions = {}): BuiltPacket {
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  let data: Uint8Array;
  let originalLength: number;
  if (snapStartsAtIpHeader(packet.layerId)) {
    data = Uint8Array.from(packet.snap);
    originalLength = Math.max(packet.packetLength, data.length);
    const ip = parseIpHeader(data);
    if (ip !== undefined && options.anonymizer !== undefined) {
      const oldAddrs = data.slice(ip.addrAt, ip.addrAt + 2 * ip.addrLen);
      const src = options.anonymizer.anonymizeBytes(ip.version, oldAddrs.subarray(0, ip.addrLen));
      const dst = options.anonymizer.anonymizeBytes(ip.version, oldAddrs.subarray(ip.addrLen));
      data.set(src, ip.addrAt);
      data.set(dst, ip.addrAt + ip.addrLen);
      const newAddrs = data.slice(ip.addrAt, ip.addrAt + 2 * ip.addrLen);
      if (ip.version === 4) adjustChecksum(data, 10, oldAddrs, newAddrs, false);
      const csum = transportChecksumOffset(ip.protocol);
      if (csum !== undefined && ip.protocol !== 1) adjustChecksum(data, ip.headerLength + csum, oldAddrs, newAddrs, ip.protocol === 17 && ip.version === 4);
    }
    if (options.headersOnly === true && ip !== undefined) {
      data = data.subarray(0, ip.headerLength + transportHeaderLength(ip.protocol, data, ip.headerLength));
    }
  } else {
    const ep = packet.endpoints;
    if (ep === undefined) throw new TypeError('buildIpPacket: a transport-layer packet needs its flow endpoints to synthesize the IP header');
    const v = packet.ipVersion;
    if (v !== 4 && v !== 6) throw new TypeError(`buildIpPacket: IP version must be 4 or 6, got ${v}`);
    const alen = v === 4 ? 4 : 16;
    const out = packet.direction === 'outbound';
    const origSrc = (out ? ep.localAddress : ep.remoteAddress).subarray(0, alen);
    const origDst = (out ? ep.remoteAddress : ep.localAddress).subarray(0, alen);
    let src = origSrc;
    let dst = origDst;
    if (options.anonymizer !== undefined) {
      src = options.anonymizer.anonymizeBytes(v, origSrc);
      dst = options.anonymizer.anonymizeBytes(v, origDst);
    }
    const hl = v === 4 ? 20 : 40;
    const transport = options.headersOnly === true ? packet.snap.subarray(0, Math.min(packet.snap.length, transportHeaderLength(ep.ipProtocol, packet.snap, 0))) : packet.snap;
    data = new Uint8Array(hl + transport.length);
    if (v === 4) {
      const total = Math.min(0xffff, hl + packet.packetLength);
      data[0] = 0x45;
      data[2] = total >> 8;
      data[3] = total & 0xff;
      data[6] = 0x40; // DF
      data[8] = 128;
      data[9] = ep.ipProtocol;
      data.set(src, 12);
      data.set(dst, 16);
      const c = ~sum16(data, 0, 20) & 0xffff;
      data[10] = c >> 8;
      data[11] = c & 0xff;
    } else {
      const payload = Math.min(0xffff, packet.packetLength);
      data[0] = 0x60;
      data[4] = payload >> 8;
      data[5] = payload & 0xff;
      data[6] = ep.ipProtocol;
      data[7] = 128;
      data.set(src, 8);
      data.set(dst, 24);
    }
    data.set(transport, hl);
    const csum = transportChecksumOffset(ep.ipProtocol);
    if (options.anonymizer !== undefined && csum !== undefined && ep.ipProtocol !== 1) {
      const oldAddrs = new Uint8Array(2 * alen);
      oldAddrs.set(origSrc);
      oldAddrs.set(origDst, alen);
      adjustChecksum(data, hl + csum, oldAddrs, data.slice(v === 4 ? 12 : 8, (v === 4 ? 12 : 8) + 2 * alen), ep.ipProtocol === 17 && v === 4);
    }
    originalLength = hl + packet.packetLength;
  }
  if (snaplen > 0 && data.length > snaplen) data = data.subarray(0, snaplen);
  return { data, originalLength: Math.max(originalLength, data.length) };
}

const BOM = 0x1a2b3c4d;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes options (code, value) followed by opt_endofopt. */
function encodeOptions(options: readonly [number, Uint8Array][]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  const size = options.reduce((s, [, v]) => s + 4 + pad4(v.length), 0) + 4;
  const b = Buffer.alloc(size);
  let at = 0;
  for (const [code, v] of options) {
    b.writeUInt16LE(code, at);
    b.writeUInt16LE(v.length, at + 2);
    b.set(v, at + 4);
    at += 4 + pad4(v.length);
  }
  return b; // the last 4 bytes are zero: opt_endofopt
}

function block(type: number, body: Uint8Array): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  b.set(body, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** Options of {@link PcapngWriter}. */
export interface PcapngWriterOptions extends PcapngOptions {
  /** shb_userappl: the program that wrote the file (default `monitor-cli`). */
  application?: string;
  /** if_name of the single interface (default `wfpkit`). */
  interfaceName?: string;
  /** if_description (default: what the packets are). */
  interfaceDescription?: string;
}

/**
 * Streams tagged packets to a pcapng file. Open with {@link PcapngWriter.toFile} (the file
 * appears atomically on {@link PcapngWriter.close}; {@link PcapngWriter.abort} leaves none)
 * or on any {@link OutputTarget}.
 *
 * @example
 * ```ts
 * import { PcapngWriter } from 'monitor-cli';
 * const pcap = PcapngWriter.toFile('out.pcapng', { snaplen: 128 });
 * pcap.writePacket({ timestamp, layerId, ipVersion: 4, direction: 'outbound', packetLength, snap, endpoints, comment: 'app=curl.exe fate=sent' });
 * await pcap.close();
 * ```
 */
export class PcapngWriter {
  /** Enhanced Packet Blocks written. */
  packets = 0;
  private readonly options: PcapngWriterOptions;
  private closed = false;

  /**
   * Writes the Section Header Block and the Interface Description Block at once.
   * @param target - Where the bytes go.
   * @param options - snaplen, headersOnly, anonymizer, names.
   */
  constructor(
    private readonly target: OutputTarget,
    options: PcapngWriterOptions = {},
  ) {
    this.options = options;
    const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 0 || snaplen > 0xffff) throw new RangeError(`--snaplen must be an integer from 0 to 65535, got ${snaplen}`);
    const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
    const shbHead = Buffer.alloc(16);
    shbHead.writeUInt32LE(BOM, 0);
    shbHead.writeUInt16LE(1, 4);
    shbHead.writeUInt16LE(0, 6);
    shbHead.writeBigInt64LE(-1n, 8); // section length not specified
    target.write(block(0x0a0d0d0a, Buffer.concat([shbHead, encodeOptions([[4, enc(options.application ?? 'monitor-cli')]])])));
    const idbHead = Buffer.alloc(8);
    idbHead.writeUInt16LE(LINKTYPE_RAW, 0);
    idbHead.writeUInt32LE(snaplen, 4);
    const idbOpts = encodeOptions([
      [2, enc(options.interfaceName ?? 'wfpkit')],
      [3, enc(options.interfaceDescription ?? 'packets tagged by the wfpkit WFP callout driver')],
      [9, Uint8Array.of(7)], // if_tsresol: 10^-7 s (FILETIME ticks)
    ]);
    target.write(block(0x00000001, Buffer.concat([idbHead, idbOpts])));
  }

  /**
   * Opens `file` atomically and writes the headers.
   * @param file - Path of the pcapng file.
   * @param options - snaplen, headersOnly, anonymizer, names.
   * @throws OutputError when the file cannot be created.
   */
  static toFile(file: string, options: PcapngWriterOptions = {}): PcapngWriter {
    const target = openOutput({ file });
    try {
      return new PcapngWriter(target, options);
    } catch (e) {
      target.abort();
      throw e;
    }
  }

  /**
   * Writes one packet as an Enhanced Packet Block (see {@link buildIpPacket}); epb_flags
   * carries its direction, opt_comment its comment.
   * @param packet - The packet.
   */
  writePacket(packet: PcapngPacket): void {
    const built = buildIpPacket(packet, this.options);
    const ticks = packet.timestamp > FILETIME_UNIX_EPOCH ? packet.timestamp - FILETIME_UNIX_EPOCH : 0n;
    const opts: [number, Uint8Array][] = [];
    if (packet.comment !== undefined && packet.comment !== '') opts.push([1, Buffer.from(packet.comment, 'utf8')]);
    const flags = Buffer.alloc(4);
    flags.writeUInt32LE(packet.direction === 'inbound' ? 1 : 2, 0);
    opts.push([2, flags]);
    const encoded = encodeOptions(opts);
    const body = Buffer.alloc(20 + pad4(built.data.length) + encoded.length);
    body.writeUInt32LE(0, 0);
    body.writeUInt32LE(Number(ticks >> 32n), 4);
    body.writeUInt32LE(Number(ticks & 0xffff_ffffn), 8);
    body.writeUInt32LE(built.data.length, 12);
    body.writeUInt32LE(built.originalLength, 16);
    body.set(built.data, 20);
    body.set(encoded, 20 + pad4(built.data.length));
    this.target.write(block(0x00000006, body));
    this.packets++;
  }

  /** Finishes the file (atomically renamed into place for {@link PcapngWriter.toFile}). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.target.close();
  }

  /** Drops the file (nothing is left under its name). */
  abort(): void {
    this.closed = true;
    this.target.abort();
  }
}

/**
 * The comment of a packet in the pcapng file:
 * `app=<path> fate=<verdict> dir=<direction> flow=<id> seq=<n>` plus `latency_us=<µs>` when
 * known, `reason=<end reason>` unless it was a plain removal, and `loss-affected` when records
 * were lost meanwhile.
 *
 * @param app - The application's path (or name).
 * @param fate - The packet's fate record.
 * @example
 * ```ts
 * import { fateComment } from 'monitor-cli';
 * fateComment('C:\\tools\\curl.exe', fate); // 'app=C:\tools\curl.exe fate=sent dir=outbound flow=5 seq=1 latency_us=12.5'
 * ```
 */
export function fateComment(app: string, fate: Pick<PacketFate, 'verdict' | 'direction' | 'flowId' | 'seq' | 'inStackLatency' | 'reason' | 'lossAffected'>): string {
  let s = `app=${app} fate=${fate.verdict} dir=${fate.direction} flow=${fate.flowId} seq=${fate.seq}`;
  if (fate.inStackLatency !== undefined) s += ` latency_us=${ticksToMicroseconds(fate.inStackLatency)}`;
  if (fate.reason !== 'removed') s += ` reason=${fate.reason}`;
  if (fate.lossAffected) s += ' loss-affected';
  return s;
}

/** Options of a {@link TaggedPacketCapture}. */
export interface TaggedPacketCaptureOptions {
  /** App shown when a flow's FLOW_ESTABLISHED (and its path) was not seen. */
  app?: string;
  /**
   * Most tagged packets held back (waiting for their own fate, or for the fates of packets
   * tagged before them); when one more comes, the oldest is written, with `fate=pending` if its
   * fate is still unknown (default 65 536).
   */
  maxPending?: number;
  /** Most flows whose endpoints are remembered (default 65 536; the oldest is forgotten). */
  maxFlows?: number;
}

interface HeldPacket {
  packet: PcapngPacket;
  flowId: bigint;
  seq: number;
  /** Set when its fate came: the packet can be written once the packets before it are. */
  ready: boolean;
  /** Written (or dropped from the queue) already. */
  gone: boolean;
}

/**
 * Joins what a session reads into pcapng packets: FLOW_ESTABLISHED records give each flow's
 * endpoints and app, PACKET_TAGGED records the snap bytes, and each `PacketFate` (from the
 * PacketFateTracker) the comment of {@link fateComment}. Packets are written in the order they
 * were tagged (so timestamps only go forward and Wireshark's TCP analysis sees the real order):
 * a packet waits until its fate and the fates of the packets tagged before it are known, or
 * until `maxPending` packets wait.
 *
 * @example
 * ```ts
 * import { PacketFateTracker } from '@wfpkit/tagging';
 * import { PcapngWriter, TaggedPacketCapture } from 'monitor-cli';
 * const capture = new TaggedPacketCapture(PcapngWriter.toFile('out.pcapng'));
 * const tracker = new PacketFateTracker({ onFate: (f) => capture.fate(f) });
 * for (const r of records) { capture.record(r); tracker.push(r); }
 * tracker.flush();
 * await capture.close();
 * ```
 */
export class TaggedPacketCapture {
  /** Fates whose PACKET_TAGGED snap was not seen (nothing written for them). */
  missingSnap = 0;
  /** Packets written before their fate was known (the hold was full, or at close). */
  writtenPending = 0;
  private readonly flows = new Map<bigint, { endpoints: PacketEndpoints; app: string }>();
  /** Held packets by `flowId:seq`. */
  private readonly held = new Map<string, HeldPacket>();
  /** Held packets in tag order, from `head` on. */
  private queue: HeldPacket[] = [];
  private head = 0;
  private readonly maxPending: number;
  private readonly maxFlows: number;
  private readonly app: string;

  /**
   * @param writer - The pcapng writer.
   * @param options - Fallback app name and memory caps.
   */
  constructor(
    readonly writer: PcapngWriter,
    options: TaggedPacketCaptureOptions = {},
  ) {
    this.app = options.app ?? 'unknown';
    this.maxPending = options.maxPending ?? 65_536;
    this.maxFlows = options.maxFlows ?? 65_536;
  }

  /** Remembers a flow's endpoints and app (as FLOW_ESTABLISHED does). */
  flow(flowId: bigint, endpoints: PacketEndpoints, app?: string): void {
    if (this.flows.size >= this.maxFlows && !this.flows.has(flowId)) {
      const oldest = this.flows.keys().next();
      if (oldest.done !== true) this.flows.delete(oldest.value);
    }
    this.flows.set(flowId, { endpoints, app: app !== undefined && app !== '' ? app : this.app });
  }

  /** Feeds a driver record: FLOW_ESTABLISHED and PACKET_TAGGED are used, others ignored. */
  record(record: ContractRecord): void {
    if (record.kind === 'FLOW_ESTABLISHED') this.flow(record.header.flowId, record.endpoints, record.appPath);
    else if (record.kind === 'PACKET_TAGGED') this.tagged(record);
  }

  /** Holds a PACKET_TAGGED record's snap until its fate (and those of the packets before it) arrive. */
  tagged(record: PacketTaggedRecord): void {
    if (record.header.type !== EventType.PACKET_TAGGED) return;
    const key = `${record.header.flowId}:${record.sequence}`;
    const f = this.flows.get(record.header.flowId);
    const packet: PcapngPacket = {
      timestamp: record.header.timestamp,
      layerId: record.layerId,
      ipVersion: record.ipVersion,
      direction: record.direction === Direction.INBOUND ? 'inbound' : 'outbound',
      packetLength: record.packetLength,
      snap: record.snap,
    };
    if (f !== undefined) packet.endpoints = f.endpoints;
    const old = this.held.get(key);
    if (old !== undefined) this.writeHead(old); // the same flow and sequence again: the older one goes out first
    if (this.held.size >= this.maxPending) this.writeOldest();
    const h: HeldPacket = { packet, flowId: record.header.flowId, seq: record.sequence, ready: false, gone: false };
    this.held.set(key, h);
    this.queue.push(h);
  }

  /** Writes the oldest held packet, pending or not. */
  private writeOldest(): void {
    while (this.head < this.queue.length) {
      const h = this.queue[this.head];
      if (h !== undefined && !h.gone) {
        this.writeHead(h);
        return;
      }
      this.head++;
    }
  }

  /** Writes held packet `h` now (as pending if its fate did not come). */
  private writeHead(h: HeldPacket): void {
    if (h.gone) return;
    h.gone = true;
    this.held.delete(`${h.flowId}:${h.seq}`);
    if (!h.ready) {
      const app = this.flows.get(h.flowId)?.app ?? this.app;
      h.packet.comment = `app=${app} fate=pending dir=${h.packet.direction} flow=${h.flowId} seq=${h.seq}`;
      this.writtenPending++;
    }
    this.writeOne(h.packet);
  }

  private writeOne(p: PcapngPacket): void {
    if (p.endpoints === undefined && !snapStartsAtIpHeader(p.layerId)) return; // no 5-tuple: no header to synthesize
    this.writer.writePacket(p);
  }

  /** Writes the ready packets at the front of the queue. */
  private flushReady(): void {
    while (this.head < this.queue.length) {
      const h = this.queue[this.head];
      if (h === undefined) break;
      if (!h.gone) {
        if (!h.ready) break;
        this.writeHead(h);
      }
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Records a packet's fate (comment of {@link fateComment}) and writes every packet that is now ready, in tag order. */
  fate(fate: PacketFate): void {
    const h = this.held.get(`${fate.flowId}:${fate.seq}`);
    if (h === undefined) {
      this.missingSnap++;
      return;
    }
    const f = this.flows.get(fate.flowId);
    if (h.packet.endpoints === undefined && f !== undefined) h.packet.endpoints = f.endpoints;
    h.packet.comment = fateComment(f?.app ?? this.app, fate);
    h.ready = true;
    this.flushReady();
  }

  /** Writes the packets still held (those without a fate as `fate=pending`) and closes the file. */
  async close(): Promise<void> {
    for (; this.head < this.queue.length; this.head++) {
      const h = this.queue[this.head];
      if (h !== undefined) this.writeHead(h);
    }
    this.queue = [];
    this.head = 0;
    await this.writer.close();
  }

  /** Drops the file. */
  abort(): void {
    this.held.clear();
    this.queue = [];
    this.head = 0;
    this.writer.abort();
  }
}
