// The e-graph figures of `npm run bench`:
//   egraph_rebuild_ms   the spike workload (1k leaves + 99k binary e-nodes, 50k unions, rebuild)
//                       timed inside a componentize-js component under the local host: on the
//                       AssemblyScript kernel composed in as a dependency, and on the TypeScript
//                       reference interpreted by StarlingMonkey (ratio ts/as; goal as < 60 ms)
//   saturate_ms         a fresh nine-agent network (host + gateway) given BENCH_TERMS at agent 4,
//                       until every agent answers every expected best term
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'smol-toml';
import { DEFAULT_CONFIG, startGateway, startHttpServer, type Gateway } from '../src/gateway/index.ts';
import { startHost } from '../src/host/index.ts';
import { buildComponent } from './build.ts';
import { KERNEL_COMPONENT } from './build-kernel.ts';
import { spinManifest } from './manifests/spin-toml.ts';
import type { WorkloadPhases } from '../src/egraph/index.ts';
import { median, round1 as round } from '../src/shared/stats.ts';

const ROOT = resolve(import.meta.dirname, '..');
const WORKLOAD_COMPONENT = 'dist/bench/egraph-workload.wasm';

/** Terms whose best forms need rules of more than one colour (RED reorders, BLUE restructures, GREEN simplifies). */
export const BENCH_TERMS: readonly { term: string; best: string }[] = [
  { term: '(* (+ x 0) 2)', best: '(<< x 1)' },
  { term: '(+ (* x 2) (* 3 x))', best: '(* x 5)' },
];

type Progress = (msg: string) => void;

const total = (p: WorkloadPhases) => p.add + p.merge + p.rebuild;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WorkloadReply {
  phases: WorkloadPhases;
  result: { nodes: number; classes: number; merged: number; rebuilt: number };
}

