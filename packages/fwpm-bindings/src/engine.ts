import { LAYERS } from './catalog';
import type { LayerInfo, LayerName } from './catalog';
import { Arena, writePtr } from './arena';
import { checkCondition, writeValue } from './conditions';
import type { AppId, ConditionSpec, TypedValue } from './conditions';
import { blobValue, optionalGuid, ptrOf, toBig } from './decode';
import type { CalloutId, ConditionRecord, FilterId } from './decode';
import { FwpmError, FwpmValidationError, check } from './errors';
import { guid, guidBytes, guidFromStruct, guidStruct, isGuid, newGuid, writeGuidFast } from './guid';
import type { Guid, GuidStruct } from './guid';
import { layout } from './layout';
import koffi from './raw/koffi';
import type { TypeObject } from './raw/koffi';
import { loadFwpm } from './raw/library';
import type { BackendOptions, FwpmRaw, Out, Pointer } from './raw/library';
import { rawTypes } from './raw/types';
import { MemReader, readFilter } from './reader';

/** `RPC_C_AUTHN_WINNT`: the authentication service FwpmEngineOpen0 is called with. */
const RPC_C_AUTHN_WINNT = 10;
/** `FWPM_SESSION_FLAG_DYNAMIC`. */
export const FWPM_SESSION_FLAG_DYNAMIC = 0x1;
/** `FWPM_PROVIDER_FLAG_PERSISTENT`, `FWPM_SUBLAYER_FLAG_PERSISTENT`, `FWPM_FILTER_FLAG_PERSISTENT`. */
export const FWPM_FLAG_PERSISTENT = 0x1;
/** `FWPM_CALLOUT_FLAG_PERSISTENT`. */
export const FWPM_CALLOUT_FLAG_PERSISTENT = 0x10000;
/** `ERROR_INVALID_HANDLE`, reported for use after close. */
const ERROR_INVALID_HANDLE = 6;

/** Options of {@link Engine.open}. */
export interface EngineOptions extends BackendOptions {
  /** Objects added in a dynamic session are deleted when it closes (`FWPM_SESSION_FLAG_DYNAMIC`). */
  dynamic?: boolean;
  /** Session name shown by `netsh wfp show state`. */
  name?: string;
  /** Session description. */
  description?: string;
  /** How long a transaction waits for the engine lock (ms; 0 = default, 0xFFFFFFFF = forever). */
  txnWaitTimeoutMs?: number;
  /** A key for the session (default: chosen by the engine). */
  sessionKey?: Guid | string;
}

/** Name and description of an object. */
export interface DisplayData {
  /** Required by the engine. */
  name: string;
  /** Optional. */
  description?: string;
}

/** A provider to add. */
export interface ProviderSpec extends DisplayData {
  /** The provider's key (you choose it; {@link newGuid} makes one). */
  key: Guid | string;
  /** Survive reboots (needs a non-dynamic session). */
  persistent?: boolean;
  /** Opaque data kept with the provider. */
  data?: Uint8Array;
  /** The Windows service that owns the provider. */
  serviceName?: string;
}

/** A sublayer to add. */
export interface SublayerSpec extends DisplayData {
  key: Guid | string;
  /** 0-65535; higher is evaluated first. Give each sublayer a distinct weight. */
  weight: number;
  /** The provider that owns it (must exist). */
  provider?: Guid | string;
  persistent?: boolean;
  data?: Uint8Array;
}

/** A callout to add (the management-side record of a driver's callout). */
export interface CalloutSpec extends DisplayData {
  key: Guid | string;
  /** The layer the callout works at: a short name from {@link LAYERS} or a GUID. */
  layer: LayerName | Guid | string;
  provider?: Guid | string;
  persistent?: boolean;
  /**
   * Raw `FWPM_CALLOUT_FLAG_*` bits of the management API (e.g. 0x1 PERSISTENT, 0x2
   * USES_PROVIDER_CONTEXT). `FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW` is not one of them: the driver
   * sets it when it registers the callout (`FwpsCalloutRegister`).
   */
  flags?: number;
  data?: Uint8Array;
}

/** What a filter does when it matches. */
export type FilterAction = 'block' | 'permit' | { callout: Guid | string; kind?: 'terminating' | 'inspection' | 'unknown' };

