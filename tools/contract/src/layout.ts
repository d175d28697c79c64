/**
 * Layout computation: turns the schema's struct definitions into offsets and sizes, and
 * refuses any layout a C compiler would pad differently from what the schema says.
 */
import type { ContractSchema, FieldDef, Prim, RecordDef, StructDef } from './types';

export const PRIM_SIZE: Record<Prim, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

export type LaidOutField =
  | { kind: 'prim'; def: FieldDef; offset: number; size: number; prim: Prim }
  | { kind: 'bytes'; def: FieldDef; offset: number; size: number }
  | { kind: 'struct'; def: FieldDef; offset: number; size: number; struct: LaidOutStruct };

export interface LaidOutStruct {
  def: StructDef | RecordDef;
  size: number;
  align: number;
  fields: LaidOutField[];
}

export class SchemaError extends Error {
  override name = 'SchemaError';
}

/** Lays out every struct and record, checking alignment, padding, sizes and references. */
export function layOut(schema: ContractSchema): Map<string, LaidOutStruct> {
  const defs = new Map<string, StructDef | RecordDef>();
  for (const d of [schema.header, ...schema.structs, ...schema.records]) {
    if (defs.has(d.name)) throw new SchemaError(`struct ${d.name} is defined twice`);
    defs.set(d.name, d);
  }
  const done = new Map<string, LaidOutStruct>();
  const visiting = new Set<string>();

  const layOne = (name: string): LaidOutStruct => {
    const cached = done.get(name);
    if (cached) return cached;
    const def = defs.get(name);
    if (!def) throw new SchemaError(`unknown struct ${name}`);
    if (visiting.has(name)) throw new SchemaError(`struct ${name} contains itself`);
    visiting.add(name);
    let offset = 0;
    let align = 1;
    const fields: LaidOutField[] = [];
    const names = new Set<string>();
    for (const f of def.fields) {
      if (names.has(f.name)) throw new SchemaError(`${name}.${f.name} is defined twice`);
      names.add(f.name);
      let field: LaidOutField;
      let fAlign: number;
      if (typeof f.type === 'string') {
        const size = PRIM_SIZE[f.type];
        field = { kind: 'prim', def: f, offset, size, prim: f.type };
        fAlign = size;
      } else if ('bytes' in f.type) {
        if (!Number.isInteger(f.type.bytes) || f.type.bytes <= 0) throw new SchemaError(`${name}.${f.name}: bad byte count`);
        field = { kind: 'bytes', def: f, offset, size: f.type.bytes };
        fAlign = 1;
      } else {
        const inner = layOne(f.type.struct);
        field = { kind: 'struct', def: f, offset, size: inner.size, struct: inner };
        fAlign = inner.align;
      }
      if (offset % fAlign !== 0) {
        throw new SchemaError(`${name}.${f.name} at offset ${offset} is not ${fAlign}-byte aligned: add a reserved field before it`);
      }
      if (f.values && !schema.enums.some((e) => e.name === f.values)) {
        throw new SchemaError(`${name}.${f.name} names unknown value set ${f.values}`);
      }
      fields.push(field);
      offset += field.size;
      align = Math.max(align, fAlign);
    }
    if (offset % 8 !== 0) throw new SchemaError(`${name} is ${offset} bytes: every struct must be a multiple of 8 (add reserved fields)`);
    if (offset !== def.size) throw new SchemaError(`${name} lays out to ${offset} bytes but the schema says ${def.size}`);
    visiting.delete(name);
    const out: LaidOutStruct = { def, size: offset, align, fields };
    done.set(name, out);
    return out;
  };

  for (const name of defs.keys()) layOne(name);
  checkRecords(schema, done);
  checkIoctls(schema, done);
  checkEnums(schema);
  return done;
}

