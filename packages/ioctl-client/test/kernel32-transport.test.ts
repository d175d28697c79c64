// The kernel32 transport against the simulator's kernel model, with the simulator's test driver
// (libwfpsim_testdrv: device \\.\WfpsimTest, IOCTLs in packages/simulator/native/test/kernel/
// test_driver.h) — the same declarations that load kernel32.dll on Windows.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import { simulatorKernel, testDriverLibraryPath } from '@wfpkit/simulator';
import type { SimulatorKernel } from '@wfpkit/simulator';

import {
  AccessDeniedError,
  DriverNotLoadedError,
  Win32Error,
  WfpKitDevice,
  asTransportHandle,
  createSimulatorTransport,
  loadKernel32,
} from '../src';
import type { Kernel32Transport, TransportHandle } from '../src';

const ctl = (fn: number, method: number, access: number): number => ((0x22 << 16) | (access << 14) | (fn << 2) | method) >>> 0;
const TD_IOCTL_ECHO = ctl(0x800, 0, 0);
const TD_IOCTL_READ = ctl(0x802, 0, 1);
const TD_IOCTL_ARM_TIMER = ctl(0x803, 0, 0);
const TD_IOCTL_STATS = ctl(0x804, 0, 0);
const TD_IOCTL_FAIL = ctl(0x807, 0, 0);
const TD_READ_MAGIC = 0x52454144;
const STATS_SIZE = 22 * 8;
const DEVICE = '\\\\.\\WfpsimTest';

let kernel: SimulatorKernel;
let transport: Kernel32Transport;

beforeAll(() => {
  if (!existsSync(testDriverLibraryPath())) {
    const script = path.resolve(__dirname, '..', '..', 'simulator', 'scripts', 'build-native.js');
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`native build failed:\n${r.stdout}\n${r.stderr}`);
  }
  kernel = simulatorKernel({ libraryPath: testDriverLibraryPath() });
  kernel.loadDriver();
  transport = createSimulatorTransport({ libraryPath: testDriverLibraryPath() });
});

afterAll(async () => {
  await transport.dispose();
  expect(transport.waitThreads).toBe(0);
  expect(kernel.unloadDriver()).toBe('unloaded');
  expect(kernel.poolOutstanding()).toBe(0);
  expect(kernel.kernelViolations()).toBe(0);
  expect(kernel.openHandles()).toBe(0);
});

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Tracks whether a promise has settled, without consuming its rejection. */
function track<T>(p: Promise<T>): { readonly settled: () => boolean; readonly promise: Promise<T> } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise: p };
}

async function expectWin32(p: Promise<unknown>, win32: number): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(Win32Error);
  await expect(p).rejects.toMatchObject({ win32 });
}

async function readsCancelled(h: TransportHandle): Promise<bigint> {
  const r = await transport.ioctl(h, TD_IOCTL_STATS, null, STATS_SIZE);
  return new DataView(r.output.buffer).getBigUint64(16 * 8, true);
}

