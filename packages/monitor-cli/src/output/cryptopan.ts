/**
 * Crypto-PAn: prefix-preserving IP address anonymisation (J. Xu, J. Fan, M. Ammar, S. Moon,
 * "Prefix-Preserving IP Address Anonymization", ICNP 2002), with AES-128 from `node:crypto`.
 *
 * The 32-byte key splits into an AES-128 key (bytes 0..15) and a pad source (bytes 16..31);
 * the pad is the AES encryption of the pad source. Bit `i` of the anonymised address is bit
 * `i` of the original XOR the first bit of AES(first `i` original bits followed by pad bits
 * `i..127`). Two addresses that share a `k`-bit prefix therefore map to addresses that share
 * a `k`-bit prefix, and the mapping is one-to-one. IPv6 uses the same construction over 128
 * bits (as the common IPv6 extensions of Crypto-PAn do).
 */
import * as crypto from 'node:crypto';
import * as net from 'node:net';

import { formatIPv6 } from '@wfpkit/tagging';

/** Bytes of a Crypto-PAn key: 16 for the AES-128 key, 16 for the pad source. */
export const CRYPTOPAN_KEY_BYTES = 32;

/** Something that anonymises IP addresses consistently; {@link CryptoPan} is the implementation. */
export interface AddressAnonymizer {
  /**
   * Anonymises an address given as text (dotted IPv4 or IPv6); text that is not an address
   * comes back unchanged.
   */
  anonymizeAddress(text: string): string;
  /**
   * Anonymises an address given as bytes in network order: 4 bytes (or the first 4 of a
   * 16-byte contract field) for IPv4, 16 for IPv6. Returns a new array of the same length as
   * `bytes` (for IPv4 in a 16-byte field, the other 12 bytes are copied).
   */
  anonymizeBytes(ipVersion: number, bytes: Uint8Array): Uint8Array;
}

/**
 * Turns the value of `--anonymize KEY` into a 32-byte Crypto-PAn key: exactly 64 hexadecimal
 * characters are the key itself; anything else is a passphrase, and the key is the SHA-256
 * digest of its UTF-8 bytes (so the same passphrase always gives the same key).
 *
 * @param value - 64 hex characters, or a passphrase of at least 8 characters.
 * @throws Error with the fix when the value is empty or a passphrase shorter than 8 characters.
 * @example
 * ```ts
 * import { parseAnonymizeKey } from 'monitor-cli';
 * parseAnonymizeKey('00'.repeat(32)).length; // 32
 * parseAnonymizeKey('correct horse battery staple'); // SHA-256 of the passphrase
 * ```
 */
export function parseAnonymizeKey(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (value.length < 8) {
    throw new Error(
      `--anonymize needs a key of 64 hex characters or a passphrase of at least 8 characters (got ${value.length} characters); for example --anonymize "$(openssl rand -hex 32)"`,
    );
  }
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}

/** What is cached per address string: at most this many entries (then the cache starts over). */
const CACHE_LIMIT = 65_536;

/**
 * Crypto-PAn anonymiser for IPv4 and IPv6 addresses. Consistent: the same key maps the same
 * address to the same result in every run and every output.
 *
 * @example
 * ```ts
 * import { CryptoPan } from 'monitor-cli';
 * const pan = CryptoPan.fromOption('a passphrase only I know');
 * pan.anonymizeAddress('192.0.2.1'); // the same answer every time with that passphrase
 * pan.anonymizeAddress('2001:db8::1');
 * ```
 */
export class CryptoPan implements AddressAnonymizer {
  private readonly cipher: crypto.Cipher;
  private readonly pad: Buffer;
  private readonly textCache = new Map<string, string>();

  /**
   * @param key - 32 bytes: AES-128 key, then pad source.
   * @throws RangeError when the key is not 32 bytes.
   */
  constructor(key: Uint8Array) {
    if (key.length !== CRYPTOPAN_KEY_BYTES) throw new RangeError(`a Crypto-PAn key is ${CRYPTOPAN_KEY_BYTES} bytes, got ${key.length}`);
    const k = Buffer.from(key);
    this.cipher = crypto.createCipheriv('aes-128-ecb', k.subarray(0, 16), null);
    this.cipher.setAutoPadding(false);
    this.pad = this.encrypt(k.subarray(16, 32));
  }

  /**
   * Makes an anonymiser from the value of `--anonymize` (see {@link parseAnonymizeKey}).
   *
   * @param value - 64 hex characters or a passphrase.
   */
  static fromOption(value: string): CryptoPan {
    return new CryptoPan(parseAnonymizeKey(value));
  }

  /** AES-128-ECB of whole blocks (ECB keeps no state between calls). */
  private encrypt(blocks: Uint8Array): Buffer {
    return this.cipher.update(blocks);
  }

