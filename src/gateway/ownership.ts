// Which gateway replica serves which agent, when several run (k8s Deployment + HPA): each agent
// is a lease (leases.ts) held by one replica at a time, so no agent ever gets two deliveries at
// once (its Yjs clientID is shared by all its requests: concurrent writes could collide). Every
// round (a third of the lease TTL) a replica renews its membership and its agents, counts the
// live members, and moves towards an even share: a surplus is handed back only after its lane
// has gone quiet, a deficit is filled from the agents nobody holds. A replica that dies stops
// renewing; its agents expire with the TTL and the others take them. A replica that stalls (a
// paused process, a starved event loop) must not wake up and deliver on a lease that expired
// meanwhile: it counts each lease good only until two thirds of the TTL after the renewal was
// sent — before the broker can drop it — and its lanes start no request outside that (`holds`).
// What stays possible: one request that outlasts a third of the TTL while its holder stalls.
import { fnv1a32 } from '../shared/hash.ts';
import { errorFields, type Logger } from '../shared/log.ts';
import type { LeaseStore } from './leases.ts';
import { realTimers, type Cancel, type Timers } from './timers.ts';

export interface OwnershipOptions {
  store: LeaseStore;
  /** this replica's name: unique among the live ones (the pod name, plus a random suffix) */
  holder: string;
  agentCount: number;
  ttlMs: number;
  logger: Logger;
  timers?: Timers;
  /** start serving `agent` (called after its lease is ours) */
  acquire(agent: number): void;
  /**
   * stop serving `agent`; resolve once nothing is in flight to it (before its lease is released).
   * `finishBuffered`: deliver what is queued first (a handover), or drop it (lost, stopping)
   */
  relinquish(agent: number, finishBuffered: boolean): Promise<void>;
}

const MEMBER = 'member.';
const AGENT = 'agent.';

export class Ownership {
  private readonly owned = new Map<number, number>(); // agent → lease revision
  /** lease changes so far: taken, handed over (to balance, or stopping), lost (expired under us) */
  readonly changes = { taken: 0, handed_over: 0, lost: 0 };
  /** agent → until when (timers.now()) this replica may start requests to it */
  private readonly validUntil = new Map<number, number>();
  private member: number | null = null;
  private cancel: Cancel | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly timers: Timers;

  constructor(private readonly o: OwnershipOptions) {
    this.timers = o.timers ?? realTimers;
  }

  /** agents this replica holds now, ascending */
  get agents(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** may a request to `agent` start now? (held, and renewed recently enough that it cannot have expired) */
  holds(agent: number): boolean {
    return (this.validUntil.get(agent) ?? -Infinity) > this.timers.now();
  }

  /** the first round now; later rounds every ttl/3 */
  async start(): Promise<void> {
    await this.round();
    this.schedule();
  }

  /** stops the rounds and hands every agent back, so the others need not wait for the TTL */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
    // all at once: a stopping pod has a grace period, not time for one agent after another
    const member = this.member;
    await Promise.all([
      ...[...this.owned].map(async ([agent, revision]) => {
        this.validUntil.delete(agent);
        await this.o.relinquish(agent, false);
        this.owned.delete(agent);
        this.changes.handed_over += 1;
        await this.o.store.release(`${AGENT}${agent}`, revision).catch(() => {});
      }),
      member === null ? null : this.o.store.release(`${MEMBER}${this.o.holder}`, member).catch(() => {}),
    ]);
  }

  /** one round (tests call it to move without waiting) */
  round(): Promise<void> {
    this.running = this.running.then(() => this.balance()).catch((err: unknown) => this.o.logger('warn', 'ownership round failed; next round retries', errorFields(err)));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancel = this.timers.setTimeout(() => {
      void this.round().then(() => this.schedule());
    }, Math.max(50, Math.floor(this.o.ttlMs / 3)));
  }

  private async balance(): Promise<void> {
    if (this.stopped) return;
    const { store, holder, agentCount, logger } = this.o;
    const memberKey = `${MEMBER}${holder}`;
    this.member = (this.member === null ? null : await store.renew(memberKey, holder, this.member)) ?? (await store.claim(memberKey, holder));
    for (const [agent, revision] of [...this.owned]) {
      const sent = this.timers.now();
      const renewed = await store.renew(`${AGENT}${agent}`, holder, revision);
      if (renewed !== null) {
        this.owned.set(agent, renewed);
        this.validUntil.set(agent, sent + (2 * this.o.ttlMs) / 3);
      } else {
        // it expired under us (a stall longer than the TTL): someone else may serve it already
        this.owned.delete(agent);
        this.validUntil.delete(agent);
        this.changes.lost += 1;
        logger('warn', 'agent lease lost', { agent });
        await this.o.relinquish(agent, false);
      }
    }
    const members = Math.max(1, (await store.held(MEMBER)).size);
    const share = Math.ceil(agentCount / members);
    // hand back the surplus, highest ids first, each after its lane is quiet
    for (const agent of this.agents.reverse().slice(0, Math.max(0, this.owned.size - share))) {
      const revision = this.owned.get(agent) as number;
      this.owned.delete(agent);
      await this.o.relinquish(agent, true);
      this.validUntil.delete(agent);
      await store.release(`${AGENT}${agent}`, revision);
      this.changes.handed_over += 1;
      logger('info', 'agent handed over', { agent, members, share });
    }
    if (this.owned.size >= share) return;
    const held = await store.held(AGENT);
    // free agents in an order of our own, so replicas starting together rarely race for the same one
    const free = Array.from({ length: agentCount }, (_, a) => a)
      .filter((a) => !held.has(`${AGENT}${a}`))
      .sort((a, b) => fnv1a32(`${holder}/${a}`) - fnv1a32(`${holder}/${b}`));
    for (const agent of free) {
      if (this.owned.size >= share) break;
      const sent = this.timers.now();
      const revision = await store.claim(`${AGENT}${agent}`, holder);
      if (revision === null) continue;
      this.owned.set(agent, revision);
      this.validUntil.set(agent, sent + (2 * this.o.ttlMs) / 3);
      this.o.acquire(agent);
      this.changes.taken += 1;
      logger('info', 'agent taken', { agent, members, share });
    }
  }
}
