// egg's math suite through the real network: the cases whose whole saturated e-graph stays small on
// the simulated grid (test/core/egg-math-network.test.ts runs every case and says why some are not
// proved), from each tier: A math_powers, integ_one, integ_sin; B the d rules; C integ_x. First a
// term that explores past its record budget (MAX_ROOT_RECORDS) is posted and left to exhaust it, as
// a user's earlier term may; then the cases, all at once, spread over the nine built agent
// components, saturated by the gateway's ticks over a real nats-server: each posted term has its own
// budget, so the first one's does not stop theirs (a cap for the whole doc did, for good). A case is
// proved at an agent when it answers each goal equal to the start (GET /egraph/equal).
// Left out here though the simulation proves them: cases whose e-graphs grow to hundreds of records
// (math_simplify_root ~470, math_simplify_factor ~1,200, diff_power_simple ~460): every e-graph
// request and tick then costs hundreds of ms on 2 cores, and all of egg's cases one after another
// on one network take ~20 min (README, "egg's cases in sequence"; `npm run bench -- --egg-seconds 90`).
import { afterAll, beforeAll, expect, it } from 'vitest';
import cases from '../egraph/egg-math/egg-math-cases.json' with { type: 'json' };
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestApp, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const QUICK = ['math_powers', 'math_diff_same', 'math_diff_different', 'math_diff_simple1', 'math_diff_ln', 'integ_one', 'integ_sin', 'integ_x'];
const CASES = (cases as { name: string; start: string; goals: string[] }[]).filter((c) => QUICK.includes(c.name));
/** ~180 records once saturated on the simulated grid, quiet within 8 rounds */
const PROVE_BOUND_MS = 180_000;
/** Comm/assoc over seven symbols: RED's rules explore far past one budget (test/core/egraph-budget.test.ts). */
const EXPLORER = '(+ a (+ b (+ c (+ d (+ e (+ f g))))))';
const EXHAUST_BOUND_MS = 120_000;
/** from agent 8's last proof to the same proofs at another agent (sync interval 500 ms) */
const SPREAD_BOUND_MS = 30_000;

async function equal(app: TestApp, id: number, a: string, b: string): Promise<boolean> {
  const reply = await call<{ equal: boolean }>(app, 'GET', `/agent/${id}/egraph/equal?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  expect(reply.status).toBe(200);
  return reply.body.equal;
}

async function unproved(app: TestApp, id: number): Promise<string[]> {
  const open: string[] = [];
  for (const c of CASES) {
    for (const goal of c.goals) if (!(await equal(app, id, c.start, goal))) open.push(c.name);
  }
  return open;
}

describeDeliveries(
  "egg's math suite through the network",
  (_kind, broker) => {
    let app: TestApp;
    let network: TestNetwork | undefined;
    beforeAll(async () => {
      network = await startTestNetwork({ natsUrl: broker().natsUrl, syncIntervalMs: 500 });
      ({ app } = network);
    }, 120_000);
    afterAll(async () => network?.close());

    it(`proves ${QUICK.length} cases at every agent, each posted at a different one, after a term that exhausted its budget`, async () => {
      expect(CASES.map((c) => c.name).sort()).toEqual([...QUICK].sort());
      expect((await call(app, 'POST', '/agent/0/terms', { term: EXPLORER })).status).toBe(200);
      type Roots = { roots: { posted: number; within_budget: number; budget_records: number }; terms: number; unions: number };
      const exhausted = await waitFor('the first term past its budget at agent 0', async () => {
        const { body } = await call<Roots>(app, 'GET', '/agent/0/egraph');
        return body.roots.posted === 1 && body.roots.within_budget === 0 ? body : null;
      }, EXHAUST_BOUND_MS, 2_000);
      expect(exhausted.terms + exhausted.unions).toBeGreaterThanOrEqual(exhausted.roots.budget_records);
      for (const [i, c] of CASES.entries()) {
        expect((await call(app, 'POST', `/agent/${i % AGENTS.length}/terms`, { term: c.start })).status).toBe(200);
      }
      // Poll one agent (cheaply: every check is a request) until it has them all, then all nine.
      let last: string[] = [];
      await waitFor('every case proved at agent 8', async () => (last = await unproved(app, 8)).length === 0, PROVE_BOUND_MS, 3_000).catch((err: Error) => {
        throw new Error(`${err.message}; still unproved: ${last.join(', ')}`);
      });
      // Agent 8 holding every proof does not mean the unions it learnt have reached the others yet:
      // each of them must get there too, within a few sync rounds.
      for (const id of AGENTS) {
        await waitFor(`every case proved at agent ${id}`, async () => (last = await unproved(app, id)).length === 0, SPREAD_BOUND_MS, 1_000).catch((err: Error) => {
          throw new Error(`${err.message}; still unproved: ${last.join(', ')}`);
        });
      }
    }, EXHAUST_BOUND_MS + PROVE_BOUND_MS + AGENTS.length * SPREAD_BOUND_MS + 60_000);
  },
  ['nats'],
);
