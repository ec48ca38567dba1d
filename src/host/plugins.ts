// One map of the host's interfaces, like Miniflare's PLUGINS: each entry builds the import-object
// entries for its interfaces, once per worker. Keys are the interface names jco's instantiation
// glue uses (no version: `imports['wasi:http/types']`).
import { insecure, insecureSeed, random } from '@bytecodealliance/preview2-shim/random';
import { createIoImports } from './wasi/io.ts';
import type { OutboundClient } from './http/outbound.ts';
import { createOutgoingHandlerImport } from './http/outgoing.ts';
import { createHttpTypesImport } from './http/types.ts';
import { createKeyValueImport, type KvStores } from './kv/index.ts';
import { createSqliteImport, type SqlDatabaseFile } from './sqlite/index.ts';
import type { ScopeRef } from './scope.ts';
import { createVariablesImport } from './variables/index.ts';
import { createCliImports } from './wasi/cli.ts';
import { createClocksImports } from './wasi/clocks.ts';
import { createFilesystemImports } from './wasi/filesystem.ts';

export type ImportObject = Record<string, object>;

export interface PluginContext {
  scope: ScopeRef;
  kv: KvStores;
  /** the app's default SQLite database, this worker's connection */
  sqlite: SqlDatabaseFile;
  /** sends a component's allowed outbound HTTP requests (through the main thread) */
  outbound: OutboundClient;
  /** called after each request, e.g. to flush partial stdout lines */
  onRequestEnd(fn: () => void): void;
}

export interface HostPlugin {
  /** the interfaces it provides, for the startup check against a component's imports */
  interfaces: readonly string[];
  imports(ctx: PluginContext): ImportObject;
}

export const PLUGINS = {
  http: {
    interfaces: ['wasi:http/types', 'wasi:http/outgoing-handler', 'wasi:io/error', 'wasi:io/poll', 'wasi:io/streams'],
    imports: ({ scope, outbound }) => ({
      ...createIoImports(),
      'wasi:http/types': createHttpTypesImport(),
      'wasi:http/outgoing-handler': createOutgoingHandlerImport(scope, outbound),
    }),
  },
  kv: {
    interfaces: ['fermyon:spin/key-value'],
    imports: ({ scope, kv }) => ({ 'fermyon:spin/key-value': createKeyValueImport(scope, kv) }),
  },
  sqlite: {
    interfaces: ['fermyon:spin/sqlite'],
    imports: ({ scope, sqlite }) => ({ 'fermyon:spin/sqlite': createSqliteImport(scope, sqlite) }),
  },
  variables: {
    interfaces: ['fermyon:spin/variables'],
    imports: ({ scope }) => ({ 'fermyon:spin/variables': createVariablesImport(() => scope.current?.component.variables) }),
  },
  cli: {
    interfaces: [
      'wasi:cli/environment',
      'wasi:cli/exit',
      'wasi:cli/stdin',
      'wasi:cli/stdout',
      'wasi:cli/stderr',
      'wasi:cli/terminal-input',
      'wasi:cli/terminal-output',
      'wasi:cli/terminal-stdin',
      'wasi:cli/terminal-stdout',
      'wasi:cli/terminal-stderr',
    ],
    imports: ({ scope, onRequestEnd }) => {
      const cli = createCliImports(scope);
      onRequestEnd(cli.flush);
      return cli.imports;
    },
  },
  clocks: {
    interfaces: ['wasi:clocks/monotonic-clock', 'wasi:clocks/wall-clock'],
    imports: () => createClocksImports(),
  },
  filesystem: {
    interfaces: ['wasi:filesystem/types', 'wasi:filesystem/preopens'],
    imports: () => createFilesystemImports(),
  },
  random: {
    interfaces: ['wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed'],
    imports: () => ({
      'wasi:random/random': random,
      'wasi:random/insecure': insecure,
      'wasi:random/insecure-seed': insecureSeed,
    }),
  },
} satisfies Record<string, HostPlugin>;

/** Every interface the host provides (unversioned). */
export const PROVIDED_INTERFACES: ReadonlySet<string> = new Set(Object.values(PLUGINS).flatMap((p) => p.interfaces));

/** `wasi:http/types@0.2.0` → `wasi:http/types`. */
export function unversioned(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

export function buildImports(ctx: PluginContext): ImportObject {
  const out: ImportObject = {};
  for (const plugin of Object.values(PLUGINS)) Object.assign(out, plugin.imports(ctx));
  return out;
}
