// Agent configuration, read from Spin variables at request time (never at module top level:
// Wizer would freeze whatever a top-level read returned at build time into every instance).
import { AgentError, parseTopology, type TopologyKind } from '../core/index.ts';
import { LOG_LEVELS, type LogLevel } from '../core/log.ts';

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
  /** bearer token required on mutating routes; null when unset */
  authToken: string | null;
}

/** Reads one Spin variable; null when it is not defined for the component. */
export type VariableSource = (name: string) => string | null;

function integer(get: VariableSource, name: string, fallback: number, min: number): number {
  const raw = get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new AgentError('bad-config', `variable ${name} must be an integer >= ${min}`, `got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function readConfig(get: VariableSource): AgentConfig {
  const agentCount = integer(get, 'agent_count', 9, 1);
  const agentId = integer(get, 'agent_id', -1, 0);
  if (agentId < 0) throw new AgentError('bad-config', 'variable agent_id is not set for this component');
  if (agentId >= agentCount) {
    throw new AgentError('bad-config', `variable agent_id (${agentId}) must be below agent_count (${agentCount})`);
  }
  const logLevel = (get('log_level') || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new AgentError('bad-config', `variable log_level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    agentId,
    agentCount,
    region: get('region') || 'local',
    topology: parseTopology(get('topology') || 'grid'),
    syncIntervalMs: integer(get, 'sync_interval', 5_000, 1),
    healthTimeoutMs: integer(get, 'health_timeout', 15_000, 1),
    maxBufferSize: integer(get, 'max_buffer_size', 100, 1),
    logLevel,
    authToken: get('auth_token') || null,
  };
}
