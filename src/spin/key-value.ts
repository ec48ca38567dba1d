// The byte store persistence needs: Spin's key-value store supplies it in production; tests may
// supply any map. Only get/set/delete/keys of bytes (like Hocuspocus' Database extension).
//
// This binds the WIT interface directly rather than the SDK's `Kv` wrapper: SDK 2.0.0's `set`
// JSON-stringifies every object, a Uint8Array included, which would corrupt binary Yjs updates.
import { Store } from 'fermyon:spin/key-value@2.0.0';

export interface ByteStore {
  get(key: string): Uint8Array | null;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
  keys(): string[];
}

export function openSpinStore(): ByteStore {
  const kv = Store.open('default');
  return {
    // jco lowers WIT `option::none` to undefined.
    get: (key) => kv.get(key) ?? null,
    set: (key, value) => kv.set(key, value),
    delete: (key) => kv.delete(key),
    keys: () => kv.getKeys(),
  };
}
