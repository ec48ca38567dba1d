import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, isBase64, toBase64 } from '../../src/core/index.ts';
import { fcParams } from './env.ts';

describe('base64', () => {
  it('matches Node and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const s = toBase64(bytes);
        expect(s).toBe(Buffer.from(bytes).toString('base64'));
        expect(isBase64(s)).toBe(true);
        expect(fromBase64(s)).toEqual(bytes);
      }),
      fcParams(500),
    );
  });

  it.each(['', 'AA==', 'AAA=', 'AAAA', 'ab+/'])('accepts %j', (s) => expect(isBase64(s)).toBe(true));

  it.each(['A', 'AA', 'AAA', 'A===', 'AA=A', '=AAA', 'AA AA==', 'AA-_', 'ÀÀ==', 'AA==AA==', 'AB==', 'AAB='])('refuses %j', (s) => {
    expect(isBase64(s)).toBe(false);
    expect(() => fromBase64(s)).toThrow();
  });
});
