// Feeds hand-made driver records through the wire codec and the trackers, and prints the
// packet fate records and the flow record. Run after building:
//   npx tsc -b packages/tagging && node packages/tagging/examples/fates.js
'use strict';
const { Direction, EventType, NblEventType, NotifyFlags, AppProtocol, FlowEndReason, encodeRecord, decodeRecord, sizeOfRecord } = require('@wfpkit/ioctl-client');
const { PacketFateTracker, FlowTracker, LatencySummary, filetimeToDate } = require('@wfpkit/tagging');

const T0 = 133_484_544_000_000_000n; // 2023-12-31T00:00:00Z as a FILETIME
const FLOW = 0x1234n;
const us = (n) => BigInt(n) * 10n; // microseconds -> 100 ns ticks
const header = (type, at, flowId = FLOW) => ({ type, flags: 0, size: 0, timestamp: T0 + at, flowId });
const addr4 = (...b) => Uint8Array.from([...b, ...new Array(12).fill(0)]);
const alpn = (...names) => Uint8Array.from(names.flatMap((n) => [n.length, ...[...n].map((c) => c.charCodeAt(0))]));

const tag = (context, at, seq, direction) => ({
  kind: 'PACKET_TAGGED', header: header(EventType.PACKET_TAGGED, at), context, packetLength: 1280, sequence: seq,
  layerId: 24, direction, ipVersion: 4, snap: new Uint8Array(0),
});
const nbl = (context, eventType, at, notifyFlags = 0, newContext = 0n) => ({
  kind: 'PACKET_NOTIFY', header: header(EventType.PACKET_NOTIFY, at), context, newContext, eventType, layerId: 24, notifyFlags,
});

/** The records a driver session could have delivered for one short TLS connection. */
function records() {
  return [
    {
      kind: 'FLOW_ESTABLISHED', header: header(EventType.FLOW_ESTABLISHED, 0n), processId: 4711n, layerId: 44,
      endpoints: { ipVersion: 4, ipProtocol: 6, direction: Direction.OUTBOUND, localPort: 50123, remotePort: 443, localAddress: addr4(192, 168, 1, 10), remoteAddress: addr4(93, 184, 216, 34) },
      appPath: '\\device\\harddiskvolume3\\program files\\browser\\browser.exe',
    },
    tag(1n, us(10), 1, Direction.OUTBOUND), // ClientHello
    nbl(1n, NblEventType.EXIT_NETIO, us(42)),
    nbl(1n, NblEventType.NDIS_SEND_COMPLETE, us(65)),
    nbl(1n, NblEventType.CONTEXT_REMOVED, us(66)), // -> sent
    {
      kind: 'FLOW_CLASSIFIED', header: header(EventType.FLOW_CLASSIFIED, us(70)), appProtocol: AppProtocol.TLS, direction: Direction.OUTBOUND,
      tlsVersion: 0x0304, httpStatus: 0, sni: 'example.com', alpn: alpn('h2', 'http/1.1'), host: '', method: '', path: '', banner: '',
    },
    tag(2n, us(900), 1, Direction.INBOUND), // ServerHello
    nbl(2n, NblEventType.CONTEXT_REMOVED, us(931)), // -> delivered
    tag(3n, us(1000), 2, Direction.OUTBOUND),
    nbl(3n, NblEventType.CLONED_BY_NETIO, us(1004), NotifyFlags.CONTEXT_MOVED, 4n), // continues as context 4
    nbl(4n, NblEventType.EXIT_NETIO, us(1030)),
    nbl(4n, NblEventType.CONTEXT_REMOVED, us(1031)), // -> sent, clones: 1
    tag(5n, us(1100), 3, Direction.OUTBOUND),
    nbl(5n, NblEventType.CONTEXT_REMOVED, us(1180)), // never left the stack -> dropped
    {
      kind: 'FLOW_DELETED', header: header(EventType.FLOW_DELETED, us(250_000)), startTime: T0, bytesOut: 2048n, bytesIn: 5120n,
      packetsTagged: 4n, packetsDropped: 1n, segmentsOut: 3, segmentsIn: 2, layerId: 44, reason: FlowEndReason.FLOW_DELETE,
    },
  ];
}

function main(log = console.log) {
  // Encode the records back to back, as READ_EVENTS returns them, then decode them again.
  const list = records();
  const buffer = new ArrayBuffer(list.reduce((n, r) => n + sizeOfRecord(r), 0));
  const view = new DataView(buffer);
  let offset = 0;
  for (const r of list) offset += encodeRecord(view, offset, r);

  const latency = new LatencySummary();
  const flows = new FlowTracker({
    onFlow: (f) => log(`flow ${f.flowId} ${f.app.path} ${f.endpoints.local.address}:${f.endpoints.local.port} -> ${f.endpoints.remote.address}:${f.endpoints.remote.port} ` +
      `${f.appProtocol} sni=${f.tls?.sni} alpn=${f.tls?.alpn.join(',')} out=${f.bytes.out} in=${f.bytes.in} ` +
      `packets=${JSON.stringify(f.packets)} ${f.durationMs} ms (${f.endReason})`),
  });
  const fates = new PacketFateTracker({
    flowDeleteGraceMs: 0,
    onFate: (fate) => {
      latency.add(fate);
      flows.pushFate(fate);
      log(`packet seq=${fate.seq} ${fate.direction} ${fate.verdict.padEnd(9)} in-stack ${fate.inStackLatencyUs ?? '-'} µs clones=${fate.clones} events=${fate.events}`);
    },
  });
  for (let at = 0; at < buffer.byteLength; ) {
    const record = decodeRecord(view, at);
    at += record.header.size;
    if (record.kind === 'UNKNOWN') continue;
    fates.push(record);
    flows.push(record);
  }
  const all = latency.overall();
  log(`in-stack latency: p50 ${all?.p50Us} µs, p99 ${all?.p99Us} µs over ${all?.count} packets; clock ${filetimeToDate(fates.now).toISOString()}`);
}

module.exports = { main, records };
if (require.main === module) main();
