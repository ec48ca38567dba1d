// Spin's SQLite databases (`fermyon:spin/sqlite@2.0.0`) over better-sqlite3. Like Spin without
// runtime configuration there is one database, "default": a file `<stateDir>/sqlite_db.db`. Every
// worker thread opens its own connection to it (WAL), so statements are atomic across workers as
// they are across Spin's concurrent requests.
import Database from 'better-sqlite3';
import type { QueryResult, Value as SqlValue } from 'fermyon:spin/sqlite@2.0.0';
import { ComponentError } from '../errors.ts';

/** Spin's file name for the default database under the state dir. */
export const SQLITE_DB_FILE = 'sqlite_db.db';
/** The database every Spin app has without runtime configuration. */
export const DEFAULT_DATABASE = 'default';
const BUSY_TIMEOUT_MS = 5_000;
/** Prepared statements kept per connection: components run the same few statements again and again. */
const STATEMENT_CACHE = 64;

/** The WIT `value` variant and `query-result` record (one declaration, src/spin/spin-sqlite.d.ts). */
export type { Value as SqlValue, QueryResult } from 'fermyon:spin/sqlite@2.0.0';

/** `fermyon:spin/sqlite` `error` variant, as the component sees it. */
export type SqliteErrorPayload =
  | { tag: 'no-such-database' }
  | { tag: 'access-denied' }
  | { tag: 'invalid-connection' }
  | { tag: 'database-full' }
  | { tag: 'io'; val: string };

export class SqliteError extends ComponentError<SqliteErrorPayload> {
  override name = 'SqliteError';
}

type Param = bigint | number | string | Buffer | null;

export class SqlDatabaseFile {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement<Param[]>>();

  /** Opens (creating if needed) the database at `path`. */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.defaultSafeIntegers(true); // WIT integers are s64: never round them through a double
  }

  /** One statement with its parameters, as `connection.execute` runs it. */
  execute(statement: string, parameters: readonly SqlValue[]): QueryResult {
    try {
      const prepared = this.#prepare(statement);
      const params = parameters.map(toParam);
      if (!prepared.reader) {
        prepared.run(...params);
        return { columns: [], rows: [] };
      }
      const columns = prepared.columns().map((c) => c.name);
      const rows = (prepared.raw(true).all(...params) as unknown[][]).map((row) => ({ values: row.map(toValue) }));
      return { columns, rows };
    } catch (err) {
      if (err instanceof SqliteError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new SqliteError(/SQLITE_FULL/.test(message) ? { tag: 'database-full' } : { tag: 'io', val: message });
    }
  }

  close(): void {
    this.#db.close();
  }

  #prepare(statement: string): Database.Statement<Param[]> {
    let prepared = this.#statements.get(statement);
    if (prepared === undefined) {
      prepared = this.#db.prepare<Param[]>(statement);
      if (this.#statements.size >= STATEMENT_CACHE) this.#statements.delete(this.#statements.keys().next().value as string);
      this.#statements.set(statement, prepared);
    }
    return prepared;
  }
}

function toParam(value: SqlValue): Param {
  switch (value.tag) {
    case 'integer':
    case 'real':
    case 'text':
      return value.val;
    case 'blob':
      return Buffer.from(value.val.buffer, value.val.byteOffset, value.val.byteLength);
    case 'null':
      return null;
  }
}

function toValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return { tag: 'null' };
  if (typeof value === 'bigint') return { tag: 'integer', val: value };
  if (typeof value === 'number') return { tag: 'real', val: value };
  if (typeof value === 'string') return { tag: 'text', val: value };
  if (value instanceof Uint8Array) return { tag: 'blob', val: new Uint8Array(value) };
  throw new SqliteError({ tag: 'io', val: `unexpected column value of type ${typeof value}` });
}
