// Reused linear memories: the rewritten module imports its memory, and an instance on a reused
// (zeroed) memory sees exactly the bytes a fresh one would.
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

type Exports = { memory: WebAssembly.Memory; load(): number; poke(): void; peek(): number };

describe('importMemory', () => {
  it('the original module is what the test thinks it is', () => {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { f: () => {} } });
    expect((inst.exports as unknown as Exports).load()).toBe(0x68);
  });

  it('rewrites a defined memory into an import, keeping data, exports and function indices', () => {
    const rewritten = importMemory(MODULE)!;
    expect(rewritten.memory).toEqual({ initial: 1, maximum: undefined });
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
    // Finished: back to the pool, zeroed, and the next instance starts clean on the same memory.
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

  it('leaves modules without a plain memory alone', () => {
    expect(importMemory(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))).toBeUndefined();
    expect(importMemory(Uint8Array.from([1, 2, 3]))).toBeUndefined();
  });
});
