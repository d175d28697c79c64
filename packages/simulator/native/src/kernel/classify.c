/*
 * classify.c - the classify engine: for one layer, the engine's filters (wfpsim_store.h) in
 * evaluation order, conditions matched against the incoming values (indexed by the real
 * FWPS_FIELD_* enums; a _DISCARD layer has its layer's fields, modelled), callout filters calling the registered callout's classifyFn1, and
 * arbitration within and across sublayers.
 *
 * Arbitration as modelled (WDK "Filter Arbitration"):
 *  - sublayers are evaluated from the highest weight down; within a sublayer, filters from the
 *    highest weight down, and the first filter whose action is PERMIT or BLOCK (directly, or
 *    returned by a terminating/unknown callout) decides that sublayer;
 *  - BLOCK overrides PERMIT and is final: evaluation stops;
 *  - a PERMIT is "hard" when the filter has FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT or the callout
 *    cleared FWPS_RIGHT_ACTION_WRITE; later callouts then get rights == 0; a later BLOCK still
 *    wins (a veto);
 *  - an inspection callout's returned action is ignored;
 *  - a callout filter whose callout is not registered acts as BLOCK when terminating/unknown
 *    (PERMIT with FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) and is skipped when
 *    inspection;
 *  - FWPS_CALLOUT_FLAG_CONDITIONAL_ON_FLOW: the filter is skipped for flows without a context
 *    of that callout at this layer;
 *  - FWPS_CLASSIFY_OUT_FLAG_ABSORB: the data is dropped silently (reported as BLOCK);
 *  - no matching deciding filter: PERMIT (modelled default).
 */
#include <stdlib.h>

#include "wfpsim/wfpsim_store.h"
#include "ws_k_internal.h"

/* ---- field tables: FWPS index -> FWPM condition name (without FWPM_CONDITION_) --------------- */
static const char *const f_flow[] = {
    "ALE_APP_ID", "ALE_USER_ID", "IP_LOCAL_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_LOCAL_PORT",
    "IP_PROTOCOL", "IP_REMOTE_ADDRESS", "IP_REMOTE_PORT", "ALE_REMOTE_USER_ID", "ALE_REMOTE_MACHINE_ID",
    "IP_DESTINATION_ADDRESS_TYPE", "IP_LOCAL_INTERFACE", "DIRECTION", "INTERFACE_TYPE", "TUNNEL_TYPE", "FLAGS",
};
static const char *const f_stream[] = {
    "IP_LOCAL_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_REMOTE_ADDRESS", "IP_LOCAL_PORT", "IP_REMOTE_PORT",
    "DIRECTION", "FLAGS",
};
static const char *const f_in_transport[] = {
    "IP_PROTOCOL", "IP_LOCAL_ADDRESS", "IP_REMOTE_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_LOCAL_PORT",
    "IP_REMOTE_PORT", "IP_LOCAL_INTERFACE", "INTERFACE_INDEX", "SUB_INTERFACE_INDEX", "FLAGS",
    "INTERFACE_TYPE", "TUNNEL_TYPE", "CURRENT_PROFILE_ID",
};
static const char *const f_out_transport[] = {
    "IP_PROTOCOL", "IP_LOCAL_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_REMOTE_ADDRESS", "IP_LOCAL_PORT",
    "IP_REMOTE_PORT", "IP_LOCAL_INTERFACE", "INTERFACE_INDEX", "SUB_INTERFACE_INDEX",
    "IP_DESTINATION_ADDRESS_TYPE", "FLAGS", "INTERFACE_TYPE", "TUNNEL_TYPE", "CURRENT_PROFILE_ID",
};
static const char *const f_in_ippacket[] = {
    "IP_LOCAL_ADDRESS", "IP_REMOTE_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_LOCAL_INTERFACE", "INTERFACE_INDEX",
    "SUB_INTERFACE_INDEX", "FLAGS", "INTERFACE_TYPE", "TUNNEL_TYPE",
};
static const char *const f_out_ippacket[] = {
    "IP_LOCAL_ADDRESS", "IP_LOCAL_ADDRESS_TYPE", "IP_REMOTE_ADDRESS", "IP_LOCAL_INTERFACE", "INTERFACE_INDEX",
    "SUB_INTERFACE_INDEX", "FLAGS", "INTERFACE_TYPE", "TUNNEL_TYPE",
};

