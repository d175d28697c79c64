// The `lossless` run option (WFPSIM_RUN_LOSSLESS) at the simulator's level: checked like the other
// options, and a run with it does the same work as one without while no driver session runs (the
// wfpkit driver's ring-pressure probe reports 0 then, so nothing waits). Its back-pressure on a
// running session's ring is tested where sessions are read: packages/monitor-cli/test/lossless.test.ts.
import * as path from 'node:path';

import { loadDriver, runCapture, runCaptureAsync, runSyntheticAsync, unloadDriver } from '../src';
import type { RunOptions } from '../src';
import { ensureNativeBuild, packageDir } from './helpers';

const capture = path.join(packageDir, 'test', 'fixtures', 'loopback.pcap');

beforeAll(() => {
  ensureNativeBuild();
  loadDriver();
});

afterAll(() => {
  unloadDriver();
});

describe('lossless runs', () => {
  it('rejects a lossless option that is not a boolean, before anything runs', () => {
    expect(() => runCapture(capture, { lossless: 'yes' } as unknown as RunOptions)).toThrow(new TypeError('lossless must be a boolean'));
  });

  it('without a running session, a lossless replay does the same work as a plain one', async () => {
    const plain = runCapture(capture);
    expect(runCapture(capture, { lossless: true })).toEqual(plain);
    expect(await runCaptureAsync(capture, { lossless: true })).toEqual(plain);
  });

  it('a lossless synthetic run generates every flow', async () => {
    const stats = await runSyntheticAsync({ seed: 3, flows: 50, lossless: true });
    expect(stats.flows).toBe(50);
    expect(stats.cancelled).toBe(false);
  });

  it('works with the driver unloaded (no probe registered: nothing to wait for)', () => {
    unloadDriver();
    try {
      expect(runCapture(capture, { lossless: true }).flows).toBe(3);
    } finally {
      loadDriver();
    }
  });
});
