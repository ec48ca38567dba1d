// Distributed equality saturation on a simulated nine-agent grid (the in-memory network of the sync
// tests, envelopes through JSON): each agent applies only its colour's rules on its tick, as the
// agent component does, with the agent's tick budget. Every agent must end with the same e-graph
// and the same best term, and the grow-only term records must stay few.
import { describe, expect, it } from 'vitest';
import { addTerm, EXTRACTION_COSTS, loadEGraph } from '../../src/core/index.ts';
import { ReferenceKernel } from '../../src/egraph/index.ts';
import type { SimNetwork } from './network.ts';
import { gridNetwork, saturateUntilQuiet } from './saturating-network.ts';

function egraphOf(net: SimNetwork, id: number) {
  const egraph = loadEGraph(net.doc(id), new ReferenceKernel());
  return { summary: egraph.summary(), dump: JSON.stringify(egraph.dump()), egraph };
}

describe.each([
  ['lossless', 0],
  ['20% loss, duplicates, reordering', 0.2],
])('nine agents saturating together (%s)', (_name, drop) => {
  it.each([
    ['(* (+ x 0) 2)', '(<< x 1)'],
    ['(+ (* x 2) (* 3 x))', '(* x 5)'],
  ])('%s posted at agent 4 becomes %s at every agent, in one e-graph', (term, best) => {
    const net = gridNetwork(11);
    const { hash, outbox } = addTerm(net.ctx(4), net.doc(4), new ReferenceKernel(), term);
    net.send(outbox);
    const rounds = saturateUntilQuiet(net, drop, 60);
    const first = egraphOf(net, 0);
    for (let id = 0; id < 9; id++) {
      const { dump, egraph } = egraphOf(net, id);
      expect(dump).toBe(first.dump);
      expect(egraph.best(hash, EXTRACTION_COSTS.ops).term).toBe(best);
    }
    // The budget keeps what colours explore before the others' results arrive small (see
    // TICK_SATURATION_LIMITS): a few records per e-node, not ~70 as with a large budget.
    expect(first.summary.terms).toBeLessThan(10 * first.summary.nodes);
    expect(rounds).toBeLessThan(40);
  });
});