/** A filter to add. */
export interface FilterSpec extends DisplayData {
  /** Default: a new GUID. */
  key?: Guid | string;
  layer: LayerName | Guid | string;
  /** Default: the engine's default sublayer. */
  sublayer?: Guid | string;
  provider?: Guid | string;
  /** 0-15 (FWP_UINT8, auto-weight range), a bigint (FWP_UINT64), or omitted (engine chooses). */
  weight?: number | bigint;
  conditions?: readonly ConditionSpec[];
  action: FilterAction;
  persistent?: boolean;
  /** Raw `FWPM_FILTER_FLAG_*` bits to add. */
  flags?: number;
  /** `rawContext` (UINT64) given to the callout. */
  rawContext?: bigint;
  data?: Uint8Array;
}

/** A provider read from the engine. */
export interface Provider {
  key: Guid;
  name: string;
  description: string | undefined;
  flags: number;
  data: Uint8Array | undefined;
  serviceName: string | undefined;
}
/** A sublayer read from the engine. */
export interface Sublayer {
  key: Guid;
  name: string;
  description: string | undefined;
  flags: number;
  provider: Guid | undefined;
  weight: number;
}
/** A callout read from the engine. */
export interface Callout {
  key: Guid;
  id: CalloutId;
  name: string;
  description: string | undefined;
  flags: number;
  provider: Guid | undefined;
  layer: Guid;
}
/** A filter read from the engine. */
export interface Filter {
  key: Guid;
  id: FilterId;
  name: string;
  description: string | undefined;
  flags: number;
  provider: Guid | undefined;
  layer: Guid;
  sublayer: Guid;
  action: { type: number; callout?: Guid };
  conditions: ConditionRecord[];
  effectiveWeight: bigint | number | null;
}
/** A layer read from the engine. */
export interface Layer {
  key: Guid;
  id: number;
  name: string;
  flags: number;
  defaultSublayer: Guid;
  fieldKeys: Guid[];
}

/** Options of the enumerations. */
export interface EnumOptions {
  /** Entries fetched per native call (default 256). */
  pageSize?: number;
}

const ACTION = { block: 0x1001, permit: 0x1002, terminating: 0x5003, inspection: 0x6004, unknown: 0x4005 } as const;
const WEIGHT_EMPTY: TypedValue = { type: 'FWP_EMPTY', value: 0 };

/** Runs `fn` with the scratch arena and gives it back, also when `fn` throws. */
function withScratch<T>(fn: (arena: Arena) => T): T {
  const arena = Arena.scratch();
  try {
    return fn(arena);
  } finally {
    arena.done();
  }
}

/** A GUID in the arena; its address as a number. */
function keyAddr(arena: Arena, g: Guid): number {
  const o = arena.reserve(16, 8);
  writeGuidFast(g, arena.bytes8, o);
  return arena.base + o;
}

/** Reads one object the engine returned at an address. */
type ReadAt<T> = (r: MemReader, addr: number) => T;

/** A {@link ReadAt} that decodes the whole struct with koffi (for the kinds off the hot paths). */
function viaKoffi<T>(type: TypeObject, decode: (d: Decoded) => T): ReadAt<T> {
  return (_r, addr) => decode(koffi.decode(BigInt(addr), type) as Decoded);
}

const readFilterAt: ReadAt<Filter> = readFilter;

function resolveLayer(layer: string, field: string): { key: Guid; name?: LayerName } {
  const info = (LAYERS as Record<string, LayerInfo>)[layer];
  if (info) return { key: info.key as Guid, name: layer as LayerName };
  if (isGuid(layer)) return { key: guid(layer) };
  throw new FwpmValidationError(field, 'a layer name or GUID', `${field}: "${layer}" is neither a built-in layer name (e.g. 'ALE_AUTH_CONNECT_V4') nor a GUID.`);
}

function key(value: unknown, field: string): Guid {
  if (typeof value !== 'string' || !isGuid(value)) {
    throw new FwpmValidationError(field, 'GUID', `${field}: expected a GUID string (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got ${typeof value === 'string' ? `"${value}"` : typeof value}.`);
  }
  return guid(value);
}

function display(spec: DisplayData, what: string): void {
  if (!spec || typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new FwpmValidationError(`${what}.name`, 'a non-empty string', `${what}.name is required (FWPM_DISPLAY_DATA0.name may not be NULL).`);
  }
}

type Decoded = Record<string, unknown>;

/**
 * A session with the base filtering engine.
 *
 * @example
 * ```ts
 * using engine = Engine.open({ dynamic: true, name: 'demo' });
 * await engine.transaction(async (tx) => {
 *   await tx.addSublayer({ key: newGuid(), name: 'demo', weight: 0x7000 });
 * });
 * ```
 */
export class Engine implements Disposable {
  private handle: Pointer;
  /** The raw API this session uses. */
  readonly raw: FwpmRaw;
  /** Whether the session was opened dynamic. */
  readonly dynamic: boolean;
  private inTransaction = false;

