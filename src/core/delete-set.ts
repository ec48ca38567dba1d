// The doc's delete set kept beside its summary, so that whether an update deletes anything new
// can be told without loading the doc (direct-write.ts). The bulk is stored in Yjs's own encoding
// (a snapshot with an empty state vector, as deleteSetDigest hashes it), base64 in the summary's
// JSON, and the latest deletions as a short list beside it: decoding, merging and encoding the
// whole set on every write cost ~10 ms a request in the component at a few thousand deletions,
// so a write appends to the list, and the list is folded in only once it is long.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { fromBase64, toBase64 } from '../shared/base64.ts';
import { fnv1a64Hex } from '../shared/hash.ts';
import { sameBytes } from '../shared/same-bytes.ts';
import type { DeleteRange, StoredDeleteSet } from './agent-record.ts';

export type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** Longest list of latest deletions before it is folded into the encoded set. */
export const MAX_DELETE_TAIL = 128;

/** What `doc` has deleted; null while it holds updates it cannot apply yet (pending). */
export function docDeleteSet(doc: Y.Doc): StoredDeleteSet | null {
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return null;
  return { base: encode(Y.createDeleteSetFromStructStore(doc.store)), tail: [] };
}

/**
 * Each stored set's canonical encoding and digest, once per set: a request asks for them for each
 * SyncRequest it weighs and answers, and under a rate ladder (thousands of deletions) recomputing
 * them was a quarter of an inbox batch's time. Stored sets are never changed in place (a reader's
 * additions make a new one), so the object is the key.
 */
const canonical = new WeakMap<StoredDeleteSet, { encoded: string; digest?: string }>();

/** The whole set as one Yjs encoding, canonical (sorted, merged): equal sets give equal strings. */
export function canonicalDeleteSet(stored: StoredDeleteSet): string {
  let known = canonical.get(stored);
  // the bulk is stored canonical (encoded from a merged set): with no latest ranges it is the set
  if (known === undefined) canonical.set(stored, (known = { encoded: stored.tail.length === 0 ? stored.base : encode(withRanges(decode(stored.base), stored.tail)) }));
  return known.encoded;
}

/** What deleteSetDigest (digest.ts) says of the doc `stored` describes: the hash of the same encoding. */
export function storedDeleteSetDigest(stored: StoredDeleteSet): string {
  const encoded = canonicalDeleteSet(stored);
  const known = canonical.get(stored)!;
  return (known.digest ??= fnv1a64Hex(fromBase64(encoded)));
}

/**
 * A Yjs update (encoding v1) holding no structs and the whole set: what encodeStateAsUpdate adds to
 * the structs a requester lacks. v1 lays an update out as its structs (a count of clients, here 0)
 * then the delete set, which encodeSnapshot writes the same way before its (empty) state vector.
 */
export function deleteSetUpdate(stored: StoredDeleteSet): Uint8Array {
  const snapshot = fromBase64(canonicalDeleteSet(stored));
  const update = new Uint8Array(snapshot.length);
  update[0] = 0; // no structs
  update.set(snapshot.subarray(0, snapshot.length - 1), 1); // the set, without the empty state vector's 0
  return update;
}

/**
 * `update` (Yjs encoding v1) with its delete set, `ds` as decoded from it, replaced by `ranges`;
 * null when its delete set is not laid out as Yjs writes it (its clients in the decoded order, or
 * in Yjs's descending order as Y.diffUpdate rewrites it), so the caller keeps the update as it is.
 * v1 ends with the delete set: a count of clients, then each client, its count of ranges, and
 * each range's clock and length, all as variable-length integers.
 */
export function withDeletions(update: Uint8Array, ds: DeleteSet, ranges: readonly DeleteRange[]): Uint8Array | null {
  const decoded = [...ds.clients].map(([client, items]): [number, DeleteRange[]] => [client, items.map(({ clock, len }) => [client, clock, len])]);
  for (const order of [decoded, [...decoded].sort((a, b) => b[0] - a[0])]) {
    const section = deleteSetSection(order);
    const at = update.length - section.length;
    if (at >= 0 && sameBytes(update.subarray(at), section)) {
      const byClient = new Map<number, DeleteRange[]>();
      for (const range of ranges) {
        const list = byClient.get(range[0]);
        if (list === undefined) byClient.set(range[0], [range]);
        else list.push(range);
      }
      const replaced = deleteSetSection([...byClient].sort((a, b) => b[0] - a[0]));
      const out = new Uint8Array(at + replaced.length);
      out.set(update.subarray(0, at));
      out.set(replaced, at);
      return out;
    }
  }
  return null;
}

