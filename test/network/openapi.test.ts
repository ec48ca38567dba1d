// The published contract (GET /api/openapi.json) against the code: a valid OpenAPI 3.1 document;
// every route of the agent's and the api's routers is in it and everything in it is served; and
// the answers of a running network (built components under the local host, the gateway ticking),
// successes and refusals alike, match the schemas it gives for their status and content type.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AGENT_ROUTES } from '../../src/agent/routes.ts';
import { OPENAPI_DOCUMENT } from '../../src/api/openapi.ts';
import { API_ROUTES } from '../../src/api/routes.ts';
import { ApiError, AppClient } from '../../src/client/index.ts';
import { ENVELOPE_SCHEMA } from '../../src/core/index.ts';
import { spinManifest } from '../../scripts/manifests/spin-toml.ts';
import { startTestNetwork, type TestNetwork } from '../support/network.ts';

type Spec = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
const SPEC = OPENAPI_DOCUMENT as unknown as Spec;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `/agent/{id}/data/{key}` → a pattern matching `/agent/3/data/greeting`. */
function templatePattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

function specPathOf(path: string): string | undefined {
  return Object.keys(SPEC.paths).find((t) => templatePattern(t).test(path));
}

const pointer = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('declares every path template parameter in every operation', () => {
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths as unknown as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>)) {
      const shared = (item.parameters as unknown as { name: string; in: string }[] | undefined) ?? [];
      for (const method of METHODS.filter((m) => m in item)) {
        const declared = [...shared, ...(item[method]!.parameters ?? [])].filter((p) => p.in === 'path').map((p) => p.name);
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) if (!declared.includes(name!)) undeclared.push(`${method} ${path}: ${name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it("names every method of every route of the agent's router", () => {
    const missing: string[] = [];
    for (const route of AGENT_ROUTES) {
      const path = `/agent/{id}/${route.name}${route.keyed ? '/{key}' : ''}`;
      for (const method of Object.keys(route.methods)) if (SPEC.paths[path]?.[method.toLowerCase()] === undefined) missing.push(`${method} ${path}`);
    }
    expect(missing).toEqual([]);
  });

  it("names every route of the api's router", () => {
    expect(Object.keys(API_ROUTES).filter((path) => SPEC.paths[path]?.get === undefined)).toEqual([]);
  });

  it('names nothing the routers and the manifest do not serve', () => {
    const agentPaths = new Set(AGENT_ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m.toLowerCase()} /agent/{id}/${r.name}${r.keyed ? '/{key}' : ''}`)));
    const routes = spinManifest({ agents: 9, wasmDir: 'dist' });
    const phantom: string[] = [];
    for (const [path, item] of Object.entries(SPEC.paths)) {
      for (const method of METHODS.filter((m) => m in item)) {
        const served = path.startsWith('/agent/') ? agentPaths.has(`${method} ${path}`) : path.startsWith('/dashboard') ? method === 'get' && routes.includes('route = "/dashboard/..."') : method === 'get' && path in API_ROUTES;
        if (!served) phantom.push(`${method} ${path}`);
      }
    }
    expect(phantom).toEqual([]);
  });
});

