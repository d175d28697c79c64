import { randomUUID } from 'node:crypto';

declare const guidBrand: unique symbol;
/** A GUID as a lower-case string without braces (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`). */
export type Guid = string & { readonly [guidBrand]: 'Guid' };

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/**
 * Checks and normalises a GUID string.
 *
 * @param text - a GUID, any case, with or without braces
 * @returns the branded, lower-case GUID
 * @throws TypeError if `text` is not a GUID
 * @example
 * ```ts
 * const key = guid('{C38D57D1-05A7-4C33-904F-7FBCEEE60E82}'); // 'c38d57d1-05a7-4c33-904f-7fbceee60e82'
 * ```
 */
export function guid(text: string): Guid {
  const m = GUID_RE.exec(text);
  if (!m) throw new TypeError(`"${text}" is not a GUID: expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.`);
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() as Guid;
}

/**
 * Makes a new random GUID, for the keys of providers, sublayers, callouts and filters.
 *
 * @returns a fresh GUID
 * @example
 * ```ts
 * await engine.addSublayer({ key: newGuid(), name: 'my sublayer', weight: 0x100 });
 * ```
 */
export function newGuid(): Guid {
  return randomUUID() as Guid;
}

/** Whether a value is a well-formed GUID string. */
export function isGuid(text: unknown): text is Guid {
  return typeof text === 'string' && GUID_RE.test(text);
}

/**
 * Writes a GUID in its in-memory layout (Data1..Data3 little-endian, Data4 as bytes).
 *
 * @param g - the GUID
 * @param out - destination
 * @param offset - where to write the 16 bytes
 */
export function writeGuid(g: string, out: Buffer, offset: number): void {
  const hex = guid(g).replace(/-/g, '');
  out.writeUInt32LE(parseInt(hex.slice(0, 8), 16), offset);
  out.writeUInt16LE(parseInt(hex.slice(8, 12), 16), offset + 4);
  out.writeUInt16LE(parseInt(hex.slice(12, 16), 16), offset + 6);
  out.write(hex.slice(16), offset + 8, 8, 'hex');
}

/**
 * Reads a GUID from its in-memory layout.
 *
 * @param buf - source
 * @param offset - where the 16 bytes start
 * @returns the GUID string
 */
export function readGuid(buf: Uint8Array, offset = 0): Guid {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  const d4 = b.subarray(offset + 8, offset + 16).toString('hex');
  return `${h(b.readUInt32LE(offset), 8)}-${h(b.readUInt16LE(offset + 4), 4)}-${h(b.readUInt16LE(offset + 6), 4)}-${d4.slice(0, 4)}-${d4.slice(4)}` as Guid;
}

/** A GUID as koffi decodes the `GUID` struct. */
export interface GuidStruct {
  Data1: number;
  Data2: number;
  Data3: number;
  Data4: number[];
}

/**
 * Converts a decoded `GUID` struct to a string.
 *
 * @param s - the struct as koffi returns it
 * @returns the GUID string
 */
export function guidFromStruct(s: GuidStruct): Guid {
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  const d4 = s.Data4.map((x) => h(x, 2)).join('');
  return `${h(s.Data1 >>> 0, 8)}-${h(s.Data2, 4)}-${h(s.Data3, 4)}-${d4.slice(0, 4)}-${d4.slice(4)}` as Guid;
}

/**
 * Converts a GUID string to the object koffi encodes as a `GUID` struct.
 *
 * @param g - the GUID
 * @returns Data1..Data4
 */
export function guidStruct(g: string): GuidStruct {
  const hex = guid(g).replace(/-/g, '');
  const d4: number[] = [];
  for (let i = 16; i < 32; i += 2) d4.push(parseInt(hex.slice(i, i + 2), 16));
  return { Data1: parseInt(hex.slice(0, 8), 16), Data2: parseInt(hex.slice(8, 12), 16), Data3: parseInt(hex.slice(12, 16), 16), Data4: d4 };
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where each of the 16 in-memory bytes comes from in `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const TEXT_POS = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push(i.toString(16).padStart(2, '0'));

const bytesCache = new Map<string, Uint8Array>();

/**
 * Writes a normalised GUID ({@link guid}'s output: lower case, no braces) in its in-memory
 * layout, without intermediate objects.
 *
 * @param g - the GUID
 * @param out - destination
 * @param offset - where the 16 bytes go
 */
export function writeGuidFast(g: Guid, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const p = TEXT_POS[i] as number;
    out[offset + i] = ((HEX_VALUE[g.charCodeAt(p)] as number) << 4) | (HEX_VALUE[g.charCodeAt(p + 1)] as number);
  }
}

/**
 * The in-memory bytes of a normalised GUID that recurs (layer, sublayer, provider, field
 * keys), from a small cache.
 *
 * @param g - the GUID
 * @returns 16 bytes; do not modify
 */
export function guidBytes(g: Guid): Uint8Array {
  let b = bytesCache.get(g);
  if (!b) {
    b = new Uint8Array(16);
    writeGuidFast(g, b, 0);
    if (bytesCache.size >= 4096) bytesCache.clear();
    bytesCache.set(g, b);
  }
  return b;
}

/**
 * Reads a GUID from its in-memory layout (fast path of {@link readGuid}).
 *
 * @param b - source bytes
 * @param o - where the 16 bytes start
 * @returns the GUID string
 */
export function readGuidFast(b: Uint8Array, o: number): Guid {
  return (hx(b, o + 3) + hx(b, o + 2) + hx(b, o + 1) + hx(b, o) + '-' + hx(b, o + 5) + hx(b, o + 4) + '-' + hx(b, o + 7) + hx(b, o + 6) + '-' +
    hx(b, o + 8) + hx(b, o + 9) + '-' + hx(b, o + 10) + hx(b, o + 11) + hx(b, o + 12) + hx(b, o + 13) + hx(b, o + 14) + hx(b, o + 15)) as Guid;
}

function hx(b: Uint8Array, i: number): string {
  return HEX_BYTE[b[i] as number] as string;
}
