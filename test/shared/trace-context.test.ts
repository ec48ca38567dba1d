// W3C traceparent: what is accepted, and a child span keeps its parent's trace.
import { describe, expect, it } from 'vitest';
import { childTraceparent, parseTraceparent } from '../../src/shared/trace-context.ts';
import { seededRandom } from '../../src/core/index.ts';

const rand = seededRandom(7);
const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent', () => {
  it('parses a version-00 header', () => {
    expect(parseTraceparent(PARENT)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '01' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['uppercase hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['the forbidden version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
  ])('ignores %s', (_what, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it('a child keeps the trace and its flags, with a span of its own', () => {
    const child = parseTraceparent(childTraceparent(PARENT, random))!;
    expect(child.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(child.flags).toBe('01');
    expect(child.parentId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.parentId).not.toBe('00f067aa0ba902b7');
  });

  it('without a valid parent, a new sampled trace; never all-zero ids', () => {
    const zeros = (n: number) => new Uint8Array(n);
    let calls = 0;
    const zeroOnce = (n: number) => (calls++ === 0 ? zeros(n) : random(n));
    const root = parseTraceparent(childTraceparent('garbage', zeroOnce))!;
    expect(root).not.toBeNull();
    expect(root.flags).toBe('01');
    expect(root.traceId).not.toBe('0'.repeat(32));
    expect(parseTraceparent(childTraceparent(null, random))!.traceId).not.toBe(root.traceId);
  });
});
