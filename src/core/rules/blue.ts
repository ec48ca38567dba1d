// BLUE: restructuring: distributivity, factoring, powers, and the d/i calculus rules (each
// rewrites a term's shape around an operator, like factoring).
// egg's math rules (tests/math.rs at egg f94c346), names as in egg: a union's provenance; plus
// `mul2-shift`, egg's tutorial strength reduction (not in its math suite), which the agents' cost
// (src/core/costs.ts) prefers: (* (+ x 0) 2) becomes (<< x 1) only with GREEN and BLUE together.
import type { RuleSpec } from '../../egraph/index.ts';

export const BLUE_RULES: readonly RuleSpec[] = [
  { name: 'distribute', lhs: '(* ?a (+ ?b ?c))', rhs: '(+ (* ?a ?b) (* ?a ?c))' },
  { name: 'factor', lhs: '(+ (* ?a ?b) (* ?a ?c))', rhs: '(* ?a (+ ?b ?c))' },
  { name: 'pow-mul', lhs: '(* (pow ?a ?b) (pow ?a ?c))', rhs: '(pow ?a (+ ?b ?c))' },
  { name: 'pow2', lhs: '(pow ?x 2)', rhs: '(* ?x ?x)' },
  { name: 'mul2-shift', lhs: '(* ?a 2)', rhs: '(<< ?a 1)' },
  { name: 'd-variable', lhs: '(d ?x ?x)', rhs: '1', conditions: [{ fn: 'is_sym', args: ['?x'] }] },
  { name: 'd-constant', lhs: '(d ?x ?c)', rhs: '0', conditions: [{ fn: 'is_sym', args: ['?x'] }, { fn: 'is_const_or_distinct_var', args: ['?c', '?x'] }] },
  { name: 'd-add', lhs: '(d ?x (+ ?a ?b))', rhs: '(+ (d ?x ?a) (d ?x ?b))' },
  { name: 'd-mul', lhs: '(d ?x (* ?a ?b))', rhs: '(+ (* ?a (d ?x ?b)) (* ?b (d ?x ?a)))' },
  { name: 'd-sin', lhs: '(d ?x (sin ?x))', rhs: '(cos ?x)' },
  { name: 'd-cos', lhs: '(d ?x (cos ?x))', rhs: '(* -1 (sin ?x))' },
  { name: 'd-ln', lhs: '(d ?x (ln ?x))', rhs: '(/ 1 ?x)', conditions: [{ fn: 'is_not_zero', args: ['?x'] }] },
  { name: 'd-power', lhs: '(d ?x (pow ?f ?g))', rhs: '(* (pow ?f ?g) (+ (* (d ?x ?f) (/ ?g ?f)) (* (d ?x ?g) (ln ?f))))', conditions: [{ fn: 'is_not_zero', args: ['?f'] }, { fn: 'is_not_zero', args: ['?g'] }] },
  { name: 'i-one', lhs: '(i 1 ?x)', rhs: '?x' },
  { name: 'i-power-const', lhs: '(i (pow ?x ?c) ?x)', rhs: '(/ (pow ?x (+ ?c 1)) (+ ?c 1))', conditions: [{ fn: 'is_const', args: ['?c'] }] },
  { name: 'i-cos', lhs: '(i (cos ?x) ?x)', rhs: '(sin ?x)' },
  { name: 'i-sin', lhs: '(i (sin ?x) ?x)', rhs: '(* -1 (cos ?x))' },
  { name: 'i-sum', lhs: '(i (+ ?f ?g) ?x)', rhs: '(+ (i ?f ?x) (i ?g ?x))' },
  { name: 'i-dif', lhs: '(i (- ?f ?g) ?x)', rhs: '(- (i ?f ?x) (i ?g ?x))' },
  { name: 'i-parts', lhs: '(i (* ?a ?b) ?x)', rhs: '(- (* ?a (i ?b ?x)) (i (* (d ?x ?a) (i ?b ?x)) ?x))' },
];
