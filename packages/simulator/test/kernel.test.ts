// The kernel model (native/src/kernel) with the simulator's own test callout driver
// (native/test/kernel/test_driver.c, built into libwfpsim_testdrv and wfpsim_kernel_test):
// the C suite (plain and under ASan/UBSan), and kernel32's functions called through koffi
// exactly as a Windows binding declares them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import { nativeBuildDirectory } from '../src';
import { packageDir } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof Koffi;

const testDriverLibrary = path.join(nativeBuildDirectory(), 'libwfpsim_testdrv.so');
const kernelTestProgram = path.join(nativeBuildDirectory(), 'wfpsim_kernel_test');

function ensureKernelBuild(): void {
  if (existsSync(testDriverLibrary) && existsSync(kernelTestProgram)) return;
  const r = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'build-native.js')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`native build failed:\n${r.stdout}\n${r.stderr}`);
}

beforeAll(() => ensureKernelBuild());

function expectAllPassed(out: string, status: number | null): void {
  const last = out.trim().split('\n').pop() ?? '';
  if (status !== 0 || !/^\d+ passed, 0 failed$/.test(last)) throw new Error(`kernel test failed (${status}):\n${out}`);
  expect(Number(/^(\d+) passed/.exec(last)?.[1])).toBeGreaterThan(100);
}

