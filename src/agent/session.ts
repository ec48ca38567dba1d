// One request's view of an agent: load the doc from KV, let core do the work, save what changed.
// Components are request-scoped (a fresh instance per request), so nothing survives in memory.
import * as Y from 'yjs';
import {
  checkEach,
  dueForCompaction,
  isSnapshotKey,
  colourTopology,
  type Colour,
  type Colouring,
  countExchange,
  dataMap,
  loadEGraph,
  summaryHolds,
  uptimeSeconds,
  termsMap,
  unionsMap,
  type AgentSummary,
  checkLocalUpdate,
  type DataItem,
  dataItemOf,
  DeleteSetReader,
  docDeleteSet,
  rangesOf,
  type StoredDeleteSet,
  onEnvelopes,
  onEnvelopesWithoutDoc,
  onTickFromSummary,
  directDelete,
  directSet,
  egraphItemsOf,
  egraphFromItems,
  EGRAPH_ITEMS_VERSION,
  movedEGraphItems,
  readEGraphSets,
  readRoots,
  type CountedEGraph,
  type EGraphItems,
  type EGraphSets,
  type DirectWrite,
  HybridClock,
  loadDoc,
  allNeighbours,
  neighbours,
  pendingUpdate,
  DocChanges,
  digestOf,
  digestParts,
  stateVectorOf,
  sumFromHex,
  sumHex,
  type DigestParts,
  TimelineRecorder,
  type Envelope,
  type SyncCompletion,
  type SyncContext,
  type SyncResult,
  type TimelineEvent,
} from '../core/index.ts';
import type { Kernel } from '../egraph/index.ts';
import type { AgentConfig } from './config.ts';
import { AgentPersistence, summarize, type AgentMeta, type LoadedBlobs } from './persistence.ts';
import { ServerTiming } from './server-timing.ts';
import { sameBytes } from '../shared/same-bytes.ts';
import { parseTraceparent } from '../shared/trace-context.ts';
import type { ByteStore } from '../spin/key-value.ts';
import type { SqlDatabase } from '../spin/sqlite.ts';
import { WriterPool, type WriterLease } from './writers.ts';
import { ValueRecords } from './value-records.ts';

/** What writeWithoutDoc takes for a deletion. */
export const DELETED: unique symbol = Symbol('deleted');

/**
 * How long after answering a neighbour's SyncRequest from the doc, while this agent's own state
 * has changed within as long, its next such request waits (core's onEnvelopesWithoutDoc and
 * onEnvelopes, `deferred`): at most one answer from the doc per neighbour per window while the
 * agent is busy relaying, and a neighbour's loss still repaired within the window and one tick of
 * its. (Tried: a window of the sync interval, 5 s; in two probe runs the rate ladder's network
 * then did not converge within 60 s of its 500/s step.)
 */
export const DEFERRED_ANSWER_MS = 2_000;

export interface World {
  now: () => number;
  random: (n: number) => Uint8Array;
  /** a clean e-graph kernel (the component import in Spin; any Kernel in tests) */
  kernel: () => Kernel;
}

/** Where an agent's state lives: the doc and records in KV, writer leases in SQL. */
export interface AgentStores {
  kv: ByteStore;
  sql: SqlDatabase;
}

/** The doc as one request loaded it, and what the request changed in it. */
interface OpenedDoc {
  doc: Y.Doc;
  loaded: LoadedBlobs;
  /** the blobs (key → bytes) this request's doc holds: those it loaded, plus those it wrote */
  blobs: Map<string, number>;
  /** the doc's updates since it was loaded (captured from Yjs 'update' events) */
  updates: Uint8Array[];
  pendingAtLoad: Uint8Array | null;
  /** what its transactions changed, for a summary moved rather than recomputed */
  changes: DocChanges;
  /** the writer its transactions write as, held until the request ends */
  writer: WriterLease;
}

