// NATS beyond one server, all on loopback with the config writer the k8s StatefulSet uses
// (src/gateway/nats-config.ts): a 3-node cluster (the hub region) and a leaf node dialling it (an
// edge region with its own JetStream domain). The nine agents are split between three gateways:
// agents 0-2 on hub node 1, 3-5 on hub node 2, 6-8 at the edge. A write at agent 0 must reach
// agent 8 and every agent between: NATS carries the subjects over routes and the leaf link,
// nothing else relays them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNatsServer, type NatsServer } from '../../src/gateway/nats-server.ts';
import { NATS_PROBES } from '../../scripts/manifests/k8s/nats.ts';
import { DEFAULT_CONFIG, startGateway, type Gateway } from '../../src/gateway/index.ts';
import { skipKind, waitFor } from '../gateway/harness.ts';
import { call, startApp, type TestApp } from '../support/network.ts';

const NODES = 3;
/** which agents each gateway serves (hub n0, hub n1, the edge): rows of the 3×3 grid, so every column crosses servers */
const SHARDS = [[0, 1, 2], [3, 4, 5], [6, 7, 8]];
const AGENTS = SHARDS.flat();

describe.skipIf(skipKind('nats'))('a 3-node NATS cluster with a leaf-node edge', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nats-cluster-'));
  const servers: NatsServer[] = [];
  let edge: NatsServer;
  const gateways: Gateway[] = [];
  let app: TestApp;

  beforeAll(async () => {
    const routePorts = await Promise.all(Array.from({ length: NODES }, () => freePort()));
    const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`);
    const leafPort = await freePort();
    for (let i = 0; i < NODES; i++) {
      servers.push(
        await startNatsServer({
          dataDir: join(dataDir, `n${i}`),
          serverName: `n${i}`,
          cluster: { name: 'crdt-test', port: routePorts[i]!, routes },
          jetstreamDomain: 'hub',
          // the last hub node takes the edge's leaf connection
          ...(i === NODES - 1 ? { leafnodes: { port: leafPort } } : {}),
        }),
      );
    }
    edge = await startNatsServer({ dataDir: join(dataDir, 'edge'), serverName: 'edge-1', jetstreamDomain: 'edge', leafnodes: { remotes: [`nats-leaf://127.0.0.1:${leafPort}`] } });
    // every node routes to the other two before the agents start talking
    await waitFor('full mesh of routes', async () => {
      const counts = await Promise.all(servers.map(async (s) => ((await (await fetch(`${s.monitorUrl}/routez`)).json()) as { num_routes: number }).num_routes));
      return counts.every((n) => n === NODES - 1);
    }, 15_000, 100);
    await waitFor('the edge linked to the hub', async () => ((await (await fetch(`${edge.monitorUrl}/leafz`)).json()) as { leafnodes: number }).leafnodes === 1, 15_000, 100);
    app = await startApp();
    const brokers = [servers[0]!, servers[1]!, edge];
    for (const [i, agents] of SHARDS.entries()) {
      gateways.push(
        await startGateway({ ...DEFAULT_CONFIG, appUrl: app.url, natsUrl: brokers[i]!.url, agents, syncIntervalMs: 500, healthTimeoutMs: 5_000, logLevel: 'error' }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await app?.close();
    await Promise.all([...servers, edge].filter(Boolean).map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('converges: a write at agent 0 on hub node 1 is read at all nine, agents 6-8 being at the edge', async () => {
    expect((await call(app, 'PUT', '/agent/0/data/across', { from: 'n0' })).status).toBe(200);
    await waitFor('the write at all nine', async () => {
      const values = await Promise.all(AGENTS.map(async (id) => (await call(app, 'GET', `/agent/${id}/data/across`)).body.value));
      return values.every((v) => JSON.stringify(v) === JSON.stringify({ from: 'n0' }));
    }, 30_000, 100);
    // each gateway delivered to and ticked its own three agents only
    for (const [i, g] of gateways.entries()) {
      const stats = g.stats();
      expect(stats.agents.map((a) => a.agent)).toEqual(SHARDS[i]);
      expect(stats.queues.delivered).toBeGreaterThan(0);
    }
    // and the messages really crossed: every hub node forwarded some over its routes, and the leaf link carried both ways
    for (const s of servers) {
      const routez = (await (await fetch(`${s.monitorUrl}/routez`)).json()) as { routes: { out_msgs: number }[] };
      expect(routez.routes.reduce((n, r) => n + r.out_msgs, 0)).toBeGreaterThan(0);
    }
    const leafz = (await (await fetch(`${edge.monitorUrl}/leafz`)).json()) as { leafs: { in_msgs: number; out_msgs: number }[] };
    expect(leafz.leafs[0]).toMatchObject({ in_msgs: expect.any(Number), out_msgs: expect.any(Number) });
    expect(Math.min(leafz.leafs[0]!.in_msgs, leafz.leafs[0]!.out_msgs)).toBeGreaterThan(0);
  }, 60_000);

  it("answers the StatefulSet's startup, readiness and liveness probes on every node", async () => {
    for (const s of servers) {
      for (const path of Object.values(NATS_PROBES)) {
        const res = await fetch(s.monitorUrl + path);
        expect(res.status, `${s.monitorUrl}${path}`).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ok' });
      }
    }
  });

  it('liveness is network-wide: every gateway sees all nine alive and converged, heartbeats from other nodes included', async () => {
    await waitFor('all alive and converged at every gateway', () => gateways.every((g) => g.networkStatus().converged && g.networkStatus().agents.every((a) => a.status === 'alive')), 15_000, 100);
  }, 30_000);
});
