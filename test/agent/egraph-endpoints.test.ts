// The agent's e-graph endpoints on one component under the local host (the AssemblyScript kernel
// composed in): POST /terms, GET /egraph, GET /egraph/best, and a tick's saturation with the
// agent's own colour only. The network-wide answers are test/network/egraph.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BestAnswer, EGraphAnswer } from '../../src/agent/index.ts';
import { call, startApp, writeManifest, type TestApp } from '../support/network.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startApp(writeManifest({ agents: 3 }));
}, 120_000);
afterAll(async () => app?.close());

const best = (id: number, term: string, cost?: string) =>
  call<BestAnswer>(app, 'GET', `/agent/${id}/egraph/best?term=${encodeURIComponent(term)}${cost ? `&cost=${cost}` : ''}`);

describe('POST /agent/:id/terms and GET /agent/:id/egraph', () => {
  it('adds the term’s e-nodes once and reports them, counted by the kernel', async () => {
    const first = await call(app, 'POST', '/agent/0/terms', { term: '(* (+ x 0) 2)' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{16}$/), new_terms: 5 });
    const again = await call(app, 'POST', '/agent/0/terms', { term: '(* (+ x 0) 2)' });
    expect(again.body).toMatchObject({ hash: first.body.hash, new_terms: 0 });
    const egraph = await call<EGraphAnswer>(app, 'GET', '/agent/0/egraph');
    // x, 0, (+ x 0), 2, (* (+ x 0) 2): five e-nodes in five classes until a tick saturates
    expect(egraph.body).toMatchObject({ colour: 'RED', color: 'RED', colouring: { proper: true, clashes: [] }, nodes: 5, classes: 5, terms: 5, unions: 0 });
    // posted twice, one posted term: the ticks rewrite for it until its e-graph holds 1,000 records
    expect(egraph.body.roots).toEqual({ posted: 1, within_budget: 1, budget_records: 1_000 });
    expect(egraph.body.rules).toContain('comm-mul');
    expect((await call(app, 'GET', '/agent/0/state')).body.egraph_nodes).toBe(5);
    const full = await call<EGraphAnswer>(app, 'GET', '/agent/0/egraph?full=1');
    expect(full.body.dump?.flatMap((c) => c.members)).toHaveLength(5);
  });

  it('refuses a malformed term, a body without one, and ?full=2 with 400, adding nothing', async () => {
    const before = (await call<EGraphAnswer>(app, 'GET', '/agent/1/egraph')).body.terms;
    const bad = await call(app, 'POST', '/agent/1/terms', { term: '(+ x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: expect.stringMatching(/expected/) });
    expect((await call(app, 'POST', '/agent/1/terms', { expr: 'x' })).status).toBe(400);
    expect((await call(app, 'GET', '/agent/1/egraph?full=2')).status).toBe(400);
    expect((await call<EGraphAnswer>(app, 'GET', '/agent/1/egraph')).body.terms).toBe(before);
  });
});

describe('GET /agent/:id/egraph/best', () => {
  it('after a tick answers what the agent’s own colour found (GREEN: identities and folding)', async () => {
    expect((await call(app, 'POST', '/agent/2/terms', { term: '(* (+ x 0) (- 3 1))' })).status).toBe(200);
    expect((await best(2, '(* (+ x 0) (- 3 1))')).body.best).toBe('(* (+ x 0) (- 3 1))');
    const tick = await call<{ saturation: { colour: string; new_unions: number } }>(app, 'POST', '/agent/2/tick');
    expect(tick.body.saturation).toMatchObject({ colour: 'GREEN', new_unions: expect.any(Number) });
    expect(tick.body.saturation.new_unions).toBeGreaterThan(0);
    const answer = await best(2, '(* (+ x 0) (- 3 1))');
    // no BLUE agent has turned (* x 2) into a shift here: that takes the network
    expect(answer.body).toMatchObject({ best: '(* x 2)', cost: 4, cost_model: 'ops' });
    expect((await best(2, '(* (+ x 0) (- 3 1))', 'ast-size')).body).toMatchObject({ best: '(* x 2)', cost: 3, cost_model: 'ast-size' });
  });

  it('answers a term the agent does not hold with itself, and refuses a missing term or an unknown cost', async () => {
    expect((await best(1, '(f y)')).body).toMatchObject({ best: '(f y)', cost: 2 });
    expect((await call(app, 'GET', '/agent/1/egraph/best')).status).toBe(400);
    const cost = await call(app, 'GET', `/agent/1/egraph/best?term=y&cost=cheapest`);
    expect(cost.status).toBe(400);
    expect(cost.body.error).toMatch(/cost must be one of ops, ast-size/);
  });
});

describe('GET /agent/:id/egraph/equal', () => {
  it('answers whether two terms are in one class, and refuses a missing or malformed one', async () => {
    // agent 2 (GREEN) has ticked (* (+ x 0) (- 3 1)) above: (+ x 0) = x and (- 3 1) = 2
    const eq = (a: string, b: string) => call<{ equal: boolean; a: { class: string }; b: { class: string } }>(app, 'GET', `/agent/2/egraph/equal?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    const proved = await eq('(* (+ x 0) (- 3 1))', '(* x 2)');
    expect(proved.body.equal).toBe(true);
    expect(proved.body.a.class).toBe(proved.body.b.class);
    expect((await eq('(* (+ x 0) (- 3 1))', '(* x 3)')).body.equal).toBe(false);
    expect((await call(app, 'GET', '/agent/2/egraph/equal?a=x')).status).toBe(400);
    expect((await call(app, 'GET', `/agent/2/egraph/equal?a=x&b=${encodeURIComponent('(+ x')}`)).status).toBe(400);
  });
});

describe('a topology that needs more than three colours', () => {
  let mesh: TestApp;
  beforeAll(async () => {
    mesh = await startApp(writeManifest({ agents: 4, defaults: { topology: 'mesh' } }));
  }, 120_000);
  afterAll(async () => mesh?.close());

  it('is reported by GET /egraph: the colouring is not proper, with the clashing neighbours', async () => {
    const views = await Promise.all([0, 1, 2, 3].map(async (id) => (await call<{ colouring: { proper: boolean; clashes: number[][] } }>(mesh, 'GET', `/agent/${id}/egraph`)).body.colouring));
    expect(views.every((c) => !c.proper)).toBe(true);
    const clashes = views.flatMap((c) => c.clashes);
    expect(clashes.length).toBeGreaterThan(0);
    views.forEach((c, id) => c.clashes.forEach((pair) => expect(pair).toContain(id)));
  });
});
