/*
 * Flows as the driver reports them (FLOW_ESTABLISHED + FLOW_CLASSIFIED + FLOW_DELETED records, one
 * flow per header.flowId), and the comparison with tshark's answers.
 */
import { Direction } from '@wfpkit/ioctl-client';
import type { DecodedRecord, FlowEndpoints } from '@wfpkit/ioctl-client';

/** The metadata compared with tshark, each a sorted list of distinct values. */
export interface FlowFields {
  /** TLS server_name values. */
  readonly sni: readonly string[];
  /** ALPN protocol names offered or selected. */
  readonly alpn: readonly string[];
  /** HTTP/1.x Host header values. */
  readonly host: readonly string[];
  /** HTTP/1.x request methods. */
  readonly method: readonly string[];
}

/** The compared fields, in report order. */
export const COMPARED_FIELDS = ['sni', 'alpn', 'host', 'method'] as const;

/** Canonical text of an IP address given as text (IPv4 dotted, IPv6 per RFC 5952). */
export function canonicalAddress(text: string): string {
  if (text.includes(':')) return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return text;
}

/** Text of an address from a record (network order; IPv4 in the first 4 bytes). */
export function addressText(bytes: Uint8Array, ipVersion: number): string {
  if (ipVersion === 4) return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return canonicalAddress(groups.join(':'));
}

/**
 * A key for a TCP connection that does not depend on which side is called local: both endpoints
 * (canonical address and port), sorted.
 */
export function endpointKey(addressA: string, portA: number, addressB: string, portB: number): string {
  const a = `${canonicalAddress(addressA)} ${portA}`;
  const b = `${canonicalAddress(addressB)} ${portB}`;
  return a < b ? `${a} | ${b}` : `${b} | ${a}`;
}

/** The {@link endpointKey} of a record's 5-tuple. */
export function recordEndpointKey(e: FlowEndpoints): string {
  return endpointKey(addressText(e.localAddress, e.ipVersion), e.localPort, addressText(e.remoteAddress, e.ipVersion), e.remotePort);
}

/** ALPN protocol names from the wire list (each name prefixed by its length byte). */
export function alpnNames(wire: Uint8Array): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < wire.length) {
    const n = wire[i] ?? 0;
    if (n === 0 || i + 1 + n > wire.length) throw new RangeError(`malformed ALPN list at byte ${i}: ${Buffer.from(wire).toString('hex')}`);
    names.push(Buffer.from(wire.subarray(i + 1, i + 1 + n)).toString('latin1'));
    i += 1 + n;
  }
  return names;
}

/** One flow as the driver reported it to a session. */
export interface DriverFlow extends FlowFields {
  readonly flowId: bigint;
  /** {@link endpointKey} of its 5-tuple. */
  readonly key: string;
  readonly endpoints: FlowEndpoints;
  readonly appPath: string;
  readonly processId: bigint;
  /** Directions that produced a FLOW_CLASSIFIED record. */
  readonly classified: readonly ('outbound' | 'inbound')[];
  /** Whether a FLOW_DELETED record arrived. */
  readonly deleted: boolean;
}

interface Building {
  flowId: bigint;
  key: string;
  endpoints: FlowEndpoints;
  appPath: string;
  processId: bigint;
  sni: Set<string>;
  alpn: Set<string>;
  host: Set<string>;
  method: Set<string>;
  classified: ('outbound' | 'inbound')[];
  deleted: boolean;
}

/** What {@link collectFlows} found besides flows. */
export interface CollectedFlows {
  /** Flows by flowId. */
  readonly flows: Map<bigint, DriverFlow>;
  /** Records about a flowId that had no FLOW_ESTABLISHED before them (should be none). */
  readonly orphans: number;
  /** LOSS records (should be none when the ring is large enough). */
  readonly losses: number;
  /** Records by kind. */
  readonly kinds: Map<string, number>;
}

