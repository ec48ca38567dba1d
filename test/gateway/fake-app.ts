// TEST-ONLY stand-in for the Spin app: a node:http server with the agents' inbox/tick routes over
// real Yjs docs, so gateway suites run in milliseconds without building wasm. Its protocol is a
// minimal Yjs anti-entropy, not the real agent's: tick → Heartbeat + SyncRequest{sv} per grid
// neighbour + StateUpdates for local writes; SyncRequest → SyncResponse{update missing from sv};
// StateUpdate/SyncResponse → apply, relay what was new to the other neighbours.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Y from 'yjs';
import type { EnvelopeType } from '../../src/core/envelope.ts';

export interface WireEnvelope {
  v: 1;
  id: string;
  type: EnvelopeType;
  from: number;
  to: number | null;
  ts: number;
  hlc: string;
  payload: Record<string, unknown>;
}

export interface Post {
  route: 'inbox' | 'tick';
  agent: number;
  /** envelope ids of an inbox POST */
  ids: string[];
  /** the W3C traceparent header it came with */
  traceparent?: string | undefined;
}

export interface FakeAppOptions {
  agents?: number;
  /** when set, POSTs need `Authorization: Bearer <token>` */
  token?: string;
  /** added latency per inbox POST, so coalescing has time to happen */
  inboxDelayMs?: number;
  /** a refused batch's 400 does not name the refused envelopes (as agents before `refused` did) */
  unnamedRefusals?: boolean;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: unknown): Uint8Array => new Uint8Array(Buffer.from(String(text), 'base64'));

/** Right/left/up/down neighbours on a ceil(√n)-wide grid. */
export function gridNeighbours(agent: number, count: number): number[] {
  const cols = Math.ceil(Math.sqrt(count));
  const [row, col] = [Math.floor(agent / cols), agent % cols];
  const out: number[] = [];
  if (col > 0) out.push(agent - 1);
  if (col < cols - 1 && agent + 1 < count) out.push(agent + 1);
  if (row > 0) out.push(agent - cols);
  if (agent + cols < count) out.push(agent + cols);
  return out;
}

class FakeAgent {
  readonly doc = new Y.Doc();
  readonly pending: Uint8Array[] = [];
  heartbeating = true;
  private seq = 0;

  constructor(
    readonly id: number,
    readonly neighbours: number[],
    private readonly startedAt = Date.now(),
  ) {
    this.doc.clientID = 1_000 + id; // distinct per agent; the fake serves one request at a time
    this.doc.on('update', (update: Uint8Array, origin: unknown) => origin === 'local' && this.pending.push(update));
  }

  digest(): string {
    return createHash('sha256').update(Y.encodeStateVector(this.doc)).digest('hex').slice(0, 16);
  }

  envelope(type: EnvelopeType, to: number | null, payload: Record<string, unknown>): WireEnvelope {
    return { v: 1, id: `a${this.id}-${++this.seq}`, type, from: this.id, to, ts: Date.now(), hlc: '0000000000001-00000-00001', payload };
  }

  tick(): WireEnvelope[] {
    const out: WireEnvelope[] = [];
    if (this.heartbeating) out.push(this.envelope('Heartbeat', null, { digest: this.digest(), uptime_s: Math.floor((Date.now() - this.startedAt) / 1000) }));
    const sv = b64(Y.encodeStateVector(this.doc));
    // payload shapes follow src/core/envelope.ts (`ds` is unused here: this fake never deletes)
    for (const n of this.neighbours) out.push(this.envelope('SyncRequest', n, { sv, ds: '0' }));
    const updates = this.pending.splice(0);
    if (updates.length > 0) {
      const update = b64(Y.mergeUpdates(updates));
      for (const n of this.neighbours) out.push(this.envelope('StateUpdate', n, { update }));
    }
    return out;
  }

  receive(e: WireEnvelope): WireEnvelope[] {
    if (e.type === 'SyncRequest') return [this.envelope('SyncResponse', e.from, { update: b64(Y.encodeStateAsUpdate(this.doc, unb64(e.payload.sv))) })];
    if (e.type !== 'StateUpdate' && e.type !== 'SyncResponse') return [];
    const before = Y.encodeStateVector(this.doc);
    Y.applyUpdate(this.doc, unb64(e.payload.update), 'remote');
    if (Buffer.compare(Buffer.from(before), Buffer.from(Y.encodeStateVector(this.doc))) === 0) return [];
    const update = b64(Y.encodeStateAsUpdate(this.doc, before));
    return this.neighbours.filter((n) => n !== e.from).map((n) => this.envelope('StateUpdate', n, { update }));
  }
}

