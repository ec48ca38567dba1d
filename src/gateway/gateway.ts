// The gateway wires the pieces: NATS subjects → per-agent lane → POST /agent/:n/inbox → publish the
// outbox the agent returns; the clock ticks every agent through the same lanes; heartbeats feed
// liveness, which publishes network.status. Everything talks through `Delivery` only.
import { randomUUID } from 'node:crypto';
import { agentOfSubject, HEARTBEAT_SUBJECTS, inboxSubjects, NETWORK_STATUS_SUBJECT, timelineSubject, type Envelope } from '../core/envelope.ts';
import { AgentQueue, emptyCounters, type BatchOutcome, type CountByType, type QueueCounters, type TickOutcome } from './agent-queue.ts';
import { AppClient } from './app-client.ts';
import type { BackoffPolicy } from './backoff.ts';
import { TickClock } from './clock.ts';
import type { GatewayConfig } from './config.ts';
import { connectDelivery, type ConnectOptions } from './connect.ts';
import type { Delivery, DeliveryStats, DeliverySubscription } from './delivery.ts';
import { LivenessTracker, type NetworkStatus } from './liveness.ts';
import { createLogger, errorFields, type Logger } from '../core/log.ts';
import { EnvelopeVerifier } from './envelope-verifier.ts';
import { heartbeatDigest, isRoutable, type TimelineRecord } from './routable.ts';
import { Ownership } from './ownership.ts';
import { realTimers, sleep, type Timers } from './timers.ts';

/** Queue group for the inbox subjects: gateway replicas share deliveries instead of repeating them. */
export const GATEWAY_QUEUE_GROUP = 'crdt-gateway';
/** On close, how long in-flight and buffered deliveries get to finish before they are aborted. */
export const CLOSE_GRACE_MS = 2_000;

export interface FaultInjection {
  /** true → the envelope is lost between NATS and the agent (counted as `fault_dropped`) */
  dropDelivery?: (envelope: Envelope) => boolean;
}

export interface GatewayOptions extends ConnectOptions {
  faultInjection?: FaultInjection;
  /** defaults to JSON lines on stdout at config.logLevel */
  logger?: Logger;
  timers?: Timers;
  rand?: () => number;
  /** retry policy for app requests (default: 8 retries, 100 ms doubling to 5 s) */
  backoff?: Partial<BackoffPolicy>;
  requestTimeoutMs?: number;
}

export interface GatewayStats {
  kind: Delivery['kind'];
  uptime_ms: number;
  ticks: number;
  delivery: DeliveryStats;
  app: AppClient['counters'];
  /** all lanes summed */
  queues: QueueCounters;
  agents: (QueueCounters & { agent: number; depth: number })[];
  fault_dropped: number;
  /** inbound messages without an envelope's routing fields, or for an agent we do not serve */
  unroutable: number;
  /** inbound envelopes (heartbeats too) without the app's signature, dropped at the door (ENVELOPE_KEY set) */
  forged: number;
  /** timeline events published on timeline.<id> */
  timeline_published: number;
  /** envelopes agents handed over through POST /publish (their users' writes, sent at once) */
  published_for_agents: number;
}

