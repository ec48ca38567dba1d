// The e-graph kernel in AssemblyScript: egg's union-find (path halving), hash-cons of canonical
// e-nodes, parent lists and deferred rebuild. The same algorithm, step for step, as the TypeScript
// reference (src/egraph/reference-kernel.ts), which documents the semantics; here every structure
// is a flat u32 Vec so the hot loops touch only linear memory. Bad ids trap (`unreachable`).
import { Vec } from './vec';

const NONE: u32 = 0xffff_ffff;
const MAX_COST: u32 = 0xffff_ffff;

// per e-node (index = id)
const parent = new Vec(); // union-find
const op = new Vec();
const arity = new Vec();
const start = new Vec(); // first child in `children`, rewritten canonical at rebuild
const hashes = new Vec(); // hash of the stored children, to find the memo slot again
const live = new Vec(); // 1 while canonical, 0 once a congruent older e-node stands for it
const head = new Vec(); // per class: first parent-list entry
const tail = new Vec(); // per class: last parent-list entry
const children = new Vec();
// parent-list entries: e-node, next entry
const parentNode = new Vec();
const parentNext = new Vec();
// e-nodes whose stored children may have stopped being canonical
const pending = new Vec();
// reused scratch: a record's canonical children; per-class tables for nodes() and costs()
const scratch = new Vec();
const tableA = new Vec();
const tableB = new Vec();

// hash-cons: open addressing, linear probing, e-node id + 1 (0 = empty)
let memo = new Vec(1024);
memo.fill(1024, 0);
let liveCount: i32 = 0;
let classCount: i32 = 0;

// @ts-ignore: decorator
@inline function input(ptr: usize, i: i32): u32 {
  return load<u32>(ptr + (<usize>i << 2));
}

function hashNode(o: u32, from: usize, n: i32): u32 {
  let h: u32 = (o ^ (<u32>n << 24)) * 0x85eb_ca6b;
  for (let i = 0; i < n; i++) {
    h = (h ^ load<u32>(from + (<usize>i << 2))) * 0x9e37_79b1;
    h ^= h >>> 15;
  }
  return h;
}

function root(id: u32): u32 {
  let x = id;
  let p = parent.get(x);
  while (p != x) {
    const grand = parent.get(p);
    parent.set(x, grand); // path halving
    x = grand;
    p = parent.get(x);
  }
  return x;
}

function find1(id: u32): u32 {
  if (id >= <u32>parent.len) unreachable();
  return root(id);
}

/** Joins two roots; the smaller id survives. The loser's parents must be re-canonicalised. */
function union(a: u32, b: u32): bool {
  if (a == b) return false;
  const winner = min(a, b);
  const loser = max(a, b);
  parent.set(loser, winner);
  classCount--;
  const h = head.get(loser);
  for (let e = h; e != NONE; e = parentNext.get(e)) {
    const p = parentNode.get(e);
    if (live.get(p)) pending.push(p);
  }
  if (h != NONE) {
    if (head.get(winner) == NONE) head.set(winner, h);
    else parentNext.set(tail.get(winner), h);
    tail.set(winner, tail.get(loser));
    head.set(loser, NONE);
    tail.set(loser, NONE);
  }
  return true;
}

// @ts-ignore: decorator
@inline function childAt(id: u32): usize {
  return children.ptr + (<usize>start.get(id) << 2);
}

/** The canonical e-node equal to `o` over the `n` children at `from`, or NONE. */
function lookup(h: u32, o: u32, from: usize, n: i32): u32 {
  const mask = <u32>memo.len - 1;
  let slot = h & mask;
  for (let v = memo.get(slot); v != 0; v = memo.get(slot)) {
    const id = v - 1;
    if (hashes.get(id) == h && op.get(id) == o && arity.get(id) == <u32>n && memory.compare(childAt(id), from, <usize>n << 2) == 0) return id;
    slot = (slot + 1) & mask;
  }
  return NONE;
}

function place(table: Vec, v: u32): void {
  const mask = <u32>table.len - 1;
  let slot = hashes.get(v - 1) & mask;
  while (table.get(slot) != 0) slot = (slot + 1) & mask;
  table.set(slot, v);
}

function grow(): void {
  const old = memo;
  memo = new Vec(old.len << 1);
  memo.fill(old.len << 1, 0);
  for (let i = 0; i < old.len; i++) {
    const v = old.get(i);
    if (v != 0) place(memo, v);
  }
  heap.free(old.ptr);
}

function link(id: u32): void {
  if (2 * (liveCount + 1) > memo.len) grow();
  place(memo, id + 1);
}

/** Removes `id` from the memo by backward-shift deletion (no tombstones). */
function unlink(id: u32): void {
  const mask = <u32>memo.len - 1;
  let i = hashes.get(id) & mask;
  while (memo.get(i) != id + 1) i = (i + 1) & mask;
  for (let j = (i + 1) & mask; memo.get(j) != 0; j = (j + 1) & mask) {
    const home = hashes.get(memo.get(j) - 1) & mask;
    // move j back into the hole at i unless its home lies cyclically in (i, j]
    if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
      memo.set(i, memo.get(j));
      i = j;
    }
  }
  memo.set(i, 0);
}

function addParent(cls: u32, node: u32): void {
  const e = <u32>parentNode.len;
  parentNode.push(node);
  parentNext.push(NONE);
  if (head.get(cls) == NONE) head.set(cls, e);
  else parentNext.set(tail.get(cls), e);
  tail.set(cls, e);
}

