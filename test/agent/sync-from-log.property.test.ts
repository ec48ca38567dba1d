// A SyncRequest from a replica that lacks something is answered without loading the doc when the
// replica holds everything the snapshot holds (core/sync.ts answerFromLog, through
// session.receiveWithoutDoc): the log's blobs diffed against its state vector, and the whole delete
// set. Whatever mix of writes, neighbours' updates, compactions and the replica's past syncs led
// there, the replica applying the answer must hold exactly what the agent holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AgentSession, DELETED } from '../../src/agent/session.ts';
import { appliedUpdate, COMPACT_AFTER_LOG_ENTRIES, dataMap, MAX_LOG_ENTRIES, deleteSetDigest, fromBase64, onLocalWrite, stateDigest, toBase64, type Envelope } from '../../src/core/index.ts';
import { agentConfig, memoryStores, seededWorld } from '../support/agent-session.ts';

type Op =
  | { kind: 'put'; key: string; value: number }
  | { kind: 'delete'; key: string }
  /** a neighbour's write, delivered as a StateUpdate */
  | { kind: 'remote'; key: string; value: number }
  /** the replica catches up with the agent as it is now (a sync it made at this point) */
  | { kind: 'catch-up' }
  /** the replica asks what it lacks */
  | { kind: 'request' };

const keyArb = fc.constantFrom('a', 'b', 'c', 'd');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key: keyArb, value: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remote' as const), key: keyArb, value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('catch-up' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const) }) },
);

type Change = Extract<Op, { kind: 'put' | 'delete' | 'remote' }>;

/** A user's write at the agent (without the doc when it can be) or a neighbour's, delivered; `reference` gets it too. */
function applyChange(s: AgentSession, op: Change, i: number, reference: Y.Doc, neighbour: Y.Doc): void {
  if (op.kind === 'remote') {
    const update = appliedUpdate(neighbour, () => dataMap(neighbour).set(op.key, op.value));
    if (update === null) return;
    const envelopes: Envelope[] = [{ v: 1, id: `in-${i}`, type: 'StateUpdate', from: 1, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } }];
    s.received(envelopes);
    const result = s.receiveWithoutDoc(envelopes) ?? s.receiveWithDoc(envelopes);
    s.commit(envelopes, result.outbox, result.syncs);
    Y.applyUpdate(reference, update);
    return;
  }
  const update = s.writeWithoutDoc(op.key, op.kind === 'put' ? op.value : DELETED);
  if (update !== null) Y.applyUpdate(reference, update);
  else if (op.kind === 'put' || dataMap(s.doc).has(op.key)) {
    const written = onLocalWrite(s.syncContext(), s.doc, (doc) => (op.kind === 'put' ? dataMap(doc).set(op.key, op.value) : dataMap(doc).delete(op.key))).update;
    if (written !== null) Y.applyUpdate(reference, written);
  }
  s.commit([], [], []);
}

/** Agent 8 is no neighbour of agent 0 on the 3x3 grid: its requests are never deferred. */
const REPLICA = 8;

/** The replica's SyncRequest handled as the inbox would, the answer applied to it; whether it was answered without the doc. */
function syncReplica(s: AgentSession, replica: Y.Doc, id: string): boolean {
  const envelopes: Envelope[] = [
    { v: 1, id, type: 'SyncRequest', from: REPLICA, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { sv: toBase64(Y.encodeStateVector(replica)), ds: deleteSetDigest(replica) } },
  ];
  s.received(envelopes);
  const direct = s.receiveWithoutDoc(envelopes);
  const result = direct ?? s.receiveWithDoc(envelopes);
  s.commit(envelopes, result.outbox, result.syncs);
  for (const e of result.outbox) if (e.type === 'SyncResponse' && e.to === REPLICA) Y.applyUpdate(replica, fromBase64(e.payload.update));
  return direct !== null;
}

