// Shared by the simulator tests: makes sure libwfpsim and the C test program
// exist (builds them once if not) and gives their paths.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import { nativeBuildDirectory, nativeLibraryFileName } from '../src';

export const packageDir = path.resolve(__dirname, '..');

export function ensureNativeBuild(): void {
  const lib = path.join(nativeBuildDirectory(), nativeLibraryFileName());
  const prog = path.join(nativeBuildDirectory(), 'wfpsim_bfe_test');
  if (existsSync(lib) && existsSync(prog)) return;
  const r = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'build-native.js')], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`native build failed:\n${r.stdout}\n${r.stderr}`);
}

export function bfeTestProgram(): string {
  return path.join(nativeBuildDirectory(), 'wfpsim_bfe_test');
}
