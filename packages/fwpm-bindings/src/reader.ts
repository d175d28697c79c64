/**
 * Direct reads of native memory the engine returned (filters and their conditions), at the
 * offsets koffi reports for the declared structures ({@link layout}), instead of
 * `koffi.decode` of whole nested structs (which builds an object per struct, union and GUID).
 *
 * A {@link MemReader} looks at native memory through a window, a `koffi.view` ArrayBuffer over
 * `[base, base + length)`, and opens a new window whenever an address falls outside the current
 * one; only bytes of the structures being decoded are ever read. Everything it returns is
 * copied (JS strings, fresh `Uint8Array`s), so nothing refers to the native block once it is
 * given back to `FwpmFreeMemory0`; a reader must not be used after that.
 *
 * @module
 */
import { CONDITIONS, conditionByGuid } from './catalog';
import type { ConditionInfo, ConditionName } from './catalog';
import { readPtr } from './arena';
import { MATCH_TYPE } from './conditions';
import type { AddressValue, MatchType, ScalarValue } from './conditions';
import type { ConditionRecord, FilterId } from './decode';
import type { Filter } from './engine';
import { readGuidFast } from './guid';
import type { Guid } from './guid';
import { layout } from './layout';
import koffi from './raw/koffi';

/** Bytes a window spans (a window is only a view: nothing outside the decoded structs is read). */
const WINDOW = 64 * 1024;
const EMPTY = new ArrayBuffer(0);

/** Native memory, read through koffi views. */
export class MemReader {
  /** Bytes of the current window. */
  u8: Uint8Array = new Uint8Array(EMPTY);
  /** DataView of the current window. */
  dv: DataView = new DataView(EMPTY);
  private base = 0;
  private len = 0;
  private buf: Buffer = Buffer.alloc(0);

  /**
   * Makes `[addr, addr + n)` readable through {@link MemReader.u8}/{@link MemReader.dv}.
   *
   * @returns the offset of `addr` in the window
   */
  at(addr: number, n: number): number {
    const o = addr - this.base;
    if (o >= 0 && o + n <= this.len) return o;
    const len = Math.max(n, WINDOW);
    const ab = koffi.view(BigInt(addr), len);
    this.base = addr;
    this.len = len;
    this.u8 = new Uint8Array(ab);
    this.dv = new DataView(ab);
    this.buf = Buffer.from(ab);
    return 0;
  }

  /** A pointer-sized value at `addr`, as a number (0 for NULL). */
  ptr(addr: number): number {
    const o = this.at(addr, 8);
    return readPtr(this.dv, o);
  }

  /** A UINT64 at `addr`. */
  u64(addr: number): bigint {
    const o = this.at(addr, 8);
    return this.dv.getBigUint64(o, true);
  }

  /** A GUID at `addr`. */
  guid(addr: number): Guid {
    const o = this.at(addr, 16);
    return readGuidFast(this.u8, o);
  }

  /** A copy of `n` bytes at `addr` (empty for NULL or 0). */
  bytes(addr: number, n: number): Uint8Array {
    if (!addr || n === 0) return new Uint8Array(0);
    const o = this.at(addr, n);
    return this.u8.slice(o, o + n);
  }

  /** A NUL-terminated UTF-16LE string at `addr`. */
  wstr(addr: number): string {
    let o = this.at(addr, 2);
    let n = 0;
    for (;;) {
      if (o + 2 * n + 2 > this.len) o = this.at(addr, 2 * n + WINDOW);
      if (this.dv.getUint16(o + 2 * n, true) === 0) break;
      n++;
    }
    if (n <= 32) {
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(this.dv.getUint16(o + 2 * i, true));
      return s;
    }
    return this.buf.toString('utf16le', o, o + 2 * n);
  }
}

interface Interned {
  bytes: Uint8Array;
  guid: Guid;
  next: Interned | undefined;
}
const interned = new Map<number, Interned>();
let internedCount = 0;

/**
 * A GUID that recurs from object to object (layer, sublayer, condition field keys): the same
 * string each time, found by its bytes, so it is neither rebuilt nor re-hashed.
 */
function internGuid(u8: Uint8Array, dv: DataView, o: number): Guid {
  const d1 = dv.getUint32(o, true);
  let e = interned.get(d1);
  for (; e; e = e.next) {
    const b = e.bytes;
    let i = 4;
    while (i < 16 && b[i] === u8[o + i]) i++;
    if (i === 16) return e.guid;
  }
  if (internedCount >= 4096) {
    interned.clear();
    internedCount = 0;
  }
  const guid = readGuidFast(u8, o);
  interned.set(d1, { bytes: u8.slice(o, o + 16), guid, next: interned.get(d1) });
  internedCount++;
  return guid;
}

