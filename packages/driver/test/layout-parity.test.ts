// Layout parity of the two kernel header sets the glue is compiled against:
//   compat/ (fwpsk.h, fwptypes_k.h, ndis.h; the MinGW-w64 build of wfpkit.sys, with MinGW's ddk/)
//   packages/simulator/native/wdk/ (fwpsk.h, fwptypes.h, ndis.h; the host build inside libwfpsim)
// Both declare the same WFP/NDIS types separately, so a fix in one could silently diverge from
// the other. One generated probe lists sizeof(T), offsetof(T, m) and sizeof(T.m) for every
// member both sets declare, and every FWP_/FWPS_ constant both define. It is compiled with
// MinGW as scripts/build-mingw.js compiles the glue (values read back from .rdata with objdump,
// nothing is run) and with the host compiler as the simulator's CMake compiles it (-std=c99,
// -fshort-wchar; the host probe is run and prints its values). The lists must be equal.
// A third build, against a copy of compat/ with one member widened, shows a difference is found.
// On CI a missing cross compiler fails; elsewhere the MinGW comparisons are skipped.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const pkg = path.resolve(__dirname, '..');
const compatDir = path.join(pkg, 'compat');
const simNative = path.join(pkg, '..', 'simulator', 'native');
const wdkDir = path.join(simNative, 'wdk');
const prefix = process.env.MINGW_PREFIX ?? 'x86_64-w64-mingw32-';
const crossCc = `${prefix}gcc`;
const crossObjdump = `${prefix}objdump`;
const hostCc = process.env.CC ?? 'cc';
const inCi = Boolean(process.env.CI);
const haveMingw =
  childProcess.spawnSync(crossCc, ['--version']).status === 0 &&
  childProcess.spawnSync(crossObjdump, ['--version']).status === 0;
if (!haveMingw && !inCi) {
  console.warn(`layout-parity.test.ts: ${crossCc} (or ${crossObjdump}) not found, compat/ vs wdk/ comparison SKIPPED.`);
}
const itMingw = haveMingw || inCi ? it : it.skip;

const START = 0x57504152495459a1n;
const END = 0x57504152495459a2n;

/** One probe value: a label and its C expression under each header set. */
interface Entry {
  label: string;
  compat: string;
  wdk: string;
}

/** A member, or one whose path differs: [label name, compat path, wdk path]. */
type Member = string | [string, string, string];

interface StructSpec {
  type: string;
  members: Member[];
  /** false when one set declares only the head of the struct (the size then differs by design). */
  size: boolean;
}

