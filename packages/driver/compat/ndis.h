/*
 * ndis.h (compat) - the NDIS 6 declarations the glue uses, for the MinGW-w64 build.
 *
 * MinGW-w64's ddk/ndis.h is NDIS 5 and has no NET_BUFFER_LIST / NET_BUFFER. This file
 * stands in for <ndis.h> (compat/ is first on the include path). It declares the head of
 * both structs with the real Windows x64 offsets (pinned below) and the accessor macros
 * of the real header. The driver never allocates or sizes either struct — WFP hands it
 * pointers — so the members after the head are not declared.
 *
 * Real layout (x64): NET_BUFFER_LIST starts with a union of { Next, FirstNetBuffer } and
 * an SLIST_HEADER (16 bytes, 16-aligned); NET_BUFFER starts with a union of
 * NET_BUFFER_DATA { Next, CurrentMdl, CurrentMdlOffset, DataLength (ULONG/SIZE_T union),
 * MdlChain, DataOffset } and an SLIST_HEADER.
 */
#ifndef WK_COMPAT_NDIS_H
#define WK_COMPAT_NDIS_H

#include <ntddk.h>

/* wdm.h names MinGW-w64's ddk/wdm.h lacks (this header is MinGW-only, and every glue
 * file includes it after ntddk.h). */
#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000 /* MM_PAGE_PRIORITY flag, Windows 8+; ignored before */
#endif

typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;

struct _NET_BUFFER {
    PNET_BUFFER Next;        /* +0 */
    PMDL CurrentMdl;         /* +8 */
    ULONG CurrentMdlOffset;  /* +16 */
    union {
        ULONG DataLength;
        SIZE_T stDataLength;
    } DataLengthU;           /* +24 */
    PMDL MdlChain;           /* +32 */
    ULONG DataOffset;        /* +40 */
    /* ... ChecksumBias, NdisPoolHandle, reserved arrays: not used */
};

struct _NET_BUFFER_LIST {
    PNET_BUFFER_LIST Next;      /* +0 */
    PNET_BUFFER FirstNetBuffer; /* +8 */
    /* ... Context, ParentNetBufferList, NetBufferListInfo[]: not used */
};

#define NET_BUFFER_LIST_NEXT_NBL(nbl) ((nbl)->Next)
#define NET_BUFFER_LIST_FIRST_NB(nbl) ((nbl)->FirstNetBuffer)
#define NET_BUFFER_NEXT_NB(nb) ((nb)->Next)
#define NET_BUFFER_CURRENT_MDL(nb) ((nb)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(nb) ((nb)->CurrentMdlOffset)
#define NET_BUFFER_DATA_LENGTH(nb) ((nb)->DataLengthU.DataLength)
#define NET_BUFFER_DATA_OFFSET(nb) ((nb)->DataOffset)
#define NET_BUFFER_FIRST_MDL(nb) ((nb)->MdlChain)

/* NDIS.SYS export (NDIS 6.0+). */
PVOID NTAPI NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
                              unsigned int AlignMultiple, unsigned int AlignOffset);

typedef char wk_compat_nb_next_at_0[__builtin_offsetof(NET_BUFFER, Next) == 0 ? 1 : -1];
typedef char wk_compat_nb_mdl_at_8[__builtin_offsetof(NET_BUFFER, CurrentMdl) == 8 ? 1 : -1];
typedef char wk_compat_nb_len_at_24[__builtin_offsetof(NET_BUFFER, DataLengthU) == 24 ? 1 : -1];
typedef char wk_compat_nb_chain_at_32[__builtin_offsetof(NET_BUFFER, MdlChain) == 32 ? 1 : -1];
typedef char wk_compat_nb_off_at_40[__builtin_offsetof(NET_BUFFER, DataOffset) == 40 ? 1 : -1];
typedef char wk_compat_nbl_first_at_8[__builtin_offsetof(NET_BUFFER_LIST, FirstNetBuffer) == 8 ? 1 : -1];

#endif /* WK_COMPAT_NDIS_H */
