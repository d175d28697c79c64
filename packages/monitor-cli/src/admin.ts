/*
 * The commands that manage rather than monitor: addcallouts / delcallouts, status, counters,
 * doctor and driver.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { driverFiles } from '@wfpkit/driver';

import { Engine, FWPM_FLAG_PERSISTENT } from '@wfpkit/fwpm-bindings';
import { CONTRACT_VERSION_MAJOR, CONTRACT_VERSION_MINOR, FeatureFlags, GUIDS, openWfpKitDevice } from '@wfpkit/ioctl-client';
import type { Counters, VersionInfo } from '@wfpkit/ioctl-client';
import { TaggingSession, WFPKIT_CALLOUTS, wfpkitObjects } from '@wfpkit/tagging';

import { simulatorStateFile } from './backend';
import type { Context } from './context';
import { CliError, EXIT_CODES, describeFailure } from './errors';
import { writeJsonDocument, toJsonLine } from './output';
import { driverServiceState, installDriver, serviceState, startDriver, stopDriver, uninstallDriver } from './scm';

function emitObject(ctx: Context, value: Record<string, unknown>, text: () => string): void {
  if (ctx.options.format === 'text') ctx.data(text());
  else if (ctx.options.format === 'jsonl') ctx.data(toJsonLine(value) + '\n');
  else writeJsonDocument(ctx.target, value);
}

function table(rows: readonly (readonly [string, string])[]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

/** addcallouts: wfpkit's persistent provider, sublayer and callouts, one transaction, idempotent. */
export async function addCalloutsCommand(ctx: Context): Promise<number> {
  const { added } = await TaggingSession.installCallouts({ backend: ctx.backend.backend });
  emitObject(ctx, { type: 'addcallouts', added, callouts: WFPKIT_CALLOUTS.length }, () =>
    added ? `added ${added} wfpkit objects (provider, sublayer, callouts) in one transaction\n` : 'the wfpkit callouts were already installed; nothing added\n',
  );
  return EXIT_CODES.OK;
}

/** delcallouts: every wfpkit object out, one transaction, idempotent. */
export async function delCalloutsCommand(ctx: Context): Promise<number> {
  const { removed } = await TaggingSession.removeCallouts({ backend: ctx.backend.backend });
  emitObject(ctx, { type: 'delcallouts', removed }, () => (removed ? `removed ${removed} wfpkit objects in one transaction\n` : 'no wfpkit objects were installed; nothing removed\n'));
  return EXIT_CODES.OK;
}

function featureNames(flags: number): string[] {
  return Object.entries(FeatureFlags)
    .filter(([, v]) => (flags & v) !== 0)
    .map(([k]) => k.toLowerCase());
}

interface DriverState {
  loaded: boolean;
  version?: VersionInfo;
  counters?: Counters;
  problem?: { exitCode: number; message: string };
}

async function driverState(): Promise<DriverState> {
  try {
    const device = await openWfpKitDevice();
    try {
      return { loaded: true, version: device.versionInfo, counters: await device.counters() };
    } finally {
      await device.close();
    }
  } catch (e) {
    const f = describeFailure(e);
    return { loaded: false, problem: f };
  }
}

/** status: driver loaded, contract version, callouts and filters installed, ring and tag state. */
export async function statusCommand(ctx: Context): Promise<number> {
  const engine = Engine.open({ backend: ctx.backend.backend, name: 'monitor-cli status' });
  let objects;
  try {
    objects = await wfpkitObjects(engine);
  } finally {
    engine.close();
  }
  const d = await driverState();
  const v = d.version;
  const g = d.counters?.global;
  const value = {
    type: 'status',
    backend: ctx.backend.backend,
    driver: {
      loaded: d.loaded,
      ...(d.problem ? { problem: d.problem.message } : {}),
      ...(v ? { contract: `${v.contractVersion >>> 16}.${v.contractVersion & 0xffff}`, build: v.driverVersion, features: featureNames(v.features) } : {}),
    },
    client: { contract: `${CONTRACT_VERSION_MAJOR}.${CONTRACT_VERSION_MINOR}` },
    callouts: { installed: objects.callouts.length, of: WFPKIT_CALLOUTS.length, provider: objects.providers.length > 0, sublayer: objects.sublayers.length > 0 },
    filters: objects.filters.length,
    dynamicFilters: objects.filters.filter((f) => (f.flags & FWPM_FLAG_PERSISTENT) === 0).map((f) => f.name),
    ...(g
      ? {
          sessionsOpen: g.sessionsOpen,
          flowsActive: g.flowsActive,
          flowTableCapacity: g.flowTableCapacity,
          tagsInFlight: g.tagsInFlight,
          ledgerCapacity: g.ledgerCapacity,
          packetsTagged: g.packetsTagged,
          flowsTotal: g.flowsTotal,
        }
      : {}),
  };
  emitObject(ctx, value, () =>
    table([
      ['backend', ctx.backend.backend === 'sim' ? 'simulator' : 'Windows'],
      ['driver', d.loaded ? `loaded, contract ${value.driver.contract ?? '?'} (client ${value.client.contract}), build ${String(v?.driverVersion ?? '?')}, features ${v ? featureNames(v.features).join(' ') || '-' : '-'}` : `not loaded: ${d.problem?.message ?? ''}`],
      ['callouts', `${objects.callouts.length} of ${WFPKIT_CALLOUTS.length} installed${objects.providers.length > 0 ? '' : ' (no wfpkit provider: monitor-cli addcallouts)'}`],
      ['filters', `${objects.filters.length} wfpkit filters (${value.dynamicFilters.length} dynamic)`],
      ...(g
        ? ([
            ['sessions open', String(g.sessionsOpen)],
            ['flows', `${g.flowsActive} active of ${g.flowTableCapacity}, ${g.flowsTotal} total`],
            ['tags', `${g.tagsInFlight} in flight of ${g.ledgerCapacity}, ${g.packetsTagged} tagged`],
          ] as const)
        : []),
    ]),
  );
  return d.loaded ? EXIT_CODES.OK : (d.problem?.exitCode ?? EXIT_CODES.DRIVER_MISSING);
}

