/*
 * WfpKitDevice: one open handle on the wfpkit device = one monitoring session. One typed
 * method per IOCTL of the contract; every request is encoded and every response decoded with
 * the generated codec, straight from the transport's buffers.
 */
import {
  COUNTERS_SIZE,
  CONTRACT_VERSION_MAJOR,
  ConfigFlags,
  DEFAULT_CONFIG_FLAGS,
  DEFAULT_INSPECT_BUDGET,
  DEFAULT_RING_BYTES,
  DEFAULT_SNAP_LEN,
  DEFAULT_TAG_LAYERS,
  DEVICE_PATH,
  FeatureFlags,
  IOCTLS,
  LIST_FLOWS_REQUEST_SIZE,
  LIST_FLOWS_RESULT_SIZE,
  ListFlags,
  MAX_INSPECT_BUDGET,
  MAX_RING_BYTES,
  MAX_SNAP_LEN,
  MIN_INSPECT_BUDGET,
  MIN_READ_OUTPUT,
  MIN_RING_BYTES,
  READ_REQUEST_SIZE,
  READ_RESULT_SIZE,
  RECORD_ALIGNMENT,
  RECORD_HEADER_SIZE,
  ReadFlags,
  RecordDecodeError,
  SESSION_CONFIG_SIZE,
  SESSION_INFO_SIZE,
  TagLayer,
  VERSION_INFO_SIZE,
  WAIT_FOREVER,
  decodeCounters,
  decodeListFlowsResult,
  decodeReadResult,
  decodeRecord,
  decodeSessionInfo,
  decodeVersionInfo,
  encodeListFlowsRequest,
  encodeReadRequest,
  encodeSessionConfig,
} from './contract.generated';
import { decodeRecordAt } from './record-decode';
import type {
  ContractRecord,
  Counters,
  FlowInfoRecord,
  IoctlName,
  SessionConfig,
  UnknownRecord,
  VersionInfo,
} from './contract.generated';
import {
  ContractMismatchError,
  InvalidArgumentError,
  SessionClosedError,
  WIN32,
  isWin32Error,
  mapTransportError,
  splitContractVersion,
} from './errors';
import type { IoctlResult, Transport, TransportHandle } from './transport';

/** A record as READ_EVENTS returns it: one the contract defines, or one of a newer driver this client skips by size. */
export type DecodedRecord = ContractRecord | UnknownRecord;

declare const sessionIdBrand: unique symbol;
declare const scopeKeyBrand: unique symbol;

/** Number of a driver session (`SessionInfo.sessionId`), unique while the driver is loaded. */
export type SessionId = number & { readonly [sessionIdBrand]: 'SessionId' };

/**
 * The value that ties WFP filters to a session (`SessionInfo.scopeKey`): put it in the
 * `rawContext` of the session's FLOW_ESTABLISHED filters.
 */
export type ScopeKey = bigint & { readonly [scopeKeyBrand]: 'ScopeKey' };

/** What {@link WfpKitDevice.session} reports: the handle's session. */
export interface Session {
  /** Session number. */
  readonly sessionId: SessionId;
  /** Session state. Values: {@link SessionState}. */
  readonly state: number;
  /** Scope key for the session's FLOW_ESTABLISHED filters. */
  readonly scopeKey: ScopeKey;
  /** The configuration in force. */
  readonly config: SessionConfig;
}

/** A session configuration without `structSize`, which the client fills in. */
export type SessionOptions = Omit<SessionConfig, 'structSize'>;

/**
 * What {@link WfpKitDevice.configure} sends for a field it is not given: the contract's
 * defaults, stream inspection on, no packet tagging.
 */
export const DEFAULT_SESSION_OPTIONS: Readonly<SessionOptions> = Object.freeze({
  flags: DEFAULT_CONFIG_FLAGS,
  inspectBudget: DEFAULT_INSPECT_BUDGET,
  ringBytes: DEFAULT_RING_BYTES,
  snapLen: DEFAULT_SNAP_LEN,
  tagLayers: DEFAULT_TAG_LAYERS,
});

/** Default size of the READ_EVENTS output buffer: 256 KiB. */
export const DEFAULT_READ_BUFFER_SIZE = 256 * 1024;

/** Largest READ_EVENTS output buffer accepted: the result header plus the largest ring. */
export const MAX_READ_BUFFER_SIZE = READ_RESULT_SIZE + MAX_RING_BYTES;

