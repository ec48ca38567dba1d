// What a worker knows about components, and which one is serving right now. One prepared instance
// can serve any component built from the same wasm: its host imports read `ScopeRef.current`, which
// the worker sets just before calling `handle` and clears right after.
import type { AllowedHost } from './http/allowed-hosts.ts';
import type { Logger } from './log.ts';

/** A component as the worker runs it: everything resolved on the main thread, plain data. */
export interface ComponentRuntime {
  id: string;
  /** key of the transpiled source (hash of the wasm bytes) */
  sourceKey: string;
  /** WASI environment (`[component.X] environment`) */
  environment: [string, string][];
  /** resolved `[component.X.variables]` */
  variables: Record<string, string>;
  /** `key_value_stores` */
  keyValueStores: string[];
  /** `sqlite_databases` */
  sqliteDatabases: string[];
  /** `allowed_outbound_hosts`, templates expanded */
  allowedOutboundHosts: AllowedHost[];
}

export interface RequestScope {
  component: ComponentRuntime;
  /** stores opened during this request (Spin's per-instance table limit) */
  openStores: number;
}

export class ScopeRef {
  current: RequestScope | undefined;
  constructor(readonly log: Logger) {}
  /** The component id for log lines; `"(none)"` while an instance is being prepared. */
  get componentId(): string {
    return this.current?.component.id ?? '(none)';
  }
}
