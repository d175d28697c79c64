#!/usr/bin/env node
// Builds libwfpsim (native/) with CMake into packages/simulator/build/.
// Used by `npm run build:native -w @wfpkit/simulator` and by the root `prepare`
// script, so `npm ci` leaves a ready library behind.
//
// Environment:
//   WFPSIM_ASAN=1          build with AddressSanitizer + UBSan (into build-asan/)
//   WFPSIM_BUILD_TYPE=...  CMake build type (default Release)
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(__dirname, '..');
const sourceDir = path.join(packageDir, 'native');
const asan = process.env.WFPSIM_ASAN === '1';
const buildDir = path.join(packageDir, asan ? 'build-asan' : 'build');
const buildType = process.env.WFPSIM_BUILD_TYPE || (asan ? 'Debug' : 'Release');

function fail(message) {
  console.error(`@wfpkit/simulator: ${message}`);
  process.exit(1);
}

function have(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function run(command, args) {
  const r = spawnSync(command, args, { stdio: 'inherit' });
  if (r.error) fail(`could not run ${command}: ${r.error.message}`);
  if (r.status !== 0) fail(`\`${command} ${args.join(' ')}\` failed with exit code ${r.status}`);
}

if (process.platform === 'win32') {
  console.log('@wfpkit/simulator: skipping the libwfpsim build on Windows (the real fwpuclnt.dll is used there).');
  process.exit(0);
}

if (!have('cmake', ['--version'])) {
  fail(
    'cmake was not found on PATH. libwfpsim is built with CMake >= 3.16 and a C11 compiler: ' +
      'install them (Debian/Ubuntu: `sudo apt-get install cmake gcc`, macOS: `brew install cmake` ' +
      'and the Xcode command line tools), then run `npm run build:native -w @wfpkit/simulator`.',
  );
}
const cc = process.env.CC || 'cc';
if (!have(cc, ['--version']) && !have('gcc', ['--version']) && !have('clang', ['--version'])) {
  fail(
    `no C compiler was found (tried ${cc}, gcc, clang). Install one (Debian/Ubuntu: ` +
      '`sudo apt-get install gcc`, macOS: `xcode-select --install`) or set CC, then run ' +
      '`npm run build:native -w @wfpkit/simulator`.',
  );
}

// A build folder configured for another source tree (the checkout was copied or moved) makes
// CMake refuse to run: drop its cache so it is configured afresh.
const cache = path.join(buildDir, 'CMakeCache.txt');
if (fs.existsSync(cache)) {
  const home = /^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$/m.exec(fs.readFileSync(cache, 'utf8'));
  if (home && path.resolve(home[1]) !== path.resolve(sourceDir)) {
    console.log(`@wfpkit/simulator: ${path.relative(process.cwd(), buildDir) || '.'} was configured for ${home[1]}: reconfiguring`);
    fs.rmSync(cache, { force: true });
    fs.rmSync(path.join(buildDir, 'CMakeFiles'), { recursive: true, force: true });
  }
}

run('cmake', [
  '-S',
  sourceDir,
  '-B',
  buildDir,
  `-DCMAKE_BUILD_TYPE=${buildType}`,
  `-DWFPSIM_ASAN=${asan ? 'ON' : 'OFF'}`,
]);
run('cmake', ['--build', buildDir, '--parallel']);
console.log(`@wfpkit/simulator: libwfpsim built in ${path.relative(process.cwd(), buildDir) || '.'}`);
