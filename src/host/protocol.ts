// Messages between the main thread (HTTP server) and the component workers.
import type { MessagePort } from 'node:worker_threads';
import type { LogLevel } from './log.ts';
import type { MemorySpec } from './memory-reuse.ts';
import type { ComponentRuntime } from './scope.ts';

export interface WorkerSource {
  key: string;
  glueUrl: string;
  /** core module name → compiled module (compiled once on the main thread, shared by every worker) */
  modules: Record<string, WebAssembly.Module>;
  /** core module name → its memory and image (shared by every worker), for modules rewritten to import it (see memory-reuse.ts) */
  memories: Record<string, MemorySpec>;
  /** unversioned import name → dependency source key + the export of it to plug in */
  dependencies: { import: string; sourceKey: string; export: string }[];
  /** true when it is served directly (not only a dependency): the worker keeps an instance ready */
  served: boolean;
}

export type KvConfig =
  | { kind: 'sqlite'; path: string; labels: string[] }
  /** the main thread owns a Map; workers reach it through `port` synchronously */
  | { kind: 'memory'; labels: string[]; port: MessagePort; signal: SharedArrayBuffer };

export interface WorkerInit {
  workerId: number;
  kv: KvConfig;
  /** the default SQLite database's file; each worker opens its own connection */
  sqlitePath: string;
  /** outbound HTTP: the main thread sends what workers post on `port` (http/outbound.ts) */
  outbound: { port: MessagePort; signal: SharedArrayBuffer };
  /** request bodies, fetched from the main thread when a component reads one (http/request-body.ts) */
  bodies: { port: MessagePort; signal: SharedArrayBuffer };
  logLevel: LogLevel;
}

export interface WorkerRequest {
  type: 'request';
  id: number;
  component: string;
  method: string;
  pathWithQuery: string;
  authority: string;
  headers: [string, string][];
}

/**
 * What the worker serves, sent once the main thread has it: workers start while the sources are
 * still being compiled, so a thread's own startup is off the host's critical path.
 */
export interface WorkerLoad {
  type: 'load';
  sources: WorkerSource[];
  components: ComponentRuntime[];
}

/** Close the KV connection and end the thread. */
export interface WorkerShutdown {
  type: 'shutdown';
}

export type ToWorker = WorkerLoad | WorkerRequest | WorkerShutdown;

export type FromWorker =
  /** started: every served source has an instance ready (memoriesMade: see WorkerPool.memoriesMade) */
  | { type: 'ready'; memoriesMade: number }
  /** a fresh instance is ready again after a request */
  | { type: 'prepared'; memoriesMade: number }
  | { type: 'response'; id: number; status: number; headers: [string, string][]; body: Uint8Array }
  /** the component trapped, exited, or returned without responding */
  | { type: 'failed'; id: number; error: string; detail: string }
  /** the worker cannot run (startup failure) */
  | { type: 'fatal'; error: string; detail: string };
