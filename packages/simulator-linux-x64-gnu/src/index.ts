/**
 * `@wfpkit/simulator-linux-x64-gnu`: libwfpsim built for Linux on x64 with glibc, with the wfpkit
 * driver linked in. You do not import it: `@wfpkit/simulator` lists it as an optional dependency,
 * npm installs it only on a matching machine (its `os`, `cpu` and `libc` fields), and
 * `nativeLibraryPath()` of `@wfpkit/simulator` finds it. Nothing runs at install time.
 *
 * In the wfpkit repository this folder holds no library: the release copies the one it built
 * into it just before publishing (see CONTRIBUTING.md, "Releasing").
 *
 * @example
 * ```ts
 * import { libraryPath } from '@wfpkit/simulator-linux-x64-gnu';
 * console.log(libraryPath); // …/node_modules/@wfpkit/simulator-linux-x64-gnu/libwfpsim.so
 * ```
 * @packageDocumentation
 */
import * as path from 'node:path';

/** The platform this package is built for, as `@wfpkit/simulator` names platforms. */
export const PLATFORM = 'linux-x64-gnu';

/** File name of the library in the package's folder. */
export const LIBRARY_FILE = 'libwfpsim.so';

/** Absolute path of the library this package carries (absent in a repository checkout). */
export const libraryPath: string = path.join(__dirname, '..', LIBRARY_FILE);
