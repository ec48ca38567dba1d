// Envelopes for an agent that arrive while a POST to it is in flight are coalesced: a burst of 50
// goes out in a few batch POSTs, never more than one request in flight per agent.
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeDeliveries, inject, NO_TICKS, startNetwork, waitFor, wire } from './harness.ts';

/** 50 StateUpdates from "agent 1" to agent 4, each adding one key. */
function burst(size: number) {
  const doc = new Y.Doc();
  doc.clientID = 777;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < size; i++) doc.getMap('data').set(`k${i}`, i);
  return updates.map((u, i) => wire('StateUpdate', 1, 4, { update: Buffer.from(u).toString('base64') }, `burst-${i}`));
}

describeDeliveries('coalescing', (_kind, broker) => {
  it('a burst of 50 envelopes to one agent arrives in a few POSTs', async () => {
    const net = await startNetwork(broker(), { config: NO_TICKS, app: { inboxDelayMs: 40 } });
    try {
      inject(net.delivery, burst(50));
      await waitFor('agent 4 to hold all 50 keys', () => [...Array(50).keys()].every((i) => net.app.value(4, `k${i}`) === i), 5_000);

      const posts = net.app.posts.filter((p) => p.route === 'inbox' && p.agent === 4 && p.ids.some((id) => id.startsWith('burst-')));
      const delivered = posts.flatMap((p) => p.ids.filter((id) => id.startsWith('burst-')));
      expect(delivered.sort()).toEqual([...Array(50).keys()].map((i) => `burst-${i}`).sort());
      expect(posts.length).toBeLessThanOrEqual(4);
      const lane = net.gateway.stats().agents[4];
      expect(lane?.max_batch).toBeGreaterThanOrEqual(40);
      expect(lane?.dropped).toEqual({});
    } finally {
      await net.dispose();
    }
  });
});
