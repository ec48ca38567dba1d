// The broker `npm start`, the tests and k8s run (src/gateway/nats-config.ts) lets in only the gateway's
// user and, on the WebSocket port, the read-only dashboard user: an anonymous client cannot inject,
// read or forge envelopes, or listen, and the dashboard can listen to the timeline and nothing else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wsconnect, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startNatsServer, type NatsServer } from '../../src/gateway/nats-server.ts';
import { natsServers } from '../../src/gateway/nats-url.ts';
import { skipKind, waitFor } from './harness.ts';

describe.skipIf(skipKind('nats'))('NATS authorization', () => {
  let server: NatsServer;
  let dataDir: string;
  let gateway: NatsConnection;
  beforeAll(async () => {
    // wsconnect needs a WebSocket: Node 20 has none built in
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    dataDir = mkdtempSync(join(tmpdir(), 'nats-auth-'));
    server = await startNatsServer({ dataDir, allowedOrigins: ['http://127.0.0.1:3000'] });
    gateway = await connect(natsServers(server.url));
  });
  afterAll(async () => {
    await gateway?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const anonymous = () => natsServers(server.url).servers;

  it('refuses a client without credentials, and one with a wrong password', async () => {
    await expect(connect({ servers: anonymous(), reconnect: false })).rejects.toThrow(/authorization/i);
    await expect(connect({ servers: anonymous(), user: 'gateway', pass: 'guess', reconnect: false })).rejects.toThrow(/authorization/i);
  });

  it('refuses a WebSocket client without credentials, and one with a wrong password', async () => {
    await expect(wsconnect({ servers: server.wsUrl, reconnect: false })).rejects.toThrow(/authorization/i);
    await expect(wsconnect({ servers: server.wsUrl, user: 'dashboard', pass: 'guess', reconnect: false })).rejects.toThrow(/authorization/i);
  });

  // the dashboard's login comes from /api/topology, which the app's read_token guards
  const dashboard = () => wsconnect({ servers: server.wsUrl, user: 'dashboard', pass: server.dashboardPassword, reconnect: false });

  it('lets the dashboard user listen to timeline.> and network.status', async () => {
    const browser = await dashboard();
    try {
      const got: string[] = [];
      browser.subscribe('timeline.>', { callback: (_e, m) => void got.push(m.subject) });
      browser.subscribe('network.status', { callback: (_e, m) => void got.push(m.subject) });
      await browser.flush();
      gateway.publish('timeline.3', '{}');
      gateway.publish('network.status', '{}');
      await waitFor('both messages at the browser', () => got.length === 2, 5_000);
      expect(got.sort()).toEqual(['network.status', 'timeline.3']);
    } finally {
      await browser.close();
    }
  });

  it('lets the dashboard user publish nothing and read no envelopes', async () => {
    const browser = await dashboard();
    try {
      const delivered: string[] = [];
      gateway.subscribe('agent.>', { callback: (_e, m) => void delivered.push(m.subject) });
      gateway.subscribe('timeline.>', { callback: (_e, m) => void delivered.push(m.subject) });
      await gateway.flush();
      const errors: string[] = [];
      (async () => {
        for await (const s of browser.status()) if (s.type === 'error') errors.push(String(s.error));
      })().catch(() => {});
      browser.publish('agent.4.state', '{"forged":true}');
      browser.publish('timeline.0', '{}');
      browser.subscribe('agent.>');
      await browser.flush().catch(() => {});
      await waitFor('the broker to refuse all three', () => errors.filter((e) => /permissions violation/i.test(e)).length >= 3, 5_000);
      await gateway.flush();
      expect(delivered).toEqual([]);
    } finally {
      await browser.close().catch(() => {});
    }
  });

  it('refuses a WebSocket from a page of another origin', async () => {
    const origin = await new Promise<number>((done) => {
      const ws = new WebSocket(server.wsUrl, { headers: { origin: 'http://evil.example' } });
      ws.on('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
      ws.on('open', () => (ws.close(), done(101)));
      ws.on('error', () => done(-1));
    });
    expect(origin).toBe(403);
  });

  it('gives the gateway user what the gateway does (envelopes, JetStream), and no other subjects', async () => {
    const got: string[] = [];
    gateway.subscribe('agent.>', { callback: (_e, m) => void got.push(m.subject) });
    gateway.publish('agent.2.state', '{}');
    await waitFor('the envelope', () => got.includes('agent.2.state'), 5_000);
    const errors: string[] = [];
    const other = await connect({ ...natsServers(server.url), reconnect: false });
    (async () => {
      for await (const s of other.status()) if (s.type === 'error') errors.push(String(s.error));
    })().catch(() => {});
    other.publish('elsewhere.x', '1');
    await other.flush().catch(() => {});
    await waitFor('the refusal', () => errors.some((e) => /permissions violation/i.test(e)), 5_000);
    await other.close();
  });
});

