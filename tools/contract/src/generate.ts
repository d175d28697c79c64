/** Renders every generated file of the contract. */
import { emitC } from './emit-c';
import { emitMarkdown } from './emit-md';
import { emitTs } from './emit-ts';
import type { ContractSchema } from './types';

export interface GeneratedFile {
  /** Path relative to the repository root. */
  path: string;
  content: string;
}

export const C_HEADER_PATH = 'packages/driver/include/wfpkit_ioctl.h';
export const TS_MODULE_PATH = 'packages/ioctl-client/src/contract.generated.ts';
export const MARKDOWN_PATH = 'docs/guides/contract-reference.md';

export function generate(schema: ContractSchema): GeneratedFile[] {
  return [
    { path: C_HEADER_PATH, content: emitC(schema) },
    { path: TS_MODULE_PATH, content: emitTs(schema) },
    { path: MARKDOWN_PATH, content: emitMarkdown(schema) },
  ];
}
