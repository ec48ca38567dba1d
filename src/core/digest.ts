// Short fingerprints of a replica's content, cheap enough to send on every tick.
//
// The state vector and delete set say which structs a replica holds and which are deleted, but
// not what they hold: two replicas that took different structs for one ID (a writer reusing a
// clock; Yjs keeps the first struct it sees for an ID and drops the other) have equal vectors and
// different content. So the state digest covers the visible content too, in a canonical form:
// root types by name, map entries by key, sequences in document order.
import * as Y from 'yjs';
import { fnv1a64Hex } from './hash.ts';

/** Digest of state vector + delete set + visible content: equal iff two replicas hold the same. */
export function stateDigest(doc: Y.Doc): string {
  const snapshot = fnv1a64Hex(Y.encodeSnapshot(Y.snapshot(doc)));
  return fnv1a64Hex(snapshot + JSON.stringify(visibleContent(doc)));
}

/**
 * Digest of the delete set alone. Deleting a map key adds no struct, so the state vector cannot
 * show it; a SyncRequest carries this so the receiver can tell that deletions differ.
 */
export function deleteSetDigest(doc: Y.Doc): string {
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  return fnv1a64Hex(Y.encodeSnapshot(Y.createSnapshot(ds, new Map())));
}

/**
 * Every root type's content, whatever its kind (a root is only typed once someone asks for it).
 * Asking creates an empty root, so empty roots are left out: asking must not change the digest.
 */
function visibleContent(doc: Y.Doc): unknown[] {
  const roots: unknown[] = [];
  for (const name of [...doc.share.keys()].sort()) {
    const type = doc.share.get(name) as Y.AbstractType<unknown>;
    if (type._map.size > 0 || type._start !== null) roots.push([name, typeContent(type)]);
  }
  return roots;
}

function typeContent(type: Y.AbstractType<unknown>): unknown {
  const entries: unknown[] = [];
  for (const key of [...type._map.keys()].sort()) {
    const item = type._map.get(key) as Y.Item;
    if (!item.deleted) entries.push([key, itemContent(item)]);
  }
  const sequence: unknown[] = [];
  for (let item = type._start; item !== null; item = item.right as Y.Item | null) {
    if (!item.deleted) sequence.push(itemContent(item));
  }
  return [entries, sequence];
}

function itemContent(item: Y.Item): unknown[] {
  return item.content.getContent().map((value: unknown) => (value instanceof Y.AbstractType ? typeContent(value) : value));
}
