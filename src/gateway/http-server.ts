// The gateway's own HTTP port (HEALTH_PORT). Probes for Kubernetes (k8s/gateway.yaml): /livez
// answers while the process runs, from before the first NATS connection (waiting for the broker
// is not a reason to be restarted); /readyz answers 200 only once the gateway runs and while its
// delivery is connected. And `POST /publish/<agent>`: an agent's user write leaves at once — the
// agent (Spin has no NATS, so over outbound HTTP) hands its outbox and timeline events to the
// gateway, which publishes them, instead of leaving them for its next tick. JSON throughout.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { AgentError, parseEnvelopes } from '../core/wire.ts';
import { bearerMatches } from './bearer.ts';
import type { Gateway } from './gateway.ts';
import { isTimelineRecord } from './routable.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { TRACEPARENT } from '../shared/trace-context.ts';
import { YJS_PATH, YjsRooms } from './yjs-rooms.ts';

export const LIVENESS_PATH = '/livez';
export const READINESS_PATH = '/readyz';
export const PUBLISH_PATH = '/publish';
/** A publish carries one write's envelopes (each at most one NATS message) and its events. */
export const MAX_PUBLISH_BYTES = 4 * 1024 * 1024;

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** what a publisher must send as `Authorization: Bearer …` (the app's auth_token); none → open */
  authToken?: string | undefined;
  host?: string;
  /** for the Yjs rooms' lines (default: JSON lines at info) */
  logger?: Logger;
}

type Running = Pick<Gateway, 'stats' | 'publishFromAgent' | 'config' | 'delivery' | 'metrics'>;

export const METRICS_PATH = '/metrics';

/** `gateway`: the running gateway, or null while it is still starting */
export function startHttpServer(gateway: () => Running | null, port: number, options: HttpServerOptions = {}): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (path.startsWith(`${PUBLISH_PATH}/`)) {
      if (req.method !== 'POST') return reply(405, { error: 'method-not-allowed', detail: 'POST only' });
      return void publish(req, path.slice(PUBLISH_PATH.length + 1), gateway(), options.authToken).then(
        ({ status, body }) => reply(status, body),
        (err: unknown) => reply(500, { error: 'internal error', detail: err instanceof Error ? err.message : String(err) }),
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method-not-allowed', detail: 'GET only' });
    if (path === LIVENESS_PATH) return reply(200, { status: 'ok' });
    if (path === METRICS_PATH) {
      const running = gateway();
      if (running === null) return reply(503, { status: 'starting' });
      return void running.metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': running.metrics.contentType }).end(text),
        (err: unknown) => reply(500, { error: 'internal error', detail: err instanceof Error ? err.message : String(err) }),
      );
    }
    if (path === READINESS_PATH) {
      const running = gateway();
      if (running === null) return reply(503, { status: 'starting' });
      const { kind, delivery, uptime_ms } = running.stats();
      return reply(delivery.connected ? 200 : 503, { status: delivery.connected ? 'ok' : 'disconnected', delivery: kind, uptime_ms });
    }
    return reply(404, { error: 'not-found', detail: `the gateway serves ${LIVENESS_PATH}, ${READINESS_PATH}, ${METRICS_PATH}, POST ${PUBLISH_PATH}/<agent> and WebSocket ${YJS_PATH}/agent-<id>` });
  });
  // standard Yjs clients (y-websocket's protocol), one room per agent
  const rooms = new YjsRooms(gateway, options.logger ?? createLogger('info', { component: 'gateway' }));
  server.on('upgrade', (req, socket, head) => rooms.upgrade(req, socket, head));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '0.0.0.0', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: async () => {
          await rooms.close();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

type Answer = { status: number; body: Record<string, unknown> };

/** Checks the caller and the body before anything is published; a bad request publishes nothing. */
async function publish(req: IncomingMessage, agentText: string, gateway: Running | null, authToken: string | undefined): Promise<Answer> {
  if (authToken !== undefined && authToken !== '' && !bearerMatches(req.headers.authorization, authToken)) {
    req.resume();
    return { status: 401, body: { error: 'unauthorized', detail: 'Authorization: Bearer <auth_token> required' } };
  }
  const agent = Number(agentText);
  if (!/^\d+$/.test(agentText) || !Number.isSafeInteger(agent)) {
    req.resume();
    return { status: 404, body: { error: 'not-found', detail: `no agent ${JSON.stringify(agentText)}` } };
  }
  if (gateway === null) {
    req.resume();
    return { status: 503, body: { error: 'starting', detail: 'the gateway is not connected yet' } };
  }
  const body = await readBody(req);
  if (body === 'too-large') return { status: 413, body: { error: 'too-large', detail: `publish bodies are limited to ${MAX_PUBLISH_BYTES} bytes` } };
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AgentError('bad-request', 'body must be { outbox, timeline }');
    const { outbox, timeline } = parsed as Record<string, unknown>;
    const envelopes = parseEnvelopes(outbox ?? [], Number.MAX_SAFE_INTEGER);
    const forged = envelopes.find((e) => e.from !== agent);
    if (forged !== undefined) throw new AgentError('bad-envelope', `envelope ${forged.id} is from agent ${forged.from}, not agent ${agent}`);
    if (timeline !== undefined && !Array.isArray(timeline)) throw new AgentError('bad-request', 'timeline must be an array of events');
    const events = (timeline ?? []).filter(isTimelineRecord).filter((e) => e.agent === agent);
    const trace = req.headers[TRACEPARENT]; // the write's trace, as the agent forwarded it (an invalid one starts a new trace)
    gateway.publishFromAgent(agent, envelopes, events, typeof trace === 'string' ? trace : null);
    return { status: 202, body: { published: envelopes.length, events: events.length } };
  } catch (err) {
    if (err instanceof SyntaxError) return { status: 400, body: { error: 'bad-request', detail: 'body is not valid JSON' } };
    if (err instanceof AgentError) return { status: err.code === 'too-large' ? 413 : 400, body: { error: err.message, detail: err.detail ?? err.code } };
    throw err;
  }
}

function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_PUBLISH_BYTES) {
        req.destroy();
        resolve('too-large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
