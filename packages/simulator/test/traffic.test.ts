// The simulator's traffic sources (native/src/traffic): each C unit program in
// native/test/traffic is compiled straight from the sources with ASan/UBSan and
// must end with "N passed, 0 failed". A generated capture is checked with tshark.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const native = path.resolve(__dirname, '..', 'native');
const sources = fs
  .readdirSync(path.join(native, 'src', 'traffic'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => path.join(native, 'src', 'traffic', f));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpsim-traffic-'));

function build(program: string): string {
  const exe = path.join(work, path.basename(program, '.c'));
  childProcess.execFileSync(
    'cc',
    ['-std=c11', '-Wall', '-Wextra', '-Werror', '-g', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined',
      '-I', path.join(native, 'include'), ...sources, path.join(native, 'test', 'traffic', program), '-o', exe],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return exe;
}

function runUnit(program: string, ...args: string[]): void {
  const exe = build(program);
  const r = childProcess.spawnSync(exe, args, { cwd: work, encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  const lines = r.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (r.status !== 0 || !/^\d+ passed, 0 failed$/.test(last)) {
    throw new Error(`${program} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  expect(last).toMatch(/^[1-9]\d* passed, 0 failed$/);
}

function have(cmd: string): boolean {
  return childProcess.spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

describe('traffic sources (C unit programs)', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('capture reader: link types, pcap/pcapng, IPv6 extension headers, error offsets', () => {
    runUnit('test_pcap.c');
  });

  it('TCP reassembly and the flow event interface', () => {
    runUnit('test_tcp.c');
  });

  it('seeded generator: determinism, callbacks equal the written pcap', () => {
    runUnit('test_gen.c');
  });

  it('reads the real loopback capture (pcap and pcapng) to identical events', () => {
    runUnit('test_fixture.c', path.resolve(__dirname, 'fixtures'));
  });

  it('tshark finds exactly the SNI / Host names the generator used', () => {
    if (!have('tshark')) {
      if (process.env.CI) throw new Error('tshark is required in CI (apt-get install tshark)');
      console.warn('traffic.test: tshark not installed; skipping the tshark check');
      return;
    }
    const tool = build('gen_tool.c');
    const pcap = path.join(work, 'generated.pcap');
    const gen = childProcess.spawnSync(tool, [pcap, '20240101', '40'], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    const want = gen.stdout.trim().split('\n').filter(Boolean).sort();
    expect(want.some((l) => l.startsWith('sni '))).toBe(true);
    expect(want.some((l) => l.startsWith('host '))).toBe(true);
    const ts = childProcess.spawnSync(
      'tshark',
      ['-r', pcap, '-T', 'fields', '-e', 'tls.handshake.extensions_server_name', '-e', 'http.host'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(ts.status).toBe(0);
    const got: string[] = [];
    for (const line of ts.stdout.split('\n')) {
      const [sni = '', host = ''] = line.split('\t');
      if (sni) got.push(`sni ${sni}`);
      if (host) got.push(`host ${host}`);
    }
    expect(got.sort()).toEqual(want);
  });
});