describe('a SyncRequest answered from the log', () => {
  it('gives the requester exactly what the agent holds', () => {
    let requests = 0;
    let fromLog = 0;
    let compactions = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: MAX_LOG_ENTRIES, size: 'max' }), fc.integer(), (ops, seed) => {
        const store = memoryStores();
        const world = seededWorld(seed);
        const reference = new Y.Doc(); // every update the agent wrote or was sent
        const replica = new Y.Doc(); // learns only from the agent
        const neighbour = new Y.Doc();
        neighbour.clientID = 4242;
        for (const [i, op] of ops.entries()) {
          const s = AgentSession.open(agentConfig, store, world);
          if (op.kind === 'put' || op.kind === 'delete' || op.kind === 'remote') {
            applyChange(s, op, i, reference, neighbour);
          } else if (op.kind === 'catch-up') {
            Y.applyUpdate(replica, Y.encodeStateAsUpdate(reference, Y.encodeStateVector(replica)));
          } else {
            const lacked = stateDigest(replica) !== stateDigest(reference);
            const direct = syncReplica(s, replica, `rq-${i}`);
            // what it lacks is in the log alone once a snapshot holds all the replica does
            if (lacked && store.kv.keys().some((k) => k.includes(':snapshot:'))) {
              requests++;
              if (direct) fromLog++;
            }
            expect(dataMap(replica).toJSON()).toEqual(dataMap(reference).toJSON());
            expect(stateDigest(replica)).toBe(stateDigest(reference));
          }
          s.close();
        }
        compactions += store.kv.keys().filter((k) => k.includes(':snapshot:')).length;
      }),
      { numRuns: Number(process.env.RUNS ?? 40) },
    );
    // runs reached a compaction, so requests met a snapshot the replica held all of, or not
    expect(compactions).toBeGreaterThan(5);
    // many of those that lacked something beside a snapshot were answered from the log (not: a
    // replica behind the snapshot, which these small docs fold every ~9 writes); 0.47-0.58 in eight runs
    expect(fromLog).toBeGreaterThan(requests * 0.3);
  });

  it('gives a replica holding nothing everything, from the stored blobs as they are', () => {
    let requests = 0;
    let fromBlobs = 0;
    fc.assert(
      fc.property(fc.array(opArb.filter((op): op is Change => op.kind !== 'catch-up' && op.kind !== 'request'), { minLength: 1, maxLength: MAX_LOG_ENTRIES, size: 'max' }), fc.integer(), (ops, seed) => {
        const store = memoryStores();
        const world = seededWorld(seed);
        const reference = new Y.Doc();
        const neighbour = new Y.Doc();
        neighbour.clientID = 4242;
        for (const [i, op] of ops.entries()) {
          const s = AgentSession.open(agentConfig, store, world);
          applyChange(s, op, i, reference, neighbour);
          s.close();
        }
        const fresh = new Y.Doc();
        const s = AgentSession.open(agentConfig, store, world);
        requests++;
        if (syncReplica(s, fresh, 'rq')) fromBlobs++;
        expect(dataMap(fresh).toJSON()).toEqual(dataMap(reference).toJSON());
        expect(stateDigest(fresh)).toBe(stateDigest(reference));
        s.close();
      }),
      { numRuns: Number(process.env.RUNS ?? 40) },
    );
    // the doc is loaded only when the summary cannot be believed (a write it could not move)
    expect(fromBlobs).toBeGreaterThan(requests * 0.8);
  });

  it('carries the deletions the snapshot holds, though the log holds none', () => {
    const store = memoryStores();
    const world = seededWorld(1);
    const replica = new Y.Doc();
    const write = (key: string, value: unknown): void => {
      const s = AgentSession.open(agentConfig, store, world);
      if (s.writeWithoutDoc(key, value) === null) {
        onLocalWrite(s.syncContext(), s.doc, (doc) => (value === DELETED ? dataMap(doc).delete(key) : dataMap(doc).set(key, value)));
      }
      s.commit([], [], []);
      s.close();
    };
    const logBlobs = () => store.kv.keys().filter((k) => k.includes(':log:')).length;
    write('gone', 'soon');
    while (logBlobs() < COMPACT_AFTER_LOG_ENTRIES) write('k', 'overwritten '.repeat(20) + logBlobs());
    // the replica holds all of it; then a deletion (no new struct) is the write that compacts
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(AgentSession.open(agentConfig, store, world).doc));
    write('gone', DELETED);
    expect(logBlobs()).toBe(0);
    const s = AgentSession.open(agentConfig, store, world);
    const request: Envelope[] = [{ v: 1, id: 'rq', type: 'SyncRequest', from: REPLICA, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { sv: toBase64(Y.encodeStateVector(replica)), ds: deleteSetDigest(replica) } }];
    s.received(request);
    const answered = s.receiveWithoutDoc(request);
    expect(answered).not.toBeNull(); // from the log (empty) and the delete set
    for (const e of answered!.outbox) if (e.type === 'SyncResponse') Y.applyUpdate(replica, fromBase64(e.payload.update));
    expect(dataMap(replica).has('gone')).toBe(false);
    expect(stateDigest(replica)).toBe(stateDigest(s.doc));
  });
});
