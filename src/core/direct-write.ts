// The data map written without loading the doc: a user's `Y.Map#set` or `#delete` built as the
// update the doc would make, and a neighbour's update to the data map applied, each moving the
// agent's summary as the doc would move. Loading the doc costs a write or a delivery more than
// everything else it does (16 of ~50 ms in the component at a few hundred writes), and a data-map
// write needs of the doc only what the summary keeps: each key's current item and the delete set.
//
// Y.Map#set(key, v) in a doc makes one Item: ID (writer, writer's next clock), origin = the last ID
// of the key's current item (if any), no right origin, content ContentAny([v]); and deletes the
// current item if it is visible. The update here encodes exactly that (Yjs's own Item#write), so
// every replica integrates it as it would the doc's. It is only as right as the summary: callers
// use it only when the summary describes exactly the stored blobs (summaryHolds).
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import type { AgentSummary, DataItem, DeleteRange } from './agent-record.ts';
import { DeleteSetReader } from './delete-set.ts';
import { DATA, ROOTS, type DecodedUpdate } from './doc.ts';
import { addSum, isPlain, lastContent, mapEntryElement, subSum, sumFromHex, sumHex, svElement, digestOf, type DigestSum } from './digest.ts';
import { isEGraphRoot, type EGraphItems, type EGraphRoot } from './egraph-items.ts';

/** The update and the summary that describes the doc with it (blobs and stored_bytes: the caller's). */
export interface DirectWrite {
  update: Uint8Array;
  summary: AgentSummary;
}

/** What a summary records of a data-map key's current item (see AgentSummary.data_items). */
export function dataItemOf(key: string, item: Y.Item): DataItem {
  // Loading merges a writer's consecutive deleted items (one struct of length 2 or more), so the
  // item is recorded by its last ID, the origin of whatever comes next. A visible map item is one
  // value long; anything else is not for writing on without the doc.
  const last = item.id.clock + item.length - 1;
  if (item.deleted) return [item.id.client, last, null];
  const value = lastContent(item);
  return [item.id.client, last, isPlain(value) && item.length === 1 ? sumHex(mapEntryElement(DATA, key, value)) : false];
}

/**
 * `data.set(key, value)` written as `client` (whose next clock the summary's state vector holds);
 * null when the summary cannot say what the doc would do (no item records, or a nested value).
 */
export function directSet(summary: AgentSummary, client: number, key: string, value: unknown): DirectWrite | null {
  if (summary.data_items === undefined || !isPlain(value)) return null;
  const move = new SummaryMove(summary);
  const current = move.items[key];
  if (current !== undefined && current[2] === false) return null;
  const clock = move.clockOf(client);
  const origin = current === undefined ? null : Y.createID(current[0], current[1]);
  // A root map's item names its parent only when it has no origin; a string parent is the root's name.
  const item = new Y.Item(Y.createID(client, clock), null, origin, null, null, DATA as unknown as Y.AbstractType<unknown>, key, new Y.ContentAny([value]));
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, 1); // one writer's structs
  encoding.writeVarUint(encoder.restEncoder, 1); // one struct
  encoder.writeClient(client);
  encoding.writeVarUint(encoder.restEncoder, clock);
  item.write(encoder, 0);
  writeDeletion(encoder, current !== undefined && current[2] !== null ? current : null);
  move.set(key, client, clock, value);
  return { update: encoder.toUint8Array(), summary: move.summaryResult() };
}

/** `data.delete(key)`: a delete set alone (no struct, no writer); null as for directSet, or when the key is not visible. */
export function directDelete(summary: AgentSummary, key: string): DirectWrite | null {
  const current = summary.data_items?.[key];
  if (current === undefined || typeof current[2] !== 'string') return null;
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, 0); // no structs
  writeDeletion(encoder, current);
  const move = new SummaryMove(summary);
  move.delete(key);
  return { update: encoder.toUint8Array(), summary: move.summaryResult() };
}

