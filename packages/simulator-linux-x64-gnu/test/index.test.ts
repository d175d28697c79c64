import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIBRARY_FILE, PLATFORM, libraryPath } from '../src';

interface Manifest {
  name: string;
  os: string[];
  cpu: string[];
  libc: string[];
  files: string[];
  scripts: Record<string, string>;
}

const dir = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

describe('the prebuilt package', () => {
  it('points at the library file in its own folder', () => {
    expect(libraryPath).toBe(path.join(dir, LIBRARY_FILE));
  });

  it('is installed by npm only where its library runs, and ships it', () => {
    expect(manifest.name).toBe(`@wfpkit/simulator-${PLATFORM}`);
    expect({ os: manifest.os, cpu: manifest.cpu, libc: manifest.libc }).toEqual({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] });
    expect(manifest.files).toContain(LIBRARY_FILE);
  });

  it('has no install-time script (npm would not run one anyway)', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[hook]).toBeUndefined();
  });

  it('never commits the library', () => {
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n')).toContain(LIBRARY_FILE);
  });
});
