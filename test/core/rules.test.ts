// Rule families by colour: egg's math rules split so that no colour simplifies alone what the
// network simplifies together.
import { describe, expect, it } from 'vitest';
import { COLOURS, colourOfRule, EXTRACTION_COSTS, foldsConstants, RULE_SPECS, rulesFor, type Colour, type ExtractionCost } from '../../src/core/index.ts';
import { CONST_FOLD, EGraph, parseTerm, ReferenceKernel, saturate } from '../../src/egraph/index.ts';
import eggRules from '../egraph/egg-math/egg-math-rules.json' with { type: 'json' };

/** What agents of `colours` reach by taking turns, as the network does between syncs. */
function simplify(text: string, colours: readonly Colour[], cost: ExtractionCost = 'ops'): string {
  const egraph = new EGraph(new ReferenceKernel());
  const { hash } = egraph.addTerm(parseTerm(text));
  for (let round = 0; round < 3; round++) {
    for (const colour of colours) {
      saturate(egraph, rulesFor(colour), { iterations: 4, nodes: 5_000, timeMs: 10_000 }, () => 0, { foldConstants: foldsConstants(colour) });
    }
  }
  return egraph.best(hash, EXTRACTION_COSTS[cost]).term;
}

describe('rules by colour', () => {
  it('hold each of egg’s 36 math rules in exactly one colour, but add-zero and mul-one, plus mul2-shift', () => {
    const names = COLOURS.flatMap((c) => RULE_SPECS[c].map((r) => r.name));
    expect(new Set(names).size).toBe(names.length);
    // Left out on purpose (green.ts says why): `?a => (+ ?a 0)` and `?a => (* ?a 1)` only grow the graph.
    expect(eggRules.map((r) => r.name).filter((n) => !names.includes(n))).toEqual(['add-zero', 'mul-one']);
    expect(names.filter((n) => !eggRules.some((r) => r.name === n))).toEqual(['mul2-shift']);
    for (const c of COLOURS) expect(rulesFor(c)).toHaveLength(RULE_SPECS[c].length);
  });

  it('name the colour of every provenance', () => {
    for (const c of COLOURS) for (const r of RULE_SPECS[c]) expect(colourOfRule(r.name)).toBe(c);
    expect(colourOfRule(CONST_FOLD)).toBe('GREEN');
    expect(colourOfRule('no-such-rule')).toBeUndefined();
  });

  it('need GREEN and BLUE for (* (+ x 0) 2) → (<< x 1), a shift being cheaper than a multiply', () => {
    expect(simplify('(* (+ x 0) 2)', COLOURS)).toBe('(<< x 1)');
    expect(simplify('(* (+ x 0) 2)', ['GREEN', 'RED'])).toBe('(* x 2)');
    expect(simplify('(* (+ x 0) 2)', ['BLUE', 'RED'])).toBe('(<< (+ x 0) 1)');
    // by egg's AST size a shift is no cheaper: GREEN alone reaches the answer
    expect(simplify('(* (+ x 0) 2)', ['GREEN'], 'ast-size')).toBe('(* x 2)');
  });

  it('need all three colours for (+ (* x 2) (* 3 x)) → (* x 5)', () => {
    const term = '(+ (* x 2) (* 3 x))';
    expect(simplify(term, COLOURS)).toBe('(* x 5)');
    expect(simplify(term, COLOURS, 'ast-size')).toBe('(* x 5)');
    // RED reorders (* 3 x), BLUE factors out x, GREEN folds (+ 2 3): drop any one and it is not reached.
    for (const missing of COLOURS) expect(simplify(term, COLOURS.filter((c) => c !== missing))).not.toBe('(* x 5)');
  });
});
