#!/usr/bin/env node
/**
 * `npm run generate -w @wfpkit/docs-site`: rewrites the generated guide pages.
 * With `--check`: writes nothing, names the stale pages and exits 1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatedPages } from './index';

const root = path.resolve(__dirname, '..', '..', '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const page of generatedPages()) {
  const target = path.join(root, page.path);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (current === page.content) continue;
  if (check) {
    console.error(`stale: ${page.path} (run \`npm run generate -w @wfpkit/docs-site\`)`);
    stale++;
  } else {
    fs.writeFileSync(target, page.content);
    console.log(`wrote ${page.path}`);
  }
}
if (stale > 0) process.exit(1);
