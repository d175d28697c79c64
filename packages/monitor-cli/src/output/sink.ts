/**
 * Output targets: a stream (stdout) or a file given by `--output FILE` / `--pcapng FILE`,
 * created atomically (written to a temporary file next to it, renamed over it on success,
 * removed on failure), with writes batched into large chunks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where formatted output goes. Obtain one with {@link openOutput}. */
export interface OutputTarget {
  /** Queues text (UTF-8) or bytes; they reach the file or stream in large chunks. */
  write(chunk: string | Uint8Array): void;
  /** Hands everything queued to the OS (file) or stream, and waits until a stream has drained. */
  flush(): Promise<void>;
  /**
   * Finishes successfully: flushes, and for a file syncs it and renames the temporary file
   * to its final name. Idempotent.
   * @throws {@link OutputError} when writing, syncing or renaming failed (the temporary file is removed).
   */
  close(): Promise<void>;
  /** Finishes after a failure: drops what is queued and, for a file, removes the temporary file (the final name is left as it was). Idempotent. */
  abort(): void;
  /** The final path for a file target, else undefined. */
  readonly path: string | undefined;
  /** Bytes handed to the OS or stream so far. */
  readonly bytesWritten: number;
}

/** An output could not be written; `message` names the file and the cause, `fix` what to do. */
export class OutputError extends Error {
  /** What to do about it. */
  readonly fix: string;
  /**
   * @param message - What failed.
   * @param fix - What to do about it.
   */
  constructor(message: string, fix: string) {
    super(`${message} (${fix})`);
    this.name = 'OutputError';
    this.fix = fix;
  }
}

/** Where {@link openOutput} writes: a file (atomically) or a stream. */
export interface OutputOptions {
  /** Final path of the file; when set, `stream` is ignored. */
  file?: string;
  /** Stream to write to when no file is given (default `process.stdout`). Never ended by {@link OutputTarget.close}. */
  stream?: NodeJS.WritableStream;
  /** Bytes queued before they are written (default 256 KiB). */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 256 * 1024;

/** `CODE: reason` of a system error (`ENOSPC: no space left on device`), else its message. */
function describe(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e) {
    const message = String((e as { message: unknown }).message);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return message.startsWith(code) ? (message.split(',')[0] ?? code) : code;
    return message;
  }
  return String(e);
}

class FileOutput implements OutputTarget {
  readonly path: string;
  bytesWritten = 0;
  private readonly temp: string;
  private fd: number | undefined;
  private parts: (string | Uint8Array)[] = [];
  private queued = 0;
  private done = false;

