// The kernel contract (asm/wit/kernel.wit) on every kernel: hash-consing, deferred congruence,
// counts, the shape of nodes(), costs (with cycles and saturation), and a property against a naive
// congruence closure. The AS kernels must also agree with the reference id for id.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/egraph/kernel.ts';
import { ReferenceKernel } from '../../src/egraph/reference-kernel.ts';
import { generateWorkload, runWorkload } from '../../src/egraph/workload.ts';
import { fcParams } from '../core/env.ts';
import { KERNELS } from './kernels.ts';

const u32 = (...xs: number[]) => Uint32Array.of(...xs);
const list = (xs: Uint32Array) => Array.from(xs);
const LEAF_A = 0;
const LEAF_B = 1;
const F = 2;
const G = 3;

/** Leaves a, b and f(a), f(b): ids 0..3. */
function fab(k: Kernel): { a: number; b: number; fa: number; fb: number } {
  const [a, b] = list(k.add(u32(LEAF_A, 0, LEAF_B, 0))) as [number, number];
  const [fa, fb] = list(k.add(u32(F, 1, a, F, 1, b))) as [number, number];
  return { a, b, fa, fb };
}

describe.each(KERNELS)('kernel contract on the $name kernel', (kut) => {
  it('hash-conses: an equal record gets the existing id, in the same batch or a later one', async () => {
    const k = await kut.create();
    expect(list(k.add(u32(LEAF_A, 0, LEAF_A, 0, LEAF_B, 0)))).toEqual([0, 0, 1]);
    expect(list(k.add(u32(F, 2, 0, 1, F, 2, 1, 0, F, 2, 0, 1)))).toEqual([2, 3, 2]);
    expect(list(k.add(u32(LEAF_B, 0, F, 2, 1, 0)))).toEqual([1, 3]);
    expect(list(k.counts())).toEqual([4, 4]);
  });

  it('f(a), f(b), merge a b: one class only after rebuild', async () => {
    const k = await kut.create();
    const { a, b, fa, fb } = fab(k);
    expect(k.merge(u32(a, b))).toBe(1);
    expect(k.merge(u32(b, a, a, a))).toBe(0);
    const before = k.find(u32(a, b, fa, fb));
    expect(before[0]).toBe(before[1]);
    expect(before[2]).not.toBe(before[3]); // congruence waits for rebuild
    expect(k.rebuild()).toBe(1);
    expect(k.rebuild()).toBe(0);
    expect(list(k.find(u32(a, b, fa, fb)))).toEqual([a, a, fa, fa]); // the smaller id names the class
    expect(list(k.counts())).toEqual([3, 2]);
    // after rebuild an equal record finds the canonical e-node
    expect(list(k.add(u32(F, 1, b)))).toEqual([fa]);
  });

  it('rebuild propagates congruence upwards and counts the merges it made', async () => {
    const k = await kut.create();
    const { a, b, fa, fb } = fab(k);
    const [gfa, gfb] = list(k.add(u32(G, 1, fa, G, 1, fb))) as [number, number];
    k.merge(u32(b, a));
    expect(k.rebuild()).toBe(2);
    expect(list(k.find(u32(gfa, gfb)))).toEqual([gfa, gfa]);
    expect(list(k.counts())).toEqual([4, 3]); // a, b, f(a), g(f(a))
  });

  it('a node added between merge and rebuild misses the stale memo, and joins its class at rebuild', async () => {
    const k = await kut.create();
    const [a, b] = list(k.add(u32(LEAF_A, 0, LEAF_B, 0))) as [number, number];
    const [fb] = list(k.add(u32(F, 1, b))) as [number];
    k.merge(u32(a, b));
    const [fa] = list(k.add(u32(F, 1, a))) as [number];
    expect(fa).not.toBe(fb);
    expect(list(k.counts())).toEqual([4, 3]);
    expect(k.rebuild()).toBe(1);
    expect(list(k.find(u32(fa, fb)))).toEqual([fb, fb]);
    expect(list(k.counts())).toEqual([3, 2]);
    expect(list(k.add(u32(F, 1, a)))).toEqual([fb]); // of congruent e-nodes the older stays canonical
  });

  it('nodes(): class, op, arity, canonical children, grouped by class ascending', async () => {
    const k = await kut.create();
    const { a, b, fa } = fab(k);
    const [gfa] = list(k.add(u32(G, 2, fa, b))) as [number];
    k.merge(u32(b, a, gfa, a));
    k.rebuild();
    // classes: {a, b, g(fa, b)} = 0 and {f(a), f(b)} = 2; g's children canonical
    expect(list(k.nodes())).toEqual([0, LEAF_A, 0, 0, LEAF_B, 0, 0, G, 2, 2, 0, 2, F, 1, 0]);
    expect(list(k.counts())).toEqual([4, 2]);
  });

  it('costs(): cheapest per class bottom-up, through cycles, saturating, unknown ops left out', async () => {
    const k = await kut.create();
    const { a, b, fa, fb } = fab(k);
    const [gfa] = list(k.add(u32(G, 1, fa))) as [number];
    k.merge(u32(fa, gfa)); // class 2 = {f(a), g(class 2)}: a cycle
    k.rebuild();
    expect(list(k.costs(u32(1, 7, 10, 1)))).toEqual([a, 1, b, 7, fa, 11, fb, 17]);
    k.merge(u32(fb, a)); // class 0 = {a, f(b)}: f(b) is the cheaper way
    k.rebuild();
    expect(list(k.costs(u32(5, 2, 1, 1)))).toEqual([a, 3, b, 2, fa, 4]);
    expect(list(k.costs(u32(0xffff_fff0, 0xffff_fff0, 0x20, 0x20)))).toEqual([a, 0xffff_fff0, b, 0xffff_fff0, fa, 0xffff_ffff]);
    // op G outside the table: no change; ops F and G outside it: f(a)'s class has no cost at all
    expect(list(k.costs(u32(1, 7, 10)))).toEqual([a, 1, b, 7, fa, 11]);
    expect(list(k.costs(u32(1, 7)))).toEqual([a, 1, b, 7]);
  });

  it('reset forgets every node and class', async () => {
    const k = await kut.create();
    fab(k);
    k.reset();
    expect(list(k.counts())).toEqual([0, 0]);
    expect(list(k.nodes())).toEqual([]);
    expect(list(k.add(u32(F, 0)))).toEqual([0]);
  });

  it('refuses ids that do not exist', async () => {
    for (const call of [(k: Kernel) => k.add(u32(F, 1, 5)), (k: Kernel) => k.merge(u32(0, 9)), (k: Kernel) => k.find(u32(3))]) {
      const k = await kut.create();
      k.add(u32(LEAF_A, 0));
      expect(() => call(k)).toThrow();
    }
  });
});

