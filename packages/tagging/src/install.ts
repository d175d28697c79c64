/**
 * wfpkit's persistent objects in the filtering engine (provider, sublayer, the management
 * records of the driver's callouts) and what a tagging session adds per session (dynamic
 * filters): their keys and layers, installing, removing and listing them.
 */
import { Engine, FwpmError } from '@wfpkit/fwpm-bindings';
import type { Backend, Callout, Filter, LayerName, Provider, Sublayer } from '@wfpkit/fwpm-bindings';
import { GUIDS } from '@wfpkit/ioctl-client';

/** Name of a wfpkit callout in the contract's `GUIDS` table (`CALLOUT_…`). */
export type WfpkitCalloutName = Extract<keyof typeof GUIDS, `CALLOUT_${string}`>;

/** One of wfpkit's callouts: its contract name, key and layer. */
export interface WfpkitCallout {
  /** Name in the contract's `GUIDS`. */
  readonly name: WfpkitCalloutName;
  /** The callout key. */
  readonly key: string;
  /** The layer it works at. */
  readonly layer: LayerName;
}

function layerOf(name: WfpkitCalloutName): LayerName {
  const rest = name.slice('CALLOUT_'.length);
  return (rest.startsWith('FLOW_ESTABLISHED') ? `ALE_${rest}` : rest) as LayerName;
}

/**
 * Every callout the wfpkit driver registers (flow established, stream, the packet-tagging
 * transport and IP packet layers, and their discard layers), in the contract's order.
 *
 * @example
 * ```ts
 * import { WFPKIT_CALLOUTS } from '@wfpkit/tagging';
 * for (const c of WFPKIT_CALLOUTS) console.log(c.name, c.layer);
 * ```
 */
export const WFPKIT_CALLOUTS: readonly WfpkitCallout[] = (Object.keys(GUIDS) as (keyof typeof GUIDS)[])
  .filter((k): k is WfpkitCalloutName => k.startsWith('CALLOUT_'))
  .map((name) => ({ name, key: GUIDS[name], layer: layerOf(name) }));

/**
 * Weight of wfpkit's sublayer (distinct weights avoid BFE's tie-breaking).
 *
 * @example
 * ```ts
 * import { WFPKIT_SUBLAYER_WEIGHT } from '@wfpkit/tagging';
 * console.log(WFPKIT_SUBLAYER_WEIGHT.toString(16)); // 8000
 * ```
 */
export const WFPKIT_SUBLAYER_WEIGHT = 0x8000;

/** What the engine holds of wfpkit (see {@link wfpkitObjects}). */
export interface WfpkitObjects {
  /** wfpkit's provider, if present. */
  readonly providers: Provider[];
  /** Sublayers with wfpkit's key or provider. */
  readonly sublayers: Sublayer[];
  /** Callouts with one of wfpkit's keys or its provider. */
  readonly callouts: Callout[];
  /** Filters with wfpkit's provider, sublayer, or calling one of its callouts. */
  readonly filters: Filter[];
}

const CALLOUT_KEYS: ReadonlySet<string> = new Set(WFPKIT_CALLOUTS.map((c) => c.key));

function isNotFound(e: unknown): boolean {
  return e instanceof FwpmError && /_NOT_FOUND$/.test(e.name);
}

/**
 * Every wfpkit object in the engine, found by enumeration (all layers): the provider, the
 * sublayers, callouts and filters that carry its keys or name its provider.
 *
 * @param engine - an open engine session
 * @example
 * ```ts
 * import { Engine } from '@wfpkit/fwpm-bindings';
 * import { wfpkitObjects } from '@wfpkit/tagging';
 * const engine = Engine.open();
 * const { filters } = await wfpkitObjects(engine);
 * console.log(`${filters.length} wfpkit filters`);
 * engine.close();
 * ```
 */
export async function wfpkitObjects(engine: Engine): Promise<WfpkitObjects> {
  const out: WfpkitObjects = { providers: [], sublayers: [], callouts: [], filters: [] };
  for await (const p of engine.providers()) if (p.key === GUIDS.PROVIDER) out.providers.push(p);
  for await (const s of engine.sublayers()) if (s.key === GUIDS.SUBLAYER || s.provider === GUIDS.PROVIDER) out.sublayers.push(s);
  for await (const c of engine.callouts()) if (CALLOUT_KEYS.has(c.key) || c.provider === GUIDS.PROVIDER) out.callouts.push(c);
  for await (const f of engine.filters()) {
    const callout = f.action.callout;
    if (f.provider === GUIDS.PROVIDER || f.sublayer === GUIDS.SUBLAYER || (callout !== undefined && CALLOUT_KEYS.has(callout))) out.filters.push(f);
  }
  return out;
}

