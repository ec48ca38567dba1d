// One lane per agent this gateway serves: its queue (one delivery in flight, later arrivals
// coalesced), and, unless one wildcard subscription covers every agent, its own subscriptions, so
// NATS routes the other agents' subjects to the gateways serving them.
import { inboxSubjects, type Envelope } from '../core/wire.ts';
import type { Logger } from '../shared/log.ts';
import { AgentQueue, emptyCounters, type BatchOutcome, type CountByType, type QueueCounters, type TickOutcome } from './agent-queue.ts';
import type { Delivery, DeliverySubscription, MessageHandler } from './delivery.ts';
import type { Timers } from './timers.ts';

/**
 * How long an agent's acks wait for an envelope carrying state to ride with (agent-queue.ts); TCP
 * delays its acks for the same reason (by less than 500 ms, RFC 1122). With one StateUpdate offered
 * every 300 ms, 200 ms still sent a quarter of all inbox POSTs as acks alone, 500 ms none.
 */
export const NOTICE_DELAY_MS = 500;

/** Queue group for the inbox subjects: gateway replicas share deliveries instead of repeating them. */
export const GATEWAY_QUEUE_GROUP = 'crdt-gateway';

export interface LanesOptions {
  delivery: Delivery;
  maxBufferSize: number;
  log: Logger;
  /** one subscription for all agents' inbox subjects (this gateway serves them all, statically) */
  wildcard: boolean;
  onEnvelope: MessageHandler;
  deliver: (agent: number, batch: Envelope[]) => Promise<BatchOutcome>;
  tick: (agent: number) => Promise<TickOutcome>;
  timers?: Timers;
}

export class Lanes {
  readonly #lanes = new Map<number, { queue: AgentQueue; subscriptions: DeliverySubscription[] }>();

  constructor(private readonly options: LanesOptions) {}

  /** the agents served, ascending */
  get agents(): number[] {
    return [...this.#lanes.keys()].sort((a, b) => a - b);
  }

  readonly serve = (agent: number): void => {
    if (this.#lanes.has(agent)) return;
    const { delivery, maxBufferSize, log, wildcard, onEnvelope, deliver, tick, timers } = this.options;
    const queue = new AgentQueue({ agent, maxBufferSize, logger: log, deliver, tick, noticeDelayMs: NOTICE_DELAY_MS, timers });
    const subscriptions = wildcard ? [] : inboxSubjects(agent).map((s) => delivery.subscribe(s, onEnvelope, { queue: GATEWAY_QUEUE_GROUP }));
    this.#lanes.set(agent, { queue, subscriptions });
  };

  /** Stops taking work for `agent`; resolves when what was in flight (or buffered too) is done. */
  readonly unserve = async (agent: number, finishBuffered: boolean): Promise<void> => {
    const lane = this.#lanes.get(agent);
    if (lane === undefined) return;
    for (const sub of lane.subscriptions) sub.unsubscribe();
    this.#lanes.delete(agent);
    if (finishBuffered) await lane.queue.idle();
    lane.queue.close();
    await lane.queue.idle();
  };

  push(agent: number, envelope: Envelope): void {
    this.#lanes.get(agent)?.queue.push(envelope);
  }

  requestTick(agent: number): Promise<void> {
    return this.#lanes.get(agent)?.queue.requestTick() ?? Promise.resolve();
  }

  /** resolves when no delivery or tick is in flight or waiting */
  async idle(): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((l) => l.queue.idle()));
  }

  /** every lane's counters, and their sum */
  counters(): { totals: QueueCounters; agents: (QueueCounters & { agent: number; depth: number })[] } {
    const totals = emptyCounters();
    const agents = [...this.#lanes].sort(([a], [b]) => a - b).map(([agent, { queue: q }]) => {
      addCounters(totals, q.counters);
      return { agent, depth: q.depth, ...q.counters, dropped: { ...q.counters.dropped }, failed: { ...q.counters.failed } };
    });
    return { totals, agents };
  }

  close(): void {
    for (const { queue, subscriptions } of this.#lanes.values()) {
      for (const sub of subscriptions) sub.unsubscribe();
      queue.close();
    }
  }
}

function addCounters(into: QueueCounters, from: QueueCounters): void {
  const sum = (a: CountByType, b: CountByType): void => {
    for (const [type, n] of Object.entries(b) as [Envelope['type'], number][]) a[type] = (a[type] ?? 0) + n;
  };
  into.delivered += from.delivered;
  into.batches += from.batches;
  into.max_batch = Math.max(into.max_batch, from.max_batch);
  into.retries += from.retries;
  into.ticks += from.ticks;
  into.ticks_failed += from.ticks_failed;
  into.ticks_coalesced += from.ticks_coalesced;
  sum(into.dropped, from.dropped);
  sum(into.failed, from.failed);
}
