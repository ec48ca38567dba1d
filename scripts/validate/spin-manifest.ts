// spin.toml against Spin's manifest reference (version 2, Spin 2.x/3.x: spinframework.dev
// /v3/manifest-reference): the fields each table may hold and their types, kebab-case component
// ids, variables with a default or `required`, templates naming declared variables, routes and
// their components, dependencies; then our own layout: agent-0..agent-(N-1) routed at /agent/<n>/.
import { parse } from 'smol-toml';
import { parseAllowedHost } from '../../src/host/http/allowed-hosts.ts';
import type { Report } from './report.ts';

type Table = Record<string, unknown>;

const TOP_LEVEL = ['spin_manifest_version', 'application', 'variables', 'trigger', 'component'];
const APPLICATION = ['name', 'version', 'description', 'authors', 'targets', 'trigger'];
const VARIABLE = ['description', 'default', 'required', 'secret'];
const HTTP_TRIGGER = ['route', 'component', 'executor'];
const COMPONENT = [
  'description', 'source', 'files', 'exclude_files', 'allowed_http_hosts', 'allowed_outbound_hosts', 'key_value_stores',
  'environment', 'build', 'variables', 'dependencies_inherit_configuration', 'dependencies', 'sqlite_databases', 'ai_models', 'tool',
];
const BUILD = ['command', 'workdir', 'watch', 'environment'];
const DEPENDENCY = ['version', 'registry', 'package', 'path', 'url', 'digest', 'export', 'component'];
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** `pkg:name/interface@1.2.3`, `pkg:name@1.2.3` or a plain interface name */
const DEPENDENCY_NAME = /^([a-z][a-z0-9-]*:[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?(@[0-9][0-9A-Za-z.+-]*)?|[a-z][a-z0-9-]*)$/;
/** `{{ name }}` in a component variable: a reference to an app variable */
export const TEMPLATE = /\{\{\s*([^}\s]*)\s*\}\}/g;

export interface SpinManifestSummary {
  variables: Record<string, { default?: string; required?: boolean; secret?: boolean }>;
  components: Record<string, Table>;
  routes: { route: string; component: string }[];
  /** N when the manifest holds agent-0..agent-(N-1) */
  agents: number;
}

const isTable = (x: unknown): x is Table => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);
const isStringList = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

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

