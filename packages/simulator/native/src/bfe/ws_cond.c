/*
 * ws_cond.c - validation of caller-supplied values: display data, blobs and
 * filter conditions, run before anything is copied or stored.
 *
 * Condition rules (the model; where Windows' exact choice of code is not
 * documented the closest FWP_E_* by its winerror.h meaning is used):
 *   - field not available at the filter's layer      -> FWP_E_CONDITION_NOT_FOUND
 *   - matchType >= FWP_MATCH_TYPE_MAX, or a value type
 *     outside FWP_DATA_TYPE                            -> FWP_E_INVALID_ENUMERATOR
 *   - FWP_MATCH_RANGE without an FWP_RANGE_TYPE value,
 *     a range value with another match, flags matches
 *     on non-unsigned types, ordering matches on
 *     non-numeric types, case-insensitive on
 *     non-strings                                      -> FWP_E_MATCH_TYPE_MISMATCH
 *   - value type not usable for the field's data type  -> FWP_E_TYPE_MISMATCH
 *   - range low > high                                 -> FWP_E_INVALID_RANGE
 *   - non-contiguous v4 mask, v6 prefix > 128          -> FWP_E_INVALID_NET_MASK
 *   - NULL where the value type needs a pointer        -> FWP_E_NULL_POINTER
 * A field accepts: its own data type; FWP_RANGE_TYPE of it (numeric and
 * address fields); FWP_V4_ADDR_MASK / FWP_V6_ADDR_MASK for IP address fields;
 * FWP_SECURITY_DESCRIPTOR_TYPE for token-access-information fields (ALE user
 * and machine ids).
 */
#include <string.h>

#include "ws_internal.h"

uint32_t ws_check_display(const WS_FWPM_DISPLAY_DATA0 *d)
{
    return d->name ? 0 : WS_FWP_E_NULL_DISPLAY_NAME;
}

uint32_t ws_check_blob_inline(const WS_FWP_BYTE_BLOB *b)
{
    return (b->size && !b->data) ? WS_FWP_E_NULL_POINTER : 0;
}

static int is_unsigned(uint32_t t)
{
    return t >= WS_FWP_UINT8 && t <= WS_FWP_UINT64;
}

static int is_numeric(uint32_t t)
{
    return t >= WS_FWP_UINT8 && t <= WS_FWP_DOUBLE;
}

static int valid_type(uint32_t t)
{
    return t <= WS_FWP_BYTE_ARRAY6_TYPE || (t >= WS_FWP_V4_ADDR_MASK && t <= WS_FWP_RANGE_TYPE);
}

/* NULL check for one value's pointer member (FWP_VALUE0 layout). */
static uint32_t check_value_ptr(const WS_FWP_CONDITION_VALUE0 *v)
{
    switch (v->type) {
    case WS_FWP_UINT64: case WS_FWP_INT64: case WS_FWP_DOUBLE: case WS_FWP_BYTE_ARRAY16_TYPE:
    case WS_FWP_SID: case WS_FWP_UNICODE_STRING_TYPE: case WS_FWP_BYTE_ARRAY6_TYPE:
    case WS_FWP_V4_ADDR_MASK: case WS_FWP_V6_ADDR_MASK: case WS_FWP_RANGE_TYPE:
    case WS_FWP_TOKEN_INFORMATION_TYPE:
        return v->uint64 ? 0 : WS_FWP_E_NULL_POINTER;
    case WS_FWP_BYTE_BLOB_TYPE: case WS_FWP_SECURITY_DESCRIPTOR_TYPE:
    case WS_FWP_TOKEN_ACCESS_INFORMATION_TYPE:
        if (!v->byteBlob)
            return WS_FWP_E_NULL_POINTER;
        return ws_check_blob_inline(v->byteBlob);
    default:
        return 0;
    }
}

/* Does a single (non-range, non-mask) value type fit the field's data type? */
static int single_fits(uint32_t field_type, uint32_t value_type)
{
    if (field_type == WS_FWP_TOKEN_ACCESS_INFORMATION_TYPE)
        return value_type == WS_FWP_SECURITY_DESCRIPTOR_TYPE;
    return value_type == field_type;
}

