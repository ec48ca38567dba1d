// Gateway configuration from the environment: defaults, then validation that names the variable,
// so a bad deployment fails at start with a sentence instead of misbehaving later.
import { hostname } from 'node:os';
import { readIntegerSetting, SETTINGS, type IntegerBounds } from '../core/wire.ts';
import { LOG_LEVELS, parseLogLevel, type LogLevel } from '../shared/log.ts';
import { redactNatsUrl } from './nats-url.ts';

export const DEFAULT_APP_URL = 'http://127.0.0.1:3000';
export const DEFAULT_AGENT_COUNT = SETTINGS.agentCount.default;
export const DEFAULT_SYNC_INTERVAL_MS = SETTINGS.syncIntervalMs.default;
export const DEFAULT_HEALTH_TIMEOUT_MS = SETTINGS.healthTimeoutMs.default;
export const DEFAULT_MAX_BUFFER_SIZE = SETTINGS.maxBufferSize.default;
export const DEFAULT_LEASE_TTL_MS = 15_000;

/** `static`: serve AGENTS (all by default); `lease`: replicas share the agents through JetStream leases */
export type OwnershipMode = 'static' | 'lease';

export interface GatewayConfig {
  /** base URL of the Spin app (the agents' HTTP routes) */
  appUrl: string;
  /** NATS server URL(s), comma-separated; undefined → a caller-started server or in-process delivery */
  natsUrl: string | undefined;
  /** a NATS .creds file (JWT + NKey seed, as managed NATS services hand out); undefined → none */
  natsCreds: string | undefined;
  /** NATS user and password (the broker `npm start` and k8s run has users: src/gateway/nats-config.ts); else any in NATS_URL */
  natsUser: string | undefined;
  natsPassword: string | undefined;
  /** bearer token for the app's mutating routes; undefined when the app has none */
  authToken: string | undefined;
  /** the app's read_token: a Yjs client holding it may read an agent's room, not write (yjs-rooms.ts) */
  readToken: string | undefined;
  /** the app's envelope_key: envelopes without its signature are dropped at the door (envelope-verifier.ts) */
  envelopeKey: string | undefined;
  agentCount: number;
  /**
   * the agents this gateway delivers to and ticks, ascending (AGENTS, e.g. `0-2,7`; default all):
   * several gateways, each on its own NATS node or region, split one network between them
   */
  agents: readonly number[];
  ownership: OwnershipMode;
  /** with leases: how long a silent replica keeps its agents (renewed every third of it) */
  leaseTtlMs: number;
  /** names this replica in the leases (HOSTNAME, i.e. the pod name; a random suffix is added at start) */
  instance: string;
  /** port of the gateway's own /livez and /readyz (HEALTH_PORT; k8s probes), undefined → none */
  healthPort: number | undefined;
  /** period of the tick clock (jittered ±10%) */
  syncIntervalMs: number;
  /** an agent without a heartbeat for this long is suspect; for twice this long, down */
  healthTimeoutMs: number;
  /** envelopes buffered per agent while a delivery to it is in flight */
  maxBufferSize: number;
  logLevel: LogLevel;
}

