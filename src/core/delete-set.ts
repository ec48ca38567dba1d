// The doc's delete set kept beside its summary, so that whether an update deletes anything new
// can be told without loading the doc (direct-write.ts). Stored in Yjs's own encoding (a snapshot
// with an empty state vector, as deleteSetDigest hashes it), base64 inside the summary's JSON.
import * as Y from 'yjs';
import { fromBase64, toBase64 } from '../shared/base64.ts';

export type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

export function encodeDeleteSet(ds: DeleteSet): string {
  return toBase64(Y.encodeSnapshot(Y.createSnapshot(ds, new Map())));
}

export function decodeDeleteSet(encoded: string): DeleteSet {
  return Y.decodeSnapshot(fromBase64(encoded)).ds;
}

/** What `doc` has deleted, encoded; null while it holds updates it cannot apply yet (pending). */
export function docDeleteSet(doc: Y.Doc): string | null {
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return null;
  return encodeDeleteSet(Y.createDeleteSetFromStructStore(doc.store));
}


/** `base` with the ranges added: [client, clock, len]. */
export function withDeleted(base: DeleteSet, ranges: readonly (readonly [number, number, number])[]): DeleteSet {
  if (ranges.length === 0) return base;
  const added = Y.createDeleteSet();
  for (const [client, clock, len] of ranges) {
    const items = added.clients.get(client) ?? [];
    items.push({ clock, len });
    added.clients.set(client, items);
  }
  return Y.mergeDeleteSets([base, added]);
}

/** Whether `ds` (sorted and merged) deletes every clock in [clock, clock + len) of `client`. */
export function deletesAll(ds: DeleteSet, client: number, clock: number, len: number): boolean {
  const items = ds.clients.get(client);
  if (items === undefined) return false;
  // the last range starting at or before `clock`; merged ranges never touch, so it must hold them all
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.clock <= clock) lo = mid + 1;
    else hi = mid - 1;
  }
  const range = items[hi];
  return range !== undefined && range.clock + range.len >= clock + len;
}
