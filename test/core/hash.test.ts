import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a32, fnv1a64Hex } from '../../src/shared/hash.ts';
import { fcParams } from './env.ts';

/** The textbook definition with BigInt, to check the two-lane version against. */
function fnv1a64Reference(bytes: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

describe('FNV-1a', () => {
  it.each([
    ['', 0x811c9dc5, 'cbf29ce484222325'],
    ['a', 0xe40c292c, 'af63dc4c8601ec8c'],
    ['foobar', 0xbf9cf968, '85944171f73967e8'],
  ])('hashes %j to the published vectors', (input, h32, h64) => {
    expect(fnv1a32(input)).toBe(h32);
    expect(fnv1a64Hex(input)).toBe(h64);
  });

  it('64-bit lanes agree with BigInt arithmetic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(fnv1a64Hex(bytes)).toBe(fnv1a64Reference(bytes));
      }),
      fcParams(500),
    );
  });
});
