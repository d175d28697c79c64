/*
 * Where libwfpsim and its build directory are, and the environment its state file is read from.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Environment variable that overrides {@link nativeLibraryPath} with an absolute path. */
export const LIBRARY_PATH_ENV = 'WFPKIT_SIM_LIBRARY';

/**
 * Environment variable libwfpsim reads (when the engine first loads) to find
 * its state file, where persistent objects are kept between processes.
 * Unset or empty: nothing is persisted.
 */
export const STATE_FILE_ENV = 'WFPSIM_STATE_FILE';

/**
 * Thrown by {@link nativeLibraryPath} when the library has not been built (or
 * the override points nowhere). The message says how to fix it.
 */
export class NativeLibraryMissingError extends Error {
  /** Stable error code, for callers that branch on it. */
  readonly code = 'WFPSIM_LIBRARY_MISSING';

  /**
   * @param libraryPath - the path that was looked at
   * @param fromEnv - whether the path came from {@link LIBRARY_PATH_ENV}
   */
  constructor(
    readonly libraryPath: string,
    readonly fromEnv: boolean,
  ) {
    super(
      fromEnv
        ? `libwfpsim not found at ${libraryPath} (set by ${LIBRARY_PATH_ENV}): fix or unset ${LIBRARY_PATH_ENV}, ` +
            'or run `npm run build -w @wfpkit/simulator` and unset it.'
        : `libwfpsim has not been built (expected ${libraryPath}): run \`npm run build -w @wfpkit/simulator\` ` +
            '(needs cmake and a C compiler).',
    );
    this.name = 'NativeLibraryMissingError';
  }
}

/**
 * The shared library's file name on a platform.
 *
 * @param platform - defaults to the current `process.platform`
 * @returns `libwfpsim.so` on Linux and other Unixes, `libwfpsim.dylib` on macOS
 */
export function nativeLibraryFileName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'libwfpsim.dylib' : 'libwfpsim.so';
}

/**
 * Absolute path of the directory the native build writes to
 * (`packages/simulator/build`): the library and the C test program.
 */
export function nativeBuildDirectory(): string {
  // __dirname is src/ under ts-jest and dist/ once compiled: both sit beside build/.
  return path.resolve(__dirname, '..', 'build');
}

/**
 * Absolute path of the built libwfpsim shared library, ready for `koffi.load`.
 * {@link LIBRARY_PATH_ENV} overrides the built-in location.
 *
 * @throws {@link NativeLibraryMissingError} when the file does not exist
 */
export function nativeLibraryPath(): string {
  const override = process.env[LIBRARY_PATH_ENV];
  if (override) {
    const resolved = path.resolve(override);
    if (!existsSync(resolved)) throw new NativeLibraryMissingError(resolved, true);
    return resolved;
  }
  const built = path.join(nativeBuildDirectory(), nativeLibraryFileName());
  if (!existsSync(built)) throw new NativeLibraryMissingError(built, false);
  return built;
}

/**
 * Environment for a child process whose libwfpsim should use `stateFile`
 * (merged over `base`, which defaults to the current environment). Spawning two
 * processes with the same state file models a reboot: persistent objects added
 * by the first are there for the second.
 *
 * @param stateFile - path of the state file (need not exist yet)
 * @param base - environment to extend
 */
export function stateFileEnvironment(
  stateFile: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...base, [STATE_FILE_ENV]: path.resolve(stateFile) };
}
