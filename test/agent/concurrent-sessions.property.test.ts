// Spin runs an agent's requests concurrently and its KV has no compare-and-swap: every request
// loads the agent's blobs, works, and writes back whenever it finishes. Whatever the interleaving
// of loads and commits (compactions included), no acknowledged write may be lost, and a summary
// and e-graph items record that a reader would believe say what the doc holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addTerm, addToEGraphSets, appliedUpdate, dataMap, egraphItemsOf, onEnvelopes, onLocalWrite, readEGraphSets, stateDigest, summaryHolds, toBase64, type Envelope } from '../../src/core/index.ts';
import { termHash } from '../../src/egraph/index.ts';
import { MAX_LOG_ENTRIES } from '../../src/core/index.ts';
import { AgentSession } from '../../src/agent/session.ts';
import { ReferenceKernel } from '../../src/egraph/reference-kernel.ts';
import { agentConfig, memoryStores, seededWorld, deletionsOf } from '../support/agent-session.ts';

type Request =
  | { kind: 'put'; key: string; value: number }
  /** a PUT as the route makes it: without the doc when the summary allows (session.writeWithoutDoc) */
  | { kind: 'direct'; key: string; value: number }
  | { kind: 'term'; term: string }
  | { kind: 'inbox'; key: string; value: number }
  /** a neighbour's e-graph record arriving (one the agent's own terms may hold too: a clash Yjs orders) */
  | { kind: 'inbox-term'; hash: string }
  /** a request that writes, then dies before it saves (a trap): nothing acknowledged, its writer stays leased */
  | { kind: 'abandon'; key: string; value: number };

/** What a request did, to be checked once everything is committed. */
interface Acknowledged {
  data: Map<string, number>;
  terms: string[];
}

/** Runs one request's work right after its load, as the agent's routes do. */
function work(s: AgentSession, request: Request, acked: Acknowledged, remote: Y.Doc, index: number): () => void {
  switch (request.kind) {
    case 'put':
      onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(request.key, request.value));
      return () => {
        s.commit([], [], []);
        s.rememberValue(request.key, request.value); // as the route does once the write is saved
        acked.data.set(request.key, request.value);
      };
    case 'direct':
      if (s.writeWithoutDoc(request.key, request.value) === null) onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(request.key, request.value));
      return () => {
        s.commit([], [], []);
        s.rememberValue(request.key, request.value);
        acked.data.set(request.key, request.value);
      };
    case 'term': {
      const { hash } = addTerm(s.syncContext(), s.doc, new ReferenceKernel(), request.term);
      return () => {
        s.commit([], [], []);
        acked.terms.push(hash);
      };
    }
    case 'abandon':
      onLocalWrite(s.syncContext(), s.doc, (doc) => dataMap(doc).set(request.key, request.value));
      return () => undefined;
    case 'inbox-term': {
      const update = appliedUpdate(remote, () => addToEGraphSets(remote, [[request.hash, { op: 'x', children: [] }]], []));
      if (update === null) return () => undefined; // the neighbour had it already
      const envelope: Envelope = { v: 1, id: `in-${index}`, type: 'StateUpdate', from: 1, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } };
      s.received([envelope]);
      const result = s.receiveWithoutDoc([envelope]) ?? onEnvelopes(s.syncContext(), s.doc, [envelope]);
      return () => {
        s.commit([envelope], result.outbox, result.syncs);
        acked.terms.push(request.hash);
      };
    }
    case 'inbox': {
      // a neighbour's write arriving: delivered (and acknowledged to the gateway) by this request,
      // as the inbox route takes it (without the doc when the summary allows)
      const update = Y.encodeStateAsUpdate(remote, Y.encodeStateVector(remote));
      dataMap(remote).set(request.key, request.value);
      const delta = Y.diffUpdate(Y.encodeStateAsUpdate(remote), Y.encodeStateVectorFromUpdate(update));
      const envelope: Envelope = { v: 1, id: `in-${index}`, type: 'StateUpdate', from: 1, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(delta) } };
      s.received([envelope]);
      const result = s.receiveWithoutDoc([envelope]) ?? onEnvelopes(s.syncContext(), s.doc, [envelope]);
      return () => {
        s.commit([envelope], result.outbox, result.syncs);
        acked.data.set(request.key, request.value);
      };
    }
  }
}

const requestArb: fc.Arbitrary<Request> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.constant(''), value: fc.integer() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('direct' as const), key: fc.constant(''), value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('term' as const), term: fc.constantFrom('(+ x 0)', '(* y 2)', '(- (* a b) c)', '(/ q (+ r 1))') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('inbox' as const), key: fc.constant(''), value: fc.integer() }) },
  // the hash of the term `x` (the agent's '(+ x 0)' adds it too), or others only neighbours add
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('inbox-term' as const), hash: fc.constantFrom(termHash('x', []), '00000000000000b2', '00000000000000c3') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abandon' as const), key: fc.constant(''), value: fc.integer() }) },
);

