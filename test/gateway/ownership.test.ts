// Gateway replicas (the k8s Deployment under its HPA) share the agents through JetStream leases:
// every agent served by exactly one replica, never two requests to one agent at once, an even
// share as replicas come and go, and a replica's agents taken over when it is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { DEFAULT_CONFIG, startGateway, type Gateway } from '../../src/gateway/index.ts';
import { openLeaseStore } from '../../src/gateway/leases.ts';
import { startFakeApp, type FakeApp } from './fake-app.ts';
import { describeDeliveries, waitFor } from './harness.ts';
import { natsServers } from '../../src/gateway/nats-url.ts';

const LEASE_TTL_MS = 3_000;
const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const served = (g: Gateway): number[] => g.stats().agents.map((a) => a.agent);

describeDeliveries(
  'gateway replicas share the agents',
  (_kind, broker) => {
    let app: FakeApp;
    const gateways: Gateway[] = [];
    const replica = async (instance: string): Promise<Gateway> => {
      const g = await startGateway({ ...DEFAULT_CONFIG, appUrl: app.url, natsUrl: broker().natsUrl, ownership: 'lease', leaseTtlMs: LEASE_TTL_MS, instance, syncIntervalMs: 100, healthTimeoutMs: 1_000, logLevel: 'warn' }); // a failing round says why
      gateways.push(g);
      return g;
    };
    /** every agent served once, by the live replicas given, in shares differing by at most one */
    const partitioned = (live: Gateway[]): boolean => {
      const sets = live.map(served);
      const sizes = sets.map((s) => s.length);
      return JSON.stringify(sets.flat().sort((a, b) => a - b)) === JSON.stringify(ALL) && Math.max(...sizes) - Math.min(...sizes) <= 1;
    };

    beforeAll(async () => void (app = await startFakeApp({ inboxDelayMs: 5 })));
    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.close()));
      await app?.stop();
    });

    it('a lone replica takes all nine; a second one gets an even share, handed over without overlap', async () => {
      const a = await replica('a');
      expect(served(a)).toEqual(ALL);
      const b = await replica('b');
      await waitFor('5/4 split', () => partitioned([a, b]), 10_000, 50);
      app.write(0, 'k', 'v');
      await waitFor('k at all nine', () => app.holders('k').length === 9, 10_000, 50);
      expect(Math.max(...app.maxInFlight.values())).toBe(1);
    }, 30_000);

    it('a third replica brings it to 3/3/3; a graceful stop hands its agents over before the TTL runs out', async () => {
      const c = await replica('c');
      await waitFor('3/3/3', () => partitioned(gateways), 10_000, 50);
      expect(gateways.map((g) => served(g).length)).toEqual([3, 3, 3]);
      const nc = await connect(natsServers(broker().natsUrl!));
      try {
        const leases = await openLeaseStore(nc, LEASE_TTL_MS);
        expect([...(await leases.held('agent.')).values()].filter((h) => h.startsWith('c-'))).toHaveLength(3);
        await c.close();
        gateways.pop();
        // handed back on the way out, not left to expire
        expect([...(await leases.held('agent.')).values()].filter((h) => h.startsWith('c-'))).toEqual([]);
        expect([...(await leases.held('member.')).keys()].filter((k) => k.startsWith('member.c-'))).toEqual([]);
      } finally {
        await nc.close();
      }
      await waitFor('5/4 again', () => partitioned(gateways), 10_000, 20);
      expect(Math.max(...app.maxInFlight.values())).toBe(1);
    }, 30_000);

    it('when a replica process is killed, its agents expire with the lease and the others take them', async () => {
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '..', '..', 'src', 'gateway', 'main.ts')], {
        env: { ...process.env, APP_URL: app.url, NATS_URL: broker().natsUrl, OWNERSHIP: 'lease', LEASE_TTL: String(LEASE_TTL_MS), SYNC_INTERVAL: '100', HEALTH_TIMEOUT: '1000', HOSTNAME: 'doomed', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let taken = 0;
      child.stdout?.on('data', (chunk: Buffer) => (taken += (chunk.toString().match(/"agent taken"/g) ?? []).length));
      try {
        await waitFor('the child took its share', () => taken >= 3 && gateways.every((g) => served(g).length === 3), 20_000, 50);
      } finally {
        child.kill('SIGKILL');
      }
      await waitFor('all nine back with the two replicas', () => partitioned(gateways), 10_000, 50);
      app.write(8, 'after', 1);
      await waitFor('after at all nine', () => app.holders('after').length === 9, 10_000, 50);
      expect(Math.max(...app.maxInFlight.values())).toBe(1);
    }, 45_000);
  },
  ['nats'],
);
