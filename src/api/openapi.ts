// The app's HTTP contract as an OpenAPI 3.1 document, served at /api/openapi.json: every agent
// route (one component per agent, under /agent/{id}/), every api route and the dashboard, with
// request and response schemas and the one error shape. test/network/openapi.test.ts walks both
// routers against it and validates real answers with ajv, so it cannot drift from the code.
import { ENVELOPE_SCHEMA, EXTRACTION_COSTS, LIVENESS, MAX_TIMELINE_LIMIT, TIMELINE_EVENT_TYPES } from '../core/index.ts';
import { MAX_BODY_BYTES } from '../spin/http.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const int = { type: 'integer', minimum: 0 };
const num = { type: 'number' };
const str = { type: 'string' };
const bool = { type: 'boolean' };
const anyJson = { description: 'any JSON value' };
const nullable = (schema: object) => ({ oneOf: [schema, { type: 'null' }] });
const arrayOf = (items: object) => ({ type: 'array', items });
const mapOf = (values: object) => ({ type: 'object', additionalProperties: values });

/** An object whose listed fields are all required (optional ones go in `optional`). */
function obj(required: Record<string, object>, optional: Record<string, object> = {}) {
  return { type: 'object', required: Object.keys(required), properties: { ...required, ...optional } };
}

const json = (schema: object) => ({ 'application/json': { schema } });
const ok = (description: string, schema: object) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ref('Error')) });

/** The refusals every route may answer, by status. */
const REFUSALS = {
  400: error('malformed input: the error names what and where; nothing changed'),
  401: error('a bearer token is required (auth_token for writes, read_token or auth_token for reads, when set)'),
  404: error('no such route, key or agent'),
  405: error('the route does not take this method'),
  413: error(`body over ${MAX_BODY_BYTES} bytes, or more envelopes or a larger write than the agent can replicate`),
  415: error('wrong content type'),
  500: error('the app failed (a bad configuration, or a bug): the detail says what'),
  503: error("the agent's writer lease was lost mid-request: retry"),
};

const agentIdParam = { name: 'id', in: 'path', required: true, description: 'the agent (0 .. agent_count - 1)', schema: int };
const traceparentParam = {
  name: 'traceparent',
  in: 'header',
  required: false,
  description: "W3C trace context: the request's timeline events carry its trace_id, and a write's envelopes carry it on to every agent they reach (an invalid one is ignored)",
  schema: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
};
const bearer = [{ bearer: [] }, {}];

/** An agent route: the path parameter, the refusals, and an operation id. */
function agentOp(operationId: string, summary: string, responses: Record<string, object>, extra: Record<string, unknown> = {}) {
  return { operationId, summary, tags: ['agent'], ...extra, parameters: [agentIdParam, traceparentParam, ...((extra.parameters as object[]) ?? [])], responses: { ...responses, ...REFUSALS } };
}

function apiOp(operationId: string, summary: string, responses: Record<string, object>, extra: Record<string, unknown> = {}) {
  return { operationId, summary, tags: ['api'], ...extra, responses: { ...responses, 400: REFUSALS[400], 401: REFUSALS[401], 404: REFUSALS[404], 405: REFUSALS[405], 500: REFUSALS[500] } };
}

const query = (name: string, description: string, schema: object, required = false) => ({ name, in: 'query', required, description, schema });

/** What a user's write answers (localWriteDone): its fields, then what every write adds. */
const written = (fields: Record<string, object>) =>
  obj({ ...fields, outbox: { ...int, description: 'envelopes the write sent to the neighbours' }, sent: { enum: ['now', 'next-tick'], description: "handed to the gateway at once, or with the agent's next tick" }, timeline: arrayOf(ref('TimelineEvent')) });

/** What the gateway's routes answer: envelopes to publish and timeline events. */
const exchanged = (optional: Record<string, object> = {}) => obj({ agent_id: int, outbox: arrayOf(ref('Envelope')), timeline: arrayOf(ref('TimelineEvent')) }, optional);

// the envelope's schema as an embedded resource: its $id stays, the dialect is the document's
const { $schema: _dialect, ...EMBEDDED_ENVELOPE_SCHEMA } = ENVELOPE_SCHEMA;

