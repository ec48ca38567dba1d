// The api component on a running network (built components under the local host, the gateway's
// clock, in-process delivery): /health, /api/timeline (order, cursor, filters, NDJSON),
// /api/metrics, /metrics (parsed as Prometheus text), /api/topology; and the dashboard's files.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../src/gateway/nats-server.ts';
import { verify } from '../../scripts/verify.ts';
import type { EGraphAnswer } from '../../src/agent/index.ts';
import type { NetworkMetrics, TopologyAnswer } from '../../src/api/index.ts';
import { RULE_FAMILIES } from '../../src/core/index.ts';
import type { TimelineEvent, TimelinePage } from '../../src/core/index.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { waitFor } from '../gateway/harness.ts';
import { call, startApp, startTestNetwork, type TestApp, type TestNetwork } from '../support/network.ts';

const SYNC_INTERVAL_MS = 300;
const EXPORT_SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'export-timeline.ts');

function runScript(args: string[]): Promise<{ status: number; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', EXPORT_SCRIPT, ...args], (err, _stdout, stderr) => {
      done({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stderr });
    });
  });
}

async function timeline(app: TestApp, query = 'since=0&limit=5000'): Promise<TimelinePage & { count: number }> {
  const r = await call<TimelinePage & { count: number }>(app, 'GET', `/api/timeline?${query}`);
  expect(r.status).toBe(200);
  return r.body;
}