export class AgentSession {
  readonly neighbours: number[];
  /** the network's graph, index = agent id (its relay trees: core/topology.ts relayTree), once asked for */
  private graph: number[][] | null = null;
  /** this request's readings of the agent's hybrid logical clock (persisted in meta) */
  readonly clock: HybridClock;
  /** the timeline events this request produces */
  readonly timeline: TimelineRecorder;
  meta: AgentMeta;
  private readonly metaAtLoad: AgentMeta;
  private readonly startedAt: number;
  /** this request's unique name (its timeline events' and writer lease's) */
  private readonly holder: string;
  /** the doc, once a route asked for it: many requests never load it */
  private opened: OpenedDoc | null = null;
  /** whether this request may spend on a full summary (see settle) */
  private settling = false;
  /** whether the e-nodes may be counted by a later request (see countEGraphLater) */
  private countLater = false;
  /** the e-graph this request built, counted (see countedEGraph) */
  private builtEGraph: CountedEGraph | null = null;
  /** the doc's encoded size, when this request compacted (and so measured it) */
  private compactedDocBytes: number | null = null;
  /** the key of the snapshot this request's compaction wrote, when its state vector is the doc's */
  private compactedSnapshot: string | null = null;
  /** the stored summary as this request found it (undefined: not read yet) */
  private storedSummary: AgentSummary | null | undefined;
  /** an e-graph items record this request made for the doc it holds, to save with its summary */
  private egraphItemsToSave: EGraphItems | null = null;

  constructor(
    readonly config: AgentConfig,
    readonly persistence: AgentPersistence,
    private readonly writers: WriterPool,
    /** data keys' value records (value-records.ts) */
    readonly values: ValueRecords,
    private readonly world: World,
    /** where this request's time goes (Server-Timing) */
    readonly timing: ServerTiming,
    /** the request's W3C traceparent, when it came with a valid one: forwarded with what it publishes */
    readonly traceparent: string | null = null,
  ) {
    this.startedAt = world.now();
    this.meta = persistence.ensureMeta(this.startedAt);
    this.metaAtLoad = this.meta;
    this.neighbours = neighbours(config.topology, config.agentCount, config.agentId);
    this.clock = new HybridClock(world.now, config.agentId, this.meta.hlc ?? null, config.maxClockSkewMs);
    this.holder = `${config.agentId}-${persistence.uid(this.startedAt)}`;
    this.timeline = new TimelineRecorder(config.agentId, this.clock, world.now, this.holder, parseTraceparent(traceparent)?.traceId ?? null);
  }

  /** The agent's document, loaded from every stored blob on first use. */
  get doc(): Y.Doc {
    return this.openDoc().doc;
  }

  private openDoc(): OpenedDoc {
    if (this.opened !== null) return this.opened;
    const opened = this.timing.measure('open', (): OpenedDoc => {
      const loaded = this.persistence.loadBlobs();
      let writer: WriterLease | null = null;
      const doc = loadDoc(loaded.updates, (clockOf) => (writer = this.writers.lease(this.holder, clockOf)).client);
      return { doc, loaded, blobs: new Map(loaded.blobSizes), updates: [], pendingAtLoad: pendingUpdate(doc), changes: new DocChanges(doc), writer: writer! };
    });
    // Capture exactly what this request changes, whichever core function changes it.
    opened.doc.on('update', (update: Uint8Array) => opened.updates.push(update));
    this.opened = opened;
    return opened;
  }

  static open(config: AgentConfig, stores: AgentStores, world: World, timing = new ServerTiming(world.now), traceparent: string | null = null): AgentSession {
    const trace = parseTraceparent(traceparent) === null ? null : traceparent;
    return new AgentSession(
      config,
      new AgentPersistence(stores.kv, config.agentId, world.random),
      new WriterPool(stores.sql, config.agentId, world),
      new ValueRecords(stores.sql, config.agentId),
      world,
      timing,
      trace,
    );
  }

  /**
   * Ends the request's hold on its writer (whatever it saved stays saved). Every request that may
   * have opened the doc calls it last, answered or failed; a writer never released stays out of
   * the pool until its lease runs out.
   */
  close(): void {
    this.opened?.writer.release();
  }

