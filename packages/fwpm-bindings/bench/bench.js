#!/usr/bin/env node
// Benchmark: add 10,000 filters with three conditions each in one transaction, enumerate them,
// delete them. Prints the per-filter cost of each phase (median of RUNS runs) and the share of
// it spent inside the native library (the C engine) versus in JS (validation, marshalling,
// decoding). Uses the built package (dist/); run `npm run build -w @wfpkit/fwpm-bindings` first.
//
//   npm run bench -w @wfpkit/fwpm-bindings            (N=10000 RUNS=5 by default)
//   taskset -c 0 node bench/bench.js                  (pinned to one core, as the README figures)
'use strict';
const { Engine, loadFwpm, newGuid } = require('../dist');

const N = Number(process.env.N ?? 10000);
const RUNS = Number(process.env.RUNS ?? 5);

const raw = loadFwpm();
let nativeNs = 0n;
for (const name of Object.keys(raw)) {
  const f = raw[name];
  if (typeof f !== 'function' || !/^Fwpm/.test(name)) continue;
  raw[name] = (...args) => {
    const t = process.hrtime.bigint();
    try {
      return f(...args);
    } finally {
      nativeNs += process.hrtime.bigint() - t;
    }
  };
}

async function phase(fn) {
  nativeNs = 0n;
  const t = process.hrtime.bigint();
  await fn();
  const total = process.hrtime.bigint() - t;
  return { total: Number(total), native: Number(nativeNs) };
}

async function run() {
  const engine = Engine.open({ dynamic: true, name: 'wfpkit bench' });
  try {
    const sublayer = await engine.addSublayer({ key: newGuid(), name: 'bench', weight: 0x7abc });
    const appId = engine.appIdFromFileName('C:\\Program Files\\Bench\\bench.exe');
    const specs = [];
    for (let i = 0; i < N; i++) {
      specs.push({
        name: `bench ${i}`,
        layer: 'ALE_AUTH_CONNECT_V4',
        sublayer,
        action: 'block',
        conditions: [
          { field: 'ALE_APP_ID', value: appId },
          { field: 'IP_REMOTE_PORT', value: 1 + (i % 65535) },
          { field: 'IP_REMOTE_ADDRESS', value: `10.${(i >> 8) & 255}.${i & 255}.0/24` },
        ],
      });
    }
    let ids = [];
    const add = await phase(async () => {
      ids = await engine.addFilters(specs);
    });
    let seen = 0;
    const enumerate = await phase(async () => {
      for await (const f of engine.filters({ layer: 'ALE_AUTH_CONNECT_V4', pageSize: 1000 })) if (f.sublayer === sublayer) seen++;
    });
    if (seen !== N) throw new Error(`enumerated ${seen} of ${N}`);
    const del = await phase(() =>
      engine.transaction(async (tx) => {
        for (const { id } of ids) await tx.deleteFilter(id);
      }),
    );
    return { add, enumerate, delete: del };
  } finally {
    engine.close();
  }
}

(async () => {
  const results = [];
  for (let r = 0; r < RUNS; r++) results.push(await run());
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`backend ${raw.backend} (${raw.path}), ${N} filters x 3 conditions, median of ${RUNS} runs`);
  console.log('phase       per filter   in C engine   in JS (validate+marshal+decode)');
  let roundTrip = 0;
  for (const p of ['add', 'enumerate', 'delete']) {
    const total = median(results.map((x) => x[p].total)) / N / 1000;
    roundTrip += total;
    const share = median(results.map((x) => x[p].native / x[p].total));
    console.log(`${p.padEnd(10)} ${total.toFixed(2).padStart(8)} µs   ${(100 * share).toFixed(0).padStart(9)} %   ${(100 * (1 - share)).toFixed(0).padStart(9)} %`);
  }
  console.log(`${'round trip'.padEnd(10)} ${roundTrip.toFixed(2).padStart(8)} µs   (sum of the phase medians)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
