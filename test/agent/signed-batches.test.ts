// StarlingMonkey's crypto.subtle.verify answered false for about one valid HMAC in 2,000-10,000
// (seen under a rate ladder: a batch of good envelopes refused, bisected, one envelope lost until
// anti-entropy): the agent now verifies by signing and comparing (src/agent/signing.ts). Many full
// batches of validly signed envelopes must all be accepted.
import { createHmac } from 'node:crypto';
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { signedText, type Envelope } from '../../src/core/index.ts';
import { call, NO_GATEWAY_URL, startApp, writeManifest, type TestApp } from '../support/network.ts';

const KEY = 'test-envelope-key';

let app: TestApp;
beforeAll(async () => {
  app = await startApp(writeManifest(), NO_GATEWAY_URL, { envelope_key: KEY });
}, 120_000);
afterAll(async () => app?.close());

it('accepts every validly signed envelope, batch after batch', async () => {
  // one writer's successive updates, of varied sizes (each signed text differs, as on the wire)
  const writer = new Y.Doc();
  writer.clientID = 40_000;
  const next = (n: number): Envelope => {
    const before = Y.encodeStateVector(writer);
    writer.getMap('data').set(`key-${n % 7}`, 'v'.repeat((n * 37) % 400));
    const e: Envelope = { v: 1, id: `signed-${n}`, type: 'StateUpdate', from: 1, to: 0, ts: Date.now(), hlc: `${Date.now()}-00000-00001`, payload: { update: toBase64(Y.encodeStateAsUpdate(writer, before)) } };
    return { ...e, sig: createHmac('sha256', KEY).update(signedText(e)).digest('base64') };
  };
  const refused: string[] = [];
  for (let b = 0; b < 60; b++) {
    const reply = await call(app, 'POST', '/agent/0/inbox', Array.from({ length: 100 }, (_, i) => next(b * 100 + i)));
    if (reply.status !== 200) refused.push(`batch ${b}: ${reply.status} ${JSON.stringify(reply.body.error)}`);
  }
  expect(refused).toEqual([]);
}, 120_000);
