// spin.toml cannot be run with a real `spin` here, so it is checked against the version-2 manifest
// format as Spin's manifest reference documents it (developer.fermyon.com/spin/v3/manifest-reference,
// spinframework/spin-docs content/v3/manifest-reference.md): the fields each table may hold, the
// required ones, kebab-case component ids, string-only variables that have a default or are
// required, templates that name declared variables, and "default" as the only key-value store.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { spinManifest } from '../../scripts/gen-spin-toml.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const text = readFileSync(resolve(ROOT, 'spin.toml'), 'utf8');
type Table = Record<string, unknown>;
const manifest = parse(text) as Table;

// Field sets from the manifest reference (version 2).
const TOP_LEVEL = ['spin_manifest_version', 'application', 'variables', 'trigger', 'component'];
const APPLICATION = ['name', 'version', 'description', 'authors', 'trigger'];
const VARIABLE = ['description', 'default', 'required', 'secret'];
const HTTP_TRIGGER = ['route', 'component', 'executor'];
const COMPONENT = [
  'description', 'source', 'files', 'exclude_files', 'allowed_http_hosts', 'allowed_outbound_hosts',
  'key_value_stores', 'environment', 'build', 'variables', 'dependencies_inherit_configuration', 'dependencies',
  'sqlite_databases', 'ai_models',
];
const BUILD = ['command', 'workdir', 'watch'];
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;
const SEMVER = /^\d+\.\d+\.\d+$/;

const table = (x: unknown): Table => {
  expect(x).toBeTypeOf('object');
  expect(Array.isArray(x)).toBe(false);
  return x as Table;
};
const onlyKeys = (t: Table, allowed: string[], where: string) =>
  expect(Object.keys(t).filter((k) => !allowed.includes(k)), `unknown fields in ${where}`).toEqual([]);

describe('spin.toml', () => {
  it('is what scripts/gen-spin-toml.ts generates for nine agents (regenerate, do not hand-edit)', () => {
    expect(text).toBe(spinManifest({ agents: 9 }));
  });

  it('has the version-2 top level and application table', () => {
    onlyKeys(manifest, TOP_LEVEL, 'the top level');
    expect(manifest.spin_manifest_version).toBe(2);
    const app = table(manifest.application);
    onlyKeys(app, APPLICATION, '[application]');
    expect(app.name).toBe('crdt-agents-network');
    expect(app.version).toMatch(SEMVER);
  });

  it('declares variables with lowercase names, string defaults or required = true', () => {
    for (const [name, raw] of Object.entries(table(manifest.variables))) {
      expect(name).toMatch(VARIABLE_NAME);
      const v = table(raw);
      onlyKeys(v, VARIABLE, `[variables.${name}]`);
      if (v.required === true) expect(v.default).toBeUndefined();
      else expect(v.default).toBeTypeOf('string');
    }
  });

  it('routes /health, /metrics and /api/... to the api component, /dashboard/... to the dashboard, /agent/<n>/... to agent-<n>', () => {
    const http = (table(manifest.trigger).http as Table[]).map((t) => {
      onlyKeys(t, HTTP_TRIGGER, '[[trigger.http]]');
      return [t.route, t.component];
    });
    expect(http).toEqual([
      ['/health', 'api'],
      ['/metrics', 'api'],
      ['/api/...', 'api'],
      ['/dashboard/...', 'dashboard'],
      ...Array.from({ length: 9 }, (_, n) => [`/agent/${n}/...`, `agent-${n}`]),
    ]);
  });

  it('gives every component a source, a build and only documented fields', () => {
    const components = table(manifest.component);
    const declared = Object.keys(table(manifest.variables));
    for (const [id, raw] of Object.entries(components)) {
      expect(id).toMatch(KEBAB);
      const c = table(raw);
      onlyKeys(c, COMPONENT, `[component.${id}]`);
      expect(c.source).toMatch(/^dist\/[a-z]+\.wasm$/);
      onlyKeys(table(c.build), BUILD, `[component.${id}.build]`);
      expect(table(c.build).command).toBe('npm run build');
      for (const store of (c.key_value_stores as string[] | undefined) ?? []) expect(store).toBe('default');
      for (const [name, value] of Object.entries(table(c.variables ?? {}))) {
        expect(name).toMatch(VARIABLE_NAME);
        expect(value).toBeTypeOf('string');
        for (const [, ref] of (value as string).matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)) expect(declared).toContain(ref);
      }
    }
  });

  it('configures agent-<n> with agent_id n, the agent count and the default store', () => {
    const components = table(manifest.component);
    for (let n = 0; n < 9; n++) {
      const c = table(components[`agent-${n}`]);
      expect(c.source).toBe('dist/agent.wasm');
      expect(c.key_value_stores).toEqual(['default']);
      expect(table(c.variables)).toMatchObject({ agent_id: String(n), agent_count: '9' });
    }
  });
});
