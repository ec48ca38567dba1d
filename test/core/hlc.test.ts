import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CLOCK_SKEW_MS, HybridClock, formatHlc, parseHlc } from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

const T = 1_764_590_000_000;

describe('HybridClock', () => {
  it('reads wall time, and counts within one millisecond', () => {
    let now = T;
    const clock = new HybridClock(() => now, 3);
    expect(clock.tick()).toBe(`${T}-00000-00003`);
    expect(clock.tick()).toBe(`${T}-00001-00003`);
    now += 5;
    expect(clock.tick()).toBe(`${T + 5}-00000-00003`);
  });

  it('never goes back when the wall clock does, and resumes from its last persisted reading', () => {
    let now = T;
    const clock = new HybridClock(() => now, 1);
    clock.tick();
    now -= 1_000;
    expect(clock.tick()).toBe(`${T}-00001-00001`);
    const resumed = new HybridClock(() => now, 1, clock.last());
    expect(resumed.tick()).toBe(`${T}-00002-00001`);
  });

  it('reads a receive after its send, even from a sender whose clock runs ahead', () => {
    const sender = new HybridClock(() => T + 2_000, 0);
    const receiver = new HybridClock(() => T, 1);
    const sent = sender.tick();
    const received = receiver.receive(sent);
    expect(received > sent).toBe(true);
    expect(parseHlc(received)).toEqual({ wall: T + 2_000, counter: 1, node: 1 });
    // and what the receiver does next is after the receive
    expect(receiver.tick() > received).toBe(true);
  });

  it('refuses a reading that is not one, or one from far in the future', () => {
    const clock = new HybridClock(() => T, 1);
    expectAgentError(() => clock.receive('yesterday'), 'bad-envelope', 'hlc must be a hybrid logical clock reading');
    const future = formatHlc({ wall: T + DEFAULT_MAX_CLOCK_SKEW_MS + 1, counter: 0, node: 2 });
    expectAgentError(() => clock.receive(future), 'bad-envelope', 'ahead of this agent');
    expect(clock.last()).toBeNull();
  });

  it('takes readings up to the skew it is given ahead, by default seconds, and not one an hour ahead', () => {
    expect(DEFAULT_MAX_CLOCK_SKEW_MS).toBeLessThanOrEqual(60_000);
    const strict = new HybridClock(() => T, 1, null, 1_000);
    expect(parseHlc(strict.receive(formatHlc({ wall: T + 1_000, counter: 0, node: 2 })))?.wall).toBe(T + 1_000);
    expectAgentError(() => strict.receive(formatHlc({ wall: T + 1_001, counter: 0, node: 2 })), 'bad-envelope', 'more than 1000 ms ahead');
    const byDefault = new HybridClock(() => T, 1);
    expectAgentError(() => byDefault.receive(formatHlc({ wall: T + 59 * 60_000, counter: 0, node: 2 })), 'bad-envelope', 'ahead');
  });

  it('text order is clock order (property: any chain of sends and receives stays ordered)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ from: fc.nat(3), to: fc.nat(3), skew: fc.integer({ min: -500, max: 500 }), step: fc.nat(3) }), { maxLength: 60 }), (steps) => {
        let now = T;
        const skews = [0, 0, 0, 0];
        const clocks = skews.map((_, i) => new HybridClock(() => now + (skews[i] ?? 0), i));
        for (const s of steps) {
          now += s.step;
          skews[s.from] = s.skew;
          const sent = clocks[s.from]!.tick();
          const received = clocks[s.to]!.receive(sent);
          if (!(received > sent)) return false;
        }
        return true;
      }),
    );
  });
});
