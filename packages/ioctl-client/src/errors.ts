/*
 * Error classes of `@wfpkit/ioctl-client`. Every class has a stable string `code` and a
 * message that says what to do. Device failures are built from the contract's
 * CONTRACT_ERRORS table, so the meaning and the fix come from the same schema the
 * driver is generated from.
 */
import { CONTRACT_ERRORS, CONTRACT_VERSION_MAJOR, CONTRACT_VERSION_MINOR } from './contract.generated';
import type { ContractErrorInfo, IoctlName } from './contract.generated';

/** Stable identifier of every error class of this package (the `code` property). */
export type WfpKitErrorCode =
  | 'WFPKIT_WIN32'
  | 'WFPKIT_DEVICE_ERROR'
  | 'WFPKIT_DRIVER_NOT_LOADED'
  | 'WFPKIT_ACCESS_DENIED'
  | 'WFPKIT_CONTRACT_MISMATCH'
  | 'WFPKIT_SESSION_CLOSED'
  | 'WFPKIT_INVALID_ARGUMENT';

/**
 * Base class of every error this package throws (except the generated
 * {@link RecordDecodeError}, a `RangeError` raised by the codec).
 *
 * @example
 * ```ts
 * try {
 *   await WfpKitDevice.open({ transport });
 * } catch (error) {
 *   if (error instanceof WfpKitError) console.error(`${error.code}: ${error.message}`);
 *   else throw error;
 * }
 * ```
 */
export abstract class WfpKitError extends Error {
  /** Stable identifier of the error class; safe to compare against in code. */
  abstract readonly code: WfpKitErrorCode;
}

/** Win32 error names this package knows beyond the contract's table (for messages only). */
const EXTRA_WIN32_NAMES: { readonly [win32: number]: string } = {
  3: 'ERROR_PATH_NOT_FOUND',
  6: 'ERROR_INVALID_HANDLE',
  31: 'ERROR_GEN_FAILURE',
  50: 'ERROR_NOT_SUPPORTED',
  234: 'ERROR_MORE_DATA',
  1167: 'ERROR_DEVICE_NOT_CONNECTED',
  1168: 'ERROR_NOT_FOUND',
  1460: 'ERROR_TIMEOUT',
};

/** Win32 error numbers the client treats specially. */
export const WIN32 = {
  /** ERROR_FILE_NOT_FOUND: opening the device failed because the driver is not loaded. */
  FILE_NOT_FOUND: 2,
  /** ERROR_ACCESS_DENIED: the caller is not SYSTEM or an Administrator. */
  ACCESS_DENIED: 5,
  /** ERROR_INVALID_HANDLE: the handle was closed. */
  INVALID_HANDLE: 6,
  /** ERROR_OPERATION_ABORTED: a pending request was cancelled or its handle closed. */
  OPERATION_ABORTED: 995,
} as const;

/**
 * The contract's entry for a Win32 error number, or `undefined` when the contract does not
 * list it.
 *
 * @example
 * ```ts
 * contractErrorFor(22)?.fix; // "Stop the session before changing its configuration; start it only once."
 * ```
 */
export function contractErrorFor(win32: number): ContractErrorInfo | undefined {
  return CONTRACT_ERRORS.find((entry) => entry.win32 === win32);
}

/** Name of a Win32 error number (`ERROR_…`), or `WIN32_<n>` when this package does not know it. */
export function win32ErrorName(win32: number): string {
  return contractErrorFor(win32)?.name ?? EXTRA_WIN32_NAMES[win32] ?? `WIN32_${win32}`;
}

/**
 * What a {@link Transport} rejects with when a native call fails: the Win32 error code that
 * `GetLastError` returned after `CreateFileW`, `DeviceIoControl` or `CloseHandle`.
 * WfpKitDevice turns it into one of the specific classes ({@link DriverNotLoadedError},
 * {@link AccessDeniedError}, {@link DeviceError}, {@link SessionClosedError}).
 *
 * @example
 * ```ts
 * // inside a transport
 * if (!ok) throw new Win32Error(GetLastError(), 'DeviceIoControl');
 * ```
 */
export class Win32Error extends WfpKitError {
  override name = 'Win32Error';
  /** Always `'WFPKIT_WIN32'`. */
  readonly code = 'WFPKIT_WIN32' as const;
  /** Name of the Win32 error (`ERROR_…`, or `WIN32_<n>` when unknown). */
  readonly win32Name: string;

