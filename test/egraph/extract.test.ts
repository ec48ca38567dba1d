// Extraction after saturating with every colour's rules and constant folding: one-liners, as egg's
// tests/simple.rs; then the tie-break, which must not depend on kernel ids or insertion order.
import { describe, expect, it } from 'vitest';
import { COLOURS, foldsConstants, rulesFor } from '../../src/core/index.ts';
import { EGraph, parseTerm, saturate } from '../../src/egraph/index.ts';
import { KERNELS } from './kernels.ts';

const ALL_RULES = COLOURS.flatMap(rulesFor);
const LIMITS = { iterations: 8, nodes: 20_000, timeMs: 20_000 };

describe.each(KERNELS)('extraction on the $name kernel', (k) => {
  it.each([
    ['(* 0 42)', '0'],
    ['(+ x 0)', 'x'],
    ['(* x 1)', 'x'],
    ['(* (+ x 0) 2)', '(* x 2)'],
    ['(* 2 x)', '(* x 2)'],
    ['(+ (* x 2) (* 3 x))', '(* x 5)'],
    ['(- a a)', '0'],
    ['(/ y y)', '1'],
    ['(+ 1 (+ 2 3))', '6'],
    ['(* 4.0 0.5)', '2'],
    ['(pow x 1)', 'x'],
    ['(d x x)', '1'],
    ['(d x y)', '0'],
  ])('%s → %s', async (text, best) => {
    const egraph = new EGraph(await k.create());
    const { hash } = egraph.addTerm(parseTerm(text));
    saturate(egraph, ALL_RULES, LIMITS, () => 0, { foldConstants: COLOURS.some(foldsConstants) });
    expect(egraph.best(hash).term).toBe(best);
  });

  it('breaks ties by printed term, whichever was added first', async () => {
    for (const order of [['(* x 2)', '(* 2 x)'], ['(* 2 x)', '(* x 2)']]) {
      const egraph = new EGraph(await k.create());
      const [a, b] = order.map((t) => egraph.addTerm(parseTerm(t)).hash) as [string, string];
      egraph.union(a, b);
      egraph.rebuild();
      expect(egraph.best(a)).toEqual({ term: '(* x 2)', cost: 3 });
    }
  });

  it('takes a cost per operator', async () => {
    const egraph = new EGraph(await k.create());
    const [mul, add] = ['(* x 2)', '(+ x x)'].map((t) => egraph.addTerm(parseTerm(t)).hash) as [string, string];
    egraph.union(mul, add);
    egraph.rebuild();
    expect(egraph.best(mul)).toEqual({ term: '(* x 2)', cost: 3 });
    expect(egraph.best(mul, (op) => (op === '*' ? 5 : 1))).toEqual({ term: '(+ x x)', cost: 3 });
  });

  it('extracts a constant class as its constant, whatever else it holds (egg’s pruning)', async () => {
    const egraph = new EGraph(await k.create());
    const { hash } = egraph.addTerm(parseTerm('(+ 2 3)'));
    saturate(egraph, [], LIMITS, () => 0, { foldConstants: true });
    expect(egraph.best(hash, () => 1_000)).toEqual({ term: '5', cost: 1 });
  });
});
