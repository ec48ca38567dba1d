// A stored value comes back exactly as it was sent, or is refused before anything is written.
// The rule is I-JSON's (RFC 7493: valid Unicode, numbers within double precision, integers
// within ±(2^53 - 1)) plus the two keys Yjs itself trips over.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkStorableValue, MAX_VALUE_DEPTH } from '../../src/core/index.ts';
import { fcParams } from './env.ts';
import { expectAgentError } from './expect-error.ts';

/** What a peer reads back after the value crossed Yjs's encoding: set, encode, apply elsewhere, get. */
function throughYjs(value: unknown): unknown {
  const writer = new Y.Doc();
  writer.getMap('data').set('k', value);
  const reader = new Y.Doc();
  Y.applyUpdate(reader, Y.encodeStateAsUpdate(writer));
  return reader.getMap('data').get('k');
}

const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

describe('checkStorableValue', () => {
  it.each<[string, unknown, string]>([
    ['a top-level key "constructor"', JSON.parse('{"constructor": 1}'), 'constructor'],
    ['a key "__proto__"', JSON.parse('{"__proto__": {"x": 1}}'), '__proto__'],
    ['a nested key "__proto__"', JSON.parse('{"a": [{"__proto__": 1}]}'), '__proto__'],
    ['a lone high surrogate', '\ud800', 'surrogate'],
    ['a lone low surrogate inside an array', ['ok', 'x\udc00'], 'surrogate'],
    ['a lone surrogate in a key', { ['\udbff']: 1 }, 'surrogate'],
    ['Infinity (what 1e400 parses to)', JSON.parse('1e400'), 'finite'],
    ['an integer beyond 2^53', JSON.parse('12345678901234567890'), 'integers'],
    [`${MAX_VALUE_DEPTH + 1} levels of nesting`, nested(MAX_VALUE_DEPTH + 1), `at most ${MAX_VALUE_DEPTH} levels`],
  ])('refuses %s', (_name, value, message) => {
    expectAgentError(() => checkStorableValue(value), 'bad-request', message);
  });

  it('names where the refused part sits', () => {
    const err = expectAgentError(() => checkStorableValue({ a: [1, { b: '\ud800' }] }), 'bad-request', 'surrogate');
    expect(err.detail).toBe('at $.a[1].b');
  });

  it.each<[string, unknown]>([
    ['a surrogate pair', '😀'],
    ['a nested key "constructor"', JSON.parse('{"a": {"constructor": 1}}')],
    [`${MAX_VALUE_DEPTH} levels of nesting`, nested(MAX_VALUE_DEPTH)],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER],
    ['null', null],
  ])('accepts %s, which Yjs gives back unchanged', (_name, value) => {
    checkStorableValue(value);
    expect(throughYjs(value)).toEqual(value);
  });

  // Strings of any UTF-16 code units (lone surrogates included) and keys that include the two
  // Yjs trips over, so both sides of the rule are drawn.
  const unit = fc.oneof(fc.constantFrom('\ud800', '\udfff', '😀'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
  const text = fc.oneof(fc.string({ unit, maxLength: 6 }), fc.string({ maxLength: 6 }));
  const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor'));
  const value = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.double(),
      fc.integer(),
      fc.constantFrom(2 ** 53, -(2 ** 60), 1e300),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('any'), { maxLength: 4 }),
      fc.array(fc.tuple(key, tie('any')), { maxLength: 4 }).map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`) as unknown),
    ),
  })).any;

  it('every value it accepts crosses Yjs and JSON unchanged', () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(value, (v) => {
        try {
          checkStorableValue(v);
        } catch {
          seen.refused++;
          return;
        }
        seen.accepted++;
        const back = throughYjs(v);
        expect(JSON.stringify(back)).toBe(JSON.stringify(v));
        expect(back).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      fcParams(500),
    );
    // the draw reaches both sides of the rule
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(50);
  });
});
