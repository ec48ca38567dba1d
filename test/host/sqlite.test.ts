// Spin's SQLite interface as the host gives it to a component: the database's name and the
// component's grant, WIT values in and out, errors as the WIT variant, one file shared by workers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/host/log.ts';
import { ScopeRef, type ComponentRuntime } from '../../src/host/scope.ts';
import { createSqliteImport, SqlDatabaseFile, SqliteError, SQLITE_DB_FILE, type SqlValue } from '../../src/host/sqlite/index.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'can-sqlite-'));
  dirs.push(dir);
  return join(dir, SQLITE_DB_FILE);
}

function component(sqliteDatabases: string[]): ComponentRuntime {
  return { id: 'c', sourceKey: 'k', environment: [], variables: {}, keyValueStores: [], sqliteDatabases, allowedOutboundHosts: [] };
}

function serving(database: SqlDatabaseFile, grants: string[]) {
  const scope = new ScopeRef(createLogger('error', {}));
  scope.current = { component: component(grants), openStores: 0 };
  return createSqliteImport(scope, database).Connection;
}

function errorTag(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SqliteError) return err.payload.tag;
    throw err;
  }
  throw new Error('expected a SqliteError');
}

const int = (n: bigint | number): SqlValue => ({ tag: 'integer', val: BigInt(n) });
const text = (val: string): SqlValue => ({ tag: 'text', val });

describe('fermyon:spin/sqlite', () => {
  it('opens "default" only for a component that lists it; other names do not exist', () => {
    const database = new SqlDatabaseFile(dbPath());
    expect(errorTag(() => serving(database, []).open('default'))).toBe('access-denied');
    expect(errorTag(() => serving(database, ['default', 'other']).open('other'))).toBe('no-such-database');
    expect(serving(database, ['default']).open('default')).toBeDefined();
    database.close();
  });

  it('binds and returns every WIT value, integers beyond 2^53 exactly, with column names', () => {
    const database = new SqlDatabaseFile(dbPath());
    const db = serving(database, ['default']).open('default');
    expect(db.execute('CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)', [])).toEqual({ columns: [], rows: [] });
    const big = 2n ** 62n + 1n;
    db.execute('INSERT INTO t VALUES (?, ?, ?, ?, ?)', [int(big), { tag: 'real', val: 1.5 }, text('é'), { tag: 'blob', val: Uint8Array.of(0, 255) }, { tag: 'null' }]);
    expect(db.execute('SELECT i, r, s, b, n FROM t WHERE i = ?', [int(big)])).toEqual({
      columns: ['i', 'r', 's', 'b', 'n'],
      rows: [{ values: [int(big), { tag: 'real', val: 1.5 }, text('é'), { tag: 'blob', val: Uint8Array.of(0, 255) }, { tag: 'null' }] }],
    });
    database.close();
  });

  it('reports a bad statement as the io error, not a trap', () => {
    const database = new SqlDatabaseFile(dbPath());
    const db = serving(database, ['default']).open('default');
    const err = (() => {
      try {
        db.execute('SELEC nonsense', []);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SqliteError);
    expect((err as SqliteError).payload).toMatchObject({ tag: 'io', val: expect.stringContaining('syntax error') });
    database.close();
  });

  it('shares one file between connections, and an UPDATE … RETURNING claims a row for one of them only', () => {
    const path = dbPath();
    const [a, b] = [new SqlDatabaseFile(path), new SqlDatabaseFile(path)];
    a.execute('CREATE TABLE lease (id INTEGER PRIMARY KEY, holder TEXT)', []);
    a.execute('INSERT INTO lease (id, holder) VALUES (1, NULL)', []);
    const claim = (db: SqlDatabaseFile, who: string) => db.execute('UPDATE lease SET holder = ? WHERE id = 1 AND holder IS NULL RETURNING id', [text(who)]).rows.length;
    expect(claim(a, 'a')).toBe(1);
    expect(claim(b, 'b')).toBe(0);
    expect(b.execute('SELECT holder FROM lease', []).rows).toEqual([{ values: [text('a')] }]);
    a.close();
    b.close();
  });
});
