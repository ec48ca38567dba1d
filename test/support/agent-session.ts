// What tests of the agent's session share: an agent's config, its stores in memory, and a seeded world.
import type { AgentConfig } from '../../src/agent/config.ts';
import type { AgentDeps } from '../../src/agent/routes.ts';
import type { AgentSession, AgentStores, World } from '../../src/agent/session.ts';
import fc from 'fast-check';
import { canonicalDeleteSet, MAX_LOG_ENTRIES, seededRandom, type AgentSummary, type Envelope } from '../../src/core/index.ts';
import { ReferenceKernel } from '../../src/egraph/reference-kernel.ts';
import type { ByteStore } from '../../src/spin/key-value.ts';
import { memoryDatabase } from './sql.ts';

/** Agent 0 of a nine-agent grid, open (no tokens, no envelope key, no gateway). */
export const agentConfig: AgentConfig = {
  agentId: 0, region: 'local', agentCount: 9, topology: 'grid', syncIntervalMs: 5000,
  healthTimeoutMs: 15000, maxBufferSize: 100, logLevel: 'error', maxClockSkewMs: 10_000, authToken: null, readToken: null, envelopeKey: null, gatewayUrl: null,
};

/** KV in a Map and SQLite in memory: what Spin gives a component, for one test. */
export function memoryStores(): AgentStores {
  const m = new Map<string, Uint8Array>();
  const kv: ByteStore = { get: (k) => m.get(k) ?? null, set: (k, v) => void m.set(k, v), delete: (k) => void m.delete(k), keys: () => [...m.keys()] };
  return { kv, sql: memoryDatabase() };
}

/** A world whose clock ticks a millisecond per reading and whose randomness comes from `seed`. */
export function seededWorld(seed: number): World {
  const rand = seededRandom(seed);
  let t = 1_700_000_000_000;
  return { now: () => t++, random: (n) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)), kernel: () => new ReferenceKernel() };
}

/**
 * What the agent's routes (routes.ts `handle`) need, over `store`: Spin variables (agent 0 of nine
 * unless `variables` say otherwise), SQLite in memory, a clock that moves 7 ms per reading.
 */
export function agentDeps(store: ByteStore, variables: Record<string, string> = {}): AgentDeps {
  const database = memoryDatabase();
  let t = 1_700_000_000_000;
  let r = 1;
  const all: Record<string, string> = { agent_id: '0', agent_count: '9', log_level: 'error', ...variables };
  return {
    variables: (name) => all[name] ?? null,
    store: () => store,
    database: () => database,
    now: () => (t += 7),
    random: (n) => Uint8Array.from({ length: n }, () => (r = (r * 1103515245 + 12345) >>> 0) & 255),
    kernel: () => new ReferenceKernel(),
    elapsed: () => performance.now(),
  };
}

/** A summary's delete set, canonical: the same deletions however they are split between the encoded bulk and the latest list. */
export function deletionsOf(summary: AgentSummary): string | undefined {
  return summary.delete_set === undefined ? undefined : canonicalDeleteSet(summary.delete_set);
}

/** A batch as the inbox route takes it (received, applied without the doc when it can be, else with it, committed); whether it needed no doc. */
export function deliverAsInbox(s: AgentSession, envelopes: Envelope[]): boolean {
  s.received(envelopes);
  const direct = s.receiveWithoutDoc(envelopes);
  const result = direct ?? s.receiveWithDoc(envelopes);
  s.commit(envelopes, result.outbox, result.syncs);
  return direct !== null;
}

/** Sequences of requests to one agent, long enough that some reach a compaction of its log. */
export function requestSequences<T>(op: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.array(op, { minLength: 1, maxLength: MAX_LOG_ENTRIES / 2, size: 'max' });
}

/** A plain store that counts reads of the doc's blobs (log and snapshot keys), and says how many of each it holds. */
export function countingStore() {
  const m = new Map<string, Uint8Array>();
  const counts = { blobReads: 0 };
  const store: ByteStore = {
    get: (k) => {
      if (k.includes(':log:') || k.includes(':snapshot:')) counts.blobReads++;
      return m.get(k) ?? null;
    },
    set: (k, v) => void m.set(k, v),
    delete: (k) => void m.delete(k),
    keys: () => [...m.keys()],
  };
  const blobs = () => ({ log: [...m.keys()].filter((k) => k.includes(':log:')).length, snapshots: [...m.keys()].filter((k) => k.includes(':snapshot:')).length });
  return { store, counts, blobs };
}
