// A simulated network of in-memory agents for sync tests: envelopes travel as JSON through
// parseEnvelope (like the gateway), and delivery may drop, duplicate and reorder them.
import * as Y from 'yjs';
import {
  createAgentDoc,
  onEnvelopes,
  onTick,
  parseEnvelope,
  stateDigest,
  type Envelope,
  type SyncContext,
  HybridClock,
} from '../../src/core/index.ts';

export interface Faults {
  /** probability that an envelope is lost */
  drop: number;
  /** probability that an envelope is delivered twice */
  duplicate: number;
  /** shuffle the pool before delivering */
  reorder: boolean;
}

export const LOSSLESS: Faults = { drop: 0, duplicate: 0, reorder: false };

export class SimNetwork {
  readonly docs: Y.Doc[];
  /** envelopes sent and not yet delivered */
  pool: Envelope[] = [];
  /** every envelope ever sent, in order */
  readonly sent: Envelope[] = [];
  private seq = 0;
  private readonly clocks: HybridClock[];

  constructor(
    readonly adjacency: number[][],
    private readonly rand: () => number,
  ) {
    this.docs = adjacency.map((_, i) => createAgentDoc(1000 + i));
    this.clocks = adjacency.map((_, i) => new HybridClock(() => 1_700_000_000_000 + this.seq, i));
  }

  ctx(id: number): SyncContext {
    return {
      agentId: id,
      neighbours: this.adjacency[id] ?? [],
      graph: () => this.adjacency,
      now: () => 1_700_000_000_000 + this.seq,
      clock: this.clocks[id]!,
      newId: () => `m${this.seq++}`,
    };
  }

  doc(id: number): Y.Doc {
    const d = this.docs[id];
    if (d === undefined) throw new Error(`no agent ${id}`);
    return d;
  }

  send(envs: readonly Envelope[]): void {
    // Through JSON and validation, as on the wire.
    const wire = envs.map((e) => parseEnvelope(JSON.parse(JSON.stringify(e))));
    this.pool.push(...wire);
    this.sent.push(...wire);
  }

  /** Delivers up to `max` envelopes from the pool (all if omitted), applying `faults`. */
  deliver(faults: Faults, max = Infinity): void {
    if (faults.reorder) shuffle(this.pool, this.rand);
    const batch = this.pool.splice(0, Math.min(max, this.pool.length));
    for (const env of batch) {
      if (this.rand() < faults.drop) continue;
      const copies = this.rand() < faults.duplicate ? 2 : 1;
      for (let k = 0; k < copies; k++) this.receive(env);
    }
  }

  /**
   * Delivers everything in flight as one batch per agent (as the gateway's lanes do), in pool
   * order or shuffled, each envelope maybe twice; never drops. What they send waits in the pool.
   */
  deliverBatches(faults: Omit<Faults, 'drop'>): void {
    if (faults.reorder) shuffle(this.pool, this.rand);
    const batches = new Map<number, Envelope[]>();
    for (const env of this.pool.splice(0)) {
      const targets = env.to === null ? (this.adjacency[env.from] ?? []) : [env.to];
      const copies = this.rand() < faults.duplicate ? 2 : 1;
      for (const t of targets) batches.set(t, [...(batches.get(t) ?? []), ...Array<Envelope>(copies).fill(env)]);
    }
    for (const [t, batch] of batches) this.send(onEnvelopes(this.ctx(t), this.doc(t), batch).outbox);
  }

  /** Delivers until nothing is in flight (bounded), without faults. */
  drain(limit = 100_000): void {
    let delivered = 0;
    while (this.pool.length > 0) {
      const env = this.pool.shift() as Envelope;
      this.receive(env);
      if (++delivered > limit) throw new Error(`network did not go quiet after ${limit} deliveries`);
    }
  }

  /** One anti-entropy round: every agent ticks, then everything is delivered. */
  tickRound(): void {
    for (let i = 0; i < this.docs.length; i++) this.send(onTick(this.ctx(i), this.doc(i)).outbox);
    this.drain();
  }

  converged(): boolean {
    const first = stateDigest(this.doc(0));
    return this.docs.every((d) => stateDigest(d) === first);
  }

  private receive(env: Envelope): void {
    // A heartbeat is broadcast: every neighbour of its sender hears it.
    const targets = env.to === null ? (this.adjacency[env.from] ?? []) : [env.to];
    for (const t of targets) this.send(onEnvelopes(this.ctx(t), this.doc(t), [env]).outbox);
  }
}

function shuffle<T>(xs: T[], rand: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = xs[i] as T;
    xs[i] = xs[j] as T;
    xs[j] = t;
  }
}
