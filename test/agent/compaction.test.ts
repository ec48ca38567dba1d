// When an agent folds its update log into a snapshot: compacting loads and encodes the whole doc, so
// a large doc must not pay it every few small writes, and a log of overwritten values must not
// grow without bound. Counted at the store: log and snapshot keys, and blob reads.
import { describe, expect, it } from 'vitest';
import { handle } from '../../src/agent/routes.ts';
import { COMPACT_AFTER_LOG_ENTRIES, dueForCompaction, MAX_LOG_ENTRIES, MAX_STORED_OVERHEAD } from '../../src/core/index.ts';
import { agentDeps, countingStore } from '../support/agent-session.ts';


async function put(deps: ReturnType<typeof agentDeps>, key: string, value: unknown): Promise<void> {
  const res = await handle(new Request(`http://app/agent/4/data/${key}`, { method: 'PUT', body: JSON.stringify(value), headers: { 'content-type': 'application/json' } }), deps);
  expect(res.status).toBe(200);
}

describe('compaction', () => {
  it('leaves a large doc unloaded through many small writes, and folds the log at its bound', async () => {
    const { store, counts, blobs } = countingStore();
    const deps = agentDeps(store, { agent_id: '4' });
    await put(deps, 'large', 'x'.repeat(64 * 1024));
    counts.blobReads = 0;
    for (let i = 0; blobs().log < MAX_LOG_ENTRIES && i < 2 * MAX_LOG_ENTRIES; i++) await put(deps, `small-${i}`, i);
    // every one of those writes went without the doc: the log is a few KB beside a 64 KB doc
    expect(counts.blobReads).toBe(0);
    expect(blobs()).toEqual({ log: MAX_LOG_ENTRIES, snapshots: 0 });
    await put(deps, 'one-more', true);
    expect(blobs()).toEqual({ log: 0, snapshots: 1 });
    const state = (await (await handle(new Request('http://app/agent/4/state'), deps)).json()) as { doc_bytes_stale: boolean; data_keys: string[] };
    expect(state.doc_bytes_stale).toBe(false); // measured on the way
    expect(state.data_keys).toHaveLength(MAX_LOG_ENTRIES + 1);
  });

  it('folds a log of overwritten values once it holds more than the doc by the bound', async () => {
    const { store, blobs } = countingStore();
    const deps = agentDeps(store, { agent_id: '4' });
    let writes = 0;
    for (; blobs().snapshots === 0 && writes < 2 * MAX_LOG_ENTRIES; writes++) await put(deps, 'k', 'v'.repeat(1_000) + writes);
    // the doc holds one 1 KB value; the log held a 1 KB value per write
    expect(writes).toBe(COMPACT_AFTER_LOG_ENTRIES + 1);
    expect(blobs()).toEqual({ log: 0, snapshots: 1 });
  });
});

describe('dueForCompaction', () => {
  it('compacts past the bound of blobs, or past the minimum when the log stores more than the doc by the overhead', () => {
    expect(dueForCompaction(MAX_LOG_ENTRIES, 1_000, 1_000)).toBe(false);
    expect(dueForCompaction(MAX_LOG_ENTRIES + 1, 100, 100)).toBe(true);
    expect(dueForCompaction(COMPACT_AFTER_LOG_ENTRIES, 1_000_000, 1_000)).toBe(false);
    expect(dueForCompaction(COMPACT_AFTER_LOG_ENTRIES + 1, 1_000 * MAX_STORED_OVERHEAD, 1_000)).toBe(false);
    expect(dueForCompaction(COMPACT_AFTER_LOG_ENTRIES + 1, 1_000 * MAX_STORED_OVERHEAD + 1, 1_000)).toBe(true);
    expect(dueForCompaction(COMPACT_AFTER_LOG_ENTRIES + 1, 100, null)).toBe(true); // never measured
  });
});