  private constructor(raw: FwpmRaw, handle: Pointer, dynamic: boolean) {
    this.raw = raw;
    this.handle = handle;
    this.dynamic = dynamic;
  }

  /**
   * Opens a session (`FwpmEngineOpen0`).
   *
   * @param options - dynamic or not, names, backend
   * @returns the open engine; close it with `close()` or `using`
   * @throws FwpmError, e.g. RPC_S_SERVER_UNAVAILABLE when BFE is not running
   * @example
   * ```ts
   * const engine = Engine.open({ dynamic: true, name: 'my tool' });
   * try { … } finally { engine.close(); }
   * ```
   */
  static open(options: EngineOptions = {}): Engine {
    const raw = loadFwpm(options);
    const t = rawTypes().structs;
    const out: Out<Pointer> = [null];
    withScratch((arena) => {
      const session = arena.struct(t.FWPM_SESSION0, {
        sessionKey: guidStruct(options.sessionKey ? key(options.sessionKey, 'sessionKey') : '00000000-0000-0000-0000-000000000000'),
        displayData: { name: arena.wstr(options.name ?? 'wfpkit'), description: arena.wstr(options.description) },
        flags: options.dynamic ? FWPM_SESSION_FLAG_DYNAMIC : 0,
        txnWaitTimeoutInMSec: options.txnWaitTimeoutMs ?? 0,
        processId: 0,
        sid: null,
        username: null,
        kernelMode: 0,
      });
      check(raw.FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, null, session, out), 'FwpmEngineOpen0');
    });
    return new Engine(raw, out[0], options.dynamic ?? false);
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.handle === null;
  }

  private h(op: string): Pointer {
    if (this.handle === null) throw new FwpmError(ERROR_INVALID_HANDLE, op, 'The engine is closed: open a new one with Engine.open().');
    return this.handle;
  }

  /**
   * Closes the session (`FwpmEngineClose0`); objects of a dynamic session are deleted.
   * Calling it again does nothing.
   */
  close(): void {
    if (this.handle === null) return;
    const h = this.handle;
    this.handle = null;
    check(this.raw.FwpmEngineClose0(h), 'FwpmEngineClose0');
  }

  /** Same as {@link Engine.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Runs `fn` in a transaction: commits when it resolves, aborts (and rethrows) when it throws.
   *
   * @param fn - the changes; receives this engine
   * @param options - `readOnly` begins an `FWPM_TXN_READ_ONLY` transaction
   * @returns what `fn` returned
   * @example
   * ```ts
   * await engine.transaction(async (tx) => {
   *   await tx.addProvider({ key: providerKey, name: 'p' });
   *   await tx.addSublayer({ key: sublayerKey, name: 's', weight: 0x100, provider: providerKey });
   * }); // both or neither
   * ```
   */
  async transaction<T>(fn: (tx: Engine) => Promise<T> | T, options: { readOnly?: boolean } = {}): Promise<T> {
    const h = this.h('FwpmTransactionBegin0');
    check(this.raw.FwpmTransactionBegin0(h, options.readOnly ? 1 : 0), 'FwpmTransactionBegin0');
    this.inTransaction = true;
    let result: T;
    try {
      result = await fn(this);
    } catch (e) {
      this.inTransaction = false;
      if (this.handle !== null) this.raw.FwpmTransactionAbort0(this.handle);
      throw e;
    }
    this.inTransaction = false;
    check(this.raw.FwpmTransactionCommit0(this.h('FwpmTransactionCommit0')), 'FwpmTransactionCommit0');
    return result;
  }

  /** Whether a transaction started by {@link Engine.transaction} is running. */
  get inTx(): boolean {
    return this.inTransaction;
  }

  private keyStruct(arena: Arena, g: Guid): bigint {
    return BigInt(keyAddr(arena, g));
  }

  /**
   * Adds a provider (`FwpmProviderAdd0`).
   *
   * @param spec - key, name, flags
   * @returns the key
   */
  async addProvider(spec: ProviderSpec): Promise<Guid> {
    display(spec, 'provider');
    const k = key(spec.key, 'provider.key');
    const h = this.h('FwpmProviderAdd0');
    withScratch((arena) => {
      const p = arena.struct(rawTypes().structs.FWPM_PROVIDER0, {
        providerKey: guidStruct(k),
        displayData: { name: arena.wstr(spec.name), description: arena.wstr(spec.description) },
        flags: spec.persistent ? FWPM_FLAG_PERSISTENT : 0,
        providerData: { size: spec.data?.length ?? 0, data: spec.data?.length ? arena.bytes(spec.data) : null },
        serviceName: arena.wstr(spec.serviceName),
      });
      check(this.raw.FwpmProviderAdd0(h, p, null), 'FwpmProviderAdd0');
    });
    return k;
  }

  /**
   * Adds a sublayer (`FwpmSubLayerAdd0`).
   *
   * @param spec - key, name, weight, owning provider
   * @returns the key
   */
  async addSublayer(spec: SublayerSpec): Promise<Guid> {
    display(spec, 'sublayer');
    const k = key(spec.key, 'sublayer.key');
    if (!Number.isInteger(spec.weight) || spec.weight < 0 || spec.weight > 0xffff) {
      throw new FwpmValidationError('sublayer.weight', 'FWP_UINT16', `sublayer.weight expects an integer 0..65535 (UINT16), got ${String(spec.weight)}.`);
    }
    const h = this.h('FwpmSubLayerAdd0');
    withScratch((arena) => {
      const s = arena.struct(rawTypes().structs.FWPM_SUBLAYER0, {
        subLayerKey: guidStruct(k),
        displayData: { name: arena.wstr(spec.name), description: arena.wstr(spec.description) },
        flags: spec.persistent ? FWPM_FLAG_PERSISTENT : 0,
        providerKey: spec.provider ? this.keyStruct(arena, key(spec.provider, 'sublayer.provider')) : null,
        providerData: { size: spec.data?.length ?? 0, data: spec.data?.length ? arena.bytes(spec.data) : null },
        weight: spec.weight,
      });
      check(this.raw.FwpmSubLayerAdd0(h, s, null), 'FwpmSubLayerAdd0');
    });
    return k;
  }

  /**
   * Adds a callout (`FwpmCalloutAdd0`).
   *
   * @param spec - key, name, layer
   * @returns the key and the engine's run-time id
   */
  async addCallout(spec: CalloutSpec): Promise<{ key: Guid; id: CalloutId }> {
    display(spec, 'callout');
    const k = key(spec.key, 'callout.key');
    const layer = resolveLayer(spec.layer, 'callout.layer');
    const h = this.h('FwpmCalloutAdd0');
    const id: Out<number> = [0];
    withScratch((arena) => {
      const c = arena.struct(rawTypes().structs.FWPM_CALLOUT0, {
        calloutKey: guidStruct(k),
        displayData: { name: arena.wstr(spec.name), description: arena.wstr(spec.description) },
        flags: (spec.flags ?? 0) | (spec.persistent ? FWPM_CALLOUT_FLAG_PERSISTENT : 0),
        providerKey: spec.provider ? this.keyStruct(arena, key(spec.provider, 'callout.provider')) : null,
        providerData: { size: spec.data?.length ?? 0, data: spec.data?.length ? arena.bytes(spec.data) : null },
        applicableLayer: guidStruct(layer.key),
        calloutId: 0,
      });
      check(this.raw.FwpmCalloutAdd0(h, c, null, id), 'FwpmCalloutAdd0');
    });
    return { key: k, id: id[0] as CalloutId };
  }

  /**
   * Checks a filter spec and writes it into `arena` (no native call): the FWPM_FILTER0, its
   * condition array and everything they point to, field by field at the offsets koffi reports.
   *
   * @returns the address of the FWPM_FILTER0 and its key
   */
  private encodeFilter(arena: Arena, spec: FilterSpec): { addr: number; key: Guid } {
    display(spec, 'filter');
    const k = spec.key === undefined ? newGuid() : key(spec.key, 'filter.key');
    const layer = resolveLayer(spec.layer, 'filter.layer');
    const specConds = spec.conditions ?? [];
    const conds = specConds.map((c, i) => checkCondition(c, i, layer.name));
    let weight: TypedValue = WEIGHT_EMPTY;
    if (typeof spec.weight === 'number') {
      if (!Number.isInteger(spec.weight) || spec.weight < 0 || spec.weight > 15) {
        throw new FwpmValidationError('filter.weight', 'FWP_UINT8 (0-15) or bigint (FWP_UINT64)', `filter.weight: a number weight must be an integer 0..15 (auto-weight range), got ${spec.weight}; pass a bigint for an exact 64-bit weight.`);
      }
      weight = { type: 'FWP_UINT8', value: spec.weight };
    } else if (typeof spec.weight === 'bigint') {
      if (spec.weight < 0n || spec.weight >= 1n << 64n) throw new FwpmValidationError('filter.weight', 'FWP_UINT64', 'filter.weight: a bigint weight must fit in 64 bits.');
      weight = { type: 'FWP_UINT64', value: spec.weight };
    } else if (spec.weight !== undefined) {
      throw new FwpmValidationError('filter.weight', 'number or bigint', `filter.weight: expected a number 0..15 or a bigint, got ${typeof spec.weight}.`);
    }
    let actionType: number;
    let calloutKey: Guid | undefined;
    if (spec.action === 'block' || spec.action === 'permit') actionType = ACTION[spec.action];
    else if (spec.action && typeof spec.action === 'object') {
      actionType = ACTION[spec.action.kind ?? 'terminating'];
      calloutKey = key(spec.action.callout, 'filter.action.callout');
    } else {
      throw new FwpmValidationError('filter.action', "'block', 'permit' or { callout }", `filter.action: expected 'block', 'permit' or { callout: GUID }, got ${String(spec.action)}.`);
    }
    const providerKey = spec.provider ? key(spec.provider, 'filter.provider') : undefined;
    const sublayerKey = spec.sublayer ? key(spec.sublayer, 'filter.sublayer') : undefined;
    const rawContext = spec.rawContext ?? 0n;

    // everything is checked: write (each piece is zeroed when reserved)
    const L = layout();
    const F = L.filter;
    const C = L.condition;
    let condAddr = 0;
    if (conds.length) {
      const co = arena.reserve(C.size * conds.length, C.align);
      const cb = arena.bytes8;
      const cv = arena.view;
      condAddr = arena.base + co;
      for (let i = 0; i < conds.length; i++) {
        const c = conds[i] as (typeof conds)[number];
        const o = co + i * C.size;
        cb.set(guidBytes(c.info.key as Guid), o + C.fieldKey);
        cv.setUint32(o + C.matchType, c.match, true);
        writeValue(arena, cv, o + C.value, c.value);
      }
    }
    const f = arena.reserve(F.size, F.align);
    const fb = arena.bytes8;
    const fv = arena.view;
    const addr = arena.base + f;
    writeGuidFast(k, fb, f + F.filterKey);
    writePtr(fv, f + F.name, arena.wstrAddr(spec.name));
    if (spec.description !== undefined && spec.description !== null) writePtr(fv, f + F.description, arena.wstrAddr(spec.description));
    fv.setUint32(f + F.flags, (spec.flags ?? 0) | (spec.persistent ? FWPM_FLAG_PERSISTENT : 0), true);
    if (providerKey !== undefined) writePtr(fv, f + F.providerKey, keyAddr(arena, providerKey));
    if (spec.data?.length) {
      fv.setUint32(f + F.providerDataSize, spec.data.length, true);
      writePtr(fv, f + F.providerDataData, arena.copy(spec.data, 8));
    }
    fb.set(guidBytes(layer.key), f + F.layerKey);
    if (sublayerKey !== undefined) fb.set(guidBytes(sublayerKey), f + F.subLayerKey);
    writeValue(arena, fv, f + F.weight, weight);
    fv.setUint32(f + F.numFilterConditions, conds.length, true);
    writePtr(fv, f + F.filterCondition, condAddr);
    fv.setUint32(f + F.actionType, actionType, true);
    if (calloutKey !== undefined) fb.set(guidBytes(calloutKey), f + F.actionKey);
    fv.setBigUint64(f + F.rawContext, BigInt.asUintN(64, BigInt(rawContext)), true);
    return { addr, key: k };
  }

  /**
   * Adds a filter (`FwpmFilterAdd0`). Every condition is checked against the catalogue first.
   *
   * @param spec - layer, sublayer, conditions, action, weight
   * @returns the key and the engine's run-time id
   * @throws FwpmValidationError before any native call for a bad field or value
   * @example
   * ```ts
   * await engine.addFilter({
   *   name: 'block example.exe on 443',
   *   layer: 'ALE_AUTH_CONNECT_V4',
   *   sublayer: sublayerKey,
   *   conditions: [
   *     { field: 'ALE_APP_ID', value: appId },
   *     { field: 'IP_REMOTE_PORT', value: 443 },
   *     { field: 'IP_REMOTE_ADDRESS', value: '10.0.0.0/8' },
   *   ],
   *   action: 'block',
   * });
   * ```
   */
  async addFilter(spec: FilterSpec): Promise<{ key: Guid; id: FilterId }> {
    const arena = Arena.scratch();
    try {
      const f = this.encodeFilter(arena, spec);
      const id: Out<number | bigint> = [0];
      check(this.raw.FwpmFilterAdd0(this.h('FwpmFilterAdd0'), BigInt(f.addr), null, id), 'FwpmFilterAdd0');
      return { key: f.key, id: toBig(id[0]) as FilterId };
    } finally {
      arena.done();
    }
  }

  /** Deletes a provider by key (`FwpmProviderDeleteByKey0`). */
  async deleteProvider(k: Guid | string): Promise<void> {
    this.byKey('FwpmProviderDeleteByKey0', k, (h, p) => this.raw.FwpmProviderDeleteByKey0(h, p));
  }
  /** Deletes a sublayer by key (`FwpmSubLayerDeleteByKey0`). */
  async deleteSublayer(k: Guid | string): Promise<void> {
    this.byKey('FwpmSubLayerDeleteByKey0', k, (h, p) => this.raw.FwpmSubLayerDeleteByKey0(h, p));
  }
  /** Deletes a callout by key, or by run-time id when given a number. */
  async deleteCallout(k: Guid | string | CalloutId): Promise<void> {
    if (typeof k === 'number') check(this.raw.FwpmCalloutDeleteById0(this.h('FwpmCalloutDeleteById0'), k), 'FwpmCalloutDeleteById0');
    else this.byKey('FwpmCalloutDeleteByKey0', k, (h, p) => this.raw.FwpmCalloutDeleteByKey0(h, p));
  }
  /** Deletes a filter by key, or by run-time id when given a bigint. */
  async deleteFilter(k: Guid | string | FilterId): Promise<void> {
    if (typeof k === 'bigint') check(this.raw.FwpmFilterDeleteById0(this.h('FwpmFilterDeleteById0'), k), 'FwpmFilterDeleteById0');
    else this.byKey('FwpmFilterDeleteByKey0', k, (h, p) => this.raw.FwpmFilterDeleteByKey0(h, p));
  }

  private byKey(op: string, k: unknown, call: (h: Pointer, key: bigint) => number): void {
    const g = key(k, 'key');
    const h = this.h(op);
    const arena = Arena.scratch();
    try {
      check(call(h, BigInt(keyAddr(arena, g))), op);
    } finally {
      arena.done();
    }
  }

  /** Calls a Get function, decodes what it returned, and frees it. */
  private getOne<T>(op: string, k: unknown, call: (h: Pointer, key: bigint, out: Out<Pointer>) => number, read: ReadAt<T>): T {
    const g = key(k, 'key');
    const h = this.h(op);
    const out: Out<Pointer> = [null];
    const arena = Arena.scratch();
    try {
      check(call(h, BigInt(keyAddr(arena, g)), out), op);
    } finally {
      arena.done();
    }
    return this.decodeAndFree(out, read);
  }

  private decodeAndFree<T>(out: Out<Pointer>, read: ReadAt<T>): T {
    const p = ptrOf(out[0]);
    if (!p) throw new FwpmError(0x80320008, 'decode', 'The engine returned success but no object.');
    try {
      return read(new MemReader(), Number(p));
    } finally {
      this.raw.FwpmFreeMemory0([p]);
    }
  }

  /** Reads a provider (`FwpmProviderGetByKey0`). */
  async getProvider(k: Guid | string): Promise<Provider> {
    return this.getOne('FwpmProviderGetByKey0', k, (h, p, o) => this.raw.FwpmProviderGetByKey0(h, p, o), viaKoffi(rawTypes().structs.FWPM_PROVIDER0, decodeProvider));
  }
  /** Reads a sublayer (`FwpmSubLayerGetByKey0`). */
  async getSublayer(k: Guid | string): Promise<Sublayer> {
    return this.getOne('FwpmSubLayerGetByKey0', k, (h, p, o) => this.raw.FwpmSubLayerGetByKey0(h, p, o), viaKoffi(rawTypes().structs.FWPM_SUBLAYER0, decodeSublayer));
  }
  /** Reads a callout (`FwpmCalloutGetByKey0`). */
  async getCallout(k: Guid | string): Promise<Callout> {
    return this.getOne('FwpmCalloutGetByKey0', k, (h, p, o) => this.raw.FwpmCalloutGetByKey0(h, p, o), viaKoffi(rawTypes().structs.FWPM_CALLOUT0, decodeCallout));
  }
  /** Reads a filter by key (`FwpmFilterGetByKey0`) or id (`FwpmFilterGetById0`). */
  async getFilter(k: Guid | string | FilterId): Promise<Filter> {
    if (typeof k === 'bigint') {
      const out: Out<Pointer> = [null];
      check(this.raw.FwpmFilterGetById0(this.h('FwpmFilterGetById0'), k, out), 'FwpmFilterGetById0');
      return this.decodeAndFree(out, readFilterAt);
    }
    return this.getOne('FwpmFilterGetByKey0', k, (h, p, o) => this.raw.FwpmFilterGetByKey0(h, p, o), readFilterAt);
  }
  /** Reads a layer (`FwpmLayerGetByKey0`): a short name from {@link LAYERS} or a GUID. */
  async getLayer(layer: LayerName | Guid | string): Promise<Layer> {
    const l = resolveLayer(layer, 'layer');
    return this.getOne('FwpmLayerGetByKey0', l.key, (h, p, o) => this.raw.FwpmLayerGetByKey0(h, p, o), viaKoffi(rawTypes().structs.FWPM_LAYER0, decodeLayer));
  }

  private async *enumerate<T>(
    obj: 'Provider' | 'SubLayer' | 'Callout' | 'Filter',
    template: bigint | null,
    read: ReadAt<T>,
    options: EnumOptions,
  ): AsyncGenerator<T, void, undefined> {
    const raw = this.raw as unknown as Record<string, (...a: unknown[]) => number>;
    const pageSize = options.pageSize ?? 256;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new FwpmValidationError('pageSize', 'a positive integer', `pageSize must be a positive integer, got ${String(pageSize)}.`);
    const create = `Fwpm${obj}CreateEnumHandle0`;
    const out: Out<Pointer> = [null];
    check(raw[create]!(this.h(create), template, out), create);
    const enumHandle = out[0];
    try {
      for (;;) {
        const entries: Out<Pointer> = [null];
        const count: Out<number> = [0];
        const op = `Fwpm${obj}Enum0`;
        check(raw[op]!(this.h(op), enumHandle, pageSize, entries, count), op);
        const p = ptrOf(entries[0]);
        const n = count[0];
        const page: T[] = [];
        try {
          if (p && n > 0) {
            const r = new MemReader();
            const base = Number(p);
            const ps = layout().ptrSize;
            // the pointer array first: the objects usually follow it, so the reader's window
            // then moves forward through them instead of jumping back for every entry
            const at: number[] = new Array<number>(n);
            for (let i = 0; i < n; i++) at[i] = r.ptr(base + i * ps);
            for (let i = 0; i < n; i++) page.push(read(r, at[i] as number));
          }
        } finally {
          if (p) this.raw.FwpmFreeMemory0([p]);
        }
        yield* page;
        if (count[0] < pageSize) return;
      }
    } finally {
      if (this.handle !== null) raw[`Fwpm${obj}DestroyEnumHandle0`]!(this.handle, enumHandle);
    }
  }

  /** Enumerates providers. Memory the engine returns is freed page by page, also on early `break`. */
  providers(options: EnumOptions = {}): AsyncGenerator<Provider, void, undefined> {
    return this.enumerate('Provider', null, viaKoffi(rawTypes().structs.FWPM_PROVIDER0, decodeProvider), options);
  }
  /** Enumerates sublayers. */
  sublayers(options: EnumOptions = {}): AsyncGenerator<Sublayer, void, undefined> {
    return this.enumerate('SubLayer', null, viaKoffi(rawTypes().structs.FWPM_SUBLAYER0, decodeSublayer), options);
  }
  /** Enumerates callouts. */
  callouts(options: EnumOptions = {}): AsyncGenerator<Callout, void, undefined> {
    return this.enumerate('Callout', null, viaKoffi(rawTypes().structs.FWPM_CALLOUT0, decodeCallout), options);
  }
  /**
   * Enumerates filters, optionally only those of one layer.
   *
   * @example
   * ```ts
   * for await (const f of engine.filters({ layer: 'ALE_AUTH_CONNECT_V4' })) console.log(f.name);
   * ```
   */
  filters(options: EnumOptions & { layer?: LayerName | Guid | string } = {}): AsyncGenerator<Filter, void, undefined> {
    let template: bigint | null = null;
    const arena = new Arena();
    if (options.layer !== undefined) {
      const l = resolveLayer(options.layer, 'layer');
      template = arena.struct(rawTypes().structs.FWPM_FILTER_ENUM_TEMPLATE0, {
        providerKey: null,
        layerKey: guidStruct(l.key),
        enumType: 1, // FWP_FILTER_ENUM_OVERLAPPING
        flags: 0,
        providerContextTemplate: null,
        numFilterConditions: 0,
        filterCondition: null,
        actionMask: 0xffffffff,
        calloutKey: null,
      });
    }
    const gen = this.enumerate('Filter', template, readFilterAt, options);
    // keep the template memory referenced for as long as the generator lives
    (gen as unknown as { arena?: Arena }).arena = arena;
    return gen;
  }

  /**
   * Adds many filters in one transaction, validating all of them first.
   *
   * @param specs - the filters
   * @returns their keys and ids, in order
   */
  async addFilters(specs: readonly FilterSpec[]): Promise<{ key: Guid; id: FilterId }[]> {
    const run = async (tx: Engine): Promise<{ key: Guid; id: FilterId }[]> => {
      const res: { key: Guid; id: FilterId }[] = [];
      for (const s of specs) res.push(await tx.addFilter(s));
      return res;
    };
    return this.inTransaction ? run(this) : this.transaction(run);
  }

  /**
   * The app id of an executable (`FwpmGetAppIdFromFileName0`), for `ALE_APP_ID` conditions.
   *
   * @param fileName - a DOS path, e.g. `C:\\Windows\\System32\\curl.exe`
   */
  appIdFromFileName(fileName: string): AppId {
    this.h('FwpmGetAppIdFromFileName0');
    return appIdFromFileName(fileName, { backend: this.raw.backend, libraryPath: this.raw.path });
  }
}

