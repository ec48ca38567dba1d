// What an agent does with its e-graph, over its Yjs doc: add a user's term, answer queries, and
// saturate with its colour's rules on a tick, for the posted terms still within their budget. The
// e-graph is rebuilt from the doc's sets on every request that needs it (components are
// request-scoped); additions go back into the doc as one local write, so they spread to neighbours
// like any other change.
import type * as Y from 'yjs';
import {
  EGraph,
  EGraphError,
  parseTerm,
  reachableClasses,
  saturate,
  type Kernel,
  type Rule,
  type SaturationOptions,
  type SaturationResult,
  type StopReason,
  type Term,
} from '../egraph/index.ts';
import { AgentError } from './errors.ts';
import { addRoot, addToEGraphSets, readEGraphSets, readRoots, termsMap, unionsMap, type UnionRecord } from './egraph-doc.ts';
import { foldsConstants, rulesFor } from './rules/index.ts';
import type { Colour } from './rules/families.ts';
import { onLocalWrite, type SyncContext } from './sync.ts';
import type { Envelope } from './envelope.ts';

/**
 * Records (terms: every name any agent gave an e-node; unions) reachable from a posted term past
 * which the agents stop rewriting for it. Each posted term has its own budget, so one term's
 * exploration never stops another's; records are grow-only and every request rebuilds the e-graph
 * from all of them, so this bounds what one term adds to a request's cost and memory.
 */
export const MAX_ROOT_RECORDS = 1_000;

/**
 * Per-tick budget: a tick must stay a short request; the next tick carries on. Few rewrites per
 * tick on purpose: records are grow-only, so what one colour explores before the others'
 * simplifications arrive stays in every doc as names of merged e-nodes. On a 3×3 grid,
 * (* (+ x 0) 2) ends at the same 18 e-nodes either way, held by ~100 records with one iteration
 * of 10 rewrites per rule per tick, against ~1,200 with 200 (measured with a seeded simulation).
 * No node limit: each posted term's record budget bounds growth (a tick-wide one would let one
 * large term's e-nodes stop the rewriting for every other term).
 */
export const TICK_SATURATION_LIMITS = { iterations: 1, nodes: Infinity, timeMs: 1_000, matchesPerRule: 10 };

/** The doc's e-graph, materialised in `kernel`. */
export function loadEGraph(doc: Y.Doc, kernel: Kernel): EGraph {
  const sets = readEGraphSets(doc);
  return EGraph.fromSets(kernel, sets.terms, sets.unions);
}

export interface AddedTerm {
  hash: string;
  /** e-nodes the doc did not hold yet */
  newTerms: number;
  /** size of the Yjs update the addition made (0 when it added nothing) */
  bytes: number;
  outbox: Envelope[];
}

/** A term from a request: a parse failure is the caller's `bad-term`. */
export function parseUserTerm(text: string): Term {
  try {
    return parseTerm(text);
  } catch (err) {
    if (err instanceof EGraphError) throw new AgentError('bad-term', err.message, err.detail);
    throw err;
  }
}

/** Parses `text` and adds its e-nodes to the doc. */
export function addTerm(ctx: SyncContext, doc: Y.Doc, kernel: Kernel, text: string): AddedTerm {
  const term = parseUserTerm(text);
  const egraph = loadEGraph(doc, kernel);
  const { hash, newRecords } = egraph.addTerm(term);
  let newTerms = 0;
  const { outbox, update } = onLocalWrite(ctx, doc, (d) => {
    newTerms = addToEGraphSets(d, newRecords, []).terms;
    addRoot(d, hash, ctx.agentId, ctx.now());
  });
  return { hash, newTerms, bytes: update?.length ?? 0, outbox };
}

interface TickSaturation {
  result: SaturationResult;
  newTerms: number;
  newUnions: number;
  /** canonical classes before and after the run: fewer after means rewrites merged classes */
  classes: { before: number; after: number };
  outbox: Envelope[];
}

/** Applies `rules` to `egraph` (the doc's) within the tick's budget and writes what they found into the doc. */
function saturateDoc(ctx: SyncContext, doc: Y.Doc, egraph: EGraph, rules: readonly Rule[], options: SaturationOptions = {}): TickSaturation {
  const before = egraph.summary().classes;
  const result = saturate(egraph, rules, TICK_SATURATION_LIMITS, ctx.now, options);
  const after = egraph.summary().classes;
  const ts = ctx.now();
  const unions: UnionRecord[] = result.newUnions.map((u) => ({ a: u.a, b: u.b, rule: u.rule, agent: ctx.agentId, ts }));
  let added = { terms: 0, unions: 0 };
  let outbox: Envelope[] = [];
  if (result.newTerms.length > 0 || unions.length > 0) {
    ({ outbox } = onLocalWrite(ctx, doc, (d) => {
      added = addToEGraphSets(d, result.newTerms, unions);
    }));
  }
  return { result, newTerms: added.terms, newUnions: added.unions, classes: { before, after }, outbox };
}

