/** Writes packages/ioctl-client/src/contract.generated.ts from the schema. */
import { ACCESS_VALUE, METHOD_VALUE, ctlCode, layOut, maxRecordSize, screamingSnake } from './layout';
import type { LaidOutField, LaidOutStruct } from './layout';
import type { ContractSchema, RecordDef } from './types';

const GET = { u8: 'getUint8', u16: 'getUint16', u32: 'getUint32', u64: 'getBigUint64' } as const;
const SET = { u8: 'setUint8', u16: 'setUint16', u32: 'setUint32', u64: 'setBigUint64' } as const;
const BITS = { u8: 8, u16: 16, u32: 32, u64: 64 } as const;

const doc = (text: string, indent = ''): string => `${indent}/** ${text.replace(/\*\//g, '* /')} */`;
const q = (s: string): string => JSON.stringify(s);
const constName = (name: string): string => screamingSnake(name);

function tsType(f: LaidOutField): string {
  switch (f.kind) {
    case 'prim':
      return f.prim === 'u64' ? 'bigint' : 'number';
    case 'bytes':
      return 'Uint8Array';
    case 'struct':
      return f.struct.def.name;
  }
}

function isRecord(s: LaidOutStruct): s is LaidOutStruct & { def: RecordDef } {
  return 'eventName' in s.def;
}

/** Fields the TS object carries: reserved fields and tail length fields are the codec's business. */
function visibleFields(s: LaidOutStruct): LaidOutField[] {
  const lengths = new Set(isRecord(s) ? s.def.tail.map((t) => t.lengthField) : []);
  return s.fields.filter((f) => !f.def.reserved && !lengths.has(f.def.name));
}