describe('api component', () => {
  let app: TestApp;
  let gateway: Gateway;
  const published: { subject: string; event: TimelineEvent }[] = [];
  let healthBefore: Record<string, unknown>;

  let network: TestNetwork | undefined;

  beforeAll(async () => {
    // /health before any gateway has reached an agent: a host of its own
    const alone = await startApp();
    healthBefore = (await call(alone, 'GET', '/health')).body;
    await alone.close();
    network = await startTestNetwork({ syncIntervalMs: SYNC_INTERVAL_MS });
    ({ app, gateway } = network);
    gateway.delivery.subscribe('timeline.>', (subject, data) => published.push({ subject, event: data as TimelineEvent }));
    expect((await call(app, 'PUT', '/agent/0/data/greeting', { text: 'hello' })).status).toBe(200);
    await waitFor('the greeting at agent 8', async () => (await call(app, 'GET', '/agent/8/data/greeting')).status === 200, 30_000, 200);
  }, 120_000);
  afterAll(async () => network?.close());

  it('GET /health: down before any agent was reached, ok once the gateway ticks all nine', async () => {
    expect(healthBefore).toMatchObject({ status: 'down', app: 'crdt-agents-network', agents: 9, agents_up: 0 });
    const health = await waitFor('all up', async () => {
      const h = (await call(app, 'GET', '/health')).body;
      return h.agents_up === 9 ? h : null;
    }, 20_000, 200);
    expect(health.status).toBe('ok');
    expect(Date.parse(String(health.timestamp))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('GET /api/timeline: every agent\'s events in HLC order, each receive after its send', async () => {
    const page = await timeline(app);
    expect(page.count).toBe(page.events.length);
    expect(new Set(page.events.map((e) => e.agent))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    const hlcs = page.events.map((e) => e.hlc);
    expect(hlcs).toEqual([...hlcs].sort());
    const sentAt = new Map(page.events.filter((e) => e.type === 'message_out').map((e) => [e.detail.envelope_id, e.hlc]));
    const receives = page.events.filter((e) => e.type === 'message_in' && sentAt.has(e.detail.envelope_id));
    // the greeting reached all eight others (down agent 0's relay tree): each of them received a
    // StateUpdate whose send is on the page too
    expect(new Set(receives.filter((e) => e.detail.envelope_type === 'StateUpdate').map((e) => e.agent))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
    for (const r of receives) expect(r.hlc > sentAt.get(r.detail.envelope_id)!).toBe(true);
    for (const e of page.events) expect(e.timestamp).toBe(new Date(Date.parse(e.timestamp)).toISOString());
  });

  it('records the user\'s write, the syncs it caused and the messages it travelled in', async () => {
    const put = await call<{ timeline: TimelineEvent[] }>(app, 'PUT', '/agent/5/data/second', [2]);
    // the write, then its StateUpdates to 5's neighbours (2, 4, 8), stamped with 5 as their origin
    expect(put.body.timeline).toEqual([
      expect.objectContaining({ agent: 5, type: 'write_applied', detail: { op: 'put', key: 'second' } }),
      ...[2, 4, 8].map((peer) => expect.objectContaining({ agent: 5, type: 'message_out', peer, detail: expect.objectContaining({ envelope_type: 'StateUpdate', origin: 5 }) })),
    ]);
    const write = (await timeline(app, 'since=0&limit=5000&agent=0&type=write_applied')).events;
    expect(write).toEqual([expect.objectContaining({ agent: 0, type: 'write_applied', detail: { op: 'put', key: 'greeting' } })]);
    expect(write[0]!.bytes).toBeGreaterThan(0);
    const updates = (await timeline(app, 'since=0&limit=5000&type=message_in')).events.filter((e) => e.detail.envelope_type === 'StateUpdate');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates[0]).toMatchObject({ subject: `agent.${updates[0]!.agent}.state`, peer: expect.any(Number), bytes: expect.any(Number), duration_ms: expect.any(Number) });
  });

  it('filters by agent and type; without a cursor returns the newest', async () => {
    const page = await timeline(app, 'agent=2,5&type=message_out,message_in&limit=20');
    expect(page.events.length).toBe(20);
    expect(page.events.every((e) => [2, 5].includes(e.agent) && e.type.startsWith('message_'))).toBe(true);
    expect(page.has_more).toBe(false);
    const newest = (await timeline(app, 'limit=1')).events[0]!;
    const later = await timeline(app, `since=${newest.hlc}`);
    expect(later.events.every((e) => e.hlc > newest.hlc)).toBe(true);
  });

  it('streams NDJSON when asked: one event per line, the cursor in a header', async () => {
    const res = await fetch(`${app.url}/api/timeline?since=0&limit=50`, { headers: { accept: 'application/x-ndjson' } });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines.length).toBe(50);
    const events = lines.map((l) => JSON.parse(l) as TimelineEvent);
    expect(res.headers.get('x-next-cursor')).toBe(events.at(-1)!.hlc);
    expect(res.headers.get('x-has-more')).toBe('true');
  });

  it.each([
    ['since=yesterday', /since must be a cursor/],
    ['agent=9', /agent must be a comma-separated list of an agent id below 9/],
    ['type=gossip', /type must be/],
    ['limit=0', /limit must be an integer from 1 to 5000/],
  ])('refuses ?%s with a 400 JSON error', async (query, message) => {
    const r = await call(app, 'GET', `/api/timeline?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
    expect(typeof r.body.detail).toBe('string');
  });

  it('a refused delivery goes on the agent\'s timeline as an error, and changes nothing else', async () => {
    // the network settles first (the writes of the tests before it everywhere): only the refused delivery may happen in between
    const digests = () => Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8].map(async (id) => (await call(app, 'GET', `/agent/${id}/state`)).body.state_digest));
    await waitFor('all nine agents holding the same state', async () => new Set(await digests()).size === 1, 30_000, 100);
    const before = (await call(app, 'GET', '/agent/3/state')).body;
    const r = await call(app, 'POST', '/agent/3/inbox', [{ v: 1, id: 'bad', type: 'StateUpdate', from: 0, to: 3, ts: 0, hlc: 'x', payload: {} }]);
    expect(r.status).toBe(400);
    const errors = await waitFor('the error event', async () => {
      const e = (await timeline(app, 'since=0&agent=3&type=error')).events;
      return e.length > 0 ? e : null;
    }, 5_000, 100);
    expect(errors[0]).toMatchObject({ agent: 3, detail: { code: 'bad-envelope', route: 'inbox', message: expect.stringMatching(/hlc/) } });
    const after = (await call(app, 'GET', '/agent/3/state')).body;
    expect(after.state_digest).toBe(before.state_digest);
  });

  it('the gateway publishes each agent\'s events on timeline.<id>', async () => {
    await waitFor('published events', () => published.length > 20, 10_000, 100);
    for (const { subject, event } of published.slice(0, 50)) expect(subject).toBe(`timeline.${event.agent}`);
    expect(gateway.stats().timeline_published).toBeGreaterThanOrEqual(published.length);
    // the user's write left with agent 0's next gateway response
    await waitFor('the write event on timeline.0', () => published.some((p) => p.subject === 'timeline.0' && p.event.type === 'write_applied'), 10_000, 100);
  });

  it('GET /api/metrics: liveness, convergence since when, latency and rates', async () => {
    const m = await waitFor('converged metrics', async () => {
      const body = (await call<NetworkMetrics>(app, 'GET', '/api/metrics')).body;
      return body.performance.convergence.converged ? body : null;
    }, 20_000, 200);
    expect(m.agents).toEqual({ total: 9, alive: 9, suspect: 0, down: 0 });
    expect(m.performance.convergence.distinct_states).toBe(1);
    expect(Date.parse(m.performance.convergence.since!)).toBeLessThanOrEqual(Date.parse(m.timestamp));
    const latency = m.performance.delivery_latency_ms;
    expect(latency.samples).toBeGreaterThan(0);
    expect(latency.p50!).toBeLessThanOrEqual(latency.p95!);
    expect(latency.p95!).toBeLessThanOrEqual(latency.max!);
    expect(m.performance.messages_per_second).toBeGreaterThan(0);
    const state = (await call(app, 'GET', '/agent/4/state')).body;
    const four = m.performance.per_agent.find((a) => a.agent === 4)!;
    expect(four.status).toBe('alive');
    expect(four.node_id).toBe(state.node_id);
    expect(four.messages_received).toBeLessThanOrEqual(Number(state.messages_received));
    expect(four.digest).toBe(state.state_digest);
  });

  it('GET /metrics: Prometheus text that a parser reads, with HELP and TYPE for every family', async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = parsePrometheusTextFormat(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const f of families) expect(f.help.length).toBeGreaterThan(0);
    expect(byName.get('crdt_agents_total')?.metrics[0]?.value).toBe('9');
    expect(byName.get('crdt_agent_up')?.metrics.map((s) => s.labels?.agent).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    expect(byName.get('crdt_agent_messages_received_total')?.type).toBe('COUNTER');
    // every receive the agents counted, as a histogram in seconds (the parser gives its buckets)
    expect(byName.get('crdt_delivery_latency_seconds')?.type).toBe('HISTOGRAM');
    const counts = [...text.matchAll(/^crdt_delivery_latency_seconds_count\{agent="(\d+)"\} (\d+)$/gm)].map((m) => Number(m[2]));
    expect(counts).toHaveLength(9);
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(text).not.toMatch(/_per_second|quantile=/);
  });

  it('GET /api/topology: agents with their colours and neighbours, the edges, and how to go live', async () => {
    const t = (await call<TopologyAnswer>(app, 'GET', '/api/topology')).body;
    expect(t).toMatchObject({ topology: 'grid', agent_count: 9, colouring: { proper: true, clashes: [] }, live: { nats_ws_url: null } });
    expect(t.edges).toHaveLength(12);
    const egraph = (await call<EGraphAnswer>(app, 'GET', '/agent/4/egraph')).body;
    expect(t.agents[4]).toEqual({ id: 4, colour: egraph.colour, neighbours: [1, 3, 5, 7] });
    for (const [a, b] of t.edges) expect(t.agents[a]!.colour).not.toBe(t.agents[b]!.colour);
    // the dashboard draws its legend from the rule families
    expect(t.families).toEqual(
      RULE_FAMILIES.map((f) => ({ colour: f.colour, fill: expect.stringMatching(/^#[0-9a-f]{6}$/), rules: f.rules.map((r) => r.name), folds_constants: f.colour === 'GREEN' })),
    );
  });

  it("SpinKube's probes (k8s/spinapp.yaml checks) get 200 from the app", async () => {
    const spinApp = parseAllDocuments(readFileSync(resolve(import.meta.dirname, '..', '..', 'k8s', 'spinapp.yaml'), 'utf8'))
      .map((d) => d.toJS() as { kind: string; spec: { checks: Record<string, { httpGet: { path: string } }> } })
      .find((d) => d.kind === 'SpinApp');
    const paths = Object.values(spinApp!.spec.checks).map((c) => c.httpGet.path);
    expect(paths).toHaveLength(2);
    for (const path of paths) expect((await call(app, 'GET', path)).status, path).toBe(200);
  });

  it('npm run verify: the post-deployment checklist passes against the running network', async () => {
    const lines: string[] = [];
    const result = await verify({ url: app.url, write: true, log: (l) => lines.push(l) });
    expect(result.checks.map((c) => [c.name, c.ok, c.detail])).toEqual([
      ['health', true, expect.stringMatching(/^ok: 9 of 9 agents up/)],
      ['agents', true, '9 agents (grid) answer /state'],
      ['sync', true, expect.stringMatching(/at every agent; all agents hold the same state; a write at agent 0 reached 9 of 9 agents/)],
      ['latency', true, expect.stringMatching(/^request p95 [\d.]+ ms \(limit 1000\)/)],
      ['dashboard', true, expect.stringMatching(/serves the page/)],
    ]);
    expect(result.ok).toBe(true);
    expect(lines.every((l) => l.startsWith('PASS '))).toBe(true);
  }, 90_000);

  it('npm run verify fails, naming the check, where nothing answers', async () => {
    const result = await verify({ url: `http://127.0.0.1:${await freePort()}`, windowMs: 10, log: () => {} });
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({ name: 'health', ok: false, detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('unknown routes and methods get JSON errors', async () => {
    expect(await call(app, 'GET', '/api/nope')).toMatchObject({ status: 404, body: { error: 'no route for /api/nope' } });
    expect(await call(app, 'POST', '/api/timeline', {})).toMatchObject({ status: 405, body: { error: 'POST is not allowed on /api/timeline' } });
  });

  it('npm run export-timeline writes a JSON list of events with timestamp and type', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'can-export-')), 'timeline.json');
    // not spawnSync: the host serving the app runs on this process's event loop
    const run = await runScript(['--out', out, '--url', app.url]);
    expect(run.status, run.stderr).toBe(0);
    const events = JSON.parse(readFileSync(out, 'utf8')) as TimelineEvent[];
    expect(Array.isArray(events)).toBe(true);
    expect(events.length).toBeGreaterThan(100);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.timestamp)) && typeof e.type === 'string')).toBe(true);
    expect(run.stderr).toContain('"msg":"wrote timeline"');
    const bad = await runScript(['--out', out, '--url', app.url, '--type', 'gossip']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 400: type must be/);
  });

  it('GET /agent/:id/timeline: that agent\'s own buffer', async () => {
    const r = await call<{ count: number; events: TimelineEvent[] }>(app, 'GET', '/agent/6/timeline');
    expect(r.body.count).toBeGreaterThan(0);
    expect(r.body.events.every((e) => e.agent === 6)).toBe(true);
  });
  it('pages forward with the cursor, losing and repeating nothing (on a quiet network)', async () => {
    // the buffers move while the gateway runs (new events, the oldest trimmed): stop it first
    await gateway.close();
    const all = await timeline(app);
    const seen: TimelineEvent[] = [];
    let since = '0';
    for (;;) {
      const page = await timeline(app, `since=${since}&limit=97`);
      seen.push(...page.events);
      if (!page.has_more) break;
      since = page.next_cursor!;
    }
    expect(seen.map((e) => e.id)).toEqual(all.events.map((e) => e.id));
    expect(all.events.length).toBeGreaterThan(97 * 3);
  });
});

describe('dashboard component', () => {
  let app: TestApp;
  beforeAll(async () => void (app = await startApp()), 120_000);
  afterAll(async () => app?.close());

  it('serves the page at /dashboard and /dashboard/, and its bundled script and styles', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const res = await fetch(app.url + path);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<script type="module" src="/dashboard/app.js">');
    }
    const js = await fetch(`${app.url}/dashboard/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${app.url}/dashboard/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a fresh ETag, 404 JSON to an unknown file, 405 to a POST', async () => {
    const first = await fetch(`${app.url}/dashboard/app.js`);
    const etag = first.headers.get('etag')!;
    expect((await fetch(`${app.url}/dashboard/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(await call(app, 'GET', '/dashboard/secret.txt')).toMatchObject({ status: 404, body: { error: 'no dashboard file /dashboard/secret.txt' } });
    expect((await call(app, 'POST', '/dashboard', {})).status).toBe(405);
  });
});
