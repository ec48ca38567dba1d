import { describe, expect, it } from 'vitest';
import {
  BROADCAST_HEARTBEAT_SUBJECT,
  HEARTBEAT_SUBJECTS,
  inboxSubjects,
  NETWORK_STATUS_SUBJECT,
  agentOfSubject,
  parseEnvelope,
  parseEnvelopes,
  signedText,
  subjectOf,
  type Envelope,
} from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

const base = { v: 1 as const, id: 'm-1', from: 3, ts: 1_700_000_000_000, hlc: '1700000000000-00000-00003' };
const VALID: Envelope[] = [
  { ...base, type: 'SyncRequest', to: 4, payload: { sv: 'AA==', ds: '0123456789abcdef' } },
  { ...base, type: 'SyncResponse', to: 4, payload: { update: 'AAA=' } },
  { ...base, type: 'StateUpdate', to: 0, payload: { update: 'AAA=' } },
  { ...base, type: 'StateUpdate', to: 0, payload: { update: 'AAA=', origin: 7 } },
  { ...base, type: 'Heartbeat', to: null, payload: { digest: 'cbf29ce484222325', uptime_s: 12.5 } },
  { ...base, type: 'Ack', to: 5, payload: { ack: 'm-0' } },
];

const request = VALID[0] as Envelope;
/** `request` with `patch` merged in (a value of undefined removes the field). */
function withField(patch: Record<string, unknown>): unknown {
  const o: Record<string, unknown> = { ...request, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete o[k];
  return o;
}

describe('parseEnvelope', () => {
  it.each(VALID.map((e) => [e.type, e] as const))('round-trips a %s through JSON', (_type, e) => {
    expect(parseEnvelope(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  it('keeps a signature, and what it covers does not depend on the payload\'s key order', () => {
    const e = { ...VALID[0]!, sig: 'A'.repeat(43) + '=' };
    expect(parseEnvelope(JSON.parse(JSON.stringify(e)))).toEqual(e);
    const reordered = { ...e, payload: Object.fromEntries(Object.entries(e.payload).reverse()) } as typeof e;
    expect(signedText(reordered)).toBe(signedText(e));
    expect(signedText({ ...e, from: e.from + 1 })).not.toBe(signedText(e));
  });

  it.each([
    [null, 'envelope must be a JSON object'],
    [[], 'envelope must be a JSON object'],
    ['{}', 'envelope must be a JSON object'],
    [withField({ v: 2 }), 'envelope.v must be 1'],
    [withField({ v: undefined }), 'envelope.v must be 1'],
    [withField({ id: '' }), 'envelope.id must be a non-empty string of at most 128 characters'],
    [withField({ id: 'x'.repeat(129) }), 'envelope.id must be a non-empty string'],
    [withField({ id: 7 }), 'envelope.id must be a non-empty string'],
    [withField({ type: 'Gossip' }), 'envelope.type must be one of SyncRequest, SyncResponse, StateUpdate, Heartbeat, Ack'],
    [withField({ from: -1 }), 'envelope.from must be a non-negative integer'],
    [withField({ from: 1.5 }), 'envelope.from must be a non-negative integer'],
    [withField({ from: '3' }), 'envelope.from must be a non-negative integer'],
    [withField({ to: null }), 'envelope.to must be a non-negative integer'],
    [withField({ ts: Number.NaN }), 'envelope.ts must be a finite number'],
    [withField({ ts: '2026' }), 'envelope.ts must be a finite number'],
    [withField({ hlc: 'x' }), 'envelope.hlc must be a hybrid logical clock reading'],
    [withField({ hlc: 1_700_000_000_000 }), 'envelope.hlc must be a hybrid logical clock reading'],
    [withField({ hlc: undefined }), 'envelope.hlc must be a hybrid logical clock reading'],
    [withField({ signature: 'x' }), 'envelope.signature is not a known field'],
    [withField({ sig: 'x' }), 'envelope.sig must be a base64 HMAC-SHA256'],
    [withField({ payload: [] }), 'envelope.payload must be a JSON object'],
    [withField({ payload: { sv: 'AA==' } }), 'envelope.payload.ds must be a lowercase hex digest'],
    [withField({ payload: { sv: 'AA=', ds: 'ab' } }), 'envelope.payload.sv must be a padded base64 string'],
    [withField({ payload: { sv: 'A A=', ds: 'ab' } }), 'envelope.payload.sv must be a padded base64 string'],
    [withField({ payload: { sv: 'AA==', ds: 'AB' } }), 'envelope.payload.ds must be a lowercase hex digest'],
    [withField({ payload: { sv: 'AA==', ds: 'ab', extra: 1 } }), 'envelope.payload.extra is not a known field'],
    [withField({ type: 'StateUpdate', payload: { update: '***' } }), 'envelope.payload.update must be a padded base64 string'],
    [withField({ type: 'StateUpdate', payload: { sv: 'AA==', ds: 'ab' } }), 'envelope.payload.sv is not a known field'],
    [withField({ type: 'StateUpdate', payload: { update: 'AA==', origin: -1 } }), 'envelope.payload.origin must be a non-negative integer'],
    [withField({ type: 'StateUpdate', payload: { update: 'AA==', origin: null } }), 'envelope.payload.origin must be a non-negative integer'],
    [withField({ type: 'SyncResponse', payload: { update: 'AA==', origin: 1 } }), 'envelope.payload.origin is not a known field'],
    [withField({ type: 'Heartbeat' }), 'envelope.to must be null for a Heartbeat'],
    [
      withField({ type: 'Heartbeat', to: null, payload: { digest: 'ab', uptime_s: -1 } }),
      'envelope.payload.uptime_s must be a non-negative finite number',
    ],
    [withField({ type: 'Ack', payload: { ack: '' } }), 'envelope.payload.ack must be a non-empty string'],
  ])('refuses %j: %s', (input, message) => {
    expectAgentError(() => parseEnvelope(input), 'bad-envelope', message);
  });

  it('says what it got in the detail', () => {
    const err = expectAgentError(() => parseEnvelope(withField({ from: 'x' })), 'bad-envelope');
    expect(err.detail).toBe('got "x"');
  });
});

describe('parseEnvelopes', () => {
  it('parses a batch', () => {
    expect(parseEnvelopes(JSON.parse(JSON.stringify(VALID)), 10)).toEqual(VALID);
  });

  it('names the index of the bad envelope', () => {
    const batch = [VALID[0], VALID[1], { ...VALID[2], type: 'Nope' }];
    expectAgentError(() => parseEnvelopes(batch, 10), 'bad-envelope', 'envelopes[2].type must be one of');
  });

  it('refuses a non-array and an oversized batch', () => {
    expectAgentError(() => parseEnvelopes({}, 10), 'bad-envelope', 'envelopes must be an array');
    expectAgentError(() => parseEnvelopes(VALID, 4), 'too-large', 'envelopes holds 6 envelopes, more than the limit of 4');
  });
});

describe('subjects', () => {
  it.each([
    ['SyncRequest', 'agent.4.sync'],
    ['SyncResponse', 'agent.4.state'],
    ['StateUpdate', 'agent.0.state'],
    ['Heartbeat', 'agent.3.heartbeat'],
    ['Ack', 'agent.5.ack'],
  ])('a %s travels on %s', (type, subject) => {
    const e = VALID.find((x) => x.type === type) as Envelope;
    expect(subjectOf(e)).toBe(subject);
    expect(agentOfSubject(subject)).toBe(type === 'Heartbeat' ? e.from : e.to);
    // and it is one the gateway subscribes to: its addressee's inbox, or every heartbeat
    const wildcard = new RegExp(`^${(type === 'Heartbeat' ? HEARTBEAT_SUBJECTS : '').replaceAll('.', '\\.').replaceAll('*', '[^.]+')}$`);
    if (type === 'Heartbeat') expect(subject).toMatch(wildcard);
    else expect(inboxSubjects(e.to!)).toContain(subject);
  });

  it.each([
    [BROADCAST_HEARTBEAT_SUBJECT, null],
    [NETWORK_STATUS_SUBJECT, null],
    ['agent.12.sync', 12],
    ['agent.0.ack', 0],
    ['agent.01.sync', null],
    ['agent.-1.sync', null],
    ['agent.x.sync', null],
    ['agent.3', null],
    ['agent.3.sync.extra', null],
    ['timeline.3', null],
  ])('agentOfSubject(%j) is %j', (subject, id) => {
    expect(agentOfSubject(subject)).toBe(id);
  });
});
