// A flood at one agent, from a client that can publish on the broker but lacks the app's
// envelope_key (a leaked gateway password, a runaway tool), starves nobody: while thousands of
// forged envelopes pour onto agent 4's subjects, users' writes still reach agent 4, and agent 4's
// own writes still reach all nine, within a few sync intervals. The gateway drops what it can
// prove forged before it costs the agent a request.
import { createHmac } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { signedText, type Envelope } from '../../src/core/index.ts';
import { natsServers } from '../../src/gateway/nats-url.ts';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, writeManifest, type TestNetwork } from '../support/network.ts';

const KEY = 'flood-test-envelope-key';
const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const SYNC_INTERVAL_MS = 1_000;
/** "a few sync intervals" */
const BOUND_MS = 4 * SYNC_INTERVAL_MS;
const FLOOD_PER_100_MS = 100;
/** how long the flood lasts at least: more than 2,000 envelopes, even when the writes are through in a second */
const FLOOD_MS = 3_000;

/** Envelopes to agent 4 that look like its neighbours' traffic: unsigned, signed with a wrong key, or signed and then altered. */
function forged(n: number): { subject: string; envelope: Envelope } {
  const doc = new Y.Doc();
  doc.clientID = 40_000 + n;
  doc.getMap('data').set(`forged-${n}`, 'x'.repeat(200));
  const base: Envelope = {
    v: 1,
    id: `flood-${n}-${Math.random().toString(36).slice(2)}`,
    type: 'StateUpdate',
    from: 3,
    to: 4,
    ts: Date.now(),
    hlc: `${Date.now()}-00000-00003`,
    payload: { update: toBase64(Y.encodeStateAsUpdate(doc)) },
  };
  const sig = (key: string, e: Envelope): string => createHmac('sha256', key).update(signedText(e)).digest('base64');
  switch (n % 3) {
    case 0:
      return { subject: 'agent.4.state', envelope: base };
    case 1:
      return { subject: 'agent.4.state', envelope: { ...base, sig: sig('a-guessed-key', base) } };
    default: {
      const sync: Envelope = { ...base, type: 'SyncRequest', payload: { sv: toBase64(Y.encodeStateVector(doc)), ds: '0'.repeat(16) } };
      return { subject: 'agent.4.sync', envelope: { ...sync, sig: sig(KEY, sync), from: 5 } }; // signed, then altered
    }
  }
}

describeDeliveries(
  'a flood at one agent',
  (_kind, broker) => {
    let network: TestNetwork | undefined;
    beforeAll(async () => {
      network = await startTestNetwork({
        natsUrl: broker().natsUrl,
        syncIntervalMs: SYNC_INTERVAL_MS,
        manifestPath: writeManifest({ defaults: { envelope_key: KEY } }),
        envelopeKey: KEY,
      });
    }, 120_000);
    afterAll(async () => network?.close());

    it('delays no user write by more than a few sync intervals, and reaches the agent not at all', async () => {
      const app = network!.app;
      const attacker = await connect(natsServers(broker().natsUrl!));
      let sent = 0;
      let flooding = true;
      const floodStarted = Date.now();
      const flood = (async () => {
        while (flooding) {
          for (let i = 0; i < FLOOD_PER_100_MS; i++) {
            const { subject, envelope } = forged(sent++);
            attacker.publish(subject, JSON.stringify(envelope));
          }
          await attacker.flush();
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        await new Promise((r) => setTimeout(r, 1_000)); // the flood is in full swing
        const delays: Record<string, number> = {};
        for (const [writer, readers] of [
          [0, [4]],
          [4, AGENTS],
          [8, [4]],
        ] as const) {
          const key = `during-flood-${writer}`;
          const started = Date.now();
          expect((await call(app, 'PUT', `/agent/${writer}/data/${key}`, { writer })).status).toBe(200);
          await waitFor(
            `agent ${writer}'s write at ${readers.join(',')}`,
            async () => (await Promise.all(readers.map((id) => call(app, 'GET', `/agent/${id}/data/${key}`)))).every((r) => r.status === 200),
            60_000,
            50,
          );
          delays[`${writer}->${readers.length === 9 ? 'all' : readers.join(',')}`] = Date.now() - started;
        }
        for (const delay of Object.values(delays)) expect(delay, JSON.stringify(delays)).toBeLessThanOrEqual(BOUND_MS);
      } finally {
        // at least FLOOD_MS of it, however soon the writes arrived
        while (Date.now() - floodStarted < FLOOD_MS) await new Promise((r) => setTimeout(r, 50));
        flooding = false;
        await flood;
        await attacker.close();
      }
      expect(sent).toBeGreaterThan(2_000);
      // nothing forged was applied, and the gateway refused it before it cost agent 4 a request
      expect((await call(app, 'GET', '/agent/4/data/forged-0')).status).toBe(404);
      const stats = network!.gateway.stats();
      expect(stats.forged).toBeGreaterThan(sent * 0.9);
      expect(stats.app.rejected).toBe(0);
    }, 120_000);
  },
  ['nats'],
);
