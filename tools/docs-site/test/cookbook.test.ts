import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeBlocks, pageProgram, runPageProgram } from '../src';
import { artifactsDir, repoRoot } from './helpers';

/** The environment of the page programs, without colour: nx sets FORCE_COLOR for its tasks, and
 * console.log would then colour numbers, so the output would not equal the page's text. */
const plainEnv: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };

const COOKBOOK = path.join(repoRoot, 'docs', 'guides', 'fwpm-cookbook.md');
const ALLOWED = ['@wfpkit/fwpm-bindings', '@wfpkit/ioctl-client'];

describe('code blocks', () => {
  it('finds fenced blocks with their language and line', () => {
    const md = 'text\n```ts\nconst a = 1;\n```\n\n````text\n```\nnested\n````\n```\n```\n';
    expect(codeBlocks(md)).toEqual([
      { lang: 'ts', code: 'const a = 1;\n', line: 2 },
      { lang: 'text', code: '```\nnested\n', line: 6 },
      { lang: '', code: '', line: 10 },
    ]);
  });

  it('refuses an unclosed fence and a foreign import', () => {
    expect(() => codeBlocks('```ts\nx\n')).toThrow(/line 1 is not closed/);
    expect(() => pageProgram("```ts\nimport { x } from 'left-pad';\n```\n", ALLOWED)).toThrow(/imports left-pad/);
  });
});

describe('the fwpm-bindings cookbook', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-cookbook-'));
  });
  afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('type-checks, runs against the simulator and prints what the page shows', () => {
    const program = pageProgram(fs.readFileSync(COOKBOOK, 'utf8'), ALLOWED);
    expect(program.expectedOutput.split('\n').length).toBeGreaterThan(10);
    const stateFile = path.join(stateDir, 'state.bin');
    const env = { ...plainEnv, WFPKIT_BACKEND: 'sim', WFPSIM_STATE_FILE: stateFile };
    const result = runPageProgram(program, path.join(artifactsDir, 'cookbook'), env);
    expect(result.typeErrors).toEqual([]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(program.expectedOutput);

    // "a reboot": a new process on the same state file finds none of the cookbook's objects
    const check = spawnSync(
      process.execPath,
      [
        '-e',
        `const { Engine } = require('@wfpkit/fwpm-bindings');
         const { GUIDS } = require('@wfpkit/ioctl-client');
         (async () => {
           const e = Engine.open({ name: 'leftovers' });
           const keys = new Set(Object.values(GUIDS));
           let n = 0;
           for (const list of [e.providers(), e.sublayers(), e.callouts(), e.filters()])
             for await (const o of list) if (keys.has(o.key) || keys.has(o.provider)) n++;
           e.close();
           console.log(String(n));
         })();`,
      ],
      { cwd: repoRoot, env, encoding: 'utf8' },
    );
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe('0');
  });

  it('catches code that no longer matches the library', () => {
    const broken = "```ts\nimport { Engine } from '@wfpkit/fwpm-bindings';\nEngine.open({ dynamic: true }).addFilterz({});\n```\n";
    const result = runPageProgram(pageProgram(broken, ALLOWED), path.join(artifactsDir, 'cookbook-broken'), plainEnv);
    expect(result.status).toBeNull();
    expect(result.typeErrors.join('\n')).toMatch(/addFilterz/);
  });

  it('catches output that no longer matches the page', () => {
    const md = "```ts\nimport { LAYERS } from '@wfpkit/fwpm-bindings';\nconsole.log(LAYERS.ALE_AUTH_CONNECT_V4.key);\n```\n\n```text\nsomething else\n```\n";
    const program = pageProgram(md, ALLOWED);
    const result = runPageProgram(program, path.join(artifactsDir, 'cookbook-output'), plainEnv);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('c38d57d1-05a7-4c33-904f-7fbceee60e82\n');
    expect(result.stdout).not.toBe(program.expectedOutput);
  });
});

describe("the Linux guide's first script", () => {
  it('runs from the root of the clone and prints what the page shows', () => {
    const blocks = codeBlocks(fs.readFileSync(path.join(repoRoot, 'docs', 'guides', 'getting-started-linux.md'), 'utf8'));
    const script = blocks.find((b) => b.lang === 'js');
    const output = blocks.find((b) => b.lang === 'text');
    if (!script || !output) throw new Error('getting-started-linux.md needs a js block and a text block');
    // `node hello-wfp.js` at the root: stdin with the root as cwd resolves modules the same way
    const run = spawnSync(process.execPath, ['-'], { cwd: repoRoot, input: script.code, env: { ...plainEnv, WFPKIT_BACKEND: '' }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(output.code);
  });
});
