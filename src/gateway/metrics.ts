// The gateway's Prometheus metrics (GET /metrics on its HTTP port), with prom-client: what an
// operator of the NATS trigger watches. Counts are read from the running gateway at scrape time
// (its lanes, app client, NATS connection and leases keep them); delivery latency is a histogram
// in seconds, observed as the agents report each receive (a `message_in` event carries the time
// from the envelope's send to its application). Node's process metrics come with them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DELIVERY_LATENCY_BOUNDS_MS } from '../core/wire.ts';
import type { QueueCounters } from './agent-queue.ts';
import type { DeliveryStats } from './delivery.ts';

/** What the metrics read of the running gateway's stats (GatewayStats holds all of it). */
export interface MetricsSource {
  agents: (QueueCounters & { agent: number; depth: number })[];
  delivery: DeliveryStats;
  app: { requests: number; rejected: number; unavailable: number };
  unroutable: number;
  forged: number;
  leases?: Record<string, number>;
}


/** Seconds from an envelope's send to its application at the agent (1 ms .. 30 s): the agents' own buckets. */
export const DELIVERY_LATENCY_BUCKETS = DELIVERY_LATENCY_BOUNDS_MS.map((ms) => ms / 1_000);

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly latency: Histogram;

  constructor(stats: () => MetricsSource | null) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.latency = new Histogram({
      name: 'crdt_gateway_delivery_latency_seconds',
      help: 'Time from an envelope being sent to its application at the receiving agent, as the agent reports it',
      labelNames: ['agent'],
      buckets: DELIVERY_LATENCY_BUCKETS,
      registers,
    });
    /** a counter whose values the gateway already keeps: set from them at scrape time */
    const counted = <L extends string>(name: string, help: string, labelNames: L[], read: (s: MetricsSource) => [Partial<Record<L, string>>, number][]) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          const s = stats();
          if (s === null) return;
          this.reset();
          for (const [labels, value] of read(s)) if (value > 0) this.inc(labels, value);
        },
      });
    const perAgent = (s: MetricsSource, pick: (a: MetricsSource['agents'][number]) => number): [{ agent: string }, number][] => s.agents.map((a) => [{ agent: String(a.agent) }, pick(a)]);
    const byType = (s: MetricsSource, pick: (a: MetricsSource['agents'][number]) => Record<string, number | undefined>): [{ agent: string; type: string }, number][] =>
      s.agents.flatMap((a) => Object.entries(pick(a)).map(([type, n]): [{ agent: string; type: string }, number] => [{ agent: String(a.agent), type }, n ?? 0]));

    new Gauge({
      name: 'crdt_gateway_queue_depth',
      help: 'Envelopes waiting for delivery to the agent',
      labelNames: ['agent'],
      registers,
      collect() {
        const s = stats();
        if (s === null) return;
        this.reset();
        for (const a of s.agents) this.set({ agent: String(a.agent) }, a.depth);
      },
    });
    new Gauge({
      name: 'crdt_gateway_nats_connected',
      help: '1 while the gateway is connected to its broker (in-process delivery: always)',
      registers,
      collect() {
        const s = stats();
        this.set(s?.delivery.connected === true ? 1 : 0);
      },
    });
    counted('crdt_gateway_delivered_envelopes_total', 'Envelopes delivered to the agent (POST /agent/:id/inbox answered 200)', ['agent'], (s) => perAgent(s, (a) => a.delivered));
    counted('crdt_gateway_dropped_envelopes_total', 'Envelopes evicted from the agent\'s full queue, by envelope type', ['agent', 'type'], (s) => byType(s, (a) => a.dropped));
    counted('crdt_gateway_failed_envelopes_total', 'Envelopes the agent refused or that could not be delivered, by envelope type', ['agent', 'type'], (s) => byType(s, (a) => a.failed));
    counted('crdt_gateway_delivery_retries_total', 'Inbox and tick requests retried because the app was unavailable', ['agent'], (s) => perAgent(s, (a) => a.retries));
    counted('crdt_gateway_ticks_total', 'Ticks sent to the agent', ['agent'], (s) => perAgent(s, (a) => a.ticks));
    counted('crdt_gateway_app_requests_total', 'Requests to the app', [], (s) => [[{}, s.app.requests]]);
    counted('crdt_gateway_app_errors_total', 'App requests that failed: rejected (4xx: the input was refused) or unavailable (down after every retry)', ['kind'], (s) => [
      [{ kind: 'rejected' }, s.app.rejected],
      [{ kind: 'unavailable' }, s.app.unavailable],
    ]);
    counted('crdt_gateway_nats_reconnects_total', 'Reconnections to the NATS broker', [], (s) => [[{}, s.delivery.reconnects]]);
    counted('crdt_gateway_nats_published_total', 'Messages published on NATS (envelopes, timeline events, status)', [], (s) => [[{}, s.delivery.published]]);
    counted('crdt_gateway_lease_changes_total', 'Agent leases taken, handed over or lost by this replica (OWNERSHIP=lease)', ['change'], (s) =>
      Object.entries(s.leases ?? {}).map(([change, n]): [{ change: string }, number] => [{ change }, n]),
    );
    counted('crdt_gateway_refused_at_door_total', 'Inbound messages dropped before any agent: unroutable, or unsigned while ENVELOPE_KEY is set', ['reason'], (s) => [
      [{ reason: 'unroutable' }, s.unroutable],
      [{ reason: 'forged' }, s.forged],
    ]);
  }

  /** One receive an agent reported (`message_in`'s duration_ms). */
  observeDeliveryLatency(agent: number, ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.latency.observe({ agent: String(agent) }, ms / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
