/*
 * How the CLI's commands show records: one text line per record, JSON values (bigints as
 * decimal strings, byte arrays as hex), the summary table and the live view's screen.
 */
import type { DecodedRecord } from '@wfpkit/ioctl-client';
import type { FlowRecord, LiveFlow, PacketFate, TaggingEvent } from '@wfpkit/tagging';

import type { TableColumn } from './output';

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

/** A flow record as the `flows` command writes it: with its packets' in-stack latency. */
export interface FlowOutput extends FlowRecord {
  /** In-stack latency of the flow's sent and delivered packets (absent when none had a latency). */
  latency?: { p50Us: number; p99Us: number };
}

/** Columns of the `flows` text table (`anon` maps each address for --anonymize). */
export function flowColumns(anon: (address: string) => string): readonly TableColumn<FlowOutput>[] {
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
    { header: 'P50', value: (f) => us(f.latency?.p50Us), align: 'right' },
    { header: 'P99', value: (f) => us(f.latency?.p99Us), align: 'right' },
    { header: 'MS', value: (f) => (f.durationMs ?? 0).toFixed(1), align: 'right' },
    { header: 'APP', value: (f) => f.app.path },
  ];
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

/** One text line for a session event: its type, then its record's line. */
export function eventText(e: TaggingEvent): string {
  return `${e.type.padEnd(16)} ${recordText(e.record)}`;
}

/** What the summary of a session command shows (all apps together). */
export interface SummaryData {
  /** Command that ran. */
  readonly command: string;
  /** Monitored apps (Win32 paths). */
  readonly apps: readonly string[];
  /** Backend. */
  readonly backend: string;
  /** How the run ended. */
  readonly endedBy: string;
  /** Wall time in ms. */
  readonly elapsedMs: number;
  /** The capture, for replays. */
  readonly capture?: string;
  /** Flows the workload generated or replayed (all apps). */
  readonly workloadFlows?: number;
  /** Flows of the apps. */
  readonly flows: number;
  /** Flows by application protocol. */
  readonly flowsByProtocol: Readonly<Record<string, number>>;
  /** Stream bytes sent. */
  readonly bytesOut: number;
  /** Stream bytes received. */
  readonly bytesIn: number;
  /** Events read from the driver. */
  readonly records: number;
  /** Packets tagged. */
  readonly packetsTagged: number;
  /** Packet fates by verdict. */
  readonly verdicts: { readonly sent: number; readonly delivered: number; readonly dropped: number; readonly unknown: number };
  /** PACKET_NOTIFY records. */
  readonly notifyEvents: number;
  /** In-stack latency of the sent and delivered packets. */
  readonly latencyUs: { readonly p50: number | undefined; readonly p99: number | undefined };
  /** What was lost. */
  readonly loss: { readonly ringRecordsLost: number; readonly packetsUntagged: number };
  /** Most bytes the driver's ring held. */
  readonly ringHighWater: number;
  /** Dynamic filters the sessions added. */
  readonly filtersAdded: number;
  /** Of those, still in the engine after the stop (0 unless something is wrong). */
  readonly filtersLeft: number;
}

/** The summary as a plain object (JSON output). */
export function summaryObject(s: SummaryData): Record<string, unknown> {
  return {
    type: 'summary',
    command: s.command,
    backend: s.backend,
    apps: s.apps,
    ...(s.capture ? { capture: s.capture } : {}),
    endedBy: s.endedBy,
    elapsedMs: Math.round(s.elapsedMs),
    ...(s.workloadFlows !== undefined ? { workloadFlows: s.workloadFlows } : {}),
    flows: s.flows,
    flowsByProtocol: s.flowsByProtocol,
    bytesOut: s.bytesOut,
    bytesIn: s.bytesIn,
    records: s.records,
    packetsTagged: s.packetsTagged,
    packetsDropped: s.verdicts.dropped,
    verdicts: s.verdicts,
    notifyEvents: s.notifyEvents,
    latencyUs: { p50: s.latencyUs.p50 ?? null, p99: s.latencyUs.p99 ?? null },
    loss: s.loss,
    ringHighWater: s.ringHighWater,
    filtersAdded: s.filtersAdded,
    filtersLeft: s.filtersLeft,
  };
}

