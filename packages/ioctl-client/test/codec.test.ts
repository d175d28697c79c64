import { MAX_RECORD_SIZE, RECORD_ALIGNMENT, RecordDecodeError, decodeRecord, encodeRecord, sizeOfRecord } from '../src';
import type { ContractRecord } from '../src';
import { ALL_KINDS, Random, UTF16_APP_PATH, UTF8_SNI, encodeRecords, everyEventKind, flowInfo, randomRecord } from './helpers/records';

const SEEDS = [1, 2, 3, 0xc0ffee, 0x5eed, 20240601];
const PER_SEED = 40;

describe('record codec round trip (seeded)', () => {
  it.each(ALL_KINDS)('%s: encode → decode gives the input back, at aligned offsets, for every seed', (kind) => {
    for (const seed of SEEDS) {
      const r = new Random(seed ^ kind.length);
      for (let i = 0; i < PER_SEED; i++) {
        const record = randomRecord(kind, r);
        const size = sizeOfRecord(record);
        expect(size % RECORD_ALIGNMENT).toBe(0);
        expect(size).toBeLessThanOrEqual(MAX_RECORD_SIZE[kind]);
        // Encode after some leading bytes and with trailing garbage, as inside a READ_EVENTS buffer.
        const offset = 8 * r.below(4);
        const buffer = new Uint8Array(offset + size + 8).fill(0xa5);
        const view = new DataView(buffer.buffer);
        expect(encodeRecord(view, offset, record)).toBe(size);
        const decoded = decodeRecord(view, offset);
        expect(decoded).toEqual(record);
        // Re-encoding the decoded value gives the same bytes (padding and reserved zeroed).
        const again = new Uint8Array(size);
        encodeRecord(new DataView(again.buffer), 0, decoded as ContractRecord);
        expect(again).toEqual(buffer.subarray(offset, offset + size));
      }
    }
  });

  it('decodes a mixed sequence back to back, each record starting where the previous ended', () => {
    const r = new Random(99);
    const records: ContractRecord[] = [];
    for (let i = 0; i < 200; i++) records.push(randomRecord(ALL_KINDS[r.below(ALL_KINDS.length)]!, r));
    const { view, end } = encodeRecords(records, 0);
    const decoded: unknown[] = [];
    for (let offset = 0; offset < end; ) {
      const record = decodeRecord(view, offset);
      decoded.push(record);
      offset += record.header.size;
    }
    expect(decoded).toEqual(records);
  });

  it('keeps non-ASCII UTF-8 and UTF-16 (with surrogate pairs) intact', () => {
    const [established, classified] = everyEventKind();
    const { view } = encodeRecords([established!, classified!, flowInfo(5n)], 0);
    const a = decodeRecord(view, 0);
    const b = decodeRecord(view, a.header.size);
    const c = decodeRecord(view, a.header.size + b.header.size);
    expect(a.kind === 'FLOW_ESTABLISHED' && a.appPath).toBe(UTF16_APP_PATH);
    expect(b.kind === 'FLOW_CLASSIFIED' && b.sni).toBe(UTF8_SNI);
    expect(c.kind === 'FLOW_INFO' && c.appPath).toBe(UTF16_APP_PATH);
    // The SNI length field counts UTF-8 bytes, not characters.
    expect(view.getUint16(a.header.size + 30, true)).toBe(Buffer.byteLength(UTF8_SNI, 'utf8'));
  });

  it('refuses a record cut short, naming its offset', () => {
    const { bytes } = encodeRecords(everyEventKind(), 0);
    const first = decodeRecord(new DataView(bytes.buffer), 0);
    const cut = new DataView(bytes.buffer, 0, first.header.size + 30);
    expect(() => decodeRecord(cut, first.header.size)).toThrow(RecordDecodeError);
    try {
      decodeRecord(cut, first.header.size);
    } catch (error) {
      expect(error).toMatchObject({ offset: first.header.size });
    }
  });
});
