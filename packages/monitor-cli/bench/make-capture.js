#!/usr/bin/env node
// Writes a large classic pcap (LINKTYPE_RAW, microsecond timestamps) of complete, valid TCP
// flows for the replay benchmark: handshake, a TLS ClientHello (SNI + ALPN) to port 443 or an
// HTTP/1.1 GET (Host) to port 80, a response of TLS application-data records / an HTTP body in
// MSS-sized segments with client ACKs, then FIN both ways. IPv4 header and TCP checksums are
// right. Every flow has its own 5-tuple (client 10.x.y.z, port 20000..59999), so neither tshark
// nor the simulator can merge two flows.
//
// usage: node make-capture.js OUT.pcap SIZE_MB [SEED]
'use strict';
const { Buffer } = require('node:buffer');
const fs = require('node:fs');

const MSS = 1460;

function checksumAdd(buf, start, end, sum) {
  let s = sum;
  let i = start;
  for (; i + 1 < end; i += 2) s += (buf[i] << 8) | buf[i + 1];
  if (i < end) s += buf[i] << 8;
  return s;
}
function fold(s) {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** A deterministic PRNG (xorshift32). */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function clientHello(sni, random) {
  const name = Buffer.from(sni, 'ascii');
  const sniExt = Buffer.alloc(4 + 2 + 3 + name.length);
  sniExt.writeUInt16BE(0, 0);
  sniExt.writeUInt16BE(2 + 3 + name.length, 2);
  sniExt.writeUInt16BE(3 + name.length, 4);
  sniExt[6] = 0;
  sniExt.writeUInt16BE(name.length, 7);
  name.copy(sniExt, 9);
  const alpnList = Buffer.from([2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')]);
  const alpn = Buffer.alloc(4 + 2 + alpnList.length);
  alpn.writeUInt16BE(16, 0);
  alpn.writeUInt16BE(2 + alpnList.length, 2);
  alpn.writeUInt16BE(alpnList.length, 4);
  alpnList.copy(alpn, 6);
  const versions = Buffer.from([0, 43, 0, 5, 4, 0x03, 0x04, 0x03, 0x03]);
  const groups = Buffer.from([0, 10, 0, 6, 0, 4, 0, 0x1d, 0, 0x17]);
  const exts = Buffer.concat([sniExt, alpn, versions, groups]);
  const suites = Buffer.from([0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30]);
  const body = Buffer.alloc(2 + 32 + 1 + 32 + 2 + suites.length + 2 + 2 + exts.length);
  let o = 0;
  body.writeUInt16BE(0x0303, o);
  o += 2;
  for (let i = 0; i < 32; i++) body[o++] = random() & 0xff;
  body[o++] = 32;
  for (let i = 0; i < 32; i++) body[o++] = random() & 0xff;
  body.writeUInt16BE(suites.length, o);
  o += 2;
  suites.copy(body, o);
  o += suites.length;
  body[o++] = 1;
  body[o++] = 0;
  body.writeUInt16BE(exts.length, o);
  o += 2;
  exts.copy(body, o);
  const hs = Buffer.alloc(4 + body.length);
  hs[0] = 1;
  hs.writeUIntBE(body.length, 1, 3);
  body.copy(hs, 4);
  const rec = Buffer.alloc(5 + hs.length);
  rec[0] = 22;
  rec.writeUInt16BE(0x0301, 1);
  rec.writeUInt16BE(hs.length, 3);
  hs.copy(rec, 5);
  return rec;
}

/** TLS application-data records filling `size` bytes (records of at most 16 KiB). */
function tlsAppData(size, random) {
  const out = Buffer.alloc(size);
  let o = 0;
  while (o < size) {
    const len = Math.min(16384, size - o - 5);
    if (len <= 0) break;
    out[o] = 23;
    out.writeUInt16BE(0x0303, o + 1);
    out.writeUInt16BE(len, o + 3);
    for (let i = 0; i < len; i += 4) out.writeUInt32LE(random(), o + 5 + Math.min(i, len - 4));
    o += 5 + len;
  }
  return out.subarray(0, o);
}

function httpResponse(size) {
  const head = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: `;
  let bodyLen = size - head.length - 10;
  if (bodyLen < 0) bodyLen = 0;
  const h = Buffer.from(`${head}${bodyLen}\r\n\r\n`, 'latin1');
  const body = Buffer.alloc(bodyLen, 0x61);
  return Buffer.concat([h, body]);
}

class PcapWriter {
  constructor(file) {
    this.fd = fs.openSync(file, 'w');
    this.buf = Buffer.alloc(8 << 20);
    this.at = 0;
    this.bytes = 0;
    this.packets = 0;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(101, 20); // LINKTYPE_RAW
    this.write(h);
  }
  write(b) {
    if (this.at + b.length > this.buf.length) this.flush();
    b.copy(this.buf, this.at);
    this.at += b.length;
    this.bytes += b.length;
  }
  flush() {
    let o = 0;
    while (o < this.at) o += fs.writeSync(this.fd, this.buf, o, this.at - o);
    this.at = 0;
  }
  /** One IPv4/TCP packet. */
  packet(usec, src, dst, sport, dport, seq, ack, flags, payload) {
    const plen = payload ? payload.length : 0;
    const len = 20 + 20 + plen;
    if (this.at + 16 + len > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.at;
    b.writeUInt32LE(Math.floor(usec / 1e6), o);
    b.writeUInt32LE(usec % 1e6, o + 4);
    b.writeUInt32LE(len, o + 8);
    b.writeUInt32LE(len, o + 12);
    o += 16;
    const ip = o;
    b.fill(0, ip, ip + 40);
    b[ip] = 0x45;
    b.writeUInt16BE(len, ip + 2);
    b.writeUInt16BE(0x4000, ip + 6);
    b[ip + 8] = 64;
    b[ip + 9] = 6;
    b.writeUInt32BE(src, ip + 12);
    b.writeUInt32BE(dst, ip + 16);
    b.writeUInt16BE(fold(checksumAdd(b, ip, ip + 20, 0)), ip + 10);
    const t = ip + 20;
    b.writeUInt16BE(sport, t);
    b.writeUInt16BE(dport, t + 2);
    b.writeUInt32BE(seq >>> 0, t + 4);
    b.writeUInt32BE(ack >>> 0, t + 8);
    b[t + 12] = 5 << 4;
    b[t + 13] = flags;
    b.writeUInt16BE(64240, t + 14);
    if (payload) payload.copy(b, t + 20);
    // pseudo header: src, dst, zero+proto, tcp length
    let s = checksumAdd(b, ip + 12, ip + 20, 6 + 20 + plen);
    s = checksumAdd(b, t, t + 20 + plen, s);
    b.writeUInt16BE(fold(s), t + 16);
    this.at = t + 20 + plen;
    this.bytes += 16 + len;
    this.packets++;
  }
  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

/**
 * Writes flows until the file holds at least `minBytes`.
 * @returns {{ file: string, bytes: number, packets: number, flows: number, tls: number, http: number }}
 */
function makeCapture(file, minBytes, seed = 1) {
  const random = rng(seed);
  const w = new PcapWriter(file);
  let usec = 1_700_000_000 * 1e6;
  let flows = 0;
  let tls = 0;
  let http = 0;
  const server = [0x5db8d822, 0xc0000210, 0xc6336414, 0xcb007107]; // 93.184.216.34, 192.0.2.16, 198.51.100.20, 203.0.113.7
  while (w.bytes < minBytes) {
    const i = flows++;
    const client = (10 << 24) | ((i >>> 14) & 0xffff) * 4 + 1; // 10.x.y.z, a new address every 16384 flows... kept unique with the port below
    const cport = 20000 + (i % 16384) * 2 + 1;
    const isTls = i % 3 !== 2;
    const sip = server[i % server.length];
    const sport = isTls ? 443 : 80;
    let cseq = random();
    let sseq = random();
    const step = () => (usec += 5 + (random() & 63));
    w.packet(step(), client, sip, cport, sport, cseq, 0, SYN, null);
    cseq++;
    w.packet(step(), sip, client, sport, cport, sseq, cseq, SYN | ACK, null);
    sseq++;
    w.packet(step(), client, sip, cport, sport, cseq, sseq, ACK, null);
    const request = isTls
      ? clientHello(`www.site${i}.example.com`, random)
      : Buffer.from(`GET /files/${i} HTTP/1.1\r\nHost: host${i}.example.org\r\nUser-Agent: bench/1\r\nAccept: */*\r\n\r\n`, 'latin1');
    if (isTls) tls++;
    else http++;
    w.packet(step(), client, sip, cport, sport, cseq, sseq, PSH | ACK, request);
    cseq += request.length;
    const size = 6000 + (random() % 14000);
    const response = isTls ? tlsAppData(size, random) : httpResponse(size);
    let seg = 0;
    for (let o = 0; o < response.length; o += MSS) {
      const part = response.subarray(o, Math.min(response.length, o + MSS));
      w.packet(step(), sip, client, sport, cport, sseq, cseq, (o + MSS >= response.length ? PSH : 0) | ACK, part);
      sseq += part.length;
      if (++seg % 2 === 0 || o + MSS >= response.length) w.packet(step(), client, sip, cport, sport, cseq, sseq, ACK, null);
    }
    w.packet(step(), client, sip, cport, sport, cseq, sseq, FIN | ACK, null);
    cseq++;
    w.packet(step(), sip, client, sport, cport, sseq, cseq, FIN | ACK, null);
    sseq++;
    w.packet(step(), client, sip, cport, sport, cseq, sseq, ACK, null);
  }
  w.close();
  return { file, bytes: w.bytes, packets: w.packets, flows, tls, http };
}

module.exports = { makeCapture };

if (require.main === module) {
  const [file, mb, seed] = process.argv.slice(2);
  if (!file || !mb) {
    process.stderr.write('usage: node make-capture.js OUT.pcap SIZE_MB [SEED]\n');
    process.exit(2);
  }
  const r = makeCapture(file, Number(mb) * 1e6, Number(seed ?? 1));
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
