// Bad input gets a 4xx JSON `{ error, detail }` and changes nothing; mutating routes honour the
// auth_token variable; a misrouted request is refused, not served by the wrong agent.
import { toBase64 } from 'lib0/buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { rawExchange } from '../support/raw-http.ts';
import { call, DIST, startApp, writeManifest, type TestApp } from '../support/network.ts';

const validUpdate = (() => {
  const doc = new Y.Doc();
  doc.clientID = 4242;
  doc.getMap('data').set('good', true);
  return Y.encodeStateAsUpdate(doc);
})();

function envelope(overrides: Record<string, unknown> = {}) {
  return { v: 1, id: `e-${Math.random()}`, type: 'StateUpdate', from: 1, to: 0, ts: Date.now(), hlc: '0000000000001-00000-00001', payload: { update: toBase64(validUpdate) }, ...overrides };
}

describe('bad input', () => {
  let app: TestApp;
  const digest = async (id = 0) => (await call(app, 'GET', `/agent/${id}/state`)).body.state_digest;

  beforeAll(async () => {
    app = await startApp();
    expect((await call(app, 'PUT', '/agent/0/data/existing', { existing: true })).status).toBe(200);
  }, 120_000);
  afterAll(async () => app?.close());

  const cases: [string, string, string, unknown, number, RegExp][] = [
    ['malformed JSON on PUT', 'PUT', '/agent/0/data/k', '{"oops": ', 400, /not valid JSON/],
    ['an empty PUT body', 'PUT', '/agent/0/data/k', '', 400, /body is empty|must be JSON/],
    ['an inbox body that is not an array', 'POST', '/agent/0/inbox', { type: 'StateUpdate' }, 400, /array/],
    ['an envelope with a wrong field type', 'POST', '/agent/0/inbox', [envelope({ from: 'one' })], 400, /from/],
    ['an envelope of an unknown type', 'POST', '/agent/0/inbox', [envelope({ type: 'Gossip' })], 400, /type/],
    ['an envelope with an unknown field', 'POST', '/agent/0/inbox', [envelope({ extra: 1 })], 400, /extra/],
    ['an update that is not base64', 'POST', '/agent/0/inbox', [envelope({ payload: { update: '%%%' } })], 400, /update/],
    // the component decodes with the engine's own codec, which skips whitespace and takes URL-safe or unpadded input unless held to strictness
    ...[
      ['with whitespace inside', (b: string) => `${b.slice(0, 4)}    ${b.slice(4)}`],
      ['URL-safe', (b: string) => `${b.slice(0, -4)}-_-_`],
      ['unpadded', (b: string) => b.replace(/=+$/, '')],
      ['with bits past the padding set', () => 'AB=='],
    ].map(([how, mangle]) => [`an update in base64 ${how as string}`, 'POST', '/agent/0/inbox', [envelope({ payload: { update: (mangle as (b: string) => string)(toBase64(validUpdate)) } })], 400, /update/] as [string, string, string, unknown, number, RegExp]),
    ['a corrupt Yjs update', 'POST', '/agent/0/inbox', [envelope({ payload: { update: toBase64(new Uint8Array([5, 255, 255, 255, 1, 9, 9])) } })], 400, /update/i],
    ['a truncated Yjs update', 'POST', '/agent/0/inbox', [envelope({ payload: { update: toBase64(validUpdate.slice(0, validUpdate.length - 3)) } })], 400, /update/i],
    ['a good envelope followed by a corrupt one', 'POST', '/agent/0/inbox', [envelope(), envelope({ payload: { update: toBase64(new Uint8Array([1, 2, 3])) } })], 400, /update/i],
    ['an envelope stamped a minute ahead of the agent (max_clock_skew 10 s)', 'POST', '/agent/0/inbox', [envelope({ hlc: `${Date.now() + 60_000}-00000-00001` })], 400, /ahead/],
    ['a SyncRequest whose state vector lists 100,000 writers (it cost the agent 8 s)', 'POST', '/agent/0/inbox', [envelope({ type: 'SyncRequest', payload: { sv: toBase64(Y.encodeStateVector(new Map(Array.from({ length: 100_000 }, (_, i) => [i + 1, 1])))), ds: '0123456789abcdef' } })], 400, /more than 10000 writers/],
    ['an envelope addressed to another agent', 'POST', '/agent/0/inbox', [envelope({ to: 5 })], 404, /5/],
    ['JSON nested 10,000 levels deep', 'PUT', '/agent/0/data/k', '['.repeat(10_000) + ']'.repeat(10_000), 400, /nest at most 64 levels/],
    ['an inbox body nested 10,000 levels deep', 'POST', '/agent/0/inbox', '['.repeat(10_000) + ']'.repeat(10_000), 400, /nest at most 64 levels/],
    ['an object with a top-level key "constructor"', 'PUT', '/agent/0/data/k', '{"constructor": 1}', 400, /constructor/],
    ['an object with a key "__proto__"', 'PUT', '/agent/0/data/k', '{"a": {"__proto__": {"x": 1}}}', 400, /__proto__/],
    ['a string with a lone surrogate', 'PUT', '/agent/0/data/k', '["\\ud800"]', 400, /surrogate.*\$\[0\]/],
    ['a number JSON cannot give back (1e400)', 'PUT', '/agent/0/data/k', '1e400', 400, /finite/],
    ['an integer beyond 2^53', 'PUT', '/agent/0/data/k', '12345678901234567890', 400, /integers/],
    ['a data key longer than 256 characters', 'PUT', `/agent/0/data/${'k'.repeat(300)}`, 1, 400, /key/],
  ];

  it.each(cases)('refuses %s and leaves the state untouched', async (_name, method, path, body, status, message) => {
    const before = await digest();
    const reply = await call(app, method, path, body);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toEqual(expect.any(String));
    expect(reply.body.detail).toEqual(expect.any(String));
    expect(`${reply.body.error} ${reply.body.detail}`).toMatch(message);
    expect(await digest()).toBe(before);
    expect((await call(app, 'GET', '/agent/0/data/good')).status).toBe(404);
  });

  // A relay (the gateway) then drops exactly those and resends the rest in one request.
  it.each([
    ['that fail validation', [envelope(), envelope({ type: 'Gossip' }), envelope(), envelope({ from: 'one' })], [1, 3], /type/],
    ['stamped too far ahead', [envelope({ hlc: `${Date.now() + 60_000}-00000-00001` }), envelope(), envelope({ hlc: `${Date.now() + 3_600_000}-00000-00001` })], [0, 2], /ahead/],
    ['carrying corrupt Yjs updates', [envelope(), envelope({ payload: { update: toBase64(new Uint8Array([1, 2, 3])) } }), envelope({ payload: { update: toBase64(validUpdate.slice(0, -3)) } })], [1, 2], /update/i],
  ])('names every refused envelope of a batch %s, and applies none of the batch', async (_name, batch, refused, message) => {
    const before = await digest();
    const reply = await call(app, 'POST', '/agent/0/inbox', batch);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
    expect(reply.body.refused).toEqual(refused);
    expect(await digest()).toBe(before);
    expect((await call(app, 'GET', '/agent/0/data/good')).status).toBe(404);
  });

  it('refuses with 415 a body not declared as JSON (a cross-site form can send text/plain), and changes nothing', async () => {
    const before = await digest();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const res = await fetch(`${app.url}/agent/0/terms`, { method: 'POST', body: '{"term":"(+ a b)"}', headers: type === null ? {} : { 'content-type': type } });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ error: expect.stringMatching(/application\/json/) });
    }
    expect(await digest()).toBe(before);
  });

  it('refuses an oversized body with 413', async () => {
    const before = await digest();
    const reply = await call(app, 'PUT', '/agent/0/data/big', JSON.stringify('x'.repeat(5 * 1024 * 1024)));
    expect(reply.status).toBe(413);
    expect(await digest()).toBe(before);
  });

  it('refuses with 413 a value too large for one envelope, naming the limit, and never acknowledges it', async () => {
    const before = await digest();
    const reply = await call(app, 'PUT', '/agent/0/data/huge', JSON.stringify('x'.repeat(600 * 1024)));
    expect(reply.status).toBe(413);
    expect(`${reply.body.error}`).toMatch(/at most 524288 bytes/);
    expect((await call(app, 'GET', '/agent/0/data/huge')).status).toBe(404);
    expect(await digest()).toBe(before);
  });
});

