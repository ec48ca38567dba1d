// The app client: bearer token, keep-alive, 4xx never retried (logged with the JSON error), 5xx and
// connection errors retried with exponential backoff + jitter until the budget runs out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppClient } from '../../src/gateway/app-client.ts';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../src/gateway/backoff.ts';
import { startFakeApp, type FakeApp } from './fake-app.ts';
import { wire } from './harness.ts';

describe('backoff', () => {
  it('doubles from the base up to the cap, with equal jitter', () => {
    const p = { retries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5].map((r) => backoffDelayMs(p, r, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3, 4, 5].map((r) => backoffDelayMs(p, r, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(DEFAULT_BACKOFF).toEqual({ retries: 8, baseDelayMs: 100, maxDelayMs: 5_000 });
  });
});

/** A W3C traceparent, as the gateway sends with every request. */
const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('AppClient', () => {
  let app: FakeApp;
  beforeAll(async () => void (app = await startFakeApp({ token: 't0ken' })));
  afterAll(async () => app?.stop());

  const client = (token: string | undefined, logs: Record<string, unknown>[] = []) =>
    new AppClient({
      appUrl: app.url,
      authToken: token,
      logger: (level, msg, fields) => logs.push({ level, msg, ...fields }),
      backoff: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
    });

  it('sends the bearer token and returns the outbox; reuses one keep-alive connection', async () => {
    const c = client('t0ken');
    const before = app.connections;
    for (let i = 0; i < 10; i++) {
      const r = await c.tick(0, TRACE);
      expect(r.kind).toBe('ok');
      if (r.kind === 'ok') expect(r.outbox.map((e) => e.type)).toEqual(['Heartbeat', 'SyncRequest', 'SyncRequest']);
    }
    expect(app.connections - before).toBe(1);
    expect(app.posts.at(-1)).toMatchObject({ route: 'tick', agent: 0, traceparent: TRACE });
    c.close();
  });

  it.each([
    ['no token → 401', undefined, 0, [wire('Ack', 1, 0, { ack: 'x' })], 401, 'unauthorized'],
    ['bad envelope → 400', 't0ken', 0, [{ nope: true }], 400, 'bad-envelope'],
    ['wrong agent → 404', 't0ken', 99, [], 404, 'not-found'],
  ] as const)('%s: rejected once, never retried, logged with the JSON error', async (_name, token, agent, body, status, error) => {
    const logs: Record<string, unknown>[] = [];
    const c = client(token, logs);
    const r = await c.inbox(agent, body as never, TRACE); // deliberately not envelopes
    expect(r).toMatchObject({ kind: 'rejected', status, error, retries: 0 });
    expect(c.counters).toMatchObject({ requests: 1, retries: 0, rejected: 1 });
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'app rejected request', status, error, detail: expect.any(String) })]);
    c.close();
  });

  it.each([503, 429])('%i is retried with backoff, then reported unavailable', async (status) => {
    const logs: Record<string, unknown>[] = [];
    const c = client('t0ken', logs);
    app.failStatus = status;
    try {
      const r = await c.tick(1, TRACE);
      expect(r).toMatchObject({ kind: 'unavailable', retries: 3 });
      expect(c.counters).toMatchObject({ requests: 4, retries: 3, unavailable: 1 });
      expect(logs.map((l) => l.msg)).toEqual([
        'app unreachable; retrying with backoff',
        'app request failed; retrying',
        'app request failed; retrying',
        'app request failed; retrying',
        'app unavailable; giving up',
      ]);
    } finally {
      app.failStatus = null;
      c.close();
    }
  });

  it('close() ends a retry wait at once', async () => {
    const c = new AppClient({ appUrl: 'http://127.0.0.1:9', authToken: undefined, logger: () => {}, backoff: { retries: 50, baseDelayMs: 1_000, maxDelayMs: 1_000 } });
    const started = Date.now();
    const pending = c.tick(0, TRACE);
    setTimeout(() => c.close(), 50);
    expect((await pending).kind).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a request cut short by close() is abandoned quietly: the app is not blamed', async () => {
    const logs: Record<string, unknown>[] = [];
    const c = client('t0ken', logs);
    const release = app.hold(4);
    try {
      const pending = c.inbox(4, [wire('StateUpdate', 3, 4, { update: 'AAA=' })] as never, TRACE);
      await new Promise((resolve) => setTimeout(resolve, 50));
      c.close();
      expect((await pending).kind).toBe('unavailable');
      expect(logs.at(-1)).toMatchObject({ level: 'debug', msg: 'request abandoned: gateway closing', agent: 4, route: 'inbox' });
      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      release();
    }
  });
});
