// The gateway as its container image runs it (src/gateway/Dockerfile): the single-file bundle
// alone in a directory without node_modules, configured by the environment the k8s ConfigMap
// gives it, probed on HEALTH_PORT, stopped by SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildGateway } from '../../scripts/build-gateway.ts';
import { freePort } from '../../src/gateway/nats-server.ts';
import { startFakeApp, type FakeApp } from './fake-app.ts';
import { describeDeliveries, waitFor } from './harness.ts';

describeDeliveries(
  'the gateway bundle',
  (_kind, broker) => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-image-'));
    let bundle: string;
    let app: FakeApp;
    const children: ChildProcess[] = [];
    const run = async (env: Record<string, string>): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> => {
      const port = await freePort();
      const child = spawn(process.execPath, [bundle], { cwd: dir, env: { PATH: process.env.PATH ?? '', HEALTH_PORT: String(port), APP_URL: app.url, LOG_LEVEL: 'warn', ...env }, stdio: 'ignore' });
      children.push(child);
      return { child, port, exited: new Promise((done) => child.once('exit', (code) => done(code))) };
    };
    const probe = async (port: number, path: string): Promise<{ status: number; body: unknown } | null> => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, body: await res.json() };
      } catch {
        return null; // not listening yet
      }
    };

    beforeAll(async () => {
      bundle = await buildGateway(join(dir, 'gateway.mjs'));
      app = await startFakeApp();
    }, 60_000);
    afterAll(async () => {
      for (const c of children) c.kill('SIGKILL');
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs on its own: ready once connected to NATS, and exits 0 on SIGTERM', async () => {
      const { child, port, exited } = await run({ NATS_URL: broker().natsUrl!, OWNERSHIP: 'lease', LEASE_TTL: '1500', SYNC_INTERVAL: '200', HEALTH_TIMEOUT: '1000' });
      await waitFor('ready', async () => (await probe(port, '/readyz'))?.status === 200, 20_000, 100);
      expect(await probe(port, '/livez')).toEqual({ status: 200, body: { status: 'ok' } });
      // it ticks the fake app's agents: the bundle carries the whole gateway
      await waitFor('ticks reach the app', () => app.posts.some((p) => p.route === 'tick'), 10_000, 50);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }, 40_000);

    it('is alive but not ready while its broker is not there yet', async () => {
      const { port } = await run({ NATS_URL: `nats://127.0.0.1:${await freePort()}` });
      await waitFor('listening', async () => (await probe(port, '/livez'))?.status === 200, 20_000, 100);
      expect(await probe(port, '/readyz')).toEqual({ status: 503, body: { status: 'starting' } });
    }, 30_000);
  },
  ['nats'],
);
