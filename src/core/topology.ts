// Who talks to whom. Every agent computes its neighbours from (kind, agent count, own id) alone,
// so the whole network agrees on one undirected graph without exchanging it.
import { AgentError, got, unexpectedCase } from './errors.ts';
import { fnv1a32 } from '../shared/hash.ts';
import { permutation, seededRandom } from '../shared/prng.ts';

export type TopologyKind = 'grid' | 'ring' | 'mesh' | 'expander';

export const TOPOLOGY_KINDS: readonly TopologyKind[] = ['grid', 'ring', 'mesh', 'expander'];

export function parseTopology(s: string): TopologyKind {
  const kind = TOPOLOGY_KINDS.find((k) => k === s);
  if (kind === undefined) {
    throw new AgentError('bad-request', `topology must be one of ${TOPOLOGY_KINDS.join(', ')}`, got(s));
  }
  return kind;
}

/** The agents `agentId` syncs with: sorted ascending, never itself. */
export function neighbours(kind: TopologyKind, agentCount: number, agentId: number): number[] {
  checkCount(agentCount);
  if (!Number.isSafeInteger(agentId) || agentId < 0 || agentId >= agentCount) {
    throw new AgentError('bad-request', `agentId must be an integer in 0..${agentCount - 1}`, got(agentId));
  }
  const ids = rawNeighbours(kind, agentCount, agentId);
  return [...new Set(ids)].filter((j) => j !== agentId).sort((a, b) => a - b);
}

/** The whole graph as adjacency lists, index = agent id. */
export function allNeighbours(kind: TopologyKind, agentCount: number): number[][] {
  checkCount(agentCount);
  return Array.from({ length: agentCount }, (_, i) => neighbours(kind, agentCount, i));
}

/**
 * Longest shortest path in hops (BFS from every agent): how many relay steps a write needs to
 * reach everyone. 0 for one agent; Infinity if the graph were disconnected (it never is).
 */
export function diameter(kind: TopologyKind, agentCount: number): number {
  return graphDiameter(allNeighbours(kind, agentCount));
}

/** BFS from every vertex of an adjacency list. */
function graphDiameter(adj: readonly (readonly number[])[]): number {
  let longest = 0;
  for (let source = 0; source < adj.length; source++) {
    for (const d of breadthFirst(adj, source).dist) longest = d < 0 ? Infinity : Math.max(longest, d);
  }
  return longest;
}

/**
 * Hops from `source` (-1: unreachable) and each vertex's parent on a shortest path (-1 for the
 * source and the unreachable): the neighbour that reached it first, neighbours taken in list order.
 */
function breadthFirst(adj: readonly (readonly number[])[], source: number): { dist: number[]; parent: number[] } {
  const dist = new Array<number>(adj.length).fill(-1);
  const parent = new Array<number>(adj.length).fill(-1);
  dist[source] = 0;
  const queue = [source];
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head] as number;
    for (const next of adj[at] ?? []) {
      if (dist[next] === -1) {
        dist[next] = (dist[at] as number) + 1;
        parent[next] = at;
        queue.push(next);
      }
    }
  }
  return { dist, parent };
}

/** Each graph's trees, by origin: a batch asks for the same few, once per envelope and per delta. */
const parentsCache = new WeakMap<readonly (readonly number[])[], Map<number, number[]>>();

function treeParents(adj: readonly (readonly number[])[], origin: number): number[] {
  let trees = parentsCache.get(adj);
  if (trees === undefined) {
    trees = new Map();
    parentsCache.set(adj, trees);
  }
  let parent = trees.get(origin);
  if (parent === undefined) {
    parent = breadthFirst(adj, origin).parent;
    trees.set(origin, parent);
  }
  return parent;
}

/** Where agent `self` sits in the relay tree of a write made at `origin` (relayTree). */
export interface RelayTreePlace {
  /** the neighbour it hears the write from; null at the origin */
  parent: number | null;
  /** the neighbours it passes the write on to */
  children: number[];
}

/**
 * The breadth-first spanning tree rooted at `origin` over the whole graph (allNeighbours, whose
 * lists are sorted, so that every agent derives the same tree): a write relayed along it reaches
 * each agent exactly once, in as few hops as flooding, where flooding sends it over every edge
 * (twice the envelopes on a 3x3 grid, whose 4-cycles bring it to some agents from two sides).
 */