  /**
   * A user's write to the data map without opening the doc: `value` set under `key`, or the key
   * deleted (DELETED), as core's directSet/directDelete build it from the stored summary (see
   * directBase for when). Saves the update and the moved summary; returns the update, or null
   * when it cannot be made so and the caller takes the doc path.
   */
  writeWithoutDoc(key: string, value: unknown): Uint8Array | null {
    const base = this.directBase(1);
    if (base === null) return null;
    const { summary, blobKeys } = base;
    if (value === DELETED) return this.saveDirect(directDelete(summary, key), blobKeys, null);
    // the summary holds, so its state vector is the doc's: a pooled writer's clock is checked against it
    const writer = this.writers.lease(this.holder, (client) => summary.state_vector[String(client)] ?? 0);
    try {
      return this.saveDirect(directSet(summary, writer.client, key, value), blobKeys, writer);
    } finally {
      writer.release();
    }
  }

  /**
   * GET /data/:key without opening the doc: which keys exist from the stored summary, the value
   * from the key's value record (value-records.ts), when the summary describes the
   * stored blobs and the record holds the item the summary names. `absent`: never set, or
   * deleted; null: it cannot say (the caller opens the doc).
   */
  dataWithoutDoc(key: string): { value: unknown } | 'absent' | null {
    if (this.opened !== null) return null;
    const summary = this.readStoredSummary();
    if (summary === null || summary.data_items === undefined) return null;
    const { snapshotKeys, logKeys } = this.persistence.blobKeys();
    if (!summaryHolds(summary, [...snapshotKeys, ...logKeys])) return null;
    const item = summary.data_items[key];
    if (item === undefined || item[2] === null) return 'absent';
    if (item[2] === false) return null; // a nested shared type: only the doc can say
    const record = this.values.get(key);
    return record !== null && record.item[0] === item[0] && record.item[1] === item[1] ? { value: record.value } : null;
  }

  /**
   * Keeps `value`, the key's current value, as its value record: its item from the doc when this
   * request opened it, else from the summary it saved (a write without the doc).
   */
  rememberValue(key: string, value: unknown): void {
    if (value instanceof Y.AbstractType) return;
    let item: [number, number] | null = null;
    if (this.opened !== null) {
      const current = dataMap(this.opened.doc)._map.get(key);
      if (current !== undefined && !current.deleted && current.length === 1) item = [current.id.client, current.id.clock];
    } else {
      const current = this.storedSummary?.data_items?.[key];
      if (current !== undefined && typeof current[2] === 'string') item = [current[0], current[1]];
    }
    if (item !== null) this.values.save({ key, item, value });
  }

  /**
   * A batch of neighbours' updates applied without opening the doc (core's onEnvelopesWithoutDoc,
   * see directBase for when); null when it cannot be, and the caller takes the doc path.
   */
  receiveWithoutDoc(envelopes: readonly Envelope[]): SyncResult | null {
    const base = this.directBase(envelopes.some((env) => env.type === 'StateUpdate' || env.type === 'SyncResponse') ? 1 : 0);
    if (base === null) return null;
    const tag = this.persistence.uid(this.startedAt);
    let log: Uint8Array[] | null | undefined;
    const applied = onEnvelopesWithoutDoc(this.syncContext(), base.summary, envelopes, {
      egraph: () => this.storedEGraphItems(base.summary),
      tag,
      deferred: this.deferredRequesters(),
      log: () => (log ??= this.timing.measure('log', () => this.persistence.blobsNamed(base.blobKeys.filter((key) => !isSnapshotKey(key))))),
      snapshot: () => this.timing.measure('snapshot', () => this.snapshotBlob(base.blobKeys)),
    });
    if (applied === null) return null;
    const { update, summary, egraph } = applied;
    // the record first: a summary naming a record not written yet would be believed about it
    if (egraph !== null) this.persistence.saveEGraphItems(egraph);
    if (update !== null) this.saveDirect({ update, summary }, base.blobKeys, null);
    // those answered with what they lacked (from the log), as the doc path would have
    this.rememberAnswered(applied.result.outbox.filter((env) => env.type === 'SyncResponse').map((env) => env.to));
    return applied.result;
  }

