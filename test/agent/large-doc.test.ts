// Regression: componentize-js 0.10 traps (wasm `unreachable`) when a Spin import is called after
// linear memory grew during the request; before src/agent/heap.ts a doc of ~12 KB receiving
// batches of 50 updates trapped on the next KV call. Keep a doc growing well past that size.
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { call, startApp, type TestApp } from '../support/network.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => app?.close());

it('keeps applying batches of 50 updates while the doc grows past 13 KB', async () => {
  const writer = new Y.Doc();
  writer.clientID = 4242;
  let n = 0;
  let docBytes = 0;
  for (let round = 0; round < 32; round++) {
    const batch = Array.from({ length: 50 }, () => {
      let update: Uint8Array = new Uint8Array();
      writer.once('update', (u: Uint8Array) => (update = u));
      writer.getMap('data').set(`k${n % 500}`, n++);
      return { v: 1, id: `big-${n}`, type: 'StateUpdate', from: 0, to: 3, ts: Date.now(), payload: { update: toBase64(update) } };
    });
    const reply = await call(app, 'POST', '/agent/3/inbox', batch);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  }
  docBytes = (await call(app, 'GET', '/agent/3/state')).body.doc_bytes as number;
  expect(docBytes).toBeGreaterThan(13_000);
  expect((await call(app, 'GET', '/agent/3/data/k499')).body.value).toBe(1599 - 100);
}, 120_000);
