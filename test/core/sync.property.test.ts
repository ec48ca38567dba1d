// Convergence under a hostile network: random writes at random agents, envelopes dropped,
// duplicated and reordered; then lossless anti-entropy rounds must make every replica identical.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  TOPOLOGY_KINDS,
  allNeighbours,
  dataMap,
  onLocalWrite,
  onTick,
  seededRandom,
  stateDigest,
} from '../../src/core/index.ts';
import { fcParams } from './env.ts';
import { LOSSLESS, SimNetwork, type Faults } from './network.ts';

const KEYS = ['a', 'b', 'c', 'd', 'e'];

const scalar = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), scalar, { maxKeys: 3, noNullPrototype: true }),
);

type Op =
  | { kind: 'set'; at: number; key: string; value: unknown }
  | { kind: 'delete'; at: number; key: string }
  | { kind: 'deliver'; count: number };

function ops(agents: number): fc.Arbitrary<Op[]> {
  const at = fc.integer({ min: 0, max: agents - 1 });
  const key = fc.constantFrom(...KEYS);
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at, key, value }),
      fc.record({ kind: fc.constant('delete' as const), at, key }),
      fc.record({ kind: fc.constant('deliver' as const), count: fc.integer({ min: 1, max: 20 }) }),
    ),
    { maxLength: 40 },
  );
}

/** Runs `script` on `net` with `faults`, then ticks until converged; returns rounds needed. */
function play(net: SimNetwork, script: Op[], faults: Faults, maxRounds: number): number {
  for (const op of script) {
    switch (op.kind) {
      case 'set':
        net.send(onLocalWrite(net.ctx(op.at), net.doc(op.at), (d) => dataMap(d).set(op.key, op.value)).outbox);
        break;
      case 'delete':
        net.send(onLocalWrite(net.ctx(op.at), net.doc(op.at), (d) => dataMap(d).delete(op.key)).outbox);
        break;
      case 'deliver':
        net.deliver(faults, op.count);
        break;
    }
  }
  net.deliver(faults); // whatever is still in flight meets the faults too
  let rounds = 0;
  while (!net.converged() && rounds < maxRounds) {
    net.tickRound();
    rounds++;
  }
  return rounds;
}

function expectIdentical(net: SimNetwork): void {
  const [first, ...rest] = net.docs;
  if (first === undefined) return;
  const bytes = Y.encodeStateAsUpdate(first);
  for (const doc of rest) {
    expect(Y.encodeStateAsUpdate(doc)).toEqual(bytes);
    expect(dataMap(doc).toJSON()).toEqual(dataMap(first).toJSON());
    expect(stateDigest(doc)).toBe(stateDigest(first));
  }
}

const HOSTILE: Faults = { drop: 0.3, duplicate: 0.2, reorder: true };
const LINE_3 = [[1], [0, 2], [1]];
const RING_3 = allNeighbours('ring', 3);

