// libwfpsim loaded the way the bindings load fwpuclnt.dll: through koffi, with
// fixed-width struct declarations. Only a minimal set is declared here; the full
// bindings (packages/fwpm-bindings) run their own conformance suite.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import { nativeLibraryPath, stateFileEnvironment } from '../src';
import { ensureNativeBuild } from './helpers';

const ERROR_INVALID_HANDLE = 6;
const FWP_E_PROVIDER_NOT_FOUND = 0x80320005;
const FWP_E_ALREADY_EXISTS = 0x80320009;

// koffi's typings live in its ESM entry; this CommonJS test loads the CJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const koffi = require('koffi') as typeof Koffi;

beforeAll(() => ensureNativeBuild());

type Fn = ReturnType<Koffi.LibraryHandle['func']>;

interface Api {
  open: Fn;
  close: Fn;
  addProvider: Fn;
  createEnum: Fn;
  enumProviders: Fn;
  destroyEnum: Fn;
  free: Fn;
  reset: Fn;
  setStateFile: Fn;
  outstanding: Fn;
  provider: Koffi.TypeObject;
}

let api: Api | undefined;

function bind(): Api {
  if (api) return api;
  const lib = koffi.load(nativeLibraryPath());
  const guid = koffi.struct('wfpsim_test_GUID', {
    Data1: 'uint32_t',
    Data2: 'uint16_t',
    Data3: 'uint16_t',
    Data4: koffi.array('uint8_t', 8),
  });
  const display = koffi.struct('wfpsim_test_DISPLAY', { name: 'char16_t *', description: 'char16_t *' });
  const blob = koffi.struct('wfpsim_test_BLOB', { size: 'uint32_t', data: 'void *' });
  const provider = koffi.struct('wfpsim_test_PROVIDER0', {
    providerKey: guid,
    displayData: display,
    flags: 'uint32_t',
    providerData: blob,
    serviceName: 'char16_t *',
  });
  api = {
    open: lib.func('uint32_t FwpmEngineOpen0(const char16_t *s, uint32_t a, void *i, void *session, _Out_ void **h)'),
    close: lib.func('uint32_t FwpmEngineClose0(void *h)'),
    addProvider: lib.func('uint32_t FwpmProviderAdd0(void *h, const wfpsim_test_PROVIDER0 *p, void *sd)'),
    createEnum: lib.func('uint32_t FwpmProviderCreateEnumHandle0(void *h, void *t, _Out_ void **e)'),
    enumProviders: lib.func('uint32_t FwpmProviderEnum0(void *h, void *e, uint32_t n, _Out_ void **entries, _Out_ uint32_t *got)'),
    destroyEnum: lib.func('uint32_t FwpmProviderDestroyEnumHandle0(void *h, void *e)'),
    free: lib.func('void FwpmFreeMemory0(_Inout_ void **p)'),
    reset: lib.func('void WfpsimReset(void)'),
    setStateFile: lib.func('uint32_t WfpsimSetStateFile(const char *path)'),
    outstanding: lib.func('uint32_t WfpsimOutstandingAllocations(void)'),
    provider,
  };
  return api;
}

function openEngine(a: Api): unknown {
  const out: unknown[] = [null];
  expect(a.open(null, 10, null, null, out)).toBe(0);
  expect(out[0]).not.toBeNull();
  return out[0];
}

const zeroKey = { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] };

function providerValue(key: typeof zeroKey, name: string): Record<string, unknown> {
  return {
    providerKey: key,
    displayData: { name, description: null },
    flags: 0,
    providerData: { size: 0, data: null },
    serviceName: null,
  };
}

interface DecodedProvider {
  providerKey: typeof zeroKey;
  displayData: { name: string | null };
}

describe('libwfpsim through koffi', () => {
  beforeEach(() => {
    const a = bind();
    expect(a.setStateFile(null)).toBe(0);
    a.reset();
  });

  it('has the Windows x64 layout for FWPM_PROVIDER0 (64 bytes, serviceName at 56)', () => {
    const a = bind();
    expect(koffi.sizeof(a.provider)).toBe(64);
    expect(koffi.offsetof(a.provider, 'serviceName')).toBe(56);
  });

  it('refuses a double close and a closed handle with ERROR_INVALID_HANDLE', () => {
    const a = bind();
    const h = openEngine(a);
    expect(a.close(h)).toBe(0);
    expect(a.close(h)).toBe(ERROR_INVALID_HANDLE);
    expect(a.addProvider(h, providerValue(zeroKey, 'x'), null)).toBe(ERROR_INVALID_HANDLE);
  });

  it('generates a key for an all-zero provider key, readable back by paged enumeration', () => {
    const a = bind();
    const h = openEngine(a);
    for (let i = 0; i < 5; i++) expect(a.addProvider(h, providerValue(zeroKey, `p${i}`), null)).toBe(0);
    const e: unknown[] = [null];
    expect(a.createEnum(h, null, e)).toBe(0);
    const names: string[] = [];
    const keys = new Set<number>();
    for (;;) {
      const entries: unknown[] = [null];
      const got = [0];
      expect(a.enumProviders(h, e[0], 2, entries, got)).toBe(0);
      const n = got[0] ?? 0;
      if (n === 0) {
        expect(entries[0]).toBeNull();
        break;
      }
      expect(n).toBeLessThanOrEqual(2);
      const ptrs = koffi.decode(entries[0], 'void *', n) as unknown[];
      for (const p of ptrs) {
        const v = koffi.decode(p, a.provider) as DecodedProvider;
        names.push(v.displayData.name ?? '');
        keys.add(v.providerKey.Data1);
        expect(v.providerKey).not.toEqual(zeroKey);
      }
      a.free(entries);
      expect(entries[0]).toBeNull();
    }
    expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(keys.size).toBe(5);
    expect(a.destroyEnum(h, e[0])).toBe(0);
    expect(a.outstanding()).toBe(0);
    expect(a.close(h)).toBe(0);
  });

  it('refuses a duplicate key with FWP_E_ALREADY_EXISTS', () => {
    const a = bind();
    const h = openEngine(a);
    const key = { Data1: 7, Data2: 7, Data3: 7, Data4: [7, 7, 7, 7, 7, 7, 7, 7] };
    expect(a.addProvider(h, providerValue(key, 'a'), null)).toBe(0);
    expect(a.addProvider(h, providerValue(key, 'b'), null)).toBe(FWP_E_ALREADY_EXISTS >>> 0);
    expect(a.close(h)).toBe(0);
  });
});

describe('persistence across two node processes', () => {
  it('keeps a persistent provider and drops the plain one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wfpsim-koffi-'));
    try {
      const child = path.join(__dirname, 'fixtures', 'persist-child.js');
      const env = stateFileEnvironment(path.join(dir, 'bfe.state'));
      const run = (mode: string): Record<string, unknown> => {
        const r = spawnSync(process.execPath, [child, mode, nativeLibraryPath()], { env, encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return JSON.parse(r.stdout) as Record<string, unknown>;
      };
      expect(run('write')).toEqual({ open: 0, addPersistent: 0, addPlain: 0, close: 0 });
      expect(run('read')).toEqual({
        open: 0,
        getPersistent: 0,
        name: 'kept across boots',
        flags: 1,
        getPlain: FWP_E_PROVIDER_NOT_FOUND >>> 0,
        close: 0,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
