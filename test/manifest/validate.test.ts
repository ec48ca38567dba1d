// `npm run validate` catches what would break a deployment, and says where and why: each case
// breaks one thing in a copy of the committed files and expects the message that names it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatProblem, validateProject } from '../../scripts/validate/index.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** [what breaks, file, text to find, replacement, an error of the report that must appear (`warning: …`: a warning)] */
const CASES: [string, string, string | RegExp, string, string][] = [
  ['an agent with the wrong id', 'spin.toml', 'agent_id = "3"', 'agent_id = "4"', 'spin.toml [component.agent-3].variables.agent_id: must be "3", got "4"'],
  ['a misspelled component field', 'spin.toml', 'source = "dist/api.wasm"', 'sorce = "dist/api.wasm"', 'spin.toml component.api.sorce: is not a field Spin knows'],
  ['a template naming no variable', 'spin.toml', 'region = "{{ region }}"', 'region = "{{ regoin }}"', 'refers to {{ regoin }}, which is not declared in [variables]'],
  ['a variable default the agents refuse', 'spin.toml', /\[variables\.sync_interval\]\ndefault = "5000"/, '[variables.sync_interval]\ndefault = "fast"', 'variable sync_interval must be an integer (ms) between 10 and 3600000, got "fast"'],
  ['an outbound host the defaults make no URL of', 'spin.toml', /\[variables\.gateway_url\]\ndefault = "http:\/\/127\.0\.0\.1:3001"/, '[variables.gateway_url]\ndefault = "127.0.0.1:3001"', '(as the defaults make it: "127.0.0.1:3001") is not scheme://host[:port]'],
  ['a gateway_url the agents refuse', 'spin.toml', /\[variables\.gateway_url\]\ndefault = "http:\/\/127\.0\.0\.1:3001"/, '[variables.gateway_url]\ndefault = "http://127.0.0.1:3001/api"', 'variable gateway_url must be an http(s) origin'],
  ['a route served twice', 'spin.toml', 'route = "/metrics"', 'route = "/health"', 'warning: "/health" is routed twice: Spin serves the first'],
  ['a non-integer default', 'spin.toml', /\[variables\.region\]\ndefault = "local"/, '[variables.region]\ndefault = 7', 'variables.region.default: must be a string, got number 7'],
  ['an unknown topology', 'spin.toml', /\[variables\.topology\]\ndefault = "grid"/, '[variables.topology]\ndefault = "torus"', 'topology must be one of grid, ring, mesh, expander'],
  ['a gateway probe at a path it does not serve', 'k8s/gateway.yaml', 'path: /readyz', 'path: /ready', 'path /ready is not the gateway\'s /readyz'],
  ['a gateway ticking at another interval than the app', 'k8s/gateway.yaml', 'SYNC_INTERVAL: "5000"', 'SYNC_INTERVAL: "1000"', "SYNC_INTERVAL is 1000 but the app's sync_interval is 5000"],
  ['a gateway environment its parser refuses', 'k8s/gateway.yaml', 'LOG_LEVEL: info', 'LOG_LEVEL: loud', 'LOG_LEVEL: must be one of debug, info, warn, error'],
  ['gateway replicas without leases', 'k8s/gateway.yaml', 'OWNERSHIP: lease', 'OWNERSHIP: static', '4 replicas need OWNERSHIP=lease: otherwise each would deliver to every agent'],
  ['a Service port naming no container port', 'k8s/nats.yaml', 'targetPort: nats\n      appProtocol: tcp', 'targetPort: client\n      appProtocol: tcp', 'targetPort "client" is not a port of StatefulSet/nats\'s containers'],
  ['app replicas on a pod-local store', 'k8s/spinapp.yaml', 'replicas: 1', 'replicas: 3', 'more than one pod needs a shared key-value store'],
  ['a misspelled SpinApp field', 'k8s/spinapp.yaml', 'replicas: 1', 'replica: 1', 'spec must NOT have additional properties ("replica")'],
  ['an app probe at an unrouted path', 'k8s/spinapp.yaml', 'path: /health', 'path: /healthz', '/healthz is not routed by spin.toml'],
  ['a SpinApp variable spin.toml does not declare', 'k8s/spinapp.yaml', '- name: region', '- name: zone', 'zone is not a variable of spin.toml'],
  ['a container port that is not a number', 'k8s/gateway.yaml', 'containerPort: 8080', 'containerPort: "8080"', 'spec.template.spec.containers.0.ports.0.containerPort must be integer'],
  ['a NetworkPolicy selecting nothing', 'k8s/network-policy.yaml', /podSelector:\n    matchLabels:\n      app.kubernetes.io\/name: crdt-gateway/, 'podSelector:\n    matchLabels:\n      app.kubernetes.io/name: crdt-gatewya', 'podSelector {"app.kubernetes.io/name":"crdt-gatewya","app.kubernetes.io/part-of":"crdt-agents-network"} selects no pods'],
  ['a manifest the kustomization leaves out', 'k8s/kustomization.yaml', '  - gateway.yaml\n', '', 'does not list gateway.yaml'],
  ['NATS routes that do not match the replicas', 'k8s/nats.yaml', 'replicas: 3', 'replicas: 5', 'cluster routes'],
  ['a YAML syntax error', 'k8s/gateway.yaml', 'data:', 'data: [', 'not valid YAML'],
  ['a front door routing to no SpinApp', 'k8s/ingress.yaml', '    - backendRefs:\n        - name: crdt-agents-network', '    - backendRefs:\n        - name: crdt-agents', "backendRef crdt-agents is not a SpinApp's Service"],
  ['an agent without its rate limit', 'k8s/ingress.yaml', 'value: /agent/8/', 'value: /agent/80/', 'has per-agent limits but none for /agent/8/ (spin.toml has 9 agents)'],
  ['a rate limit in a unit Envoy Gateway does not have', 'k8s/ingress.yaml', 'unit: Second', 'unit: Fortnight', 'limit.unit must be equal to one of the allowed values'],
];

describe('npm run validate', () => {
  it.each(CASES)('reports %s', (_what, file, find, replace, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'can-validate-'));
    try {
      cpSync(join(ROOT, 'spin.toml'), join(dir, 'spin.toml'));
      cpSync(join(ROOT, 'k8s'), join(dir, 'k8s'), { recursive: true });
      const text = readFileSync(join(dir, file), 'utf8');
      const broken = text.replace(find, replace);
      expect(broken, `the case must change ${file}`).not.toBe(text);
      writeFileSync(join(dir, file), broken);
      const lines = validateProject(dir).report.problems.map(formatProblem);
      const [severity, wanted] = expected.startsWith('warning: ') ? ['warning', expected.slice('warning: '.length)] : ['error', expected];
      expect(lines.some((l) => l.startsWith(`${severity}:`) && l.includes(wanted)), `expected the ${severity} "${wanted}" in:\n${lines.join('\n')}`).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI exits 1 and prints the problem on a broken project, 0 on the committed one', async () => {
    const run = promisify(execFile);
    const ok = await run('npx', ['tsx', 'scripts/validate.ts'], { cwd: ROOT });
    expect(ok.stderr).toMatch(/validate: ok \(9 agents, grid, diameter 4/);
    const dir = mkdtempSync(join(tmpdir(), 'can-validate-'));
    try {
      cpSync(join(ROOT, 'k8s'), join(dir, 'k8s'), { recursive: true });
      const failed = await run('npx', ['tsx', 'scripts/validate.ts', '--root', dir], { cwd: ROOT }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('error: spin.toml: missing: run npm run gen');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
