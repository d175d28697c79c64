/**
 * The raw management API: every `Fwpm*` function wfpkit uses, bound with koffi from
 * `fwpuclnt.dll` on Windows or from the simulator's `libwfpsim` elsewhere, with the exact C
 * prototypes of fwpmu.h (`__stdcall`, which koffi ignores off 32-bit x86).
 *
 * Functions are bound on first use, so a backend that lacks one (an older Windows, a simulator
 * without net events) still loads, and the missing function fails only when called.
 *
 * @module
 */
import koffi from './koffi';
import type { KoffiFunction, LibraryHandle, TypeObject } from './koffi';
import { rawTypes } from './types';

/** Which native library implements the API. */
export type Backend = 'win32' | 'sim';

/** How to pick and load the native library. */
export interface BackendOptions {
  /** `win32` loads `fwpuclnt.dll`, `sim` loads `libwfpsim`. Default: `WFPKIT_BACKEND`, else by platform. */
  backend?: Backend;
  /** Load this file instead of the backend's default library (for `sim`, env `WFPKIT_SIM_LIBRARY` does the same). */
  libraryPath?: string;
}

/**
 * A native address as koffi passes it: a `bigint`, or `null` for NULL. Buffers and typed arrays
 * are accepted wherever an input pointer is.
 */
export type Pointer = bigint | null;
/** Anything koffi accepts as an input pointer. */
export type PointerIn = Pointer | Buffer | Uint8Array;
/** A one-element array koffi fills with an output value. */
export type Out<T> = [T];

/** A `DWORD` result: 0 on success, otherwise an `FWP_E_*`, Win32 or RPC code. */
export type Status = number;

/** The raw API, one method per C function, arguments in C order. */
export interface FwpmRaw {
  /** Which backend this is. */
  readonly backend: Backend;
  /** The file that was loaded. */
  readonly path: string;
  FwpmEngineOpen0(serverName: string | null, authnService: number, authIdentity: PointerIn, session: PointerIn, engineHandle: Out<Pointer>): Status;
  FwpmEngineClose0(engineHandle: Pointer): Status;
  FwpmTransactionBegin0(engineHandle: Pointer, flags: number): Status;
  FwpmTransactionCommit0(engineHandle: Pointer): Status;
  FwpmTransactionAbort0(engineHandle: Pointer): Status;
  FwpmFreeMemory0(p: Out<Pointer>): void;
  FwpmGetAppIdFromFileName0(fileName: string | null, appId: Out<Pointer>): Status;

  FwpmProviderAdd0(engineHandle: Pointer, provider: PointerIn, sd: PointerIn): Status;
  FwpmProviderDeleteByKey0(engineHandle: Pointer, key: PointerIn): Status;
  FwpmProviderGetByKey0(engineHandle: Pointer, key: PointerIn, provider: Out<Pointer>): Status;
  FwpmProviderCreateEnumHandle0(engineHandle: Pointer, enumTemplate: PointerIn, enumHandle: Out<Pointer>): Status;
  FwpmProviderEnum0(engineHandle: Pointer, enumHandle: Pointer, numEntriesRequested: number, entries: Out<Pointer>, numEntriesReturned: Out<number>): Status;
  FwpmProviderDestroyEnumHandle0(engineHandle: Pointer, enumHandle: Pointer): Status;

  FwpmSubLayerAdd0(engineHandle: Pointer, subLayer: PointerIn, sd: PointerIn): Status;
  FwpmSubLayerDeleteByKey0(engineHandle: Pointer, key: PointerIn): Status;
  FwpmSubLayerGetByKey0(engineHandle: Pointer, key: PointerIn, subLayer: Out<Pointer>): Status;
  FwpmSubLayerCreateEnumHandle0(engineHandle: Pointer, enumTemplate: PointerIn, enumHandle: Out<Pointer>): Status;
  FwpmSubLayerEnum0(engineHandle: Pointer, enumHandle: Pointer, numEntriesRequested: number, entries: Out<Pointer>, numEntriesReturned: Out<number>): Status;
  FwpmSubLayerDestroyEnumHandle0(engineHandle: Pointer, enumHandle: Pointer): Status;

  FwpmCalloutAdd0(engineHandle: Pointer, callout: PointerIn, sd: PointerIn, id: Out<number>): Status;
  FwpmCalloutDeleteByKey0(engineHandle: Pointer, key: PointerIn): Status;
  FwpmCalloutDeleteById0(engineHandle: Pointer, id: number): Status;
  FwpmCalloutGetByKey0(engineHandle: Pointer, key: PointerIn, callout: Out<Pointer>): Status;
  FwpmCalloutGetById0(engineHandle: Pointer, id: number, callout: Out<Pointer>): Status;
  FwpmCalloutCreateEnumHandle0(engineHandle: Pointer, enumTemplate: PointerIn, enumHandle: Out<Pointer>): Status;
  FwpmCalloutEnum0(engineHandle: Pointer, enumHandle: Pointer, numEntriesRequested: number, entries: Out<Pointer>, numEntriesReturned: Out<number>): Status;
  FwpmCalloutDestroyEnumHandle0(engineHandle: Pointer, enumHandle: Pointer): Status;

