/**
 * koffi declarations of the WFP structures, with Windows x64 layouts expressed in fixed-width
 * types (`uint32_t` for DWORD/UINT32/BOOL/enums, `char16_t *` for wide strings), so the same
 * declarations describe `fwpuclnt.dll` on Windows and `libwfpsim` elsewhere.
 *
 * Conventions:
 * - Every named type is declared once per process: koffi's type registry is process-wide, and
 *   Jest evaluates this module once per test file, so {@link rawTypes} first asks koffi for an
 *   existing type of the same name and declares it only when missing.
 * - A member whose name starts with `_` is an anonymous union or struct in the C headers
 *   (`tools/abi-check` relies on this when it writes the C probe).
 * - Pointer members are declared `void *` (or `char16_t *` for strings); the marshalling code
 *   encodes and decodes what they point to.
 *
 * @module
 */
import koffi from './koffi';
import type { TypeObject } from './koffi';

type Def = Record<string, string | TypeObject>;

function named(kind: 'struct' | 'union', name: string, def: Def): TypeObject {
  try {
    return koffi.type(name);
  } catch {
    return kind === 'struct' ? koffi.struct(name, def) : koffi.union(name, def);
  }
}

/**
 * Declares every type with koffi, reusing a type of the same name that already exists in this
 * process. Call {@link rawTypes} instead: it memoises the result.
 *
 * @returns the struct types by C name, and the net-event callback prototype
 */
