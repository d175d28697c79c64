#!/usr/bin/env node
// Replay benchmark (not a test): monitor-cli against tshark on the same large capture.
//
//   npm run bench -w monitor-cli
//
// For each size in WFPKIT_BENCH_SIZES_MB (default "256,1024") it writes a capture of valid TCP
// flows (TLS ClientHello with SNI / HTTP/1.1 GET with Host, see make-capture.js), then runs,
// WFPKIT_BENCH_RUNS times each (default 3), every command pinned to CPU 0 under /usr/bin/time -v:
//   A  monitor-cli replay FILE --format jsonl               (the replay command: summary)
//   B  monitor-cli --format jsonl flows --replay FILE       (one JSON line per flow, SNI/Host in it)
//   S  monitor-cli --format jsonl flows --replay FILE --no-tag   (the same flow lines, stream layers
//      only: no packet classified or tagged — what tshark extracts, nothing more)
//   T  tshark -r FILE -T fields -e tls.handshake.extensions_server_name -e http.host
// and prints the medians of wall time and peak RSS side by side. B, S and T extract the same
// fields; the bench compares their sorted SNI/Host values and, when they differ, says so and
// exits with 3 (the timings are still printed). Replays are lossless (the simulator waits for
// the reader), so a difference is a bug, not a slow reader.
// Captures go to WFPKIT_BENCH_DIR (default the OS temp dir) and are removed at the end unless
// WFPKIT_BENCH_KEEP=1 (then a later run reuses them).
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { makeCapture } = require('./make-capture');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'monitor-cli.js');
const SIZES = (process.env.WFPKIT_BENCH_SIZES_MB ?? '256,1024').split(',').map(Number);
const RUNS = Number(process.env.WFPKIT_BENCH_RUNS ?? 3);
const DIR = process.env.WFPKIT_BENCH_DIR ?? os.tmpdir();
const KEEP = process.env.WFPKIT_BENCH_KEEP === '1';
const TSHARK_FIELDS = ['-T', 'fields', '-e', 'tls.handshake.extensions_server_name', '-e', 'http.host'];

function need(cmd, args, hint) {
  const r = childProcess.spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    process.stderr.write(`replay-bench: ${cmd} is needed: ${hint}\n`);
    process.exit(1);
  }
}

