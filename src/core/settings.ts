// The network's numeric settings, one table: each names its Spin variable (the components read
// it), its environment variable (the gateway and `npm start` read it), its default and its bounds.
// The components' readers, the gateway's config, the generated spin.toml and `npm run validate`
// all derive from it, so the app and the gateway can no longer accept different values.

/** What an integer may be; when unset, its default. */
export interface IntegerBounds {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** ' (ms)' for durations, '' for counts: said in errors */
  readonly unit: string;
}

export interface IntegerSetting extends IntegerBounds {
  /** the Spin variable (spin.toml, SPIN_VARIABLE_<NAME>) */
  readonly variable: string;
  /** the environment variable of the gateway and `npm start` */
  readonly env: string;
}

export const SETTINGS = {
  agentCount: { variable: 'agent_count', env: 'AGENT_COUNT', default: 9, min: 1, max: 1_000, unit: '' },
  syncIntervalMs: { variable: 'sync_interval', env: 'SYNC_INTERVAL', default: 5_000, min: 10, max: 3_600_000, unit: ' (ms)' },
  healthTimeoutMs: { variable: 'health_timeout', env: 'HEALTH_TIMEOUT', default: 15_000, min: 1, max: 86_400_000, unit: ' (ms)' },
  maxBufferSize: { variable: 'max_buffer_size', env: 'MAX_BUFFER_SIZE', default: 100, min: 1, max: 1_000_000, unit: '' },
  maxClockSkewMs: { variable: 'max_clock_skew', env: 'MAX_CLOCK_SKEW', default: 10_000, min: 1, max: 86_400_000, unit: ' (ms)' },
} as const satisfies Record<string, IntegerSetting>;

/**
 * A setting's value from its text: the default when unset or empty, else an integer within its
 * bounds. `{ problem }` says what is wrong; the caller names the variable as its readers know it.
 */
export function readIntegerSetting(setting: IntegerBounds, raw: string | null | undefined): number | { problem: string } {
  const text = raw?.trim() ?? '';
  if (text === '') return setting.default;
  const n = Number(text);
  if (!Number.isInteger(n) || n < setting.min || n > setting.max) {
    return { problem: `must be an integer${setting.unit} between ${setting.min} and ${setting.max}, got ${JSON.stringify(raw)}` };
  }
  return n;
}
