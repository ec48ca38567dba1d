// The agent's HTTP API: route -> core -> save. Every answer is JSON; every failure is an
// AgentError mapped once to `{ error, detail }` with its status (http.ts).
import {
  AgentError,
  DATA,
  checkStorableValue,
  addTerm,
  colourOfRule,
  dataMap,
  got,
  loadEGraph,
  readEGraphSets,
  foldsConstants,
  MAX_EGRAPH_RECORDS,
  parseUserTerm,
  rulesFor,
  saturateDoc,
  termsMap,
  unionsMap,
  onEnvelopes,
  onNotices,
  carriesState,
  onLocalWrite,
  onTick,
  parseEnvelopes,
  parseExtractionCost,
  EXTRACTION_COSTS,
  HybridClock,
  neighbours,
  summaryHolds,
  uptimeSeconds,
  type AgentMeta,
  type AgentSummary,
  TimelineRecorder,
  type Envelope,
  type SyncCompletion,
} from '../core/index.ts';
import { printTerm } from '../egraph/index.ts';
import { readConfig, type AgentConfig, type VariableSource } from './config.ts';
import { corsPolicyFor, preflight, withCors, type CorsPolicy } from '../spin/cors.ts';
import { errorResponse, json, readJsonBody, requireAccess } from '../spin/http.ts';
import { createLogger } from '../core/log.ts';
import { AgentPersistence } from './persistence.ts';
import { publishNow } from './publish.ts';
import { EnvelopeSigner } from './signing.ts';
import { ServerTiming } from './server-timing.ts';
import { AgentSession, type World } from './session.ts';
import type { ByteStore } from '../spin/key-value.ts';
import type { SqlDatabase } from '../spin/sqlite.ts';

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
type Handler = (
  request: Request,
  session: () => AgentSession,
  param: string,
  /** the agent's store and settings without loading its doc (for routes that read no doc) */
  bare: Bare,
) => Promise<Response> | Response;

interface Bare {
  persistence: () => AgentPersistence;
  config: AgentConfig;
  now: () => number;
  timing: ServerTiming;
}

interface Route {
  /** path after /agent/:id (the first segment only, for a keyed route) */
  name: string;
  /** whether a `:key` segment follows the name */
  keyed: boolean;
  methods: Partial<Record<Method, Handler>>;
}

