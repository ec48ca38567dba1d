// Wire envelopes: the only thing agents, the gateway and the dashboard exchange. Types and strict
// validation live together; a bad envelope is refused whole with the offending field named.
import { isBase64 } from '../shared/base64.ts';
import { AgentError, checkEach, got, unexpectedCase } from './errors.ts';
import { isHlc } from './hlc.ts';

export const ENVELOPE_VERSION = 1;
/** Longest envelope id (and Ack reference) accepted. */
export const MAX_ENVELOPE_ID_LENGTH = 128;
/**
 * Largest Yjs update one envelope carries. Base64 (x4/3) plus the envelope's JSON stays well
 * under NATS's default max_payload (1 MiB), so every envelope an agent sends can be published:
 * a larger sync answer is split (sync.ts) and a larger single write is refused with 413.
 */
export const MAX_ENVELOPE_UPDATE_BYTES = 512 * 1024;
// The subjects (ARCHITECTURE.md, Subjects), in one place: the gateway, the api, the broker's
// permissions and the dashboard all take them from here (subjectOf below says which envelope goes where).
export const BROADCAST_HEARTBEAT_SUBJECT = 'broadcast.heartbeat';
/** the gateway's liveness view of the network */
export const NETWORK_STATUS_SUBJECT = 'network.status';
/** every agent's timeline events; agent <id> reports its own on timelineSubject(id) */
export const TIMELINE_SUBJECTS = 'timeline.>';
export const timelineSubject = (agent: number): string => `timeline.${agent}`;
/** every agent's heartbeat */
export const HEARTBEAT_SUBJECTS = 'agent.*.heartbeat';
/** what is delivered to agent `agent` ('*': to any agent): sync requests, state, acks */
export const inboxSubjects = (agent: number | '*'): string[] => ['sync', 'state', 'ack'].map((kind) => `agent.${agent}.${kind}`);

export type EnvelopeType = 'SyncRequest' | 'SyncResponse' | 'StateUpdate' | 'Heartbeat' | 'Ack';
export const ENVELOPE_TYPES: readonly EnvelopeType[] = ['SyncRequest', 'SyncResponse', 'StateUpdate', 'Heartbeat', 'Ack'];

/** Sync step 1: "this is what I have". */
export interface SyncRequestPayload {
  /** base64 Yjs state vector */
  sv: string;
  /** hex digest of the sender's delete set (deletions do not move the state vector) */
  ds: string;
}
/** Sync step 2 (SyncResponse) or an incremental write (StateUpdate). */
export interface UpdatePayload {
  /** base64 Yjs update, encoding v1 */
  update: string;
}
export interface StateUpdatePayload extends UpdatePayload {
  /**
   * The agent whose write the update is, when it is one agent's: the receiver relays it along that
   * agent's relay tree (topology.ts relayTree) instead of to every neighbour. Absent: flooded.
   */
  origin?: number;
}
export interface HeartbeatPayload {
  /** state digest of the sender (see digest.ts): equal digests, equal content */
  digest: string;
  uptime_s: number;
}
export interface AckPayload {
  /** id of the acknowledged envelope */
  ack: string;
}

interface EnvelopeOf<T extends EnvelopeType, To, P> {
  v: typeof ENVELOPE_VERSION;
  id: string;
  type: T;
  from: number;
  to: To;
  /** sender's clock, ms since epoch */
  ts: number;
  /** sender's hybrid logical clock at the send (hlc.ts): orders the send before its receive */
  hlc: string;
  payload: P;
  /** base64 HMAC-SHA256 of signedText(envelope) under the app's envelope_key (agent/signing.ts); absent when it has none */
  sig?: string;
}

