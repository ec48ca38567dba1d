// Spin's KV lists every key of the store, so a request lists it once (listed-store.ts): a write
// and a delivery each list once, and a load that finds blobs gone under it (a concurrent
// compaction) still lists afresh and reads them from the compaction's snapshot.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AgentPersistence } from '../../src/agent/persistence.ts';
import { handle } from '../../src/agent/routes.ts';
import { appliedUpdate, dataMap, TIMELINE_FOLD_AFTER, timelineRecordKeys, toBase64, type Envelope, type TimelineEvent } from '../../src/core/index.ts';
import type { ByteStore } from '../../src/spin/key-value.ts';
import { agentDeps, memoryStores } from '../support/agent-session.ts';

/** A store in memory that counts its listings. */
function listingCounter(): { store: ByteStore; listings: () => number } {
  const { kv } = memoryStores();
  let listings = 0;
  return {
    store: { get: kv.get, set: kv.set, delete: kv.delete, keys: () => (listings++, kv.keys()) },
    listings: () => listings,
  };
}

describe('one listing of the store per request', () => {
  it('a PUT and an inbox delivery, each with timeline events to trim, list the store once', async () => {
    const { store, listings } = listingCounter();
    const deps = agentDeps(store);
    const put = (key: string) => handle(new Request(`http://app/agent/0/data/${key}`, { method: 'PUT', body: '1', headers: { 'content-type': 'application/json' } }), deps);
    expect((await put('first')).status).toBe(200);
    const before = listings();
    const second = await put('second');
    expect(second.status).toBe(200);
    expect(second.headers.get('server-timing')).not.toContain('open'); // the summary's path, which lists the blobs
    expect(listings() - before).toBe(1);

    const writer = Object.assign(new Y.Doc(), { clientID: 77 });
    const update = appliedUpdate(writer, () => dataMap(writer).set('theirs', 2))!;
    const envelope: Envelope = { v: 1, id: 'su-1', type: 'StateUpdate', from: 1, to: 0, ts: 1, hlc: '0000000000001-00000-00001', payload: { update: toBase64(update) } };
    const atDelivery = listings();
    const delivered = await handle(new Request('http://app/agent/0/inbox', { method: 'POST', body: JSON.stringify([envelope]), headers: { 'content-type': 'application/json' } }), deps);
    expect(delivered.status).toBe(200);
    expect(listings() - atDelivery).toBe(1);
  });

  it('a load that listed before a concurrent compaction lists again and reads everything', () => {
    const { kv } = memoryStores();
    let n = 0;
    const random = () => Uint8Array.from([0, 0, 0, 0, 0, n++]);
    const writer = new Y.Doc();
    const ours = new AgentPersistence(kv, 0, random);
    for (const [i, key] of ['a', 'b', 'c'].entries()) ours.appendUpdate(appliedUpdate(writer, () => dataMap(writer).set(key, key))!, i + 1);
    expect(ours.blobKeys().logKeys).toHaveLength(3); // listed: these three
    // another request folds the log into a snapshot and deletes the blobs we listed
    const theirs = new AgentPersistence(kv, 0, random);
    const { logKeys } = theirs.blobKeys();
    theirs.compact(writer, logKeys, 4);
    const loaded = new Y.Doc();
    for (const update of ours.loadBlobs().updates) Y.applyUpdate(loaded, update);
    expect(dataMap(loaded).toJSON()).toEqual({ a: 'a', b: 'b', c: 'c' });
  });

  it("keeps few timeline records per agent, folding the older ones, and still reads the newest events", async () => {
    const { kv } = memoryStores();
    const deps = agentDeps(kv, { max_buffer_size: '30' });
    for (let i = 0; i < 40; i++) {
      const put = await handle(new Request(`http://app/agent/0/data/k${i}`, { method: 'PUT', body: String(i), headers: { 'content-type': 'application/json' } }), deps);
      expect(put.status).toBe(200);
      expect(timelineRecordKeys(0, kv.keys()).length).toBeLessThanOrEqual(TIMELINE_FOLD_AFTER + 1);
    }
    const answer = (await (await handle(new Request('http://app/agent/0/timeline'), deps)).json()) as { count: number; events: TimelineEvent[] };
    expect(answer.count).toBe(30);
    const writes = answer.events.filter((e) => e.type === 'write_applied').map((e) => e.detail.key);
    expect(writes.at(-1)).toBe('k39');
    expect(writes).toEqual([...writes].sort((a, b) => Number(String(a).slice(1)) - Number(String(b).slice(1))));
    expect(new Set(answer.events.map((e) => e.id)).size).toBe(30);
  });
});