describe('kernel32 transport (simulator backend, test driver)', () => {
  it('opens and closes the device; a closed handle gives ERROR_INVALID_HANDLE', async () => {
    expect(transport.backend).toBe('sim');
    const h = await transport.open(DEVICE);
    expect(typeof h).toBe('bigint');
    expect(kernel.openHandles()).toBeGreaterThanOrEqual(1);
    await transport.close(h);
    await expectWin32(transport.close(h), 6);
    await expectWin32(transport.ioctl(h, TD_IOCTL_ECHO, null, 0), 6);
  });

  it('an immediate IOCTL returns its bytes; an immediate failure carries GetLastError', async () => {
    const h = await transport.open(DEVICE);
    try {
      const r = await transport.ioctl(h, TD_IOCTL_ECHO, new Uint8Array([1, 2, 3, 4]), 8);
      expect(r.bytesReturned).toBe(4);
      expect([...r.output.subarray(0, 4)]).toEqual([4, 3, 2, 1]);
      await expectWin32(transport.ioctl(h, TD_IOCTL_ECHO, new Uint8Array([1, 2, 3, 4]), 2), 122); // ERROR_INSUFFICIENT_BUFFER
      await expectWin32(transport.ioctl(h, TD_IOCTL_FAIL, u32(0xc0000184), 0), 22); // STATUS_INVALID_DEVICE_STATE
      await expectWin32(transport.ioctl(h, ctl(0x9ff, 0, 0), null, 0), 1); // ERROR_INVALID_FUNCTION
    } finally {
      await transport.close(h);
    }
  });

  it('a pended read is completed by the driver timer; other IOCTLs on the same handle do not wait for it', async () => {
    const h = await transport.open(DEVICE);
    try {
      const read = track(transport.ioctl(h, TD_IOCTL_READ, null, 16));
      await sleep(20);
      expect(read.settled()).toBe(false);
      // The regression test for synchronous handles: on one, each of these would block behind
      // the pending read (the I/O manager's file object lock) and the timer could never be armed.
      for (let i = 0; i < 5; i++) {
        const s = await transport.ioctl(h, TD_IOCTL_STATS, null, STATS_SIZE);
        expect(s.bytesReturned).toBe(STATS_SIZE);
      }
      const echo = await transport.ioctl(h, TD_IOCTL_ECHO, new Uint8Array([9, 8]), 2);
      expect([...echo.output]).toEqual([8, 9]);
      expect(read.settled()).toBe(false);
      expect(transport.inFlight).toBe(1);
      await transport.ioctl(h, TD_IOCTL_ARM_TIMER, u32(10), 0);
      const r = await read.promise;
      expect(r.bytesReturned).toBe(4);
      expect(new DataView(r.output.buffer).getUint32(0, true)).toBe(TD_READ_MAGIC);
      expect(transport.inFlight).toBe(0);
    } finally {
      await transport.close(h);
    }
  });

  it('cancel() ends every pending read with ERROR_OPERATION_ABORTED (GetLastError read on the wait thread)', async () => {
    const h = await transport.open(DEVICE);
    try {
      const before = await readsCancelled(h);
      const reads = [0, 1, 2].map(() => transport.ioctl(h, TD_IOCTL_READ, null, 16));
      await sleep(30);
      expect(transport.inFlight).toBe(3);
      await transport.cancel(h);
      const outcomes = await Promise.allSettled(reads);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        if (o.status === 'rejected') expect(o.reason).toMatchObject({ name: 'Win32Error', win32: 995 });
      }
      expect(await readsCancelled(h)).toBe(before + 3n);
      await transport.cancel(h); // nothing pending: resolves
    } finally {
      await transport.close(h);
    }
  });

  it('close() with a pending read settles it with 995 and closes the handle', async () => {
    const h = await transport.open(DEVICE);
    const read = transport.ioctl(h, TD_IOCTL_READ, null, 16);
    await sleep(20);
    await transport.close(h);
    await expectWin32(read, 995);
    await expectWin32(transport.ioctl(h, TD_IOCTL_ECHO, null, 0), 6);
  });

  it('invalid handles are refused with ERROR_INVALID_HANDLE, never a crash', async () => {
    const fake = asTransportHandle(0xdead0n);
    await expectWin32(transport.ioctl(fake, TD_IOCTL_ECHO, null, 0), 6);
    await expectWin32(transport.cancel(fake), 6);
    await expectWin32(transport.close(fake), 6);
  });

  it('opening maps to WfpKitDevice errors: no device -> DriverNotLoadedError, not elevated -> AccessDeniedError', async () => {
    await expect(WfpKitDevice.open({ transport, path: '\\\\.\\NoSuchDevice' })).rejects.toBeInstanceOf(DriverNotLoadedError);
    kernel.setCallerElevated(false);
    try {
      await expect(WfpKitDevice.open({ transport, path: DEVICE })).rejects.toBeInstanceOf(AccessDeniedError);
    } finally {
      kernel.setCallerElevated(true);
    }
    kernel.unloadDriver();
    try {
      await expect(WfpKitDevice.open({ transport, path: DEVICE })).rejects.toBeInstanceOf(DriverNotLoadedError);
    } finally {
      kernel.loadDriver();
    }
  });

  it('a wait thread serves one wait at a time; concurrent waits get their own, idle ones are reused', async () => {
    const t = createSimulatorTransport({ libraryPath: testDriverLibraryPath() });
    const h = await t.open(DEVICE);
    try {
      const reads = [0, 1, 2, 3].map(() => t.ioctl(h, TD_IOCTL_READ, null, 16));
      await sleep(50);
      expect(t.waitThreads).toBe(4);
      for (let i = 0; i < 4; i++) await t.ioctl(h, TD_IOCTL_ARM_TIMER, u32(1), 0).then(() => sleep(15));
      for (const r of reads) expect((await r).bytesReturned).toBe(4);
      expect(t.waitThreads).toBe(2); // two idle threads kept
    } finally {
      await t.close(h);
      await t.dispose();
    }
    expect(t.waitThreads).toBe(0);
  });

  it('loadKernel32 binds every declared function from the library, memoised', () => {
    const k = loadKernel32({ backend: 'sim', libraryPath: testDriverLibraryPath() });
    expect(loadKernel32({ backend: 'sim', libraryPath: testDriverLibraryPath() })).toBe(k);
    const ev = k.CreateEventW(null, 1, 1, null);
    expect(typeof ev).toBe('bigint');
    expect(k.WaitForSingleObject(ev, 0)).toBe(0);
    expect(k.CloseHandle(ev)).toBe(1);
    expect(k.WaitForSingleObject(ev, 0)).toBe(0xffffffff);
    expect(k.GetLastError()).toBe(6);
  });
});
