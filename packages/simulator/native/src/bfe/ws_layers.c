/*
 * ws_layers.c - the built-in layers the simulator knows, their condition
 * fields and each field's data type, and FwpmLayerGetByKey0.
 *
 * GUID values: the Windows SDK's fwpmu.h (FWPM_LAYER_*, FWPM_CONDITION_*,
 * FWPM_SUBLAYER_UNIVERSAL). Fields per layer: Microsoft's "Filtering conditions
 * available at each filtering layer" (Vista + Windows 7 entries; Windows 8+
 * additions such as ALE_PACKAGE_ID and COMPARTMENT_ID are not modelled).
 * Data types: the type of the value the engine supplies for the field
 * (FWPS_INCOMING_VALUE0): IP addresses are FWP_UINT32 at V4 layers and
 * FWP_BYTE_ARRAY16_TYPE at V6 layers; ALE user/machine ids are
 * FWP_TOKEN_ACCESS_INFORMATION_TYPE (conditions compare them with a security
 * descriptor). Layer ids: the FWPS_BUILTIN_LAYERS enumerator values. The transport and IP
 * packet _DISCARD layers have the fields of their layer (the conditions page lists them alike).
 */
#include <string.h>

#include "ws_internal.h"

#define G(name, l, w1, w2, b0, b1, b2, b3, b4, b5, b6, b7) \
    static const WS_GUID name = { l, w1, w2, { b0, b1, b2, b3, b4, b5, b6, b7 } }