/** Folds a session's records into flows. */
export function collectFlows(records: Iterable<DecodedRecord>): CollectedFlows {
  const building = new Map<bigint, Building>();
  const kinds = new Map<string, number>();
  let orphans = 0;
  let losses = 0;
  for (const r of records) {
    kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    if (r.kind === 'FLOW_ESTABLISHED') {
      building.set(r.header.flowId, {
        flowId: r.header.flowId,
        key: recordEndpointKey(r.endpoints),
        endpoints: r.endpoints,
        appPath: r.appPath,
        processId: r.processId,
        sni: new Set(),
        alpn: new Set(),
        host: new Set(),
        method: new Set(),
        classified: [],
        deleted: false,
      });
      continue;
    }
    if (r.kind === 'LOSS') {
      losses++;
      continue;
    }
    if (r.kind !== 'FLOW_CLASSIFIED' && r.kind !== 'FLOW_DELETED') continue;
    const f = building.get(r.header.flowId);
    if (!f) {
      orphans++;
      continue;
    }
    if (r.kind === 'FLOW_DELETED') {
      f.deleted = true;
      continue;
    }
    f.classified.push(r.direction === Direction.INBOUND ? 'inbound' : 'outbound');
    if (r.sni) f.sni.add(r.sni);
    for (const n of alpnNames(r.alpn)) f.alpn.add(n);
    if (r.host) f.host.add(r.host);
    if (r.method) f.method.add(r.method);
  }
  const flows = new Map<bigint, DriverFlow>();
  for (const [id, b] of building) {
    flows.set(id, {
      ...b,
      sni: [...b.sni].sort(),
      alpn: [...b.alpn].sort(),
      host: [...b.host].sort(),
      method: [...b.method].sort(),
    });
  }
  return { flows, orphans, losses, kinds };
}

/** A difference between tshark's answer and the driver's for one flow. */
export interface FlowDifference {
  /** The connection ({@link endpointKey}). */
  readonly key: string;
  /** tshark's stream number, if tshark has the flow. */
  readonly stream?: number;
  /** What differs: a field, or that the flow is missing on one side. */
  readonly what: (typeof COMPARED_FIELDS)[number] | 'missing in driver events' | 'not in tshark' | 'reported twice';
  readonly tshark: readonly string[];
  readonly driver: readonly string[];
}

/** A flow of the reference side: tshark's, keyed like the driver's. */
export interface ReferenceFlow extends FlowFields {
  readonly key: string;
  readonly stream: number;
}

function hasValues(f: FlowFields): boolean {
  return COMPARED_FIELDS.some((k) => f[k].length > 0);
}

/**
 * Compares the reference flows `expected` (tshark's) with the flows one session received.
 * Every reference flow with an SNI, ALPN, Host or method must be among `actual` with exactly the same
 * values; every `actual` flow must be a reference flow and carry no value tshark does not report.
 * `expected` should hold only the flows the session is meant to see.
 */
export function compareFlows(expected: Iterable<ReferenceFlow>, actual: Iterable<DriverFlow>): FlowDifference[] {
  const diffs: FlowDifference[] = [];
  const byKey = new Map<string, DriverFlow>();
  for (const f of actual) {
    if (byKey.has(f.key)) diffs.push({ key: f.key, what: 'reported twice', tshark: [], driver: [String(f.flowId)] });
    byKey.set(f.key, f);
  }
  const seen = new Set<string>();
  for (const e of expected) {
    seen.add(e.key);
    const a = byKey.get(e.key);
    if (!a) {
      if (hasValues(e)) diffs.push({ key: e.key, stream: e.stream, what: 'missing in driver events', tshark: COMPARED_FIELDS.flatMap((k) => e[k].map((v) => `${k}=${v}`)), driver: [] });
      continue;
    }
    for (const k of COMPARED_FIELDS) {
      if (e[k].join('\n') !== a[k].join('\n')) diffs.push({ key: e.key, stream: e.stream, what: k, tshark: e[k], driver: a[k] });
    }
  }
  for (const a of byKey.values()) {
    if (!seen.has(a.key)) diffs.push({ key: a.key, what: 'not in tshark', tshark: [], driver: COMPARED_FIELDS.flatMap((k) => a[k].map((v) => `${k}=${v}`)) });
  }
  return diffs;
}
