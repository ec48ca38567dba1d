// `npm start` as a newcomer runs it: AUTH_TOKEN alone protects the app's writes, writes spread
// between agents that sign their envelopes, and the broker it
// starts refuses anonymous clients while its gateway URL (kept under DATA_DIR) lets tools in; the
// app runs in a process of its own, whose death stops the network.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { wsconnect } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../src/gateway/nats-server.ts';
import { natsServers } from '../../src/gateway/nats-url.ts';
import { skipKind, waitFor } from '../gateway/harness.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe.skipIf(skipKind('nats'))('npm start', () => {
  let child: ChildProcess;
  let dataDir: string;
  let app: string;
  let natsPort: number;
  let output = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'can-start-'));
    const [port, nats, ws, monitor, gateway] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    natsPort = nats;
    app = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      NATS_PORT: String(nats),
      NATS_WS_PORT: String(ws),
      NATS_MONITOR_PORT: String(monitor),
      GATEWAY_PORT: String(gateway),
      AUTH_TOKEN: 'only-this',
      READ_TOKEN: 'only-reads',
      LOG_LEVEL: 'warn',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await waitFor('the banner', () => output.includes('crdt-agents-network:') || child.exitCode !== null, 150_000, 200);
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output.slice(-2_000)}`);
  }, 180_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('AUTH_TOKEN protects the app: a write without it is 401, with it 200', async () => {
    const put = (headers: Record<string, string>) =>
      fetch(`${app}/agent/0/data/start-test`, { method: 'PUT', body: '"hi"', headers: { 'content-type': 'application/json', ...headers } });
    expect((await put({})).status).toBe(401);
    expect((await put({ authorization: 'Bearer only-this' })).status).toBe(200);
    // and it spreads: the agents sign and check envelopes with the key npm start made for them
    await waitFor('the write at agent 8', async () => (await fetch(`${app}/agent/8/data/start-test`, { headers: { authorization: 'Bearer only-reads' } })).status === 200, 30_000, 200);
  });

  it('READ_TOKEN guards reads, the live timeline included: the broker\'s WebSocket login comes only with a guarded read', async () => {
    expect((await fetch(`${app}/api/topology`)).status).toBe(401);
    const topology = await fetch(`${app}/api/topology`, { headers: { authorization: 'Bearer only-reads' } });
    expect(topology.status).toBe(200);
    const { live } = (await topology.json()) as { live: { nats_ws_url: string; nats_credentials: { user: string; pass: string } } };
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    await expect(wsconnect({ servers: live.nats_ws_url, reconnect: false })).rejects.toThrow(/authorization/i);
    // (the broker takes WebSockets from the app's own page only: say so, as a browser would)
    const browser = await wsconnect({ servers: live.nats_ws_url, ...live.nats_credentials, reconnect: false, wsFactory: async (url: string) => ({ socket: new WebSocket(url, { headers: { origin: app } }) as unknown as globalThis.WebSocket, encrypted: false }) } as never);
    await browser.close();
  });

  it('the broker refuses an anonymous client; the URL kept in DATA_DIR gets in, and the banner shows no password', async () => {
    await expect(connect({ servers: `nats://127.0.0.1:${natsPort}`, reconnect: false })).rejects.toThrow(/authorization/i);
    const url = readFileSync(join(dataDir, 'nats', 'gateway-url'), 'utf8').trim();
    const nc = await connect(natsServers(url));
    await nc.close();
    expect(output).not.toContain(natsServers(url).pass);
    expect(output).toContain('nats://gateway:***@');
  });

  // last: it ends the network
  it('runs the app in a process of its own, and stops the whole network (exit 1) when that process dies', async () => {
    const host = childrenOf(child.pid!).find((p) => p.cmdline.includes('dist/host.mjs'));
    expect(host, 'a dist/host.mjs child of the runner').toBeDefined();
    process.kill(host!.pid, 'SIGKILL');
    await waitFor('the runner to exit', () => child.exitCode !== null, 30_000, 100);
    expect(child.exitCode).toBe(1);
    expect(output).toContain('the app process exited');
    await expect(connect({ servers: `nats://127.0.0.1:${natsPort}`, reconnect: false })).rejects.toThrow(/refused/i);
  });
});

/** The processes whose parent is `pid` (Linux /proc), with their command lines. */
function childrenOf(pid: number): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      if (ppid === pid) out.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
