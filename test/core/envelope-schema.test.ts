// The envelope's JSON Schema (what peers not written in TypeScript validate against) and
// parseEnvelope (what agents and the gateway accept) must agree: on the envelopes agents send, on
// refusals field by field, and on arbitrary near-envelopes.
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_SCHEMA, ENVELOPE_TYPES, parseEnvelope } from '../../src/core/index.ts';

const validate = new Ajv2020({ allErrors: true }).compile(ENVELOPE_SCHEMA);

function parses(x: unknown): boolean {
  try {
    parseEnvelope(x);
    return true;
  } catch {
    return false;
  }
}

const base = { v: 1, id: 'm-1', from: 3, ts: 1_700_000_000_000, hlc: '1700000000000-00000-00003' };
const VALID = [
  { ...base, type: 'SyncRequest', to: 4, payload: { sv: 'AA==', ds: '0123456789abcdef' } },
  { ...base, type: 'SyncResponse', to: 4, payload: { update: 'AAA=' } },
  { ...base, type: 'StateUpdate', to: 0, payload: { update: '' } },
  { ...base, type: 'StateUpdate', to: 0, payload: { update: 'AAA=', origin: 4 } },
  { ...base, type: 'Heartbeat', to: null, payload: { digest: 'cbf29ce484222325', uptime_s: 12.5 } },
  { ...base, type: 'Ack', to: 5, payload: { ack: 'm-0' }, sig: `${'A'.repeat(43)}=` },
];

describe('the envelope JSON Schema', () => {
  it.each(VALID.map((e) => [e.type, e] as const))('accepts a %s, as parseEnvelope does', (_t, e) => {
    expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(parses(e)).toBe(true);
  });

  const REFUSED: [string, unknown][] = [
    ['another version', { ...VALID[0], v: 2 }],
    ['no id', { ...VALID[0], id: undefined }],
    ['an empty id', { ...VALID[0], id: '' }],
    ['an id of 129 characters', { ...VALID[0], id: 'x'.repeat(129) }],
    ['an unknown type', { ...VALID[0], type: 'Gossip' }],
    ['a negative sender', { ...VALID[0], from: -1 }],
    ['a fractional receiver', { ...VALID[0], to: 1.5 }],
    ['a Heartbeat addressed to one agent', { ...VALID[4], to: 2 }],
    ['a SyncRequest to nobody', { ...VALID[0], to: null }],
    ['a clock reading in another format', { ...VALID[0], hlc: '2026-12-04T00:00:00Z' }],
    ['an unknown field', { ...VALID[0], extra: 1 }],
    ['an unknown payload field', { ...VALID[1], payload: { update: 'AAA=', more: 1 } }],
    ['a payload of another type', { ...VALID[1], payload: { sv: 'AA==', ds: '00' } }],
    ['unpadded base64', { ...VALID[1], payload: { update: 'AAA' } }],
    ['a SyncResponse with an origin', { ...VALID[1], payload: { update: 'AAA=', origin: 4 } }],
    ['a negative origin', { ...VALID[3], payload: { update: 'AAA=', origin: -1 } }],
    ['an origin that is not a number', { ...VALID[3], payload: { update: 'AAA=', origin: '4' } }],
    ['base64url', { ...VALID[1], payload: { update: 'A-_=' } }],
    ['an uppercase digest', { ...VALID[4], payload: { digest: 'CBF2', uptime_s: 1 } }],
    ['a negative uptime', { ...VALID[4], payload: { digest: 'cbf2', uptime_s: -1 } }],
    ['an empty Ack reference', { ...VALID[5], payload: { ack: '' } }],
    ['a short signature', { ...VALID[5], sig: 'AAAA' }],
    ['an array', [VALID[0]]],
  ];
  it.each(REFUSED)('refuses %s, as parseEnvelope does', (_what, e) => {
    const x = JSON.parse(JSON.stringify(e)) as unknown;
    expect(validate(x)).toBe(false);
    expect(parses(x)).toBe(false);
  });

  it('agrees with parseEnvelope on arbitrary near-envelopes', () => {
    const ascii = (max: number) => fc.string({ unit: fc.constantFrom(...'ab-_0=+/AZz9 '.split('')), maxLength: max });
    const odd = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -2, max: 10 }), fc.double({ noNaN: true, noDefaultInfinity: true }), ascii(8), fc.boolean(), fc.constant({}));
    const payloadOdd = fc.oneof(odd, ascii(130), fc.constant('AA=='), fc.constant('0a'), fc.constant(-1), fc.constant(`${'A'.repeat(43)}=`));
    // a valid envelope of each type, then up to three fields (of it or its payload) replaced or added
    const near = fc.record({
      valid: fc.constantFrom(...VALID),
      changes: fc.array(fc.tuple(fc.constantFrom('v', 'id', 'type', 'from', 'to', 'ts', 'hlc', 'payload', 'sig', 'extra'), odd), { maxLength: 2 }),
      payloadChanges: fc.array(fc.tuple(fc.constantFrom('sv', 'ds', 'update', 'origin', 'digest', 'uptime_s', 'ack'), payloadOdd), { maxLength: 1 }),
    });
    let acceptedCount = 0;
    fc.assert(
      fc.property(near, ({ valid, changes, payloadChanges }) => {
        const e: Record<string, unknown> = { ...valid, payload: { ...valid.payload } };
        for (const [k, v] of changes) e[k] = v;
        // a payload replaced by a generated object is copied before its fields change: generated values are shared
        if (typeof e.payload === 'object' && e.payload !== null) e.payload = { ...e.payload };
        if (typeof e.payload === 'object' && e.payload !== null) for (const [k, v] of payloadChanges) (e.payload as Record<string, unknown>)[k] = v;
        const x = JSON.parse(JSON.stringify(e)) as unknown; // as it arrives: no undefined fields, -0 as 0
        const accepted = parses(x);
        expect(validate(x), JSON.stringify(x)).toBe(accepted);
        if (accepted) acceptedCount++;
      }),
      { numRuns: 3_000 },
    );
    expect(acceptedCount).toBeGreaterThan(300); // both sides of the line are exercised
  });
});
