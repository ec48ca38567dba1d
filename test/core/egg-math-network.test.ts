// egg's math suite (test/egraph/egg-math/) through distributed saturation: every case that uses
// egg's math rules, each on its own simulated nine-agent grid where an agent applies only its
// colour's family, with the agents' tick budget and record cap (test/core/saturating-network.ts).
// A case is proved when, at every agent, each goal is in the start's class. The cases the network
// does not prove are listed with the reason, measured; the real network runs the quick ones
// (test/network/egg-math.test.ts); the harness runs them all with egg's whole rule set
// (test/egraph/egg-math.test.ts).
import { describe, expect, it } from 'vitest';
import { addTerm, loadEGraph } from '../../src/core/index.ts';
import { parseTerm, ReferenceKernel } from '../../src/egraph/index.ts';
import cases from '../egraph/egg-math/egg-math-cases.json' with { type: 'json' };
import extras from '../egraph/egg-math/egg-extra-cases.json' with { type: 'json' };
import type { SimNetwork } from './network.ts';
import { gridNetwork, saturateUntilQuiet } from './saturating-network.ts';

interface Case {
  name: string;
  start: string;
  goals: string[];
  expect_proved: boolean;
  rules: unknown;
}

const MAX_ROUNDS = 40;

/** Not proved by the network, and why (measured on this simulation). */
const NOT_PROVED: Record<string, string> = {
  math_fail: 'false in egg too: (+ x y) is not (/ x y)',
  math_simplify_add: "needs egg's mul-one (?a => (* ?a 1)), which the colour families leave out (green.ts)",
  integ_part3: "needs egg's mul-one, as above",
  diff_power_harder: 'its e-graph passes the 1,000-record cap (MAX_EGRAPH_RECORDS) before the goal',
  integ_part2: `not within ${MAX_ROUNDS} rounds (~770 records)`,
  integ_part1: 'posted at agent 4 its e-graph reaches the record cap first (posted at agent 0 it is proved, at ~830 records)',
};

const MATH_CASES = ([...cases, ...extras] as Case[]).filter((c) => c.rules === 'math');

/** Whether every goal is in the start's class at every agent. */
function provedEverywhere(net: SimNetwork, c: Case): boolean {
  return net.docs.every((doc) => {
    const egraph = loadEGraph(doc, new ReferenceKernel());
    const root = egraph.classOf(egraph.addTerm(parseTerm(c.start)).hash);
    return c.goals.every((g) => egraph.classOf(egraph.addTerm(parseTerm(g)).hash) === root);
  });
}

describe("egg's math cases on a simulated nine-agent grid, each colour its own rules", () => {
  it.each(MATH_CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const net = gridNetwork(3);
    net.send(addTerm(net.ctx(4), net.doc(4), new ReferenceKernel(), c.start).outbox);
    const proves = !(name in NOT_PROVED);
    let proved = false;
    try {
      saturateUntilQuiet(net, 0, MAX_ROUNDS, () => (proved = provedEverywhere(net, c)));
    } catch (err) {
      if (proves) throw err; // still saturating at the bound: fine only for a case listed as not proved
    }
    expect(proved, NOT_PROVED[name] ?? 'expected proved').toBe(proves);
  }, 30_000);

  it('lists only cases of the suite as not proved', () => {
    expect(Object.keys(NOT_PROVED).filter((n) => !MATH_CASES.some((c) => c.name === n))).toEqual([]);
  });
});
