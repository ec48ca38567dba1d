// The agent component, built to dist/agent.wasm, served by the local Spin host: the API a user
// and the gateway see.
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { call, startApp, type TestApp } from '../support/network.ts';

interface Envelope {
  v: 1;
  id: string;
  type: string;
  from: number;
  to: number | null;
  ts: number;
  hlc: string;
  payload: Record<string, unknown>;
}

/** A Yjs update written by a foreign replica (as if agent `from` had written it). */
function foreignUpdate(clientId: number, write: (data: Y.Map<unknown>) => void): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  write(doc.getMap('data'));
  return Y.encodeStateAsUpdate(doc);
}

function stateUpdate(from: number, to: number, update: Uint8Array, id = `t-${from}-${to}-${Math.random()}`): Envelope {
  return { v: 1, id, type: 'StateUpdate', from, to, ts: Date.now(), hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } };
}

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
}, 120_000);
afterAll(async () => app?.close());

describe('GET /agent/:id/state', () => {
  it.each([
    [0, [1, 3]],
    [4, [1, 3, 5, 7]],
  ])('agent %i reports the seed fields and its grid neighbours', async (id, neighbours) => {
    const { status, body } = await call(app, 'GET', `/agent/${id}/state`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      agent_id: id,
      egraph_nodes: 0,
      neighbors: neighbours,
      messages_received: expect.any(Number),
      messages_sent: expect.any(Number),
      syncs_completed: expect.any(Number),
      uptime_seconds: expect.any(Number),
      region: 'local',
      topology: 'grid',
    });
    expect(body.node_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps one node_id per agent and gives agents different ones', async () => {
    const a = await call(app, 'GET', '/agent/2/state');
    const b = await call(app, 'GET', '/agent/2/state');
    const c = await call(app, 'GET', '/agent/5/state');
    expect(a.body.node_id).toBe(b.body.node_id);
    expect(c.body.node_id).not.toBe(a.body.node_id);
  });
});

describe('data', () => {
  it('PUT stores any JSON value, GET returns it, DELETE removes it', async () => {
    const value = { nested: [1, 'two', null, { three: true }] };
    const put = await call(app, 'PUT', '/agent/0/data/greeting', value);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ key: 'greeting', outbox: 2 }); // one update per neighbour (1, 3)
    expect((await call(app, 'GET', '/agent/0/data/greeting')).body).toEqual({ key: 'greeting', value });
    const state = await call(app, 'GET', '/agent/0/state');
    expect(state.body.data_keys).toContain('greeting');
    expect((await call(app, 'DELETE', '/agent/0/data/greeting')).status).toBe(200);
    expect((await call(app, 'GET', '/agent/0/data/greeting')).status).toBe(404);
  });

  it('takes keys with any characters, percent-encoded', async () => {
    const key = 'a key/with ünïcode?&';
    await call(app, 'PUT', `/agent/1/data/${encodeURIComponent(key)}`, 42);
    expect((await call(app, 'GET', `/agent/1/data/${encodeURIComponent(key)}`)).body).toEqual({ key, value: 42 });
  });

  it("a user's write leaves with the next tick's outbox", async () => {
    expect((await call(app, 'PUT', '/agent/6/data/pending', { soon: true })).status).toBe(200);
    const { body } = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/6/tick');
    const updates = body.outbox.filter((e) => e.type === 'StateUpdate');
    expect(updates.map((e) => e.to).sort()).toEqual([3, 7]);
    const again = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/6/tick');
    expect(again.body.outbox.filter((e) => e.type === 'StateUpdate')).toEqual([]);
  });
});