// Every struct both sets declare, with the members both declare (in declaration order).
const FWP_VALUE0_MEMBERS = [
  'type', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float32', 'double64',
  'byteArray16', 'byteBlob', 'sid', 'sd', 'tokenInformation', 'tokenAccessInformation', 'unicodeString', 'byteArray6',
];
const STRUCTS: StructSpec[] = [
  { type: 'FWP_BYTE_ARRAY16', members: ['byteArray16'], size: true },
  { type: 'FWP_BYTE_ARRAY6', members: ['byteArray6'], size: true },
  { type: 'FWP_BYTE_BLOB', members: ['size', 'data'], size: true },
  { type: 'FWP_VALUE0', members: FWP_VALUE0_MEMBERS, size: true },
  // compat: a typedef of FWP_VALUE0; wdk: the full union (v4AddrMask, v6AddrMask, rangeValue too).
  { type: 'FWP_CONDITION_VALUE0', members: FWP_VALUE0_MEMBERS, size: true },
  { type: 'FWPS_INCOMING_VALUE0', members: ['value'], size: true },
  { type: 'FWPS_INCOMING_VALUES0', members: ['layerId', 'valueCount', 'incomingValue'], size: true },
  { type: 'FWPS_DISCARD_METADATA0', members: ['discardModule', 'discardReason', 'filterId'], size: true },
  // compat declares the head only, up to processId (WFP allocates it; the driver never sizes it).
  {
    type: 'FWPS_INCOMING_METADATA_VALUES0',
    members: ['currentMetadataValues', 'flags', 'reserved', 'discardMetadata', 'flowHandle', 'ipHeaderSize',
      'transportHeaderSize', 'processPath', 'token', 'processId'],
    size: false,
  },
  { type: 'FWPS_ACTION0', members: ['type', 'calloutId'], size: true },
  { type: 'FWPS_FILTER_CONDITION0', members: ['fieldId', 'reserved', 'matchType', 'conditionValue'], size: true },
  {
    type: 'FWPS_FILTER1',
    members: ['filterId', 'weight', 'subLayerWeight', 'flags', 'numFilterConditions', 'filterCondition', 'action',
      'context', 'providerContext'],
    size: true,
  },
  { type: 'FWPS_CLASSIFY_OUT0', members: ['actionType', 'outContext', 'filterId', 'rights', 'flags', 'reserved'], size: true },
  { type: 'FWPS_CALLOUT1', members: ['calloutKey', 'flags', 'classifyFn', 'notifyFn', 'flowDeleteFn'], size: true },
  { type: 'FWPS_STREAM_DATA_OFFSET0', members: ['netBufferList', 'netBuffer', 'mdl', 'mdlOffset', 'streamDataOffset'], size: true },
  { type: 'FWPS_STREAM_DATA0', members: ['flags', 'dataOffset', 'dataLength', 'netBufferListChain'], size: true },
  {
    type: 'FWPS_STREAM_CALLOUT_IO_PACKET0',
    members: ['streamData', 'missedBytes', 'countBytesRequired', 'countBytesEnforced', 'streamAction'],
    size: true,
  },
  // compat declares the NDIS 6 heads only; its data-length union is named (DataLengthU), wdk's anonymous.
  {
    type: 'NET_BUFFER',
    members: ['Next', 'CurrentMdl', 'CurrentMdlOffset', ['DataLength', 'DataLengthU.DataLength', 'DataLength'],
      ['stDataLength', 'DataLengthU.stDataLength', 'stDataLength'], 'MdlChain', 'DataOffset'],
    size: false,
  },
  { type: 'NET_BUFFER_LIST', members: ['Next', 'FirstNetBuffer'], size: false },
];

// Types both sets declare whose size alone is compared (enums, scalar and function-pointer typedefs).
const SIZE_ONLY = [
  'FWP_DATA_TYPE', 'FWP_MATCH_TYPE', 'FWP_DIRECTION', 'FWP_ACTION_TYPE', 'FWPS_BUILTIN_LAYERS',
  'FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V4', 'FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V6', 'FWPS_DISCARD_MODULE0',
  'FWPS_CALLOUT_NOTIFY_TYPE', 'FWPS_STREAM_ACTION_TYPE', 'FWPS_CALLOUT_CLASSIFY_FN1', 'FWPS_CALLOUT_NOTIFY_FN1',
  'FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0', 'PNET_BUFFER', 'PNET_BUFFER_LIST',
  // packet tagging
  'FWPS_NET_BUFFER_LIST_EVENT_TYPE0', 'FWPS_NET_BUFFER_LIST_NOTIFY_FN0', 'FWPS_NET_BUFFER_LIST_NOTIFY_FN1',
];

const HEADERS = {
  compat: ['fwpsk.h', 'fwptypes_k.h', 'ndis.h'].map((f) => path.join(compatDir, f)),
  wdk: ['fwpsk.h', 'fwptypes.h', 'ndis.h'].map((f) => path.join(wdkDir, f)),
};

