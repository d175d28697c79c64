/*
 * ndis.h - libwfpsim's minimal WDK-compatible ndis.h: the NDIS 6 NET_BUFFER_LIST /
 * NET_BUFFER structures (x64 layout of the NDIS 6.20 declarations, Windows 7), their
 * accessor macros and NdisGetDataBuffer. MinGW-w64 has no NDIS 6 structs, so the layout is
 * pinned by static asserts at the end of this file (offsets derived from the documented
 * declarations: SLIST_HEADER and the MEMORY_ALLOCATION_ALIGNMENT members are 16-aligned on x64).
 */
#ifndef WFPSIM_WDK_NDIS_H
#define WFPSIM_WDK_NDIS_H

#include "wdm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef PVOID NDIS_HANDLE;
typedef LONG NDIS_STATUS;
typedef LARGE_INTEGER NDIS_PHYSICAL_ADDRESS;

typedef struct DECLSPEC_ALIGN(16) _SLIST_HEADER_X64 {
    ULONGLONG Alignment;
    ULONGLONG Region;
} SLIST_HEADER_X64;

struct _NET_BUFFER;
struct _NET_BUFFER_LIST;

typedef struct _NET_BUFFER_DATA {
    struct _NET_BUFFER *Next;
    PMDL CurrentMdl;
    ULONG CurrentMdlOffset;
    union {
        ULONG DataLength;
        SIZE_T stDataLength;
    };
    PMDL MdlChain;
    ULONG DataOffset;
} NET_BUFFER_DATA;

typedef union _NET_BUFFER_HEADER {
    NET_BUFFER_DATA NetBufferData;
    SLIST_HEADER_X64 Link;
} NET_BUFFER_HEADER;

typedef struct _NET_BUFFER {
    union {
        struct {
            struct _NET_BUFFER *Next;
            PMDL CurrentMdl;
            ULONG CurrentMdlOffset;
            union {
                ULONG DataLength;
                SIZE_T stDataLength;
            };
            PMDL MdlChain;
            ULONG DataOffset;
        };
        SLIST_HEADER_X64 Link;
        NET_BUFFER_HEADER NetBufferHeader;
    };
    USHORT ChecksumBias;
    USHORT Reserved;
    NDIS_HANDLE NdisPoolHandle;
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[6];
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[4];
    NDIS_PHYSICAL_ADDRESS DataPhysicalAddress;
    union {
        PVOID SharedMemoryInfo;
        PVOID ScatterGatherList;
    };
} NET_BUFFER, *PNET_BUFFER;

typedef struct _NET_BUFFER_LIST_DATA {
    struct _NET_BUFFER_LIST *Next;
    PNET_BUFFER FirstNetBuffer;
} NET_BUFFER_LIST_DATA;

/* NDIS 6.20 (Windows 7) NET_BUFFER_LIST_INFO count. modelled: the exact count only changes
 * sizeof(NET_BUFFER_LIST); the engine allocates NBLs and the glue reads header fields only. */
#define MaxNetBufferListInfo 20

typedef struct _NET_BUFFER_LIST {
    union {
        struct {
            struct _NET_BUFFER_LIST *Next;
            PNET_BUFFER FirstNetBuffer;
        };
        SLIST_HEADER_X64 Link;
        NET_BUFFER_LIST_DATA NetBufferListData;
    };
    PVOID Context;
    struct _NET_BUFFER_LIST *ParentNetBufferList;
    NDIS_HANDLE NdisPoolHandle;
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[4];
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[2];
    PVOID Scratch;
    NDIS_HANDLE SourceHandle;
    ULONG NblFlags;
    LONG ChildRefCount;
    ULONG Flags;
    union {
        NDIS_STATUS Status;
        ULONG NdisReserved2;
    };
    PVOID NetBufferListInfo[MaxNetBufferListInfo];
} NET_BUFFER_LIST, *PNET_BUFFER_LIST;

