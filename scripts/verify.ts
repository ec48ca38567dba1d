// `npm run verify -- --url https://<app>.fermyon.app [--token …] [--read-token …] [--write]` (--write
// needs the auth_token; an app with a read_token needs that on every read): the post-deployment
// checklist against a running app (deployed, or local: `npm start`, then --url http://127.0.0.1:3000).
//   health     GET /health is ok: every agent heartbeating
//   agents     GET /agent/<n>/state answers for every agent /api/topology lists, in the seed's shape
//   sync       every agent receives messages over a window (gateway ticking, NATS delivering) and
//              all hold the same state; with --write, a probe write at agent 0 reaches every agent
//   latency    p95 of this script's own requests, and of NATS delivery as the app measures it
//   dashboard  GET /dashboard serves the page
// Each check prints a line as it finishes (stderr); the summary is one JSON object (stdout).
// Exits 1 when any check fails.
import { commandLine, HELP_OPTION, isMainModule, run, UsageError } from '../src/cli/command-line.ts';
import { quantile, round1 } from '../src/shared/stats.ts';

export interface VerifyOptions {
  url: string;
  token?: string;
  /** sent on every read (an app with a read_token); default: `token` */
  readToken?: string;
  /** PUT a probe key at agent 0 and wait for it everywhere (changes the app's data) */
  write?: boolean;
  /** how long to watch the agents' traffic; default: two sync intervals */
  windowMs?: number;
  maxRequestP95Ms?: number;
  maxDeliveryP95Ms?: number;
  /** the longest a probe write may take to reach every agent */
  propagationTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  figures?: Record<string, unknown>;
}

export interface VerifyResult {
  ok: boolean;
  url: string;
  checks: CheckResult[];
}

/** /agent/:id/state carries at least these (the seed's shape) */
const STATE_FIELDS = ['agent_id', 'node_id', 'egraph_nodes', 'neighbors', 'messages_received', 'messages_sent', 'syncs_completed', 'uptime_seconds'];
const REQUEST_TIMEOUT_MS = 15_000;

