// stop() drains a full ring a batch at a time: a process with a 64 MB heap fills a 16 MiB ring
// (about 200 000 records; decoded all at once they take about 110 MB) while its iterator is
// not reading, then stops the session; the iterator still gets every record. Uses the built
// packages (the test target builds them first).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'fixtures', 'drain-child.js');

interface ChildResult {
  inRing: number;
  seen: { events: number; fates: number; flows: number };
  records: number;
  tagged: number;
  flows: number;
  delivered: number;
}

function runChild(mode: 'events' | 'union'): ChildResult {
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', CHILD, mode], { encoding: 'utf8', env: { ...process.env, WFPKIT_BACKEND: 'sim' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as ChildResult;
}

test('events(): a full 16 MiB ring reaches the iterator through stop() within a 64 MB heap', () => {
  const r = runChild('events');
  expect(r.inRing).toBeGreaterThan(150_000);
  // every record the driver delivered was read, and every one reached the iterator as an event
  expect(r.records).toBe(r.delivered);
  expect(r.seen.events).toBe(r.records);
  expect(r.seen.fates + r.seen.flows).toBe(0);
});

test('events({ packets, flows }): the record events, every fate and every flow record, within a 64 MB heap', () => {
  const r = runChild('union');
  expect(r.inRing).toBeGreaterThan(150_000);
  expect(r.records).toBe(r.delivered);
  expect(r.seen.events).toBe(r.records);
  expect(r.seen.fates).toBe(r.tagged);
  expect(r.tagged).toBeGreaterThan(50_000);
  expect(r.seen.flows).toBe(r.flows);
  expect(r.flows).toBeGreaterThan(0);
});
