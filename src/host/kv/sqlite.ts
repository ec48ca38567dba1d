// SQLite key-value backend, like Spin's default store: one file `<stateDir>/sqlite_key_value.db`,
// Spin's table layout (a row per store label and key). WAL mode so every worker thread can open its
// own connection to the same file; writers wait on each other through busy_timeout.
import Database from 'better-sqlite3';
import type { KvBackend } from './store.ts';

/** Spin's file name for the default store's database under the state dir. */
export const SQLITE_KV_FILE = 'sqlite_key_value.db';
const BUSY_TIMEOUT_MS = 5_000;

type Row = { value: Buffer };

export class SqliteKvBackend implements KvBackend {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], Row>;
  readonly #set: Database.Statement<[string, string, Uint8Array]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #exists: Database.Statement<[string, string], { one: number }>;
  readonly #keys: Database.Statement<[string], string>;

  /** Opens (creating if needed) the database at `path`. */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS spin_key_value (
         store TEXT NOT NULL,
         key   TEXT NOT NULL,
         value BLOB NOT NULL,
         PRIMARY KEY (store, key)
       )`,
    );
    this.#get = this.#db.prepare('SELECT value FROM spin_key_value WHERE store = ? AND key = ?');
    this.#set = this.#db.prepare(
      'INSERT INTO spin_key_value (store, key, value) VALUES (?, ?, ?) ON CONFLICT (store, key) DO UPDATE SET value = excluded.value',
    );
    this.#delete = this.#db.prepare('DELETE FROM spin_key_value WHERE store = ? AND key = ?');
    this.#exists = this.#db.prepare('SELECT 1 AS one FROM spin_key_value WHERE store = ? AND key = ?');
    // plucked: the keys as strings, no row object each (a listing is every key of the store)
    this.#keys = this.#db.prepare<[string], string>('SELECT key FROM spin_key_value WHERE store = ? ORDER BY key').pluck();
  }

  get(store: string, key: string): Uint8Array | undefined {
    const row = this.#get.get(store, key);
    return row === undefined ? undefined : new Uint8Array(row.value.buffer, row.value.byteOffset, row.value.byteLength);
  }
  set(store: string, key: string, value: Uint8Array): void {
    this.#set.run(store, key, value);
  }
  delete(store: string, key: string): void {
    this.#delete.run(store, key);
  }
  exists(store: string, key: string): boolean {
    return this.#exists.get(store, key) !== undefined;
  }
  keys(store: string): string[] {
    return this.#keys.all(store);
  }
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
