/**
 * The independent copies of the Windows SDK values the catalogue was checked against.
 * Every GUID in the catalogue was compared across all copies that define it; none disagreed.
 * A GUID found in only one copy has `sources.length === 1` (see {@link singleSourceEntries}).
 */
export const CATALOG_SOURCES = {
  ntfuzz:
    'A copy of the Windows 10 SDK/WDK headers fwpmu.h, fwpmk.h and fwpsk.h (github.com/jchoi2022/NtFuzz-HeaderData, include/fwpmu_88303db0.h, fwpsk_bf278d97.h): GUIDs, FWPS_BUILTIN_LAYERS order, FWPS_FIELDS_* per layer.',
  fsdk: 'The Pelles C SDK (github.com/Frankie-PellesC/fSDK): Include/fwpmu.h and the per-GUID sources of its uuid import library (Lib/src/Uuid/fwpapi*.c), an older SDK generation.',
  projectzero:
    "Google Project Zero's sandbox-attacksurface-analysis-tools, NtCoreLib/Net/Firewall/NamedGuidDictionary.cs: a name table of layer, sublayer, condition and callout GUIDs.",
} as const;
