// With the app's envelope_key set, agents sign every envelope they send and refuse any envelope
// that is not signed with it: writes still reach all nine through the real broker, while an
// envelope from someone who can publish but lacks the key (a leaked NATS password, a tool) is a
// 400 that changes nothing.
import { createHmac } from 'node:crypto';
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { signedText, type Envelope } from '../../src/core/index.ts';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, writeManifest, type TestNetwork } from '../support/network.ts';

const KEY = 'test-envelope-key';
const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];

function forged(): Envelope {
  const doc = new Y.Doc();
  doc.clientID = 31_337;
  doc.getMap('data').set('forged', true);
  return { v: 1, id: `forged-${Math.random()}`, type: 'StateUpdate', from: 1, to: 0, ts: Date.now(), hlc: `${Date.now()}-00000-00001`, payload: { update: toBase64(Y.encodeStateAsUpdate(doc)) } };
}
const signWith = (key: string, e: Envelope): Envelope => ({ ...e, sig: createHmac('sha256', key).update(signedText(e)).digest('base64') });

describeDeliveries(
  'signed envelopes',
  (_kind, broker) => {
    let network: TestNetwork | undefined;
    beforeAll(async () => {
      network = await startTestNetwork({ natsUrl: broker().natsUrl, syncIntervalMs: 500, manifestPath: writeManifest({ defaults: { envelope_key: KEY } }) });
    }, 120_000);
    afterAll(async () => network?.close());

    it('a write still reaches all nine, and what agents send carries a signature', async () => {
      const app = network!.app;
      expect((await call(app, 'PUT', '/agent/0/data/signed', 1)).status).toBe(200);
      await waitFor('the write at all nine', async () => (await Promise.all(AGENTS.map((id) => call(app, 'GET', `/agent/${id}/data/signed`)))).every((r) => r.status === 200), 30_000, 100);
      const tick = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/4/tick');
      expect(tick.body.outbox.length).toBeGreaterThan(0);
      for (const e of tick.body.outbox) expect(signWith(KEY, e).sig).toBe(e.sig);
    });

    it.each([
      ['unsigned', (e: Envelope) => e, /not signed/],
      ['signed with another key', (e: Envelope) => signWith('another-key', e), /not signed by this app/],
      ['signed, then altered in flight', (e: Envelope) => ({ ...signWith(KEY, e), from: 2 }), /not signed by this app/],
    ])('refuses an envelope %s and applies nothing', async (_name, prepare, message) => {
      const app = network!.app;
      const reply = await call(app, 'POST', '/agent/0/inbox', [prepare(forged())]);
      expect(reply.status).toBe(400);
      expect(String(reply.body.error)).toMatch(message);
      expect((await call(app, 'GET', '/agent/0/data/forged')).status).toBe(404);
    });

    it('accepts one signed with the key', async () => {
      const app = network!.app;
      expect((await call(app, 'POST', '/agent/0/inbox', [signWith(KEY, forged())])).status).toBe(200);
      expect((await call(app, 'GET', '/agent/0/data/forged')).status).toBe(200);
    });
  },
  ['nats'],
);
