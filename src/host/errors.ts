// Errors the host raises before or while serving, typed once (Miniflare's MiniflareError<Code>).

export type HostErrorCode =
  /** the manifest file is missing, is not TOML, or a field has the wrong shape; the message names the field */
  | 'bad-manifest'
  /** a component's `source` file does not exist (not built yet) */
  | 'component-missing'
  /** jco could not transpile a component */
  | 'transpile-failed'
  /** an application variable is required and has no value, or a template names an unknown variable */
  | 'bad-variable'
  /** a component lists a key-value store label no store is defined for */
  | 'bad-kv-store'
  /** a component lists a SQLite database name no database is defined for */
  | 'bad-sqlite-database'
  /** a flag or option value is malformed (e.g. `--listen`) */
  | 'bad-option'
  /** a worker failed to start (could not load or instantiate a component) */
  | 'worker-failed';

export class HostError extends Error {
  override name = 'HostError';
  constructor(
    readonly code: HostErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An error a host import reports to the component as the `err` case of its WIT `result`: jco's glue
 * lowers `payload` (e.g. `{ tag: 'no-such-store' }`) instead of trapping.
 */
export class ComponentError<P = unknown> extends Error {
  override name = 'ComponentError';
  constructor(
    readonly payload: P,
    message = typeof payload === 'object' && payload !== null && 'tag' in payload ? String(payload.tag) : 'error',
  ) {
    super(message);
  }
}
