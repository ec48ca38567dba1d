// Bad envelopes must not sink a coalesced batch: the agent refuses the whole POST (400, and
// changes nothing). When its 400 names the refused envelopes, the gateway drops exactly those and
// sends the rest in ONE more POST (a flood of bad envelopes costs two POSTs per batch); when it
// does not, the gateway bisects. 4xx is never retried as such.
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import type { WireEnvelope } from './fake-app.ts';
import { describeDeliveries, inject, NO_TICKS, startNetwork, waitFor, wire, type Network } from './harness.ts';

function keyUpdate(key: string): string {
  const doc = new Y.Doc();
  doc.clientID = 9_000 + key.length;
  doc.getMap('data').set(key, key);
  return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
}

/** Six good envelopes and `badCount` bad ones (routable, refused by the agent) behind a held POST to agent 4; delivered. */
async function deliverMixedBatch(net: Network, badCount: number): Promise<{ good: WireEnvelope[]; inboxPosts: number }> {
  const release = net.app.hold(4);
  inject(net.delivery, [wire('Ack', 1, 4, { ack: 'x' }, 'in-flight')]);
  await waitFor('a POST in flight', () => net.app.posts.some((p) => p.ids.includes('in-flight')));
  const good = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'].map((k) => wire('StateUpdate', 1, 4, { update: keyUpdate(k) }, `good-${k}`));
  // routable for the gateway, refused by the agent: a StateUpdate without its update
  const bad = Array.from({ length: badCount }, (_, i) => wire('StateUpdate', 1, 4, {}, `bad-${i}`));
  const mixed = good.flatMap((e, i) => [e, ...bad.filter((_, j) => j % good.length === i)]);
  inject(net.delivery, mixed);
  await waitFor(`all ${mixed.length} buffered`, () => net.gateway.stats().agents[4]?.depth === mixed.length);
  release();

  const keys = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'];
  await waitFor('the good six applied at agent 4', () => keys.every((k) => net.app.value(4, k) === k), 3_000);
  await waitFor('the bad ones refused', () => net.gateway.stats().agents[4]?.failed.StateUpdate === badCount, 3_000);
  // the fake records a POST only when it accepted it: every good id was accepted, no bad one
  const accepted = net.app.posts.flatMap((p) => p.ids);
  expect(accepted).toEqual(expect.arrayContaining(good.map((e) => e.id)));
  expect(accepted.filter((id) => id.startsWith('bad-'))).toEqual([]);
  const lane = net.gateway.stats().agents[4];
  expect(lane?.failed).toEqual({ StateUpdate: badCount });
  expect(lane?.retries).toBe(0);
  const refusals = net.logs.filter((l) => l.msg === 'app rejected request');
  expect(refusals[0]).toMatchObject({ level: 'warn', status: 400, error: 'bad-envelope' });
  // the POSTs that carried this batch: accepted ones holding its envelopes, and the refused ones
  // (not the lane's batch count: the fake agents' relays of the good six come back to agent 4)
  const mine = new Set(mixed.map((e) => e.id));
  const acceptedPosts = net.app.posts.filter((p) => p.ids.some((id) => mine.has(id))).length;
  return { good, inboxPosts: acceptedPosts + refusals.length };
}

describeDeliveries('bad envelopes in a batch', (_kind, broker) => {
  it('are dropped exactly when the agent names them: two POSTs, however many are bad', async () => {
    const net = await startNetwork(broker(), { config: NO_TICKS });
    try {
      const { inboxPosts } = await deliverMixedBatch(net, 12);
      expect(inboxPosts).toBe(2);
    } finally {
      await net.dispose();
    }
  });

  it('are isolated by bisection when the agent does not name them; the rest is delivered', async () => {
    const net = await startNetwork(broker(), { config: NO_TICKS, app: { unnamedRefusals: true } });
    try {
      const { inboxPosts } = await deliverMixedBatch(net, 1);
      expect(inboxPosts).toBeGreaterThanOrEqual(3);
    } finally {
      await net.dispose();
    }
  });
});