/** Medians of the spike workload inside a component, AS kernel vs TS reference, and their ratio. */
export async function componentRebuild(trials: number, progress: Progress) {
  await buildComponent({ entry: 'scripts/components/egraph-workload.ts', out: WORKLOAD_COMPONENT, wit: { file: 'src/agent/wit/agent.wit', world: 'agent' } });
  const dir = mkdtempSync(join(tmpdir(), 'can-bench-egraph-'));
  const manifestPath = join(dir, 'spin.toml');
  writeFileSync(
    manifestPath,
    stringify({
      spin_manifest_version: 2,
      application: { name: 'egraph-workload-bench', version: '0.1.0' },
      trigger: { http: [{ route: '/...', component: 'workload' }] },
      component: {
        workload: {
          source: join(ROOT, WORKLOAD_COMPONENT),
          dependencies: { 'crdt-agents:egraph/kernel@0.1.0': { path: KERNEL_COMPONENT } },
        },
      },
    }),
  );
  const host = await startHost({ manifestPath, listen: '127.0.0.1:0', stateDir: join(dir, 'state'), workers: 1, logLevel: 'warn' });
  try {
    const run = async (kernel: 'as' | 'ts'): Promise<WorkloadReply> => {
      const res = await fetch(`${host.url}/?kernel=${kernel}&seed=42`);
      const body = (await res.json()) as WorkloadReply;
      if (res.status !== 200) throw new Error(`workload component answered ${res.status}: ${JSON.stringify(body)}`);
      return body;
    };
    const phases = { as: [] as WorkloadPhases[], ts: [] as WorkloadPhases[] };
    let result: WorkloadReply['result'] | undefined;
    for (let t = -1; t < trials; t++) {
      for (const kernel of ['as', 'ts'] as const) {
        const reply = await run(kernel);
        // both kernels must build the same e-graph, or the times compare different work
        if (result !== undefined && JSON.stringify(reply.result) !== JSON.stringify(result)) {
          throw new Error(`${kernel} kernel disagrees: ${JSON.stringify(reply.result)} vs ${JSON.stringify(result)}`);
        }
        result = reply.result;
        if (t >= 0) phases[kernel].push(reply.phases); // trial -1 warms the host up
      }
      const [as, ts] = [phases.as.at(-1)!, phases.ts.at(-1)!];
      if (t >= 0) progress(`  trial ${t + 1}/${trials}: rebuild AS ${as.rebuild.toFixed(1)} ms / TS ${ts.rebuild.toFixed(0)} ms; whole workload AS ${total(as).toFixed(0)} ms / TS ${total(ts).toFixed(0)} ms`);
    }
    const of = (kernel: 'as' | 'ts', pick: (p: WorkloadPhases) => number) => median(phases[kernel].map(pick));
    const rebuild = { as: of('as', (p) => p.rebuild), ts: of('ts', (p) => p.rebuild) };
    const whole = { as: of('as', total), ts: of('ts', total) };
    return {
      egraph_rebuild_ms: { as_kernel: round(rebuild.as), ts_in_component: round(rebuild.ts), ratio: round(rebuild.ts / rebuild.as) },
      egraph_workload_ms: {
        as_kernel: round(whole.as),
        ts_in_component: round(whole.ts),
        ratio: round(whole.ts / whole.as),
        as_phases: { add: round(of('as', (p) => p.add)), merge: round(of('as', (p) => p.merge)), rebuild: round(rebuild.as) },
      },
      egraph_workload: result,
    };
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh nine-agent network wired as `npm start` wires one (the agents hand their writes to the gateway's publish port), for `fn`. */
async function withNetwork<T>(natsUrl: string | undefined, syncIntervalMs: number, fn: (url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'can-bench-egraph-'));
  const manifestPath = join(dir, 'spin.toml');
  writeFileSync(manifestPath, spinManifest({ agents: 9, wasmDir: join(ROOT, 'dist') }));
  let gateway: Gateway | null = null;
  const gatewayHttp = await startHttpServer(() => gateway, 0, { host: '127.0.0.1' });
  const env = { ...process.env, SPIN_VARIABLE_GATEWAY_URL: `http://127.0.0.1:${gatewayHttp.port}` };
  const host = await startHost({ manifestPath, listen: '127.0.0.1:0', stateDir: join(dir, 'state'), logLevel: 'warn', env });
  gateway = await startGateway({ ...DEFAULT_CONFIG, appUrl: host.url, natsUrl, syncIntervalMs, healthTimeoutMs: 5_000, logLevel: 'error' });
  try {
    return await fn(host.url);
  } finally {
    await gateway.close();
    await gatewayHttp.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postTerm(url: string, agent: number, term: string): Promise<void> {
  const res = await fetch(`${url}/agent/${agent}/terms`, { method: 'POST', body: JSON.stringify({ term }), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200) throw new Error(`POST /agent/${agent}/terms answered ${res.status}: ${await res.text()}`);
}

/** Median time for a fresh network to agree on every BENCH_TERMS answer at all nine agents. */
export async function networkSaturation(trials: number, natsUrl: string | undefined, progress: Progress) {
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const ms = await withNetwork(natsUrl, 1_000, async (url) => {
      const started = performance.now();
      for (const { term } of BENCH_TERMS) await postTerm(url, 4, term);
      const agreed = async () => {
        for (const { term, best } of BENCH_TERMS) {
          for (let id = 0; id < 9; id++) {
            const res = await fetch(`${url}/agent/${id}/egraph/best?term=${encodeURIComponent(term)}`);
            if (((await res.json()) as { best?: string }).best !== best) return false;
          }
        }
        return true;
      };
      while (!(await agreed())) {
        if (performance.now() - started > 300_000) throw new Error('the network did not agree on the bench terms within 300 s');
        await sleep(100);
      }
      return performance.now() - started;
    });
    times.push(ms);
    progress(`  saturate trial ${t + 1}/${trials}: ${ms.toFixed(0)} ms`);
  }
  return { saturate_ms: round(median(times)), saturate_terms: BENCH_TERMS.length };
}

/** One of egg's math cases (the peer suite's data, test/egraph/egg-math/). */
export interface EggCase {
  name: string;
  start: string;
  goals: string[];
}

/**
 * egg's cases posted one after another on one fresh network at the default SYNC_INTERVAL (5 s), as
 * a user would, each at the next agent and given `givenMs`: proved when all nine agents answer every
 * goal equal to the start (GET /egraph/equal, polled every 2 s).
 */
export async function eggSequence(cases: readonly EggCase[], givenMs: number, natsUrl: string | undefined, progress: Progress) {
  return withNetwork(natsUrl, DEFAULT_CONFIG.syncIntervalMs, async (url) => {
    const equalEverywhere = async (c: EggCase): Promise<boolean> => {
      for (let id = 0; id < 9; id++) {
        for (const goal of c.goals) {
          const res = await fetch(`${url}/agent/${id}/egraph/equal?a=${encodeURIComponent(c.start)}&b=${encodeURIComponent(goal)}`);
          if (!((await res.json()) as { equal?: boolean }).equal) return false;
        }
      }
      return true;
    };
    const proved: Record<string, number | null> = {};
    for (const [i, c] of cases.entries()) {
      const started = performance.now();
      await postTerm(url, i % 9, c.start);
      proved[c.name] = null;
      while (performance.now() - started < givenMs) {
        if (await equalEverywhere(c)) {
          proved[c.name] = round(performance.now() - started);
          break;
        }
        await sleep(2_000);
      }
      progress(`  ${c.name}: ${proved[c.name] === null ? `not proved within ${givenMs / 1000} s` : `proved in ${proved[c.name]} ms`}`);
    }
    const egraph = (await (await fetch(`${url}/agent/4/egraph`)).json()) as { terms: number; unions: number };
    return { egg_sequence: { given_s: givenMs / 1000, proved: Object.values(proved).filter((ms) => ms !== null).length, cases: cases.length, proved_ms: proved, records_after: egraph.terms + egraph.unions } };
  });
}
