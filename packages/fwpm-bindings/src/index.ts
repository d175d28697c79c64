/**
 * `@wfpkit/fwpm-bindings`: the Windows Filtering Platform management API (`fwpuclnt.dll`) from
 * TypeScript, with the built-in GUID and error catalogues.
 *
 * @packageDocumentation
 */
export * from './catalog';
