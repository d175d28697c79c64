// A TaggingSession on the simulator: the wfpkit driver runs inside libwfpsim, a capture of curl's
// loopback traffic is replayed through the modelled stack with two segments dropped on purpose,
// and the session reports every tagged packet's fate and every flow. Run after building:
//   npx nx run-many -t build && node packages/tagging/examples/session.js
'use strict';
const path = require('node:path');
const { loadDriver, runCapture, unloadDriver } = require('@wfpkit/simulator');
const { defaultTransport } = require('@wfpkit/ioctl-client');
const { TaggingSession } = require('@wfpkit/tagging');

const CAPTURE = path.join(__dirname, '../../simulator/test/fixtures/loopback.pcap');

async function main(log = console.log) {
  loadDriver(); // on Windows: the installed wfpkit.sys
  await TaggingSession.installCallouts(); // once, from an elevated prompt
  const session = await TaggingSession.start({ app: 'C:\\Windows\\System32\\curl.exe' });
  log(`tagging ${session.appPath} at ${session.layers.join(', ')}`);

  // Read the fate records while the traffic runs (packets() ends when the session stops).
  const dropped = [];
  const reading = (async () => {
    for await (const fate of session.packets()) {
      if (fate.verdict === 'dropped') dropped.push(fate);
    }
  })();

  // curl's two HTTP requests and an openssl TLS connection (not curl's: not monitored);
  // frames 4 (a request, outbound) and 6 (a response, inbound) are dropped inside the stack.
  runCapture(CAPTURE, {
    apps: [
      { processId: 7312, path: session.appPath },
      { localPort: 35200, processId: 9001, path: '\\device\\harddiskvolume3\\program files\\openssl\\bin\\openssl.exe' },
    ],
    lifecycle: { seed: 1, dropFrames: [4, 6] },
  });

  const summary = await session.stop();
  await reading;

  for (const f of session.snapshot().flows.reverse()) {
    const l = f.latency ? ` p50 ${f.latency.p50Us} µs` : '';
    log(`flow ${f.endpoints.local.address}:${f.endpoints.local.port} -> ${f.endpoints.remote.address}:${f.endpoints.remote.port} ${f.appProtocol} host=${f.http?.host}: ${f.packets.tagged} tagged, ${f.packets.sent} sent, ${f.packets.delivered} delivered, ${f.packets.dropped} dropped${l}`);
  }
  for (const d of dropped) {
    log(`dropped: ${d.direction} packet ${d.seq} of flow ${d.flowId}, ${d.bytes} bytes, discarded at layer ${d.discard?.layerId} after ${d.inStackLatencyUs} µs`);
  }
  const t = summary.totals;
  log(`${t.packetsTagged} packets tagged: ${t.sent} sent, ${t.delivered} delivered, ${t.dropped} dropped, ${t.unknown} unknown`);
  const c = summary.counters.session;
  log(`records: produced ${c.eventsProduced} = delivered ${c.eventsDelivered} + dropped ${c.eventsDropped}`);

  await TaggingSession.removeCallouts();
  await defaultTransport().dispose();
  unloadDriver();
}

module.exports = { main };
if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
