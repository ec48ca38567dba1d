// What an agent keeps in the app's key-value store that other components of the app read: the
// key layout and the shape of its metadata. The agent writes these (src/agent/persistence.ts);
// the api component reads them for /health, /api/timeline and /api/metrics. One definition here,
// so the two components cannot drift apart.
import type { Counters } from './counters.ts';
import type { TimelineEvent } from './timeline.ts';

/** Every key of agent `id` starts with this. */
export function agentKeyPrefix(id: number): string {
  return `agent:${id}:`;
}

/** `agent:<id>:<name>`; names: meta, timeline, messages, outbox, timeline-pending, snapshot:…, log:… */
export function agentKey(id: number, name: string): string {
  return agentKeyPrefix(id) + name;
}

export interface AgentMeta {
  node_id: string;
  counters: Counters;
  /** sizes of the e-graph sets when saturation last reached a fixpoint (nothing to redo until they grow) */
  saturated?: { terms: number; unions: number } | null;
  /** the last reading of the agent's hybrid logical clock */
  hlc?: string | null;
  /** ms since epoch of the last request that exchanged messages (a tick or an inbox delivery) */
  last_seen?: number;
  /** state digest (digest.ts) after the last change, and since when (ms) it has held */
  digest?: string;
  digest_since?: number;
}

/** The newest events kept under `agent:<id>:timeline`, oldest first. */
export type StoredTimeline = TimelineEvent[];