/** Default size of the LIST_FLOWS output buffer: 64 KiB. */
export const DEFAULT_LIST_BUFFER_SIZE = 64 * 1024;

/** Default long-poll timeout of {@link WfpKitDevice.events}, in milliseconds. */
export const DEFAULT_EVENTS_TIMEOUT_MS = 1000;

/** Options of {@link WfpKitDevice.open}. */
export interface OpenOptions {
  /** How to reach the device (the win32 or the simulator transport, or a test double). */
  readonly transport: Transport;
  /** Device path passed to `CreateFileW`. Default: {@link DEVICE_PATH} (`\\.\WfpKit`). */
  readonly path?: string;
  /**
   * Size in bytes of the READ_EVENTS output buffer, used when a read does not give its own:
   * MIN_READ_OUTPUT ..
   * {@link MAX_READ_BUFFER_SIZE}. Default: {@link DEFAULT_READ_BUFFER_SIZE} (256 KiB).
   */
  readonly bufferSize?: number;
}

/** Options of {@link WfpKitDevice.readEvents}. */
export interface ReadEventsOptions {
  /**
   * How long the driver waits when the ring is empty, in milliseconds: 0 returns at once,
   * {@link WAIT_FOREVER} waits until an event arrives, the session stops or the device closes.
   * Default: 0 for `readEvents`, {@link DEFAULT_EVENTS_TIMEOUT_MS} for `events`.
   */
  readonly timeoutMs?: number;
  /** Most records one READ_EVENTS returns; 0 (the default) = as many as fit. */
  readonly maxRecords?: number;
  /** Output buffer size for this read. Default: the device's {@link WfpKitDevice.bufferSize}. */
  readonly bufferSize?: number;
  /**
   * Ends the wait. `readEvents` then rejects with `signal.reason`; `events` ends (its pending
   * `next()` resolves `done`). Records that arrive after the abort are kept for the next read.
   */
  readonly signal?: AbortSignal;
}

/** Options of {@link WfpKitDevice.events}: those of a single read, applied to every read. */
export type EventsOptions = ReadEventsOptions;

/** What {@link WfpKitDevice.readEvents} returns. */
export interface ReadBatch {
  /** The records, in ring order. */
  readonly records: DecodedRecord[];
  /** Read flags. Values: {@link ReadFlags}. */
  readonly flags: number;
}

/** Options of {@link WfpKitDevice.listFlows}. */
export interface ListFlowsOptions {
  /** Most flows per LIST_FLOWS call; 0 (the default) = as many as fit the buffer. */
  readonly pageSize?: number;
  /** Output buffer size per call, at least LIST_FLOWS's minimum output (2184). Default: {@link DEFAULT_LIST_BUFFER_SIZE}. */
  readonly bufferSize?: number;
}

/**
 * The records of a session as an async iterator (see {@link WfpKitDevice.events}). Breaking
 * out of `for await`, calling `return()`, aborting the signal or closing the device ends it.
 */
