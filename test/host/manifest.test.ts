// The Spin manifest: what parses, and errors that name the bad field.
import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/errors.ts';
import { parseManifest } from '../../src/host/manifest.ts';

const PATH = '/app/spin.toml';

const GOOD = `
spin_manifest_version = 2
[application]
name = "crdt-agents-network"
version = "0.1.0"
[variables]
auth_token = { default = "" }
topology = { default = "grid" }
secret_key = { required = true, secret = true }
[[trigger.http]]
route = "/agent/0/..."
component = "agent-0"
[[trigger.http]]
route = { private = true }
component = "agent-0"
[component.agent-0]
source = "dist/agent.wasm"
key_value_stores = ["default"]
environment = { AGENT_ID = "0" }
allowed_outbound_hosts = []
[component.agent-0.variables]
agent_id = "0"
auth_token = "{{ auth_token }}"
label = "agent {{ agent_id_prefix }}-{{topology}}"
[component.agent-0.build]
command = "npm run build"
watch = ["src/**/*.ts"]
`.replace('{{ agent_id_prefix }}', '{{ topology }}');

function problem(text: string): string {
  try {
    parseManifest(text, PATH);
  } catch (err) {
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).code).toBe('bad-manifest');
    return (err as Error).message;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('parseManifest', () => {
  it('reads application, variables, triggers and components', () => {
    const m = parseManifest(GOOD, PATH);
    expect(m.name).toBe('crdt-agents-network');
    expect(m.version).toBe('0.1.0');
    expect(m.dir).toBe('/app');
    expect(m.variables.get('auth_token')).toEqual({ default: '', required: false, secret: false });
    expect(m.variables.get('secret_key')).toEqual({ default: undefined, required: true, secret: true });
    expect(m.triggers).toEqual([
      { route: '/agent/0/...', component: 'agent-0', index: 0 },
      { route: undefined, component: 'agent-0', index: 1 },
    ]);
    const c = m.components.get('agent-0')!;
    expect(c.source).toBe('/app/dist/agent.wasm');
    expect(c.sourceAsWritten).toBe('dist/agent.wasm');
    expect(c.keyValueStores).toEqual(['default']);
    expect(c.environment).toEqual({ AGENT_ID: '0' });
    expect(c.variables).toEqual({ agent_id: '0', auth_token: '{{ auth_token }}', label: 'agent {{ topology }}-{{topology}}' });
    expect(c.buildCommand).toBe('npm run build');
    expect(c.dependencies).toEqual([]);
  });

  it('resolves sources relative to the manifest directory', () => {
    const m = parseManifest(GOOD.replace('dist/agent.wasm', '../out/x.wasm'), '/work/app/spin.toml');
    expect(m.components.get('agent-0')!.source).toBe('/work/out/x.wasm');
  });

  it('reads local component dependencies', () => {
    const m = parseManifest(
      GOOD + `[component.agent-0.dependencies]\n"can:egraph/kernel@0.1.0" = { path = "dist/kernel.wasm" }\n`,
      PATH,
    );
    expect(m.components.get('agent-0')!.dependencies).toEqual([
      { import: 'can:egraph/kernel@0.1.0', source: '/app/dist/kernel.wasm', export: undefined },
    ]);
  });

  it.each([
    ['not TOML', 'spin_manifest_version = = 2', /not valid TOML \(line 1/],
    ['no version', GOOD.replace('spin_manifest_version = 2', ''), /spin_manifest_version is missing/],
    ['Spin 1 format', GOOD.replace('spin_manifest_version = 2', 'spin_manifest_version = "1"'), /spin_manifest_version must be 2/],
    ['no application name', GOOD.replace('name = "crdt-agents-network"', ''), /application\.name must be a string/],
    ['bad variable name', GOOD.replace('topology = {', 'Topology = {'), /variables\.Topology has an invalid name/],
    ['default and required', GOOD.replace('secret_key = { required = true, secret = true }', 'secret_key = { required = true, default = "x" }'), /variables\.secret_key cannot have both/],
    ['unknown variable field', GOOD.replace('topology = { default = "grid" }', 'topology = { value = "grid" }'), /variables\.topology\.value is not a field Spin knows/],
    ['route without component', GOOD.replace('component = "agent-0"\n[[trigger', 'component = "agent-9"\n[[trigger'), /trigger\.http\[0\]\.component refers to "agent-9", which has no \[component\.agent-9\]/],
    ['bad route', GOOD.replace('route = "/agent/0/..."', 'route = "agent/0"'), /trigger\.http\[0\]\.route "agent\/0" must start with "\/"/],
    ['wildcard not last', GOOD.replace('route = "/agent/0/..."', 'route = "/agent/.../x"'), /may use "\.\.\." only as its last segment/],
    ['missing source', GOOD.replace('source = "dist/agent.wasm"', ''), /component\.agent-0\.source is missing/],
    ['remote source', GOOD.replace('source = "dist/agent.wasm"', 'source = { url = "https://x/a.wasm", digest = "sha256:00" }'), /component\.agent-0\.source is a remote source/],
    ['bad component id', GOOD.replaceAll('agent-0', 'Agent_0'), /component\.Agent_0 has an invalid id/],
    ['stores not a list', GOOD.replace('key_value_stores = ["default"]', 'key_value_stores = "default"'), /component\.agent-0\.key_value_stores must be an array of strings/],
    ['environment not strings', GOOD.replace('environment = { AGENT_ID = "0" }', 'environment = { AGENT_ID = 0 }'), /component\.agent-0\.environment\.AGENT_ID must be a string/],
    ['template of an undeclared variable', GOOD.replace('"{{ auth_token }}"', '"{{ nope }}"'), /component\.agent-0\.variables\.auth_token refers to \{\{ nope \}\}, which is not declared in \[variables\]/],
    ['unbalanced template', GOOD.replace('"{{ auth_token }}"', '"{{ auth_token }"'), /component\.agent-0\.variables\.auth_token has an unbalanced template/],
    ['non-http trigger', GOOD + '[[trigger.redis]]\nchannel = "x"\ncomponent = "agent-0"\n', /\[\[trigger\.redis\]\] is not supported/],
    ['wagi executor', GOOD.replace('component = "agent-0"\n[[trigger', 'component = "agent-0"\nexecutor = { type = "wagi" }\n[[trigger'), /trigger\.http\[0\]\.executor is not supported/],
    ['no routes', GOOD.replace(/\[\[trigger\.http\]\][^[]*/g, ''), /\[\[trigger\.http\]\] is missing/],
    ['registry dependency', GOOD + `[component.agent-0.dependencies]\n"can:egraph/kernel" = "1.0.0"\n`, /dependencies\."can:egraph\/kernel" is a registry dependency; the local host plugs in local files only/],
  ])('rejects %s, naming the field', (_, text, message) => {
    const msg = problem(text);
    expect(msg).toMatch(message);
    expect(msg.startsWith(PATH)).toBe(true);
  });
});
