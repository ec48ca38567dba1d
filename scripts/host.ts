// `npm run host`: serves a Spin app locally with the embedded host, like `spin up`.
//   npx tsx scripts/host.ts [--from spin.toml] [--listen 127.0.0.1:3000] [--state-dir .spin]
// Environment: PORT, HOST_WORKERS, SPIN_STATE_DIR, SPIN_VARIABLE_<NAME>, LOG_LEVEL.
import { commandLine, HELP_OPTION, positiveIntegerOption, run, UsageError } from '../src/cli/command-line.ts';
import { HostError, startHost } from '../src/host/index.ts';
import type { HostListening } from './host-process.ts';

const USAGE = `usage: tsx scripts/host.ts [options]
  -f, --from <spin.toml>        the application manifest (default ./spin.toml)
      --listen <host:port>      address to serve on (default PORT or 127.0.0.1:3000)
      --state-dir <dir>         KV database and transpile cache (default SPIN_STATE_DIR or .spin/ beside the manifest)
      --workers <n>             component worker threads (default HOST_WORKERS or the CPU count)
      --kv <sqlite|memory>      key-value backend (default sqlite)
  -h, --help`;

async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: {
      from: { type: 'string', short: 'f' },
      listen: { type: 'string' },
      'state-dir': { type: 'string' },
      workers: { type: 'string' },
      kv: { type: 'string' },
      help: HELP_OPTION,
    },
  });
  const workers = positiveIntegerOption('workers', values.workers, 'optional');
  if (values.kv !== undefined && values.kv !== 'sqlite' && values.kv !== 'memory') throw new UsageError(`--kv must be sqlite or memory, got "${values.kv}"`);

  let host;
  try {
    host = await startHost({
      manifestPath: values.from ?? 'spin.toml',
      listen: values.listen,
      stateDir: values['state-dir'],
      workers,
      kv: values.kv,
    });
  } catch (err) {
    if (err instanceof HostError) {
      console.error(JSON.stringify({ level: 'error', msg: 'cannot start', code: err.code, error: err.message }));
      return 1;
    }
    throw err;
  }

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      console.log(JSON.stringify({ level: 'info', msg: 'shutting down', signal }));
      host.close().then(
        () => resolveExit(0),
        (err: unknown) => {
          console.error(JSON.stringify({ level: 'error', msg: 'shutdown failed', error: String(err) }));
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // started by scripts/host-process.ts: say where it listens; stop when the parent is gone
    if (process.send !== undefined) {
      process.send({ type: 'listening', url: host.url } satisfies HostListening);
      process.once('disconnect', () => stop('SIGTERM'));
    }
  });
}

run(USAGE, main);
