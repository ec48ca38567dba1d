// Rewrite rules as data (`name, lhs, rhs, conditions`), compiled once into pattern trees.
import { EGraphError } from './errors.ts';
import { isVariable, parsePattern, type Term } from './sexp.ts';

/** Side conditions of egg's math rules, all decidable from what an e-class holds. */
export type ConditionFn = 'is_not_zero' | 'is_const' | 'is_sym' | 'is_const_or_distinct_var';

export interface Condition {
  fn: ConditionFn;
  args: string[];
}

/** A rule as written: s-expressions; the name is the provenance of every union it proves. */
export interface RuleSpec {
  name: string;
  lhs: string;
  rhs: string;
  conditions?: readonly Condition[];
}

export interface Rule {
  name: string;
  lhs: Term;
  rhs: Term;
  conditions: readonly Condition[];
}

function variables(term: Term, into = new Set<string>()): Set<string> {
  if (isVariable(term.op)) into.add(term.op);
  for (const c of term.children) variables(c, into);
  return into;
}

export function compileRule(spec: RuleSpec): Rule {
  let lhs: Term;
  let rhs: Term;
  try {
    lhs = parsePattern(spec.lhs);
    rhs = parsePattern(spec.rhs);
  } catch (err) {
    throw new EGraphError('bad-rule', `rule ${spec.name}: ${(err as Error).message}`);
  }
  const bound = variables(lhs);
  for (const v of variables(rhs)) {
    if (!bound.has(v)) throw new EGraphError('bad-rule', `rule ${spec.name}: ${v} appears only on the right`);
  }
  for (const c of spec.conditions ?? []) {
    for (const a of c.args) if (!bound.has(a)) throw new EGraphError('bad-rule', `rule ${spec.name}: condition on unbound ${a}`);
  }
  return { name: spec.name, lhs, rhs, conditions: spec.conditions ?? [] };
}
