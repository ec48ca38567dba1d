// The "memory" key-value mode with several workers: the main thread owns one MemoryKvBackend and
// each worker reaches it synchronously (components call KV synchronously): post the call on a
// MessagePort, sleep on a shared cell with Atomics.wait, take the reply with receiveMessageOnPort.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { KvBackend } from './store.ts';

type Op =
  | { op: 'get'; store: string; key: string }
  | { op: 'set'; store: string; key: string; value: Uint8Array }
  | { op: 'delete'; store: string; key: string }
  | { op: 'exists'; store: string; key: string }
  | { op: 'keys'; store: string };

type Reply = { ok: true; value: Uint8Array | boolean | string[] | undefined } | { ok: false; error: string };

const CALL_TIMEOUT_MS = 10_000;

/** Main thread: answers one worker's calls on `port` against `backend`. */
export function serveKv(backend: KvBackend, port: MessagePort, signal: SharedArrayBuffer): void {
  const cell = new Int32Array(signal);
  port.on('message', (call: Op) => {
    let reply: Reply;
    try {
      switch (call.op) {
        case 'get':
          reply = { ok: true, value: backend.get(call.store, call.key) };
          break;
        case 'set':
          backend.set(call.store, call.key, call.value);
          reply = { ok: true, value: undefined };
          break;
        case 'delete':
          backend.delete(call.store, call.key);
          reply = { ok: true, value: undefined };
          break;
        case 'exists':
          reply = { ok: true, value: backend.exists(call.store, call.key) };
          break;
        case 'keys':
          reply = { ok: true, value: backend.keys(call.store) };
          break;
      }
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
    Atomics.store(cell, 0, 1);
    Atomics.notify(cell, 0);
  });
}

/** Worker: a backend whose every call is a synchronous round-trip to the main thread. */
export class RemoteKvBackend implements KvBackend {
  readonly #port: MessagePort;
  readonly #cell: Int32Array;
  constructor(port: MessagePort, signal: SharedArrayBuffer) {
    this.#port = port;
    this.#cell = new Int32Array(signal);
  }
  #call(call: Op): Reply & { ok: true } {
    Atomics.store(this.#cell, 0, 0);
    this.#port.postMessage(call);
    if (Atomics.wait(this.#cell, 0, 0, CALL_TIMEOUT_MS) === 'timed-out') throw new Error('key-value: main thread did not answer');
    const reply = receiveMessageOnPort(this.#port)?.message as Reply | undefined;
    if (!reply) throw new Error('key-value: no reply from the main thread');
    if (!reply.ok) throw new Error(reply.error);
    return reply;
  }
  get(store: string, key: string): Uint8Array | undefined {
    return this.#call({ op: 'get', store, key }).value as Uint8Array | undefined;
  }
  set(store: string, key: string, value: Uint8Array): void {
    this.#call({ op: 'set', store, key, value });
  }
  delete(store: string, key: string): void {
    this.#call({ op: 'delete', store, key });
  }
  exists(store: string, key: string): boolean {
    return this.#call({ op: 'exists', store, key }).value as boolean;
  }
  keys(store: string): string[] {
    return this.#call({ op: 'keys', store }).value as string[];
  }
  close(): void {
    this.#port.close();
  }
}
