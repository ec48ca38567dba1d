// The gateway does not validate envelopes (the agent does, and answers 400); it only needs enough
// shape to route one: its type, sender and addressee. Anything less is dropped with a warning.
import { ENVELOPE_TYPES, type Envelope, type TimelineEvent } from '../core/wire.ts';

const TYPES: ReadonlySet<string> = new Set(ENVELOPE_TYPES);

const agentId = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;

export function isRoutable(x: unknown): x is Envelope {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const e = x as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.type === 'string' && TYPES.has(e.type) && agentId(e.from) && (e.to === null || agentId(e.to));
}

/** `payload.digest` of a Heartbeat, read defensively (the payload is the agent's business). */
export function heartbeatDigest(envelope: Envelope): string | null {
  const payload: unknown = envelope.payload;
  if (typeof payload !== 'object' || payload === null || !('digest' in payload)) return null;
  return typeof payload.digest === 'string' ? payload.digest : null;
}

/** What the gateway needs of a timeline event to publish it on `timeline.<agent>`. */
export type TimelineRecord = Pick<TimelineEvent, 'id' | 'agent' | 'hlc' | 'type'> & Record<string, unknown>;

export function isTimelineRecord(x: unknown): x is TimelineRecord {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const e = x as Record<string, unknown>;
  return typeof e.id === 'string' && typeof e.hlc === 'string' && typeof e.type === 'string' && agentId(e.agent);
}
