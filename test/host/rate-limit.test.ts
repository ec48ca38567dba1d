import { describe, expect, it } from 'vitest';
import { parseRateLimit, RateLimiter } from '../../src/host/rate-limit.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then one request per 1/rate seconds, per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 10, burst: 3 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(100);
    expect(limiter.take('b')).toBe(0);
    now = 100;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(100);
    now = 10_000; // a quiet spell refills up to the burst, not beyond
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0, 100]);
  });
});

describe('parseRateLimit', () => {
  it.each([
    ['20', { perSecond: 20, burst: 40 }],
    ['0.5', { perSecond: 0.5, burst: 1 }],
    [' 20 , 60 ', { perSecond: 20, burst: 60 }],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, limit) => expect(parseRateLimit('X', raw)).toEqual(limit));

  it.each(['0', '-1', 'lots', '20,0', '20/s'])('refuses %j', (raw) => expect(() => parseRateLimit('X', raw)).toThrow(/X must be/));
});
