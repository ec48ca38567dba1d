// Agent configuration, read from Spin variables at request time (never at module top level:
// Wizer would freeze whatever a top-level read returned at build time into every instance).
import { AgentError, parseTopology, SETTINGS, type TopologyKind } from '../core/index.ts';
import type { LogLevel } from '../shared/log.ts';
import { integerVariable as integer, logLevelVariable, type VariableSource } from '../spin/variables.ts';

export interface AgentConfig {
  agentId: number;
  region: string;
  agentCount: number;
  topology: TopologyKind;
  syncIntervalMs: number;
  healthTimeoutMs: number;
  /** how many envelopes GET /messages keeps, and the longest inbox batch accepted */
  maxBufferSize: number;
  logLevel: LogLevel;
  /** how far ahead of this agent's clock a peer's HLC reading may be before its envelope is refused */
  maxClockSkewMs: number;
  /** bearer token required on mutating routes (and accepted on reads); null when unset */
  authToken: string | null;
  /** bearer token that may read but not write; when set, reads need it or authToken */
  readToken: string | null;
  /** signs every envelope sent and is required on every envelope received (signing.ts); null: neither */
  envelopeKey: string | null;
  /** where a user's write is handed over to be published at once (`<gateway_url>/publish/<id>`); null: with the next tick */
  gatewayUrl: string | null;
}

export type { VariableSource };

export function readConfig(get: VariableSource): AgentConfig {
  const agentCount = integer(get, SETTINGS.agentCount);
  if ((get('agent_id') ?? '') === '') throw new AgentError('bad-config', 'variable agent_id is not set for this component');
  // an id is one of the agent_count agents: 0 .. agent_count - 1
  const agentId = integer(get, { variable: 'agent_id', default: 0, min: 0, max: agentCount - 1, unit: '' });
  const logLevel = logLevelVariable(get);
  return {
    agentId,
    agentCount,
    region: get('region') || 'local',
    topology: parseTopology(get('topology') || 'grid'),
    syncIntervalMs: integer(get, SETTINGS.syncIntervalMs),
    healthTimeoutMs: integer(get, SETTINGS.healthTimeoutMs),
    maxBufferSize: integer(get, SETTINGS.maxBufferSize),
    logLevel,
    maxClockSkewMs: integer(get, SETTINGS.maxClockSkewMs),
    authToken: get('auth_token') || null,
    readToken: get('read_token') || null,
    envelopeKey: get('envelope_key') || null,
    gatewayUrl: gatewayUrlVariable(get),
  };
}

/** `gateway_url`: an http(s) origin (the component's allowed_outbound_hosts lists it), or empty. */
function gatewayUrlVariable(get: VariableSource): string | null {
  const raw = get('gateway_url');
  if (raw === null || raw === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') {
    throw new AgentError('bad-config', 'variable gateway_url must be an http(s) origin such as http://127.0.0.1:3001', `got ${JSON.stringify(raw)}`);
  }
  return url.origin;
}