export type SyncRequest = EnvelopeOf<'SyncRequest', number, SyncRequestPayload>;
export type SyncResponse = EnvelopeOf<'SyncResponse', number, UpdatePayload>;
export type StateUpdate = EnvelopeOf<'StateUpdate', number, StateUpdatePayload>;
/** Broadcast: `to` is null. */
export type Heartbeat = EnvelopeOf<'Heartbeat', null, HeartbeatPayload>;
export type Ack = EnvelopeOf<'Ack', number, AckPayload>;
export type Envelope = SyncRequest | SyncResponse | StateUpdate | Heartbeat | Ack;

const ENVELOPE_FIELDS = ['v', 'id', 'type', 'from', 'to', 'ts', 'hlc', 'payload', 'sig'];
/** base64 of a 32-byte HMAC-SHA256 */
const SIG_TEXT = /^[A-Za-z0-9+/]{43}=$/;
const DIGEST = /^[0-9a-f]{1,64}$/;

/** Validates one envelope (parsed JSON). Throws AgentError 'bad-envelope' naming the field. */
export function parseEnvelope(x: unknown): Envelope {
  return parseAt(x, 'envelope');
}

/** Validates a batch; errors name the index, e.g. `envelopes[2].type must be ...`. */
export function parseEnvelopes(x: unknown, max: number): Envelope[] {
  if (!Array.isArray(x)) throw new AgentError('bad-envelope', 'envelopes must be an array', got(x));
  if (x.length > max) {
    throw new AgentError('too-large', `envelopes holds ${x.length} envelopes, more than the limit of ${max}`);
  }
  return checkEach(x as unknown[], (e, i) => parseAt(e, `envelopes[${i}]`));
}

function parseAt(x: unknown, path: string): Envelope {
  const o = record(x, path, ENVELOPE_FIELDS);
  const envelope = parseFields(o, path);
  if (o.sig === undefined) return envelope;
  if (typeof o.sig !== 'string' || !SIG_TEXT.test(o.sig)) fail(`${path}.sig must be a base64 HMAC-SHA256`, o.sig);
  return { ...envelope, sig: o.sig };
}

/** What an envelope's signature covers: every field but `sig`, in a fixed order (payload keys sorted). */
export function signedText(e: Envelope): string {
  const payload = e.payload as unknown as Record<string, unknown>;
  const fields = Object.keys(payload).sort().map((k) => [k, payload[k]]);
  return JSON.stringify([e.v, e.id, e.type, e.from, e.to, e.ts, e.hlc, fields]);
}

function parseFields(o: Record<string, unknown>, path: string): Envelope {
  if (o.v !== ENVELOPE_VERSION) fail(`${path}.v must be ${ENVELOPE_VERSION}`, o.v);
  const id = envelopeId(o.id, `${path}.id`);
  const type = ENVELOPE_TYPES.find((t) => t === o.type);
  if (type === undefined) fail(`${path}.type must be one of ${ENVELOPE_TYPES.join(', ')}`, o.type);
  const from = agentId(o.from, `${path}.from`);
  if (typeof o.ts !== 'number' || !Number.isFinite(o.ts)) fail(`${path}.ts must be a finite number`, o.ts);
  const ts = o.ts;
  if (!isHlc(o.hlc)) fail(`${path}.hlc must be a hybrid logical clock reading (WWWWWWWWWWWWW-CCCCC-NNNNN)`, o.hlc);
  const hlc = o.hlc;
  const p = `${path}.payload`;
  switch (type) {
    case 'Heartbeat': {
      if (o.to !== null) fail(`${path}.to must be null for a Heartbeat`, o.to);
      const payload = record(o.payload, p, ['digest', 'uptime_s']);
      const digest = hexDigest(payload.digest, `${p}.digest`);
      const uptime = payload.uptime_s;
      if (typeof uptime !== 'number' || !Number.isFinite(uptime) || uptime < 0) {
        fail(`${p}.uptime_s must be a non-negative finite number`, uptime);
      }
      return { v: ENVELOPE_VERSION, id, type, from, to: null, ts, hlc, payload: { digest, uptime_s: uptime } };
    }
    case 'SyncRequest': {
      const to = agentId(o.to, `${path}.to`);
      const payload = record(o.payload, p, ['sv', 'ds']);
      const sv = base64(payload.sv, `${p}.sv`);
      const ds = hexDigest(payload.ds, `${p}.ds`);
      return { v: ENVELOPE_VERSION, id, type, from, to, ts, hlc, payload: { sv, ds } };
    }
    case 'SyncResponse': {
      const to = agentId(o.to, `${path}.to`);
      const payload = record(o.payload, p, ['update']);
      const update = base64(payload.update, `${p}.update`);
      return { v: ENVELOPE_VERSION, id, type, from, to, ts, hlc, payload: { update } };
    }
    case 'StateUpdate': {
      const to = agentId(o.to, `${path}.to`);
      const payload = record(o.payload, p, ['update', 'origin']);
      const update = base64(payload.update, `${p}.update`);
      if (payload.origin === undefined) return { v: ENVELOPE_VERSION, id, type, from, to, ts, hlc, payload: { update } };
      return { v: ENVELOPE_VERSION, id, type, from, to, ts, hlc, payload: { update, origin: agentId(payload.origin, `${p}.origin`) } };
    }
    case 'Ack': {
      const to = agentId(o.to, `${path}.to`);
      const payload = record(o.payload, p, ['ack']);
      const ack = envelopeId(payload.ack, `${p}.ack`);
      return { v: ENVELOPE_VERSION, id, type, from, to, ts, hlc, payload: { ack } };
    }
    default:
      return unexpectedCase(type);
  }
}

