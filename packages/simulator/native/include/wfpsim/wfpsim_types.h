/*
 * wfpsim_types.h - libwfpsim's own declarations of the Windows Filtering
 * Platform management types (fwptypes.h / fwpmtypes.h), written with
 * fixed-width integers so that the layout on Linux x86-64 (SysV) equals the
 * layout on Windows x64.
 *
 * Names carry a WS_ prefix so this header can be included next to the real
 * Windows headers (native/abi/abi_check.c does exactly that and asserts,
 * member by member, that every offset and size equals MinGW-w64's).
 *
 * Windows -> here:  DWORD/UINT32/ULONG -> uint32_t, UINT64 -> uint64_t,
 * HANDLE -> void *, WCHAR -> uint16_t (UTF-16 code unit), BOOL -> int32_t,
 * enum types -> uint32_t (MSVC and GCC both give C enums 4 bytes).
 */
#ifndef WFPSIM_TYPES_H
#define WFPSIM_TYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint16_t WS_WCHAR;

typedef struct WS_GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} WS_GUID;

/* ---- fwptypes.h ------------------------------------------------------ */

/* FWP_DATA_TYPE */
enum {
    WS_FWP_EMPTY = 0,
    WS_FWP_UINT8 = 1,
    WS_FWP_UINT16 = 2,
    WS_FWP_UINT32 = 3,
    WS_FWP_UINT64 = 4,
    WS_FWP_INT8 = 5,
    WS_FWP_INT16 = 6,
    WS_FWP_INT32 = 7,
    WS_FWP_INT64 = 8,
    WS_FWP_FLOAT = 9,
    WS_FWP_DOUBLE = 10,
    WS_FWP_BYTE_ARRAY16_TYPE = 11,
    WS_FWP_BYTE_BLOB_TYPE = 12,
    WS_FWP_SID = 13,
    WS_FWP_SECURITY_DESCRIPTOR_TYPE = 14,
    WS_FWP_TOKEN_INFORMATION_TYPE = 15,
    WS_FWP_TOKEN_ACCESS_INFORMATION_TYPE = 16,
    WS_FWP_UNICODE_STRING_TYPE = 17,
    WS_FWP_BYTE_ARRAY6_TYPE = 18,
    WS_FWP_SINGLE_DATA_TYPE_MAX = 0xff,
    WS_FWP_V4_ADDR_MASK = 0x100,
    WS_FWP_V6_ADDR_MASK = 0x101,
    WS_FWP_RANGE_TYPE = 0x102,
    WS_FWP_DATA_TYPE_MAX = 0x103
};

/* FWP_MATCH_TYPE (the values MinGW-w64's fwptypes.h defines) */
enum {
    WS_FWP_MATCH_EQUAL = 0,
    WS_FWP_MATCH_GREATER = 1,
    WS_FWP_MATCH_LESS = 2,
    WS_FWP_MATCH_GREATER_OR_EQUAL = 3,
    WS_FWP_MATCH_LESS_OR_EQUAL = 4,
    WS_FWP_MATCH_RANGE = 5,
    WS_FWP_MATCH_FLAGS_ALL_SET = 6,
    WS_FWP_MATCH_FLAGS_ANY_SET = 7,
    WS_FWP_MATCH_FLAGS_NONE_SET = 8,
    WS_FWP_MATCH_EQUAL_CASE_INSENSITIVE = 9,
    WS_FWP_MATCH_NOT_EQUAL = 10,
    WS_FWP_MATCH_TYPE_MAX = 11
};

/* FWP_ACTION_TYPE */
#define WS_FWP_ACTION_FLAG_TERMINATING 0x00001000u
#define WS_FWP_ACTION_FLAG_NON_TERMINATING 0x00002000u
#define WS_FWP_ACTION_FLAG_CALLOUT 0x00004000u
#define WS_FWP_ACTION_BLOCK (0x1u | WS_FWP_ACTION_FLAG_TERMINATING)
#define WS_FWP_ACTION_PERMIT (0x2u | WS_FWP_ACTION_FLAG_TERMINATING)
#define WS_FWP_ACTION_CALLOUT_TERMINATING \
    (0x3u | WS_FWP_ACTION_FLAG_CALLOUT | WS_FWP_ACTION_FLAG_TERMINATING)
#define WS_FWP_ACTION_CALLOUT_INSPECTION \
    (0x4u | WS_FWP_ACTION_FLAG_CALLOUT | WS_FWP_ACTION_FLAG_NON_TERMINATING)
#define WS_FWP_ACTION_CALLOUT_UNKNOWN (0x5u | WS_FWP_ACTION_FLAG_CALLOUT)
#define WS_FWP_ACTION_CONTINUE (0x6u | WS_FWP_ACTION_FLAG_NON_TERMINATING)
#define WS_FWP_ACTION_NONE 0x7u
#define WS_FWP_ACTION_NONE_NO_MATCH 0x8u