/** Runs argv pinned to CPU 0 under /usr/bin/time -v, stdout to `outFile`; returns wall seconds and peak RSS. */
function measure(argv, outFile) {
  const out = fs.openSync(outFile, 'w');
  const r = childProcess.spawnSync('taskset', ['-c', '0', '/usr/bin/time', '-v', ...argv], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  fs.closeSync(out);
  const err = r.stderr ?? '';
  const status = /Exit status: (\d+)/.exec(err);
  if (r.status !== 0 || !status || status[1] !== '0') {
    throw new Error(`${argv.join(' ')} failed (${r.status}):\n${err.split('\n').slice(-30).join('\n')}`);
  }
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  const user = /User time \(seconds\): ([\d.]+)/.exec(err);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(err);
  if (!wall || !rss) throw new Error(`cannot read /usr/bin/time -v output:\n${err}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, cpu: Number(user?.[1] ?? NaN) + Number(sys?.[1] ?? NaN), rssMiB: Number(rss[1]) / 1024, stderr: err };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function tsharkAnswers(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => l.split('\t'))
    .filter((v) => v !== '')
    .sort();
}

function flowAnswers(file) {
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line);
    if (r.type === 'summary') continue;
    if (r.tls && r.tls.sni) out.push(r.tls.sni);
    if (r.http && r.http.host) out.push(r.http.host);
  }
  return out.sort();
}

/** `ringRecordsLost` of the replay summary (a JSON document or lines), or '?' when absent. */
function replayLost(file) {
  const m = /"ringRecordsLost":\s*(\d+)/.exec(fs.readFileSync(file, 'utf8'));
  return m ? fmt(Number(m[1])) : '?';
}

/** TLS + HTTP/1 flows in the replay summary's flowsByProtocol, or '?'. */
function replayClassified(file) {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const by = doc.flowsByProtocol ?? {};
    return fmt((by.tls ?? 0) + (by.http1 ?? 0));
  } catch {
    return '?';
  }
}

/** "ring records lost" of each flows run's summary (stderr). */
function flowsLost(stderrs) {
  return stderrs.map((e) => {
    const m = /ring records lost\s+(\d+)/.exec(e);
    return m ? fmt(Number(m[1])) : '?';
  });
}

function main() {
  need('taskset', ['-c', '0', 'true'], 'install util-linux');
  need('/usr/bin/time', ['-v', 'true'], 'apt-get install time');
  need('tshark', ['--version'], 'apt-get install tshark');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'bin.js'))) {
    process.stderr.write('replay-bench: monitor-cli is not built: run `npm run build` at the repository root first\n');
    process.exit(1);
  }
  const tsharkVersion = childProcess.spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  console.log(`replay benchmark: node ${process.version}, ${tsharkVersion}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, pinned with taskset -c 0, medians of ${RUNS}`);
  const made = [];
  const rows = [];
  let incomplete = false;
  try {
    for (const mb of SIZES) {
      const file = path.join(DIR, `wfpkit-replay-bench-${mb}MB.pcap`);
      let cap;
      if (KEEP && fs.existsSync(file) && fs.statSync(file).size >= mb * 1e6) cap = { file, bytes: fs.statSync(file).size, flows: NaN, packets: NaN };
      else {
        const t = process.hrtime.bigint();
        cap = makeCapture(file, mb * 1e6, 1);
        console.log(`\n${file}: ${fmt(cap.bytes / 1e6, 1)} MB, ${fmt(cap.packets)} packets, ${fmt(cap.flows)} flows (${fmt(cap.tls)} TLS, ${fmt(cap.http)} HTTP), written in ${fmt(Number(process.hrtime.bigint() - t) / 1e9, 1)} s`);
      }
      made.push(file);
      const outA = path.join(DIR, `wfpkit-replay-bench-${mb}.replay.out`);
      const outB = path.join(DIR, `wfpkit-replay-bench-${mb}.flows.jsonl`);
      const outS = path.join(DIR, `wfpkit-replay-bench-${mb}.streams.jsonl`);
      const outT = path.join(DIR, `wfpkit-replay-bench-${mb}.tshark.tsv`);
      made.push(outA, outB, outS, outT);
      const a = [];
      const b = [];
      const st = [];
      const t = [];
      for (let i = 0; i < RUNS; i++) {
        a.push(measure([process.execPath, CLI, 'replay', file, '--format', 'jsonl'], outA));
        b.push(measure([process.execPath, CLI, '--format', 'jsonl', 'flows', '--replay', file], outB));
        st.push(measure([process.execPath, CLI, '--format', 'jsonl', 'flows', '--replay', file, '--no-tag'], outS));
        t.push(measure(['tshark', '-r', file, ...TSHARK_FIELDS], outT));
        const show = (x) => `${fmt(x.seconds, 2)} s (cpu ${fmt(x.cpu, 2)} s) ${fmt(x.rssMiB)} MiB`;
        console.log(`  run ${i + 1} (load ${os.loadavg()[0].toFixed(1)}): replay ${show(a[i])} | flows ${show(b[i])} | flows --no-tag ${show(st[i])} | tshark ${show(t[i])}`);
      }
      const ours = flowAnswers(outB);
      const streams = flowAnswers(outS);
      const theirs = tsharkAnswers(outT);
      const equal = (xs) => xs.length === theirs.length && xs.every((v, i) => v === theirs[i]);
      const same = equal(ours) && equal(streams);
      const lostReplay = replayLost(outA);
      const lostFlows = flowsLost(b.map((x) => x.stderr));
      const lostStreams = flowsLost(st.map((x) => x.stderr));
      console.log(`  SNI/Host values: monitor-cli flows ${fmt(ours.length)} (identical to tshark: ${equal(ours)}), flows --no-tag ${fmt(streams.length)} (identical: ${equal(streams)}), tshark ${fmt(theirs.length)}`);
      console.log(`  ring records lost: replay ${lostReplay}, flows ${lostFlows.join(' / ')}, flows --no-tag ${lostStreams.join(' / ')} (per run)`);
      const classified = replayClassified(outA);
      console.log(`  replay summary: ${classified} flows classified TLS or HTTP/1 (tshark: ${fmt(theirs.length)} SNI/Host values, one per flow)`);
      if (!same) {
        const bad = equal(ours) ? streams : ours;
        const at = bad.findIndex((v, i) => v !== theirs[i]);
        console.log(`  INCOMPLETE: the answers differ (first at sorted position ${at}: monitor-cli "${bad[at] ?? ''}", tshark "${theirs[at] ?? ''}")`);
        incomplete = true;
      }
      const m = (xs, k) => median(xs.map((x) => x[k]));
      rows.push({ mb: cap.bytes / 1e6, replay: [m(a, 'seconds'), m(a, 'rssMiB'), m(a, 'cpu')], flows: [m(b, 'seconds'), m(b, 'rssMiB'), m(b, 'cpu')], streams: [m(st, 'seconds'), m(st, 'rssMiB'), m(st, 'cpu')], tshark: [m(t, 'seconds'), m(t, 'rssMiB'), m(t, 'cpu')], answers: `${fmt(ours.length)} of ${fmt(theirs.length)}` });
    }
  } finally {
    if (!KEEP) for (const f of made) fs.rmSync(f, { force: true });
  }
  console.log('\nmedians: wall time (CPU time user+sys), peak RSS');
  console.log('| capture | `replay --format jsonl` | `flows --replay` (jsonl) | `flows --replay --no-tag` (jsonl) | tshark -T fields | wall speed-up (replay / flows / --no-tag) | CPU speed-up (replay / flows / --no-tag) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const cell = ([s, m, c]) => `${fmt(s, 2)} s (${fmt(c, 2)} s), ${fmt(m)} MiB`;
    const ratio = (k) => [r.replay, r.flows, r.streams].map((x) => `${fmt(r.tshark[k] / x[k], 1)}x`).join(' / ');
    console.log(`| ${fmt(r.mb)} MB (${r.answers} SNI/Host) | ${cell(r.replay)} | ${cell(r.flows)} | ${cell(r.streams)} | ${cell(r.tshark)} | ${ratio(0)} | ${ratio(2)} |`);
  }
  if (incomplete) console.log('\nINCOMPLETE: monitor-cli did not report every SNI/Host tshark found (see the ring loss above); exit code 3');
  return incomplete;
}

try {
  if (main()) process.exitCode = 3;
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