/** Acks and heartbeats: they carry no document state, the agent only counts them. */
export function isNotice(e: Envelope): e is Heartbeat | Ack {
  return e.type === 'Heartbeat' || e.type === 'Ack';
}

/** The NATS subject an envelope travels on (ARCHITECTURE.md, Subjects). */
export function subjectOf(e: Envelope): string {
  switch (e.type) {
    case 'SyncRequest':
      return `agent.${e.to}.sync`;
    case 'SyncResponse':
    case 'StateUpdate':
      return `agent.${e.to}.state`;
    case 'Heartbeat':
      return `agent.${e.from}.heartbeat`;
    case 'Ack':
      return `agent.${e.to}.ack`;
    default:
      return unexpectedCase(e);
  }
}

/** The agent id in `agent.<id>.<kind>`; null for any other subject. */
export function agentOfSubject(subject: string): number | null {
  const m = /^agent\.(0|[1-9][0-9]{0,15})\.[A-Za-z0-9_-]+$/.exec(subject);
  if (m === null) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : null;
}

function fail(message: string, value: unknown): never {
  throw new AgentError('bad-envelope', message, got(value));
}

/** A plain JSON object holding only `fields`. */
function record(x: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(`${path} must be a JSON object`, x);
  for (const key of Object.keys(x)) {
    if (!fields.includes(key)) {
      throw new AgentError('bad-envelope', `${path}.${key} is not a known field`, `known: ${fields.join(', ')}`);
    }
  }
  return x as Record<string, unknown>;
}

function envelopeId(x: unknown, path: string): string {
  if (typeof x !== 'string' || x.length === 0 || x.length > MAX_ENVELOPE_ID_LENGTH) {
    fail(`${path} must be a non-empty string of at most ${MAX_ENVELOPE_ID_LENGTH} characters`, x);
  }
  return x;
}

function agentId(x: unknown, path: string): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) fail(`${path} must be a non-negative integer`, x);
  return x;
}

function base64(x: unknown, path: string): string {
  if (typeof x !== 'string' || !isBase64(x)) fail(`${path} must be a padded base64 string`, x);
  return x;
}

function hexDigest(x: unknown, path: string): string {
  if (typeof x !== 'string' || !DIGEST.test(x)) fail(`${path} must be a lowercase hex digest`, x);
  return x;
}
