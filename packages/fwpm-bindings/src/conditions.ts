import { isIP } from 'node:net';
import { CONDITIONS, FWP_DATA_TYPE, LAYERS, layerAllowsField } from './catalog';
import type { ConditionInfo, ConditionName, FwpDataTypeName, LayerInfo, LayerName } from './catalog';
import { FwpmValidationError } from './errors';
import { guid, isGuid, writeGuid } from './guid';
import { writePtr } from './arena';
import type { Arena } from './arena';
import { layout } from './layout';

declare const appIdBrand: unique symbol;
/** An application id: the NT path blob `FWPM_CONDITION_ALE_APP_ID` matches (from `appIdFromFileName`). */
export type AppId = Uint8Array & { readonly [appIdBrand]: 'AppId' };

/** How a condition compares the packet's value with the filter's (`FWP_MATCH_TYPE`). */
export type MatchType =
  | 'equal'
  | 'greater'
  | 'less'
  | 'greaterOrEqual'
  | 'lessOrEqual'
  | 'range'
  | 'flagsAllSet'
  | 'flagsAnySet'
  | 'flagsNoneSet'
  | 'equalCaseInsensitive'
  | 'notEqual'
  | 'prefix'
  | 'notPrefix';

/** `FWP_MATCH_TYPE` numbers (fwptypes.h; prefix/notPrefix from the Windows 10 SDK). */
export const MATCH_TYPE: Readonly<Record<MatchType, number>> = {
  equal: 0,
  greater: 1,
  less: 2,
  greaterOrEqual: 3,
  lessOrEqual: 4,
  range: 5,
  flagsAllSet: 6,
  flagsAnySet: 7,
  flagsNoneSet: 8,
  equalCaseInsensitive: 9,
  notEqual: 10,
  prefix: 11,
  notPrefix: 12,
};

/** An IP address, optionally with a mask or prefix length. */
export interface AddressValue {
  /** `'10.1.2.3'` or `'fe80::1'`. */
  address: string;
  /** IPv4 only: a dotted mask such as `'255.255.0.0'`. */
  mask?: string;
  /** Prefix length (0-32 for IPv4, 0-128 for IPv6). */
  prefix?: number;
}

/** A scalar condition value. */
export type ScalarValue = number | bigint | string | Uint8Array | AddressValue;

/** A condition value: a scalar, or an inclusive range for `match: 'range'`. */
export type ConditionValue = ScalarValue | { range: [ScalarValue, ScalarValue] };

/**
 * One filter condition, as plain data.
 *
 * Values by field type: integers as `number` (or `bigint` for 64-bit fields); addresses as
 * `'1.2.3.4'`, `'10.0.0.0/8'`, `'fe80::/10'` or {@link AddressValue}; byte blobs (app ids) as
 * `Uint8Array`; strings as `string`; 16-byte arrays as a GUID string or 16 bytes; MAC addresses
 * as `'aa:bb:cc:dd:ee:ff'` or 6 bytes.
 *
 * @example
 * ```ts
 * { field: 'IP_REMOTE_PORT', value: 443 }
 * { field: 'IP_LOCAL_PORT', match: 'range', value: { range: [49152, 65535] } }
 * { field: 'IP_REMOTE_ADDRESS', value: '192.168.0.0/16' }
 * { field: 'ALE_APP_ID', match: 'equal', value: appId }
 * ```
 */
export interface ConditionSpec {
  /** Short name of the condition field (after `FWPM_CONDITION_`). */
  field: ConditionName;
  /** Default `'equal'` (or `'range'` when the value is a range). */
  match?: MatchType;
  /** The value to compare with. */
  value: ConditionValue;
}

/** A value checked against its field and ready to encode. */
export interface TypedValue {
  type: FwpDataTypeName;
  value: number | bigint | string | Uint8Array | { addr: number; mask: number } | { addr: Uint8Array; prefix: number } | { low: TypedValue; high: TypedValue };
}

