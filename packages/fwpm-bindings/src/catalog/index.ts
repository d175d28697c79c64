/**
 * The built-in objects of the Windows Filtering Platform as data: layers (with run-time ids and
 * allowed condition fields), condition fields (with data types), sublayers, providers, callouts,
 * and the result codes the management API returns.
 *
 * @example
 * ```ts
 * import { LAYERS, CONDITIONS } from '@wfpkit/fwpm-bindings';
 * LAYERS.ALE_AUTH_CONNECT_V4.key;          // 'c38d57d1-05a7-4c33-904f-7fbceee60e82'
 * LAYERS.ALE_AUTH_CONNECT_V4.runtimeId;    // 48
 * CONDITIONS.IP_REMOTE_PORT.dataTypes;     // ['FWP_UINT16']
 * ```
 * @module
 */
import { CALLOUTS } from './callouts';
import { CONDITIONS } from './conditions';
import type { ConditionName } from './conditions';
import { FWP_ERRORS } from './fwp-errors';
import type { FwpErrorInfo } from './fwp-errors';
import { LAYERS } from './layers';
import type { LayerName } from './layers';
import { PROVIDERS } from './providers';
import { SUBLAYERS } from './sublayers';
import type { BuiltinObjectInfo, ConditionInfo, LayerInfo } from './types';
import { WIN32_ERRORS } from './win32-errors';

export { CALLOUTS, CONDITIONS, FWP_ERRORS, LAYERS, PROVIDERS, SUBLAYERS, WIN32_ERRORS };
export type { CalloutName } from './callouts';
export type { ConditionName, LayerName };
export type { ProviderName } from './providers';
export type { SublayerName } from './sublayers';
export type { FwpErrorInfo };
export { CATALOG_SOURCES } from './sources';
export { FWP_DATA_TYPE } from './types';
export type { BuiltinObjectInfo, CatalogSource, ConditionInfo, FwpDataTypeName, LayerInfo, TypeConfidence } from './types';

const byCode = new Map<number, FwpErrorInfo>();
for (const e of [...Object.values(FWP_ERRORS), ...Object.values(WIN32_ERRORS)]) byCode.set(e.code, e);

/**
 * Looks up an API result code (`FWP_E_*` or Win32/RPC).
 *
 * @param code - the DWORD an `Fwpm*` function returned (unsigned or signed form both work)
 * @returns the code's name and advice, or `undefined` for a code the catalogue does not know
 * @example
 * ```ts
 * describeResult(0x80320009)?.name; // 'FWP_E_ALREADY_EXISTS'
 * ```
 */
export function describeResult(code: number): FwpErrorInfo | undefined {
  return byCode.get(code >>> 0);
}

const layerByKey = new Map<string, LayerInfo & { short: string }>();
for (const [short, l] of Object.entries(LAYERS) as [string, LayerInfo][]) {
  if (!l.aliasOf) layerByKey.set(l.key, { ...l, short });
}
const conditionByKey = new Map<string, ConditionInfo & { short: string }>();
for (const [short, c] of Object.entries(CONDITIONS) as [string, ConditionInfo][]) {
  if (!c.aliasOf) conditionByKey.set(c.key, { ...c, short });
}

/**
 * Finds a built-in layer by its GUID.
 *
 * @param key - a layer GUID, any case, with or without braces
 * @returns the layer with its short name, or `undefined` if the GUID is not a built-in layer
 */
export function layerByGuid(key: string): (LayerInfo & { short: string }) | undefined {
  return layerByKey.get(key.replace(/[{}]/g, '').toLowerCase());
}

/**
 * Finds a built-in condition field by its GUID.
 *
 * @param key - a condition GUID, any case, with or without braces
 * @returns the condition with its short name, or `undefined` if unknown
 */
export function conditionByGuid(key: string): (ConditionInfo & { short: string }) | undefined {
  return conditionByKey.get(key.replace(/[{}]/g, '').toLowerCase());
}

/**
 * Whether a condition field may be used at a layer (per the layer's field list).
 *
 * @param layer - a layer short name
 * @param field - a condition short name (aliases such as `ICMP_TYPE` are resolved)
 */
export function layerAllowsField(layer: LayerName, field: ConditionName): boolean {
  const info: ConditionInfo = CONDITIONS[field];
  const fields: readonly string[] = LAYERS[layer].fields;
  return fields.includes(field) || (info.aliasOf !== undefined && fields.includes(info.aliasOf));
}

/**
 * Catalogue entries whose GUID was found in only one of the {@link CATALOG_SOURCES}.
 * Each value agrees with the Windows SDK header it came from, but could not be cross-checked.
 *
 * @returns the SDK names of those entries
 */
export function singleSourceEntries(): string[] {
  const all: BuiltinObjectInfo[] = [
    ...Object.values(LAYERS),
    ...Object.values(CONDITIONS),
    ...Object.values(SUBLAYERS),
    ...Object.values(PROVIDERS),
    ...Object.values(CALLOUTS),
  ];
  return all.filter((e) => e.sources.length < 2).map((e) => e.name);
}