/** A new canonical e-node, children in `scratch`, in a class of its own. */
function pushNode(o: u32, n: i32, h: u32): u32 {
  const id = <u32>parent.len;
  parent.push(id);
  op.push(o);
  arity.push(n);
  start.push(children.len);
  for (let k = 0; k < n; k++) children.push(scratch.get(k));
  hashes.push(h);
  live.push(1);
  head.push(NONE);
  tail.push(NONE);
  for (let k = 0; k < n; k++) addParent(scratch.get(k), id);
  liveCount++;
  classCount++;
  link(id);
  return id;
}

export function reset(): void {
  parent.clear();
  op.clear();
  arity.clear();
  start.clear();
  hashes.clear();
  live.clear();
  head.clear();
  tail.clear();
  children.clear();
  parentNode.clear();
  parentNext.clear();
  pending.clear();
  memo.fill(memo.len, 0);
  liveCount = 0;
  classCount = 0;
}

export function add(ptr: usize, len: i32, out: Vec): void {
  out.clear();
  for (let i = 0; i < len; ) {
    const o = input(ptr, i);
    const n = <i32>input(ptr, i + 1);
    if (n < 0 || i + 2 + n > len) unreachable();
    scratch.reserve(n);
    for (let k = 0; k < n; k++) scratch.set(k, find1(input(ptr, i + 2 + k)));
    i += 2 + n;
    const h = hashNode(o, scratch.ptr, n);
    const known = lookup(h, o, scratch.ptr, n);
    out.push(known == NONE ? pushNode(o, n, h) : known);
  }
}

export function merge(ptr: usize, len: i32): u32 {
  let merged: u32 = 0;
  for (let i = 0; i + 1 < len; i += 2) if (union(find1(input(ptr, i)), find1(input(ptr, i + 1)))) merged++;
  return merged;
}

/** egg's rebuild: re-canonicalise the parents of merged-away classes; congruent ones merge. */
export function rebuild(): u32 {
  let merged: u32 = 0;
  while (pending.len > 0) {
    const n = pending.pop();
    if (!live.get(n)) continue;
    const from = childAt(n);
    const len = <i32>arity.get(n);
    let stale = false;
    for (let k = 0; k < len; k++) {
      const c = load<u32>(from + (<usize>k << 2));
      if (root(c) != c) stale = true;
    }
    if (!stale) continue;
    unlink(n);
    for (let k = 0; k < len; k++) store<u32>(from + (<usize>k << 2), root(load<u32>(from + (<usize>k << 2))));
    const h = hashNode(op.get(n), from, len);
    hashes.set(n, h);
    const other = lookup(h, op.get(n), from, len);
    if (other == NONE) link(n);
    else {
      // congruent: the older e-node stays canonical
      if (n < other) {
        unlink(other);
        live.set(other, 0);
        link(n);
      } else live.set(n, 0);
      liveCount--;
      if (union(root(n), root(other))) merged++;
    }
  }
  return merged;
}

export function find(ptr: usize, len: i32, out: Vec): void {
  out.reserve(len);
  out.len = len;
  for (let i = 0; i < len; i++) out.set(i, find1(input(ptr, i)));
}

/** Canonical e-nodes by class ascending, then by id (a counting sort over class ids). */
export function nodes(out: Vec): void {
  const n = parent.len;
  const offset = tableA;
  const cls = tableB;
  offset.fill(n + 1, 0);
  cls.fill(n, 0);
  for (let id = 0; id < n; id++) {
    if (!live.get(id)) continue;
    const c = root(id);
    cls.set(id, c);
    offset.set(c + 1, offset.get(c + 1) + 3 + arity.get(id));
  }
  for (let c = 0; c < n; c++) offset.set(c + 1, offset.get(c + 1) + offset.get(c));
  const total = <i32>offset.get(n);
  out.reserve(total);
  out.len = total;
  for (let id = 0; id < n; id++) {
    if (!live.get(id)) continue;
    const c = cls.get(id);
    let at = <i32>offset.get(c);
    const len = <i32>arity.get(id);
    const from = childAt(id);
    out.set(at++, c);
    out.set(at++, op.get(id));
    out.set(at++, len);
    for (let k = 0; k < len; k++) out.set(at++, root(load<u32>(from + (<usize>k << 2))));
    offset.set(c, at);
  }
}

export function counts(out: Vec): void {
  out.clear();
  out.push(liveCount);
  out.push(classCount);
}

/** Bellman–Ford style relaxation over canonical e-nodes until no class gets cheaper (saturating). */
export function costs(ptr: usize, len: i32, out: Vec): void {
  const n = parent.len;
  const best = tableA;
  const known = tableB;
  best.fill(n, 0);
  known.fill(n, 0);
  for (let changed = true; changed; ) {
    changed = false;
    for (let id = 0; id < n; id++) {
      if (!live.get(id)) continue;
      const o = op.get(id);
      if (o >= <u32>len) continue; // an op outside the table has no cost
      let cost = input(ptr, o);
      const from = childAt(id);
      const a = <i32>arity.get(id);
      let k = 0;
      for (; k < a; k++) {
        const child = root(load<u32>(from + (<usize>k << 2)));
        if (!known.get(child)) break;
        const sum = cost + best.get(child);
        cost = sum < cost ? MAX_COST : sum;
      }
      if (k < a) continue;
      const c = root(id);
      if (!known.get(c) || best.get(c) > cost) {
        best.set(c, cost);
        known.set(c, 1);
        changed = true;
      }
    }
  }
  out.clear();
  for (let c = 0; c < n; c++)
    if (known.get(c)) {
      out.push(c);
      out.push(best.get(c));
    }
}