  FwpmFilterAdd0(engineHandle: Pointer, filter: PointerIn, sd: PointerIn, id: Out<number | bigint>): Status;
  FwpmFilterDeleteByKey0(engineHandle: Pointer, key: PointerIn): Status;
  FwpmFilterDeleteById0(engineHandle: Pointer, id: number | bigint): Status;
  FwpmFilterGetByKey0(engineHandle: Pointer, key: PointerIn, filter: Out<Pointer>): Status;
  FwpmFilterGetById0(engineHandle: Pointer, id: number | bigint, filter: Out<Pointer>): Status;
  FwpmFilterCreateEnumHandle0(engineHandle: Pointer, enumTemplate: PointerIn, enumHandle: Out<Pointer>): Status;
  FwpmFilterEnum0(engineHandle: Pointer, enumHandle: Pointer, numEntriesRequested: number, entries: Out<Pointer>, numEntriesReturned: Out<number>): Status;
  FwpmFilterDestroyEnumHandle0(engineHandle: Pointer, enumHandle: Pointer): Status;

  FwpmLayerGetByKey0(engineHandle: Pointer, key: PointerIn, layer: Out<Pointer>): Status;

  FwpmNetEventCreateEnumHandle0(engineHandle: Pointer, enumTemplate: PointerIn, enumHandle: Out<Pointer>): Status;
  FwpmNetEventEnum0(engineHandle: Pointer, enumHandle: Pointer, numEntriesRequested: number, entries: Out<Pointer>, numEntriesReturned: Out<number>): Status;
  FwpmNetEventDestroyEnumHandle0(engineHandle: Pointer, enumHandle: Pointer): Status;
  FwpmNetEventSubscribe0(engineHandle: Pointer, subscription: PointerIn, callback: Pointer, context: PointerIn, eventsHandle: Out<Pointer>): Status;
  FwpmNetEventUnsubscribe0(engineHandle: Pointer, eventsHandle: Pointer): Status;

  /** Simulator only: forget every object and session. */
  WfpsimReset(): void;
  /** Simulator only: where persistent objects are kept between processes (NULL: in memory only). */
  WfpsimSetStateFile(path: string | null): Status;
  /** Simulator only: the session dies as its process would (dynamic objects deleted, handle invalid). */
  WfpsimAbandonSession(engineHandle: Pointer): Status;
  /** Simulator only: blocks handed out by Get/Enum/GetAppId not yet given to FwpmFreeMemory0. */
  WfpsimOutstandingAllocations(): number;
  /** Simulator only: live engine sessions. */
  WfpsimSessionCount(): number;

  /** Whether the library exports a symbol (for optional functions). */
  has(name: string): boolean;
}

type ArgSpec = string | TypeObject | ReturnType<typeof koffi.out>;

/** The C prototypes, as koffi argument lists. */
function prototypes(): Record<string, [ArgSpec, ArgSpec[]]> {
  const H = 'void *';
  const P = 'void *';
  const outPtr = koffi.out(koffi.pointer('void *'));
  const outU32 = koffi.out(koffi.pointer('uint32_t'));
  const outU64 = koffi.out(koffi.pointer('uint64_t'));
  const inoutPtr = koffi.inout(koffi.pointer('void *'));
  const W = 'char16_t *';
  const D = 'uint32_t';
  const enumFns = (obj: string): Record<string, [ArgSpec, ArgSpec[]]> => ({
    [`Fwpm${obj}CreateEnumHandle0`]: [D, [H, P, outPtr]],
    [`Fwpm${obj}Enum0`]: [D, [H, H, 'uint32_t', outPtr, outU32]],
    [`Fwpm${obj}DestroyEnumHandle0`]: [D, [H, H]],
  });
  rawTypes(); // make sure every named type exists before a prototype refers to one
  return {
    FwpmEngineOpen0: [D, [W, 'uint32_t', P, P, outPtr]],
    FwpmEngineClose0: [D, [H]],
    FwpmTransactionBegin0: [D, [H, 'uint32_t']],
    FwpmTransactionCommit0: [D, [H]],
    FwpmTransactionAbort0: [D, [H]],
    FwpmFreeMemory0: ['void', [inoutPtr]],
    FwpmGetAppIdFromFileName0: [D, [W, outPtr]],
    FwpmProviderAdd0: [D, [H, P, P]],
    FwpmProviderDeleteByKey0: [D, [H, P]],
    FwpmProviderGetByKey0: [D, [H, P, outPtr]],
    ...enumFns('Provider'),
    FwpmSubLayerAdd0: [D, [H, P, P]],
    FwpmSubLayerDeleteByKey0: [D, [H, P]],
    FwpmSubLayerGetByKey0: [D, [H, P, outPtr]],
    ...enumFns('SubLayer'),
    FwpmCalloutAdd0: [D, [H, P, P, outU32]],
    FwpmCalloutDeleteByKey0: [D, [H, P]],
    FwpmCalloutDeleteById0: [D, [H, 'uint32_t']],
    FwpmCalloutGetByKey0: [D, [H, P, outPtr]],
    FwpmCalloutGetById0: [D, [H, 'uint32_t', outPtr]],
    ...enumFns('Callout'),
    FwpmFilterAdd0: [D, [H, P, P, outU64]],
    FwpmFilterDeleteByKey0: [D, [H, P]],
    FwpmFilterDeleteById0: [D, [H, 'uint64_t']],
    FwpmFilterGetByKey0: [D, [H, P, outPtr]],
    FwpmFilterGetById0: [D, [H, 'uint64_t', outPtr]],
    ...enumFns('Filter'),
    FwpmLayerGetByKey0: [D, [H, P, outPtr]],
    ...enumFns('NetEvent'),
    FwpmNetEventSubscribe0: [D, [H, P, P, P, outPtr]],
    FwpmNetEventUnsubscribe0: [D, [H, H]],
    WfpsimReset: ['void', []],
    WfpsimSetStateFile: [D, ['const char *']],
    WfpsimAbandonSession: [D, [H]],
    WfpsimOutstandingAllocations: [D, []],
    WfpsimSessionCount: [D, []],
  };
}

