// Built-in callouts of the Windows Filtering Platform: the FWPM_CALLOUT_* GUIDs of fwpmu.h.
// Each entry lists the independent copies it was checked against (see ./sources.ts).

import type { BuiltinObjectInfo } from './types';

/** Every built-in callout, by short name (the part after `FWPM_CALLOUT_`). */
export const CALLOUTS = {
  EDGE_TRAVERSAL_ALE_LISTEN_V4: { name: 'FWPM_CALLOUT_EDGE_TRAVERSAL_ALE_LISTEN_V4', key: '33486ab5-6d5e-4e65-a00b-a7afed0ba9a1', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  EDGE_TRAVERSAL_ALE_RESOURCE_ASSIGNMENT_V4: { name: 'FWPM_CALLOUT_EDGE_TRAVERSAL_ALE_RESOURCE_ASSIGNMENT_V4', key: '079b1010-f1c5-4fcd-ae05-da41107abd0b', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  HTTP_TEMPLATE_SSL_HANDSHAKE: { name: 'FWPM_CALLOUT_HTTP_TEMPLATE_SSL_HANDSHAKE', key: 'b3423249-8d09-4858-9210-95c7fda8e30f', sources: ['ntfuzz'] },
  IPSEC_ALE_CONNECT_V4: { name: 'FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4', key: '6ac141fc-f75d-4203-b9c8-48e6149c2712', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_ALE_CONNECT_V6: { name: 'FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6', key: '4c0dda05-e31f-4666-90b0-b3dfad34129a', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_DOSP_FORWARD_V4: { name: 'FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V4', key: '2fcb56ec-cd37-4b4f-b108-62c2b1850a0c', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_DOSP_FORWARD_V6: { name: 'FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V6', key: '6d08a342-db9e-4fbe-9ed2-57374ce89f79', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_FORWARD_INBOUND_TUNNEL_V4: { name: 'FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4', key: '28829633-c4f0-4e66-873f-844db2a899c7', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_FORWARD_INBOUND_TUNNEL_V6: { name: 'FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6', key: 'af50bec2-c686-429a-884d-b74443e7b0b4', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_FORWARD_OUTBOUND_TUNNEL_V4: { name: 'FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4', key: 'fb532136-15cb-440b-937c-1717ca320c40', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_FORWARD_OUTBOUND_TUNNEL_V6: { name: 'FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6', key: 'dae640cc-e021-4bee-9eb6-a48b275c8c1d', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_INITIATE_SECURE_V4: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4', key: '7dff309b-ba7d-4aba-91aa-ae5c6640c944', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_INITIATE_SECURE_V6: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6', key: 'a9a0d6d9-c58c-474e-8aeb-3cfe99d6d53d', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_TRANSPORT_V4: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4', key: '5132900d-5e84-4b5f-80e4-01741e81ff10', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_TRANSPORT_V6: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6', key: '49d3ac92-2a6c-4dcf-955f-1c3be009dd99', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4', key: '3df6e7de-fd20-48f2-9f26-f854444cba79', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6', key: 'a1e392d3-72ac-47bb-87a7-0122c69434ab', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_TUNNEL_V4: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4', key: '191a8a46-0bf8-46cf-b045-4b45dfa6a324', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_INBOUND_TUNNEL_V6: { name: 'FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6', key: '80c342e3-1e53-4d6f-9b44-03df5aeee154', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_OUTBOUND_TRANSPORT_V4: { name: 'FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4', key: '4b46bf0a-4523-4e57-aa38-a87987c910d9', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_OUTBOUND_TRANSPORT_V6: { name: 'FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6', key: '38d87722-ad83-4f11-a91f-df0fb077225b', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_OUTBOUND_TUNNEL_V4: { name: 'FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4', key: '70a4196c-835b-4fb0-98e8-075f4d977d46', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  IPSEC_OUTBOUND_TUNNEL_V6: { name: 'FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6', key: 'f1835363-a6a5-4e62-b180-23db789d8da6', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  POLICY_SILENT_MODE_AUTH_CONNECT_LAYER_V4: { name: 'FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_CONNECT_LAYER_V4', key: '5fbfc31d-a51c-44dc-acb6-0624a030a700', sources: ['ntfuzz'] },
  POLICY_SILENT_MODE_AUTH_CONNECT_LAYER_V6: { name: 'FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_CONNECT_LAYER_V6', key: '5fbfc31d-a51c-44dc-acb6-0624a030a701', sources: ['ntfuzz'] },
  POLICY_SILENT_MODE_AUTH_RECV_ACCEPT_LAYER_V4: { name: 'FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_RECV_ACCEPT_LAYER_V4', key: '5fbfc31d-a51c-44dc-acb6-0624a030a702', sources: ['ntfuzz'] },
  POLICY_SILENT_MODE_AUTH_RECV_ACCEPT_LAYER_V6: { name: 'FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_RECV_ACCEPT_LAYER_V6', key: '5fbfc31d-a51c-44dc-acb6-0624a030a703', sources: ['ntfuzz'] },
  RESERVED_AUTH_CONNECT_LAYER_V4: { name: 'FWPM_CALLOUT_RESERVED_AUTH_CONNECT_LAYER_V4', key: '288b524d-0566-4e19-b612-8f441a2e5949', sources: ['ntfuzz', 'projectzero'] },
  RESERVED_AUTH_CONNECT_LAYER_V6: { name: 'FWPM_CALLOUT_RESERVED_AUTH_CONNECT_LAYER_V6', key: '00b84b92-2b5e-4b71-ab0e-aaca43e387e6', sources: ['ntfuzz', 'projectzero'] },
  SET_OPTIONS_AUTH_CONNECT_LAYER_V4: { name: 'FWPM_CALLOUT_SET_OPTIONS_AUTH_CONNECT_LAYER_V4', key: 'bc582280-1677-41e9-94ab-c2fcb15c2eeb', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  SET_OPTIONS_AUTH_CONNECT_LAYER_V6: { name: 'FWPM_CALLOUT_SET_OPTIONS_AUTH_CONNECT_LAYER_V6', key: '98e5373c-b884-490f-b65f-2f6a4a575195', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  SET_OPTIONS_AUTH_RECV_ACCEPT_LAYER_V4: { name: 'FWPM_CALLOUT_SET_OPTIONS_AUTH_RECV_ACCEPT_LAYER_V4', key: '2d55f008-0c01-4f92-b26e-a08a94569b8d', sources: ['ntfuzz', 'projectzero'] },
  SET_OPTIONS_AUTH_RECV_ACCEPT_LAYER_V6: { name: 'FWPM_CALLOUT_SET_OPTIONS_AUTH_RECV_ACCEPT_LAYER_V6', key: '63018537-f281-4dc4-83d3-8dec18b7ade2', sources: ['ntfuzz', 'projectzero'] },
  TCP_CHIMNEY_ACCEPT_LAYER_V4: { name: 'FWPM_CALLOUT_TCP_CHIMNEY_ACCEPT_LAYER_V4', key: 'e183ecb2-3a7f-4b54-8ad9-76050ed880ca', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  TCP_CHIMNEY_ACCEPT_LAYER_V6: { name: 'FWPM_CALLOUT_TCP_CHIMNEY_ACCEPT_LAYER_V6', key: '0378cf41-bf98-4603-81f2-7f12586079f6', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  TCP_CHIMNEY_CONNECT_LAYER_V4: { name: 'FWPM_CALLOUT_TCP_CHIMNEY_CONNECT_LAYER_V4', key: 'f3e10ab3-2c25-4279-ac36-c30fc181bec4', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  TCP_CHIMNEY_CONNECT_LAYER_V6: { name: 'FWPM_CALLOUT_TCP_CHIMNEY_CONNECT_LAYER_V6', key: '39e22085-a341-42fc-a279-aec94e689c56', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  TCP_TEMPLATES_ACCEPT_LAYER_V4: { name: 'FWPM_CALLOUT_TCP_TEMPLATES_ACCEPT_LAYER_V4', key: '2f23f5d0-40c4-4c41-a254-46d8dba8957c', sources: ['ntfuzz', 'projectzero'] },
  TCP_TEMPLATES_ACCEPT_LAYER_V6: { name: 'FWPM_CALLOUT_TCP_TEMPLATES_ACCEPT_LAYER_V6', key: 'b25152f0-991c-4f53-bbe7-d24b45fe632c', sources: ['ntfuzz', 'projectzero'] },
  TCP_TEMPLATES_CONNECT_LAYER_V4: { name: 'FWPM_CALLOUT_TCP_TEMPLATES_CONNECT_LAYER_V4', key: '215a0b39-4b7e-4eda-8ce4-179679df6224', sources: ['ntfuzz', 'projectzero'] },
  TCP_TEMPLATES_CONNECT_LAYER_V6: { name: 'FWPM_CALLOUT_TCP_TEMPLATES_CONNECT_LAYER_V6', key: '838b37a1-5c12-4d34-8b38-078728b2d25c', sources: ['ntfuzz', 'projectzero'] },
  TEREDO_ALE_LISTEN_V6: { name: 'FWPM_CALLOUT_TEREDO_ALE_LISTEN_V6', key: '81a434e7-f60c-4378-bab8-c625a30f0197', sources: ['fsdk', 'ntfuzz'] },
  TEREDO_ALE_RESOURCE_ASSIGNMENT_V6: { name: 'FWPM_CALLOUT_TEREDO_ALE_RESOURCE_ASSIGNMENT_V6', key: '31b95392-066e-42a2-b7db-92f8acdd56f9', sources: ['fsdk', 'ntfuzz'] },
  WFP_TRANSPORT_LAYER_V4_SILENT_DROP: { name: 'FWPM_CALLOUT_WFP_TRANSPORT_LAYER_V4_SILENT_DROP', key: 'eda08606-2494-4d78-89bc-67837c03b969', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
  WFP_TRANSPORT_LAYER_V6_SILENT_DROP: { name: 'FWPM_CALLOUT_WFP_TRANSPORT_LAYER_V6_SILENT_DROP', key: '8693cc74-a075-4156-b476-9286eece814e', sources: ['fsdk', 'ntfuzz', 'projectzero'] },
} as const satisfies Record<string, BuiltinObjectInfo>;

/** Short name of a built-in callout. */
export type CalloutName = keyof typeof CALLOUTS;
