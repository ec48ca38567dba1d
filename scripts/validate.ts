// `npm run validate [-- --root DIR]`: checks spin.toml, the topology, variables and environment,
// and k8s/ (see scripts/validate/). Prints each problem on one line; exits 1 on any error.
import { resolve } from 'node:path';
import { commandLine, HELP_OPTION } from '../src/cli/command-line.ts';
import { formatProblem, validateProject } from './validate/index.ts';

const USAGE = `usage: npm run validate [-- --root <dir>]   checks spin.toml, the topology, variables and k8s/
      --root <dir>   the project to check (default this one)
  -h, --help`;
const { values } = commandLine(USAGE, { options: { root: { type: 'string', default: resolve(import.meta.dirname, '..') }, help: HELP_OPTION } });
const { report, topology } = validateProject(resolve(values.root), (step) => console.error(`validate: checking ${step}`));
for (const p of report.problems) console.error(formatProblem(p));
const errors = report.errors.length;
const summary = topology === null ? '' : ` (${topology.agents} agents, ${topology.kind}, diameter ${topology.diameter}, colours ${JSON.stringify(topology.colours)})`;
console.error(errors === 0 ? `validate: ok${summary}, ${report.warnings.length} warning(s)` : `validate: ${errors} error(s), ${report.warnings.length} warning(s)`);
process.exit(errors === 0 ? 0 : 1);
