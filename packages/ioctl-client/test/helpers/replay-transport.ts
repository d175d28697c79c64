/*
 * A scripted Transport for tests: it records every call it receives (code, exact input bytes,
 * output size) and answers each IOCTL with the next scripted reply, whose bytes are built with
 * the generated encoders. A READ_EVENTS with no reply scripted pends, like the driver's
 * long-poll, until the test releases it, the handle closes or the transport cancels it; both
 * of the latter reject it with ERROR_OPERATION_ABORTED, as the driver does.
 */
import {
  CONTRACT_VERSION,
  COUNTERS_SIZE,
  FeatureFlags,
  IOCTLS,
  LIST_FLOWS_RESULT_SIZE,
  MAX_INSPECT_BUDGET,
  MAX_RING_BYTES,
  MAX_SESSIONS,
  MAX_SNAP_LEN,
  MIN_RING_BYTES,
  READ_RESULT_SIZE,
  SESSION_INFO_SIZE,
  VERSION_INFO_SIZE,
  Win32Error,
  asTransportHandle,
  encodeCounters,
  encodeListFlowsResult,
  encodeReadResult,
  encodeSessionInfo,
  encodeVersionInfo,
} from '../../src';
import { encodeRecords } from './records';
import type { ContractRecord } from '../../src';
import type {
  Counters,
  FlowInfoRecord,
  IoctlName,
  IoctlResult,
  SessionInfo,
  Transport,
  TransportHandle,
  VersionInfo,
} from '../../src';

/** One call the transport received. */
export type RecordedCall =
  | { readonly op: 'open'; readonly path: string }
  | { readonly op: 'close'; readonly handle: TransportHandle }
  | { readonly op: 'cancel'; readonly handle: TransportHandle }
  | {
      readonly op: 'ioctl';
      readonly handle: TransportHandle;
      readonly code: number;
      readonly name: IoctlName | 'UNKNOWN';
      /** A copy of the input bytes as they were at the call. */
      readonly input: Uint8Array | null;
      readonly outputSize: number;
    };

/** How the transport answers one IOCTL. */
export type Reply =
  | { readonly output: Uint8Array; readonly bytesReturned?: number }
  | { readonly win32: number }
  | { readonly pend: PendingReply };

/** A reply the test completes later (a long-poll that pends). */
export class PendingReply {
  #settle: ((reply: Reply) => void) | null = null;
  #early: Reply | null = null;

