// network.status carries `converged` = every agent alive and every digest equal. It is false
// before the first heartbeats, true once the network agrees, false while a new write spreads, and
// true again after; it is published on every tick as well as on every change.
import { expect, it } from 'vitest';
import { describeDeliveries, startNetwork, waitFor } from './harness.ts';

describeDeliveries('convergence', (_kind, broker) => {
  it('network.status converged flips true after convergence', async () => {
    const net = await startNetwork(broker());
    try {
      net.app.write(0, 'x', 1);
      const first = await waitFor('converged', () => net.statuses.find((s) => s.converged), 5_000);
      expect(net.statuses[0]?.converged).toBe(false); // before any heartbeat: nine suspects
      expect(first.agents).toHaveLength(9);
      expect(new Set(first.agents.map((a) => a.digest)).size).toBe(1);
      expect(first.agents.every((a) => a.status === 'alive' && a.last_seen !== null)).toBe(true);
      expect(net.app.holders('x')).toHaveLength(9);

      const mark = net.statuses.length;
      net.app.write(8, 'y', 2);
      await waitFor('a non-converged status while y spreads', () => net.statuses.slice(mark).some((s) => !s.converged), 3_000);
      await waitFor('converged again', () => net.statuses.at(-1)?.converged && net.app.holders('y').length === 9, 5_000);

      // and it keeps coming on every tick, changed or not
      const count = net.statuses.length;
      await waitFor('more status messages', () => net.statuses.length >= count + 3, 2_000);
    } finally {
      await net.dispose();
    }
  });
});
