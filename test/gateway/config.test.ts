// Config from the environment: defaults, units, and errors that name the variable.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../../src/gateway/config.ts';

describe('gateway config', () => {
  it('defaults', () => {
    expect(loadConfig({})).toEqual({
      appUrl: 'http://127.0.0.1:3000',
      natsUrl: undefined,
      natsCreds: undefined,
      authToken: undefined,
      agentCount: 9,
      agents: [0, 1, 2, 3, 4, 5, 6, 7, 8],
      ownership: 'static',
      leaseTtlMs: 15_000,
      instance: hostname(),
      healthPort: undefined,
      syncIntervalMs: 5_000,
      healthTimeoutMs: 15_000,
      maxBufferSize: 100,
      logLevel: 'info',
    });
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it('reads every variable; empty means default', () => {
    const c = loadConfig({
      APP_URL: 'https://agents.example.app/base/',
      NATS_URL: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222',
      NATS_CREDS: '/etc/nats/gateway.creds',
      AUTH_TOKEN: 's3cret',
      ENVELOPE_KEY: 'k3y',
      AGENT_COUNT: '16',
      AGENTS: '12-14, 3,0-1,13',
      HEALTH_PORT: '8080',
      LEASE_TTL: '3000',
      HOSTNAME: 'crdt-gateway-7d9f-abcde',
      SYNC_INTERVAL: '1000',
      HEALTH_TIMEOUT: '3000',
      MAX_BUFFER_SIZE: '50',
      LOG_LEVEL: 'DEBUG',
      UNRELATED: 'x',
    });
    expect(c).toEqual({
      appUrl: 'https://agents.example.app/base',
      natsUrl: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222',
      natsCreds: '/etc/nats/gateway.creds',
      authToken: 's3cret',
      envelopeKey: 'k3y',
      agentCount: 16,
      agents: [0, 1, 3, 12, 13, 14],
      ownership: 'static',
      leaseTtlMs: 3_000,
      instance: 'crdt-gateway-7d9f-abcde',
      healthPort: 8080,
      syncIntervalMs: 1_000,
      healthTimeoutMs: 3_000,
      maxBufferSize: 50,
      logLevel: 'debug',
    });
    expect(loadConfig({ NATS_URL: '', AUTH_TOKEN: '  ' })).toMatchObject({ natsUrl: undefined, authToken: undefined });
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ APP_URL: 'not a url' }, 'APP_URL', /http\(s\) URL/],
    [{ APP_URL: 'ftp://x' }, 'APP_URL', /http\(s\) URL/],
    [{ NATS_URL: 'ws://127.0.0.1:8080' }, 'NATS_URL', /nats:\/\//],
    [{ AGENT_COUNT: '0' }, 'AGENT_COUNT', /integer/],
    [{ AGENT_COUNT: '2.5' }, 'AGENT_COUNT', /integer/],
    [{ SYNC_INTERVAL: 'fast' }, 'SYNC_INTERVAL', /integer \(ms\)/],
    [{ HEALTH_TIMEOUT: '-1' }, 'HEALTH_TIMEOUT', /integer/],
    [{ SYNC_INTERVAL: '5000', HEALTH_TIMEOUT: '4000' }, 'HEALTH_TIMEOUT', /greater than SYNC_INTERVAL/],
    [{ AGENTS: '7-9' }, 'AGENTS', /below AGENT_COUNT \(9\)/],
    [{ AGENTS: '3-1' }, 'AGENTS', /ids and ranges/],
    [{ AGENTS: 'all' }, 'AGENTS', /ids and ranges/],
    [{ OWNERSHIP: 'shared' }, 'OWNERSHIP', /static or lease/],
    [{ OWNERSHIP: 'lease', AGENTS: '0-2' }, 'AGENTS', /cannot be combined with OWNERSHIP=lease/],
    [{ LEASE_TTL: '10' }, 'LEASE_TTL', /between 300 and/],
    [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT', /integer/],
    [{ MAX_BUFFER_SIZE: 'lots' }, 'MAX_BUFFER_SIZE', /integer/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /debug, info, warn, error/],
  ];
  it.each(bad)('%j → error naming %s', (env, variable, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
    expect((error as ConfigError).message).toMatch(message);
  });
});
