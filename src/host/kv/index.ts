// `fermyon:spin/key-value@2.0.0` for the component serving the current request, over the app's
// stores (see store.ts for the semantics and backends).
import type { ScopeRef } from '../scope.ts';
import { KvError, type KvStore, type KvStores } from './store.ts';

export { KvStores, KvStore, KvError, DEFAULT_STORE, type KvBackend, type KvErrorPayload } from './store.ts';
export { SqliteKvBackend, SQLITE_KV_FILE } from './sqlite.ts';
export { MemoryKvBackend } from './memory.ts';

const symbolDispose: symbol = Symbol.dispose ?? Symbol.for('dispose');

export function createKeyValueImport(scope: ScopeRef, stores: KvStores) {
  class Store {
    readonly #store: KvStore;
    #dropped = false;
    private constructor(store: KvStore) {
      this.#store = store;
    }
    static open(label: string): Store {
      const current = scope.current;
      if (!current) throw new KvError({ tag: 'other', val: 'key-value used outside a request' });
      const store = stores.open(label, current.component.keyValueStores, current.openStores);
      current.openStores++;
      return new Store(store);
    }
    get(key: string): Uint8Array | undefined {
      return this.#store.get(key);
    }
    set(key: string, value: Uint8Array): void {
      this.#store.set(key, value);
    }
    delete(key: string): void {
      this.#store.delete(key);
    }
    exists(key: string): boolean {
      return this.#store.exists(key);
    }
    getKeys(): string[] {
      return this.#store.getKeys();
    }
    /** jco calls this when the component drops the store handle. */
    [symbolDispose](): void {
      if (this.#dropped) return;
      this.#dropped = true;
      const current = scope.current;
      if (current && current.openStores > 0) current.openStores--;
    }
  }
  return { Store };
}