describe('sync convergence', () => {
  it.each([
    ['line', LINE_3],
    ['ring', RING_3],
  ])('3 agents on a %s converge after drops, duplicates and reordering', (_name, adjacency) => {
    fc.assert(
      fc.property(ops(3), fc.integer(), (script, seed) => {
        const net = new SimNetwork(adjacency, seededRandom(seed));
        play(net, script, HOSTILE, 5);
        expectIdentical(net);
      }),
      fcParams(150),
    );
  });

  // One round suffices: each SyncRequest is answered both ways at once and whatever is new is
  // relayed on, so a lossless round floods every difference across the whole network.
  it('9 agents on a grid converge after 30% loss within one lossless tick round', () => {
    const adjacency = allNeighbours('grid', 9);
    fc.assert(
      fc.property(ops(9), fc.integer(), (script, seed) => {
        const net = new SimNetwork(adjacency, seededRandom(seed));
        const rounds = play(net, script, HOSTILE, 5);
        expect(rounds).toBeLessThanOrEqual(1);
        expectIdentical(net);
      }),
      fcParams(60),
    );
  });

  // Relay trees (topology.ts relayTree): a write goes down its origin's tree, and an agent that
  // got it another way floods it on, so batches mixing writes, duplicates and any order still
  // bring every write to every agent.
  it('writes at any agents reach every agent by relays alone, in batches, duplicated and in any order, on every topology', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOPOLOGY_KINDS), fc.integer({ min: 1, max: 12 }), fc.integer(), (kind, n, seed) => {
        const script = fc.sample(ops(n), { seed, numRuns: 1 })[0]!;
        const net = new SimNetwork(allNeighbours(kind, n), seededRandom(seed));
        for (const op of script) {
          if (op.kind === 'set') net.send(onLocalWrite(net.ctx(op.at), net.doc(op.at), (d) => dataMap(d).set(op.key, op.value)).outbox);
          else if (op.kind === 'delete') net.send(onLocalWrite(net.ctx(op.at), net.doc(op.at), (d) => dataMap(d).delete(op.key)).outbox);
          else net.deliverBatches({ duplicate: 0.2, reorder: true });
        }
        for (let rounds = 0; net.pool.length > 0; rounds++) {
          expect(rounds).toBeLessThan(1_000);
          net.deliverBatches({ duplicate: 0.2, reorder: true });
        }
        expectIdentical(net);
      }),
      fcParams(100),
    );
  });

  // Two agents deleting one entry at once send the same content: were both stamped, an agent
  // that learned it first down one tree would not pass it on down the other, and an agent whose
  // parents in the two trees each learned it from the other tree would never hear of it.
  it('deletions of one entry at several agents at once reach every agent by relays alone, in any order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TOPOLOGY_KINDS),
        fc.integer({ min: 3, max: 16 }),
        fc.array(fc.nat(), { minLength: 2, maxLength: 4 }),
        fc.integer(),
        (kind, n, picks, seed) => {
          const net = new SimNetwork(allNeighbours(kind, n), seededRandom(seed));
          net.send(onLocalWrite(net.ctx(0), net.doc(0), (d) => dataMap(d).set('k', 1)).outbox);
          net.drain();
          for (const at of new Set(picks.map((p) => p % n))) net.send(onLocalWrite(net.ctx(at), net.doc(at), (d) => dataMap(d).delete('k')).outbox);
          const chunk = seededRandom(seed + 1);
          while (net.pool.length > 0) net.deliver({ drop: 0, duplicate: 0, reorder: true }, 1 + Math.floor(chunk() * 3));
          for (const doc of net.docs) expect(dataMap(doc).has('k')).toBe(false);
        },
      ),
      fcParams(1_500),
    );
  });

  it('a write sends one StateUpdate to each agent but its writer, down its tree (flooding sends one per edge and direction, less the first arrivals)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TOPOLOGY_KINDS), fc.integer({ min: 1, max: 20 }), fc.nat(), (kind, n, pick) => {
        const net = new SimNetwork(allNeighbours(kind, n), seededRandom(pick));
        const origin = pick % n;
        net.send(onLocalWrite(net.ctx(origin), net.doc(origin), (d) => dataMap(d).set('k', pick)).outbox);
        net.drain();
        const updates = net.sent.filter((e) => e.type === 'StateUpdate');
        expect(updates.map((e) => e.to).sort((a, b) => a - b)).toEqual([...Array(n).keys()].filter((i) => i !== origin));
        for (const doc of net.docs) expect(dataMap(doc).get('k')).toBe(pick);
      }),
      fcParams(100),
    );
  });

  it('after convergence a tick round sends only Heartbeats and SyncRequests (quiet network)', () => {
    const adjacency = allNeighbours('grid', 9);
    fc.assert(
      fc.property(ops(9), fc.integer(), (script, seed) => {
        const net = new SimNetwork(adjacency, seededRandom(seed));
        play(net, script, HOSTILE, 10);
        expectIdentical(net);
        net.drain(); // acks and relays still in flight from the write phase
        const before = net.sent.length;
        net.tickRound();
        const round = net.sent.slice(before);
        expect(round.filter((e) => e.type !== 'Heartbeat' && e.type !== 'SyncRequest')).toEqual([]);
        // exactly one heartbeat per agent and one request per directed edge
        expect(round.filter((e) => e.type === 'Heartbeat')).toHaveLength(9);
        expect(round.filter((e) => e.type === 'SyncRequest')).toHaveLength(adjacency.flat().length);
      }),
      fcParams(40),
    );
  });

  it('a write reaches every agent by relay alone, without ticks', () => {
    for (const kind of ['grid', 'ring', 'mesh', 'expander'] as const) {
      const net = new SimNetwork(allNeighbours(kind, 9), seededRandom(7));
      net.send(onLocalWrite(net.ctx(4), net.doc(4), (d) => dataMap(d).set('k', 'v')).outbox);
      net.drain();
      for (const doc of net.docs) expect(dataMap(doc).get('k')).toBe('v');
      expect(net.converged()).toBe(true);
    }
  });

  it('a tick on a lone agent sends only its heartbeat', () => {
    const net = new SimNetwork([[]], seededRandom(1));
    expect(onTick(net.ctx(0), net.doc(0)).outbox.map((e) => e.type)).toEqual(['Heartbeat']);
  });
});