  /** The one snapshot among `blobKeys` (null: none), undefined when there are several or it is gone. */
  private snapshotBlob(blobKeys: readonly string[]): Uint8Array | null | undefined {
    const keys = blobKeys.filter(isSnapshotKey);
    if (keys.length === 0) return null;
    return keys.length === 1 ? this.persistence.blobsNamed(keys)?.[0] : undefined;
  }

  /**
   * A batch applied to the doc (onEnvelopes), whatever it holds; the neighbours whose SyncRequests
   * it answered are remembered as answered now (DEFERRED_ANSWER_MS).
   */
  receiveWithDoc(envelopes: readonly Envelope[]): SyncResult {
    const deferred = this.deferredRequesters();
    const result = onEnvelopes(this.syncContext(), this.doc, envelopes, deferred);
    // a deferred neighbour is not answered now: counted as answered, its window would never end
    this.rememberAnswered(envelopes.filter((env) => env.type === 'SyncRequest' && !deferred.has(env.from)).map((env) => env.from));
    return result;
  }

  /** Neighbours among `requesters` count as answered now (DEFERRED_ANSWER_MS). */
  private rememberAnswered(requesters: readonly number[]): void {
    const now = this.world.now();
    const answered = { ...this.meta.answered };
    for (const from of requesters) if (this.neighbours.includes(from)) answered[String(from)] = now;
    this.meta = { ...this.meta, answered };
  }

  /** The neighbours whose SyncRequests may wait (DEFERRED_ANSWER_MS): none unless the agent's state changed within the window. */
  private deferredRequesters(): Set<number> {
    const now = this.world.now();
    if (now - (this.meta.digest_since ?? 0) >= DEFERRED_ANSWER_MS) return new Set();
    return new Set(Object.entries(this.meta.answered ?? {}).filter(([, at]) => now - at < DEFERRED_ANSWER_MS).map(([id]) => Number(id)));
  }

  /** The stored e-graph items record, when it is the one `summary` names (else null: only the doc can say). */
  private storedEGraphItems(summary: AgentSummary): EGraphItems | null {
    const tag = summary.egraph.items;
    if (tag === undefined) return null;
    const items = this.persistence.egraphItems();
    return items !== null && items.tag === tag && items.v === EGRAPH_ITEMS_VERSION ? items : null;
  }

  /**
   * The e-graph's sets and posted terms: from the e-graph items record, without the doc, when the
   * stored summary describes the stored blobs and names the record; else from the doc. (Loading a
   * doc of ~3,000 e-graph records took ~340 ms in the component, parsing the record a few ms.)
   */
  egraphContent(): { sets: EGraphSets; roots: string[] } {
    if (this.opened === null) {
      const summary = this.readStoredSummary();
      const { snapshotKeys, logKeys } = this.persistence.blobKeys();
      if (summary !== null && summaryHolds(summary, [...snapshotKeys, ...logKeys])) {
        const items = this.timing.measure('items', () => this.storedEGraphItems(summary));
        const content = items === null ? null : egraphFromItems(items);
        if (content !== null) return content;
      }
    }
    return { sets: readEGraphSets(this.doc), roots: readRoots(this.doc) };
  }

  /**
   * A tick with nothing to do but heartbeat and anti-entropy, from the stored summary without the
   * doc: when it describes the stored blobs (so its state vector, delete set and digest are the
   * doc's), the log is not due for compaction, the e-nodes are counted, and saturation has nothing
   * to do (no terms, or the e-graph's sets are as the last saturated run left them). Null
   * otherwise: the caller ticks with the doc. A stale doc_bytes is left for a request that opens
   * the doc anyway (a compaction, a tick that saturates): measuring it costs a whole doc load and
   * encoding (~1 s at 700 KB), which every tick after a write would pay.
   */
  quietTick(): SyncResult | null {
    const base = this.directBase(0);
    if (base === null) return null;
    const { summary } = base;
    if (summary.delete_set === undefined || summary.egraph.nodes_stale === true) return null;
    const saturated = this.meta.saturated;
    const { terms, unions } = summary.egraph;
    if (terms > 0 && (saturated === undefined || saturated === null || saturated.terms !== terms || saturated.unions !== unions)) return null;
    return onTickFromSummary(this.syncContext(), { ...summary, delete_set: summary.delete_set });
  }