export interface EventStream extends AsyncIterableIterator<DecodedRecord, undefined, unknown>, AsyncDisposable {
  /** The next record; waits (long-polls the driver) while there is none. */
  next(): Promise<IteratorResult<DecodedRecord, undefined>>;
  /**
   * Ends the stream. A pending read is cancelled when the transport can cancel (and this
   * resolves once it has settled); otherwise it is left to end by its timeout and its records
   * are kept for the device's next read.
   */
  return(): Promise<IteratorResult<DecodedRecord, undefined>>;
  /** The stream itself. */
  [Symbol.asyncIterator](): EventStream;
  /** Same as `return()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A resolved READ_EVENTS request. */
interface ReadParams {
  readonly timeoutMs: number;
  readonly maxRecords: number;
  readonly bufferSize: number;
}

/** One READ_EVENTS request, queued behind the session's other reads. */
interface ReadJob {
  /** Resolves with the read's flags once its records are in the device queue. */
  readonly promise: Promise<number>;
  /** Set when the request reached the transport. */
  issued: boolean;
  /** Set when the request completed or failed. */
  settled: boolean;
  /** Set when nobody waits for it any more: if not issued yet, it never will be. */
  abandoned: boolean;
}

/** What an event stream needs from its device. */
interface StreamIo {
  readonly closed: () => boolean;
  readonly take: () => DecodedRecord | undefined;
  readonly startRead: (method: string, params: ReadParams) => ReadJob;
  readonly abandon: (job: ReadJob) => Promise<void>;
  readonly forget: (stream: DeviceEventStream) => void;
}

const ALL_CONFIG_FLAGS = Object.values(ConfigFlags).reduce((all, bit) => all | bit, 0);
const ALL_TAG_LAYERS = Object.values(TagLayer).reduce((all, bit) => all | bit, 0);
const IPPACKET_LAYERS =
  TagLayer.OUTBOUND_IPPACKET_V4 | TagLayer.OUTBOUND_IPPACKET_V6 | TagLayer.INBOUND_IPPACKET_V4 | TagLayer.INBOUND_IPPACKET_V6;
const U32_MAX = 0xffffffff;

/**
 * An open session on the wfpkit driver: one device handle, one monitoring session with its own
 * configuration, event ring and counters.
 *
 * @example
 * ```ts
 * import { WfpKitDevice, ConfigFlags, TagLayer } from '@wfpkit/ioctl-client';
 *
 * await using device = await WfpKitDevice.open({ transport });
 * await device.configure({ flags: ConfigFlags.INSPECT_STREAMS | ConfigFlags.TAG_PACKETS, tagLayers: TagLayer.OUTBOUND_TRANSPORT_V4 });
 * await device.start();
 * for await (const record of device.events()) {
 *   if (record.kind === 'FLOW_CLASSIFIED') console.log(record.sni);
 * }
 * ```
 */
export class WfpKitDevice implements AsyncDisposable {
  readonly #transport: Transport;
  readonly #handle: TransportHandle;
  #closing: Promise<void> | null = null;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Serialises READ_EVENTS: the driver allows one pending read per session. */
  #readTail: Promise<unknown> = Promise.resolve();
  /** Records read from the driver and not yet handed out (FIFO: #queue[#head] is next). */
  #queue: DecodedRecord[] = [];
  #head = 0;
  readonly #streams = new Set<DeviceEventStream>();

  private constructor(
    transport: Transport,
    handle: TransportHandle,
    /** The device path that was opened. */
    readonly path: string,
    /** What GET_VERSION reported when the device was opened. */
    readonly versionInfo: VersionInfo,
    /** Default READ_EVENTS output buffer size, in bytes. */
    readonly bufferSize: number,
  ) {
    this.#transport = transport;
    this.#handle = handle;
  }

  /**
   * Opens the device, asks its version and refuses a driver of another major contract version
   * (closing the handle again).
   *
   * @throws {@link DriverNotLoadedError} when the device does not exist.
   * @throws {@link AccessDeniedError} when the caller is not elevated.
   * @throws {@link ContractMismatchError} when the driver's major contract version differs.
   * @throws {@link InvalidArgumentError} when `bufferSize` is out of its limits.
   * @example
   * ```ts
   * const device = await WfpKitDevice.open({ transport, bufferSize: 1024 * 1024 });
   * console.log(device.versionInfo.maxRingBytes);
   * ```
   */
  static async open(options: OpenOptions): Promise<WfpKitDevice> {
    const { transport } = options;
    const path = options.path ?? DEVICE_PATH;
    const bufferSize = checkBufferSize('open', 'bufferSize', options.bufferSize ?? DEFAULT_READ_BUFFER_SIZE);
    let handle: TransportHandle;
    try {
      handle = await transport.open(path);
    } catch (error) {
      throw mapTransportError(error, 'open', path);
    }
    let info: VersionInfo;
    try {
      const result = await transport.ioctl(handle, IOCTLS.GET_VERSION.code, null, VERSION_INFO_SIZE);
      info = decodeVersionInfo(outputView(result, VERSION_INFO_SIZE, 'VersionInfo'));
    } catch (error) {
      await closeQuietly(transport, handle);
      throw mapTransportError(error, 'GET_VERSION', path);
    }
    if (splitContractVersion(info.contractVersion).major !== CONTRACT_VERSION_MAJOR) {
      await closeQuietly(transport, handle);
      throw new ContractMismatchError(info.contractVersion);
    }
    return new WfpKitDevice(transport, handle, path, info, bufferSize);
  }

  /** True once {@link WfpKitDevice.close} has been called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Asks GET_VERSION again: the contract version, driver build, features and limits. */
  async version(): Promise<VersionInfo> {
    const result = await this.#call('version', 'GET_VERSION', null, VERSION_INFO_SIZE);
    return decodeVersionInfo(outputView(result, VERSION_INFO_SIZE, 'VersionInfo'));
  }