function checkRecords(schema: ContractSchema, laid: Map<string, LaidOutStruct>): void {
  const types = new Set<number>();
  for (const r of schema.records) {
    const first = r.fields[0];
    if (!first || typeof first.type === 'string' || !('struct' in first.type) || first.type.struct !== schema.header.name) {
      throw new SchemaError(`record ${r.name} must start with the ${schema.header.name}`);
    }
    if (types.has(r.type)) throw new SchemaError(`record type ${r.type} is used twice`);
    types.add(r.type);
    const ev = schema.enums.find((e) => e.name === 'EventType')?.values.find((v) => v.name === r.eventName);
    if (!ev || ev.value !== r.type) throw new SchemaError(`record ${r.name}: EventType.${r.eventName} must equal ${r.type}`);
    const layout = laid.get(r.name);
    if (!layout) throw new SchemaError(`record ${r.name} was not laid out`);
    for (const t of r.tail) {
      const lf = layout.fields.find((f) => f.def.name === t.lengthField);
      if (!lf || lf.kind !== 'prim' || lf.prim !== 'u16') throw new SchemaError(`${r.name}.${t.name}: length field ${t.lengthField} must be a u16 of the record`);
      if (t.max > 0xffff) throw new SchemaError(`${r.name}.${t.name}: max too large`);
      if (t.encoding === 'utf16le' && t.max % 2 !== 0) throw new SchemaError(`${r.name}.${t.name}: UTF-16 max must be even`);
    }
  }
}

/** Largest size a record can have: fixed part plus every tail member at its maximum, rounded to 8. */
export function maxRecordSize(r: RecordDef): number {
  return align8(r.size + r.tail.reduce((n, t) => n + t.max, 0));
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

function checkIoctls(schema: ContractSchema, laid: Map<string, LaidOutStruct>): void {
  const fns = new Set<number>();
  const maxRecordConst = schema.constants.find((c) => c.name === 'MAX_RECORD_BYTES')?.value;
  const largest = Math.max(...schema.records.map(maxRecordSize));
  if (maxRecordConst !== largest) throw new SchemaError(`MAX_RECORD_BYTES must be ${largest}, the largest record`);
  const minRead = schema.constants.find((c) => c.name === 'MIN_READ_OUTPUT')?.value;
  const readIoctl = schema.ioctls.find((io) => io.name === 'READ_EVENTS');
  if (!readIoctl || minRead !== readIoctl.minOutput) throw new SchemaError('MIN_READ_OUTPUT must equal the READ_EVENTS minOutput');
  for (const io of schema.ioctls) {
    if (io.function < 0x800 || io.function > 0xfff) throw new SchemaError(`IOCTL ${io.name}: vendor function codes are 0x800..0xFFF`);
    if (fns.has(io.function)) throw new SchemaError(`IOCTL ${io.name}: function ${io.function} used twice`);
    fns.add(io.function);
    for (const s of [io.input, io.output]) if (s && !laid.has(s)) throw new SchemaError(`IOCTL ${io.name}: unknown struct ${s}`);
    let need = io.output ? (laid.get(io.output)?.size ?? 0) : 0;
    if (io.outputRecords) {
      let biggest = 0;
      for (const ev of io.outputRecords) {
        const rec = schema.records.find((r) => r.eventName === ev);
        if (!rec) throw new SchemaError(`IOCTL ${io.name}: unknown record ${ev}`);
        biggest = Math.max(biggest, maxRecordSize(rec));
      }
      need += biggest;
    }
    if (io.minOutput !== need) throw new SchemaError(`IOCTL ${io.name}: minOutput must be ${need} (fixed output plus the largest record)`);
    for (const e of io.errors) if (!schema.errors.some((x) => x.name === e)) throw new SchemaError(`IOCTL ${io.name}: unknown error ${e}`);
  }
}

function checkEnums(schema: ContractSchema): void {
  for (const e of schema.enums) {
    const seen = new Set<number>();
    for (const v of e.values) {
      if (seen.has(v.value)) throw new SchemaError(`${e.name}.${v.name}: value ${v.value} used twice`);
      seen.add(v.value);
      if (e.kind === 'flags' && (v.value === 0 || (v.value & (v.value - 1)) !== 0)) {
        throw new SchemaError(`${e.name}.${v.name}: a flag must be one bit`);
      }
    }
  }
  for (const g of schema.guids) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g.value)) throw new SchemaError(`GUID ${g.name} is malformed`);
  }
}

/** `FlowEstablishedRecord` → `FLOW_ESTABLISHED_RECORD`. */
export function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toUpperCase();
}

/** CTL_CODE as winioctl.h defines it. */
export function ctlCode(deviceType: number, fn: number, method: number, access: number): number {
  return ((deviceType << 16) | (access << 14) | (fn << 2) | method) >>> 0;
}

export const METHOD_VALUE = { BUFFERED: 0, IN_DIRECT: 1, OUT_DIRECT: 2, NEITHER: 3 } as const;
export const ACCESS_VALUE = { ANY: 0, READ: 1, WRITE: 2, READ_WRITE: 3 } as const;
