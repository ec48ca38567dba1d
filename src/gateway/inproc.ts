// In-process delivery for when there is no broker (`npm start` with nothing installed): the same
// subjects, the same wildcards and queue groups, the same JSON on the "wire" (every message is
// serialised and parsed per subscriber, so nobody shares objects), delivered asynchronously like NATS.
import type { LeaseStore } from './leases.ts';
import { subjectOf, type Envelope } from '../core/wire.ts';
import type { Delivery, DeliveryStats, DeliverySubscription, MessageHandler, SubscribeOptions } from './delivery.ts';
import { errorFields, type Logger } from '../shared/log.ts';
import { PublishLog, type PublishedEnvelope } from './publish-log.ts';
import { isPublishSubject, subjectMatches } from './subject-match.ts';

interface Sub {
  pattern: string;
  handler: MessageHandler;
  queue: string | undefined;
}

export class InprocDelivery implements Delivery {
  readonly kind = 'inproc';
  private subs: Sub[] = [];
  /** round-robin position per queue group */
  private readonly groupTurn = new Map<string, number>();
  private readonly log: PublishLog;
  private closed = false;
  private pending = 0;
  private readonly counts = { published: 0, received: 0, publish_errors: 0 };

  constructor(
    private readonly logger: Logger,
    publishLogSize?: number,
  ) {
    this.log = new PublishLog(publishLogSize);
  }

  publish(envelope: Envelope, traceparent?: string): void {
    const subject = subjectOf(envelope);
    if (this.send(subject, envelope, traceparent)) this.log.record(subject, envelope);
  }

  publishJson(subject: string, value: unknown): void {
    this.send(subject, value);
  }

  subscribe(pattern: string, handler: MessageHandler, options: SubscribeOptions = {}): DeliverySubscription {
    const sub: Sub = { pattern, handler, queue: options.queue };
    this.subs.push(sub);
    return { unsubscribe: () => void (this.subs = this.subs.filter((s) => s !== sub)) };
  }

  published(afterSeq?: number): PublishedEnvelope[] {
    return this.log.list(afterSeq);
  }

  /** one process, one gateway: nothing to share */
  openLeases(): Promise<LeaseStore | null> {
    return Promise.resolve(null);
  }

  stats(): DeliveryStats {
    return { kind: this.kind, connected: !this.closed, ...this.counts, published_disconnected: 0, decode_errors: 0, reconnects: 0, disconnects: 0, timeline_stream: null };
  }

  async close(): Promise<void> {
    this.closed = true;
    // like drain: messages already handed to the bus are still delivered
    while (this.pending > 0) await new Promise((resolve) => setImmediate(resolve));
    this.subs = [];
  }

  private send(subject: string, value: unknown, traceparent?: string): boolean {
    if (this.closed || !isPublishSubject(subject)) {
      this.counts.publish_errors += 1;
      this.logger('warn', 'publish refused', { subject, reason: this.closed ? 'delivery closed' : 'bad subject' });
      return false;
    }
    const json = JSON.stringify(value);
    this.counts.published += 1;
    for (const sub of this.receivers(subject)) {
      this.pending += 1;
      // setImmediate, not a microtask: a handler that publishes cannot starve I/O
      setImmediate(() => {
        this.pending -= 1;
        if (!this.subs.includes(sub)) return;
        this.counts.received += 1;
        try {
          sub.handler(subject, JSON.parse(json), traceparent);
        } catch (err) {
          this.logger('error', 'subscriber failed', { subject, ...errorFields(err) });
        }
      });
    }
    return true;
  }

  /** Every plain subscriber that matches, plus one member per matching queue group. */
  private receivers(subject: string): Sub[] {
    const matching = this.subs.filter((s) => subjectMatches(s.pattern, subject));
    const groups = new Map<string, Sub[]>();
    const out: Sub[] = [];
    for (const sub of matching) {
      if (sub.queue === undefined) out.push(sub);
      else groups.set(sub.queue, [...(groups.get(sub.queue) ?? []), sub]);
    }
    for (const [queue, members] of groups) {
      const turn = this.groupTurn.get(queue) ?? 0;
      this.groupTurn.set(queue, turn + 1);
      const member = members[turn % members.length];
      if (member !== undefined) out.push(member);
    }
    return out;
  }
}
