// `scripts/host.ts`, the `spin up` of the local host: flags, route listing, clean shutdown; and the
// same CLI bundled (dist/host.mjs, what `npm run host` runs), whose workers load the bundled worker.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHost } from '../../scripts/build-host.ts';
import { echoComponent, FIXTURE_BUILD_TIMEOUT_MS, writeTempManifest } from './fixture.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let manifestPath: string;
let hostBundle: string;
beforeAll(async () => {
  hostBundle = await buildHost();
  const wasm = await echoComponent();
  const dir = mkdtempSync(join(tmpdir(), 'can-host-cli-'));
  dirs.push(dir);
  manifestPath = writeTempManifest(
    `spin_manifest_version = 2
[application]
name = "cli-test"
[[trigger.http]]
route = "/echo/..."
component = "echo"
[component.echo]
source = "${wasm}"
key_value_stores = ["default"]
`,
    dir,
  );
}, FIXTURE_BUILD_TIMEOUT_MS);

/** The node flags `npm run host` gives the bundle (package.json), V8's heap sizes among them. */
const npmHostFlags = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { host: string } }).scripts.host
  .split(' ')
  .filter((arg) => arg.startsWith('--'));

function runHost(args: string[], entry: 'source' | 'bundle' = 'source') {
  const node = entry === 'source' ? ['--import', 'tsx', join(ROOT, 'scripts', 'host.ts')] : [...npmHostFlags, hostBundle];
  const child = spawn(process.execPath, [...node, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', HOST_WORKERS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const waitFor = async (msg: string, timeoutMs = 60_000) => {
    const started = Date.now();
    for (;;) {
      const found = lines.find((l) => l.msg === msg);
      if (found) return found;
      if (Date.now() - started > timeoutMs) throw new Error(`no "${msg}" log line; stderr: ${stderr}`);
      if (child.exitCode !== null) throw new Error(`host exited ${child.exitCode}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, lines, exited, waitFor, stderr: () => stderr };
}

describe('scripts/host.ts', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves the manifest, lists its routes, and exits 0 on %s', async (signal) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'can-host-cli-state-'));
    dirs.push(stateDir);
    const host = runHost(['--from', manifestPath, '--listen', '127.0.0.1:0', '--state-dir', stateDir]);
    const listening = await host.waitFor('listening');
    const url = listening.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.lines.filter((l) => l.msg === 'route')).toEqual([
      expect.objectContaining({ route: '/echo/...', component: 'echo', url: `${url}/echo` }),
    ]);
    const res = await fetch(`${url}/echo/hi`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    host.child.kill(signal);
    expect(await host.exited).toBe(0);
    expect(host.lines.some((l) => l.msg === 'stopped')).toBe(true);
  }, 90_000);

  it('runs bundled, as `npm run host` does (its node flags too): serves, then exits 0 on SIGTERM', async () => {
    expect(npmHostFlags).toContain('--max-semi-space-size=4');
    const stateDir = mkdtempSync(join(tmpdir(), 'can-host-cli-state-'));
    dirs.push(stateDir);
    const host = runHost(['--from', manifestPath, '--listen', '127.0.0.1:0', '--state-dir', stateDir], 'bundle');
    const url = (await host.waitFor('listening')).url as string;
    const res = await fetch(`${url}/echo/hi`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
  }, 90_000);

  it('exits 1 with a clear error when the manifest is missing', async () => {
    const host = runHost(['--from', join(tmpdir(), 'no-such-dir', 'spin.toml'), '--listen', '127.0.0.1:0']);
    expect(await host.exited).toBe(1);
    expect(host.stderr()).toMatch(/"code":"bad-manifest".*manifest not found/);
  }, 60_000);

  it('exits 2 on a bad flag', async () => {
    const host = runHost(['--nope']);
    expect(await host.exited).toBe(2);
    expect(host.stderr()).toMatch(/usage:/);
  }, 60_000);
});