/* ---- layers ----------------------------------------------------------- */
G(L_INBOUND_IPPACKET_V4, 0xc86fd1bf, 0x21cd, 0x497e, 0xa0, 0xbb, 0x17, 0x42, 0x5c, 0x88, 0x5c, 0x58);
G(L_INBOUND_IPPACKET_V6, 0xf52032cb, 0x991c, 0x46e7, 0x97, 0x1d, 0x26, 0x01, 0x45, 0x9a, 0x91, 0xca);
G(L_OUTBOUND_IPPACKET_V4, 0x1e5c9fae, 0x8a84, 0x4135, 0xa3, 0x31, 0x95, 0x0b, 0x54, 0x22, 0x9e, 0xcd);
G(L_OUTBOUND_IPPACKET_V6, 0xa3b3ab6b, 0x3564, 0x488c, 0x91, 0x17, 0xf3, 0x4e, 0x82, 0x14, 0x27, 0x63);
G(L_INBOUND_TRANSPORT_V4, 0x5926dfc8, 0xe3cf, 0x4426, 0xa2, 0x83, 0xdc, 0x39, 0x3f, 0x5d, 0x0f, 0x9d);
G(L_INBOUND_TRANSPORT_V6, 0x634a869f, 0xfc23, 0x4b90, 0xb0, 0xc1, 0xbf, 0x62, 0x0a, 0x36, 0xae, 0x6f);
G(L_OUTBOUND_TRANSPORT_V4, 0x09e61aea, 0xd214, 0x46e2, 0x9b, 0x21, 0xb2, 0x6b, 0x0b, 0x2f, 0x28, 0xc8);
G(L_OUTBOUND_TRANSPORT_V6, 0xe1735bde, 0x013f, 0x4655, 0xb3, 0x51, 0xa4, 0x9e, 0x15, 0x76, 0x2d, 0xf0);
G(L_INBOUND_IPPACKET_V4_DISCARD, 0xb5a230d0, 0xa8c0, 0x44f2, 0x91, 0x6e, 0x99, 0x1b, 0x53, 0xde, 0xd1, 0xf7);
G(L_INBOUND_IPPACKET_V6_DISCARD, 0xbb24c279, 0x93b4, 0x47a2, 0x83, 0xad, 0xae, 0x16, 0x98, 0xb5, 0x08, 0x85);
G(L_OUTBOUND_IPPACKET_V4_DISCARD, 0x08e4bcb5, 0xb647, 0x48f3, 0x95, 0x3c, 0xe5, 0xdd, 0xbd, 0x03, 0x93, 0x7e);
G(L_OUTBOUND_IPPACKET_V6_DISCARD, 0x9513d7c4, 0xa934, 0x49dc, 0x91, 0xa7, 0x6c, 0xcb, 0x80, 0xcc, 0x02, 0xe3);
G(L_INBOUND_TRANSPORT_V4_DISCARD, 0xac4a9833, 0xf69d, 0x4648, 0xb2, 0x61, 0x6d, 0xc8, 0x48, 0x35, 0xef, 0x39);
G(L_INBOUND_TRANSPORT_V6_DISCARD, 0x2a6ff955, 0x3b2b, 0x49d2, 0x98, 0x48, 0xad, 0x9d, 0x72, 0xdc, 0xaa, 0xb7);
G(L_OUTBOUND_TRANSPORT_V4_DISCARD, 0xc5f10551, 0xbdb0, 0x43d7, 0xa3, 0x13, 0x50, 0xe2, 0x11, 0xf4, 0xd6, 0x8a);
G(L_OUTBOUND_TRANSPORT_V6_DISCARD, 0xf433df69, 0xccbd, 0x482e, 0xb9, 0xb2, 0x57, 0x16, 0x56, 0x58, 0xc3, 0xb3);
G(L_STREAM_V4, 0x3b89653c, 0xc170, 0x49e4, 0xb1, 0xcd, 0xe0, 0xee, 0xee, 0xe1, 0x9a, 0x3e);
G(L_STREAM_V6, 0x47c9137a, 0x7ec4, 0x46b3, 0xb6, 0xe4, 0x48, 0xe9, 0x26, 0xb1, 0xed, 0xa4);
G(L_DATAGRAM_DATA_V4, 0x3d08bf4e, 0x45f6, 0x4930, 0xa9, 0x22, 0x41, 0x70, 0x98, 0xe2, 0x00, 0x27);
G(L_DATAGRAM_DATA_V6, 0xfa45fe2f, 0x3cba, 0x4427, 0x87, 0xfc, 0x57, 0xb9, 0xa4, 0xb1, 0x0d, 0x00);
G(L_ALE_AUTH_RECV_ACCEPT_V4, 0xe1cd9fe7, 0xf4b5, 0x4273, 0x96, 0xc0, 0x59, 0x2e, 0x48, 0x7b, 0x86, 0x50);
G(L_ALE_AUTH_RECV_ACCEPT_V6, 0xa3b42c97, 0x9f04, 0x4672, 0xb8, 0x7e, 0xce, 0xe9, 0xc4, 0x83, 0x25, 0x7f);
G(L_ALE_AUTH_CONNECT_V4, 0xc38d57d1, 0x05a7, 0x4c33, 0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82);
G(L_ALE_AUTH_CONNECT_V6, 0x4a72393b, 0x319f, 0x44bc, 0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4);
G(L_ALE_FLOW_ESTABLISHED_V4, 0xaf80470a, 0x5596, 0x4c13, 0x99, 0x92, 0x53, 0x9e, 0x6f, 0xe5, 0x79, 0x67);
G(L_ALE_FLOW_ESTABLISHED_V6, 0x7021d2b3, 0xdfa4, 0x406e, 0xaf, 0xeb, 0x6a, 0xfa, 0xf7, 0xe7, 0x0e, 0xfd);

/* ---- sublayers -------------------------------------------------------- */
const WS_GUID WS_FWPM_SUBLAYER_UNIVERSAL = { 0xeebecc03, 0xced4, 0x4380,
                                             { 0x81, 0x9a, 0x27, 0x34, 0x39, 0x7b, 0x2b, 0x74 } };

