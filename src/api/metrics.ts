// GET /api/metrics: liveness, convergence and performance of the network, derived from what the
// agents keep in the store. Rates come from each agent's event buffer over the window it covers
// (the buffer holds MAX_BUFFER_SIZE events, so a busy agent's covers less than the window).
import { quantile, round1 } from '../shared/stats.ts';
import { emptyLatency, type LatencyHistogram, type Liveness, type TimelineEvent } from '../core/index.ts';
import type { AgentView } from './network.ts';

/** The window rates and latencies are computed over. */
export const METRICS_WINDOW_MS = 60_000;
/** Shorter coverage than this is stretched to it, so one burst does not read as a huge rate. */
const MIN_RATE_SPAN_MS = 1_000;

export interface AgentMetrics {
  agent: number;
  status: Liveness;
  node_id: string | null;
  last_seen: string | null;
  messages_received: number;
  messages_sent: number;
  syncs_completed: number;
  events_buffered: number;
  /** state digest: equal digests, equal replicas */
  digest: string | null;
  /** every receive the agent counted, by latency (send `ts` to receive; DELIVERY_LATENCY_BOUNDS_MS) */
  delivery_latency: LatencyHistogram;
}

export interface NetworkMetrics {
  timestamp: string;
  agents: { total: number; alive: number; suspect: number; down: number };
  /** everything a reader of the network's performance needs, in one object */
  performance: {
    window_seconds: number;
    /** send `ts` → receive at the agent, over the window's message_in events */
    delivery_latency_ms: { p50: number | null; p95: number | null; max: number | null; mean: number | null; samples: number };
    messages_per_second: number;
    syncs_per_second: number;
    convergence: {
      /** every agent holds the same state (state vector and delete set) */
      converged: boolean;
      distinct_states: number;
      /** since when (ISO) the states have been equal; null when they are not */
      since: string | null;
    };
    per_agent: AgentMetrics[];
  };
}

export function networkMetrics(agents: readonly AgentView[], now: number): NetworkMetrics {
  const latencies: number[] = [];
  let messagesPerSecond = 0;
  let syncsPerSecond = 0;
  for (const agent of agents) {
    const recent = agent.events.filter((e) => now - Date.parse(e.timestamp) <= METRICS_WINDOW_MS);
    const oldest = agent.events[0];
    if (oldest === undefined) continue;
    const spanMs = Math.max(MIN_RATE_SPAN_MS, Math.min(METRICS_WINDOW_MS, now - Date.parse(oldest.timestamp)));
    const count = (type: TimelineEvent['type']): number => recent.filter((e) => e.type === type).length;
    messagesPerSecond += (count('message_in') * 1_000) / spanMs;
    syncsPerSecond += (count('sync_completed') * 1_000) / spanMs;
    for (const e of recent) if (e.type === 'message_in' && e.duration_ms !== undefined) latencies.push(e.duration_ms);
  }
  latencies.sort((a, b) => a - b);
  const orNull = (x: number): number | null => (Number.isNaN(x) ? null : round1(x));

  const digests = agents.map((a) => a.meta?.digest ?? null);
  const distinct = new Set(digests.filter((d) => d !== null)).size;
  const converged = agents.length > 0 && digests.every((d) => d !== null) && distinct === 1;
  const since = converged ? Math.max(...agents.map((a) => a.meta?.digest_since ?? 0)) : null;

  const tally = (s: Liveness): number => agents.filter((a) => a.status === s).length;
  return {
    timestamp: new Date(now).toISOString(),
    agents: { total: agents.length, alive: tally('alive'), suspect: tally('suspect'), down: tally('down') },
    performance: {
      window_seconds: METRICS_WINDOW_MS / 1_000,
      delivery_latency_ms: {
        p50: orNull(quantile(latencies, 0.5)),
        p95: orNull(quantile(latencies, 0.95)),
        max: orNull(quantile(latencies, 1)),
        mean: orNull(latencies.reduce((sum, x) => sum + x, 0) / latencies.length),
        samples: latencies.length,
      },
      messages_per_second: round1(messagesPerSecond),
      syncs_per_second: round1(syncsPerSecond),
      convergence: { converged, distinct_states: distinct, since: since === null ? null : new Date(since).toISOString() },
      per_agent: agents.map((a) => ({
        agent: a.id,
        status: a.status,
        node_id: a.meta?.node_id ?? null,
        last_seen: a.meta?.last_seen === undefined ? null : new Date(a.meta.last_seen).toISOString(),
        messages_received: a.meta?.counters.messages_received ?? 0,
        messages_sent: a.meta?.counters.messages_sent ?? 0,
        syncs_completed: a.meta?.counters.syncs_completed ?? 0,
        events_buffered: a.events.length,
        digest: a.meta?.digest ?? null,
        delivery_latency: a.meta?.counters.latency ?? emptyLatency(),
      })),
    },
  };
}