export function relayTree(adj: readonly (readonly number[])[], origin: number, self: number): RelayTreePlace {
  const parent = treeParents(adj, origin);
  const up = parent[self] ?? -1;
  return { parent: up < 0 ? null : up, children: (adj[self] ?? []).filter((n) => parent[n] === self) };
}

function checkCount(agentCount: number): void {
  if (!Number.isSafeInteger(agentCount) || agentCount < 1) {
    throw new AgentError('bad-request', 'agentCount must be a positive integer', got(agentCount));
  }
}

/** Neighbours before dedupe and sort; may contain duplicates and `i` itself for tiny n. */
function rawNeighbours(kind: TopologyKind, n: number, i: number): number[] {
  switch (kind) {
    case 'grid':
      return gridNeighbours(n, i);
    case 'ring':
      return [(i + 1) % n, (i + n - 1) % n];
    case 'mesh':
      return Array.from({ length: n }, (_, j) => j);
    case 'expander':
      return expanderNeighbours(n, i);
    default:
      return unexpectedCase(kind);
  }
}

/**
 * Row-major near-square grid, `cols = ceil(sqrt(n))`, 4-neighbourhood. The last row may be
 * partial; it fills from the left, so each of its cells still has the cell above: connected.
 */
function gridNeighbours(n: number, i: number): number[] {
  const cols = Math.ceil(Math.sqrt(n));
  const col = i % cols;
  const out: number[] = [];
  if (i - cols >= 0) out.push(i - cols);
  if (col > 0) out.push(i - 1);
  if (col + 1 < cols && i + 1 < n) out.push(i + 1);
  if (i + cols < n) out.push(i + cols);
  return out;
}

/** Seeded matchings tried for small networks; the one with the smallest diameter wins. */
const EXPANDER_CANDIDATES = 8;
/** Above this size the search would cost more than it gains; the first candidate is used. */
const EXPANDER_SEARCH_MAX_N = 64;
/** mate[i] per network size (-1: unmatched). Derived from n alone, so caching is safe. */
const mateCache = new Map<number, number[]>();

/**
 * A cycle plus a perfect matching (Bollobás & Chung, "The diameter of a cycle plus a random
 * matching", 1988): degree at most 3, diameter ~log2 n, expanding with high probability. The
 * matching pairs consecutive entries of a permutation seeded by n alone, so every agent derives
 * the same one; for n <= 64 the best of 8 seeds (smallest diameter, then lowest seed) is kept,
 * which matters for the small networks we actually run (9 agents: diameter 3, not 4).
 * The cycle keeps it connected; the mate relation is symmetric, so the graph is undirected.
 */
function expanderNeighbours(n: number, i: number): number[] {
  const out = [(i + 1) % n, (i + n - 1) % n];
  const mate = expanderMates(n)[i] ?? -1;
  if (mate >= 0) out.push(mate);
  return out;
}

function expanderMates(n: number): number[] {
  const cached = mateCache.get(n);
  if (cached !== undefined) return cached;
  const tries = n <= EXPANDER_SEARCH_MAX_N ? EXPANDER_CANDIDATES : 1;
  let best: number[] = [];
  let bestDiameter = Infinity;
  for (let k = 0; k < tries; k++) {
    const mates = matching(n, fnv1a32(`expander:${n}:${k}`));
    const d = tries === 1 ? 0 : graphDiameter(cycleWith(mates));
    if (d < bestDiameter) {
      best = mates;
      bestDiameter = d;
    }
  }
  mateCache.set(n, best);
  return best;
}

function matching(n: number, seed: number): number[] {
  const order = permutation(n, seededRandom(seed));
  const mates = new Array<number>(n).fill(-1);
  for (let k = 0; k + 1 < n; k += 2) {
    const a = order[k] as number;
    const b = order[k + 1] as number;
    mates[a] = b;
    mates[b] = a;
  }
  return mates;
}

function cycleWith(mates: number[]): number[][] {
  const n = mates.length;
  return mates.map((m, i) => [(i + 1) % n, (i + n - 1) % n, ...(m >= 0 ? [m] : [])]);
}
