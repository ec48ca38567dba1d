// The tick clock with a manual timer: jittered period (±10%), every agent ticked, a
// broadcast.heartbeat { ts, agents, kind } per tick, the tick hook first, and stop() cancels.
import { describe, expect, it } from 'vitest';
import { jitteredDelayMs, TickClock } from '../../src/gateway/clock.ts';
import { InprocDelivery } from '../../src/gateway/inproc.ts';
import { manualTimers } from '../support/manual-timers.ts';
import { sleepMs } from './harness.ts';

describe('TickClock', () => {
  it('jitter stays within ±10%', () => {
    expect(jitteredDelayMs(1_000, () => 0)).toBe(900);
    expect(jitteredDelayMs(1_000, () => 0.5)).toBe(1_000);
    expect(jitteredDelayMs(1_000, () => 1)).toBe(1_100);
  });

  it('ticks every agent each jittered interval and announces broadcast.heartbeat', async () => {
    const m = manualTimers();
    const delivery = new InprocDelivery(() => {});
    const beats: unknown[] = [];
    delivery.subscribe('broadcast.heartbeat', (_s, data) => beats.push(data));
    const order: string[] = [];
    let r = 0;
    const rands = [0, 1, 0.5];
    const clock = new TickClock({
      intervalMs: 100,
      agents: () => [0, 1, 2],
      delivery,
      logger: () => {},
      timers: m.timers,
      rand: () => rands[r++ % 3]!,
      onTick: () => order.push('hook'),
      tickAgent: async (n) => void order.push(`agent-${n}`),
    });
    clock.start();
    expect(m.next()).toBe(90);
    m.advance(89);
    expect(order).toEqual([]);
    m.advance(1);
    expect(order).toEqual(['hook', 'agent-0', 'agent-1', 'agent-2']);
    expect(m.next()).toBe(110);
    m.advance(110);
    expect(clock.ticks).toBe(2);
    await sleepMs(5);
    expect(beats).toEqual([
      { ts: 1_090, agents: 3, kind: 'inproc', tick: 1 },
      { ts: 1_200, agents: 3, kind: 'inproc', tick: 2 },
    ]);
    clock.stop();
    expect(m.pending()).toBe(0);
    await delivery.close();
  });
});
