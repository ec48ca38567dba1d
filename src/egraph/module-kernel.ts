// The AssemblyScript kernel as a plain core module (dist/egraph-kernel.core.wasm), called through
// the same canonical ABI the component uses: list arguments go into memory from `cabi_realloc`,
// list results come back as a pointer to `[ptr, len]`, then `cabi_post_*` releases them. This is
// how Node runs the kernel without component glue. Pure: bytes in, no fs.
import type { Kernel } from './kernel.ts';

const INTERFACE = 'crdt-agents:egraph/kernel@0.1.0';

type Fn = (...args: number[]) => number;

function exported(instance: WebAssembly.Instance, name: string): Fn {
  const value = instance.exports[name];
  if (typeof value !== 'function') throw new TypeError(`kernel module exports no function ${name}`);
  return value as Fn;
}

/** Instantiates the core module synchronously (it has no imports) and wraps it as a Kernel. */
export function kernelFromCoreModule(bytes: Uint8Array): Kernel {
  // a copy: the API wants ArrayBuffer-backed bytes; 7 kB, once
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), {});
  const memory = instance.exports.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('kernel module exports no memory');
  const realloc = exported(instance, 'cabi_realloc');
  const fn = (func: string) => exported(instance, `${INTERFACE}#${func}`);
  const post = (func: string) => exported(instance, `cabi_post_${INTERFACE}#${func}`);

  /** Lowers a list<u32> argument; memory.buffer is re-read because any call may grow it. */
  const lower = (list: Uint32Array): [number, number] => {
    const ptr = realloc(0, 0, 4, list.length * 4);
    new Uint32Array(memory.buffer, ptr, list.length).set(list);
    return [ptr, list.length];
  };
  /** Lifts a list<u32> result (a copy: the kernel reuses its buffer) and runs the post-return. */
  const lift = (func: string): ((...args: number[]) => Uint32Array) => {
    const call = fn(func);
    const release = post(func);
    return (...args) => {
      const retptr = call(...args);
      const area = new Uint32Array(memory.buffer, retptr, 2);
      const out = new Uint32Array(memory.buffer, area[0], area[1]).slice();
      release(retptr);
      return out;
    };
  };

  const reset = fn('reset');
  const merge = fn('merge');
  const rebuild = fn('rebuild');
  const add = lift('add');
  const find = lift('find');
  const nodes = lift('nodes');
  const counts = lift('counts');
  const costs = lift('costs');
  // i32 results come back signed: `>>> 0` reads them as the u32 the WIT declares
  return {
    reset: () => void reset(),
    add: (records) => add(...lower(records)),
    merge: (pairs) => merge(...lower(pairs)) >>> 0,
    rebuild: () => rebuild() >>> 0,
    find: (ids) => find(...lower(ids)),
    nodes: () => nodes(),
    counts: () => counts(),
    costs: (opCosts) => costs(...lower(opCosts)),
  };
}
