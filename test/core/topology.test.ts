import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TOPOLOGY_KINDS,
  allNeighbours,
  diameter,
  neighbours,
  parseTopology,
  relayTree,
} from '../../src/core/index.ts';
import { fcParams } from './env.ts';
import { expectAgentError } from './expect-error.ts';

describe('neighbours', () => {
  it.each([
    ['grid', 9, 0, [1, 3]],
    ['grid', 9, 4, [1, 3, 5, 7]],
    ['grid', 9, 8, [5, 7]],
    ['grid', 9, 2, [1, 5]],
    ['grid', 7, 6, [3]], // 3 columns, last row holds only agent 6
    ['grid', 5, 3, [0, 4]], // 3 columns: 3 sits under 0
    ['grid', 1, 0, []],
    ['ring', 9, 0, [1, 8]],
    ['ring', 9, 4, [3, 5]],
    ['ring', 2, 0, [1]],
    ['ring', 1, 0, []],
    ['mesh', 4, 2, [0, 1, 3]],
    ['mesh', 1, 0, []],
    ['expander', 2, 1, [0]],
  ] as const)('%s of %i: agent %i -> %j', (kind, n, id, expected) => {
    expect(neighbours(kind, n, id)).toEqual(expected);
  });

  it.each([
    ['grid', 9, 4],
    ['grid', 4, 2],
    ['grid', 16, 6],
    ['ring', 9, 4],
    ['ring', 10, 5],
    ['mesh', 9, 1],
    ['mesh', 1, 0],
    ['expander', 9, 3],
  ] as const)('diameter of %s with %i agents is %i', (kind, n, d) => {
    expect(diameter(kind, n)).toBe(d);
  });

  it('is symmetric, loop-free, sorted and connected for every kind and 1..40 agents', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOPOLOGY_KINDS), fc.integer({ min: 1, max: 40 }), (kind, n) => {
        const adj = allNeighbours(kind, n);
        adj.forEach((ns, i) => {
          expect(ns).not.toContain(i);
          expect(ns).toEqual([...new Set(ns)].sort((a, b) => a - b));
          for (const j of ns) expect(adj[j]).toContain(i);
        });
        expect(diameter(kind, n)).toBeLessThan(Infinity);
      }),
      fcParams(200),
    );
  });

  it('expander has degree at most 3 and logarithmic diameter', () => {
    for (let n = 1; n <= 200; n++) {
      for (const ns of allNeighbours('expander', n)) expect(ns.length).toBeLessThanOrEqual(3);
      expect(diameter('expander', n)).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)));
    }
    expect(diameter('expander', 64)).toBeLessThan(diameter('grid', 64));
  });

  it('is the same graph on every call (deterministic)', () => {
    expect(allNeighbours('expander', 33)).toEqual(allNeighbours('expander', 33));
  });

  it.each([
    [9, 9, 'agentId must be an integer in 0..8'],
    [9, -1, 'agentId must be an integer in 0..8'],
    [9, 1.5, 'agentId must be an integer in 0..8'],
    [0, 0, 'agentCount must be a positive integer'],
    [2.5, 0, 'agentCount must be a positive integer'],
  ])('refuses %d agents, id %d', (n, id, message) => {
    expectAgentError(() => neighbours('ring', n, id), 'bad-request', message);
  });
});

describe('relayTree', () => {
  it('is a shortest-path spanning tree of the graph, the same whichever agent computes it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOPOLOGY_KINDS), fc.integer({ min: 1, max: 40 }), fc.nat(), (kind, n, pick) => {
        const graph = allNeighbours(kind, n);
        const origin = pick % n;
        const places = graph.map((_, id) => relayTree(graph, origin, id));
        expect(places[origin]).toEqual({ parent: null, children: graph[origin] });
        // every other agent hangs from a neighbour one hop nearer the origin, which lists it as a child
        const hops = (id: number): number => (id === origin ? 0 : 1 + hops(places[id]!.parent!));
        for (let id = 0; id < n; id++) {
          if (id === origin) continue;
          const parent = places[id]!.parent!;
          expect(graph[id]).toContain(parent);
          expect(places[parent]!.children).toContain(id);
          expect(hops(id)).toBe(Math.min(...graph[id]!.map((m) => (m === origin ? 0 : hops(m)))) + 1);
        }
        expect(places.flatMap((p) => p.children)).toHaveLength(n - 1);
        expect(Math.max(...graph.map((_, id) => hops(id)))).toBeLessThanOrEqual(diameter(kind, n));
      }),
      fcParams(100),
    );
  });

  it('on a 3x3 grid, 4 hears a write at 0 from 1 and passes it to 7', () => {
    expect(relayTree(allNeighbours('grid', 9), 0, 4)).toEqual({ parent: 1, children: [7] });
  });
});

describe('parseTopology', () => {
  it('accepts every kind', () => {
    for (const kind of TOPOLOGY_KINDS) expect(parseTopology(kind)).toBe(kind);
  });

  it.each(['', 'Grid', 'star', ' ring'])('refuses %j with the list of kinds', (s) => {
    const err = expectAgentError(() => parseTopology(s), 'bad-request', 'topology must be one of grid, ring, mesh, expander');
    expect(err.detail).toBe(`got ${JSON.stringify(s)}`);
  });
});
