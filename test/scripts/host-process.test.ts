// The local host in a process of its own (scripts/host-process.ts), as `npm start` and the bench run
// it: it says where it listens whatever its log level, serves, stops on close, and never outlives
// the process that started it (a runner killed with SIGKILL must not leave a host holding its port).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHostProcess } from '../../scripts/host-process.ts';
import { waitFor } from '../gateway/harness.ts';
import { writeManifest } from '../support/network.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the host in a process of its own', () => {
  const stateDirs: string[] = [];
  const stateDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'can-host-process-'));
    stateDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('resolves once it listens, at LOG_LEVEL=error too, serves the agents, and ends on close', async () => {
    const host = await spawnHostProcess({ manifestPath: writeManifest(), listen: '127.0.0.1:0', stateDir: stateDir(), env: { ...process.env, LOG_LEVEL: 'error' } });
    try {
      expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${host.url}/agent/3/state`)).status).toBe(200);
    } finally {
      await host.close();
    }
    expect(alive(host.pid)).toBe(false);
    await expect(fetch(`${host.url}/health`)).rejects.toThrow();
  }, 120_000);

  it('rejects when the host cannot start, saying so', async () => {
    const missing = join(stateDir(), 'no-such-spin.toml');
    await expect(spawnHostProcess({ manifestPath: missing, listen: '127.0.0.1:0', stateDir: stateDir(), env: { ...process.env, LOG_LEVEL: 'error' } })).rejects.toThrow(/exited \(1\) before listening/);
  });

  it('stops when the process that started it is killed', async () => {
    const starter = `import { spawnHostProcess } from ${JSON.stringify(join(ROOT, 'scripts', 'host-process.ts'))};
const host = await spawnHostProcess({ manifestPath: process.argv[1], listen: '127.0.0.1:0', stateDir: process.argv[2], env: { ...process.env, LOG_LEVEL: 'error' } });
console.log(JSON.stringify({ url: host.url, pid: host.pid }));
setInterval(() => {}, 1_000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', starter, writeManifest(), stateDir()], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ url: string; pid: number }>((done, fail) => {
      createInterface({ input: parent.stdout! }).on('line', (line) => line.startsWith('{') && done(JSON.parse(line) as { url: string; pid: number }));
      parent.once('exit', (code) => fail(new Error(`the starter exited ${code}`)));
    });
    expect((await fetch(`${started.url}/health`)).status).toBe(200);
    parent.kill('SIGKILL');
    await waitFor('the orphaned host to stop', () => !alive(started.pid), 20_000, 100);
  }, 120_000);
});
