// `node --import tsx scripts/bench-kernel.ts [--trials N] [--seed S]`: the spike's kernel workload
// (src/egraph/workload.ts: 1k leaves + 99k binary nodes, 50k unions, rebuild) on the AS core module
// in Node, the TS reference on V8 and the AS component through jco's glue. Each trial is a fresh
// kernel on the same pre-generated graph; one untimed warm-up per variant. Medians: a table on
// stderr, one JSON line on stdout.
import { commandLine, HELP_OPTION, positiveIntegerOption, UsageError, validated } from '../src/cli/command-line.ts';
import { type Kernel, ReferenceKernel, generateWorkload, runWorkload, SPIKE_WORKLOAD, type WorkloadResult } from '../src/egraph/index.ts';
import { loadComponentKernel, loadCoreKernel } from './kernel-loaders.ts';
import { median, round1 as round } from '../src/shared/stats.ts';

const USAGE = `usage: node --import tsx scripts/bench-kernel.ts [options]
      --trials <n>   trials per kernel, medians reported (default 7)
      --seed <n>     the workload generator's seed (default 42)
  -h, --help`;
const { values } = commandLine(USAGE, { options: { trials: { type: 'string', default: '7' }, seed: { type: 'string', default: '42' }, help: HELP_OPTION } });
const TRIALS = validated(USAGE, () => positiveIntegerOption('trials', values.trials));
const SEED = validated(USAGE, () => {
  const seed = Number(values.seed);
  if (values.seed.trim() === '' || !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
  return seed;
});

const workload = generateWorkload(SEED, SPIKE_WORKLOAD);
const variants: { key: string; label: string; create: () => Kernel }[] = [
  { key: 'as_core_ms', label: 'AS core module (Node)', create: await loadCoreKernel() },
  { key: 'ts_reference_ms', label: 'TS reference (V8)', create: () => new ReferenceKernel() },
  { key: 'as_component_ms', label: 'AS component (jco glue)', create: await loadComponentKernel() },
];

const medians: Record<string, number> = {};
let result: WorkloadResult | undefined;
for (const v of variants) {
  runWorkload(v.create(), workload); // warm-up: JIT and glue
  const times: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const kernel = v.create();
    const start = performance.now();
    const r = runWorkload(kernel, workload);
    times.push(performance.now() - start);
    // every variant must build the same e-graph, or the timings compare different work
    if (result !== undefined && JSON.stringify(r) !== JSON.stringify(result)) throw new Error(`${v.label} disagrees: ${JSON.stringify(r)} vs ${JSON.stringify(result)}`);
    result = r;
  }
  medians[v.key] = round(median(times));
  process.stderr.write(`[bench] ${v.label.padEnd(26)} median ${String(medians[v.key]).padStart(8)} ms   (${times.map((t) => Math.round(t)).join(', ')})\n`);
}

const ratios = {
  ts_over_as_core: round((medians.ts_reference_ms as number) / (medians.as_core_ms as number)),
  component_over_as_core: round((medians.as_component_ms as number) / (medians.as_core_ms as number)),
};
process.stderr.write(`[bench] TS / AS core ${ratios.ts_over_as_core}x · component / AS core ${ratios.component_over_as_core}x · ${JSON.stringify(result)}\n`);
process.stdout.write(`${JSON.stringify({ bench: 'egraph-kernel', seed: SEED, trials: TRIALS, workload: SPIKE_WORKLOAD, result, ...medians, ...ratios })}\n`);
