/**
 * Flow records: one NetFlow-like record per monitored flow, built from the driver's records
 * and the packet fate records.
 */
import type {
  ContractRecord,
  FlowClassifiedRecord,
  FlowDeletedRecord,
  FlowEstablishedRecord,
  PacketTaggedRecord,
  StreamDataRecord,
} from '@wfpkit/ioctl-client';
import { AppProtocol, Direction, FlowEndReason, LossReason, RecordFlags } from '@wfpkit/ioctl-client';
import type { PacketDirection, PacketFate } from './fate';
import type { IpProtocolName } from './net';
import { decodeAlpn, formatAddress, ipProtocolName, tlsVersionName } from './net';
import { filetimeToDate, ticksToMilliseconds } from './time';

// Local copies of the contract's constants: a binding re-exported through `export *` is read
// through a getter on every access, which shows on the per-record path.
const DIRECTION = { ...Direction } as typeof Direction;
const LOSS_REASON = { ...LossReason } as typeof LossReason;
const RECORD_FLAG = { ...RecordFlags } as typeof RecordFlags;

/** Application protocol of a flow (the contract's `AppProtocol` as a word). */
export type AppProtocolName = 'unclassified' | 'unknown' | 'tls' | 'http1' | 'http2' | 'ssh';

/** One end of a flow. */
export interface FlowEndpoint {
  /** IPv4 dotted or IPv6 in RFC 5952 form. */
  address: string;
  /** Port in host byte order (0 for protocols without ports). */
  port: number;
}

/** A flow's 5-tuple as seen from the local host. */
export interface FlowEndpointsInfo {
  /** 4 or 6. */
  ipVersion: number;
  /** Protocol name (`tcp`, `udp`, …). */
  protocol: IpProtocolName;
  /** IP protocol number. */
  ipProtocol: number;
  /** This host's end. */
  local: FlowEndpoint;
  /** The peer's end. */
  remote: FlowEndpoint;
  /** Who opened the flow: `outbound` when this host did. */
  direction: PacketDirection;
}

/** The application that owns a flow. */
export interface FlowApp {
  /** Process id at FLOW_ESTABLISHED. */
  processId: number;
  /** NT path of the executable (`\device\harddiskvolume3\…`). */
  path: string;
}

/** What the stream classifiers saw of a TLS flow. */
export interface TlsInfo {
  /** server_name from the ClientHello. */
  sni?: string;
  /** ALPN protocols the client offered, in order. */
  alpn: string[];
  /** True when an ALPN list the driver reported was malformed (names before the fault are kept). */
  alpnMalformed: boolean;
  /** Highest version the client offered (0x0304 = TLS 1.3). */
  version?: number;
  /** {@link TlsInfo.version} as a name (`'TLS 1.3'`). */
  versionName?: string;
  /** ALPN protocol the server selected (from the ServerHello). */
  selectedAlpn?: string;
  /** Version the server selected. */
  selectedVersion?: number;
}

/** What the stream classifiers saw of an HTTP/1.x flow. */
export interface HttpInfo {
  /** Host header of the request. */
  host?: string;
  /** Request method. */
  method?: string;
  /** Request target. */
  path?: string;
  /** Response status. */
  status?: number;
}

/** What the stream classifiers saw of an SSH flow. */
export interface SshInfo {
  /** Identification string of the client (the side that opened the flow). */
  clientBanner?: string;
  /** Identification string of the server. */
  serverBanner?: string;
}

/** Two-direction counter. */
export interface DirectionCounts {
  /** Sent by this host. */
  out: number;
  /** Received by this host. */
  in: number;
}

/** Tagged packets of a flow and their fates. */
export interface FlowPacketCounts {
  /** PACKET_TAGGED records seen. */
  tagged: number;
  /** Fate records with verdict `sent`. */
  sent: number;
  /** Fate records with verdict `delivered`. */
  delivered: number;
  /** Fate records with verdict `dropped`. */
  dropped: number;
  /** Fate records with verdict `unknown`. */
  unknown: number;
}

/** The driver's own totals of a flow, from its FLOW_DELETED record (complete even when records were lost). */
export interface DriverFlowTotals {
  /** Stream bytes sent. */
  bytesOut: number;
  /** Stream bytes received. */
  bytesIn: number;
  /** Stream indications sent. */
  segmentsOut: number;
  /** Stream indications received. */
  segmentsIn: number;
  /** Packets tagged. */
  packetsTagged: number;
  /** Tagged packets the driver counted as removed without leaving the stack. */
  packetsDropped: number;
}

