import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm run bench -w @wfpkit/driver` must keep building as src/core grows; the benchmark
// itself is never run by the test suite.
it('the core benchmark still builds', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-bench-build-'));
  const r = childProcess.spawnSync('sh', [path.join(__dirname, '..', 'bench', 'run.sh')], {
    env: { ...process.env, WK_BENCH_BUILD_ONLY: '1', TMPDIR: tmp },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(fs.existsSync(path.join(tmp, 'wfpkit-core-bench'))).toBe(true);
  expect(fs.existsSync(path.join(tmp, 'wfpkit-tag-bench'))).toBe(true);
  fs.rmSync(tmp, { recursive: true, force: true });
});
