/**
 * `@wfpkit/fwpm-bindings`: the Windows Filtering Platform management API (`fwpuclnt.dll`) from
 * TypeScript, with the built-in GUID and error catalogues.
 *
 * @packageDocumentation
 */
export * from './catalog';
export { declareRawTypes, rawTypes } from './raw/types';
export type { RawTypes } from './raw/types';
export { BACKEND_LIBRARY, loadFwpm, resolveBackend } from './raw/library';
export type { Backend, BackendOptions, FwpmRaw, Out, Pointer, PointerIn, Status } from './raw/library';
export { Engine, appIdFromFileName, FWPM_CALLOUT_FLAG_PERSISTENT, FWPM_FLAG_PERSISTENT, FWPM_SESSION_FLAG_DYNAMIC } from './engine';
export type {
  Callout,
  CalloutSpec,
  DisplayData,
  EngineOptions,
  EnumOptions,
  Filter,
  FilterAction,
  FilterSpec,
  Layer,
  Provider,
  ProviderSpec,
  Sublayer,
  SublayerSpec,
} from './engine';
export { FwpmError, FwpmValidationError } from './errors';
export { guid, isGuid, newGuid } from './guid';
export type { Guid } from './guid';
export { MATCH_TYPE, checkCondition } from './conditions';
export type { AddressValue, AppId, ConditionSpec, ConditionValue, MatchType, ScalarValue, TypedValue } from './conditions';
export type { CalloutId, ConditionRecord, FilterId } from './decode';
