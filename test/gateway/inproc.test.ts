// The in-process bus behaves like NATS where the gateway relies on it: `*` and `>` wildcards, queue
// groups, asynchronous delivery of a JSON copy, and the bounded publish log.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/core/envelope.ts';
import { InprocDelivery } from '../../src/gateway/inproc.ts';
import { PublishLog } from '../../src/gateway/publish-log.ts';
import { subjectMatches } from '../../src/gateway/subject-match.ts';
import { sleepMs } from './harness.ts';

const quiet = () => {};

describe('NATS subject wildcards', () => {
  const cases: [string, string, boolean][] = [
    ['agent.*.sync', 'agent.3.sync', true],
    ['agent.*.sync', 'agent.3.state', false],
    ['agent.*.sync', 'agent.3.sync.x', false],
    ['agent.*', 'agent', false],
    ['agent.>', 'agent.3.sync', true],
    ['agent.>', 'agent.3', true],
    ['agent.>', 'agent', false],
    ['>', 'network.status', true],
    ['*.*', 'broadcast.heartbeat', true],
    ['broadcast.heartbeat', 'broadcast.heartbeat', true],
    ['broadcast.heartbeat', 'broadcast.heartbeats', false],
    ['agent.>.sync', 'agent.3.sync', false], // > only as the last token
  ];
  it.each(cases)('%s ~ %s → %s', (pattern, subject, expected) => expect(subjectMatches(pattern, subject)).toBe(expected));
});

describe('InprocDelivery', () => {
  it('delivers asynchronously, to wildcard subscribers, a copy of the JSON', async () => {
    const bus = new InprocDelivery(quiet);
    const got: [string, unknown][] = [];
    bus.subscribe('agent.*.state', (subject, data) => got.push([subject, data]));
    bus.subscribe('agent.>', (subject) => got.push([`>${subject}`, null]));
    const value = { n: 1 };
    bus.publishJson('agent.2.state', value);
    expect(got).toEqual([]); // not synchronous
    value.n = 2;
    await sleepMs(5);
    expect(got).toEqual([
      ['agent.2.state', { n: 1 }],
      ['>agent.2.state', null],
    ]);
    await bus.close();
  });

  it('one member of a queue group gets each message; plain subscribers get all', async () => {
    const bus = new InprocDelivery(quiet);
    const counts = { a: 0, b: 0, plain: 0 };
    bus.subscribe('x.*', () => counts.a++, { queue: 'g' });
    bus.subscribe('x.*', () => counts.b++, { queue: 'g' });
    bus.subscribe('x.*', () => counts.plain++);
    for (let i = 0; i < 10; i++) bus.publishJson(`x.${i}`, i);
    await sleepMs(5);
    expect(counts).toEqual({ a: 5, b: 5, plain: 10 });
    await bus.close();
  });

  it('refuses wildcard subjects on publish and anything after close', async () => {
    const bus = new InprocDelivery(quiet);
    bus.publishJson('agent.*.sync', {});
    await bus.close();
    bus.publishJson('agent.1.sync', {});
    expect(bus.stats()).toMatchObject({ published: 0, publish_errors: 2, connected: false });
  });

  it('records envelopes it publishes, bounded, pollable by seq', () => {
    const log = new PublishLog(3, () => 42);
    const e = (id: string): Envelope => ({ v: 1, id, type: 'Ack', from: 0, to: 1, ts: 0, hlc: '0000000000001-00000-00001', payload: { ack: id } });
    for (const id of ['a', 'b', 'c', 'd', 'e']) log.record('agent.1.ack', e(id));
    expect(log.list().map((p) => p.seq)).toEqual([3, 4, 5]);
    expect(log.list(4)).toEqual([{ seq: 5, ts: 42, subject: 'agent.1.ack', envelope: e('e') }]);
  });
});
