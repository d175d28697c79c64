/*
 * The comparison itself: it must see every kind of difference, or the capture test proves nothing.
 */
import { alpnNames, canonicalAddress, compareFlows, endpointKey } from '../src';
import type { DriverFlow, ReferenceFlow } from '../src';

const key = endpointKey('127.0.0.1', 40000, '127.0.0.1', 443);
const ref: ReferenceFlow = { key, stream: 0, sni: ['a.test'], alpn: ['h2', 'http/1.1'], host: [], method: [] };
const flow = (over: Partial<DriverFlow>): DriverFlow => ({
  flowId: 1n,
  key,
  endpoints: { ipVersion: 4, ipProtocol: 6, direction: 0, localPort: 40000, remotePort: 443, localAddress: new Uint8Array(16), remoteAddress: new Uint8Array(16) },
  appPath: '',
  processId: 1n,
  classified: ['outbound'],
  deleted: true,
  sni: ['a.test'],
  alpn: ['h2', 'http/1.1'],
  host: [],
  method: [],
  ...over,
});

test('equal flows compare equal', () => {
  expect(compareFlows([ref], [flow({})])).toEqual([]);
});

test('a different, missing or extra value is reported', () => {
  expect(compareFlows([ref], [flow({ sni: ['b.test'] })]).map((d) => d.what)).toEqual(['sni']);
  expect(compareFlows([ref], [flow({ alpn: ['h2'] })]).map((d) => d.what)).toEqual(['alpn']);
  expect(compareFlows([ref], [flow({ host: ['a.test'], method: ['GET'] })]).map((d) => d.what)).toEqual(['host', 'method']);
});

test('a flow missing on either side is reported', () => {
  expect(compareFlows([ref], []).map((d) => d.what)).toEqual(['missing in driver events']);
  expect(compareFlows([], [flow({})]).map((d) => d.what)).toEqual(['not in tshark']);
  expect(compareFlows([ref], [flow({}), flow({ flowId: 2n })]).map((d) => d.what)).toEqual(['reported twice']);
  // A reference flow without metadata may be absent (the session's filters need not match it).
  expect(compareFlows([{ ...ref, sni: [], alpn: [] }], [])).toEqual([]);
});

test('endpoint keys ignore the side and the address spelling', () => {
  expect(endpointKey('::1', 443, '0:0:0:0:0:0:0:1', 40000)).toBe(endpointKey('0::1', 40000, '::1', 443));
  expect(canonicalAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
});

test('ALPN wire lists are split into names; a malformed list throws', () => {
  expect(alpnNames(Uint8Array.from([2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')]))).toEqual(['h2', 'http/1.1']);
  expect(() => alpnNames(Uint8Array.from([5, 0x68]))).toThrow(RangeError);
});
