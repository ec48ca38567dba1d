// The e-graph of one replica, derived from the CRDT's two grow-only sets (term records keyed by
// content hash, and unions of term hashes) and held in a Kernel. Whatever order the sets arrive in,
// the derived e-graph is the same: the same partition of term hashes, each class named by its
// smallest term hash, the same counts and the same extractions (ties broken by printed term,
// never by kernel id or arrival order).
import { termHash } from './hash.ts';
import type { Kernel } from './kernel.ts';
import { AST_SIZE, extractBest, opCostTable, type Best, type OpCost } from './extract.ts';
import { isNumber, type Term } from './sexp.ts';
import type { Snapshot, SnapshotNode } from './snapshot.ts';

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
    for (const u of unions) egraph.union(u.a, u.b);
    egraph.rebuild();
    return egraph;
  }

  /** Adds records in any order: passes until no record whose children are all present is left. */
  addRecords(records: Iterable<readonly [string, TermRecord]>): number {
    let waiting = [...records].filter(([hash]) => !this.ids.has(hash));
    let added = 0;
    for (let progress = true; progress && waiting.length > 0; ) {
      progress = false;
      const next: (readonly [string, TermRecord])[] = [];
      for (const entry of waiting) {
        if (entry[1].children.every((c) => this.ids.has(c))) {
          this.addRecord(entry[0], entry[1]);
          added++;
          progress = true;
        } else next.push(entry);
      }
      waiting = next;
    }
    return added;
  }

  /**
   * Adds a record whose children are present. Returns true when it is a new e-node; a record
   * congruent to an existing node just becomes another name of it.
   */
  addRecord(hash: string, record: TermRecord): boolean {
    if (this.ids.has(hash)) return false;
    const nodeIds = record.children.map((c) => this.idOf(c));
    const id = this.kernel.add(Uint32Array.from([this.opCode(record.op), nodeIds.length, ...nodeIds]))[0] as number;
    this.ids.set(hash, id);
    this.records.set(hash, record);
    this.cached = null;
    if (this.hashOfId.has(id)) return false;
    this.hashOfId.set(id, hash);
    return true;
  }

  /**
   * Adds a node a rewrite built, unless a congruent node exists: then that node's existing name is
   * returned and the new name is not kept, so the CRDT never learns a name it was not sent.
   */
  addDerived(hash: string, record: TermRecord): { hash: string; added: boolean } {
    if (this.ids.has(hash)) return { hash, added: false };
    if (this.addRecord(hash, record)) return { hash, added: true };
    const existing = this.hashOfId.get(this.ids.get(hash) as number) as string;
    this.ids.delete(hash);
    this.records.delete(hash);
    return { hash: existing, added: false };
  }

  /** Adds a term and all its subterms; returns its hash and the records that were new. */
  addTerm(term: Term): { hash: string; newRecords: [string, TermRecord][] } {
    const newRecords: [string, TermRecord][] = [];
    const visit = (t: Term): string => {
      const record = { op: t.op, children: t.children.map(visit) };
      const hash = termHash(record.op, record.children);
      if (!this.ids.has(hash)) {
        this.addRecord(hash, record);
        newRecords.push([hash, record]);
      }
      return hash;
    };
    const hash = visit(term);
    this.rebuild();
    return { hash, newRecords };
  }

  /** Records `a = b`; false when either term is unknown here (yet). Congruence waits for rebuild. */
  union(a: string, b: string): boolean {
    const ia = this.ids.get(a);
    const ib = this.ids.get(b);
    if (ia === undefined || ib === undefined) return false;
    this.unionKeys.add(a < b ? `${a}~${b}` : `${b}~${a}`);
    this.kernel.merge(Uint32Array.of(ia, ib));
    this.cached = null;
    return true;
  }

  rebuild(): number {
    const merged = this.kernel.rebuild();
    this.cached = null;
    return merged;
  }

  has(hash: string): boolean {
    return this.ids.has(hash);
  }

  idOf(hash: string): number {
    const id = this.ids.get(hash);
    if (id === undefined) throw new RangeError(`unknown term ${hash}`);
    return id;
  }

  opCode(op: string): number {
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

  summary(): { nodes: number; classes: number; terms: number; unions: number } {
    const counts = this.kernel.counts();
    return { nodes: counts[0] as number, classes: counts[1] as number, terms: this.records.size, unions: this.unionKeys.size };
  }

  /** The e-graph after rebuild, indexed; cached until the next change. */
  snapshot(): Snapshot {
    if (this.cached !== null) return this.cached;
    const flat = this.kernel.nodes();
    const classes = new Map<number, SnapshotNode[]>();
    const constant = new Map<number, number>();
    const symbolic = new Set<number>();
    let nodeCount = 0;
    for (let i = 0; i < flat.length; ) {
      const cls = flat[i] as number;
      const op = this.opNames[flat[i + 1] as number] as string;
      const arity = flat[i + 2] as number;
      const children = Array.from(flat.subarray(i + 3, i + 3 + arity));
      i += 3 + arity;
      nodeCount++;
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
    this.cached = { classes, byOp, constant, symbolic, name, nodeCount };
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