const INT_BITS: Partial<Record<FwpDataTypeName, number>> = { FWP_UINT8: 8, FWP_UINT16: 16, FWP_UINT32: 32, FWP_UINT64: 64 };
const DESCRIBE: Partial<Record<FwpDataTypeName, string>> = {
  FWP_UINT8: 'an integer 0..255',
  FWP_UINT16: 'an integer 0..65535',
  FWP_UINT32: 'an integer 0..4294967295',
  FWP_UINT64: 'an integer 0..2^64-1 (number or bigint)',
  FWP_BYTE_BLOB_TYPE: 'bytes (Uint8Array), e.g. an app id from appIdFromFileName()',
  FWP_UNICODE_STRING_TYPE: 'a string',
  FWP_BYTE_ARRAY16_TYPE: 'a GUID string or 16 bytes',
  FWP_BYTE_ARRAY6_TYPE: "a MAC address ('aa:bb:cc:dd:ee:ff') or 6 bytes",
  FWP_V4_ADDR_MASK: "an IPv4 address with mask ('10.0.0.0/8')",
  FWP_V6_ADDR_MASK: "an IPv6 address with prefix ('fe80::/10')",
  FWP_SID: 'a binary SID (Uint8Array)',
  FWP_SECURITY_DESCRIPTOR_TYPE: 'a self-relative security descriptor (Uint8Array)',
};

