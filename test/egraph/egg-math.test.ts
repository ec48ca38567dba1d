// egg's math suite (tests/math.rs and friends, egg f94c346) as data, run through our e-graph on every
// kernel, grouped by the tiers of egg-math/README.md. Harness as egg's test_fn!: add `start`, then
// iterate (SimpleScheduler: match every rule on one snapshot, apply, fold, rebuild) and stop as soon
// as every goal pattern matches in the root's class, unless the case runs to its limit (`check`,
// `stop_early_on_goal: false`). Goals are never added. Folding runs where egg's case uses its
// ConstantFold analysis over numbers. egg's BackoffScheduler is not modelled: every case here is
// proved (or, for math_fail, not) within the limits without it.
//
// Not run here, and why:
// | case       | tier        | reason                                                                      |
// |------------|-------------|-----------------------------------------------------------------------------|
// | prove_chain | multipattern | `lem_imply` is a multi-pattern rule; our rules have one left side         |
// | const_fold | C (bool)    | needs egg's boolean folding of & and | over true/false; we fold + - * / only |
import { describe, expect, it } from 'vitest';
import { compileRule, EGraph, matchesIn, parsePattern, parseTerm, saturate, type Kernel, type Rule, type RuleSpec } from '../../src/egraph/index.ts';
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
  runner: { iter_limit?: number; node_limit?: number; time_limit_s?: number; stop_early_on_goal?: boolean; pre_union_root_with?: string };
  requires: string;
  check?: { number_of_classes_after_run: number };
  extra_exprs_added_before_start?: string[];
  expected_best?: string;
}

const TIERS = [
  ['A: unconditional rules only', ['unconditional_only']],
  ['B: conditions on class contents, no folding', ['conditional_no_folding']],
  ['C: constant folding', ['constant_folding', 'constant_folding_and_conditional']],
] as const;
const NOT_RUN = new Set(['prove_chain', 'const_fold']);
const MATH: Rule[] = (mathRules as RuleSpec[]).map(compileRule);
const ALL = [...(cases as Case[]), ...(extras as Case[])];

function run(kernel: Kernel, c: Case) {
  const egraph = new EGraph(kernel);
  for (const extra of c.extra_exprs_added_before_start ?? []) egraph.addTerm(parseTerm(extra));
  const { hash: root } = egraph.addTerm(parseTerm(c.start));
  if (c.runner.pre_union_root_with !== undefined) {
    egraph.union(root, egraph.addTerm(parseTerm(c.runner.pre_union_root_with)).hash);
    egraph.rebuild();
  }
  const rules = c.rules === 'math' ? MATH : c.rules.map(compileRule);
  const goals = c.goals.map(parsePattern);
  const fold = c.analysis_in_egg.startsWith('ConstantFold') && !c.analysis_in_egg.includes('bool');
  const proved = () => goals.every((g) => matchesIn(egraph.snapshot(), g, egraph.classIdOf(root)));
  const stopEarly = c.check === undefined && c.runner.stop_early_on_goal !== false;
  const iterLimit = c.runner.iter_limit ?? 30;
  const limits = { iterations: 1, nodes: c.runner.node_limit ?? 10_000, timeMs: (c.runner.time_limit_s ?? 5) * 1000 };
  for (let i = 0; i < iterLimit && !(stopEarly && proved()); i++) {
    if (saturate(egraph, rules, limits, () => Date.now(), { foldConstants: fold }).stop !== 'iter-limit') break;
  }
  return { egraph, root, proved: proved() };
}

describe.each(KERNELS)('egg math suite on the $name kernel', (k) => {
  describe.each(TIERS)('tier %s', (_tier, requires) => {
    const inTier = ALL.filter((c) => (requires as readonly string[]).includes(c.requires) && !NOT_RUN.has(c.name));
    it.each(inTier.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const { egraph, root, proved } = run(await k.create(), c);
      expect(proved).toBe(c.expect_proved);
      if (c.check !== undefined) expect(egraph.summary().classes).toBe(c.check.number_of_classes_after_run);
      if (c.expected_best !== undefined) expect(egraph.best(root).term).toBe(c.expected_best);
    }, 60_000);
  });

  it('runs every case but those listed as not run', () => {
    const tiered = new Set<string>(TIERS.flatMap(([, r]) => r));
    expect(ALL.filter((c) => !tiered.has(c.requires) || NOT_RUN.has(c.name)).map((c) => c.name).sort()).toEqual([...NOT_RUN].sort());
  });
});
