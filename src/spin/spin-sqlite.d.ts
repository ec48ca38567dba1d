// Types for Spin's SQLite WIT interface as componentize-js exposes it to the guest (s64 is a
// bigint; a WIT `result` error surfaces as a thrown value).
declare module 'fermyon:spin/sqlite@2.0.0' {
  export type Value =
    | { tag: 'integer'; val: bigint }
    | { tag: 'real'; val: number }
    | { tag: 'text'; val: string }
    | { tag: 'blob'; val: Uint8Array }
    | { tag: 'null' };
  export interface QueryResult {
    columns: string[];
    rows: { values: Value[] }[];
  }
  export class Connection {
    static open(database: string): Connection;
    execute(statement: string, parameters: Value[]): QueryResult;
  }
}
