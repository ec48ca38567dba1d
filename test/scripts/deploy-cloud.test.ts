// `npm run deploy:cloud` drives the real `spin` CLI, which cannot be installed here. So this runs
// it against a stand-in `spin` on PATH that records its arguments and answers like `spin cloud
// deploy` does: what is tested is our script's part (checks, order, variables, the URL it finds,
// the next steps it prints), not Fermyon Cloud.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'deploy-cloud.ts');
const dir = mkdtempSync(join(tmpdir(), 'fake-spin-'));
const calls = join(dir, 'calls.log');
writeFileSync(
  join(dir, 'spin'),
  `#!/bin/sh
echo "$*" >> ${JSON.stringify(calls)}
case "$1 $2" in
  "cloud deploy") printf 'Uploading crdt-agents-network version 0.1.0 to Fermyon Cloud...\\nDeploying...\\nWaiting for application to become ready... ready\\n\\nView application:   https://crdt-agents-network-x7k2.fermyon.app/\\n' ;;
  "aka deploy") printf 'Deploying app crdt-agents-network...\\nApplication deployed to https://4f3c2a10-9d1e-4b7a-a0e2-7c5d3f1b2e44.aka.fermyon.tech\\n' ;;
esac
exit 0
`,
);
chmodSync(join(dir, 'spin'), 0o755);

function deploy(args: string[], path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env: { ...process.env, PATH: path } }, (err, stdout, stderr) => {
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

describe('npm run deploy:cloud', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates, builds, deploys with the variables, and prints the gateway and verify commands for the URL', async () => {
    const r = await deploy(['--token', 's3cret', '--nats-ws-url', 'wss://nats.example.com', '--variable', 'topology=ring'], `${dir}:${process.env.PATH}`);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      '--version',
      'cloud --version',
      'build',
      expect.stringMatching(/^cloud deploy --variable auth_token=s3cret --variable envelope_key=[0-9a-f]{64} --variable nats_ws_url=wss:\/\/nats.example.com --variable topology=ring$/),
    ]);
    const key = /envelope_key=([0-9a-f]+)/.exec(readFileSync(calls, 'utf8'))![1]!;
    // the generated envelope key is not in the command log, only handed over once for the gateway
    expect(r.stderr.split(key).length - 1).toBe(1);
    expect(r.stderr).toContain(`Envelope key (generated; the gateway needs it as ENVELOPE_KEY): ${key}`);
    expect(JSON.parse(r.stdout)).toEqual({ url: 'https://crdt-agents-network-x7k2.fermyon.app', platform: 'cloud', token_generated: false, agents: 9 });
    expect(r.stderr).toContain('APP_URL=https://crdt-agents-network-x7k2.fermyon.app NATS_URL=nats://<your-nats>:4222 AUTH_TOKEN=<token> ENVELOPE_KEY=<key> npm run gateway');
    expect(r.stderr).toContain('npm run verify -- --url https://crdt-agents-network-x7k2.fermyon.app');
    expect(r.stderr).not.toContain('s3cret'); // the token is not echoed in the command log
  }, 60_000);

  it('deploys with spin aka deploy to Fermyon Wasm Functions with --platform aka', async () => {
    rmSync(calls, { force: true });
    const r = await deploy(['--platform', 'aka', '--token', 's3cret'], `${dir}:${process.env.PATH}`);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      '--version',
      'aka --version',
      'build',
      expect.stringMatching(/^aka deploy --variable auth_token=s3cret --variable envelope_key=[0-9a-f]{64}$/),
    ]);
    const url = 'https://4f3c2a10-9d1e-4b7a-a0e2-7c5d3f1b2e44.aka.fermyon.tech';
    expect(JSON.parse(r.stdout)).toEqual({ url, platform: 'aka', token_generated: false, agents: 9 });
    expect(r.stderr).toContain(`npm run verify -- --url ${url}`);
    expect((await deploy(['--platform', 'azure'], `${dir}:${process.env.PATH}`)).code).toBe(2);
  }, 60_000);

  it('stops with instructions when there is no spin on PATH', async () => {
    const r = await deploy([], '/usr/bin:/bin');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`spin` is not on PATH: install Spin 3.x');
  }, 60_000);
});
