/**
 * The wfpkit driver contract schema and its generator (private tooling).
 * @packageDocumentation
 */
export { schema } from './schema';
export { generate, C_HEADER_PATH, TS_MODULE_PATH, MARKDOWN_PATH } from './generate';
export type { GeneratedFile } from './generate';
export { layOut, maxRecordSize, align8, ctlCode, screamingSnake, SchemaError } from './layout';
export type { LaidOutStruct, LaidOutField } from './layout';
export type * from './types';
