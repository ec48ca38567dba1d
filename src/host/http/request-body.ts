// Incoming request bodies are read when the component reads them, as Spin streams them: a
// component that answers from the headers alone (a missing token: 401) never makes the host read
// the body, so an unauthenticated 4 MiB PUT costs its sender the upload, not the host. The worker
// asks the main thread on a MessagePort and sleeps on a shared cell (as http/outbound.ts does).
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** On the port: the worker asks for request `id`'s body; the answer carries the same id. */
type Asked = { id: number };
type Answered = { id: number; body: Uint8Array | null };

/** How long a component may wait for a body the client is still sending. */
export const BODY_READ_TIMEOUT_MS = 10_000;

/** Main thread: answers one worker's requests for bodies; `bodyOf` is null once that request is over. */
export function serveBodies(port: MessagePort, signal: SharedArrayBuffer, bodyOf: (id: number) => Promise<Uint8Array> | null): void {
  const cell = new Int32Array(signal);
  const answer = (id: number, body: Uint8Array | null): void => {
    port.postMessage({ id, body } satisfies Answered, body !== null && body.byteLength > 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : []);
    Atomics.store(cell, 0, 1);
    Atomics.notify(cell, 0);
  };
  port.on('message', ({ id }: Asked) => {
    const body = bodyOf(id);
    if (body === null) return answer(id, null);
    body.then(
      (bytes) => answer(id, bytes),
      () => answer(id, null),
    );
  });
}

/** Worker: fetches the body of the request it is serving, blocking until the main thread has it. */
export class BodyClient {
  readonly #port: MessagePort;
  readonly #cell: Int32Array;
  constructor(port: MessagePort, signal: SharedArrayBuffer) {
    this.#port = port;
    this.#cell = new Int32Array(signal);
  }

  /** The body of request `id`; throws when it cannot be had (the client went away, or too slow). */
  read(id: number): Uint8Array {
    Atomics.store(this.#cell, 0, 0);
    this.#port.postMessage({ id } satisfies Asked);
    const deadline = Date.now() + BODY_READ_TIMEOUT_MS;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.#cell, 0, 0, left) === 'timed-out') throw new Error(`request body not received within ${BODY_READ_TIMEOUT_MS} ms`);
      Atomics.store(this.#cell, 0, 0);
      // an answer for an earlier request (one that timed out) may come first: skip it
      for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
        const answered = m.message as Answered;
        if (answered.id !== id) continue;
        if (answered.body === null) throw new Error('request body could not be read');
        return answered.body;
      }
    }
  }
}
