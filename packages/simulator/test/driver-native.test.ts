// The wfpkit driver (packages/driver: core + WDM/WFP glue) linked into the production libwfpsim,
// driven by native/test/driver/wfpkit_driver_test.c through libwfpsim's exports only (Fwpm*,
// the kernel32 look-alikes, Wfpsim*): the real capture and synthetic traffic, pended reads,
// sessions, ring overflow, bad buffers, LIST_FLOWS, unload with live flows. Plain and under
// AddressSanitizer + LeakSanitizer + UBSan.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { nativeBuildDirectory } from '../src';
import { packageDir } from './helpers';

const program = path.join(nativeBuildDirectory(), 'wfpkit_driver_test');
const capture = path.join(packageDir, 'test', 'fixtures', 'loopback.pcap');

function ensureBuild(): void {
  if (existsSync(program)) return;
  const r = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'build-native.js')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`native build failed:\n${r.stdout}\n${r.stderr}`);
}

function expectAllPassed(out: string, status: number | null): void {
  const last = out.trim().split('\n').pop() ?? '';
  if (status !== 0 || !/^\d+ passed, 0 failed$/.test(last)) throw new Error(`wfpkit driver test failed (${status}):\n${out}`);
  expect(Number(/^(\d+) passed/.exec(last)?.[1])).toBeGreaterThan(300);
}

beforeAll(() => ensureBuild());

describe('the wfpkit driver in libwfpsim (C)', () => {
  it('passes', () => {
    const r = spawnSync(program, [capture], { encoding: 'utf8', timeout: 120_000 });
    expectAllPassed(r.stdout, r.status);
  });

  it('is clean under AddressSanitizer, LeakSanitizer and UBSan', () => {
    const build = mkdtempSync(path.join(tmpdir(), 'wfpkit-drv-asan-'));
    try {
      const native = path.join(packageDir, 'native');
      const cfg = spawnSync('cmake', ['-S', native, '-B', build, '-DCMAKE_BUILD_TYPE=Debug', '-DWFPSIM_ASAN=ON'], {
        encoding: 'utf8',
      });
      if (cfg.status !== 0) throw new Error(`${cfg.stdout}\n${cfg.stderr}`);
      const b = spawnSync('cmake', ['--build', build, '--target', 'wfpkit_driver_test', '--parallel'], { encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`${b.stdout}\n${b.stderr}`);
      const r = spawnSync(path.join(build, 'wfpkit_driver_test'), [capture], {
        encoding: 'utf8',
        timeout: 240_000,
        env: {
          ...process.env,
          ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0',
          UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
        },
      });
      expectAllPassed(r.stdout, r.status);
      expect(r.stderr).not.toMatch(/runtime error|AddressSanitizer|LeakSanitizer/);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  }, 400_000);
});