function deleteSetSection(clients: readonly [number, readonly DeleteRange[]][]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clients.length);
  for (const [client, items] of clients) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, items.length);
    for (const [, clock, len] of items) {
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarUint(encoder, len);
    }
  }
  return encoding.toUint8Array(encoder);
}

/** The ranges of Yjs delete sets (a transaction's deletions, say). */
export function rangesOf(sets: readonly DeleteSet[]): DeleteRange[] {
  const ranges: DeleteRange[] = [];
  for (const ds of sets) for (const [client, items] of ds.clients) for (const { clock, len } of items) ranges.push([client, clock, len]);
  return ranges;
}

/**
 * A stored delete set being read and added to: the encoded bulk decoded only if asked about a
 * range no single listed deletion holds. Then bulk, list and additions are held merged, so a range
 * the doc deleted piece by piece (a Yjs client's update carries its whole delete set, one range
 * across deletions stored apart) is known deleted at once: asked ID by ID against the pieces, an
 * inbox batch of 100 such updates took ~0.5 s in Node and seconds in the component.
 */
export class DeleteSetReader {
  /** bulk, list and additions merged (sorted, ranges apart); null until needed */
  private merged: DeleteSet | null = null;
  private readonly added: DeleteRange[] = [];

  constructor(private readonly stored: StoredDeleteSet) {}

  /** Whether every clock in [clock, clock + len) of `client` is deleted. */
  deletes(client: number, clock: number, len: number): boolean {
    // once merged, the lists are in it: scanning them first too cost a batch of 100 overwrites
    // ~200 ranges per struct asked about
    if (this.merged !== null) return covers(this.merged, client, clock, len);
    const within = ([c, k, l]: DeleteRange): boolean => c === client && k <= clock && clock + len <= k + l;
    if (this.added.some(within) || this.stored.tail.some(within)) return true;
    // the bulk is stored sorted and merged: the lists go in range by range, not through a merge of the whole set
    const merged = decode(this.stored.base);
    for (const range of [...this.stored.tail, ...this.added]) insertRange(merged, range);
    this.merged = merged;
    return covers(merged, client, clock, len);
  }

  add(ranges: readonly DeleteRange[]): void {
    this.added.push(...ranges);
    if (this.merged !== null) for (const range of ranges) insertRange(this.merged, range);
  }

  /** The stored set with what was added (folded into the encoding once the list is long). */
  result(): StoredDeleteSet {
    if (this.added.length === 0) return this.stored;
    const tail = [...this.stored.tail, ...this.added];
    if (tail.length <= MAX_DELETE_TAIL) return { base: this.stored.base, tail };
    return { base: encode(this.merged ?? withRanges(decode(this.stored.base), tail)), tail: [] };
  }
}

function encode(ds: DeleteSet): string {
  return toBase64(Y.encodeSnapshot(Y.createSnapshot(ds, new Map())));
}

function decode(encoded: string): DeleteSet {
  return Y.decodeSnapshot(fromBase64(encoded)).ds;
}

function withRanges(base: DeleteSet, ranges: readonly DeleteRange[]): DeleteSet {
  const added = Y.createDeleteSet();
  for (const [client, clock, len] of ranges) {
    const items = added.clients.get(client) ?? [];
    items.push({ clock, len });
    added.clients.set(client, items);
  }
  return Y.mergeDeleteSets([base, added]);
}

/** Whether `ds` (sorted and merged) deletes every clock in [clock, clock + len) of `client`. */
function covers(ds: DeleteSet, client: number, clock: number, len: number): boolean {
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

/** `range` added to `ds` (sorted and merged), which stays sorted and merged. */
function insertRange(ds: DeleteSet, [client, clock, len]: DeleteRange): void {
  const items = ds.clients.get(client) ?? [];
  ds.clients.set(client, items);
  // the first range that ends at or after `clock`: it and those after it that start by the end touch the new one
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.clock + items[mid]!.len < clock) lo = mid + 1;
    else hi = mid;
  }
  let start = clock;
  let end = clock + len;
  let next = lo;
  for (; next < items.length && items[next]!.clock <= end; next++) {
    start = Math.min(start, items[next]!.clock);
    end = Math.max(end, items[next]!.clock + items[next]!.len);
  }
  items.splice(lo, next - lo, { clock: start, len: end - start });
}
