// GREEN: simplification: identities, zero/one rules, cancellation. Green agents also run
// constant folding (egg's ConstantFold analysis). egg's `add-zero` and `mul-one` (`?a => (+ ?a 0)`,
// `?a => (* ?a 1)`) are left out: they only grow the graph, and on a network every agent pays for
// every node on every request; egg itself needs ConstantFold's pruning to keep them in check.
// egg's math rules (tests/math.rs at egg f94c346), names as in egg: a union's provenance.
import type { RuleSpec } from '../../egraph/index.ts';

export const GREEN_RULES: readonly RuleSpec[] = [
  { name: 'zero-add', lhs: '(+ ?a 0)', rhs: '?a' },
  { name: 'zero-mul', lhs: '(* ?a 0)', rhs: '0' },
  { name: 'one-mul', lhs: '(* ?a 1)', rhs: '?a' },
  { name: 'cancel-sub', lhs: '(- ?a ?a)', rhs: '0' },
  { name: 'cancel-div', lhs: '(/ ?a ?a)', rhs: '1', conditions: [{ fn: 'is_not_zero', args: ['?a'] }] },
  { name: 'pow0', lhs: '(pow ?x 0)', rhs: '1', conditions: [{ fn: 'is_not_zero', args: ['?x'] }] },
  { name: 'pow1', lhs: '(pow ?x 1)', rhs: '?x' },
  { name: 'pow-recip', lhs: '(pow ?x -1)', rhs: '(/ 1 ?x)', conditions: [{ fn: 'is_not_zero', args: ['?x'] }] },
  { name: 'recip-mul-div', lhs: '(* ?x (/ 1 ?x))', rhs: '1', conditions: [{ fn: 'is_not_zero', args: ['?x'] }] },
];
