// KnownState decides, on an update's encoding alone, whether it teaches an agent anything: what
// lets an inbox of updates skip loading the doc without relaying forever or dropping news.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { KnownState } from '../../src/core/index.ts';

function writer(client: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = client;
  return doc;
}

describe('KnownState', () => {
  it('learns an update once: the same update, or one the doc already held, teaches nothing', () => {
    const a = writer(1);
    a.getMap('data').set('k', 1);
    const update = Y.encodeStateAsUpdate(a);
    const known = KnownState.decode(null);
    expect(known.learn(update)).toBe(update);
    expect(known.learn(update)).toBeNull();
    expect(KnownState.of(a).learn(update)).toBeNull();
    expect(known.fresh).toEqual([update]);
  });

  it('survives its encoding', () => {
    const a = writer(1);
    a.getMap('data').set('k', 1);
    const update = Y.encodeStateAsUpdate(a);
    const known = KnownState.decode(null);
    known.learn(update);
    expect(KnownState.decode(known.encode()).learn(update)).toBeNull();
  });

  it('learns a deletion of structs it already holds (a deletion adds no struct)', () => {
    const a = writer(1);
    a.getMap('data').set('k', 1);
    const known = KnownState.of(a);
    const before = Y.encodeStateVector(a);
    a.getMap('data').delete('k');
    const deletion = Y.encodeStateAsUpdate(a, before);
    expect(known.learn(deletion)).toBe(deletion);
    expect(known.learn(deletion)).toBeNull();
  });

  it('keeps structs past a gap for storing but neither claims nor relays them: they wait in Yjs for the missing ones', () => {
    const a = writer(1);
    a.getMap('data').set('first', 1);
    const first = Y.encodeStateAsUpdate(a);
    const sv = Y.encodeStateVector(a);
    a.getMap('data').set('second', 2);
    const second = Y.encodeStateAsUpdate(a, sv);
    const known = KnownState.decode(null);
    expect(known.learn(second)).toBeNull();
    expect(known.learn(second)).toBeNull();
    expect(known.fresh).toEqual([second, second]);
    expect(known.learn(first)).toBe(first);
    // once the gap is filled, `second` continues the known range: news to relay, then known
    expect(known.learn(second)).toBe(second);
    expect(known.learn(Y.encodeStateAsUpdate(a))).toBeNull();
  });
});