export function checkSpinManifest(report: Report, file: string, text: string): SpinManifestSummary | null {
  let manifest: Table;
  try {
    manifest = parse(text) as Table;
  } catch (err) {
    report.error(file, '', `not valid TOML: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
  const unknown = (t: Table, allowed: string[], at: string): void => {
    for (const key of Object.keys(t)) if (!allowed.includes(key)) report.error(file, at, `unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  };
  unknown(manifest, TOP_LEVEL, 'top level');
  if (manifest.spin_manifest_version !== 2) report.error(file, 'spin_manifest_version', `must be 2 (the format Spin 2.x and 3.x read), got ${JSON.stringify(manifest.spin_manifest_version)}`);

  const app = manifest.application;
  if (!isTable(app)) report.error(file, '[application]', 'missing: the table that names the app');
  else {
    unknown(app, APPLICATION, '[application]');
    if (typeof app.name !== 'string' || app.name === '') report.error(file, '[application].name', 'required, a non-empty string');
    if (app.version !== undefined && (typeof app.version !== 'string' || !SEMVER.test(app.version))) {
      report.error(file, '[application].version', `must be a semantic version like 1.2.3, got ${JSON.stringify(app.version)}`);
    }
    if (app.authors !== undefined && !isStringList(app.authors)) report.error(file, '[application].authors', 'must be a list of strings');
  }

  const variables: SpinManifestSummary['variables'] = {};
  const rawVariables = manifest.variables ?? {};
  if (!isTable(rawVariables)) report.error(file, '[variables]', 'must be a table of variables');
  else {
    for (const [name, raw] of Object.entries(rawVariables)) {
      const at = `[variables.${name}]`;
      if (!VARIABLE_NAME.test(name)) report.error(file, at, 'a variable name is lowercase letters, digits and underscores, starting with a letter');
      if (!isTable(raw)) {
        report.error(file, at, 'must be a table like { default = "…" } or { required = true }');
        continue;
      }
      unknown(raw, VARIABLE, at);
      if (raw.default !== undefined && typeof raw.default !== 'string') report.error(file, `${at}.default`, `must be a string (Spin variables are strings), got ${JSON.stringify(raw.default)}`);
      if (raw.required !== undefined && typeof raw.required !== 'boolean') report.error(file, `${at}.required`, 'must be true or false');
      if (raw.required === true && raw.default !== undefined) report.error(file, at, 'a required variable cannot have a default');
      if (raw.required !== true && raw.default === undefined) report.error(file, at, 'needs a default, or required = true');
      variables[name] = {
        ...(typeof raw.default === 'string' ? { default: raw.default } : {}),
        ...(raw.required === true ? { required: true } : {}),
        ...(raw.secret === true ? { secret: true } : {}),
      };
    }
  }

  const components: Record<string, Table> = {};
  const rawComponents = manifest.component ?? {};
  if (!isTable(rawComponents)) report.error(file, '[component]', 'must be a table of components');
  else {
    for (const [id, raw] of Object.entries(rawComponents)) {
      const at = `[component.${id}]`;
      if (!KEBAB.test(id)) report.error(file, at, 'a component id is kebab-case: lowercase words of letters and digits joined by "-"');
      if (!isTable(raw)) {
        report.error(file, at, 'must be a table');
        continue;
      }
      components[id] = raw;
      unknown(raw, COMPONENT, at);
      checkComponent(report, file, at, raw, variables);
    }
  }

  const routes: SpinManifestSummary['routes'] = [];
  const trigger = manifest.trigger;
  const http = isTable(trigger) ? trigger.http : undefined;
  if (!Array.isArray(http) || http.length === 0) report.error(file, '[[trigger.http]]', 'no HTTP triggers: nothing would be served');
  else {
    const seen = new Set<string>();
    http.forEach((raw: unknown, i) => {
      const at = `[[trigger.http]] #${i + 1}`;
      if (!isTable(raw)) return report.error(file, at, 'must be a table');
      unknown(raw, HTTP_TRIGGER, at);
      const { route, component } = raw;
      if (isTable(route)) {
        if (route.private !== true) report.error(file, `${at}.route`, 'a table route must be { private = true }');
      } else if (typeof route !== 'string' || !route.startsWith('/')) {
        report.error(file, `${at}.route`, `must be a path starting with "/", got ${JSON.stringify(route)}`);
      } else {
        if (route.slice(0, -4).includes('...') || (route.includes('...') && !route.endsWith('/...'))) {
          report.error(file, `${at}.route`, `the wildcard "/..." may only end a route, got ${JSON.stringify(route)}`);
        }
        if (seen.has(route)) report.error(file, `${at}.route`, `${route} is routed twice`);
        seen.add(route);
      }
      if (typeof component !== 'string') return report.error(file, `${at}.component`, 'must name a component');
      if (components[component] === undefined) report.error(file, `${at}.component`, `no [component.${component}] in this manifest`);
      if (typeof route === 'string') routes.push({ route, component });
    });
    const routed = new Set(routes.map((r) => r.component));
    for (const id of Object.keys(components)) if (!routed.has(id)) report.warn(file, `[component.${id}]`, 'no trigger routes to this component');
  }

  return { variables, components, routes, agents: checkAgents(report, file, components, routes) };
}

function checkComponent(report: Report, file: string, at: string, c: Table, declared: SpinManifestSummary['variables']): void {
  const source = c.source;
  if (typeof source === 'string') {
    if (source === '') report.error(file, `${at}.source`, 'must name a .wasm file');
  } else if (!(isTable(source) && typeof source.url === 'string' && typeof source.digest === 'string')) {
    report.error(file, `${at}.source`, 'required: a path to a .wasm file, or { url = "…", digest = "sha256:…" }');
  }
  for (const field of ['key_value_stores', 'allowed_outbound_hosts', 'files', 'exclude_files', 'sqlite_databases', 'ai_models']) {
    if (c[field] !== undefined && !isStringList(c[field])) report.error(file, `${at}.${field}`, 'must be a list of strings');
  }
  if (isStringList(c.key_value_stores)) {
    for (const label of c.key_value_stores) {
      if (label !== 'default') report.warn(file, `${at}.key_value_stores`, `store "${label}" needs a [key_value_store.${label}] in the runtime config (Spin provides only "default")`);
    }
  }
  if (isStringList(c.allowed_outbound_hosts)) {
    // Spin expands templates here too: check the names, then the entry as the defaults make it
    // (with the host's own parser, so validate and the host agree)
    for (const host of c.allowed_outbound_hosts) {
      const refs = [...host.matchAll(TEMPLATE)].map(([, ref]) => ref ?? '');
      const unknown = refs.filter((ref) => declared[ref] === undefined);
      for (const ref of unknown) report.error(file, `${at}.allowed_outbound_hosts`, `{{ ${ref} }} names no variable in [variables]`);
      if (unknown.length > 0 || refs.some((ref) => declared[ref]?.default === undefined)) continue;
      const expanded = host.replace(TEMPLATE, (_, ref: string) => declared[ref]?.default ?? '');
      try {
        parseAllowedHost(expanded, `${at}.allowed_outbound_hosts`);
      } catch {
        report.error(file, `${at}.allowed_outbound_hosts`, `"${host}"${expanded === host ? '' : ` (as the defaults make it: "${expanded}")`} is not scheme://host[:port], e.g. https://example.com`);
      }
    }
  }
  if (c.variables !== undefined) {
    if (!isTable(c.variables)) report.error(file, `${at}.variables`, 'must be a table of strings');
    else {
      for (const [name, value] of Object.entries(c.variables)) {
        if (!VARIABLE_NAME.test(name)) report.error(file, `${at}.variables.${name}`, 'a variable name is lowercase letters, digits and underscores');
        if (typeof value !== 'string') {
          report.error(file, `${at}.variables.${name}`, `must be a string, got ${JSON.stringify(value)}`);
          continue;
        }
        for (const [, ref] of value.matchAll(TEMPLATE)) {
          if (ref === undefined || declared[ref] === undefined) report.error(file, `${at}.variables.${name}`, `{{ ${ref} }} names no variable in [variables]`);
        }
      }
    }
  }
  if (c.build !== undefined) {
    if (!isTable(c.build)) report.error(file, `${at}.build`, 'must be a table');
    else {
      for (const key of Object.keys(c.build)) if (!BUILD.includes(key)) report.error(file, `${at}.build`, `unknown field "${key}" (allowed: ${BUILD.join(', ')})`);
      if (typeof c.build.command !== 'string' && !isStringList(c.build.command)) report.error(file, `${at}.build.command`, 'required: the command that builds the component');
      if (c.build.watch !== undefined && !isStringList(c.build.watch)) report.error(file, `${at}.build.watch`, 'must be a list of glob patterns');
    }
  }
  if (c.dependencies !== undefined) {
    if (!isTable(c.dependencies)) return report.error(file, `${at}.dependencies`, 'must be a table');
    for (const [name, dep] of Object.entries(c.dependencies)) {
      const where = `${at}.dependencies."${name}"`;
      if (!DEPENDENCY_NAME.test(name)) report.error(file, where, 'a dependency is named like "package:name/interface@1.0.0"');
      if (typeof dep === 'string') continue; // a registry version
      if (!isTable(dep)) {
        report.error(file, where, 'must be a version string or a table');
        continue;
      }
      for (const key of Object.keys(dep)) if (!DEPENDENCY.includes(key)) report.error(file, where, `unknown field "${key}" (allowed: ${DEPENDENCY.join(', ')})`);
      const kinds = ['path', 'url', 'version', 'component'].filter((k) => dep[k] !== undefined);
      if (kinds.length !== 1) report.error(file, where, 'needs exactly one of path, url (+ digest), version (registry) or component');
      if (dep.url !== undefined && typeof dep.digest !== 'string') report.error(file, where, 'a url dependency needs its digest');
    }
  }
}

/** agent-0..agent-(N-1), each with agent_id n and one agent_count, routed /agent/<n>/... */
function checkAgents(report: Report, file: string, components: Record<string, Table>, routes: SpinManifestSummary['routes']): number {
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
  const variableOf = (id: string, name: string): unknown => {
    const vars = components[id]?.variables;
    return isTable(vars) ? vars[name] : undefined;
  };
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
