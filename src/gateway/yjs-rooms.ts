// Standard Yjs clients sync with an agent through the gateway (Spin has no inbound WebSockets): the
// y-websocket protocol (y-protocols' sync step 1/2 and updates, awareness) on the gateway's HTTP
// port at /yjs/<room>, one room per agent named `agent-<id>`, so a stock WebsocketProvider
// (`new WebsocketProvider('ws://<gateway>/yjs', 'agent-4', doc)`) connects.
//
// While clients are connected a room keeps a Y.Doc, as y-websocket's own server does: loaded from
// the agent (GET /agent/:id/doc?sv=), kept current from what the agent receives and sends on NATS
// (its StateUpdates and SyncResponses, seen by every gateway replica), and reconciled with the
// agent every sync interval both ways (anti-entropy: what the agent has that the room lacks, and
// the other way round). A client's edits go to the agent at once as POST /agent/:id/doc, from
// where they replicate like any write. Awareness is relayed between the room's clients only.
//
// Tokens as the HTTP API's, as y-sweet's client tokens: `?token=` (WebsocketProvider's `params`)
// or `Authorization: Bearer`; the auth token reads and writes, the read token only reads (the
// client's edits are dropped); no token needed when the app has none.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Envelope } from '../core/wire.ts';
import { fromBase64, toBase64 } from '../shared/base64.ts';
import { errorFields, type Logger } from '../shared/log.ts';
import { secretMatches } from './bearer.ts';
import type { GatewayConfig } from './config.ts';
import type { Delivery, DeliverySubscription } from './delivery.ts';
import { EnvelopeVerifier } from './envelope-verifier.ts';

export const YJS_PATH = '/yjs';
/** A room's name for agent `id`. */
export const roomOf = (id: number): string => `agent-${id}`;
/** Largest message a client may send (a whole document as sync step 2 included). */
export const MAX_YJS_MESSAGE_BYTES = 4 * 1024 * 1024;

// y-websocket's message types
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

/** What the rooms need of the running gateway. */
export interface RoomsGateway {
  readonly config: GatewayConfig;
  readonly delivery: Delivery;
}

interface Conn {
  writes: boolean;
  /** the awareness client ids this connection speaks for (removed when it leaves) */
  clients: Set<number>;
}

/** Where an update in a room came from, when not from a client. */
const FROM_AGENT = Symbol('agent');
const FROM_NETWORK = Symbol('network');

export class YjsRooms {
  private readonly rooms = new Map<number, Room>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_YJS_MESSAGE_BYTES });

  constructor(
    private readonly gateway: () => RoomsGateway | null,
    private readonly log: Logger,
  ) {}

  /** Serves an HTTP upgrade on the gateway's port: a client joining a room, or a refusal with its reason. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const running = this.gateway();
    if (running === null) return refuse(socket, 503, 'starting', 'the gateway is not connected yet');
    const { agentCount } = running.config;
    const match = /^\/yjs\/agent-(\d+)$/.exec(url.pathname);
    const id = match === null ? NaN : Number(match[1]);
    if (!Number.isSafeInteger(id) || id >= agentCount) {
      return refuse(socket, 404, 'not-found', `rooms are ${YJS_PATH}/agent-<id>, id 0..${agentCount - 1}`);
    }
    const access = accessOf(url.searchParams.get('token') ?? bearer(req.headers.authorization), running.config);
    if (access === null) return refuse(socket, 401, 'unauthorized', 'send ?token=<auth_token or read_token>');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let room = this.rooms.get(id);
      if (room === undefined) {
        room = new Room(id, running, this.log, () => this.rooms.delete(id));
        this.rooms.set(id, room);
      }
      room.join(ws, access === 'write');
    });
  }

  /** Rooms open and clients connected (for stats). */
  counts(): { rooms: number; clients: number } {
    let clients = 0;
    for (const room of this.rooms.values()) clients += room.size;
    return { rooms: this.rooms.size, clients };
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.close()));
    this.wss.close();
  }
}