/** C source without comments. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** FWP_/FWPS_ object-like macros and enumerators a header set defines. */
function constantNames(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const src = stripComments(fs.readFileSync(f, 'utf8'));
    for (const m of src.matchAll(/^\s*#\s*define\s+(FWPS?_[A-Z0-9_]+)[ \t]+\S/gm)) names.add(m[1] ?? '');
    for (const body of src.matchAll(/\benum\s+\w*\s*\{([^}]*)\}/g)) {
      const text = body[1] ?? '';
      for (const m of text.matchAll(/\b(FWPS?_[A-Z0-9_]+)\s*(?==|,|$)/g)) names.add(m[1] ?? '');
      // enumerators generated by a macro, e.g. wdk's WS_K_FLOW_FIELDS(V4)
      for (const call of text.matchAll(/\b(WS_K_[A-Z_]+)\((\w+)\)/g)) {
        const def = new RegExp(`#\\s*define\\s+${call[1] ?? ''}\\(V\\)((?:[^\\n]*\\\\\\n)*[^\\n]*)`).exec(src);
        for (const m of (def?.[1] ?? '').matchAll(/\b(FWPS?_[A-Z0-9_]+)##V##([A-Z0-9_]+)/g)) {
          names.add(`${m[1] ?? ''}${call[2] ?? ''}${m[2] ?? ''}`);
        }
      }
    }
  }
  names.delete('');
  return names;
}

/** Type names a header set declares (typedef ... } NAME; and typedef struct tag NAME, *PNAME;). */
function typeNames(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const src = stripComments(fs.readFileSync(f, 'utf8'));
    for (const m of src.matchAll(/\}\s*(?:DECLSPEC_ALIGN\(\w+\)\s*)?([A-Z][A-Z0-9_]*)\s*(?:,\s*\*\s*([A-Z][A-Z0-9_]*)\s*)?;/g)) {
      names.add(m[1] ?? '');
      if (m[2]) names.add(m[2]);
    }
    for (const m of src.matchAll(/typedef\s+struct\s+\w+\s+([A-Z][A-Z0-9_]*)\s*(?:,\s*\*\s*([A-Z][A-Z0-9_]*)\s*)?;/g)) {
      names.add(m[1] ?? '');
      if (m[2]) names.add(m[2]);
    }
    for (const m of src.matchAll(/typedef\s+[^;(]*\(\s*NTAPI\s*\*\s*([A-Z][A-Z0-9_]*)\s*\)/g)) names.add(m[1] ?? '');
    for (const m of src.matchAll(/typedef\s+\w+\s+([A-Z][A-Z0-9_]*)\s*;/g)) names.add(m[1] ?? '');
  }
  names.delete('');
  return names;
}

function intersect(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((n) => b.has(n)).sort();
}

/** The probe's entries: struct sizes, member offsets and sizes, then the shared constants. */
function entries(constants: string[]): Entry[] {
  const list: Entry[] = [];
  const both = (label: string, expr: string): void => {
    list.push({ label, compat: expr, wdk: expr });
  };
  for (const s of STRUCTS) {
    if (s.size) both(`sizeof(${s.type})`, `sizeof(${s.type})`);
    for (const m of s.members) {
      const [name, c, w] = typeof m === 'string' ? [m, m, m] : m;
      list.push({ label: `offsetof(${s.type}, ${name})`, compat: `__builtin_offsetof(${s.type}, ${c})`, wdk: `__builtin_offsetof(${s.type}, ${w})` });
      list.push({ label: `sizeof(${s.type}.${name})`, compat: `sizeof(((${s.type} *)0)->${c})`, wdk: `sizeof(((${s.type} *)0)->${w})` });
    }
  }
  for (const t of SIZE_ONLY) both(`sizeof(${t})`, `sizeof(${t})`);
  for (const c of constants) both(c, `(unsigned long long)(${c})`);
  return list;
}

