// Reads that must not open the document: GET /state, /health, /messages, /timeline and /data/:key answer from
// small records kept current by the writes. Counted at the store: no snapshot or log blob is read.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AgentPersistence } from '../../src/agent/persistence.ts';
import { ValueRecords } from '../../src/agent/value-records.ts';
import { DEFERRED_ANSWER_MS } from '../../src/agent/session.ts';
import { handle, type AgentDeps } from '../../src/agent/routes.ts';
import { addToEGraphSets, appliedUpdate, COMPACT_AFTER_LOG_ENTRIES, MAX_LOG_ENTRIES, dataMap, fromBase64, deleteSetDigest, readEGraphSets, stateDigest, toBase64, type Envelope } from '../../src/core/index.ts';
import type { ByteStore } from '../../src/spin/key-value.ts';
import { agentDeps, countingStore } from '../support/agent-session.ts';


const depsOver = (store: ByteStore): AgentDeps => agentDeps(store, { agent_id: '4' });

async function request(deps: AgentDeps, method: string, path: string, body?: unknown) {
  const init: RequestInit = { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) };
  const res = await handle(new Request(`http://app${path}`, init), deps);
  return { status: res.status, timing: res.headers.get('server-timing'), body: (await res.json()) as Record<string, unknown> };
}

/** The agent's doc as GET /doc gives it (a standard Yjs client's view). */
async function docOf(deps: AgentDeps): Promise<Y.Doc> {
  const res = await handle(new Request('http://app/agent/4/doc'), deps);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await res.arrayBuffer()));
  return doc;
}

/** Server-Timing's phases by name (`open;dur=1.20, work;dur=0.30` → { open: 1.2, work: 0.3 }). */
function phases(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const [name, dur] = part.trim().split(';dur=');
    if (name) out[name] = Number(dur);
  }
  return out;
}

describe('reads without opening the doc', () => {
  it('GET /state, /health, /messages and /timeline read no snapshot or log blob after a write', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    expect((await request(deps, 'PUT', '/agent/4/data/k', { v: 1 })).status).toBe(200);
    expect((await request(deps, 'POST', '/agent/4/terms', { term: '(+ x 0)' })).status).toBe(200);
    counts.blobReads = 0;
    const state = await request(deps, 'GET', '/agent/4/state');
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ agent_id: 4, data_keys: ['k'], neighbors: [1, 3, 5, 7], egraph_nodes: 3, writers: 1 }); // one after the other, the two requests wrote as one leased writer
    for (const path of ['/agent/4/health', '/agent/4/messages', '/agent/4/timeline']) expect((await request(deps, 'GET', path)).status).toBe(200);
    expect(counts.blobReads).toBe(0);
  });

  it('opens the doc when another request changed the blobs since the summary, and leaves a fresh one', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    await request(deps, 'PUT', '/agent/4/data/first', 1);
    // a concurrent request's write landed after the summary was written: its blob is not in it
    const other = new Y.Doc();
    other.clientID = 777;
    dataMap(other).set('second', 2);
    new AgentPersistence(store, 4, deps.random).appendUpdate(Y.encodeStateAsUpdate(other), deps.now());
    counts.blobReads = 0;
    const stale = await request(deps, 'GET', '/agent/4/state');
    expect(stale.body.data_keys).toEqual(['first', 'second']);
    expect(counts.blobReads).toBeGreaterThan(0);
    counts.blobReads = 0;
    const fresh = await request(deps, 'GET', '/agent/4/state');
    expect(fresh.body).toEqual({ ...stale.body, uptime_seconds: fresh.body.uptime_seconds });
    expect(counts.blobReads).toBe(0);
  });
});

