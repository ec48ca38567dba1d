// The wire envelope as a JSON Schema (2020-12), for peers not written in TypeScript: what
// parseEnvelope (envelope.ts) accepts, field by field. The api serves it at
// /api/schemas/envelope.json and the OpenAPI document refers to it; test/core/envelope-schema
// checks the two agree on real and on refused envelopes.
import { ENVELOPE_TYPES, ENVELOPE_VERSION, MAX_ENVELOPE_ID_LENGTH } from './envelope.ts';

export const ENVELOPE_SCHEMA_ID = 'https://crdt-agents-network.dev/schemas/envelope.json';

const agentId = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
const envelopeId = { type: 'string', minLength: 1, maxLength: MAX_ENVELOPE_ID_LENGTH };
const base64 = { type: 'string', pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$', contentEncoding: 'base64' };
const hexDigest = { type: 'string', pattern: '^[0-9a-f]{1,64}$' };

/** One kind of envelope: its `type`, its `to`, and its payload's fields (`payload` required, `optional` not, no others). */
function kind(type: (typeof ENVELOPE_TYPES)[number], to: object, payload: Record<string, object>, description: string, optional: Record<string, object> = {}) {
  return {
    description,
    properties: {
      type: { const: type },
      to,
      payload: { type: 'object', required: Object.keys(payload), properties: { ...payload, ...optional }, additionalProperties: false },
    },
  };
}

export const ENVELOPE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: ENVELOPE_SCHEMA_ID,
  title: 'Envelope',
  description:
    'What agents exchange over NATS (agent.<to>.sync, agent.<to>.state, agent.<to>.ack, agent.<from>.heartbeat) and what POST /agent/{id}/inbox takes, one JSON object per message.',
  type: 'object',
  required: ['v', 'id', 'type', 'from', 'to', 'ts', 'hlc', 'payload'],
  additionalProperties: false,
  properties: {
    v: { const: ENVELOPE_VERSION },
    id: { ...envelopeId, description: 'unique per sender' },
    type: { enum: [...ENVELOPE_TYPES] },
    from: agentId,
    to: true,
    ts: { type: 'number', description: "sender's wall clock, ms since the epoch" },
    hlc: { type: 'string', pattern: '^\\d{13}-\\d{5}-\\d{5}$', description: "sender's hybrid logical clock at the send: wall ms, counter, node" },
    payload: true,
    sig: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$', description: 'base64 HMAC-SHA256 over the other fields, when the app has an envelope_key' },
  },
  oneOf: [
    kind('SyncRequest', agentId, { sv: { ...base64, description: 'Yjs state vector' }, ds: { ...hexDigest, description: "digest of the sender's delete set" } }, 'sync step 1: what the sender has'),
    kind('SyncResponse', agentId, { update: { ...base64, description: 'Yjs update, encoding v1' } }, 'sync step 2: what the receiver lacked'),
    kind('StateUpdate', agentId, { update: { ...base64, description: 'Yjs update, encoding v1' } }, 'an incremental write', {
      origin: { ...agentId, description: "the agent whose write it is: relayed along that agent's breadth-first tree, not to every neighbour" },
    }),
    kind('Heartbeat', { type: 'null' }, { digest: { ...hexDigest, description: "the sender's state digest" }, uptime_s: { type: 'number', minimum: 0 } }, 'broadcast liveness'),
    kind('Ack', agentId, { ack: { ...envelopeId, description: 'id of the acknowledged envelope' } }, 'receipt of an envelope'),
  ],
} as const;
