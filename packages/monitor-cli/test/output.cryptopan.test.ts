import * as crypto from 'node:crypto';
import { CryptoPan, anonymizeHostText, parseAnonymizeKey } from '../src/output';

// The sample key of the original Crypto-PAn distribution and the address pairs of its
// sample_trace_raw / sample_trace_sanitized files.
const REFERENCE_KEY = Uint8Array.from([
  21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
]);
const REFERENCE_VECTORS: [string, string][] = [
  ['128.11.68.132', '135.242.180.132'], ['129.118.74.4', '134.136.186.123'], ['130.132.252.244', '133.68.164.234'],
  ['141.223.7.43', '141.167.8.160'], ['141.233.145.108', '141.129.237.235'], ['152.163.225.39', '151.140.114.167'],
  ['156.29.3.236', '147.225.12.42'], ['165.247.96.84', '162.9.99.234'], ['166.107.77.190', '160.132.178.185'],
  ['192.102.249.13', '252.138.62.131'], ['192.215.32.125', '252.43.47.189'], ['192.233.80.103', '252.25.108.8'],
  ['192.41.57.43', '252.222.221.184'], ['193.150.244.223', '253.169.52.216'], ['195.205.63.100', '255.186.223.5'],
  ['198.200.171.101', '249.199.68.213'], ['198.26.132.101', '249.36.123.202'], ['198.36.213.5', '249.7.21.132'],
  ['198.51.77.238', '249.18.186.254'], ['199.217.79.101', '248.38.184.213'], ['202.49.198.20', '245.206.7.234'],
  ['203.12.160.252', '244.248.163.4'], ['204.184.162.189', '243.192.77.90'], ['204.202.136.230', '243.178.4.198'],
  ['204.29.20.4', '243.33.20.123'], ['205.178.38.67', '242.108.198.51'], ['205.188.147.153', '242.96.16.101'],
  ['205.188.248.25', '242.96.88.27'], ['205.245.121.43', '242.21.121.163'], ['207.105.49.5', '241.118.205.138'],
  ['207.135.65.238', '241.202.129.222'], ['207.155.9.214', '241.220.250.22'], ['207.188.7.45', '241.255.249.220'],
  ['207.25.71.27', '241.33.119.156'], ['207.33.151.131', '241.1.233.131'], ['208.147.89.59', '227.237.98.191'],
  ['208.234.120.210', '227.154.67.17'], ['208.28.185.184', '227.39.94.90'], ['208.52.56.122', '227.8.63.165'],
  ['209.12.231.7', '226.243.167.8'], ['209.238.72.3', '226.6.119.243'], ['209.246.74.109', '226.22.124.76'],
  ['209.68.60.238', '226.184.220.233'], ['209.85.249.6', '226.170.70.6'], ['212.120.124.31', '228.135.163.231'],
  ['212.146.8.236', '228.19.4.234'], ['212.186.227.154', '228.59.98.98'], ['212.204.172.118', '228.71.195.169'],
  ['212.206.130.201', '228.69.242.193'], ['216.148.237.145', '235.84.194.111'], ['216.157.30.252', '235.89.31.26'],
  ['216.184.159.48', '235.96.225.78'], ['216.227.10.221', '235.28.253.36'], ['216.254.18.172', '235.7.16.162'],
  ['216.32.132.250', '235.192.139.38'], ['216.35.217.178', '235.195.157.81'], ['24.0.250.221', '100.15.198.226'],
  ['24.13.62.231', '100.2.192.247'], ['24.14.213.138', '100.1.42.141'], ['24.5.0.80', '100.9.15.210'],
  ['24.7.198.88', '100.10.6.25'], ['24.94.26.44', '100.88.228.35'], ['38.15.67.68', '64.3.66.187'],
  ['4.3.88.225', '124.60.155.63'], ['63.14.55.111', '95.9.215.7'], ['63.195.241.44', '95.179.238.44'],
  ['63.97.7.140', '95.97.9.123'], ['64.14.118.196', '0.255.183.58'], ['64.34.154.117', '0.221.154.117'],
  ['64.39.15.238', '0.219.7.41'], ['10.185.25.118', '117.161.29.118'],
];
// IPv6 with the same key, as the common 128-bit extension of Crypto-PAn maps them (these are
// the values other implementations publish; the original distribution has IPv4 only).
const IPV6_VECTORS: [string, string][] = [
  ['::1', '78ff:f001:9fc0:20df:8380:b1f1:704:ed'],
  ['::2', '78ff:f001:9fc0:20df:8380:b1f1:704:ef'],
  ['::ffff', '78ff:f001:9fc0:20df:8380:b1f1:704:f838'],
  ['2001:db8::1', '4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e'],
  ['2001:db8::2', '4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c'],
];

