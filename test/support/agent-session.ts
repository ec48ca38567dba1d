// What tests of the agent's session share: an agent's config, its stores in memory, and a seeded world.
import type { AgentConfig } from '../../src/agent/config.ts';
import type { AgentStores, World } from '../../src/agent/session.ts';
import { seededRandom } from '../../src/core/index.ts';
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