  /** Completes the pending call with `reply`. */
  complete(reply: Reply): void {
    if (this.#settle) this.#settle(reply);
    else this.#early = reply;
  }

  /** Resolves with the reply once the test completes it. */
  wait(): Promise<Reply> {
    if (this.#early) return Promise.resolve(this.#early);
    return new Promise((resolve) => {
      this.#settle = resolve;
    });
  }
}

interface Pending {
  readonly handle: TransportHandle;
  readonly reject: (error: Win32Error) => void;
}

const NAME_BY_CODE = new Map<number, IoctlName>(Object.values(IOCTLS).map((d) => [d.code, d.name as IoctlName]));

/** Options of {@link ReplayTransport}. */
export interface ReplayOptions {
  /** Win32 error `open` fails with. */
  readonly openError?: number;
  /** Whether the transport implements `cancel` (default true). */
  readonly cancel?: boolean;
  /** The GET_VERSION reply sent first. Default: {@link versionReply}(). Pass null to script it yourself. */
  readonly version?: Reply | null;
}

export class ReplayTransport implements Transport {
  /** Every call, in order. */
  readonly calls: RecordedCall[] = [];
  readonly #script: { readonly name: IoctlName; readonly reply: Reply }[] = [];
  readonly #pending = new Set<Pending>();
  readonly #open = new Set<TransportHandle>();
  #nextHandle = 0x100n;
  readonly #openError: number | undefined;
  /** Present unless the options turned it off. */
  readonly cancel?: (handle: TransportHandle) => Promise<void>;

  constructor(options: ReplayOptions = {}) {
    this.#openError = options.openError;
    if (options.cancel !== false) {
      this.cancel = async (handle) => {
        this.calls.push({ op: 'cancel', handle });
        this.#abortPending(handle);
      };
    }
    const version = options.version === undefined ? versionReply() : options.version;
    if (version !== null) this.reply('GET_VERSION', version);
  }

  /** Scripts the reply to the next `name` IOCTL (replies are consumed in order). */
  reply(name: IoctlName, reply: Reply): this {
    this.#script.push({ name, reply });
    return this;
  }

  /** Scripts a READ_EVENTS that pends until the test completes it; returns its control. */
  pendRead(): PendingReply {
    const pend = new PendingReply();
    this.reply('READ_EVENTS', { pend });
    return pend;
  }

  /** IOCTL calls only (GET_VERSION included). */
  get ioctls(): Extract<RecordedCall, { op: 'ioctl' }>[] {
    return this.calls.filter((c): c is Extract<RecordedCall, { op: 'ioctl' }> => c.op === 'ioctl');
  }

  /** Calls still pending. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Scripted replies not consumed yet. */
  get unusedReplies(): number {
    return this.#script.length;
  }

  /** Handles open now. */
  get openHandles(): number {
    return this.#open.size;
  }

  async open(path: string): Promise<TransportHandle> {
    this.calls.push({ op: 'open', path });
    if (this.#openError !== undefined) throw new Win32Error(this.#openError, 'CreateFileW');
    const handle = asTransportHandle(this.#nextHandle++);
    this.#open.add(handle);
    return handle;
  }

  async ioctl(handle: TransportHandle, code: number, input: Uint8Array | null, outputSize: number): Promise<IoctlResult> {
    const name = NAME_BY_CODE.get(code) ?? 'UNKNOWN';
    this.calls.push({ op: 'ioctl', handle, code, name, input: input === null ? null : input.slice(), outputSize });
    if (!this.#open.has(handle)) throw new Win32Error(6, 'DeviceIoControl');
    const index = this.#script.findIndex((s) => s.name === name);
    let reply: Reply;
    if (index < 0) {
      // An unscripted READ_EVENTS pends forever (until close/cancel), like an idle ring.
      if (name !== 'READ_EVENTS') throw new Error(`ReplayTransport: no reply scripted for ${name}`);
      reply = { pend: new PendingReply() };
    } else {
      reply = this.#script.splice(index, 1)[0]!.reply;
    }
    while ('pend' in reply) reply = await this.#waitPending(handle, reply.pend);
    if ('win32' in reply) throw new Win32Error(reply.win32, 'DeviceIoControl');
    if (reply.output.byteLength > outputSize) throw new Error(`ReplayTransport: reply of ${reply.output.byteLength} bytes does not fit ${outputSize}`);
    const output = new Uint8Array(outputSize);
    output.set(reply.output);
    return { bytesReturned: reply.bytesReturned ?? reply.output.byteLength, output };
  }

  async close(handle: TransportHandle): Promise<void> {
    this.calls.push({ op: 'close', handle });
    if (!this.#open.delete(handle)) throw new Win32Error(6, 'CloseHandle');
    this.#abortPending(handle);
  }

  #waitPending(handle: TransportHandle, pend: PendingReply): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const entry: Pending = {
        handle,
        reject: (error) => {
          if (this.#pending.delete(entry)) reject(error);
        },
      };
      this.#pending.add(entry);
      void pend.wait().then((reply) => {
        if (this.#pending.delete(entry)) resolve(reply);
      });
    });
  }

  #abortPending(handle: TransportHandle): void {
    for (const entry of [...this.#pending]) {
      if (entry.handle === handle) entry.reject(new Win32Error(995, 'DeviceIoControl'));
    }
  }
}

function bytes(size: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(size);
  write(new DataView(out.buffer));
  return out;
}

/** A VersionInfo with the contract's limits, overridable. */
export function versionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  return {
    contractVersion: CONTRACT_VERSION,
    driverVersion: (0 << 24) | (3 << 16) | 7,
    features: FeatureFlags.ASSOCIATE_CONTEXT1 | FeatureFlags.IPPACKET_LAYERS,
    maxSessions: MAX_SESSIONS,
    minRingBytes: MIN_RING_BYTES,
    maxRingBytes: MAX_RING_BYTES,
    maxInspectBudget: MAX_INSPECT_BUDGET,
    maxSnapLen: MAX_SNAP_LEN,
    ...overrides,
  };
}

/** GET_VERSION reply bytes. */
export function versionReply(overrides: Partial<VersionInfo> = {}): Reply {
  return { output: bytes(VERSION_INFO_SIZE, (v) => encodeVersionInfo(v, 0, versionInfo(overrides))) };
}

/** GET_SESSION reply bytes. */
export function sessionReply(info: SessionInfo): Reply {
  return { output: bytes(SESSION_INFO_SIZE, (v) => encodeSessionInfo(v, 0, info)) };
}

/** GET_COUNTERS reply bytes. */
export function countersReply(counters: Counters): Reply {
  return { output: bytes(COUNTERS_SIZE, (v) => encodeCounters(v, 0, counters)) };
}

/** READ_EVENTS reply: a ReadResult with recordCount/bytesUsed computed, then the records. */
export function readReply(records: readonly ContractRecord[], flags = 0): Reply {
  const { bytes: out, view, end } = encodeRecords(records, READ_RESULT_SIZE);
  encodeReadResult(view, 0, { recordCount: records.length, bytesUsed: end, flags });
  return { output: out };
}

/** LIST_FLOWS reply: a ListFlowsResult, then the FLOW_INFO records. */
export function listReply(flows: readonly FlowInfoRecord[], flags: number, nextCursor: bigint): Reply {
  const { bytes: out, view, end } = encodeRecords(flows, LIST_FLOWS_RESULT_SIZE);
  encodeListFlowsResult(view, 0, { flowCount: flows.length, flags, nextCursor, bytesUsed: end });
  return { output: out };
}