const commonPrefixBits = (a: Uint8Array, b: Uint8Array): number => {
  let n = 0;
  for (let i = 0; i < a.length * 8; i++) {
    if ((((a[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) !== (((b[i >> 3] ?? 0) >> (7 - (i & 7))) & 1)) return n;
    n++;
  }
  return n;
};

describe('Crypto-PAn', () => {
  const pan = new CryptoPan(REFERENCE_KEY);

  it.each(REFERENCE_VECTORS)('maps %s to %s with the reference sample key', (raw, anonymised) => {
    expect(pan.anonymizeAddress(raw)).toBe(anonymised);
  });

  it.each(IPV6_VECTORS)('maps IPv6 %s to %s', (raw, anonymised) => {
    expect(pan.anonymizeAddress(raw)).toBe(anonymised);
  });

  it('anonymises bytes in a 16-byte contract field, IPv4 in the first 4 bytes, leaving the rest', () => {
    const field = new Uint8Array(16);
    field.set([128, 11, 68, 132]);
    field[15] = 7;
    const out = pan.anonymizeBytes(4, field);
    expect(Array.from(out.subarray(0, 4))).toEqual([135, 242, 180, 132]);
    expect(out[15]).toBe(7);
    expect(Array.from(field.subarray(0, 4))).toEqual([128, 11, 68, 132]);
  });

  it('preserves prefixes: k shared leading bits stay k shared leading bits (IPv4 and IPv6)', () => {
    const rnd = crypto.createHash('sha256').update('seed').digest();
    for (let t = 0; t < 200; t++) {
      const a = crypto.createHash('sha256').update(rnd).update(String(t)).digest().subarray(0, 16);
      const b = Uint8Array.from(a);
      const flip = t % 128;
      b[flip >> 3] = (b[flip >> 3] ?? 0) ^ (0x80 >> (flip & 7));
      if (flip < 32) expect(commonPrefixBits(pan.anonymizeIPv4(a), pan.anonymizeIPv4(b))).toBe(flip);
      expect(commonPrefixBits(pan.anonymizeIPv6(a), pan.anonymizeIPv6(b))).toBe(flip);
    }
  });

  it('is consistent across instances with the same key and differs with another key', () => {
    const again = new CryptoPan(REFERENCE_KEY);
    const other = new CryptoPan(new Uint8Array(32));
    for (const [raw] of REFERENCE_VECTORS) {
      expect(again.anonymizeAddress(raw)).toBe(pan.anonymizeAddress(raw));
    }
    expect(REFERENCE_VECTORS.filter(([raw]) => other.anonymizeAddress(raw) === pan.anonymizeAddress(raw)).length).toBeLessThan(3);
  });

  it('reads the key as 64 hex characters, or as the SHA-256 of a passphrase', () => {
    const hex = Buffer.from(REFERENCE_KEY).toString('hex');
    expect(CryptoPan.fromOption(hex).anonymizeAddress('128.11.68.132')).toBe('135.242.180.132');
    expect(parseAnonymizeKey('correct horse battery')).toEqual(crypto.createHash('sha256').update('correct horse battery').digest());
    expect(CryptoPan.fromOption('correct horse battery').anonymizeAddress('10.0.0.1')).toBe(
      new CryptoPan(crypto.createHash('sha256').update('correct horse battery').digest()).anonymizeAddress('10.0.0.1'),
    );
    expect(() => parseAnonymizeKey('short')).toThrow(/64 hex characters or a passphrase of at least 8/);
    expect(() => new CryptoPan(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('leaves text that is not an address alone and handles address:port forms', () => {
    expect(pan.anonymizeAddress('example.com')).toBe('example.com');
    expect(anonymizeHostText(pan, '128.11.68.132:8443')).toBe('135.242.180.132:8443');
    expect(anonymizeHostText(pan, '[2001:db8::1]:443')).toBe('[4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e]:443');
    expect(anonymizeHostText(pan, 'www.example.com:80')).toBe('www.example.com:80');
  });
});
