// A user's PUT or DELETE written without loading the doc (core/direct-write.ts, through
// session.writeWithoutDoc) must leave exactly what the doc path leaves: the same data once loaded,
// and a summary (state vector, digest, data keys, the keys' items) equal to one computed from the
// whole doc, whatever mix of direct writes, doc writes, neighbours' updates and compactions led there.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AgentSession, DELETED } from '../../src/agent/session.ts';
import { COMPACT_AFTER_LOG_ENTRIES, dataMap, onEnvelopes, onLocalWrite, stateDigest, summaryHolds, toBase64, type Envelope } from '../../src/core/index.ts';
import { agentConfig, memoryStores, seededWorld } from '../support/agent-session.ts';

type Op =
  | { kind: 'put'; key: string; value: unknown }
  | { kind: 'doc-put'; key: string; value: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'doc-delete'; key: string }
  /** a neighbour's write, made after it synced with this agent (so it overwrites what it saw) */
  | { kind: 'remote'; key: string; value: unknown };

const keyArb = fc.constantFrom('a', 'b', 'c', 'ünï', '');
const valueArb = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.constantFrom('x', 'y'), fc.integer()).map((o) => ({ ...o })));  // as JSON.parse makes them
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), key: keyArb, value: valueArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('doc-put' as const), key: keyArb, value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('doc-delete' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remote' as const), key: keyArb, value: valueArb }) },
);

describe('writes without the doc', () => {
  it('leave the data and the summary the doc path leaves', () => {
    let puts = 0;
    let directPuts = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: COMPACT_AFTER_LOG_ENTRIES + 12, size: 'max' }), fc.integer(), (ops, seed) => {
        const store = memoryStores();
        const world = seededWorld(seed);
        const remote = new Y.Doc();
        remote.clientID = 4242;
        const expected = new Map<string, unknown>();
        for (const [i, op] of ops.entries()) {
          const s = AgentSession.open(agentConfig, store, world);
          if (op.kind === 'put' || op.kind === 'delete') {
            const update = s.writeWithoutDoc(op.key, op.kind === 'put' ? op.value : DELETED);
            if (op.kind === 'put') {
              puts++;
              if (update !== null) directPuts++;
            }
            // the doc path, as the route takes it when a direct write cannot be made
            if (update === null && op.kind === 'put') {
              const { key, value } = op;
              onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(key, value));
            } else if (update === null && dataMap(s.doc).has(op.key)) onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).delete(op.key));
            s.commit([], [], []);
          } else if (op.kind === 'doc-put') {
            const { key, value } = op;
            onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(key, value));
            s.commit([], [], []);
          } else if (op.kind === 'doc-delete') {
            onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).delete(op.key));
            s.commit([], [], []);
          } else {
            Y.applyUpdate(remote, Y.encodeStateAsUpdate(s.doc));
            const before = Y.encodeStateVector(remote);
            dataMap(remote).set(op.key, op.value);
            const envelope: Envelope = { v: 1, id: `in-${i}`, type: 'StateUpdate', from: 1, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(Y.encodeStateAsUpdate(remote, before)) } };
            s.received([envelope]);
            const result = onEnvelopes(s.syncContext(), s.doc, [envelope]);
            s.commit([envelope], result.outbox, result.syncs);
          }
          if (op.kind === 'put' || op.kind === 'doc-put' || op.kind === 'remote') expected.set(op.key, op.value);
          else expected.delete(op.key);
          s.close();

          const after = AgentSession.open(agentConfig, store, world);
          expect(dataMap(after.doc).toJSON()).toEqual(Object.fromEntries(expected));
          const stored = after.persistence.summary();
          const { snapshotKeys, logKeys } = after.persistence.blobKeys();
          if (stored !== null && summaryHolds(stored, [...snapshotKeys, ...logKeys])) {
            const full = after.summary(true);
            expect(stored.state_digest).toBe(stateDigest(after.doc));
            expect(stored.state_vector).toEqual(full.state_vector);
            expect(stored.data_keys).toEqual(full.data_keys);
            expect(stored.data_items).toEqual(full.data_items);
            expect(stored.stored_bytes).toBe(full.stored_bytes);
          }
          after.close();
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 40) },
    );
    // most puts went without the doc (not: an agent's first write, one that must compact the log)
    expect(directPuts).toBeGreaterThan(puts / 2);
  });

  it('a direct write is the update Y.Map#set would make: a replica applying it holds the same', () => {
    const store = memoryStores();
    const world = seededWorld(7);
    const first = AgentSession.open(agentConfig, store, world);
    onLocalWrite(first.syncContext(), first.doc, (doc) => dataMap(doc).set('k', 1));
    first.commit([], [], []);
    first.close();
    const replica = AgentSession.open(agentConfig, store, world).doc;
    const s = AgentSession.open(agentConfig, store, world);
    const update = s.writeWithoutDoc('k', { v: 2 });
    s.commit([], [], []);
    expect(update).not.toBeNull();
    Y.applyUpdate(replica, update!);
    expect(dataMap(replica).toJSON()).toEqual({ k: { v: 2 } });
    // the overwritten value is deleted, not left beside the new one (one visible item for the key)
    let visible = 0;
    for (let item = dataMap(replica)._map.get('k') ?? null; item !== null; item = item.left) if (!item.deleted) visible++;
    expect(visible).toBe(1);
    expect(stateDigest(replica)).toBe(stateDigest(AgentSession.open(agentConfig, store, world).doc));
  });
});