export const DEFAULT_CONFIG: Readonly<GatewayConfig> = {
  appUrl: DEFAULT_APP_URL,
  natsUrl: undefined,
  natsCreds: undefined,
  natsUser: undefined,
  natsPassword: undefined,
  authToken: undefined,
  readToken: undefined,
  envelopeKey: undefined,
  agentCount: DEFAULT_AGENT_COUNT,
  agents: Array.from({ length: DEFAULT_AGENT_COUNT }, (_, id) => id),
  ownership: 'static',
  leaseTtlMs: DEFAULT_LEASE_TTL_MS,
  instance: hostname(),
  healthPort: undefined,
  syncIntervalMs: DEFAULT_SYNC_INTERVAL_MS,
  healthTimeoutMs: DEFAULT_HEALTH_TIMEOUT_MS,
  maxBufferSize: DEFAULT_MAX_BUFFER_SIZE,
  logLevel: 'info',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Unset and empty both mean "use the default" (an empty `KEY=` line in a k8s manifest is common). */
function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** An integer setting from its environment variable (core/settings.ts; unset or empty: its default). */
function integer(env: Env, setting: IntegerBounds & { env: string }): number {
  const value = readIntegerSetting(setting, raw(env, setting.env));
  if (typeof value === 'number') return value;
  throw new ConfigError(setting.env, value.problem);
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const value = raw(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

/** nats.js accepts `host:port`, `nats://…`, `tls://…`, comma-separated (`nats://user:password@…` too: nats-url.ts); ws:// needs `wsconnect`, not this client. */
function natsUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  for (const server of value.split(',').map((s) => s.trim())) {
    if (server === '' || /^wss?:\/\//.test(server) || !/^((nats|tls):\/\/)?[^\s/]+(:\d+)?\/?$/.test(server)) {
      throw new ConfigError(name, `must be nats://host:port (comma-separated for a cluster), got ${JSON.stringify(redactNatsUrl(value))}`);
    }
  }
  return value;
}

/** `0-2,7` → [0, 1, 2, 7]: ids below `agentCount`, each at most once. */
function agentIds(env: Env, name: string, agentCount: number): number[] {
  const value = raw(env, name);
  if (value === undefined) return Array.from({ length: agentCount }, (_, id) => id);
  const ids = new Set<number>();
  for (const part of value.split(',').map((s) => s.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    const from = Number(range?.[1]);
    const to = Number(range?.[2] ?? range?.[1]);
    if (range === null || from > to || to >= agentCount) {
      throw new ConfigError(name, `must list agent ids below AGENT_COUNT (${agentCount}) as ids and ranges, e.g. "0-2,7"; got ${JSON.stringify(value)}`);
    }
    for (let id = from; id <= to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

function logLevel(env: Env, name: string): LogLevel {
  const value = raw(env, name) ?? 'info';
  const level = parseLogLevel(value);
  if (level === null) throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return level;
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const syncIntervalMs = integer(env, SETTINGS.syncIntervalMs);
  const healthTimeoutMs = integer(env, SETTINGS.healthTimeoutMs);
  // Agents heartbeat once per tick: a timeout shorter than the tick would mark healthy agents suspect.
  if (healthTimeoutMs <= syncIntervalMs) {
    throw new ConfigError('HEALTH_TIMEOUT', `(${healthTimeoutMs} ms) must be greater than SYNC_INTERVAL (${syncIntervalMs} ms)`);
  }
  const agentCount = integer(env, SETTINGS.agentCount);
  const ownership = raw(env, 'OWNERSHIP') ?? 'static';
  if (ownership !== 'static' && ownership !== 'lease') throw new ConfigError('OWNERSHIP', `must be static or lease, got ${JSON.stringify(ownership)}`);
  if (ownership === 'lease' && raw(env, 'AGENTS') !== undefined) {
    throw new ConfigError('AGENTS', 'cannot be combined with OWNERSHIP=lease: the replicas share out the agents themselves');
  }
  const leaseTtlMs = integer(env, { env: 'LEASE_TTL', default: DEFAULT_LEASE_TTL_MS, min: 300, max: 3_600_000, unit: ' (ms)' });
  return {
    appUrl: httpUrl(env, 'APP_URL', DEFAULT_APP_URL),
    natsUrl: natsUrl(env, 'NATS_URL'),
    natsCreds: raw(env, 'NATS_CREDS'),
    natsUser: raw(env, 'NATS_USER'),
    natsPassword: raw(env, 'NATS_PASSWORD'),
    authToken: raw(env, 'AUTH_TOKEN'),
    readToken: raw(env, 'READ_TOKEN'),
    envelopeKey: raw(env, 'ENVELOPE_KEY'),
    agentCount,
    agents: agentIds(env, 'AGENTS', agentCount),
    ownership,
    leaseTtlMs,
    instance: raw(env, 'HOSTNAME') ?? hostname(),
    healthPort: raw(env, 'HEALTH_PORT') === undefined ? undefined : integer(env, { env: 'HEALTH_PORT', default: 0, min: 1, max: 65_535, unit: '' }),
    syncIntervalMs,
    healthTimeoutMs,
    maxBufferSize: integer(env, SETTINGS.maxBufferSize),
    logLevel: logLevel(env, 'LOG_LEVEL'),
  };
}
