import { RecordDecodeError, decodeRecord, encodeRecord, sizeOfRecord } from '../src';
import type { ContractRecord } from '../src';
import { decodeRecordAt } from '../src/record-decode';
import { ALL_KINDS, Random, randomRecord } from './helpers/records';

/** The error decodeRecord / decodeRecordAt throws, as text (undefined when it decodes). */
function errorOf(decode: () => unknown): string | undefined {
  try {
    decode();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(RecordDecodeError);
    return String(e);
  }
}

describe('decodeRecordAt (the READ_EVENTS per-record decoder)', () => {
  it.each(ALL_KINDS)('%s: gives what the generated decodeRecord gives, property order included', (kind) => {
    const r = new Random(0x7a9 ^ kind.length);
    for (let i = 0; i < 60; i++) {
      const record = randomRecord(kind, r);
      const size = sizeOfRecord(record);
      const offset = 8 * r.below(4);
      const buffer = new Uint8Array(offset + size + 8).fill(0x5a);
      const view = new DataView(buffer.buffer, 0, offset + size);
      encodeRecord(view, offset, record);
      const fast = decodeRecordAt(view, offset);
      expect(fast).toStrictEqual(decodeRecord(view, offset));
      expect(fast).toEqual(record);
      expect(Object.keys(fast)).toEqual(Object.keys(decodeRecord(view, offset)));
      expect(Object.keys(fast.header)).toEqual(Object.keys(decodeRecord(view, offset).header));
      if (fast.kind === 'PACKET_TAGGED') {
        // the snap is a copy: the record does not keep the read buffer
        expect(fast.snap.buffer).not.toBe(buffer.buffer);
        buffer.fill(0, offset + 48);
        expect(fast.snap).toEqual((record as Extract<ContractRecord, { kind: 'PACKET_TAGGED' }>).snap);
      }
    }
  });

  it('refuses a malformed packet record with the generated decoder\'s error', () => {
    const r = new Random(5);
    for (const kind of ['PACKET_TAGGED', 'PACKET_NOTIFY', 'PACKET_DISCARDED'] as const) {
      const record = randomRecord(kind, r);
      const size = sizeOfRecord(record);
      const bytes = new Uint8Array(size + 16);
      const view = new DataView(bytes.buffer);
      encodeRecord(view, 0, record);
      const cases: Array<[string, () => DataView]> = [
        ['size not a multiple of 8', () => (view.setUint32(4, size + 4, true), view)],
        ['size below the fixed part', () => (view.setUint32(4, 40, true), view)],
        ['size past the view', () => (view.setUint32(4, size + 16, true), new DataView(bytes.buffer, 0, size + 8))],
        ['view shorter than the fixed part', () => new DataView(bytes.buffer, 0, 40)],
      ];
      if (kind === 'PACKET_TAGGED') cases.push(['snap longer than the record', () => (view.setUint16(44, size, true), view)]);
      for (const [what, spoil] of cases) {
        encodeRecord(view, 0, record);
        const bad = spoil();
        const expected = errorOf(() => decodeRecord(bad, 0));
        expect([what, expected]).not.toEqual([what, undefined]);
        expect([what, errorOf(() => decodeRecordAt(bad, 0))]).toEqual([what, expected]);
      }
    }
  });
});
