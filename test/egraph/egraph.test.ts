// The e-graph over a kernel: what it derives from the CRDT's sets, and how few kernel calls it
// makes (through component glue each costs ~95 µs, so calls are per batch, never per node).
import { describe, expect, it } from 'vitest';
import { compileRule, EGraph, parseTerm, saturate, termHash, type Kernel, type TermRecord } from '../../src/egraph/index.ts';
import { KERNELS } from './kernels.ts';

/** Counts calls per kernel method. */
function counting(kernel: Kernel): { kernel: Kernel; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const counted = new Proxy(kernel, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kernel: counted, calls };
}

function records(text: string): { root: string; terms: Map<string, TermRecord> } {
  const terms = new Map<string, TermRecord>();
  const visit = (t: ReturnType<typeof parseTerm>): string => {
    const record = { op: t.op, children: t.children.map(visit) };
    const hash = termHash(record.op, record.children);
    terms.set(hash, record);
    return hash;
  };
  return { root: visit(parseTerm(text)), terms };
}

describe.each(KERNELS)('EGraph on the $name kernel', (k) => {
  it('loads the sets with one add per height and one merge', async () => {
    const { root, terms } = records('(+ (* a (+ b c)) (* (+ b c) a))');
    const x = termHash('x', []);
    const { kernel, calls } = counting(await k.create());
    const egraph = EGraph.fromSets(kernel, new Map([...terms].reverse()), [{ a: root, b: [...terms.keys()][0] as string }]);
    expect(calls.get('add')).toBe(4);
    expect(calls.get('merge')).toBe(1);
    expect(egraph.summary()).toEqual({ nodes: 7, classes: 6, terms: 7, unions: 1 });
    expect(egraph.has(x)).toBe(false);
  });

  it('waits for absent children and ignores unions naming absent terms', async () => {
    const { root, terms } = records('(f (g x))');
    const gx = termHash('g', [termHash('x', [])]);
    const partial = new Map([...terms].filter(([h]) => h !== gx));
    const egraph = EGraph.fromSets(await k.create(), partial, [{ a: root, b: termHash('x', []) }]);
    expect(egraph.has(root)).toBe(false);
    expect(egraph.summary()).toEqual({ nodes: 1, classes: 1, terms: 1, unions: 0 });
    egraph.addRecords(terms);
    expect(egraph.has(root)).toBe(true);
    expect(egraph.summary().nodes).toBe(3);
  });

  it('names a class by its smallest term hash, on every replica', async () => {
    const egraph = new EGraph(await k.create());
    const hashes = ['(* x 2)', '(+ x x)', '(* 2 x)'].map((t) => egraph.addTerm(parseTerm(t)).hash);
    egraph.union(hashes[0] as string, hashes[1] as string);
    egraph.union(hashes[1] as string, hashes[2] as string);
    egraph.rebuild();
    const smallest = [...hashes].sort()[0];
    for (const h of hashes) expect(egraph.classOf(h)).toBe(smallest);
  });

  it('saturates with a bounded number of kernel calls per iteration', async () => {
    const { kernel, calls } = counting(await k.create());
    const egraph = new EGraph(kernel);
    egraph.addTerm(parseTerm('(+ (+ a b) (+ (+ c d) (+ e f)))'));
    calls.clear();
    const rules = [compileRule({ name: 'comm-add', lhs: '(+ ?a ?b)', rhs: '(+ ?b ?a)' }), compileRule({ name: 'assoc-add', lhs: '(+ ?a (+ ?b ?c))', rhs: '(+ (+ ?a ?b) ?c)' })];
    const r = saturate(egraph, rules, { iterations: 3, nodes: 100_000, timeMs: 60_000 }, () => 0, { foldConstants: true });
    expect(r.stop).toBe('iter-limit');
    expect(r.rewrites).toBeGreaterThan(20);
    // Per iteration: a snapshot (nodes, and find for class names), an add per rhs height (2) plus
    // one for folded numerals, a find for the pairs that join classes, one merge, one rebuild.
    for (const method of ['nodes', 'merge', 'rebuild']) expect(calls.get(method)).toBe(3);
    expect(calls.get('find')).toBe(6);
    expect(calls.get('add')).toBeLessThanOrEqual(9);
  });
});

