// Spin's key-value store lists every key it holds (`get-keys` has no prefix): here all nine agents'
// blobs and timeline records, ~200 keys on an idle network and ~860 after 20 s of 16 writing
// clients. Each key costs the component time to lift and to look at (~6 µs in the interpreter:
// ~1.3 ms of a GET /state's 1.9 at 200 keys), so a request lists once and keeps only its own
// agent's keys, looked at once: later listings are that subset, plus what the request itself set
// and deleted since. A caller that must see other requests' changes made meanwhile (a concurrent
// compaction) asks for a fresh listing.
import type { ByteStore } from '../spin/key-value.ts';

export interface ListedStore extends ByteStore {
  /** the keys under the prefix now, not as the request first listed them */
  freshKeys(): string[];
}

/** The store, its listings cut to the keys starting with `prefix`. */
export function listedOnce(store: ByteStore, prefix: string): ListedStore {
  let listed: Set<string> | null = null;
  const relist = (): string[] => {
    const own: string[] = [];
    for (const key of store.keys()) if (key.startsWith(prefix)) own.push(key);
    listed = new Set(own);
    return own;
  };
  return {
    get: (key) => store.get(key),
    set: (key, value) => {
      store.set(key, value);
      if (key.startsWith(prefix)) listed?.add(key);
    },
    delete: (key) => {
      store.delete(key);
      listed?.delete(key);
    },
    keys: () => (listed === null ? relist() : [...listed]),
    freshKeys: relist,
  };
}
