// `npm run bench`: one run, medians over repeated trials, a JSON summary line at the end.
// The local Spin host serves the built agent components; the gateway delivers over a real
// nats-server (in-process delivery, said so in the summary, only when none is installed).
//   state_read_ms          GET /agent/:id/state p50/p95 at concurrency 1 and 8, once warm (+ req/s)
//   request_breakdown_ms   per kind of request (state read, data read, PUT, inbox of 8 updates, tick): the
//                          component's Server-Timing phases, the host's instantiate, and fresh_instance
//                          (instantiate + the component's phases), medians (bench-breakdown.ts)
//   size_ladder_ms         10 KB / 100 KB / 1 MB of user data at one agent: state read, data read, PUT, tick,
//                          sync of a fresh neighbour, a compacting PUT (bench-sizes.ts)
//   cold_start_ms          `npm run host` (dist/host.mjs) spawn -> first 200 (transpile cache warm)
//   converge_ms            PUT at agent 0 -> readable at all 9 (3x3 grid, diameter 4), p50/p95, at the
//                          default SYNC_INTERVAL (5 s): a write leaves at once, the tick only repairs
//   write_load             acknowledged PUTs/s across the nine agents from 1 / 4 / 16 clients (--load-seconds
//                          each), GET /state p95 under that load (one client reading back to back; its
//                          reads/s), the peak RSS of the host process
//                          (serving the nine agents, run as `npm run host` runs it) and of the bench's own
//                          process (the gateway and the clients); no PUT may be lost
//   writers                Yjs clients per agent after the writes (one per writing request) and the
//                          bytes of the state vector a SyncRequest carries
//   api_read_ms            GET /api/timeline (newest 500 of 9 buffers) and /api/metrics p50/p95, network running
//   deliveries_per_s       envelopes applied per second across the 9 agents under a publish burst
//   rate_ladder            StateUpdates offered at 25 .. 4,000/s for --rate-seconds each: handled/s, delivery
//                          p50/p95 (timed by the agents), dropped, time to converge after (bench-rates.ts)
//   raw_nats_rtt_ms        NATS request/reply on the same broker, p50
//   gateway_overhead_ratio gateway round trip (SyncRequest on NATS -> SyncResponse on NATS) / raw rtt
//   gateway_rtt_unanswered SyncRequests the agent held back (its deferred answers, DEFERRED_ANSWER_MS): not timed
//   state_bytes_per_agent  KV bytes of an agent's doc after 10k writes, vs Yjs's encoding of that doc
//   egraph_rebuild_ms      100k e-nodes + 50k unions rebuilt inside a component: AS kernel vs TS (bench-egraph.ts)
//   saturate_ms            a fresh network agreeing on the bench terms' best forms (bench-egraph.ts)
//   egg_sequence           with --egg-seconds: egg's math cases posted one after another on one fresh network
//                          (default SYNC_INTERVAL), each given that long: which were proved at all nine, and when
import { connect } from '@nats-io/transport-node';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as Y from 'yjs';
import { AppClient } from '../src/client/index.ts';
import { formatHlc, toBase64, type Envelope } from '../src/core/index.ts';
import { median, quantile, roundTo } from '../src/shared/stats.ts';
import { DEFAULT_CONFIG, startGateway, startHttpServer, type Gateway, findNatsServer, startNatsServer, type NatsServer, natsServers } from '../src/gateway/index.ts';
import { startHost } from '../src/host/index.ts';
import { requestBreakdown } from './bench-breakdown.ts';
import { rateLadder } from './bench-rates.ts';
import { sizeLadder } from './bench-sizes.ts';
import { componentRebuild, eggSequence, networkSaturation, type EggCase } from './bench-egraph.ts';
import eggCases from '../test/egraph/egg-math/egg-math-cases.json' with { type: 'json' };
import eggExtraCases from '../test/egraph/egg-math/egg-extra-cases.json' with { type: 'json' };
import { buildAll } from './build.ts';
import { spawnHostProcess, type HostProcess } from './host-process.ts';
import { spinManifest } from './manifests/spin-toml.ts';
import { commandLine, HELP_OPTION, positiveIntegerOption, run, validated } from '../src/cli/command-line.ts';

