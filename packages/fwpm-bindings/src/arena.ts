import koffi from './raw/koffi';
import type { TypeObject } from './raw/koffi';

const CHUNK = 64 * 1024;

/**
 * Memory for one native call: zeroed Node buffers that stay referenced until the call returns,
 * handed out in aligned pieces with their native addresses. No native allocation, nothing to free.
 */
export class Arena {
  private chunks: Buffer[] = [];
  private cur: Buffer = Buffer.alloc(0);
  private base = 0n;
  private off = 0;

  /**
   * Reserves `size` bytes.
   *
   * @returns the buffer, the offset in it, and the native address of the piece
   */
  alloc(size: number, align = 8): { buf: Buffer; off: number; addr: bigint } {
    let off = (this.off + align - 1) & ~(align - 1);
    if (off + size > this.cur.length) {
      this.cur = Buffer.alloc(Math.max(CHUNK, size + align));
      this.chunks.push(this.cur);
      this.base = koffi.address(this.cur);
      off = 0;
    }
    this.off = off + size;
    return { buf: this.cur, off, addr: this.base + BigInt(off) };
  }

  /** Encodes one struct and returns its address. */
  struct(type: TypeObject, value: unknown): bigint {
    const p = this.alloc(type.size, type.alignment);
    koffi.encode(p.buf, p.off, type, value);
    return p.addr;
  }

  /** Copies bytes and returns their address (NULL for an empty input). */
  bytes(data: Uint8Array): bigint {
    const p = this.alloc(Math.max(1, data.length), 8);
    p.buf.set(data, p.off);
    return p.addr;
  }

  /** A NUL-terminated UTF-16LE copy of a string; NULL for undefined. */
  wstr(s: string | undefined | null): bigint | null {
    if (s === undefined || s === null) return null;
    const p = this.alloc(2 * s.length + 2, 2);
    p.buf.write(s, p.off, 'utf16le');
    return p.addr;
  }

  /** Keeps the memory alive until this point (call after the native call). */
  release(): number {
    const n = this.chunks.length;
    this.chunks = [];
    return n;
  }
}