/**
 * The posted terms whose reach (the classes their class leads to) holds fewer than MAX_ROOT_RECORDS
 * records; a posted term the e-graph does not hold (yet) is not one of them.
 */
export function liveRoots(egraph: EGraph, roots: readonly string[]): string[] {
  const snap = egraph.snapshot();
  const records = egraph.recordsPerClass();
  return roots.filter((hash) => {
    if (!egraph.has(hash)) return false;
    let held = 0;
    for (const cls of reachableClasses(snap, egraph.classIdsOf([hash]))) held += records.get(cls) ?? 0;
    return held < MAX_ROOT_RECORDS;
  });
}

/** The sizes of the e-graph's two sets: grow-only, so equal sizes mean equal content. */
export interface EGraphSizes {
  terms: number;
  unions: number;
}

export function egraphSizes(doc: Y.Doc): EGraphSizes {
  return { terms: termsMap(doc).size, unions: unionsMap(doc).size };
}

/** What a tick's saturation did, as egg's Runner reports a run. */
export interface SaturationReport {
  colour: Colour;
  stop: StopReason;
  iterations: number;
  rewrites: number;
  new_terms: number;
  new_unions: number;
  /** new unions per rule */
  rules: Record<string, number>;
  duration_ms: number;
  /** canonical classes before and after: fewer after means the rewrites merged classes */
  classes: { before: number; after: number };
}

export interface TickRun {
  /** null: nothing to do (no terms, or the sets are as the last saturated run left them) */
  report: SaturationReport | null;
  /** whether the rewrites ran (false when every posted term is past MAX_ROOT_RECORDS: the report says `node-limit`, and nothing was tried) */
  ran: boolean;
  /** the sizes to remember as saturated (a fixpoint, or the node cap), else null: run again next tick */
  saturated: EGraphSizes | null;
  /** the e-graph this run built, counted, when it holds every record of the doc (so no request need build it again to count) */
  counted: CountedEGraph | null;
  outbox: Envelope[];
}

/** The sets' sizes and the e-nodes they make. */
export interface CountedEGraph extends EGraphSizes {
  nodes: number;
}

/** `egraph`'s e-nodes, when it holds exactly the doc's records (none waiting for an absent child). */
function countedOf(egraph: EGraph, doc: Y.Doc): CountedEGraph | null {
  const built = egraph.summary();
  const sizes = egraphSizes(doc);
  return built.terms === sizes.terms && built.unions === sizes.unions ? { ...sizes, nodes: built.nodes } : null;
}

/**
 * A tick's rewrites: this colour's family, within the tick's budget, for the posted terms within
 * theirs (liveRoots). Skipped while the sets are exactly as the last saturated run left them, so a
 * quiet network stays cheap; when no posted term is within its budget, a `node-limit` run that
 * rewrites nothing.
 */
export function saturateOnTick(ctx: SyncContext, doc: Y.Doc, kernel: () => Kernel, colour: Colour, lastSaturated: EGraphSizes | null | undefined): TickRun {
  const sizes = egraphSizes(doc);
  if (sizes.terms === 0 || (lastSaturated && lastSaturated.terms === sizes.terms && lastSaturated.unions === sizes.unions)) {
    return { report: null, ran: false, saturated: lastSaturated ?? null, counted: null, outbox: [] };
  }
  const started = ctx.now();
  const egraph = loadEGraph(doc, kernel());
  const roots = liveRoots(egraph, readRoots(doc));
  if (roots.length === 0) {
    const report = { colour, stop: 'node-limit', iterations: 0, rewrites: 0, new_terms: 0, new_unions: 0, rules: {}, duration_ms: ctx.now() - started, classes: { before: 0, after: 0 } } as const;
    return { report, ran: false, saturated: sizes, counted: countedOf(egraph, doc), outbox: [] };
  }
  const run = saturateDoc(ctx, doc, egraph, rulesFor(colour), { foldConstants: foldsConstants(colour), roots });
  const rules: Record<string, number> = {};
  for (const u of run.result.newUnions) rules[u.rule] = (rules[u.rule] ?? 0) + 1;
  const report: SaturationReport = {
    colour,
    stop: run.result.stop,
    iterations: run.result.iterations,
    rewrites: run.result.rewrites,
    new_terms: run.newTerms,
    new_unions: run.newUnions,
    rules,
    duration_ms: ctx.now() - started,
    classes: run.classes,
  };
  // At a fixpoint or at the node cap there is nothing to do until the sets grow again.
  const done = run.result.stop === 'saturated' || run.result.stop === 'node-limit';
  return { report, ran: true, saturated: done ? egraphSizes(doc) : null, counted: countedOf(egraph, doc), outbox: run.outbox };
}
