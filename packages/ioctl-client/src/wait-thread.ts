/*
 * Wait threads: a request that pended (ERROR_IO_PENDING) is waited for on a dedicated OS thread
 * — a worker_threads Worker running the small plain-JS script below with its own koffi — which
 * calls GetOverlappedResult(handle, overlapped, &n, bWait = TRUE) and, when that fails,
 * GetLastError right after on the same thread. The main thread never blocks and nothing spins.
 *
 * Why a Worker rather than koffi's `.async`: `.async` runs on libuv's shared thread pool (4
 * threads by default, also serving fs, dns and zlib), so long-polls parked there for seconds
 * would starve the rest of the process; and a sequence of `.async` calls is not guaranteed to
 * stay on one thread, while GetLastError must be read on the thread of the failing call. A
 * Worker is one OS thread we own: the wait and its GetLastError are one synchronous sequence on
 * it. One Worker serves one wait at a time; a second concurrent wait gets another Worker (idle
 * ones are kept, unref'd, so they never keep the process alive).
 */
import { Worker } from 'node:worker_threads';

import { KERNEL32_PROTOTYPES } from './kernel32';
import type { NativeHandle } from './kernel32';

/** What a wait thread reports for one request. */
export interface WaitResult {
  /** GetOverlappedResult returned TRUE. */
  readonly ok: boolean;
  /** `*lpNumberOfBytesTransferred`. */
  readonly bytes: number;
  /** GetLastError() right after a failing GetOverlappedResult, on the wait thread; 0 when ok. */
  readonly error: number;
}

interface WaitRequest {
  readonly id: number;
  readonly handle: NativeHandle;
  readonly overlapped: Uint8Array;
}

interface WaitReply extends WaitResult {
  readonly id: number;
}

/** The wait thread's script (plain JS: workers do not go through the TypeScript toolchain). */
const WAIT_THREAD_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffiPath);
const lib = koffi.load(workerData.libraryPath);
const bind = (name) => {
  const [ret, args] = workerData.prototypes[name];
  return lib.func('__stdcall', name, ret, args);
};
const GetOverlappedResult = bind('GetOverlappedResult');
const GetLastError = bind('GetLastError');
const transferred = new Uint32Array(1);
parentPort.on('message', (request) => {
  transferred[0] = 0;
  const ok = GetOverlappedResult(request.handle, request.overlapped, transferred, 1) !== 0;
  const error = ok ? 0 : GetLastError(); // same thread as the failing call
  parentPort.postMessage({ id: request.id, ok, bytes: transferred[0], error });
});
`;

interface Waiter {
  readonly worker: Worker;
  pending: { resolve: (r: WaitResult) => void; reject: (e: unknown) => void } | null;
}

/** The wait threads of one native library. */
export class WaitThreadPool {
  readonly #libraryPath: string;
  readonly #idle: Waiter[] = [];
  readonly #all = new Set<Waiter>();
  #nextId = 1;
  /** Idle threads kept for reuse. */
  readonly maxIdle: number;

  constructor(libraryPath: string, maxIdle = 2) {
    this.#libraryPath = libraryPath;
    this.maxIdle = maxIdle;
  }

  /** Threads alive (busy or idle). */
  get size(): number {
    return this.#all.size;
  }

  /** Starts one idle thread now, so the first long-poll does not pay the start-up. */
  prewarm(): void {
    if (this.#idle.length === 0) this.#idle.push(this.#spawn());
  }

  /**
   * Waits on a wait thread for the request issued with `overlapped` (a Uint8Array over a
   * SharedArrayBuffer, so the thread sees the same memory) to complete.
   */
  wait(handle: NativeHandle, overlapped: Uint8Array): Promise<WaitResult> {
    const waiter = this.#idle.pop() ?? this.#spawn();
    waiter.worker.ref(); // a pending request keeps the process alive, like any pending I/O
    return new Promise<WaitResult>((resolve, reject) => {
      waiter.pending = { resolve, reject };
      const request: WaitRequest = { id: this.#nextId++, handle, overlapped };
      waiter.worker.postMessage(request);
    });
  }

  /** Ends every thread (a pending wait rejects). */
  async destroy(): Promise<void> {
    const all = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(all.map((w) => w.worker.terminate()));
  }

  #spawn(): Waiter {
    const worker = new Worker(WAIT_THREAD_SOURCE, {
      eval: true,
      workerData: { koffiPath: require.resolve('koffi'), libraryPath: this.#libraryPath, prototypes: KERNEL32_PROTOTYPES },
    });
    const waiter: Waiter = { worker, pending: null };
    this.#all.add(waiter);
    worker.on('message', (reply: WaitReply) => {
      const p = waiter.pending;
      waiter.pending = null;
      worker.unref();
      if (this.#all.has(waiter)) {
        if (this.#idle.length < this.maxIdle) this.#idle.push(waiter);
        else {
          this.#all.delete(waiter);
          void worker.terminate();
        }
      }
      p?.resolve({ ok: reply.ok, bytes: reply.bytes, error: reply.error });
    });
    const fail = (error: unknown): void => {
      this.#all.delete(waiter);
      const i = this.#idle.indexOf(waiter);
      if (i >= 0) this.#idle.splice(i, 1);
      const p = waiter.pending;
      waiter.pending = null;
      p?.reject(error instanceof Error ? error : new Error(`the wait thread ended: ${String(error)}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the wait thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    return waiter;
  }
}
