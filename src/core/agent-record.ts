// What an agent keeps in the app's key-value store that other components of the app read: the
// key layout and the shape of its metadata. The agent writes these (src/agent/persistence.ts);
// the api component reads them for /health, /api/timeline and /api/metrics. One definition here,
// so the two components cannot drift apart.
import type { Counters } from './counters.ts';
import type { TimelineEvent } from './timeline.ts';

/**
 * When an agent folds its update log into one snapshot. Compacting loads and encodes the whole doc
 * (~1 s at 700 KB in the component), so a large doc must not pay it every few small writes: the log
 * is compacted once it holds more than COMPACT_AFTER_LOG_ENTRIES blobs and the stored bytes exceed
 * the doc's own encoding by MAX_STORED_OVERHEAD (overwritten values, per-blob headers), and always
 * past MAX_LOG_ENTRIES blobs, which with the agent's other records bounds its keys in the store (a store
 * with a key quota, as Fermyon Cloud's, must hold that many per agent).
 */
export const COMPACT_AFTER_LOG_ENTRIES = 8;
export const MAX_LOG_ENTRIES = 96;
export const MAX_STORED_OVERHEAD = 1.2;

/** Whether a log of `logEntries` blobs, `storedBytes` stored in all for a doc last measured at `docBytes` (null: never), is due for compaction. */
export function dueForCompaction(logEntries: number, storedBytes: number, docBytes: number | null): boolean {
  if (logEntries > MAX_LOG_ENTRIES) return true;
  return logEntries > COMPACT_AFTER_LOG_ENTRIES && (docBytes === null || storedBytes > docBytes * MAX_STORED_OVERHEAD);
}

/** Every key of agent `id` starts with this. */
export function agentKeyPrefix(id: number): string {
  return `agent:${id}:`;
}

/** `agent:<id>:<name>`; names: meta, events:…, messages, outbox, timeline-pending, snapshot:…, log:… */
export function agentKey(id: number, name: string): string {
  return agentKeyPrefix(id) + name;
}

export interface AgentMeta {
  node_id: string;
  counters: Counters;
  /** sizes of the e-graph sets when saturation last reached a fixpoint (nothing to redo until they grow) */
  saturated?: { terms: number; unions: number } | null;
  /** the last reading of the agent's hybrid logical clock */
  hlc?: string | null;
  /** ms since epoch of the last request that exchanged messages (a tick or an inbox delivery) */
  last_seen?: number;
  /** state digest (digest.ts) after the last change, and since when (ms) it has held */
  digest?: string;
  digest_since?: number;
  /** when (ms) each neighbour (by id) last had a SyncRequest answered from the doc: see sync.ts, onEnvelopesWithoutDoc's `deferred` */
  answered?: Record<string, number>;
}

/**
 * What GET /state reports of the document, kept current by the requests that change it, so a
 * read need not open the doc. It describes exactly the blobs listed in `blobs`: while the agent's
 * snapshot and log keys are those, it is true; once they differ (another request wrote or
 * compacted meanwhile — Spin KV has no compare-and-swap to prevent that) the reader opens the doc
 * and writes a fresh one.
 */
/**
 * A data key's current item: [client, clock of its last ID, element], where element is the hex
 * digest element of its value (digest.ts), null once deleted, false for what a write without the
 * doc cannot move (a value that is not plain data).
 */
export type DataItem = [client: number, lastClock: number, element: string | null | false];

/** Deleted clocks [clock, clock + len) of one writer. */
export type DeleteRange = [client: number, clock: number, len: number];

/** A doc's delete set as a summary keeps it (delete-set.ts): an encoded bulk, and the latest ranges beside it. */
export interface StoredDeleteSet {
  /** Yjs's encoding of a delete set (a snapshot with an empty state vector), base64 */
  base: string;
  tail: DeleteRange[];
}

