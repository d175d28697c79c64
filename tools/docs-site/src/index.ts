/**
 * `@wfpkit/docs-site` (private): the generators and checks of the guides in `docs/guides`.
 */
import { CLI_REFERENCE_PAGE, generateCliReferencePage } from './cli-reference';
import { ERROR_CODES_PAGE, generateErrorCodesPage } from './error-codes';

export { ERROR_CODES_PAGE, currentCatalogues, generateErrorCodesPage } from './error-codes';
export type { ErrorCatalogues } from './error-codes';
export { CLI_REFERENCE_PAGE, currentProgram, generateCliReferencePage } from './cli-reference';
export type { CliCommand } from './cli-reference';
export { codeBlocks, pageProgram, runPageProgram } from './cookbook';
export type { CodeBlock, PageProgram, RunResult } from './cookbook';
export { serveDirectory } from './serve';
export type { StaticServer } from './serve';

/** A page this package generates: its path from the repository root and its content. */
export interface GeneratedPage {
  /** e.g. `docs/guides/error-codes.md`. */
  path: string;
  /** The Markdown. */
  content: string;
}

/** Every generated guide page. */
export function generatedPages(): GeneratedPage[] {
  return [
    { path: ERROR_CODES_PAGE, content: generateErrorCodesPage() },
    { path: CLI_REFERENCE_PAGE, content: generateCliReferencePage() },
  ];
}
