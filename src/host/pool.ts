// The main thread's side of the component workers: start them, hand each request to an idle worker
// once it has recycled its last instance and prepared the next (worker.ts), queue when all are busy
// (reads and the rest taken in turn, request-queue.ts), and replace a worker whose component
// hangs past the request timeout or whose thread dies, so the host keeps serving.
//
// A worker that has not yet recycled is not idle: it recycles on a timer after its response, and a
// request handed to it at once was served first, instantiated on the request path with a fresh
// linear memory (the finished instance's memory still awaiting its recycle). Under load that
// chained: 20% of instances got a fresh memory (its page faults, ~20-35 ms each here), and the
// pool, full when the recycles came, dropped as many, which lingered until a GC: 60-70 memories,
// ~270-300 MB of the host's ~600-700 MB at the peak of `npm start`'s write probe. Waiting for
// `prepared` costs the timer's ~1 ms; the instance is made either way.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { HostError } from './errors.ts';
import type { KvBackend } from './kv/store.ts';
import { serveKv } from './kv/remote.ts';
import { serveOutbound } from './http/outbound.ts';
import { serveBodies } from './http/request-body.ts';
import { errorFields, type Logger } from './log.ts';
import type { FromWorker, KvConfig, ToWorker, WorkerInit, WorkerLoad, WorkerRequest } from './protocol.ts';
import { readsOnly, RequestQueue } from './request-queue.ts';

export type PoolResult =
  | { kind: 'response'; status: number; headers: [string, string][]; body: Uint8Array }
  | { kind: 'failed'; status: number; error: string; detail: string };

export type KvSetup = { kind: 'sqlite'; path: string; labels: string[] } | { kind: 'memory'; labels: string[]; backend: KvBackend };

export interface PoolOptions {
  size: number;
  init: Omit<WorkerInit, 'workerId' | 'kv' | 'outbound' | 'bodies'>;
  /** what every worker serves; workers start before it resolves and load it when it does */
  load: Promise<Omit<WorkerLoad, 'type'>>;
  kv: KvSetup;
  requestTimeoutMs: number;
  log: Logger;
}

/**
 * A request for a component; its body is read only if the component reads it, unless `bodyAhead`
 * (a small declared body: sent to the worker with the request, http/request-body.ts).
 */
export type PoolRequest = Omit<WorkerRequest, 'type' | 'id'> & { body: () => Promise<Uint8Array>; bodyAhead?: boolean };

interface Pending {
  request: PoolRequest;
  resolve(result: PoolResult): void;
}

interface Slot {
  id: number;
  worker: Worker;
  started: boolean;
  /** its last instance is recycled and the next one ready: only then is it given a request */
  prepared: boolean;
  inflight: { id: number; pending: Pending; timer: NodeJS.Timeout } | undefined;
  /** set when we terminate it on purpose */
  retired: boolean;
  /** linear memories it has made, as it last said */
  memoriesMade: number;
  /** sends a request's body to it before the component asks */
  sendBodyAhead: (id: number) => void;
}

const RESPAWN_DELAY_MS = 1_000;
/** How long a worker gets to close its KV connection and exit before it is terminated. */
const SHUTDOWN_GRACE_MS = 2_000;

/**
 * The worker entry: beside the bundled host (dist/host.mjs, scripts/build-host.ts) its bundled
 * worker, plain JS; from the TypeScript sources, worker.ts loaded through tsx's ESM hooks.
 */
function workerBootstrap(): string {
  const bundled = new URL('./host-worker.mjs', import.meta.url);
  if (existsSync(bundled)) return `await import(${JSON.stringify(bundled.href)});`;
  const require = createRequire(import.meta.url);
  const tsxApi = require.resolve('tsx/esm/api').replace(/\.c?js$/, '.mjs');
  const workerUrl = new URL('./worker.ts', import.meta.url).href;
  return `import { register } from ${JSON.stringify(pathToFileURL(tsxApi).href)};
register();
await import(${JSON.stringify(workerUrl)});`;
}

/** V8 heap-size flags (`npm run host` passes one): a worker refuses them in its execArgv. */
const V8_HEAP_FLAG = /^--(max|min)-(semi-space|old-space|young-generation)-size\b/;

