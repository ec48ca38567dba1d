// The protocol one envelope at a time: what each message makes an agent send back.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  allNeighbours,
  createAgentDoc,
  dataMap,
  deleteSetDigest,
  fromBase64,
  onEnvelope,
  onEnvelopes,
  onLocalWrite,
  onMergedUpdate,
  onTick,
  stateDigest,
  toBase64,
  type Envelope,
  type StateUpdate,
  type SyncContext,
  type SyncRequest,
  HybridClock,
  MAX_ENVELOPE_UPDATE_BYTES,
  type SyncResponse,
} from '../../src/core/index.ts';
import { expectAgentError } from './expect-error.ts';

function ctx(agentId: number, neighbours: number[]): SyncContext {
  let n = 0;
  const now = (): number => 1_000;
  return { agentId, neighbours, now, clock: new HybridClock(now, agentId), newId: () => `${agentId}-${n++}`, uptimeSeconds: 5 };
}

function docWith(clientId: number, entries: Record<string, unknown>): Y.Doc {
  const doc = createAgentDoc(clientId);
  for (const [k, v] of Object.entries(entries)) dataMap(doc).set(k, v);
  return doc;
}

function requestFrom(doc: Y.Doc, from: number, to: number): SyncRequest {
  const out = onTick(ctx(from, [to]), doc).outbox.find((e) => e.type === 'SyncRequest');
  return out as SyncRequest;
}

function stateUpdate(update: Uint8Array, from: number, to: number): StateUpdate {
  return { v: 1, id: 'su-1', type: 'StateUpdate', from, to, ts: 0, hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } };
}

const kinds = (outbox: Envelope[]): string[] => outbox.map((e) => `${e.type}->${e.to}`);

describe('onTick', () => {
  it('sends one heartbeat and one SyncRequest per neighbour', () => {
    const doc = docWith(1, { a: 1 });
    const { outbox } = onTick(ctx(4, [1, 3, 5]), doc);
    expect(kinds(outbox)).toEqual(['Heartbeat->null', 'SyncRequest->1', 'SyncRequest->3', 'SyncRequest->5']);
    expect(outbox[0]).toMatchObject({ from: 4, ts: 1_000, hlc: '0000000001000-00000-00004', payload: { digest: stateDigest(doc), uptime_s: 5 } });
    expect(outbox[1]).toMatchObject({ payload: { sv: toBase64(Y.encodeStateVector(doc)), ds: deleteSetDigest(doc) } });
    expect(new Set(outbox.map((e) => e.id)).size).toBe(4);
  });
});

describe('SyncRequest', () => {
  it('is answered with the missing update, and asked back when the sender has more', () => {
    const a = docWith(1, { x: 1 });
    const b = docWith(2, { y: 2 });
    const { outbox } = onEnvelope(ctx(1, [2]), a, requestFrom(b, 2, 1));
    expect(kinds(outbox)).toEqual(['SyncResponse->2', 'SyncRequest->2']);
    const reply = outbox[0] as Extract<Envelope, { type: 'SyncResponse' }>;
    Y.applyUpdate(b, fromBase64(reply.payload.update));
    expect(dataMap(b).toJSON()).toEqual({ x: 1, y: 2 });
  });

  it('stays quiet when the sender already has everything', () => {
    const a = docWith(1, { x: 1 });
    const b = createAgentDoc(2);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(onEnvelope(ctx(1, [2]), a, requestFrom(b, 2, 1)).outbox).toEqual([]);
  });

  it('answers when only deletions differ (they do not move the state vector)', () => {
    const a = docWith(1, { x: 1 });
    const b = createAgentDoc(2);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    dataMap(a).delete('x');
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
    const { outbox } = onEnvelope(ctx(1, [2]), a, requestFrom(b, 2, 1));
    expect(kinds(outbox)).toEqual(['SyncResponse->2', 'SyncRequest->2']);
    onEnvelope(ctx(2, [1]), b, outbox[0] as Envelope);
    expect(dataMap(b).toJSON()).toEqual({});
    expect(stateDigest(b)).toBe(stateDigest(a));
  });

  it('is answered once per sender in a batch, the latest: requests queued behind a busy agent are not each sent the diff', () => {
    const a = docWith(1, { x: 1 });
    const z = Y.encodeStateAsUpdate(docWith(3, { z: 3 }));
    Y.applyUpdate(a, z);
    const b = docWith(2, { y: 2 });
    const old = requestFrom(b, 2, 1);
    Y.applyUpdate(b, z); // b has z by its next tick
    const latest = { ...requestFrom(b, 2, 1), id: 'latest' };
    const c = requestFrom(docWith(4, {}), 4, 1);
    const { outbox } = onEnvelopes(ctx(1, [2, 4]), a, [old, c, { ...old, id: 'again' }, latest]);
    expect(kinds(outbox)).toEqual(['SyncResponse->4', 'SyncResponse->2', 'SyncRequest->2']);
    // 2 is sent what its latest request lacks: x, not z again
    const sent = Y.decodeUpdate(fromBase64((outbox[1] as SyncResponse).payload.update));
    expect(sent.structs.map((struct) => struct.id.client)).toEqual([1]);
  });

  it('refuses a malformed state vector', () => {
    const req = requestFrom(createAgentDoc(2), 2, 1);
    const bad = { ...req, payload: { ...req.payload, sv: toBase64(Uint8Array.from([3, 1])) } };
    expectAgentError(() => onEnvelope(ctx(1, [2]), createAgentDoc(1), bad), 'bad-update', 'state vector');
  });
});