/* ---- condition fields ------------------------------------------------- */
G(C_IP_LOCAL_ADDRESS, 0xd9ee00de, 0xc1ef, 0x4617, 0xbf, 0xe3, 0xff, 0xd8, 0xf5, 0xa0, 0x89, 0x57);
G(C_IP_REMOTE_ADDRESS, 0xb235ae9a, 0x1d64, 0x49b8, 0xa4, 0x4c, 0x5f, 0xf3, 0xd9, 0x09, 0x50, 0x45);
G(C_IP_LOCAL_ADDRESS_TYPE, 0x6ec7f6c4, 0x376b, 0x45d7, 0x9e, 0x9c, 0xd3, 0x37, 0xce, 0xdc, 0xd2, 0x37);
G(C_IP_DESTINATION_ADDRESS_TYPE, 0x1ec1b7c9, 0x4eea, 0x4f5e, 0xb9, 0xef, 0x76, 0xbe, 0xaa, 0xaf, 0x17, 0xee);
G(C_IP_LOCAL_INTERFACE, 0x4cd62a49, 0x59c3, 0x4969, 0xb7, 0xf3, 0xbd, 0xa5, 0xd3, 0x28, 0x90, 0xa4);
G(C_IP_ARRIVAL_INTERFACE, 0x618a9b6d, 0x386b, 0x4136, 0xad, 0x6e, 0xb5, 0x15, 0x87, 0xcf, 0xb1, 0xcd);
G(C_ARRIVAL_INTERFACE_TYPE, 0x89f990de, 0xe798, 0x4e6d, 0xab, 0x76, 0x7c, 0x95, 0x58, 0x29, 0x2e, 0x6f);
G(C_ARRIVAL_TUNNEL_TYPE, 0x511166dc, 0x7a8c, 0x4aa7, 0xb5, 0x33, 0x95, 0xab, 0x59, 0xfb, 0x03, 0x40);
G(C_ARRIVAL_INTERFACE_INDEX, 0xcc088db3, 0x1792, 0x4a71, 0xb0, 0xf9, 0x03, 0x7d, 0x21, 0xcd, 0x82, 0x8b);
G(C_NEXTHOP_SUB_INTERFACE_INDEX, 0xef8a6122, 0x0577, 0x45a7, 0x9a, 0xaf, 0x82, 0x5f, 0xbe, 0xb4, 0xfb, 0x95);
G(C_IP_NEXTHOP_INTERFACE, 0x93ae8f5b, 0x7f6f, 0x4719, 0x98, 0xc8, 0x14, 0xe9, 0x74, 0x29, 0xef, 0x04);
G(C_NEXTHOP_INTERFACE_TYPE, 0x97537c6c, 0xd9a3, 0x4767, 0xa3, 0x81, 0xe9, 0x42, 0x67, 0x5c, 0xd9, 0x20);
G(C_NEXTHOP_TUNNEL_TYPE, 0x72b1a111, 0x987b, 0x4720, 0x99, 0xdd, 0xc7, 0xc5, 0x76, 0xfa, 0x2d, 0x4c);
G(C_NEXTHOP_INTERFACE_INDEX, 0x138e6888, 0x7ab8, 0x4d65, 0x9e, 0xe8, 0x05, 0x91, 0xbc, 0xf6, 0xa4, 0x94);
G(C_ORIGINAL_PROFILE_ID, 0x46ea1551, 0x2255, 0x492b, 0x80, 0x19, 0xaa, 0xbe, 0xee, 0x34, 0x9f, 0x40);
G(C_CURRENT_PROFILE_ID, 0xab3033c9, 0xc0e3, 0x4759, 0x93, 0x7d, 0x57, 0x58, 0xc6, 0x5d, 0x4a, 0xe3);
G(C_REAUTHORIZE_REASON, 0x11205e8c, 0x11ae, 0x457a, 0x8a, 0x44, 0x47, 0x70, 0x26, 0xdd, 0x76, 0x4a);
G(C_ORIGINAL_ICMP_TYPE, 0x076dfdbe, 0xc56c, 0x4f72, 0xae, 0x8a, 0x2c, 0xfe, 0x7e, 0x5c, 0x82, 0x86);
G(C_INTERFACE_TYPE, 0xdaf8cd14, 0xe09e, 0x4c93, 0xa5, 0xae, 0xc5, 0xc1, 0x3b, 0x73, 0xff, 0xca);
G(C_TUNNEL_TYPE, 0x77a40437, 0x8779, 0x4868, 0xa2, 0x61, 0xf5, 0xa9, 0x02, 0xf1, 0xc0, 0xcd);
G(C_IP_PROTOCOL, 0x3971ef2b, 0x623e, 0x4f9a, 0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06, 0xb9, 0xa7);
G(C_IP_LOCAL_PORT, 0x0c1ba1af, 0x5765, 0x453f, 0xaf, 0x22, 0xa8, 0xf7, 0x91, 0xac, 0x77, 0x5b);
G(C_IP_REMOTE_PORT, 0xc35a604d, 0xd22b, 0x4e1a, 0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee, 0x67, 0x4b);
G(C_FLAGS, 0x632ce23b, 0x5167, 0x435c, 0x86, 0xd7, 0xe9, 0x03, 0x68, 0x4a, 0xa8, 0x0c);
G(C_DIRECTION, 0x8784c146, 0xca97, 0x44d6, 0x9f, 0xd1, 0x19, 0xfb, 0x18, 0x40, 0xcb, 0xf7);
G(C_INTERFACE_INDEX, 0x667fd755, 0xd695, 0x434a, 0x8a, 0xf5, 0xd3, 0x83, 0x5a, 0x12, 0x59, 0xbc);
G(C_SUB_INTERFACE_INDEX, 0x0cd42473, 0xd621, 0x4be3, 0xae, 0x8c, 0x72, 0xa3, 0x48, 0xd2, 0x83, 0xe1);
G(C_ALE_APP_ID, 0xd78e1e87, 0x8644, 0x4ea5, 0x94, 0x37, 0xd8, 0x09, 0xec, 0xef, 0xc9, 0x71);
G(C_ALE_USER_ID, 0xaf043a0a, 0xb34d, 0x4f86, 0x97, 0x9c, 0xc9, 0x03, 0x71, 0xaf, 0x6e, 0x66);
G(C_ALE_REMOTE_USER_ID, 0xf63073b7, 0x0189, 0x4ab0, 0x95, 0xa4, 0x61, 0x23, 0xcb, 0xfa, 0xb8, 0x62);
G(C_ALE_REMOTE_MACHINE_ID, 0x1aa47f51, 0x7f93, 0x4508, 0xa2, 0x71, 0x81, 0xab, 0xb0, 0x0c, 0x9c, 0xab);
G(C_ALE_SIO_FIREWALL_SYSTEM_PORT, 0xb9f4e088, 0xcb98, 0x4efb, 0xa2, 0xc7, 0xad, 0x07, 0x33, 0x26, 0x43, 0xdb);
G(C_ALE_NAP_CONTEXT, 0x46275a9d, 0xc03f, 0x4d77, 0xb7, 0x84, 0x1c, 0x57, 0xf4, 0xd0, 0x27, 0x53);
G(C_PEER_NAME, 0x9b539082, 0xeb90, 0x4186, 0xa6, 0xcc, 0xde, 0x5b, 0x63, 0x23, 0x50, 0x16);

