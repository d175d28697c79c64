import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as bindings from '../src';

/** Extracts the block after the `readme-example` marker, so the README cannot rot. */
function readmeExample(): string {
  const text = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const m = /<!-- readme-example[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(text);
  if (!m?.[1]) throw new Error('README.md has no readme-example block');
  return m[1];
}

test('the README example runs against the simulator', async () => {
  const source = readmeExample();
  expect(source.split('\n').filter((l) => l.trim() && !l.startsWith('import') && !l.startsWith('  ')).length).toBeLessThanOrEqual(5);
  const body = source.replace(/^import\s*\{([^}]*)\}\s*from\s*'@wfpkit\/fwpm-bindings';/m, 'const {$1} = require("@wfpkit/fwpm-bindings");');
  const js = ts.transpileModule(`module.exports = (async () => {\n${body}\n})();`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const logged: unknown[][] = [];
  const fakeConsole = { ...console, log: (...a: unknown[]) => logged.push(a) };
  const mod = { exports: undefined as unknown };
  const req = (name: string): unknown => {
    if (name === '@wfpkit/fwpm-bindings') return bindings;
    throw new Error(`the README example may only import @wfpkit/fwpm-bindings, not ${name}`);
  };
  new Function('require', 'module', 'exports', 'console', js)(req, mod, {}, fakeConsole);
  await mod.exports;
  expect(logged.some((l) => l[0] === 'block curl')).toBe(true);
});
