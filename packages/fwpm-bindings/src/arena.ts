import koffi from './raw/koffi';
import type { TypeObject } from './raw/koffi';

const CHUNK = 64 * 1024;
const TWO32 = 0x1_0000_0000;
const PTR64 = koffi.sizeof('void *') === 8;

interface Chunk {
  bytes: Uint8Array;
  view: DataView;
  buf: Buffer;
  /** Native address of byte 0, as a number (user-space addresses fit in 53 bits). */
  base: number;
}

function newChunk(size: number): Chunk {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer), buf: Buffer.from(bytes.buffer), base: Number(koffi.address(bytes)) };
}

const zero = Uint8Array.prototype.fill;

/**
 * Memory for one native call: Node-owned chunks that stay referenced until the call returns,
 * handed out in aligned, zeroed pieces with their native addresses. No native allocation,
 * nothing to free.
 *
 * The hot paths use {@link Arena.scratch}, one arena per process that is reset and reused
 * call after call (its chunks are kept), instead of allocating fresh chunks for every call.
 * Writers address the current chunk through {@link Arena.bytes8}/{@link Arena.view}: capture
 * them right after {@link Arena.reserve}, because a later reservation may start a new chunk.
 */
export class Arena {
  private chunks: Chunk[] = [];
  private idx = -1;
  private cur: Chunk | undefined;
  private off = 0;
  private used = 0;
  private busy = false;

  private static shared: Arena | undefined;

  /**
   * The process-wide scratch arena, reset, when it is free; a fresh arena when a caller is
   * still using it (re-entrancy). Give it back with {@link Arena.done}.
   */
  static scratch(): Arena {
    const a = (Arena.shared ??= new Arena());
    if (a.busy) return new Arena();
    a.busy = true;
    return a;
  }

  /**
   * Ends a use of the arena (call after the native call returned): the scratch arena becomes
   * free again and its memory is reused by the next call; if the call needed several chunks,
   * they are merged into one big enough for next time.
   */
  done(): void {
    if (this.chunks.length > 1 || this.idx > 0) {
      const total = this.chunks.reduce((n, c) => n + c.bytes.length, 0);
      this.chunks = [newChunk(total)];
    }
    this.idx = -1;
    this.cur = undefined;
    this.off = 0;
    this.used = 0;
    this.busy = false;
  }

  /** The bytes of the chunk the last reservation came from. */
  get bytes8(): Uint8Array {
    return (this.cur as Chunk).bytes;
  }

  /** A DataView of the chunk the last reservation came from. */
  get view(): DataView {
    return (this.cur as Chunk).view;
  }

  /** Native address (as a number) of byte 0 of the chunk the last reservation came from. */
  get base(): number {
    return (this.cur as Chunk).base;
  }

  /**
   * Reserves `size` zeroed bytes in the current chunk (starting a new one when needed).
   *
   * @returns the offset in {@link Arena.bytes8} / {@link Arena.view}
   */
  reserve(size: number, align = 8): number {
    let off = (this.off + align - 1) & ~(align - 1);
    if (this.cur === undefined || off + size > this.cur.bytes.length) {
      this.next(size + align);
      off = 0;
    }
    this.off = off + size;
    zero.call((this.cur as Chunk).bytes, 0, off, off + size);
    return off;
  }

  private next(min: number): void {
    this.idx++;
    const c = this.chunks[this.idx];
    if (c && c.bytes.length >= min) {
      this.cur = c;
    } else {
      this.cur = newChunk(Math.max(CHUNK, min));
      this.chunks.splice(this.idx, 0, this.cur);
    }
    this.off = 0;
    this.used++;
  }

  /**
   * Reserves `size` bytes.
   *
   * @returns the buffer, the offset in it, and the native address of the piece
   */
  alloc(size: number, align = 8): { buf: Buffer; off: number; addr: bigint } {
    const off = this.reserve(size, align);
    const c = this.cur as Chunk;
    return { buf: c.buf, off, addr: BigInt(c.base + off) };
  }

  /** Encodes one struct and returns its address. */
  struct(type: TypeObject, value: unknown): bigint {
    const p = this.alloc(type.size, type.alignment);
    koffi.encode(p.buf, p.off, type, value);
    return p.addr;
  }

  /** Copies bytes and returns their address. */
  bytes(data: Uint8Array): bigint {
    return BigInt(this.copy(data, 8));
  }

  /** Copies bytes and returns their address as a number. */
  copy(data: Uint8Array, align = 1): number {
    const off = this.reserve(Math.max(1, data.length), align);
    const c = this.cur as Chunk;
    c.bytes.set(data, off);
    return c.base + off;
  }

  /** A NUL-terminated UTF-16LE copy of a string; NULL for undefined. */
  wstr(s: string | undefined | null): bigint | null {
    if (s === undefined || s === null) return null;
    return BigInt(this.wstrAddr(s));
  }

  /** A NUL-terminated UTF-16LE copy of a string; its address as a number. */
  wstrAddr(s: string): number {
    const n = s.length;
    const off = this.reserve(2 * n + 2, 2);
    const c = this.cur as Chunk;
    if (n <= 32) {
      const b = c.bytes;
      for (let i = 0, o = off; i < n; i++, o += 2) {
        const ch = s.charCodeAt(i);
        b[o] = ch & 0xff;
        b[o + 1] = ch >>> 8;
      }
    } else {
      c.buf.write(s, off, 'utf16le');
    }
    return c.base + off;
  }

  /**
   * Keeps the memory alive until this point (call after the native call); for the scratch
   * arena, also the same as {@link Arena.done}.
   */
  release(): number {
    const n = this.used;
    if (this.busy) this.done();
    else {
      this.chunks = [];
      this.idx = -1;
      this.cur = undefined;
      this.off = 0;
      this.used = 0;
    }
    return n;
  }
}

/** Writes a native pointer (an address as a number, 0 for NULL) at `off`. */
export function writePtr(view: DataView, off: number, addr: number): void {
  if (PTR64) {
    view.setUint32(off, addr % TWO32, true);
    view.setUint32(off + 4, Math.floor(addr / TWO32), true);
  } else {
    view.setUint32(off, addr, true);
  }
}

/** Reads a native pointer at `off` as a number (0 for NULL). */
export function readPtr(view: DataView, off: number): number {
  if (PTR64) return view.getUint32(off, true) + view.getUint32(off + 4, true) * TWO32;
  return view.getUint32(off, true);
}
