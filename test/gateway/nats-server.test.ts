// src/gateway/nats-server.ts: a nats-server from a generated config on random free ports — client, WebSocket,
// JetStream and monitoring all up — that stops and restarts on the same ports.
import { connect } from '@nats-io/transport-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNatsServer, startNatsServer, type NatsServer } from '../../src/gateway/nats-server.ts';
import { skipKind, waitFor } from './harness.ts';
import { natsServers } from '../../src/gateway/nats-url.ts';

describe.skipIf(skipKind('nats'))('startNatsServer', () => {
  let server: NatsServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nats-script-'));
    server = await startNatsServer({ dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds the binary', () => expect(findNatsServer()).toMatch(/nats-server$/));

  it('writes the config and serves every port on 127.0.0.1', async () => {
    const config = readFileSync(server.configPath, 'utf8');
    expect(config).toContain(`listen: "127.0.0.1:${server.port}"`);
    expect(config).toContain(`listen: "127.0.0.1:${server.wsPort}"`);
    expect(config).toContain('no_tls: true');
    expect(config).toContain(join(dataDir, 'jetstream'));
    expect(new Set([server.port, server.wsPort, server.monitorPort]).size).toBe(3);

    const varz = (await (await fetch(`${server.monitorUrl}/varz`)).json()) as Record<string, unknown>;
    expect(varz.server_name).toBe(`crdt-nats-${server.port}`);
    expect(varz.jetstream).toBeTruthy();
    await new Promise<void>((resolve, reject) => {
      const socket = tcpConnect(server.wsPort, '127.0.0.1', () => (socket.end(), resolve()));
      socket.on('error', reject);
    });
  });

  it('carries messages, and a client survives stop → restart on the same ports', async () => {
    const nc = await connect({ ...natsServers(server.url), maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    const got: string[] = [];
    nc.subscribe('agent.test.>', { callback: (_err, msg) => void got.push(msg.string()) });
    nc.publish('agent.test.1', 'one');
    await waitFor('first message', () => got.length === 1, 2_000);

    const url = server.url;
    const oldPid = server.process.pid;
    await server.stop({ signal: 'SIGKILL' });
    expect(server.process.signalCode).toBe('SIGKILL');
    await server.restart();
    expect(server.url).toBe(url);
    expect(server.process.pid).not.toBe(oldPid);

    await waitFor('the client to reconnect and deliver', async () => {
      nc.publish('agent.test.2', 'two');
      await nc.flush().catch(() => {});
      return got.includes('two');
    }, 5_000, 100);
    await nc.close();
  });
});
