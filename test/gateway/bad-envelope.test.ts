// One bad envelope must not sink a coalesced batch: the agent refuses the whole POST (400, and
// changes nothing), so the gateway bisects the batch and delivers the good envelopes. 4xx is never
// retried as such.
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeDeliveries, inject, NO_TICKS, startNetwork, waitFor, wire } from './harness.ts';

function keyUpdate(key: string): string {
  const doc = new Y.Doc();
  doc.clientID = 9_000 + key.length;
  doc.getMap('data').set(key, key);
  return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
}

describeDeliveries('bad envelope in a batch', (_kind, broker) => {
  it('is isolated by bisection; the rest of the batch is delivered', async () => {
    const net = await startNetwork(broker(), { config: NO_TICKS });
    try {
      const release = net.app.hold(4);
      inject(net.delivery, [wire('Ack', 1, 4, { ack: 'x' }, 'in-flight')]);
      await waitFor('a POST in flight', () => net.app.posts.some((p) => p.ids.includes('in-flight')));
      const good = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'].map((k) => wire('StateUpdate', 1, 4, { update: keyUpdate(k) }, `good-${k}`));
      // routable for the gateway, refused by the agent: a StateUpdate without its update
      const bad = wire('StateUpdate', 1, 4, {}, 'bad');
      inject(net.delivery, [...good.slice(0, 3), bad, ...good.slice(3)]);
      await waitFor('all 7 buffered', () => net.gateway.stats().agents[4]?.depth === 7);
      release();

      const keys = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'];
      await waitFor('the good six applied at agent 4', () => keys.every((k) => net.app.value(4, k) === k), 3_000);
      await waitFor('the bad one refused', () => net.gateway.stats().agents[4]?.failed.StateUpdate === 1, 3_000);
      // the fake records a POST only when it accepted it: every good id was accepted, the bad one never
      const accepted = net.app.posts.flatMap((p) => p.ids);
      expect(accepted).toEqual(expect.arrayContaining(good.map((e) => e.id)));
      expect(accepted).not.toContain('bad');
      const lane = net.gateway.stats().agents[4];
      expect(lane?.failed).toEqual({ StateUpdate: 1 });
      expect(lane?.retries).toBe(0);
      const refusals = net.logs.filter((l) => l.msg === 'app rejected request');
      expect(refusals.length).toBeGreaterThanOrEqual(2);
      expect(refusals[0]).toMatchObject({ level: 'warn', status: 400, error: 'bad-envelope' });
    } finally {
      await net.dispose();
    }
  });
});
