// No input wedges an agent: random requests (bodies, ids, keys, terms, query strings, envelopes,
// corrupt Yjs updates) against the whole network (nine components, gateway, real nats-server).
// Every answer is below 500 and JSON-shaped, no write answered with a refusal shows up anywhere,
// and afterwards every agent is still writable and replicating, with no delivery or tick the app
// failed.
import { toBase64 } from 'lib0/buffer';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fcParams } from '../core/env.ts';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const ROUTE_NAMES = ['state', 'health', 'messages', 'timeline', 'inbox', 'tick', 'data', 'terms', 'egraph', 'egraph/best', 'egraph/equal'];

/** A real update from a writer of its own, to corrupt. */
const sampleUpdate = (() => {
  const doc = new Y.Doc();
  doc.clientID = 777_777;
  doc.getMap('data').set('fuzz-sample', { n: 1, s: 'text' });
  doc.getMap('data').set('fuzz-sample', [1, 2]);
  return Y.encodeStateAsUpdate(doc);
})();

const agentId = fc.oneof(fc.constantFrom(...AGENTS.map(String)), fc.constantFrom('-1', '9', '00', '1e0', 'x', '%00', '0x1', ' 1'));
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
/** a path segment: percent-encoded text, or raw (possibly broken) percent-encoding */
const segment = fc.oneof(text.map(encodeURIComponent), fc.constantFrom('%', '%zz', '%ff', '%ed%a0%80', 'a%2Fb', '..', ''), fc.string({ minLength: 257, maxLength: 300 }));
const symbol = fc.constantFrom('x', 'y', '0', '1', '2', '-3', '1.5', 'NaN', 'Infinity', '1e400', '+', '*', '/', '-', 'pow', 'ln', 'd', 'i', '<<', '(', ')', ' ');
const term = fc.oneof(fc.array(symbol, { maxLength: 12 }).map((parts) => parts.join(' ')), fc.nat(3000).map((n) => '(+ '.repeat(n) + 'x' + ')'.repeat(n)), text);
const query = fc.array(fc.tuple(fc.constantFrom('full', 'term', 'cost', 'a', 'b', 'limit', 'since', 'agent', 'type', 'sv'), fc.oneof(term, fc.constantFrom('0', '1', '2', 'ops', 'ast-size', '-1', '1e9', '99999999999', 'write_applied,bogus'))), { maxLength: 3 });

function corrupt(bytes: Uint8Array, flips: [number, number][], cut: number | null): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (const [at, value] of flips) out[at % out.length] = value;
  return cut === null ? out : out.slice(0, cut % (out.length + 1));
}

