/**
 * Names of the `FWP_DATA_TYPE` values (fwptypes.h) a condition value or weight can carry.
 */
export type FwpDataTypeName =
  | 'FWP_EMPTY'
  | 'FWP_UINT8'
  | 'FWP_UINT16'
  | 'FWP_UINT32'
  | 'FWP_UINT64'
  | 'FWP_INT8'
  | 'FWP_INT16'
  | 'FWP_INT32'
  | 'FWP_INT64'
  | 'FWP_FLOAT'
  | 'FWP_DOUBLE'
  | 'FWP_BYTE_ARRAY16_TYPE'
  | 'FWP_BYTE_BLOB_TYPE'
  | 'FWP_SID'
  | 'FWP_SECURITY_DESCRIPTOR_TYPE'
  | 'FWP_TOKEN_INFORMATION_TYPE'
  | 'FWP_TOKEN_ACCESS_INFORMATION_TYPE'
  | 'FWP_UNICODE_STRING_TYPE'
  | 'FWP_BYTE_ARRAY6_TYPE'
  | 'FWP_V4_ADDR_MASK'
  | 'FWP_V6_ADDR_MASK'
  | 'FWP_RANGE_TYPE';

/** Numeric value of each `FWP_DATA_TYPE` name, as fwptypes.h defines it. */
export const FWP_DATA_TYPE: Readonly<Record<FwpDataTypeName, number>> = {
  FWP_EMPTY: 0,
  FWP_UINT8: 1,
  FWP_UINT16: 2,
  FWP_UINT32: 3,
  FWP_UINT64: 4,
  FWP_INT8: 5,
  FWP_INT16: 6,
  FWP_INT32: 7,
  FWP_INT64: 8,
  FWP_FLOAT: 9,
  FWP_DOUBLE: 10,
  FWP_BYTE_ARRAY16_TYPE: 11,
  FWP_BYTE_BLOB_TYPE: 12,
  FWP_SID: 13,
  FWP_SECURITY_DESCRIPTOR_TYPE: 14,
  FWP_TOKEN_INFORMATION_TYPE: 15,
  FWP_TOKEN_ACCESS_INFORMATION_TYPE: 16,
  FWP_UNICODE_STRING_TYPE: 17,
  FWP_BYTE_ARRAY6_TYPE: 18,
  FWP_V4_ADDR_MASK: 0x100,
  FWP_V6_ADDR_MASK: 0x101,
  FWP_RANGE_TYPE: 0x102,
};

/**
 * Where a catalogue value was checked. `ntfuzz`: a copy of the Windows 10 SDK headers
 * (fwpmu.h/fwpsk.h); `fsdk`: the GUID objects of the SDK's import library as extracted by the
 * Pelles C SDK; `projectzero`: the name table of Google Project Zero's NtApiDotNet firewall code.
 */
export type CatalogSource = 'ntfuzz' | 'fsdk' | 'projectzero';

/** How sure the catalogue is of a condition's data type. */
export type TypeConfidence = 'documented' | 'inferred' | 'reserved';

/** A built-in object identified by a GUID (provider, sublayer, callout). */
export interface BuiltinObjectInfo {
  /** The SDK constant's name, e.g. `FWPM_SUBLAYER_UNIVERSAL`. */
  readonly name: string;
  /** The GUID, lower-case, without braces. */
  readonly key: string;
  /** Independent copies the GUID was found in, with the same value. */
  readonly sources: readonly CatalogSource[];
}

/** A built-in filtering condition field. */
export interface ConditionInfo extends BuiltinObjectInfo {
  /**
   * The `FWP_DATA_TYPE`s a condition value for this field may have (a range of one of them is
   * also allowed with the `range` match). Empty for reserved fields, which cannot be used.
   */
  readonly dataTypes: readonly FwpDataTypeName[];
  /** Whether `dataTypes` is documented by Microsoft or inferred. */
  readonly confidence: TypeConfidence;
  /** For a second SDK name of the same GUID: the short name this one repeats. */
  readonly aliasOf?: string;
}

/** A built-in filtering layer. */
export interface LayerInfo extends BuiltinObjectInfo {
  /** The `FWPS_BUILTIN_LAYERS` value of the layer, when it has one (kernel-mode run-time id). */
  readonly runtimeId?: number;
  /** Address family of the traffic the layer sees. */
  readonly ipVersion: 'v4' | 'v6' | 'none';
  /** A `*_DISCARD` layer (sees traffic other layers dropped). */
  readonly discard: boolean;
  /** For a second SDK name of the same GUID: the short name this one repeats. */
  readonly aliasOf?: string;
  /** Short names of the condition fields a filter at this layer may test. */
  readonly fields: readonly string[];
}
