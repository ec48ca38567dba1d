// The size ladder: one agent holding 10 KB / 100 KB / 1 MB of user data (8 KB values), on a host of
// its own, and what each kind of request costs it: a state read (from the summary, and right after
// a write, when it loads the doc), a data read, a small PUT, a tick, the sync of a fresh neighbour
// (a SyncRequest with an empty state vector, answered with the whole doc), and a PUT that compacts.
// Wall time and the component's own time (the sum of its Server-Timing phases), medians.
import { join } from 'node:path';
import * as Y from 'yjs';
import { formatHlc, toBase64, type Envelope } from '../src/core/index.ts';
import { median, round1 } from '../src/shared/stats.ts';
import { serverTimingPhases } from './bench-breakdown.ts';

const AGENT = 4;
const SIZES = [10_000, 100_000, 1_000_000];
const REPEATS = 5;
/** compacting PUTs timed per size (one in 33 writes compacts: each sample costs 33 PUTs) */
const COMPACTIONS = 1;

interface Timed {
  wall: number;
  component: number;
  body: Record<string, unknown>;
}


async function timed(url: string, init?: RequestInit): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(url, init);
  const body = (await res.json()) as Record<string, unknown>;
  const wall = performance.now() - started;
  if (res.status !== 200) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${res.status}: ${JSON.stringify(body)}`);
  const { instantiate: _made, ...phases } = serverTimingPhases(res.headers.get('server-timing'));
  return { wall, component: Object.values(phases).reduce((a, b) => a + b, 0), body };
}

const put = (value: unknown): RequestInit => ({ method: 'PUT', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
const post = (value: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

function freshNeighbourRequest(i: number): Envelope {
  const from = 3;
  return { v: 1, id: `size-sync-${i}`, type: 'SyncRequest', from, to: AGENT, ts: Date.now(), hlc: formatHlc({ wall: Date.now(), counter: 0, node: from }), payload: { sv: toBase64(Y.encodeStateVector(new Y.Doc())), ds: '0000000000000000' } };
}

/** Runs `fn` against a fresh host on `stateDir` (the bench's withHost). */
type WithHost = <T>(stateDir: string, fn: (url: string) => Promise<T>) => Promise<T>;

export async function sizeLadder(withHost: WithHost, stateRoot: string, progress: (msg: string) => void) {
  const out: Record<string, Record<string, { wall_ms: number; component_ms: number }>> = {};
  for (const size of SIZES) {
    await withHost(join(stateRoot, `size-${size}`), async (url) => {
      const base = `${url}/agent/${AGENT}`;
      const valueBytes = Math.min(8_000, size / 10);
      for (let i = 0; i * valueBytes < size; i++) await timed(`${base}/data/fill-${i}`, put('x'.repeat(valueBytes)));
      const samples: Record<string, Timed[]> = { state_read: [], state_read_after_write: [], data_read: [], put: [], tick: [], fresh_neighbour_sync: [], compacting_put: [] };
      for (let i = 0; i < REPEATS; i++) {
        samples.state_read!.push(await timed(`${base}/state`));
        samples.data_read!.push(await timed(`${base}/data/fill-0`));
        samples.put!.push(await timed(`${base}/data/small-${i}`, put(i)));
        samples.state_read_after_write!.push(await timed(`${base}/state`));
        samples.tick!.push(await timed(`${base}/tick`, post({})));
        samples.fresh_neighbour_sync!.push(await timed(`${base}/inbox`, post([freshNeighbourRequest(i)])));
      }
      // every 33rd write compacts: write until COMPACTIONS of them did
      for (let i = 0; samples.compacting_put!.length < COMPACTIONS; i++) {
        const t = await timed(`${base}/data/compact-${i}`, put(i));
        if ((t.body.timeline as { type: string }[]).some((e) => e.type === 'compaction')) samples.compacting_put!.push(t);
      }
      const state = (await timed(`${base}/state`)).body;
      const row: Record<string, { wall_ms: number; component_ms: number }> = {};
      for (const [kind, ts] of Object.entries(samples)) row[kind] = { wall_ms: round1(median(ts.map((t) => t.wall))), component_ms: round1(median(ts.map((t) => t.component))) };
      const label = `${size / 1000}KB`;
      out[label] = row;
      progress(`  ${label} (doc ${state.doc_bytes} B): ${Object.entries(row).map(([k, v]) => `${k} ${v.wall_ms}/${v.component_ms}`).join(', ')} ms (wall/component)`);
    });
  }
  return { size_ladder_ms: out };
}