describe('writes without opening the doc', () => {
  it('a PUT or DELETE after the first reads no snapshot or log blob, and every read sees it', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    expect((await request(deps, 'PUT', '/agent/4/data/k', { v: 1 })).status).toBe(200); // a new agent's first write opens the (empty) doc
    counts.blobReads = 0;
    const put = await request(deps, 'PUT', '/agent/4/data/k', { v: 2 });
    expect(put.status).toBe(200);
    expect(Object.keys(phases(put.timing))).not.toContain('open');
    expect((await request(deps, 'PUT', '/agent/4/data/other', 'x')).status).toBe(200);
    expect((await request(deps, 'DELETE', '/agent/4/data/other')).status).toBe(200);
    expect((await request(deps, 'GET', '/agent/4/state')).body).toMatchObject({ data_keys: ['k'], writers: 1 });
    expect(counts.blobReads).toBe(0);
    // data reads need no doc either: the summary says which keys exist, each write left its value's record
    expect((await request(deps, 'GET', '/agent/4/data/k')).body).toEqual({ key: 'k', value: { v: 2 } });
    expect((await request(deps, 'GET', '/agent/4/data/other')).status).toBe(404);
    expect((await request(deps, 'GET', '/agent/4/data/never-set')).status).toBe(404);
    expect(counts.blobReads).toBe(0);
  });

  it("a data read whose value record is missing or stale opens the doc, answers what it holds, and leaves the record", async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    await request(deps, 'PUT', '/agent/4/data/k', 'first');
    await request(deps, 'PUT', '/agent/4/data/k', 'second');
    const values = new ValueRecords(deps.database(), 4);
    const records = () => deps.database().execute('SELECT key FROM agent_values WHERE agent = 4', []).flat();
    expect(records()).toEqual(['k']);
    // a record of an older item of the key (a write whose record was lost, or another host's database) is not believed
    const current = values.get('k')!;
    values.save({ ...current, item: [current.item[0], current.item[1] - 1], value: 'first' });
    counts.blobReads = 0;
    expect((await request(deps, 'GET', '/agent/4/data/k')).body).toEqual({ key: 'k', value: 'second' });
    expect(counts.blobReads).toBeGreaterThan(0);
    counts.blobReads = 0;
    expect((await request(deps, 'GET', '/agent/4/data/k')).body).toEqual({ key: 'k', value: 'second' });
    expect(counts.blobReads).toBe(0);
    // deleted: the record goes with the key, and the read says 404 without the doc
    await request(deps, 'DELETE', '/agent/4/data/k');
    expect(records()).toEqual([]);
    counts.blobReads = 0;
    expect((await request(deps, 'GET', '/agent/4/data/k')).status).toBe(404);
    expect(counts.blobReads).toBe(0);
  });
  it("keeps value records out of the KV store, whose every key each write and delivery lists: the listing does not grow with the data keys", async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    // a record as an older build kept it, one KV key per data key: dropped by the next compaction
    store.set('agent:4:value:0123456789abcdef', new TextEncoder().encode('{"key":"old","item":[1,0],"value":1}'));
    for (let i = 0; i < 200; i++) expect((await request(deps, 'PUT', `/agent/4/data/k${i}`, i)).status).toBe(200);
    const keys = [...store.keys()];
    expect(keys.filter((key) => key.includes(':value:'))).toEqual([]);
    expect(keys.length).toBeLessThan(MAX_LOG_ENTRIES + 40); // the log, its snapshot, a few records and the timeline's: not 200
    counts.blobReads = 0;
    for (const i of [0, 99, 199]) expect((await request(deps, 'GET', `/agent/4/data/k${i}`)).body).toEqual({ key: `k${i}`, value: i });
    expect(counts.blobReads).toBe(0);
  });
});