function v4text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text of an IPv6 address: the longest run (first of equals) of two or more zero groups becomes `::`. */
function v6text(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

type Value = ScalarValue | { range: [ScalarValue, ScalarValue] } | null;

/**
 * Reads an `FWP_VALUE0`/`FWP_CONDITION_VALUE0` at `addr`.
 *
 * @returns the JS value (same forms as {@link ConditionSpec} values; null for types wfpkit does not decode)
 */
export function readValue(r: MemReader, addr: number): Value {
  const L = layout();
  const o = r.at(addr, L.value.size);
  const dv = r.dv;
  const u = o + L.value.u;
  switch (dv.getUint32(o + L.value.type, true)) {
    case 0:
      return null;
    case 1:
      return dv.getUint8(u);
    case 2:
      return dv.getUint16(u, true);
    case 3:
      return dv.getUint32(u, true);
    case 4: {
      const p = readPtr(dv, u);
      return p ? r.u64(p) : null;
    }
    case 11:
      return r.bytes(readPtr(dv, u), 16);
    case 12:
    case 14: {
      const p = readPtr(dv, u);
      if (!p) return null;
      const b = r.at(p, L.blob.size);
      const size = r.dv.getUint32(b + L.blob.count, true);
      return r.bytes(readPtr(r.dv, b + L.blob.data), size);
    }
    case 17: {
      const p = readPtr(dv, u);
      return p ? r.wstr(p) : '';
    }
    case 18:
      return r.bytes(readPtr(dv, u), 6);
    case 0x100: {
      const p = readPtr(dv, u);
      if (!p) return null;
      const m = r.at(p, L.v4.size);
      const a: AddressValue = { address: v4text(r.dv.getUint32(m + L.v4.addr, true)), mask: v4text(r.dv.getUint32(m + L.v4.mask, true)) };
      return a;
    }
    case 0x101: {
      const p = readPtr(dv, u);
      if (!p) return null;
      const m = r.at(p, L.v6.size);
      return { address: v6text(r.u8.subarray(m + L.v6.addr, m + L.v6.addr + 16)), prefix: r.dv.getUint8(m + L.v6.prefixLength) };
    }
    case 0x102: {
      const p = readPtr(dv, u);
      if (!p) return null;
      return { range: [readValue(r, p + L.range.low) as ScalarValue, readValue(r, p + L.range.high) as ScalarValue] };
    }
    default:
      return null;
  }
}

const MATCH_NAME = Object.fromEntries(Object.entries(MATCH_TYPE).map(([k, v]) => [v, k])) as Record<number, MatchType>;

interface FieldMeta {
  field: ConditionName | undefined;
  /** IPv4 address values read back as a number are shown in dotted form. */
  v4: boolean;
}
const fieldMeta = new Map<string, FieldMeta>();

function metaOf(key: Guid): FieldMeta {
  let m = fieldMeta.get(key);
  if (!m) {
    const known = conditionByGuid(key);
    const info = known ? (CONDITIONS as Record<string, ConditionInfo>)[known.short] : undefined;
    m = { field: known?.short as ConditionName | undefined, v4: info !== undefined && info.dataTypes.includes('FWP_V4_ADDR_MASK') };
    if (fieldMeta.size >= 4096) fieldMeta.clear();
    fieldMeta.set(key, m);
  }
  return m;
}

/**
 * Reads an array of `FWPM_FILTER_CONDITION0`.
 *
 * @param addr - address of the first element (0 for none)
 * @param n - element count
 */
export function readConditions(r: MemReader, addr: number, n: number): ConditionRecord[] {
  if (!addr || n === 0) return [];
  const C = layout().condition;
  const out: ConditionRecord[] = new Array<ConditionRecord>(n);
  for (let i = 0; i < n; i++) {
    const a = addr + i * C.size;
    const o = r.at(a, C.size);
    const key = internGuid(r.u8, r.dv, o + C.fieldKey);
    const match = MATCH_NAME[r.dv.getUint32(o + C.matchType, true)] ?? 'equal';
    const meta = metaOf(key);
    const v = readValue(r, a + C.value);
    out[i] = { field: meta.field, fieldKey: key, match, value: meta.v4 && typeof v === 'number' ? v4text(v) : v };
  }
  return out;
}

/**
 * Reads an `FWPM_FILTER0` at `addr`.
 *
 * @returns the filter, every part copied out of native memory
 */
export function readFilter(r: MemReader, addr: number): Filter {
  const L = layout();
  const F = L.filter;
  const o = r.at(addr, F.size);
  const dv = r.dv;
  const u8 = r.u8;
  const key = readGuidFast(u8, o + F.filterKey);
  const layer = internGuid(u8, dv, o + F.layerKey);
  const sublayer = internGuid(u8, dv, o + F.subLayerKey);
  const id = dv.getBigUint64(o + F.filterId, true) as FilterId;
  const flags = dv.getUint32(o + F.flags, true);
  const actionType = dv.getUint32(o + F.actionType, true);
  const callout = actionType & 0x4000 ? readGuidFast(u8, o + F.actionKey) : undefined;
  const namePtr = readPtr(dv, o + F.name);
  const descPtr = readPtr(dv, o + F.description);
  const providerPtr = readPtr(dv, o + F.providerKey);
  const numConds = dv.getUint32(o + F.numFilterConditions, true);
  const condPtr = readPtr(dv, o + F.filterCondition);
  const ewType = dv.getUint32(o + F.effectiveWeight + L.value.type, true);
  const ewU = o + F.effectiveWeight + L.value.u;
  let effectiveWeight: bigint | number | null = null;
  if (ewType === 4) {
    const p = readPtr(dv, ewU);
    effectiveWeight = p ? r.u64(p) : null;
  } else if (ewType === 1) effectiveWeight = dv.getUint8(ewU);
  return {
    key,
    id,
    name: namePtr ? r.wstr(namePtr) : '',
    description: descPtr ? r.wstr(descPtr) : undefined,
    flags,
    provider: providerPtr ? r.guid(providerPtr) : undefined,
    layer,
    sublayer,
    action: callout !== undefined ? { type: actionType, callout } : { type: actionType },
    conditions: readConditions(r, condPtr, numConds),
    effectiveWeight,
  };
}