/**
 * Why a flow record is final:
 * `deleted` (FLOW_DELETED, WFP ended the flow), `unload` (FLOW_DELETED while the driver
 * unloaded), `evicted` (the tracker's flow cap was reached), `superseded` (a new
 * FLOW_ESTABLISHED reused its flow id), `flushed` ({@link FlowTracker.flush}).
 */
export type FlowEndReasonName = 'deleted' | 'unload' | 'evicted' | 'superseded' | 'flushed';

/** A NetFlow-like record of one flow. Active flows ({@link FlowTracker.snapshot}) have no end fields. */
export interface FlowRecord {
  /** The WFP flow handle. */
  flowId: bigint;
  /** The owning application. */
  app: FlowApp;
  /** The 5-tuple. */
  endpoints: FlowEndpointsInfo;
  /** Runtime layer id of FLOW_ESTABLISHED. */
  layerId: number;
  /** Application protocol identified so far. */
  appProtocol: AppProtocolName;
  /** TLS metadata, when classified as TLS. */
  tls?: TlsInfo;
  /** HTTP/1.x metadata, when classified as HTTP/1.x. */
  http?: HttpInfo;
  /** SSH banners, when classified as SSH. */
  ssh?: SshInfo;
  /** Stream bytes (the driver's totals once the flow ended, if larger than what STREAM_DATA records showed). */
  bytes: DirectionCounts;
  /** Stream indications (same rule as bytes). */
  segments: DirectionCounts;
  /** Tagged packets and their fates (fates still in flight when the flow ended are not counted). */
  packets: FlowPacketCounts;
  /** When the flow was established. */
  startedAt: Date;
  /** FILETIME of {@link FlowRecord.startedAt}. */
  startTime: bigint;
  /** When the flow ended. */
  endedAt?: Date;
  /** FILETIME of {@link FlowRecord.endedAt}. */
  endTime?: bigint;
  /** Duration from establishment to end in milliseconds (sub-millisecond fraction kept). */
  durationMs?: number;
  /** Why the record is final. */
  endReason?: FlowEndReasonName;
  /** The driver's totals, from FLOW_DELETED. */
  driverTotals?: DriverFlowTotals;
  /** True when the driver reported lost records (LOSS, RING_FULL) during the flow: counts from records may be low. */
  lossAffected: boolean;
  /** True when a record of the flow had a member cut (RecordFlags.TRUNCATED: a long path, SNI, …). */
  truncated: boolean;
}

/** Options of a {@link FlowTracker}. */
export interface FlowTrackerOptions {
  /** Called with each final flow record. */
  onFlow?: (flow: FlowRecord) => void;
  /** Most active flows kept; when one more is established the oldest is ended (`evicted`). Default 65 536. */
  maxFlows?: number;
}

/** Counters of a {@link FlowTracker}. */
export interface FlowTrackerStats {
  /** FLOW_ESTABLISHED records seen. */
  started: number;
  /** Final flow records emitted. */
  ended: number;
  /** Active flows now. */
  active: number;
  /** Flows ended because the cap was reached. */
  evicted: number;
  /** Records of other kinds for a flow with no FLOW_ESTABLISHED seen (lost, or before tracking began); ignored. */
  unknownFlowRecords: number;
  /** Fate records for a flow not active (ended already, or never seen); ignored. */
  unknownFlowFates: number;
  /** Flows the driver did not monitor (FLOW_TABLE_FULL LOSS records). */
  unmonitoredFlows: number;
}

const PROTOCOL_NAMES: Record<number, AppProtocolName> = {
  [AppProtocol.UNCLASSIFIED]: 'unclassified',
  [AppProtocol.UNKNOWN]: 'unknown',
  [AppProtocol.TLS]: 'tls',
  [AppProtocol.HTTP1]: 'http1',
  [AppProtocol.HTTP2]: 'http2',
  [AppProtocol.SSH]: 'ssh',
};

interface FlowState {
  record: FlowRecord;
  lossEpoch: number;
}

/** `packets[verdict]++` with each property named in the code (a computed key made V8's property caches megamorphic). */
function countVerdict(packets: FlowPacketCounts, verdict: PacketFate['verdict']): void {
  switch (verdict) {
    case 'sent':
      packets.sent++;
      break;
    case 'delivered':
      packets.delivered++;
      break;
    case 'dropped':
      packets.dropped++;
      break;
    default:
      packets.unknown++;
      break;
  }
}

