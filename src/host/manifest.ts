// The Spin application manifest (`spin_manifest_version = 2`, the format of Spin 2 and 3), parsed
// with smol-toml and validated into plain data. Every error names the manifest file and the field.
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

/** Parses manifest text; `path` locates relative sources and names the file in errors. */
export function parseManifest(text: string, path: string): AppManifest {
  const abs = resolve(path);
  const fail = (field: string, problem: string): never => {
    throw new HostError('bad-manifest', `${abs}: ${field} ${problem}`);
  };
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    const where = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : '';
    throw new HostError('bad-manifest', `${abs}: not valid TOML${where}: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }

  const version = doc.spin_manifest_version;
  if (version === undefined) fail('spin_manifest_version', 'is missing (expected 2)');
  if (version !== 2 && version !== '2') {
    fail('spin_manifest_version', `must be 2 (the Spin 2/3 format), got ${JSON.stringify(version)}`);
  }

  const str = (value: unknown, field: string): string =>
    typeof value === 'string' ? value : fail(field, `must be a string, got ${describe(value)}`);
  const optStr = (value: unknown, field: string): string | undefined => (value === undefined ? undefined : str(value, field));
  const strList = (value: unknown, field: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return fail(field, `must be an array of strings, got ${describe(value)}`);
    return value.map((item, i) => str(item, `${field}[${i}]`));
  };
  const strTable = (value: unknown, field: string): Record<string, string> => {
    if (value === undefined) return {};
    if (!isTable(value)) return fail(field, `must be a table of strings, got ${describe(value)}`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) out[k] = str(v, `${field}.${k}`);
    return out;
  };

  const application = doc.application;
  if (!isTable(application)) return fail('[application]', 'is missing');
  const name = str(application.name, 'application.name');
  const appVersion = optStr(application.version, 'application.version');
  if (application.trigger !== undefined) {
    fail('application.trigger', 'is Spin 1 syntax; spin_manifest_version 2 has no application-level trigger settings');
  }

  const variables = new Map<string, AppVariable>();
  const varsTable = doc.variables ?? {};
  if (!isTable(varsTable)) fail('[variables]', 'must be a table');
  for (const [varName, spec] of Object.entries(varsTable as Table)) {
    const field = `variables.${varName}`;
    const problem = variableNameProblem(varName);
    if (problem) fail(field, `has an invalid name: a variable name ${problem}`);
    if (!isTable(spec)) return fail(field, `must be a table like { default = "..." } or { required = true }`);
    for (const key of Object.keys(spec)) {
      if (!['default', 'required', 'secret', 'description'].includes(key)) fail(`${field}.${key}`, 'is not a known field');
    }
    const def = optStr(spec.default, `${field}.default`);
    const required = spec.required ?? false;
    const secret = spec.secret ?? false;
    if (typeof required !== 'boolean') fail(`${field}.required`, 'must be a boolean');
    if (typeof secret !== 'boolean') fail(`${field}.secret`, 'must be a boolean');
    if (required && def !== undefined) fail(field, 'cannot have both a default and required = true');
    variables.set(varName, { default: def, required: required as boolean, secret: secret as boolean });
  }

  const dir = dirname(abs);
  const components = new Map<string, ComponentManifest>();
  const compTable = doc.component ?? {};
  if (!isTable(compTable)) fail('[component]', 'must be a table of components');
  for (const [id, spec] of Object.entries(compTable as Table)) {
    const field = `component.${id}`;
    if (!COMPONENT_ID.test(id)) fail(field, 'has an invalid id: component ids are kebab-case (lowercase letters, digits, single hyphens)');
    if (!isTable(spec)) return fail(field, 'must be a table');
    const source = spec.source;
    if (source === undefined) fail(`${field}.source`, 'is missing');
    if (isTable(source)) {
      fail(`${field}.source`, 'is a remote source (url/registry); the local host only runs local files');
    }
    const sourceAsWritten = str(source, `${field}.source`);
    const environment = strTable(spec.environment, `${field}.environment`);
    const compVars = strTable(spec.variables, `${field}.variables`);
    for (const [varName, template] of Object.entries(compVars)) {
      const problem = variableNameProblem(varName);
      if (problem) fail(`${field}.variables.${varName}`, `has an invalid name: a variable name ${problem}`);
      const refs = templateReferences(template, `${field}.variables.${varName}`, fail);
      for (const ref of refs) {
        if (!variables.has(ref)) {
          fail(`${field}.variables.${varName}`, `refers to {{ ${ref} }}, which is not declared in [variables]`);
        }
      }
    }
    const dependencies: ComponentDependency[] = [];
    const deps = spec.dependencies ?? {};
    if (!isTable(deps)) fail(`${field}.dependencies`, 'must be a table');
    for (const [imp, dep] of Object.entries(deps as Table)) {
      const depField = `${field}.dependencies."${imp}"`;
      if (!/^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?(@[0-9A-Za-z.+-]+)?$/.test(imp)) {
        fail(depField, 'must name an interface like "package:name/interface" or "package:name/interface@1.0.0"');
      }
      if (!imp.includes('/')) fail(depField, 'names a whole package; the local host plugs in one interface per entry ("package:name/interface")');
      if (!isTable(dep) || typeof dep.path !== 'string') {
        fail(depField, 'must be { path = "..." } (registry/url dependencies need a real Spin)');
      }
      const depSpec = dep as Table;
      dependencies.push({
        import: imp,
        source: resolve(dir, depSpec.path as string),
        export: optStr(depSpec.export, `${depField}.export`),
      });
    }
    const build = spec.build;
    if (build !== undefined && !isTable(build)) fail(`${field}.build`, 'must be a table');
    components.set(id, {
      id,
      source: resolve(dir, sourceAsWritten),
      sourceAsWritten,
      description: optStr(spec.description, `${field}.description`),
      environment,
      variables: compVars,
      keyValueStores: strList(spec.key_value_stores, `${field}.key_value_stores`),
      sqliteDatabases: strList(spec.sqlite_databases, `${field}.sqlite_databases`),
      allowedOutboundHosts: strList(spec.allowed_outbound_hosts, `${field}.allowed_outbound_hosts`),
      dependencies,
      buildCommand: isTable(build) ? optStr(build.command, `${field}.build.command`) : undefined,
    });
  }

  const triggers: HttpTrigger[] = [];
  const triggerTable = doc.trigger ?? {};
  if (!isTable(triggerTable)) fail('[trigger]', 'must be a table');
  for (const type of Object.keys(triggerTable as Table)) {
    if (type !== 'http') fail(`[[trigger.${type}]]`, 'is not supported by the local host (only HTTP triggers)');
  }
  const http = (triggerTable as Table).http ?? [];
  if (!Array.isArray(http)) fail('trigger.http', 'must be an array of tables ([[trigger.http]])');
  (http as unknown[]).forEach((spec, index) => {
    const field = `trigger.http[${index}]`;
    if (!isTable(spec)) return fail(field, 'must be a table');
    const component = spec.component;
    if (isTable(component)) fail(`${field}.component`, 'is an inline component; declare it as [component.<id>] and refer to its id');
    const componentId = str(component, `${field}.component`);
    if (!components.has(componentId)) fail(`${field}.component`, `refers to "${componentId}", which has no [component.${componentId}]`);
    const executor = spec.executor;
    if (executor !== undefined) {
      if (!isTable(executor) || executor.type !== 'spin') {
        fail(`${field}.executor`, 'is not supported by the local host (only the default Spin executor)');
      }
    }
    const route = spec.route;
    if (isTable(route)) {
      if (route.private !== true) fail(`${field}.route`, 'must be a path string or { private = true }');
      triggers.push({ route: undefined, component: componentId, index });
      return;
    }
    const path = str(route, `${field}.route`);
    const problem = routeProblem(path);
    if (problem) fail(`${field}.route`, `"${path}" ${problem}`);
    triggers.push({ route: path, component: componentId, index });
  });
  if (triggers.length === 0) fail('[[trigger.http]]', 'is missing: the application has no HTTP routes');

  return { path: abs, dir, name, version: appVersion, variables, triggers, components };
}

/** Why a route string is not a Spin route, or undefined. */
export function routeProblem(route: string): string | undefined {
  if (!route.startsWith('/')) return 'must start with "/"';
  if (/[?#\s]/.test(route)) return 'must not contain "?", "#" or whitespace';
  const segments = route.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === '...' && i !== segments.length - 1) return 'may use "..." only as its last segment';
    if (seg.startsWith(':') && !/^:[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) return `has an invalid parameter segment "${seg}"`;
  }
  return undefined;
}

const TEMPLATE_PART = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The application variables a template like `"Bearer {{ auth_token }}"` refers to. */
export function templateReferences(
  template: string,
  field: string,
  fail: (field: string, problem: string) => never = (f, p) => {
    throw new HostError('bad-manifest', `${f} ${p}`);
  },
): string[] {
  const refs: string[] = [];
  for (const m of template.matchAll(TEMPLATE_PART)) {
    const ref = m[1]!;
    const problem = variableNameProblem(ref);
    if (problem) fail(field, `has an invalid template reference {{ ${ref} }}: a variable name ${problem}`);
    refs.push(ref);
  }
  const rest = template.replace(TEMPLATE_PART, '');
  if (rest.includes('{{') || rest.includes('}}')) fail(field, `has an unbalanced template: ${JSON.stringify(template)}`);
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
