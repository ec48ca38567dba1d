// GET/POST /agent/:id/doc: the document out as one Yjs update (whole, or what a state vector
// lacks) and a Yjs update merged in, checked before anything is stored.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { handle } from '../../src/agent/routes.ts';
import { dataMap, MAX_ENVELOPE_UPDATE_BYTES, stateDigest, toBase64 } from '../../src/core/index.ts';
import { agentDeps, memoryStores } from '../support/agent-session.ts';

const TOKEN = 'write-secret';
const READ = 'read-secret';

function agent(variables: Record<string, string> = {}) {
  const deps = agentDeps(memoryStores().kv, variables);
  const send = (method: string, path: string, body?: Uint8Array | string, headers: Record<string, string> = {}) =>
    handle(new Request(`http://app/agent/0${path}`, { method, body: body as BodyInit | undefined, headers }), deps);
  const put = async (key: string, value: unknown) =>
    (await send('PUT', `/data/${key}`, JSON.stringify(value), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` })).status;
  const getDoc = async (query = ''): Promise<Uint8Array> => {
    const res = await send('GET', `/doc${query}`, undefined, { authorization: `Bearer ${READ}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    return new Uint8Array(await res.arrayBuffer());
  };
  const postDoc = (update: Uint8Array | string, type = 'application/octet-stream', token = TOKEN) =>
    send('POST', '/doc', update, { 'content-type': type, authorization: `Bearer ${token}` });
  const state = async () => (await (await send('GET', '/state', undefined, { authorization: `Bearer ${READ}` })).json()) as { state_digest: string; data_keys: string[] };
  return { put, getDoc, postDoc, state };
}

const tokens = { auth_token: TOKEN, read_token: READ };

describe('GET /agent/:id/doc', () => {
  it('answers the whole document as a Yjs update, and with ?sv= only what that state lacks', async () => {
    const a = agent(tokens);
    expect(await a.put('k', { v: 1 })).toBe(200);
    expect(await a.put('k', { v: 2 })).toBe(200);
    expect(await a.put('other', 'x')).toBe(200);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, await a.getDoc());
    expect(dataMap(replica).toJSON()).toEqual({ k: { v: 2 }, other: 'x' });
    expect(stateDigest(replica)).toBe((await a.state()).state_digest);

    const sv = Y.encodeStateVector(replica);
    expect(await a.put('later', true)).toBe(200);
    // URL-safe base64 or standard (a '+' a query string made a space)
    const diff = await a.getDoc(`?sv=${encodeURIComponent(toBase64(sv))}`);
    expect(diff.length).toBeLessThan((await a.getDoc()).length);
    Y.applyUpdate(replica, diff);
    expect(dataMap(replica).get('later')).toBe(true);
    expect(stateDigest(replica)).toBe((await a.state()).state_digest);
  });

  it('answers an empty update for an agent that holds nothing, and 400 for a bad state vector', async () => {
    const a = agent();
    const replica = new Y.Doc();
    Y.applyUpdate(replica, await a.getDoc());
    expect(dataMap(replica).size).toBe(0);
    const deps = agentDeps(memoryStores().kv);
    const res = await handle(new Request('http://app/agent/0/doc?sv=%%%'), deps);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('sv') });
  });
});

describe('POST /agent/:id/doc', () => {
  it('merges a Yjs update made anywhere, relays it to the neighbours, and the data routes see it', async () => {
    const a = agent(tokens);
    expect(await a.put('mine', 1)).toBe(200);
    const elsewhere = new Y.Doc();
    Y.applyUpdate(elsewhere, await a.getDoc());
    dataMap(elsewhere).set('theirs', [1, 2]);
    elsewhere.getText('notes').insert(0, 'hello'); // any shared type, not only the data map
    const res = await a.postDoc(Y.encodeStateAsUpdate(elsewhere));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent_id: 0, changed: true, relayed: 'now', outbox: 2 });
    expect((await a.state()).data_keys).toEqual(['mine', 'theirs']);
    expect((await a.state()).state_digest).toBe(stateDigest(elsewhere));
    const replica = new Y.Doc();
    Y.applyUpdate(replica, await a.getDoc());
    expect(replica.getText('notes').toString()).toBe('hello');
    // the same again teaches nothing
    expect(await (await a.postDoc(Y.encodeStateAsUpdate(elsewhere))).json()).toMatchObject({ changed: false, relayed: 'nothing new', outbox: 0 });
  });

  it('leaves a merge too large for one envelope to anti-entropy', async () => {
    const a = agent();
    const big = new Y.Doc();
    for (let i = 0; i < 12; i++) dataMap(big).set(`blob-${i}`, 'x'.repeat(64 * 1024));
    const update = Y.encodeStateAsUpdate(big);
    expect(update.length).toBeGreaterThan(MAX_ENVELOPE_UPDATE_BYTES);
    const res = await a.postDoc(update);
    expect(await res.json()).toMatchObject({ changed: true, relayed: 'anti-entropy', outbox: 0 });
    expect((await a.state()).state_digest).toBe(stateDigest(big));
  });

  it('refuses what it cannot merge, and stores nothing', async () => {
    const a = agent(tokens);
    expect(await a.put('k', 1)).toBe(200);
    const before = await a.getDoc();
    const digest = (await a.state()).state_digest;
    // an update that builds on structs the agent never saw
    const elsewhere = new Y.Doc();
    dataMap(elsewhere).set('first', 1);
    const sv = Y.encodeStateVector(elsewhere);
    dataMap(elsewhere).set('second', 2);
    const refusals: [Response, number, string][] = [
      [await a.postDoc(Y.encodeStateAsUpdate(elsewhere, sv)), 400, 'builds on structs'],
      [await a.postDoc(new Uint8Array([1, 2, 3, 4, 5])), 400, 'cannot be decoded'],
      [await a.postDoc(new Uint8Array(0)), 400, 'empty'],
      [await a.postDoc(Y.encodeStateAsUpdate(elsewhere), 'text/plain'), 415, 'octet-stream'],
      [await a.postDoc(Y.encodeStateAsUpdate(elsewhere), 'application/octet-stream', READ), 401, 'token'],
    ];
    for (const [res, status, words] of refusals) {
      expect(res.status).toBe(status);
      expect(JSON.stringify(await res.json())).toContain(words);
    }
    expect(await a.getDoc()).toEqual(before);
    expect((await a.state()).state_digest).toBe(digest);
  });
});