  /**
   * The stored summary, when a change may be made from it without the doc: it describes exactly
   * the stored blobs (so its state vector, items and delete set are the doc's), and the log is
   * not due for compaction once the change `appends` its blobs (0 for one that stores nothing: a
   * request due with 1 but not with 0 would not compact on the doc path either, and took the doc
   * at every tick and empty-handed SyncRequest until the agent's next write).
   */
  private directBase(appends: 0 | 1): { summary: AgentSummary; blobKeys: string[] } | null {
    if (this.opened !== null) return null;
    const summary = this.readStoredSummary();
    if (summary === null || summary.data_items === undefined) return null;
    const { snapshotKeys, logKeys } = this.persistence.blobKeys();
    if (snapshotKeys.length > 1 || dueForCompaction(logKeys.length + appends, summary.stored_bytes, summary.doc_bytes)) return null;
    const blobKeys = [...snapshotKeys, ...logKeys];
    return summaryHolds(summary, blobKeys) ? { summary, blobKeys } : null;
  }

  private saveDirect(write: DirectWrite | null, blobKeys: string[], writer: WriterLease | null): Uint8Array | null {
    if (write === null) return null;
    if (writer !== null) checkLocalUpdate(write.update);
    const now = this.world.now();
    writer?.renew(now); // never save structs under a writer another request may hold by now
    const key = this.timing.measure('save', () => this.persistence.appendUpdate(write.update, now));
    if (writer !== null) writer.saved(write.summary.state_vector[String(writer.client)] ?? 0);
    const stored = this.readStoredSummary()!;
    const summary = { ...write.summary, blobs: [...blobKeys, key].sort(), stored_bytes: stored.stored_bytes + write.update.length };
    this.persistence.saveSummary(summary);
    this.storedSummary = summary;
    if (summary.state_digest !== this.meta.digest) this.meta = { ...this.meta, digest: summary.state_digest, digest_since: now };
    return write.update;
  }

  /** How many blobs the loaded doc came from. */
  get logEntries(): number {
    const { loaded } = this.openDoc();
    return loaded.snapshotKeys.length + loaded.logKeys.length;
  }

  get storedBytes(): number {
    let bytes = 0;
    for (const size of this.openDoc().blobs.values()) bytes += size;
    return bytes;
  }

