// The contract every e-graph kernel meets: the AssemblyScript kernel (as a component import in the
// agent, as a core module in Node) and the TypeScript reference. It mirrors asm/wit/kernel.wit one
// to one; the WIT file is the source of truth for the semantics of each call.

/** Flat u32 batches in and out: one call through component glue costs ~95 µs, so never per node. */
export interface Kernel {
  /** Forgets every node and class. */
  reset(): void;
  /** Adds e-nodes given as flat records `op, arity, child-id...`; one id per record (hash-consed). */
  add(nodes: Uint32Array): Uint32Array;
  /** Merges the classes of each `a, b` pair; returns how many pairs joined two different classes. */
  merge(pairs: Uint32Array): number;
  /** Restores congruence; returns how many merges it made. */
  rebuild(): number;
  /** The canonical id of each id. */
  find(ids: Uint32Array): Uint32Array;
  /** Every canonical e-node as flat records `class, op, arity, canonical-child...`, grouped by class. */
  nodes(): Uint32Array;
  /** `[e-node count, class count]`. */
  counts(): Uint32Array;
  /** Flat pairs `class, cost`: each class's cheapest cost given a cost per op code (index = op). */
  costs(opCosts: Uint32Array): Uint32Array;
}
