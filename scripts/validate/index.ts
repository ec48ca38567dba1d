// `npm run validate`'s checks over a project directory: spin.toml, the topology its variables
// select, every component's variables, runtime-config.toml when there is one, and k8s/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { parseTopology, type TopologyKind } from '../../src/core/index.ts';
import { appVariableValues, checkComponentVariables } from './config.ts';
import { checkK8s } from './k8s.ts';
import { Report } from './report.ts';
import { checkSpinManifest } from './spin-manifest.ts';
import { checkTopology, type TopologySummary } from './topology.ts';

export { formatProblem, Report, type Problem } from './report.ts';

export interface ValidationResult {
  report: Report;
  topology: TopologySummary | null;
}

export function validateProject(root: string, progress: (step: string) => void = () => {}): ValidationResult {
  const report = new Report();
  let topology: TopologySummary | null = null;
  progress('spin.toml');
  const manifestPath = join(root, 'spin.toml');
  const spin = existsSync(manifestPath) ? checkSpinManifest(report, 'spin.toml', readFileSync(manifestPath, 'utf8'), manifestPath) : null;
  if (spin === null && !existsSync(manifestPath)) report.error('spin.toml', '', 'missing: run npm run gen');
  if (spin !== null) {
    progress('variables');
    const values = appVariableValues(spin);
    checkComponentVariables(report, 'spin.toml', spin, values);
    progress('topology');
    let kind: TopologyKind | null = null;
    try {
      kind = parseTopology(values.topology ?? 'grid');
    } catch {
      // checkComponentVariables has said so
    }
    if (kind !== null && spin.agents > 0) topology = checkTopology(report, 'spin.toml', '[variables.topology]', kind, spin.agents);
  }
  const runtimeConfig = join(root, 'runtime-config.toml');
  if (existsSync(runtimeConfig)) {
    progress('runtime-config.toml');
    try {
      const stores = (parse(readFileSync(runtimeConfig, 'utf8')) as { key_value_store?: Record<string, { type?: unknown; url?: unknown }> }).key_value_store ?? {};
      for (const [label, store] of Object.entries(stores)) {
        if (store.type === 'redis' && (typeof store.url !== 'string' || !/^rediss?:\/\/./.test(store.url))) {
          report.error('runtime-config.toml', `[key_value_store.${label}]`, 'a redis store needs url = "redis://host:port"');
        }
      }
    } catch (err) {
      report.error('runtime-config.toml', '', `not valid TOML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  progress('k8s/');
  checkK8s(report, join(root, 'k8s'), spin);
  return { report, topology };
}
