// A component worker: keeps one instance of every served source ready, serves one request per
// instance (a StarlingMonkey instance cannot serve two), then prepares the next instance while
// nothing waits on it. Host imports are built once per worker and read the current request's scope,
// so one prepared instance serves whichever component of that source the next request is for.
import { parentPort, workerData } from 'node:worker_threads';
import { Exchange, IncomingRequest, ResponseOutparam } from './http/types.ts';
import { Fields } from './http/fields.ts';
import { OutboundClient } from './http/outbound.ts';
import { BodyClient } from './http/request-body.ts';
import { KvStores, SqliteKvBackend, type KvBackend } from './kv/index.ts';
import { RemoteKvBackend } from './kv/remote.ts';
import { SqlDatabaseFile } from './sqlite/index.ts';
import { createLogger, errorFields } from './log.ts';
import { MEMORY_IMPORT_MODULE, MEMORY_IMPORT_NAME, MemoryPool } from './memory-reuse.ts';
import { buildImports, type ImportObject } from './plugins.ts';
import type { FromWorker, ToWorker, WorkerInit, WorkerLoad, WorkerRequest, WorkerSource } from './protocol.ts';
import { ScopeRef, type ComponentRuntime } from './scope.ts';
import { ComponentExit } from './wasi/cli.ts';

interface IncomingHandler {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void;
}
type Root = Record<string, unknown> & { incomingHandler?: IncomingHandler };
type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: ImportObject,
  instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance,
) => Root;

// jco 1.35's glue probes `WebAssembly.promising` (JSPI) in a try/catch on every instantiation. Node
// 20 has none, and V8 renders "WebAssembly.promising is not a function" by re-parsing the 1 MB glue
// function: ~20 ms per instance. `patchGlue` (transpile.ts) removes the probe; for glue it did not
// recognise, a function that throws a ready-made error takes the same catch path, cheaply.
const NO_JSPI = new TypeError('JSPI is not available');
const wasm = WebAssembly as unknown as { promising?: unknown };
if (typeof wasm.promising !== 'function') {
  wasm.promising = () => {
    throw NO_JSPI;
  };
}

const port = parentPort!;
const init = workerData as WorkerInit;
const log = createLogger(init.logLevel, { worker: init.workerId });
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

const scope = new ScopeRef(log);
const endOfRequest: (() => void)[] = [];
const backend: KvBackend =
  init.kv.kind === 'sqlite' ? new SqliteKvBackend(init.kv.path) : new RemoteKvBackend(init.kv.port, init.kv.signal);
const database = new SqlDatabaseFile(init.sqlitePath);
const outbound = new OutboundClient(init.outbound.port, init.outbound.signal);
const bodies = new BodyClient(init.bodies.port, init.bodies.signal);
const imports = buildImports({ scope, kv: new KvStores(backend, init.kv.labels), sqlite: database, outbound, onRequestEnd: (fn) => endOfRequest.push(fn) });

const sources = new Map<string, WorkerSource & { instantiate: Instantiate }>();
const components = new Map<string, ComponentRuntime>();
/** a rewritten core module → the pool its imported memory comes from */
const pools = new Map<WebAssembly.Module, MemoryPool>();

/** An instance and the pooled memories it holds until its request is over. */
interface Live {
  root: Root;
  memories: [MemoryPool, WebAssembly.Memory][];
  /** how long instantiating it took (reported as Server-Timing `instantiate`) */
  instantiateMs: number;
}
const prepared = new Map<string, Live>();

function instantiate(key: string, memories: Live['memories'] = []): Live {
  const started = performance.now();
  const source = sources.get(key);
  if (!source) throw new Error(`unknown source ${key}`);
  let withDeps = imports;
  if (source.dependencies.length > 0) {
    withDeps = { ...imports };
    for (const dep of source.dependencies) {
      // Spin composes dependencies per instance, so each instance gets its own dependency instance.
      const exported = instantiate(dep.sourceKey, memories).root[dep.export];
      if (typeof exported !== 'object' || exported === null) throw new Error(`dependency export ${dep.export} is missing`);
      withDeps[dep.import] = exported;
    }
  }
  const root = source.instantiate(
    (name) => {
      const module = source.modules[name];
      if (!module) throw new Error(`core module ${name} missing from the transpiled component`);
      return module;
    },
    withDeps,
    (module, moduleImports) => {
      const pool = pools.get(module);
      if (!pool) return new WebAssembly.Instance(module, moduleImports);
      const memory = pool.take();
      memories.push([pool, memory]);
      return new WebAssembly.Instance(module, { ...moduleImports, [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: memory } });
    },
  );
  return { root, memories, instantiateMs: performance.now() - started };
}

/** Linear memories this worker's pools have made, not reused. */
function memoriesMade(): number {
  let made = 0;
  for (const pool of pools.values()) made += pool.made;
  return made;
}

/** After a request: its memories go back to their pools, zeroed. */
function recycle(live: Live | undefined): void {
  if (!live) return;
  for (const [pool, memory] of live.memories) pool.release(memory);
  for (const [pool] of live.memories) pool.clean();
}