describe('a quiet tick', () => {
  it('reads no blob: heartbeat and sync offers from the summary, as the doc would make them', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    await request(deps, 'PUT', '/agent/4/data/k', { v: 1 });
    await request(deps, 'PUT', '/agent/4/data/k', { v: 2 });
    // right after writes too: the doc_bytes they left stale waits for a request that loads the doc anyway
    counts.blobReads = 0;
    const quiet = await request(deps, 'POST', '/agent/4/tick');
    expect(quiet.status).toBe(200);
    expect(counts.blobReads).toBe(0);
    expect((await request(deps, 'GET', '/agent/4/state')).body.doc_bytes_stale).toBe(true);
    // the same offers as a tick from the doc (the stored summary gone: it loads the doc and measures)
    store.delete('agent:4:summary');
    const fromDoc = await request(deps, 'POST', '/agent/4/tick');
    expect(Object.keys(phases(fromDoc.timing))).toContain('open');
    expect((await request(deps, 'GET', '/agent/4/state')).body.doc_bytes_stale).toBe(false);
    const offers = (r: typeof quiet) => (r.body.outbox as Envelope[]).filter((e) => e.type === 'Heartbeat' || e.type === 'SyncRequest').map((e) => [e.type, e.to, e.type === 'Heartbeat' ? e.payload.digest : e.payload]);
    expect(offers(quiet)).toEqual(offers(fromDoc));
    // (the quiet tick also carries the writes' StateUpdates: no gateway took them here)
    expect(offers(quiet).map(([type]) => type)).toEqual(['Heartbeat', 'SyncRequest', 'SyncRequest', 'SyncRequest', 'SyncRequest']);
    // a term to saturate is work for the doc: the next tick opens it
    await request(deps, 'POST', '/agent/4/terms', { term: '(+ x 0)' });
    expect(Object.keys(phases((await request(deps, 'POST', '/agent/4/tick')).timing))).toContain('open');
  });
});

describe('a log at the compaction threshold', () => {
  it('takes no doc for a quiet tick or a fresh neighbour\'s SyncRequest, which store nothing and so compact nothing', async () => {
    const { store, counts, blobs } = countingStore();
    const deps = depsOver(store);
    // overwrites: the log soon stores more than the doc, and the next write will fold it
    for (let i = 0; blobs().log < COMPACT_AFTER_LOG_ENTRIES; i++) await request(deps, 'PUT', '/agent/4/data/k', 'v'.repeat(1_000) + i);
    expect(blobs()).toEqual({ log: COMPACT_AFTER_LOG_ENTRIES, snapshots: 0 });
    for (let i = 0; i < 3; i++) expect(Object.keys(phases((await request(deps, 'POST', '/agent/4/tick')).timing))).not.toContain('open');
    // agent 3 asks with nothing: answered from the blobs as they are (here the log alone)
    const fresh = new Y.Doc();
    const ask: Envelope = { v: 1, id: 'rq', type: 'SyncRequest', from: 3, to: 4, ts: 1_700_000_000_000, hlc: '1700000000000-00000-00003', payload: { sv: toBase64(Y.encodeStateVector(fresh)), ds: deleteSetDigest(fresh) } };
    const answered = await request(deps, 'POST', '/agent/4/inbox', [ask]);
    expect(answered.status).toBe(200);
    expect(Object.keys(phases(answered.timing))).not.toContain('open');
    for (const e of answered.body.outbox as Envelope[]) if (e.type === 'SyncResponse' && e.to === 3) Y.applyUpdate(fresh, fromBase64(e.payload.update));
    expect(stateDigest(fresh)).toBe(stateDigest(await docOf(deps)));
    expect(dataMap(fresh).get('k')).toBe(dataMap(await docOf(deps)).get('k'));
    // the next write folds the log, as it would have
    counts.blobReads = 0;
    await request(deps, 'PUT', '/agent/4/data/k', 'last');
    expect(blobs()).toEqual({ log: 0, snapshots: 1 });
  });
});

describe('an inbox of acks and heartbeats', () => {
  it('is counted and recorded without loading the doc', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    await request(deps, 'PUT', '/agent/4/data/mine', 1);
    const hlc = '0000000000001-00000-00001';
    const notices = [
      { v: 1, id: 'ack-1', type: 'Ack', from: 1, to: 4, ts: 1, hlc, payload: { ack: 'x' } },
      { v: 1, id: 'hb-3', type: 'Heartbeat', from: 3, to: null, ts: 1, hlc, payload: { digest: '0000000000000000', uptime_s: 1 } },
    ];
    const before = (await request(deps, 'GET', '/agent/4/state')).body.messages_received as number;
    counts.blobReads = 0;
    const answer = await request(deps, 'POST', '/agent/4/inbox', notices);
    expect(answer.status).toBe(200);
    expect(counts.blobReads).toBe(0);
    expect((await request(deps, 'GET', '/agent/4/state')).body.messages_received).toBe(before + 2);
    expect(counts.blobReads).toBe(0);
    const { messages } = (await request(deps, 'GET', '/agent/4/messages')).body as { messages: { envelope: { id: string } }[] };
    expect(messages.map((m) => m.envelope.id)).toEqual(expect.arrayContaining(['ack-1', 'hb-3']));
  });
});

