/**
 * koffi, loaded through `require` from this CommonJS package. koffi's typings live in an ESM
 * package, so the types are imported with `resolution-mode: import` and the value with require.
 *
 * @module
 */
import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

/** The koffi module object. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof Koffi;
export default koffi;

/** A koffi type object (what `koffi.struct`, `koffi.type` … return). */
export type TypeObject = Koffi.TypeObject;
/** A function bound with `lib.func`. */
export type KoffiFunction = ReturnType<Koffi.LibraryHandle['func']>;
/** A loaded native library. */
export type LibraryHandle = Koffi.LibraryHandle;
