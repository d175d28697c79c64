/*
 * Which WFP the CLI talks to: Windows' (fwpuclnt.dll, kernel32 and the installed wfpkit.sys) or
 * the simulator's (libwfpsim, which runs the driver's own code in this process). The simulator is
 * used off Windows, with --sim, or with WFPKIT_BACKEND=sim; the first line on stderr says so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { simulatorKernel } from '@wfpkit/simulator';

/** The backend of a run. */
export type BackendName = 'sim' | 'win32';

/** The backend and why it was chosen. */
export interface BackendChoice {
  /** The backend. */
  readonly backend: BackendName;
  /** Why (`--sim`, `WFPKIT_BACKEND=sim`, `not Windows`). */
  readonly reason: string;
}

/**
 * Picks the backend: `--sim`, else `WFPKIT_BACKEND`, else Windows' on Windows and the simulator
 * elsewhere.
 *
 * @param forceSim - `--sim` was given
 */
export function chooseBackend(forceSim: boolean): BackendChoice {
  if (forceSim) return { backend: 'sim', reason: '--sim' };
  const env = process.env['WFPKIT_BACKEND'];
  if (env === 'sim' || env === 'win32') return { backend: env, reason: `WFPKIT_BACKEND=${env}` };
  return process.platform === 'win32' ? { backend: 'win32', reason: 'Windows' } : { backend: 'sim', reason: `not Windows (${process.platform})` };
}

/** Where the simulator keeps persistent WFP objects (the callouts `addcallouts` adds) between runs. */
export function simulatorStateFile(): string {
  return process.env['WFPSIM_STATE_FILE'] ?? path.join(os.homedir(), '.wfpkit', 'simulator-state.bin');
}

/** The line a simulator run starts with (stderr). */
export function simulatorBanner(choice: BackendChoice): string {
  return `monitor-cli: using the wfpkit simulator (${choice.reason}): the wfpkit driver runs inside libwfpsim on simulated traffic; state in ${simulatorStateFile()}\n`;
}

let prepared: BackendName | undefined;

/**
 * Makes the backend ready for the libraries: for the simulator, points every package at it
 * (WFPKIT_BACKEND=sim), chooses its state file, and loads the simulated driver, the way Windows
 * would have it loaded after `monitor-cli driver install`. Two test switches of the simulated
 * machine: `WFPKIT_SIM_DRIVER=absent` leaves the driver unloaded, `WFPKIT_SIM_ELEVATED=0` makes
 * the caller a non-elevated user.
 *
 * @param choice - the backend
 */
export function prepareBackend(choice: BackendChoice): void {
  if (prepared === choice.backend) return;
  prepared = choice.backend;
  if (choice.backend !== 'sim') return;
  process.env['WFPKIT_BACKEND'] = 'sim';
  const state = simulatorStateFile();
  fs.mkdirSync(path.dirname(state), { recursive: true });
  process.env['WFPSIM_STATE_FILE'] = state;
  const kernel = simulatorKernel();
  if (process.env['WFPKIT_SIM_ELEVATED'] === '0') kernel.setCallerElevated(false);
  if (process.env['WFPKIT_SIM_DRIVER'] !== 'absent' && kernel.driverState() === 'not-loaded') kernel.loadDriver();
}