describe.each(KERNELS)('the bench workload on the $name kernel', (kut) => {
  it('scaled down, builds the same e-graph as the reference, with congruences to restore', async () => {
    const workload = generateWorkload(7, { leaves: 50, binary: 3_000, unions: 1_500, batch: 250 });
    const expected = runWorkload(new ReferenceKernel(), workload);
    expect(expected.rebuilt).toBeGreaterThan(0);
    expect(runWorkload(await kut.create(), workload)).toEqual(expected);
    expect(runWorkload(new ReferenceKernel(), generateWorkload(8, workload.shape))).not.toEqual(expected);
  });
});

// ---- property: the partition equals a naive congruence closure, and every kernel answers alike

/** A record over earlier records (by index), added in waves so children always exist. */
interface Rec {
  op: number;
  children: number[];
}

type Step = { kind: 'add'; records: Rec[] } | { kind: 'merge'; pairs: [number, number][] } | { kind: 'rebuild' };

/** Naive congruence closure over the records: union-find, then merge congruent pairs to a fixpoint. */
function oracle(recs: Rec[], unions: [number, number][]): number[] {
  const parent = recs.map((_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x] as number)));
  const join = (x: number, y: number) => {
    const [rx, ry] = [find(x), find(y)];
    if (rx === ry) return false;
    parent[Math.max(rx, ry)] = Math.min(rx, ry);
    return true;
  };
  for (const [x, y] of unions) join(x, y);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < recs.length; i++)
      for (let j = i + 1; j < recs.length; j++) {
        const [ri, rj] = [recs[i] as Rec, recs[j] as Rec];
        if (ri.op !== rj.op || ri.children.length !== rj.children.length) continue;
        if (ri.children.every((c, n) => find(c) === find(rj.children[n] as number)) && join(i, j)) changed = true;
      }
  }
  return recs.map((_, i) => find(i));
}

