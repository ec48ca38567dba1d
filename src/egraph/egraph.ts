// The e-graph of one replica, derived from the CRDT's two grow-only sets (term records keyed by
// content hash, and unions of term hashes) and held in a Kernel. Whatever order the sets arrive in,
// the derived e-graph is the same: the same partition of term hashes, each class named by its
// smallest term hash, the same counts and the same extractions (ties broken by printed term,
// never by kernel id or arrival order).
import { termHash } from './hash.ts';
import type { Kernel } from './kernel.ts';
import { AST_SIZE, extractBest, opCostTable, type Best, type OpCost } from './extract.ts';
import { isNumber, type Term } from './sexp.ts';
import { nodeKey, type Snapshot, type SnapshotNode } from './snapshot.ts';

/** An e-node as the CRDT stores it: operator and children's term hashes. */
export interface TermRecord {
  op: string;
  children: string[];
}

export class EGraph {
  private readonly opCodes = new Map<string, number>();
  private readonly opNames: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly hashOfId = new Map<number, string>();
  private readonly records = new Map<string, TermRecord>();
  private readonly unionKeys = new Set<string>();
  private cached: Snapshot | null = null;

  constructor(readonly kernel: Kernel) {}

  /** The e-graph of a replica's sets. Records whose children are absent wait; so do their unions. */
  static fromSets(kernel: Kernel, terms: ReadonlyMap<string, TermRecord>, unions: Iterable<{ a: string; b: string }>): EGraph {
    const egraph = new EGraph(kernel);
    egraph.addRecords(terms);
    egraph.unionAll(unions);
    egraph.rebuild();
    return egraph;
  }

  /**
   * Adds CRDT records in any order, one kernel call per wave: a record joins the first wave after
   * all its children are present. Records whose children never arrive wait (they are not added).
   */
  addRecords(records: Iterable<readonly [string, TermRecord]>): void {
    /** child hash → records waiting for it */
    const waitingOn = new Map<string, (readonly [string, TermRecord])[]>();
    const missing = new Map<string, number>();
    let wave: (readonly [string, TermRecord])[] = [];
    for (const entry of records) {
      if (this.ids.has(entry[0]) || missing.has(entry[0])) continue;
      const absent = new Set(entry[1].children.filter((c) => !this.ids.has(c)));
      missing.set(entry[0], absent.size);
      if (absent.size === 0) wave.push(entry);
      for (const c of absent) {
        const list = waitingOn.get(c);
        if (list === undefined) waitingOn.set(c, [entry]);
        else list.push(entry);
      }
    }
    while (wave.length > 0) {
      this.addBatch(wave, true);
      const next: (readonly [string, TermRecord])[] = [];
      for (const [hash] of wave) {
        for (const parent of waitingOn.get(hash) ?? []) {
          const left = (missing.get(parent[0]) as number) - 1;
          missing.set(parent[0], left);
          if (left === 0) next.push(parent);
        }
      }
      wave = next;
    }
  }

  /**
   * Adds nodes a rewrite built (children present), in one kernel call. A node congruent to one we
   * hold is not kept under its new name: the known node's name is returned instead, so the CRDT
   * never learns a name it was not sent. `added` says which nodes are new.
   */
  addDerived(entries: readonly (readonly [string, TermRecord])[]): { hash: string; added: boolean }[] {
    return this.addBatch(entries, false);
  }

  /** Adds a term and all its subterms, one kernel call per height; returns its hash and the new records. */
  addTerm(term: Term): { hash: string; newRecords: [string, TermRecord][] } {
    const byHeight: [string, TermRecord][][] = [];
    const visit = (t: Term): { hash: string; height: number } => {
      const children = t.children.map(visit);
      const record = { op: t.op, children: children.map((c) => c.hash) };
      const hash = termHash(record.op, record.children);
      const height = children.reduce((h, c) => Math.max(h, c.height + 1), 0);
      if (!this.ids.has(hash)) (byHeight[height] ??= []).push([hash, record]);
      return { hash, height };
    };
    const { hash } = visit(term);
    const newRecords: [string, TermRecord][] = [];
    for (const level of byHeight) {
      if (level === undefined) continue;
      const fresh = [...new Map(level)];
      this.addBatch(fresh, true);
      newRecords.push(...fresh);
    }
    this.rebuild();
    return { hash, newRecords };
  }

