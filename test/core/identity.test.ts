import { describe, expect, it } from 'vitest';
import { newNodeId, writerClientId } from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

describe('newNodeId', () => {
  it('formats 16 bytes as a version 4 UUID', () => {
    expect(newNodeId(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
    expect(newNodeId(new Uint8Array(16).fill(255))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    expect(newNodeId(bytes)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bytes[6]).toBe(102); // the caller's bytes are not modified
  });

  it('needs exactly 16 bytes', () => {
    expectAgentError(() => newNodeId(new Uint8Array(15)), 'bad-request', 'exactly 16 random bytes');
  });
});

describe('writerClientId', () => {
  const draws = (...ids: number[][]) => () => Uint8Array.from(ids.shift()!);

  it('reads four random bytes as an unsigned 32-bit id', () => {
    expect(writerClientId(draws([0xff, 0xff, 0xff, 0xff]), () => false)).toBe(0xffff_ffff);
    expect(writerClientId(draws([1, 2, 3, 4]), () => false)).toBe(0x0102_0304);
  });

  it('draws again for 0 (reserved for loading) and for an id the doc already holds', () => {
    const held = new Set([7]);
    expect(writerClientId(draws([0, 0, 0, 0], [0, 0, 0, 7], [0, 0, 0, 8]), (id) => held.has(id))).toBe(8);
  });

  it('refuses a random source that gives the wrong number of bytes', () => {
    expectAgentError(() => writerClientId(() => new Uint8Array(3), () => false), 'bad-request', '4 random bytes');
  });
});
