import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  DATA,
  TERMS,
  UNIONS,
  createAgentDoc,
  dataMap,
  decodeStateVectorStrict,
  MAX_STATE_VECTOR_CLIENTS,
  loadDoc,
  validateUpdate,
} from '../../src/core/index.ts';
import { fcParams } from './env.ts';
import { expectAgentError } from './expect-error.ts';

/** A doc touching every kind of content the agent stores, from two clients. */
function sampleUpdates(): { a: Uint8Array; b: Uint8Array; full: Uint8Array } {
  const d1 = createAgentDoc(7);
  const m = dataMap(d1);
  m.set('n', 1);
  m.set('s', 'hello world');
  m.set('o', { x: [1, 'two', null] });
  m.delete('n');
  const text = new Y.Text();
  m.set('t', text);
  text.insert(0, 'abc');
  d1.getMap(TERMS).set('h1', { op: '+', children: [] });
  const a = Y.encodeStateAsUpdate(d1);
  const d2 = createAgentDoc(9);
  Y.applyUpdate(d2, a);
  dataMap(d2).set('s', 2);
  (dataMap(d2).get('t') as Y.Text).delete(0, 2);
  d2.getMap(UNIONS).set('u1', ['h1', 'h1']);
  return { a, b: Y.encodeStateAsUpdate(d2, Y.encodeStateVector(d1)), full: Y.encodeStateAsUpdate(d2) };
}

/**
 * Applies an update to a fresh doc, reads it and re-encodes it; throws if Yjs chokes. Fresh, not
 * populated: a well-formed update that reuses ids we already hold with other content (a lying
 * peer, not a corrupt message) can damage a doc, and no decoder can see that.
 */
function applyCleanly(update: Uint8Array): void {
  const fresh = createAgentDoc(1);
  Y.applyUpdate(fresh, update);
  dataMap(fresh).toJSON();
  Y.applyUpdate(createAgentDoc(3), Y.encodeStateAsUpdate(fresh));
}

describe('doc schema', () => {
  it('names the three maps', () => {
    expect([DATA, TERMS, UNIONS]).toEqual(['data', 'terms', 'unions']);
  });

  it('writes as the given client id', () => {
    const doc = createAgentDoc(42);
    dataMap(doc).set('k', 1);
    expect([...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()]).toEqual([42]);
  });

  it('loads, then writes as the writer picked knowing the clock the doc holds of each client', () => {
    const doc = createAgentDoc(42);
    dataMap(doc).set('k', 1);
    const seen: number[] = [];
    const loaded = loadDoc([Y.encodeStateAsUpdate(doc)], (clockOf) => {
      seen.push(clockOf(42), clockOf(7));
      return 42; // a writer that goes on from where it left off
    });
    expect(seen).toEqual([1, 0]);
    dataMap(loaded).set('k', 2);
    expect(Y.decodeStateVector(Y.encodeStateVector(loaded))).toEqual(new Map([[42, 2]]));
    expect(dataMap(loaded).get('k')).toBe(2);
  });

  it('loads snapshot and log in order', () => {
    const { a, b } = sampleUpdates();
    const writer = () => 9;
    expect(dataMap(loadDoc([a, b], writer)).get('s')).toBe(2);
    expect(dataMap(loadDoc([b, a], writer)).get('s')).toBe(2); // order does not matter to a CRDT
  });

  it('refuses a client id that is not uint32', () => {
    expectAgentError(() => createAgentDoc(-1), 'bad-request', 'clientId must be an unsigned 32-bit integer');
    expectAgentError(() => createAgentDoc(2 ** 32), 'bad-request');
  });
});

