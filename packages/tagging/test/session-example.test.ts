// The guide's TaggingSession example (examples/session.js, docs/guides/packet-tagging.md) runs on
// the simulator and prints what the guide shows. It uses the built packages (the test target
// builds them first).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('examples/session.js prints the fates and flows the guide shows', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '../examples/session.js')], { encoding: 'utf8', env: { ...process.env, WFPKIT_BACKEND: 'sim' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual([
    'tagging \\device\\harddiskvolume3\\windows\\system32\\curl.exe at outbound-transport, inbound-transport',
    'flow 127.0.0.1:39126 -> 127.0.0.1:18080 http1 host=wfpkit.test:18080: 11 tagged, 5 sent, 4 delivered, 2 dropped p50 26.35 µs',
    'flow ::1:34070 -> ::1:18081 http1 host=v6.wfpkit.test: 11 tagged, 6 sent, 5 delivered, 0 dropped p50 21.95 µs',
    'dropped: outbound packet 3 of flow 65536, 123 bytes, discarded at layer 5 after 8.6 µs',
    'dropped: inbound packet 5 of flow 65536, 217 bytes, discarded at layer 13 after 25.2 µs',
    '22 packets tagged: 11 sent, 9 delivered, 2 dropped, 0 unknown',
    'records: produced 76 = delivered 76 + dropped 0',
  ]);
});
