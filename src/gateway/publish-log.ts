// A bounded in-memory record of every envelope the gateway published, so a dashboard or the
// timeline can show the traffic (`Delivery.published()`); the oldest entries fall off first.
import type { Envelope } from '../core/wire.ts';

export const DEFAULT_PUBLISH_LOG_SIZE = 1_000;

export interface PublishedEnvelope {
  /** increases by one per publish, so readers can poll with `published(lastSeq)` */
  seq: number;
  /** when the gateway published it (ms since epoch) */
  ts: number;
  subject: string;
  envelope: Envelope;
}

export class PublishLog {
  private readonly entries: PublishedEnvelope[] = [];
  private seq = 0;

  constructor(
    private readonly capacity: number = DEFAULT_PUBLISH_LOG_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  record(subject: string, envelope: Envelope): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, ts: this.now(), subject, envelope });
    // splice in bulk rather than shift() per entry: amortised O(1) without a ring index
    if (this.entries.length > this.capacity * 2) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(afterSeq = 0): PublishedEnvelope[] {
    const recent = this.entries.length > this.capacity ? this.entries.slice(-this.capacity) : this.entries;
    return recent.filter((e) => e.seq > afterSeq);
  }
}
