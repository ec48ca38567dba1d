// `wasi:io/{error,poll,streams}@0.2.0` in memory. Request and response bodies are whole byte
// arrays once a component reads them (a request's is fetched at its first read: http/request-body.ts),
// so every stream is ready at once; the only thing a component can wait for is a clock, and
// `poll` sleeps with Atomics.wait until the earliest deadline.
// (preview2-shim's streams make a synchronous round-trip to its I/O worker per call instead.)
import { ComponentError } from '../errors.ts';

/** `wasi:io/streams` `stream-error`. */
export type StreamErrorPayload = { tag: 'last-operation-failed'; val: IoError } | { tag: 'closed' };

export class StreamError extends ComponentError<StreamErrorPayload> {
  override name = 'StreamError';
}

const CLOSED = (): StreamError => new StreamError({ tag: 'closed' });

/** `wasi:io/error` `error`. */
export class IoError {
  readonly #message: string;
  constructor(message: string) {
    this.#message = message;
  }
  toDebugString(): string {
    return this.#message;
  }
}

/** Monotonic time in nanoseconds (`wasi:clocks/monotonic-clock` instant). */
export const monotonicNow = (): bigint => process.hrtime.bigint();

/**
 * `wasi:io/poll` `pollable`: ready now (in-memory streams, futures that are already resolved) or at a
 * monotonic deadline (clock subscriptions).
 */
export class Pollable {
  readonly #deadline: bigint | undefined;
  /** `deadline` in monotonic nanoseconds; undefined → always ready */
  constructor(deadline?: bigint) {
    this.#deadline = deadline;
  }
  /** nanoseconds until ready (0 when ready) */
  remaining(now: bigint = monotonicNow()): bigint {
    return this.#deadline === undefined || this.#deadline <= now ? 0n : this.#deadline - now;
  }
  ready(): boolean {
    return this.remaining() === 0n;
  }
  block(): void {
    for (let left = this.remaining(); left > 0n; left = this.remaining()) sleepNs(left);
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread: components are synchronous, so a pending timer is the whole thread's wait. */
function sleepNs(ns: bigint): void {
  Atomics.wait(sleepCell, 0, 0, Number(ns) / 1e6);
}

/** `wasi:io/poll` `poll`: the indices of the ready pollables, waiting for the earliest deadline if none is. */
export function poll(pollables: readonly Pollable[]): Uint32Array {
  if (pollables.length === 0) throw new Error('wasi:io/poll: poll called with an empty list');
  for (;;) {
    const now = monotonicNow();
    let soonest: bigint | undefined;
    const ready: number[] = [];
    for (let i = 0; i < pollables.length; i++) {
      const left = pollables[i]!.remaining(now);
      if (left === 0n) ready.push(i);
      else if (soonest === undefined || left < soonest) soonest = left;
    }
    if (ready.length > 0) return Uint32Array.from(ready);
    sleepNs(soonest!);
  }
}

/** Where an input stream's bytes come from. */
export interface ByteSource {
  /** up to `max` bytes; an empty array when none are available yet; undefined once the stream ended */
  read(max: number): Uint8Array | undefined;
}

/** Where an output stream's bytes go. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
  flush?(): void;
  /** true once the stream may not be written any more (e.g. its body was finished) */
  readonly closed?: boolean;
}

/** A source over one byte array, read front to back. */
export class BytesSource implements ByteSource {
  #bytes: Uint8Array | (() => Uint8Array);
  #offset = 0;
  /** `bytes` as a function: fetched at the first read (a request body the component may never read) */
  constructor(bytes: Uint8Array | (() => Uint8Array)) {
    this.#bytes = bytes;
  }
  read(max: number): Uint8Array | undefined {
    if (typeof this.#bytes === 'function') {
      try {
        this.#bytes = this.#bytes();
      } catch (err) {
        throw new StreamError({ tag: 'last-operation-failed', val: new IoError(err instanceof Error ? err.message : String(err)) });
      }
    }
    const bytes = this.#bytes;
    if (this.#offset >= bytes.length) return undefined;
    const end = Math.min(bytes.length, this.#offset + max);
    const chunk = bytes.subarray(this.#offset, end);
    this.#offset = end;
    return chunk;
  }
}

/** A sink that keeps every chunk, in order. */
export class ChunksSink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  closed = false;
  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const toCount = (len: bigint): number => (len > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(len));

/** `wasi:io/streams` `input-stream`. */
export class InputStream {
  readonly #source: ByteSource;
  constructor(source: ByteSource) {
    this.#source = source;
  }
  read(len: bigint): Uint8Array {
    const chunk = this.#source.read(toCount(len));
    if (chunk === undefined) throw CLOSED();
    return chunk;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return READY_POLLABLE();
  }
}

/** Room reported by `check-write`: writes are copied into memory, so this is only a chunk size hint. */
export const WRITE_BUDGET = 1n << 20n;

/** `wasi:io/streams` `output-stream`. */
export class OutputStream {
  readonly #sink: ByteSink;
  constructor(sink: ByteSink) {
    this.#sink = sink;
  }
  checkWrite(): bigint {
    if (this.#sink.closed) throw CLOSED();
    return WRITE_BUDGET;
  }
  write(contents: Uint8Array): void {
    if (this.#sink.closed) throw CLOSED();
    this.#sink.write(contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
    this.#sink.flush?.();
  }
  flush(): void {
    if (this.#sink.closed) throw CLOSED();
    this.#sink.flush?.();
  }
  blockingFlush(): void {
    this.flush();
  }
  subscribe(): Pollable {
    return READY_POLLABLE();
  }
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(toCount(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.blockingWriteAndFlush(new Uint8Array(toCount(len)));
  }
  splice(src: InputStream, len: bigint): bigint {
    if (this.#sink.closed) throw CLOSED();
    const chunk = src.read(len);
    this.#sink.write(chunk);
    return BigInt(chunk.length);
  }
  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }
}

/**
 * A fresh always-ready pollable: each `subscribe` hands the component a new owned resource (jco ties
 * a JS object to one handle, so one shared object must never be given out twice).
 */
export function READY_POLLABLE(): Pollable {
  return new Pollable();
}

export function createIoImports() {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}