function prepare(key: string): void {
  try {
    prepared.set(key, instantiate(key));
  } catch (err) {
    log('error', 'could not prepare an instance', { source: key, ...errorFields(err) });
  }
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** A transferable, exactly-sized copy-free buffer when possible. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes
    : bytes.slice();
}

function describeTrap(err: unknown): { error: string; detail: string } {
  if (err instanceof ComponentExit) return { error: 'component exited', detail: err.message };
  if (err instanceof WebAssembly.RuntimeError) return { error: 'component trapped', detail: err.message };
  return { error: 'component failed', detail: err instanceof Error ? err.message : String(err) };
}

function serve(req: WorkerRequest): void {
  const component = components.get(req.component);
  if (!component) {
    post({ type: 'failed', id: req.id, error: 'unknown component', detail: req.component });
    return;
  }
  const key = component.sourceKey;
  const started = performance.now();
  let live = prepared.get(key);
  prepared.delete(key);
  const exchange = new Exchange();
  let trap: unknown;
  let instantiateMs = 0;
  scope.current = { component, openStores: 0 };
  try {
    live ??= instantiate(key);
    instantiateMs = live.instantiateMs;
    const handler = live.root.incomingHandler;
    if (!handler) throw new Error('the component does not export wasi:http/incoming-handler');
    handler.handle(
      new IncomingRequest({
        method: req.method,
        pathWithQuery: req.pathWithQuery,
        authority: req.authority,
        headers: Fields.fromStrings(req.headers),
        body: () => bodies.read(req.id),
      }),
      new ResponseOutparam(exchange),
    );
  } catch (err) {
    trap = err;
  } finally {
    for (const fn of endOfRequest) fn();
    scope.current = undefined;
  }
  const ms = performance.now() - started;

  if (trap !== undefined) {
    const failure = describeTrap(trap);
    log('error', failure.error, { component: component.id, path: req.pathWithQuery, detail: failure.detail });
    post({ type: 'failed', id: req.id, ...failure });
  } else if (exchange.error !== undefined) {
    post({ type: 'failed', id: req.id, error: 'component responded with an error', detail: JSON.stringify(exchange.error) });
  } else if (exchange.response === undefined) {
    post({ type: 'failed', id: req.id, error: 'component did not respond', detail: 'handle returned without setting a response' });
  } else {
    const { status, headers, body } = exchange.response.sent;
    if (body && !body.finished) {
      // The component dropped its body without `outgoing-body.finish` (StarlingMonkey does this when
      // the handler throws or never settles): Spin reports an incomplete response, so do we.
      post({
        type: 'failed',
        id: req.id,
        error: 'component did not finish its response',
        detail: `status ${status} set, body not finished after ${body.sink.length} bytes (the handler threw or never settled; see the component's stderr)`,
      });
    } else {
      const bytes = ownBuffer(body ? body.sink.bytes() : new Uint8Array(0));
      // The instance was made before the request (prepared) or for it: either way, what a fresh
      // instance costs is this plus the component's own phases.
      const instantiated: [string, string] = ['server-timing', `instantiate;dur=${instantiateMs.toFixed(2)}`];
      post(
        { type: 'response', id: req.id, status, headers: [...headers.map(([n, v]): [string, string] => [n, latin1(v)]), instantiated], body: bytes },
        [bytes.buffer as ArrayBuffer],
      );
    }
  }
  log('debug', 'handled', { component: component.id, path: req.pathWithQuery, ms: Math.round(ms * 100) / 100 });

  // Off the request path: recycle this instance's memory, prepare the next instance, say so.
  // A timer rather than setImmediate: it runs after any 0 ms timer the glue scheduled during the
  // request, so nothing of the finished instance runs once its memory is reused.
  const finished = live;
  setTimeout(() => {
    recycle(finished);
    if (sources.get(key)?.served && !prepared.has(key)) prepare(key);
    post({ type: 'prepared', memoriesMade: memoriesMade() });
  }, 0);
}

/** Imports every source's glue and makes an instance of each served one: then the worker is ready. */
async function load(msg: WorkerLoad): Promise<void> {
  try {
    for (const c of msg.components) components.set(c.id, c);
    for (const source of msg.sources) {
      const glue = (await import(source.glueUrl)) as { instantiate: Instantiate };
      sources.set(source.key, { ...source, instantiate: glue.instantiate });
      for (const [name, spec] of Object.entries(source.memories)) {
        const module = source.modules[name];
        if (module && !pools.has(module)) pools.set(module, new MemoryPool(spec));
      }
    }
    for (const source of sources.values()) {
      if (!source.served) continue;
      prepared.set(source.key, instantiate(source.key)); // a failure here is fatal: nothing could be served
    }
    post({ type: 'ready', memoriesMade: memoriesMade() });
  } catch (err) {
    post({ type: 'fatal', error: 'worker could not start', detail: err instanceof Error ? err.message : String(err) });
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'load') void load(msg);
  else if (msg.type === 'request') serve(msg);
  else {
    backend.close();
    database.close();
    process.exit(0); // in a worker thread: ends this thread only
  }
});