  /**
   * The handle's session (GET_SESSION): id, state, scope key, configuration.
   *
   * @example
   * ```ts
   * const { scopeKey } = await device.session();
   * // put scopeKey in the rawContext of the session's FLOW_ESTABLISHED filters
   * ```
   */
  async session(): Promise<Session> {
    const result = await this.#call('session', 'GET_SESSION', null, SESSION_INFO_SIZE);
    const info = decodeSessionInfo(outputView(result, SESSION_INFO_SIZE, 'SessionInfo'));
    return { sessionId: info.sessionId as SessionId, state: info.state, scopeKey: info.scopeKey as ScopeKey, config: info.config };
  }

  /**
   * Configures the session (SET_CONFIG); allowed while it is not running. Fields left out take
   * their value from {@link DEFAULT_SESSION_OPTIONS}. Every field is checked against the
   * contract's limits and the limits the driver reported before anything is sent. Resolves
   * with the configuration that was sent.
   *
   * @throws {@link InvalidArgumentError} when a field is out of its limits (nothing is sent).
   * @throws {@link DeviceError} ERROR_BAD_COMMAND when the session is running.
   * @example
   * ```ts
   * await device.configure({
   *   flags: ConfigFlags.INSPECT_STREAMS | ConfigFlags.TAG_PACKETS,
   *   tagLayers: TagLayer.OUTBOUND_TRANSPORT_V4 | TagLayer.INBOUND_TRANSPORT_V4,
   *   ringBytes: 4 * 1024 * 1024,
   * });
   * ```
   */
  async configure(options: Partial<SessionOptions> = {}): Promise<SessionConfig> {
    this.#ensureOpen('configure');
    const config = this.#checkConfig(options);
    const input = new Uint8Array(SESSION_CONFIG_SIZE);
    encodeSessionConfig(viewOf(input), 0, config);
    await this.#call('configure', 'SET_CONFIG', input, 0);
    return config;
  }

  /** Starts monitoring (START). @throws {@link DeviceError} ERROR_BAD_COMMAND when already running. */
  async start(): Promise<void> {
    await this.#call('start', 'START', null, 0);
  }

  /**
   * Stops monitoring (STOP); a pending read completes with what the ring holds and
   * `ReadFlags.SESSION_STOPPED`. @throws {@link DeviceError} ERROR_BAD_COMMAND when not running.
   */
  async stop(): Promise<void> {
    await this.#call('stop', 'STOP', null, 0);
  }