/** A neighbour's update applied without the doc: the summary after it, and the e-graph's items when it moved them. */
export interface DirectApplied {
  summary: AgentSummary;
  /** the e-graph's items after the update (tagged `tag`), when it changed the e-graph's maps; else null */
  egraph: EGraphItems | null;
}

/** What an update taught, when it taught anything (DirectApply.apply). */
export interface DirectTaught {
  /** its writers' clocks before it, when it holds structs the doc held already (cut from it with Y.diffUpdate); null: every struct was new */
  known: Map<number, number> | null;
  /**
   * the ranges of its delete set that were news (deletions of its own new structs, or of what the
   * doc held visible); null: all of them were. A SyncResponse carries the sender's whole delete
   * set, and relayed as it came it went on to every agent, each decoding it again.
   */
  deletions: DeleteRange[] | null;
}

/**
 * Neighbours' updates applied, one after another, to what `summary` describes: the summary the doc
 * would have after them, or null from the first the summary cannot say what the doc would do
 * with. It can for updates that set data-map keys, each new item continuing its writer's clock
 * with the key's current item as origin (or a key never set, with none), that add e-graph records
 * (egraph-items.ts; `egraph` gives the items the summary names, loaded only when a record comes),
 * and that only delete what is known: the data keys' current items or what the doc has deleted
 * already. Anything else (nested or sequence types, concurrent data sets that Yjs must order,
 * structs whose dependencies are missing) takes the doc.
 *
 * One move of the summary for a whole batch: a move per update copied the summary's records of
 * every key for each, so a batch cost updates x keys.
 */
export class DirectApply {
  private readonly move: SummaryMove;
  private moved: DirectApplied | null = null;

  constructor(private readonly summary: AgentSummary, egraph: () => EGraphItems | null = () => null) {
    this.move = new SummaryMove(summary, egraph);
  }

  /**
   * What `update` (Y.decodeUpdate's structs and delete set) taught (DirectTaught, or 'nothing');
   * null when only the doc can say what it does, which leaves this move spent, half applied.
   */
  apply(update: DecodedUpdate): DirectTaught | 'nothing' | null {
    if (this.summary.data_items === undefined || this.summary.delete_set === undefined) return null;
    const move = this.move;
    const changesBefore = move.changes;
    const { structs, ds } = update;
    const clocksBefore = new Map<number, number>();
    let known = 0;
    for (const struct of structs) {
      const { client, clock } = struct.id;
      const next = move.clockOf(client);
      if (!clocksBefore.has(client)) clocksBefore.set(client, next);
      if (clock + struct.length <= next) {
        known++;
        continue;
      }
      if (clock !== next || !(struct instanceof Y.Item) || struct.rightOrigin !== null || move.deletes(client, clock, struct.length)) return null;
      // a decoded item names its parent (a root's name) only when it has no origin
      if (isEGraphRoot(struct.parent)) {
        if (!move.grow(struct)) return null;
        continue;
      }
      // a value (ContentAny holds no Y types), or a run of one writer's overwritten values, each the next's origin
      const deletedRun = struct.content instanceof Y.ContentDeleted;
      if (!deletedRun && !(struct.content instanceof Y.ContentAny && struct.length === 1)) return null;
      const key = struct.origin === null ? newKey(struct, move) : move.keyOf(struct.origin);
      if (key === null || move.items[key]?.[2] === false) return null;
      if (deletedRun) move.setDeleted(key, client, clock, struct.length);
      else move.set(key, client, clock, (struct.content as Y.ContentAny).arr[0]);
    }
    // what this update made deleted: its own new structs' clocks (whatever came deleted) and the
    // items its sets overwrote; its delete set's other ranges were news only if not deleted yet
    const made: DeleteRange[] = move.takeOverwritten();
    for (const [client, before] of clocksBefore) if (move.clockOf(client) > before) made.push([client, before, move.clockOf(client) - before]);
    const deletions = new DeletionsTaught();
    for (const [client, ranges] of ds.clients) {
      const mine = made.filter(([c]) => c === client);
      for (const { clock, len } of ranges) {
        const end = clock + len;
        if (move.deletes(client, clock, len)) {
          // deleted now: news where this update made it, known elsewhere (the ranges made are disjoint)
          let news = 0;
          for (const [, k, l] of mine) {
            const [from, to] = [Math.max(clock, k), Math.min(end, k + l)];
            if (from < to) deletions.keep(client, from, to - from);
            news += Math.max(0, to - from);
          }
          if (news < len) deletions.skip();
          continue;
        }
        if (len > MAX_RANGE_WALK) return null;
        // anything not deleted yet must be a data key's current, visible item (e-graph records are never deleted)
        for (let at = clock; at < end; at++) {
          if (move.deletes(client, at, 1)) {
            if (mine.some(([, k, l]) => at >= k && at < k + l)) deletions.keep(client, at, 1);
            else deletions.skip();
            continue;
          }
          const key = move.keyOf(Y.createID(client, at));
          if (key === null || typeof move.items[key]![2] !== 'string') return null;
          move.delete(key);
          deletions.keep(client, at, 1);
        }
      }
    }
    if (move.changes === changesBefore) return 'nothing';
    this.moved = null;
    return { known: known === 0 ? null : clocksBefore, deletions: deletions.result() };
  }