#define RAW WS_FWPM_FIELD_RAW_DATA
#define IPA WS_FWPM_FIELD_IP_ADDRESS
#define FLG WS_FWPM_FIELD_FLAGS
#define F(c, ft, dt) { &C_##c, "FWPM_CONDITION_" #c, ft, dt }
#define U8 WS_FWP_UINT8
#define U16 WS_FWP_UINT16
#define U32 WS_FWP_UINT32
#define U64 WS_FWP_UINT64
#define A16 WS_FWP_BYTE_ARRAY16_TYPE
#define BLOB WS_FWP_BYTE_BLOB_TYPE
#define TAI WS_FWP_TOKEN_ACCESS_INFORMATION_TYPE
#define STR WS_FWP_UNICODE_STRING_TYPE

/* One field list per layer family, V4 and V6 differing only in address type. */
#define IPPACKET_FIELDS(A)                                                               \
    F(FLAGS, FLG, U32), F(INTERFACE_INDEX, RAW, U32), F(INTERFACE_TYPE, RAW, U32),       \
    F(IP_LOCAL_ADDRESS, IPA, A), F(IP_LOCAL_ADDRESS_TYPE, RAW, U8),                       \
    F(IP_LOCAL_INTERFACE, RAW, U64), F(IP_REMOTE_ADDRESS, IPA, A),                        \
    F(SUB_INTERFACE_INDEX, RAW, U32), F(TUNNEL_TYPE, RAW, U32)

#define TRANSPORT_FIELDS(A)                                                              \
    IPPACKET_FIELDS(A), F(IP_LOCAL_PORT, RAW, U16), F(IP_PROTOCOL, RAW, U8),             \
    F(IP_REMOTE_PORT, RAW, U16), F(CURRENT_PROFILE_ID, RAW, U32)