_Static_assert(sizeof f_flow / sizeof f_flow[0] == FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_MAX, "flow fields");
_Static_assert(sizeof f_stream / sizeof f_stream[0] == FWPS_FIELD_STREAM_V4_MAX, "stream fields");
_Static_assert(sizeof f_in_transport / sizeof f_in_transport[0] == FWPS_FIELD_INBOUND_TRANSPORT_V4_MAX, "in transport");
_Static_assert(sizeof f_out_transport / sizeof f_out_transport[0] == FWPS_FIELD_OUTBOUND_TRANSPORT_V4_MAX, "out transport");
_Static_assert(sizeof f_in_ippacket / sizeof f_in_ippacket[0] == FWPS_FIELD_INBOUND_IPPACKET_V4_MAX, "in ippacket");
_Static_assert(sizeof f_out_ippacket / sizeof f_out_ippacket[0] == FWPS_FIELD_OUTBOUND_IPPACKET_V4_MAX, "out ippacket");

static const char *const *fields_of(UINT16 layerId, UINT32 *count)
{
#define T(arr) (*count = (UINT32)(sizeof arr / sizeof arr[0]), arr)
    switch (layerId) {
    case FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4:
    case FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6:
        return T(f_flow);
    case FWPS_LAYER_STREAM_V4:
    case FWPS_LAYER_STREAM_V6:
        return T(f_stream);
    case FWPS_LAYER_INBOUND_TRANSPORT_V4:
    case FWPS_LAYER_INBOUND_TRANSPORT_V4_DISCARD:
    case FWPS_LAYER_INBOUND_TRANSPORT_V6:
    case FWPS_LAYER_INBOUND_TRANSPORT_V6_DISCARD:
        return T(f_in_transport);
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V4:
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD:
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V6:
    case FWPS_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD:
        return T(f_out_transport);
    case FWPS_LAYER_INBOUND_IPPACKET_V4:
    case FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD:
    case FWPS_LAYER_INBOUND_IPPACKET_V6:
    case FWPS_LAYER_INBOUND_IPPACKET_V6_DISCARD:
        return T(f_in_ippacket);
    case FWPS_LAYER_OUTBOUND_IPPACKET_V4:
    case FWPS_LAYER_OUTBOUND_IPPACKET_V4_DISCARD:
    case FWPS_LAYER_OUTBOUND_IPPACKET_V6:
    case FWPS_LAYER_OUTBOUND_IPPACKET_V6_DISCARD:
        return T(f_out_ippacket);
    default:
        *count = 0;
        return NULL;
    }
#undef T
}

UINT32 ws_k_field_count(UINT16 layerId)
{
    UINT32 n;
    (void)fields_of(layerId, &n);
    return n;
}

int ws_k_field_index(UINT16 layerId, const char *name)
{
    UINT32 n;
    const char *const *t = fields_of(layerId, &n);
    for (UINT32 i = 0; i < n; i++)
        if (strcmp(t[i], name) == 0)
            return (int)i;
    return -1;
}

/* ---- condition matching ------------------------------------------------------------------------ */
static int is_int_type(uint32_t t)
{
    return t >= FWP_UINT8 && t <= FWP_INT64 && t != FWP_FLOAT;
}

static int int_of(uint32_t type, const void *u, int64_t *s, uint64_t *v)
{
    const WS_FWP_VALUE0 *x = u;
    switch (type) {
    case FWP_UINT8: *v = x->uint8; break;
    case FWP_UINT16: *v = x->uint16; break;
    case FWP_UINT32: *v = x->uint32; break;
    case FWP_UINT64: if (!x->uint64) return 0; *v = *x->uint64; break;
    case FWP_INT8: *s = x->int8; *v = (uint64_t)*s; return 2;
    case FWP_INT16: *s = x->int16; *v = (uint64_t)*s; return 2;
    case FWP_INT32: *s = x->int32; *v = (uint64_t)*s; return 2;
    case FWP_INT64: if (!x->int64) return 0; *s = *x->int64; *v = (uint64_t)*s; return 2;
    default: return 0;
    }
    *s = (int64_t)*v;
    return 1;
}

