// The command line of every script and of the gateway, one way: `--help` prints the usage and
// exits 0; an unknown flag or a bad value prints what was wrong and the usage, and exits 2, with
// no stack trace (a user's mistake is not a crash).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The option every command takes. */
export const HELP_OPTION = { type: 'boolean', short: 'h' } as const;

/** `--url` of the commands that call the app: APP_URL, else the local network's. */
export const APP_URL_OPTION = { type: 'string', default: process.env.APP_URL || 'http://127.0.0.1:3000' } as const;

/** `--token` of the commands that read from the app: its read_token or auth_token (READ_TOKEN, else AUTH_TOKEN). */
export const READ_TOKEN_OPTION = { type: 'string', default: process.env.READ_TOKEN || process.env.AUTH_TOKEN || '' } as const;

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * Parses `config` and handles `--help` (declare it as `help: HELP_OPTION`); a parse
 * error (an unknown flag, a missing value) is reported as a UsageError.
 */
export function commandLine<T extends ParseArgsConfig>(usage: string, config: T): Parsed<T> {
  const parsed = validated(usage, () => {
    try {
      return parseArgs(config); // strict unless the config says otherwise
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  });
  if ((parsed.values as Record<string, unknown>).help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}

/** `check()`, with a UsageError reported (exit 2) for options checked outside `run`. */
export function validated<T>(usage: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof UsageError) usageFailure(usage, err);
    throw err;
  }
}

function usageFailure(usage: string, err: UsageError): never {
  process.stderr.write(`error: ${err.message}\n${usage}\n`);
  process.exit(2);
}

/** `--name` as a positive integer (or `undefined` when absent and no default). */
export function positiveIntegerOption(name: string, raw: string | undefined): number;
export function positiveIntegerOption(name: string, raw: string | undefined, optional: 'optional'): number | undefined;
export function positiveIntegerOption(name: string, raw: string | undefined, optional?: 'optional'): number | undefined {
  if (raw === undefined && optional === 'optional') return undefined;
  const n = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Runs a command's `main`: its number is the exit code. A UsageError prints its message and the
 * usage on stderr and exits 2; anything else is a failure (exit 1) reported with its stack.
 */
export function run(usage: string, main: () => Promise<number | void> | number | void): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        if (typeof code === 'number') process.exit(code);
      },
      (err: unknown) => {
        if (err instanceof UsageError) usageFailure(usage, err);
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(1);
      },
    );
}

/** Whether the module at `moduleUrl` (its import.meta.url) is the one node was asked to run. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && resolve(entry) === fileURLToPath(moduleUrl);
}
