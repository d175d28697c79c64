/*
 * Where libwfpsim is (the override, the platform's prebuilt package, or the source build), and the
 * environment its state file is read from.
 */
import { existsSync, readFileSync } from 'node:fs';
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
 * The prebuilt libwfpsim packages that are published, by platform key ({@link nativePlatformKey}).
 * `@wfpkit/simulator` lists each as an optional dependency; npm installs the one whose `os`,
 * `cpu` and `libc` fields match the machine.
 */
export const PREBUILT_PACKAGES: Readonly<Record<string, string>> = {
  'linux-x64-gnu': '@wfpkit/simulator-linux-x64-gnu',
};

/** Where {@link nativeLibraryPath} looked, for {@link NativeLibraryMissingError}. */
export interface NativeLibrarySearch {
  /** The platform key, e.g. `linux-x64-gnu`. */
  readonly platform: string;
  /** The prebuilt package for the platform, when one is published. */
  readonly prebuiltPackage?: string;
  /** Whether that package is installed (resolvable from `@wfpkit/simulator`). */
  readonly prebuiltInstalled: boolean;
  /** The package's version when it is installed but differs from `@wfpkit/simulator`'s. */
  readonly prebuiltVersionMismatch?: string;
  /** The path the source build writes the library to. */
  readonly buildPath: string;
  /** Whether this copy of `@wfpkit/simulator` sits in the wfpkit repository (not in node_modules). */
  readonly inRepository: boolean;
}