/* -1 a<b, 0 equal, 1 a>b, 2 not comparable */
static int cmp_values(const FWP_VALUE0 *in, uint32_t ctype, const void *cv, int ci)
{
    if (is_int_type(in->type) && ctype == (uint32_t)in->type) {
        int64_t as, bs;
        uint64_t av, bv;
        int ka = int_of(in->type, in, &as, &av), kb = int_of(ctype, cv, &bs, &bv);
        if (!ka || !kb)
            return 2;
        if (ka == 2)
            return as < bs ? -1 : as > bs;
        return av < bv ? -1 : av > bv;
    }
    const WS_FWP_VALUE0 *c = cv;
    if (in->type == FWP_BYTE_ARRAY16_TYPE && ctype == FWP_BYTE_ARRAY16_TYPE) {
        if (!in->byteArray16 || !c->byteArray16)
            return 2;
        int r = memcmp(in->byteArray16->byteArray16, c->byteArray16->byteArray16, 16);
        return r < 0 ? -1 : r > 0;
    }
    if (in->type == FWP_BYTE_BLOB_TYPE && ctype == FWP_BYTE_BLOB_TYPE) {
        if (!in->byteBlob || !c->byteBlob)
            return 2;
        if (in->byteBlob->size != c->byteBlob->size)
            return in->byteBlob->size < c->byteBlob->size ? -1 : 1;
        for (UINT32 i = 0; i < in->byteBlob->size; i++) {
            UINT8 a = in->byteBlob->data[i], b = c->byteBlob->data[i];
            if (ci) {
                a = (a >= 'A' && a <= 'Z') ? (UINT8)(a + 32) : a;
                b = (b >= 'A' && b <= 'Z') ? (UINT8)(b + 32) : b;
            }
            if (a != b)
                return a < b ? -1 : 1;
        }
        return 0;
    }
    return 2;
}

static int match_condition(const FWP_VALUE0 *in, const WS_FWPM_FILTER_CONDITION0 *c)
{
    const WS_FWP_CONDITION_VALUE0 *cv = &c->conditionValue;
    if (in->type == FWP_EMPTY)
        return 0; /* modelled: a field the simulator does not supply never matches */
    switch (cv->type) {
    case FWP_V4_ADDR_MASK:
        if (in->type != FWP_UINT32 || !cv->v4AddrMask)
            return 0;
        return ((in->uint32 & cv->v4AddrMask->mask) == (cv->v4AddrMask->addr & cv->v4AddrMask->mask)) ==
               (c->matchType != FWP_MATCH_NOT_EQUAL);
    case FWP_V6_ADDR_MASK: {
        if (in->type != FWP_BYTE_ARRAY16_TYPE || !in->byteArray16 || !cv->v6AddrMask)
            return 0;
        unsigned bits = cv->v6AddrMask->prefixLength, eq = 1;
        for (unsigned i = 0; i < 16 && bits; i++) {
            unsigned take = bits >= 8 ? 8 : bits;
            UINT8 m = (UINT8)(0xFF << (8 - take));
            if ((in->byteArray16->byteArray16[i] & m) != (cv->v6AddrMask->addr[i] & m))
                eq = 0;
            bits -= take;
        }
        return eq == (c->matchType != FWP_MATCH_NOT_EQUAL);
    }
    case FWP_RANGE_TYPE: {
        if (!cv->rangeValue)
            return 0;
        int lo = cmp_values(in, cv->rangeValue->valueLow.type, &cv->rangeValue->valueLow, 0);
        int hi = cmp_values(in, cv->rangeValue->valueHigh.type, &cv->rangeValue->valueHigh, 0);
        if (lo == 2 || hi == 2)
            return 0;
        int inside = lo >= 0 && hi <= 0;
        return c->matchType == FWP_MATCH_NOT_EQUAL ? !inside : inside;
    }
    default:
        break;
    }
    if (c->matchType == FWP_MATCH_FLAGS_ALL_SET || c->matchType == FWP_MATCH_FLAGS_ANY_SET ||
        c->matchType == FWP_MATCH_FLAGS_NONE_SET) {
        if (in->type != FWP_UINT32 || cv->type != FWP_UINT32)
            return 0;
        UINT32 f = in->uint32, m = cv->uint32;
        if (c->matchType == FWP_MATCH_FLAGS_ALL_SET)
            return (f & m) == m;
        if (c->matchType == FWP_MATCH_FLAGS_ANY_SET)
            return (f & m) != 0;
        return (f & m) == 0;
    }
    int r = cmp_values(in, cv->type, cv, c->matchType == FWP_MATCH_EQUAL_CASE_INSENSITIVE);
    if (r == 2)
        return 0;
    switch (c->matchType) {
    case FWP_MATCH_EQUAL:
    case FWP_MATCH_EQUAL_CASE_INSENSITIVE: return r == 0;
    case FWP_MATCH_NOT_EQUAL: return r != 0;
    case FWP_MATCH_GREATER: return r > 0;
    case FWP_MATCH_LESS: return r < 0;
    case FWP_MATCH_GREATER_OR_EQUAL: return r >= 0;
    case FWP_MATCH_LESS_OR_EQUAL: return r <= 0;
    default: return 0;
    }
}

