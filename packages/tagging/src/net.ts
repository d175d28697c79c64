/**
 * Wire-format helpers: addresses as the contract carries them (network byte order, IPv4 in
 * the first 4 bytes of a 16-byte field), TLS ALPN lists as on the wire, protocol names.
 */

/**
 * Formats the first 4 bytes of `bytes` (network byte order) as a dotted-quad IPv4 address.
 *
 * @param bytes - At least 4 bytes; a contract address field holds 16, IPv4 in the first 4.
 * @throws RangeError when fewer than 4 bytes are given.
 * @example
 * ```ts
 * import { formatIPv4 } from '@wfpkit/tagging';
 * formatIPv4(new Uint8Array([192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // '192.0.2.1'
 * ```
 */
export function formatIPv4(bytes: Uint8Array): string {
  if (bytes.length < 4) throw new RangeError(`formatIPv4: needs 4 bytes, got ${bytes.length}`);
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/**
 * Formats 16 bytes (network byte order) as an IPv6 address in the RFC 5952 canonical text
 * form: lower-case hexadecimal, no leading zeros in a group, the longest run of two or more
 * all-zero groups replaced by `::` (the first such run when two are equally long; a single
 * zero group is never compressed), and IPv4-mapped addresses (`::ffff:0:0/96`) written with
 * the IPv4 part dotted (RFC 5952 section 5).
 *
 * @param bytes - At least 16 bytes; the first 16 are used.
 * @throws RangeError when fewer than 16 bytes are given.
 * @example
 * ```ts
 * import { formatIPv6 } from '@wfpkit/tagging';
 * const a = new Uint8Array(16); a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8; a[15] = 1;
 * formatIPv6(a); // '2001:db8::1'
 * ```
 */
export function formatIPv6(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError(`formatIPv6: needs 16 bytes, got ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));

  // IPv4-mapped ::ffff:a.b.c.d
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes.subarray(12, 16))}`;
  }

  // Longest run of zero groups (length >= 2); the first wins a tie.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number | undefined): string => (g ?? 0).toString(16);
  if (bestLength < 2) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLength).map(hex).join(':');
  return `${head}::${tail}`;
}

/**
 * Formats a contract address field (16 bytes, network byte order) for the given IP version:
 * IPv4 dotted from the first 4 bytes, IPv6 per RFC 5952.
 *
 * @param ipVersion - 4 or 6, as `FlowEndpoints.ipVersion`.
 * @param bytes - The address field.
 * @throws RangeError for another IP version or too few bytes.
 * @example
 * ```ts
 * import { formatAddress } from '@wfpkit/tagging';
 * formatAddress(4, new Uint8Array([10, 0, 0, 7, ...new Array<number>(12).fill(0)])); // '10.0.0.7'
 * formatAddress(6, new Uint8Array(16)); // '::'
 * ```
 */
export function formatAddress(ipVersion: number, bytes: Uint8Array): string {
  if (ipVersion === 4) return formatIPv4(bytes);
  if (ipVersion === 6) return formatIPv6(bytes);
  throw new RangeError(`formatAddress: IP version must be 4 or 6, got ${ipVersion}`);
}

/** What {@link decodeAlpn} found in an ALPN protocol list. */
export interface AlpnList {
  /** The protocol names that decoded, in wire order (printable ASCII as is, other bytes as `\xNN`). */
  protocols: string[];
  /**
   * True when the bytes were not a well-formed list: a zero length byte (RFC 7301 forbids
   * empty names) or a name running past the end (for example a list cut by the record
   * limit). Names before the fault are kept; decoding stops at it.
   */
  malformed: boolean;
}

function alpnName(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * Decodes a TLS ALPN protocol name list as the contract carries it (`FlowClassifiedRecord.alpn`:
 * each name preceded by its one-byte length, without the two-byte list length of the TLS
 * extension). Never throws: a malformed list yields the names decoded before the fault and
 * `malformed: true`.
 *
 * @param bytes - The wire bytes.
 * @example
 * ```ts
 * import { decodeAlpn } from '@wfpkit/tagging';
 * decodeAlpn(new Uint8Array([2, 0x68, 0x32, 8, ...new TextEncoder().encode('http/1.1')]));
 * // { protocols: ['h2', 'http/1.1'], malformed: false }
 * decodeAlpn(new Uint8Array([5, 0x68, 0x32])); // { protocols: [], malformed: true }
 * ```
 */
export function decodeAlpn(bytes: Uint8Array): AlpnList {
  const protocols: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const length = bytes[i] ?? 0;
    if (length === 0 || i + 1 + length > bytes.length) return { protocols, malformed: true };
    protocols.push(alpnName(bytes.subarray(i + 1, i + 1 + length)));
    i += 1 + length;
  }
  return { protocols, malformed: false };
}

/** Name of an IP protocol number: the common ones by name, any other as `ip-<number>`. */
export type IpProtocolName = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | `ip-${number}`;

/**
 * Names an IP protocol number (the `ipProtocol` of a contract 5-tuple).
 *
 * @param protocol - IANA protocol number.
 * @example
 * ```ts
 * import { ipProtocolName } from '@wfpkit/tagging';
 * ipProtocolName(6); // 'tcp'
 * ipProtocolName(132); // 'ip-132'
 * ```
 */
export function ipProtocolName(protocol: number): IpProtocolName {
  switch (protocol) {
    case 1:
      return 'icmp';
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 58:
      return 'icmpv6';
    default:
      return `ip-${protocol}`;
  }
}

/**
 * Names a TLS protocol version number (as `FlowClassifiedRecord.tlsVersion` carries it).
 *
 * @param version - The 16-bit version; 0 means "not TLS".
 * @returns `'SSL 3.0'`, `'TLS 1.0'` … `'TLS 1.3'`, `0x…` hex for other values (such as GREASE),
 * or `undefined` for 0.
 * @example
 * ```ts
 * import { tlsVersionName } from '@wfpkit/tagging';
 * tlsVersionName(0x0304); // 'TLS 1.3'
 * tlsVersionName(0x7f1c); // '0x7f1c'
 * ```
 */
export function tlsVersionName(version: number): string | undefined {
  switch (version) {
    case 0:
      return undefined;
    case 0x0300:
      return 'SSL 3.0';
    case 0x0301:
      return 'TLS 1.0';
    case 0x0302:
      return 'TLS 1.1';
    case 0x0303:
      return 'TLS 1.2';
    case 0x0304:
      return 'TLS 1.3';
    default:
      return `0x${version.toString(16).padStart(4, '0')}`;
  }
}