/* -1 / 0 / 1 comparing two scalar values of one type; 2 if not comparable. */
static int cmp_single(const WS_FWP_VALUE0 *a, const WS_FWP_VALUE0 *b)
{
#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)
    switch (a->type) {
    case WS_FWP_UINT8: return CMP(a->uint8, b->uint8);
    case WS_FWP_UINT16: return CMP(a->uint16, b->uint16);
    case WS_FWP_UINT32: return CMP(a->uint32, b->uint32);
    case WS_FWP_UINT64: return CMP(*a->uint64, *b->uint64);
    case WS_FWP_INT8: return CMP(a->int8, b->int8);
    case WS_FWP_INT16: return CMP(a->int16, b->int16);
    case WS_FWP_INT32: return CMP(a->int32, b->int32);
    case WS_FWP_INT64: return CMP(*a->int64, *b->int64);
    case WS_FWP_FLOAT: return CMP(a->float32, b->float32);
    case WS_FWP_DOUBLE: return CMP(*a->double64, *b->double64);
    case WS_FWP_BYTE_ARRAY16_TYPE: {
        int c = memcmp(a->byteArray16, b->byteArray16, 16);
        return c < 0 ? -1 : c > 0;
    }
    default: return 2;
    }
#undef CMP
}

static uint32_t check_condition(const ws_layer_info *layer, const WS_FWPM_FILTER_CONDITION0 *c)
{
    const ws_field_info *field = ws_layer_field(layer, &c->fieldKey);
    if (!field)
        return WS_FWP_E_CONDITION_NOT_FOUND;
    const WS_FWP_CONDITION_VALUE0 *v = &c->conditionValue;
    if (c->matchType >= WS_FWP_MATCH_TYPE_MAX || !valid_type(v->type))
        return WS_FWP_E_INVALID_ENUMERATOR;
    uint32_t rc = check_value_ptr(v);
    if (rc)
        return rc;
    uint32_t m = c->matchType;
    int is_addr = field->field_type == WS_FWPM_FIELD_IP_ADDRESS;

    if ((m == WS_FWP_MATCH_RANGE) != (v->type == WS_FWP_RANGE_TYPE))
        return WS_FWP_E_MATCH_TYPE_MISMATCH;

    switch (v->type) {
    case WS_FWP_RANGE_TYPE: {
        const WS_FWP_RANGE0 *r = v->rangeValue;
        if (r->valueLow.type != r->valueHigh.type)
            return WS_FWP_E_TYPE_MISMATCH;
        const WS_FWP_CONDITION_VALUE0 *lo = (const void *)&r->valueLow;
        const WS_FWP_CONDITION_VALUE0 *hi = (const void *)&r->valueHigh;
        if (!valid_type(lo->type) || lo->type > WS_FWP_BYTE_ARRAY6_TYPE)
            return WS_FWP_E_TYPE_MISMATCH;
        if ((rc = check_value_ptr(lo)) || (rc = check_value_ptr(hi)))
            return rc;
        if (!single_fits(field->data_type, lo->type))
            return WS_FWP_E_TYPE_MISMATCH;
        int c3 = cmp_single(&r->valueLow, &r->valueHigh);
        if (c3 == 2)
            return WS_FWP_E_TYPE_MISMATCH;
        if (c3 > 0)
            return WS_FWP_E_INVALID_RANGE;
        return 0;
    }
    case WS_FWP_V4_ADDR_MASK: {
        if (!is_addr || field->data_type != WS_FWP_UINT32)
            return WS_FWP_E_TYPE_MISMATCH;
        if (m != WS_FWP_MATCH_EQUAL && m != WS_FWP_MATCH_NOT_EQUAL)
            return WS_FWP_E_MATCH_TYPE_MISMATCH;
        uint32_t mask = v->v4AddrMask->mask;
        if ((uint32_t)(~mask & (~mask + 1u)) != 0) /* ones then zeros, from the top */
            return WS_FWP_E_INVALID_NET_MASK;
        return 0;
    }
    case WS_FWP_V6_ADDR_MASK:
        if (!is_addr || field->data_type != WS_FWP_BYTE_ARRAY16_TYPE)
            return WS_FWP_E_TYPE_MISMATCH;
        if (m != WS_FWP_MATCH_EQUAL && m != WS_FWP_MATCH_NOT_EQUAL)
            return WS_FWP_E_MATCH_TYPE_MISMATCH;
        if (v->v6AddrMask->prefixLength > 128)
            return WS_FWP_E_INVALID_NET_MASK;
        return 0;
    default:
        break;
    }

    switch (m) {
    case WS_FWP_MATCH_FLAGS_ALL_SET: case WS_FWP_MATCH_FLAGS_ANY_SET:
    case WS_FWP_MATCH_FLAGS_NONE_SET:
        if (!is_unsigned(v->type))
            return WS_FWP_E_MATCH_TYPE_MISMATCH;
        break;
    case WS_FWP_MATCH_GREATER: case WS_FWP_MATCH_LESS:
    case WS_FWP_MATCH_GREATER_OR_EQUAL: case WS_FWP_MATCH_LESS_OR_EQUAL:
        if (!is_numeric(v->type) && v->type != WS_FWP_BYTE_ARRAY16_TYPE)
            return WS_FWP_E_MATCH_TYPE_MISMATCH;
        break;
    case WS_FWP_MATCH_EQUAL_CASE_INSENSITIVE:
        if (v->type != WS_FWP_UNICODE_STRING_TYPE)
            return WS_FWP_E_MATCH_TYPE_MISMATCH;
        break;
    default:
        break;
    }
    if (v->type == WS_FWP_EMPTY || !single_fits(field->data_type, v->type))
        return WS_FWP_E_TYPE_MISMATCH;
    return 0;
}