/* Conditions on one field are ORed, different fields ANDed (WFP semantics). */
static int match_filter(UINT16 layerId, const ws_layer_info *layer, const WS_FWPM_FILTER0 *f,
                        const FWPS_INCOMING_VALUE0 *values, UINT32 count)
{
    for (UINT32 i = 0; i < f->numFilterConditions; i++) {
        const WS_FWPM_FILTER_CONDITION0 *ci = &f->filterCondition[i];
        int earlier = 0;
        for (UINT32 k = 0; k < i; k++)
            if (memcmp(&f->filterCondition[k].fieldKey, &ci->fieldKey, sizeof ci->fieldKey) == 0)
                earlier = 1;
        if (earlier)
            continue; /* this field's group was evaluated at its first condition */
        const ws_field_info *fi = ws_layer_field(layer, &ci->fieldKey);
        int idx = fi ? ws_k_field_index(layerId, fi->name + strlen("FWPM_CONDITION_")) : -1;
        const FWP_VALUE0 empty = { FWP_EMPTY, { 0 } };
        const FWP_VALUE0 *in = (idx >= 0 && (UINT32)idx < count) ? &values[idx].value : &empty;
        int any = 0;
        for (UINT32 k = i; k < f->numFilterConditions && !any; k++)
            if (memcmp(&f->filterCondition[k].fieldKey, &ci->fieldKey, sizeof ci->fieldKey) == 0)
                any = match_condition(in, &f->filterCondition[k]);
        if (!any)
            return 0;
    }
    return 1;
}

/* ---- classify ------------------------------------------------------------------------------------ */
typedef struct matched {
    UINT64 filterId;
    UINT64 weight;
    UINT16 sublayerWeight;
    WS_GUID sublayer;
    UINT32 actionType;
    GUID calloutKey;
    UINT64 rawContext;
    UINT32 flags;
} matched;