  constructor(
    /** The Win32 error number (what `GetLastError` returned). */
    readonly win32: number,
    /** The native call that failed, e.g. `'DeviceIoControl'`. */
    readonly operation: string,
  ) {
    super(`${operation} failed with ${win32ErrorName(win32)} (${win32})`);
    this.win32Name = win32ErrorName(win32);
  }
}

/**
 * True when `value` carries a Win32 error number: a {@link Win32Error}, or any object with a
 * numeric `win32` property (so a transport in another bundle copy still maps correctly).
 */
export function isWin32Error(value: unknown): value is { readonly win32: number } {
  return value instanceof Win32Error || (typeof value === 'object' && value !== null && 'win32' in value && typeof value.win32 === 'number');
}

/** What a device call was: opening the device, or one IOCTL of the contract. */
export type DeviceOperation = 'open' | 'close' | IoctlName;

function describeOperation(operation: DeviceOperation): string {
  if (operation === 'open') return 'opening the wfpkit device';
  if (operation === 'close') return 'closing the wfpkit device';
  return `IOCTL_WFPKIT_${operation}`;
}

/** Options the error constructors accept: the error that caused this one. */
export interface WfpKitErrorOptions {
  /** The underlying error (usually a {@link Win32Error}). */
  cause?: unknown;
}

/**
 * The device refused a call with a Win32 error. Carries the error number and name, the
 * IOCTL (or `'open'`), and the contract's meaning and fix for that error.
 *
 * @example
 * ```ts
 * try {
 *   await device.start();
 * } catch (error) {
 *   if (error instanceof DeviceError && error.win32Name === 'ERROR_BAD_COMMAND') {
 *     console.error(error.fix); // "Stop the session before changing its configuration; start it only once."
 *   }
 * }
 * ```
 */
export class DeviceError extends WfpKitError {
  override name = 'DeviceError';
  /** `'WFPKIT_DEVICE_ERROR'`, or the code of a subclass. */
  readonly code: WfpKitErrorCode = 'WFPKIT_DEVICE_ERROR';
  /** Name of the Win32 error (`ERROR_…`). */
  readonly win32Name: string;
  /** What the error means for this driver (from the contract). */
  readonly meaning: string;
  /** What to do about it (from the contract). */
  readonly fix: string;

  constructor(
    /** The Win32 error number. */
    readonly win32: number,
    /** The call that failed: `'open'` or the IOCTL name (without the IOCTL_WFPKIT_ prefix). */
    readonly operation: DeviceOperation,
    options: WfpKitErrorOptions & { message?: string } = {},
  ) {
    const info = contractErrorFor(win32);
    const win32Name = win32ErrorName(win32);
    const meaning = info?.meaning ?? `Windows error ${win32}, which the driver contract does not list.`;
    const fix = info?.fix ?? 'Report it together with the driver and client versions (`monitor-cli version`).';
    super(options.message ?? `${describeOperation(operation)} failed with ${win32Name} (${win32}): ${meaning} ${fix}`, { cause: options.cause });
    this.win32Name = win32Name;
    this.meaning = meaning;
    this.fix = fix;
  }

  /** The IOCTL that failed, or `null` when opening or closing the device failed. */
  get ioctl(): IoctlName | null {
    return this.operation === 'open' || this.operation === 'close' ? null : this.operation;
  }
}

/**
 * Opening the device failed with ERROR_FILE_NOT_FOUND: the wfpkit driver is not loaded (or
 * `path` names no device).
 */
export class DriverNotLoadedError extends DeviceError {
  override name = 'DriverNotLoadedError';
  override readonly code: WfpKitErrorCode = 'WFPKIT_DRIVER_NOT_LOADED';

  constructor(
    /** The device path that was opened. */
    readonly path: string,
    options: WfpKitErrorOptions = {},
  ) {
    super(WIN32.FILE_NOT_FOUND, 'open', {
      ...options,
      message: `the wfpkit driver is not loaded (${path} does not exist): run \`monitor-cli driver install\` from an elevated prompt`,
    });
  }
}

/**
 * The device refused the caller with ERROR_ACCESS_DENIED: it admits only SYSTEM and
 * Administrators.
 */
export class AccessDeniedError extends DeviceError {
  override name = 'AccessDeniedError';
  override readonly code: WfpKitErrorCode = 'WFPKIT_ACCESS_DENIED';

  constructor(operation: DeviceOperation, options: WfpKitErrorOptions = {}) {
    super(WIN32.ACCESS_DENIED, operation, {
      ...options,
      message: `${describeOperation(operation)} was denied: the device admits only SYSTEM and Administrators. Run from an elevated prompt (Run as administrator).`,
    });
  }
}

