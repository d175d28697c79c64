/*
 * The win32 and simulator transports: one implementation of Transport over the kernel32
 * declarations (kernel32.ts), loaded from kernel32.dll or from libwfpsim.
 *
 * Threading (GetLastError is per thread and must be read on the thread of the failing call):
 *  - The device is opened with FILE_FLAG_OVERLAPPED. A synchronous handle would make Windows
 *    serialize every request on it (a pending READ_EVENTS would block GET_COUNTERS or STOP
 *    until it completes); an overlapped one does not.
 *  - Every IOCTL is issued on the main thread with its own OVERLAPPED: DeviceIoControl returns
 *    at once. Completed (TRUE, or FALSE with an error): the result, and GetLastError read right
 *    after on the main thread. Pending (ERROR_IO_PENDING, the long-poll READ_EVENTS; the driver
 *    never pends the others, but any IOCTL may): the wait goes to a wait thread (wait-thread.ts)
 *    that runs GetOverlappedResult(bWait = TRUE) and GetLastError together. Nothing spins; a
 *    pending read never blocks other IOCTLs.
 *  - The OVERLAPPED lives in a SharedArrayBuffer (the same memory on both threads); it, the
 *    event and the output buffer are kept referenced until the request completes.
 *  - cancel() is CancelIoEx(handle, NULL). close() is CancelIoEx(handle, NULL) then CloseHandle:
 *    the pending requests complete with ERROR_OPERATION_ABORTED (995) (cancelling first does not
 *    depend on the driver's IRP_MJ_CLEANUP; a handle close alone leaves the file object
 *    referenced by the pending I/O).
 */
import { Win32Error } from './errors';
import { K32, loadKernel32, overlappedLayout, resolveIoBackend } from './kernel32';
import type { BackendOptions, IoBackend, Kernel32, NativeHandle } from './kernel32';
import { asTransportHandle } from './transport';
import type { IoctlResult, Transport, TransportHandle } from './transport';
import { WaitThreadPool } from './wait-thread';

/** Events kept for reuse per transport (one is needed per request in flight). */
const MAX_POOLED_EVENTS = 8;

/**
 * A {@link Transport} over kernel32's `CreateFileW` / `DeviceIoControl` / `GetOverlappedResult`
 * / `CancelIoEx` / `CloseHandle`, from `kernel32.dll` (backend `win32`) or libwfpsim (backend
 * `sim`): the same declarations and the same code on both.
 *
 * @example
 * ```ts
 * const transport = new Kernel32Transport({ backend: 'sim' });
 * const device = await WfpKitDevice.open({ transport });
 * ```
 */
export class Kernel32Transport implements Transport {
  /** The backend in use. */
  readonly backend: IoBackend;
  /** The native library the functions come from. */
  readonly libraryPath: string;
  readonly #k32: Kernel32;
  readonly #waits: WaitThreadPool;
  readonly #events: bigint[] = [];
  readonly #layout = overlappedLayout();
  readonly #orphans = new Set<unknown>();
  #inFlight = 0;

  constructor(options: BackendOptions = {}) {
    this.#k32 = loadKernel32({ backend: resolveIoBackend(options.backend), ...(options.libraryPath ? { libraryPath: options.libraryPath } : {}) });
    this.backend = this.#k32.backend;
    this.libraryPath = this.#k32.libraryPath;
    this.#waits = new WaitThreadPool(this.libraryPath);
  }

  /** Requests issued and not yet completed, over every handle of this transport. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** `CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL)`. */
  async open(path: string): Promise<TransportHandle> {
    const k = this.#k32;
    const h = k.CreateFileW(path, K32.GENERIC_READ | K32.GENERIC_WRITE, 0, null, K32.OPEN_EXISTING, K32.FILE_FLAG_OVERLAPPED, null);
    if (h === null || h === K32.INVALID_HANDLE_VALUE) throw new Win32Error(k.GetLastError(), 'CreateFileW');
    this.#waits.prewarm();
    return asTransportHandle(h);
  }

