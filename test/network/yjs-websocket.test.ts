// A stock y-websocket WebsocketProvider (the client package Yjs apps use) syncs with an agent
// through the gateway's Yjs rooms, against a running network with real nats-server: it receives
// the agent's document, its edits (any shared type) reach all nine agents, a PUT elsewhere
// reaches it, awareness is relayed within a room, and the tokens are the HTTP API's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const AUTH = 'yjs-writer-token';
const READ = 'yjs-reader-token';
const auth = { authorization: `Bearer ${AUTH}` };

describeDeliveries('standard Yjs clients', (_kind, broker) => {
  let network: TestNetwork | undefined;
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    network = await startTestNetwork({ natsUrl: broker().natsUrl, tokens: { auth: AUTH, read: READ } });
  }, 120_000);
  afterAll(async () => {
    for (const provider of providers) provider.destroy();
    await network?.close();
  });

  /** A client of room `agent-<id>`, as an app would open it. */
  function join(id: number, token?: string): { doc: Y.Doc; provider: WebsocketProvider } {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${network!.gatewayUrl.replace('http', 'ws')}/yjs`, `agent-${id}`, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      params: token === undefined ? {} : { token },
      disableBc: true,
    });
    providers.push(provider);
    return { doc, provider };
  }

  const synced = (provider: WebsocketProvider) => waitFor('the provider synced', () => provider.synced, 15_000);
  const docOf = async (id: number): Promise<Y.Doc> => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(await (await fetch(`${network!.app.url}/agent/${id}/doc`, { headers: auth })).arrayBuffer()));
    return doc;
  };

  it('a client receives the agent\'s document, and its edits, Y.Text included, reach all nine agents', async () => {
    const app = network!.app;
    expect((await call(app, 'PUT', '/agent/0/data/before', { text: 'written before' }, auth)).status).toBe(200);
    await waitFor('the PUT at agent 4', async () => (await call(app, 'GET', '/agent/4/data/before', undefined, auth)).status === 200, 15_000);
    const { doc, provider } = join(4, AUTH);
    await synced(provider);
    await waitFor('the agent\'s document in the client', () => (doc.getMap('data').get('before') as { text?: string } | undefined)?.text === 'written before', 10_000);

    doc.getText('notes').insert(0, 'typed in a client');
    doc.getMap('data').set('from-client', { n: 1 });
    await waitFor('the edits at all nine agents', async () => {
      const docs = await Promise.all(AGENTS.map(docOf));
      return docs.every((d) => d.getText('notes').toString() === 'typed in a client' && d.getMap('data').get('from-client') !== undefined);
    }, 30_000, 200);
    expect((await call(app, 'GET', '/agent/8/data/from-client', undefined, auth)).body).toEqual({ key: 'from-client', value: { n: 1 } });

    // and the other way: a PUT at agent 8 appears in the client's doc
    expect((await call(app, 'PUT', '/agent/8/data/from-agent-8', ['hello client'], auth)).status).toBe(200);
    await waitFor('agent 8\'s PUT in the client', () => JSON.stringify(doc.getMap('data').get('from-agent-8')) === '["hello client"]', 15_000);
  }, 90_000);

  it('relays awareness between the clients of one room, and only that room', async () => {
    const a = join(2, AUTH);
    const b = join(2, READ);
    const elsewhere = join(3, AUTH);
    await Promise.all([synced(a.provider), synced(b.provider), synced(elsewhere.provider)]);
    a.provider.awareness.setLocalStateField('user', { name: 'ada' });
    await waitFor('ada seen by the other client of agent-2', () => [...b.provider.awareness.getStates().values()].some((s) => (s.user as { name?: string } | undefined)?.name === 'ada'), 10_000);
    expect([...elsewhere.provider.awareness.getStates().values()].some((s) => s.user !== undefined)).toBe(false);
    // ada leaves: her presence goes with her
    a.provider.destroy();
    await waitFor('ada gone', () => ![...b.provider.awareness.getStates().values()].some((s) => s.user !== undefined), 10_000);
  }, 60_000);

  it('a read token reads but does not write; no token, a wrong one or a wrong room is refused', async () => {
    const reader = join(6, READ);
    await synced(reader.provider);
    await waitFor('the document in the reader', () => reader.doc.getMap('data').get('from-client') !== undefined, 10_000);
    reader.doc.getMap('data').set('from-reader', true);
    // a writer's edit made after it reaches the agent, the reader's never does
    const writer = join(6, AUTH);
    await synced(writer.provider);
    writer.doc.getMap('data').set('after-reader', true);
    await waitFor('the writer\'s edit at agent 6', async () => (await call(network!.app, 'GET', '/agent/6/data/after-reader', undefined, auth)).status === 200, 15_000);
    await network!.gateway.tickNow();
    expect((await call(network!.app, 'GET', '/agent/6/data/from-reader', undefined, auth)).status).toBe(404);

    const ws = network!.gatewayUrl.replace('http', 'ws');
    const refusal = (url: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url);
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
      });
    expect(await refusal(`${ws}/yjs/agent-6`)).toBe(401);
    expect(await refusal(`${ws}/yjs/agent-6?token=wrong`)).toBe(401);
    expect(await refusal(`${ws}/yjs/agent-9?token=${AUTH}`)).toBe(404);
    expect(await refusal(`${ws}/yjs/room-1?token=${AUTH}`)).toBe(404);
  }, 60_000);
}, ['nats']);
