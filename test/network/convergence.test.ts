// The whole network as `npm start` runs it: the built agent components under the local Spin host,
// the gateway, and a real nats-server (or the in-process delivery). Writes made at one agent
// must reach all nine over NATS subjects, whatever gets lost on the way.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestApp, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const SYNC_INTERVAL_MS = 250;
/** a write must be everywhere within this (the 3×3 grid has diameter 4) */
const CONVERGE_BOUND_MS = 10_000;

async function valuesAt(app: TestApp, key: string): Promise<unknown[]> {
  return Promise.all(AGENTS.map(async (id) => (await call(app, 'GET', `/agent/${id}/data/${key}`)).body.value));
}

async function everywhere(app: TestApp, key: string, value: unknown): Promise<boolean> {
  return (await valuesAt(app, key)).every((v) => JSON.stringify(v) === JSON.stringify(value));
}

describeDeliveries('network convergence', (kind, broker) => {
  let app: TestApp;
  let gateway: Gateway;
  let dropped = 0;
  let dropNextUpdates = false;

  let network: TestNetwork | undefined;

  beforeAll(async () => {
    network = await startTestNetwork({
      natsUrl: broker().natsUrl,
      syncIntervalMs: SYNC_INTERVAL_MS,
      healthTimeoutMs: 2_000,
      gateway: {
        faultInjection: {
          // Lose every StateUpdate while the flag is up: only anti-entropy can repair that.
          dropDelivery: (e) => {
            if (!dropNextUpdates || e.type !== 'StateUpdate') return false;
            dropped++;
            return true;
          },
        },
      },
    });
    ({ app, gateway } = network);
  }, 120_000);
  afterAll(async () => network?.close());

  it('a PUT at agent 0 is readable at all nine agents', async () => {
    expect((await call(app, 'PUT', '/agent/0/data/greeting', { hello: kind })).status).toBe(200);
    await waitFor('greeting at all nine', () => everywhere(app, 'greeting', { hello: kind }), CONVERGE_BOUND_MS, 50);
  });

  it('concurrent writes at agents 0 and 8 to different keys reach all nine', async () => {
    await Promise.all([call(app, 'PUT', '/agent/0/data/from-0', 0), call(app, 'PUT', '/agent/8/data/from-8', 8)]);
    await waitFor('both keys at all nine', async () => (await everywhere(app, 'from-0', 0)) && (await everywhere(app, 'from-8', 8)), CONVERGE_BOUND_MS, 50);
  });

  it('updates lost between NATS and the agents are repaired by the next ticks', async () => {
    dropNextUpdates = true;
    try {
      expect((await call(app, 'PUT', '/agent/4/data/lossy', { repaired: true })).status).toBe(200);
      await waitFor('a StateUpdate to be dropped', () => dropped > 0, CONVERGE_BOUND_MS);
      await waitFor('lossy at all nine', () => everywhere(app, 'lossy', { repaired: true }), CONVERGE_BOUND_MS, 50);
    } finally {
      dropNextUpdates = false;
    }
    expect(gateway.stats().fault_dropped).toBeGreaterThan(0);
  });

  it('reports the network converged once every agent holds the same state', async () => {
    await waitFor('network.status converged', () => gateway.networkStatus().converged, CONVERGE_BOUND_MS, 50);
    const digests = await Promise.all(AGENTS.map(async (id) => (await call(app, 'GET', `/agent/${id}/state`)).body.state_digest));
    expect(new Set(digests).size).toBe(1);
  });
});