function isWire(x: unknown, agent: number): x is WireEnvelope {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  const payload = typeof e.payload === 'object' && e.payload !== null ? (e.payload as Record<string, unknown>) : null;
  if (e.v !== 1 || typeof e.id !== 'string' || typeof e.from !== 'number' || e.to !== agent || payload === null) return false;
  if (e.type === 'SyncRequest') return typeof payload.sv === 'string';
  if (e.type === 'StateUpdate' || e.type === 'SyncResponse') return typeof payload.update === 'string';
  return e.type === 'Ack';
}

export class FakeApp {
  readonly agents: FakeAgent[];
  readonly posts: Post[] = [];
  /** while set, every request is answered with this status (the app "crashing") */
  failStatus: number | null = null;
  /** TCP connections accepted (keep-alive clients reuse them) */
  connections = 0;
  /** the most inbox/tick requests ever in flight at once, per agent (one gateway lane each: 1) */
  readonly maxInFlight = new Map<number, number>();
  private readonly inFlight = new Map<number, number>();
  private readonly holds = new Map<number, Promise<void>>();
  private server: Server;
  port = 0;

  constructor(private readonly options: FakeAppOptions = {}) {
    const count = options.agents ?? 9;
    this.agents = Array.from({ length: count }, (_, id) => new FakeAgent(id, gridNeighbours(id, count)));
    this.server = this.newServer();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  write(agent: number, key: string, value: unknown): void {
    const a = this.agents[agent];
    if (a === undefined) throw new Error(`no agent ${agent}`);
    a.doc.transact(() => a.doc.getMap('data').set(key, value), 'local');
  }

  value(agent: number, key: string): unknown {
    return this.agents[agent]?.doc.getMap('data').get(key);
  }

  /** agents whose map has `key` */
  holders(key: string): number[] {
    return this.agents.filter((a) => a.doc.getMap('data').has(key)).map((a) => a.id);
  }

  /** Inbox POSTs to `agent` wait until the returned release() is called. */
  hold(agent: number): () => void {
    let release = (): void => {};
    this.holds.set(agent, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(agent);
      release();
    };
  }

  async listen(port = this.port): Promise<void> {
    this.server = this.newServer();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts open connections: the gateway now sees ECONNREFUSED. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private newServer(): Server {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', () => this.connections++);
    return server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (this.failStatus !== null) return reply(this.failStatus, { error: 'unavailable', detail: 'fake app failing on purpose' });
    const m = /^\/agent\/(\d+)\/(inbox|tick|state)$/.exec(req.url ?? '');
    const agent = m ? this.agents[Number(m[1])] : undefined;
    if (!m || agent === undefined) return reply(404, { error: 'not-found', detail: req.url });
    if (m[2] === 'state') return reply(200, { agent_id: agent.id, node_id: `fake-${agent.id}`, neighbors: agent.neighbours, state_digest: agent.digest() });
    if (req.method !== 'POST') return reply(405, { error: 'method-not-allowed', detail: req.method });
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return reply(401, { error: 'unauthorized', detail: 'bearer token required' });
    }
    const now = (this.inFlight.get(agent.id) ?? 0) + 1;
    this.inFlight.set(agent.id, now);
    this.maxInFlight.set(agent.id, Math.max(now, this.maxInFlight.get(agent.id) ?? 0));
    res.once('close', () => this.inFlight.set(agent.id, (this.inFlight.get(agent.id) ?? 1) - 1));
    if (m[2] === 'tick') {
      this.posts.push({ route: 'tick', agent: agent.id, ids: [], traceparent: req.headers.traceparent as string | undefined });
      return reply(200, { agent_id: agent.id, outbox: agent.tick() });
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(400, { error: 'bad-json', detail: 'body is not valid JSON' });
    }
    if (!Array.isArray(body)) return reply(400, { error: 'bad-envelope', detail: 'inbox body must be an array' });
    const refused = body.flatMap((e, i) => (isWire(e, agent.id) ? [] : [i]));
    if (refused.length > 0) {
      const named = this.options.unnamedRefusals ? {} : { refused };
      return reply(400, { error: 'bad-envelope', detail: `envelope ${refused[0]} is not an envelope for agent ${agent.id}`, ...named });
    }
    const envelopes = body as WireEnvelope[];
    this.posts.push({ route: 'inbox', agent: agent.id, ids: envelopes.map((e) => e.id), traceparent: req.headers.traceparent as string | undefined });
    await this.holds.get(agent.id);
    if (this.options.inboxDelayMs) await new Promise((resolve) => setTimeout(resolve, this.options.inboxDelayMs));
    reply(200, { agent_id: agent.id, outbox: envelopes.flatMap((e) => agent.receive(e)) });
  }
}

export async function startFakeApp(options: FakeAppOptions = {}): Promise<FakeApp> {
  const app = new FakeApp(options);
  await app.listen(0);
  return app;
}
