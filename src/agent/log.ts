// Structured JSON logs on stdout (Spin collects component stdout), filtered by LOG_LEVEL.
import type { LogLevel } from './config.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export function createLogger(threshold: LogLevel, base: Record<string, unknown>): Logger {
  return (level, msg, fields) => {
    if (RANK[level] < RANK[threshold]) return;
    console.log(JSON.stringify({ level, msg, ...base, ...fields }));
  };
}
