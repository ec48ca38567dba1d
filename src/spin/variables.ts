// Reading Spin variables in our components: at request time, never at module top level (Wizer
// would freeze a top-level read into every instance). A bad value is the operator's fault:
// `bad-config`, which maps to 500 with the variable named.
import { AgentError, readIntegerSetting, type IntegerBounds } from '../core/index.ts';
import { LOG_LEVELS, parseLogLevel, type LogLevel } from '../shared/log.ts';

/** Reads one Spin variable; null when it is not defined for the component. */
export type VariableSource = (name: string) => string | null;

/** An integer setting's variable (core/settings.ts): its default when unset or empty. */
export function integerVariable(get: VariableSource, setting: IntegerBounds & { variable: string }): number {
  const value = readIntegerSetting(setting, get(setting.variable));
  if (typeof value === 'number') return value;
  throw new AgentError('bad-config', `variable ${setting.variable} ${value.problem}`);
}

/** `log_level`: one of debug, info, warn, error, in any case (default info). */
export function logLevelVariable(get: VariableSource): LogLevel {
  const raw = get('log_level') || 'info';
  const level = parseLogLevel(raw);
  if (level === null) throw new AgentError('bad-config', `variable log_level must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