describe('updates', () => {
  it('a StateUpdate is applied, relayed to the other neighbours and acknowledged', () => {
    const doc = createAgentDoc(1);
    const update = Y.encodeStateAsUpdate(docWith(9, { k: 'v' }));
    const r = onEnvelope(ctx(1, [0, 2, 9]), doc, stateUpdate(update, 9, 1));
    expect(dataMap(doc).get('k')).toBe('v');
    expect(r).toMatchObject({ changed: true, syncsCompleted: 0 });
    expect(kinds(r.outbox)).toEqual(['Ack->9', 'StateUpdate->0', 'StateUpdate->2']);
    expect(r.outbox[0]).toMatchObject({ payload: { ack: 'su-1' } });
  });

  it('relays a whole batch as one merged StateUpdate per neighbour, never back to a sender', () => {
    const doc = createAgentDoc(1);
    const batch = [
      stateUpdate(Y.encodeStateAsUpdate(docWith(70, { a: 1 })), 9, 1),
      stateUpdate(Y.encodeStateAsUpdate(docWith(71, { b: 2 })), 9, 1),
      stateUpdate(Y.encodeStateAsUpdate(docWith(72, { c: 3 })), 0, 1),
    ];
    const r = onEnvelopes(ctx(1, [0, 2, 9]), doc, batch);
    const relays = r.outbox.filter((e) => e.type === 'StateUpdate');
    expect(kinds(relays)).toEqual(['StateUpdate->0', 'StateUpdate->2', 'StateUpdate->9']);
    const content = (to: number) => {
      const replica = createAgentDoc(5);
      const e = relays.find((x) => x.to === to)!;
      if (e.type === 'StateUpdate') Y.applyUpdate(replica, fromBase64(e.payload.update));
      return dataMap(replica).toJSON();
    };
    expect(content(2)).toEqual({ a: 1, b: 2, c: 3 });
    expect(content(0)).toEqual({ a: 1, b: 2 }); // 0 sent c itself
    expect(content(9)).toEqual({ c: 3 }); // 9 sent a and b
    expect(r.outbox.filter((e) => e.type === 'Ack')).toHaveLength(3);
  });

  it("applies a sender's updates in one Yjs transaction (each costs a walk of every writer)", () => {
    const updates = [0, 1, 2, 3, 4].map((w) => stateUpdate(Y.encodeStateAsUpdate(docWith(300 + w, { [`w${w}`]: w })), w < 3 ? 3 : 5, 1));
    const doc = createAgentDoc(1);
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    const { outbox } = onEnvelopes(ctx(1, [3, 5]), doc, updates.map((u, i) => ({ ...u, id: `su-${i}` })));
    expect(transactions).toBe(2); // one per sender
    expect(dataMap(doc).toJSON()).toEqual({ w0: 0, w1: 1, w2: 2, w3: 3, w4: 4 });
    expect(outbox.filter((e) => e.type === 'Ack')).toHaveLength(5);
  });

  describe('relay trees (a 3x3 grid: the tree of writes at agent 0 is 0 -> 1, 3; 1 -> 2, 4; 2 -> 5; 3 -> 6; 4 -> 7; 5 -> 8)', () => {
    const grid = allNeighbours('grid', 9);
    const at = (id: number): SyncContext => ({ ...ctx(id, grid[id]!), graph: () => grid });
    const fromTree = (update: Uint8Array, from: number, to: number, origin: number): StateUpdate => {
      const e = stateUpdate(update, from, to);
      return { ...e, payload: { ...e.payload, origin } };
    };
    const relayed = (outbox: Envelope[]) => outbox.filter((e): e is StateUpdate => e.type === 'StateUpdate').map((e) => [e.to, e.payload.origin]);

    it("a write leaves stamped with its origin, to every neighbour", () => {
      const { outbox } = onLocalWrite(at(4), createAgentDoc(4), (d) => dataMap(d).set('k', 'v'));
      expect(relayed(outbox)).toEqual([[1, 4], [3, 4], [5, 4], [7, 4]]);
    });

    it('a write of deletions alone, and an update merged from outside, leave unstamped: they may be on their way down another tree', () => {
      const doc = docWith(4, { k: 'v' });
      expect(relayed(onLocalWrite(at(4), doc, (d) => dataMap(d).delete('k')).outbox)).toEqual([[1, undefined], [3, undefined], [5, undefined], [7, undefined]]);
      const merged = onMergedUpdate(at(4), doc, Y.encodeStateAsUpdate(docWith(9, { m: 1 })));
      expect(relayed(merged.outbox)).toEqual([[1, undefined], [3, undefined], [5, undefined], [7, undefined]]);
    });

    it("an update from the agent's parent in its origin's tree goes on to its children there only, stamped", () => {
      const update = Y.encodeStateAsUpdate(docWith(9, { k: 'v' }));
      const r = onEnvelope(at(4), createAgentDoc(4), fromTree(update, 1, 4, 0));
      expect(relayed(r.outbox)).toEqual([[7, 0]]);
      expect(kinds(r.outbox)).toContain('Ack->1');
      // a leaf of the tree passes nothing on, and is still acknowledged
      expect(kinds(onEnvelope(at(8), createAgentDoc(8), fromTree(update, 5, 8, 0)).outbox)).toEqual(['Ack->5']);
    });

    it('an update stamped with an origin that came another way is flooded on, unstamped', () => {
      const update = Y.encodeStateAsUpdate(docWith(9, { k: 'v' }));
      // 4's parent in 0's tree is 1, not 5
      expect(relayed(onEnvelope(at(4), createAgentDoc(4), fromTree(update, 5, 4, 0)).outbox)).toEqual([[1, undefined], [3, undefined], [7, undefined]]);
      // an origin outside the network is no tree at all
      expect(relayed(onEnvelope(at(4), createAgentDoc(4), fromTree(update, 1, 4, 99)).outbox)).toEqual([[3, undefined], [5, undefined], [7, undefined]]);
    });

    it("a batch of two trees' deltas sends each neighbour what it is owed, stamped only when it is one tree's", () => {
      const doc = createAgentDoc(4);
      const fromZero = fromTree(Y.encodeStateAsUpdate(docWith(70, { a: 1 })), 1, 4, 0);
      // 5's tree: 5 -> 2, 4, 8; 2 -> 1; 4 -> 3, 7; 8 -> nothing (7 is reached first through 4)
      const fromFive = { ...fromTree(Y.encodeStateAsUpdate(docWith(71, { b: 2 })), 5, 4, 5), id: 'su-2' };
      const r = onEnvelopes(at(4), doc, [fromZero, fromFive]);
      expect(relayed(r.outbox)).toEqual([[3, 5], [7, undefined]]);
      const content = (to: number) => {
        const replica = createAgentDoc(5);
        Y.applyUpdate(replica, fromBase64((r.outbox.find((e) => e.type === 'StateUpdate' && e.to === to) as StateUpdate).payload.update));
        return dataMap(replica).toJSON();
      };
      expect(content(7)).toEqual({ a: 1, b: 2 });
      expect(content(3)).toEqual({ b: 2 });
    });

    it("one sender's updates down several trees are applied together, and flooded on", () => {
      const fromZero = fromTree(Y.encodeStateAsUpdate(docWith(70, { a: 1 })), 1, 4, 0);
      // 4 hangs from 1 in 2's tree too
      const fromTwo = { ...fromTree(Y.encodeStateAsUpdate(docWith(71, { b: 2 })), 1, 4, 2), id: 'su-2' };
      expect(relayed(onEnvelopes(at(4), createAgentDoc(4), [fromZero, fromTwo]).outbox)).toEqual([[3, undefined], [5, undefined], [7, undefined]]);
    });

    it('what a delivery releases of structs the doc held back is flooded: they may be another write\'s', () => {
      const writer = docWith(9, { first: 1 });
      const first = Y.encodeStateAsUpdate(writer);
      const sv = Y.encodeStateVector(writer);
      dataMap(writer).set('second', 2);
      const second = Y.encodeStateAsUpdate(writer, sv);
      const doc = createAgentDoc(4);
      // the second write arrives first, off its tree: held back, nothing to relay
      expect(relayed(onEnvelope(at(4), doc, fromTree(second, 5, 4, 2)).outbox)).toEqual([]);
      // the first, down 0's tree, releases both: flooded to every neighbour but its sender
      expect(relayed(onEnvelope(at(4), doc, fromTree(first, 1, 4, 0)).outbox)).toEqual([[3, undefined], [5, undefined], [7, undefined]]);
      expect(dataMap(doc).toJSON()).toEqual({ first: 1, second: 2 });
    });
  });

  it('a known update relays nothing (the gossip dies out)', () => {
    const doc = createAgentDoc(1);
    const update = Y.encodeStateAsUpdate(docWith(9, { k: 'v' }));
    onEnvelope(ctx(1, [0, 2]), doc, stateUpdate(update, 9, 1));
    const again = onEnvelope(ctx(1, [0, 2]), doc, stateUpdate(update, 9, 1));
    expect(again.changed).toBe(false);
    expect(kinds(again.outbox)).toEqual(['Ack->9']);
  });

  it('a SyncResponse counts as a completed sync and is not acknowledged', () => {
    const update = Y.encodeStateAsUpdate(docWith(9, { k: 'v' }));
    const env: Envelope = { ...stateUpdate(update, 9, 1), type: 'SyncResponse' };
    const r = onEnvelope(ctx(1, [9]), createAgentDoc(1), env);
    expect(r).toMatchObject({ syncsCompleted: 1, changed: true, outbox: [] });
  });

  it('corrupt update bytes throw bad-update and leave the doc byte-identical', () => {
    const doc = docWith(1, { a: 1 });
    const before = Y.encodeStateAsUpdate(doc);
    const real = Y.encodeStateAsUpdate(docWith(9, { k: 'v' }));
    for (const bad of [Uint8Array.from([1, 2, 3]), real.subarray(0, real.length - 3), Uint8Array.from([...real, 0])]) {
      expectAgentError(() => onEnvelope(ctx(1, [9]), doc, stateUpdate(bad, 9, 1)), 'bad-update');
      expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    }
  });

  it('a batch with one bad envelope applies none of them', () => {
    const doc = createAgentDoc(1);
    const before = Y.encodeStateAsUpdate(doc);
    const good = stateUpdate(Y.encodeStateAsUpdate(docWith(9, { k: 'v' })), 9, 1);
    const bad = stateUpdate(Uint8Array.from([9, 9, 9]), 9, 1);
    expectAgentError(() => onEnvelopes(ctx(1, [9]), doc, [good, bad]), 'bad-update');
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('heartbeats and acks are taken without reply', () => {
    const hb: Envelope = { v: 1, id: 'h', type: 'Heartbeat', from: 3, to: null, ts: 0, hlc: '0000000000001-00000-00001', payload: { digest: 'ab', uptime_s: 1 } };
    const ack: Envelope = { v: 1, id: 'k', type: 'Ack', from: 3, to: 1, ts: 0, hlc: '0000000000001-00000-00001', payload: { ack: 'x' } };
    expect(onEnvelopes(ctx(1, [3]), createAgentDoc(1), [hb, ack])).toEqual({ outbox: [], syncsCompleted: 0, syncs: [], changed: false });
  });

  it('an envelope for another agent is refused as wrong-agent', () => {
    const env = stateUpdate(Y.encodeStateAsUpdate(docWith(9, { k: 'v' })), 9, 2);
    expectAgentError(() => onEnvelope(ctx(1, [9]), createAgentDoc(1), env), 'wrong-agent', 'addressed to agent 2, not to agent 1');
  });

  it('an envelope from a non-neighbour is accepted', () => {
    const env = stateUpdate(Y.encodeStateAsUpdate(docWith(9, { k: 'v' })), 9, 1);
    expect(onEnvelope(ctx(1, [0]), createAgentDoc(1), env).changed).toBe(true);
  });
});

describe('onLocalWrite', () => {
  it('returns the update it made and sends it to every neighbour', () => {
    const doc = createAgentDoc(1);
    const r = onLocalWrite(ctx(1, [0, 2]), doc, (d) => dataMap(d).set('k', 'v'));
    expect(kinds(r.outbox)).toEqual(['StateUpdate->0', 'StateUpdate->2']);
    expect(r.changed).toBe(true);
    const replica = createAgentDoc(5);
    Y.applyUpdate(replica, r.update as Uint8Array);
    expect(dataMap(replica).toJSON()).toEqual({ k: 'v' });
  });

  it('sends nothing when nothing changed', () => {
    const doc = createAgentDoc(1);
    const r = onLocalWrite(ctx(1, [0, 2]), doc, (d) => dataMap(d).delete('absent'));
    expect(r).toEqual({ outbox: [], syncsCompleted: 0, syncs: [], changed: false, update: null });
  });

  it('captures several changes as one update', () => {
    const doc = createAgentDoc(1);
    const r = onLocalWrite(ctx(1, [0]), doc, (d) => {
      dataMap(d).set('a', 1);
      dataMap(d).set('b', 2);
    });
    expect(r.outbox).toHaveLength(1);
    const replica = createAgentDoc(5);
    Y.applyUpdate(replica, r.update as Uint8Array);
    expect(dataMap(replica).toJSON()).toEqual({ a: 1, b: 2 });
  });
});

describe('envelope size', () => {
  const chunk = (n: number, seed: string): string => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);

  it('refuses a write too large for one envelope, before anything is sent', () => {
    const doc = createAgentDoc(1);
    expectAgentError(
      () => onLocalWrite(ctx(1, [2]), doc, (d) => dataMap(d).set('big', chunk(MAX_ENVELOPE_UPDATE_BYTES + 1, 'x'))),
      'too-large',
      `at most ${MAX_ENVELOPE_UPDATE_BYTES} bytes`,
    );
  });

  it('answers a fresh neighbour of a document larger than one envelope in parts that each fit and together converge', () => {
    const big = createAgentDoc(1);
    // 1.5 MB of user data from twelve writers of 128 KB
    for (let w = 0; w < 12; w++) {
      const writer = createAgentDoc(100 + w);
      dataMap(writer).set(`v${w}`, chunk(128 * 1024, `w${w}-`));
      Y.applyUpdate(big, Y.encodeStateAsUpdate(writer));
    }
    const fresh = createAgentDoc(2);
    const { outbox } = onEnvelope(ctx(1, [2]), big, requestFrom(fresh, 2, 1));
    const parts = outbox.filter((e): e is SyncResponse => e.type === 'SyncResponse');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) {
      expect(fromBase64(part.payload.update).length).toBeLessThanOrEqual(MAX_ENVELOPE_UPDATE_BYTES);
      expect(JSON.stringify(part).length).toBeLessThan(1024 * 1024); // NATS's default max_payload
    }
    // in any order, each part on its own
    for (const part of [...parts].reverse()) onEnvelope(ctx(2, [1]), fresh, part);
    expect(stateDigest(fresh)).toBe(stateDigest(big));
  });

  it('relays what a batch taught it in envelopes that each fit', () => {
    const updates = [0, 1, 2].map((w) => {
      const writer = createAgentDoc(200 + w);
      dataMap(writer).set(`r${w}`, chunk(300 * 1024, `r${w}`));
      return stateUpdate(Y.encodeStateAsUpdate(writer), 3, 1);
    });
    const { outbox } = onEnvelopes(ctx(1, [3, 5]), createAgentDoc(1), updates.map((u, i) => ({ ...u, id: `su-${i}` })));
    const relayed = outbox.filter((e): e is StateUpdate => e.type === 'StateUpdate' && e.to === 5);
    expect(relayed.length).toBe(3);
    for (const r of relayed) expect(fromBase64(r.payload.update).length).toBeLessThanOrEqual(MAX_ENVELOPE_UPDATE_BYTES);
  });
});
