/*
 * The koffi declarations of the kernel32 functions the transports call — one set, used on
 * Windows against `kernel32.dll` and everywhere else against libwfpsim, which exports the same
 * names with the same x64 signatures. Fixed-width types only (DWORD = uint32_t, BOOL = int32_t,
 * HANDLE = void *, LPCWSTR = char16_t *), `__stdcall` (ignored by koffi off 32-bit x86).
 *
 * The prototypes are plain data (KERNEL32_PROTOTYPES) so the wait thread (a worker_threads
 * Worker with its own koffi instance, see wait-thread.ts) binds exactly the same declarations.
 */
import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

/** Which native library implements the kernel32 functions. */
export type IoBackend = 'win32' | 'sim';

/** How a transport picks and loads its native library. */
export interface BackendOptions {
  /**
   * `win32` loads `kernel32.dll`; `sim` loads libwfpsim (`nativeLibraryPath()` of
   * `@wfpkit/simulator`). Default: env `WFPKIT_BACKEND` (`sim` | `win32`), else `win32` on
   * Windows and `sim` elsewhere.
   */
  readonly backend?: IoBackend;
  /** Load this file instead of the backend's default (e.g. the simulator's test-driver library). */
  readonly libraryPath?: string;
}

/** kernel32 constants the transports use. */
export const K32 = {
  GENERIC_READ: 0x80000000,
  GENERIC_WRITE: 0x40000000,
  OPEN_EXISTING: 3,
  FILE_FLAG_OVERLAPPED: 0x40000000,
  /** `INVALID_HANDLE_VALUE` as koffi returns a `HANDLE`. */
  INVALID_HANDLE_VALUE: 0xffffffffffffffffn,
  ERROR_INVALID_HANDLE: 6,
  ERROR_OPERATION_ABORTED: 995,
  ERROR_IO_INCOMPLETE: 996,
  ERROR_IO_PENDING: 997,
  ERROR_NOT_FOUND: 1168,
  /** `OVERLAPPED.Internal` while the request is in progress (STATUS_PENDING). */
  STATUS_PENDING: 0x103,
  WAIT_OBJECT_0: 0,
  INFINITE: 0xffffffff,
} as const;

/** A koffi type name or an argument list entry (plain data). */
type CType = string;

/**
 * The C prototypes: `[return type, argument types]`, kernel32's x64 signatures. `LPOVERLAPPED`
 * is declared `void *` so the caller passes the OVERLAPPED block itself (a `Uint8Array` over a
 * SharedArrayBuffer, by reference, the same memory on the issuing and the waiting thread); its
 * layout is {@link overlappedType}.
 */
export const KERNEL32_PROTOTYPES = {
  // HANDLE CreateFileW(LPCWSTR, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES, DWORD disposition, DWORD flags, HANDLE template)
  CreateFileW: ['void *', ['char16_t *', 'uint32_t', 'uint32_t', 'void *', 'uint32_t', 'uint32_t', 'void *']],
  // BOOL DeviceIoControl(HANDLE, DWORD code, LPVOID in, DWORD inSize, LPVOID out, DWORD outSize, LPDWORD returned, LPOVERLAPPED)
  DeviceIoControl: ['int32_t', ['void *', 'uint32_t', 'void *', 'uint32_t', 'void *', 'uint32_t', 'uint32_t *', 'void *']],
  // BOOL GetOverlappedResult(HANDLE, LPOVERLAPPED, LPDWORD transferred, BOOL wait)
  GetOverlappedResult: ['int32_t', ['void *', 'void *', 'uint32_t *', 'int32_t']],
  // HANDLE CreateEventW(LPSECURITY_ATTRIBUTES, BOOL manualReset, BOOL initialState, LPCWSTR name)
  CreateEventW: ['void *', ['void *', 'int32_t', 'int32_t', 'char16_t *']],
  // DWORD WaitForSingleObject(HANDLE, DWORD ms)
  WaitForSingleObject: ['uint32_t', ['void *', 'uint32_t']],
  // BOOL CancelIoEx(HANDLE, LPOVERLAPPED)
  CancelIoEx: ['int32_t', ['void *', 'void *']],
  // BOOL CloseHandle(HANDLE)
  CloseHandle: ['int32_t', ['void *']],
  // DWORD GetLastError(void)
  GetLastError: ['uint32_t', []],
} as const satisfies Record<string, readonly [CType, readonly CType[]]>;

/** The name of a declared kernel32 function. */
export type Kernel32Name = keyof typeof KERNEL32_PROTOTYPES;

/** A native `HANDLE` as koffi gives it: a `bigint` (or `null` for NULL). */
export type NativeHandle = bigint | null;
/** Anything passed as an input/output pointer: a byte view (by reference) or NULL. */
export type Bytes = Uint8Array | null;