/** Requests with distinct keys, and an interleaving: each request loads before it commits. */
const scheduleArb = fc
  .record({ requests: fc.array(requestArb, { minLength: 2, maxLength: MAX_LOG_ENTRIES / 2 }), seed: fc.integer(), order: fc.array(fc.nat(), { maxLength: 200 }) })
  .map(({ requests, seed, order }) => ({
    requests: requests.map((r, i) => (r.kind === 'term' || r.kind === 'inbox-term' ? r : { ...r, key: `${r.kind}-${i}` })),
    seed,
    order,
  }));

describe('concurrent requests on one agent', () => {
  it('lose no acknowledged write, whatever the interleaving of loads and commits', () => {
    let holding = 0;
    let namedRecords = 0;
    fc.assert(
      fc.property(scheduleArb, ({ requests, seed, order }) => {
        const store = memoryStores();
        const world = seededWorld(seed);
        const remote = new Y.Doc();
        remote.clientID = 4242;
        const acked: Acknowledged = { data: new Map(), terms: [] };
        // Running requests: each has loaded and worked, its commit is pending.
        const running: { request: Request; commit: () => void }[] = [];
        let next = 0;
        let pick = 0;
        // requests holding a writer at once: those running, and those that died holding one
        let peak = 0;
        let dead = 0;
        while (next < requests.length || running.length > 0) {
          const choice = order[pick++ % Math.max(1, order.length)] ?? 0;
          // start another request, or finish one of the running ones
          if (next < requests.length && (running.length === 0 || choice % 2 === 0)) {
            const s = AgentSession.open(agentConfig, store, world);
            running.push({ request: requests[next] as Request, commit: work(s, requests[next] as Request, acked, remote, next) });
            peak = Math.max(peak, running.length + dead);
            next++;
          } else {
            const [finish] = running.splice(choice % running.length, 1);
            if (finish!.request.kind === 'abandon') dead++;
            finish!.commit();
          }
        }
        // a data read without the doc, when it can answer, answers what was acknowledged
        for (const [key, value] of acked.data) {
          const reader = AgentSession.open(agentConfig, store, world);
          const known = reader.dataWithoutDoc(key);
          if (known !== null) expect(known).toEqual({ value });
          reader.close();
        }
        const after = AgentSession.open(agentConfig, store, world);
        expect(dataMap(after.doc).toJSON()).toEqual(Object.fromEntries(acked.data));
        const { terms } = readEGraphSets(after.doc);
        for (const hash of acked.terms) expect(terms.has(hash)).toBe(true);
        // leased writers: as many as requests ever held one at once (plus the remote one), not one per request
        const writers = [...Y.decodeStateVector(Y.encodeStateVector(after.doc)).keys()].filter((c) => c !== remote.clientID);
        expect(writers.length).toBeLessThanOrEqual(peak);
        // and two loads of the same store agree on the digest the network compares
        expect(stateDigest(AgentSession.open(agentConfig, store, world).doc)).toBe(stateDigest(after.doc));
        // a summary that writes moved (not recomputed) and that still names the stored blobs says
        // exactly what a walk of the doc says
        const stored = after.persistence.summary();
        const { snapshotKeys, logKeys } = after.persistence.blobKeys();
        if (stored !== null && summaryHolds(stored, [...snapshotKeys, ...logKeys])) {
          holding++;
          const full = after.summary(true);
          expect(stored.state_digest).toBe(stateDigest(after.doc));
          expect(stored.state_vector).toEqual(full.state_vector);
          expect(stored.data_keys).toEqual(full.data_keys);
          expect(stored.data_items).toEqual(full.data_items);
          // the same deletions, however they are split between the encoded bulk and the latest list
          expect(deletionsOf(stored)).toEqual(deletionsOf(full));
          // and the e-graph: its counts, and the items record the summary names, if it is the stored one
          expect({ terms: stored.egraph.terms, unions: stored.egraph.unions }).toEqual({ terms: full.egraph.terms, unions: full.egraph.unions });
          const record = after.persistence.egraphItems();
          if (record !== null && record.tag === stored.egraph.items) {
            namedRecords++;
            expect(record).toEqual(egraphItemsOf(after.doc, record.tag));
          }
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 60) },
    );
    expect(holding).toBeGreaterThan(0);
    expect(namedRecords).toBeGreaterThan(0);
  });
});
