// The gateway's Prometheus metrics on its HTTP port, scraped from a running network with real
// nats-server after a user's write, and the Grafana dashboard beside the k8s manifests: every
// query it makes names a metric that the gateway's or the api's /metrics serves.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestNetwork } from '../support/network.ts';

const DASHBOARD = resolve(import.meta.dirname, '..', '..', 'k8s', 'grafana-dashboard.json');

describeDeliveries('gateway metrics', (_kind, broker) => {
  let network: TestNetwork | undefined;
  beforeAll(async () => {
    network = await startTestNetwork({ natsUrl: broker().natsUrl });
  }, 120_000);
  afterAll(async () => network?.close());

  async function scrape(url: string): Promise<Map<string, PrometheusFamily>> {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
  }

  it('serves delivery latency as a histogram in seconds, queues, drops, retries, app errors, NATS and process metrics', async () => {
    const app = network!.app;
    expect((await call(app, 'PUT', '/agent/0/data/scraped', { n: 1 })).status).toBe(200);
    await waitFor('the write at agent 8', async () => (await call(app, 'GET', '/agent/8/data/scraped')).status === 200, 15_000);
    const families = await waitFor('receives observed', async () => {
      const f = await scrape(`${network!.gatewayUrl}/metrics`);
      const latency = f.get('crdt_gateway_delivery_latency_seconds');
      return latency !== undefined && latency.metrics.some((m) => Number(m.buckets?.['+Inf']) > 0) ? f : null;
    }, 15_000, 200);

    const latency = families.get('crdt_gateway_delivery_latency_seconds')!;
    expect(latency.type).toBe('HISTOGRAM');
    const buckets = latency.metrics.find((m) => Number(m.buckets?.['+Inf']) > 0)!.buckets!;
    // in seconds: deliveries take milliseconds to seconds here, so they land in the buckets up to
    // 30 s (a value in milliseconds would be past them all, in +Inf alone)
    expect(Number(buckets['1'])).toBeGreaterThan(0);
    expect(buckets['30']).toBe(buckets['+Inf']);

    expect(families.get('crdt_gateway_queue_depth')?.metrics.map((m) => m.labels?.agent).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    const delivered = families.get('crdt_gateway_delivered_envelopes_total')!;
    expect(delivered.type).toBe('COUNTER');
    expect(delivered.metrics.reduce((n, m) => n + Number(m.value), 0)).toBeGreaterThan(0);
    expect(Number(families.get('crdt_gateway_app_requests_total')?.metrics[0]?.value)).toBeGreaterThan(0);
    expect(families.get('crdt_gateway_nats_connected')?.metrics[0]?.value).toBe('1');
    for (const name of ['crdt_gateway_dropped_envelopes_total', 'crdt_gateway_delivery_retries_total', 'crdt_gateway_app_errors_total', 'crdt_gateway_nats_reconnects_total', 'crdt_gateway_lease_changes_total', 'process_resident_memory_bytes']) {
      expect(families.has(name), name).toBe(true);
    }
  }, 60_000);

  it('the Grafana dashboard parses, and every query names a metric that /metrics serves', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const served = new Set([...(await scrape(`${network!.gatewayUrl}/metrics`)).keys(), ...(await scrape(`${network!.app.url}/metrics`)).keys()]);
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
    expect(queries.length).toBeGreaterThan(10);
    for (const { panel, expr } of queries) {
      const names = [...expr.matchAll(/\b((?:crdt|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(served.has(name), `${panel}: ${name} is served by no /metrics`).toBe(true);
    }
  }, 60_000);
}, ['nats']);