const SCHEMAS = {
  Error: obj({ error: { ...str, description: 'what was wrong' }, detail: { ...str, description: 'where, or what was got' } }, { refused: { ...arrayOf(int), description: 'the indexes of the envelopes a batch was refused for' } }),
  Envelope: EMBEDDED_ENVELOPE_SCHEMA,
  TimelineEvent: obj(
    { id: str, timestamp: { ...str, format: 'date-time' }, hlc: str, agent: int, type: { enum: [...TIMELINE_EVENT_TYPES] }, detail: { type: 'object' } },
    { subject: str, peer: int, bytes: int, duration_ms: num, trace_id: { ...str, description: 'the W3C trace of the request that recorded it (its traceparent header)' } },
  ),
  AgentState: obj({
    agent_id: int, node_id: str, egraph_nodes: int, egraph_nodes_stale: { ...bool, description: 'e-graph records arrived since egraph_nodes was counted (the next tick counts them)' }, neighbors: arrayOf(int), messages_received: int, messages_sent: int, syncs_completed: int, uptime_seconds: num,
    region: str, topology: str, agent_count: int, created_at: { ...str, format: 'date-time' }, state_vector: mapOf(int), writers: int, state_digest: str,
    doc_bytes: int, doc_bytes_stale: bool, data_keys: arrayOf(str), stored_blobs: int, stored_bytes: int,
  }),
  AgentHealth: obj({ status: { const: 'ok' }, agent_id: int, node_id: str, uptime_seconds: num }),
  Messages: obj({
    agent_id: int,
    count: int,
    messages: arrayOf(obj({ dir: { enum: ['in', 'out'] }, at: num, envelope: { ...obj({ v: int, id: str, type: str, from: int, to: nullable(int), ts: num, hlc: str, payload: { type: 'object' } }), description: 'the envelope, its Yjs bytes counted (update_bytes, sv_bytes), not kept' } })),
  }),
  AgentTimeline: obj({ count: int, events: arrayOf(ref('TimelineEvent')) }),
  EGraph: obj(
    {
      agent_id: int, colour: str, color: { ...str, deprecated: true, description: 'colour, as the first release spelled it' },
      colouring: obj({ proper: bool, clashes: arrayOf(arrayOf(int)) }), nodes: int, classes: int, terms: int, unions: int, rules: arrayOf(str),
      provenance: obj({ rules: mapOf(int), colours: mapOf(int) }),
      roots: { ...obj({ posted: int, within_budget: int, budget_records: int }), description: 'the posted terms; the ticks rewrite for those whose e-graph holds fewer than budget_records records' },
    },
    { dump: { ...arrayOf(obj({ class: str, members: arrayOf(str), nodes: arrayOf(str) })), description: 'with ?full=1' } },
  ),
  TermClass: obj({ term: str, hash: str, class: str }),
  Best: obj({ agent_id: int, term: str, hash: str, class: str, best: str, cost: num, cost_model: { enum: Object.keys(EXTRACTION_COSTS) } }),
  Equal: obj({ agent_id: int, a: ref('TermClass'), b: ref('TermClass'), equal: bool }),
  AppHealth: obj({ status: { enum: ['ok', 'degraded', 'down'] }, app: str, agents: int, agents_up: int, timestamp: { ...str, format: 'date-time' } }),
  TimelinePage: obj({ count: int, events: arrayOf(ref('TimelineEvent')), next_cursor: nullable(str), has_more: bool }),
  NetworkMetrics: obj({
    timestamp: { ...str, format: 'date-time' },
    agents: obj({ total: int, alive: int, suspect: int, down: int }),
    performance: obj({
      window_seconds: num,
      delivery_latency_ms: obj({ p50: nullable(num), p95: nullable(num), max: nullable(num), mean: nullable(num), samples: int }),
      messages_per_second: num,
      syncs_per_second: num,
      convergence: obj({ converged: bool, distinct_states: int, since: nullable(str) }),
      per_agent: arrayOf(obj({
        agent: int, status: { enum: [...LIVENESS] }, node_id: nullable(str), last_seen: nullable(str), messages_received: int, messages_sent: int, syncs_completed: int, events_buffered: int, digest: nullable(str),
        delivery_latency: { ...obj({ counts: arrayOf(int), sum_ms: num }), description: 'receives by latency, one count per bound of DELIVERY_LATENCY_BOUNDS_MS (1 ms .. 30 s) and one above' },
      })),
    }),
  }),
  Topology: obj({
    topology: str, agent_count: int, region: str, sync_interval_ms: int, health_timeout_ms: int,
    colouring: obj({ proper: bool, clashes: arrayOf(arrayOf(int)) }),
    families: arrayOf(obj({ colour: str, fill: str, rules: arrayOf(str), folds_constants: bool })),
    agents: arrayOf(obj({ id: int, colour: str, neighbours: arrayOf(int) })),
    edges: arrayOf(arrayOf(int)),
    live: obj({ nats_ws_url: nullable(str), nats_credentials: nullable(obj({ user: str, pass: str })), timeline_subject: str, status_subject: str }),
  }),
};

