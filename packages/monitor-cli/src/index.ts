/**
 * `monitor-cli`: the command-line front of wfpkit. Run it with `npx monitor-cli`; this module
 * exposes the command tree (for embedding, tests and the generated CLI reference) and the output
 * layer (formatters, pcapng writer, Crypto-PAn).
 * @packageDocumentation
 */
export { createProgram } from './program';
export { CliError, EXIT_CODES, describeFailure } from './errors';
export type { ExitCode } from './errors';
export type { Format, GlobalOptions, ProgramIO } from './context';
export * from './output';
