// Structured JSON logs, one object per line (time, level, msg, fields), filtered by LOG_LEVEL: one
// logger for the components, the gateway, the host and its workers. Debug and info go to stdout,
// warn and error to stderr (console exists in components too, so this module does no I/O of its own).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

/** `log('info', 'started', { port })`: all that code which only writes logs needs (tests pass any function). */
export type Logger = (level: LogLevel, msg: string, fields?: Fields) => void;

/** A logger that also says what it keeps (to skip building a line nobody will read, or to pass the level on). */
export interface LevelledLogger extends Logger {
  readonly threshold: LogLevel;
  enabled(level: LogLevel): boolean;
}

/** Where finished lines go; tests pass an array's push to read what was logged. */
export type LogSink = (line: string, level: LogLevel) => void;

const defaultSink: LogSink = (line, level) => (RANK[level] >= RANK.warn ? console.error(line) : console.log(line));

export function createLogger(threshold: LogLevel, base: Fields = {}, sink: LogSink = defaultSink): LevelledLogger {
  const enabled = (level: LogLevel): boolean => RANK[level] >= RANK[threshold];
  const log = (level: LogLevel, msg: string, fields?: Fields): void => {
    if (enabled(level)) sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }), level);
  };
  return Object.assign(log, { threshold, enabled });
}

/** A level as LOG_LEVEL or log_level spells it, in any case; null when it is none. */
export function parseLogLevel(raw: string): LogLevel | null {
  return LOG_LEVELS.find((l) => l === raw.trim().toLowerCase()) ?? null;
}

/** Error → loggable fields; `code` carries errno names such as ECONNREFUSED. */
export function errorFields(err: unknown): Fields {
  if (!(err instanceof Error)) return { error: String(err) };
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  return { error: err.message, ...(code === undefined ? {} : { code }), ...(err.name !== 'Error' ? { errorName: err.name } : {}) };
}

/** One line for a failure: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:3000`. */
export function describeError(err: unknown): string {
  const { error, code } = errorFields(err);
  return typeof code === 'string' && !String(error).includes(code) ? `${code}: ${String(error)}` : String(error);
}
