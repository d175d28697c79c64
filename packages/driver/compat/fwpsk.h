/*
 * fwpsk.h (compat) - the kernel-mode WFP (Fwps*) declarations wfpkit's glue uses, for
 * the MinGW-w64 build (MinGW ships no fwpsk.h). Only the names in
 * src/win/KERNEL_SURFACE.md are declared.
 *
 * Sources, written from the documentation, not copied from a header:
 *  - FWPS_BUILTIN_LAYERS: the run-time layer enum order of the WDK's fwpsk.h as documented
 *    (groups of four: layer, layer_DISCARD for V4 then V6); STREAM_V4 = 20,
 *    ALE_FLOW_ESTABLISHED_V4 = 52.
 *  - FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V4/V6: the enum on the FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V4
 *    documentation page (MicrosoftDocs/windows-driver-docs-ddi,
 *    wdk-ddi-src/content/fwpsk/ne-fwpsk-fwps_fields_ale_flow_established_v4_.md).
 *  - FWPS_INCOMING_METADATA_VALUES0, FWPS_FILTER1, FWPS_CLASSIFY_OUT0, FWPS_CALLOUT1,
 *    FWPS_STREAM_*: the declarations on their documentation pages, laid out for x64 and
 *    pinned by the asserts at the end. The metadata struct is declared up to the last
 *    member the glue reads (processId); WFP owns it, the driver never sizes it.
 *  - FWPS_METADATA_FIELD_* and FWPS_STREAM_FLAG_*: the documented constant values.
 * Every value here is also what packages/simulator/native/wdk/fwpsk.h uses, so the MinGW
 * and host builds agree.
 */
#ifndef WK_COMPAT_FWPSK_H
#define WK_COMPAT_FWPSK_H

#include <ntddk.h>

#include "ndis.h"
#include "fwptypes_k.h"

typedef enum FWPS_BUILTIN_LAYERS_ {
    FWPS_LAYER_INBOUND_IPPACKET_V4 = 0,
    FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD = 1,
    FWPS_LAYER_INBOUND_IPPACKET_V6 = 2,
    FWPS_LAYER_INBOUND_IPPACKET_V6_DISCARD = 3,
    FWPS_LAYER_OUTBOUND_IPPACKET_V4 = 4,
    FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD = 5,
    FWPS_LAYER_OUTBOUND_IPPACKET_V6 = 6,
    FWPS_LAYER_OUTBOUND_IPPACKET_V6_DISCARD = 7,
    FWPS_LAYER_IPFORWARD_V4 = 8,
    FWPS_LAYER_IPFORWARD_V4_DISCARD = 9,
    FWPS_LAYER_IPFORWARD_V6 = 10,
    FWPS_LAYER_IPFORWARD_V6_DISCARD = 11,
    FWPS_LAYER_INBOUND_TRANSPORT_V4 = 12,
    FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD = 13,
    FWPS_LAYER_INBOUND_TRANSPORT_V6 = 14,
    FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD = 15,
    FWPS_LAYER_OUTBOUND_TRANSPORT_V4 = 16,
    FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD = 17,
    FWPS_LAYER_OUTBOUND_TRANSPORT_V6 = 18,
    FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD = 19,
    FWPS_LAYER_STREAM_V4 = 20,
    FWPS_LAYER_STREAM_V4_DISCARD = 21,
    FWPS_LAYER_STREAM_V6 = 22,
    FWPS_LAYER_STREAM_V6_DISCARD = 23,
    FWPS_LAYER_DATAGRAM_DATA_V4 = 24,
    FWPS_LAYER_DATAGRAM_DATA_V4_DISCARD = 25,
    FWPS_LAYER_DATAGRAM_DATA_V6 = 26,
    FWPS_LAYER_DATAGRAM_DATA_V6_DISCARD = 27,
    FWPS_LAYER_INBOUND_ICMP_ERROR_V4 = 28,
    FWPS_LAYER_INBOUND_ICMP_ERROR_V4_DISCARD = 29,
    FWPS_LAYER_INBOUND_ICMP_ERROR_V6 = 30,
    FWPS_LAYER_INBOUND_ICMP_ERROR_V6_DISCARD = 31,
    FWPS_LAYER_OUTBOUND_ICMP_ERROR_V4 = 32,
    FWPS_LAYER_OUTBOUND_ICMP_ERROR_V4_DISCARD = 33,
    FWPS_LAYER_OUTBOUND_ICMP_ERROR_V6 = 34,
    FWPS_LAYER_OUTBOUND_ICMP_ERROR_V6_DISCARD = 35,
    FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V4 = 36,
    FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD = 37,
    FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V6 = 38,
    FWPS_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD = 39,
    FWPS_LAYER_ALE_AUTH_LISTEN_V4 = 40,
    FWPS_LAYER_ALE_AUTH_LISTEN_V4_DISCARD = 41,
    FWPS_LAYER_ALE_AUTH_LISTEN_V6 = 42,
    FWPS_LAYER_ALE_AUTH_LISTEN_V6_DISCARD = 43,
    FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4 = 44,
    FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD = 45,
    FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6 = 46,
    FWPS_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD = 47,
    FWPS_LAYER_ALE_AUTH_CONNECT_V4 = 48,
    FWPS_LAYER_ALE_AUTH_CONNECT_V4_DISCARD = 49,
    FWPS_LAYER_ALE_AUTH_CONNECT_V6 = 50,
    FWPS_LAYER_ALE_AUTH_CONNECT_V6_DISCARD = 51,
    FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4 = 52,
    FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4_DISCARD = 53,
    FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6 = 54,
    FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6_DISCARD = 55
} FWPS_BUILTIN_LAYERS;