  /** `DeviceIoControl` with an OVERLAPPED; a pending request is waited for on a wait thread. */
  async ioctl(handle: TransportHandle, code: number, input: Uint8Array | null, outputSize: number): Promise<IoctlResult> {
    const k = this.#k32;
    const L = this.#layout;
    const event = this.#takeEvent();
    const overlapped = new Uint8Array(new SharedArrayBuffer(L.size));
    new DataView(overlapped.buffer).setBigUint64(L.hEvent, event, true);
    const output = new Uint8Array(outputSize);
    const returned = new Uint32Array(1);
    this.#inFlight++;
    let settled = false;
    try {
      const ok = k.DeviceIoControl(handle, code >>> 0, input, input?.byteLength ?? 0, outputSize ? output : null, outputSize, returned, overlapped);
      const error = ok ? 0 : k.GetLastError(); // on this thread, right after the failing call
      if (error !== K32.ERROR_IO_PENDING) {
        settled = true;
        if (ok) return { bytesReturned: returned[0] ?? 0, output };
        throw new Win32Error(error, 'DeviceIoControl');
      }
      let result;
      try {
        result = await this.#waits.wait(handle, overlapped);
      } catch (threadError) {
        // The wait thread died with the request still pending: cancel it and keep its memory
        // (the driver may still write the output and the OVERLAPPED).
        k.CancelIoEx(handle, overlapped);
        this.#orphans.add([overlapped, output, input]);
        throw threadError;
      }
      settled = true;
      if (!result.ok) throw new Win32Error(result.error, 'DeviceIoControl');
      return { bytesReturned: result.bytes, output };
    } finally {
      this.#inFlight--;
      if (settled) this.#returnEvent(event);
      else k.CloseHandle(event); // still referenced by the pending request: never reuse it
      // `input`, `output` and `overlapped` stay referenced by this frame until here.
    }
  }

  /** `CancelIoEx(handle, NULL)`: every pending request on the handle completes with 995. */
  async cancel(handle: TransportHandle): Promise<void> {
    const k = this.#k32;
    if (k.CancelIoEx(handle, null)) return;
    const error = k.GetLastError();
    if (error !== K32.ERROR_NOT_FOUND) throw new Win32Error(error, 'CancelIoEx'); // nothing pending is fine
  }

  /** `CancelIoEx(handle, NULL)` then `CloseHandle`; pending requests settle with 995. */
  async close(handle: TransportHandle): Promise<void> {
    const k = this.#k32;
    if (!k.CancelIoEx(handle, null)) {
      const error = k.GetLastError();
      if (error !== K32.ERROR_NOT_FOUND) throw new Win32Error(error, 'CancelIoEx');
    }
    if (!k.CloseHandle(handle)) throw new Win32Error(k.GetLastError(), 'CloseHandle');
  }

  /**
   * Releases what the transport keeps between calls: its pooled events and its wait threads.
   * Call it once no handle of this transport is open; idle threads never keep the process alive,
   * so a transport used until exit needs no dispose.
   */
  async dispose(): Promise<void> {
    for (const e of this.#events.splice(0)) this.#k32.CloseHandle(e);
    await this.#waits.destroy();
  }

  /** Wait threads alive (for tests). */
  get waitThreads(): number {
    return this.#waits.size;
  }

  #takeEvent(): bigint {
    const pooled = this.#events.pop();
    if (pooled !== undefined) return pooled;
    const k = this.#k32;
    const e: NativeHandle = k.CreateEventW(null, 1, 0, null); // manual reset; DeviceIoControl resets it
    if (e === null) throw new Win32Error(k.GetLastError(), 'CreateEventW');
    return e;
  }

  #returnEvent(event: bigint): void {
    if (this.#events.length < MAX_POOLED_EVENTS) this.#events.push(event);
    else this.#k32.CloseHandle(event);
  }
}

/** Options of {@link createWin32Transport} / {@link createSimulatorTransport}. */
export interface TransportOptions {
  /** Load this library instead of the backend's default. */
  readonly libraryPath?: string;
}

/** The win32 transport: {@link Kernel32Transport} over `kernel32.dll`. */
export function createWin32Transport(options: TransportOptions = {}): Kernel32Transport {
  return new Kernel32Transport({ backend: 'win32', ...options });
}

/**
 * The simulator transport: {@link Kernel32Transport} over libwfpsim (`nativeLibraryPath()` of
 * `@wfpkit/simulator`, or `libraryPath`), where the driver code runs in the simulator's kernel
 * model. Load the driver first (`loadDriver()` of `@wfpkit/simulator`).
 */
export function createSimulatorTransport(options: TransportOptions = {}): Kernel32Transport {
  return new Kernel32Transport({ backend: 'sim', ...options });
}

const shared = new Map<string, Kernel32Transport>();

/**
 * The transport for a backend, shared per (backend, library): what {@link openWfpKitDevice}
 * uses when it is given none.
 */
export function defaultTransport(options: BackendOptions = {}): Kernel32Transport {
  const backend = resolveIoBackend(options.backend);
  const key = `${backend}:${options.libraryPath ?? ''}`;
  let t = shared.get(key);
  if (!t) {
    t = new Kernel32Transport({ backend, ...(options.libraryPath ? { libraryPath: options.libraryPath } : {}) });
    shared.set(key, t);
  }
  return t;
}
