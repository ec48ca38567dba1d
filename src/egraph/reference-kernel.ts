// The e-graph kernel in plain TypeScript: egg's union-find (path halving), hash-cons of canonical
// e-nodes, parent lists and deferred rebuild. It is the reference the AssemblyScript kernel
// (asm/kernel.ts, the same algorithm over linear memory) is checked against, and what runs where no
// kernel component is composed in. Pure: no I/O.
//
// Ids are e-node indexes; a class is named by its union-find root, always the smallest id in it, so
// class names are stable while a graph grows and every kernel names classes alike. Of congruent
// e-nodes the oldest stays canonical (`add` returns its id); the others are retired at rebuild.
import type { Kernel } from './kernel.ts';

const NONE = -1;
const MAX_COST = 0xffff_ffff;

/** The hash of an e-node `op, children...` (children canonical); the AssemblyScript kernel uses the same. */
function hashNode(op: number, children: ArrayLike<number>, from: number, arity: number): number {
  let h = Math.imul(op ^ (arity << 24), 0x85eb_ca6b);
  for (let i = 0; i < arity; i++) {
    h = Math.imul(h ^ (children[from + i] as number), 0x9e37_79b1);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

export class ReferenceKernel implements Kernel {
  /** union-find over e-node ids */
  private parent: number[] = [];
  private op: number[] = [];
  private arity: number[] = [];
  /** where each e-node's children start in `children`; rewritten canonical at rebuild */
  private start: number[] = [];
  private children: number[] = [];
  /** hash of each e-node's stored children, to find its memo slot again */
  private hash: number[] = [];
  /** 1 while an e-node is canonical (in the memo); 0 once a congruent older one stands for it */
  private live: number[] = [];
  /** open addressing, linear probing: e-node id + 1, 0 = empty */
  private memo = new Int32Array(1024);
  /** per class: a linked list of parent e-nodes (`parentNode`, `parentNext`), spliced on union */
  private head: number[] = [];
  private tail: number[] = [];
  private parentNode: number[] = [];
  private parentNext: number[] = [];
  /** e-nodes whose stored children may have stopped being canonical */
  private pending: number[] = [];
  private liveCount = 0;
  private classCount = 0;
  /** a record's canonical children while it is looked up */
  private scratch: number[] = [];

  reset(): void {
    for (const list of [this.parent, this.op, this.arity, this.start, this.children, this.hash, this.live, this.head, this.tail, this.parentNode, this.parentNext, this.pending])
      list.length = 0;
    this.memo = new Int32Array(1024);
    this.liveCount = 0;
    this.classCount = 0;
  }

  add(records: Uint32Array): Uint32Array {
    const out: number[] = [];
    for (let i = 0; i < records.length; ) {
      const op = records[i] as number;
      const arity = records[i + 1] as number;
      if (i + 2 + arity > records.length) throw new RangeError(`record at ${i} is cut short`);
      const kids = this.scratch;
      kids.length = arity;
      for (let k = 0; k < arity; k++) kids[k] = this.find1(records[i + 2 + k] as number);
      i += 2 + arity;
      const h = hashNode(op, kids, 0, arity);
      const known = this.lookup(h, op, kids, 0, arity);
      out.push(known === NONE ? this.push(op, kids, h) : known);
    }
    return Uint32Array.from(out);
  }

  merge(pairs: Uint32Array): number {
    let merged = 0;
    for (let i = 0; i + 1 < pairs.length; i += 2) if (this.union(this.find1(pairs[i] as number), this.find1(pairs[i + 1] as number))) merged++;
    return merged;
  }

  /** egg's rebuild: re-canonicalise the parents of merged-away classes; congruent ones merge. */
  rebuild(): number {
    let merged = 0;
    const { children, start, arity } = this;
    while (this.pending.length > 0) {
      const n = this.pending.pop() as number;
      if (this.live[n] === 0) continue;
      const from = start[n] as number;
      const len = arity[n] as number;
      let stale = false;
      for (let k = 0; k < len; k++) if (this.root(children[from + k] as number) !== children[from + k]) stale = true;
      if (!stale) continue;
      this.unlink(n);
      for (let k = 0; k < len; k++) children[from + k] = this.root(children[from + k] as number);
      const h = hashNode(this.op[n] as number, children, from, len);
      this.hash[n] = h;
      const other = this.lookup(h, this.op[n] as number, children, from, len);
      if (other === NONE) this.link(n);
      else {
        // congruent: the older e-node stays canonical
        if (n < other) {
          this.unlink(other);
          this.live[other] = 0;
          this.link(n);
        } else this.live[n] = 0;
        this.liveCount--;
        if (this.union(this.root(n), this.root(other))) merged++;
      }
    }
    return merged;
  }

  find(ids: Uint32Array): Uint32Array {
    return ids.map((id) => this.find1(id));
  }

  /** Canonical e-nodes by class ascending, then by id (a counting sort over class ids). */
  nodes(): Uint32Array {
    const n = this.parent.length;
    const size = new Array<number>(n + 1).fill(0);
    const cls = new Array<number>(n);
    for (let id = 0; id < n; id++) {
      if (this.live[id] === 0) continue;
      const c = this.root(id);
      cls[id] = c;
      size[c + 1] = (size[c + 1] as number) + 3 + (this.arity[id] as number);
    }
    for (let c = 0; c < n; c++) size[c + 1] = (size[c + 1] as number) + (size[c] as number);
    const out = new Uint32Array(size[n] as number);
    for (let id = 0; id < n; id++) {
      if (this.live[id] === 0) continue;
      const c = cls[id] as number;
      let at = size[c] as number;
      const len = this.arity[id] as number;
      const from = this.start[id] as number;
      out[at++] = c;
      out[at++] = this.op[id] as number;
      out[at++] = len;
      for (let k = 0; k < len; k++) out[at++] = this.root(this.children[from + k] as number);
      size[c] = at;
    }
    return out;
  }

  counts(): Uint32Array {
    return Uint32Array.of(this.liveCount, this.classCount);
  }

  /**
   * Bellman–Ford style relaxation over canonical e-nodes until no class gets cheaper; sums saturate
   * at 2^32 - 1. An op outside the table has no cost: its e-nodes are never chosen.
   */
  costs(opCosts: Uint32Array): Uint32Array {
    const n = this.parent.length;
    const best = new Array<number>(n).fill(NONE);
    for (let changed = true; changed; ) {
      changed = false;
      for (let id = 0; id < n; id++) {
        if (this.live[id] === 0) continue;
        const op = this.op[id] as number;
        if (op >= opCosts.length) continue;
        let cost = opCosts[op] as number;
        const from = this.start[id] as number;
        const len = this.arity[id] as number;
        let k = 0;
        for (; k < len; k++) {
          const child = best[this.root(this.children[from + k] as number)] as number;
          if (child === NONE) break;
          cost = Math.min(cost + child, MAX_COST);
        }
        if (k < len) continue;
        const c = this.root(id);
        const current = best[c] as number;
        if (current === NONE || cost < current) {
          best[c] = cost;
          changed = true;
        }
      }
    }
    const out: number[] = [];
    for (let c = 0; c < n; c++) if (best[c] !== NONE) out.push(c, best[c] as number);
    return Uint32Array.from(out);
  }

  private find1(id: number): number {
    if (id >= this.parent.length) throw new RangeError(`id ${id} does not exist`);
    return this.root(id);
  }

  private root(id: number): number {
    const parent = this.parent;
    let x = id;
    while (parent[x] !== x) {
      const grand = parent[parent[x] as number] as number;
      parent[x] = grand; // path halving
      x = grand;
    }
    return x;
  }

  /** Joins two roots; the smaller id survives. The loser's parents must be re-canonicalised. */
  private union(a: number, b: number): boolean {
    if (a === b) return false;
    const winner = Math.min(a, b);
    const loser = Math.max(a, b);
    this.parent[loser] = winner;
    this.classCount--;
    for (let e = this.head[loser] as number; e !== NONE; e = this.parentNext[e] as number) {
      const p = this.parentNode[e] as number;
      if (this.live[p] === 1) this.pending.push(p);
    }
    const h = this.head[loser] as number;
    if (h !== NONE) {
      if (this.head[winner] === NONE) this.head[winner] = h;
      else this.parentNext[this.tail[winner] as number] = h;
      this.tail[winner] = this.tail[loser] as number;
      this.head[loser] = NONE;
      this.tail[loser] = NONE;
    }
    return true;
  }

  /** A new canonical e-node in a class of its own. */
  private push(op: number, kids: readonly number[], h: number): number {
    const id = this.parent.length;
    this.parent.push(id);
    this.op.push(op);
    this.arity.push(kids.length);
    this.start.push(this.children.length);
    for (const c of kids) this.children.push(c);
    this.hash.push(h);
    this.live.push(1);
    this.head.push(NONE);
    this.tail.push(NONE);
    for (const c of kids) this.addParent(c, id);
    this.liveCount++;
    this.classCount++;
    this.link(id);
    return id;
  }

  private addParent(cls: number, node: number): void {
    const e = this.parentNode.length;
    this.parentNode.push(node);
    this.parentNext.push(NONE);
    if (this.head[cls] === NONE) this.head[cls] = e;
    else this.parentNext[this.tail[cls] as number] = e;
    this.tail[cls] = e;
  }

  /** The canonical e-node equal to `op, children[from..from+arity)`, or NONE. */
  private lookup(h: number, op: number, kids: ArrayLike<number>, from: number, arity: number): number {
    const mask = this.memo.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.memo[slot] as number;
      if (v === 0) return NONE;
      const id = v - 1;
      if (this.hash[id] !== h || this.op[id] !== op || this.arity[id] !== arity) continue;
      const at = this.start[id] as number;
      let k = 0;
      while (k < arity && this.children[at + k] === kids[from + k]) k++;
      if (k === arity) return id;
    }
  }

  private link(id: number): void {
    if (2 * (this.liveCount + 1) > this.memo.length) this.grow();
    const mask = this.memo.length - 1;
    let slot = (this.hash[id] as number) & mask;
    while (this.memo[slot] !== 0) slot = (slot + 1) & mask;
    this.memo[slot] = id + 1;
  }

  /** Removes `id` from the memo by backward-shift deletion (no tombstones). */
  private unlink(id: number): void {
    const memo = this.memo;
    const mask = memo.length - 1;
    let i = (this.hash[id] as number) & mask;
    while (memo[i] !== id + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; memo[j] !== 0; j = (j + 1) & mask) {
      const home = (this.hash[(memo[j] as number) - 1] as number) & mask;
      // move j back into the hole at i unless its home lies cyclically in (i, j]
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        memo[i] = memo[j] as number;
        i = j;
      }
    }
    memo[i] = 0;
  }

  private grow(): void {
    const old = this.memo;
    this.memo = new Int32Array(old.length * 2);
    const mask = this.memo.length - 1;
    for (const v of old) {
      if (v === 0) continue;
      let slot = (this.hash[v - 1] as number) & mask;
      while (this.memo[slot] !== 0) slot = (slot + 1) & mask;
      this.memo[slot] = v;
    }
  }
}
