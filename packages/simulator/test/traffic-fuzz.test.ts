// libFuzzer on the simulator's capture reader + TCP reassembly (fuzz/traffic_fuzz.c),
// run for a bounded time from the committed seed corpus (fuzz/corpus/traffic).
// Needs clang with the libFuzzer runtime; skipped without it unless CI is set.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const pkg = path.resolve(__dirname, '..');
const clang = process.env.CLANG ?? 'clang';
const seconds = Number(process.env.WFPKIT_FUZZ_SECONDS ?? 20);
const sources = fs
  .readdirSync(path.join(pkg, 'native', 'src', 'traffic'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => path.join(pkg, 'native', 'src', 'traffic', f));

function libFuzzerWorks(dir: string): boolean {
  const probe = path.join(dir, 'probe.c');
  fs.writeFileSync(
    probe,
    '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\n' +
      'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n',
  );
  const exe = path.join(dir, 'probe');
  const built = childProcess.spawnSync(clang, ['-fsanitize=fuzzer,address,undefined', probe, '-o', exe], { stdio: 'ignore' });
  return built.status === 0 && childProcess.spawnSync(exe, ['-runs=1'], { stdio: 'ignore' }).status === 0;
}

describe('traffic fuzzer (capture reader + reassembly)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpsim-traffic-fuzz-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  if (!libFuzzerWorks(dir)) {
    const why = `${clang} with libFuzzer is not available (install clang and libclang-rt-14-dev)`;
    if (process.env.CI) {
      it('has clang with libFuzzer on CI', () => {
        throw new Error(why);
      });
    } else {
      console.warn(`skipping the traffic fuzzer: ${why}`);
      it.skip(`runs the traffic fuzzer (skipped: ${why})`, () => undefined);
    }
    return;
  }

  it(
    `runs ${seconds} s from the seed corpus without a finding`,
    async () => {
      const exe = path.join(dir, 'traffic_fuzz');
      childProcess.execFileSync(clang, [
        '-g', '-O1', '-std=c11', '-Wall', '-Wextra', '-Werror',
        '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all',
        '-I', path.join(pkg, 'native', 'include'),
        ...sources, path.join(pkg, 'fuzz', 'traffic_fuzz.c'), '-o', exe,
      ]);
      // New inputs go to a scratch corpus; the committed seeds are only read.
      const scratch = path.join(dir, 'corpus');
      fs.mkdirSync(scratch);
      const args = [
        `-max_total_time=${seconds}`, '-rss_limit_mb=2048', '-timeout=10', '-print_final_stats=1',
        `-artifact_prefix=${dir}${path.sep}`, scratch, path.join(pkg, 'fuzz', 'corpus', 'traffic'),
      ];
      const result = await new Promise<{ code: number | null; log: string }>((resolve) => {
        const child = childProcess.spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let log = '';
        child.stdout.on('data', (d: Buffer) => (log += d.toString()));
        child.stderr.on('data', (d: Buffer) => (log += d.toString()));
        child.on('close', (code) => resolve({ code, log }));
      });
      const tail = result.log.split('\n').slice(-40).join('\n');
      expect({ code: result.code, tail: result.code === 0 ? '' : tail }).toEqual({ code: 0, tail: '' });
      expect(result.log).toMatch(/stat::number_of_executed_units:\s+[1-9]/);
    },
    (seconds + 120) * 1000,
  );
});
