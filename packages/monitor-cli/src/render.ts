/*
 * How the CLI's commands show records: one text line per record, JSON values (bigints as
 * decimal strings, byte arrays as hex), the summary table and the live view's screen.
 */
import type { DecodedRecord } from '@wfpkit/ioctl-client';
import type { FlowRecord, PacketFate } from '@wfpkit/tagging';

import type { TableColumn } from './output';
import type { SessionSnapshot, StopSummary } from './session';

/** JSON.stringify replacer: bigint → decimal string, Uint8Array → hex string. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return value;
}

/** A value as one line of JSON. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}

/** Bytes in B / KB / MB / GB (powers of 1024, one decimal). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u] ?? 'TB'}`;
}

function us(v: number | undefined): string {
  return v === undefined ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)}ms` : `${Math.round(v)}µs`;
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** SNI (TLS), Host (HTTP) or the server's banner (SSH) of a flow, or ''. */
export function flowName(f: FlowRecord): string {
  return f.tls?.sni ?? f.http?.host ?? f.ssh?.serverBanner ?? '';
}

/** Columns of the `packets` text table. */
export const FATE_COLUMNS: readonly TableColumn<PacketFate>[] = [
  { header: 'FLOW', value: (p) => p.flowId },
  { header: 'SEQ', value: (p) => p.seq },
  { header: 'DIR', value: (p) => p.direction },
  { header: 'IP', value: (p) => `v${p.ipVersion}` },
  { header: 'BYTES', value: (p) => p.bytes },
  { header: 'VERDICT', value: (p) => p.verdict },
  { header: 'REASON', value: (p) => p.reason },
  { header: 'LATENCY', value: (p) => us(p.inStackLatencyUs), align: 'right' },
];

/** Columns of the `flows` text table (`anon` maps each address for --anonymize). */
export function flowColumns(anon: (address: string) => string): readonly TableColumn<FlowRecord>[] {
  return [
    { header: 'PROTO', value: (f) => f.appProtocol },
    { header: 'LOCAL', value: (f) => endpoint(anon(f.endpoints.local.address), f.endpoints.local.port) },
    { header: 'DIR', value: (f) => (f.endpoints.direction === 'outbound' ? '->' : '<-') },
    { header: 'REMOTE', value: (f) => endpoint(anon(f.endpoints.remote.address), f.endpoints.remote.port) },
    { header: 'SNI/HOST', value: (f) => flowName(f) || undefined, maxWidth: 40 },
    { header: 'OUT', value: (f) => f.bytes.out },
    { header: 'IN', value: (f) => f.bytes.in },
    { header: 'TAGGED', value: (f) => f.packets.tagged },
    { header: 'DROPPED', value: (f) => f.packets.dropped },
    { header: 'MS', value: (f) => (f.durationMs ?? 0).toFixed(1), align: 'right' },
    { header: 'APP', value: (f) => f.app.path },
  ];
}

/** One text line for a final flow record. */
export function flowText(f: FlowRecord): string {
  const e = f.endpoints;
  return [
    f.appProtocol.padEnd(6),
    `${endpoint(e.local.address, e.local.port)} ${e.direction === 'outbound' ? '->' : '<-'} ${endpoint(e.remote.address, e.remote.port)}`,
    flowName(f) || '-',
    `out ${f.bytes.out}`,
    `in ${f.bytes.in}`,
    `tagged ${f.packets.tagged}`,
    `dropped ${f.packets.dropped}`,
    `${(f.durationMs ?? 0).toFixed(1)}ms`,
    f.app.path,
  ].join('  ');
}

/** One text line for a packet fate record. */
export function fateText(p: PacketFate): string {
  return [`flow ${p.flowId}`, `seq ${p.seq}`, p.direction, `v${p.ipVersion}`, `${p.bytes} B`, p.verdict, p.reason, us(p.inStackLatencyUs)].join('  ');
}

/** One text line for a driver record: its kind, flow and fields. */
export function recordText(r: DecodedRecord): string {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (k === 'kind' || k === 'header') continue;
    if (v instanceof Uint8Array) fields.push(`${k}=${v.length}B`);
    else if (typeof v === 'object' && v !== null) fields.push(`${k}=${jsonLine(v)}`);
    else fields.push(`${k}=${String(v)}`);
  }
  return `${r.header.timestamp} ${r.kind} flow=${r.header.flowId}${fields.length ? ' ' + fields.join(' ') : ''}`;
}

/** The totals of a session, for the summary. */
export interface SummaryData {
  /** Command that ran. */
  readonly command: string;
  /** Monitored apps (Win32 paths). */
  readonly apps: readonly string[];
  /** Backend. */
  readonly backend: string;
  /** The session's end. */
  readonly stop: StopSummary;
  /** Flows the workload generated or replayed (all apps). */
  readonly workloadFlows?: number;
  /** The capture, for replays. */
  readonly capture?: string;
  /** How the run ended. */
  readonly endedBy: string;
  /** Wall time in ms. */
  readonly elapsedMs: number;
}