  /**
   * One READ_EVENTS: as many whole records as fit the buffer (or `maxRecords`), waiting up to
   * `timeoutMs` when the ring is empty. Records are decoded straight from the output buffer;
   * `recordCount` and `bytesUsed` are checked against what the driver returned.
   *
   * @throws {@link RecordDecodeError} when the output is not what the contract says (the
   *   error names the offset of the bad record).
   * @throws {@link SessionClosedError} when the device is closed, or closes while the read waits.
   * @example
   * ```ts
   * const { records, flags } = await device.readEvents({ timeoutMs: 500 });
   * if (flags & ReadFlags.MORE_AVAILABLE) {
   *   // read again at once
   * }
   * ```
   */
  async readEvents(options: ReadEventsOptions = {}): Promise<ReadBatch> {
    this.#ensureOpen('readEvents');
    const params = this.#readParams('readEvents', options, 0);
    const { signal } = options;
    if (signal?.aborted) throw signal.reason;
    let flags = 0;
    if (this.#queued() === 0) {
      const job = this.#startRead('readEvents', params);
      if (signal) {
        const outcome = await raceAbort(job.promise, signal);
        if (outcome === ABORTED) {
          await this.#abandon(job);
          throw signal.reason;
        }
        flags = outcome;
      } else {
        flags = await job.promise;
      }
    }
    const records = this.#takeMany(params.maxRecords);
    if (this.#queued() > 0) flags |= ReadFlags.MORE_AVAILABLE;
    return { records, flags };
  }

  /**
   * The session's records as an async iterator: it issues READ_EVENTS long-polls (each waits
   * up to `timeoutMs`, default {@link DEFAULT_EVENTS_TIMEOUT_MS}; the driver completes it as
   * soon as a record arrives, so an idle session costs one call per timeout and never spins)
   * and yields the records one by one.
   *
   * It ends when the driver reports `SESSION_STOPPED` (after the records of that batch; a
   * session that was never started ends it at once), on `break`/`return()`, when `signal`
   * aborts, or when the device closes. A pending read is cancelled (closing the device
   * aborts it; `return()` uses the transport's `cancel` when it has one).
   *
   * @throws {@link InvalidArgumentError} at once when an option is out of its limits.
   * @example
   * ```ts
   * await device.start();
   * for await (const record of device.events({ timeoutMs: WAIT_FOREVER })) {
   *   if (record.kind === 'LOSS') console.warn(`${record.lost} events lost`);
   *   if (done()) break; // cancels nothing: no read is pending between records
   * }
   * ```
   */
  events(options: EventsOptions = {}): EventStream {
    const params = this.#readParams('events', options, DEFAULT_EVENTS_TIMEOUT_MS);
    const io: StreamIo = {
      closed: () => this.#closing !== null,
      take: () => this.#takeOne(),
      startRead: (method, p) => this.#startRead(method, p),
      abandon: (job) => this.#abandon(job),
      forget: (stream) => this.#streams.delete(stream),
    };
    const stream = new DeviceEventStream(io, params, this.#closing !== null, options.signal);
    if (this.#closing === null) this.#streams.add(stream);
    return stream;
  }

  /** Session and driver-wide counters (GET_COUNTERS). */
  async counters(): Promise<Counters> {
    const result = await this.#call('counters', 'GET_COUNTERS', null, COUNTERS_SIZE);
    return decodeCounters(outputView(result, COUNTERS_SIZE, 'Counters'));
  }

  /**
   * The session's active flows as FLOW_INFO records, paging through LIST_FLOWS with its cursor
   * until the driver stops setting `ListFlags.MORE`.
   *
   * @example
   * ```ts
   * for await (const flow of device.listFlows()) {
   *   console.log(flow.appPath, flow.endpoints.remotePort, flow.bytesOut);
   * }
   * ```
   */
  async *listFlows(options: ListFlowsOptions = {}): AsyncGenerator<FlowInfoRecord, void, undefined> {
    this.#ensureOpen('listFlows');
    const pageSize = checkInt('listFlows', 'pageSize', options.pageSize ?? 0, 0, U32_MAX);
    const bufferSize = checkInt(
      'listFlows',
      'bufferSize',
      options.bufferSize ?? DEFAULT_LIST_BUFFER_SIZE,
      IOCTLS.LIST_FLOWS.minOutput,
      MAX_READ_BUFFER_SIZE,
    );
    let cursor = 0n;
    for (;;) {
      const input = new Uint8Array(LIST_FLOWS_REQUEST_SIZE);
      encodeListFlowsRequest(viewOf(input), 0, { cursor, maxFlows: pageSize });
      const result = await this.#call('listFlows', 'LIST_FLOWS', input, bufferSize);
      const view = outputView(result, LIST_FLOWS_RESULT_SIZE, 'ListFlowsResult');
      const page = decodeListFlowsResult(view, 0);
      if (page.bytesUsed < LIST_FLOWS_RESULT_SIZE || page.bytesUsed > view.byteLength) {
        throw new RecordDecodeError('ListFlowsResult', 0, `bytesUsed ${page.bytesUsed} is outside ${LIST_FLOWS_RESULT_SIZE}..${view.byteLength} (the bytes returned)`);
      }
      const flows: FlowInfoRecord[] = [];
      let offset = LIST_FLOWS_RESULT_SIZE;
      for (let i = 0; i < page.flowCount; i++) {
        if (offset + RECORD_HEADER_SIZE > page.bytesUsed) {
          throw new RecordDecodeError('RecordHeader', offset, `flow ${i + 1} of ${page.flowCount} starts past the ${page.bytesUsed} bytes used`);
        }
        const record = decodeRecord(new DataView(view.buffer, view.byteOffset, page.bytesUsed), offset);
        if (record.kind === 'FLOW_INFO') flows.push(record);
        else if (record.kind !== 'UNKNOWN') throw new RecordDecodeError('FlowInfoRecord', offset, `LIST_FLOWS returned a ${record.kind} record`);
        offset += record.header.size;
      }
      yield* flows;
      if ((page.flags & ListFlags.MORE) === 0) return;
      if (page.flowCount === 0 && page.nextCursor === cursor) {
        throw new RecordDecodeError('ListFlowsResult', 0, 'MORE is set but the page is empty and the cursor did not advance');
      }
      cursor = page.nextCursor;
    }
  }

  /**
   * Closes the device handle. A pending read is aborted; every open {@link EventStream} ends;
   * resolves once every call in flight has settled. Calling it again returns the same promise.
   * Afterwards every method rejects with {@link SessionClosedError}.
   */
  close(): Promise<void> {
    this.#closing ??= this.#doClose();
    return this.#closing;
  }

  /** Same as {@link WfpKitDevice.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #doClose(): Promise<void> {
    for (const stream of this.#streams) stream.deviceClosed();
    this.#streams.clear();
    this.#queue = [];
    this.#head = 0;
    try {
      await this.#transport.close(this.#handle);
    } catch (error) {
      throw mapTransportError(error, 'close', this.path);
    } finally {
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  #ensureOpen(method: string): void {
    if (this.#closing !== null) throw new SessionClosedError(method);
  }

  /** Sends one IOCTL, tracks it until it settles, maps its failure. */
  async #call(method: string, name: IoctlName, input: Uint8Array | null, outputSize: number): Promise<IoctlResult> {
    this.#ensureOpen(method);
    const pending = (async () => {
      try {
        return await this.#transport.ioctl(this.#handle, IOCTLS[name].code, input, outputSize);
      } catch (error) {
        if (this.#closing !== null && isWin32Error(error) && (error.win32 === WIN32.OPERATION_ABORTED || error.win32 === WIN32.INVALID_HANDLE)) {
          throw new SessionClosedError(method, { cause: error });
        }
        throw mapTransportError(error, name, this.path);
      }
    })();
    this.#inFlight.add(pending);
    const forget = (): void => void this.#inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  #checkConfig(options: Partial<SessionOptions>): SessionConfig {
    const merged: Record<keyof SessionOptions, number> = { ...DEFAULT_SESSION_OPTIONS };
    for (const key of Object.keys(merged) as (keyof SessionOptions)[]) {
      const value = options[key];
      if (value !== undefined) merged[key] = value;
    }
    const v = this.versionInfo;
    const flags = checkInt('configure', 'flags', merged.flags, 0, U32_MAX);
    if ((flags & ~ALL_CONFIG_FLAGS) !== 0) {
      throw new InvalidArgumentError('configure', 'flags', flags, `a combination of ConfigFlags (mask 0x${ALL_CONFIG_FLAGS.toString(16)})`);
    }
    const inspectBudget = checkInt('configure', 'inspectBudget', merged.inspectBudget, MIN_INSPECT_BUDGET, Math.min(MAX_INSPECT_BUDGET, v.maxInspectBudget));
    const ringLow = Math.max(MIN_RING_BYTES, v.minRingBytes);
    const ringHigh = Math.min(MAX_RING_BYTES, v.maxRingBytes);
    const ringBytes = checkInt('configure', 'ringBytes', merged.ringBytes, ringLow, ringHigh);
    if (ringBytes % RECORD_ALIGNMENT !== 0) {
      throw new InvalidArgumentError('configure', 'ringBytes', ringBytes, `a multiple of ${RECORD_ALIGNMENT} in ${ringLow}..${ringHigh}`);
    }
    const snapLen = checkInt('configure', 'snapLen', merged.snapLen, 0, Math.min(MAX_SNAP_LEN, v.maxSnapLen));
    const tagLayers = checkInt('configure', 'tagLayers', merged.tagLayers, 0, U32_MAX);
    if ((tagLayers & ~ALL_TAG_LAYERS) !== 0) {
      throw new InvalidArgumentError('configure', 'tagLayers', tagLayers, `a combination of TagLayer (mask 0x${ALL_TAG_LAYERS.toString(16)})`);
    }
    if ((tagLayers & IPPACKET_LAYERS) !== 0 && (v.features & FeatureFlags.IPPACKET_LAYERS) === 0) {
      throw new InvalidArgumentError(
        'configure',
        'tagLayers',
        tagLayers,
        'transport layers only (mask 0xf): this driver does not report FeatureFlags.IPPACKET_LAYERS',
      );
    }
    return { structSize: SESSION_CONFIG_SIZE, flags, inspectBudget, ringBytes, snapLen, tagLayers };
  }

  #readParams(method: string, options: ReadEventsOptions, defaultTimeout: number): ReadParams {
    return {
      timeoutMs: checkInt(method, 'timeoutMs', options.timeoutMs ?? defaultTimeout, 0, WAIT_FOREVER),
      maxRecords: checkInt(method, 'maxRecords', options.maxRecords ?? 0, 0, U32_MAX),
      bufferSize: checkBufferSize(method, 'bufferSize', options.bufferSize ?? this.bufferSize),
    };
  }

  /**
   * Queues one READ_EVENTS behind the session's other reads. When its turn comes it is not sent
   * if records are already queued (an earlier read brought them) or nobody waits for it.
   */
  #startRead(method: string, params: ReadParams): ReadJob {
    const job: { -readonly [K in keyof ReadJob]: ReadJob[K] } = {
      promise: Promise.resolve(0),
      issued: false,
      settled: false,
      abandoned: false,
    };
    const run = async (): Promise<number> => {
      try {
        this.#ensureOpen(method);
        if (job.abandoned || this.#queued() > 0) return 0;
        const input = new Uint8Array(READ_REQUEST_SIZE);
        encodeReadRequest(viewOf(input), 0, { timeoutMs: params.timeoutMs, maxRecords: params.maxRecords });
        job.issued = true;
        const result = await this.#call(method, 'READ_EVENTS', input, params.bufferSize);
        const batch = decodeReadEvents(result);
        if (this.#closing === null) this.#enqueue(batch.records);
        return batch.flags;
      } finally {
        job.settled = true;
      }
    };
    job.promise = this.#readTail.then(run, run);
    this.#readTail = job.promise.then(noop, noop);
    return job;
  }

  /** Nobody waits for `job` any more: cancel it if it is on the wire and the transport can. */
  async #abandon(job: ReadJob): Promise<void> {
    job.abandoned = true;
    // Keep a rejection of the abandoned read from going unhandled.
    job.promise.then(noop, noop);
    if (!job.issued || job.settled || this.#closing !== null || this.#transport.cancel === undefined) return;
    try {
      await this.#transport.cancel(this.#handle);
    } catch {
      // The read may have completed meanwhile; either way it settles below or by its timeout.
    }
    await Promise.allSettled([job.promise]);
  }

  /**
   * Appends a decoded batch. An empty queue takes the batch array as it is; otherwise the records
   * are appended one by one (spreading a batch into push() overflows the call stack for large
   * buffers: a 64 MiB read holds over a million records).
   */
  #enqueue(records: DecodedRecord[]): void {
    if (this.#queued() === 0) {
      this.#queue = records;
      this.#head = 0;
      return;
    }
    for (const record of records) this.#queue.push(record);
  }

  #queued(): number {
    return this.#queue.length - this.#head;
  }