describe('auth_token', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(writeManifest({ defaults: { auth_token: 's3cret' } }));
  }, 120_000);
  afterAll(async () => app?.close());

  it.each([
    ['PUT', '/agent/0/data/k', 1],
    ['DELETE', '/agent/0/data/k', undefined],
    ['POST', '/agent/0/tick', undefined],
    ['POST', '/agent/0/inbox', []],
  ])('%s %s without the bearer token is 401', async (method, path, body) => {
    const reply = await call(app, method, path, body);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toMatch(/bearer/i);
    expect((await call(app, method, path, body, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('accepts the right token and leaves reads open', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    expect((await call(app, 'PUT', '/agent/0/data/k', 1, auth)).status).toBe(200);
    expect((await call(app, 'GET', '/agent/0/data/k')).body.value).toBe(1);
    expect((await call(app, 'GET', '/agent/0/state')).status).toBe(200);
  });

  it('refuses an upload without the token from its headers: 401 without the body ever being sent', async () => {
    // headers announcing 4 MB, then nothing: the answer comes anyway, and the connection closes
    const answer = await rawExchange(app.url, `PUT /agent/0/data/big HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${4 * 1024 * 1024 - 1}\r\n\r\n`, 10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect((await call(app, 'GET', '/agent/0/data/big')).status).toBe(404);
  });

  it('a caller without the token leaves no trace, not even an error event on the timeline', async () => {
    expect((await call(app, 'PUT', '/agent/0/data/k', 2, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await call(app, 'POST', '/agent/0/inbox', [{ junk: true }], { authorization: 'Bearer wrong' })).status).toBe(401);
    const { body } = await call<{ events: { type: string }[] }>(app, 'GET', '/agent/0/timeline');
    // the two writes and their StateUpdates to 0's neighbours, nothing of the refused call
    expect(body.events.map((e) => e.type).sort()).toEqual(['message_out', 'message_out', 'message_out', 'message_out', 'write_applied', 'write_applied']);
    // with the token, the same bad batch is a 400 and is recorded
    expect((await call(app, 'POST', '/agent/0/inbox', [{ junk: true }], { authorization: 'Bearer s3cret' })).status).toBe(400);
    expect((await call<{ events: { type: string }[] }>(app, 'GET', '/agent/0/timeline')).body.events.map((e) => e.type)).toContain('error');
  });
});

describe('read_token', () => {
  let app: TestApp;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  beforeAll(async () => {
    app = await startApp(writeManifest({ defaults: { auth_token: 'writer', read_token: 'reader' } }));
    expect((await call(app, 'PUT', '/agent/0/data/k', 1, bearer('writer'))).status).toBe(200);
  }, 120_000);
  afterAll(async () => app?.close());

  it.each(['/agent/0/state', '/agent/0/data/k', '/agent/0/timeline', '/agent/0/egraph'])('GET %s needs the read or the write token', async (path) => {
    const none = await call(app, 'GET', path);
    expect(none.status).toBe(401);
    expect(none.body.detail).toMatch(/read_token/);
    expect((await call(app, 'GET', path, undefined, bearer('wrong'))).status).toBe(401);
    expect((await call(app, 'GET', path, undefined, bearer('reader'))).status).toBe(200);
    expect((await call(app, 'GET', path, undefined, bearer('writer'))).status).toBe(200);
  });

  it.each(['/api/timeline', '/api/metrics', '/api/topology'])('GET %s needs the read token (the api component never holds the write secret)', async (path) => {
    expect((await call(app, 'GET', path)).status).toBe(401);
    expect((await call(app, 'GET', path, undefined, bearer('writer'))).status).toBe(401);
    expect((await call(app, 'GET', path, undefined, bearer('reader'))).status).toBe(200);
  });

  it('the read token cannot write; /health stays open for probes', async () => {
    expect((await call(app, 'PUT', '/agent/0/data/k', 2, bearer('reader'))).status).toBe(401);
    expect((await call(app, 'GET', '/agent/0/data/k', undefined, bearer('reader'))).body.value).toBe(1);
    expect((await call(app, 'GET', '/health')).status).toBe(200);
  });
});

describe('routing mistakes', () => {
  let app: TestApp;
  beforeAll(async () => {
    // A manifest that (wrongly) routes /agent/7/... to a component configured as agent 3.
    const misrouted = `
[[trigger.http]]
route = "/misrouted/..."
component = "misrouted"

[component.misrouted]
source = "${DIST}/agent.wasm"
key_value_stores = ["default"]
[component.misrouted.variables]
agent_id = "3"
[component.misrouted.dependencies]
"crdt-agents:egraph/kernel@0.1.0" = { path = "${DIST}/egraph-kernel.wasm" }
`;
    app = await startApp(writeManifest({ agents: 7 }, misrouted.replace('/misrouted/...', '/agent/7/...')));
  }, 120_000);
  afterAll(async () => app?.close());

  it('a request for /agent/7 served by the component whose agent_id is 3 is a 404', async () => {
    const reply = await call(app, 'GET', '/agent/7/state');
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatch(/agent 3.*not 7/);
  });
});
