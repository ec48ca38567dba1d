// A summary's delete set (core/delete-set.ts): whatever mix of stored bulk, latest list and
// folds, it answers as the set of every deleted ID would, and folds into Yjs's own encoding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { canonicalDeleteSet, DeleteSetReader, deleteSetUpdate, docDeleteSet, MAX_DELETE_TAIL, type DeleteRange, type StoredDeleteSet } from '../../src/core/index.ts';

const rangeArb: fc.Arbitrary<DeleteRange> = fc.tuple(fc.constantFrom(1, 2, 77), fc.nat(300), fc.integer({ min: 1, max: 5 }));

describe('a stored delete set', () => {
  it('answers as the set of deleted IDs, across the list and its folds into the encoding', () => {
    fc.assert(
      fc.property(fc.array(fc.array(rangeArb, { maxLength: 60 }), { minLength: 1, maxLength: 8 }), fc.array(rangeArb, { minLength: 1, maxLength: 40 }), (writes, queries) => {
        let stored: StoredDeleteSet = docDeleteSet(new Y.Doc())!;
        const ids = new Set<string>();
        for (const ranges of writes) {
          const reader = new DeleteSetReader(stored);
          reader.add(ranges);
          stored = reader.result();
          for (const [c, k, l] of ranges) for (let i = k; i < k + l; i++) ids.add(`${c}:${i}`);
          expect(stored.tail.length).toBeLessThanOrEqual(MAX_DELETE_TAIL);
        }
        const reader = new DeleteSetReader(stored);
        for (const [c, k, l] of queries) {
          // a range deleted in pieces (across the list, the bulk and additions) is deleted as a whole
          expect(reader.deletes(c, k, l)).toBe(Array.from({ length: l }, (_, i) => ids.has(`${c}:${k + i}`)).every(Boolean));
          expect(reader.deletes(c, k, 1)).toBe(ids.has(`${c}:${k}`));
          // and added to as a batch applied without the doc adds, between questions
          reader.add([[c, k + l, 2]]);
          ids.add(`${c}:${k + l}`).add(`${c}:${k + l + 1}`);
        }
        expect(canonicalDeleteSet(reader.result())).toBe(canonicalDeleteSet({ base: docDeleteSet(new Y.Doc())!.base, tail: [...ids].map((id) => [Number(id.split(':')[0]), Number(id.split(':')[1]), 1] as DeleteRange) }));
      }),
      { numRuns: 200 },
    );
  });

  it('folds a long list into the encoding, which a Yjs doc with those deletions encodes alike', () => {
    const doc = new Y.Doc();
    doc.clientID = 5;
    const data = doc.getMap('data');
    // every overwrite deletes the value before it: MAX_DELETE_TAIL + 10 deletions of client 5
    for (let i = 0; i < MAX_DELETE_TAIL + 11; i++) data.set(`k${i % 3}`, i);
    const ranges: DeleteRange[] = [];
    for (const [client, items] of Y.createDeleteSetFromStructStore(doc.store).clients) for (const { clock, len } of items) for (let i = clock; i < clock + len; i++) ranges.push([client, i, 1]);
    expect(ranges.length).toBeGreaterThan(MAX_DELETE_TAIL);
    let stored = docDeleteSet(new Y.Doc())!;
    for (const range of ranges) {
      const reader = new DeleteSetReader(stored);
      reader.add([range]);
      stored = reader.result();
    }
    expect(stored.tail.length).toBeLessThan(ranges.length); // folded at least once
    expect(canonicalDeleteSet(stored)).toBe(canonicalDeleteSet(docDeleteSet(doc)!));
  });
});

describe('deleteSetUpdate', () => {
  it('is the update encodeStateAsUpdate gives a replica that holds every struct: the delete set alone', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.option(fc.integer(), { nil: undefined })), { maxLength: 30 }), (writes) => {
        const doc = new Y.Doc();
        for (const [key, value] of writes) (value === undefined ? doc.getMap('data').delete(key) : doc.getMap('data').set(key, value));
        const expected = Y.diffUpdate(Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc));
        expect(deleteSetUpdate(docDeleteSet(doc)!)).toEqual(expected);
      }),
    );
  });
});
