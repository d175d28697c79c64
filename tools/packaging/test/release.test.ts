/**
 * The release steps without a registry: `changeset version` in a scratch git repository made
 * from the workspace's manifests and pending changesets, and `npm publish --dry-run` of every
 * publishable package, both with npm offline and its registry set to an address nothing listens on.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNREACHABLE_REGISTRY, npm, offlineNpmEnv, parsePackJson, publishablePackages, readManifest, repoRoot, stagePrebuilt } from '../src';
import type { PackageManifest, StagedPrebuilt } from '../src';

type Bump = 'major' | 'minor' | 'patch';
const BUMPS: readonly Bump[] = ['patch', 'minor', 'major'];

interface Changeset {
  file: string;
  releases: Map<string, Bump>;
  summary: string;
}

/** The pending changesets in `.changeset/`. */
function pendingChangesets(dir: string): Changeset[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!m) throw new Error(`.changeset/${file} has no front matter`);
      const releases = new Map<string, Bump>();
      for (const line of (m[1] as string).split('\n').filter((l) => l.trim() !== '')) {
        const r = /^\s*["']?([^"']+?)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line);
        if (!r) throw new Error(`.changeset/${file}: cannot read "${line}"`);
        releases.set(r[1] as string, r[2] as Bump);
      }
      return { file, releases, summary: (m[2] as string).trim() };
    });
}

function bumpVersion(version: string, bump: Bump): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

