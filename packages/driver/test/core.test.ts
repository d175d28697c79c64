// Drives the portable driver core (src/core) C tests from Jest:
// - the C unit tests in test/core, built with -std=c99 -pedantic -Werror and
//   AddressSanitizer + UndefinedBehaviorSanitizer, linked with the host platform.h
//   (test/core/plat_host.c), must print "N passed, 0 failed";
// - src/core must compile for Windows x64 with MinGW-w64 (the PE driver links it) and
//   freestanding on the host, needing nothing from a C library but memcpy, memset,
//   memcmp and memchr (which ntoskrnl exports);
// - the libFuzzer targets in fuzz/ run for a bounded time from the committed seeds.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const pkg = path.resolve(__dirname, '..');
const includeDir = path.join(pkg, 'include');
const coreDir = path.join(pkg, 'src', 'core');
const testDir = path.join(pkg, 'test', 'core');
const fuzzDir = path.join(pkg, 'fuzz');
/** The test implementation of src/core/platform.h. */
const hostPlatform = path.join(testDir, 'plat_host.c');
const coreSources = fs
  .readdirSync(coreDir)
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => path.join(coreDir, f));

const strictC99 = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];
const sanitizers = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
/** What the core may take from a C library: it is all in ntoskrnl too. */
const allowedImports = new Set(['memcpy', 'memset', 'memcmp', 'memchr']);
const inCi = Boolean(process.env.CI);

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: childProcess.SpawnSyncOptions = {}): RunResult {
  const r = childProcess.spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return {
    status: r.error ? null : r.status,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? (r.error ? r.error.message : '')),
  };
}

/** Runs a command that must succeed; on failure the assertion shows its output. */
function mustRun(cmd: string, args: string[]): RunResult {
  const r = run(cmd, args);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.status)}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `wfpkit-core-${tag}-`));
}

/** Whether `cc` can build and run a program with the given flags. */
function canBuildAndRun(cc: string, flags: string[], source: string): boolean {
  const dir = tempDir('probe');
  const src = path.join(dir, 'probe.c');
  const exe = path.join(dir, 'probe');
  fs.writeFileSync(src, source);
  const built = run(cc, [...flags, src, '-o', exe]);
  return built.status === 0 && run(exe, ['-runs=1']).status === 0;
}

function hasTool(cmd: string): boolean {
  return run(cmd, ['--version']).status === 0;
}

const cc = process.env.CC ?? 'cc';

