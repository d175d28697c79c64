/**
 * Marshalling round trips against the simulator: every condition value type the typed API
 * accepts, with every match type, and every filter field, written by the hand-written writers
 * (layout.ts, arena.ts, conditions.ts) and read back three ways — getFilter(key),
 * getFilter(id) and the filters() enumeration (reader.ts) — plus a fourth, independent way:
 * a raw FwpmFilterGetById0 decoded with koffi.decode in this file (no reader.ts), which also
 * sees what the typed Filter does not carry (rawContext, the weight as written, providerData,
 * the FWP_DATA_TYPE tag of every condition value).
 *
 * After every test the simulator must report no block handed out and not freed
 * (WfpsimOutstandingAllocations, as the conformance suite checks) and no session left open.
 */
import { Engine, FWP_DATA_TYPE, FwpmError, FwpmValidationError, LAYERS, CONDITIONS, checkCondition, conditionByGuid, loadFwpm, newGuid, rawTypes } from '../src';
import type { ConditionName, ConditionSpec, ConditionValue, Filter, FilterId, FilterSpec, FwpDataTypeName, Guid, LayerName, MatchType, Out, Pointer } from '../src';
import koffi from '../src/raw/koffi';
import { simBackend } from './conformance/backends';

const backend = simBackend();
const raw = loadFwpm(backend.options);
const T = rawTypes().structs;
const UNIVERSAL_SUBLAYER = 'eebecc03-ced4-4380-819a-2734397b2b74';
const U64_MAX = (1n << 64n) - 1n;
const ALL_MATCHES: readonly MatchType[] = [
  'equal',
  'greater',
  'less',
  'greaterOrEqual',
  'lessOrEqual',
  'range',
  'flagsAllSet',
  'flagsAnySet',
  'flagsNoneSet',
  'equalCaseInsensitive',
  'notEqual',
  'prefix',
  'notPrefix',
];

let weight = 0x6000 + Math.floor(Math.random() * 0x1000);
const nextWeight = (): number => ++weight;
const open = (): Engine => Engine.open({ ...backend.options, dynamic: true, name: 'wfpkit roundtrip' });

let sessionsBefore = 0;
beforeAll(() => {
  sessionsBefore = raw.WfpsimSessionCount();
});
afterEach(() => {
  expect(raw.WfpsimOutstandingAllocations()).toBe(0);
  expect(raw.WfpsimSessionCount()).toBe(sessionsBefore);
});

// ---------------------------------------------------------------------------------------------
// Values in the form the typed API returns them, computed here without src/reader.ts

