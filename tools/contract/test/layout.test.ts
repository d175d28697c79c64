import { SchemaError, ctlCode, layOut, maxRecordSize } from '../src/layout';
import { schema } from '../src/schema';
import type { ContractSchema } from '../src/types';

const mutate = (edit: (s: ContractSchema) => void): ContractSchema => {
  const copy = structuredClone(schema);
  edit(copy);
  return copy;
};

describe('layout checks', () => {
  it('lays out the real schema with every record starting with the 24-byte header', () => {
    const laid = layOut(schema);
    expect(laid.get('RecordHeader')?.size).toBe(24);
    for (const r of schema.records) {
      const l = laid.get(r.name);
      expect(l?.fields[0]?.def.name).toBe('header');
      expect((l?.size ?? 1) % 8).toBe(0);
    }
  });

  it('computes CTL_CODE like winioctl.h', () => {
    // CTL_CODE(FILE_DEVICE_UNKNOWN=0x22, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS) is the classic 0x222000.
    expect(ctlCode(0x22, 0x800, 0, 0)).toBe(0x222000);
    expect(ctlCode(0x8a57, 0x805, 2, 1)).toBe(0x8a576016);
  });

  it('refuses a field that a C compiler would pad', () => {
    const bad = mutate((s) => {
      const f = s.structs.find((x) => x.name === 'ReadRequest')?.fields[0];
      if (f) f.type = 'u16';
    });
    expect(() => layOut(bad)).toThrow(SchemaError);
    expect(() => layOut(bad)).toThrow(/ReadRequest\.maxRecords at offset 2 is not 4-byte aligned/);
  });

  it('refuses a declared size that disagrees with the layout', () => {
    const bad = mutate((s) => {
      const st = s.structs.find((x) => x.name === 'VersionInfo');
      if (st) st.size = 40;
    });
    expect(() => layOut(bad)).toThrow(/VersionInfo lays out to 32 bytes but the schema says 40/);
  });

  it('refuses a struct whose size is not a multiple of 8', () => {
    const bad = mutate((s) => {
      s.structs.find((x) => x.name === 'ReadResult')?.fields.pop();
    });
    expect(() => layOut(bad)).toThrow(/multiple of 8/);
  });

  it('refuses duplicate record types, IOCTL functions and flag values', () => {
    expect(() => layOut(mutate((s) => { const r = s.records[1]; if (r) r.type = 1; }))).toThrow(SchemaError);
    expect(() => layOut(mutate((s) => { const io = s.ioctls[1]; if (io) io.function = 0x800; }))).toThrow(/used twice/);
    expect(() => layOut(mutate((s) => { const v = s.enums.find((e) => e.name === 'ConfigFlags')?.values[1]; if (v) v.value = 3; }))).toThrow(/one bit/);
  });

  it('keeps minOutput equal to the fixed output plus the largest record', () => {
    const read = schema.ioctls.find((io) => io.name === 'READ_EVENTS');
    const largest = Math.max(...schema.records.filter((r) => read?.outputRecords?.includes(r.eventName)).map(maxRecordSize));
    expect(read?.minOutput).toBe(16 + largest);
    expect(() => layOut(mutate((s) => { const io = s.ioctls.find((x) => x.name === 'LIST_FLOWS'); if (io) io.minOutput = 64; }))).toThrow(/LIST_FLOWS: minOutput must be 2192/);
    expect(() => layOut(mutate((s) => { const io = s.ioctls.find((x) => x.name === 'READ_EVENTS'); if (io) io.minOutput = 64; }))).toThrow(/MIN_READ_OUTPUT must equal/);
  });
});
