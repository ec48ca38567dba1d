// Value records in Spin's SQLite, beside the writer leases (writers.ts), not in the KV store.
//
// Spin KV lists every key it holds (get-keys has no prefix), and requests list it to find the doc's
// blobs (persistence.ts, listed-store.ts). A value record per data key put every agent's data keys
// in that listing: each write and delivery at any agent listed them all (~2.3 µs a key into the
// component), so requests slowed with the data users kept. Here a record is one indexed row.
//
// A record is a cache: it is believed only when the summary names its item as the key's current
// one (session.dataWithoutDoc), so a missing or outdated row makes the read open the doc, never
// answer wrong. That also holds where the database is local to each Spin host while KV is shared:
// each host fills its own rows.
import type { SqlDatabase, SqlValue } from '../spin/sqlite.ts';

/**
 * A data key's value as one Yjs item holds it, kept beside the doc so that GET /data/:key needs
 * no doc. An item's content never changes, so a record is right exactly when the summary names
 * its item as the key's current one: no request can make it wrong, and any request may write it.
 */
export interface ValueRecord {
  key: string;
  /** the item's ID as the summary records it (its writer, its last clock) */
  item: [number, number];
  value: unknown;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS agent_values (
  agent  INTEGER NOT NULL,
  key    TEXT NOT NULL,
  client INTEGER NOT NULL,
  clock  INTEGER NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (agent, key)
)`;
const GET = 'SELECT client, clock, value FROM agent_values WHERE agent = ? AND key = ?';
const SAVE = `INSERT INTO agent_values (agent, key, client, clock, value) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (agent, key) DO UPDATE SET client = excluded.client, clock = excluded.clock, value = excluded.value`;
const DELETE = 'DELETE FROM agent_values WHERE agent = ? AND key = ?';

export class ValueRecords {
  private schemaReady = false;

  constructor(
    private readonly db: SqlDatabase,
    private readonly agent: number,
  ) {}

  /** The record kept for a data key, if any. */
  get(key: string): ValueRecord | null {
    const [row] = this.execute(GET, [this.agent, key]);
    if (row === undefined) return null;
    const [client, clock, value] = row;
    if (typeof client !== 'number' || typeof clock !== 'number' || typeof value !== 'string') throw new Error(`agent_values holds a malformed row for ${JSON.stringify(key)}`);
    return { key, item: [client, clock], value: JSON.parse(value) as unknown };
  }

  save(record: ValueRecord): void {
    this.execute(SAVE, [this.agent, record.key, record.item[0], record.item[1], JSON.stringify(record.value)]);
  }

  delete(key: string): void {
    this.execute(DELETE, [this.agent, key]);
  }

  private execute(statement: string, parameters: SqlValue[]): SqlValue[][] {
    if (!this.schemaReady) {
      this.db.execute(SCHEMA, []);
      this.schemaReady = true;
    }
    return this.db.execute(statement, parameters);
  }
}
