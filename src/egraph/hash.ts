// Content hashes of e-nodes: the key of a term in the CRDT's `terms` set. Equal on every replica and
// engine (V8, StarlingMonkey): FNV-1a 64 over a length-prefixed encoding, so `(f ab)` and `(fa b)`
// can never collide by concatenation.
import { fnv1a64Hex } from '../shared/hash.ts';

/** 16 hex digits naming the e-node `op(children...)` whose children are term hashes. */
export function termHash(op: string, childHashes: readonly string[]): string {
  let encoded = `${op.length}:${op}/${childHashes.length}`;
  for (const child of childHashes) encoded += `/${child}`;
  return fnv1a64Hex(encoded);
}
