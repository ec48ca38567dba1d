// In-memory key-value backend: one Map per store label. Lives in one thread; the host's
// multi-worker "memory" mode uses an in-memory SQLite database instead (see sqlite.ts).
import type { KvBackend } from './store.ts';

export class MemoryKvBackend implements KvBackend {
  readonly #stores = new Map<string, Map<string, Uint8Array>>();

  #store(label: string): Map<string, Uint8Array> {
    let store = this.#stores.get(label);
    if (!store) this.#stores.set(label, (store = new Map()));
    return store;
  }
  get(store: string, key: string): Uint8Array | undefined {
    const value = this.#stores.get(store)?.get(key);
    return value === undefined ? undefined : value.slice();
  }
  set(store: string, key: string, value: Uint8Array): void {
    this.#store(store).set(key, value.slice());
  }
  delete(store: string, key: string): void {
    this.#stores.get(store)?.delete(key);
  }
  exists(store: string, key: string): boolean {
    return this.#stores.get(store)?.has(key) ?? false;
  }
  keys(store: string): string[] {
    return [...(this.#stores.get(store)?.keys() ?? [])];
  }
  close(): void {
    this.#stores.clear();
  }
}
