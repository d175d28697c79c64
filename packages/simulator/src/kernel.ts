/*
 * The simulator-only controls of libwfpsim's kernel model (native/include/wfpsim/kernel.h), bound
 * with koffi: loading and unloading the linked callout driver, the simulated caller's elevation,
 * and the leak / rule-violation counters tests check. None of these exist on Windows.
 */
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import { nativeBuildDirectory, nativeLibraryPath } from './paths';

/** Where the linked driver is (`WfpsimDriverState`). */
export type DriverState = 'not-loaded' | 'loaded' | 'unload-pending';

/** Which libwfpsim build to control. */
export interface SimulatorKernelOptions {
  /**
   * The shared library to load: default {@link nativeLibraryPath} (libwfpsim, which links the
   * wfpkit driver). Tests of the kernel model pass {@link testDriverLibraryPath}.
   */
  readonly libraryPath?: string;
}

/** NTSTATUS values the controls report. */
export const NTSTATUS = {
  SUCCESS: 0x00000000,
  PENDING: 0x00000103,
  /** No driver is linked into the library, or (unload) none is loaded. */
  NOT_FOUND: 0xc0000225,
  /** The driver is loaded already. */
  IMAGE_ALREADY_LOADED: 0xc000010e,
} as const;

/**
 * Loading or unloading the simulated driver failed. `status` is the NTSTATUS that
 * `WfpsimDriverLoad` / `WfpsimDriverUnload` returned (for a load: what `DriverEntry` returned).
 */
export class SimulatorDriverError extends Error {
  /** Stable error code. */
  readonly code = 'WFPSIM_DRIVER' as const;

  constructor(
    /** What was attempted. */
    readonly operation: 'load' | 'unload',
    /** The NTSTATUS, as an unsigned 32-bit number. */
    readonly status: number,
  ) {
    super(`${operation === 'load' ? 'loading' : 'unloading'} the simulated driver failed with NTSTATUS 0x${status.toString(16).padStart(8, '0')}: ${explain(operation, status)}`);
    this.name = 'SimulatorDriverError';
  }
}

function explain(operation: 'load' | 'unload', status: number): string {
  if (status === NTSTATUS.NOT_FOUND) {
    return operation === 'load'
      ? 'no driver is linked into this libwfpsim build (build it with the wfpkit driver, or load the test-driver library)'
      : 'no driver is loaded';
  }
  if (status === NTSTATUS.IMAGE_ALREADY_LOADED) return 'the driver is loaded already; unload it first';
  return operation === 'load' ? 'DriverEntry failed with this status' : 'see WfpsimDriverUnload in kernel.h';
}

/** The controls of one loaded libwfpsim. */
export interface SimulatorKernel {
  /** The library these controls act on. */
  readonly libraryPath: string;
  /**
   * Calls the linked driver's `DriverEntry` (like `sc start`).
   * @throws {@link SimulatorDriverError} with the NTSTATUS when it fails, when no driver is linked
   *   (`NOT_FOUND`) or when it is loaded already (`IMAGE_ALREADY_LOADED`).
   */
  loadDriver(): void;
  /**
   * Stops the driver like `sc stop`: `'unloaded'` when `DriverUnload` ran; `'pending'` when
   * handles are still open (new opens then fail with ERROR_ACCESS_DENIED and the unload happens
   * when the last handle is closed).
   * @throws {@link SimulatorDriverError} `NOT_FOUND` when no driver is loaded.
   */
  unloadDriver(): 'unloaded' | 'pending';
  /** Whether the driver is loaded. */
  driverState(): DriverState;
  /**
   * Whether the simulated caller is elevated (default true). A device whose SDDL admits only
   * SYSTEM and Administrators refuses a non-elevated `CreateFileW` with ERROR_ACCESS_DENIED.
   */
  setCallerElevated(elevated: boolean): void;
  /** Pool blocks the driver allocated and has not freed (all tags, or one pool tag). */
  poolOutstanding(tag?: number): number;
  /** Driver-rule violations the model detected and survived (each also printed with DbgPrint). */
  kernelViolations(): number;
  /** Open kernel32 handles of the model: device handles not yet closed plus event objects. */
  openHandles(): number;
}