function countersObject(c: Counters): Record<string, unknown> {
  return { type: 'counters', session: c.session, global: c.global };
}

function countersText(c: Counters): string {
  const s = c.session;
  const g = c.global;
  return table([
    ['ring', `${s.ringBytes} bytes, ${s.ringUsed} used, high-water ${s.ringHighWater}, ${s.recordsInRing} records`],
    ['events', `produced ${s.eventsProduced}, delivered ${s.eventsDelivered}, dropped ${s.eventsDropped}`],
    ['session', `flows matched ${s.flowsMatched}, packets tagged ${s.packetsTagged}, notify ${s.notifyEvents}, untagged ${s.packetsUntagged}`],
    ['driver flows', `${g.flowsActive} active of ${g.flowTableCapacity}, ${g.flowsTotal} total, ${g.flowsUnmonitored} unmonitored, ${g.flowsNotInspected} not inspected`],
    ['classify', `${g.classifyCalls} calls, ${g.streamBytesInspected} stream bytes inspected`],
    ['tags', `${g.packetsTagged} tagged, ${g.packetsUntagged} untagged, ${g.notifyEvents} notify, ${g.tagsRetired} retired, ${g.tagsInFlight} in flight of ${g.ledgerCapacity}`],
    ['errors', `${g.contextFailures} context failures, ${g.staleContexts} stale contexts, ${g.appPathsRefused} app paths refused`],
    ['sessions', `${g.sessionsOpen} open`],
  ]);
}

