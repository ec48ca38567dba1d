// Spin key-value semantics on every backend: labels, permissions, get/set/delete/exists/getKeys,
// sharing between components, persistence of the SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { KvError, KvStores, MemoryKvBackend, SqliteKvBackend, type KvBackend } from '../../src/host/kv/index.ts';
import { serveKv } from '../../src/host/kv/remote.ts';
import { MAX_OPEN_STORES } from '../../src/host/kv/store.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'can-kv-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

const backends: [string, () => KvBackend][] = [
  ['memory', () => new MemoryKvBackend()],
  ['sqlite', () => new SqliteKvBackend(join(tempDir(), 'sqlite_key_value.db'))],
];

function errorTag(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KvError);
    return (err as KvError).payload.tag;
  }
  throw new Error('expected a KvError');
}

describe.each(backends)('key-value on %s', (_, make) => {
  it('open: no-such-store for an unknown label, access-denied when the component does not list it', () => {
    const stores = new KvStores(make(), ['default', 'cache']);
    expect(errorTag(() => stores.open('nope', ['default', 'nope']))).toBe('no-such-store');
    expect(errorTag(() => stores.open('cache', ['default']))).toBe('access-denied');
    expect(errorTag(() => stores.open('default', []))).toBe('access-denied');
    expect(errorTag(() => stores.open('default', ['default'], MAX_OPEN_STORES))).toBe('store-table-full');
    expect(stores.open('cache', ['cache']).label).toBe('cache');
  });

  it('get/set/delete/exists/getKeys', () => {
    const store = new KvStores(make()).open('default', ['default']);
    expect(store.get('a')).toBeUndefined();
    expect(store.exists('a')).toBe(false);
    store.set('a', bytes('1'));
    store.set('b', bytes('2'));
    store.set('a', bytes('one'));
    store.set('empty', new Uint8Array(0));
    expect(text(store.get('a'))).toBe('one');
    expect(store.get('empty')).toEqual(new Uint8Array(0));
    expect(store.exists('a')).toBe(true);
    expect(store.getKeys().sort()).toEqual(['a', 'b', 'empty']);
    store.delete('a');
    store.delete('never-there');
    expect(store.exists('a')).toBe(false);
    expect(store.get('a')).toBeUndefined();
    expect(store.getKeys().sort()).toEqual(['b', 'empty']);
  });

  it('keeps stores apart by label and shares a label between components that list it', () => {
    const stores = new KvStores(make(), ['default', 'other']);
    const agent0 = stores.open('default', ['default']);
    const agent1 = stores.open('default', ['default', 'other']);
    const other = stores.open('other', ['other']);
    agent0.set('k', bytes('from 0'));
    expect(text(agent1.get('k'))).toBe('from 0');
    expect(other.get('k')).toBeUndefined();
    other.set('k', bytes('other'));
    expect(text(agent0.get('k'))).toBe('from 0');
    expect(other.getKeys()).toEqual(['k']);
  });

  it('stores bytes exactly, not strings', () => {
    const store = new KvStores(make()).open('default', ['default']);
    const value = Uint8Array.from({ length: 256 }, (_, i) => i);
    store.set('bin', value);
    expect(store.get('bin')).toEqual(value);
  });
});

describe('sqlite backend', () => {
  it('persists across reopen, in one Spin-style file', () => {
    const path = join(tempDir(), 'sqlite_key_value.db');
    const first = new SqliteKvBackend(path);
    first.set('default', 'n', bytes('41'));
    first.close();
    const second = new SqliteKvBackend(path);
    expect(text(second.get('default', 'n'))).toBe('41');
    second.close();
  });

  it('lets two connections (two workers) see each other’s writes', () => {
    const path = join(tempDir(), 'sqlite_key_value.db');
    const a = new SqliteKvBackend(path);
    const b = new SqliteKvBackend(path);
    a.set('default', 'x', bytes('from a'));
    expect(text(b.get('default', 'x'))).toBe('from a');
    b.delete('default', 'x');
    expect(a.exists('default', 'x')).toBe(false);
    a.close();
    b.close();
  });

  it('reports a backend failure as `other`, not a trap', () => {
    const backend = new SqliteKvBackend(join(tempDir(), 'kv.db'));
    const store = new KvStores(backend).open('default', ['default']);
    backend.close();
    expect(errorTag(() => store.get('x'))).toBe('other');
  });
});

describe('remote (memory mode across workers)', () => {
  it('RemoteKvBackend in a worker answers synchronously from the owner thread’s backend', async () => {
    const owner = new MemoryKvBackend();
    owner.set('default', 'seed', bytes('from owner'));
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    serveKv(owner, port1, signal);
    // The client blocks in another thread (Atomics.wait), as a component worker does.
    const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.c?js$/, '.mjs')).href;
    const remoteUrl = new URL('../../src/host/kv/remote.ts', import.meta.url).href;
    const code = `
      import { register } from ${JSON.stringify(tsxApi)};
      register();
      const { workerData, parentPort } = await import('node:worker_threads');
      const { RemoteKvBackend } = await import(${JSON.stringify(remoteUrl)});
      const kv = new RemoteKvBackend(workerData.port, workerData.signal);
      const got = new TextDecoder().decode(kv.get('default', 'seed'));
      kv.set('default', 'w', new TextEncoder().encode('from worker'));
      parentPort.postMessage({ got, keys: kv.keys('default'), exists: kv.exists('default', 'w'), missing: kv.get('default', 'none') ?? null });`;
    const worker = new Worker(new URL('data:text/javascript,' + encodeURIComponent(code)), {
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    port1.close();
    expect(result).toEqual({ got: 'from owner', keys: ['seed', 'w'], exists: true, missing: null });
    expect(text(owner.get('default', 'w'))).toBe('from worker');
  });
});
