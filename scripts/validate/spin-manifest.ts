// spin.toml as Spin reads it, with the very parser the local host refuses manifests with
// (src/host/manifest.ts: every field, variable, template, route, dependency); what Spin runs but
// the local host cannot is a warning here. Then the project's own checks: a default or `required`
// for every variable, a semantic version (what Fermyon Cloud and registries need), outbound hosts as the defaults make them, stores Spin must
// be told about, and our layout: agent-0..agent-(N-1) routed at /agent/<n>/.
import { expandTemplate, readManifest, type AppManifest, parseAllowedHost } from '../../src/host/index.ts';
import type { Report } from './report.ts';

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export interface SpinManifestSummary {
  variables: Record<string, { default?: string; required?: boolean; secret?: boolean }>;
  /** component id → its variables (name → template) */
  components: Record<string, { variables: Readonly<Record<string, string>> }>;
  routes: { route: string; component: string }[];
  /** N when the manifest holds agent-0..agent-(N-1) */
  agents: number;
}

/** Does a Spin route (`/exact`, `/prefix/...`, `/users/:id`) match this path? */
export function routeMatches(route: string, path: string): boolean {
  if (route.endsWith('/...')) {
    const prefix = route.slice(0, -4);
    return path === prefix || path.startsWith(`${prefix}/`) || (prefix === '' && path.startsWith('/'));
  }
  const want = route.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((seg, i) => seg.startsWith(':') || seg === got[i]);
}

export function checkSpinManifest(report: Report, file: string, text: string, path: string): SpinManifestSummary | null {
  const { manifest, problems, hostLimits } = readManifest(text, path);
  for (const p of problems) (p.severity === 'error' ? report.error : report.warn).call(report, file, p.at, p.message);
  for (const p of hostLimits) report.warn(file, p.at, `${p.message} (npm start cannot serve this manifest; spin up can)`);
  if (manifest === null) return null;

  if (manifest.version !== undefined && !SEMVER.test(manifest.version)) {
    report.error(file, 'application.version', `must be a semantic version like 1.2.3, got ${JSON.stringify(manifest.version)}`);
  }
  const variables: SpinManifestSummary['variables'] = {};
  for (const [name, v] of manifest.variables) {
    // Spin lets a variable have neither (a provider must then have it when it is read): ours never may
    if (!v.required && v.default === undefined) report.error(file, `variables.${name}`, 'needs a default, or required = true');
    variables[name] = { ...(v.default !== undefined ? { default: v.default } : {}), ...(v.required ? { required: true } : {}), ...(v.secret ? { secret: true } : {}) };
  }
  for (const c of manifest.components.values()) {
    const at = `component.${c.id}`;
    for (const label of c.keyValueStores) {
      if (label !== 'default') report.warn(file, `${at}.key_value_stores`, `store "${label}" needs a [key_value_store.${label}] in the runtime config (Spin provides only "default")`);
    }
    checkOutboundHosts(report, file, at, c.allowedOutboundHosts, manifest);
  }
  const components = Object.fromEntries([...manifest.components].map(([id, c]) => [id, { variables: c.variables }]));
  const routes = manifest.triggers.flatMap((t) => (t.route === undefined ? [] : [{ route: t.route, component: t.component }]));
  return { variables, components, routes, agents: checkAgents(report, file, components, routes) };
}

/** Each allowed outbound host as the variables' defaults make it, through the host's own parser. */
function checkOutboundHosts(report: Report, file: string, at: string, hosts: readonly string[], manifest: AppManifest): void {
  hosts.forEach((host, i) => {
    let complete = true;
    const expanded = expandTemplate(host, (ref) => {
      const value = manifest.variables.get(ref)?.default;
      if (value === undefined) complete = false;
      return value ?? '';
    });
    if (!complete) return; // a required variable: its value comes with the deployment
    try {
      parseAllowedHost(expanded, `${at}.allowed_outbound_hosts[${i}]`);
    } catch {
      report.error(file, `${at}.allowed_outbound_hosts[${i}]`, `"${host}"${expanded === host ? '' : ` (as the defaults make it: "${expanded}")`} is not scheme://host[:port], e.g. https://example.com`);
    }
  });
}

/** agent-0..agent-(N-1), each with agent_id n and one agent_count, routed /agent/<n>/... */
function checkAgents(report: Report, file: string, components: SpinManifestSummary['components'], routes: SpinManifestSummary['routes']): number {
  const ids = Object.keys(components)
    .map((id) => /^agent-(\d+)$/.exec(id)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const n = ids.length;
  if (n === 0) {
    report.error(file, '[component]', 'no agent-<n> components');
    return 0;
  }
  ids.forEach((id, i) => {
    if (id !== i) report.error(file, `[component.agent-${id}]`, `agents must be numbered 0..${n - 1} without gaps; agent-${i} is missing`);
  });
  const variableOf = (id: string, name: string): string | undefined => components[id]?.variables[name];
  for (const id of ids) {
    const name = `agent-${id}`;
    if (variableOf(name, 'agent_id') !== String(id)) report.error(file, `[component.${name}].variables.agent_id`, `must be "${id}", got ${JSON.stringify(variableOf(name, 'agent_id'))}`);
    if (!routes.some((r) => r.component === name && r.route === `/agent/${id}/...`)) report.error(file, `[component.${name}]`, `needs the route /agent/${id}/...`);
  }
  for (const id of Object.keys(components)) {
    const count = variableOf(id, 'agent_count');
    if (count !== undefined && count !== String(n)) report.error(file, `[component.${id}].variables.agent_count`, `must be "${n}" (the manifest has ${n} agents), got ${JSON.stringify(count)}`);
  }
  return n;
}
