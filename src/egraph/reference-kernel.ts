// The e-graph kernel in plain TypeScript: union-find, hash-cons and egg's deferred rebuild. It is
// the reference the AssemblyScript kernel is checked against, and what runs where no kernel
// component is composed in. Ids are node indexes; a class is named by its union-find root.
import type { Kernel } from './kernel.ts';

interface Node {
  op: number;
  children: number[];
}

export class ReferenceKernel implements Kernel {
  private parents: number[] = [];
  private nodeList: Node[] = [];
  /** canonical node key → id; stale between merge and rebuild, as in egg */
  private memo = new Map<string, number>();
  private dirty = false;

  reset(): void {
    this.parents = [];
    this.nodeList = [];
    this.memo = new Map();
    this.dirty = false;
  }

  add(records: Uint32Array): Uint32Array {
    const ids: number[] = [];
    for (let i = 0; i < records.length; ) {
      const op = records[i] as number;
      const arity = records[i + 1] as number;
      const children = Array.from(records.subarray(i + 2, i + 2 + arity));
      i += 2 + arity;
      for (const c of children) if (c >= this.parents.length) throw new RangeError(`child id ${c} does not exist`);
      const key = this.key(op, children);
      const known = this.memo.get(key);
      if (known !== undefined) {
        ids.push(known);
        continue;
      }
      const id = this.parents.length;
      this.parents.push(id);
      this.nodeList.push({ op, children });
      this.memo.set(key, id);
      ids.push(id);
    }
    return Uint32Array.from(ids);
  }

  merge(pairs: Uint32Array): number {
    let merged = 0;
    for (let i = 0; i + 1 < pairs.length; i += 2) if (this.union(pairs[i] as number, pairs[i + 1] as number)) merged++;
    return merged;
  }

  /** Re-canonicalises every node until no two congruent nodes sit in different classes. */
  rebuild(): number {
    let merged = 0;
    while (this.dirty) {
      this.dirty = false;
      const memo = new Map<string, number>();
      for (let id = 0; id < this.nodeList.length; id++) {
        const node = this.nodeList[id] as Node;
        const key = this.key(node.op, node.children);
        const other = memo.get(key);
        if (other === undefined) memo.set(key, id);
        else if (this.union(other, id)) merged++;
      }
      this.memo = memo;
    }
    return merged;
  }

  find(ids: Uint32Array): Uint32Array {
    return ids.map((id) => this.root(id));
  }

  nodes(): Uint32Array {
    const byClass = new Map<number, number[][]>();
    for (const [key, id] of this.canonicalNodes()) {
      const [op, ...children] = key.split(',').map(Number) as [number, ...number[]];
      const cls = this.root(id);
      const list = byClass.get(cls) ?? [];
      list.push([cls, op, children.length, ...children]);
      byClass.set(cls, list);
    }
    return Uint32Array.from([...byClass.values()].flat(2));
  }

  counts(): Uint32Array {
    let classes = 0;
    for (let id = 0; id < this.parents.length; id++) if (this.parents[id] === id) classes++;
    return Uint32Array.of(this.canonicalNodes().size, classes);
  }

  costs(opCosts: Uint32Array): Uint32Array {
    const nodes = [...this.canonicalNodes()].map(([key, id]) => {
      const [op, ...children] = key.split(',').map(Number) as [number, ...number[]];
      return { cls: this.root(id), op, children };
    });
    const best = new Map<number, number>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const n of nodes) {
        let cost = opCosts[n.op] ?? 0xffff_ffff;
        for (const c of n.children) cost += best.get(c) ?? Infinity;
        cost = Math.min(cost, 0xffff_ffff);
        if (cost < (best.get(n.cls) ?? Infinity) && Number.isFinite(cost)) {
          best.set(n.cls, cost);
          changed = true;
        }
      }
    }
    return Uint32Array.from([...best].flat());
  }

  private root(id: number): number {
    let x = id;
    while (this.parents[x] !== x) {
      const grand = this.parents[this.parents[x] as number] as number;
      this.parents[x] = grand; // path halving
      x = grand;
    }
    return x;
  }

  private union(a: number, b: number): boolean {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return false;
    // The older root survives, so class names are stable while a graph grows.
    if (ra < rb) this.parents[rb] = ra;
    else this.parents[ra] = rb;
    this.dirty = true;
    return true;
  }

  private key(op: number, children: number[]): string {
    let key = String(op);
    for (const c of children) key += ',' + this.root(c);
    return key;
  }

  /** canonical key → one id, after rebuild */
  private canonicalNodes(): Map<string, number> {
    const out = new Map<string, number>();
    for (let id = 0; id < this.nodeList.length; id++) {
      const node = this.nodeList[id] as Node;
      const key = this.key(node.op, node.children);
      if (!out.has(key)) out.set(key, id);
    }
    return out;
  }
}
