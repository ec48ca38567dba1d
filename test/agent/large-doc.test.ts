// Regression: componentize-js 0.10 traps (wasm `unreachable`) when a Spin import is called after
// linear memory grew during the request; before src/spin/heap.ts a doc of ~12 KB receiving
// batches of 50 updates trapped on the next KV call, and a 256 KB update in one batch trapped
// with the base reserve alone. Keep a doc growing well past those sizes.
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { call, startApp, type TestApp } from '../support/network.ts';

/** Records (~100 B each) a doc may hold for a bodiless request to fit the 16 MiB base reserve. */
const TICKABLE_RECORDS = 1_200;

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
      return { v: 1, id: `big-${n}`, type: 'StateUpdate', from: 0, to: 3, ts: Date.now(), hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } };
    });
    const reply = await call(app, 'POST', '/agent/3/inbox', batch);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  }
  docBytes = (await call(app, 'GET', '/agent/3/state')).body.doc_bytes as number;
  expect(docBytes).toBeGreaterThan(13_000);
  expect((await call(app, 'GET', '/agent/3/data/k499')).body.value).toBe(1599 - 100);
}, 120_000);

/** One StateUpdate from a foreign writer holding `records` e-graph-like entries (~100 B each). */
function wholeDoc(to: number, records: number) {
  const writer = new Y.Doc();
  writer.clientID = 4343 + to;
  writer.transact(() => {
    for (let i = 0; i < records; i++) {
      writer.getMap('data').set(`record-${i}`, { op: '+', children: [`${i}`.padStart(16, 'a'), `${i}`.padStart(16, 'b')], rule: 'assoc-add', ts: 1_700_000_000_000 + i });
    }
  });
  const update = Y.encodeStateAsUpdate(writer);
  return { bytes: update.length, envelope: { v: 1, id: `whole-doc-${to}`, type: 'StateUpdate', from: to - 1, to, ts: Date.now(), hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } } };
}

it('applies one StateUpdate carrying a whole large doc (256 KB, as sync step 2 to a new agent)', async () => {
  const { bytes, envelope } = wholeDoc(5, 2_500);
  expect(bytes).toBeGreaterThan(250_000);
  const reply = await call(app, 'POST', '/agent/5/inbox', [envelope]);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect((await call(app, 'GET', '/agent/5/data/record-2499')).body.value).toMatchObject({ rule: 'assoc-add' });
}, 120_000);

it(`keeps ticking, with the base reserve, on a doc of ${TICKABLE_RECORDS} records`, async () => {
  const { envelope } = wholeDoc(6, TICKABLE_RECORDS);
  expect((await call(app, 'POST', '/agent/6/inbox', [envelope])).status).toBe(200);
  for (let i = 0; i < 3; i++) expect((await call(app, 'POST', '/agent/6/tick')).status).toBe(200);
  expect((await call(app, 'GET', '/agent/6/state')).body.doc_bytes).toBeGreaterThan(TICKABLE_RECORDS * 90);
}, 120_000);