#define STREAM_FIELDS(A)                                                                 \
    F(DIRECTION, RAW, U32), F(FLAGS, FLG, U32), F(IP_LOCAL_ADDRESS, IPA, A),             \
    F(IP_LOCAL_ADDRESS_TYPE, RAW, U8), F(IP_LOCAL_PORT, RAW, U16),                        \
    F(IP_REMOTE_ADDRESS, IPA, A), F(IP_REMOTE_PORT, RAW, U16)

#define DATAGRAM_FIELDS(A)                                                               \
    IPPACKET_FIELDS(A), F(DIRECTION, RAW, U32), F(IP_LOCAL_PORT, RAW, U16),              \
    F(IP_PROTOCOL, RAW, U8), F(IP_REMOTE_PORT, RAW, U16)

#define ALE_COMMON_FIELDS(A)                                                             \
    F(ALE_APP_ID, RAW, BLOB), F(ALE_REMOTE_MACHINE_ID, RAW, TAI),                         \
    F(ALE_REMOTE_USER_ID, RAW, TAI), F(ALE_USER_ID, RAW, TAI), F(FLAGS, FLG, U32),        \
    F(INTERFACE_TYPE, RAW, U32), F(IP_LOCAL_ADDRESS, IPA, A),                             \
    F(IP_LOCAL_ADDRESS_TYPE, RAW, U8), F(IP_LOCAL_INTERFACE, RAW, U64),                   \
    F(IP_LOCAL_PORT, RAW, U16), F(IP_PROTOCOL, RAW, U8), F(IP_REMOTE_ADDRESS, IPA, A),    \
    F(IP_REMOTE_PORT, RAW, U16), F(TUNNEL_TYPE, RAW, U32)

#define ALE_WIN7_FIELDS                                                                  \
    F(NEXTHOP_SUB_INTERFACE_INDEX, RAW, U32), F(IP_NEXTHOP_INTERFACE, RAW, U64),         \
    F(NEXTHOP_INTERFACE_TYPE, RAW, U32), F(NEXTHOP_TUNNEL_TYPE, RAW, U32),                \
    F(NEXTHOP_INTERFACE_INDEX, RAW, U32), F(ORIGINAL_PROFILE_ID, RAW, U32),               \
    F(CURRENT_PROFILE_ID, RAW, U32), F(REAUTHORIZE_REASON, RAW, U32),                     \
    F(ORIGINAL_ICMP_TYPE, RAW, U16)

#define RECV_ACCEPT_FIELDS(A)                                                            \
    ALE_COMMON_FIELDS(A), F(ALE_NAP_CONTEXT, RAW, U32),                                   \
    F(ALE_SIO_FIREWALL_SYSTEM_PORT, RAW, U32), F(ARRIVAL_INTERFACE_INDEX, RAW, U32),      \
    F(ARRIVAL_INTERFACE_TYPE, RAW, U32), F(SUB_INTERFACE_INDEX, RAW, U32),                \
    F(ARRIVAL_TUNNEL_TYPE, RAW, U32), F(IP_ARRIVAL_INTERFACE, RAW, U64),                  \
    F(INTERFACE_INDEX, RAW, U32), ALE_WIN7_FIELDS

#define CONNECT_FIELDS(A)                                                                \
    ALE_COMMON_FIELDS(A), F(IP_DESTINATION_ADDRESS_TYPE, RAW, U8),                        \
    F(SUB_INTERFACE_INDEX, RAW, U32), F(IP_ARRIVAL_INTERFACE, RAW, U64),                  \
    F(ARRIVAL_INTERFACE_TYPE, RAW, U32), F(ARRIVAL_TUNNEL_TYPE, RAW, U32),                \
    F(ARRIVAL_INTERFACE_INDEX, RAW, U32), F(INTERFACE_INDEX, RAW, U32), ALE_WIN7_FIELDS,  \
    F(PEER_NAME, RAW, STR)

#define FLOW_FIELDS(A)                                                                   \
    ALE_COMMON_FIELDS(A), F(DIRECTION, RAW, U32), F(IP_DESTINATION_ADDRESS_TYPE, RAW, U8)

