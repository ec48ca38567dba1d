import { describe, expect, it } from 'vitest';
import {
  HybridClock,
  TimelineRecorder,
  TIMELINE_START,
  mergeTimelines,
  onTick,
  onEnvelopes,
  createAgentDoc,
  dataMap,
  onLocalWrite,
  parseTimelineQuery,
  readWholeTimeline,
  selectTimeline,
  type SyncContext,
  type TimelineEvent,
} from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

const T = 1_764_590_000_000;

/** Two agents whose clocks disagree by `skewMs`: agent 1 runs behind. */
function pair(skewMs: number) {
  let now = T;
  const agents = [0, 1].map((id) => {
    const at = (): number => now - (id === 1 ? skewMs : 0);
    const clock = new HybridClock(at, id);
    let n = 0;
    const ctx: SyncContext = { agentId: id, neighbours: [1 - id], now: at, clock, newId: () => `${id}-m${n++}` };
    return { ctx, doc: createAgentDoc(10 + id), recorder: new TimelineRecorder(id, clock, at, `${id}-r`) };
  });
  return { agents, advance: (ms: number) => void (now += ms) };
}

describe('timeline events', () => {
  it('a receive is ordered after its send whatever the clocks say', () => {
    const { agents, advance } = pair(5_000);
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    const write = onLocalWrite(a.ctx, a.doc, (d) => dataMap(d).set('k', 1));
    for (const e of write.outbox) a.recorder.messageOut(e);
    advance(3);
    for (const e of write.outbox) b.recorder.messageIn(e);
    const reply = onEnvelopes(b.ctx, b.doc, write.outbox);
    for (const e of reply.outbox) b.recorder.messageOut(e);
    const timeline = mergeTimelines([b.recorder.events, a.recorder.events]);
    expect(timeline.map((e) => `${e.agent}:${e.type}`)).toEqual(['0:message_out', '1:message_in', '1:message_out']);
    // wall times alone would put agent 1's events five seconds before the send
    expect(Date.parse(timeline[1]!.timestamp)).toBeLessThan(Date.parse(timeline[0]!.timestamp));
    expect(timeline[1]).toMatchObject({ subject: 'agent.1.state', peer: 0, detail: { envelope_type: 'StateUpdate' } });
    // a write's own StateUpdates say down whose relay tree they go; an ack says nothing of it
    const graph = () => [[1], [0]];
    const stamped = onLocalWrite({ ...a.ctx, graph }, a.doc, (d) => dataMap(d).set('k', 2)).outbox;
    a.recorder.messageOut(stamped[0]!);
    expect(a.recorder.events.at(-1)!.detail).toEqual({ envelope_id: stamped[0]!.id, envelope_type: 'StateUpdate', origin: 0 });
    a.recorder.messageIn(reply.outbox[0]!);
    expect(a.recorder.events.at(-1)!.detail).toEqual({ envelope_id: reply.outbox[0]!.id, envelope_type: 'Ack' });
    expect(timeline[1]!.bytes).toBe(JSON.stringify(write.outbox[0]).length);
  });

  it('every event has the exported shape', () => {
    const { agents } = pair(0);
    const a = agents[0]!;
    for (const e of onTick(a.ctx, a.doc).outbox) a.recorder.messageOut(e);
    a.recorder.syncCompleted(1, 40, true);
    a.recorder.writeApplied(12, { op: 'put', key: 'k' });
    a.recorder.rewriteApplied(3, { colour: 'RED', rules: { 'comm-add': 2 } });
    a.recorder.classesMerged({ classes_before: 5, classes_after: 3, unions: 2 });
    a.recorder.compaction({ blobs: 33, bytes: 900 });
    a.recorder.error({ code: 'bad-envelope', message: 'x', route: 'inbox' });
    const ids = new Set(a.recorder.events.map((e) => e.id));
    expect(ids.size).toBe(a.recorder.events.length);
    for (const e of a.recorder.events) {
      expect(e.timestamp).toBe(new Date(Date.parse(e.timestamp)).toISOString());
      expect(e).toMatchObject({ agent: 0, detail: expect.any(Object) });
      expect(e.hlc).toMatch(/^\d{13}-\d{5}-\d{5}$/);
    }
    expect(a.recorder.events.map((e) => e.type)).toEqual([
      'message_out', 'message_out', 'sync_completed', 'write_applied', 'rewrite_applied', 'classes_merged', 'compaction', 'error',
    ]);
    expect(a.recorder.events[0]).not.toHaveProperty('peer'); // a heartbeat has no addressee
  });
});

function events(n: number): TimelineEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    timestamp: new Date(T + i).toISOString(),
    hlc: `${T + i}-00000-0000${i % 3}`,
    agent: i % 3,
    type: i % 2 === 0 ? 'message_out' : 'message_in',
    detail: {},
  }));
}

describe('timeline query', () => {
  const all = mergeTimelines([events(10)]);
  const q = (s: string) => parseTimelineQuery(new URLSearchParams(s), 3);

  it('without a cursor, the newest events; with one, the oldest after it, and a cursor that reads on', () => {
    expect(selectTimeline(all, q('limit=3')).events.map((e) => e.id)).toEqual(['e7', 'e8', 'e9']);
    const first = selectTimeline(all, q('since=0&limit=4'));
    expect(first.events.map((e) => e.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(first.has_more).toBe(true);
    const second = selectTimeline(all, q(`since=${first.next_cursor}&limit=100`));
    expect(second.events.map((e) => e.id)).toEqual(['e4', 'e5', 'e6', 'e7', 'e8', 'e9']);
    expect(second.has_more).toBe(false);
    const none = selectTimeline(all, q(`since=${second.next_cursor}`));
    expect(none).toEqual({ events: [], next_cursor: second.next_cursor, has_more: false });
  });

  it('filters by agent and type, lists allowed', () => {
    expect(selectTimeline(all, q('agent=1')).events.map((e) => e.id)).toEqual(['e1', 'e4', 'e7']);
    expect(selectTimeline(all, q('agent=0,2&type=message_in')).events.map((e) => e.id)).toEqual(['e3', 'e5', 'e9']);
    expect(q('since=0').since).toBe(TIMELINE_START);
  });

  it('readWholeTimeline follows next_cursor from the start to the last page', async () => {
    const asked: string[] = [];
    const whole = await readWholeTimeline(async (since) => {
      asked.push(since);
      return selectTimeline(all, q(`since=${since}&limit=4`));
    });
    expect(whole.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(asked).toHaveLength(3);
  });

  it.each([
    ['since=yesterday', 'since must be a cursor'],
    ['agent=3', 'agent must be a comma-separated list of an agent id below 3'],
    ['agent=x', 'agent must be'],
    ['type=gossip', 'type must be a comma-separated list of one of message_in'],
    ['limit=0', 'limit must be an integer from 1 to 5000'],
    ['limit=2.5', 'limit must be an integer'],
    ['limit=99999', 'limit must be an integer'],
  ])('refuses %s', (query, message) => {
    expectAgentError(() => q(query), 'bad-request', message);
  });
});
