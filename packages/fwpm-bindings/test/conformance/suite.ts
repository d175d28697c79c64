import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, FwpmError, FwpmValidationError, LAYERS, appIdFromFileName, loadFwpm, newGuid } from '../../src';
import type { FilterSpec, Guid } from '../../src';
import type { TestBackend } from './backends';

/**
 * The one conformance suite (node-serialport style): the same expectations against the
 * simulator and, with WFPKIT_TEST_WINDOWS=1, the real engine. Keys are fresh GUIDs and
 * sublayer weights distinct, so it can run on a live system.
 */
export function conformance(backend: TestBackend): void {
  const open = (dynamic = true): Engine => Engine.open({ ...backend.options, dynamic, name: `wfpkit conformance (${backend.name})` });
  let weight = 0x4000 + Math.floor(Math.random() * 0x2000);
  const nextWeight = (): number => ++weight;
  const raw = () => loadFwpm(backend.options);
  const expectCode = async (p: Promise<unknown> | (() => unknown), name: string): Promise<void> => {
    try {
      await (typeof p === 'function' ? p() : p);
    } catch (e) {
      expect(e).toBeInstanceOf(FwpmError);
      expect((e as FwpmError).name).toBe(name);
      return;
    }
    throw new Error(`expected ${name}`);
  };
  const filter = (sublayer: Guid, extra: Partial<FilterSpec> = {}): FilterSpec => ({
    name: 'conformance filter',
    layer: 'ALE_AUTH_CONNECT_V4',
    sublayer,
    action: 'permit',
    conditions: [{ field: 'IP_REMOTE_PORT', value: 5555 }],
    ...extra,
  });

  describe(`conformance: ${backend.name}`, () => {
    afterEach(() => {
      if (backend.simulated) expect(raw().WfpsimOutstandingAllocations()).toBe(0);
    });

    it('keys are unique', async () => {
      using e = open();
      const key = newGuid();
      await e.addSublayer({ key, name: 'a', weight: nextWeight() });
      await expectCode(e.addSublayer({ key, name: 'b', weight: nextWeight() }), 'FWP_E_ALREADY_EXISTS');
      const fk = newGuid();
      await e.addFilter(filter(key, { key: fk }));
      await expectCode(e.addFilter(filter(key, { key: fk })), 'FWP_E_ALREADY_EXISTS');
    });

    it('references are checked (sublayer, provider, callout, layer)', async () => {
      using e = open();
      await expectCode(e.addFilter(filter(newGuid())), 'FWP_E_SUBLAYER_NOT_FOUND');
      await expectCode(e.addSublayer({ key: newGuid(), name: 's', weight: nextWeight(), provider: newGuid() }), 'FWP_E_PROVIDER_NOT_FOUND');
      const sl = await e.addSublayer({ key: newGuid(), name: 's', weight: nextWeight() });
      await expectCode(e.addFilter(filter(sl, { action: { callout: newGuid() } })), 'FWP_E_CALLOUT_NOT_FOUND');
      await expectCode(e.addFilter(filter(sl, { layer: newGuid(), conditions: [] })), 'FWP_E_LAYER_NOT_FOUND');
      await expectCode(e.getLayer(newGuid()), 'FWP_E_LAYER_NOT_FOUND');
      expect((await e.getLayer('ALE_AUTH_CONNECT_V4')).id).toBe(LAYERS.ALE_AUTH_CONNECT_V4.runtimeId);
    });

    it('objects in use cannot be deleted', async () => {
      using e = open();
      const provider = await e.addProvider({ key: newGuid(), name: 'p' });
      const sl = await e.addSublayer({ key: newGuid(), name: 's', weight: nextWeight(), provider });
      await expectCode(e.deleteProvider(provider), 'FWP_E_IN_USE');
      const f = await e.addFilter(filter(sl));
      await expectCode(e.deleteSublayer(sl), 'FWP_E_IN_USE');
      await e.deleteFilter(f.id);
      await e.deleteSublayer(sl);
      await e.deleteProvider(provider);
      await expectCode(e.getSublayer(sl), 'FWP_E_SUBLAYER_NOT_FOUND');
    });

    it('condition values are type-checked before the native call', async () => {
      using e = open();
      const sl = await e.addSublayer({ key: newGuid(), name: 's', weight: nextWeight() });
      const bad = (conditions: FilterSpec['conditions'], re: RegExp) =>
        expect(e.addFilter(filter(sl, { conditions }))).rejects.toThrow(re);
      await bad([{ field: 'IP_REMOTE_PORT', value: 'http' }], /IP_REMOTE_PORT expects FWP_UINT16/);
      await bad([{ field: 'IP_REMOTE_PORT', value: 70000 }], /out of range/);
      await bad([{ field: 'ALE_APP_ID', value: 42 }], /ALE_APP_ID expects FWP_BYTE_BLOB_TYPE/);
      await bad([{ field: 'IP_REMOTE_ADDRESS', value: 'fe80::1' }], /IPv6 address at an IPv4 layer/);
      await bad([{ field: 'IP_REMOTE_ADDRESS', value: '10.0.0.0/33' }], /prefix length/);
      await bad([{ field: 'ALE_APP_ID' as never, match: 'range', value: 1 }], /needs a value \{ range/);
      await bad([{ field: 'NOPE' as never, value: 1 }], /unknown condition field "NOPE"/);
      await bad([{ field: 'ALE_USER_ID', value: 'x' }], /ALE_USER_ID expects FWP_SECURITY_DESCRIPTOR_TYPE/);
      await expect(e.addFilter({ ...filter(sl), layer: 'INBOUND_IPPACKET_V4', conditions: [{ field: 'ALE_APP_ID', value: new Uint8Array([1, 2]) }] })).rejects.toThrow(
        /not available at layer INBOUND_IPPACKET_V4/,
      );
      const err = await e.addFilter(filter(sl, { conditions: [{ field: 'IP_PROTOCOL', value: -1 }] })).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(FwpmValidationError);
      expect((err as FwpmValidationError).field).toBe('IP_PROTOCOL');
      expect((err as FwpmValidationError).expected).toBe('FWP_UINT8');
    });

    it('reads back ports, port ranges, masked addresses, protocol and app ids as written', async () => {
      using e = open();
      const sl = await e.addSublayer({ key: newGuid(), name: 's', weight: nextWeight() });
      const appId = e.appIdFromFileName('C:\\Windows\\System32\\svchost.exe');
      const f = await e.addFilter(
        filter(sl, {
          weight: 7,
          conditions: [
            { field: 'ALE_APP_ID', value: appId },
            { field: 'IP_PROTOCOL', value: 6 },
            { field: 'IP_LOCAL_PORT', value: { range: [49152, 65535] } },
            { field: 'IP_REMOTE_ADDRESS', value: { address: '192.168.0.0', mask: '255.255.0.0' } },
          ],
        }),
      );
      const back = await e.getFilter(f.key);
      expect(back.id).toBe(f.id);
      expect(back.conditions.map((c) => [c.field, c.match])).toEqual([
        ['ALE_APP_ID', 'equal'],
        ['IP_PROTOCOL', 'equal'],
        ['IP_LOCAL_PORT', 'range'],
        ['IP_REMOTE_ADDRESS', 'equal'],
      ]);
      expect(Buffer.from(back.conditions[0]?.value as Uint8Array).equals(Buffer.from(appId))).toBe(true);
      expect(back.conditions[2]?.value).toEqual({ range: [49152, 65535] });
      expect(back.conditions[3]?.value).toEqual({ address: '192.168.0.0', mask: '255.255.0.0' });
      const v6sl = await e.addFilter({ ...filter(sl), layer: 'ALE_AUTH_CONNECT_V6', conditions: [{ field: 'IP_REMOTE_ADDRESS', value: 'fd00::/8' }] });
      expect((await e.getFilter(v6sl.id)).conditions[0]?.value).toEqual({ address: 'fd00::', prefix: 8 });
    });

    it('a transaction is all-or-nothing: a failure half way leaves nothing', async () => {
      using e = open();
      const sl = newGuid();
      const keys = [newGuid(), newGuid(), newGuid()];
      await expect(
        e.transaction(async (tx) => {
          await tx.addSublayer({ key: sl, name: 's', weight: nextWeight() });
          await tx.addFilter(filter(sl, { key: keys[0] }));
          await tx.addFilter(filter(sl, { key: keys[1] }));
          await tx.addFilter(filter(sl, { key: keys[0] })); // duplicate: fails in the engine
        }),
      ).rejects.toThrow(/FWP_E_ALREADY_EXISTS/);
      await expectCode(e.getSublayer(sl), 'FWP_E_SUBLAYER_NOT_FOUND');
      for (const k of keys) await expectCode(e.getFilter(k), 'FWP_E_FILTER_NOT_FOUND');
      // a thrown JS error aborts too, and is rethrown as is
      await expect(
        e.transaction(async (tx) => {
          await tx.addSublayer({ key: sl, name: 's', weight: nextWeight() });
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await expectCode(e.getSublayer(sl), 'FWP_E_SUBLAYER_NOT_FOUND');
      // and a successful one commits
      const out = await e.transaction(async (tx) => tx.addSublayer({ key: sl, name: 's', weight: nextWeight() }));
      expect((await e.getSublayer(out)).key).toBe(sl);
    });

    it('a dynamic session cleans up when it closes', async () => {
      const a = open(true);
      const sl = await a.addSublayer({ key: newGuid(), name: 's', weight: nextWeight() });
      const f = await a.addFilter(filter(sl));
      a.close();
      using b = open();
      await expectCode(b.getSublayer(sl), 'FWP_E_SUBLAYER_NOT_FOUND');
      await expectCode(b.getFilter(f.key), 'FWP_E_FILTER_NOT_FOUND');
    });

    it('enumerates more entries than one page, and frees every page (also on early break)', async () => {
      using e = open();
      const sl = await e.addSublayer({ key: newGuid(), name: 's', weight: nextWeight() });
      const mine = new Set<string>();
      await e.transaction(async (tx) => {
        for (let i = 0; i < 300; i++) mine.add((await tx.addFilter(filter(sl, { conditions: [{ field: 'IP_REMOTE_PORT', value: 1000 + i }] }))).key);
      });
      const seen = new Set<string>();
      for await (const f of e.filters({ layer: 'ALE_AUTH_CONNECT_V4', pageSize: 64 })) if (mine.has(f.key)) seen.add(f.key);
      expect(seen.size).toBe(300);
      let n = 0;
      for await (const f of e.filters({ pageSize: 7 })) {
        void f;
        if (++n === 10) break;
      }
      expect(n).toBe(10);
      const subs: string[] = [];
      for await (const s of e.sublayers()) subs.push(s.key);
      expect(subs).toContain(sl);
    });

    it('bad input fails cleanly and never crashes the process', async () => {
      const r = raw();
      const h: [bigint | null] = [null];
      expect(r.FwpmEngineOpen0(null, 10, null, null, h)).toBe(0); // NULL session is allowed
      expect(r.FwpmSubLayerAdd0(h[0], null, null)).not.toBe(0);
      expect(r.FwpmFilterAdd0(h[0], null, null, [0])).not.toBe(0);
      expect(r.FwpmSubLayerGetByKey0(h[0], null, [null])).not.toBe(0);
      expect(r.FwpmSubLayerDeleteByKey0(h[0], Buffer.alloc(16))).not.toBe(0);
      r.FwpmFreeMemory0([null]); // NULL is a no-op
      expect(r.FwpmEngineClose0(h[0])).toBe(0);
      expect(r.FwpmEngineClose0(h[0])).not.toBe(0); // stale handle
      expect(r.FwpmEngineClose0(null)).not.toBe(0);
      expect(r.FwpmTransactionCommit0(null)).not.toBe(0);
      expect(() => appIdFromFileName('', backend.options)).toThrow(FwpmValidationError);
      const e = open();
      await expect(e.getSublayer('not-a-guid')).rejects.toThrow(/expected a GUID/);
      await expectCode(e.getSublayer(newGuid()), 'FWP_E_SUBLAYER_NOT_FOUND');
      await expect(e.addSublayer({ key: newGuid(), name: '', weight: 1 })).rejects.toThrow(/name is required/);
      await expect(e.addSublayer({ key: newGuid(), name: 'w', weight: 70000 })).rejects.toThrow(/UINT16/);
      e.close();
      e.close(); // idempotent
      await expectCode(e.addSublayer({ key: newGuid(), name: 'x', weight: 1 }), 'ERROR_INVALID_HANDLE');
      await expect(e.transaction(async () => 1)).rejects.toThrow(/engine is closed/);
      // the raw engine still works after all of that
      using again = open();
      expect(again.closed).toBe(false);
    });

    if (backend.simulated) {
      it('persistent objects survive across processes (simulator state file)', () => {
        const dir = mkdtempSync(join(tmpdir(), 'wfpkit-state-'));
        const state = join(dir, 'bfe.state');
        const key = newGuid();
        const dist = join(__dirname, '..', '..', 'dist', 'index.js');
        const script = (body: string): string =>
          `const w=require(${JSON.stringify(dist)});const o=${JSON.stringify(backend.options)};` +
          `const r=w.loadFwpm(o);if(r.WfpsimSetStateFile(${JSON.stringify(state)}))throw new Error('state');(async()=>{${body}})().catch(e=>{console.error(e);process.exit(1)});`;
        const run = (body: string): string => {
          const p = spawnSync(process.execPath, ['-e', script(body)], { encoding: 'utf8' });
          if (p.status !== 0) throw new Error(p.stderr);
          return p.stdout.trim();
        };
        try {
          run(`const e=w.Engine.open({...o,dynamic:false});await e.addSublayer({key:'${key}',name:'kept',weight:${nextWeight()},persistent:true});e.close();`);
          expect(run(`const e=w.Engine.open(o);console.log((await e.getSublayer('${key}')).name);await e.deleteSublayer('${key}');e.close();`)).toBe('kept');
          expect(run(`const e=w.Engine.open(o);try{await e.getSublayer('${key}');console.log('still there')}catch(x){console.log(x.name)}e.close();`)).toBe(
            'FWP_E_SUBLAYER_NOT_FOUND',
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