const ROUTES: Route[] = [
  { name: 'state', keyed: false, methods: { GET: getState } },
  { name: 'health', keyed: false, methods: { GET: getHealth } },
  { name: 'messages', keyed: false, methods: { GET: getMessages } },
  { name: 'timeline', keyed: false, methods: { GET: (_r, _s, _k, bare) => json(200, timelineOf(bare.persistence(), bare.config.maxBufferSize)) } },
  { name: 'inbox', keyed: false, methods: { POST: inbox } },
  { name: 'tick', keyed: false, methods: { POST: (_r, s) => tick(s()) } },
  { name: 'data', keyed: true, methods: { GET: getData, PUT: putData, DELETE: deleteData } },
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
  const route = ROUTES.find((r) => (r.keyed ? parts.length === 4 && r.name === parts[2] : r.name === rest));
  if (route === undefined) throw new AgentError('not-found', `no route for ${path}`);
  const handler = route.methods[request.method as Method];
  if (handler === undefined) {
    const allowed = Object.keys(route.methods).join(', ');
    throw new AgentError('method-not-allowed', `${request.method} is not allowed on ${path}`, `allowed: ${allowed}`);
  }
  requireAccess(request, { write: config.authToken, read: config.readToken }, MUTATING.has(request.method));
  let session: AgentSession | null = null;
  const open = (): AgentSession => (session ??= AgentSession.open(config, { kv: deps.store(), sql: deps.database() }, deps, timing));
  const persistence = (): AgentPersistence => new AgentPersistence(deps.store(), config.agentId, deps.random);
  try {
    return await handler(request, open, route.keyed ? dataKey(parts[3] ?? '') : '', { persistence, config, now: deps.now, timing });
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

/**
 * GET /state without opening the doc: meta and the summary the last change left (AgentSummary),
 * while it still describes the stored blobs; otherwise from the doc, leaving a fresh summary.
 */
function getState(_r: Request, open: () => AgentSession, _k: string, bare: Bare): Response {
  const p = bare.persistence();
  const meta = p.meta();
  const summary = meta === null ? null : p.summary();
  const { snapshotKeys, logKeys } = p.blobKeys();
  if (meta !== null && summary !== null && summaryHolds(summary, [...snapshotKeys, ...logKeys])) {
    return json(200, stateOf(bare.config, meta, summary, bare.now()));
  }
  const s = open();
  return json(200, stateOf(s.config, s.meta, s.refreshSummary(), s.now()));
}

function stateOf(config: AgentConfig, meta: AgentMeta, summary: AgentSummary, now: number) {
  const c = meta.counters;
  return {
    agent_id: config.agentId,
    node_id: meta.node_id,
    egraph_nodes: summary.egraph.nodes,
    neighbors: neighbours(config.topology, config.agentCount, config.agentId),
    messages_received: c.messages_received,
    messages_sent: c.messages_sent,
    syncs_completed: c.syncs_completed,
    uptime_seconds: uptimeSeconds(meta, now),
    region: config.region,
    topology: config.topology,
    agent_count: config.agentCount,
    created_at: new Date(c.created_at).toISOString(),
    state_vector: summary.state_vector,
    writers: Object.keys(summary.state_vector).length,
    state_digest: summary.state_digest,
    doc_bytes: summary.doc_bytes,
    doc_bytes_stale: summary.doc_bytes_stale,
    data_keys: summary.data_keys,
    stored_blobs: summary.blobs.length,
    stored_bytes: summary.stored_bytes,
  };
}

/** GET /health reads the agent's identity only (the first request of a new agent creates it). */
function getHealth(_r: Request, open: () => AgentSession, _k: string, bare: Bare): Response {
  const meta = bare.persistence().meta() ?? open().meta;
  return json(200, { status: 'ok', agent_id: bare.config.agentId, node_id: meta.node_id, uptime_seconds: uptimeSeconds(meta, bare.now()) });
}

function getMessages(_r: Request, _open: () => AgentSession, _k: string, bare: Bare): Response {
  const messages = bare.persistence().messages();
  return json(200, { agent_id: bare.config.agentId, count: messages.length, messages });
}

function timelineOf(p: AgentPersistence, max: number) {
  const events = p.timeline(max);
  return { count: events.length, events };
}

function getData(_r: Request, open: () => AgentSession, key: string): Response {
  const s = open();
  const data = dataMap(s.doc);
  if (!data.has(key)) throw new AgentError('not-found', `no data under key ${JSON.stringify(key)}`);
  return json(200, { key, value: data.get(key) });
}

async function putData(request: Request, open: () => AgentSession, key: string): Promise<Response> {
  const value = await readJsonBody(request);
  checkStorableValue(value);
  const s = open();
  const { outbox, update } = onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(key, value));
  s.timeline.writeApplied(update?.length ?? 0, { op: 'put', key });
  return localWriteDone(s, outbox, { key, value });
}

function deleteData(_r: Request, open: () => AgentSession, key: string): Promise<Response> {
  const s = open();
  if (!s.doc.getMap(DATA).has(key)) throw new AgentError('not-found', `no data under key ${JSON.stringify(key)}`);
  const { outbox, update } = onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).delete(key));
  s.timeline.writeApplied(update?.length ?? 0, { op: 'delete', key });
  return localWriteDone(s, outbox, { key, deleted: true });
}

// A user's write is answered to the user, not to the gateway. Once it is saved, its outbox goes to
// the gateway at once (publish.ts); if that fails it waits in KV and leaves with this agent's next
// inbox or tick response. `sent` says which.
async function localWriteDone(s: AgentSession, unsigned: Envelope[], body: Record<string, unknown>): Promise<Response> {
  const events = s.timing.measure('save', () => s.commit([], [], []));
  const outbox = await signed(s.config, unsigned);
  const published = await s.timing.measureAsync('publish', () => publishNow(s.config, outbox, events));
  if (!published) {
    s.persistence.addPendingOutbox(outbox, s.config.maxBufferSize);
    s.persistence.addPendingTimeline(events, s.config.maxBufferSize);
  }
  return json(200, { ...body, outbox: outbox.length, sent: published ? 'now' : 'next-tick', timeline: events });
}

