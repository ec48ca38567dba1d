// Distributed equality saturation on the whole network (`npm start`'s shape): built agent
// components (the TypeScript reference kernel inside them, for now), the gateway's tick clock, NATS or the
// in-process delivery. Each colour of agent applies only its own rules; the answers every agent
// gives need the rules of more than one colour. (Not yet asserted: that all nine e-graphs end
// identical once AC rules have grown them to the term cap — see the README's known limits.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CONFIG, startGateway, type Gateway } from '../../src/gateway/index.ts';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startApp, type TestApp } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const SYNC_INTERVAL_MS = 250;
/** saturation and spreading over a 3×3 grid (diameter 4) within this */
const SATURATE_BOUND_MS = 100_000;
const TEST_TIMEOUT_MS = 120_000;

interface Best {
  best: string;
  cost: number;
  class: string;
}

async function bestEverywhere(app: TestApp, term: string): Promise<Best[]> {
  const q = encodeURIComponent(term);
  return Promise.all(AGENTS.map(async (id) => (await call<Best>(app, 'GET', `/agent/${id}/egraph/best?term=${q}`)).body));
}

async function allAnswer(app: TestApp, term: string, best: string): Promise<boolean> {
  const answers = await bestEverywhere(app, term);
  return answers.every((b) => b.best === best);
}

describeDeliveries('distributed equality saturation', (_kind, broker) => {
  let app: TestApp;
  let gateway: Gateway;

  beforeAll(async () => {
    app = await startApp();
    gateway = await startGateway({
      ...DEFAULT_CONFIG,
      appUrl: app.url,
      natsUrl: broker().natsUrl,
      syncIntervalMs: SYNC_INTERVAL_MS,
      healthTimeoutMs: 5_000,
      logLevel: 'error',
    });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await app?.close();
  });

  it('(+ (* x 2) (* 3 x)) becomes (* x 5) everywhere, with rewrites from all three colours', async () => {
    expect((await call(app, 'POST', '/agent/0/terms', { term: '(+ (* x 2) (* 3 x))' })).status).toBe(200);
    await waitFor('(* x 5) at all nine', () => allAnswer(app, '(+ (* x 2) (* 3 x))', '(* x 5)'), SATURATE_BOUND_MS, 200);
    const egraph = (await call<{ provenance: { colours: Record<string, number> } }>(app, 'GET', '/agent/8/egraph')).body;
    expect(Object.keys(egraph.provenance.colours).sort()).toEqual(['BLUE', 'GREEN', 'RED']);
  }, TEST_TIMEOUT_MS);

  it('(* (+ x 0) 2) posted at agent 4 is (* x 2) at all nine agents', async () => {
    const posted = await call(app, 'POST', '/agent/4/terms', { term: '(* (+ x 0) 2)' });
    expect(posted.status).toBe(200);
    expect(posted.body.hash).toMatch(/^[0-9a-f]{16}$/);
    await waitFor('(* x 2) at all nine', () => allAnswer(app, '(* (+ x 0) 2)', '(* x 2)'), SATURATE_BOUND_MS, 200);
  }, TEST_TIMEOUT_MS);

  it('refuses a malformed term or a missing query with 400 and a JSON error', async () => {
    const bad = await call(app, 'POST', '/agent/4/terms', { term: '(+ x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/expected/);
    expect((await call(app, 'GET', '/agent/4/egraph/best')).status).toBe(400);
  }, TEST_TIMEOUT_MS);
});