  /**
   * Adds records whose children are present, in one kernel call; for each, the name it goes by and
   * whether it made a new e-node. A record congruent to a known node becomes another name of it
   * (`keepAliases`, for CRDT records) or is dropped for the known node's name.
   */
  private addBatch(entries: readonly (readonly [string, TermRecord])[], keepAliases: boolean): { hash: string; added: boolean }[] {
    const out: { hash: string; added: boolean }[] = [];
    const flat: number[] = [];
    const pending: number[] = [];
    const seen = new Map<string, number>();
    entries.forEach(([hash, record], i) => {
      out.push({ hash, added: false });
      if (this.ids.has(hash) || seen.has(hash)) return;
      seen.set(hash, i);
      pending.push(i);
      flat.push(this.opCode(record.op), record.children.length);
      for (const c of record.children) flat.push(this.idOf(c));
    });
    if (pending.length === 0) return out;
    const ids = this.kernel.add(Uint32Array.from(flat));
    this.cached = null;
    pending.forEach((i, k) => {
      const [hash, record] = entries[i] as readonly [string, TermRecord];
      const id = ids[k] as number;
      const known = this.hashOfId.get(id);
      if (known === undefined) {
        this.hashOfId.set(id, hash);
        out[i] = { hash, added: true };
      } else if (!keepAliases) {
        out[i] = { hash: known, added: false };
        return;
      }
      this.ids.set(hash, id);
      this.records.set(hash, record);
    });
    // A repeat of a hash earlier in the batch goes by the name the first one got.
    entries.forEach(([hash], i) => {
      const first = seen.get(hash);
      if (first !== undefined && first !== i) out[i] = { hash: (out[first] as { hash: string }).hash, added: false };
    });
    return out;
  }

  /** Records `a = b`; false when either term is unknown here (yet). Congruence waits for rebuild. */
  union(a: string, b: string): boolean {
    return this.unionAll([{ a, b }]) === 1;
  }

  /**
   * Records each pair whose terms are both known, in one kernel call; returns how many it recorded.
   * Congruence waits for rebuild.
   */
  unionAll(pairs: Iterable<{ a: string; b: string }>): number {
    const flat: number[] = [];
    for (const { a, b } of pairs) {
      const ia = this.ids.get(a);
      const ib = this.ids.get(b);
      if (ia === undefined || ib === undefined) continue;
      this.unionKeys.add(a < b ? `${a}~${b}` : `${b}~${a}`);
      flat.push(ia, ib);
    }
    if (flat.length > 0) {
      this.kernel.merge(Uint32Array.from(flat));
      this.cached = null;
    }
    return flat.length / 2;
  }

  /**
   * For each pair in order, whether uniting it would join two classes not already joined by the
   * pairs before it (one kernel call): the pairs that add information.
   */
  joins(pairs: readonly { a: string; b: string }[]): boolean[] {
    const roots = this.kernel.find(Uint32Array.from(pairs.flatMap(({ a, b }) => [this.idOf(a), this.idOf(b)])));
    const parent = new Map<number, number>();
    const find = (x: number): number => {
      let r = x;
      for (let p = parent.get(r); p !== undefined; p = parent.get(r)) r = p;
      return r;
    };
    return pairs.map((_, i) => {
      const a = find(roots[2 * i] as number);
      const b = find(roots[2 * i + 1] as number);
      if (a === b) return false;
      parent.set(a, b);
      return true;
    });
  }

  rebuild(): number {
    const merged = this.kernel.rebuild();
    this.cached = null;
    return merged;
  }

  has(hash: string): boolean {
    return this.ids.has(hash);
  }

  private idOf(hash: string): number {
    const id = this.ids.get(hash);
    if (id === undefined) throw new RangeError(`unknown term ${hash}`);
    return id;
  }

  private opCode(op: string): number {
    let code = this.opCodes.get(op);
    if (code === undefined) {
      code = this.opNames.length;
      this.opCodes.set(op, code);
      this.opNames.push(op);
    }
    return code;
  }

  /** The canonical class id of a term: the smallest term hash in its class. */
  classOf(hash: string): string {
    const snap = this.snapshot();
    return snap.name.get(this.classIdOf(hash)) ?? hash;
  }

  /** The class (kernel id, canonical) of a term. */
  classIdOf(hash: string): number {
    return this.kernel.find(Uint32Array.of(this.idOf(hash)))[0] as number;
  }

  /** The classes (kernel ids, canonical) of the terms among `hashes` that this e-graph holds. */
  classIdsOf(hashes: readonly string[]): number[] {
    const known = hashes.filter((h) => this.ids.has(h));
    return Array.from(this.kernel.find(Uint32Array.from(known.map((h) => this.idOf(h)))));
  }

  /** How many records each class holds: its term records, and the unions naming one of its terms first. */
  recordsPerClass(): Map<number, number> {
    const firsts = [...this.records.keys()];
    for (const key of this.unionKeys) firsts.push(key.slice(0, key.indexOf('~')));
    const counts = new Map<number, number>();
    for (const cls of this.classIdsOf(firsts)) counts.set(cls, (counts.get(cls) ?? 0) + 1);
    return counts;
  }

  summary(): { nodes: number; classes: number; terms: number; unions: number } {
    const counts = this.kernel.counts();
    return { nodes: counts[0] as number, classes: counts[1] as number, terms: this.records.size, unions: this.unionKeys.size };
  }

