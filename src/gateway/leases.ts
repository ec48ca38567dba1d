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

/** Rejects when `op` takes longer than `ms`: a round must fail and be retried, never hang. */
function within<T>(ms: number, what: string, op: Promise<T>, onTimeout: () => void = () => {}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`lease store: ${what} took over ${ms} ms`));
    }, ms);
  });
  return Promise.race([op, late]).finally(() => clearTimeout(timer));
}

export async function openLeaseStore(nc: NatsConnection, ttlMs: number): Promise<LeaseStore> {
  const kv: KV = await new Kvm(nc).create(LEASE_BUCKET, { ttl: ttlMs, history: 1 });
  // an operation slower than a third of the TTL would outlive the lease it works on anyway
  const limit = Math.max(1_000, Math.floor(ttlMs / 3));
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
    claim: (key, holder) => within(limit, `claim ${key}`, refused(() => kv.create(key, holder))),
    renew: (key, holder, revision) => within(limit, `renew ${key}`, refused(() => kv.update(key, holder, revision))),
    async release(key, revision) {
      await within(limit, `release ${key}`, refused(() => kv.delete(key, { previousSeq: revision })));
    },
    async held(prefix) {
      const keys = await within(limit, `list ${prefix}`, kv.keys(`${prefix}>`));
      const out = new Map<string, string>();
      const read = async (): Promise<Map<string, string>> => {
        for await (const key of keys) {
          const entry = await kv.get(key);
          if (entry !== null && entry.operation === 'PUT') out.set(key, text.decode(entry.value));
        }
        return out;
      };
      return within(limit, `list ${prefix}`, read(), () => keys.stop());
    },
  };
}
