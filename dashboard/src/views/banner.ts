// The convergence banner: are all replicas equal (equal state digests), since when, and how many
// agents are up — or why the page cannot tell.
import type { NetworkMetrics } from '../api.ts';
import { byId } from '../dom.ts';

export class BannerView {
  private readonly root = byId('banner');

  show(m: NetworkMetrics): void {
    const up = `${m.agents.alive}/${m.agents.total} agents alive`;
    if (m.performance.convergence.converged && m.performance.convergence.since !== null) {
      this.root.dataset.state = 'converged';
      this.root.textContent = `Converged: all ${m.agents.total} replicas equal since ${new Date(m.performance.convergence.since).toLocaleTimeString()} · ${up}`;
    } else {
      this.root.dataset.state = 'diverged';
      this.root.textContent = `Not converged: ${m.performance.convergence.distinct_states} distinct states · ${up}`;
    }
  }

  error(message: string): void {
    this.root.dataset.state = 'error';
    this.root.textContent = `Cannot read the network: ${message} (retrying)`;
  }
}
