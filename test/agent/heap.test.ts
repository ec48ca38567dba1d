// The per-request heap reserve (src/spin/heap.ts): a base for every request (larger for a tick),
// more for big bodies, never past the cap.
import { expect, it } from 'vitest';
import { HEAP_PER_BODY_BYTE, HEAP_RESERVE_BYTES, MAX_HEAP_RESERVE_BYTES, TICK_HEAP_RESERVE_BYTES, heapFor } from '../../src/spin/heap.ts';

it('reserves the base without a body, more per body byte, and never more than the cap', () => {
  expect(heapFor(0)).toBe(HEAP_RESERVE_BYTES);
  expect(heapFor(Number(null))).toBe(HEAP_RESERVE_BYTES); // no content-length header
  expect(heapFor(Number('chunked'))).toBe(HEAP_RESERVE_BYTES);
  expect(heapFor(341_000)).toBe(HEAP_RESERVE_BYTES + 341_000 * HEAP_PER_BODY_BYTE);
  expect(heapFor(4 * 1024 * 1024)).toBe(MAX_HEAP_RESERVE_BYTES);
});

it('gives a tick, which saturates without a body to size it by, a larger base', () => {
  expect(heapFor(0, true)).toBe(TICK_HEAP_RESERVE_BYTES);
  expect(TICK_HEAP_RESERVE_BYTES).toBeGreaterThan(HEAP_RESERVE_BYTES);
  expect(heapFor(4 * 1024 * 1024, true)).toBe(MAX_HEAP_RESERVE_BYTES);
});