async function inbox(request: Request, open: () => AgentSession): Promise<Response> {
  const body = await readJsonBody(request);
  const s = open();
  const envelopes = parseEnvelopes(body, s.config.maxBufferSize);
  await (await EnvelopeSigner.open(s.config.envelopeKey))?.verify(envelopes);
  s.received(envelopes);
  // A batch of acks and heartbeats (half of all deliveries) is counted without loading the doc.
  const result = carriesState(envelopes) ? onEnvelopes(s.syncContext(), s.doc, envelopes) : onNotices(s.syncContext(), envelopes);
  return sent(s, envelopes, result.outbox, result.syncs);
}

// A tick: heartbeat and anti-entropy, then this agent's colour of rewrites. Saturation is skipped
// while the e-graph is exactly as the last saturated run left it (grow-only sets: equal sizes
// mean equal content), so a quiet network stays cheap.
function tick(s: AgentSession): Promise<Response> {
  const ctx = s.syncContext();
  s.settle();
  const result = onTick(ctx, s.doc, s.digest());
  const sizes = egraphSizes(s);
  const last = s.meta.saturated;
  if (sizes.terms === 0 || (last && last.terms === sizes.terms && last.unions === sizes.unions)) {
    return sent(s, [], result.outbox, result.syncs);
  }
  const colour = s.colour();
  if (sizes.terms + sizes.unions >= MAX_EGRAPH_RECORDS) {
    s.meta = { ...s.meta, saturated: sizes };
    s.persistence.saveMeta(s.meta);
    const saturation = { colour, stop: 'node-limit', iterations: 0, rewrites: 0, new_terms: 0, new_unions: 0 };
    return sent(s, [], result.outbox, result.syncs, { saturation });
  }
  const started = s.now();
  const run = saturateDoc(ctx, s.doc, s.kernel(), rulesFor(colour), { foldConstants: foldsConstants(colour) });
  const durationMs = s.now() - started;
  // At a fixpoint or at the node cap there is nothing to do until the sets grow again.
  const done = run.result.stop === 'saturated' || run.result.stop === 'node-limit';
  s.meta = { ...s.meta, saturated: done ? egraphSizes(s) : null };
  s.persistence.saveMeta(s.meta);
  const saturation = {
    colour,
    stop: run.result.stop,
    iterations: run.result.iterations,
    rewrites: run.result.rewrites,
    new_terms: run.newTerms,
    new_unions: run.newUnions,
  };
  s.timeline.rewriteApplied(durationMs, { ...saturation, rules: ruleCounts(run.result.newUnions) });
  if (run.classes.after < run.classes.before) {
    s.timeline.classesMerged({ classes_before: run.classes.before, classes_after: run.classes.after, unions: run.newUnions });
  }
  return sent(s, [], [...result.outbox, ...run.outbox], result.syncs, { saturation });
}

function ruleCounts(unions: readonly { rule: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const u of unions) counts[u.rule] = (counts[u.rule] ?? 0) + 1;
  return counts;
}

/**
 * The answer to the gateway: the envelopes to publish (with any a user's write left waiting) and
 * the timeline events to publish on `timeline.<id>` (likewise).
 */
async function sent(s: AgentSession, inbox: Envelope[], outbox: Envelope[], syncs: readonly SyncCompletion[], extra: Record<string, unknown> = {}): Promise<Response> {
  const all = [...s.persistence.takePendingOutbox(), ...outbox];
  const waiting = s.persistence.takePendingTimeline();
  const events = s.timing.measure('save', () => s.commit(inbox, all, syncs));
  return json(200, { agent_id: s.config.agentId, outbox: await signed(s.config, all), timeline: [...waiting, ...events], ...extra });
}

/** The envelopes as they leave: signed when the app has an envelope_key (signing.ts). */
async function signed(config: AgentConfig, envelopes: Envelope[]): Promise<Envelope[]> {
  const signer = envelopes.length === 0 ? null : await EnvelopeSigner.open(config.envelopeKey);
  return signer === null ? envelopes : signer.sign(envelopes);
}

