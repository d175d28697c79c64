import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as client from '../src';

/** The ```ts block after the `<!-- marker … -->` comment in README.md, so the README cannot rot. */
function readmeBlock(marker: string): string {
  const text = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const m = new RegExp(`<!-- ${marker}[^>]*-->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m?.[1]) throw new Error(`README.md has no ${marker} block`);
  return m[1];
}

/** Turns the blocks' imports of the package into requires, drops type imports. */
function toScript(source: string): string {
  return source
    .replace(/^import type [^;]*;$/gm, '')
    .replace(/^import\s*\{([^}]*)\}\s*from\s*'@wfpkit\/ioctl-client';/gm, 'const {$1} = require("@wfpkit/ioctl-client");');
}

test('the README example runs against the stand-in transport and prints the record', async () => {
  const source = `${toScript(readmeBlock('readme-transport'))}\n${toScript(readmeBlock('readme-example'))}`;
  const js = ts.transpileModule(`module.exports = (async () => {\n${source}\n})();`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const logged: unknown[][] = [];
  const fakeConsole = { ...console, log: (...a: unknown[]) => logged.push(a) };
  const mod = { exports: undefined as unknown };
  const req = (name: string): unknown => {
    if (name === '@wfpkit/ioctl-client') return client;
    throw new Error(`the README example may only import @wfpkit/ioctl-client, not ${name}`);
  };
  new Function('require', 'module', 'exports', 'console', js)(req, mod, {}, fakeConsole);
  await mod.exports;
  expect(logged).toEqual([
    ['driver contract', '10000'],
    ['lost', 3n],
  ]);
});
