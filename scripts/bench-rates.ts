// The rate ladder: StateUpdates published on NATS at 25 / 50 / 100 / 250 / 500 / 1,000 / 2,000 / 4,000
// per second (each from a writer of its own, to the nine agents in turn) for a fixed time each; the
// rungs below 250 find where delivery p95 stays under 100 ms on a small machine. Delivery is
// timed by the agents themselves: each `message_in` timeline event carries `duration_ms`, the time
// from the envelope's `ts` to its handling, and the gateway publishes it on `timeline.<id>`.
// Dropped: published but never handled (the gateway's lanes evict when full).
import { connect } from '@nats-io/transport-node';
import * as Y from 'yjs';
import { formatHlc, TIMELINE_SUBJECTS, toBase64, type Envelope } from '../src/core/index.ts';
import { quantile } from '../src/shared/stats.ts';
import { type Gateway, natsServers } from '../src/gateway/index.ts';

const RATES = [25, 50, 100, 250, 500, 1_000, 2_000, 4_000];
/** publishing slices per second */
const SLICES = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function update(i: number): string {
  const writer = new Y.Doc();
  writer.clientID = 3_000_000 + i;
  writer.getMap('data').set(`ladder-${i % 1000}`, i);
  return toBase64(Y.encodeStateAsUpdate(writer));
}

export async function rateLadder(natsUrl: string, gateway: Gateway, seconds: number, progress: (msg: string) => void) {
  const nc = await connect(natsServers(natsUrl));
  const handled = new Map<string, number>();
  const sub = nc.subscribe(TIMELINE_SUBJECTS, {
    callback: (_err, msg) => {
      const event = msg.json<{ type?: string; duration_ms?: number; detail?: { envelope_id?: string } }>();
      const id = event.detail?.envelope_id;
      if (event.type === 'message_in' && id?.startsWith('ladder-') && typeof event.duration_ms === 'number') handled.set(id, event.duration_ms);
    },
  });
  const steps: Record<string, { offered: number; achieved_per_s: number; p50_ms: number | null; p95_ms: number | null; dropped: number; converge_after_ms: number | null }> = {};
  let next = 0;
  try {
    for (const rate of RATES) {
      handled.clear();
      const total = rate * seconds;
      // encoded before the clock starts: the bench's own Yjs work must not count against the agents
      const updates = Array.from({ length: total }, (_, k) => update(next + k));
      const ids: string[] = [];
      const started = performance.now();
      for (let slice = 0; slice < seconds * SLICES; slice++) {
        const due = started + (slice * 1000) / SLICES;
        if (due > performance.now()) await sleep(due - performance.now());
        for (let k = 0; k < rate / SLICES && ids.length < total; k++) {
          const i = next++;
          const to = i % 9;
          const from = to === 0 ? 1 : to - 1;
          const id = `ladder-${rate}-${i}`;
          ids.push(id);
          const e: Envelope = { v: 1, id, type: 'StateUpdate', from, to, ts: Date.now(), hlc: formatHlc({ wall: Date.now(), counter: 0, node: from }), payload: { update: updates[ids.length - 1]! } };
          nc.publish(`agent.${to}.state`, JSON.stringify(e));
        }
      }
      await nc.flush();
      const published = performance.now();
      // drain: until every envelope was handled, or nothing more arrives for 10 s
      let seen = -1;
      let quietSince = performance.now();
      while (handled.size < ids.length && performance.now() - quietSince < 10_000) {
        if (handled.size !== seen) [seen, quietSince] = [handled.size, performance.now()];
        await sleep(50);
      }
      const drained = performance.now();
      let convergeAfter: number | null = null;
      while (performance.now() - published < 60_000) {
        if (gateway.networkStatus().converged) {
          convergeAfter = performance.now() - published;
          break;
        }
        await sleep(100);
      }
      const latencies = [...handled.values()].sort((a, b) => a - b);
      const step = {
        offered: ids.length,
        achieved_per_s: Math.round(handled.size / ((Math.min(drained, published + 10_000) - started) / 1000)),
        p50_ms: latencies.length ? quantile(latencies, 0.5) : null,
        p95_ms: latencies.length ? quantile(latencies, 0.95) : null,
        dropped: ids.length - handled.size,
        converge_after_ms: convergeAfter === null ? null : Math.round(convergeAfter),
      };
      steps[String(rate)] = step;
      progress(`  ${rate}/s offered for ${seconds} s: ${step.achieved_per_s}/s handled, delivery p50 ${step.p50_ms} ms p95 ${step.p95_ms} ms, ${step.dropped} dropped, converged ${step.converge_after_ms === null ? 'not within 60 s' : `${step.converge_after_ms} ms`} after`);
      if (step.converge_after_ms === null) {
        // past what the network can take: higher rates measure only the backlog of this one
        progress(`  stopping the ladder: the network did not recover from ${rate}/s`);
        break;
      }
    }
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
  const under100 = RATES.filter((r) => (steps[String(r)]?.p95_ms ?? Infinity) < 100 && steps[String(r)]!.dropped === 0);
  return { rate_ladder: steps, rate_ladder_max_with_p95_under_100ms: under100.at(-1) ?? null };
}