  /**
   * What GET /state reports of the doc, as this request holds it (see AgentSummary). Moved by what
   * this request's transactions changed when the stored summary describes the blobs it loaded;
   * recomputed from the whole doc otherwise. `settle` measures doc_bytes and counts the e-nodes.
   */
  summary(settle = false): AgentSummary {
    const opened = this.openDoc();
    const doc = opened.doc;
    const { moved, stateVector, parts, dataKeys, dataItems, deleteSet } = this.docState();
    const base = this.readStoredSummary();
    const terms = termsMap(doc).size;
    const unions = unionsMap(doc).size;
    // grow-only sets: equal sizes, equal content, so the count of e-nodes still holds
    const known = base?.egraph;
    const counted = known !== undefined && known.terms === terms && known.unions === unions && known.nodes_stale !== true;
    const later = !counted && !settle && this.countLater && known !== undefined && terms > 0;
    const built = this.builtEGraph !== null && this.builtEGraph.terms === terms && this.builtEGraph.unions === unions ? this.builtEGraph.nodes : null;
    const nodes = counted || later ? known!.nodes : built ?? (terms === 0 ? 0 : loadEGraph(doc, this.kernel()).summary().nodes);
    const items = this.egraphItemsTag(base);
    // Encoding the whole doc costs as much as the rest of a write: a write carries the last
    // measurement forward (stale), a compaction or a settling summary measures.
    const docBytes = moved === null || settle ? Y.encodeStateAsUpdate(doc).length : this.compactedDocBytes ?? moved.doc_bytes;
    const stale = moved !== null && !settle && this.compactedDocBytes === null && (moved.doc_bytes_stale || opened.changes.touched);
    const snapshot =
      this.compactedSnapshot !== null ? { key: this.compactedSnapshot, state_vector: stateVector } : base?.snapshot !== undefined && opened.blobs.has(base.snapshot.key) ? base.snapshot : undefined;
    return {
      blobs: [...opened.blobs.keys()].sort(),
      state_vector: stateVector,
      state_digest: digestOf(parts),
      digest_parts: { sv: sumHex(parts.sv), content: sumHex(parts.content) },
      doc_bytes: docBytes,
      doc_bytes_stale: stale,
      stored_bytes: this.storedBytes,
      data_keys: dataKeys,
      data_items: dataItems,
      ...(deleteSet === null ? {} : { delete_set: deleteSet }),
      ...(snapshot === undefined ? {} : { snapshot }),
      egraph: { terms, unions, nodes, ...(later ? { nodes_stale: true } : {}), items },
    };
  }

  /**
   * The tag of the e-graph items record that describes the doc as this request holds it: the
   * stored one's when this request changed no e-graph key of a doc it describes; else a record
   * made now (moved from the stored one when it can be, else from the whole doc), which
   * refreshSummary saves before the summary naming it.
   */
  private egraphItemsTag(base: AgentSummary | null): string {
    const opened = this.openDoc();
    const { changes } = opened;
    const describes = base !== null && base.egraph.items !== undefined && changes.exact && summaryHolds(base, [...opened.loaded.blobSizes.keys()]);
    if (describes && changes.egraphKeys.size === 0) return base.egraph.items!;
    const stored = describes ? this.storedEGraphItems(base) : null;
    const tag = this.persistence.uid(this.world.now());
    this.egraphItemsToSave = stored === null ? egraphItemsOf(opened.doc, tag) : movedEGraphItems(stored, opened.doc, changes.egraphKeys, tag);
    return tag;
  }

  /**
   * Leaves the count of e-nodes to the next tick when this request's records change it: a
   * delivery need not rebuild the e-graph (16-300 ms in the component as it grows) for a figure
   * that only GET /state reports, and the tick builds the e-graph anyway to saturate.
   */
  countEGraphLater(): void {
    this.countLater = true;
  }

  /** The e-nodes of the e-graph this request built from the doc's sets of these sizes (a tick's): no need to build it again to count them. */
  countedEGraph(counted: CountedEGraph): void {
    this.builtEGraph = counted;
  }

  /**
   * Asks commit for a full summary if writes left doc_bytes stale: the tick's job, so that
   * writes need not encode the whole doc and /state is never more than a tick behind.
   */
  settle(): void {
    this.settling = true;
  }

  /** The state digest of the doc as this request holds it (moved, not recomputed, when it can be). */
  digest(): string {
    return digestOf(this.docState().parts);
  }

