// Which Yjs clientID a request writes under: one leased from the agent's pool of writers in SQL.
//
// A fresh clientID per request (identity.ts) can never collide with a concurrent request's, but
// then the agent's state vector grows with every write ever made, and loading the doc walks every
// writer: at ~600 writes across the network, opening the doc took ~60 ms of every request (it
// took ~5 ms on a fresh network). Reusing a writer is safe when no two requests hold it at once
// and each holder starts at the clock the previous one ended on. KV cannot promise the first (no
// compare-and-swap); one SQLite statement can, so Spin's SQLite holds the leases:
// - take: one UPDATE … RETURNING claims a free writer (or one whose holder outlived its lease,
//   e.g. a request that trapped); no free one: a fresh writer joins the pool. The pool so grows
//   with the agent's peak concurrency, not with its writes.
// - trust: the taker uses the writer only if the doc it loaded holds exactly the clock the last
//   holder recorded. A holder that saved but never released, or a load that missed a blob,
//   shows as a mismatch: that writer retires and the request draws again.
// - renew before saving: a holder whose lease ran out (and may have been taken) refuses instead
//   of saving, so an ID is never written twice; the request's write is not acknowledged.
// - release after saving, with the writer's clock as saved.
// The database is local to each Spin host (its default SQLite); writers never move between
// databases, so several hosts sharing one KV each lease their own writers.
import { AgentError, writerClientId } from '../core/index.ts';
import type { SqlDatabase, SqlValue } from '../spin/sqlite.ts';

/** How long a lease holds without renewal: far longer than any request takes (ticks included). */
export const LEASE_MS = 60_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS agent_writers (
  agent   INTEGER NOT NULL,
  client  INTEGER NOT NULL,
  clock   INTEGER NOT NULL,
  holder  TEXT,
  expires INTEGER NOT NULL,
  PRIMARY KEY (agent, client)
)`;
// the writer used most (highest clock) first, so a quiet agent keeps writing under one
const TAKE = `UPDATE agent_writers SET holder = ?, expires = ?
  WHERE agent = ? AND client = (
    SELECT client FROM agent_writers WHERE agent = ? AND (holder IS NULL OR expires <= ?) ORDER BY clock DESC LIMIT 1)
  RETURNING client, clock`;
const ADD = `INSERT INTO agent_writers (agent, client, clock, holder, expires) VALUES (?, ?, 0, ?, ?)
  ON CONFLICT DO NOTHING RETURNING client`;
const RETIRE = 'DELETE FROM agent_writers WHERE agent = ? AND client = ? AND holder = ?';
const RENEW = 'UPDATE agent_writers SET expires = ? WHERE agent = ? AND client = ? AND holder = ? RETURNING client';
const RELEASE = 'UPDATE agent_writers SET holder = NULL, expires = 0, clock = ? WHERE agent = ? AND client = ? AND holder = ?';
const COUNT = 'SELECT COUNT(*) FROM agent_writers WHERE agent = ?';

export interface WriterEnv {
  now: () => number;
  random: (n: number) => Uint8Array;
}

/** One request's writer, held until release. */
export class WriterLease {
  private held = true;

  constructor(
    private readonly db: SqlDatabase,
    private readonly agent: number,
    private readonly holder: string,
    readonly client: number,
    /** the writer's clock as last saved (what release records) */
    private savedClock: number,
  ) {}

  /**
   * Renews the lease before this request saves changes made under the writer; AgentError
   * 'lease-lost' (nothing may be saved) if it ran out.
   */
  renew(now: number): void {
    const rows = this.held ? this.db.execute(RENEW, [now + LEASE_MS, this.agent, this.client, this.holder]) : [];
    if (rows.length === 0) {
      this.held = false;
      throw new AgentError('lease-lost', 'this request held its Yjs writer longer than the lease allows; nothing was saved, retry', `writer ${this.client}`);
    }
  }

  /** Records that the writer's structs up to `clock` are saved. */
  saved(clock: number): void {
    this.savedClock = clock;
  }

  /** Frees the writer for the next request, at the clock saved (idempotent). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.db.execute(RELEASE, [this.savedClock, this.agent, this.client, this.holder]);
  }
}

export class WriterPool {
  private schemaReady = false;

  constructor(
    private readonly db: SqlDatabase,
    private readonly agent: number,
    private readonly env: WriterEnv,
  ) {}

  /**
   * A writer for request `holder`, given the loaded doc's clock of each client (0: not held):
   * a pooled one whose clock matches the doc, or a fresh one the doc does not hold.
   */
  lease(holder: string, clockOf: (client: number) => number): WriterLease {
    this.ensureSchema();
    for (;;) {
      const now = this.env.now();
      const [row] = this.db.execute(TAKE, [holder, now + LEASE_MS, this.agent, this.agent, now]);
      if (row === undefined) return this.fresh(holder, clockOf);
      const client = integer(row[0]);
      const clock = integer(row[1]);
      if (clockOf(client) === clock) return new WriterLease(this.db, this.agent, holder, client, clock);
      this.db.execute(RETIRE, [this.agent, client, holder]);
    }
  }

  /** Writers in the pool (held or free), for the bench and tests. */
  size(): number {
    this.ensureSchema();
    return integer(this.db.execute(COUNT, [this.agent])[0]?.[0] ?? 0);
  }

  private fresh(holder: string, clockOf: (client: number) => number): WriterLease {
    for (;;) {
      const client = writerClientId(this.env.random, (id) => clockOf(id) > 0);
      const added = this.db.execute(ADD, [this.agent, client, holder, this.env.now() + LEASE_MS]);
      if (added.length > 0) return new WriterLease(this.db, this.agent, holder, client, 0);
    }
  }

  private ensureSchema(): void {
    if (this.schemaReady) return;
    this.db.execute(SCHEMA, []);
    this.schemaReady = true;
  }
}

function integer(value: SqlValue | undefined): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`agent_writers holds a non-integer: ${String(value)}`);
  return value;
}
