/** Writes the IOCTL contract reference page of the docs site from the schema. */
import { ACCESS_VALUE, METHOD_VALUE, ctlCode, layOut, maxRecordSize, screamingSnake } from './layout';
import type { LaidOutStruct } from './layout';
import type { ContractSchema, RecordDef } from './types';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const hex = (n: number): string => `0x${n.toString(16).toUpperCase()}`;

function structTable(s: LaidOutStruct): string {
  const rows = s.fields.map((f) => {
    const type = f.kind === 'prim' ? f.prim : f.kind === 'bytes' ? `u8[${f.size}]` : f.struct.def.name;
    const values = f.def.values ? ` Values: ${f.def.values}.` : '';
    return `| ${f.offset} | ${f.size} | \`${f.def.name}\` | ${type} | ${cell(f.def.doc)}${values} |`;
  });
  return ['| offset | size | field | type | meaning |', '|---:|---:|---|---|---|', ...rows].join('\n');
}

export function emitMarkdown(schema: ContractSchema): string {
  const laid = layOut(schema);
  const v = schema.version;
  const out: string[] = [];
  out.push(`---
title: IOCTL contract reference
---

# IOCTL contract reference (version ${v.major}.${v.minor})

Generated from \`tools/contract/src/schema.ts\` by \`npm run contract\`; the same schema generates
the driver's \`wfpkit_ioctl.h\` and \`@wfpkit/ioctl-client\`'s codec, so the tables below are the
layouts both sides compile. All integers are little-endian; every struct is naturally aligned, has
no implicit padding and a size that is a multiple of 8.

Each open handle on \`${schema.constants.find((c) => c.name === 'DEVICE_PATH')?.value}\` is an independent
monitoring **session** with its own configuration, ring and counters. The *scope* column says
whether an IOCTL acts on the handle's session or reports driver-wide state.

## IOCTLs

Device type ${hex(schema.deviceType)}; code = CTL_CODE(device type, function, method, access).

| IOCTL | code | method | access | scope | input | output | min output |
|---|---|---|---|---|---|---|---:|`);
  for (const io of schema.ioctls) {
    const code = ctlCode(schema.deviceType, io.function, METHOD_VALUE[io.method], ACCESS_VALUE[io.access]);
    const output = io.output ? `${io.output}${io.outputRecords ? ' + records' : ''}` : '—';
    out.push(`| \`IOCTL_WFPKIT_${io.name}\` | \`${hex(code)}\` | ${io.method} | ${io.access} | ${io.scope} | ${io.input ?? '—'} | ${output} | ${io.minOutput} |`);
  }
  out.push('');
  for (const io of schema.ioctls) {
    out.push(`### ${io.name}\n\n${io.doc}\n\nErrors: ${io.errors.map((e) => `\`${e}\``).join(', ')}.\n`);
  }

  out.push('## Constants\n\n| name | value | meaning |\n|---|---|---|');
  for (const c of schema.constants) out.push(`| \`${c.name}\` | \`${cell(String(c.value))}\` | ${cell(c.doc)} |`);

  out.push('\n## Records\n\nEvery record starts with the common header; `header.size` covers the record\'s tail and padding, so a reader skips a record it does not know. A writer that shortens a text member of a tail cuts it on a character boundary (never inside a UTF-8 sequence or a UTF-16 surrogate pair) and sets `RecordFlags.TRUNCATED`.\n');
  out.push(`### ${schema.header.name}\n\n${schema.header.doc}\n`);
  const header = laid.get(schema.header.name);
  if (header) out.push(structTable(header) + '\n');
  for (const r of schema.records) {
    const l = laid.get(r.name);
    if (!l) continue;
    out.push(`### ${r.eventName} (type ${r.type}): ${r.name}\n\n${r.doc} Fixed part ${r.size} bytes; at most ${maxRecordSize(r)} bytes.\n`);
    out.push(structTable(l));
    const rr = r as RecordDef;
    if (rr.tail.length > 0) {
      out.push(`\nTail, in this order after byte ${r.size}, then zero padding to 8:\n`);
      out.push('| member | encoding | length field | max bytes | meaning |\n|---|---|---|---:|---|');
      for (const t of rr.tail) out.push(`| \`${t.name}\` | ${t.encoding} | \`${t.lengthField}\` | ${t.max} | ${cell(t.doc)} |`);
    }
    out.push('');
  }

  out.push('## Request and response structs\n');
  for (const s of schema.structs) {
    const l = laid.get(s.name);
    if (!l) continue;
    out.push(`### ${s.name} (C: \`WK_${screamingSnake(s.name)}\`, ${s.size} bytes)\n\n${s.doc}\n\n${structTable(l)}\n`);
  }

  out.push('## Enumerations and flags\n');
  for (const e of schema.enums) {
    out.push(`### ${e.name}\n\n${e.doc} (${e.kind})\n\n| name | value | meaning |\n|---|---:|---|`);
    for (const val of e.values) out.push(`| \`${val.name}\` | ${e.kind === 'flags' ? hex(val.value) : val.value} | ${cell(val.doc)} |`);
    out.push('');
  }

  out.push('## Errors\n\n| Win32 error | NTSTATUS | meaning | what to do |\n|---|---|---|---|');
  for (const e of schema.errors) out.push(`| \`${e.name}\` (${e.win32}) | \`${e.ntstatusName}\` | ${cell(e.meaning)} | ${cell(e.fix)} |`);

  out.push('\n## GUIDs\n\n| object | GUID | meaning |\n|---|---|---|');
  for (const g of schema.guids) out.push(`| \`${g.name}\` | \`${g.value}\` | ${cell(g.doc)} |`);
  return out.join('\n') + '\n';
}