export async function verify(o: VerifyOptions): Promise<VerifyResult> {
  const base = o.url.replace(/\/+$/, '');
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const latencies: number[] = [];
  const checks: CheckResult[] = [];
  const record = (c: CheckResult): void => {
    checks.push(c);
    log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  };
  const request = async (path: string, init: RequestInit = {}): Promise<{ status: number; type: string; text: string }> => {
    const started = performance.now();
    const token = init.method === undefined || init.method === 'GET' ? (o.readToken ?? o.token) : o.token;
    const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(base + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    latencies.push(performance.now() - started);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  };
  const getJson = async <T>(path: string): Promise<T> => {
    const r = await request(path);
    if (r.status !== 200 || !r.type.includes('json')) throw new Error(`GET ${path}: HTTP ${r.status} ${r.type} ${r.text.slice(0, 120)}`);
    return JSON.parse(r.text) as T;
  };
  const attempt = async (name: string, body: () => Promise<CheckResult>): Promise<void> => {
    try {
      record(await body());
    } catch (err) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a certificate, …) is its cause
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      record({ name, ok: false, detail: `${(err as Error).message}${cause === undefined ? '' : ` (${cause.code ?? cause.message})`}` });
    }
  };

  let agentCount = 0;
  let syncIntervalMs = 5_000;
  await attempt('health', async () => {
    const h = await getJson<{ status: string; agents: number; agents_up: number }>('/health');
    return { name: 'health', ok: h.status === 'ok', detail: `${h.status}: ${h.agents_up} of ${h.agents} agents up`, figures: h };
  });

  // one request at a time: the latency figure is then what one user's request costs, not a queue
  const states = async (): Promise<Record<string, unknown>[]> => {
    const out: Record<string, unknown>[] = [];
    for (let id = 0; id < agentCount; id++) out.push(await getJson<Record<string, unknown>>(`/agent/${id}/state`));
    return out;
  };
  let before: Record<string, unknown>[] = [];
  await attempt('agents', async () => {
    const topology = await getJson<{ agent_count: number; sync_interval_ms: number; topology: string }>('/api/topology');
    agentCount = topology.agent_count;
    syncIntervalMs = topology.sync_interval_ms;
    before = await states();
    const wrong = before.flatMap((s, id) => {
      const missing = STATE_FIELDS.filter((f) => !(f in s));
      if (s.agent_id !== id) return [`agent ${id} answers as ${String(s.agent_id)}`];
      return missing.length > 0 ? [`agent ${id} lacks ${missing.join(', ')}`] : [];
    });
    return {
      name: 'agents',
      ok: agentCount > 0 && wrong.length === 0,
      detail: wrong.length > 0 ? wrong.join('; ') : `${agentCount} agents (${topology.topology}) answer /state`,
      figures: { agents: agentCount, topology: topology.topology, sync_interval_ms: syncIntervalMs },
    };
  });

  await attempt('sync', async () => {
    const windowMs = o.windowMs ?? 2 * syncIntervalMs;
    await new Promise((r) => setTimeout(r, windowMs));
    const after = await states();
    // every tick re-offers state vectors, so even a quiet network keeps every agent hearing from its neighbours
    const silent = after.flatMap((s, id) => (Number(s.messages_received) > Number(before[id]?.messages_received ?? 0) ? [] : [id]));
    const converged = await convergedWithin(3 * syncIntervalMs);
    const received = after.reduce((n, s, id) => n + Number(s.messages_received) - Number(before[id]?.messages_received ?? 0), 0);
    const figures: Record<string, unknown> = { window_ms: windowMs, messages_received: received, silent_agents: silent, converged };
    let detail =
      `${received} messages received in ${windowMs} ms` +
      (silent.length > 0 ? `, none at agent(s) ${silent.join(', ')}` : ', at every agent') +
      (converged ? '; all agents hold the same state' : '; the agents still hold different states');
    let ok = silent.length === 0 && converged;
    if (o.write === true) {
      const key = `verify-${Date.now()}`;
      const started = performance.now();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const put = await request(`/agent/0/data/${key}`, { method: 'PUT', headers, body: JSON.stringify({ verify: true }) });
      if (put.status !== 200) throw new Error(`PUT /agent/0/data/${key}: HTTP ${put.status} ${put.text.slice(0, 120)}${put.status === 401 ? ' (pass --token)' : ''}`);
      const deadline = started + (o.propagationTimeoutMs ?? Math.max(30_000, 20 * syncIntervalMs));
      let reached = 0;
      while (performance.now() < deadline) {
        reached = 0;
        for (let id = 0; id < agentCount; id++) if ((await request(`/agent/${id}/data/${key}`)).status === 200) reached++;
        if (reached === agentCount) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const ms = Math.round(performance.now() - started);
      figures.write_reached = reached;
      figures.write_propagation_ms = ms;
      ok &&= reached === agentCount;
      detail += `; a write at agent 0 reached ${reached} of ${agentCount} agents in ${ms} ms`;
    }
    return { name: 'sync', ok, detail, figures };
  });

  async function convergedWithin(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      const m = await getJson<{ performance: { convergence: { converged: boolean } } }>('/api/metrics');
      if (m.performance.convergence.converged) return true;
      if (performance.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  await attempt('latency', async () => {
    const metrics = await getJson<{ performance: { delivery_latency_ms: { p95: number | null; samples: number } } }>('/api/metrics');
    const sorted = [...latencies].sort((a, b) => a - b);
    const requestP95 = round1(quantile(sorted, 0.95));
    const delivery = metrics.performance.delivery_latency_ms;
    const maxRequest = o.maxRequestP95Ms ?? 1_000;
    const maxDelivery = o.maxDeliveryP95Ms ?? 5_000;
    const deliveryOk = delivery.p95 !== null && delivery.p95 <= maxDelivery;
    return {
      name: 'latency',
      ok: requestP95 <= maxRequest && deliveryOk,
      detail: `request p95 ${requestP95} ms (limit ${maxRequest}) over ${sorted.length} requests; delivery p95 ${delivery.p95 ?? 'none'} ms (limit ${maxDelivery}) over ${delivery.samples} deliveries`,
      figures: { request_p95_ms: requestP95, requests: sorted.length, delivery_p95_ms: delivery.p95, deliveries: delivery.samples },
    };
  });

  await attempt('dashboard', async () => {
    const r = await request('/dashboard');
    const ok = r.status === 200 && r.type.includes('text/html') && /<title>/i.test(r.text);
    return { name: 'dashboard', ok, detail: ok ? `GET /dashboard serves the page (${r.text.length} bytes)` : `GET /dashboard: HTTP ${r.status} ${r.type}` };
  });

  return { ok: checks.every((c) => c.ok), url: base, checks };
}

const USAGE = `usage: npm run verify -- --url <app URL> [options]   the post-deployment checklist
      --url <url>                     the app's http(s) URL
      --token <t>                     the app's bearer token (default AUTH_TOKEN)
      --read-token <t>                the read token, when the app has one (default READ_TOKEN, else --token)
      --write                         PUT a probe key at agent 0 and time it reaching every agent
      --window-ms <ms>                how long to watch the agents' traffic (default two sync intervals)
      --max-request-p95-ms <ms>       fail above this request p95
      --max-delivery-p95-ms <ms>      fail above this delivery p95
  -h, --help`;

async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: {
      help: HELP_OPTION,
      url: { type: 'string' },
      token: { type: 'string', default: process.env.AUTH_TOKEN ?? '' },
      'read-token': { type: 'string', default: process.env.READ_TOKEN ?? '' },
      write: { type: 'boolean', default: false },
      'window-ms': { type: 'string' },
      'max-request-p95-ms': { type: 'string' },
      'max-delivery-p95-ms': { type: 'string' },
    },
  });
  if (values.url === undefined || !/^https?:\/\//.test(values.url)) {
    throw new UsageError("--url must be the app's http(s) URL, e.g. --url https://crdt-agents-network-abc.fermyon.app");
  }
  const number = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of milliseconds, got ${JSON.stringify(v)}`);
    return n;
  };
  const windowMs = number('window-ms', values['window-ms']);
  const maxRequestP95Ms = number('max-request-p95-ms', values['max-request-p95-ms']);
  const maxDeliveryP95Ms = number('max-delivery-p95-ms', values['max-delivery-p95-ms']);
  const result = await verify({
    url: values.url,
    write: values.write,
    ...(values.token === '' ? {} : { token: values.token }),
    ...(values['read-token'] === '' ? {} : { readToken: values['read-token'] }),
    ...(windowMs === undefined ? {} : { windowMs }),
    ...(maxRequestP95Ms === undefined ? {} : { maxRequestP95Ms }),
    ...(maxDeliveryP95Ms === undefined ? {} : { maxDeliveryP95Ms }),
  });
  console.log(JSON.stringify(result));
  return result.ok ? 0 : 1;
}

if (isMainModule(import.meta.url)) run(USAGE, main);
