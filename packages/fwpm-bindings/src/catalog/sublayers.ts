// Built-in sublayers of the Windows Filtering Platform: the FWPM_SUBLAYER_* GUIDs of fwpmu.h.
// Each entry lists the independent copies it was checked against (see ./sources.ts).

import type { BuiltinObjectInfo } from './types';

/** Every built-in sublayer, by short name (the part after `FWPM_SUBLAYER_`). */
export const SUBLAYERS = {
  INSPECTION: { name: 'FWPM_SUBLAYER_INSPECTION', key: '877519e1-e6a9-41a5-81b4-8c4f118e4a60', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_DOSP: { name: 'FWPM_SUBLAYER_IPSEC_DOSP', key: 'e076d572-5d3d-48ef-802b-909eddb098bd', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_FORWARD_OUTBOUND_TUNNEL: { name: 'FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL', key: 'a5082e73-8f71-4559-8a9a-101cea04ef87', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_SECURITY_REALM: { name: 'FWPM_SUBLAYER_IPSEC_SECURITY_REALM', key: '37a57701-5884-4964-92b8-3e704688b0ad', sources: ['ntfuzz', 'projectzero'] },
  IPSEC_TUNNEL: { name: 'FWPM_SUBLAYER_IPSEC_TUNNEL', key: '83f299ed-9ff4-4967-aff4-c309f4dab827', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  LIPS: { name: 'FWPM_SUBLAYER_LIPS', key: '1b75c0ce-ff60-4711-a70f-b4958cc3b2d0', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  RPC_AUDIT: { name: 'FWPM_SUBLAYER_RPC_AUDIT', key: '758c84f4-fb48-4de9-9aeb-3ed9551ab1fd', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  SECURE_SOCKET: { name: 'FWPM_SUBLAYER_SECURE_SOCKET', key: '15a66e17-3f3c-4f7b-aa6c-812aa613dd82', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  TCP_CHIMNEY_OFFLOAD: { name: 'FWPM_SUBLAYER_TCP_CHIMNEY_OFFLOAD', key: '337608b9-b7d5-4d5f-82f9-3618618bc058', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  TCP_TEMPLATES: { name: 'FWPM_SUBLAYER_TCP_TEMPLATES', key: '24421dcf-0ac5-4caa-9e14-50f6e3636af0', sources: ['ntfuzz', 'projectzero'] },
  TEREDO: { name: 'FWPM_SUBLAYER_TEREDO', key: 'ba69dc66-5176-4979-9c89-26a7b46a8327', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  UNIVERSAL: { name: 'FWPM_SUBLAYER_UNIVERSAL', key: 'eebecc03-ced4-4380-819a-2734397b2b74', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
} as const satisfies Record<string, BuiltinObjectInfo>;

/** Short name of a built-in sublayer. */
export type SublayerName = keyof typeof SUBLAYERS;