describe('POST /agent/:id/inbox', () => {
  it('applies an update from a neighbour, acks it and relays it to the other neighbours', async () => {
    // Agent 7 (neighbours 4, 6, 8) hears from 4; no other test writes at 7.
    const update = foreignUpdate(1111, (d) => d.set('from-agent-4', 'hello'));
    const env = stateUpdate(4, 7, update, 'env-relay');
    const { status, body } = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/7/inbox', [env]);
    expect(status).toBe(200);
    const ack = body.outbox.find((e) => e.type === 'Ack');
    expect(ack).toMatchObject({ from: 7, to: 4, payload: { ack: 'env-relay' } });
    const relays = body.outbox.filter((e) => e.type === 'StateUpdate');
    expect(relays.map((e) => e.to)).toEqual([6, 8]);
    expect((await call(app, 'GET', '/agent/7/data/from-agent-4')).body.value).toBe('hello');

    // The same envelope again changes nothing and relays nothing.
    const dup = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/7/inbox', [env]);
    expect(dup.body.outbox.filter((e) => e.type === 'StateUpdate')).toEqual([]);
  });

  it('answers a sync request with exactly what the requester lacks', async () => {
    await call(app, 'PUT', '/agent/8/data/only-at-8', [8]);
    const emptySv = toBase64(Y.encodeStateVector(new Y.Doc()));
    const request: Envelope = {
      v: 1, id: 'sync-1', type: 'SyncRequest', from: 5, to: 8, ts: Date.now(), hlc: '0000000000001-00000-00005',
      payload: { sv: emptySv, ds: '0' },
    };
    const { body } = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/8/inbox', [request]);
    const response = body.outbox.find((e) => e.type === 'SyncResponse' && e.to === 5);
    expect(response).toBeDefined();
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Buffer.from(response!.payload.update as string, 'base64'));
    expect(replica.getMap('data').get('only-at-8')).toEqual([8]);
  });

  it('counts received and sent messages and keeps them newest first', async () => {
    const before = (await call(app, 'GET', '/agent/3/state')).body;
    const update = foreignUpdate(3333, (d) => d.set('counted', 1));
    await call(app, 'POST', '/agent/3/inbox', [stateUpdate(0, 3, update, 'first'), stateUpdate(4, 3, update, 'second')]);
    const after = (await call(app, 'GET', '/agent/3/state')).body;
    expect(after.messages_received).toBe((before.messages_received as number) + 2);
    expect(after.messages_sent).toBeGreaterThan(before.messages_sent as number);
    const { body } = await call<{ messages: { dir: string; envelope: Envelope }[] }>(app, 'GET', '/agent/3/messages');
    const inbound = body.messages.filter((m) => m.dir === 'in').map((m) => m.envelope.id);
    expect(inbound.slice(0, 2)).toEqual(['second', 'first']);
    // the history counts the Yjs bytes instead of keeping them
    const first = body.messages.find((m) => m.envelope.id === 'first')!.envelope;
    expect(first.payload).toEqual({ update_bytes: update.length });
  });
});

describe('POST /agent/:id/tick', () => {
  it('sends a heartbeat and a state vector to every neighbour', async () => {
    const { body } = await call<{ outbox: Envelope[] }>(app, 'POST', '/agent/4/tick');
    expect(body.outbox.filter((e) => e.type === 'Heartbeat')).toHaveLength(1);
    expect(body.outbox.filter((e) => e.type === 'SyncRequest').map((e) => e.to).sort()).toEqual([1, 3, 5, 7]);
  });
});

describe('routing and methods', () => {
  it('answers unknown routes with a JSON 404', async () => {
    expect(await call(app, 'GET', '/agent/0/nope')).toMatchObject({ status: 404, body: { error: expect.any(String) } });
    expect((await call(app, 'GET', '/nowhere')).status).toBe(404);
  });

  it('answers a wrong method with a JSON 405', async () => {
    expect(await call(app, 'POST', '/agent/0/state')).toMatchObject({ status: 405, body: { detail: 'allowed: GET' } });
  });

  it('serves GET /health for the app', async () => {
    expect(await call(app, 'GET', '/health')).toMatchObject({ status: 200, body: { app: 'crdt-agents-network', agents: 9 } });
  });
});
