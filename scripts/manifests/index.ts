// Everything a deployment needs, generated from one set of settings: spin.toml, k8s/*.yaml and,
// with a Redis store, runtime-config.toml. `npm run gen` writes these files; a test holds the
// committed ones to DEFAULT_SETTINGS.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TopologyKind } from '../../src/core/index.ts';
import { k8sManifests } from './k8s/index.ts';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './k8s/ingress.ts';
import { APP_VARIABLES, DEFAULT_AGENTS, DEFAULT_TOPOLOGY, spinManifest } from './spin-toml.ts';
import { runtimeConfigToml, type Storage } from './storage.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const RUNTIME_CONFIG_FILE = 'runtime-config.toml';
export const DEFAULT_REGISTRY = 'ghcr.io/your-org';

export interface DeploymentSettings {
  agents: number;
  topology: TopologyKind;
  region: string;
  storage: Storage;
  /** registry the app (`spin registry push`) and gateway (`docker push`) images go to */
  registry: string;
  /** the NATS WebSocket browsers reach (the dashboard's live view); empty: it polls */
  natsWsUrl: string;
  /** requests per second at the k8s front door, per client address and per agent (0: none) */
  rateLimits: RateLimits;
}

export const DEFAULT_SETTINGS: Readonly<DeploymentSettings> = {
  agents: DEFAULT_AGENTS,
  topology: DEFAULT_TOPOLOGY,
  region: APP_VARIABLES.region.default,
  storage: { kind: 'spin' },
  registry: DEFAULT_REGISTRY,
  natsWsUrl: APP_VARIABLES.nats_ws_url.default,
  rateLimits: DEFAULT_RATE_LIMITS,
};

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Relative path → file text. */
export function deploymentFiles(s: DeploymentSettings): Map<string, string> {
  const defaults = { topology: s.topology, region: s.region, nats_ws_url: s.natsWsUrl };
  const variables: Record<string, string> = Object.fromEntries(
    Object.entries(APP_VARIABLES).map(([name, v]) => [name, name in defaults ? defaults[name as keyof typeof defaults] : v.default]),
  );
  const files = new Map<string, string>([['spin.toml', spinManifest({ agents: s.agents, defaults })]]);
  const k8s = k8sManifests({
    agents: s.agents,
    topology: s.topology,
    version: appVersion(),
    registry: s.registry,
    storage: s.storage,
    rateLimits: s.rateLimits,
    variables,
    gatewayEnv: {
      AGENT_COUNT: String(s.agents),
      SYNC_INTERVAL: variables.sync_interval ?? '',
      HEALTH_TIMEOUT: variables.health_timeout ?? '',
      MAX_BUFFER_SIZE: variables.max_buffer_size ?? '',
      LOG_LEVEL: variables.log_level ?? '',
      // a replica that dies keeps its agents this long: three ticks
      LEASE_TTL: String(3 * Number(variables.sync_interval)),
    },
  });
  for (const [name, text] of k8s) files.set(`k8s/${name}`, text);
  const runtimeConfig = runtimeConfigToml(s.storage);
  if (runtimeConfig !== null) files.set(RUNTIME_CONFIG_FILE, runtimeConfig);
  return files;
}