describe.each(KERNELS)('saturation with a match cap on the $name kernel', (k) => {
  const AC = [
    compileRule({ name: 'comm-add', lhs: '(+ ?a ?b)', rhs: '(+ ?b ?a)' }),
    compileRule({ name: 'assoc-add', lhs: '(+ ?a (+ ?b ?c))', rhs: '(+ (+ ?a ?b) ?c)' }),
  ];
  const run = async (matchesPerRule: number) => {
    const egraph = new EGraph(await k.create());
    egraph.addTerm(parseTerm('(+ a (+ b (+ c d)))'));
    let runs = 0;
    while (saturate(egraph, AC, { iterations: 1, nodes: 10_000, timeMs: 60_000, matchesPerRule }, () => 0).stop !== 'saturated') runs++;
    return { classes: egraph.summary().classes, runs };
  };

  it('skips matches already in their class, so a capped rule reaches the same fixpoint', async () => {
    const uncapped = await run(Infinity);
    // one class per non-empty sub-sum of {a, b, c, d}, the leaves included
    expect(uncapped.classes).toBe(15);
    const capped = await run(2);
    expect(capped.classes).toBe(15);
    expect(capped.runs).toBeGreaterThan(uncapped.runs);
  });
});

describe.each(KERNELS)('saturation scoped to some terms on the $name kernel', (k) => {
  const COMM = [compileRule({ name: 'comm-add', lhs: '(+ ?a ?b)', rhs: '(+ ?b ?a)' })];
  const LIMITS = { iterations: 5, nodes: 10_000, timeMs: 60_000 };

  it('rewrites only what those terms reach, their subterms included, and counts only those e-nodes', async () => {
    const egraph = new EGraph(await k.create());
    const inside = egraph.addTerm(parseTerm('(* (+ a b) c)')).hash;
    egraph.addTerm(parseTerm('(+ x y)'));
    const r = saturate(egraph, COMM, LIMITS, () => 0, { roots: [inside] });
    expect(r.stop).toBe('saturated');
    expect(r.newTerms.map(([, t]) => t.op)).toEqual(['+']);
    expect(egraph.classOf(egraph.addTerm(parseTerm('(+ b a)')).hash)).toBe(egraph.classOf(egraph.addTerm(parseTerm('(+ a b)')).hash));
    expect(egraph.classOf(egraph.addTerm(parseTerm('(+ y x)')).hash)).not.toBe(egraph.classOf(egraph.addTerm(parseTerm('(+ x y)')).hash));
    // (+ a b) reaches 3 e-nodes, 4 after the rewrite; the e-graph holds more
    const capped = new EGraph(await k.create());
    const small = capped.addTerm(parseTerm('(+ a b)')).hash;
    capped.addTerm(parseTerm('(* (* (* x y) (* z w)) (* (* x z) (* y w)))'));
    expect(saturate(capped, COMM, { ...LIMITS, nodes: 5 }, () => 0, { roots: [small] }).stop).toBe('saturated');
    expect(saturate(capped, COMM, { ...LIMITS, nodes: 5 }, () => 0).stop).toBe('node-limit');
  });

  it('reaches what the classes merged into its own hold', async () => {
    const egraph = new EGraph(await k.create());
    const root = egraph.addTerm(parseTerm('(f p)')).hash;
    egraph.addTerm(parseTerm('(+ u v)'));
    // p = (+ u v): what p's class holds is now in reach of (f p)
    egraph.union(egraph.addTerm(parseTerm('p')).hash, egraph.addTerm(parseTerm('(+ u v)')).hash);
    egraph.rebuild();
    const r = saturate(egraph, COMM, LIMITS, () => 0, { roots: [root] });
    expect(r.newUnions.map((u) => u.rule)).toEqual(['comm-add']);
  });
});