  #takeOne(): DecodedRecord | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const record = this.#queue[this.#head++];
    this.#compact();
    return record;
  }

  #takeMany(max: number): DecodedRecord[] {
    const end = max === 0 ? this.#queue.length : Math.min(this.#queue.length, this.#head + max);
    const records = this.#queue.slice(this.#head, end);
    this.#head = end;
    this.#compact();
    return records;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

const ABORTED = Symbol('aborted');
const ENDED = Symbol('ended');
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

function noop(): void {}

/** The EventStream of WfpKitDevice.events(). */
class DeviceEventStream implements EventStream {
  readonly #io: StreamIo;
  readonly #params: ReadParams;
  readonly #signal: AbortSignal | undefined;
  /** The device was already closed when the stream was made: the first next() rejects. */
  #closedAtStart: boolean;
  #ended = false;
  #stopSeen = false;
  #job: ReadJob | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #wake: () => void = noop;
  readonly #endSignal: Promise<typeof ENDED>;
  readonly #onAbort = (): void => void this.return();

  constructor(io: StreamIo, params: ReadParams, closedAtStart: boolean, signal: AbortSignal | undefined) {
    this.#io = io;
    this.#params = params;
    this.#closedAtStart = closedAtStart;
    this.#signal = signal;
    this.#endSignal = new Promise((resolve) => {
      this.#wake = () => resolve(ENDED);
    });
    if (signal?.aborted) this.#finish();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  next(): Promise<IteratorResult<DecodedRecord, undefined>> {
    const result = this.#tail.then(() => this.#pull());
    this.#tail = result.then(noop, noop);
    return result;
  }

  async return(): Promise<IteratorResult<DecodedRecord, undefined>> {
    this.#finish();
    const job = this.#job;
    if (job) await this.#io.abandon(job);
    return DONE;
  }

  [Symbol.asyncIterator](): EventStream {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** The device is closing: end without cancelling (closing aborts the pending read). */
  deviceClosed(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wake();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#io.forget(this);
  }

  async #pull(): Promise<IteratorResult<DecodedRecord, undefined>> {
    if (this.#closedAtStart) {
      this.#closedAtStart = false;
      this.#finish();
      throw new SessionClosedError('events');
    }
    for (;;) {
      if (this.#ended) return DONE;
      const record = this.#io.take();
      if (record !== undefined) return { done: false, value: record };
      if (this.#stopSeen || this.#io.closed()) {
        this.#finish();
        return DONE;
      }
      const job = this.#io.startRead('events', this.#params);
      this.#job = job;
      let outcome: number | typeof ENDED;
      try {
        outcome = await Promise.race([job.promise, this.#endSignal]);
      } catch (error) {
        if (this.#ended || error instanceof SessionClosedError) {
          this.#finish();
          return DONE;
        }
        this.#finish();
        throw error;
      } finally {
        this.#job = null;
      }
      if (outcome === ENDED) return DONE;
      if ((outcome & ReadFlags.SESSION_STOPPED) !== 0) this.#stopSeen = true;
    }
  }
}

function viewOf(bytes: Uint8Array, length = bytes.byteLength): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, length);
}

