// The host's logging: the shared logger (src/shared/log.ts), at the level LOG_LEVEL names.
import { LOG_LEVELS, parseLogLevel, type LogLevel } from '../shared/log.ts';

export { createLogger, errorFields, type Fields, type LevelledLogger, type Logger, type LogLevel } from '../shared/log.ts';

/** LOG_LEVEL from the environment, in any case; an unknown value is an error that names it. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  const level = parseLogLevel(raw);
  if (level === null) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}
