// Types for the e-graph kernel import as componentize-js exposes it to the guest: `list<u32>` is a
// Uint32Array both ways, `u32` a number (asm/wit/kernel.wit).
declare module 'crdt-agents:egraph/kernel@0.1.0' {
  export function reset(): void;
  export function add(nodes: Uint32Array): Uint32Array;
  export function merge(pairs: Uint32Array): number;
  export function rebuild(): number;
  export function find(ids: Uint32Array): Uint32Array;
  export function nodes(): Uint32Array;
  export function counts(): Uint32Array;
  export function costs(opCosts: Uint32Array): Uint32Array;
}