function show(v: unknown): string {
  if (typeof v === 'string') return `string "${v}"`;
  if (typeof v === 'bigint') return `bigint ${v}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v === null) return 'null';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function fail(where: string, field: string, types: readonly FwpDataTypeName[], got: unknown, extra = ''): never {
  const expected = types.join(' or ');
  const forms = types.map((t) => DESCRIBE[t]).filter(Boolean);
  throw new FwpmValidationError(
    field,
    expected,
    `${where}: field ${field} expects ${expected}${forms.length ? ` (${forms.join('; ')})` : ''}, got ${show(got)}${extra}.`,
  );
}

function v4(text: string): number {
  return text.split('.').reduce((acc, o) => (acc * 256 + Number(o)) >>> 0, 0);
}

function v6(text: string): Uint8Array {
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const parse = (s: string): number[] => (s ? s.split(':').flatMap((g) => (g.includes('.') ? [v4(g) >>> 16, v4(g) & 0xffff] : [parseInt(g, 16)])) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function addressValue(where: string, field: string, types: readonly FwpDataTypeName[], raw: unknown, ipVersion: LayerInfo['ipVersion'] | undefined): TypedValue {
  let address: string | undefined;
  let mask: string | undefined;
  let prefix: number | undefined;
  if (typeof raw === 'string') {
    const slash = raw.indexOf('/');
    address = slash < 0 ? raw : raw.slice(0, slash);
    if (slash >= 0) {
      const p = raw.slice(slash + 1);
      if (!/^\d{1,3}$/.test(p)) fail(where, field, types, raw, ' (the prefix length after / must be a number)');
      prefix = Number(p);
    }
  } else if (raw && typeof raw === 'object' && !(raw instanceof Uint8Array) && typeof (raw as AddressValue).address === 'string') {
    ({ address, mask, prefix } = raw as AddressValue);
    if (mask !== undefined && prefix !== undefined) fail(where, field, types, raw, ' (give a mask or a prefix, not both)');
    if (mask !== undefined && (typeof mask !== 'string' || isIP(mask) !== 4)) fail(where, field, types, raw, ' (the mask must be a dotted IPv4 mask such as 255.255.0.0)');
  } else if (typeof raw === 'number' && types.includes('FWP_UINT32')) {
    return { type: 'FWP_UINT32', value: raw >>> 0 };
  } else if (raw instanceof Uint8Array && raw.length === 16 && types.includes('FWP_BYTE_ARRAY16_TYPE')) {
    return { type: 'FWP_BYTE_ARRAY16_TYPE', value: raw };
  }
  const family = address ? isIP(address) : 0;
  if (!address || family === 0) fail(where, field, types, raw, ' (not an IP address)');
  if (ipVersion && ipVersion !== 'none' && `v${family}` !== ipVersion) {
    fail(where, field, types, raw, ` (an IPv${family} address at an IP${ipVersion} layer)`);
  }
  if (prefix !== undefined && (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))) {
    fail(where, field, types, raw, ' (prefix length out of range)');
  }
  if (family === 6 && mask !== undefined) fail(where, field, types, raw, ' (an IPv6 address takes a prefix length, not a mask)');
  if (family === 4) {
    if (!types.includes('FWP_UINT32')) fail(where, field, types, raw);
    const addr = v4(address);
    if (mask === undefined && prefix === undefined) return { type: 'FWP_UINT32', value: addr };
    const m = mask !== undefined ? v4(mask) : prefix === 0 ? 0 : (0xffffffff << (32 - (prefix ?? 32))) >>> 0;
    return { type: 'FWP_V4_ADDR_MASK', value: { addr, mask: m } };
  }
  if (!types.includes('FWP_BYTE_ARRAY16_TYPE')) fail(where, field, types, raw);
  const bytes = v6(address);
  if (prefix === undefined) return { type: 'FWP_BYTE_ARRAY16_TYPE', value: bytes };
  return { type: 'FWP_V6_ADDR_MASK', value: { addr: bytes, prefix } };
}

function scalar(where: string, field: string, types: readonly FwpDataTypeName[], raw: unknown, ipVersion?: LayerInfo['ipVersion']): TypedValue {
  if (types.includes('FWP_V4_ADDR_MASK') || types.includes('FWP_V6_ADDR_MASK')) return addressValue(where, field, types, raw, ipVersion);
  for (const t of types) {
    const bits = INT_BITS[t];
    if (bits !== undefined) {
      if (typeof raw !== 'number' && typeof raw !== 'bigint') continue;
      if (typeof raw === 'number' && !Number.isInteger(raw)) fail(where, field, types, raw, ' (not an integer)');
      const n = BigInt(raw);
      if (n < 0n || n >= 1n << BigInt(bits)) fail(where, field, types, raw, ' (out of range)');
      return { type: t, value: bits === 64 ? n : Number(n) };
    }
    switch (t) {
      case 'FWP_BYTE_BLOB_TYPE':
      case 'FWP_SID':
      case 'FWP_SECURITY_DESCRIPTOR_TYPE':
        if (raw instanceof Uint8Array && raw.length > 0) return { type: t, value: raw };
        break;
      case 'FWP_UNICODE_STRING_TYPE':
        if (typeof raw === 'string') {
          if (raw.includes('\0')) fail(where, field, types, raw, ' (a NUL character would end the string early)');
          return { type: t, value: raw };
        }
        break;
      case 'FWP_BYTE_ARRAY16_TYPE':
        if (raw instanceof Uint8Array && raw.length === 16) return { type: t, value: raw };
        if (isGuid(raw)) {
          const b = Buffer.alloc(16);
          writeGuid(guid(raw), b, 0);
          return { type: t, value: b };
        }
        break;
      case 'FWP_BYTE_ARRAY6_TYPE':
        if (raw instanceof Uint8Array && raw.length === 6) return { type: t, value: raw };
        if (typeof raw === 'string' && /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(raw)) return { type: t, value: Buffer.from(raw.replace(/[:-]/g, ''), 'hex') };
        break;
      default:
        break;
    }
  }
  return fail(where, field, types, raw);
}

/**
 * Checks a condition against the catalogue (field known, allowed at the layer, value of the
 * field's data type, match type sensible for the value) and returns the typed value.
 * Runs before any native call.
 *
 * @param spec - the condition
 * @param index - its position, for messages
 * @param layer - the filter's layer short name, when it is a built-in layer
 * @returns field info, match number and typed value
 * @throws FwpmValidationError naming the field and the expected type
 */
export function checkCondition(spec: ConditionSpec, index: number, layer?: LayerName): { info: ConditionInfo; match: number; value: TypedValue } {
  const where = `condition ${index}`;
  if (!spec || typeof spec !== 'object') throw new FwpmValidationError('(condition)', 'an object', `${where}: expected { field, match, value }, got ${show(spec)}.`);
  const info = (CONDITIONS as Record<string, ConditionInfo>)[spec.field];
  if (!info) {
    throw new FwpmValidationError(String(spec.field), 'a condition field name', `${where}: unknown condition field "${String(spec.field)}": use a name from CONDITIONS (e.g. 'ALE_APP_ID', 'IP_REMOTE_PORT').`);
  }
  if (info.dataTypes.length === 0) throw new FwpmValidationError(spec.field, 'nothing', `${where}: field ${spec.field} is reserved and cannot be used in a filter.`);
  if (layer && !layerAllowsField(layer, spec.field)) {
    throw new FwpmValidationError(spec.field, `a field of layer ${layer}`, `${where}: field ${spec.field} is not available at layer ${layer}: see LAYERS.${layer}.fields.`);
  }
  const value = spec.value;
  const isRange = value !== null && typeof value === 'object' && 'range' in value;
  const match = spec.match ?? (isRange ? 'range' : 'equal');
  const matchNo = MATCH_TYPE[match];
  if (matchNo === undefined) {
    throw new FwpmValidationError(spec.field, 'a match type', `${where}: unknown match "${String(match)}": use one of ${Object.keys(MATCH_TYPE).join(', ')}.`);
  }
  if ((match === 'range') !== isRange) {
    throw new FwpmValidationError(spec.field, match === 'range' ? '{ range: [low, high] }' : 'a single value', `${where}: field ${spec.field}: match '${match}' needs ${match === 'range' ? 'a value { range: [low, high] }' : 'a single value, not a range'}.`);
  }
  const ipVersion = layer ? (LAYERS[layer] as LayerInfo).ipVersion : undefined;
  if (isRange) {
    const r = (value as { range: unknown }).range;
    if (!Array.isArray(r) || r.length !== 2) throw new FwpmValidationError(spec.field, '[low, high]', `${where}: field ${spec.field}: range must be [low, high].`);
    const low = scalar(where, spec.field, info.dataTypes, r[0], ipVersion);
    const high = scalar(where, spec.field, info.dataTypes, r[1], ipVersion);
    if (low.type !== high.type) throw new FwpmValidationError(spec.field, low.type, `${where}: field ${spec.field}: both ends of a range must have the same type (${low.type} vs ${high.type}).`);
    return { info, match: matchNo, value: { type: 'FWP_RANGE_TYPE', value: { low, high } } };
  }
  return { info, match: matchNo, value: scalar(where, spec.field, info.dataTypes, value, ipVersion) };
}

/**
 * Writes a typed value as an `FWP_VALUE0`/`FWP_CONDITION_VALUE0` (same layout) at `off` of
 * `view`, putting pointed-to data (64-bit integers, blobs, strings, masks, ranges) in the arena.
 * The destination is zeroed already (an {@link Arena.reserve}d piece).
 *
 * @param arena - memory for the call
 * @param view - the chunk holding the destination (captured before any later reservation)
 * @param off - offset of the value in `view`
 * @param v - the value
 */
export function writeValue(arena: Arena, view: DataView, off: number, v: TypedValue): void {
  const L = layout();
  const u = off + L.value.u;
  const val = v.value;
  view.setUint32(off + L.value.type, FWP_DATA_TYPE[v.type], true);
  switch (v.type) {
    case 'FWP_EMPTY':
      return;
    case 'FWP_UINT8':
      view.setUint8(u, val as number);
      return;
    case 'FWP_UINT16':
      view.setUint16(u, val as number, true);
      return;
    case 'FWP_UINT32':
      view.setUint32(u, val as number, true);
      return;
    case 'FWP_UINT64': {
      const p = arena.reserve(8, 8);
      arena.view.setBigUint64(p, BigInt(val as bigint), true);
      writePtr(view, u, arena.base + p);
      return;
    }
    case 'FWP_BYTE_BLOB_TYPE':
    case 'FWP_SECURITY_DESCRIPTOR_TYPE': {
      const data = arena.copy(val as Uint8Array, 8);
      const b = arena.reserve(L.blob.size, L.blob.align);
      const bv = arena.view;
      bv.setUint32(b + L.blob.count, (val as Uint8Array).length, true);
      writePtr(bv, b + L.blob.data, data);
      writePtr(view, u, arena.base + b);
      return;
    }
    case 'FWP_SID':
    case 'FWP_BYTE_ARRAY16_TYPE':
    case 'FWP_BYTE_ARRAY6_TYPE':
      writePtr(view, u, arena.copy(val as Uint8Array, 8));
      return;
    case 'FWP_UNICODE_STRING_TYPE':
      writePtr(view, u, arena.wstrAddr(val as string));
      return;
    case 'FWP_V4_ADDR_MASK': {
      const m = val as { addr: number; mask: number };
      const p = arena.reserve(L.v4.size, L.v4.align);
      arena.view.setUint32(p + L.v4.addr, m.addr, true);
      arena.view.setUint32(p + L.v4.mask, m.mask, true);
      writePtr(view, u, arena.base + p);
      return;
    }
    case 'FWP_V6_ADDR_MASK': {
      const m = val as { addr: Uint8Array; prefix: number };
      const p = arena.reserve(L.v6.size, L.v6.align);
      arena.bytes8.set(m.addr, p + L.v6.addr);
      arena.view.setUint8(p + L.v6.prefixLength, m.prefix);
      writePtr(view, u, arena.base + p);
      return;
    }
    case 'FWP_RANGE_TYPE': {
      const r = val as { low: TypedValue; high: TypedValue };
      const p = arena.reserve(L.range.size, L.range.align);
      const rv = arena.view;
      writePtr(view, u, arena.base + p);
      writeValue(arena, rv, p + L.range.low, r.low);
      writeValue(arena, rv, p + L.range.high, r.high);
      return;
    }
    default:
      throw new FwpmValidationError('(value)', 'a supported data type', `Values of type ${v.type} are not supported by wfpkit yet.`);
  }
}