type Back = number | bigint | string | Uint8Array | { address: string; mask?: string; prefix?: number } | { range: [Back, Back] } | null;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
/** RFC 5952 text of an IPv6 address (WHATWG URL parser), so differently compressed forms compare equal. */
const canonV6 = (text: string): string => new URL(`http://[${text}]`).hostname.slice(1, -1);
function v6FromBytes(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
  return canonV6(g.join(':'));
}
/** The 16 bytes of an IPv6 address (own parser: the full form the URL parser gives, split). */
function v6Bytes(text: string): Uint8Array {
  const host = canonV6(text);
  const [head = '', tail] = host.split('::') as [string, string | undefined];
  const groups = (s: string): number[] => (s ? s.split(':').map((x) => parseInt(x, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return Uint8Array.from(all.flatMap((x) => [x >> 8, x & 255]));
}
const maskOf = (prefix: number): string => dotted(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
const utf16 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf16le'));
const isAddressField = (field: ConditionName | undefined): boolean => field !== undefined && (CONDITIONS[field].dataTypes as readonly string[]).includes('FWP_V4_ADDR_MASK');

/** Address texts made canonical, so a spec written in any IPv6 form compares with the RFC 5952 text read back. */
function norm(v: Back): Back {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if ('range' in v) return { range: [norm(v.range[0]), norm(v.range[1])] };
  return v.address.includes(':') ? { ...v, address: canonV6(v.address) } : v;
}
function normFilter(f: Filter): Filter {
  return { ...f, conditions: f.conditions.map((c) => ({ ...c, value: norm(c.value as Back) as Filter['conditions'][number]['value'] })) };
}

// ---------------------------------------------------------------------------------------------
// The independent decoder: raw FwpmFilterGetById0 + koffi.decode

type RawValue = { type: number; _u: Record<string, unknown> };
const ptr = (v: unknown): bigint | null => (v === null || v === undefined || BigInt(v as number) === 0n ? null : BigInt(v as number));
const viewBytes = (p: bigint | null, n: number): Uint8Array => (p && n ? new Uint8Array(koffi.view(p, n).slice(0)) : new Uint8Array(0));
function guidText(g: { Data1: number; Data2: number; Data3: number; Data4: number[] }): Guid {
  const d4 = g.Data4.map(hex2).join('');
  return `${(g.Data1 >>> 0).toString(16).padStart(8, '0')}-${g.Data2.toString(16).padStart(4, '0')}-${g.Data3.toString(16).padStart(4, '0')}-${d4.slice(0, 4)}-${d4.slice(4)}` as Guid;
}

/** One value as the typed API presents it, plus its type tag(s). */
function rawValue(v: RawValue): { value: Back; types: number[] } {
  const u = v._u;
  switch (v.type) {
    case 0:
      return { value: null, types: [0] };
    case 1:
      return { value: u['uint8'] as number, types: [1] };
    case 2:
      return { value: u['uint16'] as number, types: [2] };
    case 3:
      return { value: (u['uint32'] as number) >>> 0, types: [3] };
    case 4:
      return { value: BigInt(koffi.decode(ptr(u['uint64']) as bigint, 'uint64_t') as number | bigint), types: [4] };
    case 11:
      return { value: viewBytes(ptr(u['byteArray16']), 16), types: [11] };
    case 12:
    case 14: {
      const b = koffi.decode(ptr(u['byteBlob']), T.FWP_BYTE_BLOB) as { size: number; data: unknown };
      return { value: viewBytes(ptr(b.data), b.size), types: [v.type] };
    }
    case 17:
      return { value: koffi.decode(ptr(u['unicodeString']), 'char16_t', -1) as string, types: [17] };
    case 18:
      return { value: viewBytes(ptr(u['byteArray6']), 6), types: [18] };
    case 0x100: {
      const m = koffi.decode(ptr(u['v4AddrMask']), T.FWP_V4_ADDR_AND_MASK) as { addr: number; mask: number };
      return { value: { address: dotted(m.addr >>> 0), mask: dotted(m.mask >>> 0) }, types: [0x100] };
    }
    case 0x101: {
      const m = koffi.decode(ptr(u['v6AddrMask']), T.FWP_V6_ADDR_AND_MASK) as { addr: number[]; prefixLength: number };
      return { value: { address: v6FromBytes(Uint8Array.from(m.addr)), prefix: m.prefixLength }, types: [0x101] };
    }
    case 0x102: {
      const r = koffi.decode(ptr(u['rangeValue']), T.FWP_RANGE0) as { valueLow: RawValue; valueHigh: RawValue };
      const lo = rawValue(r.valueLow);
      const hi = rawValue(r.valueHigh);
      return { value: { range: [lo.value, hi.value] }, types: [0x102, ...lo.types, ...hi.types] };
    }
    default:
      throw new Error(`unexpected FWP_DATA_TYPE ${v.type}`);
  }
}

interface RawView {
  filter: Filter;
  rawContext: bigint;
  weight: { type: number; value: Back };
  data: Uint8Array;
  /** Per condition: match number, then the type tag(s) of its value. */
  tags: number[][];
}

function rawFilter(h: Pointer, id: bigint): RawView {
  const out: Out<Pointer> = [null];
  expect(raw.FwpmFilterGetById0(h, id, out)).toBe(0);
  try {
    const d = koffi.decode(out[0], T.FWPM_FILTER0) as Record<string, unknown>;
    type G = Parameters<typeof guidText>[0];
    const dd = d['displayData'] as { name: string | null; description: string | null };
    const action = d['action'] as { type: number; _u: { calloutKey: G } };
    const n = d['numFilterConditions'] as number;
    const conds = n ? (koffi.decode(ptr(d['filterCondition']), T.FWPM_FILTER_CONDITION0, n) as { fieldKey: G; matchType: number; conditionValue: RawValue }[]) : [];
    const tags: number[][] = [];
    const conditions = conds.map((c) => {
      const fieldKey = guidText(c.fieldKey);
      const field = conditionByGuid(fieldKey)?.short as ConditionName | undefined;
      const v = rawValue(c.conditionValue);
      tags.push([c.matchType, ...v.types]);
      const value = isAddressField(field) && typeof v.value === 'number' ? dotted(v.value) : v.value;
      const match = ALL_MATCHES[c.matchType] as MatchType;
      return { field, fieldKey, match, value: value as Filter['conditions'][number]['value'] };
    });
    const pd = d['providerData'] as { size: number; data: unknown };
    const ew = rawValue(d['effectiveWeight'] as RawValue);
    const w = d['weight'] as RawValue;
    const provider = ptr(d['providerKey']);
    const filter: Filter = {
      key: guidText(d['filterKey'] as G),
      id: BigInt(d['filterId'] as number) as FilterId,
      name: dd.name ?? '',
      description: dd.description ?? undefined,
      flags: d['flags'] as number,
      provider: provider ? guidText(koffi.decode(provider, T.GUID) as G) : undefined,
      layer: guidText(d['layerKey'] as G),
      sublayer: guidText(d['subLayerKey'] as G),
      action: action.type & 0x4000 ? { type: action.type, callout: guidText(action._u.calloutKey) } : { type: action.type },
      conditions,
      effectiveWeight: ew.value as bigint | number | null,
    };
    return {
      filter,
      rawContext: BigInt((d['_ctx'] as { rawContext: number | bigint }).rawContext),
      weight: { type: w.type, value: rawValue(w).value },
      data: viewBytes(ptr(pd.data), pd.size),
      tags,
    };
  } finally {
    raw.FwpmFreeMemory0(out);
  }
}

/** A second, raw session for {@link rawFilter}; closed by the caller. */
function rawSession(): Pointer {
  const h: Out<Pointer> = [null];
  expect(raw.FwpmEngineOpen0(null, 10, null, null, h)).toBe(0);
  return h[0];
}

async function collect<T>(gen: AsyncGenerator<T, void, undefined>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expectations

/** A condition to add and what must come back. `type`: the value's FWP_DATA_TYPE (for a range, of both ends). */
interface Cond {
  spec: ConditionSpec;
  back: Back;
  type: FwpDataTypeName;
}

const ACTION = { block: 0x1001, permit: 0x1002, terminating: 0x5003, inspection: 0x6004, unknown: 0x4005 } as const;
const isRange = (v: ConditionValue): boolean => typeof v === 'object' && !(v instanceof Uint8Array) && 'range' in v;
const lowerGuid = (g: string): Guid => g.replace(/[{}]/g, '').toLowerCase() as Guid;

/** The simulator's weight model (ws_obj_filter.c): UINT64 as given, UINT8 r → r<<60 | auto, EMPTY → auto; auto = min(n,15)<<56. */
function effectiveWeight(w: FilterSpec['weight'], n: number): bigint {
  const auto = BigInt(Math.min(n, 15)) << 56n;
  if (typeof w === 'bigint') return w;
  if (typeof w === 'number') return (BigInt(w) << 60n) | auto;
  return auto;
}

function expectedFilter(spec: FilterSpec, added: { key: Guid; id: FilterId }, conds: readonly Cond[]): Filter {
  const layer = (LAYERS as Record<string, { key: string } | undefined>)[spec.layer]?.key ?? spec.layer;
  const a = spec.action;
  return {
    key: spec.key === undefined ? added.key : lowerGuid(spec.key),
    id: added.id,
    name: spec.name,
    description: spec.description,
    flags: spec.flags ?? 0,
    provider: spec.provider === undefined ? undefined : lowerGuid(spec.provider),
    layer: lowerGuid(layer),
    sublayer: lowerGuid(spec.sublayer ?? UNIVERSAL_SUBLAYER),
    action: typeof a === 'string' ? { type: ACTION[a] } : { type: ACTION[a.kind ?? 'terminating'], callout: lowerGuid(a.callout) },
    conditions: conds.map((c) => {
      const key = CONDITIONS[c.spec.field].key as Guid;
      return { field: conditionByGuid(key)?.short as ConditionName, fieldKey: key, match: c.spec.match ?? (isRange(c.spec.value) ? 'range' : 'equal'), value: norm(c.back) as Filter['conditions'][number]['value'] };
    }),
    effectiveWeight: effectiveWeight(spec.weight, conds.length),
  };
}

/** Adds filters and checks each against the expectation by key, by id and through the raw decoder; then the enumeration. */
class Checker {
  readonly added: { key: Guid; expected: Filter }[] = [];
  readonly h = rawSession();
  constructor(readonly e: Engine) {}

  async add(spec: FilterSpec, conds: readonly Cond[]): Promise<Filter> {
    const added = await this.e.addFilter({ ...spec, conditions: conds.map((c) => c.spec) });
    return this.check(spec, added, conds);
  }

  async check(spec: FilterSpec, added: { key: Guid; id: FilterId }, conds: readonly Cond[]): Promise<Filter> {
    const expected = expectedFilter(spec, added, conds);
    const byKey = await this.e.getFilter(added.key);
    const byId = await this.e.getFilter(added.id);
    expect(normFilter(byKey)).toStrictEqual(expected);
    expect(byId).toStrictEqual(byKey);
    const r = rawFilter(this.h, added.id);
    expect(normFilter(r.filter)).toStrictEqual(expected);
    expect(r.rawContext).toBe(spec.rawContext ?? 0n);
    const w = spec.weight;
    expect(r.weight).toStrictEqual(typeof w === 'bigint' ? { type: 4, value: w } : typeof w === 'number' ? { type: 1, value: w } : { type: 0, value: null });
    expect(r.data).toStrictEqual(spec.data ? Uint8Array.from(spec.data) : new Uint8Array(0));
    expect(r.tags).toStrictEqual(
      expected.conditions.map((ec, i) => {
        const t = FWP_DATA_TYPE[(conds[i] as Cond).type];
        return ec.match === 'range' ? [5, 0x102, t, t] : [ALL_MATCHES.indexOf(ec.match), t];
      }),
    );
    this.added.push({ key: added.key, expected });
    return byKey;
  }

  /** Enumerates (all layers, the given page size) and compares every filter this checker added, in order. */
  async enumeration(pageSize = 7): Promise<void> {
    const mine = new Map(this.added.map((a) => [a.key as string, a.expected]));
    const seen = (await collect(this.e.filters({ pageSize }))).filter((f) => mine.has(f.key));
    expect(seen.map((f) => f.key)).toStrictEqual(this.added.map((a) => a.key));
    seen.forEach((f, i) => expect(normFilter(f)).toStrictEqual(this.added[i]?.expected));
  }

  close(): void {
    expect(raw.FwpmEngineClose0(this.h)).toBe(0);
  }
}

async function expectEngineError(p: Promise<unknown>, name: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(err).toBeInstanceOf(FwpmError);
  expect((err as FwpmError).name).toBe(name);
}

// ---------------------------------------------------------------------------------------------
// The value catalogue: fields the simulator's layers model (ws_layers.c), at ALE_AUTH_CONNECT_V4/V6

const V4: LayerName = 'ALE_AUTH_CONNECT_V4';
const V6: LayerName = 'ALE_AUTH_CONNECT_V6';

/** A self-relative security descriptor, O:SYD:(A;;CC;;;WD). */
const SD = Uint8Array.from([
  1, 0, 0x04, 0x80, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, // header: rev 1, SE_SELF_RELATIVE|SE_DACL_PRESENT, owner @20, dacl @32
  1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, // S-1-5-18
  2, 0, 28, 0, 1, 0, 0, 0, // ACL rev 2, 28 bytes, 1 ACE
  0, 0, 20, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, // ACCESS_ALLOWED CC to S-1-1-0
]);

function seededBytes(n: number, seed: number): Uint8Array {
  const rnd = mulberry32(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

/** What each value class accepts in the simulator (ws_cond.c) — everything else is refused by the engine. */
const UNSIGNED_MATCHES: MatchType[] = ['equal', 'greater', 'less', 'greaterOrEqual', 'lessOrEqual', 'flagsAllSet', 'flagsAnySet', 'flagsNoneSet', 'notEqual'];
const ARRAY16_MATCHES: MatchType[] = ['equal', 'greater', 'less', 'greaterOrEqual', 'lessOrEqual', 'notEqual'];
const EQUALITY_MATCHES: MatchType[] = ['equal', 'notEqual'];
const STRING_MATCHES: MatchType[] = ['equal', 'equalCaseInsensitive', 'notEqual'];

interface Sample {
  value: ConditionValue;
  back: Back;
}
interface Group {
  name: string;
  layer: LayerName;
  fields: ConditionName[];
  type: FwpDataTypeName;
  matches: MatchType[];
  samples: Sample[];
  /** Ranges (match 'range'), when the type has them. */
  ranges?: Sample[];
}

const same = (...values: (number | bigint | string)[]): Sample[] => values.map((v) => ({ value: v, back: v }));
const bytes16 = (v: Uint8Array): Sample => ({ value: v, back: Uint8Array.from(v) });

function groups(appIds: Sample[]): Group[] {
  const guidBytes = checkCondition({ field: 'DCOM_APP_ID', value: '00112233-4455-6677-8899-AABBCCDDEEFF' }, 0).value.value as Uint8Array;
  return [
    {
      name: 'FWP_UINT8 (protocol, address types)',
      layer: V4,
      fields: ['IP_PROTOCOL', 'IP_LOCAL_ADDRESS_TYPE', 'IP_DESTINATION_ADDRESS_TYPE'],
      type: 'FWP_UINT8',
      matches: UNSIGNED_MATCHES,
      samples: same(0, 1, 6, 17, 58, 127, 128, 254, 255),
      ranges: [
        { value: { range: [0, 255] }, back: { range: [0, 255] } },
        { value: { range: [6, 17] }, back: { range: [6, 17] } },
        { value: { range: [42, 42] }, back: { range: [42, 42] } },
      ],
    },
    {
      name: 'FWP_UINT16 (ports, ICMP type)',
      layer: V4,
      fields: ['IP_REMOTE_PORT', 'IP_LOCAL_PORT', 'ORIGINAL_ICMP_TYPE'],
      type: 'FWP_UINT16',
      matches: UNSIGNED_MATCHES,
      samples: same(0, 1, 80, 255, 256, 443, 0x7fff, 0x8000, 0xfffe, 65535),
      ranges: [
        { value: { range: [0, 65535] }, back: { range: [0, 65535] } },
        { value: { range: [49152, 65535] }, back: { range: [49152, 65535] } },
        { value: { range: [443, 443] }, back: { range: [443, 443] } },
        { value: { range: [255, 256] }, back: { range: [255, 256] } },
      ],
    },
    {
      name: 'FWP_UINT32 (flags, interface type, profile)',
      layer: V4,
      fields: ['FLAGS', 'INTERFACE_TYPE', 'CURRENT_PROFILE_ID', 'INTERFACE_INDEX'],
      type: 'FWP_UINT32',
      matches: UNSIGNED_MATCHES,
      samples: same(0, 1, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
      ranges: [
        { value: { range: [0, 0xffffffff] }, back: { range: [0, 0xffffffff] } },
        { value: { range: [0x7fffffff, 0x80000000] }, back: { range: [0x7fffffff, 0x80000000] } },
      ],
    },
    {
      name: 'FWP_UINT64 (interface LUIDs)',
      layer: V4,
      fields: ['IP_LOCAL_INTERFACE', 'IP_ARRIVAL_INTERFACE', 'IP_NEXTHOP_INTERFACE'],
      type: 'FWP_UINT64',
      matches: UNSIGNED_MATCHES,
      samples: [
        ...same(0n, 1n, 255n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 63n) - 1n, 1n << 63n, U64_MAX - 1n, U64_MAX, 0x0123456789abcdefn),
        { value: 42, back: 42n }, // a number is accepted for a 64-bit field and comes back as a bigint
        { value: 2 ** 53, back: 1n << 53n },
      ],
      ranges: [
        { value: { range: [0n, U64_MAX] }, back: { range: [0n, U64_MAX] } },
        { value: { range: [1n << 53n, (1n << 53n) + 1n] }, back: { range: [1n << 53n, (1n << 53n) + 1n] } },
        { value: { range: [7, 9n] }, back: { range: [7n, 9n] } },
      ],
    },
    {
      name: 'IPv4 address (FWP_UINT32)',
      layer: V4,
      fields: ['IP_REMOTE_ADDRESS', 'IP_LOCAL_ADDRESS'],
      type: 'FWP_UINT32',
      matches: UNSIGNED_MATCHES,
      samples: [
        ...same('0.0.0.0', '10.1.2.3', '127.0.0.1', '192.168.255.254', '255.255.255.255', '1.0.0.0', '0.0.0.1'),
        { value: 0x7f000001, back: '127.0.0.1' },
        { value: 0xffffffff, back: '255.255.255.255' },
        { value: { address: '172.16.0.1' }, back: '172.16.0.1' },
      ],
      // a range of IPv4 addresses comes back as numbers (as before the rewrite: only a single value is shown dotted)
      ranges: [
        { value: { range: ['10.0.0.1', '10.0.0.254'] }, back: { range: [0x0a000001, 0x0a0000fe] } },
        { value: { range: ['0.0.0.0', '255.255.255.255'] }, back: { range: [0, 0xffffffff] } },
      ],
    },
    {
      name: 'IPv4 address and mask (FWP_V4_ADDR_MASK)',
      layer: V4,
      fields: ['IP_REMOTE_ADDRESS', 'IP_LOCAL_ADDRESS'],
      type: 'FWP_V4_ADDR_MASK',
      matches: EQUALITY_MATCHES,
      samples: [
        { value: '10.0.0.0/8', back: { address: '10.0.0.0', mask: '255.0.0.0' } },
        { value: '10.1.2.3/8', back: { address: '10.1.2.3', mask: '255.0.0.0' } }, // host bits are kept
        { value: '0.0.0.0/0', back: { address: '0.0.0.0', mask: '0.0.0.0' } },
        { value: '1.2.3.4/32', back: { address: '1.2.3.4', mask: '255.255.255.255' } },
        { value: '172.16.0.0/12', back: { address: '172.16.0.0', mask: '255.240.0.0' } },
        { value: '192.168.1.128/25', back: { address: '192.168.1.128', mask: '255.255.255.128' } },
        { value: { address: '192.168.0.0', mask: '255.255.0.0' }, back: { address: '192.168.0.0', mask: '255.255.0.0' } },
        { value: { address: '255.255.255.255', mask: '255.255.255.255' }, back: { address: '255.255.255.255', mask: '255.255.255.255' } },
        ...[1, 7, 16, 23, 24, 31].map((p) => ({ value: { address: '100.64.0.0', prefix: p }, back: { address: '100.64.0.0', mask: maskOf(p) } })),
      ],
    },
    {
      name: 'IPv6 address (FWP_BYTE_ARRAY16_TYPE)',
      layer: V6,
      fields: ['IP_REMOTE_ADDRESS', 'IP_LOCAL_ADDRESS'],
      type: 'FWP_BYTE_ARRAY16_TYPE',
      matches: ARRAY16_MATCHES,
      samples: [
        ...['::', '::1', 'fe80::1', 'FE80::ABCD:1', '2001:db8::8a2e:370:7334', '1:2:3:4:5:6:7:8', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::ffff:192.0.2.1', '1::', '1:0:0:2:0:0:0:3'].map(
          (a) => ({ value: a, back: v6Bytes(a) }),
        ),
        { value: { address: 'fd00::42' }, back: v6Bytes('fd00::42') },
        bytes16(Uint8Array.from({ length: 16 }, (_, i) => i)),
        bytes16(new Uint8Array(16).fill(0xff)),
        bytes16(new Uint8Array(16)),
        bytes16(guidBytes), // a GUID value as 16 bytes (mixed-endian layout, see the GUID test)
      ],
      ranges: [
        { value: { range: ['fe80::1', 'fe80::ffff'] }, back: { range: [v6Bytes('fe80::1'), v6Bytes('fe80::ffff')] } },
        { value: { range: ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'] }, back: { range: [v6Bytes('::'), v6Bytes('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')] } },
      ],
    },
    {
      name: 'IPv6 address and prefix (FWP_V6_ADDR_MASK)',
      layer: V6,
      fields: ['IP_REMOTE_ADDRESS', 'IP_LOCAL_ADDRESS'],
      type: 'FWP_V6_ADDR_MASK',
      matches: EQUALITY_MATCHES,
      samples: [
        { value: 'fd00::/8', back: { address: 'fd00::', prefix: 8 } },
        { value: '::/0', back: { address: '::', prefix: 0 } },
        { value: 'fe80::1/128', back: { address: 'fe80::1', prefix: 128 } },
        { value: '2001:DB8:0:0:1:0:0:1/64', back: { address: '2001:db8::1:0:0:1', prefix: 64 } },
        { value: '1:0:0:2:0:0:0:3/127', back: { address: '1:0:0:2::3', prefix: 127 } },
        { value: '::ffff:10.0.0.0/104', back: { address: '::ffff:a00:0', prefix: 104 } },
        ...[1, 7, 48, 64, 65, 120].map((p) => ({ value: { address: '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff', prefix: p }, back: { address: '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff', prefix: p } })),
      ],
    },
    {
      name: 'FWP_BYTE_BLOB_TYPE (app ids and raw bytes)',
      layer: V4,
      fields: ['ALE_APP_ID'],
      type: 'FWP_BYTE_BLOB_TYPE',
      matches: EQUALITY_MATCHES,
      samples: [
        ...appIds,
        ...[Uint8Array.of(0), Uint8Array.of(0xff), Uint8Array.of(1, 2, 3), seededBytes(4095, 1), seededBytes(65536, 2), seededBytes(70001, 3)].map((b) => ({ value: b, back: Uint8Array.from(b) })),
      ],
    },
    {
      name: 'FWP_SECURITY_DESCRIPTOR_TYPE (ALE user / remote user / remote machine)',
      layer: V4,
      fields: ['ALE_USER_ID', 'ALE_REMOTE_USER_ID', 'ALE_REMOTE_MACHINE_ID'],
      type: 'FWP_SECURITY_DESCRIPTOR_TYPE',
      matches: EQUALITY_MATCHES,
      samples: [SD, Uint8Array.of(1), seededBytes(70000, 4)].map((b) => ({ value: b, back: Uint8Array.from(b) })),
    },
    {
      name: 'FWP_UNICODE_STRING_TYPE (peer name)',
      layer: V4,
      fields: ['PEER_NAME'],
      type: 'FWP_UNICODE_STRING_TYPE',
      matches: STRING_MATCHES,
      samples: same(
        '',
        'a',
        'example.com',
        'x'.repeat(31),
        'x'.repeat(32), // the writer and the reader switch method after 32 code units
        'y'.repeat(33),
        'Ünïcödé Zoë ÆØÅ',
        '日本語のホスト名',
        '😀', // one non-BMP character: a surrogate pair
        '𝄞 music 😀 emoji 𐐷',
        'a😀'.repeat(20),
        '😀'.repeat(16) + 'z', // a pair straddling code unit 32
        '\ud800', // lone surrogates are kept as code units
        'x\udc00y',
        'q'.repeat(40000) + '😀', // > 64 KiB: several arena chunks / reader windows
      ),
    },
  ];
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------

describe('round trip: condition values × match types (simulator)', () => {
  const appIdPaths: [string, string][] = [
    ['C:\\Windows\\System32\\svchost.exe', '\\device\\harddiskvolume3\\windows\\system32\\svchost.exe'],
    ['c:/Program Files/App/app.exe', '\\device\\harddiskvolume3\\program files\\app\\app.exe'],
    ['D:\\Users\\Zoë\\ÜNÏCÖDÉ\\日本語\\app.exe', '\\device\\harddiskvolume4\\users\\zoë\\ünïcödé\\日本語\\app.exe'],
    ['E:\\😀\\𝄞.exe', '\\device\\harddiskvolume5\\😀\\𝄞.exe'],
    ['\\\\server\\share\\tool.exe', '\\device\\mup\\server\\share\\tool.exe'],
    ['\\\\?\\C:\\' + 'Långt namn\\'.repeat(3000) + 'x.exe', '\\device\\harddiskvolume3\\' + 'långt namn\\'.repeat(3000) + 'x.exe'], // 33,000+ characters
  ];

  it('appIdFromFileName: non-ASCII, non-BMP and long paths come back as the NUL-terminated UTF-16 NT path', () => {
    using e = open();
    for (const [path, nt] of appIdPaths) {
      const id = e.appIdFromFileName(path);
      expect(id).toStrictEqual(utf16(nt + '\0'));
    }
  });

  it.each(groups([]).map((g) => [g.name, g.name] as const))('%s: every accepted match type, every field', async (_label, name) => {
    using e = open();
    const appIds: Sample[] = appIdPaths.map(([p]) => {
      const id = e.appIdFromFileName(p);
      return { value: id, back: Uint8Array.from(id) };
    });
    const g = groups(appIds).find((x) => x.name === name) as Group;
    const sublayer = await e.addSublayer({ key: newGuid(), name: 'roundtrip values', weight: nextWeight() });
    const c = new Checker(e);
    try {
      // one filter per sample: the sample under every accepted match type, on every field of the group
      for (const s of g.samples) {
        const conds: Cond[] = [];
        for (const field of g.fields) for (const match of g.matches) conds.push({ spec: { field, match, value: s.value }, back: s.back, type: g.type });
        await c.add({ name: `${g.type} ${String(conds.length)}`, layer: g.layer, sublayer, action: 'block' }, conds);
      }
      // ranges: match 'range' (also implied), on every field
      for (const r of g.ranges ?? []) {
        const conds: Cond[] = g.fields.flatMap((field) => [
          { spec: { field, match: 'range' as const, value: r.value }, back: r.back, type: g.type },
          { spec: { field, value: r.value }, back: r.back, type: g.type },
        ]);
        await c.add({ name: 'range', layer: g.layer, sublayer, action: 'permit' }, conds);
      }
      // all samples of the group in one filter (a long condition array with mixed pointers)
      const all: Cond[] = g.samples.map((s, i) => ({ spec: { field: g.fields[i % g.fields.length] as ConditionName, value: s.value }, back: s.back, type: g.type }));
      await c.add({ name: 'all samples', layer: g.layer, sublayer, action: 'permit' }, all);

      // every other match type reaches the engine as its FWP_MATCH_TYPE number and is refused there
      const first = g.samples[0] as Sample;
      for (const match of ALL_MATCHES) {
        if (g.matches.includes(match)) continue;
        const p = e.addFilter({ name: 'refused', layer: g.layer, sublayer, action: 'block', conditions: [{ field: g.fields[0] as ConditionName, match, value: first.value }] });
        if (match === 'range') await expect(p).rejects.toThrow(FwpmValidationError); // a scalar with 'range': refused before the call
        else if (match === 'prefix' || match === 'notPrefix') await expectEngineError(p, 'FWP_E_INVALID_ENUMERATOR'); // simulator: FWP_MATCH_TYPE_MAX is 11
        else await expectEngineError(p, 'FWP_E_MATCH_TYPE_MISMATCH');
      }
      // a range value with any match but 'range' is refused before the call
      if (g.ranges?.[0]) {
        await expect(
          e.addFilter({ name: 'refused', layer: g.layer, sublayer, action: 'block', conditions: [{ field: g.fields[0] as ConditionName, match: 'equal', value: g.ranges[0].value }] }),
        ).rejects.toThrow(/needs a single value/);
      }
      await c.enumeration(7);
    } finally {
      c.close();
    }
  });

  it('GUIDs as 16-byte values: the in-memory GUID layout, read back through an FWP_BYTE_ARRAY16_TYPE field', async () => {
    const g = checkCondition({ field: 'DCOM_APP_ID', value: '{00112233-4455-6677-8899-AABBCCDDEEFF}' }, 0).value;
    expect(g.type).toBe('FWP_BYTE_ARRAY16_TYPE');
    expect(Uint8Array.from(g.value as Uint8Array)).toStrictEqual(Uint8Array.from([0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]));
    const raw16 = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    expect(checkCondition({ field: 'RPC_IF_UUID', value: raw16 }, 0).value).toStrictEqual({ type: 'FWP_BYTE_ARRAY16_TYPE', value: raw16 });
    // the simulator's layers have no GUID-valued field: the GUID bytes go through an IPv6 one
    using e = open();
    const sublayer = await e.addSublayer({ key: newGuid(), name: 'guid bytes', weight: nextWeight() });
    const c = new Checker(e);
    try {
      const bytes = Uint8Array.from(g.value as Uint8Array);
      await c.add({ name: 'guid bytes', layer: V6, sublayer, action: 'block' }, [{ spec: { field: 'IP_REMOTE_ADDRESS', value: bytes }, back: bytes, type: 'FWP_BYTE_ARRAY16_TYPE' }]);
      await c.enumeration(1);
    } finally {
      c.close();
    }
  });

  it('types the simulator does not model are typed as documented (MAC, SID) and refused by its layers', async () => {
    expect(checkCondition({ field: 'MAC_LOCAL_ADDRESS', value: 'AA:bb:0c:0D:ee:ff' }, 0).value).toStrictEqual({ type: 'FWP_BYTE_ARRAY6_TYPE', value: Buffer.from('aabb0c0deeff', 'hex') });
    expect(checkCondition({ field: 'MAC_LOCAL_ADDRESS', value: 'aa-bb-cc-dd-ee-ff' }, 0).value.type).toBe('FWP_BYTE_ARRAY6_TYPE');
    const sid = Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0);
    expect(checkCondition({ field: 'ALE_PACKAGE_ID', value: sid }, 0).value).toStrictEqual({ type: 'FWP_SID', value: sid });
    using e = open();
    const sublayer = await e.addSublayer({ key: newGuid(), name: 'unmodelled', weight: nextWeight() });
    await expectEngineError(e.addFilter({ name: 'sid', layer: V4, sublayer, action: 'block', conditions: [{ field: 'ALE_PACKAGE_ID', value: sid }] }), 'FWP_E_CONDITION_NOT_FOUND');
  });

  it('values outside the accepted forms are refused before any native call (no signed types, no empty blobs, widths)', async () => {
    const signed = Object.values(CONDITIONS).filter((c) => c.dataTypes.some((t) => /^FWP_INT|FLOAT|DOUBLE/.test(t)));
    expect(signed).toStrictEqual([]); // no condition field takes a signed or floating value: ints are unsigned only
    using e = open();
    const sublayer = await e.addSublayer({ key: newGuid(), name: 'refused', weight: nextWeight() });
    const refused: [ConditionName, ConditionValue, LayerName][] = [
      ['IP_PROTOCOL', -1, V4],
      ['IP_PROTOCOL', 256, V4],
      ['IP_REMOTE_PORT', 65536, V4],
      ['IP_REMOTE_PORT', -1, V4],
      ['FLAGS', 2 ** 32, V4],
      ['FLAGS', -1, V4],
      ['IP_LOCAL_INTERFACE', -1n, V4],
      ['IP_LOCAL_INTERFACE', 1n << 64n, V4],
      ['ALE_APP_ID', new Uint8Array(0), V4], // an empty blob is refused by the typed API
      ['ALE_USER_ID', new Uint8Array(0), V4],
      ['IP_REMOTE_ADDRESS', new Uint8Array(15), V6],
      ['IP_REMOTE_ADDRESS', '10.0.0.0/33', V4],
      ['IP_REMOTE_ADDRESS', 'fe80::/129', V6],
      ['IP_REMOTE_ADDRESS', '::1', V4],
      ['IP_REMOTE_ADDRESS', '10.0.0.1', V6],
      ['PEER_NAME', 5, V4],
    ];
    for (const [field, value, layer] of refused) {
      await expect(e.addFilter({ name: 'bad', layer, sublayer, action: 'block', conditions: [{ field, value }] })).rejects.toThrow(FwpmValidationError);
    }
    // the engine's own checks see the values as written
    await expectEngineError(e.addFilter({ name: 'bad', layer: V4, sublayer, action: 'block', conditions: [{ field: 'IP_REMOTE_PORT', value: { range: [2, 1] } }] }), 'FWP_E_INVALID_RANGE');
    await expectEngineError(e.addFilter({ name: 'bad', layer: V4, sublayer, action: 'block', conditions: [{ field: 'IP_LOCAL_INTERFACE', value: { range: [U64_MAX, U64_MAX - 1n] } }] }), 'FWP_E_INVALID_RANGE');
    await expectEngineError(
      e.addFilter({ name: 'bad', layer: V4, sublayer, action: 'block', conditions: [{ field: 'IP_REMOTE_ADDRESS', value: { address: '10.0.0.0', mask: '255.0.255.0' } }] }),
      'FWP_E_INVALID_NET_MASK',
    );
  });
});

// Malformed values found while writing this file: each must be refused before any native call.
describe('malformed condition values are refused with FwpmValidationError', () => {
  it.each([
    ['a non-integer number for an integer field', { field: 'IP_PROTOCOL', value: 1.5 }, /not an integer/],
    ['NaN', { field: 'IP_PROTOCOL', value: Number.NaN }, /not an integer/],
    ["an empty prefix ('1.2.3.4/')", { field: 'IP_REMOTE_ADDRESS', value: '1.2.3.4/' }, /prefix length after \/ must be a number/],
    ['a prefix that is not a number', { field: 'IP_REMOTE_ADDRESS', value: '1.2.3.4/x8' }, /prefix length after \/ must be a number/],
    ["a mask that is not a dotted address ('banana')", { field: 'IP_REMOTE_ADDRESS', value: { address: '10.0.0.0', mask: 'banana' } }, /dotted IPv4 mask/],
    ['a mask and a prefix together', { field: 'IP_REMOTE_ADDRESS', value: { address: '10.0.0.0', mask: '255.0.0.0', prefix: 8 } }, /a mask or a prefix, not both/],
  ] as const)('%s', (_what, spec, message) => {
    expect(() => checkCondition(spec, 0, V4)).toThrow(FwpmValidationError);
    expect(() => checkCondition(spec, 0, V4)).toThrow(message);
  });

  it('a string with a NUL is refused (it would end the string early)', () => {
    expect(() => checkCondition({ field: 'IMAGE_NAME', value: 'a\0b' }, 0)).toThrow(/NUL character would end the string early/);
  });

  it('IPv6 text read back is RFC 5952: the longest zero run is compressed, not the first', async () => {
    using e = open();
    const sublayer = await e.addSublayer({ key: newGuid(), name: 'rfc5952', weight: nextWeight() });
    for (const [given, want] of [
      ['1:0:0:2:0:0:0:3/127', '1:0:0:2::3'],
      ['0:0:1:0:0:1:0:0/128', '::1:0:0:1:0:0'],
      ['2001:db8:0:1:1:1:1:1/64', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:0:0:0/0', '::'],
    ] as const) {
      const { key } = await e.addFilter({ name: given, layer: 'ALE_AUTH_CONNECT_V6', sublayer, action: 'block', conditions: [{ field: 'IP_REMOTE_ADDRESS', value: given }] });
      const back = await e.getFilter(key);
      expect((back.conditions[0]?.value as { address: string }).address).toBe(want);
    }
  });

  it('an IPv6 address with a mask is refused (IPv6 takes a prefix length)', () => {
    const spec = { field: 'IP_REMOTE_ADDRESS', value: { address: 'fd00::1', mask: '255.255.0.0' } } as const;
    expect(() => checkCondition(spec, 0, 'ALE_AUTH_CONNECT_V6')).toThrow(/takes a prefix length, not a mask/);
  });
});

describe('round trip: filter fields (simulator)', () => {
  it('names, descriptions, keys, weights, rawContext, provider, provider data, callout actions, flags', async () => {
    using e = open();
    const provider = await e.addProvider({ key: newGuid(), name: 'roundtrip provider' });
    const sublayer = await e.addSublayer({ key: newGuid(), name: 'roundtrip fields', weight: nextWeight() });
    const sublayer2 = await e.addSublayer({ key: newGuid(), name: 'roundtrip fields 2', weight: nextWeight() });
    const callouts: Record<string, Guid> = {};
    for (const layer of [V4, V6]) callouts[layer] = (await e.addCallout({ key: newGuid(), name: `callout ${layer}`, layer })).key;
    const c = new Checker(e);
    const port: Cond = { spec: { field: 'IP_REMOTE_PORT', value: 443 }, back: 443, type: 'FWP_UINT16' };
    const base = (extra: Partial<FilterSpec>): FilterSpec => ({ name: 'field test', layer: V4, sublayer, action: 'block', ...extra });
    try {
      // names and descriptions
      for (const name of ['n', 'x'.repeat(32), 'y'.repeat(33), 'Ünïcödé 日本語', '🔥 filter 𝄞', '😀'.repeat(16) + '!', '\ud83d', 'N'.repeat(40000) + '😀']) {
        await c.add(base({ name }), [port]);
      }
      for (const description of [undefined, '', 'd', 'z'.repeat(32), 'Beschreibung 😀 𐐷', 'D'.repeat(50000)]) {
        await c.add(base({ description }), [port]);
      }
      // keys: given in any case / with braces, or made by addFilter
      const k = newGuid();
      await c.add(base({ key: `{${k.toUpperCase()}}` }), [port]);
      await c.add(base({}), []);
      // weights: auto (by condition count, capped at 15), explicit UINT8 0..15, explicit UINT64
      const many: Cond[] = Array.from({ length: 20 }, (_, i) => ({ spec: { field: 'IP_REMOTE_PORT', value: i }, back: i, type: 'FWP_UINT16' as const }));
      for (const conds of [[], [port], many]) await c.add(base({}), conds);
      for (let w = 0; w <= 15; w++) await c.add(base({ weight: w }), w % 2 ? [port] : []);
      for (const w of [0n, 1n, 15n, 16n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, 1n << 60n, (1n << 63n) + 7n, U64_MAX]) await c.add(base({ weight: w }), [port]);
      // rawContext (UINT64 union member) incl. above 2^53
      for (const rawContext of [0n, 1n, 0xffffffffn, 1n << 32n, (1n << 53n) + 1n, 1n << 63n, U64_MAX, 0xdeadbeefcafebaben]) await c.add(base({ rawContext }), [port]);
      // provider and provider data
      await c.add(base({ provider }), [port]);
      await c.add(base({ provider, data: Uint8Array.of(7) }), [port]);
      await c.add(base({ data: seededBytes(70000, 9) }), [port]);
      // sublayers: explicit, another, the default (universal)
      await c.add(base({ sublayer: sublayer2 }), [port]);
      await c.add(base({ sublayer: undefined }), [port]);
      // actions: block, permit, callouts of each kind (v4 and v6 layers)
      await c.add(base({ action: 'permit' }), [port]);
      for (const layer of [V4, V6]) {
        for (const kind of [undefined, 'terminating', 'inspection', 'unknown'] as const) {
          await c.add(base({ layer, action: { callout: callouts[layer] as Guid, kind }, rawContext: U64_MAX - 2n, weight: 3n }), [port]);
        }
      }
      await c.add(base({ action: { callout: (callouts[V4] as string).toUpperCase() } }), [port]);
      // flags the simulator accepts in a dynamic session
      for (const flags of [0, 0x8, 0x10, 0x20, 0x40, 0x78]) await c.add(base({ flags }), [port]);
      // everything at once
      await c.add(
        base({
          key: newGuid(),
          name: 'all 😀',
          description: 'every field',
          provider,
          sublayer: sublayer2,
          weight: U64_MAX,
          rawContext: (1n << 64n) - 3n,
          flags: 0x28,
          data: Uint8Array.of(1, 2, 3),
          layer: V6,
          action: { callout: callouts[V6] as Guid, kind: 'inspection' },
        }),
        [
          { spec: { field: 'IP_REMOTE_ADDRESS', value: 'fd00::/8' }, back: { address: 'fd00::', prefix: 8 }, type: 'FWP_V6_ADDR_MASK' },
          { spec: { field: 'IP_LOCAL_INTERFACE', value: U64_MAX }, back: U64_MAX, type: 'FWP_UINT64' },
          { spec: { field: 'PEER_NAME', match: 'equalCaseInsensitive', value: 'Host 😀' }, back: 'Host 😀', type: 'FWP_UNICODE_STRING_TYPE' },
          { spec: { field: 'IP_LOCAL_PORT', value: { range: [1, 2] } }, back: { range: [1, 2] }, type: 'FWP_UINT16' },
          { spec: { field: 'ALE_USER_ID', value: SD }, back: Uint8Array.from(SD), type: 'FWP_SECURITY_DESCRIPTOR_TYPE' },
        ],
      );
      // weights the typed API refuses
      for (const w of [16, -1, 1.5, -1n, 1n << 64n]) await expect(e.addFilter(base({ weight: w }))).rejects.toThrow(FwpmValidationError);

      for (const pageSize of [1, 7, 1000]) await c.enumeration(pageSize);
      // deleting by id leaves the rest intact
      const victim = c.added.splice(3, 1)[0] as { key: Guid; expected: Filter };
      await e.deleteFilter(victim.expected.id);
      await c.enumeration(7);
    } finally {
      c.close();
    }
  });
});

describe('round trip: enumeration of 3,000 seeded random filters (simulator)', () => {
  const N = 3000;
  const SEED = 0x5eed_f11e;

  it('page sizes 1, 7 and 1000 return every filter, in order, exactly as added', async () => {
    const rnd = mulberry32(SEED);
    const int = (n: number): number => Math.floor(rnd() * n);
    const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)] as X;
    const u32 = (): number => Math.floor(rnd() * 2 ** 32);
    const u64 = (): bigint => (BigInt(u32()) << 32n) | BigInt(u32());
    const CHARS = ['a', 'b', 'Z', '0', ' ', '-', '.', 'é', 'Ж', '日', '😀', '𝄞', '\u0301'];
    const text = (max: number): string => Array.from({ length: int(max) }, () => pick(CHARS)).join('');

    using e = open();
    const provider = await e.addProvider({ key: newGuid(), name: 'random provider' });
    const sublayers = [await e.addSublayer({ key: newGuid(), name: 'r1', weight: nextWeight() }), await e.addSublayer({ key: newGuid(), name: 'r2', weight: nextWeight() })];
    const layers: LayerName[] = ['ALE_AUTH_CONNECT_V4', 'ALE_AUTH_CONNECT_V6', 'ALE_AUTH_RECV_ACCEPT_V4', 'ALE_AUTH_RECV_ACCEPT_V6', 'ALE_FLOW_ESTABLISHED_V4', 'ALE_FLOW_ESTABLISHED_V6'];
    const callouts = new Map<LayerName, Guid>();
    for (const layer of layers) callouts.set(layer, (await e.addCallout({ key: newGuid(), name: `c ${layer}`, layer })).key);
    const appIds = ['C:\\Windows\\System32\\svchost.exe', 'D:\\Zoë\\app.exe', 'E:\\😀\\x.exe'].map((p) => e.appIdFromFileName(p));

    const randomCond = (layer: LayerName): Cond => {
      const v6 = layer.endsWith('V6');
      const unsignedMatch = (): MatchType => pick(UNSIGNED_MATCHES);
      for (;;) {
        switch (int(11)) {
          case 0: {
            const v = int(256);
            return { spec: { field: 'IP_PROTOCOL', match: unsignedMatch(), value: v }, back: v, type: 'FWP_UINT8' };
          }
          case 1: {
            const a = int(65536);
            const b = int(65536);
            const lo = Math.min(a, b);
            const hi = Math.max(a, b);
            return rnd() < 0.5
              ? { spec: { field: pick(['IP_REMOTE_PORT', 'IP_LOCAL_PORT'] as const), match: unsignedMatch(), value: a }, back: a, type: 'FWP_UINT16' }
              : { spec: { field: 'IP_LOCAL_PORT', value: { range: [lo, hi] } }, back: { range: [lo, hi] }, type: 'FWP_UINT16' };
          }
          case 2: {
            const v = u32();
            return { spec: { field: pick(['FLAGS', 'INTERFACE_TYPE'] as const), match: unsignedMatch(), value: v }, back: v, type: 'FWP_UINT32' };
          }
          case 3: {
            const v = u64();
            const w = u64();
            return rnd() < 0.7
              ? { spec: { field: 'IP_LOCAL_INTERFACE', match: unsignedMatch(), value: v }, back: v, type: 'FWP_UINT64' }
              : { spec: { field: 'IP_LOCAL_INTERFACE', value: { range: v < w ? [v, w] : [w, v] } }, back: { range: v < w ? [v, w] : [w, v] }, type: 'FWP_UINT64' };
          }
          case 4: {
            const field = pick(['IP_REMOTE_ADDRESS', 'IP_LOCAL_ADDRESS'] as const);
            if (v6) {
              const b = seededBytes(16, u32());
              const text6 = v6FromBytes(b);
              const form = int(3);
              if (form === 0) return { spec: { field, match: pick(ARRAY16_MATCHES), value: text6 }, back: b, type: 'FWP_BYTE_ARRAY16_TYPE' };
              if (form === 1) return { spec: { field, value: b }, back: Uint8Array.from(b), type: 'FWP_BYTE_ARRAY16_TYPE' };
              const prefix = int(129);
              return { spec: { field, match: pick(EQUALITY_MATCHES), value: `${text6}/${prefix}` }, back: { address: text6, prefix }, type: 'FWP_V6_ADDR_MASK' };
            }
            const a = u32();
            if (rnd() < 0.5) return { spec: { field, match: unsignedMatch(), value: dotted(a) }, back: dotted(a), type: 'FWP_UINT32' };
            const prefix = int(33);
            return { spec: { field, match: pick(EQUALITY_MATCHES), value: `${dotted(a)}/${prefix}` }, back: { address: dotted(a), mask: maskOf(prefix) }, type: 'FWP_V4_ADDR_MASK' };
          }
          case 5: {
            const b = rnd() < 0.5 ? pick(appIds) : seededBytes(1 + int(300), u32());
            return { spec: { field: 'ALE_APP_ID', match: pick(EQUALITY_MATCHES), value: b }, back: Uint8Array.from(b), type: 'FWP_BYTE_BLOB_TYPE' };
          }
          case 6: {
            const b = rnd() < 0.5 ? SD : seededBytes(1 + int(100), u32());
            return { spec: { field: pick(['ALE_USER_ID', 'ALE_REMOTE_USER_ID'] as const), match: pick(EQUALITY_MATCHES), value: b }, back: Uint8Array.from(b), type: 'FWP_SECURITY_DESCRIPTOR_TYPE' };
          }
          case 7: {
            if (!layer.startsWith('ALE_AUTH_CONNECT')) continue;
            const s = text(50);
            return { spec: { field: 'PEER_NAME', match: pick(STRING_MATCHES), value: s }, back: s, type: 'FWP_UNICODE_STRING_TYPE' };
          }
          case 8: {
            const v = int(256);
            return { spec: { field: 'IP_LOCAL_ADDRESS_TYPE', value: v }, back: v, type: 'FWP_UINT8' };
          }
          case 9: {
            if (v6) continue;
            const a = u32();
            const b = u32();
            const [lo, hi] = a < b ? [a, b] : [b, a];
            return { spec: { field: 'IP_REMOTE_ADDRESS', value: { range: [dotted(lo), dotted(hi)] } }, back: { range: [lo, hi] }, type: 'FWP_UINT32' };
          }
          default: {
            if (!v6) continue;
            const a = seededBytes(16, u32());
            const b = seededBytes(16, u32());
            const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
            return { spec: { field: 'IP_LOCAL_ADDRESS', value: { range: [v6FromBytes(lo), v6FromBytes(hi)] } }, back: { range: [lo, hi] }, type: 'FWP_BYTE_ARRAY16_TYPE' };
          }
        }
      }
    };

    const specs: { spec: FilterSpec; conds: Cond[] }[] = [];
    for (let i = 0; i < N; i++) {
      const layer = pick(layers);
      const conds = Array.from({ length: int(6) }, () => randomCond(layer));
      const w = int(3);
      const a = int(4);
      specs.push({
        spec: {
          key: newGuid(), // fresh keys (the content is what the seed fixes)
          name: `f${String(i)} ${text(40)}`,
          description: rnd() < 0.3 ? undefined : text(60),
          layer,
          sublayer: rnd() < 0.1 ? undefined : pick(sublayers),
          provider: rnd() < 0.2 ? provider : undefined,
          weight: w === 0 ? undefined : w === 1 ? int(16) : u64(),
          rawContext: rnd() < 0.5 ? u64() : undefined,
          flags: pick([0, 0x8, 0x20, 0x40, 0x68]),
          data: rnd() < 0.05 ? seededBytes(1 + int(64), u32()) : undefined,
          action: a === 0 ? 'block' : a === 1 ? 'permit' : { callout: callouts.get(layer) as Guid, kind: pick([undefined, 'terminating', 'inspection', 'unknown'] as const) },
          conditions: conds.map((c) => c.spec),
        },
        conds,
      });
    }
    const ids = await e.addFilters(specs.map((s) => s.spec));
    expect(ids).toHaveLength(N);

    const c = new Checker(e);
    try {
      // every filter by key, by id and through the raw decoder (this also records the expected order)
      for (let i = 0; i < N; i++) {
        const s = specs[i] as { spec: FilterSpec; conds: Cond[] };
        await c.check(s.spec, ids[i] as { key: Guid; id: FilterId }, s.conds);
      }
      const idSet = new Set<bigint>(ids.map((x) => x.id));
      const pages: Filter[][] = [];
      for (const pageSize of [1, 7, 1000]) {
        await c.enumeration(pageSize);
        pages.push((await collect(e.filters({ pageSize }))).filter((f) => idSet.has(f.id)));
      }
      expect(pages[1]).toStrictEqual(pages[0]);
      expect(pages[2]).toStrictEqual(pages[0]);
      // with a layer template: the same filters of that layer, same order
      for (const layer of layers) {
        const want = c.added.filter((a) => a.expected.layer === LAYERS[layer].key).map((a) => a.expected);
        const wantKeys = new Set<string>(want.map((x) => x.key));
        for (const pageSize of [1, 7, 1000]) {
          const got = (await collect(e.filters({ layer, pageSize }))).filter((f) => wantKeys.has(f.key));
          expect(got.map(normFilter)).toStrictEqual(want);
        }
      }
    } finally {
      c.close();
    }
  });
});