/* V4 and V6 share the order (Windows 7 members; Windows 8 appends after FLAGS). */
typedef enum FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V4_ {
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_APP_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_USER_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_PROTOCOL,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_REMOTE_USER_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_ALE_REMOTE_MACHINE_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_DESTINATION_ADDRESS_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_INTERFACE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_DIRECTION,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_INTERFACE_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_TUNNEL_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_FLAGS,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_MAX
} FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V4;

typedef enum FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V6_ {
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_APP_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_USER_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_ADDRESS_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_PORT,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_PROTOCOL,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_ADDRESS,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_REMOTE_PORT,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_REMOTE_USER_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_REMOTE_MACHINE_ID,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_DESTINATION_ADDRESS_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_LOCAL_INTERFACE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_DIRECTION,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_INTERFACE_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_TUNNEL_TYPE,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_FLAGS,
    FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_MAX
} FWPS_FIELDS_ALE_FLOW_ESTABLISHED_V6;

typedef struct FWPS_INCOMING_VALUE0_ {
    FWP_VALUE0 value;
} FWPS_INCOMING_VALUE0;

typedef struct FWPS_INCOMING_VALUES0_ {
    UINT16 layerId;
    UINT32 valueCount;
    FWPS_INCOMING_VALUE0 *incomingValue;
} FWPS_INCOMING_VALUES0;

#define FWPS_METADATA_FIELD_DISCARD_REASON 0x00000001u
#define FWPS_METADATA_FIELD_FLOW_HANDLE 0x00000002u
#define FWPS_METADATA_FIELD_IP_HEADER_SIZE 0x00000004u
#define FWPS_METADATA_FIELD_PROCESS_PATH 0x00000008u
#define FWPS_METADATA_FIELD_TOKEN 0x00000010u
#define FWPS_METADATA_FIELD_PROCESS_ID 0x00000020u
#define FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE 0x00000400u

#define FWPS_IS_METADATA_FIELD_PRESENT(metadataValues, metadataField) \
    (((metadataValues)->currentMetadataValues & (metadataField)) == (metadataField))

typedef enum FWPS_DISCARD_MODULE0_ {
    FWPS_DISCARD_MODULE_NETWORK = 0,
    FWPS_DISCARD_MODULE_TRANSPORT = 1,
    FWPS_DISCARD_MODULE_GENERAL = 2,
    FWPS_DISCARD_MODULE_MAX = 3
} FWPS_DISCARD_MODULE0;

typedef struct FWPS_DISCARD_METADATA0_ {
    FWPS_DISCARD_MODULE0 discardModule;
    UINT32 discardReason;
    UINT64 filterId;
} FWPS_DISCARD_METADATA0;

/* Head of the real struct (WFP allocates it; members after processId not used). */
typedef struct FWPS_INCOMING_METADATA_VALUES0_ {
    UINT32 currentMetadataValues;
    UINT32 flags;
    UINT64 reserved;
    FWPS_DISCARD_METADATA0 discardMetadata;
    UINT64 flowHandle;
    UINT32 ipHeaderSize;
    UINT32 transportHeaderSize;
    FWP_BYTE_BLOB *processPath;
    UINT64 token;
    UINT64 processId;
    /* sourceInterfaceIndex ... : not declared */
} FWPS_INCOMING_METADATA_VALUES0;

