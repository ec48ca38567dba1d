// The tick clock: Spin has no timer trigger for this, so every SYNC_INTERVAL (±10% jitter, so a
// fleet of gateways or agents does not fire in lockstep) the gateway asks every agent to tick
// (heartbeat + anti-entropy SyncRequests + pending updates) and announces itself on
// `broadcast.heartbeat`.
import { BROADCAST_HEARTBEAT_SUBJECT } from '../core/wire.ts';
import type { Delivery } from './delivery.ts';
import { errorFields, type Logger } from '../shared/log.ts';
import { realTimers, type Cancel, type Timers } from './timers.ts';

export const TICK_JITTER = 0.1;

export interface BroadcastHeartbeat {
  ts: number;
  /** how many agents this tick asked */
  agents: number;
  kind: Delivery['kind'];
  tick: number;
}

export interface ClockOptions {
  intervalMs: number;
  /** the agents this gateway ticks (read every tick: replicas hand agents over) */
  agents(): readonly number[];
  delivery: Delivery;
  logger: Logger;
  /** POSTs /agent/:n/tick and publishes the outbox (through the agent's lane) */
  tickAgent(agent: number): Promise<void>;
  /** runs first on every tick, before the agents are asked (liveness: time-based, app up or not) */
  onTick?(now: number): void;
  timers?: Timers;
  rand?: () => number;
}

export function jitteredDelayMs(intervalMs: number, rand: () => number = Math.random): number {
  return Math.max(1, Math.round(intervalMs * (1 + (2 * rand() - 1) * TICK_JITTER)));
}

export class TickClock {
  private cancel: Cancel | null = null;
  private count = 0;
  private readonly timers: Timers;

  constructor(private readonly options: ClockOptions) {
    this.timers = options.timers ?? realTimers;
  }

  get ticks(): number {
    return this.count;
  }

  /** The first tick comes one (jittered) interval after start. */
  start(): void {
    if (this.cancel === null) this.schedule();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  /** One tick now; resolves when every agent's tick has been answered (or given up on). */
  tickNow(): Promise<void> {
    const { delivery, logger } = this.options;
    const agents = this.options.agents();
    this.count += 1;
    const now = this.timers.now();
    try {
      this.options.onTick?.(now);
    } catch (err) {
      logger('error', 'tick hook failed', errorFields(err));
    }
    const beat: BroadcastHeartbeat = { ts: now, agents: agents.length, kind: delivery.kind, tick: this.count };
    delivery.publishJson(BROADCAST_HEARTBEAT_SUBJECT, beat);
    logger('debug', 'tick', { tick: this.count, agents: agents.length });
    return Promise.all(agents.map((n) => this.options.tickAgent(n))).then(() => undefined);
  }

  private schedule(): void {
    this.cancel = this.timers.setTimeout(() => {
      // schedule before ticking: a slow app must not stretch the period
      this.schedule();
      void this.tickNow();
    }, jitteredDelayMs(this.options.intervalMs, this.options.rand));
  }
}
