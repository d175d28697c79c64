/*
 * wfpkit's objects in the filtering engine, as msnmntr's Monitor.exe handles them: a persistent
 * provider, sublayer and callout records added in one transaction (`addcallouts`), all of them
 * deleted in one transaction (`delcallouts`), and per monitoring session, dynamic filters that
 * scope the driver to one application (they vanish with the engine session that added them).
 */
import { Engine } from '@wfpkit/fwpm-bindings';
import type { AppId, Filter, FilterId, LayerName } from '@wfpkit/fwpm-bindings';
import { GUIDS } from '@wfpkit/ioctl-client';

import type { BackendName } from './backend';

/** A callout of the contract: its key name and the layer it works at. */
export interface WfpkitCallout {
  /** Key in the contract's GUIDS. */
  readonly name: keyof typeof GUIDS;
  /** The layer. */
  readonly layer: LayerName;
}

/** Layer of a contract callout, from its name (CALLOUT_STREAM_V4 -> STREAM_V4, …). */
function layerOf(name: string): LayerName {
  const rest = name.replace(/^CALLOUT_/, '');
  return (rest.startsWith('FLOW_ESTABLISHED') ? `ALE_${rest}` : rest) as LayerName;
}

/** Every callout of the contract (monitoring, tagging and discard layers). */
export const WFPKIT_CALLOUTS: readonly WfpkitCallout[] = (Object.keys(GUIDS) as (keyof typeof GUIDS)[])
  .filter((n) => n.startsWith('CALLOUT_'))
  .map((name) => ({ name, layer: layerOf(name) }));

/** The callouts a monitoring session's filters call (flow established, stream). */
export const MONITOR_CALLOUTS: readonly WfpkitCallout[] = WFPKIT_CALLOUTS.filter((c) => /FLOW_ESTABLISHED|STREAM/.test(c.name));

/** Weight of wfpkit's sublayer. */
export const SUBLAYER_WEIGHT = 0x8000;

function isNotFound(e: unknown): boolean {
  return e instanceof Error && /NOT_FOUND/.test(e.name);
}

async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** What the engine holds of wfpkit. */
export interface WfpkitObjects {
  /** wfpkit's provider is there. */
  readonly provider: boolean;
  /** wfpkit's sublayer is there. */
  readonly sublayer: boolean;
  /** Keys of the contract callouts present. */
  readonly callouts: readonly string[];
  /** Filters that name wfpkit's provider. */
  readonly filters: readonly Filter[];
}

/** Enumerates wfpkit's provider, sublayer, callouts and filters. */
export async function wfpkitObjects(engine: Engine): Promise<WfpkitObjects> {
  const provider = await exists(() => engine.getProvider(GUIDS.PROVIDER));
  const sublayer = await exists(() => engine.getSublayer(GUIDS.SUBLAYER));
  const keys = new Set<string>(WFPKIT_CALLOUTS.map((c) => GUIDS[c.name].toLowerCase()));
  const callouts: string[] = [];
  for await (const c of engine.callouts()) if (keys.has(String(c.key).toLowerCase())) callouts.push(String(c.key));
  const filters: Filter[] = [];
  for await (const f of engine.filters()) if (f.provider !== undefined && String(f.provider).toLowerCase() === GUIDS.PROVIDER) filters.push(f);
  return { provider, sublayer, callouts, filters };
}

/**
 * Adds wfpkit's persistent provider, sublayer and callout records in one transaction; what is
 * there already is kept (idempotent).
 *
 * @returns how many objects were added
 */
export async function installCallouts(backend: BackendName): Promise<{ added: number }> {
  const engine = Engine.open({ backend, name: 'monitor-cli addcallouts' });
  try {
    return await engine.transaction(async (tx) => {
      let added = 0;
      if (!(await exists(() => tx.getProvider(GUIDS.PROVIDER)))) {
        await tx.addProvider({ key: GUIDS.PROVIDER, name: 'wfpkit', description: 'wfpkit packet monitoring and tagging', persistent: true });
        added++;
      }
      if (!(await exists(() => tx.getSublayer(GUIDS.SUBLAYER)))) {
        await tx.addSublayer({ key: GUIDS.SUBLAYER, name: 'wfpkit', weight: SUBLAYER_WEIGHT, provider: GUIDS.PROVIDER, persistent: true });
        added++;
      }
      for (const c of WFPKIT_CALLOUTS) {
        if (await exists(() => tx.getCallout(GUIDS[c.name]))) continue;
        // A layer this engine does not have (the simulator models fewer layers than Windows): skipped.
        if (!(await exists(() => tx.getLayer(c.layer)))) continue;
        await tx.addCallout({ key: GUIDS[c.name], name: `wfpkit ${c.name.replace(/^CALLOUT_/, '').toLowerCase()}`, layer: c.layer, provider: GUIDS.PROVIDER, persistent: true });
        added++;
      }
      return { added };
    });
  } finally {
    engine.close();
  }
}