static const ws_field_info f_ippacket_v4[] = { IPPACKET_FIELDS(U32) };
static const ws_field_info f_ippacket_v6[] = { IPPACKET_FIELDS(A16) };
static const ws_field_info f_in_transport_v4[] = { TRANSPORT_FIELDS(U32) };
static const ws_field_info f_in_transport_v6[] = { TRANSPORT_FIELDS(A16) };
static const ws_field_info f_out_transport_v4[] = { TRANSPORT_FIELDS(U32),
                                                    F(IP_DESTINATION_ADDRESS_TYPE, RAW, U8) };
static const ws_field_info f_out_transport_v6[] = { TRANSPORT_FIELDS(A16),
                                                    F(IP_DESTINATION_ADDRESS_TYPE, RAW, U8) };
static const ws_field_info f_stream_v4[] = { STREAM_FIELDS(U32) };
static const ws_field_info f_stream_v6[] = { STREAM_FIELDS(A16) };
static const ws_field_info f_datagram_v4[] = { DATAGRAM_FIELDS(U32) };
static const ws_field_info f_datagram_v6[] = { DATAGRAM_FIELDS(A16) };
static const ws_field_info f_recv_accept_v4[] = { RECV_ACCEPT_FIELDS(U32) };
static const ws_field_info f_recv_accept_v6[] = { RECV_ACCEPT_FIELDS(A16) };
static const ws_field_info f_connect_v4[] = { CONNECT_FIELDS(U32) };
static const ws_field_info f_connect_v6[] = { CONNECT_FIELDS(A16) };
static const ws_field_info f_flow_v4[] = { FLOW_FIELDS(U32) };
static const ws_field_info f_flow_v6[] = { FLOW_FIELDS(A16) };

#define KB (WS_FWPM_LAYER_FLAG_KERNEL | WS_FWPM_LAYER_FLAG_BUILTIN)
#define LAYER(n, id, fields) { &L_##n, "FWPM_LAYER_" #n, id, KB, sizeof fields / sizeof fields[0], fields }

static const ws_layer_info g_layers[] = {
    LAYER(INBOUND_IPPACKET_V4, 0, f_ippacket_v4),
    LAYER(INBOUND_IPPACKET_V4_DISCARD, 1, f_ippacket_v4),
    LAYER(INBOUND_IPPACKET_V6, 2, f_ippacket_v6),
    LAYER(INBOUND_IPPACKET_V6_DISCARD, 3, f_ippacket_v6),
    LAYER(OUTBOUND_IPPACKET_V4, 4, f_ippacket_v4),
    LAYER(OUTBOUND_IPPACKET_V4_DISCARD, 5, f_ippacket_v4),
    LAYER(OUTBOUND_IPPACKET_V6, 6, f_ippacket_v6),
    LAYER(OUTBOUND_IPPACKET_V6_DISCARD, 7, f_ippacket_v6),
    LAYER(INBOUND_TRANSPORT_V4, 12, f_in_transport_v4),
    LAYER(INBOUND_TRANSPORT_V4_DISCARD, 13, f_in_transport_v4),
    LAYER(INBOUND_TRANSPORT_V6, 14, f_in_transport_v6),
    LAYER(INBOUND_TRANSPORT_V6_DISCARD, 15, f_in_transport_v6),
    LAYER(OUTBOUND_TRANSPORT_V4, 16, f_out_transport_v4),
    LAYER(OUTBOUND_TRANSPORT_V4_DISCARD, 17, f_out_transport_v4),
    LAYER(OUTBOUND_TRANSPORT_V6, 18, f_out_transport_v6),
    LAYER(OUTBOUND_TRANSPORT_V6_DISCARD, 19, f_out_transport_v6),
    LAYER(STREAM_V4, 20, f_stream_v4),
    LAYER(STREAM_V6, 22, f_stream_v6),
    LAYER(DATAGRAM_DATA_V4, 24, f_datagram_v4),
    LAYER(DATAGRAM_DATA_V6, 26, f_datagram_v6),
    LAYER(ALE_AUTH_RECV_ACCEPT_V4, 44, f_recv_accept_v4),
    LAYER(ALE_AUTH_RECV_ACCEPT_V6, 46, f_recv_accept_v6),
    LAYER(ALE_AUTH_CONNECT_V4, 48, f_connect_v4),
    LAYER(ALE_AUTH_CONNECT_V6, 50, f_connect_v6),
    LAYER(ALE_FLOW_ESTABLISHED_V4, 52, f_flow_v4),
    LAYER(ALE_FLOW_ESTABLISHED_V6, 54, f_flow_v6),
};

