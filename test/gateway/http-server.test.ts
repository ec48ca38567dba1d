// The gateway's own probes, at the paths and port k8s/gateway.yaml gives its Deployment: alive
// while the process runs, ready only while NATS is connected (so k8s stops counting a gateway
// cut off from the broker).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startHttpServer, type HttpServer } from '../../src/gateway/index.ts';
import { describeDeliveries, NO_TICKS, startNetwork, waitFor, type Network } from './harness.ts';

interface Probe {
  httpGet: { path: string; port: string };
}
const docs = parseAllDocuments(readFileSync(resolve(import.meta.dirname, '..', '..', 'k8s', 'gateway.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
const container = docs.find((d) => d.kind === 'Deployment')?.spec.template.spec.containers[0] as { livenessProbe: Probe; readinessProbe: Probe; ports: { name: string; containerPort: number }[] };
const healthPort = Number(docs.find((d) => d.kind === 'ConfigMap')?.data.HEALTH_PORT);

describeDeliveries('gateway health endpoints', (kind, broker) => {
  let network: Network;
  let health: HttpServer;
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${health.port}${path}`, { method });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    network = await startNetwork(broker(), { config: NO_TICKS });
    health = await startHttpServer(() => network.gateway, 0, { host: '127.0.0.1' });
  });
  afterAll(async () => {
    await health?.close();
    await network?.dispose();
  });

  it("k8s probes the port HEALTH_PORT opens, at the gateway's /livez and /readyz", () => {
    expect(container.ports).toContainEqual({ name: container.livenessProbe.httpGet.port, containerPort: healthPort });
    expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(['/livez', '/readyz']);
  });

  it('answers both probes with 200 and JSON while connected', async () => {
    expect(await get(container.livenessProbe.httpGet.path)).toMatchObject({ status: 200, type: 'application/json', body: { status: 'ok' } });
    expect(await get(container.readinessProbe.httpGet.path)).toMatchObject({ status: 200, body: { status: 'ok', delivery: kind } });
  });

  it('refuses other paths (404) and methods (405) with a JSON error', async () => {
    expect(await get('/nothing-here')).toMatchObject({ status: 404, body: { error: 'not-found' } });
    expect(await get('/livez', 'POST')).toMatchObject({ status: 405, body: { error: 'method-not-allowed' } });
  });

  if (kind === 'nats') {
    it('is not ready while the broker is down, alive throughout, and ready again once it is back', async () => {
      const server = broker().server!;
      await server.stop({ signal: 'SIGKILL' });
      await waitFor('readyz 503', async () => (await get('/readyz')).status === 503, 10_000, 50);
      expect(await get('/readyz')).toMatchObject({ body: { status: 'disconnected' } });
      expect((await get('/livez')).status).toBe(200);
      await server.restart();
      await waitFor('readyz 200 again', async () => (await get('/readyz')).status === 200, 15_000, 100);
    }, 40_000);
  }

  describe('POST /publish/<agent>', () => {
    let guarded: HttpServer;
    const envelope = (from: number, to = from + 1) => ({ v: 1, id: `pub-${from}-${to}-${Math.random()}`, type: 'Ack', from, to, ts: 1, hlc: '0000000000001-00000-00001', payload: { ack: 'x' } });
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`http://127.0.0.1:${guarded.port}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const bearer = { authorization: 'Bearer t0ken' };
    beforeAll(async () => {
      guarded = await startHttpServer(() => network.gateway, 0, { host: '127.0.0.1', authToken: 't0ken' });
    });
    afterAll(async () => guarded?.close());

    it('publishes an agent\'s envelopes at once (202) and counts them', async () => {
      const e = envelope(2);
      const before = network.gateway.stats().published_for_agents;
      expect(await post('/publish/2', { outbox: [e], timeline: [] }, bearer)).toMatchObject({ status: 202, body: { published: 1 } });
      expect(network.gateway.stats().published_for_agents).toBe(before + 1);
      await waitFor('the envelope on its subject', () => network.gateway.delivery.published().some((p) => p.envelope.id === e.id), 5_000, 20);
    });

    it.each([
      ['no token', '/publish/2', { outbox: [] }, {}, 401],
      ['a wrong token', '/publish/2', { outbox: [] }, { authorization: 'Bearer t0kem' }, 401],
      ['an envelope from another agent', '/publish/2', { outbox: [envelope(3)] }, bearer, 400],
      ['a malformed envelope', '/publish/2', { outbox: [{ ...envelope(2), v: 9 }] }, bearer, 400],
      ['a body that is not JSON', '/publish/2', '{"outbox": [', bearer, 400],
      ['an agent that is not a number', '/publish/two', { outbox: [] }, bearer, 404],
    ])('refuses %s and publishes nothing', async (_what, path, body, headers, status) => {
      const before = network.gateway.stats().published_for_agents;
      const reply = await post(path, body, headers);
      expect(reply.status).toBe(status);
      expect(reply.body.error).toEqual(expect.any(String));
      expect(network.gateway.stats().published_for_agents).toBe(before);
    });
  });
});

