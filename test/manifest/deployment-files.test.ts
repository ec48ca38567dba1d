// The committed spin.toml and k8s/ are the generator's 9-agent output (regenerate, never edit),
// and what the generator writes for other sizes and topologies validates too.
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { TOPOLOGY_KINDS } from '../../src/core/index.ts';
import { DEFAULT_SETTINGS, deploymentFiles, RUNTIME_CONFIG_FILE, type DeploymentSettings } from '../../scripts/manifests/index.ts';
import { formatProblem, validateProject } from '../../scripts/validate/index.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

function writeProject(settings: DeploymentSettings): string {
  const dir = mkdtempSync(join(tmpdir(), 'can-deploy-'));
  for (const [path, text] of deploymentFiles(settings)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('deployment files', () => {
  it('spin.toml and every k8s/ manifest are what `npm run gen` writes for nine agents on a grid', () => {
    const files = deploymentFiles(DEFAULT_SETTINGS);
    for (const [path, text] of files) expect(readFileSync(join(ROOT, path), 'utf8'), `${path} drifted: run npm run gen`).toBe(text);
    const committed = readdirSync(join(ROOT, 'k8s')).filter((f) => f.endsWith('.yaml')).map((f) => `k8s/${f}`);
    expect(committed.sort()).toEqual([...files.keys()].filter((p) => p.startsWith('k8s/')).sort());
    // a pod-local store needs no runtime config; one with a Redis password must not be committed
    expect(files.has(RUNTIME_CONFIG_FILE)).toBe(false);
  });

  it('the committed files validate with no error and no warning', () => {
    const { report, topology } = validateProject(ROOT);
    expect(report.problems.map(formatProblem)).toEqual([]);
    expect(topology).toMatchObject({ agents: 9, kind: 'grid', diameter: 4 });
  });

  it.each(TOPOLOGY_KINDS)('16 agents on a %s generate and validate (a mesh only warns: it has no proper 3-colouring)', (topology) => {
    const dir = writeProject({ ...DEFAULT_SETTINGS, agents: 16, topology });
    try {
      const { report } = validateProject(dir);
      expect(report.errors.map(formatProblem)).toEqual([]);
      expect(report.warnings.map((w) => w.message.split(':')[0])).toEqual(topology === 'mesh' ? ['a mesh of 16 agents has no proper 3-colouring'] : []);
      const spin = readFileSync(join(dir, 'spin.toml'), 'utf8');
      expect(spin.match(/^\[component\.agent-\d+\]$/gm)).toHaveLength(16);
      expect(spin).toContain(`[variables.topology]\ndefault = "${topology}"`);
      expect(readFileSync(join(dir, 'k8s/gateway.yaml'), 'utf8')).toContain('AGENT_COUNT: "16"');
      expect(readFileSync(join(dir, 'k8s/spinapp.yaml'), 'utf8')).toContain(`value: ${topology}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ perClient: 50, perAgent: 200 }, 1 + 16],
    [{ perClient: 10, perAgent: 0 }, 1],
    [{ perClient: 0, perAgent: 0 }, 0],
  ])('rate limits %j at the front door: one rule per client address and one per agent, validated against Envoy Gateway\'s schema', (rateLimits, rules) => {
    const dir = writeProject({ ...DEFAULT_SETTINGS, agents: 16, rateLimits });
    try {
      expect(validateProject(dir).report.errors.map(formatProblem)).toEqual([]);
      const docs = parseAllDocuments(readFileSync(join(dir, 'k8s/ingress.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; spec: { rateLimit: { global: { rules: { clientSelectors: object[]; limit: object }[] } } } });
      const policy = docs.find((d) => d.kind === 'BackendTrafficPolicy');
      expect(policy?.spec.rateLimit.global.rules.length ?? 0).toBe(rules);
      if (rateLimits.perClient > 0) expect(policy?.spec.rateLimit.global.rules[0]).toEqual({ clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: '0.0.0.0/0' } }], limit: { requests: rateLimits.perClient, unit: 'Second' } });
      if (rateLimits.perAgent > 0) expect(policy?.spec.rateLimit.global.rules[16]).toEqual({ clientSelectors: [{ path: { type: 'PathPrefix', value: '/agent/15/' } }], limit: { requests: rateLimits.perAgent, unit: 'Second' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('STORAGE_URL=redis://… backs the store with Redis: runtime-config.toml, SpinApp runtimeConfig from a Secret, autoscaled app pods', () => {
    const dir = writeProject({ ...DEFAULT_SETTINGS, storage: { kind: 'redis', url: 'redis://redis.data:6379' } });
    try {
      expect(validateProject(dir).report.errors.map(formatProblem)).toEqual([]);
      expect(readFileSync(join(dir, RUNTIME_CONFIG_FILE), 'utf8')).toContain('[key_value_store.default]\ntype = "redis"\nurl = "redis://redis.data:6379"');
      const spinapp = readFileSync(join(dir, 'k8s/spinapp.yaml'), 'utf8');
      expect(spinapp).toContain('enableAutoscaling: true');
      expect(spinapp).not.toContain('redis.data'); // the URL (a password, maybe) stays in the Secret
      expect(readFileSync(join(dir, 'k8s/autoscaling.yaml'), 'utf8').match(/kind: HorizontalPodAutoscaler/g)).toHaveLength(2);
      expect(existsSync(join(dir, 'k8s/kustomization.yaml'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