const update = fc.oneof(
  fc.tuple(fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.option(fc.nat())).map(([flips, cut]) => toBase64(corrupt(sampleUpdate, flips, cut))),
  fc.uint8Array({ maxLength: 64 }).map(toBase64),
  text,
);
/** a reading of the right shape: now-ish, from the far past, or up to centuries ahead */
const wellFormedHlc = fc.oneof(
  fc.constant(null).map(() => `${String(Date.now()).padStart(13, '0')}-00000-00001`),
  fc.constant('0000000000001-00000-00001'),
  fc.nat(9).map((n) => `${'9'.repeat(13 - n).padStart(13, '0')}-99999-00008`),
);
const hlc = fc.oneof(wellFormedHlc, text);
/** an envelope with any field possibly wrong: validation is the test */
const looseEnvelope = fc.record(
  {
    v: fc.oneof(fc.constant(1), fc.integer()),
    id: fc.oneof(fc.uuid(), text),
    type: fc.oneof(fc.constantFrom('SyncRequest', 'SyncResponse', 'StateUpdate', 'Heartbeat', 'Ack'), text),
    from: fc.oneof(fc.nat(8), fc.integer(), fc.constant(null)),
    to: fc.oneof(fc.nat(8), fc.constant(null), fc.integer()),
    ts: fc.oneof(fc.constant(Date.now()), fc.integer(), fc.double()),
    hlc,
    payload: fc.oneof(
      fc.record({ update }),
      fc.record({ sv: update, ds: fc.oneof(fc.stringMatching(/^[0-9a-f]{0,16}$/), text) }),
      fc.record({ digest: text, uptime_s: fc.integer() }),
      fc.record({ ack: text }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: ['v', 'id', 'type', 'from', 'to', 'ts', 'hlc', 'payload'] },
);

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  text,
  fc.nat(20_000).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.constantFrom('{"constructor": 1}', '{"__proto__": 1}', '"\\ud800"', '{"\\udc00": 1}', '1e400', '12345678901234567890', 'null', '', '{', '\u0000'),
  term.map((t) => JSON.stringify({ term: t })),
  fc.array(looseEnvelope, { minLength: 1, maxLength: 3 }).map((e) => JSON.stringify(e)),
);

interface FuzzRequest {
  method: string;
  path: string;
  body: string | undefined;
}

const request = (method: string, path: string, body: string | null = null): FuzzRequest => ({ method, path, body: body ?? undefined });
const queryString = (q: [string, string][]): string => (q.length === 0 ? '' : `?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`);
/** mostly a real agent, sometimes an id no component serves */
const someAgent = fc.oneof({ arbitrary: fc.constantFrom(...AGENTS.map(String)), weight: 6 }, { arbitrary: agentId, weight: 1 });
const anyMethod = fc.constantFrom('GET', 'PUT', 'DELETE', 'POST', 'PATCH');

// Each route with the method it takes (mostly) and the input it reads; then paths of any shape.
const dataRequest = fc
  .tuple(fc.constantFrom('GET', 'PUT', 'PUT', 'DELETE'), someAgent, segment, fc.option(body))
  .map(([method, id, key, b]) => request(method, `/agent/${id}/data/${key}`, method === 'GET' ? null : b));
/**
 * A well-formed Yjs update from a writer of its own whose content is whatever a hostile peer likes:
 * any JSON under any key of the agent's own maps (terms and unions included), or a root of another
 * type under one of their names.
 */
const hostileUpdate = fc
  .tuple(
    fc.integer({ min: 1, max: 2 ** 32 - 1 }),
    fc.constantFrom('data', 'terms', 'unions', 'other'),
    fc.constantFrom('map', 'array', 'text'),
    fc.array(fc.tuple(text, fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([client, root, kind, entries, deleteOne]) => {
    const doc = new Y.Doc();
    doc.clientID = client;
    doc.transact(() => {
      if (kind === 'map') for (const [k, v] of entries) doc.getMap(root).set(k, v);
      else if (kind === 'array') doc.getArray(root).push(entries.map(([, v]) => v));
      else doc.getText(root).insert(0, entries.map(([k]) => k).join(''));
    });
    if (deleteOne && kind === 'map') doc.getMap(root).delete(entries[0]![0]);
    return toBase64(Y.encodeStateAsUpdate(doc));
  });
const stateVector = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat()), { maxLength: 50 }).map((entries) => toBase64(Y.encodeStateVector(new Map(entries))));

/** An envelope that passes validation (mostly), addressed to `to`: what reaches Yjs is the test. */
const wellFormedEnvelope = (to: number) =>
  fc.oneof(
    fc.tuple(fc.constantFrom('StateUpdate', 'SyncResponse'), fc.oneof(hostileUpdate, update)).map(([type, u]) => ({ type, to, payload: { update: u } })),
    fc.tuple(stateVector, fc.stringMatching(/^[0-9a-f]{16}$/)).map(([sv, ds]) => ({ type: 'SyncRequest', to, payload: { sv, ds } })),
    fc.tuple(fc.stringMatching(/^[0-9a-f]{1,64}$/), fc.nat()).map(([digest, uptime]) => ({ type: 'Heartbeat', to: null, payload: { digest, uptime_s: uptime } })),
    fc.uuid().map((ack) => ({ type: 'Ack', to, payload: { ack } })),
  ).chain((partial) =>
    fc.record({ from: fc.nat(8), id: fc.uuid(), hlc: wellFormedHlc, ts: fc.constant(Date.now()) }).map((rest) => ({ v: 1, ...rest, ...partial })),
  );

const inboxRequest = fc
  .nat(8)
  .chain((id) =>
    fc.tuple(
      fc.constant(id),
      fc.oneof(
        { arbitrary: fc.array(wellFormedEnvelope(id), { minLength: 1, maxLength: 3 }).map((e) => JSON.stringify(e)), weight: 5 },
        { arbitrary: fc.array(looseEnvelope, { minLength: 1, maxLength: 3 }).map((e) => JSON.stringify(e)), weight: 2 },
        { arbitrary: body, weight: 1 },
      ),
    ),
  )
  .map(([id, b]) => request('POST', `/agent/${id}/inbox`, b));
const termRequest = fc.tuple(someAgent, body, term).map(([id, b, t]) => request('POST', `/agent/${id}/terms`, Math.random() < 0.7 ? JSON.stringify({ term: t }) : b));
const egraphRequest = fc
  .tuple(someAgent, fc.constantFrom('egraph', 'egraph/best', 'egraph/equal'), query)
  .map(([id, route, q]) => request('GET', `/agent/${id}/${route}${queryString(q)}`));
const readRequest = fc.tuple(someAgent, fc.constantFrom('state', 'health', 'messages', 'timeline'), query).map(([id, route, q]) => request('GET', `/agent/${id}/${route}${queryString(q)}`));
const tickRequest = someAgent.map((id) => request('POST', `/agent/${id}/tick`));
const anyPathRequest = fc
  .tuple(anyMethod, agentId, fc.oneof(fc.constantFrom(...ROUTE_NAMES), segment), fc.option(segment), query, fc.option(body))
  .map(([method, id, route, key, q, b]) => request(method, `/agent/${id}/${route}${key === null ? '' : `/${key}`}${queryString(q)}`, method === 'GET' ? null : b));
const apiRequest = fc
  .tuple(fc.constantFrom('/health', '/api/timeline', '/api/metrics', '/metrics', '/api/topology', '/api/nowhere'), query)
  .map(([path, q]) => request('GET', `${path}${queryString(q)}`));
/** a PUT of a bad-or-good value under a fresh key nobody else writes, to check refusals change nothing */
const putRequest = fc.tuple(fc.nat(8), body).map(([id, b]) => request('PUT', `/agent/${id}/data/fuzz-${Math.random().toString(36).slice(2)}`, b));

const anyRequest = fc.oneof(
  { arbitrary: putRequest, weight: 4 },
  { arbitrary: dataRequest, weight: 3 },
  { arbitrary: inboxRequest, weight: 5 },
  { arbitrary: termRequest, weight: 2 },
  { arbitrary: egraphRequest, weight: 2 },
  { arbitrary: readRequest, weight: 1 },
  { arbitrary: tickRequest, weight: 1 },
  { arbitrary: apiRequest, weight: 1 },
  { arbitrary: anyPathRequest, weight: 2 },
);

/** fast-check's own report prints whole counterexamples (a 20,000-deep body); keep it readable */
function shortReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const cut = (s: string) => (s.length > 1_500 ? `${s.slice(0, 1_500)}...` : s);
  throw new Error(`failed after ${details.numRuns} runs (seed ${details.seed}): ${cut(String(details.errorInstance))}\ncounterexample: ${cut(JSON.stringify(details.counterexample))}`);
}

