// Structured JSON logs, one object per line on stdout (time, level, msg, fields), filtered by
// LOG_LEVEL: shared by the agent component and the gateway. Pure but for the default sink
// (console.log exists in components too).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** Where finished lines go; tests pass an array's push to read what was logged. */
export type LogSink = (line: string) => void;

export function createLogger(
  threshold: LogLevel,
  base: Record<string, unknown> = {},
  sink: LogSink = (line) => console.log(line),
): Logger {
  return (level, msg, fields) => {
    if (RANK[level] < RANK[threshold]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }));
  };
}

/** Error → loggable fields; `code` carries errno names such as ECONNREFUSED. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    return { error: err.message, ...(code === undefined ? {} : { code }) };
  }
  return { error: String(err) };
}

/** One line for a failure: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:3000`. */
export function describeError(err: unknown): string {
  const { error, code } = errorFields(err);
  return typeof code === 'string' && !String(error).includes(code) ? `${code}: ${String(error)}` : String(error);
}
