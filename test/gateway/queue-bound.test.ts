// The per-agent buffer is bounded by MAX_BUFFER_SIZE: when full, the oldest SyncRequest goes first
// (the next tick re-offers it), and only then the oldest other envelope — every drop counted by
// type and logged, the first at warn (a flood must not flood the log).
import { expect, it } from 'vitest';
import { describeDeliveries, inject, NO_TICKS, startNetwork, waitFor, wire } from './harness.ts';

const EMPTY_UPDATE = Buffer.from([0, 0]).toString('base64'); // a valid Yjs update with nothing in it
const EMPTY_SV = Buffer.from([0]).toString('base64');
const state = (i: number) => wire('StateUpdate', 1, 4, { update: EMPTY_UPDATE }, `state-${i}`);
const sync = (i: number) => wire('SyncRequest', 1, 4, { sv: EMPTY_SV, ds: '0' }, `sync-${i}`);

describeDeliveries('queue bound', (_kind, broker) => {
  it('drops the oldest SyncRequests first, then the oldest other envelope, and counts them', async () => {
    const net = await startNetwork(broker(), { config: { ...NO_TICKS, maxBufferSize: 10 } });
    try {
      const release = net.app.hold(4);
      inject(net.delivery, [wire('Ack', 1, 4, { ack: 'x' }, 'in-flight')]);
      await waitFor('the first POST to agent 4 to be in flight', () => net.app.posts.some((p) => p.ids.includes('in-flight')));

      // oldest first: state-0, then 12 SyncRequests, then state-1..10 — 23 envelopes for 10 slots
      inject(net.delivery, [state(0), ...[...Array(12).keys()].map(sync), ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(state)]);
      await waitFor('13 drops on agent 4', () => {
        const d = net.gateway.stats().agents[4]?.dropped ?? {};
        return (d.SyncRequest ?? 0) + (d.StateUpdate ?? 0) === 13;
      });
      const lane = net.gateway.stats().agents[4];
      expect(lane?.dropped).toEqual({ SyncRequest: 12, StateUpdate: 1 });
      expect(lane?.depth).toBe(10);

      const drops = net.logs.filter((l) => l.msg === 'agent buffer full; dropped envelope');
      expect(drops).toHaveLength(13);
      expect(drops.map((l) => l.level)).toEqual(['warn', ...Array(12).fill('debug')]);
      expect(drops.every((l) => l.agent === 4)).toBe(true);
      expect(drops.slice(0, 12).map((l) => l.id)).toEqual([...Array(12).keys()].map((i) => `sync-${i}`));
      // state-0 was the oldest envelope of all, yet it went only once no SyncRequest was left
      expect(drops[12]).toMatchObject({ type: 'StateUpdate', id: 'state-0' });

      release();
      await waitFor('the survivors to be delivered as one batch', () => net.app.posts.some((p) => p.ids.includes('state-10')));
      const batch = net.app.posts.find((p) => p.ids.includes('state-10'));
      expect(batch?.ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `state-${i}`));
    } finally {
      await net.dispose();
    }
  });
});