describeDeliveries(
  'fuzzing the network',
  (_kind, broker) => {
    let network: TestNetwork | undefined;

    beforeAll(async () => {
      network = await startTestNetwork({ natsUrl: broker().natsUrl, syncIntervalMs: 500 });
    }, 120_000);
    afterAll(async () => network?.close());

    it('answers every request below 500, applies no refused write, and every agent still writes and replicates', async () => {
      const net = network!;
      const app = net.app;
      const refused: string[] = [];
      const before = net.gateway.stats();
      await fc.assert(
        fc.asyncProperty(anyRequest, async (req) => {
          const res = await fetch(app.url + req.path, {
            method: req.method,
            ...(req.body === undefined ? {} : { body: req.body, headers: { 'content-type': 'application/json' } }),
          });
          const answer = await res.text();
          expect(res.status, `${req.method} ${req.path.slice(0, 300)} ${req.body?.slice(0, 200)} -> ${answer.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            // a refused batch also names the envelopes refused (indexes into it)
            const { refused: indexes, ...shape } = JSON.parse(answer) as Record<string, unknown>;
            const context = `${res.status} to ${req.method} ${req.path.slice(0, 300)}: ${answer.slice(0, 300)}`;
            expect(shape, context).toEqual({ error: expect.any(String), detail: expect.any(String) });
            if (indexes !== undefined) expect(Array.isArray(indexes) && indexes.length > 0 && indexes.every((i) => Number.isInteger(i)), context).toBe(true);
            if (req.method === 'PUT' && req.path.includes('/data/fuzz-')) refused.push(req.path);
          }
        }),
        { ...fcParams(300), endOnFailure: true, reporter: shortReport },
      );

      // every agent takes a write, and each write reaches all nine
      for (const id of AGENTS) expect((await call(app, 'PUT', `/agent/${id}/data/after-fuzz-${id}`, { id })).status).toBe(200);
      await waitFor(
        'every agent holding every after-fuzz write',
        async () => {
          for (const reader of AGENTS) {
            for (const writer of AGENTS) if ((await call(app, 'GET', `/agent/${reader}/data/after-fuzz-${writer}`)).status !== 200) return false;
          }
          return true;
        },
        60_000,
        250,
      );
      // a write answered with a refusal is nowhere
      for (const path of refused) {
        const key = path.split('/').pop()!;
        for (const id of AGENTS) expect((await call(app, 'GET', `/agent/${id}/data/${key}`)).status, `${key} at ${id}`).toBe(404);
      }
      expect(refused.length).toBeGreaterThan(10);
      // and the gateway saw no agent fail: no 5xx to retry, no tick failed
      const after = net.gateway.stats();
      expect(after.app.retries - before.app.retries).toBe(0);
      expect(after.app.unavailable - before.app.unavailable).toBe(0);
      expect(after.queues.ticks_failed - before.queues.ticks_failed).toBe(0);
    }, 600_000);
  },
  ['nats'],
);
