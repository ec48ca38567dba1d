// The e-graph's two grow-only sets inside the Yjs doc: what replicas exchange.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createAgentDoc } from '../../src/core/doc.ts';
import { addToEGraphSets, readEGraphSets, termsMap, unionKey, unionsMap, type TermRecord } from '../../src/core/egraph-doc.ts';

const X = '00000000000000a1';
const ZERO = '00000000000000b2';
const SUM = '00000000000000c3';

function docWith(clientId: number, fill: (doc: Y.Doc) => void): Y.Doc {
  const doc = createAgentDoc(clientId);
  Y.transact(doc, () => fill(doc));
  return doc;
}

describe('e-graph sets in the doc', () => {
  it('keys an equality the same whichever side comes first', () => {
    expect(unionKey(X, SUM)).toBe(unionKey(SUM, X));
  });

  it('adds only what is missing and ignores a term equal to itself', () => {
    const doc = createAgentDoc(1);
    const terms: [string, TermRecord][] = [[X, { op: 'x', children: [] }], [ZERO, { op: '0', children: [] }], [SUM, { op: '+', children: [X, ZERO] }]];
    const union = { a: SUM, b: X, rule: 'add-0', agent: 1, ts: 5 };
    expect(addToEGraphSets(doc, terms, [union, { ...union, a: X, b: X }])).toEqual({ terms: 3, unions: 1 });
    expect(addToEGraphSets(doc, terms, [{ ...union, a: X, b: SUM }])).toEqual({ terms: 0, unions: 0 });
    const sets = readEGraphSets(doc);
    expect(sets.terms.get(SUM)).toEqual({ op: '+', children: [X, ZERO] });
    expect(sets.unions).toEqual([union]);
    expect(sets.malformed).toBe(0);
  });

  it('merges two replicas into the same sets in either order', () => {
    const a = docWith(1, (d) => addToEGraphSets(d, [[X, { op: 'x', children: [] }]], [{ a: X, b: SUM, rule: 'r1', agent: 1, ts: 1 }]));
    const b = docWith(2, (d) => addToEGraphSets(d, [[SUM, { op: '+', children: [X, ZERO] }]], [{ a: SUM, b: X, rule: 'r2', agent: 2, ts: 2 }]));
    const ab = createAgentDoc(3);
    Y.applyUpdate(ab, Y.encodeStateAsUpdate(a));
    Y.applyUpdate(ab, Y.encodeStateAsUpdate(b));
    const ba = createAgentDoc(4);
    Y.applyUpdate(ba, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(ba, Y.encodeStateAsUpdate(a));
    expect(readEGraphSets(ab)).toEqual(readEGraphSets(ba));
    expect(readEGraphSets(ab).unions).toHaveLength(1);
  });

  it('counts, and does not use, entries a misbehaving peer wrote in the wrong shape', () => {
    const doc = docWith(1, (d) => {
      termsMap(d).set('not-a-hash', { op: 'x', children: [] });
      termsMap(d).set(X, { op: '', children: [] });
      termsMap(d).set(ZERO, { op: '+', children: ['zz'] });
      unionsMap(d).set(`${X}~${SUM}`, { a: SUM, b: ZERO, rule: 'r', agent: 1, ts: 1 });
      unionsMap(d).set(unionKey(X, SUM), { a: X, b: SUM, rule: 7, agent: 1, ts: 1 });
    });
    const sets = readEGraphSets(doc);
    expect(sets.terms.size).toBe(0);
    expect(sets.unions).toEqual([]);
    expect(sets.malformed).toBe(4);
  });
});
