// The agent's reads that need no doc (state, health, messages, timeline): records its writes keep current.
import { neighbours, summaryHolds, uptimeSeconds, type AgentMeta, type AgentSummary, type TimelineEvent } from '../../core/index.ts';
import { json } from '../../spin/http.ts';
import type { AgentConfig } from '../config.ts';
import type { RecordedEnvelope } from '../persistence.ts';
import type { AgentRequest } from '../request.ts';

/**
 * GET /state without opening the doc: meta and the summary the last change left (AgentSummary),
 * while it still describes the stored blobs; otherwise from the doc, leaving a fresh summary.
 */
export function getState({ session, persistence, config, now }: AgentRequest): Response {
  const p = persistence();
  const meta = p.meta();
  const summary = meta === null ? null : p.summary();
  const { snapshotKeys, logKeys } = p.blobKeys();
  if (meta !== null && summary !== null && summaryHolds(summary, [...snapshotKeys, ...logKeys])) {
    return json(200, stateOf(config, meta, summary, now()));
  }
  const s = session();
  return json(200, stateOf(s.config, s.meta, s.refreshSummary(), s.now()));
}

/** What GET /agent/:id/state answers. */
export type AgentStateAnswer = ReturnType<typeof stateOf>;

function stateOf(config: AgentConfig, meta: AgentMeta, summary: AgentSummary, now: number) {
  const c = meta.counters;
  return {
    agent_id: config.agentId,
    node_id: meta.node_id,
    egraph_nodes: summary.egraph.nodes,
    egraph_nodes_stale: summary.egraph.nodes_stale === true,
    neighbors: neighbours(config.topology, config.agentCount, config.agentId),
    messages_received: c.messages_received,
    messages_sent: c.messages_sent,
    syncs_completed: c.syncs_completed,
    uptime_seconds: uptimeSeconds(meta, now),
    region: config.region,
    topology: config.topology,
    agent_count: config.agentCount,
    created_at: new Date(c.created_at).toISOString(),
    state_vector: summary.state_vector,
    writers: Object.keys(summary.state_vector).length,
    state_digest: summary.state_digest,
    doc_bytes: summary.doc_bytes,
    doc_bytes_stale: summary.doc_bytes_stale,
    data_keys: summary.data_keys,
    stored_blobs: summary.blobs.length,
    stored_bytes: summary.stored_bytes,
  };
}

/** GET /health reads the agent's identity only (the first request of a new agent creates it). */
export function getHealth({ session, persistence, config, now }: AgentRequest): Response {
  const meta = persistence().meta() ?? session().meta;
  return json(200, { status: 'ok', agent_id: config.agentId, node_id: meta.node_id, uptime_seconds: uptimeSeconds(meta, now()) });
}

export function getMessages({ persistence, config }: AgentRequest): Response {
  const messages = persistence().messages();
  return json(200, { agent_id: config.agentId, count: messages.length, messages } satisfies MessagesAnswer);
}

/** What GET /agent/:id/messages answers: the agent's message history, oldest first. */
export interface MessagesAnswer {
  agent_id: number;
  count: number;
  messages: RecordedEnvelope[];
}

/** GET /timeline: this agent's own buffer, oldest first. */
export function getTimeline({ persistence, config }: AgentRequest): Response {
  const events = persistence().timeline(config.maxBufferSize);
  return json(200, { count: events.length, events } satisfies AgentTimelineAnswer);
}

/** What GET /agent/:id/timeline answers. */
export interface AgentTimelineAnswer {
  count: number;
  events: TimelineEvent[];
}