/**
 * Deletes every wfpkit object (filters naming its provider, its callouts, sublayer and provider)
 * in one transaction; nothing there is not an error (idempotent).
 *
 * @returns how many objects were deleted
 */
export async function removeCallouts(backend: BackendName): Promise<{ removed: number }> {
  const engine = Engine.open({ backend, name: 'monitor-cli delcallouts' });
  try {
    return await engine.transaction(async (tx) => {
      const found = await wfpkitObjects(tx);
      let removed = 0;
      for (const f of found.filters) {
        await tx.deleteFilter(f.id);
        removed++;
      }
      for (const key of found.callouts) {
        await tx.deleteCallout(key);
        removed++;
      }
      if (found.sublayer) {
        await tx.deleteSublayer(GUIDS.SUBLAYER);
        removed++;
      }
      if (found.provider) {
        await tx.deleteProvider(GUIDS.PROVIDER);
        removed++;
      }
      return { removed };
    });
  } finally {
    engine.close();
  }
}

/**
 * Makes sure the monitoring callouts exist for a session opened in `engine` (a dynamic
 * session): what `addcallouts` has not installed is added to the dynamic session, so it goes
 * when the session ends.
 *
 * @returns true when objects had to be added for this session only
 */
export async function ensureSessionCallouts(engine: Engine): Promise<boolean> {
  return engine.transaction(async (tx) => {
    let added = false;
    if (!(await exists(() => tx.getProvider(GUIDS.PROVIDER)))) {
      await tx.addProvider({ key: GUIDS.PROVIDER, name: 'wfpkit', description: 'wfpkit (this monitor-cli session only)' });
      added = true;
    }
    if (!(await exists(() => tx.getSublayer(GUIDS.SUBLAYER)))) {
      await tx.addSublayer({ key: GUIDS.SUBLAYER, name: 'wfpkit', weight: SUBLAYER_WEIGHT, provider: GUIDS.PROVIDER });
      added = true;
    }
    for (const c of MONITOR_CALLOUTS) {
      if (await exists(() => tx.getCallout(GUIDS[c.name]))) continue;
      await tx.addCallout({ key: GUIDS[c.name], name: `wfpkit ${c.name.replace(/^CALLOUT_/, '').toLowerCase()}`, layer: c.layer, provider: GUIDS.PROVIDER });
      added = true;
    }
    return added;
  });
}

/** The name prefix of a session's filters (so they can be found afterwards). */
export function sessionFilterName(sessionId: number): string {
  return `monitor-cli session ${sessionId}`;
}

/**
 * Adds one session's dynamic filters: FLOW_ESTABLISHED V4/V6 for the apps (ORed) with the
 * session's scope key as rawContext, and STREAM V4/V6 (the driver's stream callouts are
 * conditional on flow: only flows its FLOW_ESTABLISHED callout took get stream data).
 */
export async function addSessionFilters(
  engine: Engine,
  options: { readonly scopeKey: bigint; readonly appIds: readonly AppId[]; readonly sessionId: number },
): Promise<FilterId[]> {
  const name = sessionFilterName(options.sessionId);
  const conditions = options.appIds.map((value) => ({ field: 'ALE_APP_ID' as const, match: 'equal' as const, value }));
  const results = await engine.addFilters(
    MONITOR_CALLOUTS.map((c) => ({
      name: `${name} ${c.layer}`,
      layer: c.layer,
      sublayer: GUIDS.SUBLAYER,
      provider: GUIDS.PROVIDER,
      action: { callout: GUIDS[c.name], kind: 'inspection' as const },
      ...(c.layer.startsWith('ALE_FLOW_ESTABLISHED') ? { conditions, rawContext: options.scopeKey } : {}),
    })),
  );
  return results.map((r) => r.id);
}