describe('an inbox of neighbours\' data writes', () => {
  it('is applied and relayed without loading the doc, and a repeat relays nothing', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    await request(deps, 'PUT', '/agent/4/data/mine', 1);
    // agent 1 (a neighbour of 4 in the grid) writes a key of its own, then overwrites it
    const neighbour = new Y.Doc();
    neighbour.clientID = 777;
    const updates: Uint8Array[] = [];
    neighbour.on('update', (u: Uint8Array) => updates.push(u));
    dataMap(neighbour).set('theirs', 'a');
    dataMap(neighbour).set('theirs', 'b');
    const hlc = '0000000000001-00000-00001';
    const envelope = (id: string, update: Uint8Array) => ({ v: 1, id, type: 'StateUpdate', from: 1, to: 4, ts: 1, hlc, payload: { update: toBase64(update) } });
    // the PUT's own envelopes (no gateway here to take them) leave with the next inbox answer
    await request(deps, 'POST', '/agent/4/inbox', [{ v: 1, id: 'ack-1', type: 'Ack', from: 1, to: 4, ts: 1, hlc, payload: { ack: 'x' } }]);
    counts.blobReads = 0;
    const first = await request(deps, 'POST', '/agent/4/inbox', [envelope('u-1', updates[0]!), envelope('u-2', updates[1]!)]);
    expect(first.status).toBe(200);
    expect(counts.blobReads).toBe(0);
    expect(Object.keys(phases(first.timing))).not.toContain('open');
    // relayed to 4's other neighbours (3, 5, 7), acked to 1
    const outbox = first.body.outbox as { type: string; to: number }[];
    expect(outbox.filter((e) => e.type === 'StateUpdate').map((e) => e.to).sort()).toEqual([3, 5, 7]);
    expect(outbox.filter((e) => e.type === 'Ack').map((e) => e.to)).toEqual([1, 1]);
    const state = (await request(deps, 'GET', '/agent/4/state')).body;
    expect(state.data_keys).toEqual(['mine', 'theirs']);
    // a neighbour relaying it back teaches nothing: acked, not relayed
    const again = await request(deps, 'POST', '/agent/4/inbox', [envelope('u-3', Y.encodeStateAsUpdate(neighbour))]);
    expect((again.body.outbox as { type: string }[]).map((e) => e.type)).toEqual(['Ack']);
    expect(counts.blobReads).toBe(0);
    expect((await request(deps, 'GET', '/agent/4/state')).body.state_digest).toBe(state.state_digest);
    // a neighbour's value has no record yet: its first read opens the doc (which holds what the summary said), the next does not
    expect((await request(deps, 'GET', '/agent/4/data/theirs')).body).toEqual({ key: 'theirs', value: 'b' });
    expect(counts.blobReads).toBeGreaterThan(0);
    counts.blobReads = 0;
    expect((await request(deps, 'GET', '/agent/4/data/theirs')).body).toEqual({ key: 'theirs', value: 'b' });
    expect(counts.blobReads).toBe(0);
  });
});