const yjsUpdate = { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
const termParam = (name: string) => query(name, 'an s-expression, e.g. (* x 2)', { type: 'string', minLength: 1 }, true);

/** The whole document: built once, as it never changes while the app runs. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'crdt-agents-network',
    version: '1.0.0',
    description:
      'Nine (any N) CRDT agents on Spin: each holds a Yjs document and an e-graph and syncs with its topology neighbours over NATS. Every refusal is JSON { error, detail } and changes nothing. Envelopes: /api/schemas/envelope.json.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  tags: [
    { name: 'agent', description: 'one Spin component per agent, under /agent/{id}/' },
    { name: 'api', description: 'the read-only app api' },
    { name: 'gateway', description: "the gateway's own routes into an agent (inbox deliveries, ticks)" },
    { name: 'dashboard', description: 'the live timeline dashboard' },
  ],
  security: bearer,
  paths: {
    '/agent/{id}/state': { get: agentOp('getState', "the agent's replica: identity, counters, state vector and digest, data keys, sizes", { 200: ok('the state', ref('AgentState')) }) },
    '/agent/{id}/health': { get: agentOp('getAgentHealth', 'whether the agent answers', { 200: ok('up', ref('AgentHealth')) }) },
    '/agent/{id}/messages': { get: agentOp('getMessages', 'the last max_buffer_size envelopes in and out', { 200: ok('the history', ref('Messages')) }) },
    '/agent/{id}/timeline': { get: agentOp('getAgentTimeline', "the agent's own last max_buffer_size timeline events, oldest first", { 200: ok('the events', ref('AgentTimeline')) }) },
    '/agent/{id}/data/{key}': {
      parameters: [{ name: 'key', in: 'path', required: true, description: 'a key of the replicated data map (1..256 characters, percent-encoded)', schema: { type: 'string', minLength: 1, maxLength: 256 } }],
      get: agentOp('getData', 'a value of the replicated data map', { 200: ok('the value', obj({ key: str, value: anyJson })) }),
      put: agentOp('putData', 'sets a JSON value (I-JSON, at most 64 levels deep) that every agent then holds', { 200: ok('saved and sent', written({ key: str, value: anyJson })) }, {
        requestBody: { required: true, content: json(anyJson) },
      }),
      delete: agentOp('deleteData', 'deletes a key everywhere', { 200: ok('deleted and sent', written({ key: str, deleted: { const: true } })) }),
    },
    '/agent/{id}/doc': {
      get: agentOp('getDoc', "the agent's whole document as one Yjs update, or with ?sv= only what that state vector lacks", { 200: { description: 'a Yjs update (Y.applyUpdate)', content: yjsUpdate } }, {
        parameters: [query('sv', 'a Yjs state vector (Y.encodeStateVector), base64 or base64url', { type: 'string' })],
      }),
      post: agentOp('postDoc', 'merges a Yjs update into the document as one write', {
        200: ok('merged', written({ agent_id: int, bytes: int, changed: bool, relayed: { enum: ['now', 'anti-entropy', 'nothing new'] } })),
      }, { requestBody: { required: true, content: yjsUpdate } }),
    },
    '/agent/{id}/terms': {
      post: agentOp('postTerm', "adds a term's e-nodes to the e-graph; they spread and every colour rewrites them", { 200: ok('added', written({ hash: str, term: str, new_terms: int })) }, {
        requestBody: { required: true, content: json(obj({ term: { type: 'string', description: 'an s-expression, e.g. (* (+ x 0) 2)' } })) },
      }),
    },
    '/agent/{id}/egraph': {
      get: agentOp('getEGraph', "the agent's e-graph: sizes, colour, rules, what proved its equalities", { 200: ok('the e-graph', ref('EGraph')) }, {
        parameters: [query('full', '1 adds every class with its members and e-nodes', { enum: ['0', '1'] })],
      }),
    },
    '/agent/{id}/egraph/best': {
      get: agentOp('getBest', 'the cheapest term this agent has proved equal to ?term=', { 200: ok('the best form', ref('Best')) }, {
        parameters: [termParam('term'), query('cost', 'the cost model', { enum: Object.keys(EXTRACTION_COSTS) })],
      }),
    },
    '/agent/{id}/egraph/equal': {
      get: agentOp('getEqual', 'whether this agent has proved ?a= and ?b= equal', { 200: ok('the answer', ref('Equal')) }, { parameters: [termParam('a'), termParam('b')] }),
    },
    '/agent/{id}/inbox': {
      post: {
        ...agentOp('postInbox', 'envelopes for this agent, applied in one request (the gateway delivers them)', { 200: ok('applied', exchanged()) }, {
          requestBody: { required: true, content: json(arrayOf(ref('Envelope'))) },
        }),
        tags: ['gateway'],
      },
    },
    '/agent/{id}/tick': {
      post: {
        ...agentOp('postTick', 'heartbeat, anti-entropy and a step of saturation (the gateway asks every sync interval)', {
          200: ok('ticked', exchanged({ saturation: obj({ colour: str, stop: str, iterations: int, rewrites: int, new_terms: int, new_unions: int }) })),
        }),
        tags: ['gateway'],
      },
    },
    '/health': { get: { ...apiOp('getHealth', 'whether the app serves and how many agents are up (open: no token)', { 200: ok('always 200 while the app serves', ref('AppHealth')) }), security: [{}] } },
    '/api/timeline': {
      get: apiOp('getTimeline', "every agent's timeline events in HLC order, a page at a time", {
        200: { description: 'a page (x-next-cursor: read on from there)', content: { ...json(ref('TimelinePage')), 'application/x-ndjson': { schema: str } } },
      }, {
        parameters: [
          query('since', 'a cursor (next_cursor) or 0: the oldest events after it; absent: the newest', str),
          query('agent', 'agent ids, comma-separated', str),
          query('type', `event types, comma-separated: ${TIMELINE_EVENT_TYPES.join(', ')}`, str),
          query('limit', `1..${MAX_TIMELINE_LIMIT}`, { type: 'string', pattern: '^\\d+$' }),
        ],
      }),
    },
    '/api/metrics': { get: apiOp('getMetrics', "the network's liveness, throughput, delivery latency and convergence", { 200: ok('the metrics', ref('NetworkMetrics')) }) },
    '/metrics': { get: apiOp('getPrometheusMetrics', 'the same, as Prometheus text', { 200: { description: 'Prometheus text exposition 0.0.4', content: { 'text/plain': { schema: str } } } }) },
    '/api/topology': { get: apiOp('getTopology', 'the agents, their neighbours and colours, and how to follow the network live', { 200: ok('the topology', ref('Topology')) }) },
    '/api/openapi.json': { get: { ...apiOp('getOpenApi', 'this document', { 200: ok('OpenAPI 3.1', { type: 'object' }) }), security: [{}] } },
    '/api/schemas/envelope.json': { get: { ...apiOp('getEnvelopeSchema', "the envelope's JSON Schema", { 200: { description: 'JSON Schema 2020-12', content: { 'application/schema+json': { schema: { type: 'object' } } } } }), security: [{}] } },
    '/dashboard': { get: { operationId: 'getDashboard', summary: 'the live timeline dashboard (its own component)', tags: ['dashboard'], security: [{}], responses: { 200: { description: 'the page', content: { 'text/html': { schema: str } } }, 405: REFUSALS[405] } } },
    '/dashboard/{file}': {
      get: {
        operationId: 'getDashboardFile', summary: "the dashboard's bundled files", tags: ['dashboard'], security: [{}],
        parameters: [{ name: 'file', in: 'path', required: true, schema: str }],
        responses: { 200: { description: 'the file (ETag; If-None-Match answers 304)', content: { '*/*': { schema: str } } }, 304: { description: 'not modified' }, 404: REFUSALS[404], 405: REFUSALS[405] },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the app variable auth_token (writes and reads) or read_token (reads)' } },
    schemas: SCHEMAS,
  },
} as const;