const ROOT = resolve(import.meta.dirname, '..');
const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const USAGE = `usage: npm run bench -- [options]   (figures: see the top of scripts/bench.ts)
      --trials <n>          repeated trials per figure, medians reported (default 5)
      --requests <n>        GET /state requests per trial (default 400)
      --writes <n>          PUTs for the state-size figure (default 10000)
      --burst <n>           StateUpdates published in the delivery burst (default 5000)
      --load-seconds <n>    seconds of PUT load at each concurrency (default 30)
      --rate-seconds <n>    seconds at each step of the rate ladder (default 30)
      --egg-seconds <n>     also post egg's 19 math cases one after another on one network, each
                            given <n> s (issue 12's figure: 90, ~20 min); not run without it
  -h, --help`;
const { values } = commandLine(USAGE, {
  options: {
    trials: { type: 'string', default: '5' },
    requests: { type: 'string', default: '400' },
    writes: { type: 'string', default: '10000' },
    burst: { type: 'string', default: '5000' },
    'load-seconds': { type: 'string', default: '30' },
    'rate-seconds': { type: 'string', default: '30' },
    'egg-seconds': { type: 'string' },
    help: HELP_OPTION,
  },
});
const [LOAD_SECONDS, RATE_SECONDS, TRIALS, REQUESTS, WRITES, BURST] = validated(USAGE, () =>
  (['load-seconds', 'rate-seconds', 'trials', 'requests', 'writes', 'burst'] as const).map((name) => positiveIntegerOption(name, values[name])),
) as [number, number, number, number, number, number];
const EGG_SECONDS = validated(USAGE, () => positiveIntegerOption('egg-seconds', values['egg-seconds'], 'optional'));

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

const p95 = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.95);
const round = (x: number, digits = 2): number => roundTo(x, digits);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function put(url: string, value: unknown): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`PUT ${url} answered ${res.status}`);
}

interface LoadTrial {
  p50: number;
  p95: number;
  rps: number;
}

/** `total` GETs spread over `concurrency` loops; every answer must be a 200. */
async function load(url: (i: number) => string, total: number, concurrency: number): Promise<LoadTrial> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(url(i));
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET ${url(i)} answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { p50: median(latencies), p95: p95(latencies), rps: total / elapsed };
}

/** Spawns the host as `npm run host` does, on `stateDir` (which holds its transpile cache), and times the first 200. */
async function coldStart(manifestPath: string, stateDir: string): Promise<number> {
  const started = performance.now();
  // any free port: a random one collided now and then with the machine's own connections, and the
  // host that could not listen exited before the bench's first request
  const host = await spawnHostProcess({ manifestPath, listen: '127.0.0.1:0', stateDir, env: { ...process.env, LOG_LEVEL: 'warn' }, logsTo: 'stderr' });
  try {
    for (;;) {
      try {
        if ((await fetch(`${host.url}/agent/0/state`)).status === 200) return performance.now() - started;
      } catch {
        // not answering yet
      }
      if (performance.now() - started > 120_000) throw new Error('host did not answer within 120 s');
      await sleep(5);
    }
  } finally {
    await host.close();
  }
}

/** A process's resident memory now, in MB (Linux /proc); 0 where there is none. */
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) / 1024;
  } catch {
    return 0;
  }
}

/**
 * How long the state reads warm the host up first. A host just spawned serves slower while V8
 * tiers the components' code up on the same two cores: c8 reads per second, second by second from
 * spawn, ran 241, 314, 312, 175, 245, 294, 287, 342, 365, 369, 365 (`.probe/warmup.mts`).
 */
const WARM_UP_MS = 10_000;