describe("an inbox of neighbours' e-graph records", () => {
  it('is applied without loading the doc, the e-nodes counted by the next tick; a SyncRequest that lacks nothing is answered without it', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    expect((await request(deps, 'POST', '/agent/4/terms', { term: '(+ x 0)' })).status).toBe(200);
    const before = (await request(deps, 'GET', '/agent/4/state')).body;
    expect(before).toMatchObject({ egraph_nodes: 3, egraph_nodes_stale: false });
    // agent 1 adds a term the agent does not hold, and another that it does (Yjs keeps one of the two)
    const neighbour = new Y.Doc();
    neighbour.clientID = 0xfffffff0; // above any writer of agent 4's, so its copy of the shared term is the one kept
    const hlc = '0000000000001-00000-00001';
    const envelope = (id: string, type: string, payload: Record<string, string>) => ({ v: 1, id, type, from: 1, to: 4, ts: 1, hlc, payload });
    const shared = [...readEGraphSets(await docOf(deps)).terms][0]!;
    const update = appliedUpdate(neighbour, () => addToEGraphSets(neighbour, [shared, ['00000000000000e5', { op: 'y', children: [] }]], []))!;
    counts.blobReads = 0;
    const inbox = await request(deps, 'POST', '/agent/4/inbox', [envelope('u-1', 'StateUpdate', { update: toBase64(update) })]);
    expect(inbox.status).toBe(200);
    expect(counts.blobReads).toBe(0);
    expect(Object.keys(phases(inbox.timing))).not.toContain('open');
    const after = (await request(deps, 'GET', '/agent/4/state')).body;
    expect(after).toMatchObject({ egraph_nodes: 3, egraph_nodes_stale: true });
    expect(after.state_digest).not.toBe(before.state_digest);
    // the neighbour, holding all of it now, asks: nothing to send, and nothing read to know it
    Y.applyUpdate(neighbour, Y.encodeStateAsUpdate(await docOf(deps)));
    const request_ = envelope('r-1', 'SyncRequest', { sv: toBase64(Y.encodeStateVector(neighbour)), ds: deleteSetDigest(neighbour) });
    counts.blobReads = 0;
    const answer = await request(deps, 'POST', '/agent/4/inbox', [request_, { ...request_, id: 'r-2' }]);
    expect((answer.body.outbox as unknown[]).length).toBe(0);
    expect(counts.blobReads).toBe(0);
    expect(stateDigest(await docOf(deps))).toBe(stateDigest(neighbour));
    // the tick counts what arrived (and what its rewrites added): the e-graph's own count
    expect((await request(deps, 'POST', '/agent/4/tick', {})).status).toBe(200);
    const { nodes } = (await request(deps, 'GET', '/agent/4/egraph')).body;
    expect(nodes).toBeGreaterThan(3);
    expect((await request(deps, 'GET', '/agent/4/state')).body).toMatchObject({ egraph_nodes: nodes, egraph_nodes_stale: false });
    // a record no rule rewrites: the tick that saturates it changes nothing, yet counts it, and the next tick is quiet again
    const leaf = appliedUpdate(neighbour, () => addToEGraphSets(neighbour, [['00000000000000f6', { op: 'w', children: [] }]], []))!;
    await request(deps, 'POST', '/agent/4/inbox', [envelope('u-2', 'StateUpdate', { update: toBase64(leaf) })]);
    expect((await request(deps, 'GET', '/agent/4/state')).body).toMatchObject({ egraph_nodes: nodes, egraph_nodes_stale: true });
    await request(deps, 'POST', '/agent/4/tick', {});
    expect((await request(deps, 'GET', '/agent/4/state')).body).toMatchObject({ egraph_nodes: (nodes as number) + 1, egraph_nodes_stale: false });
    expect(Object.keys(phases((await request(deps, 'POST', '/agent/4/tick', {})).timing))).not.toContain('open');
  });
});