typedef struct FWPS_ACTION0_ {
    FWP_ACTION_TYPE type;
    UINT32 calloutId;
} FWPS_ACTION0;

typedef struct FWPS_FILTER_CONDITION0_ {
    UINT16 fieldId;
    UINT16 reserved;
    FWP_MATCH_TYPE matchType;
    FWP_CONDITION_VALUE0 conditionValue;
} FWPS_FILTER_CONDITION0;

typedef struct FWPS_FILTER1_ {
    UINT64 filterId;
    FWP_VALUE0 weight;
    UINT16 subLayerWeight;
    UINT16 flags;
    UINT32 numFilterConditions;
    FWPS_FILTER_CONDITION0 *filterCondition;
    FWPS_ACTION0 action;
    UINT64 context;
    void *providerContext; /* FWPM_PROVIDER_CONTEXT1 * */
} FWPS_FILTER1;

#define FWPS_RIGHT_ACTION_WRITE 0x00000001u

typedef struct FWPS_CLASSIFY_OUT0_ {
    FWP_ACTION_TYPE actionType;
    UINT64 outContext;
    UINT64 filterId;
    UINT32 rights;
    UINT32 flags;
    UINT32 reserved;
} FWPS_CLASSIFY_OUT0;

typedef enum FWPS_CALLOUT_NOTIFY_TYPE_ {
    FWPS_CALLOUT_NOTIFY_ADD_FILTER = 0,
    FWPS_CALLOUT_NOTIFY_DELETE_FILTER = 1,
    FWPS_CALLOUT_NOTIFY_ADD_FILTER_POST_COMMIT = 2,
    FWPS_CALLOUT_NOTIFY_TYPE_MAX
} FWPS_CALLOUT_NOTIFY_TYPE;

#define FWPS_CALLOUT_FLAG_CONDITIONAL_ON_FLOW 0x00000001u

typedef void(NTAPI *FWPS_CALLOUT_CLASSIFY_FN1)(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                               const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                               void *layerData, const void *classifyContext,
                                               const FWPS_FILTER1 *filter, UINT64 flowContext,
                                               FWPS_CLASSIFY_OUT0 *classifyOut);
typedef NTSTATUS(NTAPI *FWPS_CALLOUT_NOTIFY_FN1)(FWPS_CALLOUT_NOTIFY_TYPE notifyType,
                                                 const GUID *filterKey, FWPS_FILTER1 *filter);
typedef void(NTAPI *FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0)(UINT16 layerId, UINT32 calloutId,
                                                         UINT64 flowContext);

typedef struct FWPS_CALLOUT1_ {
    GUID calloutKey;
    UINT32 flags;
    FWPS_CALLOUT_CLASSIFY_FN1 classifyFn;
    FWPS_CALLOUT_NOTIFY_FN1 notifyFn;
    FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
} FWPS_CALLOUT1;

NTSTATUS NTAPI FwpsCalloutRegister1(void *deviceObject, const FWPS_CALLOUT1 *callout,
                                    UINT32 *calloutId);
NTSTATUS NTAPI FwpsCalloutUnregisterByKey0(const GUID *calloutKey);
NTSTATUS NTAPI FwpsFlowAssociateContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId,
                                         UINT64 flowContext);
NTSTATUS NTAPI FwpsFlowRemoveContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId);

#define FWPS_STREAM_FLAG_RECEIVE 0x00000001u
#define FWPS_STREAM_FLAG_RECEIVE_EXPEDITED 0x00000002u
#define FWPS_STREAM_FLAG_RECEIVE_DISCONNECT 0x00000004u
#define FWPS_STREAM_FLAG_RECEIVE_ABORT 0x00000008u
#define FWPS_STREAM_FLAG_RECEIVE_PUSH 0x00000010u
#define FWPS_STREAM_FLAG_SEND 0x00010000u
#define FWPS_STREAM_FLAG_SEND_EXPEDITED 0x00020000u
#define FWPS_STREAM_FLAG_SEND_NODELAY 0x00040000u
#define FWPS_STREAM_FLAG_SEND_DISCONNECT 0x00080000u
#define FWPS_STREAM_FLAG_SEND_ABORT 0x00100000u

