/*
 * The wfpkit driver as a Windows kernel service, through the Service Control Manager API of
 * advapi32.dll (koffi): install (copy wfpkit.sys to System32\drivers, CreateServiceW as a
 * demand-start kernel driver, StartServiceW), start, stop (ControlService STOP), uninstall
 * (stop, DeleteService). Windows only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type * as Koffi from 'koffi' with { 'resolution-mode': 'import' };

import { CliError, EXIT_CODES } from './errors';

/** Name of the driver's kernel service. */
export const SERVICE_NAME = 'wfpkit';

const SC_MANAGER_ALL_ACCESS = 0xf003f;
const SC_MANAGER_CONNECT = 0x1;
const SERVICE_ALL_ACCESS = 0xf01ff;
const SERVICE_QUERY_STATUS = 0x4;
const SERVICE_KERNEL_DRIVER = 0x1;
const SERVICE_DEMAND_START = 0x3;
const SERVICE_ERROR_NORMAL = 0x1;
const SERVICE_CONTROL_STOP = 0x1;
const ERROR_ACCESS_DENIED = 5;
const ERROR_SERVICE_ALREADY_RUNNING = 1056;
const ERROR_SERVICE_DOES_NOT_EXIST = 1060;
const ERROR_SERVICE_NOT_ACTIVE = 1062;
const ERROR_SERVICE_EXISTS = 1073;
const ERROR_SERVICE_MARKED_FOR_DELETE = 1072;

/** SERVICE_STATUS.dwCurrentState names. */
const STATES: Record<number, string> = { 1: 'stopped', 2: 'start-pending', 3: 'stop-pending', 4: 'running', 5: 'continue-pending', 6: 'pause-pending', 7: 'paused' };

type Fn = ReturnType<Koffi.LibraryHandle['func']>;
interface Scm {
  readonly koffi: typeof Koffi;
  readonly OpenSCManagerW: Fn;
  readonly CreateServiceW: Fn;
  readonly OpenServiceW: Fn;
  readonly StartServiceW: Fn;
  readonly ControlService: Fn;
  readonly DeleteService: Fn;
  readonly QueryServiceStatus: Fn;
  readonly CloseServiceHandle: Fn;
  readonly GetLastError: Fn;
}

let scmMemo: Scm | undefined;

function scm(): Scm {
  if (process.platform !== 'win32') throw new CliError(`the Service Control Manager exists only on Windows; on ${process.platform} the simulator runs the wfpkit driver inside monitor-cli, so there is nothing to install or start`, EXIT_CODES.FAILURE);
  if (scmMemo) return scmMemo;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as typeof Koffi;
  const adv = koffi.load('advapi32.dll');
  const k32 = koffi.load('kernel32.dll');
  let status: ReturnType<typeof koffi.struct>;
  try {
    status = koffi.type('MONITOR_CLI_SERVICE_STATUS') as ReturnType<typeof koffi.struct>;
  } catch {
    status = koffi.struct('MONITOR_CLI_SERVICE_STATUS', {
      dwServiceType: 'uint32_t',
      dwCurrentState: 'uint32_t',
      dwControlsAccepted: 'uint32_t',
      dwWin32ExitCode: 'uint32_t',
      dwServiceSpecificExitCode: 'uint32_t',
      dwCheckPoint: 'uint32_t',
      dwWaitHint: 'uint32_t',
    });
  }
  scmMemo = {
    koffi,
    OpenSCManagerW: adv.func('__stdcall', 'OpenSCManagerW', 'void *', ['str16', 'str16', 'uint32_t']),
    CreateServiceW: adv.func('__stdcall', 'CreateServiceW', 'void *', [
      'void *', 'str16', 'str16', 'uint32_t', 'uint32_t', 'uint32_t', 'uint32_t', 'str16', 'str16', 'void *', 'str16', 'str16', 'str16',
    ]),
    OpenServiceW: adv.func('__stdcall', 'OpenServiceW', 'void *', ['void *', 'str16', 'uint32_t']),
    StartServiceW: adv.func('__stdcall', 'StartServiceW', 'int32_t', ['void *', 'uint32_t', 'void *']),
    ControlService: adv.func('__stdcall', 'ControlService', 'int32_t', ['void *', 'uint32_t', koffi.out(koffi.pointer(status))]),
    DeleteService: adv.func('__stdcall', 'DeleteService', 'int32_t', ['void *']),
    QueryServiceStatus: adv.func('__stdcall', 'QueryServiceStatus', 'int32_t', ['void *', koffi.out(koffi.pointer(status))]),
    CloseServiceHandle: adv.func('__stdcall', 'CloseServiceHandle', 'int32_t', ['void *']),
    GetLastError: k32.func('__stdcall', 'GetLastError', 'uint32_t', []),
  };
  return scmMemo;
}

function fail(api: string, code: number): never {
  if (code === ERROR_ACCESS_DENIED) throw new CliError(`${api} was denied (ERROR_ACCESS_DENIED): run monitor-cli from an elevated prompt (Run as administrator)`, EXIT_CODES.NOT_ELEVATED);
  if (code === ERROR_SERVICE_DOES_NOT_EXIST) throw new CliError(`the ${SERVICE_NAME} driver service is not installed: run monitor-cli driver install from an elevated prompt`, EXIT_CODES.DRIVER_MISSING);
  if (code === ERROR_SERVICE_MARKED_FOR_DELETE) throw new CliError(`the ${SERVICE_NAME} service is marked for deletion: close programs that use it (or reboot), then retry`, EXIT_CODES.FAILURE);
  throw new CliError(`${api} failed with Win32 error ${code}: see https://learn.microsoft.com/windows/win32/debug/system-error-codes`, EXIT_CODES.FAILURE);
}

