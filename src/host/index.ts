// The local Spin-compatible host: `startHost()` reads a Spin manifest, transpiles each distinct
// component once (cached under the state dir), starts component workers with instances ready, and
// serves every HTTP trigger's route. Like Spin, every request gets a fresh component instance.
// It speaks wasm and HTTP only: nothing here imports component code.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostError } from './errors.ts';
import { DEFAULT_STORE, KvStores, MemoryKvBackend, SQLITE_KV_FILE, SqliteKvBackend, type KvBackend } from './kv/index.ts';
import { createLogger, logLevelFromEnv, type LogLevel, type Logger } from './log.ts';
import { loadManifest, type ComponentManifest } from './manifest.ts';
import { PROVIDED_INTERFACES, unversioned } from './plugins.ts';
import { WorkerPool, type KvSetup } from './pool.ts';
import { DEFAULT_DATABASE, SQLITE_DB_FILE, SqlDatabaseFile } from './sqlite/index.ts';
import type { WorkerSource } from './protocol.ts';
import { Router } from './router.ts';
import type { ComponentRuntime } from './scope.ts';
import { answerClientError, createRequestHandler, MAX_REQUEST_BODY_BYTES } from './server.ts';
import { parseRateLimit, RateLimiter } from './rate-limit.ts';
import { loadTranspiler, stampComponent, transpileCached, type TranspiledSource, type Transpiler, type TranspilerChoice } from './transpile.ts';
import { resolveAllowedOutboundHosts, resolveComponentVariables } from './variables/resolve.ts';

export { HostError, type HostErrorCode } from './errors.ts';
export { expandTemplate, loadManifest, parseManifest, readManifest, type AppManifest, type ComponentManifest, type HttpTrigger, type ManifestProblem, type ManifestReading } from './manifest.ts';
export { Router, type RouteMatch } from './router.ts';
export { resolveAllowedOutboundHosts, resolveAppVariables, resolveComponentVariables } from './variables/resolve.ts';
export { KvStores, MemoryKvBackend, SqliteKvBackend, type KvBackend } from './kv/index.ts';
export type { LogLevel } from './log.ts';
export type { TranspilerChoice } from './transpile.ts';

export const DEFAULT_PORT = 3000;
export const DEFAULT_LISTEN_HOST = '127.0.0.1';
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Spin's state directory name, next to the manifest. */
export const STATE_DIR_NAME = '.spin';

export interface HostOptions {
  /** the Spin manifest (default `./spin.toml`) */
  manifestPath?: string;
  /** `host:port` or a port (default `PORT` from the environment, else 127.0.0.1:3000); port 0 picks a free one */
  listen?: string | number;
  /** state directory: KV database and transpile cache (default `SPIN_STATE_DIR`, else `.spin/` beside the manifest) */
  stateDir?: string;
  /** component worker threads (default `HOST_WORKERS`, else the number of CPUs) */
  workers?: number;
  /** default `LOG_LEVEL`, else info */
  logLevel?: LogLevel;
  /** a component that has not answered after this long gets a 500 and its worker is replaced */
  requestTimeoutMs?: number;
  /** `sqlite` (default, `<stateDir>/sqlite_key_value.db` like Spin) or `memory` (gone when the host stops) */
  kv?: 'sqlite' | 'memory';
  /** request bodies above this get 413 (default 8 MiB) */
  maxBodyBytes?: number;
  /**
   * which jco generates the JS glue (default `HOST_TRANSPILER`, else `auto`): see transpile.ts;
   * `auto` prefers the jco 1.4 that the Spin SDK's componentize-js pins, whose glue is ~20× cheaper per host call
   */
  transpiler?: TranspilerChoice;
  /** reuse finished instances' linear memories (default true; `HOST_REUSE_MEMORY=0` turns it off): see memory.ts */
  reuseMemory?: boolean;
  /** where `SPIN_VARIABLE_*`, `PORT`, `HOST_WORKERS`… are read (default `process.env`) */
  env?: NodeJS.ProcessEnv;
}

export interface HostRoute {
  route: string;
  component: string;
  url: string;
}

export interface Host {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  routes: readonly HostRoute[];
  stateDir: string;
  /** stops listening, ends the workers, closes the KV database */
  close(): Promise<void>;
}

