import { CONDITIONS, conditionByGuid, layerByGuid } from './catalog';
import type { ConditionName, ConditionInfo } from './catalog';
import { guidFromStruct } from './guid';
import type { Guid, GuidStruct } from './guid';
import type { AddressValue, MatchType, ScalarValue } from './conditions';
import { MATCH_TYPE } from './conditions';
import koffi from './raw/koffi';
import { rawTypes } from './raw/types';

declare const filterIdBrand: unique symbol;
declare const calloutIdBrand: unique symbol;
/** The engine-assigned run-time id of a filter (UINT64). */
export type FilterId = bigint & { readonly [filterIdBrand]: 'FilterId' };
/** The engine-assigned run-time id of a callout (UINT32). */
export type CalloutId = number & { readonly [calloutIdBrand]: 'CalloutId' };

/** A condition as read back from the engine. */
export interface ConditionRecord {
  /** Short name, when the field is a built-in one. */
  field: ConditionName | undefined;
  /** The field's GUID. */
  fieldKey: Guid;
  /** The match type. */
  match: MatchType;
  /** The value, in the forms {@link ConditionSpec} accepts. */
  value: ScalarValue | { range: [ScalarValue, ScalarValue] } | null;
}

type U = Record<string, unknown>;

const toBig = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
const ptrOf = (v: unknown): bigint | null => (v === null || v === undefined ? null : toBig(v) === 0n ? null : toBig(v));

function bytesAt(p: bigint | null, n: number): Uint8Array {
  if (!p || n === 0) return new Uint8Array(0);
  return new Uint8Array(koffi.view(p, n).slice(0));
}

function v4text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function v6text(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return g.join(':').replace(/\b(?:0:){2,}0?\b/, ':').replace(/^:(?!:)/, '::').replace(/:{3,}/, '::');
}

/**
 * Decodes an `FWP_VALUE0`/`FWP_CONDITION_VALUE0` as koffi returned it.
 *
 * @param v - `{ type, _u }`
 * @returns the JS value
 */
export function decodeValue(v: { type: number; _u: U }): ScalarValue | { range: [ScalarValue, ScalarValue] } | null {
  const t = rawTypes().structs;
  const u = v._u;
  switch (v.type) {
    case 0:
      return null;
    case 1:
      return u['uint8'] as number;
    case 2:
      return u['uint16'] as number;
    case 3:
      return (u['uint32'] as number) >>> 0;
    case 4: {
      const p = ptrOf(u['uint64']);
      return p ? toBig(koffi.decode(p, 'uint64_t')) : null;
    }
    case 11: {
      return bytesAt(ptrOf(u['byteArray16']), 16);
    }
    case 12:
    case 14: {
      const p = ptrOf(u['byteBlob']);
      if (!p) return null;
      const blob = koffi.decode(p, t.FWP_BYTE_BLOB) as { size: number; data: unknown };
      return bytesAt(ptrOf(blob.data), blob.size);
    }
    case 17: {
      const p = ptrOf(u['unicodeString']);
      return p ? koffi.decode.string16(p) : '';
    }
    case 18:
      return bytesAt(ptrOf(u['byteArray6']), 6);
    case 0x100: {
      const p = ptrOf(u['v4AddrMask']);
      if (!p) return null;
      const m = koffi.decode(p, t.FWP_V4_ADDR_AND_MASK) as { addr: number; mask: number };
      const a: AddressValue = { address: v4text(m.addr >>> 0), mask: v4text(m.mask >>> 0) };
      return a;
    }
    case 0x101: {
      const p = ptrOf(u['v6AddrMask']);
      if (!p) return null;
      const m = koffi.decode(p, t.FWP_V6_ADDR_AND_MASK) as { addr: number[]; prefixLength: number };
      return { address: v6text(Uint8Array.from(m.addr)), prefix: m.prefixLength };
    }
    case 0x102: {
      const p = ptrOf(u['rangeValue']);
      if (!p) return null;
      const r = koffi.decode(p, t.FWP_RANGE0) as { valueLow: { type: number; _u: U }; valueHigh: { type: number; _u: U } };
      return { range: [decodeValue(r.valueLow) as ScalarValue, decodeValue(r.valueHigh) as ScalarValue] };
    }
    default:
      return null;
  }
}

const MATCH_NAME = Object.fromEntries(Object.entries(MATCH_TYPE).map(([k, v]) => [v, k])) as Record<number, MatchType>;

/** Converts an IPv4 condition value read back as a number to dotted text when the field is an address. */
function presentValue(info: ConditionInfo | undefined, v: ReturnType<typeof decodeValue>): ConditionRecord['value'] {
  if (info && info.dataTypes.includes('FWP_V4_ADDR_MASK') && typeof v === 'number') return v4text(v);
  return v;
}

/**
 * Decodes an array of `FWPM_FILTER_CONDITION0`.
 *
 * @param p - address of the first element
 * @param n - element count
 */
export function decodeConditions(p: bigint | null, n: number): ConditionRecord[] {
  if (!p || n === 0) return [];
  const t = rawTypes().structs;
  const arr = koffi.decode(p, t.FWPM_FILTER_CONDITION0, n) as { fieldKey: GuidStruct; matchType: number; conditionValue: { type: number; _u: U } }[];
  return arr.map((c) => {
    const key = guidFromStruct(c.fieldKey);
    const known = conditionByGuid(key);
    const info = known ? (CONDITIONS as Record<string, ConditionInfo>)[known.short] : undefined;
    return {
      field: known?.short as ConditionName | undefined,
      fieldKey: key,
      match: MATCH_NAME[c.matchType] ?? 'equal',
      value: presentValue(info, decodeValue(c.conditionValue)),
    };
  });
}

/** Reads a `GUID *` member (NULL → undefined). */
export function optionalGuid(p: unknown): Guid | undefined {
  const a = ptrOf(p);
  if (!a) return undefined;
  return guidFromStruct(koffi.decode(a, rawTypes().structs.GUID) as GuidStruct);
}

/** Reads an `FWP_BYTE_BLOB` value member. */
export function blobValue(b: { size: number; data: unknown }): Uint8Array | undefined {
  const p = ptrOf(b.data);
  return p && b.size ? bytesAt(p, b.size) : undefined;
}

/** The short name of a layer GUID, when built in. */
export function layerName(key: Guid): string | undefined {
  return layerByGuid(key)?.short;
}

export { bytesAt, ptrOf, toBig };
