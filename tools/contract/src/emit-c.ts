/** Writes packages/driver/include/wfpkit_ioctl.h from the schema. */
import { ACCESS_VALUE, METHOD_VALUE, ctlCode, layOut, maxRecordSize, screamingSnake } from './layout';
import type { LaidOutField, LaidOutStruct } from './layout';
import type { ContractSchema, RecordDef } from './types';

const C_PRIM = { u8: 'uint8_t', u16: 'uint16_t', u32: 'uint32_t', u64: 'uint64_t' } as const;

const cStructName = (name: string): string => `WK_${screamingSnake(name)}`;
const hex = (n: number, width = 0): string => `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
const comment = (text: string): string => text.replace(/\*\//g, '* /');

function cString(value: string): string {
  return `L"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function guidInit(value: string): string {
  const h = value.replace(/-/g, '');
  const bytes = [];
  for (let i = 16; i < 32; i += 2) bytes.push(`0x${h.slice(i, i + 2)}`);
  return `{ 0x${h.slice(0, 8)}, 0x${h.slice(8, 12)}, 0x${h.slice(12, 16)}, { ${bytes.join(', ')} } }`;
}

function fieldDecl(f: LaidOutField): string {
  switch (f.kind) {
    case 'prim':
      return `${C_PRIM[f.prim]} ${f.def.name};`;
    case 'bytes':
      return `uint8_t ${f.def.name}[${f.size}];`;
    case 'struct':
      return `${cStructName(f.struct.def.name)} ${f.def.name};`;
  }
}

function emitStruct(s: LaidOutStruct): string {
  const name = cStructName(s.def.name);
  const lines = [`/* ${comment(s.def.doc)} */`, `typedef struct ${name} {`];
  const width = Math.max(...s.fields.map((f) => fieldDecl(f).length));
  for (const f of s.fields) {
    const values = f.def.values ? ` (WK_${screamingSnake(f.def.values)}_*)` : '';
    lines.push(`    ${fieldDecl(f).padEnd(width)} /* +${f.offset}: ${comment(f.def.doc)}${values} */`);
  }
  lines.push(`} ${name};`);
  lines.push(`WK_STATIC_ASSERT(sizeof(${name}) == ${s.size}, "${name} size");`);
  for (const f of s.fields) {
    lines.push(`WK_STATIC_ASSERT(offsetof(${name}, ${f.def.name}) == ${f.offset}, "${name}.${f.def.name} offset");`);
    lines.push(`WK_STATIC_ASSERT(sizeof(((${name} *)0)->${f.def.name}) == ${f.size}, "${name}.${f.def.name} size");`);
  }
  return lines.join('\n');
}

function emitTail(r: RecordDef): string {
  const p = `WK_${screamingSnake(r.eventName)}`;
  const lines = [`#define ${p}_RECORD_MAX_SIZE ${maxRecordSize(r)}u`];
  for (const t of r.tail) {
    lines.push(`#define ${p}_${screamingSnake(t.name)}_MAX ${t.max}u /* ${t.encoding}, length in ${t.lengthField}: ${comment(t.doc)} */`);
  }
  if (r.tail.length > 0) {
    lines.push(`/* The tail (${r.tail.map((t) => t.name).join(', ')}) follows the fixed part at offset ${r.size}, in that order, then zero padding to a multiple of 8.\n * Text members are cut on a character boundary when shortened (RECORD_FLAGS_TRUNCATED). */`);
  }
  return lines.join('\n');
}

