// The gateway wires the pieces: NATS subjects → checked at the door (inbound.ts) → per-agent lane
// (lanes.ts) → POST /agent/:n/inbox → publish the outbox the agent returns (app-delivery.ts); the
// clock ticks every agent through the same lanes; heartbeats feed liveness, which publishes
// network.status. Everything talks through `Delivery` only.
import { randomUUID } from 'node:crypto';
import { HEARTBEAT_SUBJECTS, inboxSubjects, NETWORK_STATUS_SUBJECT, type Envelope } from '../core/wire.ts';
import type { QueueCounters } from './agent-queue.ts';
import { AppClient } from './app-client.ts';
import { AppDelivery } from './app-delivery.ts';
import type { BackoffPolicy } from './backoff.ts';
import { TickClock } from './clock.ts';
import type { GatewayConfig } from './config.ts';
import { connectDelivery, type ConnectOptions } from './connect.ts';
import type { Delivery, DeliveryStats, DeliverySubscription } from './delivery.ts';
import { LivenessTracker, type NetworkStatus } from './liveness.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { EnvelopeVerifier } from './envelope-verifier.ts';
import { Inbound } from './inbound.ts';
import { EnvelopeTraces } from './envelope-traces.ts';
import { GATEWAY_QUEUE_GROUP, Lanes } from './lanes.ts';
import type { TimelineRecord } from './routable.ts';
import { Ownership } from './ownership.ts';
import { GatewayMetrics } from './metrics.ts';
import { realTimers, sleep, type Timers } from './timers.ts';

export { GATEWAY_QUEUE_GROUP } from './lanes.ts';
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
  /** with OWNERSHIP=lease: agent leases this replica took, handed over and lost */
  leases?: Ownership['changes'];
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly delivery: Delivery;
  /** Prometheus metrics (served by the HTTP port's GET /metrics) */
  readonly metrics: GatewayMetrics;
  stats(): GatewayStats;
  networkStatus(): NetworkStatus;
  /**
   * Publishes what an agent answered to someone else (its user's write, handed over by the agent
   * through POST /publish): the envelopes on their subjects, the events on timeline.<agent>.
   */
  publishFromAgent(agent: number, outbox: readonly Envelope[], timeline: readonly TimelineRecord[], traceparent: string | null): void;
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
  // with leases, no request starts on one that may have expired (ownership.ts)
  let ownership: Ownership | null = null;
  // the metrics read the gateway's counts at scrape time, once it runs
  let running: (() => GatewayStats) | null = null;
  const metrics = new GatewayMetrics(() => running?.() ?? null);
  const traces = new EnvelopeTraces();
  const toApp = new AppDelivery({
    app,
    delivery,
    log,
    mayStart: (agent) => ownership === null || ownership.holds(agent),
    onReceive: (agent, ms) => metrics.observeDeliveryLatency(agent, ms),
    traces,
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  });
  const liveness = new LivenessTracker({
    agentCount: config.agentCount,
    healthTimeoutMs: config.healthTimeoutMs,
    now: () => timers.now(),
    onChange: (status) => delivery.publishJson(NETWORK_STATUS_SUBJECT, status),
  });
  const wildcard = config.ownership === 'static' && config.agents.length === config.agentCount;
  const inbound: Inbound = new Inbound({
    agentCount: config.agentCount,
    verifier: config.envelopeKey === undefined ? null : new EnvelopeVerifier(config.envelopeKey),
    log,
    deliver: (agent, envelope, traceparent) => {
      traces.note(envelope, traceparent);
      lanes.push(agent, envelope);
    },
    heartbeat: (agent, digest) => void liveness.heartbeat(agent, digest),
    ...(options.faultInjection?.dropDelivery === undefined ? {} : { dropDelivery: options.faultInjection.dropDelivery }),
  });
  const lanes = new Lanes({ delivery, maxBufferSize: config.maxBufferSize, log, wildcard, onEnvelope: inbound.onEnvelope, deliver: toApp.deliver, tick: toApp.tick, timers });

  const subscriptions: DeliverySubscription[] = [
    ...(wildcard ? inboxSubjects('*').map((subject) => delivery.subscribe(subject, inbound.onEnvelope, { queue: GATEWAY_QUEUE_GROUP })) : []),
    // heartbeats of all agents feed liveness, wherever they come from
    delivery.subscribe(HEARTBEAT_SUBJECTS, inbound.onHeartbeat),
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
      acquire: lanes.serve,
      relinquish: lanes.unserve,
    });
    await ownership.start();
  } else {
    if (config.ownership === 'lease') log('warn', 'OWNERSHIP=lease needs JetStream; serving the AGENTS given (all by default) instead', { kind: delivery.kind });
    for (const agent of config.agents) lanes.serve(agent);
  }

  const clock = new TickClock({
    intervalMs: config.syncIntervalMs,
    agents: () => lanes.agents,
    delivery,
    logger: log,
    timers,
    ...(options.rand === undefined ? {} : { rand: options.rand }),
    tickAgent: (agent) => lanes.requestTick(agent),
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
    serves: wildcard ? 'all' : lanes.agents,
    sync_interval_ms: config.syncIntervalMs,
    health_timeout_ms: config.healthTimeoutMs,
    max_buffer_size: config.maxBufferSize,
    auth: config.authToken !== undefined,
  });

  const stats = (): GatewayStats => {
    const { totals, agents } = lanes.counters();
    return {
      kind: delivery.kind,
      uptime_ms: timers.now() - startedAt,
      ticks: clock.ticks,
      delivery: delivery.stats(),
      app: { ...app.counters },
      queues: totals,
      agents,
      ...inbound.counts,
      ...toApp.counts,
      ...(ownership === null ? {} : { leases: { ...ownership.changes } }),
    };
  };
  running = stats;

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
      await Promise.race([lanes.idle(), graceOver]);
      grace.abort();
      app.close();
      lanes.close();
      await dispose();
      log('info', 'gateway stopped', { stats: summary(stats()) });
    })());

  return {
    config,
    delivery,
    metrics,
    stats,
    networkStatus: () => liveness.snapshot(),
    publishFromAgent: (agent, outbox, timeline, traceparent) => toApp.publishFromAgent(agent, outbox, timeline, traceparent),
    tickNow: () => clock.tickNow(),
    idle: () => lanes.idle(),
    close,
  };
}

/** The shutdown log line: totals only, not nine lanes. */
function summary(s: GatewayStats): Record<string, unknown> {
  const { agents: _perAgent, ...rest } = s;
  return rest;
}
