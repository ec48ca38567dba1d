// Regression: componentize-js 0.10 trapped (wasm `unreachable`) when a Spin import was called after
// linear memory grew during the request: a doc of ~12 KB receiving batches of 50 updates trapped on
// the next KV call, a 256 KB update in one batch trapped unless each request first reserved heap,
// and with that reserve a doc stopped at ~125 KB. componentize-js 0.19 grows memory freely: keep a
// doc growing well past those sizes, to 1 MB of user data.
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { call, startApp, type TestApp } from '../support/network.ts';

/** Records (~100 B each) in the doc of the tick test (1,200 was the most a 16 MiB heap reserve held). */
const TICKABLE_RECORDS = 1_200;

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => app?.close());

/** The size of agent `id`'s doc in Yjs's own encoding, as a standard Yjs client loading GET /doc holds it. */
async function encodedDocBytes(id: number): Promise<number> {
  const res = await fetch(`${app.url}/agent/${id}/doc`);
  expect(res.status).toBe(200);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
  return Y.encodeStateAsUpdate(doc).length;
}

it('keeps applying batches of 50 updates while the doc grows past 13 KB', async () => {
  const writer = new Y.Doc();
  writer.clientID = 4242;
  let n = 0;
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
  // writes carry doc_bytes forward (encoding the doc costs as much as a write), and a quiet tick
  // leaves it for a request that loads the doc anyway
  expect((await call(app, 'POST', '/agent/3/tick')).status).toBe(200);
  expect((await call(app, 'GET', '/agent/3/state')).body.doc_bytes_stale).toBe(true);
  expect(await encodedDocBytes(3)).toBeGreaterThan(13_000);
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

it(`keeps ticking on a doc of ${TICKABLE_RECORDS} records`, async () => {
  const { envelope } = wholeDoc(6, TICKABLE_RECORDS);
  expect((await call(app, 'POST', '/agent/6/inbox', [envelope])).status).toBe(200);
  for (let i = 0; i < 3; i++) expect((await call(app, 'POST', '/agent/6/tick')).status).toBe(200);
  expect((await call(app, 'GET', '/agent/6/state')).body.doc_bytes).toBeGreaterThan(TICKABLE_RECORDS * 90);
}, 120_000);

it('takes 1 MB of user data (32 values of 32 KB) and still answers state, data and tick', async () => {
  const value = 'v'.repeat(32 * 1024);
  for (let i = 0; i < 32; i++) {
    const reply = await call(app, 'PUT', `/agent/7/data/big-${i}`, JSON.stringify(`${i}:${value}`));
    expect(reply.status, JSON.stringify(reply.body).slice(0, 300)).toBe(200);
  }
  expect((await call(app, 'GET', '/agent/7/state')).status).toBe(200);
  expect((await call(app, 'GET', '/agent/7/data/big-31')).body.value).toBe(`31:${value}`);
  expect((await call(app, 'POST', '/agent/7/tick')).status).toBe(200);
  expect((await call(app, 'GET', '/agent/7/state')).body.stored_bytes).toBeGreaterThan(1024 * 1024);
  expect(await encodedDocBytes(7)).toBeGreaterThan(1024 * 1024);
}, 180_000);
