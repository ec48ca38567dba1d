// egg's math suite (test/egraph/egg-math/) through distributed saturation: every case that uses
// egg's math rules, each on its own simulated nine-agent grid where an agent applies only its
// colour's family, with the agents' tick budget and each posted term's record budget
// (test/core/saturating-network.ts); then all of them posted one after another on ONE grid, as a
// user would, each given the rounds of 90 s at the default tick. A case is proved when, at every
// agent, each goal is in the start's class. The cases the network does not prove are listed with
// the reason, measured; the real network runs the quick ones (test/network/egg-math.test.ts); the
// harness runs them all with egg's whole rule set (test/egraph/egg-math.test.ts).
import { describe, expect, it } from 'vitest';
import { addTerm, loadEGraph, MAX_ROOT_RECORDS, readEGraphSets } from '../../src/core/index.ts';
import { parseTerm, ReferenceKernel } from '../../src/egraph/index.ts';
import cases from '../egraph/egg-math/egg-math-cases.json' with { type: 'json' };
import extras from '../egraph/egg-math/egg-extra-cases.json' with { type: 'json' };
import type { SimNetwork } from './network.ts';
import { gridNetwork, saturateUntilQuiet, saturationRound } from './saturating-network.ts';

interface Case {
  name: string;
  start: string;
  goals: string[];
  expect_proved: boolean;
  rules: unknown;
}

const MAX_ROUNDS = 40;
/** a round per tick at the default SYNC_INTERVAL of 5 s */
const ROUNDS_IN_90_S = 18;

/** Not proved by the network, and why (measured on this simulation). */
const NOT_PROVED: Record<string, string> = {
  math_fail: 'false in egg too: (+ x y) is not (/ x y)',
  math_simplify_add: "needs egg's mul-one (?a => (* ?a 1)), which the colour families leave out (green.ts)",
  integ_part3: "needs egg's mul-one, as above",
  diff_power_harder: `its e-graph passes its ${MAX_ROOT_RECORDS}-record budget (MAX_ROOT_RECORDS) before the goal`,
  integ_part2: `not within ${MAX_ROUNDS} rounds (~770 records)`,
  integ_part1: 'posted at agent 4 its e-graph reaches its record budget first (posted at agent 0 it is proved, at ~830 records)',
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

  it('proves every case it proves alone when they are posted one after another on one grid, each at another agent', () => {
    const net = gridNetwork(3);
    const proved: string[] = [];
    for (const [i, c] of MATH_CASES.entries()) {
      net.send(addTerm(net.ctx(i % 9), net.doc(i % 9), new ReferenceKernel(), c.start).outbox);
      for (let round = 0; round < ROUNDS_IN_90_S && !proved.includes(c.name); round++) {
        saturationRound(net, 0);
        if (provedEverywhere(net, c)) proved.push(c.name);
      }
    }
    expect(proved).toEqual(MATH_CASES.filter((c) => !(c.name in NOT_PROVED)).map((c) => c.name));
    // Each term had its own budget: together they hold more records than one budget.
    const sets = readEGraphSets(net.doc(0));
    expect(sets.terms.size + sets.unions.length).toBeGreaterThan(3 * MAX_ROOT_RECORDS);
  }, 120_000);

  it('lists only cases of the suite as not proved', () => {
    expect(Object.keys(NOT_PROVED).filter((n) => !MATH_CASES.some((c) => c.name === n))).toEqual([]);
  });
});
