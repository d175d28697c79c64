/*
 * One monitoring session, the way a wfpkit client runs it: open the device, read the session's
 * scope key, add the session's filters in a dynamic engine session, configure and start.
 */
import { Engine } from '@wfpkit/fwpm-bindings';
import type { AppId, FilterId } from '@wfpkit/fwpm-bindings';
import { openWfpKitDevice } from '@wfpkit/ioctl-client';
import type { ScopeKey, SessionOptions, WfpKitDevice } from '@wfpkit/ioctl-client';

import { addSessionFilters } from './wfpkit';

/** The NT path an app id holds (`FwpmGetAppIdFromFileName0`'s UTF-16 blob, NUL-terminated). */
export function appIdPath(appId: AppId): string {
  return Buffer.from(appId.buffer, appId.byteOffset, appId.byteLength).toString('utf16le').replace(/\0+$/, '');
}

/** An open, started monitoring session. */
export interface MonitorSession {
  readonly device: WfpKitDevice;
  readonly scopeKey: ScopeKey;
  /** The dynamic engine session holding the session's filters. */
  readonly engine: Engine;
  readonly filterIds: readonly FilterId[];
  /** NT paths of the monitored apps (what the simulator's app rules must assign). */
  readonly appPaths: readonly string[];
}

/** Options of {@link openMonitorSession}. */
export interface MonitorSessionOptions {
  /** Win32 file names of the apps to monitor, e.g. `C:\\Windows\\System32\\curl.exe`. */
  readonly apps: readonly string[];
  /** SET_CONFIG fields (default: the contract's, i.e. INSPECT_STREAMS). */
  readonly config?: Partial<SessionOptions>;
  /** READ_EVENTS buffer of the device (default 256 KiB). */
  readonly bufferSize?: number;
  /** Name of the filters. */
  readonly name?: string;
}

/** Opens the device (simulator backend), adds the session's filters, configures and starts it. */
export async function openMonitorSession(options: MonitorSessionOptions): Promise<MonitorSession> {
  const device = await openWfpKitDevice({ backend: 'sim', ...(options.bufferSize ? { bufferSize: options.bufferSize } : {}) });
  try {
    const { scopeKey } = await device.session();
    const engine = Engine.open({ dynamic: true, name: options.name ?? 'wfpkit e2e session' });
    try {
      const appIds = options.apps.map((a) => engine.appIdFromFileName(a));
      const filterIds = await addSessionFilters(engine, { scopeKey, appIds, ...(options.name ? { name: options.name } : {}) });
      await device.configure(options.config ?? {});
      await device.start();
      return { device, scopeKey, engine, filterIds, appPaths: appIds.map(appIdPath) };
    } catch (e) {
      engine.close();
      throw e;
    }
  } catch (e) {
    await device.close();
    throw e;
  }
}

/** Closes the dynamic engine session (its filters go) and the device. */
export async function closeMonitorSession(s: MonitorSession): Promise<void> {
  s.engine.close();
  await s.device.close();
}