  /**
   * Anonymises the first `bits` bits (32 or 128) of `address` (network order).
   * All `bits` AES inputs go to the cipher in one call.
   */
  private anonymizeBits(address: Uint8Array, bits: number): Uint8Array {
    const bytes = bits / 8;
    const inputs = Buffer.alloc(16 * bits);
    for (let i = 0; i < bits; i++) {
      const block = inputs.subarray(16 * i, 16 * i + 16);
      this.pad.copy(block);
      // First i bits from the address, the rest from the pad.
      const whole = i >> 3;
      for (let b = 0; b < whole; b++) block[b] = address[b] ?? 0;
      const rest = i & 7;
      if (rest !== 0) {
        const mask = (0xff << (8 - rest)) & 0xff;
        block[whole] = ((address[whole] ?? 0) & mask) | ((this.pad[whole] ?? 0) & ~mask & 0xff);
      }
    }
    const out = this.encrypt(inputs);
    const result = new Uint8Array(bytes);
    for (let i = 0; i < bits; i++) {
      const bit = ((out[16 * i] ?? 0) >> 7) & 1;
      result[i >> 3] = (result[i >> 3] ?? 0) | (bit << (7 - (i & 7)));
    }
    for (let b = 0; b < bytes; b++) result[b] = (result[b] ?? 0) ^ (address[b] ?? 0);
    return result;
  }

  /**
   * Anonymises an IPv4 address.
   *
   * @param address - At least 4 bytes, network order (the first 4 are used).
   * @returns 4 bytes.
   */
  anonymizeIPv4(address: Uint8Array): Uint8Array {
    if (address.length < 4) throw new RangeError(`an IPv4 address is 4 bytes, got ${address.length}`);
    return this.anonymizeBits(address, 32);
  }

  /**
   * Anonymises an IPv6 address.
   *
   * @param address - 16 bytes, network order.
   * @returns 16 bytes.
   */
  anonymizeIPv6(address: Uint8Array): Uint8Array {
    if (address.length < 16) throw new RangeError(`an IPv6 address is 16 bytes, got ${address.length}`);
    return this.anonymizeBits(address, 128);
  }

  /** {@inheritDoc AddressAnonymizer.anonymizeBytes} */
  anonymizeBytes(ipVersion: number, bytes: Uint8Array): Uint8Array {
    const out = new Uint8Array(bytes);
    if (ipVersion === 4) out.set(this.anonymizeIPv4(bytes), 0);
    else if (ipVersion === 6) out.set(this.anonymizeIPv6(bytes), 0);
    else throw new RangeError(`IP version must be 4 or 6, got ${ipVersion}`);
    return out;
  }

  /** {@inheritDoc AddressAnonymizer.anonymizeAddress} */
  anonymizeAddress(text: string): string {
    const cached = this.textCache.get(text);
    if (cached !== undefined) return cached;
    const version = net.isIP(text);
    let result = text;
    if (version === 4) result = ipv4ToText(this.anonymizeIPv4(ipv4FromText(text)));
    else if (version === 6) result = formatIPv6(this.anonymizeIPv6(ipv6FromText(text)));
    if (this.textCache.size >= CACHE_LIMIT) this.textCache.clear();
    this.textCache.set(text, result);
    return result;
  }
}

/**
 * Parses address text (dotted IPv4, or IPv6 with `::` or a dotted tail) into network-order bytes.
 *
 * @param text - The address.
 * @returns 4 bytes for IPv4, 16 for IPv6.
 * @throws RangeError when the text is not an IP address.
 * @example
 * ```ts
 * import { addressToBytes } from 'monitor-cli';
 * addressToBytes('192.0.2.1'); // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function addressToBytes(text: string): Uint8Array {
  const v = net.isIP(text);
  if (v === 4) return ipv4FromText(text);
  if (v === 6) return ipv6FromText(text);
  throw new RangeError(`not an IP address: ${text}`);
}

/** Parses dotted IPv4 text (already checked by `net.isIP`). */
function ipv4FromText(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map((p) => Number(p)));
}

function ipv4ToText(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** Parses IPv6 text (already checked by `net.isIP`), including `::` and a dotted IPv4 tail. */
function ipv6FromText(text: string): Uint8Array {
  const zone = text.indexOf('%');
  const clean = zone >= 0 ? text.slice(0, zone) : text;
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = ipv4FromText(g);
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const gap = clean.indexOf('::');
  let all: number[];
  if (gap >= 0) {
    const head = groups(clean.slice(0, gap));
    const tail = groups(clean.slice(gap + 2));
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else all = groups(clean);
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * Anonymises the addresses inside a free-text value: a whole value that is an address, or
 * `address:port`, or `[IPv6]:port` (as a Host header or a log line writes them). Anything
 * else comes back unchanged.
 *
 * @param anonymizer - The anonymiser.
 * @param text - The value.
 * @example
 * ```ts
 * import { CryptoPan, anonymizeHostText } from 'monitor-cli';
 * anonymizeHostText(CryptoPan.fromOption('passphrase!'), '192.0.2.1:8080'); // '<anonymised>:8080'
 * ```
 */
export function anonymizeHostText(anonymizer: AddressAnonymizer, text: string): string {
  if (net.isIP(text) !== 0) return anonymizer.anonymizeAddress(text);
  const bracket = /^\[([^\]]+)\](:\d+)?$/.exec(text);
  if (bracket?.[1] !== undefined && net.isIP(bracket[1]) === 6) return `[${anonymizer.anonymizeAddress(bracket[1])}]${bracket[2] ?? ''}`;
  const v4port = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  if (v4port?.[1] !== undefined && net.isIP(v4port[1]) === 4) return `${anonymizer.anonymizeAddress(v4port[1])}:${v4port[2] ?? ''}`;
  return text;
}
