// Term hashes are CRDT keys: stable across engines and releases, and unambiguous.
import { describe, expect, it } from 'vitest';
import { termHash } from '../../src/egraph/index.ts';

describe('termHash', () => {
  it('is 16 hex digits, fixed for a given node (a change here re-keys every stored e-graph)', () => {
    const x = termHash('x', []);
    expect(x).toMatch(/^[0-9a-f]{16}$/);
    expect(x).toBe(termHash('x', []));
    expect(termHash('+', [x, termHash('0', [])])).toBe(termHash('+', [x, termHash('0', [])]));
  });

  it('separates op from children and children from each other', () => {
    const a = termHash('a', []);
    const b = termHash('b', []);
    const hashes = [
      termHash('f', [a, b]),
      termHash('f', [b, a]),
      termHash('f', [a]),
      termHash('f', []),
      termHash(`f/${a}`, [b]),
      termHash('f/1', []),
      termHash('1:f', []),
      termHash('g', [a, b]),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
