// Short fingerprints of a replica's content, cheap enough to send on every tick. Yjs content is
// fully determined by which structs a replica holds (its state vector) and which of them are
// deleted (its delete set), so equal digests mean equal content, up to 64-bit hash collisions.
// Both encodings are canonical: Yjs sorts clients and merges adjacent deleted ranges.
import * as Y from 'yjs';
import { fnv1a64Hex } from './hash.ts';

/** Digest of state vector + delete set: equal on two replicas iff they hold the same content. */
export function stateDigest(doc: Y.Doc): string {
  return fnv1a64Hex(Y.encodeSnapshot(Y.snapshot(doc)));
}

/**
 * Digest of the delete set alone. Deleting a map key adds no struct, so the state vector cannot
 * show it; a SyncRequest carries this so the receiver can tell that deletions differ.
 */
export function deleteSetDigest(doc: Y.Doc): string {
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  return fnv1a64Hex(Y.encodeSnapshot(Y.createSnapshot(ds, new Map())));
}
