/*
 * Every command, spawned as the real bin against the simulator (WFPKIT_BACKEND=sim), with a state
 * file of its own per test file so persistent callouts carry between processes like a reboot-free
 * Windows machine.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', 'bin', 'monitor-cli.js');
const capture = path.resolve(__dirname, '..', '..', 'simulator', 'test', 'fixtures', 'loopback.pcapng');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-cli-test-'));
const env = { ...process.env, WFPKIT_BACKEND: 'sim', WFPSIM_STATE_FILE: path.join(dir, 'state.bin') };
const APP = 'C:\\Program Files\\Example\\app.exe';

interface Summary {
  apps: string[];
  flows: number;
  workloadFlows: number;
  flowsByProtocol: Record<string, number>;
  filtersAdded: number;
  filtersLeft: number;
  bytesIn: number;
  endedBy: string;
  packetsTagged: number;
  packetsDropped: number;
  verdicts: { sent: number; delivered: number; dropped: number; unknown: number };
  latencyUs: { p50: number | null; p99: number | null };
}

const run = (args: string[], extraEnv: Record<string, string> = {}) =>
  childProcess.spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 60_000 });

const oneLineReason = (stderr: string): string => {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('monitor-cli: using the wfpkit simulator') && !l.startsWith("monitor-cli: installed wfpkit's callouts in the simulator"));
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
};

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('monitor-cli commands against the simulator (spawned bin)', () => {
  it('says on its first stderr line that the simulator is in use', () => {
    const r = run(['status']);
    expect(r.stderr.split('\n')[0]).toMatch(/^monitor-cli: using the wfpkit simulator \(WFPKIT_BACKEND=sim\)/);
    const forced = run(['--sim', 'status'], { WFPKIT_BACKEND: '' });
    expect(forced.stderr.split('\n')[0]).toMatch(/using the wfpkit simulator \(--sim\)/);
  });

  it('addcallouts, status, delcallouts: persistent objects in, idempotent, all out', () => {
    const add = run(['addcallouts']);
    expect(add.status).toBe(0);
    expect(add.stdout).toMatch(/^added \d+ wfpkit objects/);
    const again = run(['addcallouts', '--format', 'json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ type: 'addcallouts', added: 0 });
    const status = JSON.parse(run(['status', '--format', 'json']).stdout) as { driver: { loaded: boolean; contract: string }; callouts: { installed: number; provider: boolean } };
    expect(status.driver).toMatchObject({ loaded: true, contract: '1.0' });
    expect(status.callouts.provider).toBe(true);
    expect(status.callouts.installed).toBeGreaterThanOrEqual(4);
    const del = run(['removecallouts', '--format', 'jsonl']);
    expect(del.status).toBe(0);
    expect(JSON.parse(del.stdout)).toMatchObject({ type: 'delcallouts' });
    expect((JSON.parse(del.stdout) as { removed: number }).removed).toBeGreaterThanOrEqual(6);
    const after = JSON.parse(run(['status', '--format', 'json']).stdout) as { callouts: { installed: number; provider: boolean }; filters: number };
    expect(after.callouts).toMatchObject({ installed: 0, provider: false });
    expect(after.filters).toBe(0);
    expect(JSON.parse(run(['delcallouts', '--format', 'json']).stdout)).toMatchObject({ removed: 0 });
  });

  it('monitor runs a seeded synthetic workload for the app with packet tagging and prints the summary; its filters are gone after', () => {
    const r = run(['monitor', APP, '--duration', '1.5', '--rate', '8', '--drop-rate', '0.05', '--format', 'json']);
    expect(r.status).toBe(0);
    // on a fresh simulator state the callouts are installed first, and it says so
    expect(r.stderr).toMatch(/installed wfpkit's callouts in the simulator/);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.apps).toEqual([APP]);
    expect(s.flows).toBeGreaterThan(0);
    expect(s.flows).toBe(s.workloadFlows);
    expect(s.bytesIn).toBeGreaterThan(0);
    expect(s.packetsTagged).toBeGreaterThan(s.flows);
    expect(s.packetsTagged).toBe(s.verdicts.sent + s.verdicts.delivered + s.verdicts.dropped + s.verdicts.unknown);
    expect(s.packetsDropped).toBe(s.verdicts.dropped);
    expect(s.verdicts.dropped).toBeGreaterThan(0);
    expect(s.latencyUs.p50).toBeGreaterThan(0);
    expect(s.latencyUs.p99).toBeGreaterThanOrEqual(s.latencyUs.p50 ?? Infinity);
    // flow established v4/v6, stream v4/v6, the transport tag layers v4/v6 both ways, their 8 discard layers
    expect(s.filtersAdded).toBe(16);
    expect(s.filtersLeft).toBe(0);
    expect(s.endedBy).toBe('--duration 1.5');
    // the same seed gives the same flows
    const again = JSON.parse(run(['monitor', APP, '--duration', '1.5', '--rate', '8', '--drop-rate', '0.05', '--format', 'json']).stdout) as Summary;
    expect(again.flowsByProtocol).toBeDefined();
    expect(run(['monitor', APP, '--duration', '1', '--drop-rate', '1.5']).status).toBe(2);
  });

  it('replay and monitor --replay give the same answer on a capture; text summary table', () => {
    const opts = ['--seed', '3', '--drop-rate', '0.1', '--format', 'json'];
    const a = JSON.parse(run(['replay', capture, ...opts]).stdout) as Record<string, unknown>;
    const b = JSON.parse(run(['monitor', 'C:\\Windows\\System32\\wfpsim-app.exe', '--replay', capture, ...opts]).stdout) as Record<string, unknown>;
    const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'command' && k !== 'elapsedMs' && k !== 'ringHighWater'));
    expect(a['flows']).toBe(3);
    expect(a['packetsTagged']).toBe(39);
    expect(a['packetsDropped']).toBeGreaterThan(0);
    expect(strip(a)).toEqual(strip(b));
    // another seed of the packet model drops other packets
    const c = JSON.parse(run(['replay', capture, '--seed', '4', '--drop-rate', '0.1', '--format', 'json']).stdout) as Record<string, unknown>;
    expect(c['packetsTagged']).toBe(39);
    expect(strip(c)).not.toEqual(strip(a));
    const text = run(['replay', capture]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^summary of replay$/m);
    expect(text.stdout).toMatch(/^ {2}flows +3 of 3 in the traffic$/m);
    expect(text.stdout).toMatch(/^ {2}by protocol +http1 2, tls 1$/m);
    expect(text.stdout).toMatch(/^ {2}packets tagged +39$/m);
    expect(text.stdout).toMatch(/^ {2}in-stack latency p50 \/ p99 +\d+µs \/ \d+µs$/m);
  });

  it('replay --map assigns flows by local port: only the mapped app is monitored', () => {
    const flows = run(['flows', '--replay', capture, '--format', 'jsonl']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { endpoints: { local: { port: number } } });
    const port = flows[0]?.endpoints.local.port ?? 0;
    const r = run(['replay', capture, '--map', `${port}=C:\\apps\\browser.exe`, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ apps: ['C:\\apps\\browser.exe'], flows: 1 });
    // with --app too: one session per app, each flow in the session of its app
    const both = run(['flows', 'C:\\apps\\other.exe', '--replay', capture, '--map', `${port}=C:\\apps\\browser.exe`, '--format', 'jsonl']);
    expect(both.status).toBe(0);
    const owners = both.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { app: { path: string }; endpoints: { local: { port: number } } })
      .map((f) => `${f.endpoints.local.port} ${f.app.path}`)
      .sort();
    const others = flows.map((f) => f.endpoints.local.port).filter((p) => p !== port);
    expect(owners).toEqual([`${port} \\device\\harddiskvolume3\\apps\\browser.exe`, ...others.map((p) => `${p} \\device\\harddiskvolume3\\apps\\other.exe`)].sort());
    expect(both.stderr).toMatch(/^ {2}apps +C:\\apps\\other\.exe, C:\\apps\\browser\.exe$/m);
    expect(both.stderr).toMatch(/^ {2}dynamic filters added \/ left +32 \/ 0$/m);
    // the same app twice is a usage error
    expect(run(['replay', capture, '--map', `${port}=C:\\apps\\x.exe,${port + 1}=C:\\APPS\\X.exe`]).status).toBe(2);
  });

  it('flows, events and packets stream in text, json and jsonl; --output writes the file', () => {
    const jsonl = run(['flows', '--replay', capture, '--format', 'jsonl']);
    expect(jsonl.status).toBe(0);
    const flows = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { appProtocol: string; http?: { host?: string }; packets: { tagged: number }; latency?: { p50Us: number; p99Us: number } });
    expect(flows.map((f) => f.appProtocol).sort()).toEqual(['http1', 'http1', 'tls']);
    // each flow with its tagged packets and their in-stack latency
    expect(flows.map((f) => f.packets.tagged).reduce((a, b) => a + b, 0)).toBe(39);
    for (const f of flows) expect(f.latency?.p99Us).toBeGreaterThanOrEqual(f.latency?.p50Us ?? Infinity);
    expect(flows.some((f) => f.http?.host === 'wfpkit.test:18080')).toBe(true);
    const json = JSON.parse(run(['flows', '--replay', capture, '--format', 'json']).stdout) as unknown[];
    expect(json).toHaveLength(3);
    const text = run(['flows', '--replay', capture]);
    expect(text.stdout).toMatch(/^PROTO +LOCAL +DIR +REMOTE +SNI\/HOST +OUT +IN +TAGGED +DROPPED +P50 +P99 +MS +APP$/m);
    expect(text.stdout).toMatch(/wfpkit\.test:18080/);
    expect(text.stderr).toMatch(/summary of flows/);
    const events = run(['events', '--replay', capture, '--format', 'jsonl']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; record: { kind: string } });
    expect(events.filter((e) => e.type === 'flow' && e.record.kind === 'FLOW_ESTABLISHED')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'flow-deleted')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'packet-tagged')).toHaveLength(39);
    expect(events.filter((e) => e.type === 'packet-notify').length).toBeGreaterThan(39);
    const eventsText = run(['events', '--replay', capture]);
    expect(eventsText.stdout).toMatch(/^flow +\d+ FLOW_ESTABLISHED flow=\d+/m);
    expect(eventsText.stdout).toMatch(/^packet-tagged +\d+ PACKET_TAGGED flow=\d+/m);
    const packets = run(['packets', '--replay', capture, '--format', 'json']);
    expect(packets.status).toBe(0);
    const fates = JSON.parse(packets.stdout) as { verdict: string; inStackLatencyUs?: number }[];
    expect(fates).toHaveLength(39);
    expect(fates.every((f) => (f.verdict === 'sent' || f.verdict === 'delivered') && (f.inStackLatencyUs ?? 0) > 0)).toBe(true);
    expect(packets.stderr).toMatch(/^ {2}packets tagged +39$/m);
    const packetsText = run(['packets', '--replay', capture]);
    expect(packetsText.stdout).toMatch(/^ *FLOW +SEQ +DIR +IP +BYTES +VERDICT +REASON +LATENCY$/m);
    expect(packetsText.stdout).toMatch(/ delivered +removed +\d+µs$/m);
    const out = path.join(dir, 'flows.jsonl');
    const toFile = run(['flows', '--replay', capture, '--format', 'jsonl', '--output', out]);
    expect(toFile.status).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('--anonymize maps addresses consistently (same key, same answer) and keeps none of the originals', () => {
    const a = run(['flows', '--replay', capture, '--format', 'jsonl', '--anonymize', 'a passphrase of mine']).stdout;
    const b = run(['flows', '--replay', capture, '--format', 'jsonl', '--anonymize', 'a passphrase of mine']).stdout;
    expect(a).toBe(b);
    expect(a).not.toMatch(/127\.0\.0\.1/);
    expect(a).not.toMatch(/"::1"/);
    expect(run(['flows', '--replay', capture, '--anonymize', 'short']).status).toBe(2);
  });

  it('counters and doctor', () => {
    const c = run(['counters', '--format', 'json']);
    expect(c.status).toBe(0);
    const counters = JSON.parse(c.stdout) as { session: { eventsProduced: string; eventsDelivered: string; eventsDropped: string }; global: { flowTableCapacity: number; sessionsOpen: number } };
    expect(BigInt(counters.session.eventsProduced)).toBe(BigInt(counters.session.eventsDelivered) + BigInt(counters.session.eventsDropped));
    expect(counters.global.sessionsOpen).toBe(1);
    expect(counters.global.flowTableCapacity).toBeGreaterThan(0);
    expect(run(['counters']).stdout).toMatch(/^ring +\d+ bytes/m);
    expect(run(['delcallouts']).status).toBe(0);
    const d = run(['doctor']);
    expect(d.stdout).toMatch(/^ok {4}backend: the simulator is in use/m);
    expect(d.stdout).toMatch(/^FAIL {2}callouts: .*\n {6}fix: monitor-cli addcallouts$/m);
    expect(d.status).toBe(1);
    expect(run(['addcallouts']).status).toBe(0);
    const fixed = run(['doctor', '--format', 'json']);
    expect(fixed.status).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ ok: true });
    expect(run(['delcallouts']).status).toBe(0);
  });

  it('driver commands off Windows: a clear one-line message and exit 1', () => {
    for (const action of ['install', 'uninstall', 'start', 'stop']) {
      const r = run(['driver', action]);
      expect(r.status).toBe(1);
      expect(oneLineReason(r.stderr)).toMatch(new RegExp(`driver ${action} works on Windows only`));
    }
    expect(run(['driver', 'reboot']).status).toBe(2);
  });

  it('documented exit codes with a one-line reason: usage, unknown app, missing or corrupt capture, driver missing, not elevated', () => {
    const unknownApp = run(['monitor', 'notepad.exe']);
    expect(unknownApp.status).toBe(2);
    expect(oneLineReason(unknownApp.stderr)).toMatch(/unknown app "notepad\.exe".*give a full Windows path/);
    const missing = run(['replay', path.join(dir, 'nope.pcap')]);
    expect(missing.status).toBe(2);
    expect(oneLineReason(missing.stderr)).toMatch(/does not exist: give the path of a pcap or pcapng file/);
    const corrupt = path.join(dir, 'corrupt.pcapng');
    fs.writeFileSync(corrupt, fs.readFileSync(capture).subarray(0, 100));
    const bad = run(['replay', corrupt]);
    expect(bad.status).toBe(1);
    expect(oneLineReason(bad.stderr)).toMatch(/capture is malformed at byte 0.*give a complete pcap or pcapng capture/);
    const notCapture = path.join(dir, 'text.pcap');
    fs.writeFileSync(notCapture, 'hello, this is not a capture\n');
    expect(run(['replay', notCapture]).status).toBe(1);
    const badOpt = run(['monitor', APP, '--duration', 'soon']);
    expect(badOpt.status).toBe(2);
    expect(run(['monitor']).status).toBe(2);
    expect(run(['--format', 'xml', 'status']).status).toBe(2);
    expect(run(['flows', APP, '--map', 'x=y']).status).toBe(2);
    const noDriver = run(['monitor', APP, '--duration', '1'], { WFPKIT_SIM_DRIVER: 'absent' });
    expect(noDriver.status).toBe(4);
    expect(oneLineReason(noDriver.stderr)).toMatch(/driver is not loaded.*monitor-cli driver install/);
    const notElevated = run(['counters'], { WFPKIT_SIM_ELEVATED: '0' });
    expect(notElevated.status).toBe(3);
    expect(oneLineReason(notElevated.stderr)).toMatch(/elevated prompt/);
  });

  it('SIGTERM ends a monitor cleanly: summary printed, filters gone', async () => {
    const child = childProcess.spawn(process.execPath, [bin, 'monitor', APP, '--format', 'json'], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 800));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(err).toMatch(/using the wfpkit simulator/);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ endedBy: 'SIGTERM', filtersAdded: 16, filtersLeft: 0 });
  });
});
