/*
 * ws_appid.c - FwpmGetAppIdFromFileName0.
 *
 * Windows opens the file and returns its NT path, lower-cased, as a UTF-16
 * blob whose size includes the terminating NUL. The model does the same
 * translation without a file system:
 *   "X:\dir\app.exe"      -> "\device\harddiskvolume<N>\dir\app.exe",
 *                            N = drive letter index + 1 (A=1, B=2, C=3, ...,
 *                            so C: is HarddiskVolume3, as on a typical UEFI
 *                            install with EFI and recovery partitions first)
 *   "\\?\X:\..."          -> same as "X:\..."
 *   "\\server\share\..."  -> "\device\mup\server\share\..."
 * "/" is accepted as a separator. Lower-casing covers ASCII and Latin-1.
 * The file's existence is not checked (Windows fails with
 * ERROR_FILE_NOT_FOUND for a missing file). Anything else (relative paths,
 * empty strings) -> ERROR_INVALID_NAME; NULL arguments -> ERROR_INVALID_PARAMETER.
 */
#include <stdio.h>
#include <string.h>

#include "ws_internal.h"

static WS_WCHAR lower(WS_WCHAR c)
{
    if (c == '/')
        return '\\';
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return (WS_WCHAR)(c + 0x20);
    return c;
}

static int is_sep(WS_WCHAR c)
{
    return c == '\\' || c == '/';
}

uint32_t FwpmGetAppIdFromFileName0(const WS_WCHAR *fileName, WS_FWP_BYTE_BLOB **appId)
{
    if (!fileName || !appId)
        return WS_ERROR_INVALID_PARAMETER;
    const WS_WCHAR *p = fileName;
    size_t n = ws_wstr_len(p);
    char prefix[40];
    const WS_WCHAR *rest;
    if (n >= 4 && p[0] == '\\' && p[1] == '\\' && p[2] == '?' && p[3] == '\\') {
        p += 4;
        n -= 4;
    }
    WS_WCHAR d = (WS_WCHAR)(p[0] & ~0x20);
    if (n >= 3 && d >= 'A' && d <= 'Z' && p[1] == ':' && is_sep(p[2])) {
        snprintf(prefix, sizeof prefix, "\\device\\harddiskvolume%u", (unsigned)(d - 'A' + 1));
        rest = p + 2; /* keeps the separator */
    } else if (n >= 3 && is_sep(p[0]) && is_sep(p[1]) && !is_sep(p[2])) {
        snprintf(prefix, sizeof prefix, "\\device\\mup");
        rest = p + 1;
    } else {
        return WS_ERROR_INVALID_NAME;
    }
    size_t plen = strlen(prefix), rlen = ws_wstr_len(rest);
    size_t chars = plen + rlen + 1;
    if (chars > 0x7FFFFFFFu / 2)
        return WS_ERROR_INVALID_PARAMETER;
    size_t total = sizeof(WS_FWP_BYTE_BLOB) + chars * 2;
    uint8_t *block = ws_mem_alloc_tracked(total);
    if (!block)
        return WS_ERROR_NOT_ENOUGH_MEMORY;
    WS_FWP_BYTE_BLOB *blob = (WS_FWP_BYTE_BLOB *)block;
    WS_WCHAR *out = (WS_WCHAR *)(block + sizeof *blob);
    for (size_t i = 0; i < plen; i++)
        out[i] = (WS_WCHAR)prefix[i];
    for (size_t i = 0; i < rlen; i++)
        out[plen + i] = lower(rest[i]);
    out[plen + rlen] = 0;
    blob->size = (uint32_t)(chars * 2);
    blob->data = (uint8_t *)out;
    *appId = blob;
    return 0;
}