/** A contract version split into its parts. */
export interface ContractVersion {
  /** Major version: a different one is incompatible. */
  readonly major: number;
  /** Minor version: additions an older client ignores. */
  readonly minor: number;
}

/** Splits a contract version as GET_VERSION reports it (`major << 16 | minor`). */
export function splitContractVersion(contractVersion: number): ContractVersion {
  return { major: contractVersion >>> 16, minor: contractVersion & 0xffff };
}

/**
 * The driver speaks another major version of the contract than this client. The device
 * handle has been closed.
 */
export class ContractMismatchError extends WfpKitError {
  override name = 'ContractMismatchError';
  /** Always `'WFPKIT_CONTRACT_MISMATCH'`. */
  readonly code = 'WFPKIT_CONTRACT_MISMATCH' as const;
  /** The contract version this client was generated from. */
  readonly client: ContractVersion = { major: CONTRACT_VERSION_MAJOR, minor: CONTRACT_VERSION_MINOR };
  /** The contract version the driver reported. */
  readonly driver: ContractVersion;

  constructor(
    /** `VersionInfo.contractVersion` as the driver reported it. */
    readonly driverContractVersion: number,
  ) {
    const driver = splitContractVersion(driverContractVersion);
    const newer = driver.major > CONTRACT_VERSION_MAJOR;
    super(
      `the wfpkit driver speaks contract ${driver.major}.${driver.minor} but this @wfpkit/ioctl-client speaks ` +
        `${CONTRACT_VERSION_MAJOR}.${CONTRACT_VERSION_MINOR}: ` +
        (newer
          ? `install an @wfpkit/ioctl-client release for contract ${driver.major}.x, or reinstall the driver that ships with this client (\`monitor-cli driver install\` from an elevated prompt)`
          : `install the driver that ships with this client: run \`monitor-cli driver install\` from an elevated prompt`),
    );
    this.driver = driver;
  }
}

/** A method was called on a {@link WfpKitDevice} after `close()`, or the device closed while the call was pending. */
export class SessionClosedError extends WfpKitError {
  override name = 'SessionClosedError';
  /** Always `'WFPKIT_SESSION_CLOSED'`. */
  readonly code = 'WFPKIT_SESSION_CLOSED' as const;

  constructor(
    /** The method that was called (e.g. `'readEvents'`). */
    readonly operation: string,
    options: WfpKitErrorOptions = {},
  ) {
    super(`${operation}: the wfpkit device session is closed; open a new one with WfpKitDevice.open()`, { cause: options.cause });
  }
}

/**
 * A request field is outside the limits of the contract or of the running driver; detected
 * before anything was sent to the device.
 *
 * @example
 * ```ts
 * await device.configure({ snapLen: 100_000 });
 * // InvalidArgumentError: configure: snapLen must be an integer in 0..2048, got 100000
 * ```
 */
export class InvalidArgumentError extends WfpKitError {
  override name = 'InvalidArgumentError';
  /** Always `'WFPKIT_INVALID_ARGUMENT'`. */
  readonly code = 'WFPKIT_INVALID_ARGUMENT' as const;

  constructor(
    /** The method whose argument was refused (e.g. `'configure'`). */
    readonly operation: string,
    /** The field that is out of its limits (e.g. `'snapLen'`). */
    readonly field: string,
    /** The value that was refused. */
    readonly value: unknown,
    /** What is allowed, in words (e.g. `'an integer in 0..2048'`). */
    readonly allowed: string,
  ) {
    super(`${operation}: ${field} must be ${allowed}, got ${formatValue(value)}`);
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0xff) return `${value} (0x${value.toString(16)})`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * Turns what a transport rejected with into this package's error for `operation`:
 * ERROR_FILE_NOT_FOUND on open → {@link DriverNotLoadedError}; ERROR_ACCESS_DENIED →
 * {@link AccessDeniedError}; any other Win32 error → {@link DeviceError}. Errors without a
 * Win32 code are returned unchanged.
 */
export function mapTransportError(error: unknown, operation: DeviceOperation, path: string): unknown {
  if (!isWin32Error(error)) return error;
  if (operation === 'open' && (error.win32 === WIN32.FILE_NOT_FOUND)) return new DriverNotLoadedError(path, { cause: error });
  if (error.win32 === WIN32.ACCESS_DENIED) return new AccessDeniedError(operation, { cause: error });
  return new DeviceError(error.win32, operation, { cause: error });
}
