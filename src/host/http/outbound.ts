// Outbound HTTP for components. Host imports are synchronous (no JSPI in Node 20) but fetch is
// not, so a worker posts the request to the main thread on a MessagePort, sleeps on a shared cell
// with Atomics.wait, and takes the answer with receiveMessageOnPort (as kv/remote.ts does).
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

export interface OutboundRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array;
  timeoutMs: number;
}

export type OutboundReply =
  | { ok: true; status: number; headers: [string, string][]; body: Uint8Array }
  | { ok: false; error: 'timeout' | 'connection-refused' | 'other'; detail: string };

/** On the port: a request and its answer carry the same id (a late answer is told apart). */
type Posted = { id: number; request: OutboundRequest };
type Answered = { id: number; reply: OutboundReply };

/** The longest an outbound request may take when the component sets no timeout. */
export const DEFAULT_OUTBOUND_TIMEOUT_MS = 10_000;

/** Main thread: performs one worker's requests on `port` with fetch. */
export function serveOutbound(port: MessagePort, signal: SharedArrayBuffer): void {
  const cell = new Int32Array(signal);
  port.on('message', ({ id, request }: Posted) => {
    void send(request).then((reply) => {
      port.postMessage({ id, reply } satisfies Answered);
      Atomics.store(cell, 0, 1);
      Atomics.notify(cell, 0);
    });
  });
}

async function send(request: OutboundRequest): Promise<OutboundReply> {
  try {
    const bodyless = request.method === 'GET' || request.method === 'HEAD';
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(bodyless ? {} : { body: new Uint8Array(request.body) }),
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'manual',
    });
    const body = new Uint8Array(await response.arrayBuffer());
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    return { ok: true, status: response.status, headers, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    const detail = err instanceof Error ? `${err.message}${cause?.code ? ` (${cause.code})` : ''}` : String(err);
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return { ok: false, error: 'timeout', detail };
    if (cause?.code === 'ECONNREFUSED') return { ok: false, error: 'connection-refused', detail };
    return { ok: false, error: 'other', detail };
  }
}

/** Worker: sends one request and blocks until the main thread has the answer. */
export class OutboundClient {
  readonly #port: MessagePort;
  readonly #cell: Int32Array;
  #nextId = 0;
  constructor(port: MessagePort, signal: SharedArrayBuffer) {
    this.#port = port;
    this.#cell = new Int32Array(signal);
  }
  send(request: OutboundRequest): OutboundReply {
    const id = this.#nextId++;
    Atomics.store(this.#cell, 0, 0);
    this.#port.postMessage({ id, request } satisfies Posted);
    // a little past the request's own timeout, so the main thread's answer normally comes first
    const deadline = Date.now() + request.timeoutMs + 1_000;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.#cell, 0, 0, left) === 'timed-out') {
        return { ok: false, error: 'timeout', detail: `no answer within ${request.timeoutMs} ms` };
      }
      Atomics.store(this.#cell, 0, 0);
      // answers to earlier requests that timed out may come first: skip them
      for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
        const answered = m.message as Answered;
        if (answered.id === id) return answered.reply;
      }
    }
  }
}
