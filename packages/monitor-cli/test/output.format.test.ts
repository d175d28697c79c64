import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { FlowEstablishedRecord } from '@wfpkit/ioctl-client';
import { Direction, EventType, FlowEndReason } from '@wfpkit/ioctl-client';
import type { FlowRecord } from '@wfpkit/tagging';
import { FlowTracker } from '@wfpkit/tagging';
import type { TableColumn } from '../src/output';
import { CryptoPan, ProgressBar, createRecordWriter, filetimeToIso, openOutput, renderTable, toJsonLine, toJsonValue, useColor, writeJsonDocument } from '../src/output';

const T0 = 133_484_544_000_000_000n; // 2023-12-31T00:00:00Z

function established(flowId: bigint, remote: number[], remotePort: number): FlowEstablishedRecord {
  const addr = (b: number[]): Uint8Array => {
    const a = new Uint8Array(16);
    a.set(b);
    return a;
  };
  return {
    kind: 'FLOW_ESTABLISHED',
    header: { type: EventType.FLOW_ESTABLISHED, flags: 0, size: 80, timestamp: T0 + flowId * 1234567n, flowId },
    processId: 4242n,
    endpoints: { ipVersion: 4, ipProtocol: 6, direction: Direction.OUTBOUND, localPort: 50000 + Number(flowId), remotePort, localAddress: addr([10, 0, 0, 7]), remoteAddress: addr(remote) },
    layerId: 52,
    appPath: '\\device\\harddiskvolume3\\tools\\curl.exe',
  };
}