export interface AgentSummary {
  /** the snapshot and log keys it was computed from, sorted */
  blobs: string[];
  state_vector: Record<string, number>;
  state_digest: string;
  /** the two sums state_digest is made of (digest.ts), hex, so a write can move them */
  digest_parts: { sv: string; content: string };
  /** size of the doc's Yjs encoding, as of the last full summary (a compaction, a tick that loads the doc, a read) */
  doc_bytes: number;
  /** whether writes since doc_bytes was measured may have changed it (the next compaction, or tick that opens the doc, measures it) */
  doc_bytes_stale: boolean;
  stored_bytes: number;
  data_keys: string[];
  /**
   * each data key's current item, visible or deleted (direct-write.ts writes on from it without
   * the doc); absent in summaries stored before it existed
   */
  data_items?: Record<string, DataItem>;
  /**
   * what the doc has deleted (delete-set.ts), so that a neighbour's update can be applied without
   * the doc (direct-write.ts); absent while the doc holds updates it cannot apply yet, and in
   * summaries stored before it existed
   */
  delete_set?: StoredDeleteSet;
  /**
   * The snapshot among `blobs` and the state vector of what it holds, recorded when it was written
   * (absent: no snapshot, or one from before this was kept): a neighbour holding at least that
   * lacks only what the log holds, so its SyncRequest is answered from the log (sync.ts).
   */
  snapshot?: { key: string; state_vector: Record<string, number> };
  /** sizes of the e-graph sets and the e-nodes they make (recounted only when the sets grew) */
  egraph: {
    terms: number;
    unions: number;
    nodes: number;
    /** whether records applied without the doc may have changed `nodes` (the next request that builds the e-graph counts them) */
    nodes_stale?: boolean;
    /** the tag of the e-graph items record describing this doc (egraph-items.ts); absent: none does */
    items?: string;
  };
}

/** Whole seconds since the agent's first request. */
export function uptimeSeconds(meta: AgentMeta, now: number): number {
  return Math.max(0, Math.floor((now - meta.counters.created_at) / 1000));
}

/** Whether `key` names a snapshot blob (else a log blob) of the doc. */
export function isSnapshotKey(key: string): boolean {
  return key.includes(':snapshot:');
}

/** Whether `summary` describes the blobs `blobKeys` lists. */
export function summaryHolds(summary: AgentSummary, blobKeys: readonly string[]): boolean {
  // a summary stored before digest_parts existed holds a digest of another definition
  if ((summary as Partial<AgentSummary>).digest_parts === undefined) return false;
  if (summary.blobs.length !== blobKeys.length) return false;
  const sorted = [...blobKeys].sort();
  return summary.blobs.every((key, i) => key === sorted[i]);
}

/**
 * Timeline events are appended, one record per request that had any, never read-modified-written
 * (concurrent requests would lose each other's events, and every request would rewrite the whole
 * buffer): `agent:<id>:events:<hlc of its first event>:<uid>:<count>`. Keys sort in HLC order, and
 * the count in the key lets a writer trim old records from the key listing alone.
 */
export function timelineRecordKey(id: number, events: readonly TimelineEvent[], uid: string): string {
  return `${agentKey(id, 'events:')}${events[0]?.hlc ?? ''}:${uid}:${events.length}`;
}

/** At most this many event records per agent (Fermyon Cloud's store holds 1,024 keys in all). */
export const MAX_TIMELINE_RECORDS = 16;

/**
 * Past this many records an agent folds all but its newest into one. Every request of every agent
 * lists all the store's keys (Spin's get-keys has no prefix), and one record per request made the
 * timeline most of them (144 of ~210 keys after 1,000 PUTs): each key listed costs every request
 * ~6 µs in the component. Folded, an agent keeps 2-6 records and still its newest events.
 */
export const TIMELINE_FOLD_AFTER = 5;
/** A folded record holds at most this many events (~300 B each: far below KV's 1 MB a value). */
export const MAX_FOLDED_EVENTS = 1_000;

function recordEvents(key: string): number {
  return Number(key.slice(key.lastIndexOf(':') + 1)) || 0;
}

