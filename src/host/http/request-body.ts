// Incoming request bodies are read when the component reads them, as Spin streams them: a
// component that answers from the headers alone (a missing token: 401) never makes the host read
// the body, so an unauthenticated 4 MiB PUT costs its sender the upload, not the host. The worker
// asks the main thread on a MessagePort and sleeps on a shared cell (as http/outbound.ts does).
// A small body the client declared (BODY_AHEAD_BYTES) is sent ahead with its request instead: the
// ask and the wait for the main thread's turn were ~0.5 ms of a ~7 ms delivery, ~1.3 ms of a PUT
// under load, for bytes that came with the headers.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** On the port: the worker asks for request `id`'s body; the answer carries the same id. */
type Asked = { id: number };
type Answered = { id: number; body: Uint8Array | null };

/** How long a component may wait for a body the client is still sending. */
export const BODY_READ_TIMEOUT_MS = 10_000;

/** A declared body up to this size is sent to the worker with its request, not when asked for. */
export const BODY_AHEAD_BYTES = 64 * 1024;

/**
 * Main thread: answers one worker's requests for bodies; `bodyOf` is null once that request is over.
 * Returns `sendAhead(id)`, which sends request `id`'s body before it is asked for. Each body goes
 * once (its buffer is transferred): asked for after it went ahead, the worker is only woken to
 * find it; asked for while it is on its way, it wakes the worker when it goes.
 */
export function serveBodies(port: MessagePort, signal: SharedArrayBuffer, bodyOf: (id: number) => Promise<Uint8Array> | null): (id: number) => void {
  const cell = new Int32Array(signal);
  const wake = (): void => {
    Atomics.store(cell, 0, 1);
    Atomics.notify(cell, 0);
  };
  // the worker serves one request at a time: the latest body sent, or on its way
  let latest: { id: number; sent: boolean } | null = null;
  const send = (id: number): void => {
    if (latest?.id === id) {
      if (latest.sent) wake();
      return;
    }
    const sending = { id, sent: false };
    latest = sending;
    const answer = (body: Uint8Array | null): void => {
      sending.sent = true;
      port.postMessage({ id, body } satisfies Answered, body !== null && body.byteLength > 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : []);
      wake();
    };
    const body = bodyOf(id);
    if (body === null) return answer(null);
    body.then(answer, () => answer(null));
  };
  port.on('message', ({ id }: Asked) => send(id));
  return send;
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
    const ahead = this.#received(id);
    if (ahead !== undefined) return ahead;
    Atomics.store(this.#cell, 0, 0);
    this.#port.postMessage({ id } satisfies Asked);
    const deadline = Date.now() + BODY_READ_TIMEOUT_MS;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.#cell, 0, 0, left) === 'timed-out') throw new Error(`request body not received within ${BODY_READ_TIMEOUT_MS} ms`);
      Atomics.store(this.#cell, 0, 0);
      const body = this.#received(id);
      if (body !== undefined) return body;
    }
  }

  /** Request `id`'s body if it is on the port, skipping bodies of earlier requests (one that timed out, or was never read). */
  #received(id: number): Uint8Array | undefined {
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
      const answered = m.message as Answered;
      if (answered.id !== id) continue;
      if (answered.body === null) throw new Error('request body could not be read');
      return answered.body;
    }
    return undefined;
  }
}
