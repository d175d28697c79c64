import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PREBUILT_PACKAGES, nativePlatformKey } from '@wfpkit/simulator';
import { cleanPrebuilt, publishablePackages, repoRoot, stagePrebuilt } from '../src';

const PLATFORM = 'linux-x64-gnu';
let root = '';

/** A scratch repository: the prebuilt package's folder and a fake source build. */
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-stage-'));
  const pkg = path.join(root, 'packages', 'simulator-linux-x64-gnu');
  fs.mkdirSync(pkg, { recursive: true });
  fs.copyFileSync(path.join(repoRoot, 'packages', 'simulator-linux-x64-gnu', 'package.json'), path.join(pkg, 'package.json'));
  fs.writeFileSync(path.join(pkg, 'README.md'), 'readme\n');
  fs.mkdirSync(path.join(root, 'packages', 'simulator', 'build'), { recursive: true });
  fs.writeFileSync(path.join(root, 'packages', 'simulator', 'package.json'), '{"name":"@wfpkit/simulator","version":"0.0.0"}');
  fs.writeFileSync(path.join(root, 'packages', 'simulator', 'build', 'libwfpsim.so'), 'built library');
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('nativePlatformKey', () => {
  it('names a platform as the prebuilt packages do', () => {
    expect(nativePlatformKey('linux', 'x64', 'gnu')).toBe('linux-x64-gnu');
    expect(nativePlatformKey('linux', 'arm64', 'musl')).toBe('linux-arm64-musl');
    expect(nativePlatformKey('darwin', 'arm64')).toBe('darwin-arm64');
    const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
    if (process.platform === 'linux') expect(nativePlatformKey()).toBe(`linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`);
  });
});

describe('stagePrebuilt', () => {
  it('has a package folder for every platform the simulator looks up', () => {
    const names = publishablePackages().map((p) => p.manifest.name);
    for (const name of Object.values(PREBUILT_PACKAGES)) expect(names).toContain(name);
  });

  it('copies the built library into the package, executable, and cleanPrebuilt takes it out again', () => {
    const staged = stagePrebuilt({ root, platform: PLATFORM });
    const target = path.join(root, 'packages', 'simulator-linux-x64-gnu', 'libwfpsim.so');
    expect(staged).toEqual({ name: '@wfpkit/simulator-linux-x64-gnu', platform: PLATFORM, dir: path.dirname(target), library: target });
    expect(fs.readFileSync(target, 'utf8')).toBe('built library');
    expect(fs.statSync(target).mode & 0o111).toBe(0o111);
    expect(cleanPrebuilt(root)).toEqual([target]);
    expect(fs.existsSync(target)).toBe(false);
    expect(cleanPrebuilt(root)).toEqual([]);
  });

  it('stages into a copy and leaves the package folder alone with outDir', () => {
    const out = path.join(root, 'out');
    const staged = stagePrebuilt({ root, platform: PLATFORM, outDir: out });
    expect(staged.dir).toBe(path.join(out, 'simulator-linux-x64-gnu'));
    expect(fs.readFileSync(path.join(staged.dir, 'README.md'), 'utf8')).toBe('readme\n');
    expect(fs.existsSync(staged.library)).toBe(true);
    expect(fs.existsSync(path.join(root, 'packages', 'simulator-linux-x64-gnu', 'libwfpsim.so'))).toBe(false);
  });

  it('refuses a platform without a package, and a library that was not built, changing nothing', () => {
    expect(() => stagePrebuilt({ root, platform: 'darwin-arm64' })).toThrow(/no prebuilt libwfpsim package is published for darwin-arm64 .*linux-x64-gnu/);
    fs.rmSync(path.join(root, 'packages', 'simulator', 'build', 'libwfpsim.so'));
    expect(() => stagePrebuilt({ root, platform: PLATFORM })).toThrow(/does not exist: build libwfpsim first \(`npm run build -w @wfpkit\/simulator`/);
    expect(fs.readdirSync(path.join(root, 'packages', 'simulator-linux-x64-gnu')).sort()).toEqual(['README.md', 'package.json']);
  });

  it('refuses a package whose "files" would leave the library out', () => {
    const manifestFile = path.join(root, 'packages', 'simulator-linux-x64-gnu', 'package.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { files: string[] };
    manifest.files = manifest.files.filter((f) => f !== 'libwfpsim.so');
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(() => stagePrebuilt({ root, platform: PLATFORM })).toThrow(/"files" does not list libwfpsim\.so/);
  });
});

describe('the stage-prebuilt command', () => {
  const cli = path.join(repoRoot, 'tools', 'packaging', 'dist', 'stage-prebuilt.js');
  const run = (...args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };

  it('exits 1 with the reason on bad input, 2 on a missing value', () => {
    expect(run('--platform', 'darwin-arm64')).toEqual({ status: 1, stderr: expect.stringMatching(/^stage-prebuilt: no prebuilt libwfpsim package is published for darwin-arm64/) as unknown as string });
    expect(run('--library', path.join(root, 'nope.so'))).toEqual({ status: 1, stderr: expect.stringContaining('nope.so does not exist') as unknown as string });
    expect(run('--library').status).toBe(2);
  });
});
