// The per-agent lane on its own: one request in flight, coalescing, tick alternation, bounded
// buffer with SyncRequests evicted first.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/core/envelope.ts';
import { AgentQueue, type AgentQueueOptions, type BatchOutcome } from '../../src/gateway/agent-queue.ts';
import { manualTimers } from '../support/manual-timers.ts';

function env(type: Envelope['type'], id: string, from = 1): Envelope {
  const base = { v: 1, id, from, ts: 0, hlc: '0000000000001-00000-00001' } as const;
  switch (type) {
    case 'SyncRequest':
      return { ...base, type, to: 0, payload: { sv: 'AA==', ds: '0' } };
    case 'Heartbeat':
      return { ...base, type, to: null, payload: { digest: '0', uptime_s: 0 } };
    case 'Ack':
      return { ...base, type, to: 0, payload: { ack: 'x' } };
    default:
      return { ...base, type, to: 0, payload: { update: 'AA==' } };
  }
}

function lane(maxBufferSize = 100, held: Pick<AgentQueueOptions, 'noticeDelayMs' | 'timers'> = {}) {
  const calls: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gates: (() => void)[] = [];
  const gate = async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    inFlight--;
  };
  const logs: Record<string, unknown>[] = [];
  const q = new AgentQueue({
    agent: 0,
    maxBufferSize,
    logger: (level, msg, fields) => logs.push({ level, msg, ...fields }),
    deliver: async (_agent, batch): Promise<BatchOutcome> => {
      calls.push(batch.map((e) => e.id));
      await gate();
      return { delivered: batch.length, failed: [], retries: 0, posts: 1 };
    },
    tick: async () => {
      calls.push(['TICK']);
      await gate();
      return { ok: true, retries: 1 };
    },
    ...held,
  });
  const step = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { q, calls, logs, step, maxInFlight: () => maxInFlight };
}

describe('AgentQueue', () => {
  it('closed with a request in flight: idle() resolves once that request is done, and nothing more starts', async () => {
    const { q, calls, step } = lane();
    q.push(env('StateUpdate', 'a'));
    q.push(env('StateUpdate', 'b'));
    q.close();
    let idle = false;
    const done = q.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false); // 'a' is still in flight
    await step();
    await done;
    expect(calls).toEqual([['a']]); // 'b' was dropped by the close
  });

  it('coalesces what arrives during a delivery into one batch; one in flight', async () => {
    const { q, calls, step, maxInFlight } = lane();
    q.push(env('StateUpdate', 'a'));
    for (const id of ['b', 'c', 'd']) q.push(env('StateUpdate', id));
    expect(calls).toEqual([['a']]);
    await step();
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
    await step();
    await q.idle();
    expect(maxInFlight()).toBe(1);
    expect(q.counters).toMatchObject({ delivered: 4, batches: 2, max_batch: 3 });
  });

  it('ticks share the lane, coalesce, and alternate with batches', async () => {
    const { q, calls, step } = lane();
    q.push(env('StateUpdate', 'a'));
    const t1 = q.requestTick();
    const t2 = q.requestTick(); // folded into t1
    q.push(env('StateUpdate', 'b'));
    await step(); // a done → tick (last was a batch)
    expect(calls).toEqual([['a'], ['TICK']]);
    const t3 = q.requestTick();
    await step(); // tick done → b (last was a tick), even though a tick waits
    await step(); // b done → tick
    await step();
    await Promise.all([t1, t2, t3]);
    expect(calls).toEqual([['a'], ['TICK'], ['b'], ['TICK']]);
    expect(q.counters).toMatchObject({ ticks: 2, ticks_coalesced: 1, retries: 2 });
  });

  it('when full, evicts the oldest SyncRequest, else the oldest envelope, logging the first drop at warn', async () => {
    const { q, logs, calls, step } = lane(3);
    q.push(env('Ack', 'inflight'));
    const arrivals: [Envelope['type'], string][] = [['StateUpdate', 's1'], ['SyncRequest', 'r1'], ['SyncRequest', 'r2'], ['StateUpdate', 's2'], ['StateUpdate', 's3'], ['Ack', 'k1']];
    for (const [type, id] of arrivals) q.push(env(type, id));
    expect(q.depth).toBe(3);
    expect(q.counters.dropped).toEqual({ SyncRequest: 2, StateUpdate: 1 });
    expect(logs.map((l) => [l.level, l.id])).toEqual([['warn', 'r1'], ['debug', 'r2'], ['debug', 's1']]);
    await step();
    expect(calls.at(-1)).toEqual(['s2', 's3', 'k1']);
    await step();
  });

  it('when full, evicts from the sender holding most of the buffer: a flood from one sender starves no other', async () => {
    const { q, calls, step } = lane(4);
    q.push(env('Ack', 'inflight'));
    q.push(env('StateUpdate', 'from-1', 1));
    q.push(env('SyncRequest', 'from-2', 2));
    for (let i = 0; i < 500; i++) q.push(env('StateUpdate', `flood-${i}`, 3));
    q.push(env('StateUpdate', 'from-5', 5));
    expect(q.depth).toBe(4);
    expect(q.counters.dropped).toEqual({ StateUpdate: 499 });
    await step();
    expect(calls.at(-1)).toEqual(['from-1', 'from-2', 'flood-499', 'from-5']);
    await step();
  });

  it('holds acks alone back until an envelope carrying state comes, or until the first has waited noticeDelayMs', async () => {
    const clock = manualTimers();
    const { q, calls, step } = lane(100, { noticeDelayMs: 500, timers: clock.timers });
    q.push(env('Ack', 'k1'));
    q.push(env('Heartbeat', 'h1'));
    expect(calls).toEqual([]);
    q.push(env('StateUpdate', 's1'));
    expect(calls).toEqual([['k1', 'h1', 's1']]); // they ride with the update, at once
    expect(clock.pending()).toBe(0); // and the wake-up they had set is cancelled
    await step();

    q.push(env('Ack', 'k2'));
    let idle = false;
    const done = q.idle().then(() => (idle = true));
    clock.advance(300);
    q.push(env('Ack', 'k3'));
    clock.advance(199);
    expect(calls).toHaveLength(1);
    clock.advance(1); // 500 ms after k2 came: both go, alone
    expect(calls.at(-1)).toEqual(['k2', 'k3']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false); // held acks are work still waiting
    await step();
    await done;

    // an ack that already waited behind a delivery in flight is not held again
    q.push(env('StateUpdate', 's2'));
    q.push(env('Ack', 'k4'));
    clock.advance(600);
    await step();
    expect(calls.at(-1)).toEqual(['k4']);
    await step();
    await q.idle();
    expect(q.counters).toMatchObject({ delivered: 7, batches: 4 });
  });

  it('closed while acks are held: they are dropped with the buffer and no wake-up is left behind', async () => {
    const clock = manualTimers();
    const { q, calls } = lane(100, { noticeDelayMs: 500, timers: clock.timers });
    q.push(env('Ack', 'k1'));
    expect(clock.pending()).toBe(1);
    q.close();
    await q.idle();
    expect(clock.pending()).toBe(0);
    clock.advance(1_000);
    expect(calls).toEqual([]);
  });
});
