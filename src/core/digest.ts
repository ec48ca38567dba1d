// Short fingerprints of a replica's content, cheap enough to send on every tick.
//
// The state vector and delete set say which structs a replica holds and which are deleted, but
// not what they hold: two replicas that took different structs for one ID (a writer reusing a
// clock; Yjs keeps the first struct it sees for an ID and drops the other) have equal vectors and
// different content. So the state digest covers the visible content too.
//
// It is a sum of element hashes (one per state-vector entry, one per visible map entry, one per
// sequence root), two 32-bit lanes mod 2^32, so a request can keep it current from what its
// transactions changed (doc-changes.ts) instead of walking the whole doc: with ~1,900 writers the
// walk cost ~60 ms per write in the component. Deletions need no element of their own: deleting
// anything visible changes the visible content, and an invisible struct's deletion is implied.
import * as Y from 'yjs';
import { fnv1a64Hex } from '../shared/hash.ts';

/** An additive digest: [hi, lo] lanes, each a sum of element hashes mod 2^32. */
export type DigestSum = readonly [number, number];

/** The two sums a state digest is made of, kept apart so each can be updated on its own. */
export interface DigestParts {
  /** over the state vector's (client, clock) entries */
  sv: DigestSum;
  /** over the visible content's elements (see contentElement) */
  content: DigestSum;
}

export const EMPTY_SUM: DigestSum = [0, 0];

export function addSum(a: DigestSum, b: DigestSum): DigestSum {
  return [(a[0] + b[0]) >>> 0, (a[1] + b[1]) >>> 0];
}

export function subSum(a: DigestSum, b: DigestSum): DigestSum {
  return [(a[0] - b[0]) >>> 0, (a[1] - b[1]) >>> 0];
}

/** One element's contribution. */
export function elementSum(text: string): DigestSum {
  const hex = fnv1a64Hex(text);
  return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16)];
}

export function svElement(client: number, clock: number): DigestSum {
  return elementSum(`${client}:${clock}`);
}

/** A visible root-map entry (`value` as Y.Map#get returns it; never a Y type, see isPlain). */
export function mapEntryElement(root: string, key: string, value: unknown): DigestSum {
  return elementSum(JSON.stringify([root, key, value]) ?? '');
}

/** Whether a value is plain data (its digest element can be computed from it alone). */
export function isPlain(value: unknown): boolean {
  return !(value instanceof Y.AbstractType);
}

/** The 16-hex-digit state digest of `parts`: equal iff two replicas hold the same. */
export function digestOf(parts: DigestParts): string {
  return fnv1a64Hex(sumHex(parts.sv) + sumHex(parts.content));
}

/** Digest of state vector + visible content, computed from the whole doc. */
export function stateDigest(doc: Y.Doc): string {
  return digestOf(digestParts(doc));
}

/** DigestParts computed from the whole doc (what doc-changes.ts keeps current incrementally). */
export function digestParts(doc: Y.Doc): DigestParts {
  let sv = EMPTY_SUM;
  for (const [client, clock] of stateVectorOf(doc)) sv = addSum(sv, svElement(client, clock));
  let content = EMPTY_SUM;
  for (const [name, type] of doc.share) {
    for (const [key, item] of type._map) {
      if (item.deleted) continue;
      const value = lastContent(item);
      content = addSum(content, isPlain(value) ? mapEntryElement(name, key, value) : elementSum(JSON.stringify([name, key, typeContent(value as Y.AbstractType<unknown>)])));
    }
    const sequence = sequenceContent(type);
    if (sequence.length > 0) content = addSum(content, elementSum(JSON.stringify([name, null, sequence])));
  }
  return { sv, content };
}

/** client → clock, as Y.encodeStateVector holds it, without encoding and decoding it. */
export function stateVectorOf(doc: Y.Doc): Map<number, number> {
  const sv = new Map<number, number>();
  for (const [client, structs] of doc.store.clients) {
    const last = structs[structs.length - 1];
    if (last !== undefined) sv.set(client, last.id.clock + last.length);
  }
  return sv;
}

/** The value Y.Map#get returns for a map item. */
export function lastContent(item: Y.Item): unknown {
  const content = item.content.getContent();
  return content[content.length - 1];
}

export function sumHex(sum: DigestSum): string {
  return hex32(sum[0]) + hex32(sum[1]);
}

export function sumFromHex(hex: string): DigestSum {
  return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8, 16), 16)];
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Digest of the delete set alone. Deleting a map key adds no struct, so the state vector cannot
 * show it; a SyncRequest carries this so the receiver can tell that deletions differ.
 */
export function deleteSetDigest(doc: Y.Doc): string {
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  return fnv1a64Hex(Y.encodeSnapshot(Y.createSnapshot(ds, new Map())));
}

/** A nested type's content, canonical: map entries by key, then its sequence in document order. */
function typeContent(type: Y.AbstractType<unknown>): unknown {
  const entries: unknown[] = [];
  for (const key of [...type._map.keys()].sort()) {
    const item = type._map.get(key) as Y.Item;
    if (!item.deleted) entries.push([key, itemContent(item)]);
  }
  return [entries, sequenceContent(type)];
}

function sequenceContent(type: { _start: Y.Item | null }): unknown[] {
  const sequence: unknown[] = [];
  for (let item = type._start; item !== null; item = item.right as Y.Item | null) {
    if (!item.deleted) sequence.push(itemContent(item));
  }
  return sequence;
}

function itemContent(item: Y.Item): unknown[] {
  return item.content.getContent().map((value: unknown) => (value instanceof Y.AbstractType ? typeContent(value) : value));
}
