// A proper 3-colouring of the topology: RED, BLUE, GREEN. Each colour owns a family of rewrite
// rules; neighbours never share one, so every neighbourhood sees rules it does not run itself.
// Deterministic (every agent computes the same colours on its own): backtracking in id order,
// trying the least used colour first so all three get used. Greedy alone fails on some 3-regular
// expanders that are 3-colourable.
import { allNeighbours, type TopologyKind } from './topology.ts';

export const COLOURS = ['RED', 'BLUE', 'GREEN'] as const;
export type Colour = (typeof COLOURS)[number];

export interface Colouring {
  colours: Colour[];
  /** false when some neighbours share a colour: the topology needs more than three */
  proper: boolean;
  /** pairs of neighbours that share a colour */
  clashes: [number, number][];
}

/** Backtracking steps before giving up on a proper colouring (a mesh of 4+ fails within a few). */
const SEARCH_STEPS = 100_000;

export function colourTopology(kind: TopologyKind, count: number): Colouring {
  const adjacency = allNeighbours(kind, count);
  const colours = search(adjacency) ?? fallback(count);
  const clashes: [number, number][] = [];
  for (let id = 0; id < count; id++) {
    for (const n of adjacency[id] ?? []) if (n > id && colours[n] === colours[id]) clashes.push([id, n]);
  }
  return { colours, proper: clashes.length === 0, clashes };
}

function search(adjacency: number[][]): Colour[] | null {
  const picked: number[] = [];
  const used = [0, 0, 0];
  let steps = 0;
  const place = (id: number): boolean => {
    if (id === adjacency.length) return true;
    if (++steps > SEARCH_STEPS) return false;
    const taken = new Set((adjacency[id] ?? []).filter((n) => n < id).map((n) => picked[n]));
    const order = [0, 1, 2].filter((c) => !taken.has(c)).sort((a, b) => (used[a] as number) - (used[b] as number) || a - b);
    for (const c of order) {
      picked[id] = c;
      used[c] = (used[c] as number) + 1;
      if (place(id + 1)) return true;
      used[c] = (used[c] as number) - 1;
    }
    return false;
  };
  return place(0) ? picked.map((c) => COLOURS[c] as Colour) : null;
}

/** No proper 3-colouring (a mesh of 4 or more): round-robin, and the clashes are reported. */
function fallback(count: number): Colour[] {
  return Array.from({ length: count }, (_, id) => COLOURS[id % 3] as Colour);
}
