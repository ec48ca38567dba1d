// Core NATS loses what is published while the broker is down (SPIKES.md: 2,880 of 2,880). The
// network must still converge after a broker restart, and no write an agent acknowledged is lost.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestApp, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];

describeDeliveries(
  'broker restart',
  (_kind, broker) => {
    let app: TestApp;
    let network: TestNetwork | undefined;
    beforeAll(async () => {
      network = await startTestNetwork({ natsUrl: broker().natsUrl, syncIntervalMs: 250, healthTimeoutMs: 2_000 });
      ({ app } = network);
    }, 120_000);
    afterAll(async () => network?.close());

    it('reconverges after nats-server is killed and restarted mid-run, losing no acknowledged write', async () => {
      const server = broker().server!;
      await call(app, 'PUT', '/agent/0/data/before', 1);
      await server.stop({ signal: 'SIGKILL' });
      // Writes acknowledged while the broker is down: their updates are published into the void.
      const acked: [number, string][] = [];
      for (const id of [0, 4, 8]) {
        const key = `during-${id}`;
        if ((await call(app, 'PUT', `/agent/${id}/data/${key}`, id)).status === 200) acked.push([id, key]);
      }
      await new Promise((r) => setTimeout(r, 1_000));
      await server.restart();
      await call(app, 'PUT', '/agent/2/data/after', 2);
      for (const key of ['before', 'after', ...acked.map(([, k]) => k)]) {
        await waitFor(`${key} at all nine`, async () => {
          const values = await Promise.all(AGENTS.map(async (id) => (await call(app, 'GET', `/agent/${id}/data/${key}`)).status));
          return values.every((s) => s === 200);
        }, 20_000, 100);
      }
      expect(acked).toHaveLength(3);
      expect(network!.gateway.stats().delivery.reconnects).toBeGreaterThan(0);
    }, 60_000);
  },
  ['nats'],
);