size_t ws_layer_count(void)
{
    return sizeof g_layers / sizeof g_layers[0];
}

const ws_layer_info *ws_layer_at(size_t index)
{
    return index < ws_layer_count() ? &g_layers[index] : NULL;
}

const ws_layer_info *ws_layer_find(const WS_GUID *key)
{
    for (size_t i = 0; i < ws_layer_count(); i++)
        if (ws_guid_eq(g_layers[i].key, key))
            return &g_layers[i];
    return NULL;
}

const ws_layer_info *ws_layer_by_id(uint16_t id)
{
    for (size_t i = 0; i < ws_layer_count(); i++)
        if (g_layers[i].layer_id == id)
            return &g_layers[i];
    return NULL;
}

const ws_field_info *ws_layer_field(const ws_layer_info *layer, const WS_GUID *fieldKey)
{
    for (size_t i = 0; i < layer->num_fields; i++)
        if (ws_guid_eq(layer->fields[i].key, fieldKey))
            return &layer->fields[i];
    return NULL;
}

/* ASCII name -> UTF-16 at off; returns the virtual pointer. */
static WS_WCHAR *put_name(ws_flat *f, const char *s)
{
    size_t n = strlen(s);
    size_t off = ws_flat_reserve(f, (n + 1) * 2, 2);
    WS_WCHAR *d = ws_flat_at(f, off);
    if (d)
        for (size_t i = 0; i <= n; i++)
            d[i] = (WS_WCHAR)(unsigned char)s[i];
    return ws_flat_vptr(f, off);
}

static void layer_flat(ws_flat *f, const ws_layer_info *l)
{
    size_t off = ws_flat_reserve(f, sizeof(WS_FWPM_LAYER0), 8);
    WS_FWPM_LAYER0 t;
    memset(&t, 0, sizeof t);
    t.layerKey = *l->key;
    t.displayData.name = put_name(f, l->name);
    t.displayData.description = put_name(f, "libwfpsim built-in layer");
    t.flags = l->flags;
    t.numFields = (uint32_t)l->num_fields;
    size_t foff = ws_flat_reserve(f, l->num_fields * sizeof(WS_FWPM_FIELD0), 8);
    size_t goff = ws_flat_reserve(f, l->num_fields * sizeof(WS_GUID), 4);
    WS_FWPM_FIELD0 *fd = ws_flat_at(f, foff);
    WS_GUID *gd = ws_flat_at(f, goff);
    for (size_t i = 0; i < l->num_fields && fd && gd; i++) {
        gd[i] = *l->fields[i].key;
        fd[i].fieldKey = (WS_GUID *)ws_flat_vptr(f, goff + i * sizeof(WS_GUID));
        fd[i].type = l->fields[i].field_type;
        fd[i].dataType = l->fields[i].data_type;
    }
    t.field = ws_flat_vptr(f, foff);
    t.defaultSubLayerKey = WS_FWPM_SUBLAYER_UNIVERSAL;
    t.layerId = l->layer_id;
    void *d = ws_flat_at(f, off);
    if (d)
        memcpy(d, &t, sizeof t);
}

uint32_t FwpmLayerGetByKey0(WS_HANDLE engineHandle, const WS_GUID *key, WS_FWPM_LAYER0 **layer)
{
    ws_session *s;
    uint32_t rc = ws_enter(engineHandle, &s);
    if (rc)
        return rc;
    if (!key || !layer) {
        rc = WS_ERROR_INVALID_PARAMETER;
        goto out;
    }
    const ws_layer_info *l = ws_layer_find(key);
    if (!l) {
        rc = WS_FWP_E_LAYER_NOT_FOUND;
        goto out;
    }
    ws_flat m = { .ok = 1 };
    layer_flat(&m, l);
    uint8_t *buf = ws_mem_alloc_tracked(m.off);
    if (!buf) {
        rc = WS_ERROR_NOT_ENOUGH_MEMORY;
        goto out;
    }
    ws_flat w = { .buf = buf, .virt = (uintptr_t)buf, .ok = 1 };
    layer_flat(&w, l);
    *layer = (WS_FWPM_LAYER0 *)buf;
out:
    ws_leave();
    return rc;
}
