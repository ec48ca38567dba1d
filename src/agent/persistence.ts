// One agent's durable state in a key-value store, under keys prefixed `agent:<id>:`.
//
// The Yjs document is a set of update blobs: snapshots (`snapshot:<uid>`) and an append log
// (`log:<uid>`). Loading merges all of them; a write adds one log blob *before* the request is
// answered; compaction writes a merged snapshot under a fresh key and only then deletes the blobs
// it merged. Spin KV has no compare-and-swap, so no key is ever read-modified-written for the doc:
// two requests racing on one agent each add their own blob, and Yjs merging makes the order and a
// crash between any two writes harmless (a re-applied blob is a no-op).
import * as Y from 'yjs';
import {
  agentKeyPrefix,
  newCounters,
  newNodeId,
  pendingUpdate,
  readTimeline,
  staleTimelineRecords,
  timelineRecordsToFold,
  foldTimelineRecords,
  timelineRecordEvents,
  timelineRecordKey,
  type AgentMeta,
  type AgentSummary,
  type EGraphItems,
  type Envelope,
  type TimelineEvent,
} from '../core/index.ts';
import type { ByteStore } from '../spin/key-value.ts';
import { listedOnce, type ListedStore } from './listed-store.ts';

/** Listings of the blobs a load tries while concurrent compactions delete what it listed. */
const LOAD_ATTEMPTS = 5;

export type { AgentMeta };

export interface RecordedEnvelope {
  dir: 'in' | 'out';
  at: number;
  envelope: EnvelopeSummary;
}

/**
 * An envelope as GET /messages shows it: every field but the Yjs bytes, which are only counted.
 * The history is rewritten on every exchange; keeping updates in it made one large write cost
 * every later request of the agent (up to max_buffer_size copies of it).
 */
export type EnvelopeSummary = Omit<Envelope, 'payload'> & { payload: Record<string, unknown> };

export function summarize(envelope: Envelope): EnvelopeSummary {
  const payload: Record<string, unknown> = { ...envelope.payload };
  for (const field of ['update', 'sv'] as const) {
    const value = payload[field];
    if (typeof value !== 'string') continue;
    delete payload[field];
    payload[`${field}_bytes`] = base64Bytes(value);
  }
  return { ...envelope, payload };
}

/** Decoded length of padded base64 text. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

export interface LoadedBlobs {
  /** snapshot blobs first, then log blobs */
  updates: Uint8Array[];
  snapshotKeys: string[];
  logKeys: string[];
  /** each blob read, key → bytes (what the doc costs in the store) */
  blobSizes: Map<string, number>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function readJson<T>(store: ByteStore, key: string): T | null {
  const bytes = store.get(key);
  return bytes === null ? null : (JSON.parse(decoder.decode(bytes)) as T);
}

function writeJson(store: ByteStore, key: string, value: unknown): void {
  store.set(key, encoder.encode(JSON.stringify(value)));
}

export class AgentPersistence {
  private readonly prefix: string;
  private readonly store: ListedStore;

  constructor(
    store: ByteStore,
    private readonly agentId: number,
    private readonly random: (n: number) => Uint8Array,
  ) {
    this.prefix = agentKeyPrefix(agentId);
    this.store = listedOnce(store, this.prefix);
  }

  private key(name: string): string {
    return this.prefix + name;
  }

  /** A key suffix unique across concurrent requests: time, then random bits. */
  uid(now: number): string {
    const bytes = this.random(6);
    let hex = '';
    for (const b of bytes) hex += b.toString(16).padStart(2, '0');
    return `${now.toString(36)}-${hex}`;
  }

  /** Identity, counters, clock and digest; created on the agent's first request. */
  ensureMeta(now: number): AgentMeta {
    const meta = this.meta();
    if (meta !== null) return meta;
    const created: AgentMeta = { node_id: newNodeId(this.random(16)), counters: newCounters(now) };
    writeJson(this.store, this.key('meta'), created);
    return created;
  }

  /** Every update blob of the doc (snapshots first, then the log). */
  loadBlobs(): LoadedBlobs {
    // A concurrent compaction may delete blobs between our listing and our reads. It writes its
    // snapshot before deleting, so listing again finds their content in it.
    for (let attempt = 1; ; attempt++) {
      const { complete, ...blobs } = this.readBlobs(attempt > 1);
      if (complete || attempt === LOAD_ATTEMPTS) return blobs;
    }
  }

  /** The doc's blob keys (snapshots, then log), listed without reading any (`fresh`: see listed-store.ts). */
  blobKeys(fresh = false): { snapshotKeys: string[]; logKeys: string[] } {
    const snapshotKeys: string[] = [];
    const logKeys: string[] = [];
    const snapshot = this.key('snapshot:');
    const log = this.key('log:');
    for (const k of fresh ? this.store.freshKeys() : this.store.keys()) {
      if (k.startsWith(snapshot)) snapshotKeys.push(k);
      else if (k.startsWith(log)) logKeys.push(k);
    }
    return { snapshotKeys, logKeys };
  }

  /** `fresh`: listed again, to find the snapshot of a compaction that deleted blobs listed before */
  private readBlobs(fresh: boolean): LoadedBlobs & { complete: boolean } {
    const { snapshotKeys, logKeys } = this.blobKeys(fresh);
    const updates: Uint8Array[] = [];
    const blobSizes = new Map<string, number>();
    let complete = true;
    for (const k of [...snapshotKeys, ...logKeys]) {
      const blob = this.store.get(k);
      if (blob === null) {
        complete = false;
        continue;
      }
      updates.push(blob);
      blobSizes.set(k, blob.length);
    }
    return { updates, snapshotKeys, logKeys, blobSizes, complete };
  }