  /**
   * State vector, digest parts and data keys: the stored summary moved by this request's changes
   * when it describes the blobs this request loaded (`moved` is that summary), else from the doc.
   */
  private docState(): { moved: AgentSummary | null; stateVector: Record<string, number>; parts: DigestParts; dataKeys: string[]; dataItems: Record<string, DataItem>; deleteSet: StoredDeleteSet | null } {
    const opened = this.openDoc();
    const base = this.readStoredSummary();
    const items = dataMap(opened.doc)._map;
    if (base !== null && base.data_items !== undefined && opened.changes.exact && summaryHolds(base, [...opened.loaded.blobSizes.keys()])) {
      const keys = new Set(base.data_keys);
      const dataItems = { ...base.data_items };
      for (const [key, set] of opened.changes.dataKeys) set ? keys.add(key) : keys.delete(key);
      for (const key of opened.changes.dataItemKeys) {
        const item = items.get(key);
        if (item !== undefined) dataItems[key] = dataItemOf(key, item);
      }
      return {
        moved: base,
        stateVector: opened.changes.stateVector(base.state_vector),
        parts: opened.changes.applyTo({ sv: sumFromHex(base.digest_parts.sv), content: sumFromHex(base.digest_parts.content) }),
        dataKeys: [...keys].sort(),
        dataItems,
        deleteSet: this.movedDeleteSet(base),
      };
    }
    const stateVector: Record<string, number> = {};
    for (const [client, clock] of stateVectorOf(opened.doc)) stateVector[String(client)] = clock;
    const dataItems: Record<string, DataItem> = {};
    for (const [key, item] of items) dataItems[key] = dataItemOf(key, item);
    return { moved: null, stateVector, parts: digestParts(opened.doc), dataKeys: [...dataMap(opened.doc).keys()].sort(), dataItems, deleteSet: docDeleteSet(opened.doc) };
  }

  /** The stored delete set with this request's deletions (from the doc when none is stored; none while updates are pending). */
  private movedDeleteSet(base: AgentSummary): StoredDeleteSet | null {
    const { doc, changes } = this.openDoc();
    if (base.delete_set === undefined || pendingUpdate(doc) !== null) return docDeleteSet(doc);
    const reader = new DeleteSetReader(base.delete_set);
    reader.add(rangesOf(changes.deleteSets));
    return reader.result();
  }

  /** A summary for the doc as this request holds it, saved so that the next reads need not open it. */
  refreshSummary(settle = false): AgentSummary {
    const summary = this.summary(settle);
    if (this.egraphItemsToSave !== null) this.persistence.saveEGraphItems(this.egraphItemsToSave);
    this.persistence.saveSummary(summary);
    return summary;
  }

  private summaryHolds(): boolean {
    const stored = this.readStoredSummary();
    return stored !== null && summaryHolds(stored, [...this.openDoc().blobs.keys()]);
  }

  private readStoredSummary(): AgentSummary | null {
    if (this.storedSummary === undefined) this.storedSummary = this.persistence.summary();
    return this.storedSummary;
  }

  uptimeSeconds(): number {
    return uptimeSeconds(this.meta, this.startedAt);
  }

  /** This agent's colour in the topology's 3-colouring (which rule family it applies). */
  colour(): Colour {
    return this.colouring().colours[this.config.agentId] as Colour;
  }

  /** The whole topology's colouring: `proper` is false when it needs more than three colours. */
  colouring(): Colouring {
    return colourTopology(this.config.topology, this.config.agentCount);
  }

  now(): number {
    return this.world.now();
  }

  kernel(): Kernel {
    return this.world.kernel();
  }

  syncContext(): SyncContext {
    let seq = 0;
    const idBase = `${this.config.agentId}-${this.persistence.uid(this.startedAt)}`;
    return {
      agentId: this.config.agentId,
      neighbours: this.neighbours,
      graph: () => (this.graph ??= allNeighbours(this.config.topology, this.config.agentCount)),
      now: this.world.now,
      clock: this.clock,
      newId: () => `${idBase}-${seq++}`,
      uptimeSeconds: this.uptimeSeconds(),
    };
  }

  /** Envelopes arrived: each takes a clock reading after its sender's, before anything is answered. */
  received(envelopes: readonly Envelope[]): void {
    // every reading checked before any is received: a refused batch changes no clock
    checkEach(envelopes, (envelope) => this.clock.admit(envelope.hlc));
    for (const envelope of envelopes) this.timeline.messageIn(envelope);
  }

