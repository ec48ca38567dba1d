// The agent inspector: its state (GET /agent/:id/state), data keys, e-graph summary and the best
// known form of the terms users added (GET /agent/:id/egraph, /egraph/best).
import { app, type AgentState, type Best, type EGraphSummary, type TimelineEvent } from '../api.ts';
import { byId, html, keyValues, stateLine } from '../dom.ts';

/** Terms shown in the inspector at most (the newest added). */
const MAX_TERMS = 5;

export class InspectorView {
  private readonly root = byId('inspector');
  private current: number | null = null;
  private request = 0;

  constructor(private readonly terms: () => string[]) {}

  get agent(): number | null {
    return this.current;
  }

  async show(agent: number): Promise<void> {
    this.current = agent;
    const request = ++this.request;
    this.root.replaceChildren(stateLine(`Loading agent ${agent}…`));
    try {
      const [state, egraph] = await Promise.all([
        app.state(agent),
        app.egraph(agent),
      ]);
      const terms = this.terms().slice(-MAX_TERMS);
      const best = await Promise.all(terms.map((t) => app.best(agent, t).catch(() => null)));
      if (request !== this.request) return; // another agent was clicked meanwhile
      this.render(state, egraph, best.filter((b): b is Best => b !== null));
    } catch (err) {
      if (request !== this.request) return;
      this.root.replaceChildren(stateLine(`Agent ${agent} did not answer: ${err instanceof Error ? err.message : String(err)}`, true));
    }
  }

  private render(state: AgentState, egraph: EGraphSummary, best: Best[]): void {
    const title = html('h3', `Agent ${state.agent_id} · ${egraph.colour}`);
    title.dataset.agent = String(state.agent_id);
    const facts = keyValues([
      ['node', state.node_id],
      ['region', state.region],
      ['neighbours', state.neighbors.join(', ')],
      ['messages', `${state.messages_received} in · ${state.messages_sent} out`],
      ['syncs', String(state.syncs_completed)],
      ['uptime', `${state.uptime_seconds} s`],
      ['state digest', state.state_digest],
      ['doc', `${state.doc_bytes} bytes${state.doc_bytes_stale ? ' (before the latest writes)' : ''}`],
      ['data keys', state.data_keys.length === 0 ? '(none)' : state.data_keys.join(', ')],
      ['e-graph', `${egraph.nodes} e-nodes in ${egraph.classes} classes (${egraph.terms} terms, ${egraph.unions} unions)`],
      ['rules', egraph.rules.join(', ')],
    ]);
    const parts: Node[] = [title, facts];
    if (best.length > 0) {
      parts.push(html('h4', 'Best terms'), keyValues(best.map((b) => [b.term, `${b.best} (cost ${b.cost})`])));
    }
    const raw = html('details');
    raw.append(html('summary', 'state JSON'), html('pre', JSON.stringify(state, null, 2)));
    parts.push(raw);
    this.root.replaceChildren(...parts);
  }
}

/** The terms users added, from the timeline's write events (oldest first, distinct). */
export function addedTerms(events: readonly TimelineEvent[]): string[] {
  const terms = new Set<string>();
  for (const e of events) if (e.type === 'write_applied' && e.detail.op === 'term' && typeof e.detail.term === 'string') terms.add(e.detail.term);
  return [...terms];
}