  /** The summary after the updates applied so far (the same summary if none taught anything), and the e-graph's items, tagged `tag`, if they moved. */
  result(tag: string): DirectApplied {
    if (this.move.changes === 0) return { summary: this.summary, egraph: null };
    return (this.moved ??= this.move.result(tag));
  }
}

/** The ranges of an update's delete set that were news, adjacent ones joined; null if none was left out. */
class DeletionsTaught {
  private readonly ranges: DeleteRange[] = [];
  private skipped = false;

  keep(client: number, clock: number, len: number): void {
    const last = this.ranges.at(-1);
    if (last !== undefined && last[0] === client && last[1] + last[2] === clock) last[2] += len;
    else this.ranges.push([client, clock, len]);
  }

  skip(): void {
    this.skipped = true;
  }

  result(): DeleteRange[] | null {
    return this.skipped ? this.ranges.sort((a, b) => b[0] - a[0] || a[1] - b[1]) : null;
  }
}

/** The longest deleted range walked ID by ID when it is not deleted already as a whole. */
const MAX_RANGE_WALK = 1024;

/** The key a struct without origin sets: its parent must be the data map, the key never set before. */
function newKey(item: Y.Item, move: SummaryMove): string | null {
  // a decoded item names a root parent by its name (Yjs reads parents as names or IDs)
  if ((item.parent as unknown) !== DATA || typeof item.parentSub !== 'string') return null;
  return move.items[item.parentSub] === undefined ? item.parentSub : null;
}

/** The delete set of an update: `item` (one value long: visible), or nothing. */
function writeDeletion(encoder: Y.UpdateEncoderV1, item: DataItem | null): void {
  if (item === null) {
    encoding.writeVarUint(encoder.restEncoder, 0);
    return;
  }
  encoding.writeVarUint(encoder.restEncoder, 1); // one client
  encoder.resetDsCurVal();
  encoding.writeVarUint(encoder.restEncoder, item[0]);
  encoding.writeVarUint(encoder.restEncoder, 1); // one range
  encoder.writeDsClock(item[1]);
  encoder.writeDsLen(1);
}

/**
 * A summary moved change by change, as the doc moves: the data map's sets and deletions. Lazy, as
 * a neighbour's update that needs the doc is told so from its first struct: nothing is copied or
 * decoded before a change is made or the delete set asked about.
 */