/** The summary as a text table. */
export function summaryText(s: SummaryData): string {
  const v = s.verdicts;
  const rows: [string, string][] = [
    ['apps', s.apps.join(', ')],
    ...(s.capture ? ([['capture', s.capture]] as [string, string][]) : []),
    ['backend', s.backend === 'sim' ? 'simulator' : 'Windows'],
    ['ended by', s.endedBy],
    ['flows', `${s.flows}${s.workloadFlows !== undefined ? ` of ${s.workloadFlows} in the traffic` : ''}`],
    ['by protocol', Object.entries(s.flowsByProtocol).map(([k, n]) => `${k} ${n}`).join(', ') || '-'],
    ['bytes out / in', `${s.bytesOut} / ${s.bytesIn}`],
    ['events read', String(s.records)],
    ['packets tagged', String(s.packetsTagged)],
    ['packets dropped', String(v.dropped)],
    ['sent / delivered / dropped / unknown', `${v.sent} / ${v.delivered} / ${v.dropped} / ${v.unknown}`],
    ['in-stack latency p50 / p99', `${us(s.latencyUs.p50)} / ${us(s.latencyUs.p99)}`],
    ['ring records lost', String(s.loss.ringRecordsLost)],
    ['packets untagged', String(s.loss.packetsUntagged)],
    ['dynamic filters added / left', `${s.filtersAdded} / ${s.filtersLeft}`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return `summary of ${s.command}\n${rows.map(([k, val]) => `  ${k.padEnd(w)}  ${val}`).join('\n')}\n`;
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

/** Totals of the live view's header. */
export interface LiveTotals {
  /** Flows so far. */
  readonly flows: number;
  /** Flows active now. */
  readonly activeFlows: number;
  /** Stream bytes sent. */
  readonly bytesOut: number;
  /** Stream bytes received. */
  readonly bytesIn: number;
  /** Events read. */
  readonly records: number;
  /** Packets tagged. */
  readonly packetsTagged: number;
  /** Packets dropped. */
  readonly dropped: number;
  /** Median in-stack latency (µs). */
  readonly p50Us: number | undefined;
  /** 99th percentile in-stack latency (µs). */
  readonly p99Us: number | undefined;
  /** Records the ring had no room for. */
  readonly ringRecordsLost: number;
  /** Packets the driver left untagged. */
  readonly packetsUntagged: number;
  /** Ring size, used and high-water (bytes). */
  readonly ringBytes: number;
  /** Bytes in the ring. */
  readonly ringUsed: number;
  /** Most bytes in the ring. */
  readonly ringHighWater: number;
}

/** The live view's screen for a terminal of `columns` × `rows`. */
export function liveScreen(title: string, flows: readonly LiveFlow[], t: LiveTotals, columns: number, rows: number, anon: (address: string) => string = (a) => a): string {
  const pct = (n: number): string => (t.ringBytes ? ((100 * n) / t.ringBytes).toFixed(1) : '0.0');
  const lines: string[] = [
    title,
    `flows ${t.flows} (active ${t.activeFlows})  out ${formatBytes(t.bytesOut)}  in ${formatBytes(t.bytesIn)}  tagged ${t.packetsTagged}  dropped ${t.dropped}  p50 ${us(t.p50Us)}  p99 ${us(t.p99Us)}`,
    `ring ${pct(t.ringUsed)}% (high-water ${pct(t.ringHighWater)}%)  ring loss ${t.ringRecordsLost}  untagged ${t.packetsUntagged}  events ${t.records}`,
    '',
  ];
  const head = ['PROTO', 'LOCAL', 'REMOTE', 'SNI/HOST', 'OUT', 'IN', 'TAGGED', 'DROP', 'P50', 'P99', 'STATE'];
  const body = flows.slice(0, Math.max(0, rows - lines.length - 2)).map((f) => [
    f.appProtocol,
    endpoint(anon(f.endpoints.local.address), f.endpoints.local.port),
    endpoint(anon(f.endpoints.remote.address), f.endpoints.remote.port),
    cut(flowName(f) || '-', 28),
    formatBytes(f.bytes.out),
    formatBytes(f.bytes.in),
    String(f.packetsTagged),
    String(f.packetsDropped),
    us(f.latency?.p50Us),
    us(f.latency?.p99Us),
    f.endReason !== undefined ? 'ended' : 'active',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => (b[c] ?? '').length)));
  const fmt = (cells: string[]): string => cut(cells.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ').trimEnd(), columns);
  lines.push(fmt(head), ...body.map(fmt));
  if (flows.length === 0) lines.push('(no flows of the app yet)');
  return lines.map((l) => cut(l, columns)).join('\n');
}
