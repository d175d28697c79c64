/**
 * The packaging test: every publishable package packed with npm, the tarballs installed into an
 * empty project outside the repository (no workspace links; third-party dependencies from the
 * registry, from npm's cache when it has them), with install scripts disabled and no compiler on
 * PATH. There each package must load with `require` and `import` (same exports, and types for
 * both), each README's first TypeScript example must type-check and run, `npx monitor-cli
 * --version` must answer, and a capture must replay through the
 * simulator's prebuilt library with the wfpkit driver linked, and `npx monitor-cli replay` must
 * replay it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { npm, packPackages, publishablePackages, readManifest, repoRoot, stagePrebuilt, withoutNpmScriptEnv } from '../src';
import type { PackReport, StagedPrebuilt } from '../src';

const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall', 'prepare'];
const capture = path.join(repoRoot, 'packages', 'simulator', 'test', 'fixtures', 'loopback.pcap');

let work = '';
let project = '';
let binDir = '';
let staged: StagedPrebuilt;
let packed: PackReport[] = [];

/** The environment of a program run in the project: PATH holds node, npm, npx and sh only. */
function projectEnv(): NodeJS.ProcessEnv {
  const env = withoutNpmScriptEnv();
  for (const k of ['WFPKIT_SIM_LIBRARY', 'WFPKIT_BACKEND', 'NODE_PATH', 'NODE_OPTIONS']) delete env[k];
  // HOME inside the scratch folder: whatever a package keeps there (the CLI's simulator state) stays in it
  return { ...env, PATH: binDir, HOME: path.join(work, 'home'), npm_config_update_notifier: 'false', npm_config_offline: 'true' };
}