class SummaryMove {
  /** how many changes were made (a set, a deletion, a writer's clock moved) */
  changes = 0;
  private sv: DigestSum;
  private content: DigestSum;
  private stateVector: Record<string, number> | null = null;
  private keys: Set<string> | null = null;
  private ownItems: Record<string, DataItem> | null = null;
  /** current item's last ID → its key (built on first use) */
  private byId: Map<string, string> | null = null;
  private readonly deleted: DeleteSetReader | null;
  /** the e-graph's items: undefined until a record asks for them, then as loaded (null: unknown), then moved */
  private egraphItems: EGraphItems | null | undefined;
  private egraphMoved = false;
  private readonly overwritten: DeleteRange[] = [];
  private egraphCounts: { terms: number; unions: number };

  constructor(private readonly summary: AgentSummary, private readonly loadEGraph: () => EGraphItems | null = () => null) {
    this.egraphCounts = { terms: summary.egraph.terms, unions: summary.egraph.unions };
    this.sv = sumFromHex(summary.digest_parts.sv);
    this.content = sumFromHex(summary.digest_parts.content);
    this.deleted = summary.delete_set === undefined ? null : new DeleteSetReader(summary.delete_set);
  }

  get items(): Readonly<Record<string, DataItem>> {
    return this.ownItems ?? this.summary.data_items ?? {};
  }

  clockOf(client: number): number {
    return (this.stateVector ?? this.summary.state_vector)[String(client)] ?? 0;
  }

  /** The key whose current item's last ID is `id`, if any. */
  keyOf(id: Y.ID): string | null {
    if (this.byId === null) {
      this.byId = new Map();
      for (const [key, item] of Object.entries(this.items)) this.byId.set(`${item[0]}:${item[1]}`, key);
    }
    return this.byId.get(`${id.client}:${id.clock}`) ?? null;
  }

  /** Whether the doc has deleted all of the range (false when the summary keeps no delete set). */
  deletes(client: number, clock: number, len: number): boolean {
    return this.deleted !== null && this.deleted.deletes(client, clock, len);
  }

  /** `value` set under `key` as the item (client, clock), the writer's next: the current item, if visible, deleted. */
  set(key: string, client: number, clock: number, value: unknown): void {
    const element = mapEntryElement(DATA, key, value);
    this.append(key, client, clock, 1, sumHex(element));
    this.content = addSum(this.content, element);
    this.ownKeys().add(key);
  }

  /** `len` deleted items appended to `key`'s chain as the writer's next (a run merged on encoding). */
  setDeleted(key: string, client: number, clock: number, len: number): void {
    this.append(key, client, clock, len, null);
    this.deleted?.add([[client, clock, len]]);
  }

  /**
   * An e-graph record (egraph-items.ts): `item` sets a key without origin. The key's chain holds
   * only such items, ordered by writer, and the last one is the key's current item: each item that
   * lands last deletes the one before it (Yjs does so even when the newcomer came deleted: a
   * loser, in a whole-state answer), and one that lands before it is deleted as it integrates.
   * False when only the doc can say (the items unknown, another kind of chain).
   */
  grow(item: Y.Item): boolean {
    const root = item.parent as unknown as EGraphRoot;
    const key = item.parentSub;
    const items = this.growItems();
    if (items === null || item.origin !== null || typeof key !== 'string' || item.length !== 1) return false;
    const deleted = item.content instanceof Y.ContentDeleted;
    if (!deleted && !(item.content instanceof Y.ContentAny)) return false;
    const current = items[root][key];
    const { client, clock } = item.id;
    if (current !== undefined && (current[2] === false || current[0] === client)) return false;
    this.advance(client, clock, 1);
    if (deleted || (current !== undefined && client < current[0])) this.deleted!.add([[client, clock, 1]]);
    if (current !== undefined && client < current[0]) return true; // landed before the current item
    if (current !== undefined && current[2] !== null) {
      this.deleted!.add([[current[0], current[1], 1]]);
      this.content = subSum(this.content, sumFromHex(current[2] as string));
      if (root !== ROOTS) this.egraphCounts[root]--;
    }
    if (deleted) {
      this.ownEGraphItems()[root][key] = [client, clock, null];
      return true;
    }
    const value = (item.content as Y.ContentAny).arr[0];
    const element = mapEntryElement(root, key, value);
    this.content = addSum(this.content, element);
    if (root !== ROOTS) this.egraphCounts[root]++;
    this.ownEGraphItems()[root][key] = [client, clock, sumHex(element), value];
    return true;
  }

