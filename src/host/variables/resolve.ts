// Spin variables, resolved the way `spin up` does with its environment provider: an application
// variable's value is `SPIN_VARIABLE_<NAME>` from the environment, else its default; a required
// variable with neither is a startup error. Component variables are templates over them.
import { HostError } from '../errors.ts';
import { parseAllowedHost, type AllowedHost } from '../http/allowed-hosts.ts';
import { expandTemplate, type AppManifest } from '../manifest.ts';

export const ENV_PREFIX = 'SPIN_VARIABLE_';

/** `auth_token` → `SPIN_VARIABLE_AUTH_TOKEN`. */
export function envName(variable: string): string {
  return ENV_PREFIX + variable.toUpperCase();
}

/** Application variable → value (undefined: declared, not required, no default, not set). */
export function resolveAppVariables(
  manifest: Pick<AppManifest, 'variables'>,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string | undefined> {
  const values = new Map<string, string | undefined>();
  const missing: string[] = [];
  for (const [name, spec] of manifest.variables) {
    const fromEnv = env[envName(name)];
    const value = fromEnv ?? spec.default;
    if (value === undefined && spec.required) missing.push(name);
    values.set(name, value);
  }
  if (missing.length > 0) {
    throw new HostError(
      'bad-variable',
      `required variable${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')} ha${missing.length > 1 ? 've' : 's'} no value: set ${missing.map(envName).join(', ')}`,
    );
  }
  return values;
}

/** Component id → its variables with every `{{ app_var }}` expanded. */
export function resolveComponentVariables(
  manifest: Pick<AppManifest, 'variables' | 'components'>,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, Record<string, string>> {
  const app = resolveAppVariables(manifest, env);
  const out = new Map<string, Record<string, string>>();
  for (const [id, component] of manifest.components) {
    const resolved: Record<string, string> = {};
    for (const [name, template] of Object.entries(component.variables)) {
      resolved[name] = expandWith(app, template, `component.${id}.variables.${name}`);
    }
    out.set(id, resolved);
  }
  return out;
}

/** Component id → its `allowed_outbound_hosts`, templates expanded (Spin allows them there too). */
export function resolveAllowedOutboundHosts(
  manifest: Pick<AppManifest, 'variables' | 'components'>,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, AllowedHost[]> {
  const app = resolveAppVariables(manifest, env);
  const out = new Map<string, AllowedHost[]>();
  for (const [id, component] of manifest.components) {
    out.set(
      id,
      component.allowedOutboundHosts.map((template, i) => {
        const where = `component.${id}.allowed_outbound_hosts[${i}]`;
        return parseAllowedHost(expandWith(app, template, where), where);
      }),
    );
  }
  return out;
}

function expandWith(app: Map<string, string | undefined>, template: string, where: string): string {
  return expandTemplate(template, (ref) => {
    const value = app.get(ref);
    if (value === undefined) {
      throw new HostError('bad-variable', `${where} uses {{ ${ref} }}, which has no value: give [variables] ${ref} a default or set ${envName(ref)}`);
    }
    return value;
  });
}
