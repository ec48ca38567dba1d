// SWIM-like liveness from heartbeats: an agent is alive while heard from within HEALTH_TIMEOUT,
// suspect after that, down after twice that; one fresh heartbeat makes it alive again. Never-heard
// agents start suspect (we have no evidence either way) and go down on the same clock from start.
// `converged` = every agent alive and every digest equal: the network agrees on one state.

import { livenessAfter, type Liveness } from '../core/wire.ts';

export interface AgentLiveness {
  id: number;
  status: Liveness;
  /** gateway time of the last heartbeat (ms since epoch), null if never heard */
  last_seen: number | null;
  /** `payload.digest` of the last heartbeat */
  digest: string | null;
}

export interface NetworkStatus {
  ts: number;
  agents: AgentLiveness[];
  converged: boolean;
}

export interface LivenessOptions {
  agentCount: number;
  healthTimeoutMs: number;
  now: () => number;
  /** called with the new status on every change (status, digest, converged) */
  onChange?(status: NetworkStatus): void;
}

export class LivenessTracker {
  private readonly agents: AgentLiveness[];
  private readonly startedAt: number;
  private converged = false;

  constructor(private readonly options: LivenessOptions) {
    this.startedAt = options.now();
    this.agents = Array.from({ length: options.agentCount }, (_, id) => ({ id, status: 'suspect', last_seen: null, digest: null }));
  }

  /** Records a heartbeat; false when the agent id is out of range. */
  heartbeat(agent: number, digest: string | null): boolean {
    const entry = this.agents[agent];
    if (entry === undefined) return false;
    const changed = entry.status !== 'alive' || (digest !== null && digest !== entry.digest);
    entry.last_seen = this.options.now();
    if (digest !== null) entry.digest = digest;
    entry.status = 'alive';
    if (this.refreshConverged() || changed) this.options.onChange?.(this.snapshot());
    return true;
  }

  /** Re-derives every status from the clock; true (and onChange) when anything changed. */
  evaluate(): boolean {
    const now = this.options.now();
    let changed = false;
    for (const entry of this.agents) {
      const status = this.statusAt(entry, now);
      if (status !== entry.status) {
        entry.status = status;
        changed = true;
      }
    }
    changed = this.refreshConverged() || changed;
    if (changed) this.options.onChange?.(this.snapshot());
    return changed;
  }

  snapshot(): NetworkStatus {
    return { ts: this.options.now(), agents: this.agents.map((a) => ({ ...a })), converged: this.converged };
  }

  private statusAt(entry: AgentLiveness, now: number): Liveness {
    const status = livenessAfter(now - (entry.last_seen ?? this.startedAt), this.options.healthTimeoutMs);
    return entry.last_seen === null && status === 'alive' ? 'suspect' : status; // never heard: no evidence of life
  }

  private refreshConverged(): boolean {
    const first = this.agents[0]?.digest ?? null;
    const converged = first !== null && this.agents.every((a) => a.status === 'alive' && a.digest === first);
    const flipped = converged !== this.converged;
    this.converged = converged;
    return flipped;
  }
}