#define NET_BUFFER_LIST_NEXT_NBL(_NBL) ((_NBL)->Next)
#define NET_BUFFER_LIST_FIRST_NB(_NBL) ((_NBL)->FirstNetBuffer)
#define NET_BUFFER_NEXT_NB(_NB) ((_NB)->Next)
#define NET_BUFFER_FIRST_MDL(_NB) ((_NB)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(_NB) ((_NB)->DataLength)
#define NET_BUFFER_DATA_OFFSET(_NB) ((_NB)->DataOffset)
#define NET_BUFFER_CURRENT_MDL(_NB) ((_NB)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(_NB) ((_NB)->CurrentMdlOffset)

/* Returns a pointer to BytesNeeded contiguous bytes at the NET_BUFFER's current data start:
 * into the MDL itself when they are contiguous there, else copied to Storage (NULL if no
 * Storage, or fewer bytes left). AlignMultiple/AlignOffset are honoured by copying when the
 * in-place pointer is misaligned. */
PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple,
                        UINT AlignOffset);

#define NDIS_STATUS_SUCCESS ((NDIS_STATUS)0x00000000L)
#define NDIS_STATUS_RESOURCES ((NDIS_STATUS)0xC000009AL)

typedef PMDL (*NET_BUFFER_ALLOCATE_MDL_HANDLER)(PULONG BufferSize);
typedef VOID (*NET_BUFFER_FREE_MDL_HANDLER)(PMDL Mdl);

/* Moves the data start of a NET_BUFFER back by DataOffsetDelta bytes (over bytes already in its
 * MDL chain: the simulator never allocates, so more than DataOffset fails with
 * NDIS_STATUS_RESOURCES) / forward by DataOffsetDelta bytes. */
NDIS_STATUS NdisRetreatNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, ULONG DataBackFill,
                                          NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler);
VOID NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, BOOLEAN FreeMdl,
                                   NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler);

/* Layout pins (Windows x64, NDIS 6.20). */
_Static_assert(sizeof(NET_BUFFER_DATA) == 48, "NET_BUFFER_DATA");
_Static_assert(offsetof(NET_BUFFER, Next) == 0 && offsetof(NET_BUFFER, CurrentMdl) == 8 &&
                   offsetof(NET_BUFFER, CurrentMdlOffset) == 16 && offsetof(NET_BUFFER, DataLength) == 24 &&
                   offsetof(NET_BUFFER, MdlChain) == 32 && offsetof(NET_BUFFER, DataOffset) == 40,
               "NET_BUFFER header");
_Static_assert(offsetof(NET_BUFFER, ChecksumBias) == 48 && offsetof(NET_BUFFER, NdisPoolHandle) == 56 &&
                   offsetof(NET_BUFFER, NdisReserved) == 64 && offsetof(NET_BUFFER, ProtocolReserved) == 80 &&
                   offsetof(NET_BUFFER, MiniportReserved) == 128 &&
                   offsetof(NET_BUFFER, DataPhysicalAddress) == 160 && sizeof(NET_BUFFER) == 176,
               "NET_BUFFER");
_Static_assert(offsetof(NET_BUFFER_LIST, Next) == 0 && offsetof(NET_BUFFER_LIST, FirstNetBuffer) == 8 &&
                   offsetof(NET_BUFFER_LIST, Context) == 16 &&
                   offsetof(NET_BUFFER_LIST, ParentNetBufferList) == 24 &&
                   offsetof(NET_BUFFER_LIST, NdisPoolHandle) == 32 && offsetof(NET_BUFFER_LIST, NdisReserved) == 48 &&
                   offsetof(NET_BUFFER_LIST, ProtocolReserved) == 64 &&
                   offsetof(NET_BUFFER_LIST, MiniportReserved) == 96 && offsetof(NET_BUFFER_LIST, Scratch) == 112 &&
                   offsetof(NET_BUFFER_LIST, SourceHandle) == 120 && offsetof(NET_BUFFER_LIST, NblFlags) == 128 &&
                   offsetof(NET_BUFFER_LIST, ChildRefCount) == 132 && offsetof(NET_BUFFER_LIST, Flags) == 136 &&
                   offsetof(NET_BUFFER_LIST, Status) == 140 && offsetof(NET_BUFFER_LIST, NetBufferListInfo) == 144,
               "NET_BUFFER_LIST");

#ifdef __cplusplus
}
#endif
#endif