function dir(value: number): PacketDirection {
  return value === DIRECTION.INBOUND ? 'inbound' : 'outbound';
}

function cloneFlow(f: FlowRecord): FlowRecord {
  const copy: FlowRecord = {
    ...f,
    app: { ...f.app },
    endpoints: { ...f.endpoints, local: { ...f.endpoints.local }, remote: { ...f.endpoints.remote } },
    bytes: { ...f.bytes },
    segments: { ...f.segments },
    packets: { ...f.packets },
    startedAt: new Date(f.startedAt.getTime()),
  };
  if (f.tls !== undefined) copy.tls = { ...f.tls, alpn: [...f.tls.alpn] };
  if (f.http !== undefined) copy.http = { ...f.http };
  if (f.ssh !== undefined) copy.ssh = { ...f.ssh };
  if (f.endedAt !== undefined) copy.endedAt = new Date(f.endedAt.getTime());
  if (f.driverTotals !== undefined) copy.driverTotals = { ...f.driverTotals };
  return copy;
}

/**
 * Builds one {@link FlowRecord} per monitored flow from FLOW_ESTABLISHED, FLOW_CLASSIFIED
 * (both directions merge), STREAM_DATA, PACKET_TAGGED and FLOW_DELETED records and from
 * fate records ({@link FlowTracker.pushFate}); emits the final record at FLOW_DELETED.
 *
 * Classification merge: a specific protocol (TLS, HTTP/1.x, HTTP/2, SSH) replaces
 * `unclassified`/`unknown`, and the first specific one stays. TLS: SNI, offered ALPN list and
 * offered version come from the client's direction (the direction that opened the flow),
 * the selected ALPN and version from the server's. HTTP fields are taken from either
 * direction, the first non-empty value of each kept. SSH banners are filed by direction.
 *
 * @example
 * ```ts
 * import { FlowTracker, PacketFateTracker } from '@wfpkit/tagging';
 * const flows = new FlowTracker({ onFlow: (f) => console.log(f.endpoints.remote.address, f.tls?.sni, f.durationMs) });
 * const fates = new PacketFateTracker({ onFate: (fate) => flows.pushFate(fate) });
 * for (const record of records) {
 *   fates.push(record);
 *   flows.push(record);
 * }
 * ```
 */
export class FlowTracker {
  private readonly onFlow: ((flow: FlowRecord) => void) | undefined;
  private readonly maxFlows: number;
  private readonly flows = new Map<bigint, FlowState>();
  /** The flow looked up last (consecutive records are mostly of one flow); cleared when it ends. */
  private last: FlowState | undefined;
  private lossEpoch = 0;
  private readonly counters: FlowTrackerStats = {
    started: 0,
    ended: 0,
    active: 0,
    evicted: 0,
    unknownFlowRecords: 0,
    unknownFlowFates: 0,
    unmonitoredFlows: 0,
  };

  /**
   * @param options - Callback and flow cap.
   * @throws RangeError when `maxFlows` is not a positive integer.
   * @example
   * ```ts
   * import { FlowTracker } from '@wfpkit/tagging';
   * const flows = new FlowTracker({ onFlow: (f) => console.log(JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) });
   * ```
   */
  constructor(options: FlowTrackerOptions = {}) {
    this.onFlow = options.onFlow;
    const maxFlows = options.maxFlows ?? 65_536;
    if (!Number.isInteger(maxFlows) || maxFlows < 1) throw new RangeError(`maxFlows must be a positive integer, got ${maxFlows}`);
    this.maxFlows = maxFlows;
  }

  /**
   * A copy of the counters.
   *
   * @example
   * ```ts
   * console.log(`${flows.stats().active} active flows`);
   * ```
   */
  stats(): FlowTrackerStats {
    return { ...this.counters, active: this.flows.size };
  }

  /**
   * Copies of the active flows' records, in establishment order.
   *
   * @example
   * ```ts
   * for (const f of flows.snapshot()) console.log(f.app.path, f.bytes.out, f.bytes.in);
   * ```
   */
  snapshot(): FlowRecord[] {
    const out: FlowRecord[] = [];
    for (const state of this.flows.values()) {
      const copy = cloneFlow(state.record);
      copy.lossAffected = copy.lossAffected || state.lossEpoch !== this.lossEpoch;
      out.push(copy);
    }
    return out;
  }

