// Kill the broker mid-run and start it again on the same ports: the gateway reconnects by itself
// (maxReconnectAttempts -1) and the network reconverges, including a write made during the outage
// whose messages were lost (core NATS keeps nothing while disconnected). Real NATS only: the
// in-process bus has no broker to lose.
import { expect, it } from 'vitest';
import { describeDeliveries, sleepMs, startNetwork, waitFor } from './harness.ts';

describeDeliveries(
  'broker restart',
  (_kind, broker) => {
    it('kill and restart nats-server mid-run → the gateway reconnects and the network reconverges', async () => {
      const server = broker().server!;
      const net = await startNetwork(broker());
      try {
        net.app.write(0, 'before', 1);
        await waitFor('convergence before the outage', () => net.app.holders('before').length === 9, 5_000);

        await server.stop({ signal: 'SIGKILL' });
        await waitFor('the gateway to notice', () => !net.gateway.stats().delivery.connected, 5_000);
        net.app.write(8, 'during', 2);
        await sleepMs(300); // ticks go on; what they publish is lost
        expect(net.app.holders('during')).toEqual([8]);
        expect(net.gateway.stats().delivery.published_disconnected).toBeGreaterThan(0);

        await server.restart();
        await waitFor('reconnect', () => net.gateway.stats().delivery.reconnects >= 1 && net.gateway.stats().delivery.connected, 5_000);
        await waitFor('the outage write to reach all nine', () => net.app.holders('during').length === 9, 5_000);
        net.app.write(4, 'after', 3);
        await waitFor('a new write to reach all nine', () => net.app.holders('after').length === 9, 5_000);
        await waitFor('network.status converged', () => net.statuses.at(-1)?.converged, 3_000);

        const statusLogs = net.logs.filter((l) => l.msg === 'nats status').map((l) => l.status);
        expect(statusLogs).toEqual(expect.arrayContaining(['disconnect', 'reconnect']));
      } finally {
        await net.dispose();
      }
    });
  },
  ['nats'],
);
