// The kernel workload the AssemblyScript spike measured (SPIKES.md): leaves with distinct ops, then
// binary e-nodes over earlier ones (a few ops, so congruences arise), then random unions and one
// rebuild. Generated from a seed so every kernel and every run gets the same graph. Pure.
import { seededRandom } from '../shared/prng.ts';
import type { Kernel } from './kernel.ts';

export interface WorkloadShape {
  leaves: number;
  /** binary e-nodes */
  binary: number;
  unions: number;
  /** records per `add` call; children always come from earlier calls */
  batch: number;
}

export const SPIKE_WORKLOAD: WorkloadShape = { leaves: 1_000, binary: 99_000, unions: 50_000, batch: 1_000 };

/** Binary ops are op codes `leaves .. leaves + BINARY_OPS - 1`. */
const BINARY_OPS = 4;

export interface Workload {
  shape: WorkloadShape;
  /** per batch, flat `op, arity, child...` records whose children are record indexes, not ids */
  batches: Uint32Array[];
  /** flat `a, b` record-index pairs */
  unions: Uint32Array;
}

export function generateWorkload(seed: number, shape: WorkloadShape = SPIKE_WORKLOAD): Workload {
  const rand = seededRandom(seed);
  const below = (n: number) => Math.floor(rand() * n);
  const batches: Uint32Array[] = [];
  for (let start = 0; start < shape.leaves; start += shape.batch) {
    const n = Math.min(shape.batch, shape.leaves - start);
    batches.push(Uint32Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? start + i / 2 : 0)));
  }
  for (let made = 0; made < shape.binary; ) {
    const before = shape.leaves + made; // children only from earlier batches
    const n = Math.min(shape.batch, shape.binary - made);
    const flat = new Uint32Array(4 * n);
    for (let i = 0; i < n; i++) flat.set([shape.leaves + below(BINARY_OPS), 2, below(before), below(before)], 4 * i);
    batches.push(flat);
    made += n;
  }
  const total = shape.leaves + shape.binary;
  const unions = Uint32Array.from({ length: 2 * shape.unions }, () => below(total));
  return { shape, batches, unions };
}

export interface WorkloadResult {
  nodes: number;
  classes: number;
  /** unions that joined two classes */
  merged: number;
  /** merges the rebuild made (congruences) */
  rebuilt: number;
}

/** Time spent in each step of a run (ms, by the clock the caller passed). */
export interface WorkloadPhases {
  /** the add calls, with the remapping of record indexes to ids between them */
  add: number;
  merge: number;
  rebuild: number;
}

/**
 * Adds the batches (record indexes → ids), merges every union in one call, rebuilds once. `now`
 * times each step (components have no profiler; the bench reads the phases).
 */
export function runWorkload(kernel: Kernel, workload: Workload, now: () => number = () => 0): WorkloadResult & { phases: WorkloadPhases } {
  const t0 = now();
  const ids = new Uint32Array(workload.shape.leaves + workload.shape.binary);
  let next = 0;
  for (const batch of workload.batches) {
    const flat = batch.slice();
    for (let i = 0; i < flat.length; ) {
      const arity = flat[i + 1] as number;
      for (let k = 0; k < arity; k++) flat[i + 2 + k] = ids[flat[i + 2 + k] as number] as number;
      i += 2 + arity;
    }
    const got = kernel.add(flat);
    ids.set(got, next);
    next += got.length;
  }
  const t1 = now();
  const merged = kernel.merge(workload.unions.map((r) => ids[r] as number));
  const t2 = now();
  const rebuilt = kernel.rebuild();
  const t3 = now();
  const counts = kernel.counts();
  return { nodes: counts[0] as number, classes: counts[1] as number, merged, rebuilt, phases: { add: t1 - t0, merge: t2 - t1, rebuild: t3 - t2 } };
}
