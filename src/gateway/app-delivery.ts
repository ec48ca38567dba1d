// What goes to the app and what comes back: a batch POSTed to /agent/:n/inbox (or a tick), and the
// outbox and timeline events the agent answers with, published on their subjects.
import { timelineSubject, type Envelope } from '../core/wire.ts';
import { errorFields, type Logger } from '../shared/log.ts';
import type { BatchOutcome, TickOutcome } from './agent-queue.ts';
import type { AppClient } from './app-client.ts';
import type { Delivery } from './delivery.ts';
import type { EnvelopeTraces } from './envelope-traces.ts';
import { childTraceparent } from '../shared/trace-context.ts';
import type { TimelineRecord } from './routable.ts';

export interface AppDeliveryCounts {
  /** timeline events published on timeline.<id> */
  timeline_published: number;
  /** envelopes agents handed over through POST /publish (their users' writes, sent at once) */
  published_for_agents: number;
}

export interface AppDeliveryOptions {
  app: AppClient;
  delivery: Delivery;
  log: Logger;
  /** whether a request may start for this agent now (with leases: only on a fresh one, ownership.ts) */
  mayStart: (agent: number) => boolean;
  /** each receive an agent reports (a `message_in` event): its delivery latency, for the metrics */
  onReceive?: (agent: number, latencyMs: number) => void;
  /** the traceparents inbound envelopes came with */
  traces: EnvelopeTraces;
  /** n random bytes (new spans' ids) */
  random: (n: number) => Uint8Array;
}

export class AppDelivery {
  readonly counts: AppDeliveryCounts = { timeline_published: 0, published_for_agents: 0 };

  constructor(private readonly options: AppDeliveryOptions) {}

  /**
   * Delivers one batch. A refused batch (400 bad envelope, 413 too large) changes nothing at the
   * agent. When the 400 names the envelopes refused, exactly those are dropped and the rest is sent
   * again in one POST; otherwise the batch is bisected, so one bad envelope costs log2(n) extra
   * POSTs, not the batch.
   */
  readonly deliver = async (agent: number, batch: Envelope[]): Promise<BatchOutcome> => {
    const { app, log, mayStart, traces, random } = this.options;
    if (!mayStart(agent)) {
      log('debug', 'agent lease not fresh; delivery dropped (anti-entropy repairs it)', { agent, envelopes: batch.length });
      return { delivered: 0, failed: batch, retries: 0, posts: 0 };
    }
    // this POST is a span of the trace the batch came in (a new trace when none did); what the agent answers continues it
    const trace = childTraceparent(traces.of(batch), random);
    const result = await app.inbox(agent, batch, trace);
    if (result.kind === 'ok') {
      this.publishOutbox(result.outbox, trace);
      this.publishTimeline(agent, result.timeline);
      return { delivered: batch.length, failed: [], retries: result.retries, posts: 1 };
    }
    const refused = result.kind === 'rejected' && result.status === 400 ? result.refused : undefined;
    if (refused !== undefined && refused.length > 0 && refused.at(-1)! < batch.length) {
      const dropped = new Set(refused);
      const kept = batch.filter((_, i) => !dropped.has(i));
      const rest = kept.length === 0 ? { delivered: 0, failed: [], retries: 0, posts: 0 } : await this.deliver(agent, kept);
      const failed = [...batch.filter((_, i) => dropped.has(i)), ...rest.failed];
      return { delivered: rest.delivered, failed, retries: result.retries + rest.retries, posts: 1 + rest.posts };
    }
    if (result.kind === 'rejected' && batch.length > 1 && (result.status === 400 || result.status === 413)) {
      const mid = Math.ceil(batch.length / 2);
      const a = await this.deliver(agent, batch.slice(0, mid));
      const b = await this.deliver(agent, batch.slice(mid));
      return { delivered: a.delivered + b.delivered, failed: [...a.failed, ...b.failed], retries: result.retries + a.retries + b.retries, posts: 1 + a.posts + b.posts };
    }
    return { delivered: 0, failed: batch, retries: result.retries, posts: 1 };
  };

  readonly tick = async (agent: number): Promise<TickOutcome> => {
    if (!this.options.mayStart(agent)) return { ok: false, retries: 0 };
    const trace = childTraceparent(null, this.options.random); // each tick starts a trace
    const result = await this.options.app.tick(agent, trace);
    if (result.kind === 'ok') {
      this.publishOutbox(result.outbox, trace);
      this.publishTimeline(agent, result.timeline);
    }
    return { ok: result.kind === 'ok', retries: result.retries };
  };

  /**
   * What an agent answered to someone else (its user's write, handed over through POST /publish),
   * in the trace of that write (`traceparent`, as the agent forwarded it) or a new one.
   */
  publishFromAgent(agent: number, outbox: readonly Envelope[], timeline: readonly TimelineRecord[], traceparent: string | null): void {
    this.counts.published_for_agents += outbox.length;
    this.publishOutbox(outbox, childTraceparent(traceparent, this.options.random));
    this.publishTimeline(agent, timeline);
  }

  private publishOutbox(outbox: readonly Envelope[], traceparent: string): void {
    for (const envelope of outbox) {
      try {
        this.options.delivery.publish(envelope, traceparent);
      } catch (err) {
        this.options.log('warn', 'outbox envelope not published', { id: envelope.id, type: envelope.type, ...errorFields(err) });
      }
    }
  }

  /** Events go out on timeline.<agent> (a JetStream stream keeps them when there is one). */
  private publishTimeline(agent: number, events: readonly TimelineRecord[]): void {
    for (const event of events) {
      if (event.agent !== agent) continue; // an agent reports its own events only
      if (event.type === 'message_in' && typeof event.duration_ms === 'number') this.options.onReceive?.(agent, event.duration_ms);
      try {
        this.options.delivery.publishJson(timelineSubject(agent), event);
        this.counts.timeline_published += 1;
      } catch (err) {
        this.options.log('warn', 'timeline event not published', { id: event.id, ...errorFields(err) });
      }
    }
  }
}