describe('src/core C unit tests', () => {
  const sanitizersWork = canBuildAndRun(cc, sanitizers, 'int main(void) { return 0; }\n');
  const flags = [...strictC99, '-g', '-O1', ...(sanitizersWork ? sanitizers : [])];
  if (!sanitizersWork) {
    // Only the runtime can be missing; the tests still run, unsanitized.
    console.warn(`${cc}: AddressSanitizer/UBSan runtime not available: building the core tests without sanitizers`);
  }

  it.each(['classify_test', 'ring_test', 'flow_test', 'dispatch_test', 'tagging_test'])('%s passes under -std=c99 -pedantic -Werror and sanitizers', (name) => {
    const dir = tempDir(name);
    const exe = path.join(dir, name);
    mustRun(cc, [...flags, '-I', includeDir, '-I', coreDir, path.join(testDir, `${name}.c`), hostPlatform, ...coreSources, '-o', exe]);
    const r = run(exe, [], { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0' } });
    const line = /^(\d+) passed, (\d+) failed$/m.exec(r.stdout);
    expect(`${r.stderr}${line?.[0] ?? r.stdout}`).toMatch(/\d+ passed, 0 failed$/);
    expect(r.status).toBe(0);
    expect(Number(line?.[1])).toBeGreaterThan(100);
  });
});

describe('src/core portability', () => {
  const mingw = process.env.MINGW_CC ?? 'x86_64-w64-mingw32-gcc';
  const haveMingw = hasTool(mingw);

  (haveMingw || inCi ? it : it.skip)(
    `compiles for Windows x64 with ${mingw} -std=c99 -Wall -Wextra -Werror${haveMingw ? '' : ' (skipped: MinGW-w64 not installed)'}`,
    () => {
      if (!haveMingw) {
        throw new Error(`${mingw} is missing: install the mingw-w64 package (CI must build the PE driver)`);
      }
      const dir = tempDir('mingw');
      for (const src of coreSources) {
        for (const opt of ['-O0', '-O2']) {
          const obj = path.join(dir, `${path.basename(src, '.c')}${opt}.o`);
          mustRun(mingw, ['-std=c99', '-Wall', '-Wextra', '-Werror', opt, '-I', includeDir, '-c', src, '-o', obj]);
          expect(fs.statSync(obj).size).toBeGreaterThan(0);
        }
      }
    },
  );

  it('compiles freestanding on the host and imports nothing but memcpy/memset/memcmp/memchr', () => {
    const dir = tempDir('freestanding');
    // No C library headers at all: only the compiler's own (stddef.h, stdint.h) and a
    // string.h that declares exactly the allowed functions.
    const shim = path.join(dir, 'shim');
    fs.mkdirSync(shim);
    fs.writeFileSync(
      path.join(shim, 'string.h'),
      [
        '#include <stddef.h>',
        'void *memcpy(void *d, const void *s, size_t n);',
        'void *memset(void *d, int c, size_t n);',
        'int memcmp(const void *a, const void *b, size_t n);',
        'void *memchr(const void *s, int c, size_t n);',
        '',
      ].join('\n'),
    );
    const compilerInclude = mustRun(cc, ['-print-file-name=include']).stdout.trim();
    const imported = new Set<string>();
    for (const src of coreSources) {
      const obj = path.join(dir, `${path.basename(src, '.c')}.o`);
      mustRun(cc, [
        ...strictC99,
        '-O2',
        '-ffreestanding',
        '-fno-stack-protector',
        '-nostdinc',
        '-isystem',
        compilerInclude,
        '-I',
        shim,
        '-I',
        includeDir,
        '-c',
        src,
        '-o',
        obj,
      ]);
      for (const sym of mustRun('nm', ['-u', obj]).stdout.split('\n')) {
        const name = sym.trim().split(/\s+/).pop();
        if (name) imported.add(name);
      }
    }
    const unexpected = [...imported].filter((s) => !allowedImports.has(s) && !s.startsWith('wk_'));
    expect(unexpected).toEqual([]);
  });
});

describe('src/core fuzzers', () => {
  const clang = process.env.CLANG ?? 'clang';
  const fuzzSeconds = Number(process.env.WFPKIT_FUZZ_SECONDS ?? 20);
  const libFuzzer = canBuildAndRun(
    clang,
    ['-fsanitize=fuzzer,address,undefined'],
    '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\n' +
      'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n',
  );
  const targets = [
    { name: 'classify_fuzz', sources: coreSources.filter((s) => path.basename(s).startsWith('classify')), corpus: 'classify' },
    { name: 'ring_fuzz', sources: coreSources.filter((s) => path.basename(s) === 'ring.c'), corpus: 'ring' },
    { name: 'dispatch_fuzz', sources: [...coreSources, hostPlatform], corpus: 'dispatch' },
  ];

  if (!libFuzzer) {
    const why = `${clang} with libFuzzer is not available (install clang and libclang-rt-14-dev)`;
    if (inCi) {
      it('has clang with libFuzzer on CI', () => {
        throw new Error(why);
      });
    } else {
      console.warn(`skipping the fuzzers: ${why}`);
      it.skip(`run the fuzzers (skipped: ${why})`, () => undefined);
    }
    return;
  }

  it(
    `each target runs ${fuzzSeconds} s from the seed corpus without a finding`,
    async () => {
      const dir = tempDir('fuzz');
      const runs = targets.map((t) => {
        const exe = path.join(dir, t.name);
        mustRun(clang, [
          '-g',
          '-O1',
          '-std=c99',
          '-Wall',
          '-Wextra',
          '-Werror',
          '-fsanitize=fuzzer,address,undefined',
          '-fno-sanitize-recover=all',
          '-I',
          includeDir,
          '-I',
          coreDir,
          '-I',
          testDir,
          path.join(fuzzDir, `${t.name}.c`),
          ...t.sources,
          '-o',
          exe,
        ]);
        // New inputs go to a scratch corpus; the committed seeds are only read.
        const work = path.join(dir, `${t.corpus}-corpus`);
        fs.mkdirSync(work);
        const args = [
          `-max_total_time=${fuzzSeconds}`,
          '-rss_limit_mb=1024',
          '-print_final_stats=1',
          `-artifact_prefix=${dir}${path.sep}`,
          work,
          path.join(fuzzDir, 'corpus', t.corpus),
        ];
        return new Promise<{ name: string; code: number | null; log: string }>((resolve) => {
          const child = childProcess.spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
          let log = '';
          child.stdout.on('data', (d: Buffer) => (log += d.toString()));
          child.stderr.on('data', (d: Buffer) => (log += d.toString()));
          child.on('close', (code) => resolve({ name: t.name, code, log }));
        });
      });
      for (const r of await Promise.all(runs)) {
        const tail = r.log.split('\n').slice(-40).join('\n');
        expect({ target: r.name, code: r.code, tail: r.code === 0 ? '' : tail }).toEqual({ target: r.name, code: 0, tail: '' });
        expect(r.log).toMatch(/stat::number_of_executed_units:\s+[1-9]/);
      }
    },
    (fuzzSeconds + 100) * 1000,
  );
});
