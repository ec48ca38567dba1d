// connectDelivery picks NATS_URL → a caller's nats-server → a spawned one → in-process, and its
// choice with the reason is the first log line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../../src/gateway/nats-server.ts';
import { DEFAULT_CONFIG } from '../../src/gateway/config.ts';
import { connectDelivery } from '../../src/gateway/connect.ts';
import { skipKind } from './harness.ts';
import { natsServers } from '../../src/gateway/nats-url.ts';

function capture() {
  const logs: Record<string, unknown>[] = [];
  return { logs, logger: (level: string, msg: string, fields?: Record<string, unknown>) => void logs.push({ level, msg, ...fields }) };
}

describe('connectDelivery without a broker', () => {
  it('no NATS_URL and nothing given → inproc, said first', async () => {
    const { logs, logger } = capture();
    const c = await connectDelivery(DEFAULT_CONFIG, logger);
    expect(c.delivery.kind).toBe('inproc');
    expect(logs[0]).toEqual({ level: 'info', msg: 'gateway delivery', kind: 'inproc', reason: 'no NATS_URL and no nats-server given' });
    await c.dispose();
  });

  it('no nats-server on PATH → inproc, said first', async () => {
    const { logs, logger } = capture();
    const c = await connectDelivery(DEFAULT_CONFIG, logger, { spawnNatsServer: async () => null });
    expect(c.delivery.kind).toBe('inproc');
    expect(logs[0]).toEqual({ level: 'info', msg: 'gateway delivery', kind: 'inproc', reason: 'no NATS_URL and no nats-server on PATH' });
    await c.dispose();
  });
});

describe.skipIf(skipKind('nats'))('connectDelivery with a broker', () => {
  let server: NatsServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-connect-'));
    server = await startNatsServer({ dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('NATS_URL wins over everything', async () => {
    const { logs, logger } = capture();
    let spawned = false;
    const c = await connectDelivery({ ...DEFAULT_CONFIG, natsUrl: server.url }, logger, {
      natsServerUrl: 'nats://127.0.0.1:1',
      spawnNatsServer: async () => ((spawned = true), null),
    });
    expect(c.delivery.kind).toBe('nats');
    // logged without the password the URL carries
    expect(logs[0]).toEqual({ level: 'info', msg: 'gateway delivery', kind: 'nats', reason: 'NATS_URL set', url: server.url.replace(/:[^:@/]+@/, ':***@') });
    expect(JSON.stringify(logs)).not.toContain(natsServers(server.url).pass);
    expect(spawned).toBe(false);
    await c.dispose();
  });

  it('a server given by the caller', async () => {
    const { logs, logger } = capture();
    const c = await connectDelivery(DEFAULT_CONFIG, logger, { natsServerUrl: server.url });
    expect(logs[0]).toMatchObject({ kind: 'nats', reason: 'nats-server given by the caller' });
    await c.dispose();
  });

  it('a spawned server is stopped by dispose', async () => {
    const { logs, logger } = capture();
    let stopped = false;
    const c = await connectDelivery(DEFAULT_CONFIG, logger, {
      spawnNatsServer: async () => ({ url: server.url, stop: async () => void (stopped = true) }),
    });
    expect(logs[0]).toMatchObject({ kind: 'nats', reason: 'no NATS_URL; started nats-server from PATH' });
    await c.dispose();
    expect(stopped).toBe(true);
    expect(c.delivery.stats().connected).toBe(false);
  });
});