  private growItems(): EGraphItems | null {
    if (this.egraphItems === undefined) this.egraphItems = this.loadEGraph();
    return this.egraphItems;
  }

  private ownEGraphItems(): EGraphItems {
    const items = this.egraphItems!;
    if (!this.egraphMoved) {
      this.egraphItems = { ...items, terms: { ...items.terms }, unions: { ...items.unions }, roots: { ...items.roots } };
      this.egraphMoved = true;
    }
    return this.egraphItems!;
  }

  /** The items sets overwrote since last asked (DirectApply tells which deletions an update made). */
  takeOverwritten(): DeleteRange[] {
    return this.overwritten.splice(0);
  }

  private append(key: string, client: number, clock: number, len: number, element: string | null): void {
    if (typeof this.items[key]?.[2] === 'string') {
      const [itemClient, itemClock] = this.items[key]!;
      this.overwritten.push([itemClient, itemClock, 1]);
      this.delete(key); // Y.Map deletes the item it follows
    }
    const current = this.items[key];
    if (current !== undefined) this.byId?.delete(`${current[0]}:${current[1]}`);
    this.advance(client, clock, len);
    this.ownItemsNow()[key] = [client, clock + len - 1, element];
    this.byId?.set(`${client}:${clock + len - 1}`, key);
  }

  /** The writer's clock moved from `clock` (its next, as the summary has it) by `len`. */
  private advance(client: number, clock: number, len: number): void {
    if (clock > 0) this.sv = subSum(this.sv, svElement(client, clock));
    this.sv = addSum(this.sv, svElement(client, clock + len));
    this.stateVector ??= { ...this.summary.state_vector };
    this.stateVector[String(client)] = clock + len;
    this.changes++;
  }

  /** The key's current item (visible, plain) deleted. */
  delete(key: string): void {
    const [client, clock, element] = this.items[key]!;
    this.content = subSum(this.content, sumFromHex(element as string));
    this.ownItemsNow()[key] = [client, clock, null];
    this.deleted?.add([[client, clock, 1]]);
    this.ownKeys().delete(key);
    this.changes++;
  }

  /** The moved summary, and the e-graph's items (tagged `tag`) if they moved. */
  result(tag: string): DirectApplied {
    const egraph = this.egraphMoved ? { ...this.egraphItems!, tag } : null;
    const summary = this.summaryResult();
    return { summary: egraph === null ? summary : { ...summary, egraph: { ...this.egraphCounts, nodes: summary.egraph.nodes, nodes_stale: true, items: tag } }, egraph };
  }

  summaryResult(): AgentSummary {
    const parts = { sv: this.sv, content: this.content };
    return {
      ...this.summary,
      state_vector: this.stateVector ?? this.summary.state_vector,
      state_digest: digestOf(parts),
      digest_parts: { sv: sumHex(this.sv), content: sumHex(this.content) },
      doc_bytes_stale: true,
      data_keys: this.keys === null ? this.summary.data_keys : [...this.keys].sort(),
      data_items: this.ownItems ?? this.summary.data_items,
      ...(this.deleted === null ? {} : { delete_set: this.deleted.result() }),
    };
  }

  private ownItemsNow(): Record<string, DataItem> {
    return (this.ownItems ??= { ...this.summary.data_items });
  }

  private ownKeys(): Set<string> {
    return (this.keys ??= new Set(this.summary.data_keys));
  }
}
