// One table of numeric settings: the components and the gateway read the same value the same way
// (once the app took sync_interval=1 and the gateway refused SYNC_INTERVAL below 10).
import { describe, expect, it } from 'vitest';
import { AgentError, SETTINGS } from '../../src/core/index.ts';
import { readConfig } from '../../src/agent/config.ts';
import { readApiConfig } from '../../src/api/config.ts';
import { ConfigError, loadConfig } from '../../src/gateway/config.ts';
import { APP_VARIABLES } from '../../scripts/manifests/spin-toml.ts';

const agentVariables = (extra: Record<string, string>) => (name: string): string | null => ({ agent_id: '0', ...extra })[name] ?? null;

describe.each(Object.entries(SETTINGS))('setting %s', (_key, setting) => {
  const inRange = String(setting.default);
  const below = String(setting.min - 1);
  const above = String(setting.max + 1);

  it('the agents and the gateway take the same values and refuse the same ones, naming the variable', () => {
    // health_timeout must exceed sync_interval at the gateway: keep the pair apart from the value under test
    const gatewayEnv = (value: string) => ({ SYNC_INTERVAL: '10', HEALTH_TIMEOUT: '86400000', [setting.env]: value });
    for (const value of [inRange, String(setting.min), String(setting.max)]) {
      const agent = readConfig(agentVariables({ [setting.variable]: value }));
      expect(Object.values(agent)).toContain(Number(value));
      // (the gateway also wants HEALTH_TIMEOUT above SYNC_INTERVAL, whose least is 10)
      const gatewayReads = setting.env !== 'MAX_CLOCK_SKEW' && !(setting.env === 'HEALTH_TIMEOUT' && Number(value) <= 10);
      if (gatewayReads) expect(Object.values(loadConfig(gatewayEnv(value)))).toContain(Number(value));
    }
    for (const value of [below, above, '1.5', 'soon']) {
      expect(() => readConfig(agentVariables({ [setting.variable]: value }))).toThrow(AgentError);
      expect(() => readConfig(agentVariables({ [setting.variable]: value }))).toThrow(`variable ${setting.variable} must be an integer`);
      if (setting.env !== 'MAX_CLOCK_SKEW') expect(() => loadConfig(gatewayEnv(value))).toThrow(ConfigError);
    }
  });
});

// (agent_count is not among them: each agent component's own variable, written beside its agent_id)
it.each(Object.values(SETTINGS).filter((s) => s.variable !== 'agent_count'))('the generated spin.toml declares $variable with its default', (setting) => {
  expect(APP_VARIABLES[setting.variable as keyof typeof APP_VARIABLES]?.default).toBe(String(setting.default));
});

describe('the api reads the settings it shares with the agents the same way', () => {
  it.each(['agent_count', 'sync_interval', 'health_timeout', 'max_buffer_size'])('%s', (variable) => {
    expect(() => readApiConfig((name) => (name === variable ? '0' : null))).toThrow(`variable ${variable} must be an integer`);
  });
});
