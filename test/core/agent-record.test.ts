// An agent's timeline as appended records: written one record per request, trimmed from the key
// listing alone, read back in clock order, whatever the interleaving of concurrent writers.
import { describe, expect, it } from 'vitest';
import { MAX_TIMELINE_RECORDS, readTimeline, staleTimelineRecords, timelineRecordKey, type TimelineEvent } from '../../src/core/index.ts';

const event = (agent: number, wall: number, n = 0): TimelineEvent =>
  ({ id: `e-${agent}-${wall}-${n}`, timestamp: new Date(wall).toISOString(), hlc: `${String(wall).padStart(13, '0')}-${String(n).padStart(5, '0')}-${String(agent).padStart(5, '0')}`, agent, type: 'message_in', detail: {} }) as TimelineEvent;

function store() {
  const m = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  return {
    m,
    append(agent: number, events: TimelineEvent[], uid: string) {
      m.set(timelineRecordKey(agent, events, uid), encoder.encode(JSON.stringify(events)));
    },
    trim(agent: number, max: number) {
      for (const k of staleTimelineRecords(agent, [...m.keys()], max)) m.delete(k);
    },
    read: (agent: number, max: number) => readTimeline((k) => m.get(k) ?? null, [...m.keys()], agent, max),
  };
}

describe('timeline records', () => {
  it('reads the newest events of one agent in clock order, even when concurrent records interleave', () => {
    const s = store();
    s.append(3, [event(3, 100), event(3, 300)], 'a');
    s.append(3, [event(3, 200), event(3, 400)], 'b'); // a concurrent request's record
    s.append(4, [event(4, 250)], 'c');
    expect(s.read(3, 10).map((e) => e.hlc.slice(10, 13))).toEqual(['100', '200', '300', '400']);
    expect(s.read(3, 3).map((e) => e.hlc.slice(10, 13))).toEqual(['200', '300', '400']);
    expect(s.read(4, 10)).toHaveLength(1);
  });

  it('trims by events kept, from the keys alone, and never past the record cap', () => {
    const s = store();
    for (let i = 0; i < 10; i++) s.append(1, [event(1, 1000 + 2 * i), event(1, 1001 + 2 * i)], `r${i}`);
    s.trim(1, 5); // the newest records holding 5 events: three records of two
    expect([...s.m.keys()]).toHaveLength(3);
    expect(s.read(1, 5)).toHaveLength(5);
    for (let i = 0; i < 2 * MAX_TIMELINE_RECORDS; i++) s.append(1, [event(1, 5000 + i)], `s${i}`);
    s.trim(1, 1_000);
    expect([...s.m.keys()]).toHaveLength(MAX_TIMELINE_RECORDS);
  });

  it('reads a torn record as empty instead of failing', () => {
    const s = store();
    s.append(2, [event(2, 10)], 'ok');
    s.m.set(timelineRecordKey(2, [event(2, 20)], 'torn'), new Uint8Array([123, 34]));
    expect(s.read(2, 10)).toHaveLength(1);
  });
});
