// The e-graph's grow-only maps as a neighbour's update needs them to be applied without the doc:
// each key's current item, with its value, so that the e-graph can also be read without the doc. During saturation most deliveries carry e-graph records, and
// loading the doc to apply them cost 30-450 ms per delivery in the component (it grows with the
// e-graph), which kept the host's workers busy and the network seconds behind.
//
// Every e-graph record our agents write sets a key the writer did not have (egraph-doc.ts), so
// each of the key's items has no origin and no right origin, and Yjs orders such concurrent items
// by writer: the highest clientID is the visible one, the others are deleted as they integrate.
// That is all a key's chain needs to be moved without the doc; any other chain (a foreign writer's
// overwrite, a nested value) is recorded as `false` and its key's updates take the doc.
//
// The items are kept in a record of their own (persistence.ts), beside the summary, which names it
// by `tag`: it is believed only while the summary that holds names it (see AgentSummary.egraph).
import * as Y from 'yjs';
import { ROOTS, TERMS, UNIONS } from './doc.ts';
import { isPlain, lastContent, mapEntryElement, sumHex } from './digest.ts';

/** The e-graph's maps, in the order their items are recorded. */
const EGRAPH_ROOTS = [TERMS, UNIONS, ROOTS] as const;
export type EGraphRoot = (typeof EGRAPH_ROOTS)[number];

/**
 * A key's current item: [client, clock, element, value], element being the hex digest element of
 * its value (digest.ts), null when the item is deleted (a writer's record a neighbour received
 * already deleted, before the one that replaced it), or false when the key's chain is not one a
 * write without the doc can move; the value is there when the element is.
 */
export type GrowItem = [client: number, clock: number, element: string | null | false, value?: unknown];

/** The layout of the record: one written by an older agent (no roots, no values) is not believed. */
export const EGRAPH_ITEMS_VERSION = 2;

export interface EGraphItems {
  v: typeof EGRAPH_ITEMS_VERSION;
  /** names this record for the summary that describes the same doc (unique per record written) */
  tag: string;
  terms: Record<string, GrowItem>;
  unions: Record<string, GrowItem>;
  roots: Record<string, GrowItem>;
}

export function isEGraphRoot(name: unknown): name is EGraphRoot {
  return name === TERMS || name === UNIONS || name === ROOTS;
}

/** What a record keeps of a key's current item in a loaded doc. */
export function growItemOf(root: EGraphRoot, key: string, item: Y.Item): GrowItem {
  const { client, clock } = item.id;
  if (item.length !== 1) return [client, clock, false];
  for (let o: Y.Item | null = item; o !== null; o = o.left as Y.Item | null) {
    if (o.origin !== null || o.rightOrigin !== null) return [client, clock, false];
  }
  if (item.deleted) return [client, clock, null];
  const value = lastContent(item);
  return isPlain(value) ? [client, clock, sumHex(mapEntryElement(root, key, value)), value] : [client, clock, false];
}

/** The items of every key of both maps, from the whole doc. */
export function egraphItemsOf(doc: Y.Doc, tag: string): EGraphItems {
  const items: EGraphItems = { v: EGRAPH_ITEMS_VERSION, tag, terms: {}, unions: {}, roots: {} };
  for (const root of EGRAPH_ROOTS) {
    for (const [key, item] of doc.getMap(root)._map) items[root][key] = growItemOf(root, key, item);
  }
  return items;
}

/** `base` with the items of `changed` keys taken from the doc (the keys a request's transactions touched). */
export function movedEGraphItems(base: EGraphItems, doc: Y.Doc, changed: ReadonlyMap<EGraphRoot, ReadonlySet<string>>, tag: string): EGraphItems {
  const items: EGraphItems = { ...base, tag };
  for (const [root, keys] of changed) {
    const map = doc.getMap(root)._map;
    const moved = { ...base[root] };
    for (const key of keys) {
      const item = map.get(key);
      if (item !== undefined) moved[key] = growItemOf(root, key, item);
    }
    items[root] = moved;
  }
  return items;
}
