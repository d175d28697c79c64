/*
 * fwptypes_k.h - the fwptypes.h declarations the kernel glue uses, for the MinGW-w64
 * build (MinGW's own fwptypes.h is a user-mode header that pulls in windows.h and
 * rpc.h, which cannot be mixed with ddk/ntddk.h).
 *
 * Values and layouts: Windows x64, as in the WDK/SDK fwptypes.h. Cross-checked against
 * MinGW-w64's user-mode fwptypes.h (FWP_DATA_TYPE, FWP_ACTION_*, FWP_DIRECTION values,
 * FWP_VALUE0 = type + one pointer-wide union = 16 bytes) by test/mingw.test.ts.
 */
#ifndef WK_COMPAT_FWPTYPES_K_H
#define WK_COMPAT_FWPTYPES_K_H

typedef enum FWP_DATA_TYPE_ {
    FWP_EMPTY = 0,
    FWP_UINT8 = 1,
    FWP_UINT16 = 2,
    FWP_UINT32 = 3,
    FWP_UINT64 = 4,
    FWP_INT8 = 5,
    FWP_INT16 = 6,
    FWP_INT32 = 7,
    FWP_INT64 = 8,
    FWP_FLOAT = 9,
    FWP_DOUBLE = 10,
    FWP_BYTE_ARRAY16_TYPE = 11,
    FWP_BYTE_BLOB_TYPE = 12,
    FWP_SID = 13,
    FWP_SECURITY_DESCRIPTOR_TYPE = 14,
    FWP_TOKEN_INFORMATION_TYPE = 15,
    FWP_TOKEN_ACCESS_INFORMATION_TYPE = 16,
    FWP_UNICODE_STRING_TYPE = 17,
    FWP_BYTE_ARRAY6_TYPE = 18,
    FWP_SINGLE_DATA_TYPE_MAX = 0xff,
    FWP_V4_ADDR_MASK = 0x100,
    FWP_V6_ADDR_MASK = 0x101,
    FWP_RANGE_TYPE = 0x102,
    FWP_DATA_TYPE_MAX = 0x103
} FWP_DATA_TYPE;

typedef struct FWP_BYTE_ARRAY16_ {
    UINT8 byteArray16[16];
} FWP_BYTE_ARRAY16;

typedef struct FWP_BYTE_ARRAY6_ {
    UINT8 byteArray6[6];
} FWP_BYTE_ARRAY6;

typedef struct FWP_BYTE_BLOB_ {
    UINT32 size;
    UINT8 *data;
} FWP_BYTE_BLOB;

/* The union is anonymous, as in the real header (value.uint32): a GCC extension in
 * -std=c99 that MinGW's own ddk headers rely on too (the glue is built without
 * -pedantic; src/core, which is, never sees these headers). */
typedef struct FWP_VALUE0_ {
    FWP_DATA_TYPE type;
    union {
        UINT8 uint8;
        UINT16 uint16;
        UINT32 uint32;
        UINT64 *uint64;
        INT8 int8;
        INT16 int16;
        INT32 int32;
        INT64 *int64;
        float float32;
        double *double64;
        FWP_BYTE_ARRAY16 *byteArray16;
        FWP_BYTE_BLOB *byteBlob;
        void *sid;
        FWP_BYTE_BLOB *sd;
        void *tokenInformation;
        FWP_BYTE_BLOB *tokenAccessInformation;
        WCHAR *unicodeString;
        FWP_BYTE_ARRAY6 *byteArray6;
    };
} FWP_VALUE0;

typedef FWP_VALUE0 FWP_CONDITION_VALUE0; /* same size; the glue never reads one */

typedef enum FWP_MATCH_TYPE_ {
    FWP_MATCH_EQUAL = 0
} FWP_MATCH_TYPE;

typedef enum FWP_DIRECTION_ {
    FWP_DIRECTION_OUTBOUND = 0,
    FWP_DIRECTION_INBOUND = 1,
    FWP_DIRECTION_MAX = 2
} FWP_DIRECTION;

typedef UINT32 FWP_ACTION_TYPE;
#define FWP_ACTION_FLAG_TERMINATING 0x00001000u
#define FWP_ACTION_FLAG_NON_TERMINATING 0x00002000u
#define FWP_ACTION_FLAG_CALLOUT 0x00004000u
#define FWP_ACTION_BLOCK (0x1u | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_PERMIT (0x2u | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_TERMINATING (0x3u | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_INSPECTION (0x4u | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_CALLOUT_UNKNOWN (0x5u | FWP_ACTION_FLAG_CALLOUT)
#define FWP_ACTION_CONTINUE (0x6u | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_NONE 0x7u
#define FWP_ACTION_NONE_NO_MATCH 0x8u

#endif /* WK_COMPAT_FWPTYPES_K_H */
