// `npm run backup` then `npm run restore` into a fresh network (a wiped DATA_DIR): every agent
// ends with the state digest it had, the documents' content with it. Run as a user runs them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { waitFor } from '../gateway/harness.ts';
import { call, startTestNetwork, type TestNetwork } from '../support/network.ts';

const AGENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'can-backup-'));
let network: TestNetwork | undefined;

afterAll(async () => {
  await network?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function digests(net: TestNetwork): Promise<string[]> {
  return Promise.all(AGENTS.map(async (id) => (await call<{ state_digest: string }>(net.app, 'GET', `/agent/${id}/state`)).body.state_digest));
}

/** All nine agree, and still agree a tick later (nothing is still spreading or saturating). */
async function settled(net: TestNetwork): Promise<string> {
  return waitFor('nine equal, settled digests', async () => {
    const first = await digests(net);
    if (new Set(first).size !== 1) return null;
    await new Promise((r) => setTimeout(r, 1_200));
    const again = await digests(net);
    return again.every((d) => d === first[0]) ? first[0]! : null;
  }, 60_000, 100);
}

it('a backup restored into a fresh network gives every agent its saved state digest', async () => {
  network = await startTestNetwork();
  const first = network;
  expect((await call(first.app, 'PUT', '/agent/0/data/greeting', { text: 'hello' })).status).toBe(200);
  expect((await call(first.app, 'PUT', '/agent/8/data/count', 42)).status).toBe(200);
  expect((await call(first.app, 'PUT', '/agent/4/data/count', 43)).status).toBe(200);
  expect((await call(first.app, 'POST', '/agent/4/terms', { term: '(* a 1)' })).status).toBe(200);
  // a shared type of a standard Yjs client's, merged in through POST /doc
  const client = new Y.Doc();
  client.getText('notes').insert(0, 'restored text');
  const merged = await fetch(`${first.app.url}/agent/2/doc`, { method: 'POST', body: Y.encodeStateAsUpdate(client) as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/octet-stream' } });
  expect(merged.status).toBe(200);
  const digest = await settled(first);

  const backup = await run('npm', ['run', '--silent', 'backup', '--', '--out', dir, '--url', first.app.url], { cwd: ROOT });
  expect(backup.stderr).toContain('backup written');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { agent_count: number; agents: { id: number; state_digest: string }[]; timeline: { events: number } };
  expect(manifest.agent_count).toBe(9);
  expect(manifest.agents.map((a) => a.state_digest)).toEqual(AGENTS.map(() => digest));
  expect(manifest.timeline.events).toBeGreaterThan(0);
  expect(JSON.parse(readFileSync(join(dir, 'timeline.json'), 'utf8'))).toHaveLength(manifest.timeline.events);

  await first.close(); // its state dir is deleted: nothing of it is left but the backup
  network = await startTestNetwork();
  const fresh = network;
  expect(new Set(await digests(fresh))).not.toContain(digest);
  const restored = await run('npm', ['run', '--silent', 'restore', '--', '--from', dir, '--url', fresh.app.url], { cwd: ROOT });
  expect(restored.stderr).toContain('"msg":"restored"');
  expect(await digests(fresh)).toEqual(AGENTS.map(() => digest));
  expect((await call(fresh.app, 'GET', '/agent/5/data/greeting')).body).toEqual({ key: 'greeting', value: { text: 'hello' } });
  const doc = new Y.Doc();
  Y.applyUpdate(doc, new Uint8Array(await (await fetch(`${fresh.app.url}/agent/7/doc`)).arrayBuffer()));
  expect(doc.getText('notes').toString()).toBe('restored text');
}, 240_000);