  constructor(
    file: string,
    private readonly chunkSize: number,
  ) {
    this.path = path.resolve(file);
    const dir = path.dirname(this.path);
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(this.path);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory() === true) throw new OutputError(`cannot write ${file}: it is a directory`, 'give a file name');
    if (!fs.existsSync(dir)) throw new OutputError(`cannot write ${file}: the directory ${dir} does not exist`, 'create it first or give another path');
    this.temp = path.join(dir, `.${path.basename(this.path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      this.fd = fs.openSync(this.temp, 'wx', 0o644);
    } catch (e) {
      throw new OutputError(`cannot create ${file}: ${describe(e)}`, 'check that the directory is writable');
    }
  }

  write(chunk: string | Uint8Array): void {
    if (this.done) throw new OutputError(`cannot write ${this.path}: it is already closed`, 'this is a bug in monitor-cli');
    this.parts.push(chunk);
    this.queued += typeof chunk === 'string' ? chunk.length : chunk.length;
    if (this.queued >= this.chunkSize) this.drainSync();
  }

  private drainSync(): void {
    if (this.parts.length === 0 || this.fd === undefined) return;
    const buffers = this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
    const data = buffers.length === 1 ? (buffers[0] as Uint8Array) : Buffer.concat(buffers);
    this.parts = [];
    this.queued = 0;
    try {
      let off = 0;
      while (off < data.length) {
        const n = fs.writeSync(this.fd, data, off, data.length - off);
        off += n;
        this.bytesWritten += n;
      }
    } catch (e) {
      this.abort();
      throw new OutputError(`writing ${this.path} failed after ${this.bytesWritten} bytes: ${describe(e)}`, 'free disk space or choose another path; nothing was left behind');
    }
  }

  // async: a failure rejects the promise instead of throwing at the call.
  async flush(): Promise<void> {
    this.drainSync();
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.drainSync();
    const fd = this.fd;
    if (fd === undefined) return;
    try {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      this.fd = undefined;
      fs.renameSync(this.temp, this.path);
    } catch (e) {
      this.abort();
      throw new OutputError(`finishing ${this.path} failed: ${describe(e)}`, 'free disk space or choose another path; nothing was left behind');
    }
    this.done = true;
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.parts = [];
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    fs.rmSync(this.temp, { force: true });
  }
}

class StreamOutput implements OutputTarget {
  readonly path = undefined;
  bytesWritten = 0;
  private parts: string[] = [];
  private bytes: Uint8Array[] = [];
  private queued = 0;
  private waiting: Promise<void> | undefined;
  private error: Error | undefined;
  private done = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly chunkSize: number,
  ) {
    stream.on('error', (e: Error) => {
      this.error = e;
    });
  }

  write(chunk: string | Uint8Array): void {
    if (this.done || this.error !== undefined) return;
    if (typeof chunk === 'string') {
      if (this.bytes.length > 0) this.push();
      this.parts.push(chunk);
    } else {
      if (this.parts.length > 0) this.push();
      this.bytes.push(chunk);
    }
    this.queued += chunk.length;
    if (this.queued >= this.chunkSize) this.push();
  }

  private push(): void {
    let data: string | Uint8Array;
    if (this.parts.length > 0) data = this.parts.join('');
    else if (this.bytes.length > 0) data = Buffer.concat(this.bytes);
    else return;
    this.parts = [];
    this.bytes = [];
    this.queued = 0;
    this.bytesWritten += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (!this.stream.write(data) && this.waiting === undefined) {
      this.waiting = new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.removeListener('drain', done);
          this.stream.removeListener('error', done);
          this.waiting = undefined;
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
      });
    }
  }

  async flush(): Promise<void> {
    this.push();
    if (this.waiting !== undefined) await this.waiting;
  }

  async close(): Promise<void> {
    if (this.done) return;
    await this.flush();
    this.done = true;
    const e = this.error as NodeJS.ErrnoException | undefined;
    // A reader that went away (`monitor-cli … | head`) is not a failure of ours.
    if (e !== undefined && e.code !== 'EPIPE') throw new OutputError(`writing the output failed: ${describe(e)}`, 'check where the output goes');
  }

  abort(): void {
    this.done = true;
    this.parts = [];
    this.bytes = [];
  }
}

/**
 * Opens an output target: the file `options.file` (created atomically: nothing appears
 * under that name until {@link OutputTarget.close} succeeds, and a failed or aborted write
 * leaves no file behind), else `options.stream` (default stdout).
 *
 * @throws {@link OutputError} when the file's directory does not exist, the path is a
 * directory, or the temporary file cannot be created.
 * @example
 * ```ts
 * import { openOutput } from 'monitor-cli';
 * const out = openOutput({ file: 'flows.jsonl' });
 * try {
 *   out.write('{"a":1}\n');
 *   await out.close();
 * } catch (e) {
 *   out.abort();
 *   throw e;
 * }
 * ```
 */
export function openOutput(options: OutputOptions = {}): OutputTarget {
  const chunk = options.chunkSize ?? DEFAULT_CHUNK;
  if (options.file !== undefined) return new FileOutput(options.file, chunk);
  return new StreamOutput(options.stream ?? process.stdout, chunk);
}
