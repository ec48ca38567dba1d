// The figures /api/metrics and /metrics derive from the agents' records, on fixed inputs.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { networkMetrics } from '../../src/api/metrics.ts';
import { livenessOf, type AgentView } from '../../src/api/network.ts';
import { prometheusText } from '../../src/api/prometheus.ts';
import { countExchange, formatHlc, newCounters, type AgentMeta, type Envelope, type TimelineEvent } from '../../src/core/index.ts';

const NOW = 1_764_590_000_000;

function receive(agent: number, at: number, latencyMs: number): TimelineEvent {
  return { id: `${agent}-${at}`, timestamp: new Date(at).toISOString(), hlc: formatHlc({ wall: at, counter: 0, node: agent }), agent, type: 'message_in', duration_ms: latencyMs, detail: {} };
}

function sentAt(ts: number): Envelope {
  return { v: 1, id: `e${ts}`, type: 'Ack', from: 1, to: 0, ts, hlc: formatHlc({ wall: ts, counter: 0, node: 1 }), payload: { ack: 'x' } };
}

function view(id: number, meta: Partial<AgentMeta> | null, events: TimelineEvent[] = []): AgentView {
  const full = meta === null ? null : { node_id: `n${id}`, counters: { ...newCounters(0), messages_received: 10 * id }, ...meta };
  return { id, status: livenessOf(full, NOW, 15_000), meta: full, events };
}

describe('liveness from the last gateway contact', () => {
  it.each([
    [null, 'down'],
    [{}, 'down'],
    [{ last_seen: NOW - 15_000 }, 'alive'],
    [{ last_seen: NOW - 15_001 }, 'suspect'],
    [{ last_seen: NOW - 30_001 }, 'down'],
  ] as const)('%j → %s', (meta, status) => {
    expect(view(0, meta).status).toBe(status);
  });
});

describe('networkMetrics', () => {
  it('latency quantiles over the window, rates over what each buffer covers', () => {
    // agent 0: 10 receives in the last 10 s (its whole buffer); agent 1: 20 over 120 s, half of them before the window
    const a = Array.from({ length: 10 }, (_, i) => receive(0, NOW - 10_000 + i * 1_000, i + 1));
    const b = Array.from({ length: 20 }, (_, i) => receive(1, NOW - 120_000 + i * 6_000, 100));
    const m = networkMetrics([view(0, { last_seen: NOW }, a), view(1, { last_seen: NOW }, b)], NOW);
    expect(m.performance.delivery_latency_ms).toEqual({ p50: 10, p95: 100, max: 100, mean: 52.8, samples: 20 });
    // 10 in the 10 s agent 0's buffer covers, + 10 in agent 1's 60 s window: 1 + 1/6 per second
    expect(m.performance.messages_per_second).toBe(1.2);
    expect(m.agents).toEqual({ total: 2, alive: 2, suspect: 0, down: 0 });
  });

  it('no events: null latencies and zero rates, not NaN', () => {
    const m = networkMetrics([view(0, null)], NOW);
    expect(m.performance.delivery_latency_ms).toEqual({ p50: null, p95: null, max: null, mean: null, samples: 0 });
    expect(m.performance.messages_per_second).toBe(0);
    expect(JSON.stringify(m)).not.toContain('NaN');
  });

  it('converged when every agent holds the same digest, since the last of them changed', () => {
    const agents = [view(0, { digest: 'ab', digest_since: NOW - 5_000 }), view(1, { digest: 'ab', digest_since: NOW - 2_000 })];
    expect(networkMetrics(agents, NOW).performance.convergence).toEqual({ converged: true, distinct_states: 1, since: new Date(NOW - 2_000).toISOString() });
    const apart = [view(0, { digest: 'ab' }), view(1, { digest: 'cd' }), view(2, null)];
    expect(networkMetrics(apart, NOW).performance.convergence).toEqual({ converged: false, distinct_states: 2, since: null });
    // an agent that never reported cannot be said to agree
    expect(networkMetrics([view(0, { digest: 'ab' }), view(1, null)], NOW).performance.convergence.converged).toBe(false);
  });
});

describe('prometheusText', () => {
  it('is valid exposition: every family typed and described, per-agent samples labelled', () => {
    const counters = countExchange(newCounters(0), [sentAt(NOW - 12), sentAt(NOW - 40_000)], [], 0, NOW);
    const m = networkMetrics([view(0, { last_seen: NOW, digest: 'ab', counters: { ...counters, messages_received: 0 } }, [receive(0, NOW - 1_000, 12)]), view(1, {})], NOW);
    const text = prometheusText(m);
    expect(text.endsWith('\n')).toBe(true);
    const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    expect(families.get('crdt_agent_up')?.metrics).toEqual([
      { value: '1', labels: { agent: '0' } },
      { value: '0', labels: { agent: '1' } },
    ]);
    expect(families.get('crdt_agent_messages_received_total')?.metrics.map((s) => s.value)).toEqual(['0', '10']);
    // a histogram in seconds from the counts the agents keep, cumulative per agent, no precomputed rates or quantiles
    expect(families.get('crdt_delivery_latency_seconds')?.type).toBe('HISTOGRAM');
    const buckets = text.split('\n').filter((l) => l.startsWith('crdt_delivery_latency_seconds_bucket{agent="0"'));
    expect(buckets).toContain('crdt_delivery_latency_seconds_bucket{agent="0",le="0.01"} 0');
    expect(buckets).toContain('crdt_delivery_latency_seconds_bucket{agent="0",le="0.025"} 1');
    expect(buckets).toContain('crdt_delivery_latency_seconds_bucket{agent="0",le="+Inf"} 2');
    expect(text).toContain('crdt_delivery_latency_seconds_sum{agent="0"} 40.012');
    expect(text).toContain('crdt_delivery_latency_seconds_count{agent="0"} 2');
    expect(text).toContain('crdt_delivery_latency_seconds_count{agent="1"} 0');
    expect(text).not.toMatch(/per_second|quantile=/);
    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE'))) {
      const name = line.split(' ')[2]!;
      expect(text).toContain(`# HELP ${name} `);
    }
  });
});
