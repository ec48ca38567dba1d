// The Spin application manifest (`spin_manifest_version = 2`, the format of Spin 2 and 3), parsed
// with smol-toml and checked as Spin checks it, every problem reported (readManifest): the host
// refuses a manifest with any (parseManifest), `npm run validate` reports them with its own checks.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { HostError } from './errors.ts';

export interface AppVariable {
  /** value used when no provider (env `SPIN_VARIABLE_<NAME>`) has one */
  default: string | undefined;
  required: boolean;
  secret: boolean;
}

export interface HttpTrigger {
  /** `/exact`, `/prefix/...`, `/users/:id`; undefined for `route = { private = true }` */
  route: string | undefined;
  component: string;
  /** index in `[[trigger.http]]`, for messages */
  index: number;
}

export interface ComponentDependency {
  /** the imported interface, e.g. `can:egraph/kernel` or `can:egraph/kernel@0.1.0` */
  import: string;
  /** absolute path of the dependency's component file */
  source: string;
  /** export of the dependency to plug in (defaults to `import`) */
  export: string | undefined;
}

export interface ComponentManifest {
  id: string;
  /** absolute path of the component's .wasm */
  source: string;
  /** `source` as written in the manifest, for messages */
  sourceAsWritten: string;
  description: string | undefined;
  environment: Readonly<Record<string, string>>;
  /** component variable name → template (`"{{ app_var }}"`, `"literal"`) */
  variables: Readonly<Record<string, string>>;
  keyValueStores: readonly string[];
  /** `sqlite_databases` */
  sqliteDatabases: readonly string[];
  allowedOutboundHosts: readonly string[];
  dependencies: readonly ComponentDependency[];
  buildCommand: string | undefined;
}

export interface AppManifest {
  /** absolute path of the manifest file */
  path: string;
  /** directory `source` paths are relative to */
  dir: string;
  name: string;
  version: string | undefined;
  variables: ReadonlyMap<string, AppVariable>;
  triggers: readonly HttpTrigger[];
  components: ReadonlyMap<string, ComponentManifest>;
}

/** Spin's component ids are kebab-case: `agent-0`, `api`. */
const COMPONENT_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Spin variable names: lowercase letters, digits and single underscores, starting with a letter. */
export function variableNameProblem(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  if (!/^[a-z0-9_]+$/.test(name)) return 'must contain only lowercase letters, digits and underscores';
  if (!/^[a-z]/.test(name)) return 'must start with a lowercase letter';
  if (!/[a-z0-9]$/.test(name)) return 'must end with a lowercase letter or digit';
  if (name.includes('__')) return 'must not contain consecutive underscores';
  return undefined;
}