typedef enum FWPS_STREAM_ACTION_TYPE_ {
    FWPS_STREAM_ACTION_NONE = 0,
    FWPS_STREAM_ACTION_NEED_MORE_DATA = 1,
    FWPS_STREAM_ACTION_DROP_CONNECTION = 2,
    FWPS_STREAM_ACTION_DEFER = 3,
    FWPS_STREAM_ACTION_ALLOW_CONNECTION = 4,
    FWPS_STREAM_ACTION_TYPE_MAX
} FWPS_STREAM_ACTION_TYPE;

typedef struct FWPS_STREAM_DATA_OFFSET0_ {
    NET_BUFFER_LIST *netBufferList;
    NET_BUFFER *netBuffer;
    MDL *mdl;
    SIZE_T mdlOffset;
    SIZE_T streamDataOffset;
} FWPS_STREAM_DATA_OFFSET0;

typedef struct FWPS_STREAM_DATA0_ {
    UINT32 flags;
    FWPS_STREAM_DATA_OFFSET0 dataOffset;
    SIZE_T dataLength;
    NET_BUFFER_LIST *netBufferListChain;
} FWPS_STREAM_DATA0;

typedef struct FWPS_STREAM_CALLOUT_IO_PACKET0_ {
    FWPS_STREAM_DATA0 *streamData;
    SIZE_T missedBytes;
    UINT32 countBytesRequired;
    SIZE_T countBytesEnforced;
    FWPS_STREAM_ACTION_TYPE streamAction;
} FWPS_STREAM_CALLOUT_IO_PACKET0;

void NTAPI FwpsCopyStreamDataToBuffer0(const FWPS_STREAM_DATA0 *streamData, PVOID buffer,
                                       SIZE_T bytesToCopy, SIZE_T *bytesCopied);

/* ---- packet tagging (the "Using Packet Tagging" and FwpsNetBufferList* pages) ---- */
typedef enum FWPS_NET_BUFFER_LIST_EVENT_TYPE0_ {
    FWPS_NET_BUFFER_LIST_ENTERED_NETIO = 0,
    FWPS_NET_BUFFER_LIST_CLONED_BY_NETIO = 1,
    FWPS_NET_BUFFER_LIST_CLONED_VIA_WFP_API = 2,
    FWPS_NET_BUFFER_LIST_DUPLICATED_BY_NETIO = 3,
    FWPS_NET_BUFFER_LIST_EXIT_NETIO = 4,
    FWPS_NET_BUFFER_LIST_CONTEXT_REMOVED = 5,
    FWPS_NET_BUFFER_LIST_NDIS_SEND_COMPLETE = 6,
    FWPS_NET_BUFFER_LIST_NDIS_RECV_COMPLETE = 7,
    FWPS_NET_BUFFER_LIST_NDIS_NATIVE_SEND_COMPLETE = 8,
    FWPS_NET_BUFFER_LIST_NDIS_NATIVE_RECV_COMPLETE = 9,
    FWPS_NET_BUFFER_LIST_NDIS_VSWITCH_INGRESS_COMPLETE = 10,
    FWPS_NET_BUFFER_LIST_NDIS_VSWITCH_EGRESS_COMPLETE = 11,
    FWPS_NET_BUFFER_LIST_CLONED_BY_NDIS = 12,
    FWPS_NET_BUFFER_LIST_REASSEMBLED_FRAGMENT = 13,
    FWPS_NET_BUFFER_LIST_REASSEMBLY_COMPLETE = 14,
    FWPS_NET_BUFFER_LIST_EVENT_MAX
} FWPS_NET_BUFFER_LIST_EVENT_TYPE0;

typedef void(NTAPI *FWPS_NET_BUFFER_LIST_NOTIFY_FN0)(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 eventType,
                                                     NET_BUFFER_LIST *netBufferList,
                                                     NET_BUFFER_LIST *newNetBufferList,
                                                     UINT16 layerId, UINT64 context,
                                                     UINT64 contextTag);
typedef NTSTATUS(NTAPI *FWPS_NET_BUFFER_LIST_NOTIFY_FN1)(FWPS_NET_BUFFER_LIST_EVENT_TYPE0 eventType,
                                                         NET_BUFFER_LIST *netBufferList,
                                                         NET_BUFFER_LIST *newNetBufferList,
                                                         UINT16 layerId, UINT64 context,
                                                         UINT64 contextTag);