describe('validateUpdate', () => {
  it('accepts real updates, including one whose dependencies are missing', () => {
    const { a, b, full } = sampleUpdates();
    for (const u of [a, b, full, Y.encodeStateAsUpdate(createAgentDoc(1))]) expect(() => validateUpdate(u)).not.toThrow();
  });

  it('refuses every truncation of a real update', () => {
    const { full } = sampleUpdates();
    for (let cut = 0; cut < full.length; cut++) {
      expectAgentError(() => validateUpdate(full.subarray(0, cut)), 'bad-update', 'update');
    }
  });

  it('refuses trailing bytes, which Y.decodeUpdate ignores', () => {
    const { full } = sampleUpdates();
    const padded = Uint8Array.from([...full, 0]);
    expect(() => Y.decodeUpdate(padded)).not.toThrow();
    expectAgentError(() => validateUpdate(padded), 'bad-update', 'update has trailing bytes');
  });

  it('refuses an item that refers to its own future, which crashes applyUpdate', () => {
    // client 7 clock 0 with origin 7:5, hand-encoded: 1 client, 1 struct, client 7, clock 0,
    // info 0x84 (origin + string content), origin 7:5, string "x", empty delete set.
    const bad = Uint8Array.from([1, 1, 7, 0, 0x84, 7, 5, 1, 120, 0]);
    expect(() => Y.decodeUpdate(bad)).not.toThrow();
    expectAgentError(() => validateUpdate(bad), 'bad-update', 'its own future');
  });

  it('refuses an empty delete range', () => {
    expectAgentError(() => validateUpdate(Uint8Array.from([0, 1, 7, 1, 0, 0])), 'bad-update', 'empty delete range');
  });

  it('either refuses random bytes or they apply cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (garbage) => {
        if (rejects(garbage)) return;
        applyCleanly(garbage);
      }),
      fcParams(2000),
    );
  });

  it('either refuses a mutated real update or it applies cleanly', () => {
    const { a, b, full } = sampleUpdates();
    let refused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(a, b, full),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (original, edits) => {
          const u = Uint8Array.from(original);
          for (const [at, byte] of edits) u[at % u.length] = byte;
          if (rejects(u)) {
            refused++;
            return;
          }
          applyCleanly(u);
        },
      ),
      fcParams(3000),
    );
    expect(refused).toBeGreaterThan(0);
  });
});

describe('decodeStateVectorStrict', () => {
  it('decodes a real state vector', () => {
    const doc = createAgentDoc(300);
    dataMap(doc).set('k', 1);
    expect(decodeStateVectorStrict(Y.encodeStateVector(doc))).toEqual(new Map([[300, 1]]));
  });

  it.each([
    ['empty', []],
    ['truncated', [1, 7]],
    ['trailing', [0, 0]],
    ['duplicate client', [2, 7, 1, 7, 1]],
  ])('refuses a %s one', (_name, bytes) => {
    expectAgentError(() => decodeStateVectorStrict(Uint8Array.from(bytes)), 'bad-update', 'state vector');
  });

  it(`takes ${MAX_STATE_VECTOR_CLIENTS} writers and refuses one more without decoding them`, () => {
    const sv = (n: number) => Y.encodeStateVector(new Map(Array.from({ length: n }, (_, i) => [i + 1, 1])));
    expect(decodeStateVectorStrict(sv(MAX_STATE_VECTOR_CLIENTS)).size).toBe(MAX_STATE_VECTOR_CLIENTS);
    expectAgentError(() => decodeStateVectorStrict(sv(MAX_STATE_VECTOR_CLIENTS + 1)), 'bad-update', `more than ${MAX_STATE_VECTOR_CLIENTS} writers`);
    // the count alone decides: a huge count in front of nothing is refused, not read
    expectAgentError(() => decodeStateVectorStrict(Uint8Array.from([0xff, 0xff, 0xff, 0x0f])), 'bad-update', 'writers');
  });
});

function rejects(u: Uint8Array): boolean {
  try {
    validateUpdate(u);
    return false;
  } catch (err) {
    expect(err).toMatchObject({ name: 'AgentError', code: 'bad-update' });
    return true;
  }
}
