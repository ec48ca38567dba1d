import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createAgentDoc, dataMap, deleteSetDigest, stateDigest } from '../../src/core/index.ts';

describe('digests', () => {
  it('are short hex strings', () => {
    const doc = createAgentDoc(1);
    expect(stateDigest(doc)).toMatch(/^[0-9a-f]{16}$/);
    expect(deleteSetDigest(doc)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('are equal for replicas with equal content, whatever the order of arrival', () => {
    const a = createAgentDoc(1);
    const b = createAgentDoc(2);
    dataMap(a).set('x', 1);
    dataMap(b).set('y', 2);
    const ua = Y.encodeStateAsUpdate(a);
    const ub = Y.encodeStateAsUpdate(b);
    Y.applyUpdate(a, ub);
    Y.applyUpdate(b, ua);
    expect(stateDigest(a)).toBe(stateDigest(b));
    expect(deleteSetDigest(a)).toBe(deleteSetDigest(b));
  });

  it('see a deletion that leaves the state vector unchanged', () => {
    const a = createAgentDoc(1);
    dataMap(a).set('x', 1);
    const b = createAgentDoc(2);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const [state, ds] = [stateDigest(a), deleteSetDigest(a)];
    dataMap(a).delete('x');
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
    expect(stateDigest(a)).not.toBe(state);
    expect(deleteSetDigest(a)).not.toBe(ds);
    expect(deleteSetDigest(b)).toBe(ds);
  });
});

describe('the state digest', () => {
  it('tells apart replicas that hold different structs under one ID (same state vector and deletions)', () => {
    const a = createAgentDoc(7);
    const b = createAgentDoc(7); // the same writer, writing at the same clock: the loss this guards
    dataMap(a).set('x', 1);
    dataMap(b).set('x', 2);
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
    expect(deleteSetDigest(a)).toBe(deleteSetDigest(b));
    expect(stateDigest(a)).not.toBe(stateDigest(b));
  });

  it('sees content in nested and sequence types too', () => {
    const [a, b] = [createAgentDoc(3), createAgentDoc(3)];
    a.getText('notes').insert(0, 'hello');
    b.getText('notes').insert(0, 'world');
    expect(stateDigest(a)).not.toBe(stateDigest(b));
    const [c, d] = [createAgentDoc(4), createAgentDoc(4)];
    dataMap(c).set('m', new Y.Map([['k', 1]]));
    dataMap(d).set('m', new Y.Map([['k', 2]]));
    expect(stateDigest(c)).not.toBe(stateDigest(d));
  });
});