/** `127.0.0.1:3000`, `[::1]:3000`, `:3000`, `3000` → host and port. */
export function parseListen(listen: string | number): { host: string; port: number } {
  if (typeof listen === 'number') return { host: DEFAULT_LISTEN_HOST, port: checkPort(listen, String(listen)) };
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  if (!m) throw new HostError('bad-option', `--listen must be host:port (e.g. 127.0.0.1:3000), got "${listen}"`);
  const host = m[1] || m[2] || DEFAULT_LISTEN_HOST;
  return { host, port: checkPort(Number(m[3]), listen) };
}

function checkPort(port: number, raw: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new HostError('bad-option', `invalid port in "${raw}"`);
  return port;
}

function positiveInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new HostError('bad-option', `${name} must be a positive integer, got "${raw}"`);
  return n;
}

function transpilerFromEnv(raw: string | undefined): TranspilerChoice {
  if (raw === undefined || raw === '') return 'auto';
  if (raw === 'auto' || raw === 'jco' || raw === 'componentize') return raw;
  throw new HostError('bad-option', `HOST_TRANSPILER must be auto, jco or componentize, got "${raw}"`);
}

interface PreparedSources {
  workerSources: WorkerSource[];
  /** component id → worker source key */
  sourceKeyOf: Map<string, string>;
}

/** Transpiles (or loads from cache) and compiles every source the served components need. */
async function prepareSources(
  served: ComponentManifest[],
  cacheRoot: string,
  transpiler: Transpiler,
  reuseMemory: boolean,
  log: Logger,
): Promise<PreparedSources> {
  const transpiled = new Map<string, Promise<TranspiledSource>>();
  const transpile = (path: string, who: string, hint: string | undefined): Promise<TranspiledSource> => {
    let t = transpiled.get(path);
    if (!t) {
      const stamp = stampComponent(path, who, hint); // throws at once when missing
      t = transpileCached(path, stamp, cacheRoot, transpiler, log);
      t.catch(() => undefined); // awaited below; a failure while an earlier one is reported must not go unhandled
      transpiled.set(path, t);
    }
    return t;
  };
  // Look at every file first, so a missing one fails before any (slow) transpiling.
  const plans = served.map((c) => ({
    component: c,
    main: transpile(c.source, `component "${c.id}" (${c.sourceAsWritten})`, c.buildCommand),
    deps: c.dependencies.map((d) => ({ dep: d, source: transpile(d.source, `dependency "${d.import}" of component "${c.id}"`, c.buildCommand) })),
  }));

  type Compiled = Pick<WorkerSource, 'modules' | 'memories'>;
  const compiled = new Map<string, Promise<Compiled>>();
  const compile = (t: TranspiledSource): Promise<Compiled> => {
    let c = compiled.get(t.key);
    if (!c) {
      c = (async () => {
        const out: Compiled = { modules: {}, memories: {} };
        for (const [name, path] of Object.entries(t.coreModules)) {
          const rewritten = reuseMemory ? t.memoryImporting[name] : undefined;
          out.modules[name] = await WebAssembly.compile(readFileSync(rewritten?.path ?? path));
          if (rewritten) out.memories[name] = rewritten.memory;
        }
        return out;
      })();
      compiled.set(t.key, c);
    }
    return c;
  };

  // Every module compiles at once (V8 compiles on background threads); failures surface below.
  for (const plan of plans) {
    for (const t of [plan.main, ...plan.deps.map((d) => d.source)]) t.then(compile).catch(() => undefined);
  }

  const byKey = new Map<string, WorkerSource>();
  const sourceKeyOf = new Map<string, string>();
  for (const plan of plans) {
    const main = await plan.main;
    const { component } = plan;
    if (!main.exports.some((e) => unversioned(e) === 'wasi:http/incoming-handler')) {
      throw new HostError('bad-manifest', `component "${component.id}" (${component.sourceAsWritten}) does not export wasi:http/incoming-handler: it is not an HTTP component`);
    }
    const dependencies: WorkerSource['dependencies'] = [];
    const provided = new Set(PROVIDED_INTERFACES);
    for (const { dep, source } of plan.deps) {
      const t = await source;
      const wanted = unversioned(dep.export ?? dep.import);
      const exported = t.exports.find((e) => unversioned(e) === wanted);
      if (!exported) {
        throw new HostError('bad-manifest', `component.${component.id}.dependencies."${dep.import}": ${dep.source} exports no ${wanted} (it exports ${t.exports.filter((e) => e.includes(':')).join(', ') || 'nothing'})`);
      }
      if (!byKey.has(t.key)) byKey.set(t.key, { key: t.key, glueUrl: t.glueUrl, ...(await compile(t)), dependencies: [], served: false });
      dependencies.push({ import: unversioned(dep.import), sourceKey: t.key, export: exported });
      provided.add(unversioned(dep.import));
      checkImports(t, PROVIDED_INTERFACES, `dependency "${dep.import}" of component "${component.id}"`);
    }
    checkImports(main, provided, `component "${component.id}"`);
    const key = dependencies.length === 0 ? main.key : `${main.key}+${createHash('sha256').update(JSON.stringify(dependencies)).digest('hex').slice(0, 12)}`;
    const existing = byKey.get(key);
    if (existing) existing.served = true;
    else byKey.set(key, { key, glueUrl: main.glueUrl, ...(await compile(main)), dependencies, served: true });
    sourceKeyOf.set(component.id, key);
  }
  return { workerSources: [...byKey.values()], sourceKeyOf };
}