function withManager<T>(access: number, fn: (s: Scm, manager: unknown) => T): T {
  const s = scm();
  const manager: unknown = s.OpenSCManagerW(null, null, access);
  if (!manager) fail('OpenSCManagerW', s.GetLastError() as number);
  try {
    return fn(s, manager);
  } finally {
    s.CloseServiceHandle(manager);
  }
}

function withService<T>(s: Scm, manager: unknown, access: number, fn: (service: unknown) => T): T {
  const service: unknown = s.OpenServiceW(manager, SERVICE_NAME, access);
  if (!service) fail('OpenServiceW', s.GetLastError() as number);
  try {
    return fn(service);
  } finally {
    s.CloseServiceHandle(service);
  }
}

/** The service's state (`running`, `stopped`, …), or `not-installed`. */
export function driverServiceState(): string {
  return withManager(SC_MANAGER_CONNECT, (s, manager) => {
    const service: unknown = s.OpenServiceW(manager, SERVICE_NAME, SERVICE_QUERY_STATUS);
    if (!service) {
      const code = s.GetLastError() as number;
      if (code === ERROR_SERVICE_DOES_NOT_EXIST) return 'not-installed';
      fail('OpenServiceW', code);
    }
    try {
      const st: { dwCurrentState?: number } = {};
      if (!s.QueryServiceStatus(service, st)) fail('QueryServiceStatus', s.GetLastError() as number);
      return STATES[st.dwCurrentState ?? 0] ?? `state ${st.dwCurrentState ?? 0}`;
    } finally {
      s.CloseServiceHandle(service);
    }
  });
}

/** State of another service (for doctor: BFE). */
export function serviceState(name: string): string {
  return withManager(SC_MANAGER_CONNECT, (s, manager) => {
    const service: unknown = s.OpenServiceW(manager, name, SERVICE_QUERY_STATUS);
    if (!service) return (s.GetLastError() as number) === ERROR_SERVICE_DOES_NOT_EXIST ? 'not-installed' : 'unknown';
    try {
      const st: { dwCurrentState?: number } = {};
      if (!s.QueryServiceStatus(service, st)) return 'unknown';
      return STATES[st.dwCurrentState ?? 0] ?? 'unknown';
    } finally {
      s.CloseServiceHandle(service);
    }
  });
}

/** Starts the service; already running is fine. */
export function startDriver(): string {
  return withManager(SC_MANAGER_CONNECT, (s, manager) =>
    withService(s, manager, SERVICE_ALL_ACCESS, (service) => {
      if (s.StartServiceW(service, 0, null)) return 'started';
      const code = s.GetLastError() as number;
      if (code === ERROR_SERVICE_ALREADY_RUNNING) return 'already running';
      return fail('StartServiceW', code);
    }),
  );
}

/** Stops the service; already stopped is fine. */
export function stopDriver(): string {
  return withManager(SC_MANAGER_CONNECT, (s, manager) =>
    withService(s, manager, SERVICE_ALL_ACCESS, (service) => {
      if (s.ControlService(service, SERVICE_CONTROL_STOP, {})) return 'stopped';
      const code = s.GetLastError() as number;
      if (code === ERROR_SERVICE_NOT_ACTIVE) return 'already stopped';
      return fail('ControlService', code);
    }),
  );
}

/**
 * Copies `sysFile` to %SystemRoot%\System32\drivers\wfpkit.sys, creates the demand-start kernel
 * service (an existing one is kept) and starts it.
 */
export function installDriver(sysFile: string): string {
  const target = path.join(process.env['SystemRoot'] ?? 'C:\\Windows', 'System32', 'drivers', 'wfpkit.sys');
  try {
    fs.copyFileSync(sysFile, target);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EPERM' || code === 'EACCES') throw new CliError(`cannot copy the driver to ${target}: run monitor-cli from an elevated prompt (Run as administrator)`, EXIT_CODES.NOT_ELEVATED);
    throw new CliError(`cannot copy ${sysFile} to ${target}: ${e instanceof Error ? e.message : String(e)}`, EXIT_CODES.FAILURE);
  }
  const created = withManager(SC_MANAGER_ALL_ACCESS, (s, manager) => {
    const service: unknown = s.CreateServiceW(manager, SERVICE_NAME, 'wfpkit WFP callout driver', SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, target, null, null, null, null, null);
    if (!service) {
      const code = s.GetLastError() as number;
      if (code === ERROR_SERVICE_EXISTS) return false;
      fail('CreateServiceW', code);
    }
    s.CloseServiceHandle(service);
    return true;
  });
  return `${created ? 'installed' : 'already installed'}; ${startDriver()}`;
}

/** Stops and deletes the service; not installed is fine. */
export function uninstallDriver(): string {
  return withManager(SC_MANAGER_ALL_ACCESS, (s, manager) => {
    const service: unknown = s.OpenServiceW(manager, SERVICE_NAME, SERVICE_ALL_ACCESS);
    if (!service) {
      const code = s.GetLastError() as number;
      if (code === ERROR_SERVICE_DOES_NOT_EXIST) return 'not installed';
      return fail('OpenServiceW', code);
    }
    try {
      s.ControlService(service, SERVICE_CONTROL_STOP, {});
      if (!s.DeleteService(service)) {
        const code = s.GetLastError() as number;
        if (code !== ERROR_SERVICE_MARKED_FOR_DELETE) fail('DeleteService', code);
      }
      return 'stopped and deleted';
    } finally {
      s.CloseServiceHandle(service);
    }
  });
}