describe('anti-entropy while the agent keeps changing', () => {
  it('answers a neighbour that lacks something at most once per window, never stops repairing it, and defers nobody else', async () => {
    const { store } = countingStore();
    let now = 1_700_000_000_000;
    const deps: AgentDeps = { ...depsOver(store), now: () => now };
    const window = DEFERRED_ANSWER_MS;
    const empty = toBase64(Y.encodeStateVector(new Y.Doc()));
    // `along`: envelopes delivered in the same batch, before the request
    const ask = async (from: number, id: string, along: unknown[] = []) => {
      const req = { v: 1, id, type: 'SyncRequest', from, to: 4, ts: 1, hlc: `0000000000001-00000-0000${from}`, payload: { sv: empty, ds: deleteSetDigest(new Y.Doc()) } };
      const reply = await request(deps, 'POST', '/agent/4/inbox', [...along, req]);
      expect(reply.status).toBe(200);
      const answered = (reply.body.outbox as Envelope[]).some((e) => e.type === 'SyncResponse' && e.to === from);
      return { answered, opened: 'open' in phases(reply.timing) };
    };
    const write = async (v: number) => expect((await request(deps, 'PUT', '/agent/4/data/k', { v })).status).toBe(200);
    await write(1);
    // (a requester holding nothing is answered from the stored blobs as they are)
    expect(await ask(1, 'a')).toEqual({ answered: true, opened: false });
    // the agent changed since, and neighbour 1 had all of that moments ago (as relays): its next request waits, without the doc
    now += 300;
    await write(2);
    expect(await ask(1, 'b')).toEqual({ answered: false, opened: false });
    // another neighbour, never answered, is answered at once
    expect((await ask(3, 'c')).answered).toBe(true);
    // a batch whose update only the doc can apply (a nested Y type) defers it all the same
    const nested = new Y.Doc();
    nested.clientID = 77;
    const nestedSet = (key: string) => {
      const update = appliedUpdate(nested, () => dataMap(nested).set(key, new Y.Map()))!;
      return { v: 1, id: `u-${key}`, type: 'StateUpdate', from: 1, to: 4, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } };
    };
    now += 300;
    expect(await ask(1, 'b2', [nestedSet('n1')])).toEqual({ answered: false, opened: true });
    // once the window has passed, neighbour 1 is answered again, though the agent keeps changing
    // (deferred requests do not move the window), with the doc or without it
    now += window - 300;
    await write(3);
    expect(await ask(1, 'd', [nestedSet('n2')])).toEqual({ answered: true, opened: true });
    now += window;
    await write(4);
    expect(await ask(1, 'd2')).toEqual({ answered: true, opened: false });
    // an agent that has not changed within the window defers nobody
    now += window + 1;
    expect((await ask(1, 'e')).answered).toBe(true);
    now += 100;
    expect((await ask(1, 'f')).answered).toBe(true);
  });
});

describe('relays of what a delivery taught, applied without the doc', () => {
  it('carry only the deletions that were news: a SyncResponse carries the whole delete set of its sender, which stops at the first agent that held it', async () => {
    const deps = depsOver(countingStore().store);
    const hlc = '0000000000001-00000-00003';
    const deliver = (id: string, type: string, update: Uint8Array) =>
      request(deps, 'POST', '/agent/4/inbox', [{ v: 1, id, type, from: 3, to: 4, ts: 1, hlc, payload: { update: toBase64(update) } }]);
    // neighbour 3 sets and overwrites keys (its clocks 0-5: 0-2 deleted); agent 4 is told all of it
    const neighbour = new Y.Doc();
    neighbour.clientID = 303;
    for (let i = 0; i < 6; i++) dataMap(neighbour).set(`k${i % 3}`, i);
    expect((await deliver('u-1', 'StateUpdate', Y.encodeStateAsUpdate(neighbour))).status).toBe(200);
    // one more overwrite, sent as the answer to agent 4's SyncRequest: what it lacks, and every deletion
    const held = Y.encodeStateVector(neighbour);
    dataMap(neighbour).set('k0', 'last');
    const answer = Y.encodeStateAsUpdate(neighbour, held);
    expect(Y.decodeUpdate(answer).ds.clients.get(303)).toEqual([{ clock: 0, len: 4 }]);
    const reply = await deliver('r-1', 'SyncResponse', answer);
    expect(reply.status).toBe(200);
    expect(Object.keys(phases(reply.timing))).not.toContain('open');
    const relays = (reply.body.outbox as Envelope[]).filter((e) => e.type === 'StateUpdate');
    expect(relays.map((e) => e.to).sort()).toEqual([1, 5, 7]);
    for (const relay of relays) {
      const { structs, ds } = Y.decodeUpdate(fromBase64((relay.payload as { update: string }).update));
      expect(structs.map((s) => [s.id.client, s.id.clock])).toEqual([[303, 6]]);
      // the deletion the overwrite made, not the three agent 4 held
      expect([...ds.clients]).toEqual([[303, [{ clock: 3, len: 1 }]]]);
    }
    // and the agent holds all of it
    const doc = await docOf(deps);
    expect(dataMap(doc).toJSON()).toEqual(dataMap(neighbour).toJSON());
    expect([Y.encodeStateVector(doc), deleteSetDigest(doc)]).toEqual([Y.encodeStateVector(neighbour), deleteSetDigest(neighbour)]);
  });
});

