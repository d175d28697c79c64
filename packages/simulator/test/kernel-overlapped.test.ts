// kernel32's overlapped I/O in the kernel model, through koffi exactly as a Windows binding
// declares it (the test driver's library, libwfpsim_testdrv): synchronous handles serialize
// their requests; an overlapped handle lets a GET-style call through while a read pends; events,
// GetOverlappedResult, CancelIoEx with an OVERLAPPED; and the TS controls of simulatorKernel().
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import { SimulatorDriverError, simulatorKernel, testDriverLibraryPath } from '../src';
import type { SimulatorKernel } from '../src';
import { packageDir } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof Koffi;

const ctl = (fn: number, method: number, access: number): number => ((0x22 << 16) | (access << 14) | (fn << 2) | method) >>> 0;
const TD_IOCTL_ECHO = ctl(0x800, 0, 0);
const TD_IOCTL_READ = ctl(0x802, 0, 1);
const TD_IOCTL_ARM_TIMER = ctl(0x803, 0, 0);
const TD_IOCTL_WRITE_ONLY = ctl(0x805, 0, 2);
const DEVICE = '\\\\.\\WfpsimTest';
const FILE_FLAG_OVERLAPPED = 0x40000000;
const STATUS_PENDING = 0x103;
const INVALID_HANDLE_VALUE = 0xffffffffffffffffn;

type Fn = ReturnType<Koffi.LibraryHandle['func']>;
interface Api {
  CreateFileW: Fn;
  DeviceIoControl: Fn;
  GetOverlappedResult: Fn;
  CreateEventW: Fn;
  WaitForSingleObject: Fn;
  CancelIoEx: Fn;
  CloseHandle: Fn;
  GetLastError: Fn;
  OVERLAPPED: Koffi.TypeObject;
}

let api: Api | undefined;
let kernel: SimulatorKernel;

function bind(): Api {
  if (api) return api;
  const lib = koffi.load(testDriverLibraryPath());
  // Anonymous types only: koffi's registry is per process and other test files declare theirs.
  const OVERLAPPED = koffi.struct({
    Internal: 'uint64_t',
    InternalHigh: 'uint64_t',
    Offset: 'uint32_t',
    OffsetHigh: 'uint32_t',
    hEvent: 'void *',
  });
  const u32out = koffi.out(koffi.pointer('uint32_t'));
  api = {
    CreateFileW: lib.func('__stdcall', 'CreateFileW', 'void *', ['char16_t *', 'uint32_t', 'uint32_t', 'void *', 'uint32_t', 'uint32_t', 'void *']),
    DeviceIoControl: lib.func('__stdcall', 'DeviceIoControl', 'int32_t', ['void *', 'uint32_t', 'void *', 'uint32_t', 'void *', 'uint32_t', u32out, 'void *']),
    GetOverlappedResult: lib.func('__stdcall', 'GetOverlappedResult', 'int32_t', ['void *', 'void *', u32out, 'int32_t']),
    CreateEventW: lib.func('__stdcall', 'CreateEventW', 'void *', ['void *', 'int32_t', 'int32_t', 'char16_t *']),
    WaitForSingleObject: lib.func('__stdcall', 'WaitForSingleObject', 'uint32_t', ['void *', 'uint32_t']),
    CancelIoEx: lib.func('__stdcall', 'CancelIoEx', 'int32_t', ['void *', 'void *']),
    CloseHandle: lib.func('__stdcall', 'CloseHandle', 'int32_t', ['void *']),
    GetLastError: lib.func('__stdcall', 'GetLastError', 'uint32_t', []),
    OVERLAPPED,
  };
  return api;
}

beforeAll(() => {
  if (!existsSync(testDriverLibraryPath())) {
    const r = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'build-native.js')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`native build failed:\n${r.stdout}\n${r.stderr}`);
  }
  bind();
  kernel = simulatorKernel({ libraryPath: testDriverLibraryPath() });
  kernel.loadDriver();
});

