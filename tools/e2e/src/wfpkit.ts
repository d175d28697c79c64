/*
 * What a wfpkit client puts into the filtering engine, and reading a session's events to the end.
 *
 * - once (like an installer, in a non-dynamic session): wfpkit's provider, its sublayer and the
 *   management records of the four callouts the driver registers (FLOW_ESTABLISHED_V4/V6,
 *   STREAM_V4/V6), with the contract's GUIDs;
 * - per monitoring session (in a dynamic session, so they vanish with it): FLOW_ESTABLISHED filters
 *   with the app's ALE_APP_ID whose rawContext is the device session's scope key, and STREAM filters
 *   calling the stream callouts (the driver's callouts are conditional on flow: only flows the
 *   FLOW_ESTABLISHED callout took get stream data).
 */
import type { AppId, Engine, Filter, FilterId, LayerName } from '@wfpkit/fwpm-bindings';
import { GUIDS, ReadFlags } from '@wfpkit/ioctl-client';
import type { DecodedRecord, WfpKitDevice } from '@wfpkit/ioctl-client';

/** The callouts of the monitoring path: contract key and layer. */
export const MONITOR_CALLOUTS: readonly { readonly name: keyof typeof GUIDS; readonly layer: LayerName }[] = [
  { name: 'CALLOUT_FLOW_ESTABLISHED_V4', layer: 'ALE_FLOW_ESTABLISHED_V4' },
  { name: 'CALLOUT_FLOW_ESTABLISHED_V6', layer: 'ALE_FLOW_ESTABLISHED_V6' },
  { name: 'CALLOUT_STREAM_V4', layer: 'STREAM_V4' },
  { name: 'CALLOUT_STREAM_V6', layer: 'STREAM_V6' },
];

/** The layers wfpkit's monitoring filters live at. */
export const MONITOR_LAYERS: readonly LayerName[] = MONITOR_CALLOUTS.map((c) => c.layer);

/** Weight of wfpkit's sublayer. */
export const SUBLAYER_WEIGHT = 0x8000;

/** Adds wfpkit's provider, sublayer and monitoring callouts in one transaction. */
export async function installWfpkitObjects(engine: Engine): Promise<void> {
  await engine.transaction(async (tx) => {
    await tx.addProvider({ key: GUIDS.PROVIDER, name: 'wfpkit', description: 'wfpkit e2e' });
    await tx.addSublayer({ key: GUIDS.SUBLAYER, name: 'wfpkit', weight: SUBLAYER_WEIGHT, provider: GUIDS.PROVIDER });
    for (const c of MONITOR_CALLOUTS) {
      await tx.addCallout({ key: GUIDS[c.name], name: `wfpkit ${c.name}`, layer: c.layer, provider: GUIDS.PROVIDER });
    }
  });
}

/** Removes what {@link installWfpkitObjects} added (callouts, sublayer, provider) in one transaction. */
export async function removeWfpkitObjects(engine: Engine): Promise<void> {
  await engine.transaction(async (tx) => {
    for (const c of MONITOR_CALLOUTS) await tx.deleteCallout(GUIDS[c.name]);
    await tx.deleteSublayer(GUIDS.SUBLAYER);
    await tx.deleteProvider(GUIDS.PROVIDER);
  });
}

/** Adds one session's filters: FLOW_ESTABLISHED V4/V6 for the apps (ORed), STREAM V4/V6. */
export async function addSessionFilters(
  engine: Engine,
  options: { readonly scopeKey: bigint; readonly appIds: readonly AppId[]; readonly name?: string },
): Promise<FilterId[]> {
  const name = options.name ?? 'wfpkit session';
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

/** Every filter at wfpkit's layers that names wfpkit's provider. */
export async function wfpkitFilters(engine: Engine): Promise<Filter[]> {
  const found: Filter[] = [];
  for (const layer of MONITOR_LAYERS) {
    for await (const f of engine.filters({ layer })) if (f.provider === GUIDS.PROVIDER) found.push(f);
  }
  return found;
}

/**
 * Reads every record the session's ring holds now (reads that do not wait, until one returns
 * nothing and no MORE_AVAILABLE).
 */
export async function drainEvents(device: WfpKitDevice, options: { readonly bufferSize?: number } = {}): Promise<DecodedRecord[]> {
  const all: DecodedRecord[] = [];
  for (;;) {
    const batch = await device.readEvents({ timeoutMs: 0, ...(options.bufferSize ? { bufferSize: options.bufferSize } : {}) });
    for (const r of batch.records) all.push(r);
    if (batch.records.length === 0 && (batch.flags & ReadFlags.MORE_AVAILABLE) === 0) return all;
  }
}