function ownVersion(): string {
  return (JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function missingMessage(libraryPath: string, search: NativeLibrarySearch): string {
  if (search.inRepository) {
    return (
      `libwfpsim has not been built (expected ${libraryPath}): run \`npm run build -w @wfpkit/simulator\` ` +
      '(needs cmake and a C compiler).'
    );
  }
  const fromSource =
    `build it from source with \`node ${path.join(path.resolve(__dirname, '..'), 'scripts', 'build-native.js')}\` ` +
    '(needs cmake and a C compiler; it links the wfpkit driver when @wfpkit/driver is installed beside it), ' +
    `or set ${LIBRARY_PATH_ENV} to a libwfpsim you built`;
  if (!search.prebuiltPackage) {
    return (
      `libwfpsim is not prebuilt for ${search.platform} (prebuilt: ${Object.keys(PREBUILT_PACKAGES).join(', ')}) ` +
      `and was not built here (expected ${libraryPath}): ${fromSource}.`
    );
  }
  const version = ownVersion();
  if (search.prebuiltVersionMismatch !== undefined) {
    return (
      `${search.prebuiltPackage}@${search.prebuiltVersionMismatch} is installed but @wfpkit/simulator is ${version}: ` +
      `run \`npm install ${search.prebuiltPackage}@${version}\` so the library matches, or ${fromSource}.`
    );
  }
  return (
    `libwfpsim was not found: ${search.prebuiltPackage}, the prebuilt library for ${search.platform}, is ` +
    `${search.prebuiltInstalled ? 'installed without its library file' : 'not installed'} (npm skips optional dependencies ` +
    `with --omit=optional): run \`npm install ${search.prebuiltPackage}@${version}\`, or ${fromSource}.`
  );
}

/**
 * Thrown by {@link nativeLibraryPath} when there is no library: no prebuilt package for the
 * platform, no source build (or the override points nowhere). The message says what to install
 * or run.
 */
export class NativeLibraryMissingError extends Error {
  /** Stable error code, for callers that branch on it. */
  readonly code = 'WFPSIM_LIBRARY_MISSING';

  /**
   * @param libraryPath - the path that was looked at last (the override, or the source build's)
   * @param fromEnv - whether the path came from {@link LIBRARY_PATH_ENV}
   * @param search - where the library was looked for (when it did not come from the environment)
   */
  constructor(
    readonly libraryPath: string,
    readonly fromEnv: boolean,
    readonly search?: NativeLibrarySearch,
  ) {
    super(
      fromEnv
        ? `libwfpsim not found at ${libraryPath} (set by ${LIBRARY_PATH_ENV}): fix or unset ${LIBRARY_PATH_ENV}, ` +
            'or run `npm run build -w @wfpkit/simulator` and unset it.'
        : missingMessage(libraryPath, search ?? { platform: nativePlatformKey(), prebuiltInstalled: false, buildPath: libraryPath, inRepository: true }),
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

let libcMemo: 'gnu' | 'musl' | undefined;

/** `gnu` when the process runs on glibc, `musl` otherwise (Linux only). */
function currentLibc(): 'gnu' | 'musl' {
  if (libcMemo === undefined) {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    libcMemo = header?.glibcVersionRuntime ? 'gnu' : 'musl';
  }
  return libcMemo;
}

/**
 * The key that names a platform's prebuilt package: `<os>-<cpu>`, plus `-gnu` or `-musl` on
 * Linux (the C library the binary links).
 *
 * @param platform - defaults to `process.platform`
 * @param arch - defaults to `process.arch`
 * @param libc - on Linux, defaults to the running process's C library
 * @returns e.g. `linux-x64-gnu`, `darwin-arm64`
 */
export function nativePlatformKey(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  libc?: 'gnu' | 'musl',
): string {
  return platform === 'linux' ? `${platform}-${arch}-${libc ?? currentLibc()}` : `${platform}-${arch}`;
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
 * The prebuilt package's library for this platform, when that package is installed, its version
 * equals this package's and its library file exists.
 */
function prebuiltLibrary(): { path?: string; search: NativeLibrarySearch } {
  const platform = nativePlatformKey();
  const prebuiltPackage = PREBUILT_PACKAGES[platform];
  const buildPath = path.join(nativeBuildDirectory(), nativeLibraryFileName());
  const inRepository = !path.resolve(__dirname).split(path.sep).includes('node_modules');
  const base = { platform, buildPath, inRepository };
  if (!prebuiltPackage) return { search: { ...base, prebuiltInstalled: false } };
  let manifest: string;
  try {
    manifest = require.resolve(`${prebuiltPackage}/package.json`, { paths: [path.resolve(__dirname, '..')] });
  } catch {
    return { search: { ...base, prebuiltPackage, prebuiltInstalled: false } };
  }
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  if (version !== ownVersion()) return { search: { ...base, prebuiltPackage, prebuiltInstalled: true, prebuiltVersionMismatch: version } };
  const file = path.join(path.dirname(manifest), nativeLibraryFileName());
  return { path: existsSync(file) ? file : undefined, search: { ...base, prebuiltPackage, prebuiltInstalled: true } };
}

/**
 * Absolute path of libwfpsim, ready for `koffi.load`. Looked for in order:
 * {@link LIBRARY_PATH_ENV} when set (and then only there); the prebuilt package of the platform
 * ({@link PREBUILT_PACKAGES}, an optional dependency that npm installs on a matching machine);
 * the source build in {@link nativeBuildDirectory} (`npm run build -w @wfpkit/simulator` in the
 * repository).
 *
 * @throws {@link NativeLibraryMissingError} when none exists; its message names the package to
 *   install or the command to build
 * @example
 * ```ts
 * import koffi from 'koffi';
 * import { nativeLibraryPath } from '@wfpkit/simulator';
 *
 * const lib = koffi.load(nativeLibraryPath());
 * ```
 */
export function nativeLibraryPath(): string {
  const override = process.env[LIBRARY_PATH_ENV];
  if (override) {
    const resolved = path.resolve(override);
    if (!existsSync(resolved)) throw new NativeLibraryMissingError(resolved, true);
    return resolved;
  }
  const prebuilt = prebuiltLibrary();
  if (prebuilt.path) return prebuilt.path;
  const built = prebuilt.search.buildPath;
  if (!existsSync(built)) throw new NativeLibraryMissingError(built, false, prebuilt.search);
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
