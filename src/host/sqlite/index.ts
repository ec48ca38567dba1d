// `fermyon:spin/sqlite@2.0.0` for the component serving the current request: a connection opens a
// database the component lists in `sqlite_databases` (Spin's access check), here only "default".
import type { ScopeRef } from '../scope.ts';
import { DEFAULT_DATABASE, SqliteError, type QueryResult, type SqlDatabaseFile, type SqlValue } from './database.ts';

export { SqlDatabaseFile, SqliteError, SQLITE_DB_FILE, DEFAULT_DATABASE, type SqlValue, type QueryResult } from './database.ts';

export function createSqliteImport(scope: ScopeRef, database: SqlDatabaseFile) {
  class Connection {
    private constructor() {}
    static open(name: string): Connection {
      const current = scope.current;
      if (!current) throw new SqliteError({ tag: 'io', val: 'sqlite used outside a request' });
      if (name !== DEFAULT_DATABASE) throw new SqliteError({ tag: 'no-such-database' });
      if (!current.component.sqliteDatabases.includes(name)) throw new SqliteError({ tag: 'access-denied' });
      return new Connection();
    }
    execute(statement: string, parameters: SqlValue[]): QueryResult {
      if (!scope.current) throw new SqliteError({ tag: 'invalid-connection' });
      return database.execute(statement, parameters);
    }
  }
  return { Connection };
}
