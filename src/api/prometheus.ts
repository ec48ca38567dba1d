// GET /metrics: the figures of /api/metrics in Prometheus' text exposition format 0.0.4 (HELP and
// TYPE per family, one sample per line, labels quoted and escaped). Counters and histograms only
// where Prometheus derives rates and quantiles itself (rate(), histogram_quantile()): nothing here
// is a precomputed rate or quantile over a window of the app's choosing.
import { DELIVERY_LATENCY_BOUNDS_MS, LIVENESS } from '../core/index.ts';
import type { NetworkMetrics } from './metrics.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string | number>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: { labels?: Labels; value: number; suffix?: string }[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function line(name: string, labels: Labels | undefined, value: number): string {
  const entries = Object.entries(labels ?? {});
  const text = entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',')}}`;
  return `${name}${text} ${Number.isFinite(value) ? String(value) : 'NaN'}`;
}

/** One agent's histogram as Prometheus samples: cumulative buckets (`le` in seconds, then +Inf), sum and count. */
function latencySamples(agent: number, h: NetworkMetrics['performance']['per_agent'][number]['delivery_latency']): Family['samples'] {
  let cumulative = 0;
  const buckets = DELIVERY_LATENCY_BOUNDS_MS.map((boundMs, i) => {
    cumulative += h.counts[i] ?? 0;
    return { suffix: '_bucket', labels: { agent, le: String(boundMs / 1_000) }, value: cumulative };
  });
  const count = cumulative + (h.counts[DELIVERY_LATENCY_BOUNDS_MS.length] ?? 0);
  return [
    ...buckets,
    { suffix: '_bucket', labels: { agent, le: '+Inf' }, value: count },
    { suffix: '_sum', labels: { agent }, value: h.sum_ms / 1_000 },
    { suffix: '_count', labels: { agent }, value: count },
  ];
}

export function prometheusText(m: NetworkMetrics): string {
  const perAgent = (pick: (a: NetworkMetrics['performance']['per_agent'][number]) => number) => m.performance.per_agent.map((a) => ({ labels: { agent: a.agent }, value: pick(a) }));
  const families: Family[] = [
    { name: 'crdt_agents_total', help: 'Agents in the network.', type: 'gauge', samples: [{ value: m.agents.total }] },
    {
      name: 'crdt_agents_status',
      help: 'Agents by liveness status (up, suspect, down).',
      type: 'gauge',
      samples: LIVENESS.map((s) => ({ labels: { status: s }, value: m.agents[s] })),
    },
    { name: 'crdt_agent_up', help: 'Whether the agent was heard from within HEALTH_TIMEOUT (1) or not (0).', type: 'gauge', samples: perAgent((a) => (a.status === 'alive' ? 1 : 0)) },
    { name: 'crdt_network_converged', help: 'Whether every agent holds the same state (1) or not (0).', type: 'gauge', samples: [{ value: m.performance.convergence.converged ? 1 : 0 }] },
    { name: 'crdt_network_distinct_states', help: 'Distinct replica states across the agents.', type: 'gauge', samples: [{ value: m.performance.convergence.distinct_states }] },
    { name: 'crdt_agent_messages_received_total', help: 'Envelopes delivered to the agent.', type: 'counter', samples: perAgent((a) => a.messages_received) },
    { name: 'crdt_agent_messages_sent_total', help: 'Envelopes the agent published.', type: 'counter', samples: perAgent((a) => a.messages_sent) },
    { name: 'crdt_agent_syncs_completed_total', help: 'Sync step 2 responses the agent applied.', type: 'counter', samples: perAgent((a) => a.syncs_completed) },
    { name: 'crdt_agent_timeline_events', help: 'Timeline events the agent keeps in its buffer.', type: 'gauge', samples: perAgent((a) => a.events_buffered) },
    {
      name: 'crdt_delivery_latency_seconds',
      help: 'Time from an envelope being sent to its receipt at the agent, as the agent counts every receive.',
      type: 'histogram',
      samples: m.performance.per_agent.flatMap((a) => latencySamples(a.agent, a.delivery_latency)),
    },
  ];
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(line(f.name + (s.suffix ?? ''), s.labels, s.value));
  }
  return `${out.join('\n')}\n`;
}