export function emitC(schema: ContractSchema): string {
  const laid = layOut(schema);
  const v = schema.version;
  const out: string[] = [];
  out.push(`/*
 * wfpkit_ioctl.h - the wfpkit driver contract, version ${v.major}.${v.minor}.
 *
 * GENERATED from tools/contract/src/schema.ts by \`npm run contract\`. Do not edit by hand:
 * a test fails when this file differs from what the schema generates.
 *
 * All integers are little-endian. Every struct is naturally aligned with no implicit padding
 * and a size that is a multiple of 8; the asserts below pin every size and offset.
 */
#ifndef WFPKIT_IOCTL_H
#define WFPKIT_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
#define WK_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define WK_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
/* C99: a negative array size stops the build when cond is false. */
#define WK_SA_CAT_(a, b) a##b
#define WK_SA_CAT(a, b) WK_SA_CAT_(a, b)
#define WK_STATIC_ASSERT(cond, msg) typedef char WK_SA_CAT(wk_static_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

#define WK_CONTRACT_VERSION_MAJOR ${v.major}u
#define WK_CONTRACT_VERSION_MINOR ${v.minor}u
#define WK_CONTRACT_VERSION ((WK_CONTRACT_VERSION_MAJOR << 16) | WK_CONTRACT_VERSION_MINOR)
`);
  out.push('/* ---- Constants ---- */');
  for (const c of schema.constants) {
    const value = typeof c.value === 'string' ? cString(c.value) : `${c.value >= 0x10000 ? hex(c.value) : c.value}u`;
    out.push(`#define WK_${c.name} ${value} /* ${comment(c.doc)} */`);
  }
  out.push('#define WK_ALIGN_RECORD(n) (((n) + 7u) & ~(uint32_t)7u)');

  out.push('\n/* ---- Enumerations and flag sets ---- */');
  for (const e of schema.enums) {
    out.push(`/* ${e.name} (${e.kind}): ${comment(e.doc)} */`);
    for (const val of e.values) {
      const literal = e.kind === 'flags' ? `${hex(val.value)}u` : `${val.value}u`;
      out.push(`#define WK_${screamingSnake(e.name)}_${val.name} ${literal} /* ${comment(val.doc)} */`);
    }
  }

  out.push('\n/* ---- IOCTL codes: CTL_CODE(WK_DEVICE_TYPE, function, method, access) ---- */');
  out.push(`#define WK_DEVICE_TYPE ${hex(schema.deviceType)}u`);
  out.push('#define WK_CTL_CODE(fn, method, access) (((uint32_t)WK_DEVICE_TYPE << 16) | ((uint32_t)(access) << 14) | ((uint32_t)(fn) << 2) | (uint32_t)(method))');
  for (const io of schema.ioctls) {
    const m = METHOD_VALUE[io.method];
    const a = ACCESS_VALUE[io.access];
    const code = ctlCode(schema.deviceType, io.function, m, a);
    out.push(`/* ${comment(io.doc)}\n * Scope: ${io.scope}. In: ${io.input ? cStructName(io.input) : 'none'}. Out: ${io.output ? cStructName(io.output) : 'none'}${io.outputRecords ? ` + records (${io.outputRecords.join(', ')})` : ''}. Errors: ${io.errors.join(', ')}. */`);
    out.push(`#define IOCTL_WFPKIT_${io.name} ${hex(code, 8)}u /* method ${io.method}, access ${io.access} */`);
    out.push(`WK_STATIC_ASSERT(IOCTL_WFPKIT_${io.name} == WK_CTL_CODE(${hex(io.function)}, ${m}, ${a}), "IOCTL_WFPKIT_${io.name}");`);
    out.push(`#define WK_IOCTL_${io.name}_INPUT_SIZE ${io.input ? laid.get(io.input)?.size : 0}u`);
    out.push(`#define WK_IOCTL_${io.name}_MIN_OUTPUT ${io.minOutput}u`);
  }

  out.push('\n/* ---- Structs ---- */');
  for (const s of [schema.header, ...schema.structs]) {
    const l = laid.get(s.name);
    if (l) out.push(emitStruct(l));
  }
  out.push('\n/* ---- Event records: each starts with WK_RECORD_HEADER; header.size covers the tail ---- */');
  for (const r of schema.records) {
    const l = laid.get(r.name);
    if (!l) continue;
    out.push(`#define WK_RECORD_TYPE_${r.eventName} ${r.type}u`);
    out.push(emitStruct(l));
    out.push(emitTail(r));
  }

  out.push('\n/* ---- GUIDs (initialisers for a GUID: { Data1, Data2, Data3, { Data4 } }) ---- */');
  for (const g of schema.guids) {
    out.push(`/* ${g.value}: ${comment(g.doc)} */`);
    out.push(`#define WK_GUID_${g.name} ${guidInit(g.value)}`);
  }

  out.push('\n/* ---- Completion statuses and what user mode sees (GetLastError) ----');
  for (const e of schema.errors) {
    out.push(` * ${e.ntstatusName} (${hex(e.ntstatus, 8)}) -> ${e.name} (${e.win32}): ${comment(e.meaning)}`);
  }
  out.push(' */\n\n#endif /* WFPKIT_IOCTL_H */\n');
  return out.join('\n');
}
