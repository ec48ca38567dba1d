// Spin variables: templates over application variables, defaults, SPIN_VARIABLE_ overrides,
// required ones, and the component-facing `get` errors.
import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/errors.ts';
import { parseManifest } from '../../src/host/manifest.ts';
import { getVariable, VariablesError } from '../../src/host/variables/index.ts';
import { envName, resolveAppVariables, resolveComponentVariables } from '../../src/host/variables/resolve.ts';

const manifest = (variables: string, componentVars: string) =>
  parseManifest(
    `spin_manifest_version = 2
[application]
name = "t"
[variables]
${variables}
[[trigger.http]]
route = "/..."
component = "c"
[component.c]
source = "c.wasm"
[component.c.variables]
${componentVars}
[component.d]
source = "c.wasm"
`,
    '/app/spin.toml',
  );

describe('resolveComponentVariables', () => {
  const m = manifest(
    `auth_token = { default = "" }
topology = { default = "grid" }
region = { default = "local" }`,
    `agent_id = "3"
auth_token = "{{ auth_token }}"
topology = "{{topology}}"
where = "{{ region }}/{{ topology }}"`,
  );

  it('expands templates from application defaults', () => {
    expect(resolveComponentVariables(m, {}).get('c')).toEqual({ agent_id: '3', auth_token: '', topology: 'grid', where: 'local/grid' });
    expect(resolveComponentVariables(m, {}).get('d')).toEqual({});
  });

  it('lets SPIN_VARIABLE_<NAME> override an application variable, as Spin’s env provider does', () => {
    const vars = resolveComponentVariables(m, { SPIN_VARIABLE_AUTH_TOKEN: 's3cret', SPIN_VARIABLE_TOPOLOGY: 'ring' }).get('c');
    expect(vars).toEqual({ agent_id: '3', auth_token: 's3cret', topology: 'ring', where: 'local/ring' });
    expect(envName('auth_token')).toBe('SPIN_VARIABLE_AUTH_TOKEN');
  });

  it('fails at startup when a required variable has no value, naming the env var to set', () => {
    const r = manifest('token = { required = true }', 'token = "{{ token }}"');
    expect(() => resolveComponentVariables(r, {})).toThrow(HostError);
    expect(() => resolveComponentVariables(r, {})).toThrow(/required variable "token" has no value: set SPIN_VARIABLE_TOKEN/);
    expect(resolveComponentVariables(r, { SPIN_VARIABLE_TOKEN: 't' }).get('c')).toEqual({ token: 't' });
  });

  it('fails when a template uses a variable with neither default nor value', () => {
    const r = manifest('token = {}', 'token = "{{ token }}"');
    expect(resolveAppVariables(r, {}).get('token')).toBeUndefined();
    expect(() => resolveComponentVariables(r, {})).toThrow(/component\.c\.variables\.token uses \{\{ token \}\}, which has no value/);
  });
});

describe('variables.get', () => {
  const vars = { agent_id: '0', auth_token: '' };
  const payload = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(VariablesError);
      return (err as VariablesError).payload;
    }
    throw new Error('expected an error');
  };

  it('returns the component’s value, empty strings included', () => {
    expect(getVariable(vars, 'agent_id')).toBe('0');
    expect(getVariable(vars, 'auth_token')).toBe('');
  });

  it('answers undefined for a name the component does not have', () => {
    expect(payload(() => getVariable(vars, 'topology'))).toMatchObject({ tag: 'undefined' });
    expect(payload(() => getVariable(undefined, 'agent_id'))).toMatchObject({ tag: 'undefined' });
    expect(payload(() => getVariable(vars, 'constructor'))).toMatchObject({ tag: 'undefined' });
  });

  it.each(['Agent_id', 'agent-id', '_agent', 'agent_', 'agent__id', '', '9lives'])('answers invalid-name for %j', (name) => {
    expect(payload(() => getVariable(vars, name))).toMatchObject({ tag: 'invalid-name' });
  });
});
