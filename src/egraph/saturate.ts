// Equality saturation within a budget, egg's SimpleScheduler: each iteration matches every rule
// against one snapshot, then applies all matches, folds constants, and rebuilds. What it learns is
// returned as CRDT additions (new term records, new unions with the rule as provenance): every
// hash they mention is either already in the replica's sets or among the new records.
import type { EGraph, TermRecord } from './egraph.ts';
import { termHash } from './hash.ts';
import { ematch, type Substitution } from './match.ts';
import type { Condition, Rule } from './pattern.ts';
import { isVariable, type Term } from './sexp.ts';
import type { Snapshot } from './snapshot.ts';

export type StopReason = 'saturated' | 'iter-limit' | 'node-limit' | 'time-limit';

export interface SaturationLimits {
  iterations: number;
  /** stop once the e-graph holds this many e-nodes */
  nodes: number;
  timeMs: number;
  /** matches of one rule per iteration (egg's BackoffScheduler match_limit); unbounded by default, as SimpleScheduler */
  matchesPerRule?: number;
}

export interface SaturationOptions {
  /** run the constant-folding analysis (egg's ConstantFold) as a rule named `const-fold` */
  foldConstants?: boolean;
}

export interface NewUnion {
  a: string;
  b: string;
  rule: string;
}

export interface SaturationResult {
  stop: StopReason;
  iterations: number;
  /** unions that joined two different classes */
  rewrites: number;
  newTerms: [string, TermRecord][];
  newUnions: NewUnion[];
}

/** The provenance of a union made by constant folding. */
export const CONST_FOLD = 'const-fold';

export function saturate(
  egraph: EGraph,
  rules: readonly Rule[],
  limits: SaturationLimits,
  now: () => number,
  options: SaturationOptions = {},
): SaturationResult {
  const started = now();
  const newTerms: [string, TermRecord][] = [];
  const newUnions: NewUnion[] = [];
  let rewrites = 0;
  let iterations = 0;
  const result = (stop: StopReason): SaturationResult => ({ stop, iterations, rewrites, newTerms, newUnions });

  /** Adds `op(children)` (children named by term hash); returns the hash naming the node. */
  const addNode = (op: string, children: string[]): string => {
    const record = { op, children };
    const node = egraph.addDerived(termHash(op, children), record);
    if (node.added) newTerms.push([node.hash, record]);
    return node.hash;
  };
  const unite = (a: string, b: string, rule: string): void => {
    if (egraph.classIdOf(a) === egraph.classIdOf(b)) return;
    egraph.union(a, b);
    newUnions.push({ a, b, rule });
    rewrites++;
  };

  for (;;) {
    if (iterations >= limits.iterations) return result('iter-limit');
    if (now() - started > limits.timeMs) return result('time-limit');
    const snap = egraph.snapshot();
    if (snap.nodeCount >= limits.nodes) return result('node-limit');
    const before = rewrites + newTerms.length;
    const found: { rule: Rule; cls: number; subst: Substitution }[] = [];
    for (const rule of rules) {
      for (const m of ematch(snap, rule.lhs, limits.matchesPerRule ?? Infinity)) {
        if (rule.conditions.every((c) => holds(snap, c, m.subst))) found.push({ rule, ...m });
      }
    }
    const nameOf = (cls: number) => snap.name.get(cls) as string;
    const instantiate = (t: Term, subst: Substitution): string =>
      isVariable(t.op) ? nameOf(subst.get(t.op) as number) : addNode(t.op, t.children.map((c) => instantiate(c, subst)));
    for (const { rule, cls, subst } of found) unite(nameOf(cls), instantiate(rule.rhs, subst), rule.name);
    if (options.foldConstants) foldConstants(snap, nameOf, addNode, unite);
    egraph.rebuild();
    iterations++;
    if (rewrites + newTerms.length === before) return result('saturated');
  }
}

function holds(snap: Snapshot, condition: Condition, subst: Substitution): boolean {
  const cls = condition.args.map((a) => subst.get(a) as number);
  const [first, second] = cls as [number, number];
  switch (condition.fn) {
    case 'is_not_zero':
      return snap.constant.get(first) !== 0;
    case 'is_const':
      return snap.constant.has(first);
    case 'is_sym':
      return snap.symbolic.has(first);
    case 'is_const_or_distinct_var':
      return first !== second && (snap.constant.has(first) || snap.symbolic.has(first));
  }
}

const FOLDS: Record<string, (a: number, b: number) => number | null> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => (b === 0 ? null : a / b),
};

/** egg's ConstantFold `make` + `modify`: a class computing constants from constants gets the constant. */
function foldConstants(
  snap: Snapshot,
  nameOf: (cls: number) => string,
  addNode: (op: string, children: string[]) => string,
  unite: (a: string, b: string, rule: string) => void,
): void {
  for (const [cls, nodes] of snap.classes) {
    if (snap.constant.has(cls)) continue;
    for (const node of nodes) {
      const fold = FOLDS[node.op];
      if (fold === undefined || node.children.length !== 2) continue;
      const a = snap.constant.get(node.children[0] as number);
      const b = snap.constant.get(node.children[1] as number);
      if (a === undefined || b === undefined) continue;
      const value = fold(a, b);
      if (value === null || !Number.isFinite(value)) continue;
      unite(nameOf(cls), addNode(String(value), []), CONST_FOLD);
      break;
    }
  }
}