/** counters [--live]: the driver's counters (pktmon counters); --live redraws until Ctrl-C. */
export async function countersCommand(ctx: Context, live: boolean, intervalMs: number): Promise<number> {
  const device = await openWfpKitDevice();
  try {
    if (!live) {
      const c = await device.counters();
      emitObject(ctx, countersObject(c), () => countersText(c));
      return EXIT_CODES.OK;
    }
    let stop = false;
    let wake: () => void = () => undefined;
    const onSignal = (): void => {
      stop = true;
      wake();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const tty = ctx.dataIsTTY && ctx.options.format === 'text';
    try {
      while (!stop) {
        const c = await device.counters();
        if (tty) ctx.io.out(`\x1b[H\x1b[J${new Date().toISOString()}  counters (Ctrl-C to stop)\n${countersText(c)}`);
        else if (ctx.options.format === 'text') ctx.data(`${new Date().toISOString()}\n${countersText(c)}\n`);
        else ctx.data(toJsonLine({ time: new Date().toISOString(), ...countersObject(c) }) + '\n');
        await ctx.target.flush();
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, intervalMs);
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return EXIT_CODES.OK;
  } finally {
    await device.close();
  }
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

function isElevatedWindows(): boolean {
  return childProcess.spawnSync('net', ['session'], { stdio: 'ignore' }).status === 0;
}

function testSigningOn(): boolean | undefined {
  const r = childProcess.spawnSync('reg', ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control', '/v', 'SystemStartOptions'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /TESTSIGNING/i.test(r.stdout);
}

/** doctor: checks what monitoring needs, each failed check with its fix. */
export async function doctorCommand(ctx: Context): Promise<number> {
  const checks: Check[] = [];
  const sim = ctx.backend.backend === 'sim';
  if (sim) {
    checks.push({
      name: 'backend',
      ok: true,
      detail: `the simulator is in use (${ctx.backend.reason}): libwfpsim runs the wfpkit driver's own code in this process on simulated traffic; nothing of Windows is checked`,
    });
    const state = simulatorStateFile();
    let writable = true;
    try {
      fs.accessSync(fs.existsSync(state) ? state : path.dirname(state), fs.constants.W_OK);
    } catch {
      writable = false;
    }
    checks.push({ name: 'state file', ok: writable, detail: state, fix: 'set WFPSIM_STATE_FILE to a path in a writable folder' });
  } else {
    const elevated = isElevatedWindows();
    checks.push({ name: 'elevation', ok: elevated, detail: elevated ? 'elevated' : 'not elevated', fix: 'run monitor-cli from an elevated prompt (Run as administrator)' });
    const bfe = serviceState('BFE');
    checks.push({ name: 'base filtering engine', ok: bfe === 'running', detail: `BFE service ${bfe}`, fix: 'start it: sc start BFE (Windows Firewall needs it too)' });
    const signing = testSigningOn();
    checks.push({
      name: 'test signing',
      ok: signing !== false,
      detail: signing === undefined ? 'could not read the boot options' : signing ? 'on' : 'off',
      fix: 'a test-signed wfpkit.sys loads only with test signing on: bcdedit /set testsigning on, then reboot (or install a release-signed driver)',
    });
    const svc = driverServiceState();
    checks.push({ name: 'driver service', ok: svc === 'running', detail: `wfpkit service ${svc}`, fix: svc === 'not-installed' ? 'monitor-cli driver install' : 'monitor-cli driver start' });
  }
  const d = await driverState();
  checks.push({ name: 'driver device', ok: d.loaded, detail: d.loaded ? `\\\\.\\WfpKit answers, contract ${(d.version?.contractVersion ?? 0) >>> 16}.${(d.version?.contractVersion ?? 0) & 0xffff}` : (d.problem?.message ?? ''), ...(d.problem ? { fix: d.problem.message } : {}) });
  try {
    const engine = Engine.open({ backend: ctx.backend.backend, name: 'monitor-cli doctor' });
    try {
      const o = await wfpkitObjects(engine);
      const have = new Set(o.callouts.map((c) => c.key.toLowerCase()));
      const present = WFPKIT_CALLOUTS.filter((c) => have.has(GUIDS[c.name].toLowerCase())).length;
      checks.push({
        name: 'callouts',
        ok: present === WFPKIT_CALLOUTS.length && o.providers.length > 0,
        detail: `${present} of ${WFPKIT_CALLOUTS.length} wfpkit callouts installed${o.providers.length > 0 ? '' : ', no wfpkit provider'}`,
        fix: 'monitor-cli addcallouts',
      });
    } finally {
      engine.close();
    }
  } catch (e) {
    checks.push({ name: 'filtering engine', ok: false, detail: describeFailure(e).message, fix: describeFailure(e).message });
  }
  emitObject(ctx, { type: 'doctor', backend: ctx.backend.backend, ok: checks.every((c) => c.ok), checks }, () =>
    checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}${c.ok || !c.fix ? '' : `\n      fix: ${c.fix}`}`).join('\n') + '\n',
  );
  const failed = checks.find((c) => !c.ok);
  if (!failed) return EXIT_CODES.OK;
  if (failed.name === 'elevation') return EXIT_CODES.NOT_ELEVATED;
  if (failed.name === 'driver service' || failed.name === 'driver device') return d.problem?.exitCode ?? EXIT_CODES.DRIVER_MISSING;
  return EXIT_CODES.FAILURE;
}

/** driver install|uninstall|start|stop through the Service Control Manager (Windows only). */
export function driverCommand(ctx: Context, action: string, sys: string | undefined): number {
  if (process.platform !== 'win32') {
    throw new CliError(
      `driver ${action} works on Windows only (the Service Control Manager): on ${process.platform} the simulator runs the wfpkit driver inside monitor-cli, so there is nothing to ${action}`,
      EXIT_CODES.FAILURE,
    );
  }
  let result: string;
  if (action === 'install') {
    let file = sys;
    if (file === undefined) {
      file = driverFiles().mingwSys;
    }
    if (file === undefined || !fs.existsSync(file)) {
      throw new CliError(`no wfpkit.sys to install${file ? ` at ${file}` : ''}: build it (docs/guides/windows-driver.md) and pass --sys PATH`, EXIT_CODES.DRIVER_MISSING);
    }
    result = installDriver(file);
  } else if (action === 'uninstall') result = uninstallDriver();
  else if (action === 'start') result = startDriver();
  else result = stopDriver();
  emitObject(ctx, { type: 'driver', action, result }, () => `wfpkit driver: ${result}\n`);
  return EXIT_CODES.OK;
}