typedef struct WS_FWP_BYTE_ARRAY6 {
    uint8_t byteArray6[6];
} WS_FWP_BYTE_ARRAY6;

typedef struct WS_FWP_BYTE_ARRAY16 {
    uint8_t byteArray16[16];
} WS_FWP_BYTE_ARRAY16;

typedef struct WS_FWP_BYTE_BLOB {
    uint32_t size;
    uint8_t *data;
} WS_FWP_BYTE_BLOB;

typedef struct WS_SID_AND_ATTRIBUTES {
    void *Sid;
    uint32_t Attributes;
} WS_SID_AND_ATTRIBUTES;

typedef struct WS_FWP_TOKEN_INFORMATION {
    uint32_t sidCount;
    WS_SID_AND_ATTRIBUTES *sids;
    uint32_t restrictedSidCount;
    WS_SID_AND_ATTRIBUTES *restrictedSids;
} WS_FWP_TOKEN_INFORMATION;

typedef struct WS_FWP_VALUE0 {
    uint32_t type; /* FWP_DATA_TYPE */
    union {
        uint8_t uint8;
        uint16_t uint16;
        uint32_t uint32;
        uint64_t *uint64;
        int8_t int8;
        int16_t int16;
        int32_t int32;
        int64_t *int64;
        float float32;
        double *double64;
        WS_FWP_BYTE_ARRAY16 *byteArray16;
        WS_FWP_BYTE_BLOB *byteBlob;
        void *sid; /* SID * */
        WS_FWP_BYTE_BLOB *sd;
        WS_FWP_TOKEN_INFORMATION *tokenInformation;
        WS_FWP_BYTE_BLOB *tokenAccessInformation;
        WS_WCHAR *unicodeString;
        WS_FWP_BYTE_ARRAY6 *byteArray6;
    };
} WS_FWP_VALUE0;

typedef struct WS_FWP_V4_ADDR_AND_MASK {
    uint32_t addr;
    uint32_t mask;
} WS_FWP_V4_ADDR_AND_MASK;

typedef struct WS_FWP_V6_ADDR_AND_MASK {
    uint8_t addr[16];
    uint8_t prefixLength;
} WS_FWP_V6_ADDR_AND_MASK;

typedef struct WS_FWP_RANGE0 {
    WS_FWP_VALUE0 valueLow;
    WS_FWP_VALUE0 valueHigh;
} WS_FWP_RANGE0;

typedef struct WS_FWP_CONDITION_VALUE0 {
    uint32_t type; /* FWP_DATA_TYPE */
    union {
        uint8_t uint8;
        uint16_t uint16;
        uint32_t uint32;
        uint64_t *uint64;
        int8_t int8;
        int16_t int16;
        int32_t int32;
        int64_t *int64;
        float float32;
        double *double64;
        WS_FWP_BYTE_ARRAY16 *byteArray16;
        WS_FWP_BYTE_BLOB *byteBlob;
        void *sid;
        WS_FWP_BYTE_BLOB *sd;
        WS_FWP_TOKEN_INFORMATION *tokenInformation;
        WS_FWP_BYTE_BLOB *tokenAccessInformation;
        WS_WCHAR *unicodeString;
        WS_FWP_BYTE_ARRAY6 *byteArray6;
        WS_FWP_V4_ADDR_AND_MASK *v4AddrMask;
        WS_FWP_V6_ADDR_AND_MASK *v6AddrMask;
        WS_FWP_RANGE0 *rangeValue;
    };
} WS_FWP_CONDITION_VALUE0;

/* ---- fwpmtypes.h ----------------------------------------------------- */

#define WS_FWPM_SESSION_FLAG_DYNAMIC 0x00000001u
#define WS_FWPM_SESSION_FLAG_RESERVED 0x10000000u
#define WS_FWPM_TXN_READ_ONLY 0x00000001u
#define WS_FWPM_PROVIDER_FLAG_PERSISTENT 0x00000001u
#define WS_FWPM_PROVIDER_FLAG_DISABLED 0x00000010u
#define WS_FWPM_SUBLAYER_FLAG_PERSISTENT 0x00000001u
#define WS_FWPM_CALLOUT_FLAG_PERSISTENT 0x00010000u
#define WS_FWPM_CALLOUT_FLAG_USES_PROVIDER_CONTEXT 0x00020000u
#define WS_FWPM_CALLOUT_FLAG_REGISTERED 0x00040000u
#define WS_FWPM_FILTER_FLAG_NONE 0x00000000u
#define WS_FWPM_FILTER_FLAG_PERSISTENT 0x00000001u
#define WS_FWPM_FILTER_FLAG_BOOTTIME 0x00000002u
#define WS_FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT 0x00000004u
#define WS_FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT 0x00000008u
#define WS_FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED 0x00000010u
#define WS_FWPM_FILTER_FLAG_DISABLED 0x00000020u
#define WS_FWPM_FILTER_FLAG_INDEXED 0x00000040u
#define WS_FWPM_LAYER_FLAG_KERNEL 0x00000001u
#define WS_FWPM_LAYER_FLAG_BUILTIN 0x00000002u

