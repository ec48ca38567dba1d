// The e-graph routes: add a term, read the e-graph, the best form of a term, whether two are equal.
import {
  addTerm,
  AgentError,
  colourOfRule,
  EXTRACTION_COSTS,
  got,
  liveRoots,
  MAX_ROOT_RECORDS,
  parseExtractionCost,
  parseUserTerm,
  rulesFor,
  type UnionRecord,
} from '../../core/index.ts';
import { EGraph, printTerm } from '../../egraph/index.ts';
import { json, readJsonBody } from '../../spin/http.ts';
import { localWriteDone } from '../answers.ts';
import type { AgentRequest } from '../request.ts';
import type { AgentSession } from '../session.ts';

/** `{ "term": "(* (+ x 0) 2)" }` → the term's hash; its e-nodes join the doc and spread. */
export async function postTerm({ request, session }: AgentRequest): Promise<Response> {
  const body = await readJsonBody(request);
  const text = (body as { term?: unknown } | null)?.term;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof text !== 'string') {
    throw new AgentError('bad-request', 'body must be { "term": "<s-expression>" }', got(body));
  }
  const s = session();
  const added = addTerm(s.syncContext(), s.doc, s.kernel(), text);
  s.timeline.writeApplied(added.bytes, { op: 'term', term: text, hash: added.hash, new_terms: added.newTerms });
  return localWriteDone(s, added.outbox, { hash: added.hash, term: text, new_terms: added.newTerms } satisfies TermAnswer);
}

/** What POST /agent/:id/terms answers (inside WriteAnswer). */
export interface TermAnswer {
  hash: string;
  term: string;
  /** e-nodes the doc did not hold yet */
  new_terms: number;
}

export function getEGraph({ request, session }: AgentRequest): Response {
  const full = new URL(request.url).searchParams.get('full');
  if (full !== null && full !== '0' && full !== '1') throw new AgentError('bad-request', 'full must be 0 or 1', got(full));
  return json(200, egraphAnswer(session(), full === '1'));
}

/** What GET /agent/:id/egraph answers. */
export type EGraphAnswer = ReturnType<typeof egraphAnswer>;

/** The agent's e-graph (from its items record when it can: no doc), its unions and its posted terms. */
function egraphOf(s: AgentSession): { egraph: EGraph; unions: UnionRecord[]; roots: string[] } {
  const { sets, roots } = s.egraphContent();
  return { egraph: EGraph.fromSets(s.kernel(), sets.terms, sets.unions), unions: sets.unions, roots };
}

function egraphAnswer(s: AgentSession, full: boolean) {
  const colour = s.colour();
  const { proper, clashes } = s.colouring();
  const { egraph, unions, roots } = egraphOf(s);
  return {
    agent_id: s.config.agentId,
    colour,
    /** deprecated: `colour`, as /api/topology spells it (kept for clients written against 0.x) */
    color: colour,
    // an improper colouring still saturates, but neighbours of one colour duplicate each other's work
    colouring: { proper, clashes: clashes.filter((pair) => pair.includes(s.config.agentId)) },
    ...egraph.summary(),
    rules: rulesFor(colour).map((r) => r.name),
    provenance: provenanceOf(unions),
    // the posted terms, and those whose e-graph is still within its record budget (the ticks rewrite for these)
    roots: { posted: roots.length, within_budget: liveRoots(egraph, roots).length, budget_records: MAX_ROOT_RECORDS },
    ...(full ? { dump: egraph.dump() } : {}),
  };
}

/** How many known equalities each rule, and each colour's family, proved. */
function provenanceOf(unions: readonly UnionRecord[]): { rules: Record<string, number>; colours: Record<string, number> } {
  const rules: Record<string, number> = {};
  const colours: Record<string, number> = {};
  for (const u of unions) {
    rules[u.rule] = (rules[u.rule] ?? 0) + 1;
    const colour = colourOfRule(u.rule) ?? 'other';
    colours[colour] = (colours[colour] ?? 0) + 1;
  }
  return { rules, colours };
}

/** The cheapest term equal to `?term=` that this agent knows of (the term itself is not stored). */
export function getBest({ request, session }: AgentRequest): Response {
  const query = new URL(request.url).searchParams;
  const text = query.get('term');
  if (text === null || text === '') throw new AgentError('bad-request', 'query parameter term is required', 'e.g. ?term=(* x 2)');
  const term = parseUserTerm(text);
  const cost = parseExtractionCost(query.get('cost'));
  const s = session();
  const { egraph } = egraphOf(s);
  const { hash } = egraph.addTerm(term);
  const best = egraph.best(hash, EXTRACTION_COSTS[cost]);
  const answer = { agent_id: s.config.agentId, term: printTerm(term), hash, class: egraph.classOf(hash), best: best.term, cost: best.cost, cost_model: cost };
  return json(200, answer satisfies BestAnswer);
}

/** What GET /agent/:id/egraph/best answers. */
export interface BestAnswer {
  agent_id: number;
  term: string;
  hash: string;
  class: string;
  best: string;
  cost: number;
  cost_model: string;
}

/** Whether `?a=` and `?b=` are proved equal here: in one class of this agent's e-graph (egg's `equivs`). */
export function getEqual({ request, session }: AgentRequest): Response {
  const query = new URL(request.url).searchParams;
  const [a, b] = [query.get('a'), query.get('b')];
  if (a === null || a === '' || b === null || b === '') {
    throw new AgentError('bad-request', 'query parameters a and b are required', 'e.g. ?a=(* x 2)&b=(<< x 1)');
  }
  const [termA, termB] = [parseUserTerm(a), parseUserTerm(b)];
  const s = session();
  const { egraph } = egraphOf(s);
  const [hashA, hashB] = [egraph.addTerm(termA).hash, egraph.addTerm(termB).hash];
  const [classA, classB] = [egraph.classOf(hashA), egraph.classOf(hashB)];
  const answer = {
    agent_id: s.config.agentId,
    a: { term: printTerm(termA), hash: hashA, class: classA },
    b: { term: printTerm(termB), hash: hashB, class: classB },
    equal: classA === classB,
  };
  return json(200, answer satisfies EqualAnswer);
}

/** One side of GET /agent/:id/egraph/equal: the term as parsed, its hash and its class here. */
export interface TermClass {
  term: string;
  hash: string;
  class: string;
}

/** What GET /agent/:id/egraph/equal answers. */
export interface EqualAnswer {
  agent_id: number;
  a: TermClass;
  b: TermClass;
  equal: boolean;
}
