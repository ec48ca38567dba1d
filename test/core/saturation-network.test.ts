// Distributed equality saturation on a simulated nine-agent grid (the in-memory network of the sync
// tests, envelopes through JSON): each agent applies only its colour's rules on its tick, as the
// agent component does, with the agent's tick budget. Every agent must end with the same e-graph
// and the same best term, and the grow-only term records must stay few.
import { describe, expect, it } from 'vitest';
import {
  addTerm,
  allNeighbours,
  colourTopology,
  EXTRACTION_COSTS,
  foldsConstants,
  loadEGraph,
  readEGraphSets,
  rulesFor,
  saturateDoc,
  seededRandom,
  type Colour,
} from '../../src/core/index.ts';
import { ReferenceKernel } from '../../src/egraph/index.ts';
import { SimNetwork } from './network.ts';

const GRID = allNeighbours('grid', 9);
const COLOURS = colourTopology('grid', 9).colours as Colour[];

/** Ticks with saturation until no doc changes for two rounds; returns the rounds it took. */
function saturateNetwork(net: SimNetwork, drop: number, maxRounds = 60): number {
  let quiet = 0;
  for (let round = 1; round <= maxRounds; round++) {
    const before = net.docs.map((d) => readEGraphSets(d)).map((s) => s.terms.size + s.unions.length);
    net.docs.forEach((doc, id) => {
      const colour = COLOURS[id] as Colour;
      net.send(saturateDoc(net.ctx(id), doc, new ReferenceKernel(), rulesFor(colour), { foldConstants: foldsConstants(colour) }).outbox);
    });
    net.deliver({ drop, duplicate: drop, reorder: drop > 0 });
    net.tickRound(); // anti-entropy repairs what was dropped
    const after = net.docs.map((d) => readEGraphSets(d)).map((s) => s.terms.size + s.unions.length);
    quiet = after.every((n, i) => n === before[i]) ? quiet + 1 : 0;
    if (quiet === 2) return round;
  }
  throw new Error(`the network was still saturating after ${maxRounds} rounds`);
}

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
    const net = new SimNetwork(GRID, seededRandom(11));
    const { hash, outbox } = addTerm(net.ctx(4), net.doc(4), new ReferenceKernel(), term);
    net.send(outbox);
    const rounds = saturateNetwork(net, drop);
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
