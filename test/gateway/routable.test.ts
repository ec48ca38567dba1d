// Adding an envelope type is a change to core/envelope.ts (its type, validation and subject): the
// gateway routes whatever ENVELOPE_TYPES lists, on a subject it subscribes to. Once the gateway kept
// a list of its own, and a type missing from it was dropped without a word.
import { describe, expect, it } from 'vitest';
import { ENVELOPE_TYPES, HEARTBEAT_SUBJECTS, inboxSubjects, subjectOf, type Envelope } from '../../src/core/envelope.ts';
import { isRoutable } from '../../src/gateway/routable.ts';

/** NATS subject matching: `*` is one token, `>` the rest. */
function matches(pattern: string, subject: string): boolean {
  const [p, s] = [pattern.split('.'), subject.split('.')];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

describe.each(ENVELOPE_TYPES)('a %s', (type) => {
  const envelope = { v: 1, id: 'e-1', type, from: 1, to: type === 'Heartbeat' ? null : 2, ts: 0, hlc: '0000000000000-00000-00001', payload: {} } as unknown as Envelope;

  it('is routable, on a subject the gateway subscribes to', () => {
    expect(isRoutable(envelope)).toBe(true);
    const subscribed = [...inboxSubjects('*'), HEARTBEAT_SUBJECTS];
    expect(subscribed.some((pattern) => matches(pattern, subjectOf(envelope))), subjectOf(envelope)).toBe(true);
  });
});
