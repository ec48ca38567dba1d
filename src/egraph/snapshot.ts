// The e-graph as matching and extraction see it: the kernel's canonical nodes after rebuild,
// indexed once per change, with egg's ConstantFold pruning applied as a view.

/** A canonical e-node in a snapshot: children are kernel class ids. */
export interface SnapshotNode {
  op: string;
  children: number[];
}

/** The e-graph after rebuild, indexed for matching and extraction. */
export interface Snapshot {
  /** class id → its canonical nodes (a class holding a constant shows its leaves only: egg's pruning) */
  classes: Map<number, SnapshotNode[]>;
  /** op → classes holding a node with that op */
  byOp: Map<string, number[]>;
  /** class id → its numeric value, when it holds a constant */
  constant: Map<number, number>;
  /** classes holding a symbol leaf */
  symbolic: Set<number>;
  /** class id → canonical name (smallest term hash in the class) */
  name: Map<number, string>;
  /** `nodeKey(op, children)` of every canonical node, pruned or not → its class (egg's `lookup`) */
  lookup: Map<string, number>;
  nodeCount: number;
}

/** The key of an e-node in `Snapshot.lookup`: operator and canonical child classes. */
export function nodeKey(op: string, children: readonly number[]): string {
  return children.length === 0 ? op : `${op} ${children.join(' ')}`;
}

/** The classes reachable from `from` through the snapshot's nodes' children (`from` included). */
export function reachableClasses(snap: Snapshot, from: Iterable<number>): Set<number> {
  const reached = new Set<number>();
  const stack = [...from];
  for (let cls = stack.pop(); cls !== undefined; cls = stack.pop()) {
    if (reached.has(cls)) continue;
    reached.add(cls);
    for (const node of snap.classes.get(cls) ?? []) for (const child of node.children) if (!reached.has(child)) stack.push(child);
  }
  return reached;
}
