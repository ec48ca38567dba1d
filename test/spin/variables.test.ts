// The components read LOG_LEVEL's variable as the gateway and host read LOG_LEVEL: in any case
// (`LOG_LEVEL=INFO npm start` once made every agent request fail).
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../src/core/index.ts';
import { logLevelVariable } from '../../src/spin/variables.ts';

describe('log_level', () => {
  it.each([
    ['INFO', 'info'],
    ['Debug', 'debug'],
    ['warn', 'warn'],
    ['', 'info'],
  ])('%j reads as %s', (raw, level) => {
    expect(logLevelVariable((name) => (name === 'log_level' ? raw : null))).toBe(level);
  });

  it('anything else is a configuration error naming the choices', () => {
    expect(() => logLevelVariable(() => 'loud')).toThrow(AgentError);
    expect(() => logLevelVariable(() => 'loud')).toThrow('variable log_level must be one of debug, info, warn, error');
  });
});
