import { describe, expect, it } from 'vitest';
import { countExchange, newCounters, type Envelope } from '../../src/core/index.ts';

const ack: Envelope = { v: 1, id: 'a', type: 'Ack', from: 1, to: 2, ts: 0, hlc: '0000000000001-00000-00001', payload: { ack: 'x' } };

describe('counters', () => {
  it('start at zero with their creation time', () => {
    expect(newCounters(1_234)).toEqual({ messages_received: 0, messages_sent: 0, syncs_completed: 0, created_at: 1_234 });
  });

  it('count an exchange without mutating the input', () => {
    const c = newCounters(1);
    const next = countExchange(c, [ack, ack], [ack], 1);
    expect(next).toEqual({ messages_received: 2, messages_sent: 1, syncs_completed: 1, created_at: 1 });
    expect(c.messages_received).toBe(0);
    expect(countExchange(next, [], [ack, ack, ack], 0)).toMatchObject({ messages_sent: 4, syncs_completed: 1 });
  });
});
