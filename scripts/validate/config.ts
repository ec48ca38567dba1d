// Variables and environment, read by the very parsers the components and the gateway use, so a
// value validate accepts is a value they accept: each component's variables (templates resolved
// against the app's values) through readConfig / readApiConfig, and the gateway's environment
// through loadConfig. Then the two sides must agree on the network they describe.
import { readConfig } from '../../src/agent/config.ts';
import { readApiConfig } from '../../src/api/config.ts';
import { AgentError } from '../../src/core/index.ts';
import { ConfigError, loadConfig, type GatewayConfig } from '../../src/gateway/index.ts';
import type { Report } from './report.ts';
import { expandTemplate } from '../../src/host/index.ts';
import type { SpinManifestSummary } from './spin-manifest.ts';

/** The app's variable values: spin.toml defaults, then a deployment's overrides (SpinApp, --variable). */
export function appVariableValues(manifest: SpinManifestSummary, overrides: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, v] of Object.entries(manifest.variables)) if (v.default !== undefined) values[name] = v.default;
  return { ...values, ...overrides };
}

/** Checks every component's variables; `where` names the deployment whose values these are. */
export function checkComponentVariables(report: Report, file: string, manifest: SpinManifestSummary, values: Record<string, string>, where = ''): void {
  for (const [id, component] of Object.entries(manifest.components)) {
    const resolved = (name: string): string | null => {
      const raw = component.variables[name];
      return raw === undefined ? null : expandTemplate(raw, (ref) => values[ref] ?? '');
    };
    const at = `[component.${id}]${where}`;
    const parse = id.startsWith('agent-') ? readConfig : id === 'api' ? readApiConfig : null;
    if (parse === null) continue;
    try {
      parse(resolved);
    } catch (err) {
      if (!(err instanceof AgentError)) throw err;
      report.error(file, at, `${err.message}${err.detail === undefined ? '' : ` (${err.detail})`}`);
    }
  }
}

/** The gateway's environment through its own parser; null when it refuses it. */
export function checkGatewayEnv(report: Report, file: string, at: string, env: Record<string, string>): GatewayConfig | null {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    report.error(file, at, err.message);
    return null;
  }
}

/** The gateway must tick the agents the app has, at the interval the app reports and judges liveness by. */
export function checkGatewayMatchesApp(report: Report, file: string, at: string, gateway: GatewayConfig, agents: number, values: Record<string, string>): void {
  const same = (env: string, actual: number, variable: string): void => {
    const expected = values[variable];
    if (expected !== undefined && expected !== '' && Number(expected) !== actual) {
      report.error(file, at, `${env} is ${actual} but the app's ${variable} is ${expected}: the gateway and the app would disagree`);
    }
  };
  if (gateway.agentCount !== agents) report.error(file, at, `AGENT_COUNT is ${gateway.agentCount} but spin.toml has ${agents} agents`);
  same('SYNC_INTERVAL', gateway.syncIntervalMs, 'sync_interval');
  same('HEALTH_TIMEOUT', gateway.healthTimeoutMs, 'health_timeout');
  same('MAX_BUFFER_SIZE', gateway.maxBufferSize, 'max_buffer_size');
}