type Fn = ReturnType<Koffi.LibraryHandle['func']>;

const kernels = new Map<string, SimulatorKernel>();

/**
 * The kernel-model controls of a libwfpsim build (memoised per library path).
 *
 * @example
 * ```ts
 * import { simulatorKernel } from '@wfpkit/simulator';
 *
 * const kernel = simulatorKernel();
 * kernel.loadDriver();
 * kernel.setCallerElevated(false); // opening \\.\WfpKit now fails with ERROR_ACCESS_DENIED
 * kernel.setCallerElevated(true);
 * kernel.unloadDriver();
 * ```
 */
export function simulatorKernel(options: SimulatorKernelOptions = {}): SimulatorKernel {
  const libraryPath = path.resolve(options.libraryPath ?? nativeLibraryPath());
  const known = kernels.get(libraryPath);
  if (known) return known;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as typeof Koffi;
  const lib = koffi.load(libraryPath);
  const f = (decl: string): Fn => lib.func(decl);
  const load = f('uint32_t WfpsimDriverLoad(void)');
  const unload = f('uint32_t WfpsimDriverUnload(void)');
  const state = f('int WfpsimDriverState(void)');
  const elevated = f('void WfpsimSetCallerElevated(int)');
  const pool = f('int64_t WfpsimPoolOutstanding(uint32_t)');
  const violations = f('uint32_t WfpsimKernelViolations(void)');
  const handles = f('uint32_t WfpsimOpenHandles(void)');
  const kernel: SimulatorKernel = {
    libraryPath,
    loadDriver(): void {
      const st = (load() as number) >>> 0;
      if (st !== NTSTATUS.SUCCESS) throw new SimulatorDriverError('load', st);
    },
    unloadDriver(): 'unloaded' | 'pending' {
      const st = (unload() as number) >>> 0;
      if (st === NTSTATUS.SUCCESS) return 'unloaded';
      if (st === NTSTATUS.PENDING) return 'pending';
      throw new SimulatorDriverError('unload', st);
    },
    driverState(): DriverState {
      const s = state() as number;
      return s === 1 ? 'loaded' : s === 2 ? 'unload-pending' : 'not-loaded';
    },
    setCallerElevated(value: boolean): void {
      elevated(value ? 1 : 0);
    },
    poolOutstanding(tag = 0): number {
      return Number(pool(tag >>> 0) as number | bigint);
    },
    kernelViolations(): number {
      return violations() as number;
    },
    openHandles(): number {
      return handles() as number;
    },
  };
  kernels.set(libraryPath, kernel);
  return kernel;
}

/** {@link SimulatorKernel.loadDriver} on {@link simulatorKernel}(options). */
export function loadDriver(options?: SimulatorKernelOptions): void {
  simulatorKernel(options).loadDriver();
}

/** {@link SimulatorKernel.unloadDriver} on {@link simulatorKernel}(options). */
export function unloadDriver(options?: SimulatorKernelOptions): 'unloaded' | 'pending' {
  return simulatorKernel(options).unloadDriver();
}

/** {@link SimulatorKernel.setCallerElevated} on {@link simulatorKernel}(options). */
export function setCallerElevated(elevated: boolean, options?: SimulatorKernelOptions): void {
  simulatorKernel(options).setCallerElevated(elevated);
}

/** {@link SimulatorKernel.driverState} on {@link simulatorKernel}(options). */
export function driverState(options?: SimulatorKernelOptions): DriverState {
  return simulatorKernel(options).driverState();
}

/**
 * Path of `libwfpsim_testdrv`: libwfpsim with the simulator's own small test driver linked in
 * instead of the wfpkit driver (device `\\.\WfpsimTest`; see `native/test/kernel/test_driver.h`
 * for its IOCTLs). For tests of code that talks to a device through the kernel32 look-alikes.
 */
export function testDriverLibraryPath(): string {
  return path.join(nativeBuildDirectory(), process.platform === 'darwin' ? 'libwfpsim_testdrv.dylib' : 'libwfpsim_testdrv.so');
}
