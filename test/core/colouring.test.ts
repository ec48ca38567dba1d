// The 3-colouring that decides which rule family each agent applies.
import { describe, expect, it } from 'vitest';
import { allNeighbours, colourTopology, TOPOLOGY_KINDS } from '../../src/core/index.ts';

describe('colourTopology', () => {
  it('colours the 3×3 grid properly with all three colours', () => {
    const { colours, proper } = colourTopology('grid', 9);
    expect(proper).toBe(true);
    expect(colours).toEqual(['RED', 'BLUE', 'GREEN', 'BLUE', 'RED', 'BLUE', 'GREEN', 'BLUE', 'RED']);
  });

  it.each(TOPOLOGY_KINDS.filter((k) => k !== 'mesh'))('never gives two %s neighbours the same colour', (kind) => {
    // (An expander on 4 agents is K4, which no 3 colours can colour: see the mesh case.)
    for (const n of kind === 'expander' ? [3, 9, 10, 16] : [3, 4, 9, 10, 16]) {
      const { colours, proper, clashes } = colourTopology(kind, n);
      expect(clashes).toEqual([]);
      expect(proper).toBe(true);
      allNeighbours(kind, n).forEach((ns, id) => ns.forEach((other) => expect(colours[other]).not.toBe(colours[id])));
    }
  });

  it('reports the clashes of a mesh that needs more than three colours', () => {
    const { proper, clashes } = colourTopology('mesh', 9);
    expect(proper).toBe(false);
    expect(clashes.length).toBeGreaterThan(0);
    expect(colourTopology('mesh', 3).proper).toBe(true);
    expect(colourTopology('expander', 4).clashes).toHaveLength(1);
  });

  it('takes one colour per rule family: a fourth family would colour a mesh of four properly', () => {
    const four = colourTopology('mesh', 4, ['RED', 'BLUE', 'GREEN', 'PURPLE']);
    expect(four.proper).toBe(true);
    expect(new Set(four.colours).size).toBe(4);
    expect(colourTopology('mesh', 4).proper).toBe(false);
  });
});