async function stateReads(host: HostProcess) {
  const url = (i: number) => `${host.url}/agent/${i % 9}/state`;
  progress(`state reads: warming up (${WARM_UP_MS / 1000} s at c8)`);
  const warmUntil = performance.now() + WARM_UP_MS;
  while (performance.now() < warmUntil) await load(url, 100, 8);
  const trials: Record<'c1' | 'c8', LoadTrial[]> = { c1: [], c8: [] };
  for (let t = 0; t < TRIALS; t++) {
    for (const c of [1, 8] as const) {
      const trial = await load(url, REQUESTS, c);
      trials[`c${c}`].push(trial);
      progress(`  trial ${t + 1}/${TRIALS} c${c}: p50 ${trial.p50.toFixed(2)} ms p95 ${trial.p95.toFixed(2)} ms ${trial.rps.toFixed(0)} req/s`);
    }
  }
  const pick = (c: 'c1' | 'c8', k: keyof LoadTrial) => round(median(trials[c].map((r) => r[k])));
  return {
    state_read_ms: { c1: { p50: pick('c1', 'p50'), p95: pick('c1', 'p95') }, c8: { p50: pick('c8', 'p50'), p95: pick('c8', 'p95') } },
    state_read_rps: { c1: pick('c1', 'rps'), c8: pick('c8', 'rps') },
  };
}

/** PUT at agent 0, then poll all nine until each returns the value. */
/** The api component's reads while the gateway ticks the network (what a dashboard costs). */
async function apiReads(host: HostProcess) {
  const out: Record<string, { p50: number; p95: number }> = {};
  for (const [name, path] of [['timeline', '/api/timeline?limit=500'], ['metrics', '/api/metrics']] as const) {
    const trials: LoadTrial[] = [];
    for (let t = 0; t < TRIALS; t++) {
      trials.push(await load(() => `${host.url}${path}`, Math.max(20, Math.floor(REQUESTS / 4)), 1));
      progress(`  ${path} trial ${t + 1}/${TRIALS}: p50 ${trials.at(-1)!.p50.toFixed(2)} ms p95 ${trials.at(-1)!.p95.toFixed(2)} ms`);
    }
    out[name] = { p50: round(median(trials.map((r) => r.p50))), p95: round(median(trials.map((r) => r.p95))) };
  }
  return { api_read_ms: out };
}

async function convergence(host: HostProcess): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < TRIALS * 2; t++) {
    const key = `converge-${t}`;
    const started = performance.now();
    await put(`${host.url}/agent/0/data/${key}`, t);
    await Promise.all(
      AGENTS.map(async (id) => {
        while ((await getJson(`${host.url}/agent/${id}/data/${key}`)).status !== 200) {
          if (performance.now() - started > 60_000) throw new Error(`${key} did not reach agent ${id} within 60 s`);
          await sleep(2);
        }
      }),
    );
    times.push(performance.now() - started);
    progress(`  converge trial ${t + 1}/${TRIALS * 2}: ${times.at(-1)!.toFixed(0)} ms`);
    await sleep(200);
  }
  return times;
}

const ECHO_SUBJECT = 'agent.bench.echo';
/** a SyncRequest not answered by then was held back by the agent (longer than DEFERRED_ANSWER_MS) */
const UNANSWERED_AFTER_MS = 3_000;

