import { describe, expect, it } from 'vitest';
import { countExchange, DELIVERY_LATENCY_BOUNDS_MS, newCounters, type Envelope } from '../../src/core/index.ts';

const ack: Envelope = { v: 1, id: 'a', type: 'Ack', from: 1, to: 2, ts: 0, hlc: '0000000000001-00000-00001', payload: { ack: 'x' } };

describe('counters', () => {
  it('start at zero with their creation time', () => {
    expect(newCounters(1_234)).toMatchObject({ messages_received: 0, messages_sent: 0, syncs_completed: 0, created_at: 1_234 });
    expect(newCounters(1_234).latency).toEqual({ counts: new Array(DELIVERY_LATENCY_BOUNDS_MS.length + 1).fill(0), sum_ms: 0 });
  });

  it('count an exchange without mutating the input', () => {
    const c = newCounters(1);
    const next = countExchange(c, [ack, ack], [ack], 1, 0);
    expect(next).toMatchObject({ messages_received: 2, messages_sent: 1, syncs_completed: 1, created_at: 1 });
    expect(c.messages_received).toBe(0);
    expect(c.latency!.counts.every((n) => n === 0)).toBe(true);
    expect(countExchange(next, [], [ack, ack, ack], 0, 0)).toMatchObject({ messages_sent: 4, syncs_completed: 1 });
  });

  it("keep each receive's latency (send ts to receive) in Prometheus-style buckets, and the sum", () => {
    const sentAt = (ts: number): Envelope => ({ ...ack, ts });
    // received at 10,000: latencies 0 and 1 (the 1 ms bucket), 7 (the 10 ms one), and one sent "later" (a skewed clock: 0)
    const c = countExchange(newCounters(0), [sentAt(10_000), sentAt(9_999), sentAt(9_993), sentAt(20_000)], [], 0, 10_000);
    const at = (boundMs: number) => c.latency!.counts[DELIVERY_LATENCY_BOUNDS_MS.indexOf(boundMs)];
    expect(at(1)).toBe(3); // 0, 1 and the clock skewed one (counted as 0)
    expect(at(10)).toBe(1);
    expect(c.latency!.sum_ms).toBe(8);
    const late = countExchange(c, [sentAt(0)], [], 0, 60_000);
    expect(late.latency!.counts.at(-1)).toBe(1); // above every bound
    expect(late.latency!.sum_ms).toBe(60_008);
    // records written before the histogram was kept start one
    const { latency: _none, ...old } = newCounters(0);
    expect(countExchange(old, [sentAt(9_990)], [], 0, 10_000).latency!.counts[DELIVERY_LATENCY_BOUNDS_MS.indexOf(10)]).toBe(1);
  });
});