class Room {
  private readonly doc = new Y.Doc();
  private readonly awareness = new awarenessProtocol.Awareness(this.doc);
  private readonly conns = new Map<WebSocket, Conn>();
  private readonly loaded: Promise<void>;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly tap: DeliverySubscription;
  private readonly verifier: EnvelopeVerifier | null;
  /** clients' edits not yet posted to the agent */
  private pending: Uint8Array[] = [];
  private posting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly agent: number,
    private readonly gateway: RoomsGateway,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
  ) {
    this.awareness.setLocalState(null); // the room itself has no presence
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChanges, origin: unknown) => {
      const conn = this.conns.get(origin as WebSocket);
      if (conn !== undefined) {
        for (const id of added) conn.clients.add(id);
        for (const id of removed) conn.clients.delete(id);
      }
      this.broadcast(awarenessMessage(this.awareness, [...added, ...updated, ...removed]));
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeUpdate(encoder, update);
      this.broadcast(encoding.toUint8Array(encoder));
      if (this.conns.get(origin as WebSocket)?.writes === true) {
        this.pending.push(update);
        void this.postEdits();
      }
    });
    const { config, delivery } = gateway;
    this.verifier = config.envelopeKey === undefined ? null : new EnvelopeVerifier(config.envelopeKey);
    this.tap = delivery.subscribe('agent.*.state', (_subject, data) => this.fromNetwork(data));
    this.loaded = this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), config.syncIntervalMs);
  }

  get size(): number {
    return this.conns.size;
  }

  join(ws: WebSocket, writes: boolean): void {
    this.conns.set(ws, { writes, clients: new Set() });
    // messages are handled one after another, and only once the room holds the agent's document
    let queue = this.loaded.then(() => this.greet(ws));
    ws.on('message', (data: RawData) => {
      queue = queue.then(() => this.onMessage(ws, toBytes(data))).catch((err: unknown) => {
        this.log('warn', 'yjs client message refused; connection closed', { room: roomOf(this.agent), ...errorFields(err) });
        ws.close(1003, 'bad message');
      });
    });
    ws.on('close', () => this.leave(ws));
    ws.on('error', () => this.leave(ws));
    this.log('debug', 'yjs client joined', { room: roomOf(this.agent), writes, clients: this.conns.size });
  }

  /** Sync step 1 (what the room holds) and the room's presence, as y-websocket's server greets. */
  private greet(ws: WebSocket): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    send(ws, encoding.toUint8Array(encoder));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) send(ws, awarenessMessage(this.awareness, states));
  }

  private onMessage(ws: WebSocket, message: Uint8Array): void {
    const conn = this.conns.get(ws);
    if (conn === undefined) return;
    const decoder = decoding.createDecoder(message);
    const encoder = encoding.createEncoder();
    switch (decoding.readVarUint(decoder)) {
      case MESSAGE_SYNC: {
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        if (conn.writes) syncProtocol.readSyncMessage(decoder, encoder, this.doc, ws);
        else if (decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep1) syncProtocol.writeSyncStep2(encoder, this.doc, decoding.readVarUint8Array(decoder));
        // a read-only client's step 2 and updates are dropped
        if (encoding.length(encoder) > 1) send(ws, encoding.toUint8Array(encoder));
        break;
      }
      case MESSAGE_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), ws);
        break;
      case MESSAGE_QUERY_AWARENESS:
        send(ws, awarenessMessage(this.awareness, [...this.awareness.getStates().keys()]));
        break;
      default:
        break; // auth and custom messages: nothing to do
    }
  }

  private leave(ws: WebSocket): void {
    const conn = this.conns.get(ws);
    if (conn === undefined) return;
    this.conns.delete(ws);
    awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.clients], null);
    if (this.conns.size === 0) void this.close();
  }

  /** Once the last client left: its edits posted, then the room is gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onEmpty();
    clearInterval(this.timer);
    this.tap.unsubscribe();
    for (const ws of this.conns.keys()) ws.close(1001, 'gateway closing');
    await this.posting;
    this.awareness.destroy();
    this.doc.destroy();
  }

  /** What the agent receives from its neighbours and sends them: StateUpdates and SyncResponses. */
  private fromNetwork(data: unknown): void {
    const envelope = data as Partial<Envelope> & { payload?: { update?: unknown } };
    if (envelope.type !== 'StateUpdate' && envelope.type !== 'SyncResponse') return;
    if (envelope.to !== this.agent && envelope.from !== this.agent) return;
    const update = envelope.payload?.update;
    if (typeof update !== 'string' || (this.verifier !== null && !this.verifier.signed(envelope as Envelope))) return;
    try {
      Y.applyUpdate(this.doc, fromBase64(update), FROM_NETWORK);
    } catch {
      // an update the agent would refuse: the room has no use for it either
    }
  }

  /** Clients' edits to the agent, one POST at a time, merged while one is in flight. */
  private postEdits(): Promise<void> {
    this.posting ??= (async () => {
      while (this.pending.length > 0) {
        const update = Y.mergeUpdates(this.pending.splice(0));
        // refused (it builds on what the agent has not applied yet) or not delivered: the next
        // reconcile sends the agent everything the room holds that it lacks
        await this.app('POST', '/doc', update).catch((err: unknown) => this.log('info', 'yjs edits left to the next reconcile', { room: roomOf(this.agent), ...errorFields(err) }));
      }
    })().finally(() => {
      this.posting = null;
    });
    return this.posting;
  }

  /** Anti-entropy with the agent, both ways: what it lacks of the room, then what the room lacks of it. */
  private async reconcile(): Promise<void> {
    try {
      const state = (await (await this.app('GET', '/state')).json()) as { state_vector: Record<string, number> };
      const agentSv = new Map(Object.entries(state.state_vector).map(([client, clock]) => [Number(client), clock]));
      const roomSv = Y.decodeStateVector(Y.encodeStateVector(this.doc));
      if ([...roomSv].some(([client, clock]) => clock > (agentSv.get(client) ?? 0))) {
        await this.app('POST', '/doc', Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(agentSv)));
      }
      const sv = toBase64(Y.encodeStateVector(this.doc));
      const missing = new Uint8Array(await (await this.app('GET', `/doc?sv=${encodeURIComponent(sv)}`)).arrayBuffer());
      Y.applyUpdate(this.doc, missing, FROM_AGENT);
    } catch (err) {
      if (!this.closed) this.log('warn', 'yjs room could not reconcile with its agent', { room: roomOf(this.agent), ...errorFields(err) });
    }
  }

  private async app(method: 'GET' | 'POST', path: string, body?: Uint8Array): Promise<Response> {
    const { appUrl, authToken } = this.gateway.config;
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/octet-stream' };
    if (authToken !== undefined) headers.authorization = `Bearer ${authToken}`;
    const res = await fetch(`${appUrl.replace(/\/+$/, '')}/agent/${this.agent}${path}`, { method, headers, ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }) });
    if (!res.ok) throw new Error(`${method} /agent/${this.agent}${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res;
  }

  private broadcast(message: Uint8Array): void {
    for (const ws of this.conns.keys()) send(ws, message);
  }
}

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}

function send(ws: WebSocket, message: Uint8Array): void {
  if (ws.readyState === ws.OPEN) ws.send(message, (err) => err && ws.close());
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function bearer(header: string | undefined): string | null {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
}

/** 'write' with the auth token (or when the app has no tokens), 'read' with the read token, else null. */
function accessOf(token: string | null, config: Pick<GatewayConfig, 'authToken' | 'readToken'>): 'write' | 'read' | null {
  const { authToken, readToken } = config;
  if (authToken === undefined && readToken === undefined) return 'write';
  if (token !== null && authToken !== undefined && secretMatches(token, authToken)) return 'write';
  if (token !== null && readToken !== undefined && secretMatches(token, readToken)) return 'read';
  return null;
}

function refuse(socket: Duplex, status: number, error: string, detail: string): void {
  const body = JSON.stringify({ error, detail });
  socket.end(`HTTP/1.1 ${status} ${error}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
