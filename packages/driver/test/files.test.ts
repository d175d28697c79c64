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

  it('says what to do when the package is incomplete', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-driver-empty-'));
    expect(() => driverFiles(empty)).toThrow(DriverFilesMissingError);
    expect(() => driverFiles(empty)).toThrow(/wfpkit_ioctl\.h is missing\. Reinstall/);
  });
});
