import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DriverFilesMissingError, driverFiles } from '@wfpkit/driver';

describe('driverFiles', () => {
  it('locates the contract header, which compiles as C', () => {
    const files = driverFiles();
    expect(path.basename(files.contractHeader)).toBe('wfpkit_ioctl.h');
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-driver-')), 'probe.c');
    fs.writeFileSync(probe, '#include "wfpkit_ioctl.h"\nint main(void) { return (int)sizeof(WK_RECORD_HEADER) - 24; }\n');
    const exe = probe.replace(/\.c$/, '');
    childProcess.execFileSync(process.env.CC ?? 'cc', ['-std=c11', '-Wall', '-Werror', '-I', files.includeDir, probe, '-o', exe]);
    expect(childProcess.spawnSync(exe).status).toBe(0);
  });

  it('locates the sources, compat headers, WDK project and INF', () => {
    const files = driverFiles();
    for (const p of [files.sourcesDir, files.coreDir, files.winDir, files.sourcesList, files.compatDir, files.inf, files.vcxproj]) {
      expect(fs.existsSync(p)).toBe(true);
    }
    expect(fs.existsSync(path.join(files.compatDir, 'fwpkclnt.def'))).toBe(true);
    expect(fs.readFileSync(files.inf, 'utf8')).toMatch(/ClassGuid\s*=\s*\{57465043-616C-6C6F-7574-5F636C617373\}/);
    expect(fs.readFileSync(files.inf, 'utf8')).toMatch(/StartType\s*=\s*3\b/);
    if (files.mingwSys !== undefined) expect(path.basename(files.mingwSys)).toBe('wfpkit.sys');
  });

  it('lists every driver source in sources.txt, the CMake snippet and the WDK project alike', () => {
    const files = driverFiles();
    const onDisk = ['core', 'win']
      .flatMap((d) => fs.readdirSync(path.join(files.sourcesDir, d)).filter((f) => f.endsWith('.c')).map((f) => `src/${d}/${f}`))
      .sort();
    const listed = fs
      .readFileSync(files.sourcesList, 'utf8')
      .split('\n')
      .map((l) => /^source:\s*(\S+)/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
    expect(listed).toEqual(onDisk);
    const cmake = [...fs.readFileSync(path.join(files.root, 'wfpkit-sources.cmake'), 'utf8').matchAll(/\$\{_wk_dir\}\/(src\/[\w/]+\.c)/g)]
      .map((m) => m[1])
      .sort();
    expect(cmake).toEqual(onDisk);
    const vcx = [...fs.readFileSync(files.vcxproj, 'utf8').matchAll(/ClCompile Include="\.\.\\(src\\[\w\\]+\.c)"/g)]
      .map((m) => (m[1] ?? '').replace(/\\/g, '/'))
      .sort();
    expect(vcx).toEqual(onDisk);
  });

  it('says what to do when the package is incomplete', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-driver-empty-'));
    expect(() => driverFiles(empty)).toThrow(DriverFilesMissingError);
    expect(() => driverFiles(empty)).toThrow(/wfpkit_ioctl\.h is missing\. Reinstall/);
  });
});
