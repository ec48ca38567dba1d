// What a request's transactions changed in a loaded doc, gathered as they happen, so that the
// agent's summary (state vector, digest, data keys) is updated from the changes alone instead of
// being recomputed by walking the whole doc. Anything the incremental rules do not cover (a
// sequence root, a nested Y type) marks the changes `exact: false`: the caller recomputes.
import * as Y from 'yjs';
import type { DeleteSet } from './delete-set.ts';
import { DATA } from './doc.ts';
import { addSum, EMPTY_SUM, isPlain, lastContent, mapEntryElement, subSum, svElement, type DigestParts, type DigestSum } from './digest.ts';
import { isEGraphRoot, type EGraphRoot } from './egraph-items.ts';

export class DocChanges {
  /** the state-vector entries the transactions moved: client → its clock now */
  readonly clocks = new Map<number, number>();
  /** keys of the data map now set (true) or deleted (false) */
  readonly dataKeys = new Map<string, boolean>();
  /**
   * keys of the data map whose items changed at all: also those whose value did not (an item that
   * came and went in one transaction, such as a neighbour's overwritten value)
   */
  readonly dataItemKeys = new Set<string>();
  /** keys of the e-graph's maps whose items changed (egraph-items.ts moves its record by them) */
  readonly egraphKeys = new Map<EGraphRoot, Set<string>>();
  /** each transaction's deletions (the Y.Map overwrites included) */
  readonly deleteSets: DeleteSet[] = [];
  private sv: DigestSum = EMPTY_SUM;
  private content: DigestSum = EMPTY_SUM;
  private covered = true;
  private changedAny = false;
  private readonly listener = (tr: Y.Transaction): void => this.record(tr);

  constructor(private readonly doc: Y.Doc) {
    doc.on('afterTransaction', this.listener);
  }

  /** Whether the changes describe everything the transactions did (else recompute from the doc). */
  get exact(): boolean {
    return this.covered;
  }

  /** Whether any transaction changed the doc. */
  get touched(): boolean {
    return this.changedAny;
  }

  /** `base` (the parts before the first recorded transaction) moved by what changed since. */
  applyTo(base: DigestParts): DigestParts {
    return { sv: addSum(base.sv, this.sv), content: addSum(base.content, this.content) };
  }

  /** `base` (the state vector before) with the entries that moved. */
  stateVector(base: Readonly<Record<string, number>>): Record<string, number> {
    const sv: Record<string, number> = { ...base };
    for (const [client, clock] of this.clocks) sv[String(client)] = clock;
    return sv;
  }

  stop(): void {
    this.doc.off('afterTransaction', this.listener);
  }

  private record(tr: Y.Transaction): void {
    if (tr.changed.size > 0 || tr.deleteSet.clients.size > 0 || tr.afterState.size !== tr.beforeState.size) this.changedAny = true;
    if (tr.deleteSet.clients.size > 0) this.deleteSets.push(tr.deleteSet);
    for (const [client, clock] of tr.afterState) {
      const before = tr.beforeState.get(client) ?? 0;
      if (clock === before) continue;
      if (before > 0) this.sv = subSum(this.sv, svElement(client, before));
      this.sv = addSum(this.sv, svElement(client, clock));
      this.clocks.set(client, clock);
      this.changedAny = true;
    }
    for (const [type, keys] of tr.changed) {
      // A root a remote update created is a bare AbstractType until someone asks for it as a map.
      if (type._item !== null || keys.has(null)) {
        this.covered = false; // a nested type or a sequence: not tracked entry by entry
        continue;
      }
      const root = rootName(this.doc, type);
      if (root === DATA) for (const key of keys as Set<string>) this.dataItemKeys.add(key);
      if (isEGraphRoot(root)) {
        const changed = this.egraphKeys.get(root) ?? new Set<string>();
        for (const key of keys as Set<string>) changed.add(key);
        this.egraphKeys.set(root, changed);
      }
      // YMapEvent reads only what every AbstractType has (_map, the transaction), so a bare root will do
      const event = new Y.YMapEvent(type as unknown as Y.Map<unknown>, tr, keys as Set<string>);
      for (const [key, change] of event.keys) {
        if (change.action !== 'add' && !this.moveContent(subSum, root, key, change.oldValue)) continue;
        const item = type._map.get(key);
        const visible = item !== undefined && !item.deleted;
        if (visible && !this.moveContent(addSum, root, key, lastContent(item))) continue;
        if (root === DATA) this.dataKeys.set(key, visible);
      }
    }
  }

  /** Adds or removes one entry's element; false (and inexact) if its value is not plain data. */
  private moveContent(op: (a: DigestSum, b: DigestSum) => DigestSum, root: string, key: string, value: unknown): boolean {
    if (!isPlain(value)) {
      this.covered = false;
      return false;
    }
    this.content = op(this.content, mapEntryElement(root, key, value));
    return true;
  }
}

function rootName(doc: Y.Doc, type: object): string {
  for (const [name, shared] of doc.share) if (shared === type) return name;
  return '';
}
