// The W3C traceparent each inbound envelope came with on NATS, kept beside the envelope (weakly:
// gone with it) while it waits in its agent's queue, so the inbox POST that delivers it continues
// its trace without the queue knowing about traces.
import { isNotice, type Envelope } from '../core/wire.ts';
import { parseTraceparent } from '../shared/trace-context.ts';

export class EnvelopeTraces {
  private readonly traces = new WeakMap<Envelope, string>();

  /** Notes `traceparent` for `envelope` when it is a valid one (others are ignored, as W3C asks). */
  note(envelope: Envelope, traceparent: string | undefined): void {
    if (parseTraceparent(traceparent) !== null) this.traces.set(envelope, traceparent!);
  }

  /**
   * The trace a batch continues (one POST, one span): its first traced envelope's that carries
   * state, since that is what the POST works on and relays; else its first traced ack's (acks
   * wait to ride with state: agent-queue.ts).
   */
  of(batch: readonly Envelope[]): string | null {
    const traced = (envelope: Envelope) => this.traces.get(envelope);
    return batch.filter((e) => !isNotice(e)).map(traced).find((t) => t !== undefined) ?? batch.map(traced).find((t) => t !== undefined) ?? null;
  }
}
