// The api component's configuration, from Spin variables at request time.
import { parseTopology, SETTINGS, type TopologyKind } from '../core/index.ts';
import type { LogLevel } from '../shared/log.ts';
import { integerVariable, logLevelVariable, type VariableSource } from '../spin/variables.ts';
import type { AppTokens } from '../spin/http.ts';

export interface ApiConfig {
  agentCount: number;
  topology: TopologyKind;
  region: string;
  syncIntervalMs: number;
  /** an agent unheard of for this long is suspect; for twice this long, down */
  healthTimeoutMs: number;
  /** events each agent keeps for the timeline (the agents' own max_buffer_size) */
  maxBufferSize: number;
  logLevel: LogLevel;
  /** NATS WebSocket URL the dashboard subscribes to; null: it polls /api/timeline */
  natsWsUrl: string | null;
  /** the broker's `dashboard` user's password on that WebSocket */
  natsWsPassword: string | null;
  /** `read_token` only (the api never holds the write secret): set, every route but /health needs it */
  tokens: AppTokens;
}

export function readApiConfig(get: VariableSource): ApiConfig {
  return {
    agentCount: integerVariable(get, SETTINGS.agentCount),
    topology: parseTopology(get('topology') || 'grid'),
    region: get('region') || 'local',
    syncIntervalMs: integerVariable(get, SETTINGS.syncIntervalMs),
    healthTimeoutMs: integerVariable(get, SETTINGS.healthTimeoutMs),
    maxBufferSize: integerVariable(get, SETTINGS.maxBufferSize),
    logLevel: logLevelVariable(get),
    natsWsUrl: get('nats_ws_url') || null,
    natsWsPassword: get('nats_ws_password') || null,
    tokens: { write: null, read: get('read_token') || null },
  };
}