  /**
   * Consumes one record. FLOW_ESTABLISHED, FLOW_CLASSIFIED, STREAM_DATA, PACKET_TAGGED,
   * FLOW_DELETED and LOSS records are used; others are ignored.
   *
   * @param record - A decoded record, in the order the driver delivered it.
   * @example
   * ```ts
   * flows.push(record);
   * ```
   */
  push(record: ContractRecord): void {
    switch (record.kind) {
      case 'FLOW_ESTABLISHED':
        this.onEstablished(record);
        return;
      case 'LOSS':
        if (record.reason === LOSS_REASON.RING_FULL) this.lossEpoch++;
        else if (record.reason === LOSS_REASON.FLOW_TABLE_FULL) this.counters.unmonitoredFlows += Number(record.lost);
        return;
      case 'FLOW_CLASSIFIED':
      case 'STREAM_DATA':
      case 'PACKET_TAGGED':
      case 'FLOW_DELETED':
        break;
      default:
        return;
    }
    const state = this.find(record.header.flowId);
    if (state === undefined) {
      this.counters.unknownFlowRecords++;
      return;
    }
    const f = state.record;
    if ((record.header.flags & RECORD_FLAG.TRUNCATED) !== 0) f.truncated = true;
    switch (record.kind) {
      case 'FLOW_CLASSIFIED':
        this.onClassified(f, record);
        break;
      case 'STREAM_DATA':
        this.onStreamData(f, record);
        break;
      case 'PACKET_TAGGED':
        this.onTagged(f, record);
        break;
      case 'FLOW_DELETED':
        this.onDeleted(state, record);
        break;
    }
  }

  /**
   * Counts a fate record against its flow (`packets.sent/delivered/dropped/unknown`).
   *
   * @param fate - A fate record from a {@link PacketFateTracker}.
   * @example
   * ```ts
   * const fates = new PacketFateTracker({ onFate: (fate) => flows.pushFate(fate) });
   * ```
   */
  pushFate(fate: PacketFate): void {
    const state = this.find(fate.flowId);
    if (state === undefined) {
      this.counters.unknownFlowFates++;
      return;
    }
    countVerdict(state.record.packets, fate.verdict);
  }

  /**
   * Ends every active flow (reason `flushed`) and emits its record, for example when a
   * session stops.
   *
   * @example
   * ```ts
   * flows.flush();
   * ```
   */
  flush(): void {
    for (const state of [...this.flows.values()]) this.end(state, 'flushed', undefined);
  }

  private onEstablished(r: FlowEstablishedRecord): void {
    this.counters.started++;
    const flowId = r.header.flowId;
    const existing = this.flows.get(flowId);
    if (existing !== undefined) this.end(existing, 'superseded', r.header.timestamp);
    while (this.flows.size >= this.maxFlows) {
      const oldest = this.flows.values().next();
      if (oldest.done === true) break;
      this.counters.evicted++;
      this.end(oldest.value, 'evicted', undefined);
    }
    const e = r.endpoints;
    const record: FlowRecord = {
      flowId,
      app: { processId: Number(r.processId), path: r.appPath },
      endpoints: {
        ipVersion: e.ipVersion,
        protocol: ipProtocolName(e.ipProtocol),
        ipProtocol: e.ipProtocol,
        local: { address: formatAddressSafe(e.ipVersion, e.localAddress), port: e.localPort },
        remote: { address: formatAddressSafe(e.ipVersion, e.remoteAddress), port: e.remotePort },
        direction: dir(e.direction),
      },
      layerId: r.layerId,
      appProtocol: 'unclassified',
      bytes: { out: 0, in: 0 },
      segments: { out: 0, in: 0 },
      packets: { tagged: 0, sent: 0, delivered: 0, dropped: 0, unknown: 0 },
      startedAt: filetimeToDate(r.header.timestamp),
      startTime: r.header.timestamp,
      lossAffected: false,
      truncated: (r.header.flags & RecordFlags.TRUNCATED) !== 0,
    };
    this.flows.set(flowId, { record, lossEpoch: this.lossEpoch });
  }

