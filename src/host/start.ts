// `startHost()`: reads a Spin manifest, prepares its sources (sources.ts), starts component
// workers with instances ready, and serves every HTTP trigger's route. Like Spin, every request
// gets a fresh component instance. It speaks wasm and HTTP only: nothing here imports component code.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostError } from './errors.ts';
import { DEFAULT_STORE, KvStores, MemoryKvBackend, SQLITE_KV_FILE, SqliteKvBackend, type KvBackend } from './kv/index.ts';
import { createLogger, logLevelFromEnv, type LogLevel } from './log.ts';
import { loadManifest } from './manifest.ts';
import { WorkerPool, type KvSetup } from './pool.ts';
import { DEFAULT_DATABASE, SQLITE_DB_FILE, SqlDatabaseFile } from './sqlite/index.ts';
import { Router } from './router.ts';
import type { ComponentRuntime } from './scope.ts';
import { answerClientError, createRequestHandler, MAX_REQUEST_BODY_BYTES } from './server.ts';
import { parseRateLimit, RateLimiter } from './rate-limit.ts';
import { loadTranspiler, type TranspilerChoice } from './transpile.ts';
import { prepareSources } from './sources.ts';
import { resolveAllowedOutboundHosts, resolveComponentVariables } from './variables/resolve.ts';

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
  /** linear memories the workers have made rather than reused (WorkerPool.memoriesMade) */
  memoriesMade(): number;
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
    log('warn', 'duplicate route ignored (the first trigger with it wins)', { route: dup.route, component: dup.component, trigger: dup.index });
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
    log('debug', 'sources ready', { sources: workerSources.length, ms: Math.round(performance.now() - t0) });
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
  log('debug', 'workers ready', { workers, ms: Math.round(performance.now() - startedAt) });
  const routes: HostRoute[] = router.routes.map((r) => ({
    route: r.route,
    component: r.component,
    url: url + (r.wildcard ? r.route.slice(0, -'/...'.length) || '/' : r.route),
  }));
  // Routes first: `listening` is the last line, the one a supervisor waits for.
  for (const r of routes) log('info', 'route', { route: r.route, component: r.component, url: r.url });
  log('info', 'listening', { url, app: manifest.name, workers, stateDir, transpiler: loaded.transpiler, reuseMemory: loaded.reuseMemory });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    routes,
    stateDir,
    memoriesMade: () => pool.memoriesMade,
    close() {
      closing ??= (async () => {
        await stop();
        log('info', 'stopped', { url });
      })();
      return closing;
    },
  };
}
