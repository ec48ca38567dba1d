// The network as the app's store shows it: what each agent last wrote of itself (meta, the
// timeline buffer), read without loading any agent's Yjs doc. Liveness from the app's side:
// an agent is alive while it was ticked or delivered to within HEALTH_TIMEOUT, suspect for up to
// twice that, down after (or when it never was).
import { agentKey, livenessAfter, mergeTimelines, readTimeline, type AgentMeta, type Liveness, type TimelineEvent } from '../core/index.ts';
import type { ByteStore } from '../spin/key-value.ts';

export interface AgentView {
  id: number;
  status: Liveness;
  /** null: the agent has never handled a request */
  meta: AgentMeta | null;
  /** its buffered events, oldest first */
  events: TimelineEvent[];
}

const decoder = new TextDecoder();

function readJson<T>(store: ByteStore, key: string): T | null {
  const bytes = store.get(key);
  if (bytes === null) return null;
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch {
    return null; // a torn or foreign value reads as absent rather than failing every reader
  }
}

export function livenessOf(meta: AgentMeta | null, now: number, healthTimeoutMs: number): Liveness {
  return meta?.last_seen === undefined ? 'down' : livenessAfter(now - meta.last_seen, healthTimeoutMs);
}

/**
 * Every agent's record; `events` only for the agents in `withEvents` (all when null): the
 * buffers are most of the bytes, and /health needs none of them.
 */
export function readAgents(
  store: ByteStore,
  settings: { agentCount: number; healthTimeoutMs: number; maxBufferSize: number },
  now: number,
  withEvents: ReadonlySet<number> | null = null,
): AgentView[] {
  const keys = withEvents === null || withEvents.size > 0 ? store.keys() : [];
  return Array.from({ length: settings.agentCount }, (_, id) => {
    const meta = readJson<AgentMeta>(store, agentKey(id, 'meta'));
    const events = withEvents === null || withEvents.has(id) ? readTimeline((key) => store.get(key), keys, () => store.keys(), id, settings.maxBufferSize) : [];
    return { id, status: livenessOf(meta, now, settings.healthTimeoutMs), meta, events };
  });
}

/** Every agent's buffered events as one HLC-ordered timeline. */
export function networkTimeline(agents: readonly AgentView[]): TimelineEvent[] {
  return mergeTimelines(agents.map((a) => a.events));
}