/** Flow records made by the tagging FlowTracker from driver records. */
function flows(): FlowRecord[] {
  const out: FlowRecord[] = [];
  const tracker = new FlowTracker({ onFlow: (f) => out.push(f) });
  const remotes: [number[], number][] = [
    [[93, 184, 216, 34], 443],
    [[192, 0, 2, 200], 80],
  ];
  remotes.forEach(([r, p], i) => tracker.push(established(BigInt(i + 1), r, p)));
  for (let i = 1; i <= 2; i++) {
    tracker.push({
      kind: 'FLOW_DELETED',
      header: { type: EventType.FLOW_DELETED, flags: 0, size: 80, timestamp: T0 + 50_000_000n, flowId: BigInt(i) },
      startTime: T0,
      bytesOut: BigInt(1000 * i),
      bytesIn: BigInt(20000 * i),
      packetsTagged: 3n,
      packetsDropped: 0n,
      segmentsOut: 2,
      segmentsIn: 4,
      layerId: 0,
      reason: FlowEndReason.FLOW_DELETE,
    });
  }
  return out;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('JSON conversion', () => {
  it('writes FILETIMEs as ISO text with 100 ns digits plus the raw value, bigints as strings', () => {
    expect(filetimeToIso(T0)).toBe('2023-12-31T00:00:00.0000000Z');
    expect(filetimeToIso(T0 + 1_234_567n)).toBe('2023-12-31T00:00:00.1234567Z');
    expect(filetimeToIso(0n)).toBe('1601-01-01T00:00:00.0000000Z');
    expect(toJsonValue({ flowId: 7n, taggedAt: T0 + 5n, inStackLatency: 100n, verdict: 'sent', missing: undefined })).toEqual({
      flowId: '7',
      taggedAt: '2023-12-31T00:00:00.0000005Z',
      taggedAtFiletime: '133484544000000005',
      inStackLatency: '100',
      verdict: 'sent',
    });
  });

  it('turns a FlowRecord into one JSON line per record with ISO times and the raw FILETIMEs', () => {
    const [f] = flows();
    const parsed = JSON.parse(toJsonLine(f)) as Record<string, unknown>;
    expect(parsed.flowId).toBe('1');
    expect(parsed.startTime).toBe(filetimeToIso(T0 + 1234567n));
    expect(parsed.startTimeFiletime).toBe((T0 + 1234567n).toString());
    expect(parsed.startedAt).toBe('2023-12-31T00:00:00.123Z');
    expect((parsed.endpoints as { remote: { address: string } }).remote.address).toBe('93.184.216.34');
    expect(toJsonLine(f)).not.toContain('\n');
  });

  it('anonymises every address: address text, address bytes in raw records, address:port text', () => {
    const pan = CryptoPan.fromOption('format test key');
    const [f] = flows();
    const json = toJsonLine(f, { anonymizer: pan });
    expect(json).not.toContain('93.184.216.34');
    expect(json).not.toContain('10.0.0.7');
    expect(json).toContain(`"address":"${pan.anonymizeAddress('93.184.216.34')}"`);
    const raw = toJsonValue(established(9n, [198, 51, 100, 1], 443), { anonymizer: pan }) as { endpoints: { localAddress: string; remoteAddress: string } };
    expect(raw.endpoints.localAddress).toBe(pan.anonymizeAddress('10.0.0.7'));
    expect(raw.endpoints.remoteAddress).toBe(pan.anonymizeAddress('198.51.100.1'));
    expect(toJsonValue({ http: { host: '198.51.100.1:8080' } }, { anonymizer: pan })).toEqual({ http: { host: `${pan.anonymizeAddress('198.51.100.1')}:8080` } });
    expect(toJsonValue({ tls: { sni: 'example.com' } }, { anonymizer: pan })).toEqual({ tls: { sni: 'example.com' } });
  });
  it('writes a JSON line in one pass that equals JSON.stringify of the converted value', () => {
    const pan = CryptoPan.fromOption('format test key');
    const samples: unknown[] = [
      ...flows(),
      established(3n, [203, 0, 113, 9], 8443),
      { a: [1, undefined, 2n, 'x', null, NaN], d: new Date(0), bad: new Date(NaN), nested: { timestamp: T0, bytes: Uint8Array.of(1, 255) }, s: 'quote " and \\ and \n' },
    ];
    for (const v of samples) {
      expect(toJsonLine(v)).toBe(JSON.stringify(toJsonValue(v)));
      expect(toJsonLine(v, { anonymizer: pan })).toBe(JSON.stringify(toJsonValue(v, { anonymizer: pan })));
    }
  });
});

describe('record writers', () => {
  const columns: TableColumn<FlowRecord>[] = [
    { header: 'remote', value: (f) => `${f.endpoints.remote.address}:${f.endpoints.remote.port}` },
    { header: 'bytes in', value: (f) => f.bytes.in },
    { header: 'end', value: (f) => f.endReason, style: () => 'green' },
  ];

  it('jsonl: one parsable record per line', async () => {
    const { stream, text } = collect();
    const out = openOutput({ stream });
    const w = createRecordWriter('jsonl', out);
    for (const f of flows()) w.write(f);
    w.end();
    await out.close();
    const lines = text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { bytes: { in: number } }).bytes.in)).toEqual([20000, 40000]);
  });

  it('json: one document, an array of the records (and [] when there are none)', async () => {
    const { stream, text } = collect();
    const out = openOutput({ stream });
    const w = createRecordWriter('json', out);
    for (const f of flows()) w.write(f);
    w.end();
    await out.close();
    const doc = JSON.parse(text()) as { flowId: string }[];
    expect(doc.map((d) => d.flowId)).toEqual(['1', '2']);
    const empty = collect();
    const o2 = openOutput({ stream: empty.stream });
    createRecordWriter('json', o2).end();
    await o2.close();
    expect(JSON.parse(empty.text())).toEqual([]);
  });

  it('text: a table with columns as wide as their widest cell, numbers right-aligned, no colour unless asked', async () => {
    const { stream, text } = collect();
    const out = openOutput({ stream });
    const w = createRecordWriter('text', out, { columns });
    for (const f of flows()) w.write(f);
    w.end();
    await out.close();
    expect(text()).toBe(['remote             bytes in  end', '93.184.216.34:443     20000  deleted', '192.0.2.200:80        40000  deleted', ''].join('\n'));
    expect(text()).not.toContain('\x1b[');
    const colored = renderTable(columns, flows(), { color: true });
    expect(colored).toContain('\x1b[1mremote');
    expect(colored).toContain('\x1b[32mdeleted\x1b[0m');
  });

  it('text: streams after the sizing rows and prints the empty line when there is nothing', async () => {
    const { stream, text } = collect();
    const out = openOutput({ stream });
    const w = createRecordWriter('text', out, { columns, sizingRows: 1 });
    const [a, b] = flows();
    if (a === undefined || b === undefined) throw new Error('two flows expected');
    w.write(a);
    await out.flush();
    expect(text()).toContain('93.184.216.34:443');
    w.write(b);
    w.end();
    await out.close();
    expect(text().split('\n')).toHaveLength(4);
    const e = collect();
    const o2 = openOutput({ stream: e.stream });
    createRecordWriter('text', o2, { columns, empty: 'no flows' }).end();
    await o2.close();
    expect(e.text()).toBe('no flows\n');
  });

  it('colours only a TTY without NO_COLOR and a dumb terminal', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({}, {})).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('--output FILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-output-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appears only when complete (temporary file renamed on close), replacing an older file', async () => {
    const file = path.join(dir, 'flows.json');
    fs.writeFileSync(file, 'old');
    const out = openOutput({ file, chunkSize: 16 });
    writeJsonDocument(out, { flows: flows() });
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir).length).toBe(2);
    await out.close();
    expect(fs.readdirSync(dir)).toEqual(['flows.json']);
    expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { flows: unknown[] }).flows).toHaveLength(2);
    expect(out.bytesWritten).toBe(fs.statSync(file).size);
  });

  it('is removed on failure and the old file stays', () => {
    const file = path.join(dir, 'flows.jsonl');
    fs.writeFileSync(file, 'old');
    const out = openOutput({ file, chunkSize: 16 });
    out.write('x'.repeat(100));
    out.abort();
    expect(fs.readdirSync(dir)).toEqual(['flows.jsonl']);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });
});

describe('progress bar', () => {
  it('draws on a TTY at most once per interval and clears its line at the end', () => {
    const { stream, text } = collect();
    let now = 0;
    const bar = new ProgressBar({ stream: Object.assign(stream, { isTTY: true }), total: 1000, unit: 'bytes', label: 'replay', intervalMs: 100, now: () => now });
    for (let i = 0; i <= 1000; i += 10) {
      now += 5;
      bar.update(i, `${i} records`);
    }
    expect(bar.draws).toBe(6); // updates from 5 to 505 ms: drawn at 5, 105, …, 505
    bar.finish();
    const out = text();
    expect(out.startsWith('\rreplay  [')).toBe(true);
    expect(out).toContain('records');
    expect(out.endsWith('\r\x1b[K')).toBe(true);
    expect(bar.render(500, undefined, 1000)).toBe('replay  [############............]   50%  500 B/1.0 kB  500 B/s');
  });

  it('draws nothing when stderr is not a TTY', () => {
    const { stream, text } = collect();
    const bar = new ProgressBar({ stream, total: 10 });
    bar.update(5);
    bar.finish();
    expect(bar.enabled).toBe(false);
    expect(text()).toBe('');
  });
});
