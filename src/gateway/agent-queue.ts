// One delivery lane per agent: at most one request to an agent in flight (a Spin component loads,
// applies and saves its KV doc per request, so concurrent requests to one agent would only race).
// Envelopes that arrive meanwhile wait in a bounded buffer and go out as ONE batch POST when the
// lane frees up; ticks share the lane and alternate with batches so neither starves the other.
// Acks wait for company, as TCP's delayed acks do: a buffer holding only acks and heartbeats goes
// out with the next envelope that carries state, or once its oldest has waited noticeDelayMs.
// The agent only counts a notice, yet a POST of its own costs a component instance like any
// other: with one StateUpdate offered every 300 ms, ~31 inbox POSTs went out per update, most of
// them one envelope each; holding notices up to 500 ms took ~18 (README, run 19).
import { isNotice, type Envelope } from '../core/wire.ts';
import { errorFields, type Logger } from '../shared/log.ts';
import { realTimers, type Cancel, type Timers } from './timers.ts';

export interface BatchOutcome {
  /** envelopes the agent accepted */
  delivered: number;
  /** envelopes refused (4xx) or undeliverable (app down after every retry) */
  failed: Envelope[];
  retries: number;
  /** inbox POSTs this batch took (more than one when a refused batch was bisected) */
  posts: number;
}

export interface TickOutcome {
  ok: boolean;
  retries: number;
}

export type CountByType = Partial<Record<Envelope['type'], number>>;

export interface QueueCounters {
  delivered: number;
  /** inbox POSTs */
  batches: number;
  /** the largest batch handed to one delivery */
  max_batch: number;
  /** evicted from a full buffer, by type (the busiest sender's SyncRequests first: the next tick re-offers them) */
  dropped: CountByType;
  failed: CountByType;
  retries: number;
  ticks: number;
  ticks_failed: number;
  /** tick requests folded into one already waiting */
  ticks_coalesced: number;
}

export interface AgentQueueOptions {
  agent: number;
  maxBufferSize: number;
  logger: Logger;
  deliver(agent: number, batch: Envelope[]): Promise<BatchOutcome>;
  tick(agent: number): Promise<TickOutcome>;
  /** how long acks and heartbeats alone may wait for an envelope carrying state (0: never) */
  noticeDelayMs?: number;
  timers?: Timers;
}

export function emptyCounters(): QueueCounters {
  return { delivered: 0, batches: 0, max_batch: 0, dropped: {}, failed: {}, retries: 0, ticks: 0, ticks_failed: 0, ticks_coalesced: 0 };
}

const bump = (counts: CountByType, type: Envelope['type'], n = 1): void => void (counts[type] = (counts[type] ?? 0) + n);

export class AgentQueue {
  readonly counters = emptyCounters();
  private buffer: Envelope[] = [];
  private inFlight = false;
  /** non-null while a tick is requested and not yet started: the callers waiting for it */
  private tickWaiters: (() => void)[] | null = null;
  private lastWasTick = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** when the buffer last went from empty to holding something */
  private bufferedSince = 0;
  /** the wake-up of a buffer of notices held back */
  private noticeWake: Cancel | null = null;

  constructor(private readonly options: AgentQueueOptions) {}

  get depth(): number {
    return this.buffer.length;
  }

  push(envelope: Envelope): void {
    if (this.closed) return;
    if (this.buffer.length >= this.options.maxBufferSize) this.evictOne();
    if (this.buffer.length === 0) this.bufferedSince = this.timers.now();
    this.buffer.push(envelope);
    this.pump();
  }