describe('Server-Timing', () => {
  it('says where a request spent its time: a write opens, saves and publishes; a summary read only works', async () => {
    const deps = depsOver(countingStore().store);
    const write = await request(deps, 'PUT', '/agent/4/data/k', 1);
    expect(Object.keys(phases(write.timing)).sort()).toEqual(['open', 'publish', 'save', 'work']);
    for (const ms of Object.values(phases(write.timing))) expect(ms).toBeGreaterThanOrEqual(0);
    const read = await request(deps, 'GET', '/agent/4/state');
    expect(Object.keys(phases(read.timing))).toEqual(['work']);
  });
});

describe('e-graph reads', () => {
  it('answer /egraph, /egraph/best and /egraph/equal from the e-graph items record, without the doc, as the doc would', async () => {
    const { store, counts } = countingStore();
    const deps = depsOver(store);
    await request(deps, 'POST', '/agent/4/terms', { term: '(* (+ x 0) 2)' });
    await request(deps, 'POST', '/agent/4/tick', {});
    // a neighbour posts a term of its own and proves something about it: applied without the doc
    const neighbour = new Y.Doc();
    Y.applyUpdate(neighbour, Y.encodeStateAsUpdate(await docOf(deps)));
    const hlc = '0000000000001-00000-00001';
    const update = appliedUpdate(neighbour, () => {
      addToEGraphSets(neighbour, [['00000000000000e5', { op: 'y', children: [] }], ['00000000000000e6', { op: 'z', children: [] }]], [{ a: '00000000000000e5', b: '00000000000000e6', rule: 'r', agent: 1, ts: 1 }]);
      neighbour.getMap('roots').set('00000000000000e5', { agent: 1, ts: 1 });
    })!;
    const inbox = await request(deps, 'POST', '/agent/4/inbox', [{ v: 1, id: 'u-1', type: 'StateUpdate', from: 1, to: 4, ts: 1, hlc, payload: { update: toBase64(update) } }]);
    expect(Object.keys(phases(inbox.timing))).not.toContain('open');
    counts.blobReads = 0;
    const egraph = await request(deps, 'GET', '/agent/4/egraph');
    const best = await request(deps, 'GET', `/agent/4/egraph/best?term=${encodeURIComponent('(* (+ x 0) 2)')}`);
    const equal = await request(deps, 'GET', '/agent/4/egraph/equal?a=y&b=z');
    expect(counts.blobReads).toBe(0);
    expect(Object.keys(phases(equal.timing))).toEqual(['items', 'work']);
    expect(egraph.body.roots).toMatchObject({ posted: 2, within_budget: 2 });
    expect(equal.body.equal).toBe(true);
    // the same answers from the doc: the record gone, every read opens it
    for (const key of store.keys()) if (key.endsWith('egraph-items')) store.delete(key);
    const fromDoc = await Promise.all(['/agent/4/egraph', `/agent/4/egraph/best?term=${encodeURIComponent('(* (+ x 0) 2)')}`, '/agent/4/egraph/equal?a=y&b=z'].map((path) => request(deps, 'GET', path)));
    expect(counts.blobReads).toBeGreaterThan(0);
    expect(fromDoc.map((r) => r.body)).toEqual([egraph.body, best.body, equal.body]);
  });
});
