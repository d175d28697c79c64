/**
 * `@wfpkit/packaging` (private): what the release and the packaging test share. It finds the
 * publishable packages, copies the built libwfpsim into the platform's prebuilt package
 * (`@wfpkit/simulator-<platform>`), packs packages with npm, and runs npm with a registry that
 * cannot be reached, so nothing here ever talks to a registry unless a caller allows it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PREBUILT_PACKAGES, nativeLibraryFileName, nativePlatformKey } from '@wfpkit/simulator';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The `package.json` fields this package reads. */
export interface PackageManifest {
  /** npm name. */
  name: string;
  /** Version. */
  version: string;
  /** Private packages are never published. */
  private?: boolean;
  /** What goes into the tarball. */
  files?: string[];
  /** npm scripts. */
  scripts?: Record<string, string>;
  /** Runtime dependencies. */
  dependencies?: Record<string, string>;
  /** Optional dependencies (the prebuilt libwfpsim packages). */
  optionalDependencies?: Record<string, string>;
  /** Operating systems npm installs the package on. */
  os?: string[];
  /** CPUs npm installs the package on. */
  cpu?: string[];
  /** C libraries npm installs the package with. */
  libc?: string[];
  /** Supported Node versions. */
  engines?: Record<string, string>;
  /** The exports map. */
  exports?: Record<string, unknown>;
  /** Commands the package links. */
  bin?: Record<string, string>;
}

/** A workspace package: its folder and its manifest. */
export interface WorkspacePackage {
  /** Absolute path of its folder. */
  dir: string;
  /** Folder name under `packages/`. */
  folder: string;
  /** Its `package.json`. */
  manifest: PackageManifest;
}

/** Reads a `package.json`. */
export function readManifest(dir: string): PackageManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/**
 * The packages a release publishes: every `packages/*` folder whose `package.json` is not
 * private, sorted by folder.
 *
 * @param root - the repository root
 */
export function publishablePackages(root: string = repoRoot): WorkspacePackage[] {
  const base = path.join(root, 'packages');
  return fs
    .readdirSync(base)
    .sort()
    .filter((folder) => fs.existsSync(path.join(base, folder, 'package.json')))
    .map((folder) => ({ dir: path.join(base, folder), folder, manifest: readManifest(path.join(base, folder)) }))
    .filter((p) => p.manifest.private !== true);
}

/** A prebuilt package with its library in place, ready for `npm pack` or `npm publish`. */
export interface StagedPrebuilt {
  /** npm name, e.g. `@wfpkit/simulator-linux-x64-gnu`. */
  name: string;
  /** The platform key, e.g. `linux-x64-gnu`. */
  platform: string;
  /** The folder to pack or publish. */
  dir: string;
  /** The library inside it. */
  library: string;
}

/** Options of {@link stagePrebuilt}. */
export interface StageOptions {
  /** The repository root (default {@link repoRoot}). */
  root?: string;
  /** The library to ship (default: the simulator's source build, `packages/simulator/build`). */
  library?: string;
  /**
   * Copy the package to `<outDir>/<folder>` and put the library there, leaving the repository
   * as it is (the packaging test). Default: put the library into the package's own folder (the
   * release, right before `changeset publish`).
   */
  outDir?: string;
  /** The platform to stage (default: this machine's, which must be the one the library was built on). */
  platform?: string;
}

/**
 * Puts the built libwfpsim into the prebuilt package of this machine's platform. The library is
 * never committed: the release runs this after building and before publishing.
 *
 * @param options - where the library comes from and where the package goes
 * @returns the staged package
 * @throws Error when no prebuilt package exists for the platform, the package folder is
 *   missing, or the library has not been built; each message says what to do
 */
