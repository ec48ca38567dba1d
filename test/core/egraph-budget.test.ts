// Each posted term has its own record budget (MAX_ROOT_RECORDS): an agent stops rewriting for a
// term whose e-graph grew past it, and goes on rewriting for the others and for terms posted later.
import { describe, expect, it } from 'vitest';
import { addTerm, liveRoots, loadEGraph, MAX_ROOT_RECORDS, readEGraphSets, readRoots, saturateOnTick, type EGraphSizes } from '../../src/core/index.ts';
import { parseTerm, ReferenceKernel } from '../../src/egraph/index.ts';
import { gridNetwork } from './saturating-network.ts';

/** Comm/assoc over seven symbols: RED's rules explore ~2^7 sums, far past one budget. */
const SUM = '(+ a (+ b (+ c (+ d (+ e (+ f g))))))';

function records(doc: Parameters<typeof readEGraphSets>[0]): number {
  const sets = readEGraphSets(doc);
  return sets.terms.size + sets.unions.length;
}

describe('a record budget per posted term', () => {
  it('stops rewriting for a term past its budget, and rewrites for a term posted afterwards', () => {
    const net = gridNetwork(1);
    const [ctx, doc] = [net.ctx(0), net.doc(0)];
    const kernel = () => new ReferenceKernel();
    const sum = addTerm(ctx, doc, kernel(), SUM).hash;
    expect(readRoots(doc)).toEqual([sum]);
    let saturated: EGraphSizes | null = null;
    let stop: string | undefined;
    for (let tick = 0; tick < 200 && stop !== 'node-limit'; tick++) {
      const run = saturateOnTick(ctx, doc, kernel, 'RED', saturated);
      saturated = run.saturated;
      stop = run.report?.stop;
    }
    expect(stop).toBe('node-limit');
    const exhausted = records(doc);
    expect(exhausted).toBeGreaterThanOrEqual(MAX_ROOT_RECORDS);
    // nothing more for it, however often the agent ticks
    expect(saturateOnTick(ctx, doc, kernel, 'RED', null)).toMatchObject({ ran: false, report: { stop: 'node-limit' } });
    expect(records(doc)).toBe(exhausted);

    const product = addTerm(ctx, doc, kernel(), '(* (+ y 0) 2)').hash;
    expect(liveRoots(loadEGraph(doc, kernel()), readRoots(doc))).toEqual([product]);
    const run = saturateOnTick(ctx, doc, kernel, 'RED', saturated);
    expect(run.ran).toBe(true);
    expect(run.report?.new_unions).toBeGreaterThan(0);
    const egraph = loadEGraph(doc, kernel());
    expect(egraph.classOf(egraph.addTerm(parseTerm('(* 2 (+ y 0))')).hash)).toBe(egraph.classOf(product));
  });
});

describe('the posted terms within their budget', () => {
  it('leave out a posted term the e-graph does not hold, such as a foreign writer’s key', () => {
    const net = gridNetwork(1);
    const doc = net.doc(0);
    const posted = addTerm(net.ctx(0), doc, new ReferenceKernel(), '(+ x 0)').hash;
    doc.getMap('roots').set('00000000000000aa', { agent: 9, ts: 1 });
    expect(readRoots(doc).sort()).toEqual([posted, '00000000000000aa'].sort());
    expect(liveRoots(loadEGraph(doc, new ReferenceKernel()), readRoots(doc))).toEqual([posted]);
  });
});