afterAll(() => {
  expect(kernel.unloadDriver()).toBe('unloaded');
  expect(kernel.driverState()).toBe('not-loaded');
  expect(kernel.poolOutstanding()).toBe(0);
  expect(kernel.kernelViolations()).toBe(0);
  expect(kernel.openHandles()).toBe(0);
});

function open(flags: number): unknown {
  const a = bind();
  const h = a.CreateFileW(DEVICE, 0xc0000000, 0, null, 3, flags, null);
  expect(koffi.address(h)).not.toBe(INVALID_HANDLE_VALUE);
  return h;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs DeviceIoControl on a koffi worker thread; resolves when it returns. */
function ioctlOnWorker(h: unknown, code: number, out: Buffer): Promise<number> {
  const a = bind();
  return new Promise((resolve, reject) => {
    a.DeviceIoControl.async(h, code, null, 0, out, out.length, [0], null, (e: unknown, ok: number) => (e ? reject(e as Error) : resolve(ok)));
  });
}

describe('simulatorKernel()', () => {
  it('reports the driver state and refuses a second load with IMAGE_ALREADY_LOADED', () => {
    expect(kernel.driverState()).toBe('loaded');
    expect(() => kernel.loadDriver()).toThrow(SimulatorDriverError);
    try {
      kernel.loadDriver();
    } catch (e) {
      expect((e as SimulatorDriverError).status).toBe(0xc000010e);
      expect((e as SimulatorDriverError).message).toMatch(/loaded already/);
    }
    expect(simulatorKernel({ libraryPath: testDriverLibraryPath() })).toBe(kernel);
  });

  it('setCallerElevated(false) makes the SY/BA-only device refuse CreateFileW with ERROR_ACCESS_DENIED', () => {
    const a = bind();
    kernel.setCallerElevated(false);
    try {
      const h = a.CreateFileW(DEVICE, 0xc0000000, 0, null, 3, FILE_FLAG_OVERLAPPED, null);
      expect(koffi.address(h)).toBe(INVALID_HANDLE_VALUE);
      expect(a.GetLastError()).toBe(5);
    } finally {
      kernel.setCallerElevated(true);
    }
  });

  it('unloading with a handle open is pending; the last close unloads', () => {
    const h = open(0);
    expect(kernel.unloadDriver()).toBe('pending');
    expect(kernel.driverState()).toBe('unload-pending');
    expect(kernel.openHandles()).toBe(1);
    expect(bind().CloseHandle(h)).toBe(1);
    expect(kernel.driverState()).toBe('not-loaded');
    expect(() => kernel.unloadDriver()).toThrow(/no driver is loaded/);
    kernel.loadDriver();
  });
});

describe('synchronous handles serialize their requests (the file object lock)', () => {
  it('a call on the same handle waits for a pending read; the same call on another handle does not', async () => {
    const a = bind();
    const h = open(0);
    const read = ioctlOnWorker(h, TD_IOCTL_READ, Buffer.alloc(16));
    await sleep(20);
    let secondDone = false;
    const second = ioctlOnWorker(h, TD_IOCTL_WRITE_ONLY, Buffer.alloc(0)).then((ok) => {
      secondDone = true;
      return ok;
    });
    await sleep(50);
    expect(secondDone).toBe(false); // blocked behind the read, exactly as on Windows
    const other = open(0);
    const ms = Buffer.alloc(4);
    ms.writeUInt32LE(10);
    expect(a.DeviceIoControl(other, TD_IOCTL_ARM_TIMER, ms, 4, null, 0, [0], null)).toBe(1);
    expect(a.CloseHandle(other)).toBe(1);
    expect(await read).toBe(1);
    expect(await second).toBe(1);
    expect(a.CloseHandle(h)).toBe(1);
  });
});

describe('overlapped handles (FILE_FLAG_OVERLAPPED)', () => {
  it('a read pends (ERROR_IO_PENDING), other calls go through at once, the event and GetOverlappedResult report the completion', () => {
    const a = bind();
    const h = open(FILE_FLAG_OVERLAPPED);
    const ev = a.CreateEventW(null, 1, 0, null);
    const ov = Buffer.alloc(koffi.sizeof(a.OVERLAPPED));
    ov.writeBigUInt64LE(koffi.address(ev), 24);
    const out = Buffer.alloc(16);
    const n = [7];
    expect(a.DeviceIoControl(h, TD_IOCTL_READ, null, 0, out, 16, n, ov)).toBe(0);
    expect(a.GetLastError()).toBe(997);
    expect(Number(ov.readBigUInt64LE(0))).toBe(STATUS_PENDING);
    expect(a.GetOverlappedResult(h, ov, n, 0)).toBe(0);
    expect(a.GetLastError()).toBe(996);
    // an immediate IOCTL on the same handle while the read pends
    const ov2 = Buffer.alloc(32);
    const echo = Buffer.alloc(4);
    expect(a.DeviceIoControl(h, TD_IOCTL_ECHO, Buffer.from([1, 2, 3]), 3, echo, 4, n, ov2)).toBe(1);
    expect(n[0]).toBe(3);
    expect([...echo.subarray(0, 3)]).toEqual([3, 2, 1]);
    const ms = Buffer.alloc(4);
    ms.writeUInt32LE(10);
    expect(a.DeviceIoControl(h, TD_IOCTL_ARM_TIMER, ms, 4, null, 0, n, ov2)).toBe(1);
    expect(a.WaitForSingleObject(ev, 5000)).toBe(0);
    expect(a.GetOverlappedResult(h, ov, n, 1)).toBe(1);
    expect(n[0]).toBe(4);
    expect(out.readUInt32LE(0)).toBe(0x52454144);
    const decoded = koffi.decode(ov, a.OVERLAPPED) as { Internal: number | bigint; InternalHigh: number | bigint };
    expect(Number(decoded.Internal)).toBe(0);
    expect(Number(decoded.InternalHigh)).toBe(4);
    expect(a.CloseHandle(h)).toBe(1);
    expect(a.CloseHandle(ev)).toBe(1);
  });

  it('CancelIoEx(h, ov) cancels that read: GetOverlappedResult fails with ERROR_OPERATION_ABORTED', () => {
    const a = bind();
    const h = open(FILE_FLAG_OVERLAPPED);
    const ov = Buffer.alloc(32);
    const other = Buffer.alloc(32);
    expect(a.DeviceIoControl(h, TD_IOCTL_READ, null, 0, Buffer.alloc(16), 16, [0], ov)).toBe(0);
    expect(a.GetLastError()).toBe(997);
    expect(a.CancelIoEx(h, other)).toBe(0);
    expect(a.GetLastError()).toBe(1168);
    expect(a.CancelIoEx(h, ov)).toBe(1);
    const n = [9];
    expect(a.GetOverlappedResult(h, ov, n, 1)).toBe(0);
    expect(a.GetLastError()).toBe(995);
    expect(n[0]).toBe(0);
    expect(a.CloseHandle(h)).toBe(1);
  });

  it('closing the handle completes a pending read with ERROR_OPERATION_ABORTED', () => {
    const a = bind();
    const h = open(FILE_FLAG_OVERLAPPED);
    const ev = a.CreateEventW(null, 1, 0, null);
    const ov = Buffer.alloc(32);
    ov.writeBigUInt64LE(koffi.address(ev), 24);
    expect(a.DeviceIoControl(h, TD_IOCTL_READ, null, 0, Buffer.alloc(16), 16, [0], ov)).toBe(0);
    expect(a.CloseHandle(h)).toBe(1);
    expect(a.WaitForSingleObject(ev, 5000)).toBe(0);
    expect(a.GetOverlappedResult(h, ov, [0], 1)).toBe(0);
    expect(a.GetLastError()).toBe(995);
    expect(a.CloseHandle(ev)).toBe(1);
  });

  it('DeviceIoControl without an OVERLAPPED on an overlapped handle is refused (ERROR_INVALID_PARAMETER)', () => {
    const a = bind();
    const h = open(FILE_FLAG_OVERLAPPED);
    expect(a.DeviceIoControl(h, TD_IOCTL_ECHO, null, 0, null, 0, [0], null)).toBe(0);
    expect(a.GetLastError()).toBe(87);
    expect(a.CloseHandle(h)).toBe(1);
  });
});
