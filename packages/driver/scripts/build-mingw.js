#!/usr/bin/env node
// Cross-builds wfpkit.sys, a real PE32+ WDM driver, with MinGW-w64:
//   compat/fwpkclnt.def --dlltool--> build/mingw/libfwpkclnt.a
//   src/core/*.c src/win/*.c compat/*.c --gcc -std=c99 -Wall -Wextra -Werror--> objects
//   --> -nostdlib -shared --subsystem native --entry DriverEntry -lntoskrnl -lhal -lndis
//       -lfwpkclnt --> build/mingw/wfpkit.sys
//
// Usage: node scripts/build-mingw.js [--if-available]
//   --if-available: when the cross compiler is missing, say so and exit 0 (the package
//   `build` uses it so a machine without MinGW can still build the TypeScript), except
//   on CI (CI set), where a missing compiler fails the build.
// Environment: MINGW_PREFIX (default x86_64-w64-mingw32-).
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const prefix = process.env.MINGW_PREFIX ?? 'x86_64-w64-mingw32-';
const cc = `${prefix}gcc`;
const dlltool = `${prefix}dlltool`;
const outDir = path.join(pkg, 'build', 'mingw');
const objDir = path.join(outDir, 'obj');
const ifAvailable = process.argv.includes('--if-available');

function run(cmd, args) {
  const r = childProcess.spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `${r.stdout}${r.stderr}`;
    throw new Error(`${cmd} ${args.join(' ')}\n${why}`);
  }
  return r;
}

function have(cmd) {
  const r = childProcess.spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** The folder holding MinGW's ddk/ntddk.h, from the compiler's own include search list. */
function ddkDir() {
  const r = childProcess.spawnSync(cc, ['-E', '-Wp,-v', '-x', 'c', '-'], { input: '', encoding: 'utf8' });
  const dirs = String(r.stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'));
  for (const d of dirs) {
    if (fs.existsSync(path.join(d, 'ddk', 'ntddk.h'))) return path.join(d, 'ddk');
  }
  throw new Error(`${cc} has no ddk/ntddk.h on its include path: install the full mingw-w64 package (mingw-w64-x86-64-dev)`);
}

/**
 * Stores the PE image checksum (GNU ld leaves it 0; the Windows loader checks it for
 * boot-start drivers and tools report a zero one). The algorithm of CheckSumMappedFile:
 * 16-bit one's-complement-style sum of the file with the checksum field taken as 0,
 * folded, plus the file length.
 */
function writeChecksum(file) {
  const buf = fs.readFileSync(file);
  const peOffset = buf.readUInt32LE(0x3c);
  const field = peOffset + 4 + 20 + 64; // signature, COFF header, optional header + 64
  buf.writeUInt32LE(0, field);
  let sum = 0;
  for (let i = 0; i < buf.length; i += 2) {
    sum += i + 1 < buf.length ? buf.readUInt16LE(i) : buf[i];
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  buf.writeUInt32LE((sum + buf.length) >>> 0, field);
  fs.writeFileSync(file, buf);
}

function sources() {
  const list = [];
  for (const dir of ['src/core', 'src/win', 'compat']) {
    for (const f of fs.readdirSync(path.join(pkg, dir)).sort()) {
      if (f.endsWith('.c')) list.push(path.join(pkg, dir, f));
    }
  }
  return list;
}

function main() {
  if (!have(cc)) {
    const msg =
      `${cc} not found: the MinGW-w64 cross build of wfpkit.sys needs it. ` +
      'Install it with `sudo apt-get install mingw-w64` (Debian/Ubuntu) or `brew install mingw-w64` (macOS), ' +
      'or build the driver on Windows with the WDK (docs/guides/windows-driver.md).';
    if (ifAvailable && !process.env.CI) {
      console.warn(`build:mingw skipped: ${msg}`);
      return 0;
    }
    console.error(msg);
    return 1;
  }
  fs.mkdirSync(objDir, { recursive: true });
  const importLib = path.join(outDir, 'libfwpkclnt.a');
  run(dlltool, ['-d', path.join(pkg, 'compat', 'fwpkclnt.def'), '-l', importLib, '-m', 'i386:x86-64']);

  const flags = [
    '-std=c99',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-O2',
    '-fno-stack-protector',
    '-mno-stack-arg-probe',
    '-I',
    path.join(pkg, 'compat'),
    '-I',
    path.join(pkg, 'include'),
    '-I',
    path.join(pkg, 'src', 'core'),
    '-I',
    path.join(pkg, 'src', 'win'),
    '-isystem',
    ddkDir(),
  ];
  const objects = sources().map((src) => {
    const obj = path.join(objDir, `${path.basename(path.dirname(src))}-${path.basename(src, '.c')}.o`);
    run(cc, [...flags, '-c', src, '-o', obj]);
    return obj;
  });
  const sys = path.join(outDir, 'wfpkit.sys');
  run(cc, [
    '-nostdlib',
    '-shared',
    '-Wl,--subsystem,native',
    '-Wl,--entry,DriverEntry',
    '-Wl,--image-base,0x140000000',
    '-Wl,--dynamicbase',
    '-Wl,--nxcompat',
    '-Wl,--file-alignment,0x200',
    '-Wl,--section-alignment,0x1000',
    '-o',
    sys,
    ...objects,
    '-L',
    outDir,
    '-lfwpkclnt',
    '-lntoskrnl',
    '-lhal',
    '-lndis',
  ]);
  writeChecksum(sys);
  console.log(`built ${path.relative(process.cwd(), sys)} (${fs.statSync(sys).size} bytes)`);
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