function probeSource(list: Entry[], side: 'compat' | 'wdk', withMain: boolean): string {
  const values = [`0x${START.toString(16)}ull`, ...list.map((e) => `(unsigned long long)(${e[side]})`), `0x${END.toString(16)}ull`];
  const lines = [
    '/* generated by packages/driver/test/layout-parity.test.ts; includes as src/win/wk_win.h */',
    '#include <ntddk.h>',
    '#include <wdmsec.h>',
    '#include <ndis.h>',
    '#include <fwpsk.h>',
    '#include <fwpmk.h>',
    `const unsigned long long wk_parity_v[${values.length}] = {`,
    ...values.map((v) => `    ${v},`),
    '};',
  ];
  if (withMain) {
    lines.push(
      'int printf(const char *, ...);',
      'int main(void) {',
      '    for (unsigned i = 0; i < sizeof(wk_parity_v) / sizeof(wk_parity_v[0]); i++) printf("%llu\\n", wk_parity_v[i]);',
      '    return 0;',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

function sh(cmd: string, args: string[]): string {
  const r = childProcess.spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed\n${String(r.stdout)}${String(r.stderr)}${r.error?.message ?? ''}`);
  }
  return r.stdout;
}

/** MinGW's ddk folder, found as scripts/build-mingw.js finds it. */
function ddkDir(): string {
  const r = childProcess.spawnSync(crossCc, ['-E', '-Wp,-v', '-x', 'c', '-'], { input: '', encoding: 'utf8' });
  for (const d of String(r.stderr).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/'))) {
    if (fs.existsSync(path.join(d, 'ddk', 'ntddk.h'))) return path.join(d, 'ddk');
  }
  throw new Error(`${crossCc} has no ddk/ntddk.h on its include path`);
}

/** The probe values under compat/ (or a copy of it), compiled as build-mingw.js compiles the glue. */
function mingwValues(dir: string, list: Entry[], compat: string): bigint[] {
  const src = path.join(dir, 'probe-mingw.c');
  const obj = path.join(dir, 'probe-mingw.o');
  fs.writeFileSync(src, probeSource(list, 'compat', false));
  sh(crossCc, [
    '-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', '-fno-stack-protector', '-mno-stack-arg-probe', '-DWK_TARGET_WIN8=1',
    '-I', compat, '-I', path.join(pkg, 'include'), '-I', path.join(pkg, 'src', 'core'), '-I', path.join(pkg, 'src', 'win'),
    '-isystem', ddkDir(), '-c', src, '-o', obj,
  ]);
  const bytes: number[] = [];
  for (const line of sh(crossObjdump, ['-s', '-j', '.rdata', obj]).split('\n')) {
    const m = /^ [0-9a-f]{4,} ((?:[0-9a-f]{2,8} ){1,4})/.exec(line);
    if (m?.[1]) for (const word of m[1].trim().split(' ')) for (let i = 0; i < word.length; i += 2) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  const buf = Buffer.from(bytes);
  for (let at = 0; at + 8 <= buf.length; at += 8) {
    if (buf.readBigUInt64LE(at) !== START) continue;
    const vals: bigint[] = [];
    for (let i = at + 8; i + 8 <= buf.length; i += 8) {
      const v = buf.readBigUInt64LE(i);
      if (v === END) return vals;
      vals.push(v);
    }
  }
  throw new Error(`the probe array was not found in the .rdata of ${obj}`);
}

/** The probe values under the simulator's wdk/, compiled as its CMake compiles the driver, then run. */
function hostValues(dir: string, list: Entry[]): bigint[] {
  const src = path.join(dir, 'probe-host.c');
  const exe = path.join(dir, 'probe-host');
  fs.writeFileSync(src, probeSource(list, 'wdk', true));
  sh(hostCc, [
    '-std=c99', '-Wall', '-Wextra', '-Werror', '-fshort-wchar', '-fvisibility=hidden', '-fPIC', '-DWK_SIMULATED=1',
    '-I', wdkDir, '-I', path.join(simNative, 'include'),
    '-I', path.join(pkg, 'include'), '-I', path.join(pkg, 'src', 'core'), '-I', path.join(pkg, 'src', 'win'),
    src, '-o', exe,
  ]);
  const vals = sh(exe, []).trim().split('\n').map((s) => BigInt(s));
  expect(vals[0]).toBe(START);
  expect(vals[vals.length - 1]).toBe(END);
  return vals.slice(1, -1);
}

interface Difference {
  label: string;
  compat: bigint;
  wdk: bigint;
}

/** Every entry whose value differs, in probe order (the first names the first differing member). */
function compare(list: Entry[], compat: bigint[], wdk: bigint[]): Difference[] {
  if (compat.length !== list.length || wdk.length !== list.length) {
    throw new Error(`probe lengths differ: ${list.length} entries, compat ${compat.length}, wdk ${wdk.length} values`);
  }
  return list
    .map((e, i) => ({ label: e.label, compat: compat[i] ?? -1n, wdk: wdk[i] ?? -1n }))
    .filter((d) => d.compat !== d.wdk);
}

function describeDiffs(diffs: Difference[]): string {
  return diffs.map((d) => `${d.label}: compat ${d.compat}, wdk ${d.wdk}`).join('\n');
}

const sharedConstants = intersect(constantNames(HEADERS.compat), constantNames(HEADERS.wdk));
const sharedTypes = intersect(typeNames(HEADERS.compat), typeNames(HEADERS.wdk));
const LIST = entries(sharedConstants);

describe('compat/ and simulator wdk/ kernel headers agree', () => {
  it('the probe covers every type and constant both header sets declare', () => {
    const covered = new Set([...STRUCTS.map((s) => s.type), ...SIZE_ONLY]);
    expect(sharedTypes.filter((t) => !covered.has(t))).toEqual([]);
    expect([...covered].filter((t) => !sharedTypes.includes(t))).toEqual([]);
    for (const prefixName of ['FWPS_LAYER_', 'FWPS_FIELD_ALE_FLOW_ESTABLISHED_', 'FWPS_METADATA_FIELD_', 'FWPS_STREAM_FLAG_', 'FWP_ACTION_']) {
      expect(sharedConstants.filter((c) => c.startsWith(prefixName)).length).toBeGreaterThan(0);
    }
    expect(sharedConstants.filter((c) => c.startsWith('FWPS_LAYER_'))).toHaveLength(56);
    expect(sharedConstants.filter((c) => c.startsWith('FWPS_FIELD_ALE_FLOW_ESTABLISHED_'))).toHaveLength(34);
    // Every FWPS_FIELD_* the glue uses is one both sets define.
    const used = new Set<string>();
    for (const f of fs.readdirSync(path.join(pkg, 'src', 'win')).filter((n) => /\.[ch]$/.test(n))) {
      for (const m of fs.readFileSync(path.join(pkg, 'src', 'win', f), 'utf8').matchAll(/\bFWPS_(?:FIELD|LAYER|METADATA_FIELD|STREAM_FLAG)_[A-Z0-9_]+\b/g)) used.add(m[0]);
    }
    expect([...used].filter((n) => !sharedConstants.includes(n))).toEqual([]);
  });

  itMingw('every shared size, member offset, member size and constant is equal', () => {
    if (!haveMingw) throw new Error(`CI is set and ${crossCc} (or ${crossObjdump}) is missing: install mingw-w64`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-layout-parity-'));
    try {
      const compat = mingwValues(dir, LIST, compatDir);
      const wdk = hostValues(dir, LIST);
      const diffs = compare(LIST, compat, wdk);
      if (diffs.length > 0) throw new Error(`compat/ and wdk/ differ; first: ${diffs[0]?.label}\n${describeDiffs(diffs)}`);
      expect(LIST.length).toBeGreaterThan(250);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  itMingw('a widened member in one set is reported by name', () => {
    if (!haveMingw) throw new Error(`CI is set and ${crossCc} (or ${crossObjdump}) is missing: install mingw-w64`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfpkit-layout-parity-'));
    try {
      const copy = path.join(dir, 'compat');
      fs.mkdirSync(copy);
      for (const f of fs.readdirSync(compatDir).filter((n) => n.endsWith('.h'))) fs.copyFileSync(path.join(compatDir, f), path.join(copy, f));
      // FWPS_INCOMING_VALUES0.layerId UINT16 -> UINT32: no offset or struct size moves (valueCount
      // stays at 4), so only the member-size entry can catch it; compat's pins still compile.
      const fwpsk = path.join(copy, 'fwpsk.h');
      const text = fs.readFileSync(fwpsk, 'utf8');
      const widened = text.replace(/(FWPS_INCOMING_VALUES0_ \{\s*)UINT16 layerId;/, '$1UINT32 layerId;');
      expect(widened).not.toBe(text);
      fs.writeFileSync(fwpsk, widened);
      const diffs = compare(LIST, mingwValues(dir, LIST, copy), hostValues(dir, LIST));
      expect(diffs).toEqual([{ label: 'sizeof(FWPS_INCOMING_VALUES0.layerId)', compat: 4n, wdk: 2n }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
