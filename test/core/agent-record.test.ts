// An agent's timeline as appended records: written one record per request, trimmed from the key
// listing alone, read back in clock order, whatever the interleaving of concurrent writers.
import { describe, expect, it } from 'vitest';
import {
  foldTimelineRecords,
  MAX_TIMELINE_RECORDS,
  readTimeline,
  staleTimelineRecords,
  TIMELINE_FOLD_AFTER,
  timelineRecordEvents,
  timelineRecordKey,
  timelineRecordKeys,
  timelineRecordsToFold,
  type TimelineEvent,
} from '../../src/core/index.ts';

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
    read: (agent: number, max: number, listed = [...m.keys()]) => readTimeline((k) => m.get(k) ?? null, listed, () => [...m.keys()], agent, max),
    /** what a request does after its append (src/agent/persistence.ts): fold the older records */
    fold(agent: number, max: number, uid: string) {
      this.readToFold(agent, max, uid)();
    },
    /** a fold's reads; what it returns writes the folded record and deletes the ones it holds */
    readToFold(agent: number, max: number, uid: string): () => void {
      const folding = timelineRecordsToFold(agent, [...m.keys()]);
      const folded = foldTimelineRecords(folding.map((k) => timelineRecordEvents(m.get(k) ?? null)), max);
      return () => {
        if (folded.length > 0) this.append(agent, folded, uid);
        for (const k of folding) m.delete(k);
      };
    },
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

  it('folds the older records into one once an agent keeps more than a few, keeping its newest events', () => {
    const s = store();
    for (let i = 0; i < 40; i++) {
      s.append(5, [event(5, 1000 + 2 * i), event(5, 1001 + 2 * i)], `r${i}`);
      s.trim(5, 50);
      s.fold(5, 50, `f${i}`);
      expect(timelineRecordKeys(5, [...s.m.keys()]).length).toBeLessThanOrEqual(TIMELINE_FOLD_AFTER);
    }
    const read = s.read(5, 50);
    expect(read.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => `e-5-${1030 + i}-0`));
    // another agent's records are neither folded nor read
    s.append(6, [event(6, 1)], 'other');
    s.fold(5, 50, 'again');
    expect(s.read(6, 50)).toHaveLength(1);
  });

  it('two requests folding the same records at once leave each event read once', () => {
    const s = store();
    for (let i = 0; i < TIMELINE_FOLD_AFTER + 1; i++) s.append(2, [event(2, 100 + i)], `r${i}`);
    // both requests read the records before either writes its folded record
    const first = s.readToFold(2, 100, 'first');
    const second = s.readToFold(2, 100, 'second');
    first();
    second();
    expect(timelineRecordKeys(2, [...s.m.keys()])).toHaveLength(3); // two folded records and the newest
    expect(s.read(2, 100).map((e) => e.hlc.slice(10, 13))).toEqual(['100', '101', '102', '103', '104', '105']);
  });

  it('a reader that listed before a fold still reads every event, from the folded record', () => {
    const s = store();
    for (let i = 0; i < TIMELINE_FOLD_AFTER + 1; i++) s.append(3, [event(3, 100 + i)], `r${i}`);
    const listed = [...s.m.keys()];
    s.fold(3, 100, 'meanwhile'); // between the reader's listing and its reads
    expect(s.read(3, 100, listed).map((e) => e.hlc.slice(10, 13))).toEqual(['100', '101', '102', '103', '104', '105']);
  });

  it('leaves records alone while there are few, and never folds past what one value should hold', () => {
    expect(timelineRecordsToFold(1, Array.from({ length: TIMELINE_FOLD_AFTER }, (_, i) => timelineRecordKey(1, [event(1, i)], `r${i}`)))).toEqual([]);
    const big = Array.from({ length: 600 }, (_, n) => event(1, 5, n));
    const keys = [timelineRecordKey(1, big, 'a'), timelineRecordKey(1, [event(1, 6, 0), ...big.slice(1)], 'b')];
    for (let i = 0; i < TIMELINE_FOLD_AFTER; i++) keys.push(timelineRecordKey(1, [event(1, 10 + i)], `s${i}`));
    const folding = timelineRecordsToFold(1, keys);
    // the two records of 600 events would make one of 1,200: the newer one and the small ones fold
    expect(folding).toEqual(timelineRecordKeys(1, keys).slice(1, -1));
  });
});
