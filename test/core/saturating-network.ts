// Distributed saturation on a SimNetwork, as the agents do it: each round every agent ticks with
// its colour's rules (core's saturateOnTick: the tick budget, each posted term's record budget, and
// the skip while nothing changed since a saturated run), then envelopes are delivered (with `drop`
// loss, duplicates and reordering) and a lossless anti-entropy round repairs what was lost.
import { allNeighbours, colourTopology, readEGraphSets, saturateOnTick, seededRandom, type Colour, type EGraphSizes } from '../../src/core/index.ts';
import { ReferenceKernel } from '../../src/egraph/index.ts';
import { SimNetwork } from './network.ts';

const GRID_COLOURS = colourTopology('grid', 9).colours as Colour[];

/** Nine agents on a 3×3 grid, seeded. */
export function gridNetwork(seed: number): SimNetwork {
  return new SimNetwork(allNeighbours('grid', 9), seededRandom(seed));
}

function records(net: SimNetwork): number[] {
  return net.docs.map((d) => {
    const sets = readEGraphSets(d);
    return sets.terms.size + sets.unions.length;
  });
}

/** Each agent's sizes at its last saturated run, as the agent keeps them in its meta. */
const lastSaturated = new WeakMap<SimNetwork, (EGraphSizes | null)[]>();

/** One round: every agent saturates a step, then delivery. */
export function saturationRound(net: SimNetwork, drop: number): void {
  const saturated = lastSaturated.get(net) ?? net.docs.map(() => null);
  lastSaturated.set(net, saturated);
  net.docs.forEach((doc, id) => {
    const run = saturateOnTick(net.ctx(id), doc, () => new ReferenceKernel(), GRID_COLOURS[id] as Colour, saturated[id]);
    saturated[id] = run.saturated;
    net.send(run.outbox);
  });
  net.deliver({ drop, duplicate: drop, reorder: drop > 0 });
  net.tickRound();
}

/** Rounds until no doc changed for two rounds (or `done` holds); returns the rounds it took. */
export function saturateUntilQuiet(net: SimNetwork, drop: number, maxRounds: number, done: () => boolean = () => false): number {
  let quiet = 0;
  for (let round = 1; round <= maxRounds; round++) {
    const before = records(net);
    saturationRound(net, drop);
    const after = records(net);
    quiet = after.every((n, i) => n === before[i]) ? quiet + 1 : 0;
    if (quiet === 2 || done()) return round;
  }
  throw new Error(`the network was still saturating after ${maxRounds} rounds`);
}
