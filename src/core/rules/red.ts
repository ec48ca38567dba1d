// RED: reordering: commutativity, associativity, and the canonical forms of - and /.
// egg's math rules (tests/math.rs at egg f94c346), names as in egg: a union's provenance.
import type { RuleSpec } from '../../egraph/index.ts';

export const RED_RULES: readonly RuleSpec[] = [
  { name: 'comm-add', lhs: '(+ ?a ?b)', rhs: '(+ ?b ?a)' },
  { name: 'comm-mul', lhs: '(* ?a ?b)', rhs: '(* ?b ?a)' },
  { name: 'assoc-add', lhs: '(+ ?a (+ ?b ?c))', rhs: '(+ (+ ?a ?b) ?c)' },
  { name: 'assoc-mul', lhs: '(* ?a (* ?b ?c))', rhs: '(* (* ?a ?b) ?c)' },
  { name: 'sub-canon', lhs: '(- ?a ?b)', rhs: '(+ ?a (* -1 ?b))' },
  { name: 'div-canon', lhs: '(/ ?a ?b)', rhs: '(* ?a (pow ?b -1))', conditions: [{ fn: 'is_not_zero', args: ['?b'] }] },
];
