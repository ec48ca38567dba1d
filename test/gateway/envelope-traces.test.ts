// Which trace an inbox POST continues when its batch mixes acks (held back to ride with state) and updates.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/core/envelope.ts';
import { EnvelopeTraces } from '../../src/gateway/envelope-traces.ts';

const hlc = '0000000000001-00000-00001';
const ack = (id: string): Envelope => ({ v: 1, id, type: 'Ack', from: 1, to: 0, ts: 0, hlc, payload: { ack: 'x' } });
const update = (id: string): Envelope => ({ v: 1, id, type: 'StateUpdate', from: 1, to: 0, ts: 0, hlc, payload: { update: 'AA==' } });
const trace = (n: number) => `00-${String(n).padStart(32, '0')}-00f067aa0ba902b7-01`;

describe('EnvelopeTraces', () => {
  it("continues the first traced update's trace, even behind traced acks; an acks-only batch continues the first ack's", () => {
    const traces = new EnvelopeTraces();
    const [k1, k2, u1, u2] = [ack('k1'), ack('k2'), update('u1'), update('u2')];
    traces.note(k1, trace(1));
    traces.note(k2, trace(2));
    traces.note(u2, trace(4));
    traces.note(u1, 'not a traceparent');
    expect(traces.of([k1, u1, k2, u2])).toBe(trace(4));
    expect(traces.of([k1, k2])).toBe(trace(1));
    expect(traces.of([u1])).toBeNull();
  });
});
