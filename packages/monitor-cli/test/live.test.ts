/*
 * The live view in a real terminal (tmux: a detached session of a fixed size, keys sent, the
 * screen captured), Ctrl-C and SIGTERM cleanup, by spawning the real bin against the simulator.
 * Each test uses its own tmux server (-L) and kills only that one.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', 'bin', 'monitor-cli.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-cli-live-'));
const state = path.join(dir, 'state.bin');
const env = { ...process.env, WFPKIT_BACKEND: 'sim', WFPSIM_STATE_FILE: state };
const APP = 'C:\\Program Files\\Example\\app.exe';

const haveTmux = childProcess.spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
// On CI a missing tmux fails instead of skipping.
const withTmux = haveTmux || process.env['CI'] ? it : it.skip;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tmux server of this test only. */
class Tmux {
  readonly socket = `monitor-cli-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  run(...args: string[]): string {
    const r = childProcess.spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** The visible screen (with -S, also that many lines of history). */
  screen(history = 0): string {
    return this.run('capture-pane', '-p', '-t', 'live', ...(history ? ['-S', `-${history}`] : []));
  }

  async waitFor(re: RegExp, ms: number, history = 0): Promise<string> {
    const end = Date.now() + ms;
    let text = '';
    while (Date.now() < end) {
      text = this.screen(history);
      if (re.test(text)) return text;
      await sleep(100);
    }
    throw new Error(`the terminal never showed ${re}; it shows:\n${text}`);
  }

  kill(): void {
    childProcess.spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('monitor live view in a terminal (tmux)', () => {
  withTmux('shows the flows table live, and Ctrl-C restores the screen, prints the summary and leaves no dynamic filter', async () => {
    const tmux = new Tmux();
    try {
      tmux.run('new-session', '-d', '-s', 'live', '-x', '150', '-y', '40', '-e', `WFPSIM_STATE_FILE=${state}`, '-e', 'WFPKIT_BACKEND=', 'bash --norc --noprofile');
      tmux.run('send-keys', '-t', 'live', `PS1='$ '; clear; ${shellQuote(process.execPath)} ${shellQuote(bin)} monitor --sim ${shellQuote(APP)} --drop-rate 0.05; echo "EXIT=$?"`, 'Enter');
      // the live view: header with totals, then the flows table with tagged packets and latencies
      const live = await tmux.waitFor(/^(tls|http1|http2|ssh) .* \d+µs +\d+µs +(active|ended)$/m, 20_000);
      expect(live).toMatch(/^monitor-cli monitor C:\\Program Files\\Example\\app\.exe {2}\(simulator\) {2}Ctrl-C to stop/m);
      expect(live).toMatch(/^flows \d+ \(active \d+\) {2}out .* {2}tagged [1-9]\d* {2}dropped \d+ {2}p50 \d+µs {2}p99 \d+µs$/m);
      expect(live).toMatch(/^ring [\d.]+% \(high-water [\d.]+%\) {2}ring loss 0 {2}untagged 0 {2}events \d+$/m);
      expect(live).toMatch(/^PROTO +LOCAL +REMOTE +SNI\/HOST +OUT +IN +TAGGED +DROP +P50 +P99 +STATE$/m);
      // it is redrawn: the clock in the title moves on
      const t0 = Number(/Ctrl-C to stop {2}(\d+)s/.exec(live)?.[1]);
      await tmux.waitFor(new RegExp(`Ctrl-C to stop {2}(?!${t0}s)\\d+s`), 5_000);

      tmux.run('send-keys', '-t', 'live', 'C-c');
      const after = await tmux.waitFor(/^EXIT=\d+$/m, 20_000, 200);
      expect(after).toMatch(/^EXIT=0$/m);
      // the alternate screen is gone: the summary is on the normal screen, the live view is not
      expect(after).not.toMatch(/Ctrl-C to stop/);
      expect(after).toMatch(/^summary of monitor$/m);
      expect(after).toMatch(/^ {2}ended by +Ctrl-C$/m);
      expect(after).toMatch(/^ {2}packets tagged +[1-9]\d*$/m);
      expect(after).toMatch(/^ {2}in-stack latency p50 \/ p99 +\d+µs \/ \d+µs$/m);
      expect(after).toMatch(/^ {2}dynamic filters added \/ left +16 \/ 0$/m);
    } finally {
      tmux.kill();
    }
    // the filtering engine has no wfpkit filter left (the callouts the first run installed stay)
    const status = childProcess.spawnSync(process.execPath, [bin, 'status', '--format', 'json'], { encoding: 'utf8', env });
    expect(status.status).toBe(0);
    const s = JSON.parse(status.stdout) as { filters: number; dynamicFilters: string[]; callouts: { provider: boolean } };
    expect(s.callouts.provider).toBe(true);
    expect(s.filters).toBe(0);
    expect(s.dynamicFilters).toEqual([]);
  });
});

describe('signals end a session cleanly', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the workload stops, the summary is printed, the filters are gone, exit 0`, async () => {
      const child = childProcess.spawn(process.execPath, [bin, 'packets', APP, '--format', 'jsonl', '--rate', '20'], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // wait until fate records flow
      const end = Date.now() + 20_000;
      while (out.split('\n').length < 20 && Date.now() < end) await sleep(50);
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(0);
      const fates = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { verdict: string });
      expect(fates.length).toBeGreaterThanOrEqual(20);
      expect(err).toMatch(new RegExp(`^ {2}ended by +${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}$`, 'm'));
      // every packet tagged before the stop has its fate record on stdout
      expect(err).toMatch(new RegExp(`^ {2}packets tagged +${fates.length}$`, 'm'));
      expect(err).toMatch(/^ {2}dynamic filters added \/ left +16 \/ 0$/m);
    });
  }
});
