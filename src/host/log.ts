// Structured JSON logs, one object per line (time, level, msg, fields), filtered by LOG_LEVEL:
// debug/info on stdout, warn/error on stderr. The same logger runs on the main thread and in the workers.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  readonly threshold: LogLevel;
  log(level: LogLevel, msg: string, fields?: Fields): void;
  enabled(level: LogLevel): boolean;
}

/** Where finished lines go; tests pass an array's push to read what was logged. */
export type LogSink = (level: LogLevel, line: string) => void;

const defaultSink: LogSink = (level, line) => {
  (RANK[level] >= RANK.warn ? process.stderr : process.stdout).write(line + '\n');
};

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** LOG_LEVEL from the environment; an unknown value is an error that names it. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  const level = raw.toLowerCase();
  if (!isLogLevel(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

export function createLogger(threshold: LogLevel, base: Fields = {}, sink: LogSink = defaultSink): Logger {
  return {
    threshold,
    enabled: (level) => RANK[level] >= RANK[threshold],
    log(level, msg, fields) {
      if (RANK[level] < RANK[threshold]) return;
      sink(level, JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }));
    },
  };
}

/** Error → loggable fields. */
export function errorFields(err: unknown): Fields {
  if (err instanceof Error) return { error: err.message, ...(err.name !== 'Error' ? { errorName: err.name } : {}) };
  return { error: String(err) };
}