export function declareRawTypes() {
  const ptr = 'void *';
  const wstr = 'char16_t *';
  const GUID = named('struct', 'GUID', { Data1: 'uint32_t', Data2: 'uint16_t', Data3: 'uint16_t', Data4: koffi.array('uint8_t', 8, 'Array') });
  const FILETIME = named('struct', 'FILETIME', { dwLowDateTime: 'uint32_t', dwHighDateTime: 'uint32_t' });
  const FWP_BYTE_BLOB = named('struct', 'FWP_BYTE_BLOB', { size: 'uint32_t', data: ptr });
  const FWP_BYTE_ARRAY16 = named('struct', 'FWP_BYTE_ARRAY16', { byteArray16: koffi.array('uint8_t', 16, 'Array') });
  const FWP_BYTE_ARRAY6 = named('struct', 'FWP_BYTE_ARRAY6', { byteArray6: koffi.array('uint8_t', 6, 'Array') });
  const FWP_V4_ADDR_AND_MASK = named('struct', 'FWP_V4_ADDR_AND_MASK', { addr: 'uint32_t', mask: 'uint32_t' });
  const FWP_V6_ADDR_AND_MASK = named('struct', 'FWP_V6_ADDR_AND_MASK', { addr: koffi.array('uint8_t', 16, 'Array'), prefixLength: 'uint8_t' });
  // The value unions: every member wider than 32 bits is a pointer, so each union is one pointer wide.
  const valueMembers: Def = {
    uint8: 'uint8_t',
    uint16: 'uint16_t',
    uint32: 'uint32_t',
    uint64: ptr,
    int8: 'int8_t',
    int16: 'int16_t',
    int32: 'int32_t',
    int64: ptr,
    float32: 'float',
    double64: ptr,
    byteArray16: ptr,
    byteBlob: ptr,
    sid: ptr,
    sd: ptr,
    tokenInformation: ptr,
    tokenAccessInformation: ptr,
    unicodeString: ptr,
    byteArray6: ptr,
  };
  const FWP_VALUE0_U = named('union', 'FWP_VALUE0_U', valueMembers);
  const FWP_VALUE0 = named('struct', 'FWP_VALUE0', { type: 'uint32_t', _u: FWP_VALUE0_U });
  const FWP_CONDITION_VALUE0_U = named('union', 'FWP_CONDITION_VALUE0_U', { ...valueMembers, v4AddrMask: ptr, v6AddrMask: ptr, rangeValue: ptr });
  const FWP_CONDITION_VALUE0 = named('struct', 'FWP_CONDITION_VALUE0', { type: 'uint32_t', _u: FWP_CONDITION_VALUE0_U });
  const FWP_RANGE0 = named('struct', 'FWP_RANGE0', { valueLow: FWP_VALUE0, valueHigh: FWP_VALUE0 });
  const FWPM_DISPLAY_DATA0 = named('struct', 'FWPM_DISPLAY_DATA0', { name: wstr, description: wstr });
  const FWPM_SESSION0 = named('struct', 'FWPM_SESSION0', {
    sessionKey: GUID,
    displayData: FWPM_DISPLAY_DATA0,
    flags: 'uint32_t',
    txnWaitTimeoutInMSec: 'uint32_t',
    processId: 'uint32_t',
    sid: ptr,
    username: wstr,
    kernelMode: 'int32_t',
  });
  const FWPM_ACTION0_U = named('union', 'FWPM_ACTION0_U', { filterType: GUID, calloutKey: GUID });
  const FWPM_ACTION0 = named('struct', 'FWPM_ACTION0', { type: 'uint32_t', _u: FWPM_ACTION0_U });
  const FWPM_PROVIDER0 = named('struct', 'FWPM_PROVIDER0', {
    providerKey: GUID,
    displayData: FWPM_DISPLAY_DATA0,
    flags: 'uint32_t',
    providerData: FWP_BYTE_BLOB,
    serviceName: wstr,
  });
  const FWPM_SUBLAYER0 = named('struct', 'FWPM_SUBLAYER0', {
    subLayerKey: GUID,
    displayData: FWPM_DISPLAY_DATA0,
    flags: 'uint32_t', // UINT32 in the Windows SDK (MinGW-w64 declares UINT16; same offsets either way)
    providerKey: ptr,
    providerData: FWP_BYTE_BLOB,
    weight: 'uint16_t',
  });
  const FWPM_CALLOUT0 = named('struct', 'FWPM_CALLOUT0', {
    calloutKey: GUID,
    displayData: FWPM_DISPLAY_DATA0,
    flags: 'uint32_t',
    providerKey: ptr,
    providerData: FWP_BYTE_BLOB,
    applicableLayer: GUID,
    calloutId: 'uint32_t',
  });
  const FWPM_FILTER_CONDITION0 = named('struct', 'FWPM_FILTER_CONDITION0', { fieldKey: GUID, matchType: 'uint32_t', conditionValue: FWP_CONDITION_VALUE0 });
  const FWPM_FILTER0_U = named('union', 'FWPM_FILTER0_U', { rawContext: 'uint64_t', providerContextKey: GUID });
  const FWPM_FILTER0 = named('struct', 'FWPM_FILTER0', {
    filterKey: GUID,
    displayData: FWPM_DISPLAY_DATA0,
    flags: 'uint32_t',
    providerKey: ptr,
    providerData: FWP_BYTE_BLOB,
    layerKey: GUID,
    subLayerKey: GUID,
    weight: FWP_VALUE0,
    numFilterConditions: 'uint32_t',
    filterCondition: ptr,
    action: FWPM_ACTION0,
    _ctx: FWPM_FILTER0_U,
    reserved: ptr,
    filterId: 'uint64_t',
    effectiveWeight: FWP_VALUE0,
  });
  const FWPM_FIELD0 = named('struct', 'FWPM_FIELD0', { fieldKey: ptr, type: 'uint32_t', dataType: 'uint32_t' });
  const FWPM_LAYER0 = named('struct', 'FWPM_LAYER0', {
    layerKey: GUID,
    displayData: FWPM_DISPLAY_DATA0,
    flags: 'uint32_t',
    numFields: 'uint32_t',
    field: ptr,
    defaultSubLayerKey: GUID,
    layerId: 'uint16_t',
  });
  const FWPM_PROVIDER_ENUM_TEMPLATE0 = named('struct', 'FWPM_PROVIDER_ENUM_TEMPLATE0', { reserved: 'uint64_t' });
  const FWPM_LAYER_ENUM_TEMPLATE0 = named('struct', 'FWPM_LAYER_ENUM_TEMPLATE0', { reserved: 'uint64_t' });
  const FWPM_SUBLAYER_ENUM_TEMPLATE0 = named('struct', 'FWPM_SUBLAYER_ENUM_TEMPLATE0', { providerKey: ptr });
  const FWPM_CALLOUT_ENUM_TEMPLATE0 = named('struct', 'FWPM_CALLOUT_ENUM_TEMPLATE0', { providerKey: ptr, layerKey: GUID });
  const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 = named('struct', 'FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0', { providerKey: ptr, providerContextType: 'uint32_t' });
  const FWPM_FILTER_ENUM_TEMPLATE0 = named('struct', 'FWPM_FILTER_ENUM_TEMPLATE0', {
    providerKey: ptr,
    layerKey: GUID,
    enumType: 'uint32_t',
    flags: 'uint32_t',
    providerContextTemplate: ptr,
    numFilterConditions: 'uint32_t',
    filterCondition: ptr,
    actionMask: 'uint32_t',
    calloutKey: ptr,
  });
  const FWPM_NET_EVENT_HEADER0_LOCAL = named('union', 'FWPM_NET_EVENT_HEADER0_LOCAL', { localAddrV4: 'uint32_t', localAddrV6: FWP_BYTE_ARRAY16 });
  const FWPM_NET_EVENT_HEADER0_REMOTE = named('union', 'FWPM_NET_EVENT_HEADER0_REMOTE', { remoteAddrV4: 'uint32_t', remoteAddrV6: FWP_BYTE_ARRAY16 });
  const headerCommon: Def = {
    timeStamp: FILETIME,
    flags: 'uint32_t',
    ipVersion: 'uint32_t',
    ipProtocol: 'uint8_t',
    _local: FWPM_NET_EVENT_HEADER0_LOCAL,
    _remote: FWPM_NET_EVENT_HEADER0_REMOTE,
    localPort: 'uint16_t',
    remotePort: 'uint16_t',
    scopeId: 'uint32_t',
    appId: FWP_BYTE_BLOB,
    userId: ptr,
  };
  const FWPM_NET_EVENT_HEADER0 = named('struct', 'FWPM_NET_EVENT_HEADER0', headerCommon);
  // FWPM_NET_EVENT_HEADER1 adds the layer-2 fields in nested anonymous unions/structs
  // (member names as MinGW-w64 spells them; the Windows SDK calls them reserved1..reserved10).
  const FWPM_NET_EVENT_HEADER1_ETH = named('struct', 'FWPM_NET_EVENT_HEADER1_ETH', {
    dstAddrEth: FWP_BYTE_ARRAY6,
    srcAddrEth: FWP_BYTE_ARRAY6,
    addrType: 'uint32_t',
    encapMethod: 'uint32_t',
    etherType: 'uint16_t',
    snapControl: 'uint32_t',
    snapOui: 'uint32_t',
    vlanTag: 'uint16_t',
    ifLuid: 'uint64_t',
  });
  const FWPM_NET_EVENT_HEADER1_L2U = named('union', 'FWPM_NET_EVENT_HEADER1_L2U', { _eth: FWPM_NET_EVENT_HEADER1_ETH });
  const FWPM_NET_EVENT_HEADER1_L2 = named('struct', 'FWPM_NET_EVENT_HEADER1_L2', { addressFamily: 'uint32_t', _u: FWPM_NET_EVENT_HEADER1_L2U });
  const FWPM_NET_EVENT_HEADER1_U = named('union', 'FWPM_NET_EVENT_HEADER1_U', { _l2: FWPM_NET_EVENT_HEADER1_L2 });
  const FWPM_NET_EVENT_HEADER1 = named('struct', 'FWPM_NET_EVENT_HEADER1', { ...headerCommon, _u: FWPM_NET_EVENT_HEADER1_U });
  const FWPM_NET_EVENT_CLASSIFY_DROP0 = named('struct', 'FWPM_NET_EVENT_CLASSIFY_DROP0', { filterId: 'uint64_t', layerId: 'uint16_t' });
  const FWPM_NET_EVENT_CLASSIFY_DROP1 = named('struct', 'FWPM_NET_EVENT_CLASSIFY_DROP1', {
    filterId: 'uint64_t',
    layerId: 'uint16_t',
    reauthReason: 'uint32_t',
    originalProfile: 'uint32_t',
    currentProfile: 'uint32_t',
    msFwpDirection: 'uint32_t',
    isLoopback: 'int32_t',
  });
  const FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 = named('struct', 'FWPM_NET_EVENT_IPSEC_KERNEL_DROP0', {
    failureStatus: 'int32_t',
    direction: 'uint32_t',
    spi: 'uint32_t',
    filterId: 'uint64_t',
    layerId: 'uint16_t',
  });
  const netEventUnion: Def = { ikeMmFailure: ptr, ikeQmFailure: ptr, ikeEmFailure: ptr, classifyDrop: ptr, ipsecDrop: ptr, idpDrop: ptr };
  const FWPM_NET_EVENT0_U = named('union', 'FWPM_NET_EVENT0_U', netEventUnion);
  const FWPM_NET_EVENT0 = named('struct', 'FWPM_NET_EVENT0', { header: FWPM_NET_EVENT_HEADER0, type: 'uint32_t', _u: FWPM_NET_EVENT0_U });
  const FWPM_NET_EVENT1 = named('struct', 'FWPM_NET_EVENT1', { header: FWPM_NET_EVENT_HEADER1, type: 'uint32_t', _u: FWPM_NET_EVENT0_U });
  const FWPM_NET_EVENT_ENUM_TEMPLATE0 = named('struct', 'FWPM_NET_EVENT_ENUM_TEMPLATE0', {
    startTime: FILETIME,
    endTime: FILETIME,
    numFilterConditions: 'uint32_t',
    filterCondition: ptr,
  });
  const FWPM_NET_EVENT_SUBSCRIPTION0 = named('struct', 'FWPM_NET_EVENT_SUBSCRIPTION0', { enumTemplate: ptr, flags: 'uint32_t', sessionKey: GUID });
  let FWPM_NET_EVENT_CALLBACK0: TypeObject;
  try {
    FWPM_NET_EVENT_CALLBACK0 = koffi.type('FWPM_NET_EVENT_CALLBACK0');
  } catch {
    FWPM_NET_EVENT_CALLBACK0 = koffi.proto('__stdcall', 'FWPM_NET_EVENT_CALLBACK0', 'void', ['void *', 'void *']);
  }

  /** The structures `tools/abi-check` compares with MinGW-w64's headers (C name → koffi type). */
  const structs = {
    GUID,
    FILETIME,
    FWP_BYTE_BLOB,
    FWP_BYTE_ARRAY16,
    FWP_BYTE_ARRAY6,
    FWP_V4_ADDR_AND_MASK,
    FWP_V6_ADDR_AND_MASK,
    FWP_VALUE0,
    FWP_CONDITION_VALUE0,
    FWP_RANGE0,
    FWPM_DISPLAY_DATA0,
    FWPM_SESSION0,
    FWPM_ACTION0,
    FWPM_PROVIDER0,
    FWPM_SUBLAYER0,
    FWPM_CALLOUT0,
    FWPM_FILTER_CONDITION0,
    FWPM_FILTER0,
    FWPM_FIELD0,
    FWPM_LAYER0,
    FWPM_PROVIDER_ENUM_TEMPLATE0,
    FWPM_LAYER_ENUM_TEMPLATE0,
    FWPM_SUBLAYER_ENUM_TEMPLATE0,
    FWPM_CALLOUT_ENUM_TEMPLATE0,
    FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0,
    FWPM_FILTER_ENUM_TEMPLATE0,
    FWPM_NET_EVENT_HEADER0,
    FWPM_NET_EVENT_HEADER1,
    FWPM_NET_EVENT_CLASSIFY_DROP0,
    FWPM_NET_EVENT_CLASSIFY_DROP1,
    FWPM_NET_EVENT_IPSEC_KERNEL_DROP0,
    FWPM_NET_EVENT0,
    FWPM_NET_EVENT1,
    FWPM_NET_EVENT_ENUM_TEMPLATE0,
    FWPM_NET_EVENT_SUBSCRIPTION0,
  };
  return { structs, FWPM_NET_EVENT_CALLBACK0 };
}

/** All koffi types of the raw layer. */
export type RawTypes = ReturnType<typeof declareRawTypes>;

let memo: RawTypes | undefined;

/**
 * Declares (once) and returns the koffi types of every WFP structure the bindings use.
 *
 * @returns the struct types by C name, and the net-event callback prototype
 * @example
 * ```ts
 * import koffi from 'koffi';
 * koffi.sizeof(rawTypes().structs.FWPM_FILTER0); // 200, as on Windows x64
 * ```
 */
export function rawTypes(): RawTypes {
  memo ??= declareRawTypes();
  return memo;
}