void ws_k_classify(UINT16 layerId, const FWPS_INCOMING_VALUE0 *values, UINT32 valueCount,
                   const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData, UINT64 flowId,
                   ws_k_classify_result *result)
{
    memset(result, 0, sizeof *result);
    result->action = FWP_ACTION_PERMIT;
    const ws_layer_info *layer = ws_layer_by_id(layerId);
    if (!layer)
        return;
    /* snapshot the matching filters under the engine lock; callouts run without it */
    ws_engine_lock();
    size_t n = ws_store_filters_at_layer(layer->key, NULL, 0);
    ws_filter_view *views = n ? calloc(n, sizeof *views) : NULL;
    matched *m = n ? calloc(n, sizeof *m) : NULL;
    size_t nm = 0;
    if (n && views && m) {
        n = ws_store_filters_at_layer(layer->key, views, n);
        for (size_t i = 0; i < n; i++) {
            const WS_FWPM_FILTER0 *f = views[i].filter;
            if (!match_filter(layerId, layer, f, values, valueCount))
                continue;
            matched *x = &m[nm++];
            x->filterId = f->filterId;
            x->weight = views[i].effective_weight;
            x->sublayerWeight = views[i].sublayer ? views[i].sublayer->weight : 0;
            x->sublayer = f->subLayerKey;
            x->actionType = f->action.type;
            memcpy(&x->calloutKey, &f->action.calloutKey, sizeof x->calloutKey);
            x->rawContext = f->rawContext;
            x->flags = f->flags;
        }
    }
    ws_engine_unlock();
    free(views);
    result->filters_matched = (uint32_t)nm;

    if (flowId)
        ws_k_flow_classify_begin(flowId);
    int decided = 0, hard = 0;
    for (size_t i = 0; i < nm;) {
        size_t end = i;
        while (end < nm && memcmp(&m[end].sublayer, &m[i].sublayer, sizeof m[i].sublayer) == 0)
            end++;
        FWP_ACTION_TYPE sub = 0;
        UINT64 subFilter = 0;
        int subHard = 0;
        for (size_t k = i; k < end && !sub; k++) {
            matched *x = &m[k];
            if (x->actionType == FWP_ACTION_BLOCK || x->actionType == FWP_ACTION_PERMIT) {
                sub = x->actionType;
                subFilter = x->filterId;
                subHard = (x->flags & WS_FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0;
                break;
            }
            if (!(x->actionType & FWP_ACTION_FLAG_CALLOUT))
                continue;
            int inspection = x->actionType == FWP_ACTION_CALLOUT_INSPECTION;
            ws_k_callout *c = ws_k_callout_pin(&x->calloutKey);
            if (!c) {
                if (!inspection) {
                    sub = (x->flags & WS_FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) ? FWP_ACTION_PERMIT
                                                                                       : FWP_ACTION_BLOCK;
                    subFilter = x->filterId;
                }
                continue;
            }
            const FWPS_CALLOUT1 *def = ws_k_callout_def(c);
            UINT64 flowContext = 0;
            int has_ctx = flowId && ws_k_flow_get_context(flowId, layerId, ws_k_callout_id(c), &flowContext);
            if ((def->flags & FWPS_CALLOUT_FLAG_CONDITIONAL_ON_FLOW) && !has_ctx) {
                ws_k_callout_unpin(c);
                continue;
            }
            FWPS_FILTER1 filter;
            memset(&filter, 0, sizeof filter);
            filter.filterId = x->filterId;
            filter.weight.type = FWP_UINT64;
            filter.weight.uint64 = &x->weight;
            filter.subLayerWeight = x->sublayerWeight;
            filter.flags = (UINT16)(((x->flags & WS_FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT) ? FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT : 0) |
                                    ((x->flags & WS_FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)
                                         ? FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED
                                         : 0));
            filter.numFilterConditions = 0; /* modelled: conditions are not passed to the callout */
            filter.action.type = x->actionType;
            filter.action.calloutId = ws_k_callout_id(c);
            filter.context = x->rawContext;
            FWPS_CLASSIFY_OUT0 out;
            memset(&out, 0, sizeof out);
            /* modelled: the callout starts from CONTINUE, with the write right unless an earlier
             * sublayer made a hard decision */
            out.actionType = FWP_ACTION_CONTINUE;
            out.rights = hard ? 0 : FWPS_RIGHT_ACTION_WRITE;
            out.filterId = x->filterId;
            KIRQL old = KeGetCurrentIrql();
            ws_k_set_irql(DISPATCH_LEVEL); /* modelled: every classify runs at DISPATCH_LEVEL */
            def->classifyFn(&(FWPS_INCOMING_VALUES0){ layerId, valueCount, (FWPS_INCOMING_VALUE0 *)values }, meta,
                            layerData, result, &filter, flowContext, &out);
            if (KeGetCurrentIrql() != DISPATCH_LEVEL)
                ws_k_bugcheck(0xC7, "classifyFn returned at a different IRQL");
            ws_k_set_irql(old);
            ws_k_callout_unpin(c);
            result->callouts_called++;
            if (out.flags & FWPS_CLASSIFY_OUT_FLAG_ABSORB) {
                result->absorbed = 1;
                sub = FWP_ACTION_BLOCK;
                subFilter = x->filterId;
                subHard = 1;
                break;
            }
            if (inspection)
                continue;
            if (out.actionType == FWP_ACTION_BLOCK || out.actionType == FWP_ACTION_PERMIT) {
                sub = out.actionType;
                subFilter = x->filterId;
                subHard = !(out.rights & FWPS_RIGHT_ACTION_WRITE);
            }
        }
        if (sub == FWP_ACTION_BLOCK) {
            result->action = FWP_ACTION_BLOCK;
            result->filter_id = subFilter;
            decided = 1;
            break; /* block is final */
        }
        if (sub == FWP_ACTION_PERMIT && !(decided && hard)) {
            result->action = FWP_ACTION_PERMIT;
            result->filter_id = subFilter;
            decided = 1;
            hard = hard || subHard;
        }
        i = end;
    }
    if (flowId)
        ws_k_flow_classify_end(flowId);
    free(m);
}
