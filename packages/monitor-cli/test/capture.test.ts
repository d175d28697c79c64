/*
 * --pcapng, --snaplen and --headers-only, and replay's progress bar, by spawning the real bin
 * against the simulator and reading what it wrote with tshark.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', 'bin', 'monitor-cli.js');
const capture = path.resolve(__dirname, '..', '..', 'simulator', 'test', 'fixtures', 'loopback.pcapng');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-cli-capture-'));
const env = { ...process.env, WFPKIT_BACKEND: 'sim', WFPSIM_STATE_FILE: path.join(dir, 'state.bin') };
const APP = 'C:\\Windows\\System32\\wfpsim-app.exe';

const run = (args: string[]) => childProcess.spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 60_000 });

const haveTshark = childProcess.spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
// On CI tshark is installed by scripts/setup.sh: a missing tshark fails there instead of skipping.
const withTshark = haveTshark || process.env['CI'] ? it : it.skip;

interface Fate {
  flowId: string;
  seq: number;
  direction: string;
  ipVersion: number;
  bytes: number;
  verdict: string;
}

interface TsharkPacket {
  len: number;
  capLen: number;
  ipHeader: number;
  tcpHeader: number;
  tcpLen: number;
  srcPort: number;
  dstPort: number;
  comment: string;
}

/** The packets of a pcapng as tshark reads them. */
function tshark(file: string): TsharkPacket[] {
  const fields = ['frame.len', 'frame.cap_len', 'ip.hdr_len', 'ipv6.plen', 'tcp.hdr_len', 'tcp.len', 'tcp.srcport', 'tcp.dstport', 'frame.comment'];
  const r = childProcess.spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [len, capLen, ipHdr, ipv6Plen, tcpHdr, tcpLen, src, dst, comment] = line.split('\t');
      return {
        len: Number(len),
        capLen: Number(capLen),
        ipHeader: ipHdr ? Number(ipHdr) : ipv6Plen ? 40 : NaN,
        tcpHeader: Number(tcpHdr),
        tcpLen: Number(tcpLen),
        srcPort: Number(src),
        dstPort: Number(dst),
        comment: comment ?? '',
      };
    });
}

/** The TCP port pairs of the input capture (either order). */
function capturePorts(): Set<string> {
  const r = childProcess.spawnSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport'], { encoding: 'utf8' });
  const out = new Set<string>();
  for (const l of r.stdout.trim().split('\n')) {
    const [a, b] = l.split('\t');
    out.add(`${a}-${b}`);
  }
  return out;
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('monitor-cli --pcapng (spawned bin, read back by tshark)', () => {
  withTshark('writes the tagged packets: the same packets as the packets output, comments with app and fate, snap 128', () => {
    const file = path.join(dir, 'tagged.pcapng');
    const r = run(['packets', '--replay', capture, '--seed', '5', '--drop-rate', '0.2', '--pcapng', file, '--format', 'jsonl']);
    expect(r.status).toBe(0);
    const fates = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Fate);
    expect(fates).toHaveLength(39);
    expect(fates.some((f) => f.verdict === 'dropped')).toBe(true);
    expect(r.stderr).toMatch(/wrote 39 tagged packets to /);
    const packets = tshark(file);
    expect(packets).toHaveLength(fates.length);
    const ports = capturePorts();
    const byKey = new Map(packets.map((p) => [/ flow=(\d+) seq=(\d+)/.exec(p.comment)?.slice(1).join(':') ?? '', p]));
    for (const f of fates) {
      const p = byKey.get(`${f.flowId}:${f.seq}`);
      expect(p).toBeDefined();
      if (!p) continue;
      // the comment carries the app and the fate
      expect(p.comment).toMatch(new RegExp(`^app=${APP.replace(/\\/g, '\\\\')} fate=${f.verdict} dir=${f.direction} flow=${f.flowId} seq=${f.seq}`));
      // the same packet: its length from the transport header is the fate's, its ports are the capture's
      expect(p.len - p.ipHeader).toBe(f.bytes);
      expect(ports.has(`${p.srcPort}-${p.dstPort}`)).toBe(true);
      // the default snap length is 128 bytes, like pktmon's
      expect(p.capLen).toBe(Math.min(p.len, 128));
    }
    // the payload is there (the HTTP request's Host) unless --headers-only
    expect(fs.readFileSync(file).includes('wfpkit.test:18080')).toBe(true);
  });

  withTshark('--snaplen sets the bytes kept; --headers-only keeps no payload byte at all', () => {
    const small = path.join(dir, 'small.pcapng');
    expect(run(['replay', capture, '--pcapng', small, '--snaplen', '64']).status).toBe(0);
    const s = tshark(small);
    expect(s).toHaveLength(39);
    expect(s.every((p) => p.capLen === Math.min(p.len, 64))).toBe(true);

    const headers = path.join(dir, 'headers.pcapng');
    const r = run(['replay', capture, '--pcapng', headers, '--headers-only']);
    expect(r.status).toBe(0);
    const h = tshark(headers);
    expect(h).toHaveLength(39);
    expect(h.some((p) => p.tcpLen > 0)).toBe(true);
    for (const p of h) {
      // cut right after the TCP header; the original length is kept
      expect(p.capLen).toBe(p.ipHeader + p.tcpHeader);
      expect(p.len).toBe(p.ipHeader + p.tcpHeader + p.tcpLen);
    }
    const bytes = fs.readFileSync(headers);
    expect(bytes.includes('wfpkit.test')).toBe(false);
    expect(bytes.includes('HTTP/1.1')).toBe(false);
  });

  it('a pcapng that cannot be written fails with a one-line reason and exit 1', () => {
    const r = run(['replay', capture, '--pcapng', path.join(dir, 'no-such-dir', 'x.pcapng')]);
    expect(r.status).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/using the wfpkit simulator|installed wfpkit's callouts/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^monitor-cli: .*no-such-dir/);
  });
});

describe('replay progress bar', () => {
  const haveScript = childProcess.spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  const big = path.join(dir, 'big.pcap');
  beforeAll(() => {
    // 20 MB of TLS/HTTP flows (the benchmark's generator), so the replay lasts long enough to draw
    const g = childProcess.spawnSync(process.execPath, [path.resolve(__dirname, '..', 'bench', 'make-capture.js'), big, '20'], { encoding: 'utf8' });
    expect(g.status).toBe(0);
  });

  (haveScript || process.env['CI'] ? it : it.skip)('is drawn on stderr when it is a terminal, and the answer is the same', () => {
    const out = path.join(dir, 'tty.json');
    const log = path.join(dir, 'tty.log');
    const cmd = [process.execPath, bin, 'replay', big, '--format', 'json', '--output', out].map((a) => `'${a}'`).join(' ');
    const r = childProcess.spawnSync('script', ['-q', '-e', '-c', cmd, log], { encoding: 'utf8', env, timeout: 120_000 });
    expect(r.status).toBe(0);
    const tty = fs.readFileSync(log, 'utf8');
    expect(tty).toMatch(/\rreplay {2}\[[#.]{24}\] +\d+% {2}[\d.]+ [kMG]?B\/20\.0 MB/);
    const piped = run(['replay', big, '--format', 'json']);
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toMatch(/\r|replay {2}\[/);
    const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'elapsedMs' && k !== 'ringHighWater'));
    const a = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(a['flows']).toBe(1389);
    expect(strip(a)).toEqual(strip(JSON.parse(piped.stdout) as Record<string, unknown>));
  });
});
