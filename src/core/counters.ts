// Message counters reported by GET /agent/:id/state. Plain data, updated by returning a copy, so
// the caller decides when they are persisted.
import type { Envelope } from './envelope.ts';

export interface Counters {
  messages_received: number;
  messages_sent: number;
  syncs_completed: number;
  /** ms since epoch */
  created_at: number;
}

export function newCounters(now: number): Counters {
  return { messages_received: 0, messages_sent: 0, syncs_completed: 0, created_at: now };
}

/** Counters after one exchange: `inbox` handled, `outbox` sent, `syncsCompleted` finished. */
export function countExchange(
  c: Counters,
  inbox: readonly Envelope[],
  outbox: readonly Envelope[],
  syncsCompleted: number,
): Counters {
  return {
    ...c,
    messages_received: c.messages_received + inbox.length,
    messages_sent: c.messages_sent + outbox.length,
    syncs_completed: c.syncs_completed + syncsCompleted,
  };
}
