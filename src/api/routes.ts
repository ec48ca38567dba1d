// The app-level API: route → read the agents' records from the store → answer. Read-only: no
// route here changes anything; with a read_token set, every route but /health needs a token.
import {
  AgentError,
  allNeighbours,
  ENVELOPE_SCHEMA,
  colourTopology,
  NETWORK_STATUS_SUBJECT,
  parseTimelineQuery,
  RULE_FAMILIES,
  selectTimeline,
  TIMELINE_SUBJECTS,
} from '../core/index.ts';
import { createLogger } from '../shared/log.ts';
import { corsPolicyFor, preflight, withCors, type CorsPolicy } from '../spin/cors.ts';
import { errorResponse, json, requireAccess } from '../spin/http.ts';
import type { ByteStore } from '../spin/key-value.ts';
import type { VariableSource } from '../spin/variables.ts';
import { readApiConfig, type ApiConfig } from './config.ts';
import { networkMetrics } from './metrics.ts';
import { OPENAPI_DOCUMENT } from './openapi.ts';
import { networkTimeline, readAgents } from './network.ts';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus.ts';

export const APP_NAME = 'crdt-agents-network';
export const NDJSON = 'application/x-ndjson';

export interface ApiDeps {
  variables: VariableSource;
  store: () => ByteStore;
  now: () => number;
}

type Handler = (request: Request, config: ApiConfig, deps: ApiDeps) => Response;

/** Every route, by path (GET only). */
export const API_ROUTES: Readonly<Record<string, Handler>> = {
  '/health': health,
  '/api/timeline': timeline,
  '/api/metrics': (_r, config, deps) => json(200, metricsOf(config, deps)),
  '/metrics': (_r, config, deps) => new Response(prometheusText(metricsOf(config, deps)), { status: 200, headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } }),
  '/api/topology': (_r, config) => json(200, topologyOf(config)),
  '/api/openapi.json': () => json(200, OPENAPI_DOCUMENT),
  '/api/schemas/envelope.json': () => json(200, ENVELOPE_SCHEMA, { 'content-type': 'application/schema+json' }),
};

/** The contract and schemas stay open, as /health does: they describe the app and hold no data. */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/health', '/api/openapi.json', '/api/schemas/envelope.json']);

export function handle(request: Request, deps: ApiDeps): Response {
  let cors: CorsPolicy = null;
  try {
    cors = corsPolicyFor(request, deps.variables);
    const early = preflight(request, cors, ['GET']);
    if (early !== null) return early;
    const config = readApiConfig(deps.variables);
    const log = createLogger(config.logLevel, { component: 'api' });
    const started = deps.now();
    const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
    const handler = API_ROUTES[path];
    if (handler === undefined) throw new AgentError('not-found', `no route for ${path}`, `routes: ${Object.keys(API_ROUTES).join(', ')}`);
    if (request.method !== 'GET') {
      throw new AgentError('method-not-allowed', `${request.method} is not allowed on ${path}`, 'allowed: GET');
    }
    // /health stays open: probes and load balancers ask it, and it holds no data
    if (!OPEN_ROUTES.has(path)) requireAccess(request, config.tokens, false);
    const response = handler(request, config, deps);
    log('debug', 'request', { method: request.method, url: request.url, status: response.status, ms: deps.now() - started });
    return withCors(request, response, cors);
  } catch (err) {
    return withCors(request, errorResponse(err), cors);
  }
}

function health(_r: Request, config: ApiConfig, deps: ApiDeps): Response {
  const now = deps.now();
  const agents = readAgents(deps.store(), config, now, new Set());
  const up = agents.filter((a) => a.status === 'alive').length;
  // The app answers either way (200); `status` says how much of the network is live.
  const status = up === agents.length ? 'ok' : up === 0 ? 'down' : 'degraded';
  return json(200, { status, app: APP_NAME, agents: agents.length, agents_up: up, timestamp: new Date(now).toISOString() } satisfies AppHealthAnswer);
}

/** What GET /health answers. */
export interface AppHealthAnswer {
  status: 'ok' | 'degraded' | 'down';
  app: string;
  agents: number;
  agents_up: number;
  timestamp: string;
}

function timeline(request: Request, config: ApiConfig, deps: ApiDeps): Response {
  const query = parseTimelineQuery(new URL(request.url).searchParams, config.agentCount);
  const agents = readAgents(deps.store(), config, deps.now(), query.agents);
  const page = selectTimeline(networkTimeline(agents), query);
  const cursor: Record<string, string> = page.next_cursor === null ? {} : { 'x-next-cursor': page.next_cursor };
  if ((request.headers.get('accept') ?? '').includes(NDJSON)) {
    const body = page.events.map((e) => `${JSON.stringify(e)}\n`).join('');
    return new Response(body, { status: 200, headers: { 'content-type': NDJSON, 'x-has-more': String(page.has_more), ...cursor } });
  }
  return json(200, { count: page.events.length, ...page }, cursor);
}

function metricsOf(config: ApiConfig, deps: ApiDeps) {
  const now = deps.now();
  return networkMetrics(readAgents(deps.store(), config, now), now);
}

/** What GET /api/topology answers. */
export type TopologyAnswer = ReturnType<typeof topologyOf>;

function topologyOf(config: ApiConfig) {
  const adjacency = allNeighbours(config.topology, config.agentCount);
  const colouring = colourTopology(config.topology, config.agentCount);
  const edges: [number, number][] = [];
  adjacency.forEach((ns, a) => ns.forEach((b) => b > a && edges.push([a, b])));
  return {
    topology: config.topology,
    agent_count: config.agentCount,
    region: config.region,
    sync_interval_ms: config.syncIntervalMs,
    health_timeout_ms: config.healthTimeoutMs,
    colouring: { proper: colouring.proper, clashes: colouring.clashes },
    // one colour per rule family: what each does, and how the dashboard draws its agents
    families: RULE_FAMILIES.map((f) => ({ colour: f.colour, fill: f.fill, rules: f.rules.map((r) => r.name), folds_constants: f.foldsConstants })),
    agents: adjacency.map((neighbours, id) => ({ id, colour: colouring.colours[id]!, neighbours })), // one colour per agent
    edges,
    // how the dashboard gets live events: NATS over WebSocket when set, else polling /api/timeline
    // the broker lets no anonymous client listen: this answer (guarded by the read_token when there is one) holds the login
    live: {
      nats_ws_url: config.natsWsUrl,
      nats_credentials: config.natsWsPassword === null ? null : { user: 'dashboard', pass: config.natsWsPassword },
      timeline_subject: TIMELINE_SUBJECTS,
      status_subject: NETWORK_STATUS_SUBJECT,
    },
  };
}
