// With ENVELOPE_KEY set, the gateway drops at the door every envelope (heartbeats too) that lacks
// the app's signature over exactly its fields: a forged envelope never costs an agent a request.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { signedText, type Envelope } from '../../src/core/envelope.ts';
import { EnvelopeVerifier } from '../../src/gateway/envelope-verifier.ts';
import type { WireEnvelope } from './fake-app.ts';
import { describeDeliveries, inject, NO_TICKS, startNetwork, waitFor, wire } from './harness.ts';

const KEY = 'gateway-test-key';
const asEnvelope = (w: WireEnvelope): Envelope => w as unknown as Envelope;
const sign = <E extends WireEnvelope | Envelope>(e: E, key = KEY): E => ({ ...e, sig: createHmac('sha256', key).update(signedText(e as unknown as Envelope)).digest('base64') });

function keyUpdate(key: string): string {
  const doc = new Y.Doc();
  doc.getMap('data').set(key, key);
  return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
}

describe('EnvelopeVerifier', () => {
  const verifier = new EnvelopeVerifier(KEY);
  const e = asEnvelope(wire('StateUpdate', 1, 4, { update: keyUpdate('k') }));

  it('accepts an envelope signed with the key', () => {
    expect(verifier.signed(sign(e))).toBe(true);
  });

  it.each([
    ['unsigned', e],
    ['signed with another key', sign(e, 'another')],
    ['signed, then altered', { ...sign(e), from: 2 }],
    ['with a signature that is not base64 of 32 bytes', { ...e, sig: 'AAAA' }],
    ['with a payload that is not an object', { ...sign(e), payload: null } as unknown as Envelope],
  ])('refuses one %s', (_name, envelope) => {
    expect(verifier.signed(envelope)).toBe(false);
  });
});

describeDeliveries('forged envelopes at the gateway', (_kind, broker) => {
  it('never reach the app; signed ones do; every forged one is counted', async () => {
    const net = await startNetwork(broker(), { config: { ...NO_TICKS, envelopeKey: KEY } });
    try {
      const good = sign(wire('StateUpdate', 1, 4, { update: keyUpdate('good') }, 'good'));
      const forged = [
        wire('StateUpdate', 1, 4, { update: keyUpdate('unsigned') }, 'unsigned'),
        sign(wire('StateUpdate', 1, 4, { update: keyUpdate('other') }, 'other-key'), 'another'),
        { ...sign(wire('StateUpdate', 1, 4, { update: keyUpdate('altered') }, 'altered')), from: 3 },
        wire('Heartbeat', 2, null, { digest: '0', uptime_s: 1 }, 'heartbeat'),
      ];
      inject(net.delivery, [...forged, good]);
      await waitFor('the signed one applied', () => net.app.value(4, 'good') === 'good', 3_000);
      // (the fake app does not sign, so what it relays in turn is dropped as forged too)
      await waitFor('the four forged counted', () => net.gateway.stats().forged >= 4, 3_000);
      const posted = net.app.posts.flatMap((p) => p.ids);
      expect(posted).toEqual(['good']);
      expect(net.gateway.networkStatus().agents.find((a) => a.id === 2)?.last_seen).toBeNull(); // the forged heartbeat was not heard
      expect(net.gateway.stats().unroutable).toBe(0);
    } finally {
      await net.dispose();
    }
  });
});