/** The summary as a plain object (JSON output). */
export function summaryObject(s: SummaryData): Record<string, unknown> {
  const t = s.stop.snapshot.totals;
  const byProtocol: Record<string, number> = {};
  for (const f of s.stop.snapshot.flows) byProtocol[f.record.appProtocol] = (byProtocol[f.record.appProtocol] ?? 0) + 1;
  return {
    type: 'summary',
    command: s.command,
    backend: s.backend,
    apps: s.apps,
    ...(s.capture ? { capture: s.capture } : {}),
    endedBy: s.endedBy,
    elapsedMs: Math.round(s.elapsedMs),
    ...(s.workloadFlows !== undefined ? { workloadFlows: s.workloadFlows } : {}),
    flows: t.flows,
    flowsByProtocol: byProtocol,
    bytesOut: t.bytesOut,
    bytesIn: t.bytesIn,
    records: t.records,
    packetsTagged: t.packetsTagged,
    verdicts: { sent: t.sent, delivered: t.delivered, dropped: t.dropped, unknown: t.unknown },
    latencyUs: { p50: t.p50Us ?? null, p99: t.p99Us ?? null },
    loss: s.stop.snapshot.loss,
    ringHighWater: s.stop.snapshot.ring.highWater,
    filtersAdded: s.stop.filtersAdded,
    filtersLeft: s.stop.filtersLeft,
  };
}

/** The summary as a text table. */
export function summaryText(s: SummaryData): string {
  const o = summaryObject(s);
  const t = s.stop.snapshot.totals;
  const l = s.stop.snapshot.loss;
  const rows: [string, string][] = [
    ['apps', s.apps.join(', ')],
    ...(s.capture ? ([['capture', s.capture]] as [string, string][]) : []),
    ['backend', s.backend === 'sim' ? 'simulator' : 'Windows'],
    ['ended by', s.endedBy],
    ['flows', `${t.flows}${s.workloadFlows !== undefined ? ` of ${s.workloadFlows} in the traffic` : ''}`],
    ['by protocol', Object.entries(o['flowsByProtocol'] as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
    ['bytes out / in', `${t.bytesOut} / ${t.bytesIn}`],
    ['records read', String(t.records)],
    ['packets tagged', String(t.packetsTagged)],
    ['sent / delivered / dropped / unknown', `${t.sent} / ${t.delivered} / ${t.dropped} / ${t.unknown}`],
    ['in-stack latency p50 / p99', `${us(t.p50Us)} / ${us(t.p99Us)}`],
    ['ring records lost', String(l.ringRecordsLost)],
    ['packets untagged', String(l.packetsUntagged)],
    ['dynamic filters added / left', `${s.stop.filtersAdded} / ${s.stop.filtersLeft}`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return `summary of ${s.command}\n${rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')}\n`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

/** The live view's screen for a terminal of `columns` × `rows`. */
export function liveScreen(title: string, snap: SessionSnapshot, columns: number, rows: number, anon: (address: string) => string = (a) => a): string {
  const t = snap.totals;
  const ringPct = snap.ring.bytes ? ((100 * snap.ring.used) / snap.ring.bytes).toFixed(1) : '0.0';
  const hwPct = snap.ring.bytes ? ((100 * snap.ring.highWater) / snap.ring.bytes).toFixed(1) : '0.0';
  const lines: string[] = [
    title,
    `flows ${t.flows} (active ${t.activeFlows})  out ${formatBytes(t.bytesOut)}  in ${formatBytes(t.bytesIn)}  tagged ${t.packetsTagged}  dropped ${t.dropped}  p50 ${us(t.p50Us)}  p99 ${us(t.p99Us)}`,
    `ring ${ringPct}% (high-water ${hwPct}%)  ring loss ${snap.loss.ringRecordsLost}  untagged ${snap.loss.packetsUntagged}  records ${t.records}`,
    '',
  ];
  const head = ['PROTO', 'LOCAL', 'REMOTE', 'SNI/HOST', 'OUT', 'IN', 'TAGGED', 'DROP', 'P50', 'P99', 'STATE'];
  const body = snap.flows.slice(0, Math.max(0, rows - lines.length - 2)).map((f) => {
    const r = f.record;
    return [
      r.appProtocol,
      endpoint(anon(r.endpoints.local.address), r.endpoints.local.port),
      endpoint(anon(r.endpoints.remote.address), r.endpoints.remote.port),
      cut(flowName(r) || '-', 28),
      formatBytes(r.bytes.out),
      formatBytes(r.bytes.in),
      String(r.packets.tagged),
      String(r.packets.dropped),
      us(f.p50Us),
      us(f.p99Us),
      f.ended ? 'ended' : 'active',
    ];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => (b[c] ?? '').length)));
  const fmt = (cells: string[]): string => cut(cells.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ').trimEnd(), columns);
  lines.push(fmt(head), ...body.map(fmt));
  if (snap.flows.length === 0) lines.push('(no flows of the app yet)');
  return lines.map((l) => cut(l, columns)).join('\n');
}
