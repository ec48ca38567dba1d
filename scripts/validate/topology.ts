// The topology the variables select: every agent must reach every other (sync relays along
// edges), and the colouring should be proper (neighbours never share a rule family). A mesh of
// four or more (or the 4-agent expander, K4) has no proper 3-colouring: the network still
// converges, but same-coloured neighbours duplicate each other's rewrites, so it is a warning.
import { colourTopology, diameter, type TopologyKind } from '../../src/core/index.ts';
import type { Report } from './report.ts';

export interface TopologySummary {
  kind: TopologyKind;
  agents: number;
  diameter: number;
  colours: Record<string, number>;
}

export function checkTopology(report: Report, file: string, at: string, kind: TopologyKind, agents: number): TopologySummary {
  const hops = diameter(kind, agents);
  if (!Number.isFinite(hops)) report.error(file, at, `a ${kind} of ${agents} agents is not connected: some agents could never sync`);
  const colouring = colourTopology(kind, agents);
  const colours: Record<string, number> = {};
  for (const c of colouring.colours) colours[c] = (colours[c] ?? 0) + 1;
  if (!colouring.proper) {
    const [a, b] = colouring.clashes[0] ?? [0, 0];
    report.warn(
      file,
      at,
      `a ${kind} of ${agents} agents has no proper 3-colouring: ${colouring.clashes.length} neighbour pairs share a colour ` +
        `(e.g. ${a} and ${b} are both ${colouring.colours[a]}); it converges, with duplicated rewrites (grid, ring and expander colour properly)`,
    );
  }
  return { kind, agents, diameter: hops, colours };
}