/** The library names of the two backends. */
export const BACKEND_LIBRARY = { win32: 'fwpuclnt.dll', sim: 'libwfpsim' } as const;

/**
 * Picks the backend: the option, else `WFPKIT_BACKEND` (`sim` or `win32`), else `win32` on
 * Windows and `sim` everywhere else.
 *
 * @param requested - an explicit choice, if any
 * @returns the backend to load
 * @throws Error when `WFPKIT_BACKEND` holds anything but `sim` or `win32`
 */
export function resolveBackend(requested?: Backend): Backend {
  if (requested) return requested;
  const env = process.env['WFPKIT_BACKEND'];
  if (env === 'sim' || env === 'win32') return env;
  if (env !== undefined && env !== '') {
    throw new Error(`WFPKIT_BACKEND must be "sim" or "win32", not "${env}": unset it to pick by platform.`);
  }
  return process.platform === 'win32' ? 'win32' : 'sim';
}

interface SimulatorModule {
  nativeLibraryPath(): string;
}

function simulatorLibraryPath(): string {
  const override = process.env['WFPKIT_SIM_LIBRARY'];
  if (override) return override;
  let mod: SimulatorModule;
  try {
    // Loaded only when the simulator backend is chosen, so Windows never needs the package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('@wfpkit/simulator') as SimulatorModule;
  } catch (e) {
    throw new Error(
      `The simulator backend needs @wfpkit/simulator (${(e as Error).message}): install it, or set WFPKIT_BACKEND=win32 on Windows.`,
    );
  }
  return mod.nativeLibraryPath();
}

const loaded = new Map<string, FwpmRaw>();

/**
 * Loads (once per path) the native library of a backend and returns its raw API.
 *
 * @param options - backend choice and library path override
 * @returns the raw function table
 * @example
 * ```ts
 * const raw = loadFwpm({ backend: 'sim' });
 * const handle: [bigint | null] = [null];
 * raw.FwpmEngineOpen0(null, 10, null, null, handle);
 * raw.FwpmEngineClose0(handle[0]);
 * ```
 */
export function loadFwpm(options: BackendOptions = {}): FwpmRaw {
  const backend = resolveBackend(options.backend);
  const path = options.libraryPath ?? (backend === 'win32' ? BACKEND_LIBRARY.win32 : simulatorLibraryPath());
  const key = `${backend}:${path}`;
  const existing = loaded.get(key);
  if (existing) return existing;
  let lib: LibraryHandle;
  try {
    lib = koffi.load(path);
  } catch (e) {
    throw new Error(
      backend === 'win32'
        ? `Cannot load ${path} (${(e as Error).message}): the WFP management API exists only on Windows Vista and later.`
        : `Cannot load the simulator library ${path} (${(e as Error).message}): build it with \`npm run build -w @wfpkit/simulator\`.`,
    );
  }
  const protos = prototypes();
  const bound = new Map<string, KoffiFunction>();
  const bind = (name: string): KoffiFunction => {
    let f = bound.get(name);
    if (!f) {
      const p = protos[name];
      if (!p) throw new Error(`No prototype for ${name}`);
      try {
        f = lib.func('__stdcall', name, p[0], p[1]);
      } catch (e) {
        throw new Error(`${path} does not export ${name} (${(e as Error).message}).`);
      }
      bound.set(name, f);
    }
    return f;
  };
  const table: Record<string, unknown> = {
    backend,
    path,
    has(name: string): boolean {
      try {
        bind(name);
        return true;
      } catch {
        return false;
      }
    },
  };
  for (const name of Object.keys(protos)) {
    let f: KoffiFunction | undefined; // bound on first call, then called directly
    table[name] = (...args: unknown[]): unknown => (f ??= bind(name))(...args);
  }
  const raw = table as unknown as FwpmRaw;
  loaded.set(key, raw);
  return raw;
}
