/* ws_guid.c - GUID comparison and generation. */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ws_internal.h"

int ws_guid_eq(const WS_GUID *a, const WS_GUID *b)
{
    return memcmp(a, b, sizeof(WS_GUID)) == 0;
}

int ws_guid_is_zero(const WS_GUID *g)
{
    static const WS_GUID zero;
    return ws_guid_eq(g, &zero);
}

/* splitmix64, used only when /dev/urandom cannot be read */
static uint64_t ws_mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A random (version 4) GUID, as the BFE generates for an all-zero key. */
void ws_guid_random(WS_GUID *out)
{
    uint8_t b[16];
    int ok = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ok = read(fd, b, sizeof b) == (ssize_t)sizeof b;
        close(fd);
    }
    if (!ok) {
        static uint64_t state;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state ^= (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
        uint64_t x = ws_mix(&state), y = ws_mix(&state);
        memcpy(b, &x, 8);
        memcpy(b + 8, &y, 8);
    }
    b[7] = (uint8_t)((b[7] & 0x0F) | 0x40); /* Data3's high nibble = version 4 */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* variant 10xx */
    memcpy(out, b, sizeof *out);
    if (ws_guid_is_zero(out))
        out->Data1 = 1;
}
