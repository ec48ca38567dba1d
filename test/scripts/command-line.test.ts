// Every command a user runs answers `--help` with its usage (exit 0, nothing started or written),
// and a mistake in how it was called with one line saying what was wrong (exit 2, no stack trace).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** the npm script (what the README names) → the file it runs */
const COMMANDS: [string, string][] = [
  ['start', 'scripts/start.ts'],
  ['gateway', 'src/gateway/main.ts'],
  ['host', 'scripts/host.ts'],
  ['build', 'scripts/build.ts'],
  ['gen', 'scripts/gen.ts'],
  ['validate', 'scripts/validate.ts'],
  ['verify', 'scripts/verify.ts'],
  ['bench', 'scripts/bench.ts'],
  ['export-timeline', 'scripts/export-timeline.ts'],
  ['deploy:cloud', 'scripts/deploy-cloud.ts'],
  ['bench-kernel', 'scripts/bench-kernel.ts'],
  ['build-kernel', 'scripts/build-kernel.ts'],
];

function runCommand(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // LOG_LEVEL in any case is accepted everywhere (it once broke every agent request)
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, file), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'INFO' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const STACK_LINE = /^\s+at /m;

describe.each(COMMANDS)('npm run %s', (_name, file) => {
  it('--help prints the usage and exits 0', async () => {
    const run = await runCommand(file, ['--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage: /);
    expect(run.stdout).toContain('-h, --help');
  });

  it('an unknown flag exits 2 naming it, without a stack trace', async () => {
    const run = await runCommand(file, ['--no-such-flag']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--no-such-flag'");
    expect(run.stderr).toContain('usage: ');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

describe('a bad value is a usage error too', () => {
  it.each([
    ['scripts/bench.ts', ['--trials', '0'], '--trials must be a positive integer, got "0"'],
    ['scripts/bench-kernel.ts', ['--seed', 'x'], '--seed must be an integer, got "x"'],
    ['scripts/gen.ts', ['--agents', 'many'], '--agents must be an integer in 1..1000'],
    ['scripts/verify.ts', ['--url', 'example.com'], "--url must be the app's http(s) URL"],
    ['scripts/export-timeline.ts', [], '--out <file> is required'],
    ['scripts/host.ts', ['--workers', 'two'], '--workers must be a positive integer, got "two"'],
    ['scripts/build.ts', ['nonesuch'], 'unknown component in nonesuch'],
  ])('%s %j', async (file, args, message) => {
    const run = await runCommand(file, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});
