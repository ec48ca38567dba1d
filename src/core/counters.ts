// Message counters reported by GET /agent/:id/state. Plain data, updated by returning a copy, so
// the caller decides when they are persisted.
import type { Envelope } from './envelope.ts';

/**
 * Upper bounds (ms) of the delivery-latency histogram each agent keeps (send `ts` to receive), as
 * Prometheus buckets (`le`, here in ms): 1 ms .. 30 s, then everything above.
 */
export const DELIVERY_LATENCY_BOUNDS_MS: readonly number[] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

/** Receives by latency: `counts[i]` within bound i and above bound i - 1, the last above every bound. */
export interface LatencyHistogram {
  counts: number[];
  sum_ms: number;
}

export interface Counters {
  messages_received: number;
  messages_sent: number;
  syncs_completed: number;
  /** ms since epoch */
  created_at: number;
  /** the latency of every receive counted (absent in records written before it was kept) */
  latency?: LatencyHistogram;
}

export function emptyLatency(): LatencyHistogram {
  return { counts: new Array<number>(DELIVERY_LATENCY_BOUNDS_MS.length + 1).fill(0), sum_ms: 0 };
}

export function newCounters(now: number): Counters {
  return { messages_received: 0, messages_sent: 0, syncs_completed: 0, created_at: now, latency: emptyLatency() };
}

/** Counters after one exchange: `inbox` handled (received at `receivedAt`), `outbox` sent, `syncsCompleted` finished. */
export function countExchange(
  c: Counters,
  inbox: readonly Envelope[],
  outbox: readonly Envelope[],
  syncsCompleted: number,
  receivedAt: number,
): Counters {
  const latency = inbox.length === 0 ? c.latency : withReceives(c.latency ?? emptyLatency(), inbox.map((e) => Math.max(0, receivedAt - e.ts)));
  return {
    ...c,
    messages_received: c.messages_received + inbox.length,
    messages_sent: c.messages_sent + outbox.length,
    syncs_completed: c.syncs_completed + syncsCompleted,
    ...(latency === undefined ? {} : { latency }),
  };
}

function withReceives(h: LatencyHistogram, latenciesMs: readonly number[]): LatencyHistogram {
  const counts = [...h.counts];
  let sum = h.sum_ms;
  for (const ms of latenciesMs) {
    const bucket = DELIVERY_LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
    counts[bucket === -1 ? DELIVERY_LATENCY_BOUNDS_MS.length : bucket]! += 1;
    sum += ms;
  }
  return { counts, sum_ms: sum };
}