describe('kernel model C tests', () => {
  it('passes (IRP methods, pending/cancel/close, handles, elevation, flow contexts, arbitration, stream copies, tagging)', () => {
    const r = spawnSync(kernelTestProgram, [], { encoding: 'utf8', timeout: 60_000 });
    expectAllPassed(r.stdout, r.status);
  });

  it('is clean under AddressSanitizer and UBSan', () => {
    const build = mkdtempSync(path.join(tmpdir(), 'wfpsim-kasan-'));
    try {
      const native = path.join(packageDir, 'native');
      const cfg = spawnSync('cmake', ['-S', native, '-B', build, '-DCMAKE_BUILD_TYPE=Debug', '-DWFPSIM_ASAN=ON'], {
        encoding: 'utf8',
      });
      expect(cfg.status).toBe(0);
      const b = spawnSync('cmake', ['--build', build, '--target', 'wfpsim_kernel_test', '--parallel'], { encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`${b.stdout}\n${b.stderr}`);
      const r = spawnSync(path.join(build, 'wfpsim_kernel_test'), [], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' },
      });
      expectAllPassed(r.stdout, r.status);
      expect(r.stderr).not.toMatch(/runtime error|AddressSanitizer/);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  }, 300_000);
});

// ---- kernel32 through koffi, declared as on Windows -----------------------------------------
const TD_DEVICE_TYPE = 0x22;
const ctl = (fn: number, method: number, access: number): number =>
  ((TD_DEVICE_TYPE << 16) | (access << 14) | (fn << 2) | method) >>> 0;
const TD_IOCTL_ECHO = ctl(0x800, 0, 0);
const TD_IOCTL_FILL_DIRECT = ctl(0x801, 2, 0);
const TD_IOCTL_READ = ctl(0x802, 0, 1);
const TD_IOCTL_ARM_TIMER = ctl(0x803, 0, 0);
const TD_IOCTL_STATS = ctl(0x804, 0, 0);
const GENERIC_READ_WRITE = 0xc0000000;
const OPEN_EXISTING = 3;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;
const ERROR_INVALID_HANDLE = 6;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_OPERATION_ABORTED = 995;

type Fn = ReturnType<Koffi.LibraryHandle['func']>;
interface Kernel32 {
  CreateFileW: Fn;
  DeviceIoControl: Fn;
  CloseHandle: Fn;
  GetLastError: Fn;
  CancelIoEx: Fn;
  load: Fn;
  unload: Fn;
  state: Fn;
  elevated: Fn;
  pool: Fn;
  violations: Fn;
}

let k32: Kernel32 | undefined;
function bind(): Kernel32 {
  if (k32) return k32;
  const lib = koffi.load(testDriverLibrary);
  const HANDLE = koffi.pointer('HANDLE', koffi.opaque());
  k32 = {
    CreateFileW: lib.func('__stdcall', 'CreateFileW', HANDLE, ['str16', 'uint32_t', 'uint32_t', 'void *', 'uint32_t', 'uint32_t', HANDLE]),
    DeviceIoControl: lib.func('__stdcall', 'DeviceIoControl', 'int32_t', [
      HANDLE, 'uint32_t', 'void *', 'uint32_t', 'void *', 'uint32_t', koffi.out(koffi.pointer('uint32_t')), 'void *',
    ]),
    CloseHandle: lib.func('__stdcall', 'CloseHandle', 'int32_t', [HANDLE]),
    GetLastError: lib.func('__stdcall', 'GetLastError', 'uint32_t', []),
    CancelIoEx: lib.func('__stdcall', 'CancelIoEx', 'int32_t', [HANDLE, 'void *']),
    load: lib.func('uint32_t WfpsimDriverLoad(void)'),
    unload: lib.func('uint32_t WfpsimDriverUnload(void)'),
    state: lib.func('int WfpsimDriverState(void)'),
    elevated: lib.func('void WfpsimSetCallerElevated(int)'),
    pool: lib.func('int64_t WfpsimPoolOutstanding(uint32_t)'),
    violations: lib.func('uint32_t WfpsimKernelViolations(void)'),
  };
  return k32;
}

const DEVICE_PATH = '\\\\.\\WfpsimTest';

function open(k: Kernel32): unknown {
  const h = k.CreateFileW(DEVICE_PATH, GENERIC_READ_WRITE, 0, null, OPEN_EXISTING, 0, null);
  expect(koffi.address(h)).not.toBe(BigInt('0xffffffffffffffff'));
  return h;
}

function ioctlAsync(k: Kernel32, h: unknown, code: number, out: Buffer): Promise<{ ok: number; err: number; n: number }> {
  const n = [0];
  return new Promise((resolve, reject) => {
    k.DeviceIoControl.async(h, code, null, 0, out, out.length, n, null, (e: unknown, ok: number) => {
      if (e) reject(e as Error);
      // GetLastError is thread-local: the worker thread's value is not visible here, so the
      // status is read back from the output (0 bytes) and the driver's counters instead.
      else resolve({ ok, err: 0, n: n[0] ?? 0 });
    });
  });
}

function stats(k: Kernel32, h: unknown): BigUint64Array {
  const out = Buffer.alloc(8 * 22);
  const n = [0];
  expect(k.DeviceIoControl(h, TD_IOCTL_STATS, null, 0, out, out.length, n, null)).toBe(1);
  return new BigUint64Array(out.buffer, out.byteOffset, 22);
}

describe('kernel32 look-alikes through koffi', () => {
  beforeAll(() => {
    const k = bind();
    expect(k.load()).toBe(0);
  });
  afterAll(() => {
    const k = bind();
    expect(k.unload()).toBe(0);
    expect(k.state()).toBe(0);
    expect(Number(k.pool(0))).toBe(0);
    expect(k.violations()).toBe(0);
  });

  it('opens the device through its symbolic link; unknown names give ERROR_FILE_NOT_FOUND', () => {
    const k = bind();
    const bad = k.CreateFileW('\\\\.\\NoSuchDevice', GENERIC_READ_WRITE, 0, null, OPEN_EXISTING, 0, null);
    expect(koffi.address(bad)).toBe(BigInt('0xffffffffffffffff'));
    expect(k.GetLastError()).toBe(ERROR_FILE_NOT_FOUND);
    const h = open(k);
    expect(k.CloseHandle(h)).toBe(1);
  });

  it('refuses a non-elevated caller with ERROR_ACCESS_DENIED (SDDL SY/BA only)', () => {
    const k = bind();
    k.elevated(0);
    try {
      const h = k.CreateFileW(DEVICE_PATH, GENERIC_READ_WRITE, 0, null, OPEN_EXISTING, 0, null);
      expect(koffi.address(h)).toBe(BigInt('0xffffffffffffffff'));
      expect(k.GetLastError()).toBe(ERROR_ACCESS_DENIED);
    } finally {
      k.elevated(1);
    }
  });

  it('METHOD_BUFFERED and METHOD_OUT_DIRECT move the bytes both ways', () => {
    const k = bind();
    const h = open(k);
    const n = [0];
    const input = Buffer.from([1, 2, 3, 4, 5]);
    const out = Buffer.alloc(8);
    expect(k.DeviceIoControl(h, TD_IOCTL_ECHO, input, 5, out, 8, n, null)).toBe(1);
    expect(n[0]).toBe(5);
    expect([...out.subarray(0, 5)]).toEqual([5, 4, 3, 2, 1]);
    expect(k.DeviceIoControl(h, TD_IOCTL_ECHO, input, 5, out, 2, n, null)).toBe(0);
    expect(k.GetLastError()).toBe(ERROR_INSUFFICIENT_BUFFER);
    const direct = Buffer.alloc(100);
    expect(k.DeviceIoControl(h, TD_IOCTL_FILL_DIRECT, Buffer.from([7]), 1, direct, 100, n, null)).toBe(1);
    expect(n[0]).toBe(100);
    expect(direct[99]).toBe(7 + 99);
    expect(k.CloseHandle(h)).toBe(1);
  });

  it('invalid handles give ERROR_INVALID_HANDLE, never a crash', () => {
    const k = bind();
    const n = [0];
    const fake = koffi.as(Buffer.alloc(8), 'void *');
    expect(k.DeviceIoControl(null, TD_IOCTL_ECHO, null, 0, null, 0, n, null)).toBe(0);
    expect(k.GetLastError()).toBe(ERROR_INVALID_HANDLE);
    expect(k.CloseHandle(fake)).toBe(0);
    expect(k.GetLastError()).toBe(ERROR_INVALID_HANDLE);
    expect(k.CancelIoEx(null, null)).toBe(0);
    expect(k.GetLastError()).toBe(ERROR_INVALID_HANDLE);
    const h = open(k);
    expect(k.CloseHandle(h)).toBe(1);
    expect(k.CloseHandle(h)).toBe(0);
    expect(k.GetLastError()).toBe(ERROR_INVALID_HANDLE);
  });

  it('a pended read completes from a timer DPC (DeviceIoControl on a koffi worker thread)', async () => {
    const k = bind();
    const h = open(k);
    const out = Buffer.alloc(16);
    const pending = ioctlAsync(k, h, TD_IOCTL_READ, out);
    await new Promise((r) => setTimeout(r, 20));
    const ms = Buffer.alloc(4);
    ms.writeUInt32LE(20);
    // h is synchronous: a second request on it would wait for the read (the file object lock),
    // so the timer is armed through another handle.
    const h2 = open(k);
    expect(k.DeviceIoControl(h2, TD_IOCTL_ARM_TIMER, ms, 4, null, 0, [0], null)).toBe(1);
    expect(k.CloseHandle(h2)).toBe(1);
    const r = await pending;
    expect(r.ok).toBe(1);
    expect(r.n).toBe(4);
    expect(out.readUInt32LE(0)).toBe(0x52454144);
    expect(k.CloseHandle(h)).toBe(1);
  });

  it('CancelIoEx cancels a pending read; closing the handle cancels another', async () => {
    const k = bind();
    const h = open(k);
    const before = stats(k, h)[16] ?? 0n; // reads_cancelled
    const pending = ioctlAsync(k, h, TD_IOCTL_READ, Buffer.alloc(16));
    let cancelled = 0;
    for (let i = 0; i < 100 && !cancelled; i++) {
      await new Promise((r) => setTimeout(r, 5));
      cancelled = k.CancelIoEx(h, null) as number;
    }
    expect(cancelled).toBe(1);
    const r = await pending;
    expect(r.ok).toBe(0);
    expect(r.n).toBe(0);
    expect(stats(k, h)[16]).toBe(before + 1n);

    const h2 = open(k);
    const pending2 = ioctlAsync(k, h2, TD_IOCTL_READ, Buffer.alloc(16));
    await new Promise((r2) => setTimeout(r2, 30));
    expect(k.CloseHandle(h2)).toBe(1);
    const r2 = await pending2;
    expect(r2.ok).toBe(0);
    expect(stats(k, h)[16]).toBe(before + 2n);
    expect(k.CloseHandle(h)).toBe(1);
    void ERROR_OPERATION_ABORTED;
  });
});
