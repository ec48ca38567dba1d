// Reused linear memories: the rewritten module imports its memory, its active data segments hoisted
// into an image, and an instance on a reused (restored) memory sees exactly the bytes a fresh one would.
import { describe, expect, it } from 'vitest';
import { importMemory, MEMORY_IMPORT_MODULE, MEMORY_IMPORT_NAME, MemoryPool } from '../../src/host/memory-reuse.ts';

/**
 * (module
 *   (import "env" "f" (func))            ;; an existing import, so indices must not shift
 *   (memory (export "memory") 1)
 *   (data (i32.const 16) "hi")
 *   (func (export "load") (result i32) (i32.load8_u (i32.const 16)))
 *   (func (export "poke") (i32.store8 (i32.const 100) (i32.const 7)))
 *   (func (export "peek") (result i32) (i32.load8_u (i32.const 100))))
 */
const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type: () -> (), () -> i32
  0x01, 0x08, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f,
  // import env.f : func type 0
  0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,
  // functions: load (type 1), poke (type 0), peek (type 1)
  0x03, 0x04, 0x03, 0x01, 0x00, 0x01,
  // memory: min 1
  0x05, 0x03, 0x01, 0x00, 0x01,
  // exports: memory, load (func 1), poke (func 2), peek (func 3)
  0x07, 0x1f, 0x04,
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01,
  0x04, 0x70, 0x6f, 0x6b, 0x65, 0x00, 0x02,
  0x04, 0x70, 0x65, 0x65, 0x6b, 0x00, 0x03,
  // code
  0x0a, 0x1d, 0x03,
  0x07, 0x00, 0x41, 0x10, 0x2d, 0x00, 0x00, 0x0b,
  0x0a, 0x00, 0x41, 0xe4, 0x00, 0x41, 0x07, 0x3a, 0x00, 0x00, 0x0b,
  0x08, 0x00, 0x41, 0xe4, 0x00, 0x2d, 0x00, 0x00, 0x0b,
  // data: active, memory 0, offset 16, "hi"
  0x0b, 0x08, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x02, 0x68, 0x69,
]);

/**
 * (module
 *   (memory (export "memory") 1)
 *   (data (i32.const 32) "ab")   ;; segment 0, active
 *   (data "xy")                  ;; segment 1, passive
 *   (data (i32.const 33) "c")    ;; segment 2, active, over segment 0's "b"
 *   (func (export "init") (memory.init 1 (i32.const 200) (i32.const 0) (i32.const 2)))
 *   (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
 *   (func (export "init0") (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))))
 */
const SEGMENTS = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type: () -> (), (i32) -> i32
  0x01, 0x09, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f,
  // functions: init (type 0), peek (type 1), init0 (type 0)
  0x03, 0x04, 0x03, 0x00, 0x01, 0x00,
  // memory: min 1
  0x05, 0x03, 0x01, 0x00, 0x01,
  // exports: memory, init, peek, init0
  0x07, 0x20, 0x04,
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x04, 0x69, 0x6e, 0x69, 0x74, 0x00, 0x00,
  0x04, 0x70, 0x65, 0x65, 0x6b, 0x00, 0x01,
  0x05, 0x69, 0x6e, 0x69, 0x74, 0x30, 0x00, 0x02,
  // data count: 3
  0x0c, 0x01, 0x03,
  // code
  0x0a, 0x24, 0x03,
  0x0d, 0x00, 0x41, 0xc8, 0x01, 0x41, 0x00, 0x41, 0x02, 0xfc, 0x08, 0x01, 0x00, 0x0b,
  0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b,
  0x0c, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0xfc, 0x08, 0x00, 0x00, 0x0b,
  // data: active at 32 "ab"; passive "xy"; active at 33 "c"
  0x0b, 0x12, 0x03,
  0x00, 0x41, 0x20, 0x0b, 0x02, 0x61, 0x62,
  0x01, 0x02, 0x78, 0x79,
  0x00, 0x41, 0x21, 0x0b, 0x01, 0x63,
]);

type SegmentExports = { init(): void; peek(at: number): number; init0(): void };

type Exports = { memory: WebAssembly.Memory; load(): number; poke(): void; peek(): number };