uint32_t ws_check_conditions(const ws_layer_info *layer, uint32_t n,
                             const WS_FWPM_FILTER_CONDITION0 *conds)
{
    if (n && !conds)
        return WS_FWP_E_NULL_POINTER;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t rc = check_condition(layer, &conds[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int value_equal(const WS_FWP_CONDITION_VALUE0 *a, const WS_FWP_CONDITION_VALUE0 *b, int depth)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case WS_FWP_EMPTY: return 1;
    case WS_FWP_UINT8: case WS_FWP_INT8: return a->uint8 == b->uint8;
    case WS_FWP_UINT16: case WS_FWP_INT16: return a->uint16 == b->uint16;
    case WS_FWP_UINT32: case WS_FWP_INT32: case WS_FWP_FLOAT: return a->uint32 == b->uint32;
    case WS_FWP_UINT64: case WS_FWP_INT64: case WS_FWP_DOUBLE:
        return memcmp(a->uint64, b->uint64, 8) == 0;
    case WS_FWP_BYTE_ARRAY16_TYPE: return memcmp(a->byteArray16, b->byteArray16, 16) == 0;
    case WS_FWP_BYTE_ARRAY6_TYPE: return memcmp(a->byteArray6, b->byteArray6, 6) == 0;
    case WS_FWP_BYTE_BLOB_TYPE: case WS_FWP_SECURITY_DESCRIPTOR_TYPE:
    case WS_FWP_TOKEN_ACCESS_INFORMATION_TYPE:
        return a->byteBlob->size == b->byteBlob->size &&
               (a->byteBlob->size == 0 ||
                memcmp(a->byteBlob->data, b->byteBlob->data, a->byteBlob->size) == 0);
    case WS_FWP_UNICODE_STRING_TYPE: {
        size_t la = ws_wstr_len(a->unicodeString), lb = ws_wstr_len(b->unicodeString);
        return la == lb && memcmp(a->unicodeString, b->unicodeString, la * 2) == 0;
    }
    case WS_FWP_V4_ADDR_MASK:
        return a->v4AddrMask->addr == b->v4AddrMask->addr && a->v4AddrMask->mask == b->v4AddrMask->mask;
    case WS_FWP_V6_ADDR_MASK:
        return memcmp(a->v6AddrMask, b->v6AddrMask, sizeof *a->v6AddrMask) == 0;
    case WS_FWP_RANGE_TYPE:
        return depth == 0 &&
               value_equal((const void *)&a->rangeValue->valueLow, (const void *)&b->rangeValue->valueLow, 1) &&
               value_equal((const void *)&a->rangeValue->valueHigh, (const void *)&b->rangeValue->valueHigh, 1);
    default:
        return 0;
    }
}

int ws_condition_equal(const WS_FWPM_FILTER_CONDITION0 *a, const WS_FWPM_FILTER_CONDITION0 *b)
{
    return ws_guid_eq(&a->fieldKey, &b->fieldKey) && a->matchType == b->matchType &&
           value_equal(&a->conditionValue, &b->conditionValue, 0);
}