  /**
   * Persists this request's document changes (before the caller answers), its counters, message
   * history and timeline events. Compacts the log when it has grown past the threshold. Returns
   * the request's timeline events.
   */
  commit(inbox: Envelope[], outbox: Envelope[], syncs: readonly SyncCompletion[]): TimelineEvent[] {
    const now = this.world.now();
    const opened = this.opened;
    const docChanged = opened !== null && this.saveDocChanges(opened, now);
    for (const sync of syncs) this.timeline.syncCompleted(sync.peer, sync.bytes, sync.changed);
    for (const envelope of outbox) this.timeline.messageOut(envelope);
    const exchanged = inbox.length > 0 || outbox.length > 0 || syncs.length > 0;
    if (exchanged) {
      this.meta = { ...this.meta, counters: countExchange(this.meta.counters, inbox, outbox, syncs.length, this.startedAt), last_seen: now };
      this.persistence.recordMessages(
        [
          ...inbox.map((envelope) => ({ dir: 'in' as const, at: now, envelope: summarize(envelope) })),
          ...outbox.map((envelope) => ({ dir: 'out' as const, at: now, envelope: summarize(envelope) })),
        ],
        this.config.maxBufferSize,
      );
    }
    let compacted = false;
    if (opened !== null) {
      const { loaded, blobs, doc } = opened;
      const written = docChanged ? 1 : 0;
      const known = this.readStoredSummary();
      // a snapshot whose state vector was not recorded (written before it was) is folded again
      // while the doc is loaded anyway, so that neighbours can be answered from the log after
      const snapshotUnknown = loaded.snapshotKeys.length === 1 && known?.snapshot?.key !== loaded.snapshotKeys[0] && pendingUpdate(doc) === null;
      if (loaded.snapshotKeys.length > 1 || snapshotUnknown || dueForCompaction(loaded.logKeys.length + written, this.storedBytes, known?.doc_bytes ?? null)) {
        const merged = [...blobs.keys()];
        const snapshot = this.persistence.compact(doc, merged, now);
        blobs.clear();
        blobs.set(snapshot.key, snapshot.bytes);
        this.compactedDocBytes = snapshot.docBytes;
        // what it holds is the doc's state vector, unless it also holds updates the doc could not apply
        this.compactedSnapshot = snapshot.pending ? null : snapshot.key;
        this.timeline.compaction({ blobs: merged.length, bytes: snapshot.bytes });
        compacted = true;
      }
      const stored = this.readStoredSummary();
      const stale = this.settling && (stored?.doc_bytes_stale !== false || stored.egraph.nodes_stale === true || opened.changes.touched);
      const summary = docChanged || compacted || stale || !this.summaryHolds() ? this.refreshSummary(stale) : null;
      const digest = summary?.state_digest ?? this.meta.digest ?? this.refreshSummary().state_digest;
      if (digest !== this.meta.digest) this.meta = { ...this.meta, digest, digest_since: now };
      opened.writer.release(); // saved: the next request may write on from here
    }
    const events = this.timeline.events;
    if (exchanged || events.length > 0 || this.meta.digest !== this.metaAtLoad.digest) {
      this.meta = { ...this.meta, hlc: this.clock.last() };
      this.persistence.saveMeta(this.meta);
    }
    this.persistence.recordTimeline(events, this.config.maxBufferSize, now);
    return events;
  }

  /** Appends what this request changed in the loaded doc as one blob; whether there was any. */
  private saveDocChanges(opened: OpenedDoc, now: number): boolean {
    // Yjs emits no 'update' event for what it holds back awaiting dependencies: persist that too.
    const pending = pendingUpdate(opened.doc);
    if (opened.updates.length === 0 && sameBytes(pending, opened.pendingAtLoad)) return false;
    const blob = Y.mergeUpdates(pending === null ? opened.updates : [...opened.updates, pending]);
    opened.writer.renew(now); // never save structs under a writer another request may hold by now
    const key = this.persistence.appendUpdate(blob, now);
    opened.writer.saved(Y.getState(opened.doc.store, opened.writer.client));
    opened.blobs.set(key, blob.length);
    opened.updates.length = 0;
    opened.pendingAtLoad = pending;
    return true;
  }
}
