// One agent's durable state in a key-value store, under keys prefixed `agent:<id>:`.
//
// The Yjs document is a set of update blobs: snapshots (`snapshot:<uid>`) and an append log
// (`log:<uid>`). Loading merges all of them; a write adds one log blob *before* the request is
// answered; compaction writes a merged snapshot under a fresh key and only then deletes the blobs
// it merged. Spin KV has no compare-and-swap, so no key is ever read-modified-written for the doc:
// two requests racing on one agent each add their own blob, and Yjs merging makes the order and a
// crash between any two writes harmless (a re-applied blob is a no-op).
import * as Y from 'yjs';
import { newCounters, newNodeId, pendingUpdate, type Counters, type Envelope } from '../core/index.ts';
import type { ByteStore } from './store.ts';

/** Log blobs kept before they are folded into a snapshot. */
export const COMPACT_AFTER_LOG_ENTRIES = 32;

export interface AgentMeta {
  node_id: string;
  counters: Counters;
  /** sizes of the e-graph sets when saturation last reached a fixpoint (nothing to redo until they grow) */
  saturated?: { terms: number; unions: number } | null;
}

export interface RecordedEnvelope {
  dir: 'in' | 'out';
  at: number;
  envelope: Envelope;
}

export interface LoadedAgent {
  meta: AgentMeta;
  /** snapshot blobs first, then log blobs */
  updates: Uint8Array[];
  snapshotKeys: string[];
  logKeys: string[];
  /** bytes of every snapshot and log blob: what the doc costs in the store */
  storedBytes: number;
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

  constructor(
    private readonly store: ByteStore,
    agentId: number,
    private readonly random: (n: number) => Uint8Array,
  ) {
    this.prefix = `agent:${agentId}:`;
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

  /** Loads identity, counters and every update blob; creates the identity on first use. */
  load(now: number): LoadedAgent {
    let meta = readJson<AgentMeta>(this.store, this.key('meta'));
    if (meta === null) {
      meta = { node_id: newNodeId(this.random(16)), counters: newCounters(now) };
      writeJson(this.store, this.key('meta'), meta);
    }
    const snapshotKeys: string[] = [];
    const logKeys: string[] = [];
    for (const k of this.store.keys()) {
      if (!k.startsWith(this.prefix)) continue;
      if (k.startsWith(this.key('snapshot:'))) snapshotKeys.push(k);
      else if (k.startsWith(this.key('log:'))) logKeys.push(k);
    }
    const updates: Uint8Array[] = [];
    let storedBytes = 0;
    for (const k of [...snapshotKeys, ...logKeys]) {
      const blob = this.store.get(k);
      if (blob === null) continue;
      updates.push(blob);
      storedBytes += blob.length;
    }
    return { meta, updates, snapshotKeys, logKeys, storedBytes };
  }

  /** Durably appends one Yjs update; returns its key. */
  appendUpdate(update: Uint8Array, now: number): string {
    const key = this.key(`log:${this.uid(now)}`);
    this.store.set(key, update);
    return key;
  }

  /** Folds the blobs `loaded` saw (plus `extraLogKeys` written since) into one snapshot. */
  compact(doc: Y.Doc, loaded: LoadedAgent, extraLogKeys: string[], now: number): void {
    const pending = pendingUpdate(doc);
    const state = Y.encodeStateAsUpdate(doc);
    this.store.set(this.key(`snapshot:${this.uid(now)}`), pending === null ? state : Y.mergeUpdates([state, pending]));
    for (const k of [...loaded.snapshotKeys, ...loaded.logKeys, ...extraLogKeys]) this.store.delete(k);
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
}
