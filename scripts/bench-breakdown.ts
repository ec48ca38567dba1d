// Where a request's time goes inside the component, per kind of request: the Server-Timing phases
// the agent reports (open: load the doc from KV; save: commit; publish: hand a write to the
// gateway; work: the rest) and the host's `instantiate` (making the instance that served it).
// `fresh_instance_ms` is instantiate + the component's phases: what a request costs a host that
// keeps no instance ready. Medians over the requests of each kind, at one agent, one at a time.
import * as Y from 'yjs';
import { formatHlc, toBase64, type Envelope } from '../src/core/index.ts';
import { median, roundTo } from '../src/shared/stats.ts';

type Phases = Record<string, number>;

/** Every `name;dur=ms` of every Server-Timing header (fetch joins repeated headers with ", "). */
export function serverTimingPhases(header: string | null): Phases {
  const phases: Phases = {};
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    const dur = params.find((p) => p.startsWith('dur='));
    if (name && dur) phases[name] = (phases[name] ?? 0) + Number(dur.slice(4));
  }
  return phases;
}

interface Kind {
  name: string;
  request: (i: number) => { path: string; init?: RequestInit };
}

/** A StateUpdate from a writer the agent has not seen, as a neighbour would relay it. */
function inboxBatch(agent: number, i: number, size: number): string {
  const envelopes: Envelope[] = [];
  for (let j = 0; j < size; j++) {
    const writer = new Y.Doc();
    writer.clientID = 2_000_000 + i * size + j;
    writer.getMap('data').set(`breakdown-inbox-${j}`, i);
    const from = agent === 0 ? 1 : agent - 1;
    envelopes.push({ v: 1, id: `breakdown-${i}-${j}`, type: 'StateUpdate', from, to: agent, ts: Date.now(), hlc: formatHlc({ wall: Date.now(), counter: 0, node: from }), payload: { update: toBase64(Y.encodeStateAsUpdate(writer)) } });
  }
  return JSON.stringify(envelopes);
}

const round2 = (x: number): number => roundTo(x, 2);

export async function requestBreakdown(hostUrl: string, requests: number, progress: (msg: string) => void, agent = 4) {
  const post = (body: string): RequestInit => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const kinds: Kind[] = [
    { name: 'state_read', request: () => ({ path: 'state' }) },
    { name: 'put', request: (i) => ({ path: `data/breakdown-${i % 50}`, init: { method: 'PUT', body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } } }) },
    { name: 'data_read', request: () => ({ path: 'data/breakdown-0' }) },
    { name: 'inbox_batch_8', request: (i) => ({ path: 'inbox', init: post(inboxBatch(agent, i, 8)) }) },
    { name: 'tick', request: () => ({ path: 'tick', init: post('{}') }) },
  ];
  const out: Record<string, Phases & { wall: number }> = {};
  for (const kind of kinds) {
    const samples: (Phases & { wall: number })[] = [];
    for (let i = 0; i < requests; i++) {
      const { path, init } = kind.request(i);
      const started = performance.now();
      const res = await fetch(`${hostUrl}/agent/${agent}/${path}`, init);
      await res.arrayBuffer();
      const wall = performance.now() - started;
      if (res.status !== 200) throw new Error(`${kind.name}: ${path} answered ${res.status}`);
      samples.push({ ...serverTimingPhases(res.headers.get('server-timing')), wall });
    }
    const names = new Set(samples.flatMap((s) => Object.keys(s)));
    const medians: Phases & { wall: number } = { wall: 0 };
    for (const name of names) medians[name] = round2(median(samples.map((s) => s[name] ?? 0)));
    medians.fresh_instance = round2(median(samples.map((s) => Object.entries(s).reduce((sum, [name, ms]) => (name === 'wall' ? sum : sum + ms), 0))));
    out[kind.name] = medians;
    progress(`  ${kind.name}: ${Object.entries(medians).map(([n, ms]) => `${n} ${ms}`).join(', ')} ms`);
  }
  return { request_breakdown_ms: out };
}
