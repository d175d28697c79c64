import * as path from 'node:path';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Where the tests write what a person may want to look at (gitignored). */
export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'docs-site');
