/**
 * `@wfpkit/fwpm-bindings`: the Windows Filtering Platform management API (`fwpuclnt.dll`) from
 * TypeScript, with the built-in GUID and error catalogues.
 *
 * @packageDocumentation
 */
export * from './catalog';
export { rawTypes } from './raw/types';
export type { RawTypes } from './raw/types';
export { BACKEND_LIBRARY, loadFwpm, resolveBackend } from './raw/library';
export type { Backend, BackendOptions, FwpmRaw, Out, Pointer, PointerIn, Status } from './raw/library';
