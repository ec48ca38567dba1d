// The SQL database the agent needs: Spin's SQLite supplies it in production; tests supply any
// SQLite. Plain values in and out (integers as numbers: what we store stays well inside 2^53).
import { Connection, type Value } from 'fermyon:spin/sqlite@2.0.0';

export type SqlValue = number | string | Uint8Array | null;

export interface SqlDatabase {
  /** Runs one statement; the rows it returns (none for a statement that returns no data). */
  execute(statement: string, parameters: readonly SqlValue[]): SqlValue[][];
}

export function openSpinDatabase(name = 'default'): SqlDatabase {
  const connection = Connection.open(name);
  return {
    execute: (statement, parameters) => connection.execute(statement, parameters.map(toValue)).rows.map((row) => row.values.map(fromValue)),
  };
}

function toValue(value: SqlValue): Value {
  if (value === null) return { tag: 'null' };
  if (typeof value === 'string') return { tag: 'text', val: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { tag: 'integer', val: BigInt(value) } : { tag: 'real', val: value };
  return { tag: 'blob', val: value };
}

function fromValue(value: Value): SqlValue {
  switch (value.tag) {
    case 'integer':
      return Number(value.val);
    case 'null':
      return null;
    default:
      return value.val;
  }
}
