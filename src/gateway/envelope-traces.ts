// The W3C traceparent each inbound envelope came with on NATS, kept beside the envelope (weakly:
// gone with it) while it waits in its agent's queue, so the inbox POST that delivers it continues
// its trace without the queue knowing about traces.
import type { Envelope } from '../core/wire.ts';
import { parseTraceparent } from '../shared/trace-context.ts';

export class EnvelopeTraces {
  private readonly traces = new WeakMap<Envelope, string>();

  /** Notes `traceparent` for `envelope` when it is a valid one (others are ignored, as W3C asks). */
  note(envelope: Envelope, traceparent: string | undefined): void {
    if (parseTraceparent(traceparent) !== null) this.traces.set(envelope, traceparent!);
  }

  /** The trace a batch continues: its first traced envelope's (one POST, one span). */
  of(batch: readonly Envelope[]): string | null {
    for (const envelope of batch) {
      const trace = this.traces.get(envelope);
      if (trace !== undefined) return trace;
    }
    return null;
  }
}