describe('importMemory', () => {
  it('the original module is what the test thinks it is', () => {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { f: () => {} } });
    expect((inst.exports as unknown as Exports).load()).toBe(0x68);
  });

  it('rewrites a defined memory into an import, keeping data, exports and function indices', () => {
    const rewritten = importMemory(MODULE)!;
    expect(rewritten.memory).toEqual({ initial: 1, maximum: undefined, image: { offset: 16, bytes: Uint8Array.from([0x68, 0x69]) } });
    const module = new WebAssembly.Module(rewritten.bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'f', kind: 'function' },
      { module: MEMORY_IMPORT_MODULE, name: MEMORY_IMPORT_NAME, kind: 'memory' },
    ]);
    const pool = new MemoryPool(rewritten.memory);
    const instantiate = () => {
      const memory = pool.take();
      const inst = new WebAssembly.Instance(module, { env: { f: () => {} }, [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: memory } });
      return { memory, exports: inst.exports as unknown as Exports };
    };
    const first = instantiate();
    expect(first.exports.memory).toBe(first.memory);
    expect(first.exports.load()).toBe(0x68);
    first.exports.poke();
    expect(first.exports.peek()).toBe(7);
    // Finished: back to the pool, restored, and the next instance starts clean on the same memory.
    pool.release(first.memory);
    pool.clean();
    const second = instantiate();
    expect(second.memory).toBe(first.memory);
    expect(second.exports.peek()).toBe(0);
    expect(second.exports.load()).toBe(0x68);
  });

  it('reuses a memory that grew within the bound, zeroed, and drops one that grew past it', () => {
    const pool = new MemoryPool({ initial: 1, maximum: undefined }, 2, 3);
    const grown = pool.take();
    grown.grow(2);
    new Uint8Array(grown.buffer).fill(9);
    pool.release(grown);
    pool.clean();
    const again = pool.take();
    expect(again).toBe(grown);
    expect(new Uint8Array(again.buffer).every((b) => b === 0)).toBe(true);
    again.grow(1);
    pool.release(again);
    pool.clean();
    expect(pool.take()).not.toBe(again);
  });

  it('an instance on a reused, grown memory runs as on a fresh one', () => {
    const rewritten = importMemory(MODULE)!;
    const module = new WebAssembly.Module(rewritten.bytes);
    const pool = new MemoryPool(rewritten.memory);
    const memory = pool.take();
    memory.grow(4);
    new Uint8Array(memory.buffer).fill(5);
    pool.release(memory);
    pool.clean();
    const reused = pool.take();
    expect(reused).toBe(memory);
    const exports = new WebAssembly.Instance(module, { env: { f: () => {} }, [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: reused } }).exports as unknown as Exports;
    expect(exports.load()).toBe(0x68);
    expect(exports.peek()).toBe(0);
  });

  it('hoists active segments in order, keeps passive ones and every segment index', () => {
    const imports = (memory?: WebAssembly.Memory): WebAssembly.Imports => (memory ? { [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: memory } } : {});
    const run = (module: Uint8Array<ArrayBuffer>, memory?: WebAssembly.Memory) => new WebAssembly.Instance(new WebAssembly.Module(module), imports(memory)).exports as unknown as SegmentExports;
    const original = run(SEGMENTS);
    expect([original.peek(32), original.peek(33)]).toEqual([0x61, 0x63]);
    original.init();
    expect(original.peek(200)).toBe(0x78);
    expect(() => original.init0()).toThrow(WebAssembly.RuntimeError); // an active segment is dropped once applied

    const rewritten = importMemory(SEGMENTS)!;
    expect(rewritten.memory.image).toEqual({ offset: 32, bytes: Uint8Array.from([0x61, 0x63]) });
    const pool = new MemoryPool(rewritten.memory);
    const memory = pool.take();
    const first = run(rewritten.bytes, memory);
    expect([first.peek(31), first.peek(32), first.peek(33), first.peek(34)]).toEqual([0, 0x61, 0x63, 0]);
    first.init();
    expect(first.peek(200)).toBe(0x78);
    expect(() => first.init0()).toThrow(WebAssembly.RuntimeError);
    new Uint8Array(memory.buffer).fill(0xee, 0, 64); // what a request leaves behind, over the image too
    pool.release(memory);
    pool.clean();
    const second = run(rewritten.bytes, pool.take());
    expect([second.peek(0), second.peek(32), second.peek(33), second.peek(63), second.peek(200)]).toEqual([0, 0x61, 0x63, 0, 0]);
  });

  it('leaves a segment past the initial memory where it was, for instantiation to refuse', () => {
    // MODULE with its "hi" at 65535: one byte past the memory's single page
    const pastEnd = Uint8Array.from([...MODULE.slice(0, -10), 0x0b, 0x0a, 0x01, 0x00, 0x41, 0xff, 0xff, 0x03, 0x0b, 0x02, 0x68, 0x69]);
    const rewritten = importMemory(pastEnd)!;
    expect(rewritten.memory.image).toBeUndefined();
    const memory = new MemoryPool(rewritten.memory).take();
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(rewritten.bytes), { env: { f: () => {} }, [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: memory } })).toThrow(WebAssembly.RuntimeError);
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(pastEnd), { env: { f: () => {} } })).toThrow(WebAssembly.RuntimeError);
  });

  it('leaves modules without a plain memory alone', () => {
    expect(importMemory(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))).toBeUndefined();
    expect(importMemory(Uint8Array.from([1, 2, 3]))).toBeUndefined();
  });
});
