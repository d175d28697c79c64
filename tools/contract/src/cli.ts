#!/usr/bin/env node
/**
 * `npm run contract`: regenerates the contract files from the schema.
 * `npm run contract -- --check`: exits 1 and names the stale files instead of writing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from './generate';
import { schema } from './schema';

const root = path.resolve(__dirname, '..', '..', '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const file of generate(schema)) {
  const target = path.join(root, file.path);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (current === file.content) continue;
  if (check) {
    console.error(`stale: ${file.path} (run \`npm run contract\`)`);
    stale++;
  } else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    console.log(`wrote ${file.path}`);
  }
}
if (stale > 0) process.exit(1);
