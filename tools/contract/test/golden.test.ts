/**
 * Cross-language golden fixtures: golden.c (field widths by hand, offsets from the C
 * compiler's layout of the generated header) writes every struct and record; the TS
 * decoders must read them back exactly; TS-encoded bytes must pass golden.c's checks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as contract from '../../../packages/ioctl-client/src/contract.generated';
import { GOLDEN_STRUCTS, compileGolden, expectedValue, goldenSource, includeDir, runGolden, tempDir } from './helpers';

type Decoder = (view: DataView, offset?: number) => unknown;
type Encoder = (view: DataView, offset: number, value: unknown) => number;
const codec = contract as unknown as Record<string, Decoder | Encoder | undefined>;

function decodeFile(dir: string, name: string): unknown {
  const bytes = fs.readFileSync(path.join(dir, `${name}.bin`));
  const decode = codec[`decode${name}`] as Decoder | undefined;
  if (!decode) throw new Error(`no decoder for ${name}`);
  return decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
}

/** Names of the structs whose C-written bytes the TS decoders do not read back as expected. */
function mismatches(dir: string): string[] {
  return GOLDEN_STRUCTS.filter((name) => {
    try {
      expect(decodeFile(dir, name)).toEqual(expectedValue(name));
      return false;
    } catch {
      return true;
    }
  });
}

describe('golden fixtures across C and TypeScript', () => {
  let dir: string;
  let exe: string;

  beforeAll(() => {
    dir = tempDir('golden');
    exe = compileGolden(dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(GOLDEN_STRUCTS)('TS decodes the C-written %s exactly', (name) => {
    const out = path.join(dir, 'c-written');
    fs.mkdirSync(out, { recursive: true });
    if (!fs.existsSync(path.join(out, 'VersionInfo.bin'))) expect(runGolden(exe, 'write', out).status).toBe(0);
    expect(decodeFile(out, name)).toEqual(expectedValue(name));
  });

  it('C reads back every struct and record the TS encoders wrote', () => {
    const out = path.join(dir, 'ts-written');
    fs.mkdirSync(out, { recursive: true });
    for (const name of GOLDEN_STRUCTS) {
      const value = expectedValue(name);
      const isRecord = 'kind' in value;
      const size = isRecord ? contract.sizeOfRecord(value as unknown as contract.ContractRecord) : contract.LAYOUTS[name]?.size;
      if (size === undefined) throw new Error(`no size for ${name}`);
      const buf = new Uint8Array(size);
      const encode = codec[`encode${name}`] as Encoder | undefined;
      if (!encode) throw new Error(`no encoder for ${name}`);
      expect(encode(new DataView(buf.buffer), 0, value)).toBe(size);
      fs.writeFileSync(path.join(out, `${name}.bin`), buf);
    }
    const r = runGolden(exe, 'read', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(GOLDEN_STRUCTS.length);
  });

  it('fails when one field width is flipped in the C fixture program', () => {
    const variant = path.join(dir, 'golden-flipped.c');
    const source = fs.readFileSync(goldenSource, 'utf8');
    const flipped = source.replace('U(4, maxRingBytes)', 'U(2, maxRingBytes)');
    expect(flipped).not.toBe(source);
    fs.writeFileSync(variant, flipped);
    const out = path.join(dir, 'flipped');
    fs.mkdirSync(out);
    const flippedExe = compileGolden(out, variant);
    expect(runGolden(flippedExe, 'write', out).status).toBe(0);
    expect(mismatches(out)).toEqual(['VersionInfo']);
  });

  it('fails to compile when the C header alone changes a field width', () => {
    const headerDir = path.join(dir, 'edited-include');
    fs.mkdirSync(headerDir);
    const header = fs.readFileSync(path.join(includeDir, 'wfpkit_ioctl.h'), 'utf8');
    const edited = header.replace(/uint32_t maxRingBytes;/, 'uint16_t maxRingBytes;');
    expect(edited).not.toBe(header);
    fs.writeFileSync(path.join(headerDir, 'wfpkit_ioctl.h'), edited);
    expect(() => compileGolden(headerDir, goldenSource, headerDir)).toThrow(/WK_VERSION_INFO/);
  });

  it('detects bytes the TS side lays out differently (a decoder reading a shifted field)', () => {
    const out = path.join(dir, 'shifted');
    fs.mkdirSync(out);
    expect(runGolden(exe, 'write', out).status).toBe(0);
    const file = path.join(out, 'PacketNotifyRecord.bin');
    const bytes = fs.readFileSync(file);
    // Move eventType by two bytes, as a one-sided layout change would.
    bytes.copy(bytes, 42, 40, 42);
    fs.writeFileSync(file, bytes);
    expect(mismatches(out)).toEqual(['PacketNotifyRecord']);
  });
});
