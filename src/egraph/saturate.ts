// Equality saturation within a budget, egg's SimpleScheduler: each iteration matches every rule
// against one snapshot, then applies all matches, folds constants, and rebuilds. What it learns is
// returned as CRDT additions (new term records, new unions with the rule as provenance): every
// hash they mention is either already in the replica's sets or among the new records.
import type { EGraph, TermRecord } from './egraph.ts';
import { termHash } from './hash.ts';
import { ematch, type Substitution } from './match.ts';
import type { Condition, Rule } from './pattern.ts';
import { isVariable, type Term } from './sexp.ts';
import { nodeKey, reachableClasses, type Snapshot } from './snapshot.ts';

export type StopReason = 'saturated' | 'iter-limit' | 'node-limit' | 'time-limit';

export interface SaturationLimits {
  iterations: number;
  /** stop once the e-graph holds this many e-nodes */
  nodes: number;
  timeMs: number;
  /**
   * matches of one rule applied per iteration, counting only matches whose right side is not
   * already in the matched class (so a capped rule still makes progress); unbounded by default
   */
  matchesPerRule?: number;
}

export interface SaturationOptions {
  /** run the constant-folding analysis (egg's ConstantFold) as a rule named `const-fold` */
  foldConstants?: boolean;
  /**
   * rewrite only what is reachable from these terms' classes (and count only those e-nodes
   * against `limits.nodes`); everything by default
   */
  roots?: readonly string[];
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

  /** Adds nodes a rewrite built, in one kernel call; returns the name each goes by. */
  const addNodes = (batch: [string, TermRecord][]): string[] =>
    egraph.addDerived(batch).map((node, k) => {
      if (node.added) newTerms.push(batch[k] as [string, TermRecord]);
      return node.hash;
    });
  const shapes = new Map(rules.map((rule) => [rule, shapeOf(rule.rhs)]));

  for (;;) {
    if (iterations >= limits.iterations) return result('iter-limit');
    if (now() - started > limits.timeMs) return result('time-limit');
    const snap = egraph.snapshot();
    // Class ids change as classes merge, so the scope is found again each iteration.
    const scope = options.roots === undefined ? null : reachableClasses(snap, egraph.classIdsOf(options.roots));
    if (nodesIn(snap, scope) >= limits.nodes) return result('node-limit');
    const before = rewrites + newTerms.length;
    const found: { rule: Rule; shape: Shape; cls: number; subst: Substitution }[] = [];
    for (const rule of rules) {
      const shape = shapes.get(rule) as Shape;
      let taken = 0;
      for (const m of ematch(snap, rule.lhs, Infinity, scope)) {
        if (taken >= (limits.matchesPerRule ?? Infinity)) break;
        if (!rule.conditions.every((c) => holds(snap, c, m.subst)) || isKnown(snap, shape, m.subst, m.cls)) continue;
        found.push({ rule, shape, ...m });
        taken++;
      }
    }
    const nameOf = (cls: number) => snap.name.get(cls) as string;
    // Right sides are built bottom-up, one kernel call per height: children are class names
    // (pattern variables) or names built at a lower height.
    const built: string[][] = found.map(() => []);
    const arg = (i: number, a: string | number): string =>
      typeof a === 'number' ? ((built[i] as string[])[a] as string) : nameOf((found[i] as { subst: Substitution }).subst.get(a) as number);
    const tallest = Math.max(-1, ...[...shapes.values()].map((s) => s.height));
    for (let height = 0; height <= tallest; height++) {
      const batch: [string, TermRecord][] = [];
      const at: [number, number][] = [];
      found.forEach(({ shape }, i) => {
        shape.steps.forEach((step, j) => {
          if (step.height !== height) return;
          const children = step.args.map((a) => arg(i, a));
          batch.push([termHash(step.op, children), { op: step.op, children }]);
          at.push([i, j]);
        });
      });
      if (batch.length > 0) {
        addNodes(batch).forEach((hash, k) => {
          const [i, j] = at[k] as [number, number];
          (built[i] as string[])[j] = hash;
        });
      }
    }
    const pairs: NewUnion[] = found.map(({ rule, shape, cls }, i) => ({ a: nameOf(cls), b: arg(i, shape.root), rule: rule.name }));
    if (options.foldConstants) pairs.push(...foldConstants(snap, scope, nameOf, addNodes));
    // Only pairs that join two classes go out: the rest add nothing a replica does not derive.
    const joins = egraph.joins(pairs);
    const joining = pairs.filter((_, i) => joins[i]);
    egraph.unionAll(joining);
    newUnions.push(...joining);
    rewrites += joining.length;
    egraph.rebuild();
    iterations++;
    if (rewrites + newTerms.length === before) return result('saturated');
  }
}