/** Agent `id`'s event records among `keys`, oldest first. */
export function timelineRecordKeys(id: number, keys: readonly string[]): string[] {
  const prefix = agentKey(id, 'events:');
  return keys.filter((k) => k.startsWith(prefix)).sort();
}

/**
 * Records beyond what the buffer keeps: the newest records holding `maxEvents` events, and no
 * more than MAX_TIMELINE_RECORDS of them. The rest may be deleted.
 */
export function staleTimelineRecords(id: number, keys: readonly string[], maxEvents: number): string[] {
  const records = timelineRecordKeys(id, keys);
  let kept = 0;
  let events = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    if (events >= maxEvents || kept >= MAX_TIMELINE_RECORDS) return records.slice(0, i + 1);
    events += recordEvents(records[i]!);
    kept++;
  }
  return [];
}

/**
 * Agent `id`'s records among `keys` to be folded into one (`foldTimelineRecords`) once it keeps
 * more than TIMELINE_FOLD_AFTER: those before the newest, back to where they would hold more than
 * MAX_FOLDED_EVENTS; none otherwise. Two requests may fold the same records at once: each writes
 * its folded record, and readers drop the repeats.
 */
export function timelineRecordsToFold(id: number, keys: readonly string[]): string[] {
  const records = timelineRecordKeys(id, keys);
  if (records.length <= TIMELINE_FOLD_AFTER) return [];
  let first = records.length - 1;
  for (let events = 0; first > 0 && events + recordEvents(records[first - 1]!) <= MAX_FOLDED_EVENTS; first--) {
    events += recordEvents(records[first - 1]!);
  }
  const fold = records.slice(first, records.length - 1);
  return fold.length > 1 ? fold : [];
}

/** The events of several records as one record's: each event once, the newest `maxEvents`, in clock order. */
export function foldTimelineRecords(records: readonly (readonly TimelineEvent[])[], maxEvents: number): TimelineEvent[] {
  return inClockOrder(withoutRepeats(records.flat())).slice(-maxEvents);
}

function withoutRepeats(events: TimelineEvent[]): TimelineEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    if (seen.has(e.id)) return false;
    seen.add(e.id);
    return true;
  });
}

function inClockOrder(events: TimelineEvent[]): TimelineEvent[] {
  return events.sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
}

/** A stored record's events: none when it is gone (trimmed or folded meanwhile) or unreadable. */
export function timelineRecordEvents(bytes: Uint8Array | null): TimelineEvent[] {
  if (bytes === null) return [];
  try {
    const events: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return Array.isArray(events) ? (events as TimelineEvent[]) : [];
  } catch {
    // a torn or foreign value reads as absent rather than failing every reader
    return [];
  }
}

/** How often a reader lists again when records it listed are gone (folded or trimmed meanwhile). */
const TIMELINE_READ_ATTEMPTS = 3;

/**
 * The newest `maxEvents` events of agent `id`, oldest first; unreadable records read as empty.
 * `keys`: the store's listing; `relist`: a fresh one. A record listed but gone was trimmed (its
 * events too old to matter) or folded, and a fold writes its record before deleting the ones it
 * holds: listing again finds it.
 */
export function readTimeline(
  get: (key: string) => Uint8Array | null,
  keys: readonly string[],
  relist: () => readonly string[],
  id: number,
  maxEvents: number,
): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  let listed = keys;
  for (let attempt = 1; ; attempt++) {
    let complete = true;
    for (const key of timelineRecordKeys(id, listed)) {
      const bytes = get(key);
      if (bytes === null) complete = false;
      else events.push(...timelineRecordEvents(bytes));
    }
    if (complete || attempt === TIMELINE_READ_ATTEMPTS) break;
    listed = relist();
  }
  // records of concurrent requests may interleave in time (order by clock); two requests that
  // folded the same records at once, or a read of a record and then of its fold, repeat events
  return inClockOrder(withoutRepeats(events)).slice(-maxEvents);
}