/** Runs a command in the project. */
function run(command: string, args: readonly string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, [...args], { cwd: project, env: projectEnv(), encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Runs an ES module script in the project with node; fails the test with its stderr if it fails. */
function runScript(name: string, source: string): string {
  fs.writeFileSync(path.join(project, name), source);
  const r = run(path.join(binDir, 'node'), [name]);
  if (r.status !== 0) throw new Error(`${name} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/**
 * READMEs whose first TypeScript example is not a whole program, and why. Every other README's
 * first `ts` block must type-check and run in the installed project.
 */
const README_FRAGMENTS: Readonly<Record<string, string>> = {};

/** The first `ts` block of a README, or undefined. */
function firstExample(readme: string): string | undefined {
  return /^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
}

const publishable = publishablePackages();
const prebuiltNames = publishable.filter((p) => p.manifest.os !== undefined).map((p) => p.manifest.name);
/** What a user lists in dependencies: everything but the prebuilt packages, which npm picks itself. */
const userFacing = publishable.filter((p) => p.manifest.os === undefined).map((p) => p.manifest.name);

beforeAll(() => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'wfpkit-packaging-'));
  if (!path.relative(repoRoot, work).startsWith('..')) throw new Error(`${work} is inside the repository`);
  // WFPKIT_PACKAGING_LIBRARY: test a libwfpsim built elsewhere (the one a release is about to publish)
  const library = process.env['WFPKIT_PACKAGING_LIBRARY'];
  staged = stagePrebuilt({ outDir: path.join(work, 'stage'), ...(library ? { library } : {}) });
  packed = packPackages(
    publishable.map((p) => (p.manifest.name === staged.name ? staged.dir : p.dir)),
    path.join(work, 'tarballs'),
  );
  const tarball = (name: string): string => `file:${(packed.find((p) => p.name === name) as PackReport).filename}`;
  project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'wfpkit-consumer',
        version: '1.0.0',
        private: true,
        dependencies: Object.fromEntries(userFacing.map((n) => [n, tarball(n)])),
        // the prebuilt packages come in as @wfpkit/simulator's optional dependencies, from these tarballs
        overrides: Object.fromEntries(prebuiltNames.map((n) => [n, tarball(n)])),
      },
      null,
      2,
    ),
  );
  // only node, npm, npx and sh (npx runs bins through it) on PATH: no cc, no cmake, nothing else
  binDir = path.join(work, 'bin');
  fs.mkdirSync(binDir);
  const nodeBin = path.dirname(process.execPath);
  for (const [tool, dir] of [['node', nodeBin], ['npm', nodeBin], ['npx', nodeBin], ['sh', '/bin']] as const) {
    if (!fs.existsSync(path.join(dir, tool))) throw new Error(`${tool} is not in ${dir}`);
    fs.symlinkSync(fs.realpathSync(path.join(dir, tool)), path.join(binDir, tool));
  }
  const install = npm(
    ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier'],
    project,
    { ...withoutNpmScriptEnv(), PATH: binDir },
    150_000,
  );
  if (install.status !== 0) throw new Error(`npm install in ${project} failed (${install.status}):\n${install.stderr}`);
}, 180_000);

afterAll(() => {
  if (work && !process.env['WFPKIT_KEEP_PACKAGING']) fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed in an empty project', () => {
  it('packs every publishable package, the prebuilt library included', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(publishable.map((p) => p.manifest.name).sort());
    expect(prebuiltNames).toContain(staged.name);
    expect((packed.find((p) => p.name === staged.name) as PackReport).files).toContain(path.basename(staged.library));
  });

  it('ships a library whose glibc requirement its README states', () => {
    const versions = [...fs.readFileSync(staged.library).toString('latin1').matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(versions.length).toBeGreaterThan(0);
    const [major, minor] = versions.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a));
    const readme = fs.readFileSync(path.join(staged.dir, 'README.md'), 'utf8');
    const stated = /glibc\**\s*\((\d+)\.(\d+) or later\)/.exec(readme);
    expect(stated ? `${stated[1]}.${stated[2]}` : 'no "(X.Y or later)" in the README').toBe(`${major}.${minor}`);
  });

  it('installs real copies (no links into the repository), none of ours with an install script', () => {
    const nm = path.join(project, 'node_modules');
    for (const p of packed) {
      const dir = path.join(nm, p.name);
      expect(fs.lstatSync(dir).isSymbolicLink()).toBe(false);
      expect(path.relative(repoRoot, fs.realpathSync(dir)).startsWith('..')).toBe(true);
      const scripts = readManifest(dir).scripts ?? {};
      expect({ name: p.name, hooks: INSTALL_HOOKS.filter((h) => h in scripts) }).toEqual({ name: p.name, hooks: [] });
    }
    // nothing was compiled here: the simulator has no build folder, its library comes prebuilt
    expect(fs.existsSync(path.join(nm, '@wfpkit', 'simulator', 'build'))).toBe(false);
    expect(fs.existsSync(path.join(nm, staged.name, path.basename(staged.library)))).toBe(true);
  });

  it('declares every package its shipped code requires, and requires what it declares', () => {
    const builtins = new Set(builtinModules);
    for (const p of packed) {
      const dir = path.join(project, 'node_modules', p.name);
      const m = readManifest(dir);
      const used = new Set<string>();
      for (const file of p.files.filter((f) => /\.[cm]?js$/.test(f))) {
        // code only: comments hold examples that import other packages
        const code = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
        for (const [, spec] of code.matchAll(/(?:\brequire(?:\.resolve)?\(|\bimport\(|\bfrom\s)\s*["'`]([^"'`.$][^"'`]*)["'`]/g)) {
          const name = (spec as string).startsWith('@') ? (spec as string).split('/').slice(0, 2).join('/') : ((spec as string).split('/')[0] as string);
          if (!name.startsWith('node:') && !builtins.has(name) && name !== p.name) used.add(name);
        }
      }
      const declared = Object.keys({ ...m.dependencies, ...m.optionalDependencies });
      expect({ name: p.name, undeclared: [...used].filter((u) => !declared.includes(u)).sort() }).toEqual({ name: p.name, undeclared: [] });
      // optional dependencies are the prebuilt packages, found by name at run time
      const unused = Object.keys(m.dependencies ?? {}).filter((d) => !used.has(d));
      expect({ name: p.name, unused }).toEqual({ name: p.name, unused: [] });
    }
  });

  it('loads each package with require and with import, with the same exports', () => {
    const names = packed.map((p) => p.name);
    const out = runScript(
      'exports.mjs',
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const result = {};
for (const name of ${JSON.stringify(names)}) {
  const cjs = Object.keys(require(name)).filter((k) => k !== '__esModule').sort();
  const esm = Object.keys(await import(name)).filter((k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports').sort();
  result[name] = { cjs, esm, resolved: require.resolve(name) };
}
console.log(JSON.stringify(result));
`,
    );
    const result = JSON.parse(out) as Record<string, { cjs: string[]; esm: string[]; resolved: string }>;
    for (const name of names) {
      const r = result[name] as { cjs: string[]; esm: string[]; resolved: string };
      expect(r.cjs.length).toBeGreaterThan(0);
      expect({ name, esm: r.esm }).toEqual({ name, esm: r.cjs });
      expect(r.resolved.startsWith(path.join(project, 'node_modules'))).toBe(true);
    }
    expect(result['@wfpkit/simulator']?.cjs).toContain('nativeLibraryPath');
    expect(result['monitor-cli']?.cjs).toContain('createProgram');
    fs.writeFileSync(path.join(project, 'exports.json'), out);
  });

  it('has types for import (ESM) and require (CommonJS) consumers, and for the README examples', () => {
    const exportsOf = JSON.parse(fs.readFileSync(path.join(project, 'exports.json'), 'utf8')) as Record<string, { cjs: string[] }>;
    const lines = Object.entries(exportsOf).map(([name, e], i) => ({ name, symbol: e.cjs[0] as string, alias: `s${i}` }));
    fs.writeFileSync(
      path.join(project, 'consumer.mts'),
      `${lines.map((l) => `import { ${l.symbol} as ${l.alias} } from '${l.name}';`).join('\n')}\nexport const all: unknown[] = [${lines.map((l) => l.alias).join(', ')}];\n`,
    );
    fs.writeFileSync(
      path.join(project, 'consumer.cts'),
      `${lines.map((l) => `import ${l.alias} = require('${l.name}');`).join('\n')}\nexport const all: unknown[] = [${lines.map((l) => `${l.alias}.${l.symbol}`).join(', ')}];\n`,
    );
    // the README examples, as ES modules: type-checked here, run by the next test
    const examples: string[] = [];
    for (const p of publishable) {
      const example = firstExample(fs.readFileSync(path.join(project, 'node_modules', p.manifest.name, 'README.md'), 'utf8'));
      if (example === undefined || README_FRAGMENTS[p.manifest.name]) continue;
      const file = `readme-${p.folder}.mts`;
      fs.writeFileSync(path.join(project, file), example);
      examples.push(file);
    }
    expect(examples.length).toBeGreaterThanOrEqual(3);
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          strict: true,
          outDir: 'out',
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
        },
        files: ['consumer.mts', 'consumer.cts', ...examples],
      }),
    );
    const tsc = run(path.join(binDir, 'node'), [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], 110_000);
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('runs the first TypeScript example of every README', () => {
    const compiled = fs.readdirSync(path.join(project, 'out')).filter((f) => /^readme-.*\.mjs$/.test(f));
    expect(compiled.length).toBeGreaterThanOrEqual(3);
    for (const file of compiled) {
      const r = run(path.join(binDir, 'node'), [path.join('out', file)]);
      expect({ file, status: r.status, stderr: r.stderr }).toEqual({ file, status: 0, stderr: '' });
    }
    for (const p of publishable.filter((x) => README_FRAGMENTS[x.manifest.name])) {
      // an exception must still be one: when the example becomes a whole program, drop it from the list
      expect(firstExample(fs.readFileSync(path.join(p.dir, 'README.md'), 'utf8'))).toBeDefined();
    }
  });

  it('runs `npx monitor-cli --version`', () => {
    const r = run(path.join(binDir, 'npx'), ['monitor-cli', '--version']);
    expect(r.stderr.replace(/^npm warn .*\n?/gim, '')).toBe('');
    expect(r.stdout.trim()).toBe((packed.find((p) => p.name === 'monitor-cli') as PackReport).version);
    expect(r.status).toBe(0);
  });

  it('replays a capture through the prebuilt libwfpsim with the wfpkit driver', () => {
    fs.copyFileSync(capture, path.join(project, 'loopback.pcap'));
    const out = runScript(
      'replay.mjs',
      `import { loadDriver, nativeLibraryPath, runCapture, unloadDriver } from '@wfpkit/simulator';
import { CONTRACT_VERSION, openWfpKitDevice } from '@wfpkit/ioctl-client';
loadDriver();
const device = await openWfpKitDevice();
const contract = device.versionInfo.contractVersion === CONTRACT_VERSION;
await device.close();
const stats = runCapture('loopback.pcap');
console.log(JSON.stringify({ library: nativeLibraryPath(), contract, stats, unload: unloadDriver() }));
`,
    );
    const r = JSON.parse(out) as { library: string; contract: boolean; stats: Record<string, number>; unload: string };
    expect(r.library).toBe(path.join(project, 'node_modules', staged.name, path.basename(staged.library)));
    expect(r.contract).toBe(true);
    expect(r.stats).toMatchObject({ flows: 3, flowClassifies: 3, packetClassifies: 44 });
    expect(r.unload).toBe('unloaded');
  });

  it('replays a capture with `npx monitor-cli replay` on the simulator', () => {
    fs.copyFileSync(capture, path.join(project, 'loopback.pcap'));
    const r = run(path.join(binDir, 'npx'), ['monitor-cli', '--format', 'json', 'replay', 'loopback.pcap']);
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    const summary = JSON.parse(r.stdout) as { command: string; backend: string; flows: number; workloadFlows: number };
    expect(summary).toMatchObject({ command: 'replay', backend: 'sim', flows: 3, workloadFlows: 3 });
    expect(r.stderr).toContain('simulator');
  });

  it('says which package to install when the prebuilt library is missing or of another version', () => {
    const dir = path.join(project, 'node_modules', staged.name);
    const aside = path.join(work, 'aside');
    const probe = `try { require('@wfpkit/simulator').nativeLibraryPath(); console.log('found'); } catch (e) { console.log(e.code + ': ' + e.message); }`;
    fs.renameSync(dir, aside);
    let missing: string;
    try {
      missing = run(path.join(binDir, 'node'), ['-e', probe]).stdout;
    } finally {
      fs.renameSync(aside, dir);
    }
    const version = (packed.find((p) => p.name === '@wfpkit/simulator') as PackReport).version;
    expect(missing).toMatch(/^WFPSIM_LIBRARY_MISSING: /);
    expect(missing).toContain(`npm install ${staged.name}@${version}`);

    const manifestFile = path.join(dir, 'package.json');
    const manifest = fs.readFileSync(manifestFile, 'utf8');
    fs.writeFileSync(manifestFile, manifest.replace(`"version": "${version}"`, '"version": "99.0.0"'));
    let mismatch: string;
    try {
      mismatch = run(path.join(binDir, 'node'), ['-e', probe]).stdout;
    } finally {
      fs.writeFileSync(manifestFile, manifest);
    }
    expect(mismatch).toContain(`${staged.name}@99.0.0 is installed but @wfpkit/simulator is ${version}`);
    expect(run(path.join(binDir, 'node'), ['-e', probe]).stdout.trim()).toBe('found');
  });
});
