import type { BackendOptions } from '../../src';

/** A backend the conformance suite runs against. */
export interface TestBackend {
  name: string;
  options: BackendOptions;
  /** The simulator: state can be reset and inspected. */
  simulated: boolean;
}

/** The simulator library: env WFPKIT_SIM_LIBRARY, else @wfpkit/simulator's nativeLibraryPath(). */
export function simBackend(): TestBackend {
  const override = process.env['WFPKIT_SIM_LIBRARY'];
  if (override) return { name: 'simulator', options: { backend: 'sim', libraryPath: override }, simulated: true };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sim = require('@wfpkit/simulator') as { nativeLibraryPath(): string };
  return { name: 'simulator', options: { backend: 'sim', libraryPath: sim.nativeLibraryPath() }, simulated: true };
}

/** The real engine, only when WFPKIT_TEST_WINDOWS=1 (elevated prompt on Windows). */
export function windowsBackend(): TestBackend | undefined {
  return process.env['WFPKIT_TEST_WINDOWS'] === '1' ? { name: 'windows', options: { backend: 'win32' }, simulated: false } : undefined;
}