/** Random waves of records over 3 ops (arity 0–2) and merges between them, rebuilds sprinkled in. */
const scenario: fc.Arbitrary<{ steps: Step[]; recs: Rec[]; unions: [number, number][] }> = fc
  .array(
    fc.tuple(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.array(fc.nat(), { maxLength: 2 })), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((waves) => {
    const recs: Rec[] = [];
    const unions: [number, number][] = [];
    const steps: Step[] = [];
    for (const [wave, pairs, rebuild] of waves) {
      const known = recs.length;
      // leaves only in the first wave; later children point at earlier waves
      const records = wave.map(([op, kids]) => ({ op, children: known === 0 ? [] : kids.map((c) => c % known) }));
      recs.push(...records);
      steps.push({ kind: 'add', records });
      const merged = pairs.map(([x, y]) => [x % recs.length, y % recs.length] as [number, number]);
      unions.push(...merged);
      steps.push({ kind: 'merge', pairs: merged });
      if (rebuild) steps.push({ kind: 'rebuild' });
    }
    steps.push({ kind: 'rebuild' });
    return { steps, recs, unions };
  });

/** Runs the steps; the kernel id of each record, and every answer the kernel gives along the way. */
function run(k: Kernel, steps: Step[]): { ids: number[]; answers: unknown[] } {
  const ids: number[] = [];
  const answers: unknown[] = [];
  for (const step of steps) {
    if (step.kind === 'add') {
      const flat = step.records.flatMap((r) => [r.op, r.children.length, ...r.children.map((c) => ids[c] as number)]);
      const got = list(k.add(Uint32Array.from(flat)));
      ids.push(...got);
      answers.push(got);
    } else if (step.kind === 'merge') answers.push(k.merge(Uint32Array.from(step.pairs.flatMap(([x, y]) => [ids[x] as number, ids[y] as number]))));
    else answers.push(k.rebuild());
  }
  answers.push(list(k.find(Uint32Array.from(ids))), list(k.nodes()), list(k.counts()), list(k.costs(u32(1, 2, 3))));
  return { ids, answers };
}

describe.each(KERNELS)('kernel vs congruence closure on the $name kernel', (kut) => {
  it('random graphs and unions: the same partition as the oracle, the same answers as the reference', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ steps, recs, unions }) => {
        const k = await kut.create();
        const { ids, answers } = run(k, steps);
        const expected = oracle(recs, unions);
        const roots = list(k.find(Uint32Array.from(ids)));
        for (let i = 0; i < recs.length; i++)
          for (let j = i + 1; j < recs.length; j++) expect(roots[i] === roots[j]).toBe(expected[i] === expected[j]);
        // every class holds a record; e-nodes are the distinct (op, child classes) of the records
        const keys = new Set(recs.map((r) => [r.op, ...r.children.map((c) => expected[c])].join(',')));
        expect(list(k.counts())).toEqual([keys.size, new Set(expected).size]);
        // nodes() is congruence-closed: each (op, children) once
        const flat = k.nodes();
        const seen = new Set<string>();
        for (let i = 0; i < flat.length; i += 3 + (flat[i + 2] as number)) {
          const key = list(flat.subarray(i + 1, i + 3 + (flat[i + 2] as number))).join(',');
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
        expect(run(new ReferenceKernel(), steps).answers).toEqual(answers);
      }),
      fcParams(150),
    );
  });
});
