// Builds the real PE driver with MinGW-w64 (scripts/build-mingw.js) and checks it with
// objdump: PE32+ for x86-64, subsystem native (1), entry point DriverEntry, and imports
// only from ntoskrnl.exe / HAL.dll / NDIS.SYS / fwpkclnt.sys and only names that
// src/win/KERNEL_SURFACE.md lists. On CI a missing cross compiler fails; elsewhere the
// test is skipped with the reason.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const pkg = path.resolve(__dirname, '..');
const prefix = process.env.MINGW_PREFIX ?? 'x86_64-w64-mingw32-';
const objdump = `${prefix}objdump`;
const nm = `${prefix}nm`;
const sys = path.join(pkg, 'build', 'mingw', 'wfpkit.sys');
const haveMingw = childProcess.spawnSync(`${prefix}gcc`, ['--version']).status === 0;
const inCi = Boolean(process.env.CI);

function sh(cmd: string, args: string[]): string {
  const r = childProcess.spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed\n${String(r.stdout)}${String(r.stderr)}${r.error?.message ?? ''}`);
  }
  return r.stdout;
}

/** Every identifier written in backticks in KERNEL_SURFACE.md. */
function surfaceNames(): Set<string> {
  const md = fs.readFileSync(path.join(pkg, 'src', 'win', 'KERNEL_SURFACE.md'), 'utf8');
  const names = new Set<string>();
  for (const m of md.matchAll(/`([^`]+)`/g)) {
    for (const id of (m[1] ?? '').match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) names.add(id);
  }
  return names;
}

/** DLL name -> imported names, from `objdump -p`. */
function imports(dump: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of dump.split('\n')) {
    const dll = /^\s*DLL Name: (\S+)/.exec(line);
    if (dll) {
      current = [];
      map.set(dll[1] ?? '', current);
      continue;
    }
    const entry = /^\s+[0-9a-f]+\s+\d+\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line);
    if (entry?.[1] && current) current.push(entry[1]);
    if (/^\s*$/.test(line)) current = null;
  }
  return map;
}

(haveMingw || inCi ? describe : describe.skip)(
  `MinGW-w64 cross build of wfpkit.sys${haveMingw ? '' : ' (skipped: x86_64-w64-mingw32-gcc not installed)'}`,
  () => {
    let dump = '';

    beforeAll(() => {
      if (!haveMingw) throw new Error('x86_64-w64-mingw32-gcc is missing: install the mingw-w64 package (CI must build the PE driver)');
      sh(process.execPath, [path.join(pkg, 'scripts', 'build-mingw.js')]);
      dump = sh(objdump, ['-p', sys]);
    }, 120_000);

    it('is a PE32+ image for x86-64 with the native subsystem', () => {
      expect(sh(objdump, ['-f', sys])).toMatch(/file format pei-x86-64[\s\S]*architecture: i386:x86-64/);
      expect(dump).toMatch(/^Magic\s+020b\s+\(PE32\+\)/m);
      expect(dump).toMatch(/^Subsystem\s+00000001\s+\(NT native\)/m);
      expect(dump).not.toMatch(/^CheckSum\s+00000000$/m);
    });

    it('enters at DriverEntry', () => {
      const entry = BigInt(`0x${/^AddressOfEntryPoint\s+([0-9a-f]+)/m.exec(dump)?.[1] ?? '0'}`);
      const base = BigInt(`0x${/^ImageBase\s+([0-9a-f]+)/m.exec(dump)?.[1] ?? '0'}`);
      const sym = /^([0-9a-f]+) T DriverEntry$/m.exec(sh(nm, [sys]));
      expect(sym).not.toBeNull();
      expect(base + entry).toBe(BigInt(`0x${sym?.[1] ?? '0'}`));
    });

    it('imports only from the kernel modules, and only names KERNEL_SURFACE.md lists', () => {
      const allowedDlls = new Set(['ntoskrnl.exe', 'hal.dll', 'ndis.sys', 'fwpkclnt.sys']);
      const surface = surfaceNames();
      const found = imports(dump);
      expect([...found.keys()].filter((d) => !allowedDlls.has(d.toLowerCase()))).toEqual([]);
      expect(found.get('ntoskrnl.exe')?.length).toBeGreaterThan(20);
      expect(found.get('fwpkclnt.sys')).toEqual(
        expect.arrayContaining(['FwpsCalloutRegister1', 'FwpsFlowAssociateContext0', 'FwpsCopyStreamDataToBuffer0']),
      );
      const outside = [...found.values()].flat().filter((n) => !surface.has(n));
      expect(outside).toEqual([]);
    });

    it('imports the packet-tagging functions, but resolves ...AssociateContext1 at load so it loads on Windows 7', () => {
      const found = imports(dump);
      expect(found.get('fwpkclnt.sys')).toEqual(
        expect.arrayContaining([
          'FwpsNetBufferListGetTagForContext0',
          'FwpsNetBufferListAssociateContext0',
          'FwpsNetBufferListRetrieveContext0',
          'FwpsNetBufferListRemoveContext0',
        ]),
      );
      expect(found.get('fwpkclnt.sys')).not.toContain('FwpsNetBufferListAssociateContext1');
      // The dynamic lookup: MmGetSystemRoutineAddress (for RtlPcToFileHeader) and the export
      // name the glue searches fwpkclnt.sys's export directory for.
      expect(found.get('ntoskrnl.exe')).toContain('MmGetSystemRoutineAddress');
      const image = fs.readFileSync(sys).toString('latin1');
      expect(image).toContain('FwpsNetBufferListAssociateContext1\0');
      expect(image).toContain('R\0t\0l\0P\0c\0T\0o\0F\0i\0l\0e\0H\0e\0a\0d\0e\0r\0');
    });
  },
);