  /** Resolves when a tick requested now (or one already waiting) has run. */
  requestTick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.tickWaiters === null) this.tickWaiters = [resolve];
      else {
        this.counters.ticks_coalesced += 1;
        this.tickWaiters.push(resolve);
      }
      this.pump();
    });
  }

  /** Resolves when nothing is in flight or waiting. */
  idle(): Promise<void> {
    if (!this.inFlight && this.buffer.length === 0 && this.tickWaiters === null) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work; what is in flight finishes (its client is closed separately). */
  close(): void {
    this.closed = true;
    this.buffer = [];
    this.noticeWake?.();
    this.noticeWake = null;
    const waiters = this.tickWaiters ?? [];
    this.tickWaiters = null;
    for (const w of waiters) w();
    if (!this.inFlight) this.settleIdle();
  }

  /**
   * From the sender holding most of the buffer (a flood, replayed or runaway, evicts itself first
   * and starves no other sender), its oldest SyncRequest if any (anti-entropy repeats it next
   * tick), else its oldest envelope. Logged at warn the first time and every 1,000th: a flood must
   * not flood the log.
   */
  private evictOne(): void {
    const held = new Map<number, number>();
    for (const e of this.buffer) held.set(e.from, (held.get(e.from) ?? 0) + 1);
    let sender = -1;
    for (const [from, count] of held) if (sender < 0 || count > held.get(sender)!) sender = from;
    const syncIndex = this.buffer.findIndex((e) => e.from === sender && e.type === 'SyncRequest');
    const index = syncIndex >= 0 ? syncIndex : this.buffer.findIndex((e) => e.from === sender);
    const [victim] = this.buffer.splice(index, 1);
    if (victim === undefined) return;
    bump(this.counters.dropped, victim.type);
    const total = Object.values(this.counters.dropped).reduce((a, b) => a + b, 0);
    this.options.logger(total === 1 || total % 1_000 === 0 ? 'warn' : 'debug', 'agent buffer full; dropped envelope', {
      agent: this.options.agent,
      type: victim.type,
      id: victim.id,
      from: victim.from,
      buffer_size: this.options.maxBufferSize,
      dropped_total: total,
    });
  }

  private pump(): void {
    if (this.inFlight) return;
    // closed: nothing more starts, and whoever waits for idle (a handover) may go on
    if (this.closed) return this.settleIdle();
    const wantTick = this.tickWaiters !== null && (this.buffer.length === 0 || !this.lastWasTick);
    if (!wantTick && this.buffer.length === 0) return this.settleIdle();
    if (!wantTick && this.holdsNotices()) return;
    this.inFlight = true;
    this.lastWasTick = wantTick;
    const work = wantTick ? this.runTick() : this.runBatch();
    void work.finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }

  private async runTick(): Promise<void> {
    const waiters = this.tickWaiters ?? [];
    this.tickWaiters = null;
    this.counters.ticks += 1;
    try {
      const outcome = await this.options.tick(this.options.agent);
      this.counters.retries += outcome.retries;
      if (!outcome.ok) this.counters.ticks_failed += 1;
    } catch (err) {
      this.counters.ticks_failed += 1;
      this.options.logger('error', 'tick failed', { agent: this.options.agent, ...errorFields(err) });
    } finally {
      for (const w of waiters) w();
    }
  }

  private get timers(): Timers {
    return this.options.timers ?? realTimers;
  }

  /** Whether the buffer is notices alone, younger than noticeDelayMs: then a wake-up is set. */
  private holdsNotices(): boolean {
    const delay = this.options.noticeDelayMs ?? 0;
    if (delay <= 0 || !this.buffer.every(isNotice)) return false;
    const wait = this.bufferedSince + delay - this.timers.now();
    if (wait <= 0) return false;
    this.noticeWake ??= this.timers.setTimeout(() => {
      this.noticeWake = null;
      this.pump();
    }, wait);
    return true;
  }

  private async runBatch(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.noticeWake?.();
    this.noticeWake = null;
    this.counters.max_batch = Math.max(this.counters.max_batch, batch.length);
    try {
      const outcome = await this.options.deliver(this.options.agent, batch);
      this.counters.batches += outcome.posts;
      this.counters.delivered += outcome.delivered;
      this.counters.retries += outcome.retries;
      for (const e of outcome.failed) bump(this.counters.failed, e.type);
    } catch (err) {
      for (const e of batch) bump(this.counters.failed, e.type);
      this.options.logger('error', 'delivery failed', { agent: this.options.agent, envelopes: batch.length, ...errorFields(err) });
    }
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