export function stagePrebuilt(options: StageOptions = {}): StagedPrebuilt {
  const root = options.root ?? repoRoot;
  const platform = options.platform ?? nativePlatformKey();
  const name = PREBUILT_PACKAGES[platform];
  if (!name) {
    throw new Error(
      `no prebuilt libwfpsim package is published for ${platform} (there are: ${Object.entries(PREBUILT_PACKAGES)
        .map(([k, v]) => `${k} → ${v}`)
        .join(', ')}): run the release's staging step on one of those machines, or add a package for ${platform} ` +
        '(CONTRIBUTING.md, "Releasing").',
    );
  }
  const pkg = publishablePackages(root).find((p) => p.manifest.name === name);
  if (!pkg) throw new Error(`${name} is listed in PREBUILT_PACKAGES but no packages/* folder holds it: create packages/${name.replace('@wfpkit/', '')}.`);
  const fileName = nativeLibraryFileName(platform.split('-')[0] as NodeJS.Platform);
  if (!(pkg.manifest.files ?? []).includes(fileName)) throw new Error(`${name}'s package.json "files" does not list ${fileName}: add it, or npm would publish the package without its library.`);
  const library = path.resolve(options.library ?? path.join(root, 'packages', 'simulator', 'build', fileName));
  if (!fs.existsSync(library)) {
    throw new Error(`${library} does not exist: build libwfpsim first (\`npm run build -w @wfpkit/simulator\`, which needs cmake and a C compiler).`);
  }
  let dir = pkg.dir;
  if (options.outDir !== undefined) {
    dir = path.join(path.resolve(options.outDir), pkg.folder);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(pkg.dir, dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('node_modules') });
  }
  const target = path.join(dir, fileName);
  fs.copyFileSync(library, target);
  fs.chmodSync(target, 0o755);
  return { name, platform, dir, library: target };
}

/**
 * Removes libraries {@link stagePrebuilt} put into the repository's prebuilt packages, so the
 * simulator finds its own source build again.
 *
 * @param root - the repository root
 * @returns the files removed
 */
export function cleanPrebuilt(root: string = repoRoot): string[] {
  const removed: string[] = [];
  for (const pkg of publishablePackages(root)) {
    if (!pkg.manifest.os) continue;
    for (const f of pkg.manifest.files ?? []) {
      const file = path.join(pkg.dir, f);
      if (/^libwfpsim\.[a-z]+$/.test(f) && fs.existsSync(file)) {
        fs.rmSync(file);
        removed.push(file);
      }
    }
  }
  return removed;
}

/** An address nothing listens on: npm fails fast if it tries a registry. */
export const UNREACHABLE_REGISTRY = 'http://127.0.0.1:9/';

/**
 * An environment for npm that keeps it off every registry: offline, the registry set to
 * {@link UNREACHABLE_REGISTRY}, no audit, no update check.
 *
 * @param base - the environment to extend
 */
export function offlineNpmEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...withoutNpmScriptEnv(base),
    npm_config_registry: UNREACHABLE_REGISTRY,
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** A finished npm run. */
export interface NpmResult {
  /** Exit status. */
  status: number | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs npm (the one that runs this process's tooling: `npm` on PATH).
 *
 * @param args - npm's arguments
 * @param cwd - working directory
 * @param env - environment (default: {@link offlineNpmEnv})
 * @param timeoutMs - kill after this long
 */
export function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = offlineNpmEnv(), timeoutMs = 120_000): NpmResult {
  const r = spawnSync('npm', [...args], { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** What npm reports for one packed (or dry-run published) package. */
export interface PackReport {
  /** npm name. */
  name: string;
  /** Version. */
  version: string;
  /** Tarball file name. */
  filename: string;
  /** Paths inside the tarball (without the leading `package/`). */
  files: string[];
}

/** Parses the JSON npm prints for `pack --json` / `publish --json` (an array or an object by name). */
export function parsePackJson(stdout: string): PackReport[] {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`npm printed no JSON:\n${stdout}`);
  const parsed = JSON.parse(stdout.slice(start)) as unknown;
  const entries = (Array.isArray(parsed) ? parsed : Object.values(parsed as Record<string, unknown>)) as {
    name: string;
    version: string;
    filename: string;
    files: { path: string }[];
  }[];
  return entries.map((e) => ({ name: e.name, version: e.version, filename: e.filename, files: e.files.map((f) => f.path).sort() }));
}

/**
 * Packs package folders into `destination` with `npm pack` (offline).
 *
 * @param dirs - the folders
 * @param destination - where the tarballs go
 * @returns one report per folder, with `filename` made absolute
 * @throws Error with npm's output when it fails
 */
export function packPackages(dirs: readonly string[], destination: string): PackReport[] {
  fs.mkdirSync(destination, { recursive: true });
  const r = npm(['pack', '--json', '--pack-destination', destination, ...dirs], destination);
  if (r.status !== 0) throw new Error(`npm pack failed (${r.status}):\n${r.stderr}`);
  return parsePackJson(r.stdout).map((p) => ({ ...p, filename: path.join(destination, p.filename) }));
}

/**
 * The environment without the `npm_*` variables an npm script run leaves behind (`npm test`
 * sets `npm_config_local_prefix` to the repository, for one): an npm started with it in
 * another folder works on that folder only.
 *
 * @param base - the environment to copy
 */
export function withoutNpmScriptEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(base).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
}
