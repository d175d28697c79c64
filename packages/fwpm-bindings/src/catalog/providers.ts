// Built-in providers of the Windows Filtering Platform: the FWPM_PROVIDER_* GUIDs of fwpmu.h.
// Each entry lists the independent copies it was checked against (see ./sources.ts).

import type { BuiltinObjectInfo } from './types';

/** Every built-in provider, by short name (the part after `FWPM_PROVIDER_`). */
export const PROVIDERS = {
  IKEEXT: { name: 'FWPM_PROVIDER_IKEEXT', key: '10ad9216-ccde-456c-8b16-e9f04e60a90b', sources: ['fsdk', 'ntfuzz'] },
  IPSEC_DOSP_CONFIG: { name: 'FWPM_PROVIDER_IPSEC_DOSP_CONFIG', key: '3c6c05a9-c05c-4bb9-8338-2327814ce8bf', sources: ['fsdk', 'ntfuzz'] },
  TCP_CHIMNEY_OFFLOAD: { name: 'FWPM_PROVIDER_TCP_CHIMNEY_OFFLOAD', key: '896aa19e-9a34-4bcb-ae79-beb9127c84b9', sources: ['fsdk', 'ntfuzz'] },
  TCP_TEMPLATES: { name: 'FWPM_PROVIDER_TCP_TEMPLATES', key: '76cfcd30-3394-432d-bed3-441ae50e63c3', sources: ['ntfuzz'] },
} as const satisfies Record<string, BuiltinObjectInfo>;

/** Short name of a built-in provider. */
export type ProviderName = keyof typeof PROVIDERS;