  private onClassified(f: FlowRecord, r: FlowClassifiedRecord): void {
    const name = PROTOCOL_NAMES[r.appProtocol] ?? 'unknown';
    const specific = (p: AppProtocolName): boolean => p !== 'unclassified' && p !== 'unknown';
    if (!specific(f.appProtocol) && (specific(name) || name === 'unknown')) f.appProtocol = name;
    const fromClient = dir(r.direction) === f.endpoints.direction;

    if (r.appProtocol === AppProtocol.TLS) {
      const tls: TlsInfo = f.tls ?? { alpn: [], alpnMalformed: false };
      const alpn = r.alpn.length > 0 ? decodeAlpn(r.alpn) : undefined;
      if (alpn?.malformed === true) tls.alpnMalformed = true;
      if (fromClient) {
        if (r.sni !== '' && tls.sni === undefined) tls.sni = r.sni;
        if (alpn !== undefined && tls.alpn.length === 0) tls.alpn = alpn.protocols;
        if (r.tlsVersion !== 0 && tls.version === undefined) {
          tls.version = r.tlsVersion;
          const n = tlsVersionName(r.tlsVersion);
          if (n !== undefined) tls.versionName = n;
        }
      } else {
        if (alpn !== undefined && alpn.protocols[0] !== undefined && tls.selectedAlpn === undefined) tls.selectedAlpn = alpn.protocols[0];
        if (r.tlsVersion !== 0 && tls.selectedVersion === undefined) tls.selectedVersion = r.tlsVersion;
      }
      f.tls = tls;
    } else if (r.appProtocol === AppProtocol.HTTP1) {
      const http: HttpInfo = f.http ?? {};
      if (r.host !== '' && http.host === undefined) http.host = r.host;
      if (r.method !== '' && http.method === undefined) http.method = r.method;
      if (r.path !== '' && http.path === undefined) http.path = r.path;
      if (r.httpStatus !== 0 && http.status === undefined) http.status = r.httpStatus;
      f.http = http;
    } else if (r.appProtocol === AppProtocol.SSH) {
      const ssh: SshInfo = f.ssh ?? {};
      if (r.banner !== '') {
        if (fromClient) ssh.clientBanner ??= r.banner;
        else ssh.serverBanner ??= r.banner;
      }
      f.ssh = ssh;
    }
  }

  private onStreamData(f: FlowRecord, r: StreamDataRecord): void {
    if (r.direction === DIRECTION.INBOUND) {
      f.bytes.in += r.indicatedLength;
      f.segments.in++;
    } else {
      f.bytes.out += r.indicatedLength;
      f.segments.out++;
    }
  }

  private onTagged(f: FlowRecord, _r: PacketTaggedRecord): void {
    f.packets.tagged++;
  }

  private onDeleted(state: FlowState, r: FlowDeletedRecord): void {
    const f = state.record;
    const totals: DriverFlowTotals = {
      bytesOut: Number(r.bytesOut),
      bytesIn: Number(r.bytesIn),
      segmentsOut: r.segmentsOut,
      segmentsIn: r.segmentsIn,
      packetsTagged: Number(r.packetsTagged),
      packetsDropped: Number(r.packetsDropped),
    };
    f.driverTotals = totals;
    f.bytes.out = Math.max(f.bytes.out, totals.bytesOut);
    f.bytes.in = Math.max(f.bytes.in, totals.bytesIn);
    f.segments.out = Math.max(f.segments.out, totals.segmentsOut);
    f.segments.in = Math.max(f.segments.in, totals.segmentsIn);
    this.end(state, r.reason === FlowEndReason.UNLOAD ? 'unload' : 'deleted', r.header.timestamp);
  }

  private find(flowId: bigint): FlowState | undefined {
    const last = this.last;
    if (last !== undefined && last.record.flowId === flowId) return last;
    const state = this.flows.get(flowId);
    if (state !== undefined) this.last = state;
    return state;
  }

  private end(state: FlowState, reason: FlowEndReasonName, endTime: bigint | undefined): void {
    const f = state.record;
    this.flows.delete(f.flowId);
    if (this.last === state) this.last = undefined;
    f.endReason = reason;
    if (state.lossEpoch !== this.lossEpoch) f.lossAffected = true;
    if (endTime !== undefined) {
      f.endTime = endTime;
      f.endedAt = filetimeToDate(endTime);
      f.durationMs = endTime >= f.startTime ? ticksToMilliseconds(endTime - f.startTime) : 0;
    }
    this.counters.ended++;
    this.onFlow?.(f);
  }
}

function formatAddressSafe(ipVersion: number, bytes: Uint8Array): string {
  try {
    return formatAddress(ipVersion, bytes);
  } catch {
    return `(ip version ${ipVersion})`;
  }
}
