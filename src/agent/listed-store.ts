// Spin's key-value store lists every key it holds (`get-keys` has no prefix): here all nine agents'
// blobs, value records and timeline records, ~860 keys after 20 s of 16 writing clients, ~2 ms to
// list into the component, and a request listed twice (its blobs, then its timeline records to
// trim). One request now lists once: later listings are that one, plus what the request itself set
// and deleted since. A caller that must see other requests' changes made meanwhile (a concurrent
// compaction) asks for a fresh listing.
import type { ByteStore } from '../spin/key-value.ts';

export interface ListedStore extends ByteStore {
  /** the store's keys now, not the request's first listing */
  freshKeys(): string[];
}

export function listedOnce(store: ByteStore): ListedStore {
  let listed: Set<string> | null = null;
  const relist = (): string[] => {
    listed = new Set(store.keys());
    return [...listed];
  };
  return {
    get: (key) => store.get(key),
    set: (key, value) => {
      store.set(key, value);
      listed?.add(key);
    },
    delete: (key) => {
      store.delete(key);
      listed?.delete(key);
    },
    keys: () => (listed === null ? relist() : [...listed]),
    freshKeys: relist,
  };
}
