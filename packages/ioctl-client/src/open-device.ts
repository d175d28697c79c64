/*
 * openWfpKitDevice: WfpKitDevice.open over the transport of the chosen backend.
 */
import { WfpKitDevice } from './device';
import type { OpenOptions } from './device';
import { defaultTransport } from './kernel32-transport';
import type { BackendOptions } from './kernel32';
import type { Transport } from './transport';

/** Options of {@link openWfpKitDevice}. */
export interface OpenWfpKitDeviceOptions extends Omit<OpenOptions, 'transport'>, BackendOptions {
  /**
   * The transport to use. Default: the shared kernel32 transport of the backend
   * (`backend` / `libraryPath`, else `WFPKIT_BACKEND`, else `win32` on Windows and `sim`
   * elsewhere).
   */
  readonly transport?: Transport;
}

/**
 * Opens the wfpkit device: on Windows through `kernel32.dll`, elsewhere through the simulator
 * (libwfpsim, where the driver's own code runs), with the same koffi declarations. The handle is
 * overlapped, so a pending `events()` read never blocks `counters()`, `stop()` or `close()`.
 *
 * @throws {@link DriverNotLoadedError} when the device does not exist (not installed, or in the
 *   simulator: `loadDriver()` of `@wfpkit/simulator` not called).
 * @throws {@link AccessDeniedError} when the caller is not elevated.
 * @throws {@link ContractMismatchError} when the driver speaks another major contract version.
 * @example
 * ```ts
 * import { openWfpKitDevice } from '@wfpkit/ioctl-client';
 *
 * await using device = await openWfpKitDevice(); // win32 on Windows, the simulator elsewhere
 * await device.configure({});
 * await device.start();
 * for await (const record of device.events()) console.log(record.kind);
 * ```
 */
export async function openWfpKitDevice(options: OpenWfpKitDeviceOptions = {}): Promise<WfpKitDevice> {
  const { transport, backend, libraryPath, ...open } = options;
  const t =
    transport ?? defaultTransport({ ...(backend ? { backend } : {}), ...(libraryPath ? { libraryPath } : {}) });
  return WfpKitDevice.open({ ...open, transport: t });
}