/** Round trips through NATS: raw request/reply vs SyncRequest -> gateway -> agent -> SyncResponse. */
async function natsRoundTrips(natsUrl: string) {
  const nc = await connect(natsServers(natsUrl));
  try {
    // a subject the broker's gateway user may use (src/gateway/nats-config.ts) and no gateway listens on
    nc.subscribe(ECHO_SUBJECT, { callback: (err, msg) => void (err === null && msg.respond(msg.data)) });
    const raw: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await nc.request(ECHO_SUBJECT, 'ping', { timeout: 2_000 });
      if (i >= 50) raw.push(performance.now() - t);
    }
    // Agent 5 asks agent 4 for what it lacks (an empty state vector): 4 answers on agent.5.state.
    const emptySv = toBase64(Y.encodeStateVector(new Y.Doc()));
    const gateway: number[] = [];
    let unanswered = 0;
    for (let i = 0; i < 60; i++) {
      const id = `bench-sync-${i}`;
      const sub = nc.subscribe('agent.5.state');
      const answered = (async () => {
        for await (const msg of sub) {
          const e = msg.json<Envelope>();
          if (e.type === 'SyncResponse' && e.from === 4) return true;
        }
        return false;
      })();
      await nc.flush();
      const request: Envelope = { v: 1, id, type: 'SyncRequest', from: 5, to: 4, ts: Date.now(), hlc: formatHlc({ wall: Date.now(), counter: 0, node: 5 }), payload: { sv: emptySv, ds: '0' } };
      const t = performance.now();
      nc.publish('agent.4.sync', JSON.stringify(request));
      // An agent whose state changed in the last DEFERRED_ANSWER_MS holds back a second answer to a
      // neighbour it answered in that window (the next tick's exchange repairs): not a round trip.
      const timedOut = sleep(UNANSWERED_AFTER_MS).then(() => false);
      const ok = await Promise.race([answered, timedOut]);
      const ms = performance.now() - t;
      sub.unsubscribe();
      if (!ok) {
        unanswered += 1;
        continue;
      }
      if (i >= 10) gateway.push(ms);
      await sleep(20);
    }
    return { raw, gateway, unanswered };
  } finally {
    await nc.close();
  }
}

/** The burst's foreign writers are clients BURST_CLIENTS .. BURST_CLIENTS + BURST - 1. */
const BURST_CLIENTS = 1_000_000;

/** A burst of StateUpdates from foreign writers, published on NATS; count what the agents apply. */
async function deliveries(natsUrl: string, gateway: Gateway): Promise<number> {
  const nc = await connect(natsServers(natsUrl));
  try {
    const before = gateway.stats().queues.delivered;
    const started = performance.now();
    for (let i = 0; i < BURST; i++) {
      const writer = new Y.Doc();
      writer.clientID = BURST_CLIENTS + i;
      writer.getMap('data').set(`burst-${i % 500}`, i);
      const to = i % 9;
      const from = to === 0 ? 1 : to - 1;
      const e: Envelope = { v: 1, id: `burst-${i}`, type: 'StateUpdate', from, to, ts: Date.now(), hlc: formatHlc({ wall: Date.now(), counter: 0, node: from }), payload: { update: toBase64(Y.encodeStateAsUpdate(writer)) } };
      nc.publish(`agent.${to}.state`, JSON.stringify(e));
      if (i % 500 === 499) await nc.flush();
    }
    await nc.flush();
    // Ticks keep the gateway busy, so wait for the burst's own count rather than for idleness.
    while (gateway.stats().queues.delivered - before < BURST) {
      if (performance.now() - started > 300_000) throw new Error('the burst was not delivered within 300 s');
      await sleep(20);
    }
    const elapsed = (performance.now() - started) / 1000;
    const delivered = gateway.stats().queues.delivered - before;
    progress(`  ${delivered} envelopes applied in ${elapsed.toFixed(2)} s (${BURST} published, plus relays and acks meanwhile)`);
    return delivered / elapsed;
  } finally {
    await nc.close();
  }
}

/**
 * Clients PUT as fast as they are answered, spread over the nine agents, while one reader times
 * GET /state; then every acknowledged key must be readable where it was written.
 */