/** Options of the install / remove functions. */
export interface InstallOptions {
  /** `sim` (libwfpsim) or `win32` (fwpuclnt.dll); default `WFPKIT_BACKEND`, else by platform. */
  readonly backend?: Backend;
}

async function withEngine<T>(options: InstallOptions, name: string, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = Engine.open({ name, ...(options.backend ? { backend: options.backend } : {}) });
  try {
    return await fn(engine);
  } finally {
    engine.close();
  }
}

/**
 * Adds wfpkit's provider, sublayer and every callout of {@link WFPKIT_CALLOUTS}, persistent, in
 * one transaction; objects already there are left as they are.
 *
 * @returns how many objects were added (0 when everything was there)
 */
export async function installWfpkitCallouts(options: InstallOptions = {}): Promise<{ added: number }> {
  return withEngine(options, 'wfpkit install', (engine) =>
    engine.transaction(async (tx) => {
      let added = 0;
      const has = async (get: () => Promise<unknown>): Promise<boolean> => {
        try {
          await get();
          return true;
        } catch (e) {
          if (isNotFound(e)) return false;
          throw e;
        }
      };
      if (!(await has(() => tx.getProvider(GUIDS.PROVIDER)))) {
        await tx.addProvider({ key: GUIDS.PROVIDER, name: 'wfpkit', description: 'wfpkit packet tagging and flow monitoring', persistent: true });
        added++;
      }
      if (!(await has(() => tx.getSublayer(GUIDS.SUBLAYER)))) {
        await tx.addSublayer({ key: GUIDS.SUBLAYER, name: 'wfpkit', description: 'wfpkit session filters', weight: WFPKIT_SUBLAYER_WEIGHT, provider: GUIDS.PROVIDER, persistent: true });
        added++;
      }
      for (const c of WFPKIT_CALLOUTS) {
        if (await has(() => tx.getCallout(c.key))) continue;
        await tx.addCallout({ key: c.key, name: `wfpkit ${c.name.slice('CALLOUT_'.length).toLowerCase()}`, layer: c.layer, provider: GUIDS.PROVIDER, persistent: true });
        added++;
      }
      return { added };
    }),
  );
}

/**
 * Deletes every wfpkit object (filters of any session first, then callouts, sublayers and the
 * provider) in one transaction. Running again finds nothing and removes nothing.
 *
 * @returns how many objects were deleted
 */
export async function removeWfpkitCallouts(options: InstallOptions = {}): Promise<{ removed: number }> {
  return withEngine(options, 'wfpkit uninstall', (engine) =>
    engine.transaction(async (tx) => {
      const found = await wfpkitObjects(tx);
      let removed = 0;
      const del = async (fn: () => Promise<void>): Promise<void> => {
        try {
          await fn();
          removed++;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      };
      for (const f of found.filters) await del(() => tx.deleteFilter(f.key));
      for (const c of found.callouts) await del(() => tx.deleteCallout(c.key));
      for (const s of found.sublayers) await del(() => tx.deleteSublayer(s.key));
      for (const p of found.providers) await del(() => tx.deleteProvider(p.key));
      return { removed };
    }),
  );
}

/**
 * The callouts of {@link WFPKIT_CALLOUTS} (and the provider) that the engine lacks.
 *
 * @param engine - an open engine session
 * @param names - the callouts to check (default all)
 * @returns contract names of the missing objects (`PROVIDER`, `CALLOUT_…`); empty when all are there
 */
export async function missingWfpkitObjects(engine: Engine, names?: readonly WfpkitCalloutName[]): Promise<string[]> {
  const missing: string[] = [];
  try {
    await engine.getProvider(GUIDS.PROVIDER);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    missing.push('PROVIDER');
  }
  const wanted = names === undefined ? WFPKIT_CALLOUTS : WFPKIT_CALLOUTS.filter((c) => names.includes(c.name));
  for (const c of wanted) {
    try {
      await engine.getCallout(c.key);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      missing.push(c.name);
    }
  }
  return missing;
}

/**
 * Whether wfpkit's provider and every callout of {@link WFPKIT_CALLOUTS} are installed.
 *
 * @param options - backend
 */
export async function wfpkitCalloutsInstalled(options: InstallOptions = {}): Promise<boolean> {
  return withEngine(options, 'wfpkit check', async (engine) => (await missingWfpkitObjects(engine)).length === 0);
}
