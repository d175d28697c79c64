/*
 * The seam between WfpKitDevice and the operating system: four calls that map one to
 * one onto kernel32's `CreateFileW`, `DeviceIoControl`, `CloseHandle` (and, optionally,
 * `CancelIoEx`). The win32 transport binds them with koffi from `kernel32.dll`; the simulator
 * transport binds the same names, with the same signatures, from `libwfpsim`. Tests use a
 * scripted transport.
 */

declare const transportHandleBrand: unique symbol;

/**
 * An open device handle as a transport hands it out (a `HANDLE` is pointer-sized: koffi gives
 * it as a `bigint`). Branded so that an arbitrary number cannot be passed where a handle is
 * expected; only a {@link Transport} creates one, with {@link asTransportHandle}.
 */
export type TransportHandle = bigint & { readonly [transportHandleBrand]: 'TransportHandle' };

/** Brands a native handle value. For transport implementations only. */
export function asTransportHandle(value: bigint): TransportHandle {
  return value as TransportHandle;
}

/** What a completed `DeviceIoControl` returned. */
export interface IoctlResult {
  /** `*lpBytesReturned`: how many bytes of `output` the driver wrote. */
  readonly bytesReturned: number;
  /**
   * The output buffer, `outputSize` bytes long (its first `bytesReturned` bytes are
   * meaningful). The transport allocates it; the client decodes from it with `DataView` and
   * does not keep it.
   */
  readonly output: Uint8Array;
}

/**
 * How {@link WfpKitDevice} reaches the device. Implementations:
 *
 * - {@link Kernel32Transport} (`createWin32Transport()` / `createSimulatorTransport()`): koffi
 *   bindings to `kernel32.dll`, or to libwfpsim with the same declarations. `open` is
 *   `CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
 *   FILE_FLAG_OVERLAPPED, NULL)`; `ioctl` is `DeviceIoControl` with an OVERLAPPED, issued on the
 *   main thread, a pending request (READ_EVENTS) waited for on a wait thread with
 *   `GetOverlappedResult`; `close` is `CancelIoEx` + `CloseHandle`; `cancel` is
 *   `CancelIoEx(handle, NULL)`.
 * - Test doubles (a scripted transport in this package's tests).
 *
 * Rules every implementation follows:
 *
 * 1. A failed native call rejects with a {@link Win32Error} (or any object with a numeric
 *    `win32` property) holding what `GetLastError` returned right after the call, on the
 *    thread that made it. Nothing else is thrown for an OS-reported failure.
 * 2. `ioctl` may be called again while an earlier call on the same handle is pending.
 * 3. `close` makes every pending `ioctl` on the handle settle: the driver's IRP_MJ_CLEANUP
 *    completes a pending READ_EVENTS with STATUS_CANCELLED, which reaches the caller as
 *    ERROR_OPERATION_ABORTED (995). `close` resolves once the handle is closed; it need not
 *    wait for the pending calls.
 * 4. `cancel`, when present, cancels every pending `ioctl` on the handle without closing it
 *    (the cancelled calls reject with ERROR_OPERATION_ABORTED). Without it the client can end
 *    a pending read only by closing the handle or waiting for the read's timeout.
 *
 * @example
 * ```ts
 * // A transport that has no device at all: opening always reports "not loaded".
 * const nowhere: Transport = {
 *   open: async () => { throw new Win32Error(2, 'CreateFileW'); },
 *   ioctl: async () => { throw new Win32Error(6, 'DeviceIoControl'); },
 *   close: async () => {},
 * };
 * await WfpKitDevice.open({ transport: nowhere }); // rejects with DriverNotLoadedError
 * ```
 */
export interface Transport {
  /** Opens the device at `path` (`CreateFileW`). Rejects with a {@link Win32Error} on failure. */
  open(path: string): Promise<TransportHandle>;
  /**
   * Sends one IOCTL (`DeviceIoControl`): `input` as the input buffer (`null` for none) and an
   * output buffer of `outputSize` bytes (0 for none). Resolves when the driver completes the
   * request; rejects with a {@link Win32Error} when it fails.
   */
  ioctl(handle: TransportHandle, code: number, input: Uint8Array | null, outputSize: number): Promise<IoctlResult>;
  /** Closes the handle (`CloseHandle`); pending calls on it then settle (rule 3 above). */
  close(handle: TransportHandle): Promise<void>;
  /** Optional: cancels every pending call on the handle (`CancelIoEx(handle, NULL)`). */
  cancel?(handle: TransportHandle): Promise<void>;
}