  /** The blobs `keys` name, in order; null if one is gone (a concurrent compaction folded it). */
  blobsNamed(keys: readonly string[]): Uint8Array[] | null {
    const blobs: Uint8Array[] = [];
    for (const k of keys) {
      const blob = this.store.get(k);
      if (blob === null) return null;
      blobs.push(blob);
    }
    return blobs;
  }

  /** Durably appends one Yjs update; returns its key. */
  appendUpdate(update: Uint8Array, now: number): string {
    const key = this.key(`log:${this.uid(now)}`);
    this.store.set(key, update);
    return key;
  }

  /**
   * Folds `merged` (the blobs this request loaded and wrote, all of them in `doc`) into one
   * snapshot, written before any of them is deleted; returns the snapshot's key and size.
   */
  /** Folds `merged` into one snapshot; `docBytes`: the doc's own Yjs encoding, measured on the way; `pending`: whether it holds updates the doc could not apply yet. */
  compact(doc: Y.Doc, merged: readonly string[], now: number): { key: string; bytes: number; docBytes: number; pending: boolean } {
    const pending = pendingUpdate(doc);
    const state = Y.encodeStateAsUpdate(doc);
    const snapshot = pending === null ? state : Y.mergeUpdates([state, pending]);
    const key = this.key(`snapshot:${this.uid(now)}`);
    this.store.set(key, snapshot);
    for (const k of merged) this.store.delete(k);
    // Value records were kept here, one key per data key, before value-records.ts: gone at the
    // agent's next compaction, so that an upgraded store lists no more of them.
    const values = this.key('value:');
    for (const k of this.store.keys()) if (k.startsWith(values)) this.store.delete(k);
    return { key, bytes: snapshot.length, docBytes: state.length, pending: pending !== null };
  }

  summary(): AgentSummary | null {
    return readJson<AgentSummary>(this.store, this.key('summary'));
  }

  saveSummary(summary: AgentSummary): void {
    writeJson(this.store, this.key('summary'), summary);
  }

  /** Identity, counters, clock and digest; null before the agent's first request. */
  meta(): AgentMeta | null {
    return readJson<AgentMeta>(this.store, this.key('meta'));
  }

  saveMeta(meta: AgentMeta): void {
    writeJson(this.store, this.key('meta'), meta);
  }

  messages(): RecordedEnvelope[] {
    return readJson<RecordedEnvelope[]>(this.store, this.key('messages')) ?? [];
  }

  /** Keeps the newest `max` envelopes, newest first. */
  recordMessages(recorded: RecordedEnvelope[], max: number): void {
    if (recorded.length === 0) return;
    const all = [...recorded.reverse(), ...this.messages()].slice(0, max);
    writeJson(this.store, this.key('messages'), all);
  }

  /** The newest `max` events, oldest first. */
  timeline(max: number): TimelineEvent[] {
    return readTimeline((key) => this.store.get(key), this.store.keys(), () => this.store.freshKeys(), this.agentId, max);
  }

  /**
   * Appends the events as one record; trims records beyond the newest `max` events, and folds the
   * older records into one once there are more than a few (agent-record.ts: every request lists
   * every key). The folded record is written before the records it holds are deleted.
   */
  recordTimeline(events: readonly TimelineEvent[], max: number, now: number): void {
    if (events.length === 0) return;
    writeJson(this.store, timelineRecordKey(this.agentId, events, this.uid(now)), events);
    for (const key of staleTimelineRecords(this.agentId, this.store.keys(), max)) this.store.delete(key);
    const folding = timelineRecordsToFold(this.agentId, this.store.keys());
    if (folding.length === 0) return;
    const folded = foldTimelineRecords(
      folding.map((key) => timelineRecordEvents(this.store.get(key))),
      max,
    );
    if (folded.length > 0) writeJson(this.store, timelineRecordKey(this.agentId, folded, this.uid(now)), folded);
    for (const key of folding) this.store.delete(key);
  }

  /** Events of requests answered to users (a PUT): they reach NATS with the next gateway response. */
  takePendingTimeline(): TimelineEvent[] {
    const pending = readJson<TimelineEvent[]>(this.store, this.key('timeline-pending')) ?? [];
    if (pending.length > 0) this.store.delete(this.key('timeline-pending'));
    return pending;
  }

  addPendingTimeline(events: readonly TimelineEvent[], max: number): void {
    if (events.length === 0) return;
    const pending = readJson<TimelineEvent[]>(this.store, this.key('timeline-pending')) ?? [];
    writeJson(this.store, this.key('timeline-pending'), [...pending, ...events].slice(-max));
  }

  /** Envelopes produced by requests whose response could not carry them (e.g. a user's PUT). */
  takePendingOutbox(): Envelope[] {
    const pending = readJson<Envelope[]>(this.store, this.key('outbox')) ?? [];
    if (pending.length > 0) this.store.delete(this.key('outbox'));
    return pending;
  }

  addPendingOutbox(envelopes: Envelope[], max: number): void {
    if (envelopes.length === 0) return;
    const pending = readJson<Envelope[]>(this.store, this.key('outbox')) ?? [];
    // Oldest first out when full: anti-entropy on the next tick repairs whatever is dropped.
    writeJson(this.store, this.key('outbox'), [...pending, ...envelopes].slice(-max));
  }

  /** The e-graph items record (core egraph-items.ts), if any; believed only when the summary names its tag. */
  egraphItems(): EGraphItems | null {
    return readJson<EGraphItems>(this.store, this.key('egraph-items'));
  }

  saveEGraphItems(items: EGraphItems): void {
    writeJson(this.store, this.key('egraph-items'), items);
  }
}
