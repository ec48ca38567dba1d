// The topology graph: one node per agent, coloured by its rule family (RED/BLUE/GREEN), drawn by
// liveness (alive / suspect / down); an edge pulses when a message crosses it.
import type { Liveness } from '../../../src/core/wire.ts';
import type { Topology, TimelineEvent } from '../api.ts';
import { byId, html, stateLine, svg } from '../dom.ts';

const SIZE = 320;
const PULSE_MS = 700;

export class TopologyView {
  private readonly root = byId('topology');
  private readonly nodes = new Map<number, SVGGElement>();
  private readonly edges = new Map<string, SVGLineElement>();
  private readonly pulses = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly onSelect: (agent: number) => void) {}

  render(topology: Topology): void {
    this.root.replaceChildren();
    if (topology.agents.length === 0) {
      this.root.append(stateLine('This network has no agents.'));
      return;
    }
    const positions = layout(topology);
    const root = svg('svg', { viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': `${topology.agent_count} agents, ${topology.topology} topology` });
    for (const [a, b] of topology.edges) {
      const [pa, pb] = [positions[a]!, positions[b]!];
      const line = svg('line', { x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y });
      this.edges.set(edgeKey(a, b), line);
      root.append(line);
    }
    const radius = Math.max(10, Math.min(22, 120 / Math.sqrt(topology.agent_count)));
    const fills = new Map(topology.families.map((f) => [f.colour, f.fill]));
    byId('legend').replaceChildren(
      ...topology.families.flatMap((f) => [legendDot(f.fill), `${f.colour} `]),
      '· faded: suspect · grey: down',
    );
    for (const agent of topology.agents) {
      const p = positions[agent.id]!;
      const g = svg('g', { class: 'node', 'data-agent': agent.id, 'data-colour': agent.colour, 'data-status': 'down', tabindex: 0, role: 'button' });
      const title = svg('title');
      title.textContent = `agent ${agent.id} · ${agent.colour}`;
      g.append(title, svg('circle', { cx: p.x, cy: p.y, r: radius, style: `--fill: ${fills.get(agent.colour) ?? 'currentColor'}` }), Object.assign(svg('text', { x: p.x, y: p.y }), { textContent: String(agent.id) }));
      g.addEventListener('click', () => this.onSelect(agent.id));
      g.addEventListener('keydown', (e) => e.key === 'Enter' && this.onSelect(agent.id));
      this.nodes.set(agent.id, g);
      root.append(g);
    }
    this.root.append(root);
  }

  setStatus(agent: number, status: Liveness): void {
    const g = this.nodes.get(agent);
    if (g === undefined) return;
    g.dataset.status = status;
    const title = g.querySelector('title');
    if (title !== null) title.textContent = `agent ${agent} · ${g.dataset.colour} · ${status}`;
  }

  select(agent: number): void {
    for (const [id, g] of this.nodes) g.classList.toggle('selected', id === agent);
  }

  /** Pulses the edges the events' messages crossed. */
  traffic(events: readonly TimelineEvent[]): void {
    for (const e of events) {
      if (e.type !== 'message_in' || e.peer === undefined) continue;
      const key = edgeKey(e.agent, e.peer);
      const line = this.edges.get(key);
      if (line === undefined) continue;
      line.classList.add('pulse');
      clearTimeout(this.pulses.get(key));
      this.pulses.set(key, setTimeout(() => line.classList.remove('pulse'), PULSE_MS));
    }
  }
}

function edgeKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

/** A grid topology on its grid; anything else on a circle. */
function layout(topology: Topology): { x: number; y: number }[] {
  const n = topology.agent_count;
  const margin = 36;
  if (topology.topology === 'grid') {
    const side = Math.ceil(Math.sqrt(n));
    const step = (SIZE - 2 * margin) / Math.max(1, side - 1);
    return Array.from({ length: n }, (_, i) => ({ x: margin + (i % side) * step, y: margin + Math.floor(i / side) * step }));
  }
  const r = SIZE / 2 - margin;
  return Array.from({ length: n }, (_, i) => {
    const angle = (2 * Math.PI * i) / n - Math.PI / 2;
    return { x: SIZE / 2 + r * Math.cos(angle), y: SIZE / 2 + r * Math.sin(angle) };
  });
}

function legendDot(fill: string): HTMLSpanElement {
  const dot = html('span', undefined, 'dot');
  dot.style.background = fill;
  return dot;
}
