// The agent's doc lives in Spin KV (snapshot + append log), so it survives the host and compacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApp, type TestApp } from '../support/network.ts';

describe('persistence in Spin KV', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  }, 120_000);
  afterAll(async () => app?.close());

  it('keeps data, identity and counters across a host restart', async () => {
    await call(app, 'PUT', '/agent/2/data/durable', { kept: true });
    await call(app, 'POST', '/agent/2/tick');
    const before = (await call(app, 'GET', '/agent/2/state')).body;
    await app.restart();
    const after = (await call(app, 'GET', '/agent/2/state')).body;
    expect((await call(app, 'GET', '/agent/2/data/durable')).body.value).toEqual({ kept: true });
    expect(after.node_id).toBe(before.node_id);
    expect(after.state_vector).toEqual(before.state_vector);
    expect(after.messages_sent).toBe(before.messages_sent);
    expect(after.state_digest).toBe(before.state_digest);
  }, 60_000);

  it('compacts the update log into a snapshot without losing a write', async () => {
    for (let i = 0; i < 40; i++) await call(app, 'PUT', `/agent/5/data/k${i % 7}`, i);
    const state = (await call(app, 'GET', '/agent/5/state')).body;
    expect(state.stored_blobs).toBeLessThanOrEqual(33);
    expect(state.data_keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    for (let k = 0; k < 7; k++) {
      const last = 39 - ((39 - k) % 7);
      expect((await call(app, 'GET', `/agent/5/data/k${k}`)).body.value).toBe(last);
    }
  }, 60_000);

  it('keeps every acknowledged PUT when many requests for one agent overlap (two host workers)', async () => {
    const keys = Array.from({ length: 48 }, (_, i) => `parallel-${i}`);
    const acked: string[] = [];
    const refused: unknown[] = [];
    // eight clients at once against one agent, while its ticks run too
    for (let i = 0; i < keys.length; i += 8) {
      const batch = keys.slice(i, i + 8);
      const replies = await Promise.all([
        ...batch.map((key) => call(app, 'PUT', `/agent/3/data/${key}`, { key })),
        call(app, 'POST', '/agent/3/tick'),
      ]);
      batch.forEach((key, j) => {
        if (replies[j]!.status === 200) acked.push(key);
        else refused.push({ key, ...replies[j] });
      });
    }
    expect(refused).toEqual([]);
    const state = (await call(app, 'GET', '/agent/3/state')).body;
    expect(state.data_keys).toEqual(expect.arrayContaining(acked));
    // overlapping requests wrote as different writers, the batches one after another reused them:
    // at most the nine requests of a batch, and the writers of agents 2 and 5 synced in from above
    expect(state.writers).toBeLessThanOrEqual(9 + 2);
  }, 120_000);
});