function checkImports(t: TranspiledSource, provided: ReadonlySet<string>, who: string): void {
  const missing = t.imports.filter((i) => !provided.has(unversioned(i)));
  if (missing.length > 0) {
    throw new HostError('bad-manifest', `${who} imports ${missing.join(', ')}, which the local host does not provide`);
  }
}

export async function startHost(options: HostOptions = {}): Promise<Host> {
  const env = options.env ?? process.env;
  const log = createLogger(options.logLevel ?? logLevelFromEnv(env), { name: 'host' });
  const manifest = loadManifest(options.manifestPath ?? 'spin.toml');
  const { host: listenHost, port: listenPort } = parseListen(options.listen ?? env.PORT ?? `${DEFAULT_LISTEN_HOST}:${DEFAULT_PORT}`);
  const stateDir = resolve(options.stateDir ?? (env.SPIN_STATE_DIR || join(manifest.dir, STATE_DIR_NAME)));
  const workers = options.workers ?? positiveInt(env.HOST_WORKERS, 'HOST_WORKERS') ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new HostError('bad-option', `workers must be a positive integer, got ${workers}`);
  const limiter = (name: string) => {
    const limit = parseRateLimit(name, env[name]);
    return limit === undefined ? undefined : new RateLimiter(limit);
  };
  const rateLimits = { perClient: limiter('HOST_RATE_LIMIT_PER_CLIENT'), perComponent: limiter('HOST_RATE_LIMIT_PER_COMPONENT') };

  const router = new Router(manifest.triggers);
  for (const dup of router.duplicates) {
    log.log('warn', 'duplicate route ignored (the first trigger with it wins)', { route: dup.route, component: dup.component, trigger: dup.index });
  }
  const servedIds = new Set(router.routes.map((r) => r.component));
  const served = [...manifest.components.values()].filter((c) => servedIds.has(c.id));

  const variables = resolveComponentVariables(manifest, env);
  const allowedHosts = resolveAllowedOutboundHosts(manifest, env);
  const labels = [DEFAULT_STORE];
  const undefinedLabels = new KvStores(new MemoryKvBackend(), labels).undefinedLabels(served);
  if (undefinedLabels.length > 0) {
    const { component, label } = undefinedLabels[0]!;
    throw new HostError(
      'bad-kv-store',
      `component.${component}.key_value_stores lists "${label}", but no such store is defined (the local host has only "${DEFAULT_STORE}")`,
    );
  }

  const unknownDatabase = served.flatMap((c) => c.sqliteDatabases.filter((name) => name !== DEFAULT_DATABASE).map((name) => ({ component: c.id, name })))[0];
  if (unknownDatabase !== undefined) {
    throw new HostError(
      'bad-sqlite-database',
      `component.${unknownDatabase.component}.sqlite_databases lists "${unknownDatabase.name}", but no such database is defined (the local host has only "${DEFAULT_DATABASE}")`,
    );
  }

  mkdirSync(stateDir, { recursive: true });
  // The main thread's own connection creates the schema before workers open theirs.
  const kvKind = options.kv ?? 'sqlite';
  const kvPath = join(stateDir, SQLITE_KV_FILE);
  const mainBackend: KvBackend = kvKind === 'sqlite' ? new SqliteKvBackend(kvPath) : new MemoryKvBackend();
  const kv: KvSetup = kvKind === 'sqlite' ? { kind: 'sqlite', path: kvPath, labels } : { kind: 'memory', labels, backend: mainBackend };
  // SQLite is a file either way (workers need their own connections); with memory KV, a throwaway one.
  const scratchDir = kvKind === 'memory' ? mkdtempSync(join(tmpdir(), 'spin-sqlite-')) : null;
  const sqlitePath = join(scratchDir ?? stateDir, SQLITE_DB_FILE);
  const mainDatabase = new SqlDatabaseFile(sqlitePath);
  const closeStores = (): void => {
    mainBackend.close();
    mainDatabase.close();
    if (scratchDir !== null) rmSync(scratchDir, { recursive: true, force: true });
  };

  const t0 = performance.now();
  const load = (async () => {
    const transpiler = await loadTranspiler(options.transpiler ?? transpilerFromEnv(env.HOST_TRANSPILER));
    const reuseMemory = options.reuseMemory ?? env.HOST_REUSE_MEMORY !== '0';
    const { workerSources, sourceKeyOf } = await prepareSources(served, join(stateDir, 'transpiled'), transpiler, reuseMemory, log);
    log.log('debug', 'sources ready', { sources: workerSources.length, ms: Math.round(performance.now() - t0) });
    const components: ComponentRuntime[] = served.map((c) => ({
      id: c.id,
      sourceKey: sourceKeyOf.get(c.id)!,
      environment: Object.entries(c.environment),
      variables: variables.get(c.id) ?? {},
      keyValueStores: [...c.keyValueStores],
      sqliteDatabases: [...c.sqliteDatabases],
      allowedOutboundHosts: allowedHosts.get(c.id) ?? [],
    }));
    return { sources: workerSources, components, transpiler: transpiler.id, reuseMemory };
  })();
  load.catch(() => undefined); // awaited below; the pool reports it to its workers meanwhile

  // The workers' threads start while the sources are compiled, and the host listens as soon as the
  // sources are there: a request that comes before a worker is ready waits in the pool's queue.
  const pool = new WorkerPool({
    size: workers,
    init: { logLevel: log.threshold, sqlitePath },
    load,
    kv,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    log,
  });
  const startedAt = performance.now();
  const workersReady = pool.start();
  workersReady.catch(() => undefined); // awaited below, after listening: not unhandled meanwhile
  let loaded: Awaited<typeof load>;
  try {
    loaded = await load;
  } catch (err) {
    await pool.close();
    closeStores();
    throw err;
  }
  let authority = `${listenHost}:${listenPort}`;
  const server: Server = createServer(
    { keepAlive: true },
    createRequestHandler({ router, pool, log, authority: () => authority, maxBodyBytes: options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES, rateLimits }),
  );
  server.on('clientError', answerClientError);
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await pool.close();
    closeStores();
  };
  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(listenPort, listenHost, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (err) {
    await pool.close();
    closeStores();
    throw new HostError('bad-option', `cannot listen on ${listenHost}:${listenPort}: ${(err as Error).message}`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  authority = `${urlHost}:${port}`;
  const url = `http://${authority}`;
  try {
    await workersReady;
  } catch (err) {
    await stop();
    throw err;
  }
  log.log('debug', 'workers ready', { workers, ms: Math.round(performance.now() - startedAt) });
  const routes: HostRoute[] = router.routes.map((r) => ({
    route: r.route,
    component: r.component,
    url: url + (r.wildcard ? r.route.slice(0, -'/...'.length) || '/' : r.route),
  }));
  // Routes first: `listening` is the last line, the one a supervisor waits for.
  for (const r of routes) log.log('info', 'route', { route: r.route, component: r.component, url: r.url });
  log.log('info', 'listening', { url, app: manifest.name, workers, stateDir, transpiler: loaded.transpiler, reuseMemory: loaded.reuseMemory });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    routes,
    stateDir,
    close() {
      closing ??= (async () => {
        await stop();
        log.log('info', 'stopped', { url });
      })();
      return closing;
    },
  };
}
