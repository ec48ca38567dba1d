// The CLI (`src/gateway/main.ts`): its first line names the delivery (here: a nats-server
// it starts from PATH, or in-process without one), it rejects bad config naming the variable,
// and SIGTERM shuts it down cleanly (exit 0) with a final stats line.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNatsServer } from '../../src/gateway/nats-server.ts';
import { startFakeApp, type FakeApp } from './fake-app.ts';
import { waitFor } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

function run(env: Record<string, string>) {
  // `node --import tsx`, one process: the tsx CLI's parent relays SIGTERM to its child with a short
  // deadline and SIGKILLs it (exit 143) when a loaded machine answers late
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/gateway/main.ts'], { cwd: ROOT, env: { ...process.env, NATS_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, exited };
}

describe('gateway CLI', () => {
  let app: FakeApp;
  beforeAll(async () => void (app = await startFakeApp()));
  afterAll(async () => app?.stop());

  it('starts, names its delivery first, ticks the app, and stops on SIGTERM', async () => {
    const cli = run({ APP_URL: app.url, SYNC_INTERVAL: '100', HEALTH_TIMEOUT: '1000', LOG_LEVEL: 'info' });
    try {
      await waitFor('the gateway to start', () => cli.lines.some((l) => l.msg === 'gateway started'), 20_000);
      const expected = findNatsServer() === null
        ? { kind: 'inproc', reason: 'no NATS_URL and no nats-server on PATH' }
        : { kind: 'nats', reason: 'no NATS_URL; started nats-server from PATH' };
      expect(cli.lines[0]).toMatchObject({ level: 'info', msg: 'gateway delivery', component: 'gateway', ...expected });
      await waitFor('ticks to reach the app', () => app.posts.filter((p) => p.route === 'tick').length >= 18, 5_000);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
    expect(cli.lines.at(-1)).toMatchObject({ msg: 'gateway stopped' });
  });

  it('refuses a bad variable with its name and exit code 2', async () => {
    const cli = run({ SYNC_INTERVAL: 'soon' });
    expect(await cli.exited).toBe(2);
    expect(cli.lines[0]).toMatchObject({ level: 'error', msg: 'bad gateway configuration', variable: 'SYNC_INTERVAL' });
  });

  it('names an unreadable NATS_CREDS file and exits 1', async () => {
    const cli = run({ APP_URL: app.url, NATS_URL: 'nats://127.0.0.1:4222', NATS_CREDS: '/nonexistent/gateway.creds' });
    expect(await cli.exited).toBe(1);
    expect(cli.lines.at(-1)).toMatchObject({ level: 'error', msg: 'gateway failed to start', error: 'NATS_CREDS: cannot read /nonexistent/gateway.creds (ENOENT)' });
  });
});