/** The e-nodes of the classes in `scope` (all of them when it is null). */
function nodesIn(snap: Snapshot, scope: ReadonlySet<number> | null): number {
  if (scope === null) return snap.nodeCount;
  let n = 0;
  for (const cls of scope) n += snap.classes.get(cls)?.length ?? 0;
  return n;
}

/** One node of a right side; an argument is a pattern variable or the index of an earlier step. */
interface Step {
  op: string;
  args: (string | number)[];
  /** 0 for a leaf */
  height: number;
}

/** A right side as steps in post-order, and its root (a variable, or the last step). */
interface Shape {
  steps: Step[];
  root: string | number;
  height: number;
}

function shapeOf(rhs: Term): Shape {
  const steps: Step[] = [];
  const visit = (t: Term): string | number => {
    if (isVariable(t.op)) return t.op;
    const args = t.children.map(visit);
    const height = args.reduce<number>((h, a) => (typeof a === 'number' ? Math.max(h, (steps[a] as Step).height + 1) : h), 0);
    steps.push({ op: t.op, args, height });
    return steps.length - 1;
  };
  const root = visit(rhs);
  return { steps, root, height: steps.reduce((h, s) => Math.max(h, s.height), -1) };
}

/** Whether the right side, instantiated by `subst`, is already an e-node of class `cls`: applying it adds nothing. */
function isKnown(snap: Snapshot, shape: Shape, subst: Substitution, cls: number): boolean {
  if (typeof shape.root === 'string') return subst.get(shape.root) === cls;
  const classOf: number[] = [];
  for (const step of shape.steps) {
    const children = step.args.map((a) => (typeof a === 'number' ? (classOf[a] as number) : (subst.get(a) as number)));
    const found = snap.lookup.get(nodeKey(step.op, children));
    if (found === undefined) return false;
    classOf.push(found);
  }
  return classOf[shape.root] === cls;
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

/**
 * egg's ConstantFold `make` + `modify`: a class computing a constant from constants gets that
 * constant (one kernel call for all the numerals); returns the unions to make.
 */
function foldConstants(
  snap: Snapshot,
  scope: ReadonlySet<number> | null,
  nameOf: (cls: number) => string,
  addNodes: (batch: [string, TermRecord][]) => string[],
): NewUnion[] {
  const folded: { cls: number; value: string }[] = [];
  for (const [cls, nodes] of snap.classes) {
    if (snap.constant.has(cls) || (scope !== null && !scope.has(cls))) continue;
    for (const node of nodes) {
      const fold = FOLDS[node.op];
      if (fold === undefined || node.children.length !== 2) continue;
      const a = snap.constant.get(node.children[0] as number);
      const b = snap.constant.get(node.children[1] as number);
      if (a === undefined || b === undefined) continue;
      const value = fold(a, b);
      if (value === null || !Number.isFinite(value)) continue;
      folded.push({ cls, value: String(value) });
      break;
    }
  }
  const names = addNodes(folded.map(({ value }) => [termHash(value, []), { op: value, children: [] }]));
  return folded.map(({ cls }, i) => ({ a: nameOf(cls), b: names[i] as string, rule: CONST_FOLD }));
}
