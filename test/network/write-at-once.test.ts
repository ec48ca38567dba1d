// A user's write leaves at once: the agent hands its envelopes to the gateway (outbound HTTP to
// POST /publish, as Spin allows it) and the gateway publishes them, so the write reaches every
// agent with no tick at all. Anti-entropy is the repair path, not the delivery path. And the
// write's W3C trace travels with it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDeliveries, waitFor } from '../gateway/harness.ts';
import type { Envelope, TimelineEvent } from '../../src/core/index.ts';
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

  it("a traced write: its W3C trace goes with it, on NATS headers and into every agent's POST /inbox, and names its timeline events", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const seen: { from: number; traceparent: string | undefined }[] = [];
    const sub = network!.gateway.delivery.subscribe('agent.*.state', (_subject, data, traceparent) => {
      const e = data as Envelope;
      if (e.type === 'StateUpdate') seen.push({ from: e.from, traceparent });
    });
    try {
      const put = await call(app, 'PUT', '/agent/0/data/traced', { via: kind }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      expect(put.status).toBe(200);
      expect((put.body.timeline as TimelineEvent[]).map((e) => e.trace_id)).toContain(traceId);
      await waitFor('the write at agent 8', async () => (await call(app, 'GET', '/agent/8/data/traced')).status === 200, 15_000, 50);
      // agent 0's envelopes, and the relays of the agents that learnt the write from them, carry the trace
      const traced = seen.filter((s) => s.traceparent?.split('-')[1] === traceId);
      expect(traced.some((s) => s.from === 0)).toBe(true);
      expect(traced.some((s) => s.from !== 0)).toBe(true);
      for (const { traceparent } of traced) expect(traceparent).not.toContain('00f067aa0ba902b7'); // each hop a span of its own
      // the farthest agent's receive of it is in the same trace
      const far = (await call<{ events: TimelineEvent[] }>(app, 'GET', '/agent/8/timeline')).body.events;
      expect(far.some((e) => e.type === 'message_in' && e.trace_id === traceId)).toBe(true);
    } finally {
      sub.unsubscribe();
    }
  });
});