/* FWPM_FIELD_TYPE */
enum { WS_FWPM_FIELD_RAW_DATA = 0, WS_FWPM_FIELD_IP_ADDRESS = 1, WS_FWPM_FIELD_FLAGS = 2 };

/* FWP_FILTER_ENUM_TYPE */
enum { WS_FWP_FILTER_ENUM_FULLY_CONTAINED = 0, WS_FWP_FILTER_ENUM_OVERLAPPING = 1 };

#define WS_RPC_C_AUTHN_WINNT 10u
#define WS_RPC_C_AUTHN_DEFAULT 0xFFFFFFFFu
#define WS_INFINITE 0xFFFFFFFFu

typedef struct WS_FWPM_DISPLAY_DATA0 {
    WS_WCHAR *name;
    WS_WCHAR *description;
} WS_FWPM_DISPLAY_DATA0;

typedef struct WS_FWPM_SESSION0 {
    WS_GUID sessionKey;
    WS_FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    uint32_t txnWaitTimeoutInMSec;
    uint32_t processId;
    void *sid; /* SID * */
    WS_WCHAR *username;
    int32_t kernelMode; /* BOOL */
} WS_FWPM_SESSION0;

typedef struct WS_FWPM_PROVIDER0 {
    WS_GUID providerKey;
    WS_FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    WS_FWP_BYTE_BLOB providerData;
    WS_WCHAR *serviceName;
} WS_FWPM_PROVIDER0;

typedef struct WS_FWPM_PROVIDER_ENUM_TEMPLATE0 {
    uint64_t reserved;
} WS_FWPM_PROVIDER_ENUM_TEMPLATE0;

/*
 * The Windows SDK declares FWPM_SUBLAYER0.flags as UINT32; MinGW-w64 declares
 * it UINT16. Both layouts are identical (the pointer that follows is 8-aligned),
 * so only the offset is asserted against MinGW-w64 in abi_check.c.
 */
typedef struct WS_FWPM_SUBLAYER0 {
    WS_GUID subLayerKey;
    WS_FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    WS_GUID *providerKey;
    WS_FWP_BYTE_BLOB providerData;
    uint16_t weight;
} WS_FWPM_SUBLAYER0;

typedef struct WS_FWPM_SUBLAYER_ENUM_TEMPLATE0 {
    WS_GUID *providerKey;
} WS_FWPM_SUBLAYER_ENUM_TEMPLATE0;

typedef struct WS_FWPM_CALLOUT0 {
    WS_GUID calloutKey;
    WS_FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    WS_GUID *providerKey;
    WS_FWP_BYTE_BLOB providerData;
    WS_GUID applicableLayer;
    uint32_t calloutId;
} WS_FWPM_CALLOUT0;

typedef struct WS_FWPM_CALLOUT_ENUM_TEMPLATE0 {
    WS_GUID *providerKey;
    WS_GUID layerKey;
} WS_FWPM_CALLOUT_ENUM_TEMPLATE0;

typedef struct WS_FWPM_ACTION0 {
    uint32_t type; /* FWP_ACTION_TYPE */
    union {
        WS_GUID filterType;
        WS_GUID calloutKey;
    };
} WS_FWPM_ACTION0;

typedef struct WS_FWPM_FILTER_CONDITION0 {
    WS_GUID fieldKey;
    uint32_t matchType; /* FWP_MATCH_TYPE */
    WS_FWP_CONDITION_VALUE0 conditionValue;
} WS_FWPM_FILTER_CONDITION0;

typedef struct WS_FWPM_FILTER0 {
    WS_GUID filterKey;
    WS_FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    WS_GUID *providerKey;
    WS_FWP_BYTE_BLOB providerData;
    WS_GUID layerKey;
    WS_GUID subLayerKey;
    WS_FWP_VALUE0 weight;
    uint32_t numFilterConditions;
    WS_FWPM_FILTER_CONDITION0 *filterCondition;
    WS_FWPM_ACTION0 action;
    union {
        uint64_t rawContext;
        WS_GUID providerContextKey;
    };
    WS_GUID *reserved;
    uint64_t filterId;
    WS_FWP_VALUE0 effectiveWeight;
} WS_FWPM_FILTER0;

typedef struct WS_FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 {
    WS_GUID *providerKey;
    uint32_t providerContextType;
} WS_FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0;

