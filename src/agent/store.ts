// The byte store persistence needs: Spin's key-value store supplies it in production; tests may
// supply any map. Only get/set/delete/keys of bytes (like Hocuspocus' Database extension).
import { openDefault } from '@fermyon/spin-sdk/lib/keyValue.js';

export interface ByteStore {
  get(key: string): Uint8Array | null;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
  keys(): string[];
}

export function openSpinStore(): ByteStore {
  const kv = openDefault();
  return {
    get: (key) => kv.get(key),
    set: (key, value) => kv.set(key, value),
    delete: (key) => kv.delete(key),
    keys: () => kv.getKeys(),
  };
}
