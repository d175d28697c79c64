import { layerByGuid } from './catalog';
import type { ConditionName } from './catalog';
import { guidFromStruct } from './guid';
import type { Guid, GuidStruct } from './guid';
import type { MatchType, ScalarValue } from './conditions';
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

const toBig = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
const ptrOf = (v: unknown): bigint | null => (v === null || v === undefined ? null : toBig(v) === 0n ? null : toBig(v));

function bytesAt(p: bigint | null, n: number): Uint8Array {
  if (!p || n === 0) return new Uint8Array(0);
  return new Uint8Array(koffi.view(p, n).slice(0));
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
