// Timeline events: what an agent did during one request, in the shape the dashboard draws and
// users export. Ordered across agents by their hybrid logical clock readings (hlc.ts): a receive
// always reads after its send, so sorting by `hlc` never shows a message arriving before it left.
import { subjectOf, type Envelope } from './envelope.ts';
import type { HybridClock } from './hlc.ts';

export type TimelineEventType =
  | 'message_in'
  | 'message_out'
  | 'sync_completed'
  | 'write_applied'
  | 'rewrite_applied'
  | 'classes_merged'
  | 'compaction'
  | 'error';

export const TIMELINE_EVENT_TYPES: readonly TimelineEventType[] = [
  'message_in',
  'message_out',
  'sync_completed',
  'write_applied',
  'rewrite_applied',
  'classes_merged',
  'compaction',
  'error',
];

export interface TimelineEvent {
  /** unique across the network: `<agent>-<request uid>-e<n>` */
  id: string;
  /** ISO 8601 wall time of the event at its agent */
  timestamp: string;
  /** HLC reading (hlc.ts); the order of the timeline */
  hlc: string;
  agent: number;
  type: TimelineEventType;
  /** NATS subject of a message event */
  subject?: string;
  /** the other agent of a message or sync */
  peer?: number;
  /** bytes on the wire (message: the JSON envelope; sync/write: the Yjs update) */
  bytes?: number;
  /** message_in: delivery latency (send `ts` to receive); rewrite_applied: the saturation run */
  duration_ms?: number;
  /** the W3C trace of the request that recorded it (a user's write and every delivery it caused share one) */
  trace_id?: string;
  detail: Record<string, unknown>;
}

/** Orders by HLC, then id (two readings tie only for racing requests of one agent). */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** One ordered timeline from per-agent lists (each in any order). */
export function mergeTimelines(lists: readonly (readonly TimelineEvent[])[]): TimelineEvent[] {
  return lists.flat().sort(compareEvents);
}

/** Collects one request's events; every event takes a reading of the agent's clock. */
export class TimelineRecorder {
  readonly events: TimelineEvent[] = [];
  private seq = 0;

  constructor(
    private readonly agent: number,
    private readonly clock: HybridClock,
    private readonly now: () => number,
    private readonly idBase: string,
    /** the trace of the request recording them, when it came with one */
    private readonly traceId: string | null = null,
  ) {}

  /** An envelope arrived: the clock reads after the sender's reading. */
  messageIn(envelope: Envelope): void {
    const at = this.now();
    this.push(this.clock.receive(envelope.hlc), at, 'message_in', {
      subject: subjectOf(envelope),
      peer: envelope.from,
      bytes: JSON.stringify(envelope).length,
      duration_ms: Math.max(0, at - envelope.ts),
      detail: envelopeDetail(envelope),
    });
  }

  /** An envelope left: the event carries the envelope's own reading. */
  messageOut(envelope: Envelope): void {
    this.push(envelope.hlc, this.now(), 'message_out', {
      subject: subjectOf(envelope),
      ...(envelope.to === null ? {} : { peer: envelope.to }),
      bytes: JSON.stringify(envelope).length,
      detail: envelopeDetail(envelope),
    });
  }

  syncCompleted(peer: number, bytes: number, changed: boolean): void {
    this.record('sync_completed', { peer, bytes, detail: { changed } });
  }

  writeApplied(bytes: number, detail: Record<string, unknown>): void {
    this.record('write_applied', { bytes, detail });
  }

  rewriteApplied(durationMs: number, detail: Record<string, unknown>): void {
    this.record('rewrite_applied', { duration_ms: durationMs, detail });
  }

  classesMerged(detail: { classes_before: number; classes_after: number; unions: number }): void {
    this.record('classes_merged', { detail });
  }

  compaction(detail: { blobs: number; bytes: number }): void {
    this.record('compaction', { bytes: detail.bytes, detail });
  }

  error(detail: { code: string; message: string; route: string }): void {
    this.record('error', { detail });
  }

  private record(type: TimelineEventType, fields: Omit<TimelineEvent, 'id' | 'timestamp' | 'hlc' | 'agent' | 'type'>): void {
    this.push(this.clock.tick(), this.now(), type, fields);
  }

  private push(hlc: string, at: number, type: TimelineEventType, fields: Omit<TimelineEvent, 'id' | 'timestamp' | 'hlc' | 'agent' | 'type'>): void {
    this.events.push({
      id: `${this.idBase}-e${this.seq++}`,
      timestamp: new Date(at).toISOString(),
      hlc,
      agent: this.agent,
      type,
      ...fields,
      ...(this.traceId === null ? {} : { trace_id: this.traceId }),
    });
  }
}

/** What a message event says of its envelope: its id and type, and the write it carries down a relay tree (`origin`). */
function envelopeDetail(envelope: Envelope): Record<string, unknown> {
  const detail = { envelope_id: envelope.id, envelope_type: envelope.type };
  return envelope.type === 'StateUpdate' && envelope.payload.origin !== undefined ? { ...detail, origin: envelope.payload.origin } : detail;
}
