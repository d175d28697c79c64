import {
  CALLOUTS,
  CONDITIONS,
  FWP_DATA_TYPE,
  FWP_ERRORS,
  LAYERS,
  PROVIDERS,
  SUBLAYERS,
  WIN32_ERRORS,
  conditionByGuid,
  describeResult,
  layerAllowsField,
  layerByGuid,
  singleSourceEntries,
} from '../src/catalog';
import type { BuiltinObjectInfo, ConditionInfo, LayerInfo } from '../src/catalog';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const groups: Record<string, Record<string, BuiltinObjectInfo & { aliasOf?: string }>> = {
  LAYERS,
  CONDITIONS,
  SUBLAYERS,
  PROVIDERS,
  CALLOUTS,
};

describe('GUID catalogue', () => {
  it.each(Object.entries(groups))('%s: every key is a well-formed lower-case GUID and the name matches', (group, entries) => {
    const prefix = { LAYERS: 'FWPM_LAYER_', CONDITIONS: 'FWPM_CONDITION_', SUBLAYERS: 'FWPM_SUBLAYER_', PROVIDERS: 'FWPM_PROVIDER_', CALLOUTS: 'FWPM_CALLOUT_' }[group];
    for (const [short, e] of Object.entries(entries)) {
      expect(e.key).toMatch(GUID_RE);
      expect(e.name).toBe(`${prefix}${short}`);
      expect(e.sources.length).toBeGreaterThan(0);
    }
  });

  it('no two distinct SDK objects share a GUID (aliases excepted)', () => {
    const seen = new Map<string, string>();
    for (const entries of Object.values(groups)) {
      for (const e of Object.values(entries)) {
        if (e.aliasOf) continue;
        expect(seen.get(e.key)).toBeUndefined();
        seen.set(e.key, e.name);
      }
    }
  });

  it('every alias points at an entry with the same GUID', () => {
    for (const entries of Object.values(groups)) {
      for (const e of Object.values(entries)) {
        if (!e.aliasOf) continue;
        const target = entries[e.aliasOf];
        expect(target).toBeDefined();
        expect(target?.key).toBe(e.key);
      }
    }
  });

  it('knows the well-known values', () => {
    expect(LAYERS.ALE_AUTH_CONNECT_V4.key).toBe('c38d57d1-05a7-4c33-904f-7fbceee60e82');
    expect(LAYERS.INBOUND_IPPACKET_V4.runtimeId).toBe(0);
    expect(LAYERS.STREAM_V4.runtimeId).toBe(20);
    expect(LAYERS.ALE_FLOW_ESTABLISHED_V4.runtimeId).toBe(52);
    expect(CONDITIONS.ALE_APP_ID.key).toBe('d78e1e87-8644-4ea5-9437-d809ecefc971');
    expect(CONDITIONS.IP_REMOTE_PORT.dataTypes).toEqual(['FWP_UINT16']);
    expect(CONDITIONS.ICMP_TYPE.key).toBe(CONDITIONS.IP_LOCAL_PORT.key);
    expect(layerByGuid('{C38D57D1-05A7-4C33-904F-7FBCEEE60E82}')?.short).toBe('ALE_AUTH_CONNECT_V4');
    expect(conditionByGuid(CONDITIONS.ALE_APP_ID.key)?.short).toBe('ALE_APP_ID');
  });

  it('reports entries it could confirm in only one source', () => {
    const single = singleSourceEntries();
    expect(single).toContain('FWPM_LAYER_INBOUND_MAC_FRAME_802_3');
    expect(single.length).toBeLessThan(25);
  });
});

describe('layer → field map', () => {
  it('every field a layer references exists in the condition catalogue', () => {
    for (const [short, l] of Object.entries(LAYERS) as [string, LayerInfo][]) {
      for (const f of l.fields) {
        expect([short, f, f in CONDITIONS]).toEqual([short, f, true]);
      }
    }
  });

  it('every runtime id is unique and within FWPS_BUILTIN_LAYER_MAX', () => {
    const ids = (Object.values(LAYERS) as LayerInfo[]).filter((l) => !l.aliasOf && l.runtimeId !== undefined).map((l) => l.runtimeId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toBeLessThan(110);
  });

  it('every condition has known data types (reserved ones have none)', () => {
    const known = new Set(Object.keys(FWP_DATA_TYPE));
    for (const c of Object.values(CONDITIONS) as ConditionInfo[]) {
      if (c.confidence === 'reserved') expect(c.dataTypes).toHaveLength(0);
      else expect(c.dataTypes.length).toBeGreaterThan(0);
      for (const t of c.dataTypes) expect(known.has(t)).toBe(true);
    }
  });

  it('answers the questions the typed API asks', () => {
    expect(layerAllowsField('ALE_AUTH_CONNECT_V4', 'ALE_APP_ID')).toBe(true);
    expect(layerAllowsField('INBOUND_IPPACKET_V4', 'ALE_APP_ID')).toBe(false);
    expect(layerAllowsField('OUTBOUND_ICMP_ERROR_V4', 'ICMP_TYPE')).toBe(true);
  });
});

describe('result codes', () => {
  it('FWP_E_* codes are unique, in the 0x8032xxxx facility, and named after their key', () => {
    const codes = new Set<number>();
    for (const [name, e] of Object.entries(FWP_ERRORS)) {
      expect(e.name).toBe(name);
      expect(e.code >>> 16).toBe(0x8032);
      expect(codes.has(e.code)).toBe(false);
      codes.add(e.code);
      expect(e.message.length).toBeGreaterThan(10);
    }
    expect(codes.size).toBe(57);
  });

  it('tells the user what to do on the common Win32 failures', () => {
    expect(WIN32_ERRORS.ERROR_ACCESS_DENIED.message).toMatch(/elevated prompt/);
    expect(describeResult(1753)?.message).toMatch(/BFE/);
    expect(describeResult(1722)?.name).toBe('RPC_S_SERVER_UNAVAILABLE');
    expect(describeResult(0x80320009 | 0)?.name).toBe('FWP_E_ALREADY_EXISTS');
    expect(describeResult(424242)).toBeUndefined();
  });
});