/** The bound functions, arguments in C order. Call `GetLastError` on the thread of the failing call. */
export interface Kernel32 {
  /** The backend the functions come from. */
  readonly backend: IoBackend;
  /** The file that was loaded. */
  readonly libraryPath: string;
  CreateFileW(name: string, access: number, share: number, security: null, disposition: number, flags: number, template: null): NativeHandle;
  DeviceIoControl(h: NativeHandle, code: number, input: Bytes, inSize: number, output: Bytes, outSize: number, returned: Uint32Array, overlapped: Bytes): number;
  GetOverlappedResult(h: NativeHandle, overlapped: Uint8Array, transferred: Uint32Array, wait: number): number;
  CreateEventW(security: null, manualReset: number, initialState: number, name: null): NativeHandle;
  WaitForSingleObject(h: NativeHandle, ms: number): number;
  CancelIoEx(h: NativeHandle, overlapped: Bytes): number;
  CloseHandle(h: NativeHandle): number;
  GetLastError(): number;
}

/** koffi, loaded through `require` (its typings are ESM). */
export function koffiModule(): typeof Koffi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('koffi') as typeof Koffi;
}

let overlapped: Koffi.TypeObject | undefined;

/**
 * `OVERLAPPED` as a koffi struct (Windows x64: 32 bytes — `Internal` and `InternalHigh` are
 * ULONG_PTR, then the `Offset`/`OffsetHigh` pair that shares its 8 bytes with `Pointer`, then
 * `hEvent`). Anonymous, so it never collides in koffi's per-process type registry.
 */
export function overlappedType(): Koffi.TypeObject {
  overlapped ??= koffiModule().struct({
    Internal: 'uint64_t',
    InternalHigh: 'uint64_t',
    Offset: 'uint32_t',
    OffsetHigh: 'uint32_t',
    hEvent: 'void *',
  });
  return overlapped;
}

/** Byte offsets of the OVERLAPPED fields the transports read and write. */
export interface OverlappedLayout {
  readonly size: number;
  readonly internal: number;
  readonly internalHigh: number;
  readonly hEvent: number;
}

/** {@link overlappedType}'s size and offsets, from koffi. */
export function overlappedLayout(): OverlappedLayout {
  const koffi = koffiModule();
  const t = overlappedType();
  return {
    size: koffi.sizeof(t),
    internal: koffi.offsetof(t, 'Internal'),
    internalHigh: koffi.offsetof(t, 'InternalHigh'),
    hEvent: koffi.offsetof(t, 'hEvent'),
  };
}

/**
 * Picks the backend: the option, else `WFPKIT_BACKEND`, else by platform.
 *
 * @throws Error when `WFPKIT_BACKEND` holds anything but `sim` or `win32`
 */
export function resolveIoBackend(requested?: IoBackend): IoBackend {
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

/** The library a backend loads by default. The simulator package is required only for `sim`. */
export function defaultLibraryPath(backend: IoBackend): string {
  if (backend === 'win32') return 'kernel32.dll';
  let mod: SimulatorModule;
  try {
    // Loaded only when the simulator backend is chosen, so Windows never needs the package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('@wfpkit/simulator') as SimulatorModule;
  } catch (e) {
    throw new Error(
      `the simulator backend needs @wfpkit/simulator (npm install @wfpkit/simulator), or set WFPKIT_BACKEND=win32 on Windows: ${String(e)}`,
    );
  }
  return mod.nativeLibraryPath();
}

const loaded = new Map<string, Kernel32>();

/**
 * Binds the kernel32 functions from the backend's library (memoised per library file).
 *
 * @example
 * ```ts
 * const k32 = loadKernel32({ backend: 'sim' });
 * const h = k32.CreateFileW('\\\\.\\WfpKit', K32.GENERIC_READ | K32.GENERIC_WRITE, 0, null, K32.OPEN_EXISTING, K32.FILE_FLAG_OVERLAPPED, null);
 * ```
 */
export function loadKernel32(options: BackendOptions = {}): Kernel32 {
  const backend = resolveIoBackend(options.backend);
  const libraryPath = options.libraryPath ?? defaultLibraryPath(backend);
  const key = `${backend}:${libraryPath}`;
  const known = loaded.get(key);
  if (known) return known;
  const lib = koffiModule().load(libraryPath);
  const bind = (name: Kernel32Name): ReturnType<Koffi.LibraryHandle['func']> => {
    const [ret, args] = KERNEL32_PROTOTYPES[name];
    return lib.func('__stdcall', name, ret, [...args]);
  };
  const k32 = { backend, libraryPath } as { -readonly [K in keyof Kernel32]: Kernel32[K] };
  for (const name of Object.keys(KERNEL32_PROTOTYPES) as Kernel32Name[]) {
    const fn = bind(name);
    Object.assign(k32, { [name]: (...args: unknown[]) => fn(...args) as unknown });
  }
  loaded.set(key, k32);
  return k32;
}
