// The e-graph as a CRDT inside the agent's Yjs doc: two grow-only sets.
// - `terms`: term hash → e-node record (op + child term hashes). The key is a content hash of the
//   value, so two agents that add the same term write the same entry and Yjs' last-writer-wins on
//   a map key can never disagree about content.
// - `unions`: `a~b` (a < b) → provenance (rule, agent, time). Concurrent discoveries of the same
//   equality keep one provenance, the same one on every replica.
// - `roots`: term hash → who posted it and when: the terms users asked about, which saturation
//   works for (each within its own budget, egraph-agent.ts).
// Nothing is ever deleted, so "same two sets ⇒ same canonical e-graph" holds on every replica.
import * as Y from 'yjs';
import { ROOTS, TERMS, UNIONS } from './doc.ts';
import type { EGraphItems, GrowItem } from './egraph-items.ts';

import type { TermRecord } from '../egraph/index.ts';

export type { TermRecord };

/** Why two terms are equal: the rule that proved it, who applied it, and when (ms). */
export interface UnionRecord {
  a: string;
  b: string;
  rule: string;
  agent: number;
  ts: number;
}

/** What the doc's two sets hold, checked: entries from a misbehaving peer are counted, not used. */
export interface EGraphSets {
  terms: Map<string, TermRecord>;
  unions: UnionRecord[];
  /** entries dropped because their shape is wrong (only a foreign writer can produce them) */
  malformed: number;
}

const TERM_HASH = /^[0-9a-f]{16}$/;

export function termsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(TERMS);
}

export function unionsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(UNIONS);
}

export function rootsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ROOTS);
}

/** The posted terms' hashes. */
export function readRoots(doc: Y.Doc): string[] {
  return [...rootsMap(doc).keys()].filter((hash) => TERM_HASH.test(hash));
}

/** Records `hash` as posted by `agent` at `ts` (in the caller's transaction), unless it was posted before. */
export function addRoot(doc: Y.Doc, hash: string, agent: number, ts: number): boolean {
  const roots = rootsMap(doc);
  if (roots.has(hash)) return false;
  roots.set(hash, { agent, ts });
  return true;
}

/** The key of an equality: order-free, so `a = b` and `b = a` are one entry. */
export function unionKey(a: string, b: string): string {
  return a < b ? `${a}~${b}` : `${b}~${a}`;
}

function asTermRecord(value: unknown): TermRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const { op, children } = value as { op?: unknown; children?: unknown };
  if (typeof op !== 'string' || op.length === 0 || !Array.isArray(children)) return null;
  if (!children.every((c) => typeof c === 'string' && TERM_HASH.test(c))) return null;
  return { op, children: children as string[] };
}

function asUnionRecord(key: string, value: unknown): UnionRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const { a, b, rule, agent, ts } = value as Partial<Record<keyof UnionRecord, unknown>>;
  if (typeof a !== 'string' || typeof b !== 'string' || !TERM_HASH.test(a) || !TERM_HASH.test(b)) return null;
  if (unionKey(a, b) !== key || typeof rule !== 'string' || typeof agent !== 'number' || typeof ts !== 'number') return null;
  return { a, b, rule, agent, ts };
}

/** Reads both sets. A union naming a term the doc does not hold yet is kept: the term may follow. */
export function readEGraphSets(doc: Y.Doc): EGraphSets {
  return setsOf(termsMap(doc).entries(), unionsMap(doc).entries());
}

/**
 * Both sets and the posted terms from an e-graph items record (egraph-items.ts) instead of the doc;
 * null when a key's current item is one only the doc can read.
 */
export function egraphFromItems(items: EGraphItems): { sets: EGraphSets; roots: string[] } | null {
  const values = (record: Record<string, GrowItem>): [string, unknown][] | null => {
    const out: [string, unknown][] = [];
    for (const key in record) {
      const [, , element, value] = record[key] as GrowItem;
      if (element === false || (element !== null && value === undefined)) return null;
      if (element !== null) out.push([key, value]);
    }
    return out;
  };
  const terms = values(items.terms);
  const unions = values(items.unions);
  const roots = values(items.roots);
  if (terms === null || unions === null || roots === null) return null;
  return { sets: setsOf(terms, unions), roots: roots.map(([hash]) => hash).filter((hash) => TERM_HASH.test(hash)) };
}

function setsOf(termEntries: Iterable<[string, unknown]>, unionEntries: Iterable<[string, unknown]>): EGraphSets {
  let malformed = 0;
  const terms = new Map<string, TermRecord>();
  for (const [hash, value] of termEntries) {
    const record = TERM_HASH.test(hash) ? asTermRecord(value) : null;
    if (record === null) malformed++;
    else terms.set(hash, record);
  }
  const unions: UnionRecord[] = [];
  for (const [key, value] of unionEntries) {
    const record = asUnionRecord(key, value);
    if (record === null) malformed++;
    else unions.push(record);
  }
  return { terms, unions, malformed };
}

/** Adds what the doc lacks (in the caller's transaction); returns how many entries were new. */
export function addToEGraphSets(
  doc: Y.Doc,
  terms: Iterable<readonly [string, TermRecord]>,
  unions: Iterable<UnionRecord>,
): { terms: number; unions: number } {
  const termMap = termsMap(doc);
  const unionMap = unionsMap(doc);
  let newTerms = 0;
  let newUnions = 0;
  for (const [hash, record] of terms) {
    if (termMap.has(hash)) continue;
    termMap.set(hash, { op: record.op, children: [...record.children] });
    newTerms++;
  }
  for (const union of unions) {
    const key = unionKey(union.a, union.b);
    if (union.a === union.b || unionMap.has(key)) continue;
    unionMap.set(key, { a: union.a, b: union.b, rule: union.rule, agent: union.agent, ts: union.ts });
    newUnions++;
  }
  return { terms: newTerms, unions: newUnions };
}
