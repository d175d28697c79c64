import { existsSync } from 'node:fs';
import * as path from 'node:path';

import {
  LIBRARY_PATH_ENV,
  NativeLibraryMissingError,
  STATE_FILE_ENV,
  nativeLibraryFileName,
  nativeLibraryPath,
  stateFileEnvironment,
} from '../src';
import { ensureNativeBuild } from './helpers';

beforeAll(() => ensureNativeBuild());

describe('nativeLibraryPath', () => {
  const saved = process.env[LIBRARY_PATH_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[LIBRARY_PATH_ENV];
    else process.env[LIBRARY_PATH_ENV] = saved;
  });

  it('returns the absolute path of the built library', () => {
    delete process.env[LIBRARY_PATH_ENV];
    const p = nativeLibraryPath();
    expect(path.isAbsolute(p)).toBe(true);
    expect(path.basename(p)).toBe(nativeLibraryFileName());
    expect(existsSync(p)).toBe(true);
  });

  it('honours the override and explains a missing file', () => {
    process.env[LIBRARY_PATH_ENV] = '/nonexistent/libwfpsim.so';
    expect(() => nativeLibraryPath()).toThrow(NativeLibraryMissingError);
    try {
      nativeLibraryPath();
    } catch (e) {
      expect(e).toBeInstanceOf(NativeLibraryMissingError);
      const err = e as NativeLibraryMissingError;
      expect(err.code).toBe('WFPSIM_LIBRARY_MISSING');
      expect(err.message).toContain(LIBRARY_PATH_ENV);
      expect(err.message).toContain('npm run build -w @wfpkit/simulator');
    }
  });

  it('names the library per platform', () => {
    expect(nativeLibraryFileName('linux')).toBe('libwfpsim.so');
    expect(nativeLibraryFileName('darwin')).toBe('libwfpsim.dylib');
  });
});

describe('stateFileEnvironment', () => {
  it('sets an absolute WFPSIM_STATE_FILE over the base environment', () => {
    const env = stateFileEnvironment('rel/state.bin', { KEEP: '1' });
    expect(env.KEEP).toBe('1');
    expect(env[STATE_FILE_ENV]).toBe(path.resolve('rel/state.bin'));
  });
});
