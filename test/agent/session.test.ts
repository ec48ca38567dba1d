// The request-scoped session over a plain map store: what one request writes, the next loads.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { dataMap, onEnvelopes, toBase64, type Envelope } from '../../src/core/index.ts';
import { COMPACT_AFTER_LOG_ENTRIES } from '../../src/core/index.ts';
import { AgentSession, type AgentStores, type World } from '../../src/agent/session.ts';
import { ReferenceKernel } from '../../src/egraph/reference-kernel.ts';
import type { ByteStore } from '../../src/spin/key-value.ts';
import { agentConfig, memoryStores } from '../support/agent-session.ts';

let counter = 0;
const world: World = { now: () => 1_700_000_000_000 + counter++, random: (n) => Uint8Array.from({ length: n }, () => (counter++ * 37) & 255), kernel: () => new ReferenceKernel() };

function update(from: number, id: string, u: Uint8Array): Envelope {
  return { v: 1, id, type: 'StateUpdate', from, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(u) } };
}

describe('AgentSession', () => {
  it('keeps an update whose dependencies have not arrived, and applies it once they do', () => {
    const store = memoryStores();
    const remote = new Y.Doc();
    remote.clientID = 77;
    const first: Uint8Array[] = [];
    remote.on('update', (u: Uint8Array) => first.push(u));
    dataMap(remote).set('a', 1);
    dataMap(remote).set('b', 2); // depends on the first struct of client 77
    const [early, late] = [first[1]!, first[0]!];

    const s1 = AgentSession.open(agentConfig, store, world);
    const r1 = onEnvelopes(s1.syncContext(), s1.doc, [update(1, 'second', early)]);
    s1.commit([update(1, 'second', early)], r1.outbox, []);
    expect(dataMap(s1.doc).has('b')).toBe(false);

    const s2 = AgentSession.open(agentConfig, store, world);
    const r2 = onEnvelopes(s2.syncContext(), s2.doc, [update(1, 'first', late)]);
    s2.commit([update(1, 'first', late)], r2.outbox, []);
    expect(dataMap(s2.doc).toJSON()).toEqual({ a: 1, b: 2 });

    const s3 = AgentSession.open(agentConfig, store, world);
    expect(dataMap(s3.doc).toJSON()).toEqual({ a: 1, b: 2 });
  });

  it('writes one request after another as one leased writer, going on from its clock', () => {
    const store = memoryStores();
    const s1 = AgentSession.open(agentConfig, store, world);
    dataMap(s1.doc).set('x', 1);
    s1.commit([], [], []);
    const s2 = AgentSession.open(agentConfig, store, world);
    expect(s2.doc.clientID).toBe(s1.doc.clientID);
    dataMap(s2.doc).set('y', 2);
    s2.commit([], [], []);
    const after = AgentSession.open(agentConfig, store, world).doc;
    expect(dataMap(after).toJSON()).toEqual({ x: 1, y: 2 });
    expect(Y.decodeStateVector(Y.encodeStateVector(after))).toEqual(new Map([[s1.doc.clientID, 2]]));
  });

  it('writes requests that overlap as different writers, none of them one the doc holds at another clock', () => {
    const store = memoryStores();
    const s1 = AgentSession.open(agentConfig, store, world);
    dataMap(s1.doc).set('x', 1);
    const s2 = AgentSession.open(agentConfig, store, world);
    expect(s2.doc.clientID).not.toBe(s1.doc.clientID);
    dataMap(s2.doc).set('y', 2);
    s2.commit([], [], []);
    s1.commit([], [], []);
    expect(dataMap(AgentSession.open(agentConfig, store, world).doc).toJSON()).toEqual({ x: 1, y: 2 });
  });

  it('retires a writer whose last holder saved but never released, instead of writing its clocks again', () => {
    const store = memoryStores();
    const s1 = AgentSession.open(agentConfig, store, world);
    dataMap(s1.doc).set('x', 1);
    s1.commit([], [], []);
    // a holder that saves, then dies before releasing: its lease runs out with the old clock recorded
    const dying = AgentSession.open(agentConfig, store, { ...world, now: () => 1_600_000_000_000 });
    dataMap(dying.doc).set('y', 2);
    const savedUnder = dying.doc.clientID;
    (dying as unknown as { opened: { writer: { release(): void } } }).opened.writer.release = () => undefined;
    dying.commit([], [], []);
    const s3 = AgentSession.open(agentConfig, store, world);
    expect(s3.doc.clientID).not.toBe(savedUnder);
    dataMap(s3.doc).set('z', 3);
    s3.commit([], [], []);
    expect(dataMap(AgentSession.open(agentConfig, store, world).doc).toJSON()).toEqual({ x: 1, y: 2, z: 3 });
  });

  it('refuses to save under a writer whose lease ran out and was taken, so no ID is written twice', () => {
    const store = memoryStores();
    let t = 1_700_000_000_000;
    const clockWorld: World = { ...world, now: () => t };
    const slow = AgentSession.open(agentConfig, store, clockWorld);
    dataMap(slow.doc).set('slow', 1);
    t += 61_000; // past the lease
    const next = AgentSession.open(agentConfig, store, clockWorld);
    expect(next.doc.clientID).toBe(slow.doc.clientID); // its lease ran out, so the writer was free
    dataMap(next.doc).set('next', 2);
    next.commit([], [], []);
    expect(() => slow.commit([], [], [])).toThrow(expect.objectContaining({ code: 'lease-lost' }));
    expect(dataMap(AgentSession.open(agentConfig, store, world).doc).toJSON()).toEqual({ next: 2 });
  });

  it('loads everything when a concurrent compaction deletes the blobs it listed before it read them', () => {
    const store = memoryStores();
    for (let i = 0; i < COMPACT_AFTER_LOG_ENTRIES; i++) {
      const s = AgentSession.open(agentConfig, store, world);
      dataMap(s.doc).set(`k${i}`, i);
      s.commit([], [], []);
    }
    // the next request lists the blobs; another request compacts them away before it reads one
    let raced = false;
    const kv: ByteStore = {
      ...store.kv,
      get: (key) => {
        if (!raced && key.includes(':log:')) {
          raced = true;
          const other = AgentSession.open(agentConfig, store, world);
          dataMap(other.doc).set('other', true);
          other.commit([], [], []);
          expect(store.kv.keys().some((k) => k.includes(':log:'))).toBe(false); // it compacted
        }
        return store.kv.get(key);
      },
    };
    const racing: AgentStores = { ...store, kv };
    const keys = dataMap(AgentSession.open(agentConfig, racing, world).doc).size;
    expect(raced).toBe(true);
    expect(keys).toBe(COMPACT_AFTER_LOG_ENTRIES + 1);
  });
});