function egraphSizes(s: AgentSession): { terms: number; unions: number } {
  return { terms: termsMap(s.doc).size, unions: unionsMap(s.doc).size };
}


/** `{ "term": "(* (+ x 0) 2)" }` → the term's hash; its e-nodes join the doc and spread. */
async function postTerm(request: Request, open: () => AgentSession): Promise<Response> {
  const body = await readJsonBody(request);
  const text = (body as { term?: unknown } | null)?.term;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof text !== 'string') {
    throw new AgentError('bad-request', 'body must be { "term": "<s-expression>" }', got(body));
  }
  const s = open();
  const added = addTerm(s.syncContext(), s.doc, s.kernel(), text);
  s.timeline.writeApplied(added.bytes, { op: 'term', term: text, hash: added.hash, new_terms: added.newTerms });
  return localWriteDone(s, added.outbox, { hash: added.hash, term: text, new_terms: added.newTerms });
}

function getEGraph(request: Request, open: () => AgentSession): Response {
  const full = new URL(request.url).searchParams.get('full');
  if (full !== null && full !== '0' && full !== '1') throw new AgentError('bad-request', 'full must be 0 or 1', got(full));
  const s = open();
  const colour = s.colour();
  const { proper, clashes } = s.colouring();
  const egraph = loadEGraph(s.doc, s.kernel());
  return json(200, {
    agent_id: s.config.agentId,
    color: colour,
    // an improper colouring still saturates, but neighbours of one colour duplicate each other's work
    colouring: { proper, clashes: clashes.filter((pair) => pair.includes(s.config.agentId)) },
    ...egraph.summary(),
    rules: rulesFor(colour).map((r) => r.name),
    provenance: provenanceOf(s),
    ...(full === '1' ? { dump: egraph.dump() } : {}),
  });
}

/** How many known equalities each rule, and each colour's family, proved. */
function provenanceOf(s: AgentSession): { rules: Record<string, number>; colours: Record<string, number> } {
  const rules: Record<string, number> = {};
  const colours: Record<string, number> = {};
  for (const u of readEGraphSets(s.doc).unions) {
    rules[u.rule] = (rules[u.rule] ?? 0) + 1;
    const colour = colourOfRule(u.rule) ?? 'other';
    colours[colour] = (colours[colour] ?? 0) + 1;
  }
  return { rules, colours };
}

/** The cheapest term equal to `?term=` that this agent knows of (the term itself is not stored). */
function getBest(request: Request, open: () => AgentSession): Response {
  const query = new URL(request.url).searchParams;
  const text = query.get('term');
  if (text === null || text === '') throw new AgentError('bad-request', 'query parameter term is required', 'e.g. ?term=(* x 2)');
  const term = parseUserTerm(text);
  const cost = parseExtractionCost(query.get('cost'));
  const s = open();
  const egraph = loadEGraph(s.doc, s.kernel());
  const { hash } = egraph.addTerm(term);
  const best = egraph.best(hash, EXTRACTION_COSTS[cost]);
  return json(200, { agent_id: s.config.agentId, term: printTerm(term), hash, class: egraph.classOf(hash), best: best.term, cost: best.cost, cost_model: cost });
}

/** Whether `?a=` and `?b=` are proved equal here: in one class of this agent's e-graph (egg's `equivs`). */
function getEqual(request: Request, open: () => AgentSession): Response {
  const query = new URL(request.url).searchParams;
  const [a, b] = [query.get('a'), query.get('b')];
  if (a === null || a === '' || b === null || b === '') {
    throw new AgentError('bad-request', 'query parameters a and b are required', 'e.g. ?a=(* x 2)&b=(<< x 1)');
  }
  const [termA, termB] = [parseUserTerm(a), parseUserTerm(b)];
  const s = open();
  const egraph = loadEGraph(s.doc, s.kernel());
  const [hashA, hashB] = [egraph.addTerm(termA).hash, egraph.addTerm(termB).hash];
  const [classA, classB] = [egraph.classOf(hashA), egraph.classOf(hashB)];
  return json(200, {
    agent_id: s.config.agentId,
    a: { term: printTerm(termA), hash: hashA, class: classA },
    b: { term: printTerm(termB), hash: hashB, class: classB },
    equal: classA === classB,
  });
}