/**
 * Converts an executable's path into the app id blob `ALE_APP_ID` conditions match
 * (`FwpmGetAppIdFromFileName0`; the blob is copied and the engine's copy freed).
 *
 * @param fileName - a DOS path
 * @param options - backend
 * @returns the app id
 * @example
 * ```ts
 * const appId = appIdFromFileName('C:\\Program Files\\App\\app.exe');
 * ```
 */
export function appIdFromFileName(fileName: string, options: BackendOptions = {}): AppId {
  if (typeof fileName !== 'string' || fileName.length === 0) {
    throw new FwpmValidationError('fileName', 'a non-empty path', 'appIdFromFileName: fileName must be a non-empty path string.');
  }
  const raw = loadFwpm(options);
  const out: Out<Pointer> = [null];
  check(raw.FwpmGetAppIdFromFileName0(fileName, out), 'FwpmGetAppIdFromFileName0');
  const p = ptrOf(out[0]);
  if (!p) throw new FwpmError(0x80320008, 'FwpmGetAppIdFromFileName0', 'No app id returned.');
  try {
    const blob = koffi.decode(p, rawTypes().structs.FWP_BYTE_BLOB) as { size: number; data: unknown };
    return (blobValue(blob) ?? new Uint8Array(0)) as AppId;
  } finally {
    raw.FwpmFreeMemory0([p]);
  }
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function decodeProvider(d: Decoded): Provider {
  const dd = d['displayData'] as Decoded;
  return {
    key: guidFromStruct(d['providerKey'] as GuidStruct),
    name: text(dd['name']) ?? '',
    description: text(dd['description']),
    flags: d['flags'] as number,
    data: blobValue(d['providerData'] as { size: number; data: unknown }),
    serviceName: text(d['serviceName']),
  };
}

function decodeSublayer(d: Decoded): Sublayer {
  const dd = d['displayData'] as Decoded;
  return {
    key: guidFromStruct(d['subLayerKey'] as GuidStruct),
    name: text(dd['name']) ?? '',
    description: text(dd['description']),
    flags: d['flags'] as number,
    provider: optionalGuid(d['providerKey']),
    weight: d['weight'] as number,
  };
}

function decodeCallout(d: Decoded): Callout {
  const dd = d['displayData'] as Decoded;
  return {
    key: guidFromStruct(d['calloutKey'] as GuidStruct),
    id: d['calloutId'] as CalloutId,
    name: text(dd['name']) ?? '',
    description: text(dd['description']),
    flags: d['flags'] as number,
    provider: optionalGuid(d['providerKey']),
    layer: guidFromStruct(d['applicableLayer'] as GuidStruct),
  };
}

function decodeLayer(d: Decoded): Layer {
  const dd = d['displayData'] as Decoded;
  const n = d['numFields'] as number;
  const fp = ptrOf(d['field']);
  const t = rawTypes().structs;
  const fields = fp && n ? (koffi.decode(fp, t.FWPM_FIELD0, n) as { fieldKey: unknown }[]) : [];
  return {
    key: guidFromStruct(d['layerKey'] as GuidStruct),
    id: d['layerId'] as number,
    name: text(dd['name']) ?? '',
    flags: d['flags'] as number,
    defaultSublayer: guidFromStruct(d['defaultSubLayerKey'] as GuidStruct),
    fieldKeys: fields.map((f) => optionalGuid(f.fieldKey)).filter((g): g is Guid => g !== undefined),
  };
}