function git(cwd: string, args: readonly string[]): string {
  const r = spawnSync('git', [...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

const publishable = publishablePackages();
let work = '';

beforeAll(() => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'wfpkit-release-'));
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('changeset configuration', () => {
  it('releases all packages together, so a prebuilt library always matches its simulator', () => {
    const config = JSON.parse(fs.readFileSync(path.join(repoRoot, '.changeset', 'config.json'), 'utf8')) as { fixed: string[][]; linked: string[][] };
    const group = config.fixed.find((g) => g.includes('@wfpkit/*'));
    expect(group).toBeDefined();
    const matches = (name: string): boolean => (group ?? []).some((g) => (g.endsWith('/*') ? name.startsWith(g.slice(0, -1)) : g === name));
    for (const p of publishable) expect({ name: p.manifest.name, fixed: matches(p.manifest.name) }).toEqual({ name: p.manifest.name, fixed: true });
  });
});

describe('changeset version, offline', () => {
  let clone = '';
  let before: Map<string, PackageManifest>;
  let changesets: Changeset[];

  beforeAll(() => {
    // a scratch repository holding what changesets reads: manifests, changelogs, .changeset/
    clone = path.join(work, 'repo');
    const copy = (rel: string): void => {
      const from = path.join(repoRoot, rel);
      if (!fs.existsSync(from)) return;
      fs.mkdirSync(path.dirname(path.join(clone, rel)), { recursive: true });
      fs.cpSync(from, path.join(clone, rel), { recursive: true });
    };
    copy('package.json');
    copy('.changeset');
    for (const base of ['packages', 'tools']) {
      for (const folder of fs.readdirSync(path.join(repoRoot, base))) {
        copy(path.join(base, folder, 'package.json'));
        copy(path.join(base, folder, 'CHANGELOG.md'));
      }
    }
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'));
    fs.writeFileSync(path.join(clone, '.gitignore'), 'node_modules\n');
    git(clone, ['init', '-q', '-b', 'main']);
    git(clone, ['add', '.']);
    git(clone, ['-c', 'user.name=wfpkit test', '-c', 'user.email=test@wfpkit.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'release candidate']);
    before = new Map(publishable.map((p) => [p.manifest.name, readManifest(path.join(clone, 'packages', p.folder))]));
    changesets = pendingChangesets(path.join(clone, '.changeset'));
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'], {
      cwd: clone,
      env: offlineNpmEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`changeset version failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }, 90_000);

  it('has changesets to release (the repository convention: every user-visible change has one)', () => {
    expect(changesets.length).toBeGreaterThan(0);
    for (const c of changesets) for (const name of c.releases.keys()) expect(publishable.map((p) => p.manifest.name)).toContain(name);
  });

  it('bumps every publishable package to one version, the largest bump of any changeset', () => {
    const largest = BUMPS.reduce<Bump>((acc, b) => (changesets.some((c) => [...c.releases.values()].includes(b)) ? b : acc), 'patch');
    // one fixed group: every package has the same version before the release too
    const versionsBefore = new Set([...before.values()].map((m) => m.version));
    expect(versionsBefore.size).toBe(1);
    const from = [...versionsBefore][0] as string;
    const expected = bumpVersion(from, largest);
    for (const p of publishable) {
      expect({ name: p.manifest.name, version: readManifest(path.join(clone, 'packages', p.folder)).version }).toEqual({ name: p.manifest.name, version: expected });
    }
  });

  it('points internal dependencies, the optional prebuilt packages too, at the new versions', () => {
    const versions = new Map(publishable.map((p) => [p.manifest.name, readManifest(path.join(clone, 'packages', p.folder)).version]));
    let checked = 0;
    for (const p of publishable) {
      const m = readManifest(path.join(clone, 'packages', p.folder));
      for (const deps of [m.dependencies ?? {}, m.optionalDependencies ?? {}]) {
        for (const [dep, range] of Object.entries(deps)) {
          if (!versions.has(dep)) continue;
          expect(`${p.manifest.name} → ${dep}@${range}`).toBe(`${p.manifest.name} → ${dep}@${versions.get(dep) as string}`);
          checked++;
        }
      }
    }
    const simulator = readManifest(path.join(clone, 'packages', 'simulator'));
    expect(Object.keys(simulator.optionalDependencies ?? {}).length).toBeGreaterThan(0);
    expect(checked).toBeGreaterThan(5);
  });

  it('writes each changeset into the changelogs of its packages, with its commit, and removes it', () => {
    const commit = git(clone, ['log', '-1', '--format=%h']).trim();
    for (const p of publishable) {
      const changelog = fs.readFileSync(path.join(clone, 'packages', p.folder, 'CHANGELOG.md'), 'utf8');
      const version = readManifest(path.join(clone, 'packages', p.folder)).version;
      expect(changelog.startsWith(`# ${p.manifest.name}\n\n## ${version}\n`)).toBe(true);
      for (const c of changesets.filter((x) => x.releases.has(p.manifest.name))) {
        const firstLine = c.summary.split('\n')[0] as string;
        expect(changelog).toContain(`- ${commit}: ${firstLine}`);
      }
    }
    for (const c of changesets) expect(fs.existsSync(path.join(clone, '.changeset', c.file))).toBe(false);
  });
});

describe('npm publish --dry-run, offline', () => {
  let staged: StagedPrebuilt;

  beforeAll(() => {
    const library = process.env['WFPKIT_PACKAGING_LIBRARY'];
    staged = stagePrebuilt({ outDir: path.join(work, 'stage'), ...(library ? { library } : {}) });
  });

  /**
   * Files outside the rule below that a package ships on purpose: the driver its MinGW-built
   * `wfpkit.sys`. (The simulator ships no C tests: its CMake source build configures them only
   * when native/test is there, which it is not in the package.)
   */
  const SHIPPED_ON_PURPOSE: Readonly<Record<string, RegExp>> = {
    '@wfpkit/driver': /^build\/mingw\/wfpkit\.sys$/,
  };

  it.each(publishable.map((p) => [p.manifest.name, p.dir]))('%s lists its build, README and LICENSE, and no sources or tests', (name, dir) => {
    const from = name === staged.name ? staged.dir : dir;
    const r = npm(['publish', '--dry-run', '--json', '--ignore-scripts=false'], from);
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    const [report] = parsePackJson(r.stdout);
    const files = report?.files ?? [];
    expect(report?.name).toBe(name);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) expect(files).toContain(f);
    const unwanted = files.filter(
      (f) =>
        /(^|\/)(test|__tests__|fixtures|fuzz|bench|node_modules)\//.test(f) ||
        /\.(test|spec)\.[cm]?[jt]s$/.test(f) ||
        /^src\/.*\.ts$/.test(f) ||
        /(^|\/)(tsconfig[^/]*\.json|jest\.config\.js|typedoc\.json|\.eslintrc.*|.*\.tsbuildinfo)$/.test(f) ||
        /^(build|build-[^/]*)\//.test(f),
    ).filter((f) => !SHIPPED_ON_PURPOSE[name]?.test(f));
    expect(unwanted).toEqual([]);
    // every file a package.json entry point names is in the tarball
    const m = readManifest(from);
    for (const target of [...Object.values(m.bin ?? {}), ...JSON.stringify(m.exports ?? {}).match(/\.\/[^"]+/g) ?? []]) {
      expect(files).toContain(target.replace(/^\.\//, ''));
    }
    if (name === staged.name) expect(files).toContain(path.basename(staged.library));
  });

  it('refuses to publish a prebuilt package without its library', () => {
    const bare = path.join(work, 'bare');
    fs.cpSync(staged.dir, bare, { recursive: true });
    fs.rmSync(path.join(bare, path.basename(staged.library)));
    const r = npm(['publish', '--dry-run'], bare);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${path.basename(staged.library)} is missing`);
    expect(r.stderr).toContain('stage-prebuilt');
  });

  it('never reaches a registry (npm is offline, and its registry is a dead address)', () => {
    const env = offlineNpmEnv();
    expect(env['npm_config_registry']).toBe(UNREACHABLE_REGISTRY);
    expect(env['npm_config_offline']).toBe('true');
    // even with offline mode off, a request goes nowhere
    const online = { ...env, npm_config_offline: 'false', npm_config_prefer_online: 'true', npm_config_fetch_retries: '0' };
    const r = npm(['view', 'tslib', 'version'], work, online, 30_000);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ECONNREFUSED|127\.0\.0\.1:9/);
  });
});