function emitInterface(s: LaidOutStruct): string {
  const lines = [doc(s.def.doc), `export interface ${s.def.name} {`];
  if (isRecord(s)) lines.push(`  /** Record kind (header.type as a name). */\n  kind: ${q(s.def.eventName)};`);
  for (const f of visibleFields(s)) {
    const values = f.def.values ? ` Values: {@link ${f.def.values}}.` : '';
    lines.push(doc(`${f.def.doc}${values}`, '  '));
    lines.push(`  ${f.def.name}: ${tsType(f)};`);
  }
  if (isRecord(s)) {
    for (const t of s.def.tail) {
      lines.push(doc(`${t.doc} (at most ${t.max} bytes${t.encoding === 'bytes' ? '' : ` of ${t.encoding}`})`, '  '));
      lines.push(`  ${t.name}: ${t.encoding === 'bytes' ? 'Uint8Array' : 'string'};`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

function emitDecode(s: LaidOutStruct): string {
  const n = s.def.name;
  const lines: string[] = [];
  const rec = isRecord(s);
  lines.push(doc(`Decodes a {@link ${n}} from \`view\` at \`offset\`${rec ? '; checks the header size and every tail length against the record and the view' : ''}.`));
  lines.push(`export function decode${n}(view: DataView, offset = 0): ${n} {`);
  lines.push(`  need(view, offset, ${s.size}, ${q(n)});`);
  if (rec) {
    const r = s.def as RecordDef;
    lines.push(`  const size = view.getUint32(offset + 4, true);`);
    lines.push(`  if (size < ${s.size} || size % 8 !== 0 || offset + size > view.byteLength) throw new RecordDecodeError(${q(n)}, offset, \`header.size \${size} is not a multiple of 8 between ${s.size} and the \${view.byteLength - offset} bytes left\`);`);
    lines.push(`  let tail = offset + ${s.size};`);
    for (const t of r.tail) {
      const lf = s.fields.find((f) => f.def.name === t.lengthField);
      lines.push(`  const ${t.name}Length = view.getUint16(offset + ${lf?.offset}, true);`);
      const even = t.encoding === 'utf16le' ? ` || ${t.name}Length % 2 !== 0` : '';
      lines.push(`  if (${t.name}Length > ${t.max}${even} || tail + ${t.name}Length > offset + size) throw new RecordDecodeError(${q(n)}, offset, \`${t.name} length \${${t.name}Length} does not fit the record\`);`);
      const reader = t.encoding === 'bytes' ? 'readBytes' : t.encoding === 'utf8' ? 'readUtf8' : 'readUtf16';
      lines.push(`  const ${t.name} = ${reader}(view, tail, ${t.name}Length);`);
      lines.push(`  tail += ${t.name}Length;`);
    }
  }
  lines.push('  return {');
  if (rec) lines.push(`    kind: ${q((s.def as RecordDef).eventName)},`);
  for (const f of visibleFields(s)) {
    let expr: string;
    if (f.kind === 'prim') expr = `view.${GET[f.prim]}(offset + ${f.offset}${f.prim === 'u8' ? '' : ', true'})`;
    else if (f.kind === 'bytes') expr = `readBytes(view, offset + ${f.offset}, ${f.size})`;
    else expr = `decode${f.struct.def.name}(view, offset + ${f.offset})`;
    lines.push(`    ${f.def.name}: ${expr},`);
  }
  if (rec) for (const t of (s.def as RecordDef).tail) lines.push(`    ${t.name},`);
  lines.push('  };');
  lines.push('}');
  return lines.join('\n');
}

function emitEncode(s: LaidOutStruct): string {
  const n = s.def.name;
  const rec = isRecord(s);
  const lines: string[] = [];
  if (rec) {
    const r = s.def as RecordDef;
    lines.push(doc(`Size in bytes of the encoded {@link ${n}} \`value\` (fixed part, tail, padding to 8).`));
    lines.push(`export function sizeOf${n}(value: ${n}): number {`);
    const parts = r.tail.map((t) => (t.encoding === 'utf16le' ? `value.${t.name}.length * 2` : t.encoding === 'utf8' ? `utf8Length(value.${t.name})` : `value.${t.name}.length`));
    lines.push(`  return align8(${[String(s.size), ...parts].join(' + ')});`);
    lines.push('}');
    lines.push(doc(`Encodes a {@link ${n}} into \`view\` at \`offset\` and returns the bytes written. header.type, header.size and the tail lengths are computed from the value; a tail member longer than its maximum is refused.`));
  } else {
    lines.push(doc(`Encodes a {@link ${n}} into \`view\` at \`offset\` (${s.size} bytes); reserved fields are written as zero.`));
  }
  lines.push(`export function encode${n}(view: DataView, offset: number, value: ${n}): number {`);
  lines.push(`  room(view, offset, ${rec ? `sizeOf${n}(value)` : s.size}, ${q(n)});`);
  if (rec) {
    const r = s.def as RecordDef;
    lines.push(`  const size = sizeOf${n}(value);`);
    lines.push(`  let tail = offset + ${s.size};`);
    for (const t of r.tail) {
      const writer = t.encoding === 'bytes' ? 'writeBytes' : t.encoding === 'utf8' ? 'writeUtf8' : 'writeUtf16';
      const lf = s.fields.find((f) => f.def.name === t.lengthField);
      lines.push(`  const ${t.name}Length = ${writer}(view, tail, value.${t.name}, ${t.max}, ${q(`${n}.${t.name}`)});`);
      lines.push(`  view.setUint16(offset + ${lf?.offset}, ${t.name}Length, true);`);
      lines.push(`  tail += ${t.name}Length;`);
    }
    lines.push(`  zero(view, tail, offset + size - tail);`);
  }
  for (const f of s.fields) {
    const where = q(`${n}.${f.def.name}`);
    if (rec && (s.def as RecordDef).tail.some((t) => t.lengthField === f.def.name)) continue;
    if (f.def.reserved) {
      lines.push(`  zero(view, offset + ${f.offset}, ${f.size});`);
      continue;
    }
    if (f.kind === 'prim') {
      const check = f.prim === 'u64' ? `checkU64(value.${f.def.name}, ${where})` : `checkUint(value.${f.def.name}, ${BITS[f.prim]}, ${where})`;
      lines.push(`  view.${SET[f.prim]}(offset + ${f.offset}, ${check}${f.prim === 'u8' ? '' : ', true'});`);
    } else if (f.kind === 'bytes') {
      lines.push(`  writeFixedBytes(view, offset + ${f.offset}, value.${f.def.name}, ${f.size}, ${where});`);
    } else {
      lines.push(`  encode${f.struct.def.name}(view, offset + ${f.offset}, value.${f.def.name});`);
    }
  }
  if (rec) {
    lines.push(`  view.setUint16(offset + 0, ${(s.def as RecordDef).type}, true);`);
    lines.push(`  view.setUint32(offset + 4, size, true);`);
    lines.push('  return size;');
  } else {
    lines.push(`  return ${s.size};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function layoutEntry(s: LaidOutStruct): string {
  const fields = s.fields
    .map((f) => {
      const type = f.kind === 'prim' ? f.prim : f.kind;
      const extra = f.kind === 'struct' ? `, struct: ${q(f.struct.def.name)}` : '';
      return `    ${f.def.name}: { offset: ${f.offset}, size: ${f.size}, type: ${q(type)}${extra} },`;
    })
    .join('\n');
  return `  ${s.def.name}: {\n    size: ${s.size},\n    fields: {\n${fields.replace(/^ {4}/gm, '      ')}\n    },\n  },`;
}

const RUNTIME = `
/** A record or struct could not be decoded: the bytes are not what the contract says. */
export class RecordDecodeError extends RangeError {
  override name = 'RecordDecodeError';
  /** Stable error code. */
  readonly code = 'WFPKIT_RECORD_DECODE';
  constructor(
    /** The struct or record being decoded. */
    readonly struct: string,
    /** Byte offset of the struct in the view. */
    readonly offset: number,
    detail: string,
  ) {
    super(\`cannot decode \${struct} at offset \${offset}: \${detail}\`);
  }
}

/** A value could not be encoded: a field is out of range, a tail too long, or the target too small. */
export class RecordEncodeError extends RangeError {
  override name = 'RecordEncodeError';
  /** Stable error code. */
  readonly code = 'WFPKIT_RECORD_ENCODE';
  constructor(
    /** The struct, record or field being encoded. */
    readonly where: string,
    detail: string,
  ) {
    super(\`cannot encode \${where}: \${detail}\`);
  }
}

function need(view: DataView, offset: number, size: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > view.byteLength) {
    throw new RecordDecodeError(what, offset, \`needs \${size} bytes but the view has \${Math.max(0, view.byteLength - offset)}\`);
  }
}

function room(view: DataView, offset: number, size: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > view.byteLength) {
    throw new RecordEncodeError(what, \`needs \${size} bytes at offset \${offset} but the view has \${Math.max(0, view.byteLength - offset)}\`);
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function checkUint(value: number, bits: number, where: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) throw new RecordEncodeError(where, \`must be an integer in 0..\${2 ** bits - 1}, got \${value}\`);
  return value;
}

function checkU64(value: bigint, where: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) throw new RecordEncodeError(where, \`must be a bigint in 0..2^64-1, got \${String(value)}\`);
  return value;
}

function zero(view: DataView, offset: number, length: number): void {
  new Uint8Array(view.buffer, view.byteOffset + offset, length).fill(0);
}

function readBytes(view: DataView, offset: number, length: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + offset, length).slice();
}

const utf8Decoder = new TextDecoder('utf-8');
const utf16Decoder = new TextDecoder('utf-16le');
const utf8Encoder = new TextEncoder();

function readUtf8(view: DataView, offset: number, length: number): string {
  return utf8Decoder.decode(new Uint8Array(view.buffer, view.byteOffset + offset, length));
}

function readUtf16(view: DataView, offset: number, length: number): string {
  return utf16Decoder.decode(new Uint8Array(view.buffer, view.byteOffset + offset, length));
}

function utf8Length(value: string): number {
  return utf8Encoder.encode(value).length;
}

function writeFixedBytes(view: DataView, offset: number, value: Uint8Array, size: number, where: string): void {
  if (!(value instanceof Uint8Array) || value.length > size) throw new RecordEncodeError(where, \`must be a Uint8Array of at most \${size} bytes\`);
  const target = new Uint8Array(view.buffer, view.byteOffset + offset, size);
  target.fill(0);
  target.set(value);
}

function writeBytes(view: DataView, offset: number, value: Uint8Array, max: number, where: string): number {
  if (!(value instanceof Uint8Array) || value.length > max) throw new RecordEncodeError(where, \`must be a Uint8Array of at most \${max} bytes\`);
  new Uint8Array(view.buffer, view.byteOffset + offset, value.length).set(value);
  return value.length;
}

function writeUtf8(view: DataView, offset: number, value: string, max: number, where: string): number {
  if (typeof value !== 'string') throw new RecordEncodeError(where, 'must be a string');
  const bytes = utf8Encoder.encode(value);
  if (bytes.length > max) throw new RecordEncodeError(where, \`is \${bytes.length} UTF-8 bytes; at most \${max} fit\`);
  new Uint8Array(view.buffer, view.byteOffset + offset, bytes.length).set(bytes);
  return bytes.length;
}

function writeUtf16(view: DataView, offset: number, value: string, max: number, where: string): number {
  if (typeof value !== 'string' || value.length * 2 > max) throw new RecordEncodeError(where, \`must be a string of at most \${max / 2} UTF-16 units\`);
  for (let i = 0; i < value.length; i++) view.setUint16(offset + i * 2, value.charCodeAt(i), true);
  return value.length * 2;
}
`;

export function emitTs(schema: ContractSchema): string {
  const laid = layOut(schema);
  const v = schema.version;
  const out: string[] = [];
  out.push(`// GENERATED from tools/contract/src/schema.ts by \`npm run contract\`. Do not edit by hand:
// a test fails when this file differs from what the schema generates.
/* eslint-disable */

/** Contract major version: a driver of another major version is refused. */
export const CONTRACT_VERSION_MAJOR = ${v.major};
/** Contract minor version: additions that older clients can ignore. */
export const CONTRACT_VERSION_MINOR = ${v.minor};
/** Contract version as GET_VERSION reports it: major << 16 | minor. */
export const CONTRACT_VERSION = ${(v.major << 16) | v.minor};
/** CTL_CODE device type of every wfpkit IOCTL. */
export const DEVICE_TYPE = 0x${schema.deviceType.toString(16)};
`);
  for (const c of schema.constants) {
    out.push(doc(c.doc));
    out.push(`export const ${c.name} = ${typeof c.value === 'string' ? q(c.value) : c.value};`);
  }

  for (const e of schema.enums) {
    out.push('');
    out.push(doc(`${e.doc} (${e.kind === 'flags' ? 'flag set: combine with |' : 'enumeration'})`));
    out.push(`export const ${e.name} = {`);
    for (const val of e.values) {
      out.push(doc(val.doc, '  '));
      out.push(`  ${val.name}: ${e.kind === 'flags' ? `0x${val.value.toString(16)}` : val.value},`);
    }
    out.push('} as const;');
    out.push(doc(`A value of {@link ${e.name}}.`));
    out.push(`export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`);
  }
  out.push('');
  out.push(doc('Name of each value of every enumeration and flag set, for display and decoding.'));
  out.push('export const VALUE_NAMES: { readonly [set: string]: { readonly [value: number]: string } } = {');
  for (const e of schema.enums) out.push(`  ${e.name}: { ${e.values.map((x) => `${x.value}: ${q(x.name)}`).join(', ')} },`);
  out.push('};');

  out.push(`
/** How an IOCTL moves its buffers (METHOD_*). */
export type TransferMethod = 'BUFFERED' | 'IN_DIRECT' | 'OUT_DIRECT' | 'NEITHER';

/** Everything the contract says about one IOCTL. */
export interface IoctlDescriptor {
  /** Name without the IOCTL_WFPKIT_ prefix. */
  readonly name: string;
  /** The 32-bit control code passed to DeviceIoControl. */
  readonly code: number;
  /** CTL_CODE function number. */
  readonly function: number;
  /** CTL_CODE transfer method. */
  readonly method: TransferMethod;
  /** CTL_CODE required access. */
  readonly access: 'ANY' | 'READ' | 'WRITE' | 'READ_WRITE';
  /** 'session': acts on the handle's session; 'global': driver-wide; 'both': reports both. */
  readonly scope: 'session' | 'global' | 'both';
  /** Exact input size in bytes (0 = no input). */
  readonly inputSize: number;
  /** Input struct name, if any. */
  readonly input: string | null;
  /** Fixed output struct name, if any. */
  readonly output: string | null;
  /** Smallest output buffer accepted. */
  readonly minOutput: number;
  /** Record kinds that follow the fixed output. */
  readonly outputRecords: readonly string[];
  /** What it does. */
  readonly doc: string;
  /** Win32 errors it can fail with (see {@link CONTRACT_ERRORS}). */
  readonly errors: readonly Win32ErrorName[];
}
`);
  out.push(doc('Every IOCTL of the contract, by name.'));
  out.push('export const IOCTLS = {');
  for (const io of schema.ioctls) {
    const code = ctlCode(schema.deviceType, io.function, METHOD_VALUE[io.method], ACCESS_VALUE[io.access]);
    const inputSize = io.input ? (laid.get(io.input)?.size ?? 0) : 0;
    out.push(doc(io.doc, '  '));
    out.push(
      `  ${io.name}: { name: ${q(io.name)}, code: 0x${code.toString(16)}, function: 0x${io.function.toString(16)}, method: ${q(io.method)}, access: ${q(io.access)}, scope: ${q(io.scope)}, inputSize: ${inputSize}, input: ${io.input ? q(io.input) : 'null'}, output: ${io.output ? q(io.output) : 'null'}, minOutput: ${io.minOutput}, outputRecords: [${(io.outputRecords ?? []).map(q).join(', ')}], doc: ${q(io.doc)}, errors: [${io.errors.map(q).join(', ')}] },`,
    );
  }
  out.push('} as const satisfies { readonly [name: string]: IoctlDescriptor };');
  out.push(doc('Name of an IOCTL of the contract.'));
  out.push('export type IoctlName = keyof typeof IOCTLS;');
  out.push(doc('Every IOCTL of the contract, by control code.'));
  out.push('export const IOCTL_BY_CODE: ReadonlyMap<number, IoctlDescriptor> = new Map(Object.values(IOCTLS).map((d) => [d.code, d]));');

  out.push(`
/** A completion status of the driver and the Win32 error user mode sees for it. */
export interface ContractErrorInfo {
  /** Win32 error name (what GetLastError means). */
  readonly name: string;
  /** Win32 error number. */
  readonly win32: number;
  /** NTSTATUS name the driver completes with. */
  readonly ntstatusName: string;
  /** NTSTATUS value. */
  readonly ntstatus: number;
  /** What it means for this driver. */
  readonly meaning: string;
  /** What to do about it. */
  readonly fix: string;
}
`);
  out.push(doc('Every error the driver reports, with its meaning and fix.'));
  out.push('export const CONTRACT_ERRORS = [');
  for (const e of schema.errors) {
    out.push(`  { name: ${q(e.name)}, win32: ${e.win32}, ntstatusName: ${q(e.ntstatusName)}, ntstatus: 0x${e.ntstatus.toString(16)}, meaning: ${q(e.meaning)}, fix: ${q(e.fix)} },`);
  }
  out.push('] as const satisfies readonly ContractErrorInfo[];');
  out.push(doc('Name of a Win32 error the driver reports.'));
  out.push('export type Win32ErrorName = (typeof CONTRACT_ERRORS)[number][\'name\'];');
  out.push(doc('Every error of {@link CONTRACT_ERRORS}, by Win32 error number.'));
  out.push('export const CONTRACT_ERROR_BY_WIN32: ReadonlyMap<number, ContractErrorInfo> = new Map(CONTRACT_ERRORS.map((e) => [e.win32, e]));');

  out.push('');
  out.push(doc("GUIDs of wfpkit's WFP objects (provider, sublayer, callouts), lower-case, without braces."));
  out.push('export const GUIDS = {');
  for (const g of schema.guids) {
    out.push(doc(g.doc, '  '));
    out.push(`  ${g.name}: ${q(g.value)},`);
  }
  out.push('} as const;');

  out.push(`
/** Where one field sits in a struct. */
export interface FieldLayout {
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
  /** Integer type, fixed byte array, or nested struct. */
  readonly type: 'u8' | 'u16' | 'u32' | 'u64' | 'bytes' | 'struct';
  /** Name of the nested struct. */
  readonly struct?: string;
}

/** Where every field of a struct sits, and its size. */
export interface StructLayout {
  /** sizeof the struct (fixed part, for records). */
  readonly size: number;
  /** Every field, reserved ones included. */
  readonly fields: { readonly [field: string]: FieldLayout };
}
`);
  out.push(doc('Byte layout of every struct and record of the contract (the C header asserts the same numbers).'));
  out.push('export const LAYOUTS: { readonly [struct: string]: StructLayout } = {');
  for (const s of laid.values()) out.push(layoutEntry(s));
  out.push('};');

  out.push(RUNTIME);
  for (const s of laid.values()) {
    out.push(emitInterface(s));
    out.push(doc(`Size in bytes of the fixed part of {@link ${s.def.name}}.`));
    out.push(`export const ${constName(s.def.name)}_SIZE = ${s.size};`);
    out.push(emitDecode(s));
    out.push(emitEncode(s));
    out.push('');
  }

  const recs = schema.records;
  out.push(doc('Any record of the contract, discriminated by `kind`.'));
  out.push(`export type ContractRecord = ${recs.map((r) => r.name).join(' | ')};`);
  out.push(doc('A record whose type this client does not know (a newer driver of the same major version); skip it by header.size.'));
  out.push('export interface UnknownRecord {\n  /** Always "UNKNOWN". */\n  kind: "UNKNOWN";\n  /** The record header. */\n  header: RecordHeader;\n}');
  out.push(doc('Largest encoded size of each record kind.'));
  out.push(`export const MAX_RECORD_SIZE = { ${recs.map((r) => `${r.eventName}: ${maxRecordSize(r)}`).join(', ')} } as const;`);
  out.push(doc('Decodes the record at `offset`, whatever its type. Read `header.size` bytes further for the next one.'));
  out.push('export function decodeRecord(view: DataView, offset = 0): ContractRecord | UnknownRecord {');
  out.push('  const header = decodeRecordHeader(view, offset);');
  out.push('  switch (header.type) {');
  for (const r of recs) out.push(`    case ${r.type}: return decode${r.name}(view, offset);`);
  out.push('    default:');
  out.push('      if (header.size < RECORD_HEADER_SIZE || header.size % 8 !== 0 || offset + header.size > view.byteLength) throw new RecordDecodeError("RecordHeader", offset, `header.size ${header.size} is not a valid record size`);');
  out.push('      return { kind: "UNKNOWN", header };');
  out.push('  }');
  out.push('}');
  out.push(doc('Encoded size of any record.'));
  out.push('export function sizeOfRecord(value: ContractRecord): number {');
  out.push('  switch (value.kind) {');
  for (const r of recs) out.push(`    case ${q(r.eventName)}: return sizeOf${r.name}(value);`);
  out.push('  }');
  out.push('}');
  out.push(doc('Encodes any record into `view` at `offset`; returns the bytes written.'));
  out.push('export function encodeRecord(view: DataView, offset: number, value: ContractRecord): number {');
  out.push('  switch (value.kind) {');
  for (const r of recs) out.push(`    case ${q(r.eventName)}: return encode${r.name}(view, offset, value);`);
  out.push('  }');
  out.push('}');
  return out.join('\n') + '\n';
}
