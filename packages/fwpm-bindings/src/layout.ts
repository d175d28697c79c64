/**
 * Byte offsets of the structures the hot paths write and read directly (filters, conditions,
 * values), taken from the koffi declarations in `raw/types.ts` with `koffi.offsetof` /
 * `koffi.sizeof`, so they cannot drift from the layouts `tools/abi-check` proves.
 *
 * @module
 */
import koffi from './raw/koffi';
import type { TypeObject } from './raw/koffi';
import { rawTypes } from './raw/types';

function at(type: TypeObject, ...path: string[]): number {
  let off = 0;
  let t = type;
  for (const member of path) {
    off += koffi.offsetof(t, member);
    const m = (koffi.type(t) as unknown as { members?: Record<string, { type: TypeObject } | undefined> }).members?.[member];
    if (!m) throw new Error(`layout: no member ${member}`);
    t = m.type;
  }
  return off;
}

function compute() {
  const s = rawTypes().structs;
  const F = s.FWPM_FILTER0;
  const C = s.FWPM_FILTER_CONDITION0;
  const V = s.FWP_VALUE0;
  const CV = s.FWP_CONDITION_VALUE0;
  const ptrSize = koffi.sizeof('void *');
  if (at(V, '_u') !== at(CV, '_u') || koffi.sizeof(V) !== koffi.sizeof(CV)) throw new Error('layout: FWP_VALUE0 and FWP_CONDITION_VALUE0 differ');
  return {
    ptrSize,
    filter: {
      size: koffi.sizeof(F),
      align: koffi.alignof(F),
      filterKey: at(F, 'filterKey'),
      name: at(F, 'displayData', 'name'),
      description: at(F, 'displayData', 'description'),
      flags: at(F, 'flags'),
      providerKey: at(F, 'providerKey'),
      providerDataSize: at(F, 'providerData', 'size'),
      providerDataData: at(F, 'providerData', 'data'),
      layerKey: at(F, 'layerKey'),
      subLayerKey: at(F, 'subLayerKey'),
      weight: at(F, 'weight'),
      numFilterConditions: at(F, 'numFilterConditions'),
      filterCondition: at(F, 'filterCondition'),
      actionType: at(F, 'action', 'type'),
      actionKey: at(F, 'action', '_u'),
      rawContext: at(F, '_ctx'),
      reserved: at(F, 'reserved'),
      filterId: at(F, 'filterId'),
      effectiveWeight: at(F, 'effectiveWeight'),
    },
    condition: {
      size: koffi.sizeof(C),
      align: koffi.alignof(C),
      fieldKey: at(C, 'fieldKey'),
      matchType: at(C, 'matchType'),
      value: at(C, 'conditionValue'),
    },
    /** FWP_VALUE0 and FWP_CONDITION_VALUE0 (one layout). */
    value: { size: koffi.sizeof(V), type: at(V, 'type'), u: at(V, '_u') },
    blob: { size: koffi.sizeof(s.FWP_BYTE_BLOB), align: koffi.alignof(s.FWP_BYTE_BLOB), count: at(s.FWP_BYTE_BLOB, 'size'), data: at(s.FWP_BYTE_BLOB, 'data') },
    range: { size: koffi.sizeof(s.FWP_RANGE0), align: koffi.alignof(s.FWP_RANGE0), low: at(s.FWP_RANGE0, 'valueLow'), high: at(s.FWP_RANGE0, 'valueHigh') },
    v4: { size: koffi.sizeof(s.FWP_V4_ADDR_AND_MASK), align: koffi.alignof(s.FWP_V4_ADDR_AND_MASK), addr: at(s.FWP_V4_ADDR_AND_MASK, 'addr'), mask: at(s.FWP_V4_ADDR_AND_MASK, 'mask') },
    v6: { size: koffi.sizeof(s.FWP_V6_ADDR_AND_MASK), align: koffi.alignof(s.FWP_V6_ADDR_AND_MASK), addr: at(s.FWP_V6_ADDR_AND_MASK, 'addr'), prefixLength: at(s.FWP_V6_ADDR_AND_MASK, 'prefixLength') },
  };
}

/** The offsets (computed once). */
export type Layout = ReturnType<typeof compute>;

let memo: Layout | undefined;

/** Offsets and sizes of the directly marshalled structures, from the koffi declarations. */
export function layout(): Layout {
  memo ??= compute();
  return memo;
}
