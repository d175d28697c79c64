// The TS traffic API (src/traffic.ts) on the production libwfpsim, which links the wfpkit driver:
// runCapture / runSynthetic / closeDeferredFlows, capture errors with their byte offsets, and the
// driver answering through the plain kernel32 exports the ioctl-client uses.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import {
  CaptureError,
  closeDeferredFlows,
  loadDriver,
  nativeLibraryPath,
  PCAP_ERRORS,
  runCapture,
  runSynthetic,
  simulatorKernel,
  unloadDriver,
} from '../src';
import { ensureNativeBuild, packageDir } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof Koffi;

const capture = path.join(packageDir, 'test', 'fixtures', 'loopback.pcap');
const LAST_RECORD = 11495; // loopback.pcap: 44 records, the last one starts here
let dir = '';

beforeAll(() => {
  ensureNativeBuild();
  dir = mkdtempSync(path.join(tmpdir(), 'wfpsim-traffic-'));
  loadDriver();
});

afterAll(() => {
  unloadDriver();
  rmSync(dir, { recursive: true, force: true });
});

function variant(name: string, edit: (b: Buffer) => Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, edit(Buffer.from(readFileSync(capture))));
  return file;
}

function captureError(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
  throw new Error('expected a CaptureError');
}

describe('runCapture', () => {
  it('replays the loopback capture into the stack model', () => {
    const stats = runCapture(capture);
    expect(stats).toMatchObject({ flows: 3, flowClassifies: 3, flowDeletes: 0, blocked: 0 });
    expect(stats.streamClassifies).toBeGreaterThan(6);
    expect(stats.packetClassifies).toBe(44);
    expect(stats.truncatedAt).toBeUndefined();
    expect(runCapture(capture, { transportClassifies: false }).packetClassifies).toBe(0);
  });

  it('takes app rules by local port and a default app', () => {
    const stats = runCapture(capture, {
      apps: [
        { localPort: 39126, processId: 1001, path: '\\device\\harddiskvolume3\\apps\\a.exe' },
        { processId: 2002, path: '\\device\\harddiskvolume3\\apps\\b.exe' },
      ],
      segmentSize: 100,
    });
    expect(stats.flows).toBe(3);
    expect(() => runCapture(capture, { apps: [{ processId: 1, path: 'C:\\a.exe' }] })).toThrow(/NT path/);
    expect(() =>
      runCapture(capture, {
        apps: [
          { processId: 1, path: '\\a' },
          { processId: 2, path: '\\b' },
        ],
      }),
    ).toThrow(/at most one app/);
    expect(() => runCapture(capture, { apps: [{ localPort: 70000, processId: 1, path: '\\a' }] })).toThrow(RangeError);
  });

  it('fails on a truncated capture with the offset of the cut record, unless accepted', () => {
    const cut = variant('cut.pcap', (b) => b.subarray(0, b.length - 10));
    const e = captureError(() => runCapture(cut));
    expect(e).toMatchObject({ code: 'WFPSIM_CAPTURE', pcapError: 'TRUNCATED', pcapCode: PCAP_ERRORS.TRUNCATED, offset: LAST_RECORD });
    expect(e.message).toMatch(new RegExp(`^capture is truncated at byte ${LAST_RECORD}: .*acceptTruncated`));
    const stats = runCapture(cut, { acceptTruncated: true });
    expect(stats).toMatchObject({ flows: 3, truncatedAt: LAST_RECORD });
  });

  it('fails on a malformed record with its offset', () => {
    const bad = variant('bad.pcap', (b) => {
      b.writeUInt32LE(0x7fffffff, 24 + 8); // the first record's captured length
      return b;
    });
    const e = captureError(() => runCapture(bad));
    expect(['MALFORMED', 'TOO_BIG']).toContain(e.pcapError);
    expect(e.offset).toBe(24 + 8); // the offending field: the record's captured length
    expect(e.message).toMatch(/at byte 32: /);
  });

  it('fails on a file that is no capture, and on a missing file', () => {
    const junk = variant('junk.pcap', () => Buffer.from('this is not a capture file at all, not even close'));
    expect(captureError(() => runCapture(junk))).toMatchObject({ pcapError: 'FORMAT', offset: 0 });
    const missing = captureError(() => runCapture(path.join(dir, 'missing.pcap')));
    expect(missing).toMatchObject({ pcapError: 'IO' });
    expect(missing.message).toMatch(/^cannot read the capture: /);
  });
});

describe('runSynthetic', () => {
  it('runs seeded flows, the same for the same seed', () => {
    const a = runSynthetic({ seed: 5, flows: 25, protocols: ['tls', 'http1'], ipv6Percent: 30, rstPercent: 10 });
    const b = runSynthetic({ seed: 5n, flows: 25, protocols: ['http1', 'tls'], ipv6Percent: 30, rstPercent: 10 });
    expect(a.flows).toBe(25);
    expect(a.flowClassifies).toBe(25);
    expect(b).toEqual(a);
    expect(runSynthetic({ seed: 6, flows: 3, protocols: ['ssh'], minBytes: 10, maxBytes: 20 }).flows).toBe(3);
  });

  it('refuses out-of-range options', () => {
    expect(() => runSynthetic({ seed: 1, flows: 1, ipv6Percent: 101 })).toThrow(RangeError);
    expect(() => runSynthetic({ seed: -1, flows: 1 })).toThrow(RangeError);
    expect(() => runSynthetic({ seed: 1, flows: 1.5 })).toThrow(RangeError);
    expect(() => runSynthetic({ seed: 1, flows: 1, minBytes: 50, maxBytes: 10 })).toThrow(/minBytes/);
    expect(() => runSynthetic({ seed: 1, flows: 1, protocols: ['gopher' as 'tls'] })).toThrow(/unknown protocol/);
  });

  it('keeps flows established with deferFlowClose until closeDeferredFlows', () => {
    expect(runSynthetic({ seed: 8, flows: 6, deferFlowClose: true }).flows).toBe(6);
    expect(closeDeferredFlows()).toBe(6);
    expect(closeDeferredFlows()).toBe(0);
  });
});

describe('the linked driver through the kernel32 exports', () => {
  it('answers GET_VERSION as the simulated wfpkit driver', () => {
    const lib = koffi.load(nativeLibraryPath());
    const handle = koffi.pointer(koffi.opaque());
    const CreateFileW = lib.func('__stdcall', 'CreateFileW', handle, ['str16', 'uint32_t', 'uint32_t', 'void *', 'uint32_t', 'uint32_t', handle]);
    const DeviceIoControl = lib.func('__stdcall', 'DeviceIoControl', 'int32_t', [
      handle, 'uint32_t', 'void *', 'uint32_t', 'void *', 'uint32_t', koffi.out(koffi.pointer('uint32_t')), 'void *',
    ]);
    const CloseHandle = lib.func('__stdcall', 'CloseHandle', 'int32_t', [handle]);
    const h: unknown = CreateFileW('\\\\.\\WfpKit', 0xc0000000, 0, null, 3, 0, null);
    expect(koffi.address(h)).not.toBe(BigInt('0xffffffffffffffff'));
    const out = Buffer.alloc(32);
    const n = [0];
    expect(DeviceIoControl(h, 0x8a572000, null, 0, out, out.length, n, null)).toBe(1);
    expect(n[0]).toBe(32);
    expect(out.readUInt32LE(0)).toBe(0x00010000); // contract 1.0
    expect(out.readUInt32LE(8) & 0x4).toBe(0x4); // FeatureFlags.SIMULATED
    expect(CloseHandle(h)).toBe(1);
    expect(simulatorKernel().openHandles()).toBe(0);
  });
});
