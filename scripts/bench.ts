// `npm run bench`: one run, medians over repeated trials, a JSON summary line at the end.
// Measures the local Spin host serving the built agent component:
//   state_read_ms  GET /agent/:id/state latency (p50/p95) at concurrency 1 and 8, once warm
//   state_read_rps requests/s at concurrency 1 and 8
//   cold_start_ms  process spawn -> first 200 from GET /agent/0/state
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startHost } from '../src/host/index.ts';
import { buildAll } from './build.ts';
import { spinManifest } from './gen-spin-toml.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    requests: { type: 'string', default: '400' },
  },
});
const TRIALS = positiveInt('trials', values.trials);
const REQUESTS = positiveInt('requests', values.requests);

function positiveInt(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

interface Trial {
  p50: number;
  p95: number;
  rps: number;
}

/** `total` requests spread over `concurrency` loops; every answer must be a 200. */
async function load(url: (i: number) => string, total: number, concurrency: number): Promise<Trial> {
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
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), rps: total / elapsed };
}

async function coldStart(manifestPath: string): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), 'can-bench-cold-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', 'host.ts'), '--from', manifestPath, '--listen', `127.0.0.1:${port}`, '--state-dir', stateDir],
    { stdio: 'ignore' },
  );
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/agent/0/state`);
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 60_000) throw new Error('host did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  progress('building components if stale');
  await buildAll();
  const dir = mkdtempSync(join(tmpdir(), 'can-bench-'));
  const manifestPath = join(dir, 'spin.toml');
  writeFileSync(manifestPath, spinManifest({ agents: 9, wasmDir: join(ROOT, 'dist') }));

  progress('cold start: spawning the host (transpile cache warm after the first)');
  await coldStart(manifestPath); // fills the transpile cache, like a second `npm run host`
  const cold: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    cold.push(await coldStart(manifestPath));
    progress(`  cold start trial ${t + 1}/${TRIALS}: ${cold.at(-1)!.toFixed(0)} ms`);
  }

  const host = await startHost({ manifestPath, listen: '127.0.0.1:0', stateDir: join(dir, 'state') });
  try {
    for (let id = 0; id < 9; id++) {
      await fetch(`${host.url}/agent/${id}/data/seed`, { method: 'PUT', body: JSON.stringify({ id }) });
    }
    const url = (i: number) => `${host.url}/agent/${i % 9}/state`;
    progress('warming up');
    await load(url, 100, 8);
    const results: Record<string, Trial[]> = { c1: [], c8: [] };
    for (let t = 0; t < TRIALS; t++) {
      for (const c of [1, 8]) {
        const trial = await load(url, REQUESTS, c);
        results[`c${c}`]!.push(trial);
        progress(`  trial ${t + 1}/${TRIALS} concurrency ${c}: p50 ${trial.p50.toFixed(2)} ms p95 ${trial.p95.toFixed(2)} ms ${trial.rps.toFixed(0)} req/s`);
      }
    }
    const pick = (c: string, k: keyof Trial) => round(median(results[c]!.map((r) => r[k])));
    const summary = {
      bench: 'host',
      trials: TRIALS,
      requests_per_trial: REQUESTS,
      state_read_ms: {
        c1: { p50: pick('c1', 'p50'), p95: pick('c1', 'p95') },
        c8: { p50: pick('c8', 'p50'), p95: pick('c8', 'p95') },
      },
      state_read_rps: { c1: pick('c1', 'rps'), c8: pick('c8', 'rps') },
      cold_start_ms: round(median(cold), 0),
      goal_state_p95_ms: 10,
    };
    console.log(JSON.stringify(summary));
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  progress(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
