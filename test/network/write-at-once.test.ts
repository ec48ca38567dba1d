// A user's write leaves at once: the agent hands its envelopes to the gateway (outbound HTTP to
// POST /publish, as Spin allows it) and the gateway publishes them, so the write reaches every
// agent with no tick at all. Anti-entropy is the repair path, not the delivery path.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestApp, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
/** no tick happens while the test runs */
const NEVER_MS = 3_600_000;

describeDeliveries('writes without ticks', (kind, broker) => {
  let network: TestNetwork | undefined;
  let app: TestApp;

  beforeAll(async () => {
    network = await startTestNetwork({ natsUrl: broker().natsUrl, syncIntervalMs: NEVER_MS, healthTimeoutMs: NEVER_MS });
    app = network.app;
  }, 120_000);
  afterAll(async () => network?.close());

  it('a PUT at agent 0 reaches all nine agents with no tick, and says it was sent now', async () => {
    const ticksBefore = network!.gateway.stats().queues.ticks;
    const put = await call(app, 'PUT', '/agent/0/data/no-tick', { via: kind });
    expect(put.status).toBe(200);
    expect(put.body.sent).toBe('now');
    await waitFor(
      'the write at all nine',
      async () => (await Promise.all(AGENTS.map((id) => call(app, 'GET', `/agent/${id}/data/no-tick`)))).every((r) => r.status === 200),
      15_000,
      50,
    );
    expect(network!.gateway.stats().queues.ticks).toBe(ticksBefore);
    expect(network!.gateway.stats().published_for_agents).toBeGreaterThanOrEqual(2); // agent 0 has two neighbours
  });
});