/** The first `bytesReturned` bytes of an IOCTL's output, checked to hold at least `need` bytes. */
function outputView(result: IoctlResult, need: number, struct: string): DataView {
  const { bytesReturned, output } = result;
  if (!Number.isInteger(bytesReturned) || bytesReturned < 0 || bytesReturned > output.byteLength) {
    throw new RecordDecodeError(struct, 0, `the transport reported ${bytesReturned} bytes returned in a ${output.byteLength}-byte buffer`);
  }
  if (bytesReturned < need) {
    throw new RecordDecodeError(struct, 0, `the driver returned ${bytesReturned} bytes; ${struct} needs ${need}`);
  }
  return viewOf(output, bytesReturned);
}

/**
 * Decodes a READ_EVENTS output: the ReadResult, then `recordCount` records back to back, which
 * must end exactly at `bytesUsed` (itself within what the driver returned). A record of an
 * unknown type is kept as an {@link UnknownRecord} and skipped by its `header.size`.
 */
function decodeReadEvents(result: IoctlResult): ReadBatch {
  const view = outputView(result, READ_RESULT_SIZE, 'ReadResult');
  const head = decodeReadResult(view, 0);
  if (head.bytesUsed < READ_RESULT_SIZE || head.bytesUsed > view.byteLength) {
    throw new RecordDecodeError('ReadResult', 0, `bytesUsed ${head.bytesUsed} is outside ${READ_RESULT_SIZE}..${view.byteLength} (the bytes returned)`);
  }
  const used = new DataView(view.buffer, view.byteOffset, head.bytesUsed);
  const records: DecodedRecord[] = [];
  let offset = READ_RESULT_SIZE;
  for (let i = 0; i < head.recordCount; i++) {
    if (offset + RECORD_HEADER_SIZE > used.byteLength) {
      throw new RecordDecodeError('RecordHeader', offset, `record ${i + 1} of ${head.recordCount} starts past bytesUsed ${head.bytesUsed}`);
    }
    const record = decodeRecordAt(used, offset);
    records.push(record);
    offset += record.header.size;
  }
  if (offset !== head.bytesUsed) {
    throw new RecordDecodeError('ReadResult', 0, `its ${head.recordCount} records end at byte ${offset} but bytesUsed is ${head.bytesUsed}`);
  }
  return { records, flags: head.flags };
}

function checkInt(method: string, field: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(method, field, value, `an integer in ${min}..${max}`);
  }
  return value;
}

function checkBufferSize(method: string, field: string, value: number): number {
  return checkInt(method, field, value, MIN_READ_OUTPUT, MAX_READ_BUFFER_SIZE);
}

/** Waits for `promise` or for `signal` to abort, whichever comes first. */
async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  let onAbort: () => void = noop;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function closeQuietly(transport: Transport, handle: TransportHandle): Promise<void> {
  try {
    await transport.close(handle);
  } catch {
    // The error that made us close is the one to report.
  }
}

