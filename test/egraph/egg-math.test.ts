// egg's math suite (tests/math.rs, egg f94c346) as data, run through our e-graph on every kernel.
// Harness as egg's test_fn!: add `start`, iterate (SimpleScheduler: match all rules on one
// snapshot, apply, rebuild) and stop as soon as every goal pattern matches in the root's class;
// goals are never added. Cases are tiered as the data's README says; folding runs where egg's case
// uses its ConstantFold analysis.
//
// Not run here, and why:
// | case            | reason                                                                    |
// |-----------------|---------------------------------------------------------------------------|
// | prove_chain     | needs a multi-pattern rule (`lem_imply`); our rules have one left side     |
// | const_fold      | needs egg's boolean constant-folding analysis (& | over true/false)        |
// | prove_contrapositive | its boolean ConstantFold and root pre-union with `true` are not modelled |
import { describe, expect, it } from 'vitest';
import { compileRule, EGraph, matchesIn, parsePattern, parseTerm, saturate, type Rule, type RuleSpec } from '../../src/egraph/index.ts';
import cases from './egg-math/egg-math-cases.json' with { type: 'json' };
import extras from './egg-math/egg-extra-cases.json' with { type: 'json' };
import mathRules from './egg-math/egg-math-rules.json' with { type: 'json' };
import { KERNELS } from './kernels.ts';

interface Case {
  name: string;
  start: string;
  goals: string[];
  expect_proved: boolean;
  rules: 'math' | RuleSpec[];
  analysis_in_egg: string;
  runner: { iter_limit?: number; node_limit?: number; time_limit_s?: number };
  requires?: string;
  extra_exprs_added_before_start?: string[];
  expected_best?: string;
}

const MATH: Rule[] = (mathRules as RuleSpec[]).map(compileRule);
const NOT_RUN = new Set(['prove_chain', 'const_fold', 'prove_contrapositive']);
const ALL = [...(cases as Case[]), ...(extras as Case[])].filter((c) => !NOT_RUN.has(c.name));

function run(kernel: Parameters<typeof EGraph.fromSets>[0], c: Case) {
  const egraph = new EGraph(kernel);
  for (const extra of c.extra_exprs_added_before_start ?? []) egraph.addTerm(parseTerm(extra));
  const { hash: root } = egraph.addTerm(parseTerm(c.start));
  const rules = c.rules === 'math' ? MATH : c.rules.map(compileRule);
  const goals = c.goals.map(parsePattern);
  const fold = c.analysis_in_egg.startsWith('ConstantFold');
  const proved = () => goals.every((g) => matchesIn(egraph.snapshot(), g, egraph.classIdOf(root)));
  const iterLimit = c.runner.iter_limit ?? 30;
  const limits = { iterations: 1, nodes: c.runner.node_limit ?? 10_000, timeMs: (c.runner.time_limit_s ?? 5) * 1000 };
  const checkEarly = c.name !== 'math_associate_adds'; // egg's @check case runs all 7 iterations
  let iterations = 0;
  let stop = 'iter-limit';
  while (iterations < iterLimit && !(checkEarly && proved())) {
    const r = saturate(egraph, rules, limits, () => Date.now(), { foldConstants: fold });
    iterations += r.iterations;
    if (r.stop !== 'iter-limit') {
      stop = r.stop;
      break;
    }
  }
  return { egraph, root, proved: proved(), iterations, stop };
}

describe.each(KERNELS)('egg math suite on the $name kernel', (k) => {
  it.each(ALL.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { egraph, root, proved } = run(await k.create(), c);
    expect(proved).toBe(c.expect_proved);
    if (c.name === 'math_associate_adds') expect(egraph.summary().classes).toBe(127);
    if (c.expected_best !== undefined) expect(egraph.best(root).term).toBe(c.expected_best);
  }, 60_000);
});
