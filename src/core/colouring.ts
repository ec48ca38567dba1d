// A proper colouring of the topology with one colour per rule family (rules/families.ts: RED,
// BLUE, GREEN): neighbours never share a family, so every neighbourhood sees rules it does not run itself.
// Deterministic (every agent computes the same colours on its own): backtracking in id order,
// trying the least used colour first so all three get used. Greedy alone fails on some 3-regular
// expanders that are 3-colourable.
import { COLOURS, type Colour } from './rules/families.ts';
import { allNeighbours, type TopologyKind } from './topology.ts';

export { COLOURS, type Colour };

export interface Colouring<C extends string = Colour> {
  colours: C[];
  /** false when some neighbours share a colour: the topology needs more colours than there are families */
  proper: boolean;
  /** pairs of neighbours that share a colour */
  clashes: [number, number][];
}

/** Backtracking steps before giving up on a proper colouring (a mesh of 4+ fails within a few). */
const SEARCH_STEPS = 100_000;

/** `palette`: the colours to use, one per rule family (a test may pass more or fewer). */
export function colourTopology<C extends string = Colour>(kind: TopologyKind, count: number, palette: readonly C[] = COLOURS as readonly string[] as readonly C[]): Colouring<C> {
  const adjacency = allNeighbours(kind, count);
  const colours = search(adjacency, palette) ?? fallback(count, palette);
  const clashes: [number, number][] = [];
  for (let id = 0; id < count; id++) {
    for (const n of adjacency[id] ?? []) if (n > id && colours[n] === colours[id]) clashes.push([id, n]);
  }
  return { colours, proper: clashes.length === 0, clashes };
}

function search<C extends string>(adjacency: number[][], palette: readonly C[]): C[] | null {
  const picked: number[] = [];
  const used = palette.map(() => 0);
  let steps = 0;
  const place = (id: number): boolean => {
    if (id === adjacency.length) return true;
    if (++steps > SEARCH_STEPS) return false;
    const taken = new Set((adjacency[id] ?? []).filter((n) => n < id).map((n) => picked[n]));
    const order = palette.map((_, c) => c).filter((c) => !taken.has(c)).sort((a, b) => (used[a] as number) - (used[b] as number) || a - b);
    for (const c of order) {
      picked[id] = c;
      used[c] = (used[c] as number) + 1;
      if (place(id + 1)) return true;
      used[c] = (used[c] as number) - 1;
    }
    return false;
  };
  return place(0) ? picked.map((c) => palette[c] as C) : null;
}

/** No proper colouring (a mesh larger than the families): round-robin, and the clashes are reported. */
function fallback<C extends string>(count: number, palette: readonly C[]): C[] {
  return Array.from({ length: count }, (_, id) => palette[id % palette.length] as C);
}
