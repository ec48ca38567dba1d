// A summary moved by what a request's transactions changed must be exactly the summary a walk of
// the whole doc computes: otherwise two agents holding the same doc would report different digests
// (never "converged"), or different docs the same one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createAgentDoc, dataMap, digestOf, digestParts, DocChanges, stateDigest, stateVectorOf } from '../../src/core/index.ts';
import { fcParams } from './env.ts';

const KEYS = ['a', 'b', 'c', 'd'];
const ROOTS = ['data', 'terms'];
const value = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.boolean(), { maxKeys: 2, noNullPrototype: true }));

type Op =
  | { kind: 'set'; at: number; root: string; key: string; value: unknown }
  | { kind: 'delete'; at: number; root: string; key: string }
  | { kind: 'sync'; from: number; to: number }
  | { kind: 'nested'; at: number; key: string }
  | { kind: 'text'; at: number; text: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(2), root: fc.constantFrom(...ROOTS), key: fc.constantFrom(...KEYS), value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(2), root: fc.constantFrom(...ROOTS), key: fc.constantFrom(...KEYS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(2), to: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nested' as const), at: fc.nat(2), key: fc.constantFrom(...KEYS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), at: fc.nat(2), text: fc.string({ minLength: 1, maxLength: 3 }) }) },
);

function run(docs: Y.Doc[], o: Op): void {
  switch (o.kind) {
    case 'set':
      docs[o.at]!.getMap(o.root).set(o.key, o.value);
      break;
    case 'delete':
      docs[o.at]!.getMap(o.root).delete(o.key);
      break;
    case 'sync':
      Y.applyUpdate(docs[o.to]!, Y.encodeStateAsUpdate(docs[o.from]!, Y.encodeStateVector(docs[o.to]!)));
      break;
    case 'nested':
      dataMap(docs[o.at]!).set(o.key, new Y.Map([['n', 1]]));
      break;
    case 'text':
      docs[o.at]!.getText('notes').insert(0, o.text);
      break;
  }
}

describe('DocChanges', () => {
  it('moves a summary to exactly what a walk of the doc computes, or says it cannot', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), fc.array(op, { minLength: 1, maxLength: 12 }), (before, during) => {
        const docs = [createAgentDoc(11), createAgentDoc(12), createAgentDoc(13)];
        for (const o of before) run(docs, o);
        const watched = docs[0]!;
        const base = digestParts(watched);
        const baseSv = Object.fromEntries([...stateVectorOf(watched)].map(([c, k]) => [String(c), k]));
        const baseKeys = new Set(dataMap(watched).keys());
        const changes = new DocChanges(watched);
        for (const o of during) run(docs, o);
        changes.stop();
        // only nested types and sequences (anywhere: syncs carry them) may make it give up
        if (!changes.exact) {
          expect([...before, ...during].some((o) => o.kind === 'nested' || o.kind === 'text')).toBe(true);
          return;
        }
        expect(changes.applyTo(base)).toEqual(digestParts(watched));
        expect(changes.stateVector(baseSv)).toEqual(Object.fromEntries([...stateVectorOf(watched)].map(([c, k]) => [String(c), k])));
        for (const [key, set] of changes.dataKeys) set ? baseKeys.add(key) : baseKeys.delete(key);
        expect([...baseKeys].sort()).toEqual([...dataMap(watched).keys()].sort());
      }),
      fcParams(300),
    );
  });

  it('is exact for what the agent itself writes: plain values in root maps, from any replica', () => {
    const [a, b] = [createAgentDoc(1), createAgentDoc(2)];
    dataMap(a).set('x', 1);
    const changes = new DocChanges(b);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    dataMap(b).set('x', { y: [1, 2] });
    dataMap(b).delete('x');
    b.getMap('terms').set('t', 'z');
    expect(changes.exact).toBe(true);
    expect(digestOf(changes.applyTo(digestParts(createAgentDoc(3))))).toBe(stateDigest(b));
  });

  it('is touched by a change, not by re-applying what the doc holds', () => {
    const [a, b] = [createAgentDoc(1), createAgentDoc(2)];
    dataMap(a).set('x', 1);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const changes = new DocChanges(b);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(changes.touched).toBe(false);
    dataMap(b).delete('x');
    expect(changes.touched).toBe(true);
  });
});
