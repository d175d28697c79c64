import { rawTypes } from '@wfpkit/fwpm-bindings';
import { crossCompilerAvailable, formatTable, parseObjdump, probeSource, probesFor, runAbiCheck } from '../src';
import type { TypeLike } from '../src';

// koffi's typings are ESM-only; this CommonJS test needs just `struct`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as { struct(def: Record<string, TypeLike | string>): TypeLike };

const available = crossCompilerAvailable();
if (!available && process.env['CI']) {
  // On CI a missing cross compiler is a failure, not a skip.
  test('x86_64-w64-mingw32-gcc is installed', () => {
    throw new Error('x86_64-w64-mingw32-gcc not found: CI must install mingw-w64 so the ABI is checked.');
  });
} else if (!available) {
  console.warn('abi-check: x86_64-w64-mingw32-gcc not found, skipping the compiler comparison (install mingw-w64 to run it).');
}
const withCompiler = available ? describe : describe.skip;

describe('probe generation (no compiler needed)', () => {
  it('addresses nested members with C designators and anonymous unions by their members', () => {
    const t = rawTypes().structs;
    const filter = probesFor('FWPM_FILTER0', t.FWPM_FILTER0 as TypeLike).map((p) => p.member);
    expect(filter).toEqual(expect.arrayContaining(['sizeof', 'displayData.name', 'weight.type', 'weight.uint8', 'action.calloutKey.Data1', 'rawContext', 'providerContextKey', 'filterId']));
    expect(filter.some((m) => m.includes('_ctx'))).toBe(false);
    const src = probeSource(probesFor('FWP_VALUE0', t.FWP_VALUE0 as TypeLike));
    expect(src).toContain('offsetof(FWP_VALUE0, uint64)');
    expect(src).toContain('sizeof(FWP_VALUE0)');
  });

  it('parses objdump -s output', () => {
    const dump = ['Contents of section .rdata:', ' 0000 49424146 57000000 02000000 00000000  IBAFW...........', ' 0010 c8000000 00000000                    ........'].join('\n');
    const b = parseObjdump(dump);
    expect(b.length).toBe(24);
    expect(b.readBigUInt64LE(16)).toBe(200n);
  });
});

withCompiler('koffi layouts against MinGW-w64 (x86_64-w64-mingw32)', () => {
  it('every struct fwpm-bindings declares matches the C compiler', () => {
    const result = runAbiCheck();
    if (!result.available) throw new Error(result.reason);
    expect(result.rows.length).toBeGreaterThan(400);
    if (result.mismatches.length) throw new Error(`ABI mismatches:\n${formatTable(result.mismatches)}`);
    const size = result.rows.find((r) => r.struct === 'FWPM_FILTER0' && r.member === 'sizeof');
    expect(size?.c).toBe(200);
  });

  it('detects a wrong declaration (the union after FWPM_FILTER0.action modelled as a bare GUID)', () => {
    const t = rawTypes().structs;
    const members = (t.FWPM_FILTER0 as TypeLike).members ?? {};
    const def: Record<string, TypeLike> = {};
    for (const m of Object.values(members)) {
      if (m.name === '_ctx') def['providerContextKey'] = t.GUID as TypeLike;
      else def[m.name] = m.type;
    }
    const mutated = koffi.struct(def);
    const result = runAbiCheck({ structs: { FWPM_FILTER0: mutated } });
    if (!result.available) throw new Error(result.reason);
    const bad = result.mismatches.map((r) => r.member);
    expect(bad).toContain('providerContextKey');
  });

  it('detects a wrong member width', () => {
    const t = rawTypes().structs;
    const wrong = koffi.struct({ subLayerKey: t.GUID, displayData: t.FWPM_DISPLAY_DATA0, flags: 'uint64_t', providerKey: 'void *', providerData: t.FWP_BYTE_BLOB, weight: 'uint32_t' });
    const result = runAbiCheck({ structs: { FWPM_SUBLAYER0: wrong } });
    if (!result.available) throw new Error(result.reason);
    expect(result.mismatches.map((r) => r.member)).toEqual(expect.arrayContaining(['sizeof(flags)', 'sizeof(weight)']));
  });
});