async function writeLoad(host: HostProcess) {
  const out: Record<string, { acked_per_s: number; state_p95_ms: number; state_reads_per_s: number; host_rss_mb: number; bench_rss_mb: number }> = {};
  for (const clients of [1, 4, 16]) {
    const acked: { agent: number; key: string }[] = [];
    const reads: number[] = [];
    let hostRss = rssMb(host.pid);
    let benchRss = process.memoryUsage().rss / 1024 / 1024;
    const until = performance.now() + LOAD_SECONDS * 1000;
    let n = 0;
    const writer = async (): Promise<void> => {
      while (performance.now() < until) {
        const i = n++;
        const agent = i % 9;
        const key = `load-c${clients}-${i}`;
        const res = await fetch(`${host.url}/agent/${agent}/data/${key}`, { method: 'PUT', body: JSON.stringify(i), headers: { 'content-type': 'application/json' } });
        await res.arrayBuffer();
        if (res.status === 200) acked.push({ agent, key });
      }
    };
    const reader = async (): Promise<void> => {
      while (performance.now() < until) {
        const t = performance.now();
        const res = await fetch(`${host.url}/agent/${reads.length % 9}/state`);
        await res.arrayBuffer();
        reads.push(performance.now() - t);
        hostRss = Math.max(hostRss, rssMb(host.pid));
        benchRss = Math.max(benchRss, process.memoryUsage().rss / 1024 / 1024);
      }
    };
    const started = performance.now();
    await Promise.all([reader(), ...Array.from({ length: clients }, writer)]);
    const elapsed = (performance.now() - started) / 1000;
    let lost = 0;
    for (const { agent, key } of acked) if ((await getJson(`${host.url}/agent/${agent}/data/${key}`)).status !== 200) lost++;
    if (lost > 0) throw new Error(`${lost} of ${acked.length} acknowledged PUTs are not readable at their agent`);
    // the reader reads back to back: the faster its reads, the more of the workers' time it takes
    const figures = { acked_per_s: round(acked.length / elapsed, 1), state_p95_ms: round(p95(reads), 1), state_reads_per_s: round(reads.length / elapsed, 1), host_rss_mb: Math.round(hostRss), bench_rss_mb: Math.round(benchRss) };
    out[`c${clients}`] = figures;
    progress(
      `  c${clients}: ${acked.length} PUTs acknowledged in ${elapsed.toFixed(1)} s (${figures.acked_per_s}/s), none lost; GET /state p95 ${figures.state_p95_ms} ms (${figures.state_reads_per_s} reads/s); ` +
        `peak RSS: host ${figures.host_rss_mb} MB, bench + gateway ${figures.bench_rss_mb} MB`,
    );
  }
  return { write_load: out };
}

/** Runs `fn` against a host of its own on `stateDir`, started with the cold runs' transpile cache. */
async function withHost<T>(manifestPath: string, stateDir: string, coldDir: string, env: NodeJS.ProcessEnv, fn: (url: string) => Promise<T>): Promise<T> {
  cpSync(join(coldDir, 'transpiled'), join(stateDir, 'transpiled'), { recursive: true });
  const host = await startHost({ manifestPath, listen: '127.0.0.1:0', stateDir, logLevel: 'error', env });
  try {
    return await fn(host.url);
  } finally {
    await host.close();
  }
}

/** Waits (at most 120 s) until the gateway sees every agent's digest equal. */
async function untilConverged(gateway: Gateway, when: string): Promise<void> {
  const started = performance.now();
  while (!gateway.networkStatus().converged) {
    if (performance.now() - started > 120_000) throw new Error(`network did not converge within 120 s ${when}`);
    await sleep(100);
  }
}

