import { decodeAlpn, formatAddress, formatIPv4, formatIPv6, ipProtocolName, tlsVersionName } from '../src';

function v6(text: string): Uint8Array {
  // test-only parser of full (uncompressed) 8-group notation
  const groups = text.split(':').map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

describe('formatIPv4', () => {
  it('uses the first four bytes of a 16-byte field', () => {
    const field = new Uint8Array(16);
    field.set([192, 0, 2, 255]);
    expect(formatIPv4(field)).toBe('192.0.2.255');
    expect(formatAddress(4, field)).toBe('192.0.2.255');
    expect(formatIPv4(new Uint8Array([0, 0, 0, 0]))).toBe('0.0.0.0');
  });
  it('refuses short input', () => {
    expect(() => formatIPv4(new Uint8Array(3))).toThrow(RangeError);
    expect(() => formatAddress(5, new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('formatIPv6 (RFC 5952)', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'], // trailing run
    ['0:0:0:0:0:0:db8:1', '::db8:1'], // leading run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'], // the longest run wins
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins over an earlier shorter one
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // a tie: the first run
    ['2001:DB8:ABCD:0012:0:0:0:0', '2001:db8:abcd:12::'], // lower case, no leading zeros
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'], // IPv4-mapped
    ['0:0:0:0:0:fffe:c000:0201', '::fffe:c000:201'], // not mapped
  ])('%s → %s', (full, expected) => {
    expect(formatIPv6(v6(full))).toBe(expected);
    expect(formatAddress(6, v6(full))).toBe(expected);
  });
  it('refuses short input', () => {
    expect(() => formatIPv6(new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('decodeAlpn', () => {
  const enc = (...names: string[]): Uint8Array => {
    const parts: number[] = [];
    for (const n of names) parts.push(n.length, ...new TextEncoder().encode(n));
    return new Uint8Array(parts);
  };
  it('decodes a well-formed list', () => {
    expect(decodeAlpn(enc('h2', 'http/1.1'))).toEqual({ protocols: ['h2', 'http/1.1'], malformed: false });
    expect(decodeAlpn(new Uint8Array(0))).toEqual({ protocols: [], malformed: false });
  });
  it('flags a name running past the end, keeping the names before it', () => {
    const bytes = enc('h2', 'http/1.1').subarray(0, 7);
    expect(decodeAlpn(bytes)).toEqual({ protocols: ['h2'], malformed: true });
    expect(decodeAlpn(new Uint8Array([255]))).toEqual({ protocols: [], malformed: true });
  });
  it('flags a zero length byte', () => {
    expect(decodeAlpn(new Uint8Array([2, 0x68, 0x32, 0, 1, 0x61]))).toEqual({ protocols: ['h2'], malformed: true });
  });
  it('escapes non-printable bytes', () => {
    expect(decodeAlpn(new Uint8Array([3, 0x00, 0x41, 0x5c])).protocols).toEqual(['\\x00A\\x5c']);
  });
  it('never throws on random bytes', () => {
    let seed = 7;
    for (let n = 0; n < 500; n++) {
      const len = n % 40;
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        bytes[i] = seed >>> 24;
      }
      expect(() => decodeAlpn(bytes)).not.toThrow();
    }
  });
});

describe('names', () => {
  it('names IP protocols', () => {
    expect(ipProtocolName(6)).toBe('tcp');
    expect(ipProtocolName(17)).toBe('udp');
    expect(ipProtocolName(1)).toBe('icmp');
    expect(ipProtocolName(58)).toBe('icmpv6');
    expect(ipProtocolName(132)).toBe('ip-132');
  });
  it('names TLS versions', () => {
    expect(tlsVersionName(0)).toBeUndefined();
    expect(tlsVersionName(0x0300)).toBe('SSL 3.0');
    expect(tlsVersionName(0x0301)).toBe('TLS 1.0');
    expect(tlsVersionName(0x0302)).toBe('TLS 1.1');
    expect(tlsVersionName(0x0303)).toBe('TLS 1.2');
    expect(tlsVersionName(0x0304)).toBe('TLS 1.3');
    expect(tlsVersionName(0x7f1c)).toBe('0x7f1c');
  });
});
