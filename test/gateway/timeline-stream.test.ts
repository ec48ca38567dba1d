// The timeline's JetStream stream on a real nats-server: the gateway's NATS delivery creates it,
// it captures what is published on timeline.<id>, keeps it across a broker restart, and
// `npm run export-timeline -- --nats` reads it back in HLC order.
import { expect, it } from 'vitest';
import { formatHlc, type TimelineEvent } from '../../src/core/index.ts';
import { createLogger } from '../../src/shared/log.ts';
import { connectNats } from '../../src/gateway/nats.ts';
import { TIMELINE_STREAM } from '../../src/gateway/timeline-stream.ts';
import { streamTimeline } from '../../scripts/export-timeline.ts';
import { describeDeliveries, waitFor } from './harness.ts';

function event(agent: number, n: number): TimelineEvent {
  const wall = 1_764_590_000_000 + n;
  return { id: `${agent}-t-e${n}`, timestamp: new Date(wall).toISOString(), hlc: formatHlc({ wall, counter: 0, node: agent }), agent, type: 'message_out', subject: `agent.${agent}.sync`, detail: {} };
}

describeDeliveries(
  'timeline stream',
  (_kind, broker) => {
    it('keeps timeline.> in JetStream across a broker restart; export --nats reads it back in order', async () => {
      const logs: string[] = [];
      const delivery = await connectNats({ url: broker().natsUrl!, logger: createLogger('info', {}, (l) => logs.push(l)) });
      try {
        expect(delivery.stats().timeline_stream).toBe(TIMELINE_STREAM);
        expect(logs.some((l) => l.includes('timeline stream ready'))).toBe(true);
        // published out of order, by three agents
        const events = [5, 1, 3, 0, 4, 2].map((n) => event(n % 3, n));
        for (const e of events) delivery.publishJson(`timeline.${e.agent}`, e);
        await waitFor('the stream to hold them', async () => (await streamTimeline(broker().natsUrl!)).length === events.length, 5_000, 100);

        await broker().server!.restart();
        const read = await streamTimeline(broker().natsUrl!);
        expect(read.map((e) => e.id)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `${n % 3}-t-e${n}`));
        expect((await streamTimeline(broker().natsUrl!, { agent: '1', type: 'message_out' })).map((e) => e.id)).toEqual(['1-t-e1', '1-t-e4']);
      } finally {
        await delivery.close();
      }
    });
  },
  ['nats'],
);
