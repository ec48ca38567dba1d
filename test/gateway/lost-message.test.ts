// Core NATS is at-most-once; the design relies on anti-entropy instead. With every StateUpdate lost
// between NATS and the agents (fault injection), a write still reaches all nine agents through the
// SyncRequest/SyncResponse rounds of the following ticks.
import { expect, it } from 'vitest';
import { describeDeliveries, startNetwork, waitFor } from './harness.ts';

describeDeliveries('lost deliveries', (_kind, broker) => {
  it('a dropped delivery is repaired by the next ticks', async () => {
    const net = await startNetwork(broker(), {
      gateway: { faultInjection: { dropDelivery: (e) => e.type === 'StateUpdate' } },
    });
    try {
      net.app.write(0, 'survivor', 42);
      // every StateUpdate is lost, so whatever arrives came through SyncRequest → SyncResponse rounds
      await waitFor('anti-entropy to repair all nine', () => net.app.holders('survivor').length === 9, 5_000);
      const stats = net.gateway.stats();
      expect(stats.fault_dropped).toBeGreaterThanOrEqual(2);
      expect(stats.queues.failed).toEqual({});
    } finally {
      await net.dispose();
    }
  });
});
