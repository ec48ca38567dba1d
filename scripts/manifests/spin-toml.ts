// spin.toml for N agents (written by `npm run gen`, scripts/gen.ts). One wasm (dist/agent.wasm)
// backs N components that differ only in their agent_id variable.
import { stringify } from 'smol-toml';
import { SETTINGS, type TopologyKind } from '../../src/core/index.ts';

export const DEFAULT_AGENTS = SETTINGS.agentCount.default;
export const DEFAULT_TOPOLOGY: TopologyKind = 'grid';
/** where `npm start` runs the gateway's HTTP port (GATEWAY_PORT) */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:3001';
/** the interface the agent imports and dist/egraph-kernel.wasm exports (asm/wit/kernel.wit) */
const KERNEL_INTERFACE = 'crdt-agents:egraph/kernel@0.1.0';

// Application variables every agent reads; override at deploy time (`spin cloud deploy
// --variable topology=ring`) or locally with SPIN_VARIABLE_<NAME>.
export const APP_VARIABLES = {
  auth_token: { default: '', secret: true },
  // a token that may read but not write; set, it is required on every read (auth_token also reads)
  read_token: { default: '', secret: true },
  // HMAC key every agent signs its envelopes with and requires on theirs; empty: unsigned
  envelope_key: { default: '', secret: true },
  region: { default: 'local' },
  topology: { default: 'grid' },
  sync_interval: { default: String(SETTINGS.syncIntervalMs.default) },
  health_timeout: { default: String(SETTINGS.healthTimeoutMs.default) },
  max_buffer_size: { default: String(SETTINGS.maxBufferSize.default) },
  log_level: { default: 'info' },
  // ms a peer's hybrid clock may run ahead of an agent's before its envelopes are refused
  max_clock_skew: { default: String(SETTINGS.maxClockSkewMs.default) },
  // the dashboard subscribes to NATS over WebSocket at this URL (e.g. wss://nats.example.com:443);
  // empty: it polls /api/timeline instead
  nats_ws_url: { default: '' },
  // the broker's `dashboard` user's password there, handed to the dashboard by /api/topology
  // (which the read_token guards when set): no anonymous client may listen
  nats_ws_password: { default: '', secret: true },
  // pages of other origins that may call the API with a token: `*` or comma-separated origins;
  // empty: none (src/spin/cors.ts)
  cors_origins: { default: '' },
  // the gateway's HTTP port (its POST /publish/<id>): a user's write is handed over at once
  // instead of waiting for the next tick. Also the agents' only allowed_outbound_hosts entry.
  gateway_url: { default: DEFAULT_GATEWAY_URL },
};

/** Variables the api component reads (only the read token: it changes nothing, so it never holds the write secret). */
export const API_VARIABLES = ['read_token', 'cors_origins', 'region', 'topology', 'sync_interval', 'health_timeout', 'max_buffer_size', 'log_level', 'nats_ws_url', 'nats_ws_password'] as const;
/** Variables every agent reads. */
export const AGENT_VARIABLES = ['auth_token', 'read_token', 'cors_origins', 'envelope_key', 'region', 'topology', 'sync_interval', 'health_timeout', 'max_buffer_size', 'log_level', 'max_clock_skew', 'gateway_url'] as const;

export interface ManifestOptions {
  agents: number;
  /** the default of the `topology` variable (a deployment may still override it) */
  topology?: TopologyKind;
  /** where the component files live, relative to the manifest (or absolute) */
  wasmDir?: string;
  /** overrides of application variable defaults (tests set auth_token this way) */
  defaults?: Partial<Record<keyof typeof APP_VARIABLES, string>>;
}

export function spinManifest({ agents, topology = DEFAULT_TOPOLOGY, wasmDir = 'dist', defaults = {} }: ManifestOptions): string {
  const variablesTable: Record<string, { default: string; secret?: boolean }> = { ...APP_VARIABLES };
  for (const [name, value] of Object.entries({ topology, ...defaults })) {
    variablesTable[name] = { ...APP_VARIABLES[name as keyof typeof APP_VARIABLES], default: value };
  }
  const component: Record<string, unknown> = {
    api: {
      description: 'App-level endpoints: /health, /api/timeline, /api/metrics, /metrics, /api/topology',
      source: `${wasmDir}/api.wasm`,
      // reads what the agents keep in the app's store (src/core/agent-record.ts)
      key_value_stores: ['default'],
      variables: {
        agent_count: String(agents),
        ...Object.fromEntries(API_VARIABLES.map((v) => [v, `{{ ${v} }}`])),
      },
      build: { command: 'npm run build -- api', watch: ['src/api/**/*.ts', 'src/core/**/*.ts', 'src/spin/**/*.ts', 'src/spin/wit/*.wit'] },
    },
    dashboard: {
      description: 'The timeline dashboard at /dashboard (bundled files served from the component)',
      source: `${wasmDir}/dashboard.wasm`,
      build: { command: 'npm run build -- dashboard', watch: ['dashboard/**/*.ts', 'dashboard/**/*.html', 'dashboard/**/*.css', 'src/spin/wit/*.wit'] },
    },
  };
  const triggers: { route: string; component: string }[] = [
    { route: '/health', component: 'api' },
    { route: '/metrics', component: 'api' },
    { route: '/api/...', component: 'api' },
    { route: '/dashboard/...', component: 'dashboard' },
  ];
  for (let id = 0; id < agents; id++) {
    const name = `agent-${id}`;
    const variables: Record<string, string> = { agent_id: String(id), agent_count: String(agents) };
    for (const v of AGENT_VARIABLES) variables[v] = `{{ ${v} }}`;
    component[name] = {
      description: `CRDT agent ${id}`,
      source: `${wasmDir}/agent.wasm`,
      key_value_stores: ['default'],
      // leases on Yjs writer identities (src/agent/writers.ts)
      sqlite_databases: ['default'],
      // a write's envelopes go to the gateway at once (src/agent/publish.ts)
      allowed_outbound_hosts: ['{{ gateway_url }}'],
      variables,
      // Spin composes the AssemblyScript kernel into each agent instance at load time
      dependencies: { [KERNEL_INTERFACE]: { path: `${wasmDir}/egraph-kernel.wasm` } },
      build: { command: 'npm run build -- agent', watch: ['src/agent/**/*.ts', 'src/core/**/*.ts', 'src/egraph/**/*.ts', 'src/spin/**/*.ts', 'src/agent/wit/*.wit', 'src/spin/wit/*.wit', 'asm/**/*.ts', 'asm/wit/*.wit'] },
    };
    triggers.push({ route: `/agent/${id}/...`, component: name });
  }
  const header = `# Generated by \`npm run gen -- --agents ${agents} --topology ${topology}\` (scripts/gen.ts); regenerate rather than edit.\n`;
  return (
    header +
    stringify({
      spin_manifest_version: 2,
      application: {
        name: 'crdt-agents-network',
        version: '0.1.0',
        description: 'An edge network of CRDT agents syncing over NATS',
      },
      variables: variablesTable,
      trigger: { http: triggers },
      component,
    })
  );
}