  /**
   * Throws unless the e-graph is congruence-closed after rebuild: no e-node (op, child classes) in
   * two classes, and every term record present as an e-node of its term's class. For tests.
   */
  checkInvariants(): void {
    const snap = this.snapshot();
    const flat = this.kernel.nodes();
    const home = new Map<string, number>();
    for (let i = 0; i < flat.length; ) {
      const arity = flat[i + 2] as number;
      const key = Array.from(flat.subarray(i + 1, i + 3 + arity)).join(',');
      const cls = flat[i] as number;
      if ((home.get(key) ?? cls) !== cls) throw new Error(`e-node ${key} is in classes ${home.get(key)} and ${cls}: not congruence-closed`);
      home.set(key, cls);
      i += 3 + arity;
    }
    const hashes = [...this.records.keys()];
    const roots = this.kernel.find(Uint32Array.from(hashes.map((h) => this.idOf(h))));
    const rootOf = new Map(hashes.map((h, i) => [h, roots[i] as number]));
    hashes.forEach((hash, i) => {
      const record = this.records.get(hash) as TermRecord;
      const key = [this.opCode(record.op), record.children.length, ...record.children.map((c) => rootOf.get(c))].join(',');
      if (home.get(key) !== roots[i]) throw new Error(`term ${hash} is not an e-node of its class ${snap.name.get(roots[i] as number)}`);
    });
  }

  /** The e-graph after rebuild, indexed; cached until the next change. */
  snapshot(): Snapshot {
    if (this.cached !== null) return this.cached;
    const flat = this.kernel.nodes();
    const classes = new Map<number, SnapshotNode[]>();
    const constant = new Map<number, number>();
    const symbolic = new Set<number>();
    const lookup = new Map<string, number>();
    let nodeCount = 0;
    for (let i = 0; i < flat.length; ) {
      const cls = flat[i] as number;
      const op = this.opNames[flat[i + 1] as number] as string;
      const arity = flat[i + 2] as number;
      const children = Array.from(flat.subarray(i + 3, i + 3 + arity));
      i += 3 + arity;
      nodeCount++;
      lookup.set(nodeKey(op, children), cls);
      const list = classes.get(cls) ?? [];
      list.push({ op, children });
      classes.set(cls, list);
      if (arity === 0 && isNumber(op)) {
        const value = Number(op);
        if (!constant.has(cls) || value < (constant.get(cls) as number)) constant.set(cls, value);
      } else if (arity === 0) symbolic.add(cls);
    }
    const byOp = new Map<string, number[]>();
    for (const [cls, nodes] of classes) {
      const visible = constant.has(cls) ? nodes.filter((n) => n.children.length === 0) : nodes;
      classes.set(cls, visible);
      for (const op of new Set(visible.map((n) => n.op))) {
        const list = byOp.get(op) ?? [];
        list.push(cls);
        byOp.set(op, list);
      }
    }
    const hashes = [...this.ids.keys()];
    const roots = this.kernel.find(Uint32Array.from(hashes.map((h) => this.ids.get(h) as number)));
    const name = new Map<number, string>();
    hashes.forEach((hash, i) => {
      const root = roots[i] as number;
      const current = name.get(root);
      if (current === undefined || hash < current) name.set(root, hash);
    });
    this.cached = { classes, byOp, constant, symbolic, name, lookup, nodeCount };
    return this.cached;
  }

  /** The cheapest term in `hash`'s class (`AST_SIZE` unless told); ties go to the first printed term. */
  best(hash: string, cost: OpCost = AST_SIZE): Best {
    const table = opCostTable(this.opNames, cost);
    const opCost = (op: string) => table[this.opCodes.get(op) as number] as number;
    return extractBest(this.snapshot(), this.kernel.costs(table), opCost, this.classIdOf(hash));
  }

  /** Every class with its members (term hashes) and canonical nodes, for `GET /egraph?full=1`. */
  dump(): { class: string; members: string[]; nodes: string[] }[] {
    const snap = this.snapshot();
    const members = new Map<number, string[]>();
    const hashes = [...this.ids.keys()];
    const roots = this.kernel.find(Uint32Array.from(hashes.map((h) => this.ids.get(h) as number)));
    hashes.forEach((hash, i) => {
      const list = members.get(roots[i] as number) ?? [];
      list.push(hash);
      members.set(roots[i] as number, list);
    });
    const nameOf = (cls: number) => snap.name.get(cls) ?? String(cls);
    return [...snap.classes]
      .map(([cls, nodes]) => ({
        class: nameOf(cls),
        members: (members.get(cls) ?? []).sort(),
        nodes: nodes.map((n) => (n.children.length === 0 ? n.op : `(${n.op} ${n.children.map(nameOf).join(' ')})`)).sort(),
      }))
      .sort((x, y) => (x.class < y.class ? -1 : x.class > y.class ? 1 : 0));
  }
}