export function loadManifest(path: string): AppManifest {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HostError(
      'bad-manifest',
      code === 'ENOENT' ? `manifest not found: ${abs}` : `cannot read manifest ${abs}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return parseManifest(text, abs);
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export interface ManifestProblem {
  severity: 'error' | 'warning';
  /** where in the manifest: `component.agent-0.source`, `trigger.http[2].route` */
  at: string;
  /** what is wrong there, as a predicate: "is missing", "must be a string, got …" */
  message: string;
}

/** A manifest as Spin reads it: the app (null when the text is no v2 manifest at all) and every problem found. */
export interface ManifestReading {
  manifest: AppManifest | null;
  /** what Spin refuses (errors) or what a user should know (warnings) */
  problems: ManifestProblem[];
  /** valid for Spin, but the local host cannot run it (a remote source, a registry dependency, …) */
  hostLimits: ManifestProblem[];
}

// The fields Spin's manifest v2 knows (its tables deny unknown fields).
const TOP_LEVEL = ['spin_manifest_version', 'application', 'variables', 'trigger', 'component'];
const APPLICATION = ['name', 'version', 'description', 'authors', 'targets', 'trigger'];
const VARIABLE = ['description', 'default', 'required', 'secret'];
const HTTP_TRIGGER = ['id', 'route', 'component', 'executor'];
const COMPONENT = [
  'description', 'source', 'files', 'exclude_files', 'allowed_http_hosts', 'allowed_outbound_hosts', 'key_value_stores',
  'environment', 'build', 'variables', 'dependencies_inherit_configuration', 'dependencies', 'sqlite_databases', 'ai_models', 'tool',
];
const BUILD = ['command', 'workdir', 'watch', 'environment'];
const DEPENDENCY = ['version', 'registry', 'package', 'path', 'url', 'digest', 'export', 'component'];
/** component fields the host does not use, checked for their type only */
const OTHER_STRING_LISTS = ['allowed_http_hosts', 'files', 'exclude_files', 'ai_models'];
/** `pkg:name/interface@1.2.3`, `pkg:name@1.2.3` or a plain interface name */
const DEPENDENCY_NAME = /^([a-z][a-z0-9-]*:[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?(@[0-9][0-9A-Za-z.+-]*)?|[a-z][a-z0-9-]*)$/;

/**
 * Reads manifest text the way Spin does and reports every problem (not only the first), with the
 * local host's own limits apart: the host refuses on any of either (parseManifest), `npm run
 * validate` reports both and adds the project's checks. `path` locates relative sources.
 */
export function readManifest(text: string, path: string): ManifestReading {
  const abs = resolve(path);
  const r = new ManifestReader();
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    const where = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : '';
    r.error('', `not valid TOML${where}: ${(err as Error).message.split('\n')[0]}`);
    return r.reading(null);
  }
  const version = doc.spin_manifest_version;
  if (version === undefined) r.error('spin_manifest_version', 'is missing (expected 2)');
  else if (version !== 2 && version !== '2') r.error('spin_manifest_version', `must be 2 (the Spin 2/3 format), got ${JSON.stringify(version)}`);
  if (r.problems.length > 0) return r.reading(null);
  r.unknownFields(doc, TOP_LEVEL, '');
  const { name, version: appVersion } = r.application(doc.application);
  const variables = r.variables(doc.variables);
  const dir = dirname(abs);
  const components = new Map<string, ComponentManifest>();
  for (const [id, spec] of Object.entries(r.table(doc.component, '[component]', 'a table of components'))) {
    const component = r.component(id, spec, variables, dir);
    if (component !== null) components.set(id, component);
  }
  const triggers = r.triggers(doc.trigger, components);
  return r.reading({ path: abs, dir, name, version: appVersion, variables, triggers, components });
}

/** One reading's problems, and readers that report what is wrong and return what they could read. */
class ManifestReader {
  readonly problems: ManifestProblem[] = [];
  readonly hostLimits: ManifestProblem[] = [];

  reading(manifest: AppManifest | null): ManifestReading {
    return { manifest, problems: this.problems, hostLimits: this.hostLimits };
  }

  error(at: string, message: string): void {
    this.problems.push({ severity: 'error', at, message });
  }

  warn(at: string, message: string): void {
    this.problems.push({ severity: 'warning', at, message });
  }

  /** valid for Spin, beyond the local host */
  limit(at: string, message: string): void {
    this.hostLimits.push({ severity: 'error', at, message });
  }

  unknownFields(table: Table, allowed: readonly string[], at: string): void {
    for (const key of Object.keys(table)) {
      if (!allowed.includes(key)) this.error(at === '' ? key : `${at}.${key}`, `is not a field Spin knows (${at === '' ? 'top level' : at}: ${allowed.join(', ')})`);
    }
  }

  str(value: unknown, at: string): string | undefined {
    if (value === undefined || typeof value === 'string') return value;
    this.error(at, `must be a string, got ${describe(value)}`);
    return undefined;
  }

  strList(value: unknown, at: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.error(at, `must be an array of strings, got ${describe(value)}`);
      return [];
    }
    return value.flatMap((item, i) => this.str(item, `${at}[${i}]`) ?? []);
  }

  strTable(value: unknown, at: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (value !== undefined && !isTable(value)) this.error(at, `must be a table of strings, got ${describe(value)}`);
    else for (const [k, v] of Object.entries(value ?? {})) {
      const text = this.str(v, `${at}.${k}`);
      if (text !== undefined) out[k] = text;
    }
    return out;
  }

  table(value: unknown, at: string, what: string): Table {
    if (value === undefined) return {};
    if (isTable(value)) return value;
    this.error(at, `must be ${what}`);
    return {};
  }

  /** the names a template refers to, each checked and declared */
  template(template: string, at: string, variables: ReadonlyMap<string, AppVariable>): void {
    for (const ref of templateReferences(template, at, (where, problem) => this.error(where, problem))) {
      if (!variables.has(ref)) this.error(at, `refers to {{ ${ref} }}, which is not declared in [variables]`);
    }
  }

  application(application: unknown): { name: string; version: string | undefined } {
    if (!isTable(application)) {
      this.error('[application]', 'is missing');
      return { name: '', version: undefined };
    }
    this.unknownFields(application, APPLICATION, 'application');
    const name = this.str(application.name, 'application.name') ?? '';
    if (application.name === undefined || name === '') this.error('application.name', 'must be a string naming the app');
    this.str(application.description, 'application.description');
    this.strList(application.authors, 'application.authors');
    return { name, version: this.str(application.version, 'application.version') };
  }

  variables(table: unknown): Map<string, AppVariable> {
    const variables = new Map<string, AppVariable>();
    for (const [varName, spec] of Object.entries(this.table(table, '[variables]', 'a table of variables'))) {
      const at = `variables.${varName}`;
      const problem = variableNameProblem(varName);
      if (problem) this.error(at, `has an invalid name: a variable name ${problem}`);
      if (!isTable(spec)) {
        this.error(at, 'must be a table like { default = "..." } or { required = true }');
        continue;
      }
      this.unknownFields(spec, VARIABLE, at);
      const def = this.str(spec.default, `${at}.default`);
      this.str(spec.description, `${at}.description`);
      const required = spec.required ?? false;
      const secret = spec.secret ?? false;
      if (typeof required !== 'boolean') this.error(`${at}.required`, 'must be true or false');
      if (typeof secret !== 'boolean') this.error(`${at}.secret`, 'must be true or false');
      if (required === true && spec.default !== undefined) this.error(at, 'cannot have both a default and required = true');
      variables.set(varName, { default: def, required: required === true, secret: secret === true });
    }
    return variables;
  }

  component(id: string, spec: unknown, variables: ReadonlyMap<string, AppVariable>, dir: string): ComponentManifest | null {
    const at = `component.${id}`;
    if (!COMPONENT_ID.test(id)) this.error(at, 'has an invalid id: component ids are kebab-case (lowercase letters, digits, single hyphens)');
    if (!isTable(spec)) {
      this.error(at, 'must be a table');
      return null;
    }
    this.unknownFields(spec, COMPONENT, at);
    for (const field of OTHER_STRING_LISTS) this.strList(spec[field], `${at}.${field}`);
    const allowedOutboundHosts = this.strList(spec.allowed_outbound_hosts, `${at}.allowed_outbound_hosts`);
    allowedOutboundHosts.forEach((host, i) => this.template(host, `${at}.allowed_outbound_hosts[${i}]`, variables));
    const compVars = this.strTable(spec.variables, `${at}.variables`);
    for (const [varName, template] of Object.entries(compVars)) {
      const problem = variableNameProblem(varName);
      if (problem) this.error(`${at}.variables.${varName}`, `has an invalid name: a variable name ${problem}`);
      this.template(template, `${at}.variables.${varName}`, variables);
    }
    const sourceAsWritten = this.source(spec.source, `${at}.source`);
    return {
      id,
      source: resolve(dir, sourceAsWritten),
      sourceAsWritten,
      description: this.str(spec.description, `${at}.description`),
      environment: this.strTable(spec.environment, `${at}.environment`),
      variables: compVars,
      keyValueStores: this.strList(spec.key_value_stores, `${at}.key_value_stores`),
      sqliteDatabases: this.strList(spec.sqlite_databases, `${at}.sqlite_databases`),
      allowedOutboundHosts,
      dependencies: this.dependencies(spec.dependencies, `${at}.dependencies`, dir),
      buildCommand: this.buildCommand(spec.build, `${at}.build`),
    };
  }

  /** a local source as written ('' when there is none the host can run) */
  source(source: unknown, at: string): string {
    if (source === undefined) this.error(at, 'is missing');
    else if (isTable(source)) {
      if (typeof source.url !== 'string' || typeof source.digest !== 'string') this.error(at, 'must be a path to a .wasm file, or { url = "…", digest = "sha256:…" }');
      else this.limit(at, 'is a remote source (url); the local host only runs local files');
    } else if (source === '') this.error(at, 'must name a .wasm file');
    else return this.str(source, at) ?? '';
    return '';
  }

  dependencies(table: unknown, at: string, dir: string): ComponentDependency[] {
    const dependencies: ComponentDependency[] = [];
    for (const [imp, dep] of Object.entries(this.table(table, at, 'a table'))) {
      const depAt = `${at}."${imp}"`;
      if (!DEPENDENCY_NAME.test(imp)) this.error(depAt, 'must name an interface like "package:name/interface" or "package:name/interface@1.0.0"');
      if (typeof dep === 'string') {
        this.limit(depAt, 'is a registry dependency; the local host plugs in local files only ({ path = "..." })');
        continue;
      }
      if (!isTable(dep)) {
        this.error(depAt, 'must be a version string or a table');
        continue;
      }
      this.unknownFields(dep, DEPENDENCY, depAt);
      const kinds = ['path', 'url', 'version', 'component'].filter((k) => dep[k] !== undefined);
      if (kinds.length !== 1) this.error(depAt, 'needs exactly one of path, url (+ digest), version (registry) or component');
      if (dep.url !== undefined && typeof dep.digest !== 'string') this.error(depAt, 'a url dependency needs its digest');
      const depPath = this.str(dep.path, `${depAt}.path`);
      if (depPath === undefined) {
        if (kinds.length === 1) this.limit(depAt, `is a ${kinds[0]} dependency; the local host plugs in local files only ({ path = "..." })`);
        continue;
      }
      if (!imp.includes('/')) this.limit(depAt, 'names a whole package; the local host plugs in one interface per entry ("package:name/interface")');
      dependencies.push({ import: imp, source: resolve(dir, depPath), export: this.str(dep.export, `${depAt}.export`) });
    }
    return dependencies;
  }

  /** `[component.x.build]`'s command (a list of commands joined with &&) */
  buildCommand(build: unknown, at: string): string | undefined {
    if (build === undefined) return undefined;
    const table = this.table(build, at, 'a table');
    this.unknownFields(table, BUILD, at);
    this.strList(table.watch, `${at}.watch`);
    const command = table.command;
    if (typeof command === 'string') return command;
    if (Array.isArray(command) && command.every((c) => typeof c === 'string')) return command.join(' && ');
    if (isTable(build)) this.error(`${at}.command`, 'is missing: the command (or list of commands) that builds the component');
    return undefined;
  }

  triggers(table: unknown, components: ReadonlyMap<string, ComponentManifest>): HttpTrigger[] {
    const triggerTable = this.table(table, '[trigger]', 'a table of trigger types');
    for (const type of Object.keys(triggerTable)) if (type !== 'http') this.limit(`[[trigger.${type}]]`, 'is not supported by the local host (only HTTP triggers)');
    const http = triggerTable.http ?? [];
    if (!Array.isArray(http)) {
      this.error('trigger.http', 'must be an array of tables ([[trigger.http]])');
      return [];
    }
    if (http.length === 0) this.error('[[trigger.http]]', 'is missing: the application has no HTTP routes');
    const triggers: HttpTrigger[] = [];
    const routed = new Set<string>();
    (http as unknown[]).forEach((spec, index) => {
      const trigger = this.httpTrigger(spec, index, components);
      if (trigger === null) return;
      if (trigger.route !== undefined) {
        if (routed.has(trigger.route)) this.warn(`trigger.http[${index}].route`, `"${trigger.route}" is routed twice: Spin serves the first and ignores this one`);
        routed.add(trigger.route);
      }
      triggers.push(trigger);
    });
    const reachable = new Set(triggers.map((t) => t.component));
    for (const id of components.keys()) if (!reachable.has(id)) this.warn(`component.${id}`, 'has no trigger routing to it');
    return triggers;
  }

  httpTrigger(spec: unknown, index: number, components: ReadonlyMap<string, ComponentManifest>): HttpTrigger | null {
    const at = `trigger.http[${index}]`;
    if (!isTable(spec)) {
      this.error(at, 'must be a table');
      return null;
    }
    this.unknownFields(spec, HTTP_TRIGGER, at);
    const executor = spec.executor;
    if (executor !== undefined && (!isTable(executor) || executor.type !== 'spin')) this.limit(`${at}.executor`, 'is not supported by the local host (only the default Spin executor)');
    let route: string | undefined;
    if (isTable(spec.route)) {
      if (spec.route.private !== true) this.error(`${at}.route`, 'must be a path string or { private = true }');
    } else {
      route = this.str(spec.route, `${at}.route`);
      if (spec.route === undefined) this.error(`${at}.route`, 'is missing');
      const problem = route === undefined ? undefined : routeProblem(route);
      if (problem) this.error(`${at}.route`, `"${route}" ${problem}`);
    }
    if (isTable(spec.component)) {
      this.limit(`${at}.component`, 'is an inline component; the local host runs components declared as [component.<id>]');
      return null;
    }
    const component = this.str(spec.component, `${at}.component`);
    if (spec.component === undefined) this.error(`${at}.component`, 'is missing: the id of the component this route runs');
    else if (component !== undefined && !components.has(component)) this.error(`${at}.component`, `refers to "${component}", which has no [component.${component}]`);
    if (component === undefined || (route === undefined && !isTable(spec.route))) return null;
    return { route, component, index };
  }
}

/** Parses manifest text for the local host: any problem Spin has with it, or any host limit, refuses it, naming each. */
export function parseManifest(text: string, path: string): AppManifest {
  const abs = resolve(path);
  const { manifest, problems, hostLimits } = readManifest(text, abs);
  const refused = [...problems.filter((p) => p.severity === 'error'), ...hostLimits];
  if (manifest === null || refused.length > 0) {
    throw new HostError('bad-manifest', `${abs}: ${refused.map((p) => (p.at === '' ? p.message : `${p.at} ${p.message}`)).join('; ')}`);
  }
  return manifest;
}

/** Why a route string is not a Spin route, or undefined. */
export function routeProblem(route: string): string | undefined {
  if (!route.startsWith('/')) return 'must start with "/"';
  if (/[?#\s]/.test(route)) return 'must not contain "?", "#" or whitespace';
  const segments = route.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === '' && i !== segments.length - 1) return 'must not have an empty segment ("//")';
    if (seg === '...' && i !== segments.length - 1) return 'may use "..." only as its last segment';
    if (seg.startsWith(':') && !/^:[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) return `has an invalid parameter segment "${seg}"`;
  }
  return undefined;
}

const TEMPLATE_PART = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The application variables a template like `"Bearer {{ auth_token }}"` refers to; `report` hears what is wrong with it. */
export function templateReferences(template: string, at: string, report: (at: string, problem: string) => void): string[] {
  const refs: string[] = [];
  for (const m of template.matchAll(TEMPLATE_PART)) {
    const ref = m[1]!;
    const problem = variableNameProblem(ref);
    if (problem) report(at, `has an invalid template reference {{ ${ref} }}: a variable name ${problem}`);
    else refs.push(ref);
  }
  const rest = template.replace(TEMPLATE_PART, '');
  if (rest.includes('{{') || rest.includes('}}')) report(at, `has an unbalanced template: ${JSON.stringify(template)}`);
  return refs;
}

/** Replaces each `{{ name }}` with `lookup(name)`. */
export function expandTemplate(template: string, lookup: (name: string) => string): string {
  return template.replace(TEMPLATE_PART, (_, ref: string) => lookup(ref));
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a table' : `${typeof value} ${JSON.stringify(value)}`;
}