UINT64 NTAPI FwpsNetBufferListGetTagForContext0(void);
NTSTATUS NTAPI FwpsNetBufferListAssociateContext0(NET_BUFFER_LIST *netBufferList, UINT16 layerId,
                                                  UINT64 context, UINT64 contextTag,
                                                  GUID *providerGuid, void *deviceObject,
                                                  FWPS_NET_BUFFER_LIST_NOTIFY_FN0 notifyFn,
                                                  UINT32 flags);
NTSTATUS NTAPI FwpsNetBufferListAssociateContext1(NET_BUFFER_LIST *netBufferList, UINT16 layerId,
                                                  UINT64 context, UINT64 contextTag,
                                                  GUID *providerGuid, void *deviceObject,
                                                  FWPS_NET_BUFFER_LIST_NOTIFY_FN1 notifyFn,
                                                  UINT32 flags);
NTSTATUS NTAPI FwpsNetBufferListRetrieveContext0(NET_BUFFER_LIST *netBufferList, UINT64 contextTag,
                                                 BOOLEAN removeContext, UINT32 flags,
                                                 UINT64 *context);
NTSTATUS NTAPI FwpsNetBufferListRemoveContext0(NET_BUFFER_LIST *netBufferList, UINT64 contextTag,
                                               UINT32 flags);

/* ---- x64 layout pins ---- */
#define WK_COMPAT_PIN(name, cond) typedef char wk_compat_pin_##name[(cond) ? 1 : -1]
WK_COMPAT_PIN(value0, sizeof(FWP_VALUE0) == 16);
WK_COMPAT_PIN(in_values, sizeof(FWPS_INCOMING_VALUES0) == 16 &&
                             __builtin_offsetof(FWPS_INCOMING_VALUES0, incomingValue) == 8);
WK_COMPAT_PIN(meta, __builtin_offsetof(FWPS_INCOMING_METADATA_VALUES0, discardMetadata) == 16 &&
                        __builtin_offsetof(FWPS_INCOMING_METADATA_VALUES0, flowHandle) == 32 &&
                        __builtin_offsetof(FWPS_INCOMING_METADATA_VALUES0, processPath) == 48 &&
                        __builtin_offsetof(FWPS_INCOMING_METADATA_VALUES0, processId) == 64);
WK_COMPAT_PIN(cond0, sizeof(FWPS_FILTER_CONDITION0) == 24);
WK_COMPAT_PIN(filter1, __builtin_offsetof(FWPS_FILTER1, weight) == 8 &&
                           __builtin_offsetof(FWPS_FILTER1, subLayerWeight) == 24 &&
                           __builtin_offsetof(FWPS_FILTER1, filterCondition) == 32 &&
                           __builtin_offsetof(FWPS_FILTER1, action) == 40 &&
                           __builtin_offsetof(FWPS_FILTER1, context) == 48 &&
                           sizeof(FWPS_FILTER1) == 64);
WK_COMPAT_PIN(out0, __builtin_offsetof(FWPS_CLASSIFY_OUT0, outContext) == 8 &&
                        __builtin_offsetof(FWPS_CLASSIFY_OUT0, rights) == 24 &&
                        __builtin_offsetof(FWPS_CLASSIFY_OUT0, flags) == 28 &&
                        sizeof(FWPS_CLASSIFY_OUT0) == 40);
WK_COMPAT_PIN(callout1, __builtin_offsetof(FWPS_CALLOUT1, flags) == 16 &&
                            __builtin_offsetof(FWPS_CALLOUT1, classifyFn) == 24 &&
                            __builtin_offsetof(FWPS_CALLOUT1, flowDeleteFn) == 40 &&
                            sizeof(FWPS_CALLOUT1) == 48);
WK_COMPAT_PIN(stream0, sizeof(FWPS_STREAM_DATA_OFFSET0) == 40 &&
                           __builtin_offsetof(FWPS_STREAM_DATA0, dataOffset) == 8 &&
                           __builtin_offsetof(FWPS_STREAM_DATA0, dataLength) == 48 &&
                           __builtin_offsetof(FWPS_STREAM_DATA0, netBufferListChain) == 56 &&
                           sizeof(FWPS_STREAM_DATA0) == 64);
WK_COMPAT_PIN(io0, __builtin_offsetof(FWPS_STREAM_CALLOUT_IO_PACKET0, countBytesRequired) == 16 &&
                       __builtin_offsetof(FWPS_STREAM_CALLOUT_IO_PACKET0, streamAction) == 32 &&
                       sizeof(FWPS_STREAM_CALLOUT_IO_PACKET0) == 40);

#endif /* WK_COMPAT_FWPSK_H */
