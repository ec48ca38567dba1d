// The e-graph as a CRDT: replicas that hold the same two sets (term records, unions), however they
// received them, derive the same e-graph. Random terms and unions are split over three replicas,
// then each replica takes everything in its own random order, with duplicates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EGraph, parseTerm, saturate, compileRule, type TermRecord } from '../../src/egraph/index.ts';
import { COLOURS, rulesFor } from '../../src/core/index.ts';
import { fcParams } from '../core/env.ts';
import { KERNELS } from './kernels.ts';

const LEAVES = ['x', 'y', '0', '1', '2'];
const OPS = ['+', '*'];

const termText: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...LEAVES),
    fc.tuple(fc.constantFrom(...OPS), tie('t'), tie('t')).map(([op, a, b]) => `(${op} ${a} ${b})`),
  ),
})).t;

interface Sets {
  terms: [string, TermRecord][];
  unions: { a: string; b: string }[];
}

/** What a replica derives: its classes as sorted member lists, counts, and each root's best term. */
function derived(egraph: EGraph, roots: string[]) {
  egraph.checkInvariants();
  return {
    dump: egraph.dump(),
    summary: egraph.summary(),
    best: roots.map((r) => egraph.best(r).term),
  };
}

describe.each(KERNELS)('CRDT e-graph on the $name kernel', (k) => {
  it('three replicas merging the same sets in any order, with duplicates, derive the same e-graph', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(termText, { minLength: 2, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 16, maxLength: 16 }),
        fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        async (texts, pairs, owner, seeds) => {
          // One source replica mints the records; each record and union lands at a random replica.
          const source = new EGraph(await k.create());
          const all: Sets = { terms: [], unions: [] };
          const roots = texts.map((t) => {
            const { hash, newRecords } = source.addTerm(parseTerm(t));
            all.terms.push(...newRecords);
            return hash;
          });
          for (const [i, j] of pairs) all.unions.push({ a: roots[i % roots.length] as string, b: roots[j % roots.length] as string });
          const shares: Sets[] = [0, 1, 2].map(() => ({ terms: [], unions: [] }));
          all.terms.forEach((t, i) => shares[owner[i % owner.length] as number]?.terms.push(t));
          all.unions.forEach((u, i) => shares[owner[(i + 7) % owner.length] as number]?.unions.push(u));
          const replicas = [];
          for (const seed of seeds) {
            // Everything, in a seeded order, with the first share delivered twice.
            const order = [...shares, shares[0] as Sets].map((s, i) => ({ s, key: (seed * 31 + i * 17) % 5 })).sort((p, q) => p.key - q.key);
            const terms = new Map<string, TermRecord>();
            const unions: { a: string; b: string }[] = [];
            for (const { s } of order) {
              for (const [h, r] of [...s.terms].reverse()) terms.set(h, r);
              unions.push(...s.unions);
            }
            replicas.push(derived(EGraph.fromSets(await k.create(), terms, unions), roots));
          }
          expect(replicas[1]).toEqual(replicas[0]);
          expect(replicas[2]).toEqual(replicas[0]);
        },
      ),
      fcParams(60),
    );
  });

  it('a replica given only what saturation added derives the saturating replica’s e-graph', async () => {
    const rules = [
      { name: 'comm-add', lhs: '(+ ?a ?b)', rhs: '(+ ?b ?a)' },
      { name: 'zero-add', lhs: '(+ ?a 0)', rhs: '?a' },
      { name: 'distribute', lhs: '(* ?a (+ ?b ?c))', rhs: '(+ (* ?a ?b) (* ?a ?c))' },
    ].map(compileRule);
    await fc.assert(
      fc.asyncProperty(fc.array(termText, { minLength: 1, maxLength: 4 }), async (texts) => {
        const a = new EGraph(await k.create());
        const terms = new Map<string, TermRecord>();
        const roots = texts.map((t) => {
          const { hash, newRecords } = a.addTerm(parseTerm(t));
          for (const [h, r] of newRecords) terms.set(h, r);
          return hash;
        });
        const result = saturate(a, rules, { iterations: 3, nodes: 2_000, timeMs: 10_000 }, () => 0, { foldConstants: true });
        for (const [h, r] of result.newTerms) terms.set(h, r);
        // B gets the records newest first and every union twice: order and duplicates must not matter.
        const b = EGraph.fromSets(await k.create(), new Map([...terms].reverse()), [...result.newUnions].reverse().concat(result.newUnions));
        a.checkInvariants();
        b.checkInvariants();
        expect(b.summary()).toEqual(a.summary());
        expect(b.dump()).toEqual(a.dump());
        expect(roots.map((r) => b.best(r))).toEqual(roots.map((r) => a.best(r)));
      }),
      fcParams(40),
    );
  });
  it('replicas that saturate with different colours, then merge, agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(termText, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }), async (texts, pairs) => {
        const terms = new Map<string, TermRecord>();
        const seed = new EGraph(await k.create());
        const roots = texts.map((t) => {
          const { hash, newRecords } = seed.addTerm(parseTerm(t));
          for (const [h, r] of newRecords) terms.set(h, r);
          return hash;
        });
        const unions = pairs.map(([i, j]) => ({ a: roots[i % roots.length] as string, b: roots[j % roots.length] as string }));
        // Each colour saturates its own copy of the same sets, as neighbouring agents do.
        const found = { terms: new Map(terms), unions: [...unions] };
        for (const colour of COLOURS) {
          const own = EGraph.fromSets(await k.create(), terms, unions);
          const r = saturate(own, rulesFor(colour), { iterations: 2, nodes: 3_000, timeMs: 10_000 }, () => 0, { foldConstants: colour === 'GREEN' });
          for (const [h, rec] of r.newTerms) found.terms.set(h, rec);
          found.unions.push(...r.newUnions);
        }
        const one = EGraph.fromSets(await k.create(), found.terms, found.unions);
        const other = EGraph.fromSets(await k.create(), new Map([...found.terms].reverse()), [...found.unions].reverse());
        expect(derived(other, roots)).toEqual(derived(one, roots));
      }),
      fcParams(25),
    );
  }, 60_000);
});
