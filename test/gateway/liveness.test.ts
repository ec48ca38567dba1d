// Liveness from heartbeats, SWIM-like: alive → suspect after HEALTH_TIMEOUT without a heartbeat →
// down after twice that → alive again on the next heartbeat; published as network.status.
import { describe, expect, it } from 'vitest';
import type { Liveness } from '../../src/core/index.ts';
import { LivenessTracker, type NetworkStatus } from '../../src/gateway/liveness.ts';
import { describeDeliveries, startNetwork, waitFor } from './harness.ts';

describe('liveness rules (manual clock)', () => {
  const setup = () => {
    let now = 1_000_000;
    const changes: NetworkStatus[] = [];
    const liveness = new LivenessTracker({ agentCount: 3, healthTimeoutMs: 1_000, now: () => now, onChange: (s) => changes.push(s) });
    const statuses = () => liveness.snapshot().agents.map((a) => a.status);
    return { liveness, changes, statuses, advance: (ms: number) => void (now += ms) };
  };

  it('never-heard agents start suspect and go down after 2×HEALTH_TIMEOUT from start', () => {
    const { liveness, statuses, advance } = setup();
    expect(statuses()).toEqual(['suspect', 'suspect', 'suspect']);
    advance(2_001);
    liveness.evaluate();
    expect(statuses()).toEqual(['down', 'down', 'down']);
  });

  it('alive → suspect → down → alive, converged only when all alive with equal digests', () => {
    const { liveness, changes, statuses, advance } = setup();
    for (const n of [0, 1, 2]) liveness.heartbeat(n, 'd1');
    expect(statuses()).toEqual<Liveness[]>(['alive', 'alive', 'alive']);
    expect(liveness.snapshot().converged).toBe(true);

    advance(600);
    liveness.heartbeat(0, 'd1');
    liveness.heartbeat(1, 'd1');
    advance(600); // agent 2 silent for 1,200 ms
    expect(liveness.evaluate()).toBe(true);
    expect(statuses()).toEqual(['alive', 'alive', 'suspect']);
    expect(liveness.snapshot().converged).toBe(false);

    advance(900); // 2,100 ms: down; 0 and 1 silent for 1,500: suspect
    liveness.evaluate();
    expect(statuses()).toEqual(['suspect', 'suspect', 'down']);

    for (const n of [0, 1, 2]) liveness.heartbeat(n, 'd2');
    expect(statuses()).toEqual(['alive', 'alive', 'alive']);
    expect(liveness.snapshot().converged).toBe(true);
    expect(liveness.evaluate()).toBe(false); // nothing changed: no publish from evaluate
    expect(changes.at(-1)?.converged).toBe(true);
  });

  it('a differing digest breaks convergence; last_seen is the gateway time of the heartbeat', () => {
    const { liveness } = setup();
    liveness.heartbeat(0, 'a');
    liveness.heartbeat(1, 'a');
    liveness.heartbeat(2, 'b');
    const s = liveness.snapshot();
    expect(s.converged).toBe(false);
    expect(s.agents[2]).toEqual({ id: 2, status: 'alive', last_seen: 1_000_000, digest: 'b' });
    expect(liveness.heartbeat(7, 'a')).toBe(false); // out of range: ignored
  });
});

describeDeliveries('liveness', (_kind, broker) => {
  it('an agent that stops heartbeating goes suspect, then down, then alive again', async () => {
    const net = await startNetwork(broker(), { config: { syncIntervalMs: 100, healthTimeoutMs: 300 } });
    const statusOf = (s: NetworkStatus | undefined, id: number) => s?.agents[id]?.status;
    try {
      await waitFor('all nine alive', () => net.statuses.at(-1)?.agents.every((a) => a.status === 'alive'), 3_000);
      net.app.agents[3]!.heartbeating = false;
      const silentFrom = net.statuses.length;
      await waitFor('agent 3 down', () => statusOf(net.statuses.at(-1), 3) === 'down', 3_000);
      // it went through suspect on the way, and the others stayed alive
      const seen = net.statuses.slice(silentFrom).map((s) => statusOf(s, 3));
      expect(seen.indexOf('suspect')).toBeGreaterThanOrEqual(0);
      expect(seen.indexOf('suspect')).toBeLessThan(seen.indexOf('down'));
      expect(net.statuses.at(-1)?.agents.filter((a) => a.status !== 'alive').map((a) => a.id)).toEqual([3]);
      expect(net.statuses.at(-1)?.converged).toBe(false);

      net.app.agents[3]!.heartbeating = true;
      await waitFor('agent 3 alive again', () => statusOf(net.statuses.at(-1), 3) === 'alive', 3_000);
    } finally {
      await net.dispose();
    }
  });
});
