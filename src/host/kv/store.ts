// Spin's key-value semantics (`fermyon:spin/key-value@2.0.0`) over a byte backend: which labels
// exist, which a component may open, and Spin's error variants. Backends only store bytes.
import { ComponentError } from '../errors.ts';

/** `fermyon:spin/key-value` `error` variant, as the component sees it. */
export type KvErrorPayload =
  /** too many stores open at once in one instance */
  | { tag: 'store-table-full' }
  /** no store is defined for the label (Spin: not `default` and not in the runtime config) */
  | { tag: 'no-such-store' }
  /** the store exists but the component does not list it in `key_value_stores` */
  | { tag: 'access-denied' }
  | { tag: 'other'; val: string };

export class KvError extends ComponentError<KvErrorPayload> {
  override name = 'KvError';
}

/** The store every Spin app has without runtime configuration. */
export const DEFAULT_STORE = 'default';
/** Open stores per instance (Spin's resource table capacity for key-value stores). */
export const MAX_OPEN_STORES = 256;

/** Bytes by (store label, key). Implementations: `sqlite.ts`, `memory.ts`. */
export interface KvBackend {
  get(store: string, key: string): Uint8Array | undefined;
  set(store: string, key: string, value: Uint8Array): void;
  delete(store: string, key: string): void;
  exists(store: string, key: string): boolean;
  keys(store: string): string[];
  close(): void;
}

/** One opened store, as `Store.open(label)` returns it. */
export class KvStore {
  constructor(
    readonly label: string,
    readonly backend: KvBackend,
  ) {}
  get(key: string): Uint8Array | undefined {
    return guard(() => this.backend.get(this.label, key));
  }
  set(key: string, value: Uint8Array): void {
    guard(() => this.backend.set(this.label, key, value));
  }
  delete(key: string): void {
    guard(() => this.backend.delete(this.label, key));
  }
  exists(key: string): boolean {
    return guard(() => this.backend.exists(this.label, key));
  }
  getKeys(): string[] {
    return guard(() => this.backend.keys(this.label));
  }
}

/** The application's stores: the defined labels over one backend. */
export class KvStores {
  readonly labels: ReadonlySet<string>;
  constructor(
    readonly backend: KvBackend,
    labels: Iterable<string> = [DEFAULT_STORE],
  ) {
    this.labels = new Set(labels);
  }

  /**
   * Opens `label` for a component that lists `allowed` in `key_value_stores`:
   * `no-such-store` when no store has that label, `access-denied` when the component does not list it.
   */
  open(label: string, allowed: readonly string[], openCount = 0): KvStore {
    if (!this.labels.has(label)) throw new KvError({ tag: 'no-such-store' });
    if (!allowed.includes(label)) throw new KvError({ tag: 'access-denied' });
    if (openCount >= MAX_OPEN_STORES) throw new KvError({ tag: 'store-table-full' });
    return new KvStore(label, this.backend);
  }

  /** The labels components list that no store is defined for (a startup error, as in Spin). */
  undefinedLabels(components: Iterable<{ id: string; keyValueStores: readonly string[] }>): { component: string; label: string }[] {
    const out: { component: string; label: string }[] = [];
    for (const c of components) for (const label of c.keyValueStores) if (!this.labels.has(label)) out.push({ component: c.id, label });
    return out;
  }
}

/** A backend failure (disk full, locked database…) reaches the component as `other`, not a trap. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KvError) throw err;
    throw new KvError({ tag: 'other', val: err instanceof Error ? err.message : String(err) });
  }
}
