// Extraction: the cheapest term of a class. The kernel computes each class's cheapest cost; this
// walks down choosing, among a class's nodes that reach that cost, the one whose printed term
// comes first. Ties are broken on printed terms only, never on kernel ids or arrival order, so
// every replica with the same two sets extracts the same term.
import { isNumber, printTerm } from './sexp.ts';
import type { Snapshot } from './snapshot.ts';

export interface Best {
  term: string;
  cost: number;
}

/** Cost of one e-node's operator; clamped to at least 1, so a cheapest term is always finite. */
export type OpCost = (op: string) => number;
/** egg's AstSize: the number of e-nodes in the term. */
export const AST_SIZE: OpCost = () => 1;

/**
 * The kernel's cost table (index = op code). Numerals cost 1 whatever `cost` says: the kernel
 * sees every node of a constant class, our view only its leaves (egg's ConstantFold pruning), and
 * with the leaf as cheap as any node can be, both agree on the class's cost.
 */
export function opCostTable(opNames: readonly string[], cost: OpCost): Uint32Array {
  return Uint32Array.from(opNames, (op) => (isNumber(op) ? 1 : Math.max(1, Math.min(0xffff, Math.floor(cost(op))))));
}

/**
 * The order among equal-cost terms: by printed form, with numbers after symbols, so that
 * `(* x 2)` wins over `(* 2 x)` as a reader expects. Any fixed order would do for convergence.
 */
function before(a: string, b: string): boolean {
  const key = (t: string) => t.replace(/(^|[\s(])(?=-?[\d.])/g, '$1~');
  return key(a) < key(b);
}

/**
 * The best term of class `cls`. `classCosts` is the kernel's `costs()` answer (flat `class, cost`
 * pairs) for the table `opCost` was read from.
 */
export function extractBest(snap: Snapshot, classCosts: Uint32Array, opCost: (op: string) => number, cls: number): Best {
  const costOf = new Map<number, number>();
  for (let i = 0; i + 1 < classCosts.length; i += 2) costOf.set(classCosts[i] as number, classCosts[i + 1] as number);
  const chosen = new Map<number, string>();
  // A node at its class's cost has children strictly cheaper than the class (every op costs
  // at least 1), so this recursion never revisits a class on its way down.
  const bestOf = (c: number): string => {
    const known = chosen.get(c);
    if (known !== undefined) return known;
    const target = costOf.get(c);
    let winner: string | undefined;
    for (const node of snap.classes.get(c) ?? []) {
      let total = opCost(node.op);
      for (const child of node.children) total += costOf.get(child) ?? Infinity;
      if (total !== target) continue;
      const printed = printTerm({ op: node.op, children: node.children.map((child) => ({ op: bestOf(child), children: [] })) });
      if (winner === undefined || before(printed, winner)) winner = printed;
    }
    if (winner === undefined) throw new RangeError(`class ${c} has no node at its cost ${String(target)}`);
    chosen.set(c, winner);
    return winner;
  };
  return { term: bestOf(cls), cost: costOf.get(cls) as number };
}
