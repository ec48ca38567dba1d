// How a request that changed the agent is answered: a user's write to the user (its envelopes
// handed to the gateway at once), a delivery or tick to the gateway (the envelopes to publish).
import type { Envelope, SyncCompletion, TimelineEvent } from '../core/index.ts';
import { json } from '../spin/http.ts';
import type { AgentConfig } from './config.ts';
import { publishNow } from './publish.ts';
import type { AgentSession } from './session.ts';
import { EnvelopeSigner } from './signing.ts';

// A user's write is answered to the user, not to the gateway. Once it is saved, its outbox goes to
// the gateway at once (publish.ts); if that fails it waits in KV and leaves with this agent's next
// inbox or tick response. `sent` says which.
/** What a user's write answers: the route's own fields, then how its envelopes left and its timeline events. */
export type WriteAnswer<T extends object> = T & {
  /** envelopes the write sent to the neighbours */
  outbox: number;
  /** handed to the gateway at once, or waiting for the agent's next tick */
  sent: 'now' | 'next-tick';
  timeline: TimelineEvent[];
};

export async function localWriteDone<T extends object>(s: AgentSession, unsigned: Envelope[], body: T): Promise<Response> {
  // its envelopes count as sent with the write, whenever they leave: now, or with the next answer
  const events = s.timing.measure('save', () => s.commit([], unsigned, []));
  const outbox = await signed(s.config, unsigned);
  const published = await s.timing.measureAsync('publish', () => publishNow(s.config, outbox, events, s.traceparent));
  if (!published) {
    s.persistence.addPendingOutbox(outbox, s.config.maxBufferSize);
    s.persistence.addPendingTimeline(events, s.config.maxBufferSize);
  }
  return json(200, { ...body, outbox: outbox.length, sent: published ? 'now' : 'next-tick', timeline: events } satisfies WriteAnswer<T>);
}

/**
 * The answer to the gateway: the envelopes to publish (with any a user's write left waiting) and
 * the timeline events to publish on `timeline.<id>` (likewise).
 */
export async function sent(s: AgentSession, inbox: Envelope[], outbox: Envelope[], syncs: readonly SyncCompletion[], extra: Record<string, unknown> = {}): Promise<Response> {
  // a write's waiting envelopes were counted and recorded as sent by the write itself
  const waitingOutbox = s.persistence.takePendingOutbox();
  const waiting = s.persistence.takePendingTimeline();
  const events = s.timing.measure('save', () => s.commit(inbox, outbox, syncs));
  return json(200, { agent_id: s.config.agentId, outbox: [...waitingOutbox, ...(await signed(s.config, outbox))], timeline: [...waiting, ...events], ...extra });
}

/** The envelopes as they leave: signed when the app has an envelope_key (signing.ts). */
async function signed(config: AgentConfig, envelopes: Envelope[]): Promise<Envelope[]> {
  const signer = envelopes.length === 0 ? null : await EnvelopeSigner.open(config.envelopeKey);
  return signer === null ? envelopes : signer.sign(envelopes);
}
