// When the Spin app is down (connection refused, or 5xx), deliveries are retried with exponential
// backoff and jitter and succeed once it is back; nothing is lost for an outage shorter than the
// retry budget. The outage is logged as two lines (unreachable, reachable again), not one per retry.
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeDeliveries, inject, NO_TICKS, sleepMs, startNetwork, waitFor, wire } from './harness.ts';

function writeUpdate(key: string): string {
  const doc = new Y.Doc();
  doc.clientID = 4_242;
  doc.getMap('data').set(key, true);
  return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
}

describeDeliveries('app down', (_kind, broker) => {
  it('connection refused → retries with backoff, then succeeds when the app comes back', async () => {
    const net = await startNetwork(broker(), { config: NO_TICKS, gateway: { backoff: { retries: 10, baseDelayMs: 20, maxDelayMs: 400 } } });
    try {
      const port = net.app.port;
      await net.app.stop();
      inject(net.delivery, [wire('StateUpdate', 1, 2, { update: writeUpdate('while-down') }, 'while-down')]);
      await waitFor('three retries', () => net.gateway.stats().app.retries >= 3, 3_000);
      await sleepMs(150);
      await net.app.listen(port);

      // the fake records a POST once it accepted it
      await waitFor('the delivery to land', () => net.app.posts.some((p) => p.ids.includes('while-down')), 5_000);
      await waitFor('the lane to count it', () => (net.gateway.stats().agents[2]?.delivered ?? 0) >= 1, 2_000);
      expect(net.app.value(2, 'while-down')).toBe(true);
      const stats = net.gateway.stats();
      expect(stats.agents[2]?.retries).toBeGreaterThanOrEqual(3);
      expect(stats.queues.failed).toEqual({});

      const delays = net.logs.filter((l) => l.msg === 'app request failed; retrying').map((l) => Number(l.delay_ms));
      expect(delays.length).toBeGreaterThanOrEqual(3);
      // equal-jitter exponential backoff never shrinks until it reaches the cap
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(Math.min(delays[i - 1]!, 200));
      expect(net.logs.filter((l) => l.msg === 'app unreachable; retrying with backoff')).toHaveLength(1);
      expect(net.logs.filter((l) => l.msg === 'app reachable again')).toHaveLength(1);
    } finally {
      await net.dispose();
    }
  });

  it('503 from the app is retried too; ticks resume afterwards', async () => {
    const net = await startNetwork(broker(), { gateway: { backoff: { retries: 10, baseDelayMs: 20, maxDelayMs: 200 } } });
    try {
      net.app.failStatus = 503;
      await waitFor('ticks to hit the 503', () => net.gateway.stats().app.retries >= 3, 3_000);
      net.app.write(0, 'after-outage', 1);
      net.app.failStatus = null;
      await waitFor('the network to recover', () => net.app.holders('after-outage').length === 9, 5_000);
    } finally {
      await net.dispose();
    }
  });
});