/** WRITES PUTs spread over the nine agents (sequential per agent: one writer each), then sizes. */
async function stateBytes(host: HostProcess, gateway: Gateway) {
  let done = 0;
  await Promise.all(
    AGENTS.map(async (id) => {
      for (let i = id; i < WRITES; i += AGENTS.length) {
        await put(`${host.url}/agent/${id}/data/w${i % 1000}`, { i, by: id });
        if (++done % 1000 === 0) progress(`  ${done}/${WRITES} writes`);
      }
    }),
  );
  await untilConverged(gateway, 'after the writes');
  const states = await Promise.all(AGENTS.map(async (id) => (await getJson(`${host.url}/agent/${id}/state`)).body));
  const stored = states.map((s) => s.stored_bytes as number);
  // the doc's own encoding, as a Yjs client loading GET /doc holds it (the summary's doc_bytes is
  // measured only when a request loads the doc anyway, so it may predate the last writes)
  const client = new AppClient({ url: host.url });
  const yjs = await Promise.all(
    AGENTS.map(async (id) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, await client.doc(id));
      return Y.encodeStateAsUpdate(doc).length;
    }),
  );
  const vectors = states.map((s) => new Map(Object.entries(s.state_vector as Record<string, number>).map(([client, clock]) => [Number(client), clock])));
  return {
    stored: median(stored),
    yjs: median(yjs),
    ratio: median(stored.map((s, i) => s / yjs[i]!)),
    writers: median(vectors.map((v) => v.size)),
    // the agents' own writers: the burst's one-update senders left out
    agentWriters: median(vectors.map((v) => [...v.keys()].filter((c) => c < BURST_CLIENTS || c >= BURST_CLIENTS + BURST).length)),
    svBytes: median(vectors.map((v) => Y.encodeStateVector(v).length)),
  };
}

