// The agent's HTTP API: the route table, access, and refusals. Each route's handler lives in
// handlers/ and takes one AgentRequest (request.ts). Every answer is JSON; every failure is an
// AgentError mapped once to `{ error, detail }` with its status (spin/http.ts).
import { AgentError, HybridClock, TimelineRecorder } from '../core/index.ts';
import { createLogger } from '../shared/log.ts';
import { corsPolicyFor, preflight, withCors, type CorsPolicy } from '../spin/cors.ts';
import { errorResponse, requireAccess } from '../spin/http.ts';
import { TRACEPARENT } from '../shared/trace-context.ts';
import type { ByteStore } from '../spin/key-value.ts';
import type { SqlDatabase } from '../spin/sqlite.ts';
import { readConfig, type AgentConfig, type VariableSource } from './config.ts';
import { deleteData, getData, putData } from './handlers/data.ts';
import { getDoc, postDoc } from './handlers/doc.ts';
import { getBest, getEGraph, getEqual, postTerm } from './handlers/egraph.ts';
import { inbox, tick } from './handlers/exchange.ts';
import { getHealth, getMessages, getState, getTimeline } from './handlers/reads.ts';
import { AgentPersistence } from './persistence.ts';
import type { Handler } from './request.ts';
import { ServerTiming } from './server-timing.ts';
import { AgentSession, type World } from './session.ts';

/** Longest key accepted under /data/:key. */
export const MAX_KEY_LENGTH = 256;

export interface AgentDeps extends World {
  variables: VariableSource;
  store: () => ByteStore;
  /** the SQL database holding the agent's writer leases (agent/writers.ts) */
  database: () => SqlDatabase;
  /** a monotonic millisecond reading, for the Server-Timing breakdown */
  elapsed: () => number;
}

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST';

export interface AgentRoute {
  /** path after /agent/:id (the first segment only, for a keyed route) */
  name: string;
  /** whether a `:key` segment follows the name */
  keyed: boolean;
  methods: Partial<Record<Method, Handler>>;
}

/** Every route under /agent/:id/ (the OpenAPI document must name each: test/network/openapi.test.ts). */
export const AGENT_ROUTES: readonly AgentRoute[] = [
  { name: 'state', keyed: false, methods: { GET: getState } },
  { name: 'health', keyed: false, methods: { GET: getHealth } },
  { name: 'messages', keyed: false, methods: { GET: getMessages } },
  { name: 'timeline', keyed: false, methods: { GET: getTimeline } },
  { name: 'inbox', keyed: false, methods: { POST: inbox } },
  { name: 'tick', keyed: false, methods: { POST: tick } },
  { name: 'data', keyed: true, methods: { GET: getData, PUT: putData, DELETE: deleteData } },
  { name: 'doc', keyed: false, methods: { GET: getDoc, POST: postDoc } },
  { name: 'terms', keyed: false, methods: { POST: postTerm } },
  { name: 'egraph', keyed: false, methods: { GET: getEGraph } },
  { name: 'egraph/best', keyed: false, methods: { GET: getBest } },
  { name: 'egraph/equal', keyed: false, methods: { GET: getEqual } },
];

const MUTATING: ReadonlySet<string> = new Set(['PUT', 'DELETE', 'POST']);

export async function handle(request: Request, deps: AgentDeps): Promise<Response> {
  let cors: CorsPolicy = null;
  try {
    cors = corsPolicyFor(request, deps.variables);
    const early = preflight(request, cors, [...MUTATING, 'GET']);
    if (early !== null) return early;
    const config = readConfig(deps.variables);
    const log = createLogger(config.logLevel, { component: `agent-${config.agentId}` });
    const timing = new ServerTiming(deps.elapsed);
    const response = await route(request, config, deps, timing);
    const breakdown = timing.header();
    response.headers.set('server-timing', breakdown);
    log('debug', 'request', { method: request.method, url: request.url, status: response.status, timing: breakdown });
    return withCors(request, response, cors);
  } catch (err) {
    recordRefusal(request, deps, err);
    return withCors(request, errorResponse(err), cors);
  }
}

/**
 * A delivery or tick the agent refused goes on its timeline as an `error` event (the doc is not
 * touched: bad input changes nothing but the record of it). User requests get their answer only,
 * and so do callers without the token: they may not write even into the timeline.
 */
function recordRefusal(request: Request, deps: AgentDeps, err: unknown): void {
  if (!(err instanceof AgentError) || err.code === 'unauthorized' || request.method !== 'POST') return;
  const route = new URL(request.url).pathname.split('/')[3];
  if (route !== 'inbox' && route !== 'tick') return;
  try {
    const config = readConfig(deps.variables);
    const persistence = new AgentPersistence(deps.store(), config.agentId, deps.random);
    const meta = persistence.meta();
    if (meta === null) return;
    const clock = new HybridClock(deps.now, config.agentId, meta.hlc ?? null);
    const recorder = new TimelineRecorder(config.agentId, clock, deps.now, `${config.agentId}-${persistence.uid(deps.now())}`);
    recorder.error({ code: err.code, message: err.message, route });
    persistence.recordTimeline(recorder.events, config.maxBufferSize, deps.now());
    // and to timeline.<id> with the next answer the gateway gets (a refusal carries no events)
    persistence.addPendingTimeline(recorder.events, config.maxBufferSize);
    persistence.saveMeta({ ...meta, hlc: clock.last() });
  } catch {
    // the refusal itself is what the caller must see; its record is best effort
  }
}

async function route(request: Request, config: AgentConfig, deps: AgentDeps, timing: ServerTiming): Promise<Response> {
  const path = new URL(request.url).pathname;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] !== 'agent' || parts.length < 3) {
    throw new AgentError('not-found', `no route for ${path}`, 'routes live under /agent/:id/');
  }
  // One wasm serves nine components: a request for another agent's id is a routing mistake.
  if (parts[1] !== String(config.agentId)) {
    throw new AgentError('wrong-agent', `this component serves agent ${config.agentId}, not ${parts[1]}`);
  }
  const rest = parts.slice(2).join('/');
  const route = AGENT_ROUTES.find((r) => (r.keyed ? parts.length === 4 && r.name === parts[2] : r.name === rest));
  if (route === undefined) throw new AgentError('not-found', `no route for ${path}`);
  const handler = route.methods[request.method as Method];
  if (handler === undefined) {
    const allowed = Object.keys(route.methods).join(', ');
    throw new AgentError('method-not-allowed', `${request.method} is not allowed on ${path}`, `allowed: ${allowed}`);
  }
  requireAccess(request, { write: config.authToken, read: config.readToken }, MUTATING.has(request.method));
  let session: AgentSession | null = null;
  try {
    return await handler({
      request,
      key: route.keyed ? dataKey(parts[3] ?? '') : '',
      session: () => (session ??= AgentSession.open(config, { kv: deps.store(), sql: deps.database() }, deps, timing, request.headers.get(TRACEPARENT))),
      persistence: () => new AgentPersistence(deps.store(), config.agentId, deps.random),
      config,
      now: deps.now,
      timing,
    });
  } finally {
    (session as AgentSession | null)?.close();
  }
}

function dataKey(segment: string): string {
  let key: string;
  try {
    key = decodeURIComponent(segment);
  } catch {
    throw new AgentError('bad-request', 'data key is not valid percent-encoding', segment);
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AgentError('bad-request', `data key must be 1..${MAX_KEY_LENGTH} characters`, `got ${key.length}`);
  }
  return key;
}