/** The parent's node flags minus tsx's own hooks (the bootstrap registers them once) and V8's heap sizes. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (['--import', '--require', '-r', '--loader', '--experimental-loader'].includes(arg) && args[i + 1]?.includes('tsx')) {
      i++;
      continue;
    }
    if (arg.includes('tsx') || V8_HEAP_FLAG.test(arg)) continue;
    out.push(arg);
  }
  return out;
}

export class WorkerPool {
  readonly #options: PoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue = new RequestQueue<Pending>((pending) => readsOnly(pending.request.method));
  /** main-thread ends of the workers' KV and outbound channels, closed with the pool */
  readonly #ports: { close(): void }[] = [];
  #nextSlot = 0;
  #nextRequest = 0;
  #closing = false;
  readonly #bootstrap = new URL('data:text/javascript,' + encodeURIComponent(workerBootstrap()));
  readonly #execArgv = workerExecArgv();

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /** Starts every worker; resolves when all have an instance ready. */
  async start(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.#options.size; i++) starts.push(this.#spawn());
    try {
      await Promise.all(starts);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  get size(): number {
    return this.#slots.size;
  }

  /**
   * Linear memories the live workers have made rather than reused (memory-reuse.ts): one per
   * memory-importing module and worker to start with; more means fresh memories on the request
   * path, each paying its page faults and, once dropped, held until a GC.
   */
  get memoriesMade(): number {
    let made = 0;
    for (const slot of this.#slots) made += slot.memoriesMade;
    return made;
  }

  dispatch(request: PoolRequest): Promise<PoolResult> {
    if (this.#closing) return Promise.resolve({ kind: 'failed', status: 503, error: 'shutting down', detail: 'the host is closing' });
    return new Promise((resolve) => {
      this.#queue.push({ request, resolve });
      this.#drain();
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const pending of this.#queue.takeAll()) {
      pending.resolve({ kind: 'failed', status: 503, error: 'shutting down', detail: 'the host is closing' });
    }
    const exits: Promise<void>[] = [];
    for (const slot of this.#slots) {
      slot.retired = true;
      if (slot.inflight) {
        clearTimeout(slot.inflight.timer);
        slot.inflight.pending.resolve({ kind: 'failed', status: 503, error: 'shutting down', detail: 'the host is closing' });
        slot.inflight = undefined;
      }
      exits.push(this.#shutdown(slot.worker));
    }
    this.#slots.clear();
    await Promise.allSettled(exits);
    for (const port of this.#ports.splice(0)) port.close();
  }

  /** Asks a worker to close its database and exit; terminates it if it does not in time. */
  #shutdown(worker: Worker): Promise<void> {
    return new Promise<void>((done) => {
      const timer = setTimeout(() => void worker.terminate().then(() => done()), SHUTDOWN_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      worker.postMessage({ type: 'shutdown' } satisfies ToWorker);
    });
  }

  #kvConfig(): { kv: KvConfig; transfer: import('node:worker_threads').TransferListItem[] } {
    const setup = this.#options.kv;
    if (setup.kind === 'sqlite') return { kv: setup, transfer: [] };
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    serveKv(setup.backend, port1, signal);
    port1.unref();
    this.#ports.push(port1);
    return { kv: { kind: 'memory', labels: setup.labels, port: port2, signal }, transfer: [port2] };
  }

  #outboundConfig(): WorkerInit['outbound'] {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    serveOutbound(port1, signal);
    port1.unref();
    this.#ports.push(port1);
    return { port: port2, signal };
  }

  /** The channel a worker fetches its requests' bodies on (only the one it is serving, while it serves it), and how to send one ahead. */
  #bodiesConfig(slot: () => Slot): { bodies: WorkerInit['bodies']; sendAhead: (id: number) => void } {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const sendAhead = serveBodies(port1, signal, (id) => {
      const inflight = slot().inflight;
      return inflight !== undefined && inflight.id === id ? inflight.pending.request.body() : null;
    });
    port1.unref();
    this.#ports.push(port1);
    return { bodies: { port: port2, signal }, sendAhead };
  }

  #spawn(): Promise<void> {
    const id = this.#nextSlot++;
    const { kv, transfer } = this.#kvConfig();
    const outbound = this.#outboundConfig();
    let slot: Slot | undefined;
    const { bodies, sendAhead } = this.#bodiesConfig(() => slot!);
    const workerData: WorkerInit = { ...this.#options.init, workerId: id, kv, outbound, bodies };
    const worker = new Worker(this.#bootstrap, { workerData, transferList: [...transfer, outbound.port, bodies.port], execArgv: this.#execArgv });
    slot = { id, worker, started: false, prepared: false, inflight: undefined, retired: false, memoriesMade: 0, sendBodyAhead: sendAhead };
    this.#slots.add(slot);
    const { log } = this.#options;

    return new Promise<void>((resolve, reject) => {
      const fail = (detail: string): void => {
        if (slot.started) return;
        slot.retired = true;
        this.#slots.delete(slot);
        void worker.terminate();
        reject(new HostError('worker-failed', `worker ${id} could not start: ${detail}`));
      };
      worker.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            slot.started = true;
            slot.prepared = true;
            slot.memoriesMade = msg.memoriesMade;
            log('debug', 'worker ready', { worker: id });
            resolve();
            this.#drain();
            break;
          case 'prepared':
            slot.prepared = true;
            slot.memoriesMade = msg.memoriesMade;
            this.#drain();
            break;
          case 'response':
          case 'failed':
            this.#settle(slot, msg);
            break;
          case 'fatal':
            log('error', msg.error, { worker: id, detail: msg.detail });
            fail(msg.detail);
            break;
        }
      });
      this.#options.load.then(
        ({ sources, components }) => worker.postMessage({ type: 'load', sources, components } satisfies ToWorker),
        (err: unknown) => fail(`nothing to load: ${err instanceof Error ? err.message : String(err)}`),
      );
      worker.on('error', (err) => {
        log('error', 'worker error', { worker: id, ...errorFields(err) });
        fail(err.message);
      });
      worker.on('exit', (code) => {
        if (!slot.started) fail(`exited with code ${code}`);
        this.#onExit(slot, code);
      });
    });
  }

  #settle(slot: Slot, msg: Extract<FromWorker, { type: 'response' | 'failed' }>): void {
    const inflight = slot.inflight;
    if (!inflight || inflight.id !== msg.id) return; // answered already (timed out)
    clearTimeout(inflight.timer);
    slot.inflight = undefined;
    inflight.pending.resolve(
      msg.type === 'response'
        ? { kind: 'response', status: msg.status, headers: msg.headers, body: msg.body }
        : { kind: 'failed', status: 500, error: msg.error, detail: msg.detail },
    );
    this.#drain();
  }

  #onExit(slot: Slot, code: number): void {
    this.#slots.delete(slot);
    if (slot.inflight) {
      clearTimeout(slot.inflight.timer);
      slot.inflight.pending.resolve({ kind: 'failed', status: 500, error: 'worker crashed', detail: `exit code ${code}` });
      slot.inflight = undefined;
    }
    if (this.#closing || !slot.started) return;
    if (!slot.retired) this.#options.log('error', 'worker exited; replacing it', { worker: slot.id, code });
    this.#replace();
  }

  #replace(): void {
    this.#spawn().catch((err: unknown) => {
      this.#options.log('error', 'replacement worker failed; retrying', errorFields(err));
      if (!this.#closing) setTimeout(() => this.#replace(), RESPAWN_DELAY_MS).unref();
    });
  }

  #idle(): Slot | undefined {
    for (const slot of this.#slots) {
      if (!slot.started || slot.retired || slot.inflight) continue;
      if (slot.prepared) return slot;
    }
    return undefined;
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      const slot = this.#idle();
      if (!slot) return;
      const pending = this.#queue.shift()!;
      const id = this.#nextRequest++;
      const timer = setTimeout(() => this.#timeout(slot, id), this.#options.requestTimeoutMs);
      slot.inflight = { id, pending, timer };
      slot.prepared = false;
      const { body: _body, bodyAhead, ...request } = pending.request;
      slot.worker.postMessage({ type: 'request', id, ...request } satisfies WorkerRequest);
      if (bodyAhead === true) slot.sendBodyAhead(id);
    }
  }

  #timeout(slot: Slot, id: number): void {
    const inflight = slot.inflight;
    if (!inflight || inflight.id !== id) return;
    slot.inflight = undefined;
    const { requestTimeoutMs, log } = this.#options;
    log('error', 'component did not respond in time; replacing its worker', {
      worker: slot.id,
      component: inflight.pending.request.component,
      path: inflight.pending.request.pathWithQuery,
      timeoutMs: requestTimeoutMs,
    });
    inflight.pending.resolve({
      kind: 'failed',
      status: 500,
      error: 'component timed out',
      detail: `no response within ${requestTimeoutMs} ms`,
    });
    slot.retired = true;
    void slot.worker.terminate(); // its 'exit' handler spawns the replacement
  }
}