typedef struct WS_FWPM_FILTER_ENUM_TEMPLATE0 {
    WS_GUID *providerKey;
    WS_GUID layerKey;
    uint32_t enumType; /* FWP_FILTER_ENUM_TYPE */
    uint32_t flags;
    WS_FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *providerContextTemplate;
    uint32_t numFilterConditions;
    WS_FWPM_FILTER_CONDITION0 *filterCondition;
    uint32_t actionMask;
    WS_GUID *calloutKey;
} WS_FWPM_FILTER_ENUM_TEMPLATE0;

typedef struct WS_FWPM_FIELD0 {
    WS_GUID *fieldKey;
    uint32_t type;     /* FWPM_FIELD_TYPE */
    uint32_t dataType; /* FWP_DATA_TYPE */
} WS_FWPM_FIELD0;

typedef struct WS_FWPM_LAYER0 {
    WS_GUID layerKey;
    WS_FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    uint32_t numFields;
    WS_FWPM_FIELD0 *field;
    WS_GUID defaultSubLayerKey;
    uint16_t layerId;
} WS_FWPM_LAYER0;

typedef struct WS_FWPM_LAYER_ENUM_TEMPLATE0 {
    uint64_t reserved;
} WS_FWPM_LAYER_ENUM_TEMPLATE0;

/* ---- return codes (values from MinGW-w64's winerror.h) ---------------- */

#define WS_ERROR_SUCCESS 0u
#define WS_ERROR_FILE_NOT_FOUND 2u
#define WS_ERROR_PATH_NOT_FOUND 3u
#define WS_ERROR_ACCESS_DENIED 5u
#define WS_ERROR_INVALID_HANDLE 6u
#define WS_ERROR_NOT_ENOUGH_MEMORY 8u
#define WS_ERROR_INVALID_DATA 13u
#define WS_ERROR_WRITE_FAULT 29u
#define WS_ERROR_NOT_SUPPORTED 50u
#define WS_ERROR_INVALID_PARAMETER 87u
#define WS_ERROR_INVALID_NAME 123u
#define WS_ERROR_BUSY 170u
#define WS_RPC_S_UNKNOWN_AUTHN_SERVICE 1747u

#define WS_FWP_E_CALLOUT_NOT_FOUND 0x80320001u
#define WS_FWP_E_CONDITION_NOT_FOUND 0x80320002u
#define WS_FWP_E_FILTER_NOT_FOUND 0x80320003u
#define WS_FWP_E_LAYER_NOT_FOUND 0x80320004u
#define WS_FWP_E_PROVIDER_NOT_FOUND 0x80320005u
#define WS_FWP_E_PROVIDER_CONTEXT_NOT_FOUND 0x80320006u
#define WS_FWP_E_SUBLAYER_NOT_FOUND 0x80320007u
#define WS_FWP_E_NOT_FOUND 0x80320008u
#define WS_FWP_E_ALREADY_EXISTS 0x80320009u
#define WS_FWP_E_IN_USE 0x8032000Au
#define WS_FWP_E_DYNAMIC_SESSION_IN_PROGRESS 0x8032000Bu
#define WS_FWP_E_WRONG_SESSION 0x8032000Cu
#define WS_FWP_E_NO_TXN_IN_PROGRESS 0x8032000Du
#define WS_FWP_E_TXN_IN_PROGRESS 0x8032000Eu
#define WS_FWP_E_TXN_ABORTED 0x8032000Fu
#define WS_FWP_E_SESSION_ABORTED 0x80320010u
#define WS_FWP_E_INCOMPATIBLE_TXN 0x80320011u
#define WS_FWP_E_TIMEOUT 0x80320012u
#define WS_FWP_E_INCOMPATIBLE_LAYER 0x80320014u
#define WS_FWP_E_LIFETIME_MISMATCH 0x80320016u
#define WS_FWP_E_BUILTIN_OBJECT 0x80320017u
#define WS_FWP_E_NULL_POINTER 0x8032001Cu
#define WS_FWP_E_INVALID_ENUMERATOR 0x8032001Du
#define WS_FWP_E_INVALID_FLAGS 0x8032001Eu
#define WS_FWP_E_INVALID_NET_MASK 0x8032001Fu
#define WS_FWP_E_INVALID_RANGE 0x80320020u
#define WS_FWP_E_NULL_DISPLAY_NAME 0x80320023u
#define WS_FWP_E_INVALID_ACTION_TYPE 0x80320024u
#define WS_FWP_E_INVALID_WEIGHT 0x80320025u
#define WS_FWP_E_MATCH_TYPE_MISMATCH 0x80320026u
#define WS_FWP_E_TYPE_MISMATCH 0x80320027u
#define WS_FWP_E_OUT_OF_BOUNDS 0x80320028u
#define WS_FWP_E_INVALID_PARAMETER 0x80320035u

#ifdef __cplusplus
}
#endif

#endif /* WFPSIM_TYPES_H */