async function main(): Promise<void> {
  progress('building components if stale');
  await buildAll();
  const dir = mkdtempSync(join(tmpdir(), 'can-bench-'));
  const manifestPath = join(dir, 'spin.toml');
  writeFileSync(manifestPath, spinManifest({ agents: 9, wasmDir: join(ROOT, 'dist') }));

  progress('cold start: spawning the host (the first start fills the transpile cache)');
  const coldDir = join(dir, 'cold');
  await coldStart(manifestPath, coldDir);
  const cold: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    cold.push(await coldStart(manifestPath, coldDir));
    progress(`  cold start trial ${t + 1}/${TRIALS}: ${cold.at(-1)!.toFixed(0)} ms`);
  }

  const binary = findNatsServer();
  let nats: NatsServer | null = null;
  if (binary === null) progress('nats-server not on PATH: the gateway delivers in-process; NATS figures are skipped');
  else nats = await startNatsServer({ binary, dataDir: join(dir, 'nats') });
  // the gateway's HTTP port first: the agents hand their users' writes to it (gateway_url)
  let gateway: Gateway | null = null;
  const gatewayHttp = await startHttpServer(() => gateway, 0, { host: '127.0.0.1' });
  const env = { ...process.env, SPIN_VARIABLE_GATEWAY_URL: `http://127.0.0.1:${gatewayHttp.port}` };
  // A host started before (the cold-start runs) left its transpile cache: this host starts as a
  // user's second `npm start` does, so its memory figure is a running host's, not a first build's.
  cpSync(join(coldDir, 'transpiled'), join(dir, 'state', 'transpiled'), { recursive: true });
  // The host in a process of its own, as a user runs it: its memory is its own figure.
  // its warnings as a host at LOG_LEVEL=warn prints them, beside the bench's progress on stderr
  const host = await spawnHostProcess({ manifestPath, listen: '127.0.0.1:0', stateDir: join(dir, 'state'), env: { ...env, LOG_LEVEL: 'warn' }, logsTo: 'stderr' });
  try {
    for (const id of AGENTS) await put(`${host.url}/agent/${id}/data/seed`, { id });
    // The host alone first: reads are not competing with the gateway's deliveries and ticks.
    const reads = await stateReads(host);
    gateway = await startGateway({
      ...DEFAULT_CONFIG,
      appUrl: host.url,
      natsUrl: nats?.url,
      logLevel: 'error',
    });
    progress(`convergence: PUT at agent 0 -> visible at all nine (SYNC_INTERVAL ${DEFAULT_CONFIG.syncIntervalMs} ms)`);
    const converge = await convergence(host);
    progress('api reads: /api/timeline and /api/metrics while the network runs');
    const api = await apiReads(host);
    let natsFigures = {};
    if (nats !== null) {
      progress('NATS round trips: raw request/reply vs through the gateway and an agent');
      const rtt = await natsRoundTrips(nats.url);
      progress(`deliveries: a burst of ${BURST} StateUpdates on NATS`);
      const rate = await deliveries(nats.url, gateway);
      natsFigures = {
        raw_nats_rtt_ms: round(median(rtt.raw), 3),
        gateway_rtt_ms: round(median(rtt.gateway)),
        gateway_overhead_ratio: round(median(rtt.gateway) / median(rtt.raw), 1),
        gateway_rtt_unanswered: rtt.unanswered,
        deliveries_per_s: round(rate, 0),
      };
    }
    progress(`write load: clients PUT for ${LOAD_SECONDS} s each at 1, 4 and 16 clients`);
    const writes = await writeLoad(host);
    progress(`state size: ${WRITES} writes spread over the nine agents`);
    const bytes = await stateBytes(host, gateway);
    // last on this network: its top rates leave backlogs no later figure should inherit
    let ladder = {};
    if (nats !== null) {
      progress(`rate ladder: StateUpdates offered at 25 .. 4,000/s for ${RATE_SECONDS} s each`);
      ladder = await rateLadder(nats.url, gateway, RATE_SECONDS, progress);
    }
    const delivery = gateway.delivery.kind;
    // The e-graph figures need the machine to themselves: this network stops ticking first.
    await gateway.close();
    gateway = null;
    await host.close();
    // Hosts of their own (no gateway: a write's publish is refused at once) for the per-request figures.
    progress('per-request breakdown inside the component (Server-Timing), one agent, a host of its own');
    const breakdown = await withHost(manifestPath, join(dir, 'breakdown'), coldDir, env, (url) => requestBreakdown(url, Math.max(20, Math.floor(REQUESTS / 4)), progress));
    progress('size ladder: one agent holding 10 KB / 100 KB / 1 MB, each on a host of its own');
    const sizes = await sizeLadder((stateDir, fn) => withHost(manifestPath, stateDir, coldDir, env, fn), dir, progress);
    progress('e-graph: the kernel workload inside a component, AS kernel vs TS reference');
    const rebuild = await componentRebuild(TRIALS, progress);
    progress('e-graph: fresh nine-agent networks saturating the bench terms');
    const saturation = await networkSaturation(TRIALS, nats?.url, progress);
    let sequence = {};
    if (EGG_SECONDS !== undefined) {
      const cases = ([...eggCases, ...eggExtraCases] as (EggCase & { rules: unknown })[]).filter((c) => c.rules === 'math');
      progress(`e-graph: egg's ${cases.length} math cases one after another on one network, ${EGG_SECONDS} s each`);
      sequence = await eggSequence(cases, EGG_SECONDS * 1_000, nats?.url, progress);
    }
    const summary = {
      bench: 'network',
      delivery,
      trials: TRIALS,
      ...reads,
      ...breakdown,
      cold_start_ms: round(median(cold), 0),
      converge_ms: { p50: round(median(converge), 1), p95: round(p95(converge), 1) },
      ...api,
      ...natsFigures,
      ...ladder,
      state_bytes_per_agent: bytes.stored,
      yjs_doc_bytes: bytes.yjs,
      state_bytes_ratio: round(bytes.ratio, 2),
      ...writes,
      ...sizes,
      writers_per_agent: bytes.writers,
      agent_writers_per_agent: bytes.agentWriters,
      state_vector_bytes: bytes.svBytes,
      ...rebuild,
      ...saturation,
      ...sequence,
      goals: { state_p95_ms: 10, converge_p50_ms: 500, converge_p95_ms: 1_000, acked_puts_per_s_c16: 200, deliveries_per_s: 1_000, egraph_rebuild_ms: 60 },
    };
    console.log(JSON.stringify(summary));
  } finally {
    await gateway?.close();
    await gatewayHttp.close();
    await host.close(); // a second close is a no-op
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

run(USAGE, main);
