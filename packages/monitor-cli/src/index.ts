/**
 * `monitor-cli`: the command-line front of wfpkit. Run it with `npx monitor-cli`; this module
 * exposes the command tree for embedding and tests.
 * @packageDocumentation
 */
export { createProgram, EXIT_CODES } from './program';
export type { ProgramIO } from './program';
