// The canonical-ABI shim over the kernel: what `crdt-agents:egraph/kernel@0.1.0` (wit/kernel.wit)
// lowers to in a core module. A `list<u32>` argument arrives in memory the host got from
// `cabi_realloc`; a `list<u32>` result is returned as a pointer to the return area `[ptr, len]`.
// Both buffers are reused from call to call (the stub runtime never frees). The build renames the
// exports `kernel_<func>` / `post_<func>` to `crdt-agents:egraph/kernel@0.1.0#<func>` /
// `cabi_post_crdt-agents:egraph/kernel@0.1.0#<func>`.
import * as kernel from './kernel';
import { Vec } from './vec';

const argument = new Vec();
const result = new Vec();
const returnArea = memory.data(8, 4);

/** The host allocates each list argument here: one list per call, so one reused buffer. */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, size: usize): usize {
  if (old != 0 && old != argument.ptr) return heap.realloc(old, size);
  argument.reserve(<i32>((size + 3) >> 2));
  return argument.ptr;
}

function list(): usize {
  store<u32>(returnArea, <u32>result.ptr);
  store<u32>(returnArea, result.len, 4);
  return returnArea;
}

/** After the host copied a result out: the buffer is free for the next call. */
export function post_list(retptr: usize): void {
  result.clear();
}

export function kernel_reset(): void {
  kernel.reset();
}

export function kernel_add(ptr: usize, len: i32): usize {
  kernel.add(ptr, len, result);
  return list();
}

export function kernel_merge(ptr: usize, len: i32): u32 {
  return kernel.merge(ptr, len);
}

export function kernel_rebuild(): u32 {
  return kernel.rebuild();
}

export function kernel_find(ptr: usize, len: i32): usize {
  kernel.find(ptr, len, result);
  return list();
}

export function kernel_nodes(): usize {
  kernel.nodes(result);
  return list();
}

export function kernel_counts(): usize {
  kernel.counts(result);
  return list();
}

export function kernel_costs(ptr: usize, len: i32): usize {
  kernel.costs(ptr, len, result);
  return list();
}
