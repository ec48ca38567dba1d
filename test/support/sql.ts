// An in-memory SQLite for agent code under test: the statements the component runs on Spin's.
import Database from 'better-sqlite3';
import type { SqlDatabase, SqlValue } from '../../src/spin/sqlite.ts';

export function memoryDatabase(): SqlDatabase {
  const db = new Database(':memory:');
  return {
    execute(statement, parameters) {
      const prepared = db.prepare(statement);
      const params = parameters.map((p) => (p instanceof Uint8Array ? Buffer.from(p) : p));
      if (prepared.reader) return prepared.raw(true).all(...params) as SqlValue[][];
      prepared.run(...params);
      return [];
    },
  };
}
