// The local host and `npm run validate` read spin.toml with one parser (src/host/manifest.ts): a
// manifest validate passes, the host runs, and each refuses the same bad manifests for the same
// reason. Once they disagreed: validate passed `foo_`, `a__b`, `{{ a b }}` and `/a//b`.
import { describe, expect, it } from 'vitest';
import { HostError, parseManifest } from '../../src/host/index.ts';
import { checkSpinManifest } from '../../scripts/validate/spin-manifest.ts';
import { formatProblem, Report } from '../../scripts/validate/index.ts';

const PATH = '/app/spin.toml';
const GOOD = `spin_manifest_version = 2
[application]
name = "app"
version = "1.0.0"
[variables]
region = { default = "local" }
[[trigger.http]]
route = "/agent/0/..."
component = "agent-0"
[component.agent-0]
source = "dist/agent.wasm"
[component.agent-0.variables]
agent_id = "0"
region = "{{ region }}"
`;

/** [what is wrong, the manifest, where, what both say] */
const BAD: [string, string, string, string][] = [
  ['a variable name ending in "_"', GOOD.replace('region = { default', 'region_ = { default').replace('{{ region }}', '{{ region_ }}'), 'variables.region_', 'must end with a lowercase letter or digit'],
  ['a variable name with "__"', GOOD.replace('region = { default', 'a__b = { default').replace('{{ region }}', '{{ a__b }}'), 'variables.a__b', 'must not contain consecutive underscores'],
  ['a template of two words', GOOD.replace('{{ region }}', '{{ region zone }}'), 'component.agent-0.variables.region', 'has an invalid template reference {{ region zone }}'],
  ['a route with an empty segment', GOOD.replace('"/agent/0/..."', '"/agent//0/..."'), 'trigger.http[0].route', 'must not have an empty segment'],
  ['an unknown component field', GOOD.replace('source =', 'sorce = "x"\nsource ='), 'component.agent-0.sorce', 'is not a field Spin knows'],
  ['a template of an undeclared variable', GOOD.replace('{{ region }}', '{{ zone }}'), 'component.agent-0.variables.region', 'refers to {{ zone }}, which is not declared in [variables]'],
  ['an unbalanced template', GOOD.replace('{{ region }}', '{{ region }'), 'component.agent-0.variables.region', 'has an unbalanced template'],
  ['a component id not in kebab-case', GOOD.replaceAll('agent-0', 'Agent_0'), 'component.Agent_0', 'has an invalid id'],
  ['a route to no component', GOOD.replace('component = "agent-0"', 'component = "agent-9"'), 'trigger.http[0].component', 'refers to "agent-9", which has no [component.agent-9]'],
];

function hostRefusal(text: string): string {
  try {
    parseManifest(text, PATH);
  } catch (err) {
    expect(err).toBeInstanceOf(HostError);
    return (err as Error).message;
  }
  throw new Error('the host ran a manifest it should refuse');
}

function validateLines(text: string): string[] {
  const report = new Report();
  checkSpinManifest(report, 'spin.toml', text, PATH);
  return report.problems.map(formatProblem);
}

describe('one Spin-manifest parser for the host and validate', () => {
  it('both take the good manifest', () => {
    expect(parseManifest(GOOD, PATH).components.get('agent-0')?.variables).toEqual({ agent_id: '0', region: '{{ region }}' });
    expect(validateLines(GOOD)).toEqual([]);
  });

  it.each(BAD)('both refuse %s, naming the field the same way', (_what, text, at, message) => {
    expect(hostRefusal(text)).toContain(`${at} `);
    expect(hostRefusal(text)).toContain(message);
    const lines = validateLines(text);
    expect(lines.some((l) => l.startsWith(`error: spin.toml ${at}: `) && l.includes(message)), lines.join('\n')).toBe(true);
  });

  it('what Spin runs but the local host cannot: the host refuses it, validate warns', () => {
    const remote = GOOD.replace('source = "dist/agent.wasm"', 'source = { url = "https://example.com/agent.wasm", digest = "sha256:00" }');
    expect(hostRefusal(remote)).toContain('component.agent-0.source is a remote source');
    const lines = validateLines(remote);
    expect(lines).toEqual([expect.stringMatching(/^warning: spin\.toml component\.agent-0\.source: is a remote source .*npm start cannot serve this manifest/)]);
  });

  it('reports every problem, not only the first', () => {
    const text = GOOD.replace('{{ region }}', '{{ zone }}').replace('"/agent/0/..."', '"/agent//0/..."');
    const message = hostRefusal(text);
    expect(message).toContain('refers to {{ zone }}');
    expect(message).toContain('must not have an empty segment');
    const errors = validateLines(text).filter((l) => l.startsWith('error:'));
    expect(errors.some((l) => l.includes('refers to {{ zone }}')) && errors.some((l) => l.includes('must not have an empty segment')), errors.join('\n')).toBe(true);
  });
});
