// Works around a trap in the SDK's componentize-js 0.10.x: its `GetMemBuffer` (which the
// generated bindings of every Spin import call, KV and variables included) re-`init`s one
// static JS::PersistentRooted whenever linear memory has grown since its previous call, and a
// second init of a rooted already in the root list fails MOZ_RELEASE_ASSERT(!listElem->isInList())
// -> wasm `unreachable`. So a request traps as soon as it calls a Spin import after memory grew
// past its size at the first import call (with KV, even 1 MiB of growth is enough).
//
// Every request runs in a fresh instance, so growing memory once, before the first import call,
// and handing the space straight back to malloc makes later allocations reuse it instead of
// growing memory. `transfer(0)` detaches the buffer and frees its contents at once (no GC wait);
// sbrk never shrinks, so the freed bytes stay in the instance's malloc pool.

/** Headroom reserved per request; a request that allocates beyond it still traps. */
export const HEAP_RESERVE_BYTES = 16 * 1024 * 1024;

/**
 * More headroom per byte of request body: a body's JSON, the Yjs updates it carries (base64, then
 * bytes), the doc they grow and its snapshot all live at once. Measured with a 341 KB inbox batch
 * holding one 256 KB update: it trapped with 16 + 32/byte MiB and passed with 16 + 80/byte.
 */
export const HEAP_PER_BODY_BYTE = 96;

/** The largest reserve: zeroing it costs time on every such request. */
export const MAX_HEAP_RESERVE_BYTES = 256 * 1024 * 1024;

/**
 * A tick has no body to size it by, yet it does the most: the e-graph rebuilt from the doc,
 * a step of saturation, the new records and the timeline written back. Measured on a fresh
 * network saturating the bench terms (~450 records): 16 MiB trapped 15 ticks in one run, 32 MiB none.
 */
export const TICK_HEAP_RESERVE_BYTES = 32 * 1024 * 1024;

/** The reserve for a request declaring `contentLength` body bytes (a tick: `tick`). */
export function heapFor(contentLength: number, tick = false): number {
  const body = Number.isFinite(contentLength) && contentLength > 0 ? contentLength : 0;
  return Math.min(MAX_HEAP_RESERVE_BYTES, (tick ? TICK_HEAP_RESERVE_BYTES : HEAP_RESERVE_BYTES) + body * HEAP_PER_BODY_BYTE);
}

export function reserveHeap(bytes: number = HEAP_RESERVE_BYTES): void {
  const buffer = new ArrayBuffer(bytes) as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  buffer.transfer?.(0);
}
