// The one door the gateway's clock, liveness and inbox POSTs see (STYLE 13, like nats.js's
// `Transport`): publish/subscribe on NATS subjects, implemented by real NATS (`nats.ts`) or an
// in-process bus (`inproc.ts`) with the same subjects and wildcards.
import type { Envelope } from '../core/wire.ts';
import type { LeaseStore } from './leases.ts';
import type { PublishedEnvelope } from './publish-log.ts';

export type DeliveryKind = 'nats' | 'inproc';

/**
 * Subscribers get the subject (wildcards resolved), the JSON body, already parsed, and the
 * message's W3C `traceparent` header when it carried one.
 */
export type MessageHandler = (subject: string, data: unknown, traceparent?: string) => void;

export interface SubscribeOptions {
  /** NATS queue group: one member of the group gets each message (gateway replicas share work). */
  queue?: string;
}

export interface DeliverySubscription {
  unsubscribe(): void;
}

export interface DeliveryStats {
  kind: DeliveryKind;
  connected: boolean;
  published: number;
  received: number;
  publish_errors: number;
  /** published while the broker was unreachable: core NATS loses these (anti-entropy repairs) */
  published_disconnected: number;
  /** bodies that were not JSON (dropped with a warning) */
  decode_errors: number;
  reconnects: number;
  disconnects: number;
  /** the JetStream stream that keeps `timeline.>`, null when there is none */
  timeline_stream: string | null;
}

export interface Delivery {
  readonly kind: DeliveryKind;
  /** Publishes on `subjectOf(envelope)` (with a `traceparent` header when given) and records it in the bounded publish log. */
  publish(envelope: Envelope, traceparent?: string): void;
  /** Publishes any JSON value on a subject (network.status, broadcast.heartbeat); not recorded. */
  publishJson(subject: string, value: unknown): void;
  /** Subjects may use `*` (one token) and `>` (the rest), as in NATS. */
  subscribe(subject: string, handler: MessageHandler, options?: SubscribeOptions): DeliverySubscription;
  /** Envelopes published so far (oldest first, bounded), those after `afterSeq` when given. */
  published(afterSeq?: number): PublishedEnvelope[];
  stats(): DeliveryStats;
  /** Leases shared by every gateway on this broker (JetStream KV); null without JetStream. */
  openLeases(ttlMs: number): Promise<LeaseStore | null>;
  /** Flushes what was published, stops subscriptions (NATS: drain), and closes. Idempotent. */
  close(): Promise<void>;
}