export interface Gateway {
  readonly delivery: Delivery;
  stats(): GatewayStats;
  networkStatus(): NetworkStatus;
  /**
   * Publishes what an agent answered to someone else (its user's write, handed over by the agent
   * through POST /publish): the envelopes on their subjects, the events on timeline.<agent>.
   */
  publishFromAgent(agent: number, outbox: readonly Envelope[], timeline: readonly TimelineRecord[]): void;
  /** one tick of the clock now (tests, and a manual nudge); resolves when every agent answered */
  tickNow(): Promise<void>;
  /** resolves when no delivery or tick is in flight or waiting */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.logger ?? createLogger(config.logLevel, { component: 'gateway' });
  const timers = options.timers ?? realTimers;
  const startedAt = timers.now();
  // first log line: which delivery, and why
  const { delivery, dispose } = await connectDelivery(config, log, options);
  const app = new AppClient({
    appUrl: config.appUrl,
    authToken: config.authToken,
    logger: log,
    timers,
    maxSockets: config.agents.length * 2,
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.rand === undefined ? {} : { rand: options.rand }),
  });
  const counts = { fault_dropped: 0, unroutable: 0, forged: 0, timeline_published: 0, published_for_agents: 0 };
  const verifier = config.envelopeKey === undefined ? null : new EnvelopeVerifier(config.envelopeKey);
  /** false (and counted, and logged now and then: a flood must not flood the log) for a forged envelope */
  const authentic = (subject: string, envelope: Envelope): boolean => {
    if (verifier === null || verifier.signed(envelope)) return true;
    counts.forged += 1;
    const level = counts.forged === 1 || counts.forged % 1_000 === 0 ? 'warn' : 'debug';
    log(level, 'envelope not signed with the envelope key; dropped', { subject, id: envelope.id, type: envelope.type, from: envelope.from, forged_total: counts.forged });
    return false;
  };

  const publishOutbox = (outbox: readonly Envelope[]): void => {
    for (const envelope of outbox) {
      try {
        delivery.publish(envelope);
      } catch (err) {
        log('warn', 'outbox envelope not published', { id: envelope.id, type: envelope.type, ...errorFields(err) });
      }
    }
  };

  // Events go out on timeline.<agent> (a JetStream stream keeps them when there is one).
  const publishTimeline = (agent: number, events: readonly TimelineRecord[]): void => {
    for (const event of events) {
      if (event.agent !== agent) continue; // an agent reports its own events only
      try {
        delivery.publishJson(timelineSubject(agent), event);
        counts.timeline_published += 1;
      } catch (err) {
        log('warn', 'timeline event not published', { id: event.id, ...errorFields(err) });
      }
    }
  };

  // A refused batch (400 bad envelope, 413 too large) changes nothing at the agent. When the 400
  // names the envelopes refused, exactly those are dropped and the rest is sent again in one POST;
  // otherwise the batch is bisected, so one bad envelope costs log2(n) extra POSTs, not the batch.
  // with leases, no request starts on one that may have expired (ownership.ts)
  let ownership: Ownership | null = null;
  const mayStart = (agent: number): boolean => ownership === null || ownership.holds(agent);

  const deliver = async (agent: number, batch: Envelope[]): Promise<BatchOutcome> => {
    if (!mayStart(agent)) {
      log('debug', 'agent lease not fresh; delivery dropped (anti-entropy repairs it)', { agent, envelopes: batch.length });
      return { delivered: 0, failed: batch, retries: 0, posts: 0 };
    }
    const result = await app.inbox(agent, batch);
    if (result.kind === 'ok') {
      publishOutbox(result.outbox);
      publishTimeline(agent, result.timeline);
      return { delivered: batch.length, failed: [], retries: result.retries, posts: 1 };
    }
    const refused = result.kind === 'rejected' && result.status === 400 ? result.refused : undefined;
    if (refused !== undefined && refused.length > 0 && refused.at(-1)! < batch.length) {
      const dropped = new Set(refused);
      const kept = batch.filter((_, i) => !dropped.has(i));
      const rest = kept.length === 0 ? { delivered: 0, failed: [], retries: 0, posts: 0 } : await deliver(agent, kept);
      const failed = [...batch.filter((_, i) => dropped.has(i)), ...rest.failed];
      return { delivered: rest.delivered, failed, retries: result.retries + rest.retries, posts: 1 + rest.posts };
    }
    if (result.kind === 'rejected' && batch.length > 1 && (result.status === 400 || result.status === 413)) {
      const mid = Math.ceil(batch.length / 2);
      const a = await deliver(agent, batch.slice(0, mid));
      const b = await deliver(agent, batch.slice(mid));
      return { delivered: a.delivered + b.delivered, failed: [...a.failed, ...b.failed], retries: result.retries + a.retries + b.retries, posts: 1 + a.posts + b.posts };
    }
    return { delivered: 0, failed: batch, retries: result.retries, posts: 1 };
  };

  const tick = async (agent: number): Promise<TickOutcome> => {
    if (!mayStart(agent)) return { ok: false, retries: 0 };
    const result = await app.tick(agent);
    if (result.kind === 'ok') {
      publishOutbox(result.outbox);
      publishTimeline(agent, result.timeline);
    }
    return { ok: result.kind === 'ok', retries: result.retries };
  };

  // One lane per agent served: its queue, and (unless one wildcard subscription covers them all)
  // its own subscriptions, so NATS routes the other agents' subjects to the gateways serving them.
  const lanes = new Map<number, { queue: AgentQueue; subscriptions: DeliverySubscription[] }>();
  const wildcard = config.ownership === 'static' && config.agents.length === config.agentCount;
  const serve = (agent: number): void => {
    if (lanes.has(agent)) return;
    const queue = new AgentQueue({ agent, maxBufferSize: config.maxBufferSize, logger: log, deliver, tick });
    const subscriptions = wildcard ? [] : inboxSubjects(agent).map((s) => delivery.subscribe(s, onInbound, { queue: GATEWAY_QUEUE_GROUP }));
    lanes.set(agent, { queue, subscriptions });
  };
  /** stops taking work for `agent`; resolves when what was in flight or buffered is done */
  const unserve = async (agent: number, finishBuffered: boolean): Promise<void> => {
    const lane = lanes.get(agent);
    if (lane === undefined) return;
    for (const sub of lane.subscriptions) sub.unsubscribe();
    lanes.delete(agent);
    if (finishBuffered) await lane.queue.idle();
    lane.queue.close();
    await lane.queue.idle();
  };

  const liveness = new LivenessTracker({
    agentCount: config.agentCount,
    healthTimeoutMs: config.healthTimeoutMs,
    now: () => timers.now(),
    onChange: (status) => delivery.publishJson(NETWORK_STATUS_SUBJECT, status),
  });

  /** the agent a subject addresses, if it is one of the network's */
  const addressee = (subject: string): number | null => {
    const agent: unknown = agentOfSubject(subject);
    return typeof agent === 'number' && Number.isInteger(agent) && agent >= 0 && agent < config.agentCount ? agent : null;
  };

  const onInbound = (subject: string, data: unknown): void => {
    const agent = addressee(subject);
    if (!isRoutable(data) || agent === null || data.to !== agent) {
      counts.unroutable += 1;
      log('warn', 'inbound message not routable; dropped', { subject, to: isRoutable(data) ? data.to : undefined, agents: config.agentCount });
      return;
    }
    if (!authentic(subject, data)) return;
    if (options.faultInjection?.dropDelivery?.(data) === true) {
      counts.fault_dropped += 1;
      log('debug', 'fault injection dropped delivery', { subject, id: data.id, type: data.type });
      return;
    }
    lanes.get(agent)?.queue.push(data);
  };

  const onHeartbeat = (subject: string, data: unknown): void => {
    const agent = addressee(subject);
    if (!isRoutable(data) || data.type !== 'Heartbeat' || agent === null || data.from !== agent) {
      counts.unroutable += 1;
      log('warn', 'heartbeat not understood; ignored', { subject });
      return;
    }
    if (!authentic(subject, data)) return;
    liveness.heartbeat(agent, heartbeatDigest(data));
  };

  const subscriptions: DeliverySubscription[] = [
    ...(wildcard ? inboxSubjects('*').map((subject) => delivery.subscribe(subject, onInbound, { queue: GATEWAY_QUEUE_GROUP })) : []),
    // heartbeats of all agents feed liveness, wherever they come from
    delivery.subscribe(HEARTBEAT_SUBJECTS, onHeartbeat),
  ];

  const leases = config.ownership === 'lease' ? await delivery.openLeases(config.leaseTtlMs) : null;
  if (leases !== null) {
    ownership = new Ownership({
      store: leases,
      holder: `${config.instance}-${randomUUID().slice(0, 8)}`,
      agentCount: config.agentCount,
      ttlMs: config.leaseTtlMs,
      logger: log,
      timers,
      acquire: serve,
      relinquish: unserve,
    });
    await ownership.start();
  } else {
    if (config.ownership === 'lease') log('warn', 'OWNERSHIP=lease needs JetStream; serving the AGENTS given (all by default) instead', { kind: delivery.kind });
    for (const agent of config.agents) serve(agent);
  }

  const clock = new TickClock({
    intervalMs: config.syncIntervalMs,
    agents: () => [...lanes.keys()].sort((a, b) => a - b),
    delivery,
    logger: log,
    timers,
    ...(options.rand === undefined ? {} : { rand: options.rand }),
    tickAgent: (agent) => lanes.get(agent)?.queue.requestTick() ?? Promise.resolve(),
    onTick: () => {
      // network.status on every tick: evaluate() publishes when something changed, else we do
      const changed = liveness.evaluate();
      if (!changed) delivery.publishJson(NETWORK_STATUS_SUBJECT, liveness.snapshot());
    },
  });
  clock.start();
  log('info', 'gateway started', {
    app_url: config.appUrl,
    agents: config.agentCount,
    ownership: ownership === null ? 'static' : 'lease',
    serves: wildcard ? 'all' : [...lanes.keys()].sort((a, b) => a - b),
    sync_interval_ms: config.syncIntervalMs,
    health_timeout_ms: config.healthTimeoutMs,
    max_buffer_size: config.maxBufferSize,
    auth: config.authToken !== undefined,
  });

  const idle = async (): Promise<void> => void (await Promise.all([...lanes.values()].map((l) => l.queue.idle())));

  const stats = (): GatewayStats => {
    const totals = emptyCounters();
    const agents = [...lanes].sort(([a], [b]) => a - b).map(([agent, { queue: q }]) => {
      addCounters(totals, q.counters);
      return { agent, depth: q.depth, ...q.counters, dropped: { ...q.counters.dropped }, failed: { ...q.counters.failed } };
    });
    return {
      kind: delivery.kind,
      uptime_ms: timers.now() - startedAt,
      ticks: clock.ticks,
      delivery: delivery.stats(),
      app: { ...app.counters },
      queues: totals,
      agents,
      ...counts,
    };
  };

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clock.stop();
      const grace = new AbortController();
      const graceOver = sleep(realTimers, CLOSE_GRACE_MS, grace.signal);
      // hand the agents back first, so other replicas take them now rather than after the TTL
      // (each once its in-flight request is done; what is not handed back by then expires)
      if (ownership !== null) await Promise.race([ownership.stop(), graceOver]);
      for (const s of subscriptions) s.unsubscribe();
      // let in-flight and buffered deliveries finish (their outboxes still get published), briefly
      await Promise.race([idle(), graceOver]);
      grace.abort();
      app.close();
      for (const { queue, subscriptions: own } of lanes.values()) {
        for (const sub of own) sub.unsubscribe();
        queue.close();
      }
      await dispose();
      log('info', 'gateway stopped', { stats: summary(stats()) });
    })());

  const publishFromAgent = (agent: number, outbox: readonly Envelope[], timeline: readonly TimelineRecord[]): void => {
    counts.published_for_agents += outbox.length;
    publishOutbox(outbox);
    publishTimeline(agent, timeline);
  };

  return { delivery, stats, networkStatus: () => liveness.snapshot(), publishFromAgent, tickNow: () => clock.tickNow(), idle, close };
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

/** The shutdown log line: totals only, not nine lanes. */
function summary(s: GatewayStats): Record<string, unknown> {
  const { agents: _perAgent, ...rest } = s;
  return rest;
}
