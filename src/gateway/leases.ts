// Leases in a JetStream key-value bucket: a key is held by whoever created it, kept by rewriting
// it at its current revision (compare-and-swap), and gone when its holder stops renewing (the
// bucket's TTL drops entries older than that). Gateway replicas use them to own agents one each.
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

export const LEASE_BUCKET = 'crdt_gateway_leases';

export interface LeaseStore {
  /** takes `key` if nobody holds it; its revision, or null when someone does */
  claim(key: string, holder: string): Promise<number | null>;
  /** keeps `key` if it is still at `revision`; the new revision, or null when it was lost */
  renew(key: string, holder: string, revision: number): Promise<number | null>;
  /** gives `key` up (only if still at `revision`: a lost lease is not ours to delete) */
  release(key: string, revision: number): Promise<void>;
  /** keys held now under a prefix (`agent.`, `member.`), with their holders */
  held(prefix: string): Promise<Map<string, string>>;
}

const text = new TextDecoder();

export async function openLeaseStore(nc: NatsConnection, ttlMs: number): Promise<LeaseStore> {
  const kv: KV = await new Kvm(nc).create(LEASE_BUCKET, { ttl: ttlMs, history: 1 });
  const refused = async <T>(op: () => Promise<T>): Promise<T | null> => {
    try {
      return await op();
    } catch (err) {
      // a wrong last sequence: someone else holds it, or it moved on
      if (/wrong last sequence|key exists/i.test((err as Error).message)) return null;
      throw err;
    }
  };
  return {
    claim: (key, holder) => refused(() => kv.create(key, holder)),
    renew: (key, holder, revision) => refused(() => kv.update(key, holder, revision)),
    async release(key, revision) {
      await refused(() => kv.delete(key, { previousSeq: revision }));
    },
    async held(prefix) {
      const out = new Map<string, string>();
      for await (const key of await kv.keys(`${prefix}>`)) {
        const entry = await kv.get(key);
        if (entry !== null && entry.operation === 'PUT') out.set(key, text.decode(entry.value));
      }
      return out;
    },
  };
}