describe('answers of a running network against the contract', () => {
  let network: TestNetwork;
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema(OPENAPI_DOCUMENT as object, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  /** `${method} ${template} ${status}` of every answer checked */
  const seen = new Set<string>();

  function validatorFor(template: string, method: string, status: number, mediaType: string): ValidateFunction {
    const operation = SPEC.paths[template]?.[method];
    const response = operation?.responses[String(status)];
    if (response === undefined) throw new Error(`${method.toUpperCase()} ${template} answered ${status}, which the document does not list`);
    const types = Object.keys(response.content ?? {});
    const declared = types.find((t) => t === mediaType) ?? types.find((t) => t === '*/*');
    if (declared === undefined) throw new Error(`${method.toUpperCase()} ${template} ${status} answered ${mediaType}; the document lists ${types.join(', ') || 'no body'}`);
    const ref = `openapi#/paths/${pointer(template)}/${method}/responses/${status}/content/${pointer(declared)}/schema`;
    let validate = validators.get(ref);
    if (validate === undefined) {
      validate = ajv.getSchema(ref);
      if (validate === undefined) throw new Error(`no schema at ${ref}`);
      validators.set(ref, validate);
    }
    return validate;
  }

  /** Sends the request and checks its answer against the document; returns the parsed body. */
  async function checked(method: string, path: string, init: { body?: BodyInit; type?: string; accept?: string } = {}): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (init.type !== undefined) headers['content-type'] = init.type;
    if (init.accept !== undefined) headers.accept = init.accept;
    const res = await fetch(network.app.url + path, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const bytes = new Uint8Array(await res.arrayBuffer());
    const body = /^application\/(.+\+)?json$/.test(mediaType) ? (JSON.parse(new TextDecoder().decode(bytes)) as unknown) : bytes;
    const template = specPathOf(new URL(path, 'http://x').pathname);
    if (template === undefined) {
      // a path the document does not have: the refusal every route gives
      expect(res.status).toBe(404);
      expect(ajv.getSchema('openapi#/components/schemas/Error')!(body)).toBe(true);
      return { status: res.status, body };
    }
    const validate = validatorFor(template, method.toLowerCase(), res.status, mediaType);
    const instance = body instanceof Uint8Array ? new TextDecoder().decode(body) : body;
    expect(validate(instance), `${method} ${path} → ${res.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
    seen.add(`${method.toLowerCase()} ${template} ${res.status}`);
    return { status: res.status, body };
  }

  beforeAll(async () => {
    network = await startTestNetwork({ syncIntervalMs: 300 });
  }, 120_000);
  afterAll(async () => network?.close());

  it("the agent's reads", async () => {
    for (const route of ['state', 'health', 'messages', 'timeline']) expect((await checked('GET', `/agent/2/${route}`)).status).toBe(200);
  });

  it('data: put, get, delete, and the refusals', async () => {
    expect((await checked('PUT', '/agent/3/data/greeting', { body: JSON.stringify({ text: 'hello', n: [1, 2] }), type: 'application/json' })).status).toBe(200);
    expect((await checked('GET', '/agent/3/data/greeting')).body).toEqual({ key: 'greeting', value: { text: 'hello', n: [1, 2] } });
    expect((await checked('DELETE', '/agent/3/data/greeting')).status).toBe(200);
    expect((await checked('GET', '/agent/3/data/greeting')).status).toBe(404);
    expect((await checked('PUT', '/agent/3/data/bad', { body: '{"unclosed', type: 'application/json' })).status).toBe(400);
    expect((await checked('PUT', '/agent/3/data/plain', { body: '"text"', type: 'text/plain' })).status).toBe(415);
    expect((await checked('PUT', '/agent/3/data/big', { body: JSON.stringify('x'.repeat(5 * 1024 * 1024)), type: 'application/json' })).status).toBe(413);
    expect((await checked('GET', '/agent/3/data/greeting', {})).status).toBe(404);
  });

  it('the document in and out', async () => {
    const doc = new Y.Doc();
    doc.getText('notes').insert(0, 'contract');
    const posted = await checked('POST', '/agent/5/doc', { body: Y.encodeStateAsUpdate(doc) as Uint8Array<ArrayBuffer>, type: 'application/octet-stream' });
    expect(posted.body).toMatchObject({ changed: true });
    const whole = await checked('GET', '/agent/5/doc');
    const copy = new Y.Doc();
    Y.applyUpdate(copy, whole.body as Uint8Array);
    expect(copy.getText('notes').toString()).toBe('contract');
    expect((await checked('GET', `/agent/5/doc?sv=${encodeURIComponent(Buffer.from(Y.encodeStateVector(copy)).toString('base64'))}`)).status).toBe(200);
    expect((await checked('GET', '/agent/5/doc?sv=!!')).status).toBe(400);
    expect((await checked('POST', '/agent/5/doc', { body: new Uint8Array([1, 2, 3]), type: 'application/octet-stream' })).status).toBe(400);
  });

  it('the e-graph', async () => {
    expect((await checked('POST', '/agent/4/terms', { body: JSON.stringify({ term: '(* (+ x 0) 2)' }), type: 'application/json' })).status).toBe(200);
    expect((await checked('POST', '/agent/4/terms', { body: JSON.stringify({ term: '(* x' }), type: 'application/json' })).status).toBe(400);
    expect((await checked('GET', '/agent/4/egraph')).status).toBe(200);
    expect((await checked('GET', '/agent/4/egraph?full=1')).status).toBe(200);
    expect((await checked('GET', '/agent/4/egraph?full=yes')).status).toBe(400);
    expect((await checked('GET', `/agent/4/egraph/best?term=${encodeURIComponent('(* (+ x 0) 2)')}&cost=ast-size`)).status).toBe(200);
    expect((await checked('GET', `/agent/4/egraph/equal?a=${encodeURIComponent('(* x 2)')}&b=${encodeURIComponent('(<< x 1)')}`)).status).toBe(200);
    expect((await checked('GET', '/agent/4/egraph/best')).status).toBe(400);
  });

  it("the gateway's routes: a delivery and a tick, their outboxes valid envelopes", async () => {
    const heartbeat = { v: 1, id: 'contract-1', type: 'Heartbeat', from: 1, to: null, ts: Date.now(), hlc: `${Date.now()}-00000-00001`, payload: { digest: '00', uptime_s: 1 } };
    expect((await checked('POST', '/agent/0/inbox', { body: JSON.stringify([heartbeat]), type: 'application/json' })).status).toBe(200);
    const ticked = await checked('POST', '/agent/0/tick');
    expect((ticked.body as { outbox: unknown[] }).outbox.length).toBeGreaterThan(0);
    const envelope = new Ajv2020({ allErrors: true }).compile(ENVELOPE_SCHEMA);
    for (const e of (ticked.body as { outbox: unknown[] }).outbox) expect(envelope(e), JSON.stringify(envelope.errors)).toBe(true);
    expect((await checked('POST', '/agent/0/inbox', { body: JSON.stringify([{ ...heartbeat, to: 3 }]), type: 'application/json' })).status).toBe(400);
  });

  it('routing refusals: an unknown route, a key never set, a wrong method', async () => {
    expect((await checked('GET', '/agent/1/nothing-here')).status).toBe(404);
    expect((await checked('DELETE', '/agent/1/data/x')).status).toBe(404);
    const wrongMethod = await fetch(`${network.app.url}/agent/1/state`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    const refusal = ajv.getSchema('openapi#/components/schemas/Error')!;
    expect(refusal(await wrongMethod.json())).toBe(true);
  });

  it("the api's routes", async () => {
    for (const path of ['/health', '/api/timeline?limit=50', '/api/metrics', '/metrics', '/api/topology', '/api/openapi.json', '/api/schemas/envelope.json']) {
      expect((await checked('GET', path)).status, path).toBe(200);
    }
    expect((await checked('GET', '/api/timeline?since=0&limit=5', { accept: 'application/x-ndjson' })).status).toBe(200);
    expect((await checked('GET', '/api/timeline?limit=0')).status).toBe(400);
    expect((await checked('GET', '/api/nothing-here')).status).toBe(404);
    expect((await checked('GET', '/api/openapi.json')).body).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  });

  it('the dashboard', async () => {
    const page = await checked('GET', '/dashboard');
    expect(page.status).toBe(200);
    const asset = /(?:src|href)="(?:\.\/|\/dashboard\/)?([^"/:]+\.(?:js|css))"/.exec(new TextDecoder().decode(page.body as Uint8Array))?.[1];
    expect(asset).toBeDefined();
    expect((await checked('GET', `/dashboard/${asset}`)).status).toBe(200);
    expect((await checked('GET', '/dashboard/no-such-file.js')).status).toBe(404);
  });

  it('the typed client (src/client) reaches every operation it offers, and gives refusals as ApiError', async () => {
    const client = new AppClient({ url: network.app.url });
    expect((await client.health()).app).toBe('crdt-agents-network');
    expect((await client.topology()).agent_count).toBe(9);
    expect((await client.metrics()).agents.total).toBe(9);
    expect((await client.timelinePage({ since: '0', limit: 3, agent: '6' })).events.every((e) => e.agent === 6)).toBe(true);
    const received = await client.wholeTimeline({ agent: '6', type: 'message_in' });
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((e) => e.agent === 6 && e.type === 'message_in')).toBe(true);
    expect((await client.state(6)).agent_id).toBe(6);
    expect((await client.messages(6)).agent_id).toBe(6);
    expect((await client.agentTimeline(6)).count).toBeGreaterThan(0);
    expect((await client.putData(6, 'a key/with spaces', [1])).sent).toBe('now');
    expect((await client.data(6, 'a key/with spaces')).value).toEqual([1]);
    expect((await client.deleteData(6, 'a key/with spaces')).deleted).toBe(true);
    const refused = await client.data(6, 'a key/with spaces').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 404, error: 'no data under key "a key/with spaces"' });
    const doc = new Y.Doc();
    doc.getMap('data').set('from-client', true);
    expect((await client.mergeDoc(6, Y.encodeStateAsUpdate(doc))).changed).toBe(true);
    const before = (await client.state(6)).state_vector; // the agent only ever learns more
    Y.applyUpdate(doc, await client.doc(6, Y.encodeStateVector(doc)));
    const held = Y.decodeStateVector(Y.encodeStateVector(doc));
    for (const [writer, clock] of Object.entries(before)) expect(held.get(Number(writer)) ?? 0).toBeGreaterThanOrEqual(clock);
    expect((await client.addTerm(6, '(+ y 0)')).new_terms).toBeGreaterThan(0);
    expect((await client.egraph(6, true)).dump).toBeDefined();
    expect((await client.best(6, '(+ y 0)', 'ast-size')).cost_model).toBe('ast-size');
    expect((await client.equal(6, '(+ y 0)', '(+ y 0)')).equal).toBe(true);
  });

  it("checked every operation's success", () => {
    const operations = Object.entries(SPEC.paths).flatMap(([path, item]) => METHODS.filter((m) => m in item).map((m) => `${m} ${path}`));
    expect(operations.filter((op) => !seen.has(`${op} 200`))).toEqual([]);
  });
});
