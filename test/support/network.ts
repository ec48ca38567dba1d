// Starts the local Spin host on a random port over a generated manifest, with its own state dir,
// so every suite runs against the built wasm exactly as `npm run host` serves it; and the whole
// network (host + gateway) for the suites that need it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG, startGateway, startHttpServer, type Gateway, type GatewayOptions } from '../../src/gateway/index.ts';
import { startHost } from '../../src/host/index.ts';
import { spinManifest, type ManifestOptions } from '../../scripts/manifests/spin-toml.ts';

export const DIST = resolve(import.meta.dirname, '..', '..', 'dist');

export interface TestApp {
  url: string;
  stateDir: string;
  manifestPath: string;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Writes a manifest into a fresh temp dir; `extra` is appended verbatim (e.g. a misrouted component). */
export function writeManifest(options: Partial<ManifestOptions> = {}, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'can-app-'));
  const manifestPath = join(dir, 'spin.toml');
  writeFileSync(manifestPath, spinManifest({ agents: 9, wasmDir: DIST, ...options }) + extra);
  return manifestPath;
}

/** A gateway URL nothing listens on (the discard port): agents fall back to their next tick. */
export const NO_GATEWAY_URL = 'http://127.0.0.1:9';

/**
 * The host alone; `gatewayUrl` is where its agents hand their users' writes over (none by
 * default); `variables`: more of the app's Spin variables (`auth_token`, …).
 */
export async function startApp(manifestPath: string = writeManifest(), gatewayUrl = NO_GATEWAY_URL, variables: Record<string, string> = {}): Promise<TestApp> {
  const stateDir = mkdtempSync(join(tmpdir(), 'can-state-'));
  const env: Record<string, string | undefined> = { ...process.env, SPIN_VARIABLE_GATEWAY_URL: gatewayUrl };
  for (const [name, value] of Object.entries(variables)) env[`SPIN_VARIABLE_${name.toUpperCase()}`] = value;
  let host = await startHost({ manifestPath, listen: '127.0.0.1:0', stateDir, workers: 2, env });
  const app: TestApp = {
    url: host.url,
    stateDir,
    manifestPath,
    async restart() {
      await host.close();
      host = await startHost({ manifestPath, listen: '127.0.0.1:0', stateDir, workers: 2, env });
      app.url = host.url;
    },
    async close() {
      await host.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return app;
}

export interface JsonReply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A JSON request; a string body is sent as is (to test malformed JSON), anything else is JSON-encoded. */
export async function call<T = Record<string, unknown>>(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(app.url + path, init);
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) {
    throw new Error(`${method} ${path}: expected JSON, got ${res.headers.get('content-type')}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: JSON.parse(text) as T };
}

export interface TestNetwork {
  app: TestApp;
  gateway: Gateway;
  /** the gateway's HTTP port: probes, POST /publish, the Yjs rooms (ws://…/yjs/agent-<id>) */
  gatewayUrl: string;
  /** the gateway first (its last deliveries still reach the app), then the app */
  close(): Promise<void>;
}

export interface TestNetworkOptions {
  /** real NATS at this URL; in-process delivery when absent */
  natsUrl?: string | undefined;
  syncIntervalMs?: number;
  healthTimeoutMs?: number;
  manifestPath?: string;
  /** the app's envelope_key, for the gateway to drop forged envelopes at the door */
  envelopeKey?: string;
  /** the app's auth_token and read_token, known to the gateway too */
  tokens?: { auth?: string; read?: string };
  gateway?: GatewayOptions;
}

/**
 * The whole network as `npm start` runs it: the gateway's HTTP port (so agents publish their
 * users' writes at once), the built components under the local host, and the gateway.
 */
export async function startTestNetwork(options: TestNetworkOptions = {}): Promise<TestNetwork> {
  let running: Gateway | null = null;
  const { auth, read } = options.tokens ?? {};
  const http = await startHttpServer(() => running, 0, { host: '127.0.0.1', authToken: auth, logger: () => undefined });
  const variables = { ...(auth === undefined ? {} : { auth_token: auth }), ...(read === undefined ? {} : { read_token: read }) };
  const app = await startApp(options.manifestPath, `http://127.0.0.1:${http.port}`, variables);
  const gateway = await startGateway(
    {
      ...DEFAULT_CONFIG,
      appUrl: app.url,
      natsUrl: options.natsUrl,
      syncIntervalMs: options.syncIntervalMs ?? 500,
      healthTimeoutMs: options.healthTimeoutMs ?? 5_000,
      envelopeKey: options.envelopeKey,
      authToken: auth,
      readToken: read,
      logLevel: 'error',
    },
    options.gateway ?? {},
  );
  running = gateway;
  return {
    app,
    gateway,
    gatewayUrl: `http://127.0.0.1:${http.port}`,
    async close() {
      await gateway.close();
      await http.close();
      await app.close();
    },
  };
}
