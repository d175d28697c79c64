/*
 * A large capture made by repeating the flows of a small real one: each repetition gives every
 * client a new port (TCP checksum updated, RFC 1624) and moves the timestamps on, so the copies are
 * distinct connections that neither tshark nor the simulator can confuse with one another.
 */
import * as fs from 'node:fs';

interface Packet {
  readonly tsSec: number;
  readonly tsUsec: number;
  readonly data: Buffer;
  /** Offsets of the client port and the TCP checksum in data, or -1 (not TCP / no client side known). */
  readonly clientPortAt: number;
  readonly checksumAt: number;
}

/** Reads a classic microsecond little-endian pcap of Ethernet frames (what tcpdump writes). */
function readPcap(file: string): { header: Buffer; packets: Packet[] } {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: not a little-endian microsecond pcap`);
  if (buf.readUInt32LE(20) !== 1) throw new Error(`${file}: link type ${buf.readUInt32LE(20)} is not Ethernet`);
  const header = buf.subarray(0, 24);
  const raw: { tsSec: number; tsUsec: number; data: Buffer }[] = [];
  for (let o = 24; o + 16 <= buf.length; ) {
    const caplen = buf.readUInt32LE(o + 8);
    raw.push({ tsSec: buf.readUInt32LE(o), tsUsec: buf.readUInt32LE(o + 4), data: buf.subarray(o + 16, o + 16 + caplen) });
    o += 16 + caplen;
  }
  // The client of a connection is the SYN sender: find each connection's client port.
  const tcp = (d: Buffer): { l4: number; sport: number; dport: number; flags: number } | undefined => {
    const type = d.readUInt16BE(12);
    let l4: number;
    if (type === 0x0800 && d[23] === 6) l4 = 14 + ((d[14] ?? 0) & 0x0f) * 4;
    else if (type === 0x86dd && d[20] === 6) l4 = 14 + 40;
    else return undefined;
    return { l4, sport: d.readUInt16BE(l4), dport: d.readUInt16BE(l4 + 2), flags: d[l4 + 13] ?? 0 };
  };
  const clients = new Set<number>();
  for (const p of raw) {
    const t = tcp(p.data);
    if (t && (t.flags & 0x12) === 0x02) clients.add(t.sport);
  }
  const packets = raw.map((p): Packet => {
    const t = tcp(p.data);
    if (!t) return { ...p, clientPortAt: -1, checksumAt: -1 };
    if (clients.has(t.sport)) return { ...p, clientPortAt: t.l4, checksumAt: t.l4 + 16 };
    if (clients.has(t.dport)) return { ...p, clientPortAt: t.l4 + 2, checksumAt: t.l4 + 16 };
    return { ...p, clientPortAt: -1, checksumAt: -1 };
  });
  return { header, packets };
}

/**
 * Client ports start here: above the servers' ports of the source, because tshark tries the
 * dissector of the lower port first and ports such as 1080 or 1433 would hide HTTP and TLS.
 */
export const FIRST_CLIENT_PORT = 20000;

/** What {@link writeRepeatedCapture} wrote. */
export interface RepeatedCapture {
  readonly file: string;
  readonly bytes: number;
  readonly repetitions: number;
  readonly packets: number;
}

/**
 * Writes `out`: the packets of `source` repeated until the file holds at least `minBytes`, each
 * repetition `gapMs` later than the one before and with client port
 * `FIRST_CLIENT_PORT + repetition` (at most 45,535 repetitions).
 */
export function writeRepeatedCapture(source: string, out: string, minBytes: number, gapMs = 50): RepeatedCapture {
  const { header, packets } = readPcap(source);
  const perRep = packets.reduce((n, p) => n + 16 + p.data.length, 0);
  const repetitions = Math.ceil((minBytes - header.length) / perRep);
  if (repetitions > 65535 - FIRST_CLIENT_PORT) throw new RangeError(`${repetitions} repetitions of ${source} need more client ports than there are`);
  const first = packets[0];
  if (!first) throw new Error(`${source} holds no packet`);
  const fd = fs.openSync(out, 'w');
  try {
    fs.writeSync(fd, header);
    const chunk = Buffer.alloc(perRep);
    for (let r = 0; r < repetitions; r++) {
      const port = FIRST_CLIENT_PORT + r;
      const shiftUs = BigInt(r) * BigInt(gapMs * 1000);
      let o = 0;
      for (const p of packets) {
        const t = BigInt(p.tsSec) * 1000000n + BigInt(p.tsUsec) + shiftUs;
        chunk.writeUInt32LE(Number(t / 1000000n), o);
        chunk.writeUInt32LE(Number(t % 1000000n), o + 4);
        chunk.writeUInt32LE(p.data.length, o + 8);
        chunk.writeUInt32LE(p.data.length, o + 12);
        p.data.copy(chunk, o + 16);
        if (p.clientPortAt >= 0) {
          const at = o + 16 + p.clientPortAt;
          const ck = o + 16 + p.checksumAt;
          const old = chunk.readUInt16BE(at);
          // RFC 1624: HC' = ~(~HC + ~m + m')
          let sum = (~chunk.readUInt16BE(ck) & 0xffff) + (~old & 0xffff) + port;
          sum = (sum & 0xffff) + (sum >>> 16);
          sum = (sum & 0xffff) + (sum >>> 16);
          chunk.writeUInt16BE(port, at);
          chunk.writeUInt16BE(~sum & 0xffff, ck);
        }
        o += 16 + p.data.length;
      }
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { file: out, bytes: header.length + perRep * repetitions, repetitions, packets: packets.length * repetitions };
}
