// A write at agent 0 reaches all nine agents through the gateway: tick → outbox on NATS subjects →
// inbox POSTs → relayed updates, on real NATS and in-process alike.
import { expect, it } from 'vitest';
import { describeDeliveries, startNetwork, waitFor } from './harness.ts';

describeDeliveries('propagation', (kind, broker) => {
  it('a write at agent 0 reaches all nine agents', async () => {
    const net = await startNetwork(broker());
    try {
      net.app.write(0, 'greeting', 'hello from 0');
      await waitFor('all nine agents to hold the write', () => net.app.holders('greeting').length === 9, 5_000);
      for (let n = 0; n < 9; n++) expect(net.app.value(n, 'greeting')).toBe('hello from 0');

      const stats = net.gateway.stats();
      expect(stats.kind).toBe(kind);
      expect(stats.queues.delivered).toBeGreaterThan(0);
      expect(stats.unroutable).toBe(0);
      // what went over the wire was recorded for the timeline, subject by subject
      const subjects = new Set(net.delivery.published().map((p) => p.subject));
      expect([...subjects]).toEqual(expect.arrayContaining(['agent.1.state', 'agent.3.sync', 'agent.0.heartbeat']));
      // the gateway's FIRST log line says which delivery it uses
      expect(net.logs[0]).toMatchObject({ level: 'info', msg: 'gateway delivery', kind });
    } finally {
      await net.dispose();
    }
  });
});
